"""Tests for ateliers_cli.render.charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from ateliers_cli.render.charts import (
    BACKGROUND,
    BAR_COLOUR,
    TEXT_COLOUR,
    bar_chart,
    chart_with_table,
    data_table,
    matrix_table,
    template_globals,
)
from ateliers_cli.render.french import NBSP, NNBSP

SVG = "{http://www.w3.org/2000/svg}"
DATA = [("Lille", 1200), ("Dunkerque", 35.5), ("Valenciennes", 0)]


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_meets_wcag_aa() -> None:
    assert _contrast(TEXT_COLOUR, BACKGROUND) >= 4.5
    assert _contrast(BAR_COLOUR, BACKGROUND) >= 3.0


def test_bar_chart_structure() -> None:
    svg = bar_chart(DATA, "Contributions par territoire", "contributions", id="graph-1")
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "graph-1-titre graph-1-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "graph-1-titre"
    assert title.text == "Contributions par territoire"
    assert desc is not None and desc.get("id") == "graph-1-desc"
    assert desc.text is not None
    assert f"Lille{NBSP}: 1{NNBSP}200{NBSP}contributions" in desc.text
    assert f"35,5{NBSP}contributions" in desc.text
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Lille" in texts and f"1{NNBSP}200{NBSP}contributions" in texts
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == BAR_COLOUR]
    assert len(bars) == 3
    widths = [float(r.get("width", "nan")) for r in bars]
    assert widths[0] == 320 and widths[2] == 0 and 0 < widths[1] < widths[0]
    # No script, no external resource.
    assert "<script" not in svg and "href" not in svg and "@import" not in svg


def test_bar_chart_is_deterministic() -> None:
    a = bar_chart(DATA, "Titre", id="g")
    b = bar_chart(list(DATA), "Titre", id="g")
    assert a == b
    assert bar_chart(DATA, "Titre", id="h") != a


def test_bar_chart_escapes_labels_and_title() -> None:
    evil = "<script>alert(\"x\")</script> & 'quote'"
    svg = bar_chart([(evil, 3)], evil, unit="<b>", id="g")
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}script") is None
    assert "<script" not in svg and "<b>" not in svg
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert evil in texts  # shown as text, intact (shorter than the limit)
    # Markup labels are reduced to their text.
    svg = bar_chart([(Markup("<em>Lille</em>"), 1)], "T", id="g")
    assert "<em>" not in svg and ">Lille<" in svg


def test_bar_chart_strips_xml_invalid_characters() -> None:
    svg = bar_chart([("a\x00b\x1f\nc", 1)], "t\x0b", id="g")
    ET.fromstring(str(svg))


def test_bar_chart_width_follows_labels() -> None:
    short = ET.fromstring(str(bar_chart([("A", 1)], "T", id="g")))
    long = ET.fromstring(str(bar_chart([("A" * 30, 1)], "T", id="g")))
    assert float(long.get("width", "0")) > float(short.get("width", "0"))
    huge = ET.fromstring(str(bar_chart([("B" * 200, 1)], "T", id="g")))
    texts = [t.text for t in huge.iter(f"{SVG}text")]
    assert "B" * 39 + "…" in texts  # shortened on the drawing
    desc = huge.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None and "B" * 200 in desc.text


def test_bar_chart_empty_and_errors() -> None:
    svg = bar_chart([], "Rien", id="g")
    ET.fromstring(str(svg))
    assert "Aucune donnée" in svg
    with pytest.raises(ValueError):
        bar_chart(DATA, "T", id="1abc")
    with pytest.raises(ValueError):
        bar_chart(DATA, "T", id='x" onload="alert(1)')
    with pytest.raises(ValueError):
        bar_chart([("a", -1)], "T", id="g")
    with pytest.raises(ValueError):
        bar_chart([("a", float("nan"))], "T", id="g")
    with pytest.raises(TypeError):
        bar_chart([("a", "3")], "T", id="g")  # type: ignore[list-item]


def test_bar_chart_all_zero() -> None:
    svg = bar_chart([("a", 0), ("b", 0)], "T", id="g")
    ET.fromstring(str(svg))


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict[str, str | None], str]] = []
        self._current: tuple[str, dict[str, str | None]] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"th", "td", "caption"}:
            self._current = (tag, dict(attrs))
            self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if self._current and tag == self._current[0]:
            self.cells.append((*self._current, self._text))
            self._current = None

    def handle_data(self, data: str) -> None:
        self._text += data


def _cells(html: str) -> list[tuple[str, dict[str, str | None], str]]:
    parser = _TableParser()
    parser.feed(html)
    return parser.cells


def test_data_table() -> None:
    html = data_table(DATA, "Contributions <par> territoire")
    assert isinstance(html, Markup)
    cells = _cells(html)
    assert cells[0] == ("caption", {}, "Contributions <par> territoire")
    assert "&lt;par&gt;" in html
    assert cells[1] == ("th", {"scope": "col"}, "Catégorie")
    assert cells[2] == ("th", {"scope": "col"}, "Nombre")
    assert cells[3] == ("th", {"scope": "row"}, "Lille")
    assert cells[4] == ("td", {"class": "nombre"}, f"1{NNBSP}200")
    assert len(cells) == 3 + 2 * 3


def test_data_table_percent_and_total() -> None:
    html = data_table([("a", 1), ("b", 3)], "C", ("Territoire", "Contributions", "%"), percent=True, total=True)
    cells = _cells(html)
    texts = [c[2] for c in cells]
    assert texts[1:4] == ["Territoire", "Contributions", "%"]
    assert texts[4:7] == ["a", "1", f"25,0{NBSP}%"]
    assert texts[7:10] == ["b", "3", f"75,0{NBSP}%"]
    assert texts[10:13] == ["Total", "4", f"100,0{NBSP}%"]
    assert "<tfoot>" in html
    zero = data_table([("a", 0)], "C", percent=True)
    assert "—" in zero
    assert "Part" in data_table([("a", 1)], "C", percent=True)


def test_data_table_escapes() -> None:
    html = data_table([("<img src=x onerror=alert(1)>", 1)], "<script>", ("<a>", "<b>"))
    assert "<img" not in html and "<script" not in html and "<a>" not in html


def test_matrix_table_mapping() -> None:
    html = matrix_table(
        ["Santé", "Mobilité"],
        ["Lille", "Douai"],
        {("Santé", "Lille"): 3, ("Mobilité", "Douai"): 1200},
        "Thèmes × territoires",
        corner="Thème",
        totals=True,
    )
    cells = _cells(html)
    texts = [c[2] for c in cells]
    assert texts[0] == "Thèmes × territoires"
    assert texts[1:5] == ["Thème", "Lille", "Douai", "Total"]
    assert cells[5] == ("th", {"scope": "row"}, "Santé")
    assert texts[5:9] == ["Santé", "3", "—", "3"]
    assert texts[9:13] == ["Mobilité", "—", f"1{NNBSP}200", f"1{NNBSP}200"]
    assert texts[13:17] == ["Total", "3", f"1{NNBSP}200", f"1{NNBSP}203"]
    assert all(c[1].get("scope") == "col" for c in cells[1:5])


def test_matrix_table_rows_and_escaping() -> None:
    html = matrix_table(["<r>"], ["<c>", "d"], [["<x>", Markup("<em>ok</em>")]], "cap", empty="?")
    assert "&lt;r&gt;" in html and "&lt;c&gt;" in html and "&lt;x&gt;" in html
    assert "<em>ok</em>" in html  # Markup is trusted by definition
    assert html.count("<td></td>") == 1  # empty corner
    with pytest.raises(ValueError):
        matrix_table(["a"], ["b", "c"], [[1]], "cap")
    with pytest.raises(ValueError):
        matrix_table(["a", "b"], ["c"], [[1]], "cap")


def test_chart_with_table_and_globals() -> None:
    html = chart_with_table(DATA, "Titre", id="g", percent=True)
    assert html.startswith('<figure class="ateliers-figure">')
    assert "<svg" in html and "<table" in html and "Part" in html
    assert set(template_globals()) == {"bar_chart", "chart_with_table", "data_table", "matrix_table"}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(max_size=60),
            st.one_of(
                st.integers(min_value=0, max_value=10**9),
                st.floats(min_value=0, max_value=1e9, allow_nan=False),
                st.decimals(min_value=0, max_value=10**6, places=2),
            ),
        ),
        max_size=12,
    ),
    st.text(max_size=120),
)
def test_random_charts_are_well_formed_and_deterministic(
    data: list[tuple[str, int | float | Decimal]], title: str
) -> None:
    svg = bar_chart(data, title, "u", id="g")
    root = ET.fromstring(str(svg))
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {
        "svg",
        "title",
        "desc",
        "rect",
        "text",
        "g",
        "line",
    }
    assert bar_chart(data, title, "u", id="g") == svg
    table = data_table(data, title, percent=True, total=True)
    assert len(_cells(table)) == 1 + 3 + 3 * len(data) + 3
