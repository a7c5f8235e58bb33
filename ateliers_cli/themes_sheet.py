"""The classification spreadsheet: ``themes export`` writes it (XLSX or ODS) with the suggestions,
the analyst fills the « themes » column, ``themes import`` reads it back.

The sheet « Classement » has one row per contribution: its id, title, an excerpt, its statut
and themes (to fill), ``doublon_de``, then the three suggested themes with their score and the
words that weighed. A sheet « Thèmes » lists the themes' ids and titles. Reading back goes through
the importers' reader (the same XLSX/ODS parsing as ``contributions import``) and
:mod:`ateliers_cli.classification`: every problem at once, as ``fichier:Classement:ligne``;
nothing is written if one row is wrong; only ``themes``, ``statut`` and ``doublon_de`` change.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ateliers_cli.analysis.apply import TagPlan, excerpt
from ateliers_cli.classification import Decision, parse_theme_list
from ateliers_cli.errors import AteliersError, UsageError, error
from ateliers_cli.model import Consultation

__all__ = ["SHEET", "THEMES_SHEET", "read_decisions", "sheet_bytes"]

SHEET = "Classement"
THEMES_SHEET = "Thèmes"
HEADER = (
    "id", "titre", "extrait", "statut", "themes", "doublon_de",
    "suggestion 1", "score 1", "suggestion 2", "score 2", "suggestion 3", "score 3", "mots qui ont pesé",
)
FORMATS = ("xlsx", "ods")


@dataclass(frozen=True)
class SheetRow:
    id: str
    titre: str
    extrait: str
    statut: str
    themes: str
    doublon_de: str
    suggestions: tuple[tuple[str, float], ...]
    words: str

    def cells(self) -> list[str | float]:
        cells: list[str | float] = [self.id, self.titre, self.extrait, self.statut, self.themes, self.doublon_de]
        for n in range(3):
            if n < len(self.suggestions):
                cells += [self.suggestions[n][0], self.suggestions[n][1]]
            else:
                cells += ["", ""]
        return [*cells, self.words]


def sheet_rows(c: Consultation, plan: TagPlan) -> list[SheetRow]:
    """One row per contribution of the plan (id order), with its suggestions."""
    rows = []
    for r in plan.rows:
        ct = c.contributions[r.id]
        best = r.suggestions[0] if r.suggestions else None
        words = ", ".join([*best.matched, *best.shared_words]) if best else ""
        if best is not None and best.close_examples:
            words += f" ; proche de {', '.join(best.close_examples)}"
        rows.append(
            SheetRow(
                r.id, ct.titre, excerpt(ct.texte, 300), ct.statut, ", ".join(ct.themes), ct.doublon_de,
                tuple((s.theme_id, round(s.score, 2)) for s in r.suggestions[:3]), words,
            )
        )
    return rows


def format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(
            f"{path.name} : format « {suffix or 'sans extension'} » non pris en charge",
            hint="un nom en .xlsx (Excel) ou .ods (LibreOffice)",
        )
    return suffix


def sheet_bytes(c: Consultation, rows: Sequence[SheetRow], fmt: str) -> bytes:
    """The workbook, as XLSX or ODS bytes."""
    themes = [(t.id, t.titre) for t in c.themes.values()]
    if fmt == "xlsx":
        return _xlsx(rows, themes)
    return _ods(rows, themes)


def _xlsx(rows: Sequence[SheetRow], themes: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row.cells()])
    ws.freeze_panes = "B2"
    for letter, width in zip("ABCDEFGHIJKLM", (10, 30, 60, 12, 25, 12, 18, 8, 18, 8, 18, 8, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ref = wb.create_sheet(THEMES_SHEET)
    ref.append(["id", "titre"])
    for tid, titre in themes:
        ref.append([_safe(tid), _safe(titre)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _safe(value: str | float) -> str | float:
    """A cell never starts with « = », « + », « - », « @ »: a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _ods(rows: Sequence[SheetRow], themes: list[tuple[str, str]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()

    def add_row(table: Table, values: Sequence[str | float]) -> None:
        tr = TableRow()
        for v in values:
            if isinstance(v, float):
                cell = TableCell(valuetype="float", value=str(v))
                cell.addElement(P(text=f"{v:g}"))
            else:
                cell = TableCell(valuetype="string")
                if v:
                    cell.addElement(P(text=v))
            tr.addElement(cell)
        table.addElement(tr)

    sheet = Table(name=SHEET)
    add_row(sheet, HEADER)
    for row in rows:
        add_row(sheet, row.cells())
    doc.spreadsheet.addElement(sheet)
    ref = Table(name=THEMES_SHEET)
    add_row(ref, ("id", "titre"))
    for tid, titre in themes:
        add_row(ref, (tid, titre))
    doc.spreadsheet.addElement(ref)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def read_decisions(c: Consultation, path: Path, shown: str) -> tuple[list[Decision], int]:
    """The decisions a filled sheet holds, and how many rows it has.

    A row counts when its themes, statut or doublon_de differ from the contribution's; themes
    given with statut « nouvelle » (as exported) make it « analysee ». Problems of the sheet's
    shape raise at once; problems of rows are left to :func:`~ateliers_cli.classification.check_decisions`,
    which reports them all as ``fichier:Classement:ligne``.
    """
    from ateliers_cli.importers.readers import read_table

    table = read_table(path, shown, SHEET)
    where = f"{shown}:{table.sheet or SHEET}"
    missing = [h for h in ("id", "themes") if h not in table.columns]
    if missing:
        raise AteliersError(
            "colonne"
            + ("s" if len(missing) > 1 else "")
            + " absente"
            + ("s" if len(missing) > 1 else "")
            + " : "
            + ", ".join(f"« {m} »" for m in missing),
            path=where,
            line=table.header_line,
            hint="gardez l'en-tête écrit par « ateliers themes export » (id, titre, extrait, statut, themes, "
            "doublon_de…)",
        )
    decisions: list[Decision] = []
    problems = []
    for row in table.rows:
        cid = row.get("id").strip()
        if not cid:
            if any(v.strip() for v in row.values.values()):
                problems.append(
                    error(
                        where, row.line, "ligne sans id", "remettez l'identifiant de la contribution (colonne « id »)"
                    )
                )
            continue
        themes = parse_theme_list(row.get("themes"))
        statut = row.get("statut").strip() if "statut" in table.columns else ""
        doublon_de = row.get("doublon_de").strip() if "doublon_de" in table.columns else ""
        ct = c.contributions.get(cid)
        if not statut:
            statut = "analysee" if themes else (ct.statut if ct else "nouvelle")
        elif statut == "nouvelle" and themes:
            statut = "analysee"
        if ct is not None and (tuple(ct.themes), ct.statut, ct.doublon_de) == (themes, statut, doublon_de):
            continue
        decisions.append(Decision(cid, themes, statut, doublon_de, where=where, line=row.line))
    if problems:
        raise AteliersError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} dans {shown} : rien n'a été modifié",
            details=problems,
            hint="corrigez le tableur puis relancez",
        )
    return decisions, len(table.rows)
