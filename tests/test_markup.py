"""Tests for ateliers_cli.render.markup — including a hostile corpus."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from ateliers_cli.render.charts import chart_with_table
from ateliers_cli.render.markup import (
    TRUSTED_TAGS,
    UNTRUSTED_TAGS,
    markdown_to_html,
    markdown_to_html_trusted,
    plain_excerpt,
)

UNTRUSTED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
FORBIDDEN_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "img", "svg", "math",
    "form", "input", "button", "link", "meta", "base", "template", "video", "audio", "source",
    "textarea", "select",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
_BAD_SCHEME_RE = re.compile(r"^\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)


class _Collector(HTMLParser):
    """Every element and attribute of the output, as a browser would see it
    (html.parser decodes character references in attribute values)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def _assert_safe(html: str, *, trusted: bool = False) -> None:
    """The structural safety properties, checked on the parsed output."""
    assert "<script" not in html.lower()
    parsed = _parse(html)
    assert not parsed.comments
    allowed_tags = TRUSTED_TAGS if trusted else UNTRUSTED_TAGS
    for tag, attrs in parsed.elements:
        assert tag in allowed_tags, tag
        if not trusted:
            assert tag not in FORBIDDEN_TAGS
            assert tag not in {"h1", "h2"}
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if not trusted:
                assert name in UNTRUSTED_ATTRIBUTES.get(tag, set()), (tag, name)
            if name in URL_ATTRIBUTES and value is not None:
                compact = re.sub(r"[\x00-\x20\x7f]", "", value)
                assert not _BAD_SCHEME_RE.match(compact), (tag, name, value)
                if not trusted:
                    assert compact.lower().startswith(("http://", "https://", "mailto:")), value
            if name == "style" and value:
                assert "expression" not in value.lower() and "url(" not in value.lower()
            if tag == "a" and name == "rel" and not trusted:
                assert value == "nofollow noopener"


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "![x](javascript:alert(1))",
    '![x](https://evil.example/p.png "t")',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](file:///etc/passwd)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,x>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"><circle r=1 /></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=x></object><embed src=x>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<!-- <script>alert(1)</script> -->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<<script>script>alert(1)<</script>/script>",
    "<a href='x' onclick='alert(1)'>x</a>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<base href=javascript:/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "| a | b |\n|---|---|\n| <script>x</script> | [y](javascript:z) |",
    "# Titre 1\n\n## Titre 2\n\nTitre\n=====\n\nSous\n----",
    '[x](https://ok.example/" onmouseover="alert(1))',
    '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "[x](https://ok.example/?q=<script>)",
    "[x](mailto:a@b.example?subject=<img>)",
    "[\u202ex](javascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    '<a href="java\nscript:alert(1)">x</a>',
]


@pytest.mark.parametrize("md", HOSTILE)
def test_hostile_corpus_untrusted(md: str) -> None:
    html = markdown_to_html(md)
    assert isinstance(html, Markup)
    _assert_safe(html)


@pytest.mark.parametrize("md", HOSTILE)
def test_hostile_corpus_trusted(md: str) -> None:
    html = markdown_to_html_trusted(md)
    assert isinstance(html, Markup)
    _assert_safe(html, trusted=True)
    parsed = _parse(html)
    for tag, _attrs in parsed.elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "form", "math"}


def test_raw_html_is_shown_as_text() -> None:
    html = markdown_to_html("Bonjour <b>toi</b> & <script>alert(1)</script>")
    assert html == Markup("<p>Bonjour &lt;b&gt;toi&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n")


def test_allowed_markdown_survives() -> None:
    md = (
        "Un *texte* **important** et ~~barré~~, `du code`.\n\n"
        "> Une citation\n\n"
        "- un\n- deux\n\n"
        "3. trois\n4. quatre\n\n"
        "---\n\n"
        "```python\nprint('x')\n```\n\n"
        "| Thème | Nombre |\n|:--|--:|\n| Santé | 3 |\n\n"
        '[Le site](https://example.fr "Titre") et <https://example.org> '
        "et [écrire](mailto:contact@example.fr)"
    )
    html = markdown_to_html(md)
    for fragment in [
        "<em>texte</em>",
        "<strong>important</strong>",
        "<s>barré</s>",
        "<code>du code</code>",
        "<blockquote>",
        "<ul>",
        '<ol start="3">',
        "<hr>",
        "<pre><code>print('x')\n</code></pre>",
        '<th style="text-align:left">Thème</th>',
        '<td style="text-align:right">3</td>',
        '<a href="https://example.fr" title="Titre" rel="nofollow noopener">Le site</a>',
        '<a href="https://example.org" rel="nofollow noopener">https://example.org</a>',
        '<a href="mailto:contact@example.fr" rel="nofollow noopener">écrire</a>',
    ]:
        assert fragment in html, fragment
    _assert_safe(html)


def test_relative_links_are_dropped_for_untrusted() -> None:
    html = markdown_to_html("[ici](/admin) [là](page.html) [ancre](#x)")
    assert "href" not in html
    assert "ici" in html and "là" in html


def test_images_show_alt_text_only() -> None:
    html = markdown_to_html('![Une *photo* <b>](https://example.fr/p.png "t")')
    assert html == Markup("<p>Une photo &lt;b&gt;</p>\n")


def test_headings_are_demoted() -> None:
    html = markdown_to_html("# Un\n\n## Deux\n\n### Trois\n\n#### Quatre\n\n###### Six")
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Un</h3>" in html
    assert "<h4>Deux</h4>" in html
    assert "<h5>Trois</h5>" in html
    assert "<h6>Quatre</h6>" in html and "<h6>Six</h6>" in html
    assert "<h4>Un</h4>" in markdown_to_html("# Un", min_heading=4)
    with pytest.raises(ValueError):
        markdown_to_html("# x", min_heading=0)


def test_trusted_keeps_headings_tables_and_charts() -> None:
    chart = chart_with_table([("Lille", 3), ("Douai", 1)], "Par territoire", id="g1")
    md = f"# Synthèse\n\n## Chiffres\n\n{chart}\n\nFin [retour](#haut).\n"
    html = markdown_to_html_trusted(md)
    assert "<h1>Synthèse</h1>" in html and "<h2>Chiffres</h2>" in html
    assert 'viewBox="0 0 ' in html and 'role="img"' in html
    assert 'aria-labelledby="g1-titre g1-desc"' in html
    assert '<th scope="row">Lille</th>' in html and "<caption>Par territoire</caption>" in html
    assert '<a href="#haut">retour</a>' in html
    _assert_safe(html, trusted=True)


def test_output_is_deterministic() -> None:
    md = "# T\n\nUn [lien](https://x.example) *et* du `code`."
    assert markdown_to_html(md) == markdown_to_html(md)
    assert markdown_to_html_trusted(md) == markdown_to_html_trusted(md)


# --- plain_excerpt -----------------------------------------------------------


def test_plain_excerpt_short_text_is_whole() -> None:
    assert plain_excerpt("Un **texte** court.", 100) == "Un texte court."
    assert plain_excerpt("", 10) == ""


def test_plain_excerpt_cuts_at_word_boundary() -> None:
    md = "Nous voulons des *bancs* dans les parcs, et des toilettes publiques."
    out = plain_excerpt(md, 30)
    assert out == "Nous voulons des bancs dans…"
    assert len(out) <= 30
    # Trailing punctuation before the ellipsis is dropped.
    assert plain_excerpt("Des bancs, des arbres et des fontaines", 12) == "Des bancs…"


def test_plain_excerpt_strips_markup() -> None:
    md = "# Titre\n\n> Citation avec [un lien](https://x.example) et ![image](x.png)\n\n- point `code`\n\n<b>brut</b>"
    assert plain_excerpt(md, 500) == ("Titre Citation avec un lien et image point code <b>brut</b>")


def test_plain_excerpt_single_long_word() -> None:
    assert plain_excerpt("a" * 50, 10) == "a" * 9 + "…"
    with pytest.raises(ValueError):
        plain_excerpt("x", 0)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=120))
def test_plain_excerpt_length(md: str, limit: int) -> None:
    out = plain_excerpt(md, limit)
    assert len(out) <= limit
    assert "\n" not in out


# --- properties ------------------------------------------------------------

_HOSTILE_PIECES = st.sampled_from(
    [
        "<", ">", "/", "script", "img", "svg", "iframe", "a", " ", "\n", "\n\n", "=", '"', "'",
        "href", "src", "onerror", "onload", "javascript:", "JaVaScRiPt:", "data:", "vbscript:",
        "alert(1)", "&#106;", "&#x6A;", "&colon;", "&lt;", "[", "]", "(", ")", "!", "*", "`",
        "#", "|", "-", ":", "https://", "mailto:", "x", "é", "\t", "\x00", "<!--", "-->",
        "    ", "> ", "1. ", "---",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_HOSTILE_PIECES, max_size=40).map("".join))
def test_random_hostile_text_is_always_safe(md: str) -> None:
    _assert_safe(markdown_to_html(md))
    _assert_safe(markdown_to_html_trusted(md), trusted=True)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_random_text_is_always_safe(md: str) -> None:
    _assert_safe(markdown_to_html(md))


@settings(max_examples=500, deadline=None)
@given(st.lists(_HOSTILE_PIECES, max_size=40).map("".join), st.integers(min_value=1, max_value=120))
def test_html_excerpt_is_the_plain_excerpt_without_a_second_parse(md: str, limit: int) -> None:
    from ateliers_cli.render.markup import html_excerpt

    assert html_excerpt(markdown_to_html(md), limit) == plain_excerpt(md, limit)
