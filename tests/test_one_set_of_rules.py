"""One set of rules: what a later command enforces, ``check`` finds first, ``advance`` refuses for,
and ``status`` says blocks — never « Tout est prêt » while ``check`` finds errors."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_cli

ERROR_LINE = re.compile(r"^(\S+:\d+): erreur : (.*)$", re.MULTILINE)


def _break(example: Path) -> None:
    # three rules of the open-data schema (enforced by export and site)…
    delib = example / "deliberation.yaml"
    text = delib.read_text(encoding="utf-8")
    assert "  matiere_nom: Aide sociale\n" in text
    text = text.replace(
        "  matiere_nom: Aide sociale\n",
        '  matiere_nom: Urbanisme\n  budget_annee: "2027/2026"\n  budget_nom: Budget principal\n  prefecture: PREF59\n',
    )
    delib.write_text(text, encoding="utf-8")
    # …and what the loader finds: a contribution about a territory that does not exist
    c1 = example / "contributions" / "C-0001.md"
    c1.write_text(c1.read_text(encoding="utf-8").replace("territoire: lille", "territoire: lile", 1), encoding="utf-8")


def test_check_finds_the_open_data_rules_and_status_agrees(example: Path) -> None:
    _break(example)
    checked = run_cli("-C", example, "check")
    assert checked.exit_code == 1
    errors = set(ERROR_LINE.findall(checked.output))
    wanted = {
        "deliberation.yaml:65: DELIB_MATIERE_NOM",
        "deliberation.yaml:66: BUDGET_ANNEE",
        "deliberation.yaml:68: PREF_ID",
        "contributions/C-0001.md:6: ",
    }
    for w in wanted:
        where, what = w.split(": ", 1)
        assert any(e[0] == where and e[1].startswith(what) for e in errors), (w, checked.output)

    status = run_cli("-C", example, "status")
    assert "Tout est prêt" not in status.output
    assert set(ERROR_LINE.findall(status.output)) >= errors  # every error of check blocks

    advance = run_cli("-C", example, "advance", "--dry-run")
    assert advance.exit_code == 1
    assert "BUDGET_ANNEE" in advance.output and "PREF_ID" in advance.output


def test_status_is_ready_when_check_is_clean(example: Path) -> None:
    assert run_cli("-C", example, "check").exit_code == 0
    assert "Tout est prêt" in run_cli("-C", example, "status").output
