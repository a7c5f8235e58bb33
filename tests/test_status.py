"""``ateliers status``: the stage, the figures, what blocks the next ``advance``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_status_of_the_example(example: Path) -> None:
    r = run_cli("-C", example, "status")
    assert r.exit_code == 0, r.output
    assert "1. Appel à contributions  ← étape en cours" in r.stdout
    assert "Contributions" in r.stdout
    assert "Tout est prêt" in r.stdout


def test_status_json(example: Path) -> None:
    r = run_cli("-C", example, "status", "--json")
    data = json.loads(r.stdout)
    assert data["etape"]["cle"] == "appel"
    assert data["chiffres"]["contributions"]["total"] >= 120
    assert [s["etat"] for s in data["etapes"]][:2] == ["en_cours", "a_venir"]
    assert data["bloquants"] == []
    assert data["pret"] is True


def test_status_lists_what_blocks(example: Path) -> None:
    first = min((example / "contributions").glob("*.md"))
    first.write_text(
        first.read_text(encoding="utf-8").replace("statut: analysee", "statut: nouvelle"), encoding="utf-8"
    )
    (example / "forums" / "lancement.yaml").unlink()
    r = run_cli("-C", example, "status", "--json")
    data = json.loads(r.stdout)
    messages = [b["message"] for b in data["bloquants"]]
    assert "contribution pas encore analysée (statut « nouvelle »)" in messages
    assert "le forum de lancement n'est pas planifié" in messages
    assert data["pret"] is False
    r = run_cli("-C", example, "status")
    assert "Ce qui bloque le passage à l'étape suivante (2)" in r.stdout
    assert f"contributions/{first.name}:" in r.stdout
