"""Written answers to contributions, and what an off-topic contribution is told."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from ateliers_cli.load import load
from ateliers_cli.site.build import build_site
from tests.conftest import EXAMPLE, run_cli


@pytest.fixture
def at_adoption(tmp_path: Path) -> Path:
    """The example at its adoption stage, promising each contributor a written answer."""
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    cy = root / "consultation.yaml"
    cy.write_text(
        cy.read_text(encoding="utf-8").replace("\netape: appel\n", "\nreponses_individuelles: true\netape: adoption\n"),
        encoding="utf-8",
    )
    return root


def _set(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("\n---\n", f"\n{key}: {json.dumps(value, ensure_ascii=False)}\n---\n", 1), encoding="utf-8"
    )


def test_the_gate_lists_the_contributions_without_an_answer(at_adoption: Path) -> None:
    root = at_adoption
    r = run_cli("-C", root, "advance", "--dry-run", "--par", "Essai")
    assert r.exit_code == 1, r.output
    # C-0002 fed no orientation with a template, and its theme has none: no answer
    assert re.search(r"contributions/C-0002\.md:\d+: erreur : contribution C-0002 sans réponse écrite", r.output), (
        r.output
    )
    assert "contributions/C-0001.md" not in r.output  # the template of O-01, which it fed, answers it
    assert re.search(r"… et \d+ autres contributions sans réponse écrite \(\d+ en tout\)", r.output)  # not all listed

    # a template per theme, and their own answer for the off-topic ones: the gate opens
    themes = [
        t["id"] for t in __import__("yaml").safe_load((root / "themes.yaml").read_text(encoding="utf-8"))["themes"]
    ]
    extra = "".join(
        f"  - id: theme-{t}\n    theme: {t}\n    texte: Merci, votre contribution a été lue et classée dans ce thème.\n"
        for t in themes
    )
    reponses = root / "reponses.yaml"
    reponses.write_text(reponses.read_text(encoding="utf-8") + extra, encoding="utf-8")
    for path in (root / "contributions").glob("*.md"):
        if "statut: hors_sujet" in path.read_text(encoding="utf-8"):
            _set(path, "reponse", "Votre question ne relève pas de cette consultation ; voyez le service indiqué.")
    r = run_cli("-C", root, "advance", "--dry-run", "--par", "Essai")
    assert r.exit_code == 0, r.output


def test_the_page_shows_the_written_answer_first(at_adoption: Path) -> None:
    root = at_adoption
    _set(
        root / "contributions/C-0029.md",
        "reponse",
        "Chère Paulette, merci : votre idée de goûters a été transmise au CCAS de Lille.",
    )
    build_site(load(root), root / "site")
    page = (root / "site/contributions/C-0029.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert headings[0] == "La réponse de l’équipe", headings
    assert "votre idée de goûters a été transmise au CCAS de Lille" in page
    # the template of the orientation C-0001 fed (through P-LIL1-01 and G-01) answers it
    c0001 = (root / "site/contributions/C-0001.html").read_text(encoding="utf-8")
    assert "La réponse de l’équipe" in c0001 and "territoire attentif" in c0001
    r = run_cli("-C", root, "trace", "C-0029", "--json")
    assert json.loads(r.stdout)["reponse"].startswith("Chère Paulette")


def test_an_off_topic_contribution_says_why_and_where_to_turn(at_adoption: Path) -> None:
    root = at_adoption
    build_site(load(root), root / "site")
    text = " ".join(
        re.sub(r"<[^>]+>", " ", (root / "site/contributions/C-0015.html").read_text(encoding="utf-8")).split()
    )
    assert "Motif : La fiscalité locale ne fait pas partie de la politique mise en débat." in text
    assert "Vers qui vous tourner : le centre des finances publiques de votre commune" in text
    assert "Restituée" not in text
    text = " ".join(
        re.sub(r"<[^>]+>", " ", (root / "site/contributions/C-0035.html").read_text(encoding="utf-8")).split()
    )
    assert "Vers qui vous tourner : le service des routes du Département" in text  # its own, over the reason's


def test_check_reports_unknown_templates_and_off_topic_without_reason(at_adoption: Path) -> None:
    root = at_adoption
    _set(root / "contributions/C-0001.md", "reponse_modele", "isolement-adopte")
    path = root / "contributions/C-0015.md"
    path.write_text(path.read_text(encoding="utf-8").replace("motif: fiscalite\n", ""), encoding="utf-8")
    r = run_cli("-C", root, "check")
    assert r.exit_code == 1
    assert re.search(
        r"contributions/C-0001\.md:\d+: erreur : modèle de réponse « isolement-adopte » inconnu", r.output
    ), r.output
    assert "vouliez-vous dire « isolement-adoptee » ?" in r.output
    assert "contributions/C-0015.md" in r.output and "hors sujet sans motif" in r.output
