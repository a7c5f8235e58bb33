"""« themes export » then « themes import »: the classification spreadsheet, filled by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import yaml

from tests.conftest import run_cli


def _meta(root: Path, cid: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((root / "contributions" / f"{cid}.md").read_text(encoding="utf-8").split("---\n")[1])


def _new(root: Path, cid: str) -> None:
    path = root / "contributions" / f"{cid}.md"
    text = path.read_text(encoding="utf-8")
    meta = _meta(root, cid)
    text = text.replace(f"themes: [{', '.join(meta['themes'])}]", "themes: []", 1).replace(
        "statut: analysee", "statut: nouvelle", 1
    )
    path.write_text(text, encoding="utf-8")


def test_export_xlsx_fill_and_import(example: Path, tmp_path: Path) -> None:
    for cid in ("C-0003", "C-0011", "C-0013"):
        _new(example, cid)
    sheet = tmp_path / "classement.xlsx"
    r = run_cli("-C", example, "themes", "export", "--out", sheet)
    assert r.exit_code == 0, r.output
    assert "3 contributions à classer" in r.stdout
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Classement"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["id", "titre", "extrait", "statut", "themes", "doublon_de"]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"C-0003", "C-0011", "C-0013"}
    assert rows["C-0003"]["suggestion 1"] == "numerique" and rows["C-0003"]["mots qui ont pesé"]
    assert [c.value for c in wb["Thèmes"][1]] == ["id", "titre"]
    # The analyst fills it: the first suggestion for one, another theme for the next, off topic for the last.
    ids = [ws.cell(row=n, column=1).value for n in range(2, 5)]
    for n, cid in enumerate(ids, start=2):
        if cid == "C-0003":
            ws.cell(row=n, column=5, value=rows[cid]["suggestion 1"])
        elif cid == "C-0011":
            ws.cell(row=n, column=5, value="mobilite, isolement")
        else:
            ws.cell(row=n, column=4, value="hors_sujet")
    wb.save(sheet)
    before = (example / "contributions" / "C-0011.md").read_text(encoding="utf-8")
    r = run_cli("-C", example, "themes", "import", sheet)
    assert r.exit_code == 0, r.output
    assert "3 contributions classées, sur 3 lignes du classeur" in r.stdout
    assert (_meta(example, "C-0003")["themes"], _meta(example, "C-0003")["statut"]) == (["numerique"], "analysee")
    assert _meta(example, "C-0011")["themes"] == ["mobilite", "isolement"]
    assert _meta(example, "C-0013")["statut"] == "hors_sujet"
    after = (example / "contributions" / "C-0011.md").read_text(encoding="utf-8")
    assert [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b] == [
        "themes: []",
        "statut: nouvelle",
    ]
    again = run_cli("-C", example, "themes", "import", sheet)
    assert "0 contribution classée" in again.stdout
    assert run_cli("-C", example, "check").exit_code == 0


def test_import_reports_every_bad_line_with_file_sheet_and_line(example: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "classement.xlsx"
    assert run_cli("-C", example, "themes", "export", "--toutes", "--out", sheet).exit_code == 0
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Classement"]
    ws.cell(row=3, column=5, value="mobilté")
    ws.cell(row=5, column=1, value="C-9999")
    ws.cell(row=7, column=4, value="doublon")
    ws.cell(row=7, column=5, value="")
    wb.save(sheet)
    files = {p: p.read_bytes() for p in (example / "contributions").glob("*.md")}
    r = run_cli("-C", example, "themes", "import", sheet)
    assert r.exit_code == 1
    err = r.stderr.replace(str(tmp_path) + "/", "")
    assert "classement.xlsx:Classement:3" in err and "thème inconnu : « mobilté »" in err and "« mobilite »" in err
    assert "classement.xlsx:Classement:5" in err and "contribution inconnue : « C-9999 »" in err
    assert "classement.xlsx:Classement:7" in err and "doublon_de" in err
    assert "rien n'a été modifié" in err
    assert {p: p.read_bytes() for p in files} == files
    ws.delete_cols(5)
    wb.save(sheet)
    r = run_cli("-C", example, "themes", "import", sheet)
    assert r.exit_code == 1 and "classement.xlsx:Classement:1" in r.stderr and "« themes »" in r.stderr


def test_export_ods_reads_back(example: Path, tmp_path: Path) -> None:
    _new(example, "C-0003")
    sheet = tmp_path / "classement.ods"
    assert run_cli("-C", example, "themes", "export", "--out", sheet).exit_code == 0
    r = run_cli("-C", example, "themes", "import", sheet, "--dry-run")
    assert r.exit_code == 0, r.output
    assert "0 contribution changerait" in r.stdout
    r = run_cli("-C", example, "themes", "export", "--out", sheet)
    assert r.exit_code == 2 and "--force" in r.stderr
    r = run_cli("-C", example, "themes", "export", "--out", tmp_path / "classement.csv")
    assert r.exit_code == 2 and ".xlsx" in r.stderr
