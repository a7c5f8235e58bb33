"""Accessible, deterministic charts and tables for rendered documents.

* :func:`bar_chart` — an inline SVG of horizontal bars (``role="img"``,
  ``<title>``, ``<desc>``, ``aria-labelledby``), no script, no external font;
* :func:`data_table` — the same data as an HTML table (every chart is to be
  shown with its table, see :func:`chart_with_table`);
* :func:`matrix_table` — a two-way table (e.g. theme × territory).

Everything is escaped with markupsafe and returned as :class:`Markup`. The
output depends only on the arguments: same input, same bytes (no random ids,
no dates, fixed number formatting).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from ateliers_cli.render.french import NBSP, nombre, pluriel, proportion

__all__ = [
    "BACKGROUND",
    "BAR_COLOUR",
    "TEXT_COLOUR",
    "bar_chart",
    "chart_with_table",
    "data_table",
    "matrix_table",
    "template_globals",
]

Value = int | float | Decimal
Cell = Value | str | None

# Colours: text #1e1e1e on white is 16.8:1 (WCAG AAA); the bars (« bleu France »
# #000091) are 15.3:1 against white, far above the 3:1 needed for graphics.
BACKGROUND = "#ffffff"
TEXT_COLOUR = "#1e1e1e"
BAR_COLOUR = "#000091"
AXIS_COLOUR = "#666666"  # 5.7:1

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 14
TITLE_SIZE = 16
CHAR_WIDTH = 8.2  # generous average advance of a 14 px sans-serif glyph
TITLE_CHAR_WIDTH = 9.6  # same for 16 px bold
PAD = 12
BAR_HEIGHT = 22
BAR_GAP = 10
BAR_AREA = 320
MAX_LABEL_CHARS = 40
MAX_TITLE_CHARS = 90

_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Characters XML 1.0 forbids, plus the non-characters U+FFFE/U+FFFF.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES_RE = re.compile(r"\s+")


def _text(value: object) -> str:
    """Plain, single-line, XML-safe text (Markup is reduced to its text)."""
    raw = value.striptags() if isinstance(value, Markup) else str(value)
    return _SPACES_RE.sub(" ", _XML_INVALID_RE.sub("", raw)).strip()


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _n(x: float) -> str:
    """Deterministic coordinate: at most two decimals, no trailing zeros."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def _check_value(label: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"valeur non numérique pour « {label} » : {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"valeur non finie pour « {label} » : {value!r}")
    if number < 0:
        raise ValueError(f"valeur négative pour « {label} » : {value!r}")
    return number


def _value_text(value: Value, unit: str) -> str:
    return f"{nombre(value)}{NBSP}{unit}" if unit else nombre(value)


def bar_chart(
    data: Sequence[tuple[str, Value]],
    title: str,
    unit: str = "",
    *,
    id: str,
) -> Markup:
    """A horizontal bar chart as inline, accessible SVG.

    ``data`` is a list of ``(label, value)`` with non-negative values, drawn in
    the given order. Values are written with :func:`nombre` followed by
    ``unit`` (after a no-break space) when given. ``id`` (letters, digits,
    ``-``, ``_``, starting with a letter) prefixes the ids of ``<title>`` and
    ``<desc>``; it must be unique in the page. Labels longer than
    40 characters are shortened with « … » on the drawing (the full label is
    in the bar's tooltip, in ``<desc>`` and in :func:`data_table`).
    The width is computed from the longest label and value.

    Raises ``ValueError`` for a bad id or a negative/non-finite value,
    ``TypeError`` for a non-numeric value.
    """
    if not isinstance(id, str) or not _ID_RE.fullmatch(id):
        raise ValueError(f"identifiant de graphique invalide : {id!r}")
    unit = _text(unit)
    title_text = _text(title)
    rows = []
    for label, value in data:
        label_text = _text(label)
        number = _check_value(label_text, value)
        rows.append((label_text, number, _value_text(value, unit)))

    max_value = max((number for _, number, _ in rows), default=0.0)
    label_chars = max((len(_truncate(lbl, MAX_LABEL_CHARS)) for lbl, _, _ in rows), default=0)
    value_chars = max((len(txt) for _, _, txt in rows), default=0)
    visible_title = _truncate(title_text, MAX_TITLE_CHARS)

    label_width = label_chars * CHAR_WIDTH
    bar_x = PAD + label_width + 8
    width = bar_x + BAR_AREA + 6 + value_chars * CHAR_WIDTH + PAD
    width = math.ceil(max(width, 2 * PAD + len(visible_title) * TITLE_CHAR_WIDTH, 200))
    top = PAD + TITLE_SIZE + 14
    body = len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP if rows else BAR_HEIGHT
    height = math.ceil(top + body + PAD)

    if rows:
        described = " ; ".join(f"{lbl}{NBSP}: {txt}" for lbl, _, txt in rows)
        count = pluriel(len(rows), "catégorie", "catégories")
        desc = f"Graphique en barres horizontales, {count}. {described}."
    else:
        desc = "Graphique vide : aucune donnée."

    title_id, desc_id = f"{id}-titre", f"{id}-desc"
    out: list[str] = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="ateliers-graphique" id="{id}"'
            f' role="img" aria-labelledby="{title_id} {desc_id}"'
            f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
            f' style="max-width:100%;height:auto" font-family="{escape(FONT_FAMILY)}"'
            f' font-size="{FONT_SIZE}">'
        ),
        f'<title id="{title_id}">{escape(title_text)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>',
        (
            f'<text x="{PAD}" y="{PAD + TITLE_SIZE}" font-size="{TITLE_SIZE}" font-weight="bold"'
            f' fill="{TEXT_COLOUR}">{escape(visible_title)}</text>'
        ),
    ]
    if not rows:
        out.append(
            f'<text x="{PAD}" y="{_n(top + BAR_HEIGHT / 2 + FONT_SIZE * 0.35)}"'
            f' fill="{TEXT_COLOUR}">Aucune donnée</text>'
        )
    for i, (label, number, value_text) in enumerate(rows):
        y = top + i * (BAR_HEIGHT + BAR_GAP)
        baseline = _n(y + BAR_HEIGHT / 2 + FONT_SIZE * 0.35)
        bar_width = number / max_value * BAR_AREA if max_value > 0 else 0.0
        out.append(
            f"<g><title>{escape(label)}{NBSP}: {escape(value_text)}</title>"
            f'<text x="{_n(bar_x - 8)}" y="{baseline}" text-anchor="end"'
            f' fill="{TEXT_COLOUR}">{escape(_truncate(label, MAX_LABEL_CHARS))}</text>'
            f'<rect x="{_n(bar_x)}" y="{_n(y)}" width="{_n(bar_width)}"'
            f' height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
            f'<text x="{_n(bar_x + bar_width + 6)}" y="{baseline}"'
            f' fill="{TEXT_COLOUR}">{escape(value_text)}</text></g>'
        )
    out.append(
        f'<line x1="{_n(bar_x)}" y1="{_n(top - 4)}" x2="{_n(bar_x)}" y2="{_n(top + body + 4)}"'
        f' stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return Markup("\n".join(out))


def _cell(value: Cell, empty: str) -> str:
    """A ``<td>``: numbers through :func:`nombre`, text escaped, None → ``empty``."""
    if value is None:
        return f'<td class="vide">{escape(empty)}</td>'
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return f'<td class="nombre">{escape(nombre(value))}</td>'
    return f"<td>{escape(value)}</td>"


def data_table(
    data: Sequence[tuple[str, Value]],
    caption: str,
    headers: Sequence[str] = ("Catégorie", "Nombre"),
    *,
    percent: bool = False,
    total: bool = False,
) -> Markup:
    """The data of a chart as an HTML ``<table>``.

    ``<caption>``, a header row of ``<th scope="col">``, one row per item
    with its label in ``<th scope="row">`` and the value in
    ``<td class="nombre">`` (French formatting). ``percent=True`` adds a
    column with each value's share of the sum (header ``headers[2]`` if
    given, else « Part »); ``total=True`` adds a ``<tfoot>`` « Total » row.
    """
    if len(headers) < 2:
        raise ValueError("il faut au moins deux en-têtes de colonne")
    items = [(label, value) for label, value in data]
    for label, value in items:
        _check_value(str(label), value)
    grand_total: Value = sum((Decimal(str(v)) for _, v in items), Decimal(0))
    col_headers = [headers[0], headers[1]]
    if percent:
        col_headers.append(headers[2] if len(headers) > 2 else "Part")

    out = ['<table class="ateliers-tableau">', f"<caption>{escape(caption)}</caption>"]
    out.append("<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in col_headers) + "</tr></thead>")
    out.append("<tbody>")
    for label, value in items:
        cells = _cell(value, "")
        if percent:
            cells += f'<td class="nombre">{escape(proportion(value, grand_total))}</td>'
        out.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    out.append("</tbody>")
    if total:
        cells = _cell(grand_total, "")
        if percent:
            cells += f'<td class="nombre">{escape(proportion(grand_total, grand_total))}</td>'
        out.append(f'<tfoot><tr><th scope="row">Total</th>{cells}</tr></tfoot>')
    out.append("</table>")
    return Markup("\n".join(out))


def chart_with_table(
    data: Sequence[tuple[str, Value]],
    title: str,
    unit: str = "",
    *,
    id: str,
    headers: Sequence[str] = ("Catégorie", "Nombre"),
    percent: bool = False,
) -> Markup:
    """:func:`bar_chart` followed by its :func:`data_table`, in a ``<figure>``."""
    chart = bar_chart(data, title, unit, id=id)
    table = data_table(data, title, headers, percent=percent)
    return Markup(f'<figure class="ateliers-figure">\n{chart}\n{table}\n</figure>')


def matrix_table(
    rows: Sequence[str],
    cols: Sequence[str],
    cells: Mapping[tuple[str, str], Cell] | Sequence[Sequence[Cell]],
    caption: str,
    *,
    corner: str = "",
    empty: str = "—",
    totals: bool = False,
) -> Markup:
    """A two-way HTML table, e.g. themes (rows) × territories (columns).

    ``cells`` is either a mapping ``{(row, col): value}`` (missing pairs are
    empty) or a list of rows aligned with ``rows`` and ``cols``. Numbers are
    formatted with :func:`nombre`, text is escaped (a :class:`Markup` value is
    kept as is), ``None`` or a missing cell shows ``empty``. ``corner`` heads
    the row-label column. ``totals=True`` adds a « Total » column and row
    summing the numeric cells.
    """
    grid: list[list[Cell]] = []
    if isinstance(cells, Mapping):
        grid = [[cells.get((r, c)) for c in cols] for r in rows]
    else:
        if len(cells) != len(rows):
            raise ValueError(f"{len(cells)} lignes de cellules pour {len(rows)} lignes")
        for r, line in zip(rows, cells, strict=True):
            if len(line) != len(cols):
                raise ValueError(f"la ligne « {r} » a {len(line)} cellules, {len(cols)} attendues")
            grid.append(list(line))

    def num(v: Cell) -> Decimal:
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            return Decimal(str(v))
        return Decimal(0)

    header_cells = [f'<th scope="col">{escape(corner)}</th>' if corner else "<td></td>"]
    header_cells += [f'<th scope="col">{escape(c)}</th>' for c in cols]
    if totals:
        header_cells.append('<th scope="col">Total</th>')
    out = ['<table class="ateliers-tableau ateliers-matrice">', f"<caption>{escape(caption)}</caption>"]
    out.append("<thead><tr>" + "".join(header_cells) + "</tr></thead>")
    out.append("<tbody>")
    for r, line in zip(rows, grid, strict=True):
        tds = "".join(_cell(v, empty) for v in line)
        if totals:
            tds += _cell(sum((num(v) for v in line), Decimal(0)), empty)
        out.append(f'<tr><th scope="row">{escape(r)}</th>{tds}</tr>')
    out.append("</tbody>")
    if totals:
        col_sums = [sum((num(line[j]) for line in grid), Decimal(0)) for j in range(len(cols))]
        tds = "".join(_cell(s, empty) for s in col_sums)
        tds += _cell(sum(col_sums, Decimal(0)), empty)
        out.append(f'<tfoot><tr><th scope="row">Total</th>{tds}</tr></tfoot>')
    out.append("</table>")
    return Markup("\n".join(out))


def template_globals() -> dict[str, Callable[..., Any]]:
    """The functions of this module, by name, for ``env.globals.update()``."""
    return {
        "bar_chart": bar_chart,
        "chart_with_table": chart_with_table,
        "data_table": data_table,
        "matrix_table": matrix_table,
    }
