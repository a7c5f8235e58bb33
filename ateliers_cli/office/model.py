"""Le modèle neutre des documents bureautiques : quelques blocs, lus une fois dans le Markdown.

Les trois écrivains (ODT, DOCX, PDF) ne connaissent que ces blocs ; ils restent ainsi
au même pas. Le texte vient en partie des citoyens : tout est neutralisé ici (caractères
interdits en XML, contrôles bidirectionnels, liens autres que http(s) et mailto), et le HTML
brut du Markdown est rendu comme du texte, jamais interprété.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

if TYPE_CHECKING:  # pragma: no cover
    from . import DocumentMeta


#: le titre de la table des matières, dans les trois formats
TOC_LABEL = "Table des matières"


# --------------------------------------------------------------------------- blocs


@dataclass(frozen=True)
class Run:
    """Un morceau de texte d'un même style. `text == "\\n"` est un saut de ligne forcé."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    href: str | None = None

    @property
    def is_break(self) -> bool:
        return self.text == "\n"


@dataclass
class Heading:
    level: int  # 1 à 6 (le Markdown des gabarits va de # à ####)
    runs: list[Run]
    anchor: str  # identifiant stable : « titre-1 », « titre-2 »…

    @property
    def text(self) -> str:
        return runs_text(self.runs)


@dataclass
class Paragraph:
    runs: list[Run]


@dataclass
class ListItem:
    blocks: list[Block]


@dataclass
class ListBlock:
    ordered: bool
    items: list[ListItem]
    start: int = 1


@dataclass
class Table:
    header: list[list[Run]]
    rows: list[list[list[Run]]]
    aligns: list[str | None]  # « left », « center », « right » ou None, par colonne

    @property
    def ncols(self) -> int:
        return len(self.aligns)


@dataclass
class Quote:
    blocks: list[Block]


@dataclass
class CodeBlock:
    text: str


@dataclass
class Rule:
    pass


Block = Heading | Paragraph | ListBlock | Table | Quote | CodeBlock | Rule


@dataclass
class Document:
    """Le document prêt à écrire : un éventuel titre, puis les blocs."""

    title: list[Run] | None  # le « # Titre » unique du Markdown, s'il y en a un en tête
    blocks: list[Block]
    headings: list[Heading] = field(default_factory=list)

    def outline_level(self, h: Heading) -> int:
        """Le niveau de plan d'un titre : quand le « # Titre » du Markdown est devenu le titre du
        document, les « ## » sont les titres de niveau 1 (Heading 1 en ODT et DOCX)."""
        return max(1, h.level - (1 if self.title is not None else 0))

    def toc_entries(self, max_level: int = 3) -> list[Heading]:
        """Les titres de la table des matières (niveaux de plan 1 à `max_level`)."""
        return [h for h in self.headings if self.outline_level(h) <= max_level]


# --------------------------------------------------------------------------- texte

# Interdits en XML 1.0 (sauf \t \n), contrôles C1, contrôles bidirectionnels (« Trojan source »),
# non-caractères, et demi-codets isolés.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def clean_text(text: str) -> str:
    """Retire ce qu'aucun des trois formats ne peut porter ; garde accents, « », espaces insécables."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BAD_CHARS.sub("", text)


# An identifier of the consultation (« C-0061 », « P-LIL1-01 », « DCD-2026-0412 »): capitals, then
# hyphenated parts, the last one starting with a digit.
_IDENTIFIER = re.compile(r"\b[A-Z]+(?:-[A-Z0-9]+)*-[0-9][A-Z0-9]*\b")
NB_HYPHEN = "\u2011"


def nobreak_identifiers(text: str) -> str:
    """The hyphens of identifiers made non-breaking (U+2011): « C-0061 » is never cut at the line end."""
    if "-" not in text:
        return text
    return _IDENTIFIER.sub(lambda m: m.group(0).replace("-", NB_HYPHEN), text)


def safe_href(href: str | None) -> str | None:
    """Un lien n'est gardé que vers le web ou une adresse électronique."""
    if not href:
        return None
    href = clean_text(href).strip()
    if any(c.isspace() for c in href):
        return None
    if href.lower().startswith(_SAFE_SCHEMES):
        return href
    return None


def runs_text(runs: list[Run]) -> str:
    return "".join(" " if r.is_break else r.text for r in runs).strip()


# --------------------------------------------------------------------------- lecture


def _markdown() -> MarkdownIt:
    # CommonMark + tableaux GFM + barré ; le HTML brut reste du texte (html=False).
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if (
            out
            and not r.is_break
            and not out[-1].is_break
            and (out[-1].bold, out[-1].italic, out[-1].strike, out[-1].code, out[-1].href)
            == (r.bold, r.italic, r.strike, r.code, r.href)
        ):
            out[-1] = Run(out[-1].text + r.text, r.bold, r.italic, r.strike, r.code, r.href)
        else:
            out.append(r)
    # pas d'espace ni de saut en bord de paragraphe
    while out and out[-1].is_break:
        out.pop()
    while out and out[0].is_break:
        out.pop(0)
    return out


def _inline(node: SyntaxTreeNode | None) -> list[Run]:
    if node is None:
        return []
    runs: list[Run] = []

    def walk(n: SyntaxTreeNode, bold: bool, italic: bool, strike: bool, href: str | None) -> None:
        t = n.type
        if t in ("text", "html_inline"):
            runs.append(Run(clean_text(n.content), bold, italic, strike, False, href))
        elif t == "code_inline":
            runs.append(Run(clean_text(n.content), bold, italic, strike, True, href))
        elif t == "softbreak":
            runs.append(Run(" ", bold, italic, strike, False, href))
        elif t == "hardbreak":
            runs.append(Run("\n"))
        elif t == "image":
            # pas d'image dans ces documents : son texte de remplacement
            for c in n.children:
                walk(c, bold, italic, strike, href)
        else:
            nb = bold or t == "strong"
            ni = italic or t == "em"
            ns = strike or t == "s"
            nh = href
            if t == "link":
                nh = safe_href(str(n.attrs.get("href", ""))) or href
            for c in n.children:
                walk(c, nb, ni, ns, nh)

    for child in node.children:
        walk(child, False, False, False, None)
    return _merge(runs)


def _inline_of(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    for c in node.children:
        if c.type == "inline":
            return c
    return None


_ALIGN_RE = re.compile(r"text-align:\s*(left|center|right)")


def _align(node: SyntaxTreeNode) -> str | None:
    m = _ALIGN_RE.search(str(node.attrs.get("style", "")))
    return m.group(1) if m else None


class _Reader:
    def __init__(self) -> None:
        self.headings: list[Heading] = []

    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[Block]:
        out: list[Block] = []
        for n in nodes:
            b = self.block(n)
            if b is not None:
                out.append(b)
        return out

    def block(self, n: SyntaxTreeNode) -> Block | None:
        t = n.type
        if t == "heading":
            level = int(n.tag[1:])
            h = Heading(level, _inline(_inline_of(n)), f"titre-{len(self.headings) + 1}")
            self.headings.append(h)
            return h
        if t == "paragraph":
            runs = _inline(_inline_of(n))
            return Paragraph(runs) if runs else None
        if t in ("bullet_list", "ordered_list"):
            items = [ListItem(self.blocks(li.children)) for li in n.children]
            start = 1
            if t == "ordered_list":
                try:
                    start = max(0, int(str(n.attrs.get("start", 1))))
                except ValueError:
                    start = 1
            return ListBlock(t == "ordered_list", items, start)
        if t == "blockquote":
            return Quote(self.blocks(n.children))
        if t == "hr":
            return Rule()
        if t in ("code_block", "fence", "html_block"):
            return CodeBlock(clean_text(n.content).rstrip("\n"))
        if t == "table":
            header: list[list[Run]] = []
            aligns: list[str | None] = []
            rows: list[list[list[Run]]] = []
            for section in n.children:
                for tr in section.children:
                    cells = [_inline(_inline_of(c)) for c in tr.children]
                    if section.type == "thead":
                        header = cells
                        aligns = [_align(c) for c in tr.children]
                    else:
                        rows.append(cells)
            ncols = len(aligns) or max((len(r) for r in rows), default=0)
            aligns = (aligns + [None] * ncols)[:ncols]
            rows = [(r + [[] for _ in range(ncols)])[:ncols] for r in rows]
            return Table(header, rows, aligns)
        return None


def parse_markdown(markdown: str) -> Document:
    """Lit le Markdown des gabarits. Un « # Titre » en tête, seul de son niveau, devient le titre
    du document (style Titre, hors table des matières) ; les autres titres gardent leur niveau."""
    tree = SyntaxTreeNode(_markdown().parse(clean_text(markdown)))
    reader = _Reader()
    blocks = reader.blocks(tree.children)
    title: list[Run] | None = None
    h1 = [h for h in reader.headings if h.level == 1]
    if blocks and isinstance(blocks[0], Heading) and blocks[0].level == 1 and len(h1) == 1:
        first = blocks.pop(0)
        assert isinstance(first, Heading)
        title = first.runs
        reader.headings.remove(first)
    return Document(title, blocks, reader.headings)


# --------------------------------------------------------------------------- dates


def _local_zone() -> tzinfo:
    """Le fuseau des dates sans fuseau (« heure locale de la consultation ») : Europe/Paris."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")
    except (ImportError, KeyError, ValueError):  # pragma: no cover - base des fuseaux absente
        return UTC


def resolve_date(meta: DocumentMeta) -> datetime | None:
    """La date des métadonnées, avec son fuseau : celle du DocumentMeta (sans fuseau : heure de
    Paris), sinon SOURCE_DATE_EPOCH, sinon aucune (jamais l'heure courante : deux rendus d'une
    même consultation donnent les mêmes octets)."""
    if meta.date is not None:
        d = meta.date
        return d if d.tzinfo is not None else d.replace(tzinfo=_local_zone())
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return None


def iso_date(d: datetime) -> str:
    """Date et heure W3C avec décalage (« 2026-06-22T18:30:00+02:00 », « …Z » en UTC)."""
    s = d.replace(microsecond=0).isoformat()
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def iso_utc(d: datetime) -> str:
    """Date et heure W3C ramenées en UTC (« 2026-06-22T16:30:00Z »)."""
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zip_date(d: datetime | None) -> tuple[int, int, int, int, int, int]:
    """L'horodatage des entrées zip : l'heure locale de la date (borné à ce que zip sait dire)."""
    if d is None or d.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if d.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (d.year, d.month, d.day, d.hour, d.minute, d.second - d.second % 2)


def split_lang(langue: str) -> tuple[str, str]:
    """« fr-FR » → (« fr », « FR ») ; « fr » → (« fr », « FR »)."""
    parts = re.split(r"[-_]", langue.strip() or "fr-FR")
    lang = parts[0].lower() or "fr"
    country = parts[1].upper() if len(parts) > 1 and parts[1] else ("FR" if lang == "fr" else "")
    return lang, country


# --------------------------------------------------------------------------- logo


def logo_png(data: bytes, fmt: str, height_cm: float = 2.2) -> tuple[bytes, float, float] | None:
    """The logo as a PNG (what ODT and DOCX viewers all show), with its width and height in cm
    at ``height_cm`` high: drawn by Typst from the PNG, JPEG or SVG. None if Typst is absent or
    the file cannot be read as an image."""
    try:
        import typst
    except ImportError:  # pragma: no cover - Typst is a dependency of the office helper
        return None
    from .pdf import typst_bytes, typst_string

    source = (
        "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n"
        f"#image({typst_bytes(data)}, format: {typst_string(fmt)}, height: {height_cm}cm)\n"
    )
    try:
        png = bytes(typst.compile(source.encode(), format="png", ppi=300))  # type: ignore[type-var]
    except typst.TypstError:
        return None
    width_px, height_px = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    if not height_px:
        return None
    return png, height_cm * width_px / height_px, height_cm
