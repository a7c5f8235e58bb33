"""A platform's category column is data, not personal data: it maps to themes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ateliers_cli.importers.mapping import is_personal_column, match_themes
from tests.importing import TWO_TERRITORIES, cli, contribution_files, new_consultation, write_bytes

DECIDIM = (
    "id;category/id;category/name/en;category/name/fr;scope/id;scope/name/en;scope/name/fr;title;body;votes;comments;created_at;url;component/id;meeting_urls\n"
    "4521;3;Mobility;Transports et mobilité;12;Lille;Lille;Des bus le dimanche;Le dimanche, il n'y a plus de "
    "bus.;12;3;2019-01-24 22:29:15 +0100;https://x/p/4521;5;\n"
    "4522;4;Ecology;Écologie;13;Douai;Douai;Pistes cyclables;Plus de pistes à Douai.;4;0;2019-01-25 08:00:00 +0100;https://x/p/4522;5;\n"
    "4523;5;Culture;Culture et patrimoine;13;Douai;Douai;Un musée;Ouvrir le musée le lundi.;4;0;2019-01-25 09:00:00 +0100;https://x/p/4523;5;\n"
)

THEMES = """\
themes:
  - id: mobilite
    titre: Se déplacer, mobilité
    description: Les transports.
    nature: question_de_fond
    question: Comment se déplacer ?
    mots_cles: [bus]
    commissions: []
  - id: transition-ecologique
    titre: La transition écologique
    description: Climat et nature.
    nature: question_de_fond
    question: Comment ?
    mots_cles: [climat]
    commissions: []
"""


def _front(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def consultation(tmp_path: Path) -> Path:
    root = new_consultation(tmp_path, TWO_TERRITORIES)
    (root / "themes.yaml").write_text(THEMES, encoding="utf-8")
    return root


def test_category_name_column_is_not_personal_data(consultation: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "decidim.csv", DECIDIM.encode())
    r = cli("-C", consultation, "contributions", "import", export, "--dry-run")
    assert r.exit_code == 0, r.output
    assert "Colonnes personnelles" not in r.stdout
    assert "--map themes=category/name/fr" in r.stdout


def test_map_themes_matches_categories_to_theme_titles(consultation: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "decidim.csv", DECIDIM.encode())
    r = cli("-C", consultation, "contributions", "import", export, "--map", "themes=category/name/fr")
    assert r.exit_code == 0, r.output
    assert "« Transports et mobilité » → mobilite (1)" in r.stdout
    assert "« Écologie » → transition-ecologique (1)" in r.stdout
    assert (
        "catégorie « Culture et patrimoine » : aucun thème de themes.yaml ne lui correspond : 1 contribution importée "
        "sans thème"
        in r.stdout
    )
    a, b, c = contribution_files(consultation)
    assert (_front(a)["themes"], _front(a)["statut"]) == (["mobilite"], "analysee")
    assert (_front(b)["themes"], _front(b)["statut"]) == (["transition-ecologique"], "analysee")
    assert (_front(c)["themes"], _front(c)["statut"]) == ([], "nouvelle")  # imported all the same: nothing lost
    prive = (consultation / "prive").rglob("*")
    assert not any("Transports et mobilité" in p.read_text(encoding="utf-8") for p in prive if p.is_file())
    assert cli("-C", consultation, "check").exit_code == 0


def test_value_mapping_translates_categories(consultation: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "decidim.csv", DECIDIM.encode())
    mapping = tmp_path / "correspondance.yaml"
    mapping.write_text(
        "colonnes:\n  themes: category/name/fr\nvaleurs:\n  themes:\n    Culture et patrimoine: [mobilite, "
        "transition-ecologique]\n",
        encoding="utf-8",
    )
    r = cli("-C", consultation, "contributions", "import", export, "--mapping", mapping)
    assert r.exit_code == 0, r.output
    *_, c = contribution_files(consultation)
    assert _front(c)["themes"] == ["mobilite", "transition-ecologique"]


def test_match_themes() -> None:
    themes = {"mobilite": "Se déplacer, mobilité", "sante": "Santé et soins", "sport": "Le sport pour tous"}
    assert match_themes("Mobilité", themes, {}) == (["mobilite"], "")
    assert match_themes("santé", themes, {}) == (["sante"], "")
    assert match_themes("Sports", themes, {}) == (["sport"], "")
    assert match_themes("Santé ; Sport", themes, {}) == (["sante", "sport"], "")
    assert match_themes("Économie", themes, {})[0] == []
    assert match_themes("Économie", themes, {"economie": "sante"}) == (["sante"], "")
    ids, problem = match_themes("Économie", themes, {"economie": "finances"})
    assert ids == [] and "finances" in problem


def test_personal_columns_by_what_they_hold() -> None:
    assert not is_personal_column("category/name/fr", ["Mobilité"] * 3)
    assert not is_personal_column("scope/name/fr")
    assert is_personal_column("author/name")
    assert is_personal_column("Nom")
    assert not is_personal_column("Nom", ["Mobilité", "Santé"] * 10)  # a few labels repeated: categories
    assert is_personal_column("Nom", [f"Personne {i}" for i in range(20)])
    assert is_personal_column("Remarques", ["jeanne@example.org", "joindre au 06 12 34 56 78"][:1] * 3)
    assert is_personal_column("Contact", ["06 12 34 56 78", "07 00 00 00 00"])
    assert not is_personal_column("Remarques", ["rien à signaler", "bien"])
