"""Reading an export into numbered rows: CSV, XLSX, legacy XLS, JSON.

Every row keeps the number a person would look for: the physical line where a
CSV record starts (a multi-line field spans several lines), the spreadsheet's
row number (the header is row 1), the line where a JSON object starts. Every
way a file can be unreadable is an :class:`AteliersError` naming the file and
the line, in French.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ateliers_cli.errors import AteliersError
from ateliers_cli.importers.util import clean_cell, fold, one_line
from ateliers_cli.render.french import nombre

#: Formats we read, as a user would name them.
FORMATS = "CSV (séparateur « ; », « , » ou tabulation), XLSX, XLS, ODS ou JSON"

_SAVE_AS_HINT = (
    "ouvrez-le dans un tableur (LibreOffice Calc, Excel) et enregistrez-le en XLSX, "
    "ou en CSV (UTF-8, séparateur « ; »)"
)

#: The most data rows and cells a spreadsheet may hold: far above a département's consultation
#: (100 000 contributions of 20 columns is 2 million cells), far below what fills the memory.
#: A few bytes of XLSX or ODS can announce billions of cells: they are counted before being read.
MAX_ROWS = 300_000
MAX_CELLS = 6_000_000
_TOO_BIG_HINT = (
    f"vérifiez que c'est le bon fichier ; s'il l'est, découpez-le (moins de {nombre(MAX_ROWS)} "
    "lignes chacun) et importez chaque morceau"
)


def _too_big(name: str, what: str, line: int = 0) -> AteliersError:
    return AteliersError(
        f"classeur démesuré : {what}, bien au-delà d'un export de consultation",
        path=name,
        line=line,
        hint=_TOO_BIG_HINT,
    )


class _Budget:
    """Counts the rows and cells read from a sheet; past the caps, the file is refused."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.cells = 0

    def take(self, line: int, cells: int, rows: int = 1) -> None:
        self.rows += rows
        self.cells += cells * rows
        if self.rows > MAX_ROWS + 1:
            raise _too_big(self.name, f"plus de {nombre(MAX_ROWS)} lignes", line)
        if self.cells > MAX_CELLS:
            raise _too_big(self.name, f"plus de {nombre(MAX_CELLS)} cellules", line)


@dataclass
class Row:
    """One record of the file: its line (or row) number and its cells by column name."""

    line: int
    values: dict[str, str]
    problem: str = ""  # set when the row is malformed (too many cells…): it will be rejected

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class Table:
    """A whole export: its columns in order and its rows."""

    name: str  # as shown in messages (the path the user gave)
    kind: str  # csv, xlsx, xls, ods, json
    columns: list[str]
    rows: list[Row]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: list[str] = field(default_factory=list)
    header_line: int = 1
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook it was read from

    @property
    def description(self) -> str:
        """« CSV, Windows-1252, séparateur « ; » » — for the summary."""
        parts = [self.kind.upper()]
        if self.encoding:
            parts.append(self.encoding)
        if self.delimiter:
            parts.append(
                "séparateur "
                + {"\t": "tabulation", ";": "« ; »", ",": "« , »", "|": "« | »"}.get(
                    self.delimiter, repr(self.delimiter)
                )
            )
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        return ", ".join(parts)


def read_table(path: Path, shown: str | None = None, sheet: str | None = None) -> Table:
    """Read ``path`` whatever its format (detected from its content, then its extension)."""
    name = shown or str(path)
    try:
        if path.is_dir():
            raise AteliersError("c'est un dossier, pas un fichier", path=name, hint="indiquez le fichier exporté")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AteliersError("fichier introuvable", path=name, hint="vérifiez le chemin et le nom du fichier") from None
    except PermissionError:
        raise AteliersError(
            "fichier illisible : accès refusé", path=name, hint="vérifiez les droits du fichier"
        ) from None
    except OSError as exc:
        raise AteliersError(f"fichier illisible : {exc.strerror or exc}", path=name) from None
    if not raw.strip():
        raise AteliersError(
            "fichier vide",
            path=name,
            hint="l'export a-t-il abouti ? exportez à nouveau depuis la plateforme ou le formulaire",
        )
    kind = detect_kind(raw, path, name)
    if kind == "xlsx":
        table = _read_xlsx(raw, name, sheet)
    elif kind == "xls":
        table = _read_xls(raw, name, sheet)
    elif kind == "ods":
        table = _read_ods(raw, name, sheet)
    elif kind == "json":
        table = _read_json(raw, name)
    else:
        table = _read_csv(raw, name)
    _drop_empty_unnamed(table)
    if not table.columns:
        raise AteliersError(
            "aucune colonne : la première ligne devrait donner le nom des colonnes", path=name, line=table.header_line
        )
    if not table.rows:
        raise AteliersError(
            "aucune ligne de données : le fichier n'a que l'en-tête",
            path=name,
            line=table.header_line,
            hint="l'export est-il complet ? vérifiez les filtres appliqués sur la plateforme",
        )
    return table


def read_workbook(path: Path, shown: str | None = None) -> dict[str, Table]:
    """Every sheet of an XLSX or ODS workbook by name, empty ones included (a template filled in)."""
    name = shown or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AteliersError("fichier introuvable", path=name, hint="vérifiez le chemin et le nom du fichier") from None
    except OSError as exc:
        raise AteliersError(f"fichier illisible : {exc.strerror or exc}", path=name) from None
    try:
        kind = detect_kind(raw, path, name) if raw.strip() else ""
    except AteliersError:  # an unknown format: the same answer as for a CSV
        kind = ""
    if kind not in ("xlsx", "ods"):
        raise AteliersError(
            "ce n'est pas un classeur XLSX ou ODS",
            path=name,
            hint="importez le modèle écrit par « ateliers saisie modele », enregistré au format XLSX ou ODS",
        )
    read = _read_xlsx if kind == "xlsx" else _read_ods
    first = read(raw, name, None)
    tables = {first.sheet: first}
    for sheet in first.sheets:
        if sheet not in tables:
            tables[sheet] = read(raw, name, sheet)
    return tables


def _drop_empty_unnamed(table: Table) -> None:
    """Columns without a name and without any value (Excel's leftovers) are not columns."""
    empty = [
        c for c in table.columns
        if re.fullmatch(r"colonne \d+", c) and not any(r.values.get(c) for r in table.rows)
    ]
    if not empty:
        return
    table.columns = [c for c in table.columns if c not in empty]
    for r in table.rows:
        for c in empty:
            r.values.pop(c, None)


def detect_kind(raw: bytes, path: Path, name: str) -> str:
    """csv, xlsx, xls, ods or json: from the first bytes, then the extension."""
    ext = path.suffix.lower()
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                names = set(z.namelist())
                mimetype = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except zipfile.BadZipFile:
            raise AteliersError(
                "fichier compressé illisible (archive endommagée ?)", path=name, hint=_SAVE_AS_HINT
            ) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "opendocument.spreadsheet" in mimetype:
            return "ods"
        if "word/document.xml" in names or "opendocument.text" in mimetype:
            raise AteliersError(
                "document de traitement de texte, pas un tableau",
                path=name,
                hint=f"importez l'export en tableau : {FORMATS}",
            )
        raise AteliersError(
            f"format de fichier inconnu (archive ZIP) : formats lus : {FORMATS}", path=name, hint=_SAVE_AS_HINT
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        raise AteliersError(
            "ce fichier est une page HTML ou XML, pas un tableau (certains sites nomment « .xls » un export HTML)",
            path=name,
            hint=_SAVE_AS_HINT,
        )
    if head.startswith(b"%pdf"):
        raise AteliersError(
            f"document PDF, pas un tableau : formats lus : {FORMATS}",
            path=name,
            hint="demandez l'export en tableau à la plateforme",
        )
    if ext == ".json" or head[:1] in (b"[", b"{"):
        return "json"
    if ext in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise AteliersError(
            f"le fichier porte l'extension « {ext} » mais ce n'est pas un classeur lisible",
            path=name,
            hint=_SAVE_AS_HINT,
        )
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AteliersError(
            f"format de fichier inconnu (fichier binaire) : formats lus : {FORMATS}", path=name, hint=_SAVE_AS_HINT
        )
    if ext not in ("", ".csv", ".tsv", ".txt", ".tab"):
        raise AteliersError(
            f"format de fichier inconnu (extension « {ext} ») : formats lus : {FORMATS}", path=name, hint=_SAVE_AS_HINT
        )
    return "csv"


# --- headers ------------------------------------------------------------------


def _headers(cells: Iterable[Any]) -> list[str]:
    """Column names: trimmed, unnamed ones numbered, duplicates made distinct."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = one_line(clean_cell(_cell_text(cell)))
        if not name:
            name = f"colonne {i + 1}"
        key = name
        if key in seen:
            seen[key] += 1
            name = f"{key} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(name)
    return out


def _cell_text(value: Any) -> str:
    """A spreadsheet or JSON value as the text a person would read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _make_rows(columns: list[str], records: Iterator[tuple[int, list[Any]]]) -> list[Row]:
    rows: list[Row] = []
    width = len(columns)
    for line, cells in records:
        texts = [clean_cell(_cell_text(c)) for c in cells]
        if not any(texts):
            continue  # blank line
        problem = ""
        if len(texts) > width:
            extra = [t for t in texts[width:] if t]
            if extra:
                problem = (
                    f"la ligne a {len(texts)} valeurs alors que l'en-tête annonce {width} colonnes "
                    "(un séparateur dans un texte sans guillemets ?)"
                )
            texts = texts[:width]
        texts += [""] * (width - len(texts))
        rows.append(Row(line, dict(zip(columns, texts, strict=True)), problem))
    return rows


# --- CSV ----------------------------------------------------------------------


_HIGH_BYTES = bytes(range(0x80, 0x100))
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_UTF8_PAIR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_text(raw: bytes, name: str) -> tuple[str, str, list[str]]:
    """The text of a CSV, its encoding as a user would name it, and notes.

    UTF-8 (with or without BOM) first; UTF-16 when it has its BOM; otherwise
    Windows-1252, reported as ISO-8859-1 when no byte tells them apart.
    """
    notes: list[str] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, label = raw[3:], "UTF-8 avec BOM"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16", notes
        except UnicodeDecodeError as exc:
            raise AteliersError(f"texte UTF-16 illisible ({exc.reason})", path=name, hint=_SAVE_AS_HINT) from None
    else:
        label = "UTF-8"
    try:
        return raw.decode("utf-8"), label, notes
    except UnicodeDecodeError as exc:
        first_bad = raw[: exc.start].count(b"\n") + 1
    high = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    in_pairs = sum(len(m.group()) for m in _UTF8_PAIR.finditer(raw))
    if label != "UTF-8" or (high and in_pairs / high > 0.8):
        # mostly valid UTF-8 with a few damaged bytes: keep the rest readable
        notes.append(f"octets invalides en UTF-8 (dès la ligne {first_bad}) remplacés par « \ufffd »")
        return raw.decode("utf-8", errors="replace"), label, notes
    if _C1_BYTES.search(raw):  # printable in Windows-1252, control characters in ISO-8859-1
        try:
            return raw.decode("cp1252"), "Windows-1252", notes
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "ISO-8859-1", notes


def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def _first_record(text: str) -> str:
    """The header record (a quoted header may span lines, rarely)."""
    end, quoted = 0, False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == "\n" and not quoted:
            end = i
            break
    else:
        end = len(text)
    return text[:end]


def detect_delimiter(text: str) -> str:
    """``;`` (French Excel), ``,`` or tab: the one the header uses most."""
    header = _first_record(text)
    counts = {d: _count_outside_quotes(header, d) for d in (";", "\t", ",", "|")}
    best = max(counts.values())
    if best == 0:
        return ","
    for d in (";", "\t", ",", "|"):  # ties: the French habit first
        if counts[d] == best:
            return d
    return ","  # pragma: no cover


def _read_csv(raw: bytes, name: str) -> Table:
    text, encoding, notes = decode_text(raw, name)
    text = text.lstrip("\ufeff")
    offset = 0
    m = re.match(r"\A\s*sep=(.)\s*?\r?\n", text)  # Excel's « sep=; » first line
    if m:
        delimiter = m.group(1)
        offset = 1
        text = text[m.end():]
    else:
        delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            records.append((start + offset, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message or "EOF" in message:
            what = "guillemet ouvert jamais refermé : le texte court jusqu'à la fin du fichier"
        elif "expected after" in message:
            what = f"guillemet mal placé : après un guillemet fermant, « {delimiter} » ou une fin de ligne est attendu"
        elif "field larger than field limit" in message:
            what = "champ démesuré (plus de 128 Ko) : guillemet jamais refermé ?"
        else:
            what = f"ligne illisible ({message})"
        raise AteliersError(
            what,
            path=name,
            line=start + offset,
            hint="un guillemet « \" » à l'intérieur d'un texte s'écrit doublé « \"\" » ; réenregistrez le fichier "
            "depuis le tableur",
        ) from None
    while records and not any(c.strip() for c in records[0][1]):
        records.pop(0)
    if not records:
        raise AteliersError("fichier vide (aucune ligne non blanche)", path=name)
    header_line, header = records[0]
    columns = _headers(header)
    rows = _make_rows(columns, iter(records[1:]))
    return Table(
        name, "csv", columns, rows, encoding=encoding, delimiter=delimiter, notes=notes, header_line=header_line
    )


# --- XLSX ---------------------------------------------------------------------


def _pick_sheet(names: list[str], wanted: str | None, name: str) -> int:
    if wanted is None:
        return 0
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return int(wanted) - 1
    folded = [fold(n) for n in names]
    if fold(wanted) in folded:
        return folded.index(fold(wanted))
    from ateliers_cli.hints import did_you_mean

    raise AteliersError(
        f"feuille « {wanted} » introuvable ; feuilles du classeur : " + ", ".join(f"« {n} »" for n in names),
        path=name,
        hint=did_you_mean(wanted, names) or "indiquez son nom ou son numéro (1 pour la première) avec --feuille",
    )


def _spreadsheet_table(
    name: str, kind: str, sheet_name: str, sheets: list[str], grid: Iterator[tuple[int, list[Any]]]
) -> Table:
    header_line, header = 0, []
    for line, cells in grid:
        if any(_cell_text(c).strip() for c in cells):
            header_line, header = line, cells
            break
    columns = _headers(header)
    # spreadsheets pad rows with empty cells up to the widest one: trim unnamed empty columns
    while columns and columns[-1].startswith("colonne ") and not _cell_text(header[len(columns) - 1]).strip():
        columns.pop()
    rows = _make_rows(columns, grid)
    # unnamed trailing columns that hold data come back as a row problem; named ones are kept
    notes = []
    if len(sheets) > 1:
        notes.append(
            f"feuille « {sheet_name} » lue ; le classeur en a {len(sheets)} : "
            + ", ".join(f"« {s} »" for s in sheets)
            + " (choisir : --feuille)"
        )
    return Table(
        name, kind, columns, rows, sheet=sheet_name, notes=notes, header_line=header_line or 1, sheets=list(sheets)
    )


def _read_xlsx(raw: bytes, name: str, sheet: str | None) -> Table:
    import openpyxl

    _xlsx_prescan(raw, name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise AteliersError(f"classeur XLSX illisible ({type(exc).__name__})", path=name, hint=_SAVE_AS_HINT) from None
    try:
        names = wb.sheetnames
        ws = wb[names[_pick_sheet(names, sheet, name)]]
        # the declared size (« A1:XFD1048576 ») can lie: rows are as long as their last cell
        ws.reset_dimensions()
        budget = _Budget(name)

        def grid() -> Iterator[tuple[int, list[Any]]]:
            for i, values in enumerate(ws.iter_rows(values_only=True)):
                budget.take(i + 1, len(values))
                yield i + 1, list(values)

        return _spreadsheet_table(name, "xlsx", ws.title, names, grid())
    finally:
        wb.close()


#: A sheet's XML larger than this, once unzipped, is refused unread (a « zip bomb »).
_MAX_SHEET_XML = 1024 * 1024 * 1024
_XLSX_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|v|is)[\s/>]")


def _xlsx_prescan(raw: bytes, name: str) -> None:
    """Count the rows holding a value and the cells of every sheet's XML, as it unzips, before
    openpyxl reads it (openpyxl parses a whole sheet just to learn its size when the file does not
    say it): a 1-million-row sheet is refused in a second instead of read for minutes."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for info in z.infolist():
                if "worksheets/" in info.filename and info.filename.endswith(".xml"):
                    if info.file_size > _MAX_SHEET_XML:
                        raise _too_big(
                            name, f"une feuille de {info.file_size // (1024 * 1024)} Mo une fois décompressée"
                        )
                    with z.open(info) as src:
                        _count_sheet(src, name)
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise AteliersError("classeur XLSX illisible (feuille endommagée)", path=name, hint=_SAVE_AS_HINT) from None


def _count_sheet(src: IO[bytes], name: str) -> None:
    rows = cells = 0
    in_row_with_value = False
    carry = b""
    while chunk := src.read(1 << 20):
        data = carry + chunk
        cut = data.rfind(b"<")
        data, carry = data[:cut], data[cut:]
        for m in _XLSX_TOKEN.finditer(data):
            if m.group(1) == b"row":
                in_row_with_value = False
                continue
            cells += 1
            if not in_row_with_value:
                in_row_with_value = True
                rows += 1
        if rows > MAX_ROWS + 1:
            raise _too_big(name, f"plus de {nombre(MAX_ROWS)} lignes remplies")
        if cells > MAX_CELLS:
            raise _too_big(name, f"plus de {nombre(MAX_CELLS)} cellules remplies")


def _read_xls(raw: bytes, name: str, sheet: str | None) -> Table:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds on a damaged file
        text = str(exc)
        hint = _SAVE_AS_HINT
        if "encrypt" in text.lower() or "password" in text.lower() or "Workbook" in text and "not found" in text:
            hint = "classeur protégé par un mot de passe ? retirez la protection puis " + _SAVE_AS_HINT
        raise AteliersError(f"classeur XLS illisible ({text[:80]})", path=name, hint=hint) from None
    try:
        names = book.sheet_names()
        sh = book.sheet_by_index(_pick_sheet(names, sheet, name))
        _Budget(name).take(1, sh.ncols, sh.nrows)

        def cell(r: int, c: int) -> Any:
            t = sh.cell_type(r, c)
            v = sh.cell_value(r, c)
            if t == xlrd.XL_CELL_DATE:
                try:
                    return xlrd.xldate_as_datetime(v, book.datemode)
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    return v
            if t == xlrd.XL_CELL_BOOLEAN:
                return bool(v)
            if t == xlrd.XL_CELL_ERROR:
                return ""
            return v

        def grid() -> Iterator[tuple[int, list[Any]]]:
            for r in range(sh.nrows):
                yield r + 1, [cell(r, c) for c in range(sh.ncols)]

        return _spreadsheet_table(name, "xls", sh.name, names, grid())
    finally:
        book.release_resources()


# --- ODS (LibreOffice Calc, the administration's own format) --------------------

#: content.xml larger than this, once unzipped, is refused (a « zip bomb » would fill the memory).
_MAX_ODS_XML = 256 * 1024 * 1024
#: A row or a cell repeated more than this is the empty end of a sheet, never data.
_MAX_REPEAT = 10_000


def _repeat(value: Any) -> int:
    """A « number-…-repeated » attribute: a count, 1 when absent or malformed."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 and int(text) > 0 else 1


def _ods_value(cell: Any) -> Any:
    """A cell of an ODS sheet as openpyxl would give it: number, date, boolean or text."""
    from odf import teletype

    kind = cell.getAttribute("valuetype")
    try:
        if kind in ("float", "percentage", "currency"):
            return float(cell.getAttribute("value"))
        if kind == "date":
            value = cell.getAttribute("datevalue") or ""
            return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        if kind == "boolean":
            return cell.getAttribute("booleanvalue") == "true"
    except (TypeError, ValueError):
        pass  # then the text shown in the cell
    paragraphs = [teletype.extractText(p) for p in cell.childNodes if getattr(p, "qname", (None, None))[1] == "p"]
    return "\n".join(paragraphs)


def _read_ods(raw: bytes, name: str, sheet: str | None) -> Table:
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table as OdsTable

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            size = z.getinfo("content.xml").file_size
    except (KeyError, zipfile.BadZipFile):
        raise AteliersError("classeur ODS illisible (content.xml absent)", path=name, hint=_SAVE_AS_HINT) from None
    if size > _MAX_ODS_XML:
        raise AteliersError(
            f"classeur ODS démesuré ({size // (1024 * 1024)} Mo une fois décompressé)",
            path=name,
            hint="exportez seulement la feuille utile, en CSV (UTF-8, séparateur « ; »)",
        )
    try:
        doc = load(io.BytesIO(raw))
        sheets = doc.spreadsheet.getElementsByType(OdsTable)
    except Exception as exc:  # noqa: BLE001 - odfpy raises many kinds on a damaged file
        raise AteliersError(f"classeur ODS illisible ({type(exc).__name__})", path=name, hint=_SAVE_AS_HINT) from None
    names = [str(s.getAttribute("name") or f"Feuille {i + 1}") for i, s in enumerate(sheets)]
    if not names:
        raise AteliersError("classeur ODS sans feuille", path=name, hint=_SAVE_AS_HINT)
    chosen = _pick_sheet(names, sheet, name)
    ws = sheets[chosen]
    cell_names = {(TABLENS, "table-cell"), (TABLENS, "covered-table-cell")}

    def rows_of(node: Any) -> Iterator[Any]:
        """The rows of a sheet in order, those inside row groups and header rows included."""
        for child in node.childNodes:
            local = getattr(child, "qname", (None, None))
            if local == (TABLENS, "table-row"):
                yield child
            elif local[0] == TABLENS and local[1] in ("table-rows", "table-row-group", "table-header-rows"):
                yield from rows_of(child)

    budget = _Budget(name)

    def grid() -> Iterator[tuple[int, list[Any]]]:
        line = 0
        for row in rows_of(ws):
            repeat = _repeat(row.getAttribute("numberrowsrepeated"))
            # a cell « repeated » 10 000 times in a row repeated 10 000 times is 100 million cells
            # from a few bytes: counted here, before any list is built
            runs: list[tuple[Any, int]] = []
            for cell in row.childNodes:
                if getattr(cell, "qname", None) not in cell_names:
                    continue
                runs.append((_ods_value(cell), min(_repeat(cell.getAttribute("numbercolumnsrepeated")), _MAX_REPEAT)))
            while runs and runs[-1][0] in ("", None):
                runs.pop()
            if not runs:  # blank rows, often « repeated » by the million at the end of a sheet
                line += repeat
                continue
            budget.take(line + 1, sum(n for _, n in runs), min(repeat, _MAX_REPEAT))
            cells: list[Any] = []
            for value, n in runs:
                cells.extend([value] * n)
            for _ in range(min(repeat, _MAX_REPEAT)):
                line += 1
                yield line, cells

    return _spreadsheet_table(name, "ods", names[chosen], names, grid())


# --- JSON ---------------------------------------------------------------------

_JSON_PROBLEMS = [
    ("Expecting ',' delimiter", "virgule attendue"),
    ("Expecting ':' delimiter", "deux-points attendu"),
    ("Expecting value", "valeur attendue"),
    ("Expecting property name enclosed in double quotes", "nom de clé entre guillemets doubles attendu"),
    ("Unterminated string", "texte non fermé (guillemet manquant)"),
    ("Extra data", "contenu en trop après la fin des données"),
    ("Invalid control character", "caractère de contrôle dans un texte"),
    ("Invalid \\escape", "séquence d'échappement invalide"),
]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_error(exc: json.JSONDecodeError, name: str, base_line: int = 0) -> AteliersError:
    msg = exc.msg
    for en, fr in _JSON_PROBLEMS:
        if msg.startswith(en):
            msg = fr
            break
    return AteliersError(
        f"JSON invalide (colonne {exc.colno}) : {msg}",
        path=name,
        line=exc.lineno + base_line,
        hint="vérifiez le fichier avec un validateur JSON ; un export attendu est une liste d'objets « [{…}, {…}] »",
    )


class _JsonWalker:
    """Decodes a JSON document item by item, to know the line where each object starts."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        # integers stay the digits they are: Python refuses to convert more than 4 300 of them
        self.dec = json.JSONDecoder(parse_int=str)
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def ws(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in " \t\r\n":
            pos += 1
        return pos

    def value(self, pos: int) -> tuple[Any, int]:
        try:
            return self.dec.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise _json_error(exc, self.name) from None
        except RecursionError:
            raise AteliersError(
                "JSON trop imbriqué : des listes ou des objets les uns dans les autres sans fin",
                path=self.name,
                line=self.line(pos),
                hint="un export attendu est une liste d'objets « [{…}, {…}] » ; vérifiez que c'est le bon fichier",
            ) from None

    def expect(self, pos: int, chars: str) -> int:
        pos = self.ws(pos)
        if pos >= len(self.text) or self.text[pos] not in chars:
            shown = " ou ".join(f"« {c} »" for c in chars)
            raise AteliersError(f"JSON invalide : {shown} attendu", path=self.name, line=self.line(pos))
        return pos

    def items(self, pos: int) -> Iterator[tuple[int, Any]]:
        """The items of the list or object at ``pos`` (a dict's values), with their lines."""
        pos = self.ws(pos)
        opening = self.text[pos]
        closing = "]" if opening == "[" else "}"
        pos = self.ws(pos + 1)
        if pos < len(self.text) and self.text[pos] == closing:
            return
        while True:
            pos = self.ws(pos)
            if opening == "{":
                _, pos = self.value(pos)
                pos = self.expect(pos, ":") + 1
                pos = self.ws(pos)
            start = pos
            item, pos = self.value(pos)
            yield self.line(start), item
            pos = self.expect(pos, "," + closing)
            if self.text[pos] == closing:
                rest = self.ws(pos + 1)
                if rest < len(self.text):
                    raise AteliersError(
                        "JSON invalide : contenu en trop après la fin des données", path=self.name, line=self.line(rest)
                    )
                return
            pos += 1


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects become « title/fr », « category/name/fr » columns, as Decidim's CSV names them."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = f"{prefix}/{k}" if prefix else str(k)
            if isinstance(v, dict) and v:
                out.update(_flatten(v, key))
            else:
                out[key] = v
    return out


def _json_cell(v: Any) -> str:
    if isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v):
            return " ; ".join(_cell_text(x) for x in v if x is not None)
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False) if v else ""
    return _cell_text(v)


def _read_json(raw: bytes, name: str) -> Table:
    text, encoding, notes = decode_text(raw, name)
    text = text.lstrip("\ufeff")
    walker = _JsonWalker(text, name)
    start = walker.ws(0)
    if start >= len(text) or text[start] not in "[{":
        raise AteliersError(
            "JSON inattendu : une liste d'objets « [{…}, {…}] » est attendue", path=name, line=walker.line(start)
        )
    entries = list(walker.items(start))
    if text[start] == "{":
        lists = [(line, v) for line, v in entries if isinstance(v, list)]
        if len(entries) == 1 and lists:
            # {"proposals": [...]}: the list inside
            inner = text.find("[", start)
            entries = list(walker.items(inner))
        elif not all(isinstance(v, dict) for _, v in entries):
            raise AteliersError(
                "JSON inattendu : une liste d'objets « [{…}, {…}] » est attendue (ou un objet dont chaque valeur est "
                "un objet)",
                path=name,
                line=walker.line(start),
            )
    columns: dict[str, None] = {}
    flat_rows: list[tuple[int, dict[str, Any] | None]] = []
    for line, item in entries:
        if not isinstance(item, dict):
            flat_rows.append((line, None))
            continue
        try:
            flat_item = _flatten(item)
        except RecursionError:
            raise AteliersError(
                "JSON trop imbriqué : des objets les uns dans les autres sans fin", path=name, line=line
            ) from None
        for k in flat_item:
            columns.setdefault(k, None)
        flat_rows.append((line, flat_item))
    names = list(columns)
    shown = {c: _SURROGATE.sub("\ufffd", c) for c in names}
    rows: list[Row] = []
    for line, item_values in flat_rows:
        if item_values is None:
            rows.append(Row(line, {shown[c]: "" for c in names}, "cet élément n'est pas un objet « {…} »"))
            continue
        try:
            values = {shown[c]: clean_cell(_json_cell(item_values.get(c))) for c in names}
        except RecursionError:
            raise AteliersError(
                "JSON trop imbriqué : des listes les unes dans les autres sans fin", path=name, line=line
            ) from None
        problem = ""
        for c, v in values.items():
            if _SURROGATE.search(v) or _SURROGATE.search(c):
                # « \ud800 » alone is half of a UTF-16 pair: no character, and no file can hold it
                problem = (
                    "texte invalide : une séquence « \\ud800 »…« \\udfff » isolée ne désigne aucun caractère (export "
                    "endommagé ?)"
                )
                values[c] = _SURROGATE.sub("\ufffd", v)
        if any(values.values()):
            rows.append(Row(line, values, problem))
    return Table(
        name, "json", [shown[c] for c in names], rows, encoding=encoding if encoding != "UTF-8" else "", notes=notes
    )
