"""``ateliers saisie modele``: a spreadsheet to fill in the room, for one file kind.

The workbook has a sheet « À propos » (what it is for: read back by the import), one sheet per
part of the file (see :mod:`layouts`), and a hidden sheet « listes » with the consultation's
identifiers, which the drop-down lists of the cells point to. It is prefilled with what the
file already holds, so a template can be asked again to correct or complete a file.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli.capture.layouts import FICHE, KINDS, WITH_ID, Column, Sheet, sheets, target
from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.hints import did_you_mean
from ateliers_cli.model import Consultation
from ateliers_cli.reference import scalar_description

ABOUT = "À propos"
LISTS = "listes"
#: Rows of a table sheet that carry the drop-down lists (beyond the prefilled ones).
TABLE_ROWS = 200
_FICHE_HEADER = ("clé", "valeur", "aide")


@dataclass
class Validation:
    """What a cell accepts: a fixed list, a list of identifiers (a range of « listes »), or a whole number."""

    values: tuple[str, ...] = ()
    source: str = ""  # « listes » column letter, or a sheet's column (« Regroupements!A »)
    count: int = 0  # rows of the source
    minimum: int | None = None
    message: str = ""


@dataclass
class SheetData:
    name: str
    rows: list[list[Any]]
    widths: list[int]
    validations: list[tuple[int, int, int, Validation]] = field(default_factory=list)  # column, first row, last row
    hidden: bool = False


#: The lists written to the sheet « listes », for the drop-down cells (the contributions, many and
#: several per cell, are checked at the import instead).
DROPDOWN_LISTS = ("territoires", "themes", "commissions", "propositions", "regroupements", "orientations")


def ref_lists(c: Consultation) -> dict[str, list[str]]:
    """The identifiers a cell may be picked from, by list name."""
    return {
        "territoires": list(c.territoires),
        "themes": list(c.themes),
        "commissions": list(c.commissions),
        "propositions": list(c.propositions),
        "regroupements": list(c.regroupements),
        "orientations": list(c.orientations),
        "contributions": list(c.contributions),
    }


def plan_template(c: Consultation, kind: str, ident: str = "") -> tuple[str, list[SheetData]]:
    """The sheets of the template of ``kind`` (and ``ident`` for a workshop or a restitution)."""
    if kind not in KINDS:
        raise UsageError(
            f"sorte de modèle inconnue : « {kind} »", hint=did_you_mean(kind, KINDS) or "sortes : " + ", ".join(KINDS)
        )
    if kind in WITH_ID and not ident:
        example = "lille-1" if kind == "atelier" else "lille"
        raise UsageError(
            f"indiquez l'identifiant : « ateliers saisie modele {kind} {example} »",
            hint="il devient le nom du fichier (minuscules, chiffres, tirets)",
        )
    if kind not in WITH_ID and ident:
        raise UsageError(f"un modèle « {kind} » ne prend pas d'identifiant (il n'y a qu'un fichier {target(kind)})")
    if ident:
        import re

        from ateliers_cli.schema import SLUG

        if not re.match(SLUG, ident):
            raise UsageError(
                f"identifiant « {ident} » invalide",
                hint="minuscules sans accents, chiffres et tirets, par exemple « lille-1 »",
            )
    rel = target(kind, ident)
    current = _current(c, rel)
    if ident and not current:
        current = {"id": ident}
        if kind == "restitution" and ident in c.territoires:
            current["territoire"] = ident
    lists = ref_lists(c)
    layout = sheets(kind)
    data = [_about(c, kind, ident, rel)]
    for sheet in layout:
        if sheet.form == FICHE:
            data.append(_fiche(sheet, current, lists))
        else:
            data.append(_table(sheet, _rows(kind, sheet, current, c), lists, [s.name for s in layout]))
    data.append(_lists_sheet(lists))
    return rel, data


def _current(c: Consultation, rel: str) -> dict[str, Any]:
    from ateliers_cli.yamlio import load_yaml_file

    path = c.root / rel
    if not path.is_file():
        return {}
    loaded = load_yaml_file(path, rel, c.root)
    return loaded.data if loaded.ok and isinstance(loaded.data, dict) else {}


def _about(c: Consultation, kind: str, ident: str, rel: str) -> SheetData:
    rows: list[list[Any]] = [
        ["sorte", kind],
        ["identifiant", ident],
        ["consultation", c.id],
        ["fichier", rel],
        [],
        ["Modèle de saisie pour " + KINDS[kind] + "."],
        ["Remplissez les feuilles suivantes, puis : ateliers saisie import CE-FICHIER"],
        [
            "Les listes déroulantes proposent les identifiants de la consultation ; « ateliers aide "
            + kind
            + " » décrit chaque clé."
        ],
        [
            ("Une case vidée retire la valeur du fichier ; ne changez ni le nom des feuilles, ni la première ligne des "
            "tableaux.")
        ],
    ]
    return SheetData(ABOUT, rows, [16, 90])


def _display(value: Any, separator: str | None = None) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return (", " if separator is None else separator).join(str(v) for v in value)
    if isinstance(value, (int, float)):
        return value
    return str(value).rstrip("\n")


def _separator(col: Column) -> str:
    """Identifiers are listed with commas; free texts one per line (a sentence may hold a comma)."""
    return ", " if col.ref else "\n"


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _validation(col: Column, lists: dict[str, list[str]], sheet_names: list[str]) -> Validation | None:
    f = col.field
    if col.info or col.multi:
        return None
    if col.ref == "regroupements" and "Regroupements" in sheet_names:  # defined in the same workbook
        return Validation(
            source="Regroupements!A",
            count=TABLE_ROWS + 1,
            message="choisissez un regroupement de la feuille « Regroupements »",
        )
    if col.ref:
        letter = _letter(DROPDOWN_LISTS.index(col.ref))
        return Validation(
            source=f"{LISTS}!{letter}",
            count=len(lists[col.ref]) + 1,
            message=f"choisissez dans la liste ({col.ref} de la consultation)",
        )
    if f.enum:
        return Validation(values=f.enum, message="valeurs possibles : " + ", ".join(f.enum))
    if f.type == "bool":
        return Validation(values=("oui", "non"), message="oui ou non")
    if f.type == "int":
        return Validation(minimum=int(f.minimum or 0), message=f"un nombre entier (au moins {int(f.minimum or 0)})")
    return None


def _help(col: Column) -> str:
    f = col.field
    parts = [f.doc] if f.doc else []
    several = (
        (" ; plusieurs : séparés par des virgules" if col.ref else " ; plusieurs : un par ligne (Alt+Entrée)")
        if col.multi
        else ""
    )
    parts.append(scalar_description(f) + several)
    if f.required:
        parts.append("obligatoire")
    return " — ".join(parts)


def _fiche(sheet: Sheet, current: dict[str, Any], lists: dict[str, list[str]]) -> SheetData:
    rows: list[list[Any]] = [list(_FICHE_HEADER)]
    data = SheetData(sheet.name, rows, [26, 50, 90])
    for i, col in enumerate(sheet.columns, start=2):
        rows.append([col.key, _display(_get(current, col.key), _separator(col)), _help(col)])
        v = _validation(col, lists, [])
        if v is not None:
            data.validations.append((2, i, i, v))
    return data


def _table(sheet: Sheet, rows: list[dict[str, Any]], lists: dict[str, list[str]], sheet_names: list[str]) -> SheetData:
    header = [col.header for col in sheet.columns]
    grid: list[list[Any]] = [header]
    for item in rows:
        grid.append([_display(item.get(col.key), _separator(col)) for col in sheet.columns])
    widths = [60 if col.field.type == "text" else (30 if col.multi or col.info else 18) for col in sheet.columns]
    data = SheetData(sheet.name, grid, widths)
    last = max(len(grid), TABLE_ROWS + 1)
    for i, col in enumerate(sheet.columns, start=1):
        v = _validation(col, lists, sheet_names)
        if v is not None:
            data.validations.append((i, 2, last, v))
    return data


def _rows(kind: str, sheet: Sheet, current: dict[str, Any], c: Consultation) -> list[dict[str, Any]]:
    """The items a table sheet starts with: what the file holds, or what the step expects."""
    name = sheet.name
    if kind == "atelier" and name == "Productions":
        productions = current.get("productions") or [{"theme": t} for t in current.get("themes") or []]
        return [p for p in productions if isinstance(p, dict)]
    if kind == "atelier" and name == "Propositions":
        return [
            dict(p, theme=prod.get("theme"))
            for prod in current.get("productions") or []
            if isinstance(prod, dict)
            for p in prod.get("propositions") or []
            if isinstance(p, dict)
        ]
    if kind == "synthese" and name == "Regroupements":
        return [g for g in current.get("regroupements") or [] if isinstance(g, dict)]
    if kind == "synthese" and name == "Propositions":
        group = {
            pid: g.get("id")
            for g in current.get("regroupements") or []
            if isinstance(g, dict)
            for pid in g.get("propositions") or []
        }
        motif = {
            e.get("proposition"): e.get("motif")
            for e in current.get("propositions_ecartees") or []
            if isinstance(e, dict)
        }
        return [
            {
                "proposition": pid,
                "titre": p.titre,
                "atelier": p.atelier,
                "regroupement": group.get(pid),
                "motif_ecart": motif.get(pid),
            }
            for pid, p in c.propositions.items()
        ]
    if kind == "orientations" and name == "Orientations":
        return [o for o in current.get("orientations") or [] if isinstance(o, dict)]
    if kind == "orientations":
        return [e for e in current.get("regroupements_ecartes") or [] if isinstance(e, dict)]
    if kind == "deliberation" and name == "Avis":
        avis = [a for a in current.get("avis") or [] if isinstance(a, dict)]
        given = {a.get("commission") for a in avis}
        concerned = sorted({m for o in c.orientations.values() for m in o.commissions})
        return avis + [{"commission": m} for m in concerned if m not in given]
    if kind == "deliberation" and name == "Amendements":
        return [
            dict(am, commission=a.get("commission"))
            for a in current.get("avis") or []
            if isinstance(a, dict)
            for am in a.get("amendements") or []
            if isinstance(am, dict)
        ]
    if kind == "deliberation" and name == "Décisions":
        decided = {d.get("orientation"): d for d in current.get("decisions") or [] if isinstance(d, dict)}
        return [dict(decided.get(oid, {}), orientation=oid, titre=o.titre) for oid, o in c.orientations.items()]
    if kind == "restitution":
        return [r for r in current.get("retours") or [] if isinstance(r, dict)]
    return []


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _lists_sheet(all_lists: dict[str, list[str]]) -> SheetData:
    lists = {k: all_lists[k] for k in DROPDOWN_LISTS}
    width = max((len(v) for v in lists.values()), default=0)
    rows: list[list[Any]] = [list(lists)]
    for i in range(width):
        rows.append([values[i] if i < len(values) else "" for values in lists.values()])
    return SheetData(LISTS, rows, [16] * len(lists), hidden=True)


# --- writing -----------------------------------------------------------------------------


def render(sheets_: list[SheetData], fmt: str) -> bytes:
    """The workbook as bytes, XLSX or ODS."""
    return _xlsx(sheets_) if fmt == "xlsx" else _ods(sheets_)


def write_template(c: Consultation, kind: str, ident: str, out: Path | None, fmt: str) -> tuple[Path, str]:
    """Write the template; returns its path and the file it will fill."""
    rel, data = plan_template(c, kind, ident)
    if fmt not in ("xlsx", "ods"):
        raise UsageError(f"format « {fmt} » inconnu", hint="xlsx (Excel, LibreOffice) ou ods (LibreOffice)")
    path = out or Path(f"saisie-{kind}{'-' + ident if ident else ''}.{fmt}")
    content = render(data, fmt)
    try:
        from ateliers_cli.fsutil import atomic_write

        atomic_write(path, content)
    except OSError as exc:
        from ateliers_cli.yamlio import os_reason

        raise AteliersError(
            f"impossible d'écrire « {path} » : {os_reason(exc)}", hint="choisissez un autre fichier avec --out"
        ) from None
    return path, rel


def _xlsx(sheets_: list[SheetData]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for sd in sheets_:
        ws = wb.create_sheet(sd.name)
        for r, row in enumerate(sd.rows, start=1):
            for ci, value in enumerate(row, start=1):
                cell = ws.cell(r, ci, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # a text that looks like a formula stays a text, never computed
        for i, width in enumerate(sd.widths, start=1):
            ws.column_dimensions[_letter(i - 1)].width = width
        if sd.name not in (ABOUT, LISTS):
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, first, last, v in sd.validations:
            letter = _letter(col - 1)
            if v.minimum is not None:
                dv = DataValidation(
                    type="whole", operator="greaterThanOrEqual", formula1=str(v.minimum), allow_blank=True
                )
            elif v.values:
                dv = DataValidation(type="list", formula1='"' + ",".join(v.values) + '"', allow_blank=True)
            else:
                sheet, _, src = v.source.partition("!")
                dv = DataValidation(
                    type="list", formula1=f"{_quote_sheet(sheet)}!${src}$2:${src}${max(v.count, 2)}", allow_blank=True
                )
            dv.error = v.message
            dv.errorTitle = "Valeur refusée"
            dv.showErrorMessage = True
            dv.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(dv)
        if sd.hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _quote_sheet(name: str) -> str:
    return f"'{name}'" if not name.isalnum() else name


def _ods(sheets_: list[SheetData]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TableProperties
    from odf.table import ContentValidation, ContentValidations, ErrorMessage, Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden = Style(name="cache", family="table")
    hidden.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden)
    widths: dict[int, Style] = {}
    validations = ContentValidations()
    doc.spreadsheet.addElement(validations)
    for sd in sheets_:
        attrs = {"name": sd.name}
        if sd.hidden:
            attrs["stylename"] = hidden
        table = Table(**attrs)
        for w in sd.widths:
            if w not in widths:
                widths[w] = Style(name=f"col{w}", family="table-column")
                widths[w].addElement(TableColumnProperties(columnwidth=f"{w * 0.21:.2f}cm"))
                doc.automaticstyles.addElement(widths[w])
            table.addElement(TableColumn(stylename=widths[w]))
        by_cell: dict[tuple[int, int], str] = {}
        for n, (col, first, last, v) in enumerate(sd.validations):
            name = f"{_ods_name(sd.name)}-{n}"
            if v.values:
                condition = "of:cell-content-is-in-list(" + ";".join(f'"{x}"' for x in v.values) + ")"
            elif v.minimum is not None:
                condition = f"of:cell-content-is-whole-number() and cell-content()>={v.minimum}"
            else:
                sheet, _, src = v.source.partition("!")
                condition = f"of:cell-content-is-in-list([$'{sheet}'.${src}$2:.${src}${max(v.count, 2)}])"
            cv = ContentValidation(name=name, condition=condition, allowemptycell="true", displaylist="unsorted")
            em = ErrorMessage(display="true", messagetype="stop", title="Valeur refusée")
            em.addElement(P(text=v.message))
            cv.addElement(em)
            validations.addElement(cv)
            for r in range(first, last + 1):
                by_cell[(r, col)] = name
        n_rows = max(len(sd.rows), max((last for _c, _f, last, _v in sd.validations), default=0))
        n_cols = max([len(r) for r in sd.rows] + [c for c, _f, _l, _v in sd.validations] + [1])
        for r in range(1, n_rows + 1):
            values = sd.rows[r - 1] if r <= len(sd.rows) else []
            tr = TableRow()
            for ci in range(1, n_cols + 1):
                value = values[ci - 1] if ci <= len(values) else ""
                extra = {"contentvalidationname": by_cell[(r, ci)]} if (r, ci) in by_cell else {}
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value, **extra)
                    cell.addElement(P(text=str(value)))
                elif value != "":
                    cell = TableCell(valuetype="string", **extra)
                    for line in str(value).split("\n"):
                        cell.addElement(P(text=line))
                else:
                    cell = TableCell(**extra)
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def _ods_name(sheet: str) -> str:
    import re
    import unicodedata

    folded = unicodedata.normalize("NFD", sheet)
    return (
        re.sub(r"[^A-Za-z0-9]+", "-", "".join(ch for ch in folded if not unicodedata.combining(ch))).strip("-")
        or "feuille"
    )
