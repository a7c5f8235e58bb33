"""OpenDocument Texte (.odt) par odfpy.

Styles nommés comme ceux de LibreOffice (« Heading 1 »… avec niveau de plan, « Text body »,
« Title », « Quotations », « Table Contents »…), listes à puces et numérotées, tableaux à
bordures avec ligne d'en-tête répétée, pied de page « collectivité — Page n sur N », table des
matières native (`text:table-of-content`) pré-remplie, langue française dans les styles par
défaut, métadonnées datées de `meta.date`. L'archive est réécrite pour être déterministe.
"""

from __future__ import annotations

import io
import re
import threading

from odf import dc, draw, teletype
from odf import meta as odfmeta
from odf import namespaces as ns
from odf.element import Element
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    FontFace,
    Footer,
    FooterStyle,
    HeaderFooterProperties,
    ListLevelLabelAlignment,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    SectionProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TabStop,
    TabStops,
    TextProperties,
)
from odf.table import Table as OTable
from odf.table import TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import (
    A,
    Bookmark,
    BookmarkRef,
    H,
    IndexBody,
    IndexEntryChapter,
    IndexEntryLinkEnd,
    IndexEntryLinkStart,
    IndexEntryPageNumber,
    IndexEntryTabStop,
    IndexEntryText,
    IndexTitle,
    IndexTitleTemplate,
    LineBreak,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListLevelStyleNumber,
    ListStyle,
    OutlineLevelStyle,
    OutlineStyle,
    P,
    PageCount,
    PageNumber,
    Span,
    Tab,
    TableOfContent,
    TableOfContentEntryTemplate,
    TableOfContentSource,
)

from . import DocumentMeta
from ._zip import rezip
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
    iso_date,
    logo_png,
    nobreak_identifiers,
    parse_markdown,
    resolve_date,
    split_lang,
    zip_date,
)

FONT = "Liberation Sans"
MONO = "Liberation Mono"
TEXT_WIDTH_CM = 17.0  # A4, 2 cm de marge de chaque côté
HEADING_SIZES = {1: "16pt", 2: "14pt", 3: "12.5pt", 4: "11.5pt", 5: "11pt", 6: "11pt"}
BULLETS = ("•", "◦", "▪")


def _sname(display: str) -> str:
    """Nom interne d'un style, à la manière de LibreOffice (« Heading 1 » → « Heading_20_1 »)."""
    return display.replace(" ", "_20_")


class _Writer:
    def __init__(self, doc: Document, meta: DocumentMeta) -> None:
        self.doc = doc
        self.meta = meta
        self.odt = OpenDocumentText()
        self.auto_text: dict[tuple[bool, bool, bool, bool], str] = {}
        self.table_count = 0
        self.break_next = False  # le bloc qui suit la table des matières ouvre une page
        self.break_styles: set[str] = set()
        self.toc_pages: dict[str, str] = {}  # heading anchor → page number shown until a viewer computes it
        self.lang, self.country = split_lang(meta.langue)

    # ------------------------------------------------------------------ styles

    def _style(self, display: str, family: str = "paragraph", **kw: str) -> Style:
        name = _sname(display)
        args: dict[str, str] = {"name": name, "family": family}
        if name != display:
            args["displayname"] = display
        args.update(kw)
        return Style(**args)

    def styles(self) -> None:
        o = self.odt
        o.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=f"'{FONT}'", fontfamilygeneric="swiss", fontpitch="variable")
        )
        o.fontfacedecls.addElement(
            FontFace(name=MONO, fontfamily=f"'{MONO}'", fontfamilygeneric="modern", fontpitch="fixed")
        )
        lang = {"language": self.lang}
        if self.country:
            lang["country"] = self.country
        d = DefaultStyle(family="paragraph")
        d.addElement(ParagraphProperties(writingmode="lr-tb", tabstopdistance="1.25cm"))
        d.addElement(TextProperties(fontname=FONT, fontsize="11pt", hyphenate="false", **lang))
        o.styles.addElement(d)
        d = DefaultStyle(family="table")
        o.styles.addElement(d)

        add = o.styles.addElement
        add(self._style("Standard", **{"class": "text"}))
        s = self._style("Heading", parentstylename="Standard", nextstylename="Text_20_body", **{"class": "text"})
        s.addElement(ParagraphProperties(margintop="0.42cm", marginbottom="0.21cm", keepwithnext="always"))
        s.addElement(TextProperties(fontname=FONT, fontsize="14pt"))
        add(s)
        s = self._style("Text body", parentstylename="Standard")
        s.addElement(ParagraphProperties(margintop="0cm", marginbottom="0.21cm", lineheight="115%"))
        add(s)
        for level in range(1, 7):
            s = self._style(
                f"Heading {level}",
                parentstylename="Heading",
                nextstylename="Text_20_body",
                defaultoutlinelevel=str(level),
            )
            s.addElement(TextProperties(fontsize=HEADING_SIZES[level], fontweight="bold"))
            add(s)
        s = self._style("Title", parentstylename="Heading", nextstylename="Subtitle")
        s.addElement(ParagraphProperties(margintop="0cm", marginbottom="0.2cm"))
        s.addElement(TextProperties(fontsize="22pt", fontweight="bold"))
        add(s)
        s = self._style("Subtitle", parentstylename="Heading", nextstylename="Text_20_body")
        s.addElement(ParagraphProperties(margintop="0cm", marginbottom="0.2cm"))
        s.addElement(TextProperties(fontsize="13pt"))
        add(s)
        s = self._style("Collectivite", parentstylename="Text_20_body")
        s.addElement(ParagraphProperties(marginbottom="0.5cm"))
        s.addElement(TextProperties(fontweight="bold"))
        add(s)
        s = self._style("Cover Authority", parentstylename="Text_20_body")
        s.addElement(ParagraphProperties(margintop="0.3cm", marginbottom="0cm"))
        s.addElement(TextProperties(fontsize="12pt", fontweight="bold"))
        add(s)
        s = self._style("Cover Kind", parentstylename="Text_20_body")
        s.addElement(ParagraphProperties(margintop="7cm", marginbottom="0.2cm"))
        s.addElement(TextProperties(fontsize="12pt", color="#3c3c3c"))
        add(s)
        s = self._style("Cover Mention", parentstylename="Text_20_body")
        s.addElement(ParagraphProperties(margintop="0.15cm", marginbottom="0.1cm"))
        add(s)
        s = self._style("List", parentstylename="Text_20_body")
        s.addElement(ParagraphProperties(marginbottom="0.1cm"))
        add(s)
        s = self._style("Quotations", parentstylename="Standard")
        s.addElement(
            ParagraphProperties(
                marginleft="1cm",
                marginright="1cm",
                marginbottom="0.25cm",
                borderleft="1.5pt solid #666666",
                paddingleft="0.3cm",
            )
        )
        add(s)
        s = self._style("Preformatted Text", parentstylename="Standard")
        s.addElement(ParagraphProperties(marginbottom="0.25cm"))
        s.addElement(TextProperties(fontname=MONO, fontsize="9.5pt"))
        add(s)
        s = self._style("Horizontal Line", parentstylename="Standard", nextstylename="Text_20_body")
        s.addElement(
            ParagraphProperties(
                margintop="0.2cm",
                marginbottom="0.4cm",
                borderbottom="0.75pt solid #000000",
                padding="0cm",
            )
        )
        s.addElement(TextProperties(fontsize="6pt"))
        add(s)
        s = self._style("Table Contents", parentstylename="Standard")
        s.addElement(TextProperties(fontsize="10pt"))
        add(s)
        s = self._style("Table Heading", parentstylename="Table_20_Contents")
        s.addElement(TextProperties(fontweight="bold"))
        add(s)
        s = self._style("Signature", parentstylename="Text_20_body")
        s.addElement(
            ParagraphProperties(
                marginleft="8.5cm", margintop="0cm", marginbottom="0.05cm", keeptogether="always", keepwithnext="always"
            )
        )
        add(s)
        s = self._style("Signature First", parentstylename="Signature")
        s.addElement(ParagraphProperties(margintop="0.8cm"))
        add(s)
        s = self._style("Footer", parentstylename="Standard")
        pp = ParagraphProperties()
        ts = TabStops()
        ts.addElement(TabStop(position=f"{TEXT_WIDTH_CM}cm", type="right"))
        pp.addElement(ts)
        s.addElement(pp)
        s.addElement(TextProperties(fontsize="8.5pt"))
        add(s)
        # table des matières
        s = self._style("Contents Heading", parentstylename="Heading")
        s.addElement(TextProperties(fontsize="14pt", fontweight="bold"))
        add(s)
        s = self._style("Index", parentstylename="Standard")
        add(s)
        for level in range(1, 4):
            s = self._style(f"Contents {level}", parentstylename="Index")
            pp = ParagraphProperties(marginleft=f"{0.5 * (level - 1):.1f}cm", marginbottom="0.08cm")
            ts = TabStops()
            ts.addElement(
                TabStop(
                    position=f"{TEXT_WIDTH_CM - 0.5 * (level - 1):.1f}cm",
                    type="right",
                    leaderstyle="dotted",
                    leadertext=".",
                )
            )
            pp.addElement(ts)
            s.addElement(pp)
            add(s)
        # caractères
        s = self._style("Strong Emphasis", family="text")
        s.addElement(TextProperties(fontweight="bold"))
        add(s)
        s = self._style("Emphasis", family="text")
        s.addElement(TextProperties(fontstyle="italic"))
        add(s)
        s = self._style("Source Text", family="text")
        s.addElement(TextProperties(fontname=MONO))
        add(s)
        s = self._style("Internet link", family="text")
        s.addElement(
            TextProperties(
                color="#000091", textunderlinestyle="solid", textunderlinewidth="auto", textunderlinecolor="font-color"
            )
        )
        add(s)
        s = self._style("Index Link", family="text")
        add(s)

        # listes
        add(self._list_style("Puces", ordered=False))
        add(self._list_style("Numeros", ordered=True))

        # plan : sans numérotation, mais déclaré (navigateur, table des matières)
        outline = OutlineStyle(name="Outline")
        for level in range(1, 11):
            ols = OutlineLevelStyle(level=str(level), numformat="")
            ols.addElement(ListLevelProperties(listlevelpositionandspacemode="label-alignment"))
            outline.addElement(ols)
        add(outline)

        # page A4 et pied de page
        pl = PageLayout(name="pm1")
        pl.addElement(
            PageLayoutProperties(
                pagewidth="21cm",
                pageheight="29.7cm",
                printorientation="portrait",
                margintop="2cm",
                marginbottom="1.2cm",
                marginleft="2cm",
                marginright="2cm",
                writingmode="lr-tb",
            )
        )
        fs = FooterStyle()
        fs.addElement(HeaderFooterProperties(minheight="0.8cm", margintop="0.5cm"))
        pl.addElement(fs)
        o.automaticstyles.addElement(pl)
        mp = MasterPage(name="Standard", pagelayoutname="pm1")
        footer = Footer()
        p = P(stylename="Footer")
        teletype.addTextToElement(p, clean_text(self.meta.texte_pied_de_page))
        p.addElement(Tab())
        p.addText("Page ")
        p.addElement(PageNumber(selectpage="current", numformat="1", text="1"))
        p.addText(" sur ")
        p.addElement(PageCount(text="1"))
        footer.addElement(p)
        mp.addElement(footer)
        o.masterstyles.addElement(mp)

        # styles automatiques du contenu : tableaux, alignements, section de la table des matières
        auto = o.automaticstyles.addElement
        s = Style(name="Tableau", family="table")
        s.addElement(
            TableProperties(width=f"{TEXT_WIDTH_CM}cm", align="margins", margintop="0.1cm", marginbottom="0.3cm")
        )
        auto(s)
        # bordures sans doublement : chaque cellule trace sa gauche et son bas, la première ligne
        # son haut, la dernière colonne sa droite (comme LibreOffice)
        line = "0.75pt solid #000000"
        for header in (False, True):
            for top in (False, True):
                for right in (False, True):
                    props = {
                        "padding": "0.1cm",
                        "borderleft": line,
                        "borderbottom": line,
                        "bordertop": line if top else "none",
                        "borderright": line if right else "none",
                    }
                    if header:
                        props["backgroundcolor"] = "#e8e8e8"
                    s = Style(name=self._cell_style(header, top, right), family="table-cell")
                    s.addElement(TableCellProperties(**props))
                    auto(s)
        for base in ("Table_20_Contents", "Table_20_Heading"):
            for align, fo in (("centre", "center"), ("droite", "end")):
                s = Style(name=f"{base}.{align}", family="paragraph", parentstylename=base)
                s.addElement(ParagraphProperties(textalign=fo, justifysingleword="false"))
                auto(s)
        s = Style(name="Tableau.Rangee", family="table-row")
        s.addElement(TableRowProperties(keeptogether="always"))  # a row is never split across pages
        auto(s)
        s = Style(name="Sect1", family="section")
        s.addElement(SectionProperties(editable="false"))
        auto(s)

    @staticmethod
    def _cell_style(header: bool, top: bool, right: bool) -> str:
        return "Tableau." + ("Entete" if header else "Cellule") + ("H" if top else "") + ("D" if right else "")

    def _list_style(self, name: str, ordered: bool) -> ListStyle:
        ls = ListStyle(name=name)
        for level in range(1, 11):
            if ordered:
                lvl: Element = ListLevelStyleNumber(level=str(level), numsuffix=".", numformat="1")
            else:
                lvl = ListLevelStyleBullet(level=str(level), bulletchar=BULLETS[(level - 1) % 3])
            props = ListLevelProperties(listlevelpositionandspacemode="label-alignment")
            indent = 0.635 * level + (0.2 if ordered else 0)
            props.addElement(
                ListLevelLabelAlignment(
                    labelfollowedby="listtab",
                    listtabstopposition=f"{indent:.3f}cm",
                    textindent="-0.635cm",
                    marginleft=f"{indent:.3f}cm",
                )
            )
            lvl.addElement(props)
            ls.addElement(lvl)
        return ls

    # ------------------------------------------------------------------ texte

    def _text_style(self, r: Run) -> str | None:
        flags = (r.bold, r.italic, r.strike, r.code)
        single = {
            (True, False, False, False): "Strong_20_Emphasis",
            (False, True, False, False): "Emphasis",
            (False, False, False, True): "Source_20_Text",
        }
        if not any(flags):
            return None
        if flags in single:
            return single[flags]
        name = self.auto_text.get(flags)
        if name is None:
            name = "T_" + "".join(c for c, f in zip("bisc", flags) if f)
            s = Style(name=name, family="text")
            props: dict[str, str] = {}
            if r.bold:
                props["fontweight"] = "bold"
            if r.italic:
                props["fontstyle"] = "italic"
            if r.strike:
                props["textlinethroughstyle"] = "solid"
                props["textlinethroughtype"] = "single"
            if r.code:
                props["fontname"] = MONO
            s.addElement(TextProperties(**props))
            self.odt.automaticstyles.addElement(s)
            self.auto_text[flags] = name
        return name

    def runs(self, parent: Element, runs: list[Run], links: bool = True) -> None:
        for r in runs:
            if r.is_break:
                parent.addElement(LineBreak())
                continue
            target = parent
            if r.href and links:
                target = A(
                    type="simple", href=r.href, stylename="Internet_20_link", visitedstylename="Internet_20_link"
                )
                parent.addElement(target)
            style = self._text_style(r)
            text = nobreak_identifiers(r.text)
            if style:
                span = Span(stylename=style)
                teletype.addTextToElement(span, text)
                target.addElement(span)
            else:
                teletype.addTextToElement(target, text)

    # ------------------------------------------------------------------ blocs

    def level(self, h: Heading) -> int:
        return self.doc.outline_level(h)

    def _break(self, style: str, family: str = "paragraph") -> str:
        """`style`, ou, pour le premier bloc après la table des matières, sa variante qui
        commence une nouvelle page (style automatique)."""
        if not self.break_next:
            return style
        self.break_next = False
        name = f"{style}.saut"
        if name not in self.break_styles:
            self.break_styles.add(name)
            if family == "table":  # style automatique : pas de parent, tout est répété
                st = Style(name=name, family=family)
                st.addElement(
                    TableProperties(
                        width=f"{TEXT_WIDTH_CM}cm",
                        align="margins",
                        margintop="0.1cm",
                        marginbottom="0.3cm",
                        breakbefore="page",
                    )
                )
            else:
                st = Style(name=name, family=family, parentstylename=style)
                st.addElement(ParagraphProperties(breakbefore="page"))
            self.odt.automaticstyles.addElement(st)
        return name

    def block(self, b: Block, parent: Element, para_style: str = "Text_20_body") -> None:
        if self.break_next and not isinstance(b, (Heading, Paragraph, Table)):
            parent.addElement(P(stylename=self._break("Text_20_body")))
        if isinstance(b, Heading):
            level = self.level(b)
            h = H(outlinelevel=str(level), stylename=self._break(f"Heading_20_{min(level, 6)}"))
            h.addElement(Bookmark(name=b.anchor))
            self.runs(h, b.runs)
            parent.addElement(h)
        elif isinstance(b, Paragraph):
            p = P(stylename=self._break(para_style))
            self.runs(p, b.runs)
            parent.addElement(p)
        elif isinstance(b, ListBlock):
            parent.addElement(self.list_block(b))
        elif isinstance(b, Table):
            if isinstance(parent, Element) and parent.qname == (ns.TEXTNS, "list-item"):
                # ODF n'admet pas de tableau dans un élément de liste : une ligne par rangée
                for i, cells in enumerate(([b.header] if b.header else []) + b.rows):
                    p = P(stylename=para_style)
                    for j, cell in enumerate(cells):
                        if j:
                            p.addText(" | ")
                        self.runs(
                            p,
                            [
                                Run(r.text, r.bold or (i == 0 and bool(b.header)), r.italic, r.strike, r.code, r.href)
                                for r in cell
                            ],
                        )
                    parent.addElement(p)
            else:
                parent.addElement(self.table(b))
        elif isinstance(b, Quote):
            for sub in b.blocks:
                self.block(sub, parent, "Quotations")
        elif isinstance(b, CodeBlock):
            p = P(stylename="Preformatted_20_Text")
            teletype.addTextToElement(p, b.text)
            parent.addElement(p)
        elif isinstance(b, Rule):
            parent.addElement(P(stylename="Horizontal_20_Line"))

    def list_block(self, b: ListBlock) -> Element:
        lst = List(stylename="Numeros" if b.ordered else "Puces")
        for i, item in enumerate(b.items):
            li = ListItem(startvalue=str(b.start)) if (b.ordered and i == 0 and b.start != 1) else ListItem()
            if not item.blocks:
                li.addElement(P(stylename="List"))
            for sub in item.blocks:
                self.block(sub, li, "List")
            lst.addElement(li)
        return lst

    def table(self, b: Table) -> Element:
        self.table_count += 1
        name = f"Tableau{self.table_count}"
        ncols = max(1, b.ncols)
        col = Style(name=f"{name}.A", family="table-column")
        col.addElement(
            TableColumnProperties(columnwidth=f"{TEXT_WIDTH_CM / ncols:.3f}cm", relcolumnwidth=f"{65535 // ncols}*")
        )
        self.odt.automaticstyles.addElement(col)
        t = OTable(name=name, stylename=self._break("Tableau", "table"))
        t.addElement(TableColumn(numbercolumnsrepeated=str(ncols), stylename=f"{name}.A"))

        def row(cells: list[list[Run]], header: bool, top: bool) -> TableRow:
            tr = TableRow(stylename="Tableau.Rangee")
            base = "Table_20_Heading" if header else "Table_20_Contents"
            for i, cell in enumerate(cells):
                tc = TableCell(stylename=self._cell_style(header, top, i == len(cells) - 1), valuetype="string")
                align = b.aligns[i] if i < len(b.aligns) else None
                style = {"center": f"{base}.centre", "right": f"{base}.droite"}.get(align or "", base)
                p = P(stylename=style)
                self.runs(p, cell)
                tc.addElement(p)
                tr.addElement(tc)
            return tr

        if b.header:
            thr = TableHeaderRows()
            thr.addElement(row(b.header, True, True))
            t.addElement(thr)
        for i, r in enumerate(b.rows):
            t.addElement(row(r, False, i == 0 and not b.header))
        return t

    def toc(self) -> Element:
        toc = TableOfContent(name="Table des matières1", stylename="Sect1", protected="true")
        src = TableOfContentSource(outlinelevel="3")
        src.addElement(IndexTitleTemplate(stylename="Contents_20_Heading", text=TOC_LABEL))
        for level in range(1, 4):
            tpl = TableOfContentEntryTemplate(outlinelevel=str(level), stylename=f"Contents_20_{level}")
            tpl.addElement(IndexEntryLinkStart(stylename="Index_20_Link"))
            tpl.addElement(IndexEntryChapter())
            tpl.addElement(IndexEntryText())
            tpl.addElement(IndexEntryTabStop(type="right", leaderchar="."))
            tpl.addElement(IndexEntryPageNumber())
            tpl.addElement(IndexEntryLinkEnd())
            src.addElement(tpl)
        toc.addElement(src)
        body = IndexBody()
        title = IndexTitle(name="Table des matières1_Head", stylename="Sect1")
        title.addElement(P(stylename="Contents_20_Heading", text=TOC_LABEL))
        body.addElement(title)
        for h in self.doc.headings:
            level = self.level(h)
            if level > 3:
                continue
            p = P(stylename=f"Contents_20_{level}")
            a = A(type="simple", href=f"#{h.anchor}", stylename="Index_20_Link", visitedstylename="Index_20_Link")
            self.runs(a, h.runs, links=False)
            a.addElement(Tab())
            # a page reference to the heading's bookmark: LibreOffice computes it as it lays out
            # the pages (opening, printing, converting), so the table shows its page numbers
            # without anyone having to update the index
            a.addElement(BookmarkRef(referenceformat="page", refname=h.anchor, text=self.toc_pages.get(h.anchor, "")))
            p.addElement(a)
            body.addElement(p)
        toc.addElement(body)
        return toc

    # ------------------------------------------------------------------ document

    def metadata(self) -> None:
        m, o = self.meta, self.odt
        o.meta.addElement(dc.Title(text=clean_text(m.titre)))
        if m.sous_titre:
            o.meta.addElement(dc.Subject(text=clean_text(m.sous_titre)))
        for kw in m.mots_cles:
            o.meta.addElement(odfmeta.Keyword(text=clean_text(kw)))
        o.meta.addElement(odfmeta.InitialCreator(text=clean_text(m.auteur_effectif)))
        o.meta.addElement(dc.Creator(text=clean_text(m.auteur_effectif)))
        date = resolve_date(m)
        if date is not None:
            o.meta.addElement(odfmeta.CreationDate(text=iso_date(date)))
            o.meta.addElement(dc.Date(text=iso_date(date)))
        o.meta.addElement(dc.Language(text=m.langue or "fr-FR"))

    def cover(self) -> None:
        """The cover page: logo, authority, kind of document, title, mentions; the next block opens a page."""
        cv = self.meta.couverture
        assert cv is not None
        text = self.odt.text
        logo = logo_png(cv.logo, cv.logo_format) if cv.logo else None
        if logo is not None:
            png, width, height = logo
            href = self.odt.addPicture("Pictures/logo.png", "image/png", png)
            p = P(stylename="Standard")
            frame = draw.Frame(name="Logo", anchortype="as-char", width=f"{width:.2f}cm", height=f"{height:.2f}cm")
            frame.addElement(draw.Image(href=href))
            frame.addElement(_svg_title(f"Logo : {clean_text(cv.collectivite)}"))
            p.addElement(frame)
            text.addElement(p)
        text.addElement(P(stylename="Cover_20_Authority", text=clean_text(cv.collectivite)))
        text.addElement(P(stylename="Text_20_body", text=clean_text(cv.assemblee)))
        text.addElement(P(stylename="Cover_20_Kind", text=clean_text(cv.intitule.upper())))
        text.addElement(P(stylename="Title", text=clean_text(cv.titre)))
        if cv.sous_titre:
            text.addElement(P(stylename="Subtitle", text=clean_text(cv.sous_titre)))
        for label, value in cv.mentions:
            p = P(stylename="Cover_20_Mention")
            teletype.addTextToElement(p, f"{clean_text(label)} ")
            span = Span(stylename="Strong_20_Emphasis")
            teletype.addTextToElement(span, nobreak_identifiers(clean_text(value)))
            p.addElement(span)
            text.addElement(p)
        self.break_next = True

    def build(self) -> bytes:
        self.styles()
        self.metadata()
        text = self.odt.text
        m = self.meta
        if m.couverture is not None:
            self.cover()
        elif self.doc.title is not None:
            p = P(stylename="Title")
            self.runs(p, self.doc.title)
            text.addElement(p)
        else:
            text.addElement(P(stylename="Title", text=clean_text(m.titre)))
            if m.sous_titre:
                text.addElement(P(stylename="Subtitle", text=clean_text(m.sous_titre)))
            text.addElement(P(stylename="Collectivite", text=clean_text(m.collectivite)))
        if m.table_des_matieres:
            if self.break_next:
                text.addElement(P(stylename=self._break("Standard")))
            text.addElement(self.toc())
            self.break_next = m.couverture is None  # after a cover, the text follows on the page
        for b in self.doc.blocks:
            self.block(b, text)
        for i, line in enumerate(m.signature):
            p = P(stylename="Signature" if i else "Signature_20_First")
            teletype.addTextToElement(p, clean_text(line))
            text.addElement(p)
        buf = io.BytesIO()
        self.odt.write(buf)
        return buf.getvalue()


def _svg_title(text: str) -> Element:
    """The image's text alternative (``svg:title``), read aloud by screen readers."""
    from odf.svg import Title

    t = Title()
    t.addText(text)
    return t


_GENERATOR = re.compile(rb"<meta:generator>[^<]*</meta:generator>")


# odfpy déclare, en tête de chaque XML, tous les espaces de noms rencontrés depuis le début du
# processus (un dictionnaire partagé par toutes ses classes) : l'en-tête dépendrait de ce qui a
# été écrit avant. On le fixe le temps d'écrire un document.
_CANONICAL_NS = {
    ns.OFFICENS: "office",
    ns.STYLENS: "style",
    ns.TEXTNS: "text",
    ns.TABLENS: "table",
    ns.DRAWNS: "draw",
    ns.FONS: "fo",
    ns.XLINKNS: "xlink",
    ns.DCNS: "dc",
    ns.METANS: "meta",
    ns.NUMBERNS: "number",
    ns.SVGNS: "svg",
    ns.MANIFESTNS: "manifest",
}
_NS_LOCK = threading.Lock()


def _build(doc: Document, meta: DocumentMeta) -> bytes:
    with _NS_LOCK:
        shared = Element.namespaces
        before = dict(shared)
        shared.clear()
        shared.update(_CANONICAL_NS)
        try:
            return _Writer(doc, meta).build()
        finally:
            for uri, prefix in before.items():
                shared.setdefault(uri, prefix)


def write_odt(markdown: str, meta: DocumentMeta) -> bytes:
    doc = parse_markdown(markdown)
    raw = _build(doc, meta)

    def transform(name: str, content: bytes) -> bytes:
        if name == "meta.xml":
            # odfpy y met sa version et celle de Python : ateliers suffit (et ne bouge pas)
            content = _GENERATOR.sub(b"<meta:generator>ateliers</meta:generator>", content)
        return content

    return rezip(
        raw,
        zip_date(resolve_date(meta)),
        first=("mimetype",),
        stored=("mimetype",),
        transform=transform,
    )
