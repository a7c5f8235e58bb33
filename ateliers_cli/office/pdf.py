"""PDF balisé (PDF/UA-1) par Typst, depuis une source Typst tirée des mêmes blocs que l'ODT et le
DOCX : A4, pied de page (collectivité, « Page n sur N »), table des matières avec numéros de
page, signets, langue, titre, sujet, mots-clés et date dans les métadonnées.

Tout texte (celui des citoyens compris) entre dans la source comme une chaîne littérale
(``#"…"``) : il n'est jamais lu comme du balisage ni comme du code. La source ne lit aucun
fichier ; Typst ne pourrait de toute façon lire que dans le dossier de ce module.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ateliers_cli.errors import AteliersError

from . import DocumentMeta
from .model import (
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
    parse_markdown,
    resolve_date,
    split_lang,
)

FONTS = ("DejaVu Sans", "Liberation Sans", "Arial")
MONO = ("DejaVu Sans Mono", "Liberation Mono")

# La mise en page : celle de l'ODT et du DOCX (A4, marges, corps 10,5 pt, titres, tableaux à
# bordures et en-tête grisé répété, citations filetées à gauche, signature à droite).
PREAMBLE = """\
#set text(font: %(fonts)s, size: 10.5pt, lang: %(lang)s, region: %(region)s)
#set par(leading: %(leading)s, spacing: %(spacing)s, justify: false)
#set page(
  paper: "a4",
  margin: (top: 2cm, x: 2cm, bottom: 2.4cm),
  footer: context {
    set text(size: 8.5pt, fill: luma(51))
    grid(
      columns: (1fr, auto),
      gutter: 1em,
      %(footer)s,
      [Page #counter(page).display() sur #counter(page).final().first()],
    )
  },
)
#show title: set text(size: 22pt, weight: "bold")
#show title: set block(below: 0.5em)
#show heading: set block(above: %(above)s, below: %(below)s, sticky: true)
#show heading: set text(size: 11pt)
#show heading.where(level: 1): set text(size: 14.5pt)
#show heading.where(level: 2): set text(size: 12.5pt)
#show link: it => underline(text(fill: rgb("#000091"), it))
#show raw: set text(font: %(mono)s, size: 9pt)
#show quote.where(block: true): it => block(
  stroke: (left: 2pt + luma(102)), inset: (left: 0.8em, y: 0.2em), above: 0.6em, below: 0.6em, it.body,
)
#set table(stroke: 0.75pt, inset: (x: 0.45em, y: 0.3em), fill: (x, y) => if y == 0 { luma(232) })
#set table.cell(breakable: false)
#show table: set text(size: 9.5pt)
#show table: set block(above: 0.4em, below: 0.9em)
#set list(indent: 0.4em, body-indent: 0.6em)
#set enum(indent: 0.4em, body-indent: 0.6em)
#show outline.entry.where(level: 1): set block(above: 0.5em)
"""


def typst_string(text: str) -> str:
    """Une chaîne littérale Typst : le texte tel quel, jamais interprété."""
    out = ['"']
    for ch in clean_text(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _text(text: str) -> str:
    """Du texte dans du balisage Typst."""
    return f"#{typst_string(text)}" if text else ""


def _runs(runs: list[Run]) -> str:
    out: list[str] = []
    for r in runs:
        if r.is_break:
            out.append("#linebreak()")
            continue
        if r.code:
            s = f"#raw({typst_string(r.text)})"
        else:
            s = _text(r.text)
        if r.strike:
            s = f"#strike[{s}]"
        if r.italic:
            s = f"#emph[{s}]"
        if r.bold:
            s = f"#strong[{s}]"
        if r.href:
            s = f"#link({typst_string(r.href)})[{s or _text(r.href)}]"
        out.append(s)
    return "".join(out)


#: A4's height and the margins above and below the text (2 cm, 2,4 cm: the preamble's), in points.
PAGE_HEIGHT, TOP, BOTTOM = 297 / 25.4 * 72, 20 / 25.4 * 72, 24 / 25.4 * 72
#: The last page holds at least this share of a page of text, unless the document has one page.
MIN_LAST_PAGE = 0.25
#: The vertical spacing tried, in this order, until the last page holds enough: as designed,
#: then a little tighter (up to 18 %), then a little looser (up to 24 %: more onto the last page).
DENSITIES = (0, 1, 2, 3, -1, -2, -3, -4)
_END = "ateliers-fin"


def _spacing(densite: int) -> dict[str, str]:
    """The vertical spaces of the text at this density (0: as designed; each step 6 %)."""
    f = 1 - 0.06 * densite
    return {
        "leading": f"{0.62 * f:.3f}em",
        "spacing": f"{0.75 * f:.3f}em",
        "above": f"{1.1 * f:.3f}em",
        "below": f"{0.5 * f:.3f}em",
    }


def _align(a: str | None) -> str:
    return {"center": "center", "right": "right"}.get(a or "", "left")


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out: list[str] = []
        self.level = 0  # le niveau du dernier titre écrit : PDF/UA n'en saute aucun

    def heading(self, h: Heading) -> None:
        level = min(self.doc.outline_level(h), self.level + 1, 6)
        self.level = level
        body = _runs(h.runs) or _text("—")
        self.out.append(f"#heading(level: {level}, outlined: {'true' if level <= 3 else 'false'})[{body}]\n")

    def block(self, b: Block) -> None:
        if isinstance(b, Heading):
            self.heading(b)
        elif isinstance(b, Paragraph):
            self.out.append(f"#par[{_runs(b.runs)}]\n")
        elif isinstance(b, ListBlock):
            self.out.append(self.list_block(b) + "\n")
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Quote):
            inner = _Writer(self.doc)
            inner.level = self.level
            for sub in b.blocks:
                inner.block(sub)
            self.out.append(f"#quote(block: true)[\n{''.join(inner.out)}]\n")
        elif isinstance(b, CodeBlock):
            self.out.append(f"#raw(block: true, {typst_string(b.text.rstrip(chr(10)))})\n")
        elif isinstance(b, Rule):
            self.out.append("#line(length: 100%, stroke: 0.75pt)\n")

    def list_block(self, b: ListBlock) -> str:
        items = []
        for item in b.items:
            tight = len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph)
            if tight:
                items.append(f"[{_runs(item.blocks[0].runs)}]")  # type: ignore[union-attr]
                continue
            inner = _Writer(self.doc)
            inner.level = self.level
            for sub in item.blocks:
                inner.block(sub)
            items.append(f"[{''.join(inner.out)}]")
        if b.ordered:
            return f"#enum(start: {max(0, b.start)}, {', '.join(items)})" if items else ""
        return f"#list({', '.join(items)})" if items else ""

    def table(self, b: Table) -> None:
        ncols = max(1, b.ncols, len(b.header), *(len(r) for r in b.rows))
        aligns = [_align(b.aligns[i] if i < len(b.aligns) else None) for i in range(ncols)]

        def cells(row: list[list[Run]], header: bool) -> list[str]:
            out = []
            for i in range(ncols):
                content = _runs(row[i]) if i < len(row) else ""
                out.append(f"[#strong[{content}]]" if header and content else f"[{content}]")
            return out

        parts = [f"columns: {ncols}", f"align: ({', '.join(aligns)},)"]
        if b.header:
            parts.append(f"table.header({', '.join(cells(b.header, True))})")
        for row in b.rows:
            parts.extend(cells(row, False))
        self.out.append(f"#table({', '.join(parts)})\n")


def _date(d: datetime | None) -> str:
    if d is None:
        return "none"
    u = d.astimezone(UTC)  # Typst écrit la date en temps universel : le même instant
    return (
        f"datetime(year: {u.year}, month: {u.month}, day: {u.day}, hour: {u.hour}, minute: {u.minute}, second: "
        f"{u.second})"
    )


def typst_bytes(data: bytes) -> str:
    """Des octets dans la source : un tableau de nombres (le logo ; pas de fichier lu)."""
    return f"bytes(({', '.join(str(b) for b in data)},))"


def _cover(meta: DocumentMeta) -> str:
    """La page de garde : logo, collectivité et assemblée en haut ; intitulé, titre et mentions
    (séance, numéro, rapporteur) au milieu ; sans pied de page."""
    cv = meta.couverture
    assert cv is not None
    out = ["#page(footer: none)[\n"]
    if cv.logo:
        out.append(
            f"#image({typst_bytes(cv.logo)}, format: {typst_string(cv.logo_format)}, height: 2.2cm, "
            f"alt: {typst_string('Logo : ' + cv.collectivite)})\n#v(0.6em)\n"
        )
    out.append(f"#text(size: 12pt, weight: \"bold\")[{_text(cv.collectivite)}] #linebreak() {_text(cv.assemblee)}\n")
    out.append("#v(1fr)\n")
    out.append(f"#text(size: 12pt, fill: luma(60))[{_text(cv.intitule.upper())}]\n#v(0.4em)\n")
    out.append(f"#title[{_text(cv.titre)}]\n")
    if cv.sous_titre:
        out.append(f"#text(size: 13pt)[{_text(cv.sous_titre)}]\n")
    if cv.mentions:
        cells = ", ".join(f"[{_text(k)}], [#strong[{_text(v)}]]" for k, v in cv.mentions)
        out.append(f"#v(1.5em)\n#grid(columns: (auto, 1fr), column-gutter: 1.2em, row-gutter: 0.7em, {cells})\n")
    out.append("#v(2fr)\n]\n")
    return "".join(out)


def render_typst(markdown: str, meta: DocumentMeta, densite: int = 0) -> str:
    """La source Typst du PDF (autonome : mise en page comprise) ; ``densite`` resserre (> 0) ou
    desserre (< 0) les espaces verticaux, par pas de 6 %."""
    doc = parse_markdown(markdown)
    lang, region = split_lang(meta.langue or "fr-FR")
    titre = clean_text(meta.titre).strip() or "Document"
    document = [f"title: {typst_string(titre)}", f"author: ({typst_string(meta.auteur_effectif)},)"]
    if meta.sous_titre:
        document.append(f"description: {typst_string(meta.sous_titre)}")
    if meta.mots_cles:
        document.append(f"keywords: ({', '.join(typst_string(k) for k in meta.mots_cles)},)")
    document.append(f"date: {_date(resolve_date(meta))}")
    src = [
        f"#set document({', '.join(document)})\n",
        PREAMBLE
        % {
            "fonts": f"({', '.join(typst_string(f) for f in FONTS)},)",
            "mono": f"({', '.join(typst_string(f) for f in MONO)},)",
            "lang": typst_string(lang),
            "region": typst_string(region or "FR"),
            "footer": f"[{_text(meta.texte_pied_de_page)}]",
            **_spacing(densite),
        },
    ]
    if meta.couverture is not None:
        src.append(_cover(meta))
    elif doc.title is not None:
        src.append(f"#title[{_runs(doc.title) or _text(titre)}]\n")
    else:
        src.append(f"#title[{_text(titre)}]\n")
        if meta.sous_titre:
            src.append(f"#block(below: 0.3em, text(size: 13pt)[{_text(meta.sous_titre)}])\n")
        src.append(f"#block(below: 1.2em, strong[{_text(meta.collectivite)}])\n")
    if meta.table_des_matieres:
        # after a cover page, the text follows the table of contents on its page
        brk = "" if meta.couverture is not None else "#pagebreak(weak: true)\n"
        src.append(f"#outline(title: [{_text(TOC_LABEL)}], depth: 3)\n{brk}")
    w = _Writer(doc)
    for b in doc.blocks:
        w.block(b)
    if meta.signature:
        lines = "#linebreak()".join(_text(line) for line in meta.signature)
        signature = f"#v(2.2em)\n#pad(left: 50%)[#block(breakable: false)[{lines}]]\n"
        # never alone on its page: the signature goes with the paragraph it signs
        last = w.out.pop() if w.out and w.out[-1].startswith("#par[") else ""
        w.out.append(f"#block(breakable: false)[\n{last}{signature}]\n")
    src.extend(w.out)
    # where the text ends (page, height): how full the last page is (see :func:`_fitted`)
    src.append(f"#context [#metadata(here().position()) <{_END}>]\n")
    return "".join(src)


def _last_page_share(source: bytes, root: str) -> tuple[int, float] | None:
    """The number of pages, and the share of its last page the text fills; None if unknown."""
    import json

    import typst

    try:
        # typst's type hints tie ``input`` and ``root`` to one type variable; bytes and str are both accepted
        answer = typst.query(source, f"<{_END}>", field="value", one=True, root=root)  # type: ignore[type-var]
        found = json.loads(str(answer))
        page, y = int(found["page"]), float(str(found["y"]).removesuffix("pt"))
    except (typst.TypstError, ValueError, KeyError, TypeError):
        return None
    return page, (y - TOP) / (PAGE_HEIGHT - TOP - BOTTOM)


def _fitted(markdown: str, meta: DocumentMeta, root: str) -> bytes:
    """The source whose last page is not nearly empty: as designed if it is so already, else with
    the vertical spacing a little tighter (the last lines come back onto the page before) or a
    little looser (more lines go onto the last page), the first of :data:`DENSITIES` that works."""
    first = b""
    for densite in DENSITIES:
        source = render_typst(markdown, meta, densite).encode("utf-8")
        first = first or source
        measured = _last_page_share(source, root)
        if measured is None:
            return first
        pages, share = measured
        if pages == 1 or share >= MIN_LAST_PAGE:
            return source
    return first


def write_pdf(markdown: str, meta: DocumentMeta) -> bytes:
    """Le PDF, conforme à PDF/UA-1 ; balisé sans s'en réclamer si le texte contient un caractère
    qu'aucune police installée ne sait dessiner (PDF/UA l'interdit : il y figure comme un carré)."""
    import typst

    root = str(Path(__file__).parent)
    source = _fitted(markdown, meta, root)
    try:
        try:
            return bytes(typst.compile(source, root=root, pdf_standards=["ua-1"]))  # type: ignore[type-var]  # (typst's type hints trip mypy)
        except typst.TypstError:
            return bytes(typst.compile(source, root=root, pdf_tags=True))  # type: ignore[type-var]
    except typst.TypstError as exc:  # ne devrait pas arriver : toute source produite ici est valide
        raise AteliersError(
            f"le PDF de « {clean_text(meta.titre)} » n'a pas pu être mis en page : {exc}",
            hint="signalez-le avec le document Markdown en cause ; l'ODT et le DOCX sont écrits",
        ) from None
