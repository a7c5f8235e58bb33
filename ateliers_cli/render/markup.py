"""Markdown to HTML, safe for text written by the public.

Two pipelines, both markdown-it-py (CommonMark + tables + strikethrough)
followed by an nh3 (ammonia) allow-list sanitiser:

* :func:`markdown_to_html` — untrusted text (contributions, comments…).
  Raw HTML is *off*: it is shown as text. Allowed output: ``p br em strong s
  ul ol[start] li blockquote code pre hr a[href title] h3–h6 table thead
  tbody tr th td`` (``th``/``td`` may keep ``style="text-align:…"`` from
  table alignment, nothing else). Links: absolute ``http``, ``https`` and
  ``mailto`` only (relative links are dropped), each with
  ``rel="nofollow noopener"``. Headings are demoted so that a ``#`` heading
  becomes ``<h3>``: a contribution cannot create an ``<h1>``/``<h2>``.
  **Images are not rendered**: ``![alt](url)`` shows its alt text only (no
  tracking pixels, no hot-linking, nothing loaded from a third party).
* :func:`markdown_to_html_trusted` — Markdown produced by our own templates:
  raw HTML allowed (e.g. inline SVG charts, tables with captions), headings
  kept, ids and classes kept, relative links kept; still sanitised (no
  script, style, iframe, form, event handler, ``javascript:``/``data:`` URL).

:func:`plain_excerpt` turns Markdown into a plain-text excerpt for quotations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from html import unescape as html_unescape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

__all__ = [
    "TRUSTED_TAGS",
    "UNTRUSTED_TAGS",
    "clean_trusted_html",
    "html_excerpt",
    "markdown_to_html",
    "markdown_to_html_trusted",
    "plain_excerpt",
]

# fmt: off
UNTRUSTED_TAGS = frozenset({
    "p", "br", "em", "strong", "s", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "a", "h3",
    "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
})
# fmt: on
_UNTRUSTED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
_UNTRUSTED_SCHEMES = frozenset({"http", "https", "mailto"})

_SVG_TAGS = frozenset({"svg", "g", "rect", "text", "tspan", "title", "desc", "line", "polyline", "path", "circle"})
# fmt: off
TRUSTED_TAGS = frozenset({
    "a", "abbr", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite",
    "code", "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre", "q", "s", "samp", "section",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr",
}) | _SVG_TAGS
# fmt: on
_GLOBAL_TRUSTED_ATTRIBUTES = {
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "role",
    "aria-label",
    "aria-labelledby",
    "aria-describedby",
    "aria-hidden",
}  # fmt: skip
_SVG_ATTRIBUTES = {
    "xmlns", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r",
    "d", "points", "fill", "stroke", "stroke-width", "font-family", "font-size",
    "font-weight", "text-anchor", "dominant-baseline", "transform", "style",
}  # fmt: skip
_TRUSTED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_TRUSTED_ATTRIBUTES,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed", "type"},
    "th": {"scope", "colspan", "rowspan", "style", "abbr"},
    "td": {"colspan", "rowspan", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "data": {"value"},
    **{tag: set(_SVG_ATTRIBUTES) for tag in _SVG_TAGS},
}
_TRUSTED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_STYLE_PROPERTIES = frozenset({"text-align", "max-width", "width", "height"})
# Dropped with their content, never shown as text.
_CLEAN_CONTENT_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object"})

_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")


def _untrusted_attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Second line of defence behind nh3's scheme check: only absolute
    http(s) and mailto URLs survive, whatever their spelling."""
    if attr == "href":
        compact = _CONTROL_RE.sub("", value).lower()
        if not compact.startswith(("http://", "https://", "mailto:")):
            return None
    return value


def _demote_headings(tokens: list[Token], min_level: int) -> None:
    shift = min_level - 1
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = f"h{min(6, level + shift)}"


def _render_image_as_alt(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Untrusted images: their alt text, escaped, and nothing is loaded."""
    token = tokens[idx]
    return escapeHtml(self.renderInlineAsText(token.children or [], options, env))


@cache
def _untrusted_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "crochets_sans_fin", _brackets_without_end)
    md.add_render_rule("image", _render_image_as_alt)
    return md


@cache
def _trusted_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "crochets_sans_fin", _brackets_without_end)
    return md


def _brackets_without_end(state: StateInline, silent: bool) -> bool:
    """« [ » and « ![ » with no « ] » after them in the paragraph open no link and no image: text.

    markdown-it tries each of them, looking for the end of its label through the rest of the
    paragraph, some forty steps for every character: a megabyte of « ![ » took 12 s of
    processor for each rendering (42 s for the site), against 0.8 s for plain text. The same
    output, at the cost of plain text."""
    src, pos = state.src, state.pos
    if src[pos] not in "![":
        return False
    # per end of the inline text (a link's label is parsed with its own): the run of « ! » and
    # « [ » around ``pos``, and the lowest position known to have no « ] » after it
    # « ] » known at ``close_at``, or known absent from ``no_close_from`` on
    memo: dict[int, list[int]] = vars(state).setdefault("_crochets", {})
    known = memo.setdefault(state.posMax, [0, 0, state.posMax + 1, -1])
    run_start, run_end, no_close_from, close_at = known
    if not run_start <= pos < run_end:
        run_end = pos
        while run_end < state.posMax and src[run_end] in "![":
            run_end += 1
        known[:2] = pos, run_end
    if "[" not in src[pos:run_end] or close_at >= run_end:
        return False
    if run_end < no_close_from:
        found = src.find("]", run_end, state.posMax)
        if found != -1:
            known[3] = found
            return False
        known[2] = run_end
    if not silent:
        state.pending += src[pos:run_end]
    state.pos = run_end
    return True


def markdown_to_html(md: str, *, min_heading: int = 3) -> Markup:
    """Render untrusted Markdown (written by the public) as safe HTML.

    ``min_heading`` (1–6, default 3) is the level a ``#`` heading becomes;
    deeper headings shift alike and stop at ``<h6>``. See the module
    docstring for the allow-list. The result is :class:`Markup`.
    """
    if not 1 <= min_heading <= 6:
        raise ValueError("min_heading doit être compris entre 1 et 6")
    parser = _untrusted_parser()
    env: dict[str, Any] = {}
    tokens = parser.parse(md, env)
    _demote_headings(tokens, min_heading)
    html = parser.renderer.render(tokens, parser.options, env)
    return Markup(_untrusted_cleaner(min_heading).clean(html))


# The sanitisers are built once (each call of nh3.clean would build its settings again).
@cache
def _untrusted_cleaner(min_heading: int) -> nh3.Cleaner:
    tags = {t for t in UNTRUSTED_TAGS if not (t[0] == "h" and t[1:].isdigit())}
    tags |= {f"h{n}" for n in range(min_heading, 7)}
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in _UNTRUSTED_ATTRIBUTES.items()},
        attribute_filter=_untrusted_attribute_filter,
        strip_comments=True,
        link_rel="nofollow noopener",
        url_schemes=set(_UNTRUSTED_SCHEMES),
        url_relative="deny",
        filter_style_properties={"text-align"},
    )


@cache
def _trusted_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TRUSTED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in _TRUSTED_ATTRIBUTES.items()},
        strip_comments=True,
        link_rel=None,
        url_schemes=set(_TRUSTED_SCHEMES),
        filter_style_properties=set(_STYLE_PROPERTIES),
    )


def markdown_to_html_trusted(md: str) -> Markup:
    """Render the Markdown of our own templates as HTML.

    Raw HTML is allowed and headings are kept; the result is still
    sanitised: no ``<script>``, ``<style>``, ``<iframe>``, forms, event
    handlers, ``javascript:``/``data:`` URLs; ``style`` attributes keep only
    ``text-align``, ``width``, ``max-width`` and ``height``. Inline SVG (as
    made by :mod:`ateliers_cli.render.charts`) survives.
    """
    return clean_trusted_html(_trusted_parser().render(md))


def clean_trusted_html(html: str) -> Markup:
    """Sanitise an HTML fragment of our own making (a rendered document's body).

    The allow-list of :func:`markdown_to_html_trusted`: headings, tables, figures and
    inline SVG survive; scripts, styles, iframes, forms, event handlers and
    ``javascript:``/``data:`` URLs do not — whatever the file held.
    """
    return Markup(_trusted_cleaner().clean(html))


_SPACES_RE = re.compile(r"\s+")
_TRAILING_RE = re.compile(r"[\s,;:.…\-–—(«\"'’]+$")


def _inline_text(tokens: Sequence[Token], parts: list[str]) -> None:
    for child in tokens:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.children:
            _inline_text(child.children, parts)


def _plain_text(md: str) -> str:
    parts: list[str] = []
    for token in _untrusted_parser().parse(md):
        if token.type == "inline":
            _inline_text(token.children or [], parts)
        elif token.type in ("fence", "code_block", "html_block"):
            parts.append(f" {token.content} ")
        elif token.nesting != 0 or token.type == "hr":
            parts.append(" ")
    return _SPACES_RE.sub(" ", "".join(parts)).strip()


def plain_excerpt(md: str, max_chars: int) -> str:
    """A plain-text excerpt of Markdown, at most ``max_chars`` characters.

    Markup is removed (text kept, images reduced to their alt text), spaces
    collapsed. A longer text is cut at a word boundary, trailing punctuation
    dropped, and « … » appended (counted in ``max_chars``); a single word
    longer than the limit is cut inside. The result is plain text: escape it
    (Jinja2 autoescape does) when writing HTML.
    """
    if max_chars < 1:
        raise ValueError("max_chars doit être au moins 1")
    return _shorten(_plain_text(md), max_chars)


# the end of a sentence: its mark (and a closing quote or bracket), before a space
_SENTENCE_END_RE = re.compile(r"[.!?…]+[»”\")]?(?=\s)")


def sentence_excerpt(md: str, max_chars: int) -> str:
    """A quotation of Markdown as plain text, ending at a sentence boundary.

    A longer text keeps its first whole sentences within ``max_chars`` and ends with « (…) »
    (counted): a quote never stops inside a sentence, so never inside the request a citizen
    makes at its end (« je voudrais que vous… »). Only a first sentence longer than the
    limit is cut at a word, as :func:`plain_excerpt` does.
    """
    if max_chars < 1:
        raise ValueError("max_chars doit être au moins 1")
    text = _plain_text(md)
    if len(text) <= max_chars:
        return text
    room = max_chars - len(" (…)")
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text[: room + 2]) if m.end() <= room]
    if ends:
        return text[: ends[-1]] + " (…)"
    return _shorten(text, max_chars)


_BLOCK_TAG_RE = re.compile(r"</?(?:p|br|hr|li|ul|ol|blockquote|pre|h[1-6]|table|thead|tbody|tr|th|td)\b[^>]*>")
_INLINE_TAG_RE = re.compile(r"<[^>]*>")


def html_excerpt(html: str, max_chars: int) -> str:
    """:func:`plain_excerpt` of Markdown already rendered by :func:`markdown_to_html`, without parsing it again.

    For pages that show a contribution and list its excerpt: the same text, half the work.
    """
    if max_chars < 1:
        raise ValueError("max_chars doit être au moins 1")
    text = _INLINE_TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", html))
    return _shorten(_SPACES_RE.sub(" ", html_unescape(text)).strip(), max_chars)


def _shorten(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    limit = max_chars - 1
    head = text[:limit]
    if not text[limit].isspace():
        space = head.rfind(" ")
        if space > 0:
            head = head[:space]
    head = _TRAILING_RE.sub("", head)
    if not head:
        head = text[:limit].rstrip()
    return head + "…"
