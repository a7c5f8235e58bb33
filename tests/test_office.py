"""Les documents bureautiques (ODT, DOCX, PDF) : écrits, puis rouverts et lus.

Rien n'est simulé : l'ODT est relu par odfpy, le DOCX par python-docx, le texte du PDF extrait
par pdftotext (poppler-utils) s'il est là, sinon par pypdf.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

for _module, _package in (("markdown_it", "markdown-it-py"), ("odf", "odfpy"), ("docx", "python-docx")):
    pytest.importorskip(_module, reason=f"{_package} n'est pas installé")


from ateliers_cli.office import DocumentMeta, render_typst, write_docx, write_odt, write_pdf
from ateliers_cli.office.model import (
    CodeBlock,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
    clean_text,
    parse_markdown,
    safe_href,
)

CONSEIL = "Conseil départemental du Nord"
NBSP, NNBSP = "\u00a0", "\u202f"

DELIBERATION = f"""\
# Délibération n{NNBSP}° 2026-DELIB-014

**Séance publique du lundi 22 juin 2026 à 18{NBSP}h{NBSP}30**

## Objet{NBSP}: adoption des orientations «{NBSP}Bien vieillir dans le Nord{NBSP}»

Le {CONSEIL},

Vu le Code général des collectivités territoriales, et notamment ses articles L.{NBSP}3211-1 et L.{NBSP}3211-2{NNBSP};

Vu la délibération du 15 décembre 2025 lançant les Ateliers citoyens{NNBSP};

Vu l'avis de la commission «{NBSP}Solidarités{NBSP}» du 8 juin 2026{NNBSP};

Considérant que 2{NNBSP}616 contributions ont été recueillies entre le 2 février et le 31 mars 2026{NNBSP};

Considérant que les orientations proposées en sont directement issues{NNBSP};

**Après en avoir délibéré,**

### Article 1er

Le {CONSEIL} adopte les orientations *O-1* à *O-5* annexées à la présente délibération.

### Article 2

Le Président du Conseil départemental est chargé de l'exécution de la présente délibération.

## Vote

| Membres | Nombre |
|:--|--:|
| Membres en exercice | 82 |
| Présents | 71 |
| Votants | 77 |
| Pour | 62 |
| Contre | 9 |
| Abstentions | 6 |

Adoptée à la majorité des suffrages exprimés.
"""

SIGNATURE = ("Fait à Lille, le 22 juin 2026", "Le Président du Conseil départemental,", "Christian Poiret")

RAPPORT = f"""\
# Rapport d'orientations

Ce rapport présente aux élus les orientations issues des Ateliers citoyens «{NBSP}Bien vieillir{NBSP}».

## Synthèse de la participation

Les contributions viennent de tout le département : **1{NNBSP}254** en ligne, *312* sur papier.
Voir [le site de la consultation](https://lenord.fr/ateliers) et [un lien douteux](javascript:alert(1)).

| Territoire | Contributions | Part |
|:--|--:|:-:|
| Lille | 1 023 | 41 % |
| Valenciennes | 402 | 16 % |
| Avesnes-sur-Helpe | 97 | 4 % |

### Par canal

1. En ligne
2. Sur papier
   - lors des permanences
   - par courrier
3. Par téléphone

## Orientations

### O-1 Rompre l'isolement

> «{NBSP}Je ne vois personne de la semaine.{NBSP}» — une habitante de Maubeuge

Mesures envisagées :

3. Visites de convivialité
4. Transport solidaire

---

### O-2 Adapter les logements

Texte ~~barré~~ et `code` et ***gras italique***.
Ligne forcée\\
après le saut.

## Annexe : texte des citoyens

<script>alert("x")</script> & <b>gras</b> \x00\x1b contrôle \u202eévil\u202c fin
"""


def meta_deliberation(**kw: object) -> DocumentMeta:
    args: dict[str, object] = {
        "titre": "Délibération : adoption des orientations",
        "collectivite": CONSEIL,
        "sous_titre": "Bien vieillir dans le Nord",
        "date": datetime(2026, 6, 22, 18, 30),
        "signature": SIGNATURE,
    }
    args.update(kw)
    return DocumentMeta(**args)  # type: ignore[arg-type]


def meta_rapport(**kw: object) -> DocumentMeta:
    args: dict[str, object] = {
        "titre": "Rapport d'orientations",
        "collectivite": CONSEIL,
        "sous_titre": "Ateliers citoyens « Bien vieillir dans le Nord »",
        "date": datetime(2026, 6, 1, 9, 0),
        "table_des_matieres": True,
        "pied_de_page": "Rapport d'orientations",
        "mots_cles": ("ateliers citoyens", "bien vieillir"),
    }
    args.update(kw)
    return DocumentMeta(**args)  # type: ignore[arg-type]


def norm(text: str) -> str:
    """Espaces insécables et blancs ramenés à une espace (l'extraction du PDF les varie)."""
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace(NNBSP, " ")).strip()


# --------------------------------------------------------------------------- le modèle


def test_markdown_parsed_into_neutral_blocks() -> None:
    doc = parse_markdown(RAPPORT)
    assert doc.title is not None and doc.title[0].text == "Rapport d'orientations"
    kinds = [type(b) for b in doc.blocks]
    assert Heading in kinds and Table in kinds and ListBlock in kinds
    assert Quote in kinds and Rule in kinds and Paragraph in kinds
    # « ## » devient le niveau 1 du plan quand « # » est le titre du document
    synth = next(h for h in doc.headings if h.text == "Synthèse de la participation")
    assert synth.level == 2 and doc.outline_level(synth) == 1
    par_canal = next(h for h in doc.headings if h.text == "Par canal")
    assert doc.outline_level(par_canal) == 2
    table = next(b for b in doc.blocks if isinstance(b, Table))
    assert table.aligns == ["left", "right", "center"]
    assert [c[0].text for c in table.header] == ["Territoire", "Contributions", "Part"]
    lists = [b for b in doc.blocks if isinstance(b, ListBlock)]
    assert lists[0].ordered and isinstance(lists[0].items[1].blocks[1], ListBlock)
    assert lists[1].start == 3


def test_text_from_citizens_is_neutralised() -> None:
    doc = parse_markdown(RAPPORT)
    last = doc.blocks[-1]
    assert isinstance(last, Paragraph)
    text = "".join(r.text for r in last.runs)
    assert '<script>alert("x")</script>' in text  # du texte, pas du HTML
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text
    assert clean_text("a\x07b\u2066c\ufffe") == "abc"
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("https://lenord.fr/x") == "https://lenord.fr/x"
    assert safe_href("mailto:ateliers@lenord.fr") == "mailto:ateliers@lenord.fr"
    hrefs = [r.href for b in doc.blocks if isinstance(b, Paragraph) for r in b.runs if r.href]
    assert hrefs == ["https://lenord.fr/ateliers"]


def test_code_block_kept_verbatim() -> None:
    doc = parse_markdown("```\na  b\n  c\n```\n")
    assert isinstance(doc.blocks[0], CodeBlock) and doc.blocks[0].text == "a  b\n  c"


# --------------------------------------------------------------------------- ODT


def _odt(data: bytes):  # type: ignore[no-untyped-def]
    from odf.opendocument import load

    return load(io.BytesIO(data))


def _odf_text(el) -> str:  # type: ignore[no-untyped-def]
    from odf import teletype

    # identifiers carry non-breaking hyphens (U+2011), which print as « - »
    return teletype.extractText(el).replace("\u2011", "-")


def _attr(el, name: str) -> str | None:  # type: ignore[no-untyped-def]
    for (_, local), value in el.attributes.items():
        if local == name:
            return value
    return None


def test_odt_deliberation(tmp_path: Path) -> None:
    from odf import dc, table, text
    from odf.namespaces import TEXTNS

    path = tmp_path / "deliberation.odt"
    path.write_bytes(write_odt(DELIBERATION, meta_deliberation()))
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert {i.date_time for i in z.infolist()} == {(2026, 6, 22, 18, 30, 0)}
    doc = _odt(path.read_bytes())

    headings = {
        _odf_text(h): (_attr(h, "outline-level"), _attr(h, "style-name")) for h in doc.getElementsByType(text.H)
    }
    assert headings["Article 1er"] == ("2", "Heading_20_2")
    assert headings["Article 2"] == ("2", "Heading_20_2")
    assert headings[f"Objet{NBSP}: adoption des orientations «{NBSP}Bien vieillir dans le Nord{NBSP}»"] == (
        "1",
        "Heading_20_1",
    )
    styles = {_attr(s, "name"): s for s in doc.styles.getElementsByType(__import__("odf.style").style.Style)}
    assert _attr(styles["Heading_20_1"], "default-outline-level") == "1"
    assert _attr(styles["Heading_20_1"], "display-name") == "Heading 1"

    paras = [_odf_text(p) for p in doc.text.getElementsByType(text.P)]
    body = "\n".join(paras)
    assert paras[0] == f"Délibération n{NNBSP}° 2026-DELIB-014"  # le « # » du Markdown, style Titre
    assert "Vu le Code général des collectivités territoriales" in body
    assert f"Considérant que 2{NNBSP}616 contributions" in body
    assert SIGNATURE[0] in paras and SIGNATURE[2] == paras[-1]

    cells = [
        [_odf_text(c) for c in row.getElementsByType(table.TableCell)] for row in doc.getElementsByType(table.TableRow)
    ]
    assert cells == [
        ["Membres", "Nombre"],
        ["Membres en exercice", "82"],
        ["Présents", "71"],
        ["Votants", "77"],
        ["Pour", "62"],
        ["Contre", "9"],
        ["Abstentions", "6"],
    ]
    assert len(doc.getElementsByType(table.TableHeaderRows)) == 1

    # pas de table des matières dans une délibération (non demandée)
    assert not doc.getElementsByType(text.TableOfContent)

    # langue française dans les styles par défaut
    xml = doc.stylesxml()
    assert 'fo:language="fr"' in xml and 'fo:country="FR"' in xml

    # pied de page : collectivité, numéro de page, nombre de pages
    footer = doc.masterstyles.getElementsByType(__import__("odf.style").style.Footer)[0]
    assert CONSEIL in _odf_text(footer)
    assert footer.getElementsByType(text.PageNumber) and footer.getElementsByType(text.PageCount)

    # métadonnées
    assert _odf_text(doc.meta.getElementsByType(dc.Title)[0]) == "Délibération : adoption des orientations"
    assert _odf_text(doc.meta.getElementsByType(dc.Creator)[0]) == CONSEIL
    assert _odf_text(doc.meta.getElementsByType(dc.Language)[0]) == "fr-FR"
    assert _odf_text(doc.meta.getElementsByType(dc.Date)[0]) == "2026-06-22T18:30:00+02:00"
    assert TEXTNS  # (l'espace de noms text: est bien celui d'ODF)


def test_odt_report_toc_lists_links(tmp_path: Path) -> None:
    from odf import text

    data = write_odt(RAPPORT, meta_rapport())
    (tmp_path / "rapport.odt").write_bytes(data)
    doc = _odt(data)
    tocs = doc.getElementsByType(text.TableOfContent)
    assert len(tocs) == 1
    src = tocs[0].getElementsByType(text.TableOfContentSource)[0]
    assert _attr(src, "outline-level") == "3"
    body = tocs[0].getElementsByType(text.IndexBody)[0]
    entries = [_odf_text(p).strip() for p in body.getElementsByType(text.P)]
    assert entries[0] == "Table des matières"
    assert "Synthèse de la participation" in entries and "O-1 Rompre l'isolement" in entries
    # les entrées pointent vers des signets posés dans les titres
    links = {_attr(a, "href") for a in body.getElementsByType(text.A)}
    marks = {_attr(b, "name") for b in doc.text.getElementsByType(text.Bookmark)}
    assert links and {link.lstrip("#") for link in links} <= marks

    # listes : numérotée, imbriquée, qui commence à 3
    lists = doc.text.getElementsByType(text.List)
    assert {_attr(lst, "style-name") for lst in lists} >= {"Numeros", "Puces"}
    starts = [_attr(li, "start-value") for li in doc.text.getElementsByType(text.ListItem)]
    assert "3" in starts
    # le lien web est un lien, le lien « javascript: » n'en est pas un
    hrefs = {_attr(a, "href") for a in doc.text.getElementsByType(text.A)} - links
    assert hrefs == {"https://lenord.fr/ateliers"}
    content = doc.contentxml().decode("utf-8") if isinstance(doc.contentxml(), bytes) else doc.contentxml()
    assert "javascript" not in content.replace("[un lien douteux](javascript", "")
    assert "&lt;script&gt;" in content and "\u202e" not in content
    footer_text = _odf_text(doc.masterstyles.getElementsByType(__import__("odf.style").style.Footer)[0])
    assert f"{CONSEIL} — Rapport d'orientations" in footer_text


# --------------------------------------------------------------------------- DOCX


def _docx(data: bytes):  # type: ignore[no-untyped-def]
    import docx

    return docx.Document(io.BytesIO(data))


def test_docx_deliberation(tmp_path: Path) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm

    path = tmp_path / "deliberation.docx"
    path.write_bytes(write_docx(DELIBERATION, meta_deliberation()))
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 6, 22, 18, 30, 0)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    d = _docx(path.read_bytes())

    styled = [(p.style.name, p.text) for p in d.paragraphs]
    assert ("Title", f"Délibération n{NNBSP}° 2026-DELIB-014") in styled
    assert ("Heading 2", "Article 1er") in styled and ("Heading 2", "Article 2") in styled
    assert ("Heading 1", "Vote") in styled
    text = "\n".join(t for _, t in styled)
    assert "Vu le Code général des collectivités territoriales" in text
    assert f"«{NBSP}Solidarités{NBSP}»" in text
    assert styled[-1] == ("Signature", "Christian Poiret")

    t = d.tables[0]
    rows = [[c.text for c in r.cells] for r in t.rows]
    assert rows[0] == ["Membres", "Nombre"]
    assert ["Votants", "77"] in rows and ["Pour", "62"] in rows and ["Contre", "9"] in rows
    assert ["Abstentions", "6"] in rows and ["Membres en exercice", "82"] in rows
    assert t.style.name == "Table Grid"
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # en-tête répété

    cp = d.core_properties
    assert cp.title == "Délibération : adoption des orientations"
    assert cp.author == CONSEIL and cp.language == "fr-FR"
    assert cp.created == datetime(2026, 6, 22, 16, 30, tzinfo=UTC)
    assert cp.modified == cp.created

    sec = d.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(1) and abs(sec.page_height - Mm(297)) < Mm(1)
    footer_xml = sec.footer._element.xml
    assert CONSEIL in footer_xml and " PAGE " in footer_xml and " NUMPAGES " in footer_xml

    langs = {el.get(qn("w:val")) for el in d.styles.element.iter(qn("w:lang"))}
    assert "fr-FR" in langs and "en-US" not in langs
    assert not any(p.style.name.startswith("toc") for p in d.paragraphs)


def test_docx_report_toc_lists(tmp_path: Path) -> None:
    from docx.oxml.ns import qn

    data = write_docx(RAPPORT, meta_rapport())
    (tmp_path / "rapport.docx").write_bytes(data)
    d = _docx(data)
    body = d.element.body
    instr = [el.text.strip() for el in body.iter(qn("w:instrText"))]
    styled = [(p.style.name, re.sub(r"\t\d*$", "", p.text)) for p in d.paragraphs]
    assert ("TOC Heading", "Table des matières") in styled
    assert not any("F9" in t for _, t in styled)
    # each entry's page number is a PAGEREF field to its heading's bookmark, updated on opening
    marks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    refs = [i.split()[1] for i in instr if i.startswith("PAGEREF")]
    assert len(refs) == len([s for s, _ in styled if s.startswith("toc ")]) and set(refs) <= marks
    assert d.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    assert ("toc 1", "Synthèse de la participation") in styled
    assert ("toc 2", "Par canal") in styled
    # les entrées pointent vers les signets des titres
    anchors = {h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink")) if h.get(qn("w:anchor"))}
    marks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    assert anchors and anchors <= marks
    assert ("Heading 1", "Synthèse de la participation") in styled
    assert ("Heading 2", "Par canal") in styled
    # la première section après la table des matières ouvre une page
    first_after = next(
        p for p in d.paragraphs if p.style.name != "Title" and not p.style.name.lower().startswith("toc")
    )
    assert first_after.paragraph_format.page_break_before

    # listes : chaque liste a sa numérotation, la deuxième liste numérotée part de 3
    items = [p for p in d.paragraphs if p.style.name == "List Paragraph"]
    assert [p.text for p in items[:5]] == [
        "En ligne",
        "Sur papier",
        "lors des permanences",
        "par courrier",
        "Par téléphone",
    ]
    ilvls = [p._p.pPr.numPr.ilvl.val for p in items[:5]]
    assert ilvls == [0, 0, 1, 1, 0]
    numbering = d.part.numbering_part.element
    starts = [el.get(qn("w:val")) for el in numbering.iter(qn("w:startOverride"))]
    assert "3" in starts
    # liens : le web oui, « javascript: » non
    rels = [r.target_ref for r in d.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert rels == ["https://lenord.fr/ateliers"]
    text = "\n".join(p.text for p in d.paragraphs)
    assert '<script>alert("x")</script>' in text and "\u202e" not in text
    assert d.sections[0].footer.paragraphs[0].text.startswith(f"{CONSEIL} — Rapport d'orientations")
    assert d.core_properties.keywords == "ateliers citoyens, bien vieillir"


# --------------------------------------------------------------------------- PDF


def _pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    """Le texte de chaque page : pdftotext s'il est installé, sinon pypdf."""
    if shutil.which("pdftotext"):
        src = tmp_path / "extrait.pdf"
        src.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(src), "-"], check=True, capture_output=True
        ).stdout.decode("utf-8")
        return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")
    pypdf = pytest.importorskip("pypdf", reason="ni pdftotext (poppler-utils) ni pypdf")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_pdf_deliberation(tmp_path: Path) -> None:
    data = write_pdf(DELIBERATION, meta_deliberation())
    (tmp_path / "deliberation.pdf").write_bytes(data)
    assert data.startswith(b"%PDF-1.7")
    pages = _pdf_pages(data, tmp_path)
    text = norm("\n".join(pages))
    for expected in (
        "Délibération n ° 2026-DELIB-014",
        CONSEIL,
        "Article 1er",
        "Article 2",
        "Vu le Code général des collectivités territoriales",
        "Considérant que 2 616 contributions",
        "« Solidarités »",
        "Membres en exercice 82",
        "Présents 71",
        "Votants 77",
        "Pour 62",
        "Contre 9",
        "Abstentions 6",
        *SIGNATURE,
    ):
        assert expected in text, expected
    for i, page in enumerate(pages, 1):
        assert f"Page {i} sur {len(pages)}" in norm(page)
        assert CONSEIL in norm(page)
    # balisé (PDF/UA-1), en français, titré
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "fr-FR"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert re.search(rb'pdfuaid:part(="1"|>1<)', root["/Metadata"].get_object().get_data())
    assert reader.metadata.title == "Délibération : adoption des orientations"


def test_pdf_report_toc_and_metadata(tmp_path: Path) -> None:
    data = write_pdf(RAPPORT, meta_rapport())
    pages = _pdf_pages(data, tmp_path)
    first = norm(pages[0])
    assert "Table des matières" in first
    # la table des matières donne le numéro de page de chaque titre
    assert re.search(r"Synthèse de la participation[ .\u2060]*2\b", first)
    assert "Synthèse de la participation" in norm(pages[1])  # elle ouvre une page
    text = norm("\n".join(pages))
    assert re.search(r"Lille 1 023 41 ?%", text) and re.search(r"Avesnes-sur-Helpe 97 4 ?%", text)
    # la liste qui commence à 3 (pypdf rend les numéros après le texte : « 4. » suffit)
    assert "Transport solidaire" in text and "4." in text
    assert '<script>alert("x")</script>' in text
    assert f"{CONSEIL} — Rapport d'orientations" in text
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    info = reader.metadata
    assert info is not None and info.title == "Rapport d'orientations" and info.author == CONSEIL
    assert info["/CreationDate"] == "D:20260601070000Z"  # 9 h à Paris, le même instant en temps universel
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR" and "/StructTreeRoot" in root
    annots = [a.get_object().get("/A", {}).get("/URI") for p in reader.pages for a in p.get("/Annots", [])]
    assert "https://lenord.fr/ateliers" in annots and not any("javascript" in str(u) for u in annots)


def test_typst_source_takes_every_text_as_a_string(tmp_path: Path) -> None:
    # Typst's markup and code characters in the text, the title and the council's name: in the
    # source they are string literals, in the PDF they are text, as written.
    hostile = 'Voir #read("/etc/passwd") $x^2$ ] ) [* _ \\ `code` <b> @ref = titre'
    md = f"# Titre\n\n{hostile}\n\n| {hostile} |\n|--|\n| x |\n"
    meta = meta_rapport(collectivite='Conseil "#read(x)" ]')
    source = render_typst(md, meta)
    assert '#read("/etc/passwd")' not in source.replace('\\"', '"').split('#"', 1)[0]
    data = write_pdf(md, meta)
    text = norm("\n".join(_pdf_pages(data, tmp_path)))
    assert 'Voir #read("/etc/passwd") $x^2$ ] ) [* _' in text
    assert 'Conseil "#read(x)" ]' in text


def test_pdf_heading_levels_never_skip(tmp_path: Path) -> None:
    # PDF/UA forbids a jump from a level-1 to a level-3 heading: such a template still gives its PDF.
    data = write_pdf("# Titre\n\n## Partie\n\n#### Détail\n\ntexte\n", meta_rapport())
    assert "Détail" in norm("\n".join(_pdf_pages(data, tmp_path)))


# --------------------------------------------------------------------------- déterminisme


@pytest.mark.parametrize(
    "writer", [write_odt, write_docx, write_pdf], ids=["odt", "docx", "pdf"]
)
def test_same_input_same_bytes(writer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    meta = meta_rapport()
    a = writer(RAPPORT, meta)
    b = writer(RAPPORT, meta_rapport())
    assert a == b
    (tmp_path / "a").write_bytes(a)
    # la date voyage jusque dans le fichier : une autre date, d'autres octets
    c = writer(RAPPORT, meta_rapport(date=datetime(2026, 6, 2, 9, 0)))
    assert c != a


@pytest.mark.parametrize(
    "writer", [write_odt, write_docx, write_pdf], ids=["odt", "docx", "pdf"]
)
def test_source_date_epoch_when_no_date(writer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    epoch = int(datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    a = writer(DELIBERATION, meta_deliberation(date=None))
    b = writer(DELIBERATION, meta_deliberation(date=None))
    assert a == b
    explicit = writer(DELIBERATION, meta_deliberation(date=datetime.fromtimestamp(epoch, UTC)))
    assert explicit == a
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert writer(DELIBERATION, meta_deliberation(date=None)) == writer(DELIBERATION, meta_deliberation(date=None))


def test_zip_dates_follow_meta_date() -> None:
    data = write_docx(DELIBERATION, meta_deliberation(date=datetime(2026, 6, 22, 18, 30, 5)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 6, 22, 18, 30, 4)}
    tz = timezone(timedelta(hours=2))
    data = write_odt(DELIBERATION, meta_deliberation(date=datetime(2026, 6, 22, 18, 30, tzinfo=tz)))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"2026-06-22T18:30:00+02:00" in z.read("meta.xml")


# --------------------------------------------------------------------------- texte quelconque

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_any_text = st.text(st.characters(codec="utf-8"), max_size=120)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_any_text, titre=_any_text, conseil=_any_text)
def test_any_text_gives_files_that_open(body: str, titre: str, conseil: str) -> None:
    """Ce que les citoyens écrivent (et ce qu'un gabarit y met) ne casse aucun des deux XML."""
    meta = DocumentMeta(
        titre=titre,
        collectivite=conseil,
        date=datetime(2026, 1, 1),
        table_des_matieres=True,
        signature=(conseil,),
        pied_de_page=body[:20],
    )
    md = f"## {body}\n\n{body}\n\n| {body} |\n|--|\n| {body} |\n\n- {body}\n"
    doc = _odt(write_odt(md, meta))
    assert doc.text is not None
    d = _docx(write_docx(md, meta))
    assert d.core_properties.title == clean_text(titre)
    assert write_pdf(md, meta).startswith(b"%PDF-")



def test_pdf_with_a_character_no_font_can_draw_is_still_made(tmp_path: Path) -> None:
    # PDF/UA forbids a glyph no font has: such a document is made tagged (not claiming PDF/UA),
    # its other text intact; one without such a character claims PDF/UA.
    pypdf = pytest.importorskip("pypdf")
    data = write_pdf("# Titre\n\nUn texte avec \u0378 dedans.\n", meta_rapport())
    assert "Un texte avec" in norm("\n".join(_pdf_pages(data, tmp_path)))
    root = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert not re.search(rb"pdfuaid:part", root["/Metadata"].get_object().get_data())
    plain = pypdf.PdfReader(io.BytesIO(write_pdf("# Titre\n\nUn texte.\n", meta_rapport()))).trailer["/Root"]
    assert re.search(rb"pdfuaid:part(=\"1\"|>1<)", plain["/Metadata"].get_object().get_data())


def test_identifiers_never_break_at_their_hyphen(tmp_path: Path) -> None:
    """« C-0061 » is never cut as « C- / 0061 »: a non-breaking hyphen in the ODT (U+2011) and in
    the DOCX (Word's own ``w:noBreakHyphen``); place names keep their ordinary hyphens."""
    from docx.oxml.ns import qn
    from odf import teletype

    md = "# Note\n\nLa contribution C-0061 et la proposition P-LIL1-01, à Saint-Pol-sur-Mer.\n"
    odt = _odt(write_odt(md, meta_rapport(table_des_matieres=False)))
    body = teletype.extractText(odt.text)
    assert "C\u20110061" in body and "P\u2011LIL1\u201101" in body and "Saint-Pol-sur-Mer" in body
    d = _docx(write_docx(md, meta_rapport(table_des_matieres=False)))
    para = next(p for p in d.paragraphs if "Saint-Pol" in p.text)
    assert len(para._p.findall(".//" + qn("w:noBreakHyphen"))) == 3
    assert "Saint-Pol-sur-Mer" in para.text
