"""The private registers of ``prive/``: CSV files read leniently and written back in their own dialect.

Personal details never go in a versioned file: they go to ``prive/contributeurs.csv``
(by contribution id) and ``prive/inscriptions.csv`` (by registration). Both are
« ; »-separated, UTF-8 with a BOM, so that a French Excel opens them as they are;
a register edited by hand in another dialect (« , », Windows-1252, « \\n ») is
written back in that dialect. Cells that a spreadsheet would take for a formula
are defused on the way out and restored on the way in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ateliers_cli.errors import AteliersError
from ateliers_cli.importers.util import fold
from ateliers_cli.store import paths

#: Columns of prive/contributeurs.csv, in order (a column added by hand is kept after them).
CONTRIBUTOR_COLUMNS = (
    "id",
    "personne",
    "nom",
    "prenom",
    "courriel",
    "telephone",
    "adresse",
    "commune",
    "code_postal",
    "autres",
    "source",
)

#: The names a column may have in a register edited by hand.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "nom": ("nom", "nom_de_famille"),
    "prenom": ("prenom",),
    "courriel": ("courriel", "email", "e_mail", "mail", "adresse_electronique"),
    "telephone": ("telephone", "tel", "portable"),
    "adresse": ("adresse",),
}

_NUMBERED = re.compile(r"^C-(\d+)$")


def _restore(value: str) -> str:
    from ateliers_cli.export.csvsafe import restore  # here: the export package is heavy to import

    return restore(value)


def _defuse(value: str) -> str:
    from ateliers_cli.export.csvsafe import defuse

    return defuse(value)


def _column_key(header: str) -> str:
    return fold(header).replace(" ", "_").replace("-", "_")


@dataclass
class PrivateCsv:
    """A CSV of ``prive/``, kept in its own dialect (BOM, separator, line ends, encoding) when rewritten."""

    rel: str
    header: list[str]
    rows: list[list[str]]
    delimiter: str = ";"
    bom: bool = True
    encoding: str = "utf-8"
    newline: str = "\r\n"
    original: bytes = b""

    @classmethod
    def new(cls, rel: str, header: Iterable[str]) -> PrivateCsv:
        """An empty register in the house dialect (« ; », UTF-8 with a BOM, « \\r\\n »)."""
        return cls(rel, list(header), [])

    @classmethod
    def read(cls, root: Path, rel: str) -> PrivateCsv | None:
        """The register at ``rel``, or ``None`` when there is none."""
        path = root / rel
        if not path.is_file():
            return None
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise AteliersError(
                f"{rel} illisible : {exc.strerror}", path=rel, hint="vérifiez les droits du fichier"
            ) from None
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text, encoding = raw.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
        first = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first.count)
        newline = "\r\n" if "\r\n" in text[:10000] or not text else "\n"
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise AteliersError(
                f"{rel} illisible : {exc}",
                path=rel,
                hint="ce fichier doit être un CSV séparé par « ; » ; corrigez-le ou renommez-le",
            ) from None
        header = rows[0] if rows else []
        return cls(rel, header, rows[1:], delimiter, bom or not raw, encoding, newline, raw)

    @classmethod
    def read_or_new(cls, root: Path, rel: str, header: Iterable[str]) -> PrivateCsv:
        return cls.read(root, rel) or cls.new(rel, header)

    def column(self, *names: str) -> int | None:
        """The index of the first column called one of ``names`` (accents, case and dashes aside)."""
        folded = [_column_key(h) for h in self.header]
        for name in names:
            if name in folded:
                return folded.index(name)
        return None

    def field(self, name: str) -> int | None:
        """The column of a known field (:data:`SYNONYMS`), or of that exact name."""
        return self.column(*SYNONYMS.get(name, (name,)))

    @staticmethod
    def cell(row: list[str], index: int | None) -> str:
        return _restore(row[index].strip()) if index is not None and index < len(row) else ""

    def dicts(self) -> list[dict[str, str]]:
        """Every row as ``{column: value}`` (values restored)."""
        return [{h: self.cell(row, i) for i, h in enumerate(self.header) if h} for row in self.rows]

    def line_of(self, row: list[str]) -> int:
        """The line of ``row`` in the file (1 is the header), for messages."""
        return 2 + self.rows.index(row)

    def to_bytes(self) -> bytes:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, delimiter=self.delimiter, lineterminator=self.newline)
        w.writerow(self.header)
        w.writerows(self.rows)
        data = buf.getvalue().encode(self.encoding, errors="replace")
        return (b"\xef\xbb\xbf" + data) if self.bom else data

    @property
    def changed(self) -> bool:
        return self.to_bytes() != self.original


def dict_rows_bytes(columns: Iterable[str], rows: Iterable[Mapping[str, str]]) -> bytes:
    """Rows written in the house dialect, each cell defused (opened in a spreadsheet: no formula)."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(columns), delimiter=";", lineterminator="\r\n", extrasaction="ignore")
    w.writeheader()
    for row in rows:
        w.writerow({k: _defuse(v) for k, v in row.items()})
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def read_dicts(root: Path, rel: str) -> list[dict[str, str]]:
    """The rows of the register at ``rel`` as dictionaries (none when the file is absent)."""
    register = PrivateCsv.read(root, rel)
    return register.dicts() if register is not None else []


def id_sort_key(cid: str) -> tuple[int, int, str]:
    """C-0002 before C-0010; other ids after, alphabetically."""
    m = _NUMBERED.match(cid)
    return (0, int(m.group(1)), cid) if m else (1, 0, cid)


class ContributorRegister:
    """``prive/contributeurs.csv``: personal details by contribution id.

    Rows are read under the usual field names (:data:`SYNONYMS`: a column « E-mail »
    added by hand is the ``courriel``) and written back under the file's own header,
    in its own dialect; a new file gets :data:`CONTRIBUTOR_COLUMNS`.
    """

    def __init__(self, root: Path) -> None:
        self.rel = paths.CONTRIBUTORS
        self.path = root / self.rel
        self._csv = PrivateCsv.read(root, self.rel) or PrivateCsv.new(self.rel, CONTRIBUTOR_COLUMNS)
        self.rows: dict[str, dict[str, str]] = {}
        self.lines: dict[str, int] = {}
        # field name -> the file's header for it
        self._names: list[str] = [_field_of(h) for h in self._csv.header]
        id_col = self._csv.field("id")
        if id_col is None and self._csv.rows:
            raise AteliersError(
                "registre des contributeurs sans colonne « id » : impossible de savoir à quelle contribution va "
                "chaque ligne",
                path=self.rel,
                line=1,
                hint="rétablissez la colonne « id » (identifiant de la contribution, comme C-0042) en première ligne",
            )
        for n, row in enumerate(self._csv.rows):
            cid = self._csv.cell(row, id_col)
            if cid:
                self.rows[cid] = {
                    self._names[i]: self._csv.cell(row, i)
                    for i in range(min(len(row), len(self._names)))
                    if self._names[i]
                }
                self.lines[cid] = n + 2

    @property
    def columns(self) -> list[str]:
        return list(self._names)

    def get(self, cid: str) -> dict[str, str]:
        return self.rows.get(cid, {})

    def set(self, cid: str, values: Mapping[str, str] | None) -> None:
        """Record ``values`` for ``cid`` (or forget it when there is nothing personal)."""
        clean = {k: v for k, v in (values or {}).items() if v}
        if not any(v for k, v in clean.items() if k not in ("id", "source", "personne")):
            self.rows.pop(cid, None)
            return
        clean["id"] = cid
        for k in clean:
            if k not in self._names:
                self._names.append(k)
                self._csv.header.append(k)
        self.rows[cid] = clean

    def remove(self, cids: Iterable[str]) -> None:
        for cid in cids:
            self.rows.pop(cid, None)

    def to_bytes(self) -> bytes:
        names = self._names
        self._csv.rows = [
            [_defuse(self.rows[cid].get(name, "")) if name else "" for name in names]
            for cid in sorted(self.rows, key=id_sort_key)
        ]
        return self._csv.to_bytes()

    @property
    def changed(self) -> bool:
        return self.new_bytes() is not None

    def new_bytes(self) -> bytes | None:
        """The register to write, None when it is as on disk (made once: 100 000 rows)."""
        data = self.to_bytes()
        return None if data == self._csv.original else data


def _field_of(header: str) -> str:
    """The usual name of a column of a register (« E-mail » is the ``courriel``)."""
    key = _column_key(header)
    for name, synonyms in SYNONYMS.items():
        if key in synonyms:
            return name
    return key if key in CONTRIBUTOR_COLUMNS else header
