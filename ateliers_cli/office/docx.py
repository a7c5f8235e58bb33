"""Office Open XML (.docx) par python-docx.

Styles intégrés de Word (« Title », « Heading 1 » à « Heading 4 », « List Paragraph »,
« Quote », « Table Grid », « TOC 1 »…), listes numérotées qui repartent à 1 à chaque liste,
tableaux dont la ligne d'en-tête se répète, pied de page « collectivité — Page n sur N »
(champs PAGE et NUMPAGES), table des matières aux numéros de page calculés (champs PAGEREF), langue fr-FR dans les
styles, page A4,
propriétés du document datées de `meta.date`. L'archive est réécrite pour être déterministe.
"""

from __future__ import annotations

import io

from docx import Document as new_document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph as DocxParagraph

from . import DocumentMeta
from ._zip import rezip
from .model import (
    NB_HYPHEN,
    TOC_LABEL,
    Block,
    CodeBlock,
    Document,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Run,
    Table,
    clean_text,
    iso_utc,
    logo_png,
    nobreak_identifiers,
    parse_markdown,
    resolve_date,
    zip_date,
)

FONT = "Arial"
MONO = "Courier New"
TEXT_WIDTH = Mm(170)  # A4, 2 cm de marge de chaque côté
HEADING_SIZES = {1: 16, 2: 14, 3: 12.5, 4: 11.5, 5: 11, 6: 11, 7: 11, 8: 11, 9: 11}
BULLETS = ("•", "◦", "▪")


def _fld_char(kind: str):  # type: ignore[no-untyped-def]
    return parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>')


def _add_field(paragraph: DocxParagraph, instr: str, cached: str, *, end: bool = True) -> None:
    """Un champ complexe : début, instruction, séparation, résultat en cache, fin."""
    r = paragraph.add_run()
    r._r.append(_fld_char("begin"))
    r = paragraph.add_run()
    it = parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"> {instr} </w:instrText>')
    r._r.append(it)
    r = paragraph.add_run()
    r._r.append(_fld_char("separate"))
    if cached:
        paragraph.add_run(cached)
    if end:
        r = paragraph.add_run()
        r._r.append(_fld_char("end"))


def _add_run(p: DocxParagraph, text: str):  # type: ignore[no-untyped-def]
    """``p.add_run(text)``, the hyphens of identifiers written as Word's non-breaking hyphen."""
    text = nobreak_identifiers(text)
    if NB_HYPHEN not in text:
        return p.add_run(text)
    run = p.add_run()
    for i, piece in enumerate(text.split(NB_HYPHEN)):
        if i:
            run._r.append(parse_xml(f"<w:noBreakHyphen {nsdecls('w')}/>"))
        if piece:
            run._r.add_t(piece)
    return run


class _Writer:
    def __init__(self, doc: Document, meta: DocumentMeta) -> None:
        self.doc = doc
        self.meta = meta
        self.d = new_document()
        self.numbering = self.d.part.numbering_part.element
        self.abstract_ids: dict[bool, int] = {}
        self.next_num_id = 0
        self.bookmark_id = 0
        self.bookmarks: dict[str, str] = {}
        self.break_before_next = False
        self.toc_pages: dict[str, str] = {}  # heading anchor → page number shown until a viewer computes it
        # style name → style id, looked up once: python-docx scans every style at each lookup
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}

    def _style_id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        key = (name, kind)
        if key not in self._style_ids:
            self._style_ids[key] = self.d.part.get_style_id(name, kind)
        return self._style_ids[key]

    def add_paragraph(self, text: str = "", style: str | None = None) -> DocxParagraph:
        """``Document.add_paragraph``, the style id looked up once per name."""
        p = self.d.add_paragraph(text)
        if style is not None and (sid := self._style_id(style)) is not None:
            p._p.style = sid
        return p

    # ------------------------------------------------------------------ mise en place

    def setup(self) -> None:
        d = self.d
        # pas de vignette : celle du modèle montrerait une page blanche
        pkg = d.part.package
        for rid, rel in list(pkg.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del pkg.rels[rid]

        sec = d.sections[0]
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.left_margin = sec.right_margin = Mm(20)
        sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
        sec.header_distance, sec.footer_distance = Mm(10), Mm(10)

        styles_el = d.styles.element
        # polices explicites (pas celles du thème) et français par défaut
        for rfonts in styles_el.iter(qn("w:rFonts")):
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                rfonts.attrib.pop(qn(attr), None)
        defaults = styles_el.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        rfonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), FONT)
        self._set_lang(rpr)
        normal = d.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(11)
        self._set_lang(normal.element.get_or_add_rPr())
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15

        for level in range(1, 10):
            st = d.styles[f"Heading {level}"]
            st.font.name = FONT
            st.font.size = Pt(HEADING_SIZES[level])
            st.font.bold = True
            st.font.italic = False
            st.font.color.rgb = RGBColor(0, 0, 0)
            st.paragraph_format.space_before = Pt(14 if level <= 2 else 10)
            st.paragraph_format.space_after = Pt(6)
        for name, size in (("Title", 22), ("Subtitle", 13)):
            st = d.styles[name]
            st.font.name = FONT
            st.font.size = Pt(size)
            st.font.color.rgb = RGBColor(0, 0, 0)
            st.font.italic = False
            st.font.bold = name == "Title"
            st.paragraph_format.space_after = Pt(6)
        title_ppr = d.styles["Title"].element.pPr
        if title_ppr is not None:  # le filet bleu du modèle
            for bdr in title_ppr.findall(qn("w:pBdr")):
                title_ppr.remove(bdr)
        q = d.styles["Quote"]
        q.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
        q.paragraph_format.left_indent = Mm(10)
        q.paragraph_format.right_indent = Mm(10)
        d.styles["TOC Heading"].font.color.rgb = RGBColor(0, 0, 0)

        self._paragraph_style("Collectivite", bold=True)
        code = self._paragraph_style("Code", font=MONO, size=9.5)
        code.paragraph_format.space_after = Pt(0)
        sig = self._paragraph_style("Signature")
        sig.paragraph_format.left_indent = Mm(85)
        sig.paragraph_format.space_after = Pt(2)
        sig.paragraph_format.keep_with_next = True
        sig.paragraph_format.keep_together = True
        link = d.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.font.color.rgb = RGBColor(0x00, 0x00, 0x91)
        link.font.underline = True
        for level in range(1, 4):
            styles_el.append(
                parse_xml(
                    f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TOC{level}">'
                    f'<w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/>'
                    f'<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
                    f'<w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" '
                    f'w:pos="{int(TEXT_WIDTH.twips)}"/></w:tabs>'
                    f'<w:spacing w:after="60"/><w:ind w:left="{240 * (level - 1)}"/></w:pPr>'
                    f"</w:style>"
                )
            )

        # réglages : langue du thème, séparateurs français
        settings = d.settings.element
        for el in settings.iter(qn("w:themeFontLang")):
            el.set(qn("w:val"), self.meta.langue or "fr-FR")
        for el in settings.iter(qn("w:decimalSymbol")):
            el.set(qn("w:val"), ",")
        for el in settings.iter(qn("w:listSeparator")):
            el.set(qn("w:val"), ";")
        if self.meta.table_des_matieres:
            # Word updates every field (the table of contents' page numbers) when it opens the
            # document; the schema wants the element before « compat »
            settings.find(qn("w:compat")).addprevious(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))

        self.abstract_ids[False] = self._abstract_num(ordered=False)
        self.abstract_ids[True] = self._abstract_num(ordered=True)
        nums = [int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))]
        self.next_num_id = max(nums, default=0) + 1

    def _set_lang(self, rpr) -> None:  # type: ignore[no-untyped-def]
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = parse_xml(f"<w:lang {nsdecls('w')}/>")
            rpr.append(lang)
        lang.set(qn("w:val"), self.meta.langue or "fr-FR")

    def _paragraph_style(self, name: str, *, bold: bool = False, font: str | None = None, size: float | None = None):  # type: ignore[no-untyped-def]
        st = self.d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = self.d.styles["Normal"]
        st.font.bold = bold or None
        if font:
            st.font.name = font
        if size:
            st.font.size = Pt(size)
        return st

    def _abstract_num(self, ordered: bool) -> int:
        existing = [int(a.get(qn("w:abstractNumId"))) for a in self.numbering.findall(qn("w:abstractNum"))]
        aid = max(existing, default=0) + 1
        levels = []
        for ilvl in range(9):
            left = 567 * (ilvl + 1)
            if ordered:
                fmt = f'<w:numFmt w:val="decimal"/><w:lvlText w:val="%{ilvl + 1}."/>'
                rpr = ""
            else:
                fmt = f'<w:numFmt w:val="bullet"/><w:lvlText w:val="{BULLETS[ilvl % 3]}"/>'
                rpr = f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/></w:rPr>'
            levels.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/>{fmt}<w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{left}" w:hanging="357"/></w:pPr>{rpr}</w:lvl>'
            )
        el = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>'
        )
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(el)
        else:
            self.numbering.append(el)
        return aid

    def _new_num(self, ordered: bool, ilvl: int, start: int) -> int:
        num_id = self.next_num_id
        self.next_num_id += 1
        self.numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{self.abstract_ids[ordered]}"/>'
                f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                f"</w:num>"
            )
        )
        return num_id

    # ------------------------------------------------------------------ texte

    def _bookmark_name(self, anchor: str) -> str:
        name = self.bookmarks.get(anchor)
        if name is None:
            name = f"_Toc{len(self.bookmarks) + 1:08d}"
            self.bookmarks[anchor] = name
        return name

    def runs(self, p: DocxParagraph, runs: list[Run], links: bool = True) -> None:
        for r in runs:
            if r.is_break:
                p.add_run().add_break()
                continue
            if r.href and links:
                rid = p.part.relate_to(r.href, RT.HYPERLINK, is_external=True)
                h = parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}" w:history="1"/>')
                p._p.append(h)
                run = _add_run(p, r.text)
                h.append(run._r)  # déplace le run dans le lien
                run._r.style = self._style_id("Hyperlink", WD_STYLE_TYPE.CHARACTER)
            else:
                run = _add_run(p, r.text)
            if r.bold:
                run.bold = True
            if r.italic:
                run.italic = True
            if r.strike:
                run.font.strike = True
            if r.code:
                run.font.name = MONO

    def paragraph(self, style: str | None = None) -> DocxParagraph:
        p = self.add_paragraph(style=style)
        if self.break_before_next:
            p.paragraph_format.page_break_before = True
            self.break_before_next = False
        return p

    # ------------------------------------------------------------------ blocs

    def block(self, b: Block, *, quote: bool = False, list_level: int | None = None) -> None:
        if isinstance(b, Heading):
            level = min(self.doc.outline_level(b), 9)
            p = self.paragraph(f"Heading {level}")
            self.bookmark_id += 1
            bid = str(self.bookmark_id)
            name = self._bookmark_name(b.anchor)
            p._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{bid}" w:name="{name}"/>'))
            self.runs(p, b.runs)
            p._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{bid}"/>'))
        elif isinstance(b, Paragraph):
            if list_level is not None:
                p = self.paragraph("List Paragraph")
                p.paragraph_format.left_indent = Twips(567 * (list_level + 1))
            else:
                p = self.paragraph("Quote" if quote else None)
            self.runs(p, b.runs)
        elif isinstance(b, ListBlock):
            self.list_block(b, 0 if list_level is None else list_level + 1)
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Quote):
            for sub in b.blocks:
                self.block(sub, quote=True, list_level=list_level)
        elif isinstance(b, CodeBlock):
            for line in b.text.split("\n"):
                p = self.paragraph("Code")
                p.add_run(line)
        elif isinstance(b, Rule):
            p = self.paragraph()
            ppr = p._p.get_or_add_pPr()
            ppr.append(
                parse_xml(
                    f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
                )
            )

    def list_block(self, b: ListBlock, ilvl: int) -> None:
        ilvl = min(ilvl, 8)
        num_id = self._new_num(b.ordered, ilvl, b.start if b.ordered else 1)
        for item in b.items:
            first = True
            for sub in item.blocks or [Paragraph([])]:
                if first and isinstance(sub, Paragraph):
                    p = self.paragraph("List Paragraph")
                    ppr = p._p.get_or_add_pPr()
                    ppr.append(
                        parse_xml(
                            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
                        )
                    )
                    self.runs(p, sub.runs)
                else:
                    self.block(sub, list_level=ilvl)
                first = False

    def table(self, b: Table) -> None:
        ncols = max(1, b.ncols)
        nrows = len(b.rows) + (1 if b.header else 0)
        if self.break_before_next:
            self.paragraph()  # porte le saut de page
        t = self.d.add_table(rows=nrows, cols=ncols)
        t.style = self.d.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        all_rows = ([b.header] if b.header else []) + b.rows
        for ri, cells in enumerate(all_rows):
            row = t.rows[ri]
            header = bool(b.header) and ri == 0
            trpr = row._tr.get_or_add_trPr()
            trpr.append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))
            if header:
                trpr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
            for ci in range(ncols):
                cell = row.cells[ci]
                p = cell.paragraphs[0]
                p.paragraph_format.space_after = Pt(0)
                align = b.aligns[ci] if ci < len(b.aligns) else None
                if align == "right":
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                elif align == "center":
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                runs = cells[ci] if ci < len(cells) else []
                if header:
                    runs = [Run(r.text, True, r.italic, r.strike, r.code, r.href) for r in runs]
                    cell._tc.get_or_add_tcPr().append(
                        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="E8E8E8"/>')
                    )
                self.runs(p, runs)
        # un paragraphe vide sépare deux tableaux consécutifs (sinon Word les fusionne)
        self.d.add_paragraph().paragraph_format.space_after = Pt(0)

    def toc(self) -> None:
        """The table of contents: one paragraph per heading (styles « TOC 1 » to « TOC 3 »), a link
        to it and a PAGEREF field to its bookmark. No TOC field around them: LibreOffice shows a
        TOC field's stored result as it is, but computes a PAGEREF as it lays out the pages
        (opening, printing, converting to PDF); Word updates the fields when it opens the
        document (``w:updateFields`` in the settings)."""
        d = self.d
        self.paragraph("TOC Heading").add_run(TOC_LABEL)
        for h in self.doc.toc_entries(3):
            q = self.add_paragraph(style=f"toc {self.doc.outline_level(h)}")
            bookmark = self._bookmark_name(h.anchor)
            hl = parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="{bookmark}" w:history="1"/>')
            q._p.append(hl)
            tmp = d.add_paragraph()
            self.runs(tmp, h.runs, links=False)
            tmp.add_run("\t")
            _add_field(tmp, f"PAGEREF {bookmark} \\h", self.toc_pages.get(h.anchor, ""))
            for r in tmp._p.findall(qn("w:r")):
                hl.append(r)
            tmp._p.getparent().remove(tmp._p)
        self.break_before_next = self.meta.couverture is None  # after a cover, the text follows on the page

    def footer(self) -> None:
        sec = self.d.sections[0]
        p = sec.footer.paragraphs[0]
        p.style = self.d.styles["Footer"]
        stops = p.paragraph_format.tab_stops
        # les taquets du style « Footer » du modèle (page Letter) sont effacés
        stops.add_tab_stop(Twips(4680), WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(Twips(9360), WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        p.add_run(clean_text(self.meta.texte_pied_de_page)).font.size = Pt(8.5)
        p.add_run("\tPage ").font.size = Pt(8.5)
        _add_field(p, "PAGE", "1")
        p.add_run(" sur ").font.size = Pt(8.5)
        _add_field(p, "NUMPAGES", "1")
        for r in p.runs:
            r.font.size = Pt(8.5)

    def properties(self) -> None:
        m = self.meta
        cp = self.d.core_properties

        def short(text: str) -> str:  # python-docx refuses a property over 255 characters
            text = clean_text(text)
            return text if len(text) <= 255 else text[:254] + "…"

        cp.title = short(m.titre)
        cp.subject = short(m.sous_titre or "")
        cp.author = short(m.auteur_effectif)
        cp.last_modified_by = short(m.auteur_effectif)
        cp.keywords = short(", ".join(m.mots_cles))
        cp.comments = ""
        cp.language = m.langue or "fr-FR"
        cp.revision = 1
        date = resolve_date(m)
        el = cp._element
        for tag in ("dcterms:created", "dcterms:modified"):
            for old in el.findall(qn(tag)):
                el.remove(old)
        if date is not None:
            for tag in ("created", "modified"):
                el.append(
                    parse_xml(
                        f'<dcterms:{tag} xmlns:dcterms="http://purl.org/dc/terms/" '
                        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                        f'xsi:type="dcterms:W3CDTF">{iso_utc(date)}</dcterms:{tag}>'
                    )
                )

    # ------------------------------------------------------------------ document

    def cover(self) -> None:
        """The cover page: logo, authority, kind of document, title, mentions; the next block opens a page."""
        cv = self.meta.couverture
        assert cv is not None
        logo = logo_png(cv.logo, cv.logo_format) if cv.logo else None
        if logo is not None:
            png, _, height = logo
            run = self.add_paragraph().add_run()
            shape = run.add_picture(io.BytesIO(png), height=Cm(height))
            shape._inline.docPr.set("descr", f"Logo : {clean_text(cv.collectivite)}")
            shape._inline.docPr.set("name", "Logo")
        p = self.add_paragraph()
        r = p.add_run(clean_text(cv.collectivite))
        r.bold, r.font.size = True, Pt(12)
        self.add_paragraph(clean_text(cv.assemblee))
        p = self.add_paragraph()
        p.paragraph_format.space_before = Cm(6.5)
        r = p.add_run(clean_text(cv.intitule.upper()))
        r.font.size, r.font.color.rgb = Pt(12), RGBColor(0x3C, 0x3C, 0x3C)
        self.add_paragraph(clean_text(cv.titre), style="Title")
        if cv.sous_titre:
            self.add_paragraph(clean_text(cv.sous_titre), style="Subtitle")
        for label, value in cv.mentions:
            p = self.add_paragraph()
            p.add_run(f"{clean_text(label)} ")
            _add_run(p, clean_text(value)).bold = True
        self.break_before_next = True

    def build(self) -> bytes:
        self.setup()
        m, d = self.meta, self.d
        if m.couverture is not None:
            self.cover()
        elif self.doc.title is not None:
            p = self.add_paragraph(style="Title")
            self.runs(p, self.doc.title)
        else:
            self.add_paragraph(clean_text(m.titre), style="Title")
            if m.sous_titre:
                self.add_paragraph(clean_text(m.sous_titre), style="Subtitle")
            self.add_paragraph(clean_text(m.collectivite), style="Collectivite")
        if m.table_des_matieres:
            self.toc()
        for b in self.doc.blocks:
            self.block(b)
        for i, line in enumerate(m.signature):
            p = self.paragraph("Signature")
            if i == 0:
                p.paragraph_format.space_before = Pt(18)
            p.add_run(clean_text(line))
        self.footer()
        self.properties()
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue()


def _app_xml(meta: DocumentMeta) -> bytes:
    company = clean_text(meta.collectivite).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>ateliers</Application><DocSecurity>0</DocSecurity>"
        f"<Company>{company}</Company>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def write_docx(markdown: str, meta: DocumentMeta) -> bytes:
    doc = parse_markdown(markdown)
    raw = _Writer(doc, meta).build()

    def transform(name: str, content: bytes) -> bytes:
        if name == "docProps/app.xml":
            return _app_xml(meta)
        return content

    return rezip(raw, zip_date(resolve_date(meta)), first=("[Content_Types].xml",), transform=transform)
