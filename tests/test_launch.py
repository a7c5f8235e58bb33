"""``ateliers check`` run straight away (launch.py): the same answer as the full command line, always."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BAD = Path(__file__).resolve().parent / "data" / "bad"
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}

FULL = "import sys\nfrom ateliers_cli.cli import main\nsys.argv[0] = 'ateliers'\nmain()\n"


def _direct(*args: object) -> subprocess.CompletedProcess[str]:
    """As the ``ateliers`` script runs it: launch.py first."""
    return subprocess.run(
        [sys.executable, "-m", "ateliers_cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        timeout=120,
    )


def _full(*args: object) -> subprocess.CompletedProcess[str]:
    """Through Typer, every command loaded."""
    return subprocess.run(
        [sys.executable, "-c", FULL, *map(str, args)], capture_output=True, text=True, env=ENV, check=False, timeout=120
    )


CASES = ["cle-inconnue", "bombe-yaml", "binaire", "encodage-inconnu", "cle-dupliquee", "calendrier-a-l-envers"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("options", [["--no-cache"], ["--no-cache", "--strict", "--format", "json"]])
def test_direct_check_answers_as_the_full_command_line(case: str, options: list[str], tmp_path: Path) -> None:
    import shutil

    root = tmp_path / case
    shutil.copytree(BAD / case, root)
    full = _full("-C", root, "check", *options)
    direct = _direct("-C", root, "check", *options)
    assert full.returncode == 1, full.stderr
    assert (direct.returncode, direct.stdout, direct.stderr) == (full.returncode, full.stdout, full.stderr)
    assert "Traceback" not in direct.stderr


def test_direct_check_outside_a_consultation(tmp_path: Path) -> None:
    full = _full("-C", tmp_path, "check")
    direct = _direct("-C", tmp_path, "check")
    assert direct.returncode == full.returncode == 1
    assert direct.stderr == full.stderr and "aucune consultation ici" in direct.stderr


def test_direct_check_reports_a_defect_as_the_full_command_line(tmp_path: Path) -> None:
    """A defect of the tool during check (simulated): « Erreur interne », exit 3, no traceback."""
    boom = (
        "import sys\nimport ateliers_cli.check as check\ndef boom(*a, **k):\n    raise "
        "RuntimeError('[bold]balise[/bold]')\ncheck.report_of = boom\nfrom ateliers_cli.launch import "
        "main\nsys.argv[0] = 'ateliers'\nmain()\n"
    )
    (tmp_path / "consultation.yaml").write_text("id: x\n", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-c", boom, "-C", str(tmp_path), "check"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        timeout=60,
    )
    assert r.returncode == 3 and "Traceback" not in r.stderr
    assert r.stderr.startswith("Erreur interne : RuntimeError: [bold]balise[/bold]")


def test_anything_else_goes_to_the_full_command_line() -> None:
    from ateliers_cli.launch import plain_check

    assert plain_check(["check"]) is not None
    assert plain_check(["-C", "x", "-q", "check", "--strict", "--format=json", "--no-cache"]) is not None
    for args in (
        ["status"],
        ["check", "--help"],
        ["-v", "check"],
        ["check", "--format", "xml"],
        ["check", "extra"],
        [],
        ["--version"],
    ):
        assert plain_check(args) is None, args
    r = _direct("check", "--format", "xml")
    assert r.returncode == 2 and "xml" in r.stderr  # Typer's own usage error, in French
