"""Hostile exports: a few bytes that announce billions of cells, JSON that no parser survives.

The spreadsheets run in a separate process with its address space capped at 2 Go (the tool used
3 Go on them and died of « MemoryError ») and a generous timeout that only guards against a hang:
the assertion is the French refusal, never a duration.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.importing import TWO_TERRITORIES, cli, new_consultation

MEMORY_CAP = 2 * 1024**3


@pytest.fixture
def two(tmp_path: Path) -> Path:
    return new_consultation(tmp_path, TWO_TERRITORIES)


def _capped_import(root: Path, export: Path) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ateliers_cli",
            "-C",
            str(root),
            "contributions",
            "import",
            str(export),
            "--territoire",
            "lille",
        ],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=cap,
        timeout=600,  # a hang guard only
        check=False,
    )
    done.stderr = done.stderr.replace("\u202f", " ")  # French thousands separator
    return done


def _ods_bomb(path: Path) -> Path:
    """1.6 Ko of ODS: one cell repeated 10 000 times in a row repeated 10 000 times."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Réponses">'
        '<table:table-row><table:table-cell '
        'office:value-type="string"><text:p>texte</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="10000">'
        '<table:table-cell table:number-columns-repeated="10000" office:value-type="string"><text:p>Plus de '
        'bus</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def _xlsx_rows(path: Path, rows: int) -> Path:
    """An XLSX as a script would write it: inline strings, no declared size, ``rows`` data rows."""
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    sheet.write('<row r="1"><c r="A1" t="inlineStr"><is><t>texte</t></is></c></row>')
    for i in range(2, rows + 2):
        sheet.write(
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>texte {i}</t></is></c></row>'
        )  # distinct: identical rows are one record
    sheet.write("</sheetData></worksheet>")
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
            'name="Réponses" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet.getvalue(),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def test_ods_repeated_cell_bomb_is_refused_in_french(two: Path, tmp_path: Path) -> None:
    export = _ods_bomb(tmp_path / "bombe.ods")
    assert export.stat().st_size < 2000
    r = _capped_import(two, export)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "bombe.ods:2: classeur démesuré : plus de 6 000 000 cellules" in r.stderr
    assert "découpez-le" in r.stderr
    assert "Erreur interne" not in r.stdout + r.stderr
    assert not list((two / "contributions").glob("C-*.md"))


def test_xlsx_of_a_million_rows_is_refused_in_french(two: Path, tmp_path: Path) -> None:
    export = _xlsx_rows(tmp_path / "enorme.xlsx", 1_000_000)
    r = _capped_import(two, export)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "enorme.xlsx: classeur démesuré : plus de 300 000 lignes remplies" in r.stderr
    assert "Erreur interne" not in r.stdout + r.stderr
    assert not list((two / "contributions").glob("C-*.md"))


def test_xlsx_below_the_caps_is_imported(two: Path, tmp_path: Path) -> None:
    """The same hand-written XLSX, small: the count before reading refuses only what is too big."""
    export = _xlsx_rows(tmp_path / "petit.xlsx", 3)
    r = cli("-C", two, "contributions", "import", export, "--territoire", "lille")
    assert r.exit_code == 0, r.output
    assert len(list((two / "contributions").glob("C-*.md"))) == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "profond.json:1: JSON trop imbriqué"),
        (
            '[\n{"texte": "a",\n "titre": {"fr": ' + '{"x": ' * 100_000 + "1" + "}" * 100_000 + "}}\n]",
            "profond.json:2: JSON trop imbriqué",
        ),
    ],
    ids=["listes", "objets"],
)
def test_json_nested_without_end_is_a_located_error(two: Path, tmp_path: Path, content: str, expected: str) -> None:
    export = tmp_path / "profond.json"
    export.write_text(content, encoding="utf-8")
    r = cli("-C", two, "contributions", "import", export, "--territoire", "lille")
    assert r.exit_code == 1
    assert expected in r.output
    assert "Erreur interne" not in r.output


def test_json_number_of_5000_digits_is_kept_as_text(two: Path, tmp_path: Path) -> None:
    export = tmp_path / "nombre.json"
    export.write_text('[{"texte": "Plus de bus le soir", "reference": ' + "9" * 5000 + "}]", encoding="utf-8")
    r = cli("-C", two, "contributions", "import", export, "--territoire", "lille")
    assert r.exit_code == 0, r.output
    assert "Erreur interne" not in r.output
    assert len(list((two / "contributions").glob("C-*.md"))) == 1


def test_json_lone_surrogate_rejects_its_row_with_the_line(two: Path, tmp_path: Path) -> None:
    export = tmp_path / "moitie.json"
    export.write_text('[\n{"texte": "Plus de bus"},\n{"texte": "Un texte \\ud800 coupé"}\n]', encoding="utf-8")
    r = cli("-C", two, "contributions", "import", export, "--territoire", "lille")
    assert r.exit_code == 1
    assert "moitie.json:3:" in r.output and "« \\ud800 »" in r.output and "isolée" in r.output
    assert "Erreur interne" not in r.output
    texts = [p.read_text(encoding="utf-8") for p in (two / "contributions").glob("C-*.md")]
    assert len(texts) == 1 and "Plus de bus" in texts[0]
