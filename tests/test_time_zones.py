"""Dates written with their offset (``2026-01-10T09:30+01:00``, ``…Z``), as the published schema
allows: read as Paris time, compared with the others, never an « Erreur interne »."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli


def _zoned(example: Path, date: str, fin: str) -> None:
    path = example / "ateliers" / "lille-1.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^date: .*$", f"date: {date}", text, count=1)
    text = re.sub(r"(?m)^fin: .*$", f"fin: {fin}", text, count=1)
    path.write_text(text, encoding="utf-8")


def test_dates_with_an_offset_are_accepted_everywhere(example: Path) -> None:
    _zoned(example, "2026-01-10T09:30+01:00", "2026-01-10T11:30Z")  # 12:30 in Paris
    contribution = example / "contributions" / "C-0001.md"
    contribution.write_text(
        contribution.read_text(encoding="utf-8").replace("date: 2025-09-15\n", "date: 2025-09-15T10:00:00+02:00\n", 1),
        encoding="utf-8",
    )
    for args in (["check", "--strict"], ["status"], ["advance", "--dry-run"]):
        r = run_cli("-C", example, *args)
        assert r.exit_code == 0, (args, r.output)
        assert "Erreur interne" not in r.output


def test_offsets_are_compared_as_paris_time(example: Path) -> None:
    # 09:30 in Paris, then 08:00 in universal time: 09:00 in Paris, before the start
    _zoned(example, "2026-01-10T09:30+01:00", "2026-01-10T08:00Z")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1
    assert "ateliers/lille-1.yaml:5: erreur : l'atelier « lille-1 » finit avant de commencer" in r.output
    assert "Erreur interne" not in r.output
    # a naive start and a zoned end in the same instant zone: no problem
    _zoned(example, "2026-01-10T09:30", "2026-01-10T09:00Z")  # 10:00 in Paris
    assert run_cli("-C", example, "check").exit_code == 0
