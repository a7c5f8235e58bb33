"""Shared fixtures: the example copied to a temporary folder, small broken trees, the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ateliers_cli.cli import app
from ateliers_cli.scaffold import InitOptions, init

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "exemple_consultation"
#: The secret of the person keys in every test (and the processes they start: see test_crash.ENV).
PERSON_SECRET = "cle-des-tests-de-personnes"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Réécrit les fichiers de référence de tests/golden/.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see a fixed « today » (after every date of the example), for reproducible output."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    # person keys: a fixed secret, never the user's own (store/persons.py); ids without a block
    monkeypatch.setenv("ATELIERS_CLE_PERSONNES", PERSON_SECRET)
    monkeypatch.delenv("ATELIERS_ANIMATEUR", raising=False)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str | Path) -> Run:
    runner = CliRunner()
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh copy of exemple_consultation/."""
    target = tmp_path / "exemple"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    return target


MINIMAL_CONSULTATION = """\
id: essai
titre: Essai
collectivite:
  nom: Département du Nord
  conseil: Conseil départemental du Nord
territoires:
  - id: lille
    nom: Lille
    population: 1267099
  - id: douai
    nom: Douai
    population: 245007
commissions:
  - id: solidarites
    nom: Commission Solidarités
calendrier:
  appel: {debut: 2026-01-05, fin: 2026-02-27}
etape: appel
historique: []
"""

MINIMAL_THEMES = """\
themes:
  - id: isolement
    titre: Rompre l'isolement
    nature: question_de_fond
    mots_cles: [isolement]
    commissions: [solidarites]
"""

GOOD_CONTRIBUTION = """\
---
id: C-0001
date: 2026-01-12
profil: habitant
canal: formulaire
territoire: lille
auteur: Jeanne M.
publication: true
themes: [isolement]
statut: analysee
---
Je vis seule depuis la mort de mon mari.
"""


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """A minimal valid consultation, with the given files written (or replaced) on top."""

    def make(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "c"
        base: dict[str, str | bytes] = {
            "consultation.yaml": MINIMAL_CONSULTATION,
            "themes.yaml": MINIMAL_THEMES,
            "contributions/C-0001.md": GOOD_CONTRIBUTION,
        }
        base.update(files)
        for rel, content in base.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


@pytest.fixture
def new_consultation(tmp_path: Path) -> Path:
    root = tmp_path / "nouvelle"
    init(root, InitOptions())
    return root
