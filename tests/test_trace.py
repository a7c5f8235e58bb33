"""``ateliers trace``: the chain of a contribution, proposition, regroupement or orientation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ateliers_cli.errors import AteliersError
from ateliers_cli.load import load
from ateliers_cli.trace import Traceability, trace
from tests.conftest import GOOD_CONTRIBUTION, run_cli


def test_contribution_tree_follows_the_whole_chain(example: Path) -> None:
    r = run_cli("-C", example, "trace", "C-0001")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "Contribution C-0001 — « Juste parler à quelqu'un »" in out
    assert (
        "Elle a nourri l'orientation O-01 « Faire de chaque commune un territoire attentif à l'isolement », adoptée "
        "par l'assemblée."
        in out
    )
    # contribution → theme → workshops → proposition → regroupement → orientation → decision → restitution
    for step in (
        "isolement — Rompre l'isolement des personnes âgées",
        "lille-1 — Atelier de Roubaix",
        "P-LIL1-01 — Un réseau de voisins vigilants",
        "Regroupement G-01",
        "Orientation O-01",
        "Décision de l'assemblée : adoptée",
        "Restitution lille :",
        "lille — Hôtel du Département, Lille, le 17/09/2026 à 18 h 30 (tenu)",
    ):
        assert step in out, step
    assert out.index("P-LIL1-01") < out.index("G-01") < out.index("Orientation O-01") < out.index("Décision")


def test_contribution_json_is_the_same_chain(example: Path) -> None:
    r = run_cli("-C", example, "trace", "C-0001", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["type"] == "contribution"
    assert d["titre"] == "Juste parler à quelqu'un"
    assert [t["id"] for t in d["themes"]] == ["isolement"]
    assert "lille-1" in [a["id"] for a in d["ateliers"]]
    (p,) = d["propositions"]
    assert p["id"] == "P-LIL1-01" and "C-0001" in p["contributions"]
    assert p["regroupement"]["id"] == "G-01"
    (o,) = p["orientations"]
    assert (o["id"], o["decision"], o["decision_libelle"]) == ("O-01", "adoptee", "adoptée")
    assert {x["restitution"] for x in o["retours"]} >= {"lille"}
    assert d["restitutions"][0] == {
        "id": "lille",
        "lieu": "Hôtel du Département, Lille",
        "date": "2026-09-17T18:30",
        "statut": "tenu",
    }


def test_orientation_not_retained_shows_reason_and_amendments(example: Path) -> None:
    r = run_cli("-C", example, "trace", "O-09")
    assert r.exit_code == 0, r.output
    assert "non retenue — L'organisation de l'offre de soins relève de l'Agence régionale de santé" in r.stdout
    assert "Amendement de la commission finances" in r.stdout
    assert "Proposition P-VAL1-01" in r.stdout
    d = json.loads(run_cli("-C", example, "trace", "O-09", "--json").stdout)
    assert d["type"] == "orientation"
    assert {a["commission"] for a in d["amendements"]} == {"solidarites", "finances"}
    assert "C-0004" in d["contributions"]


def test_amended_orientation_gives_the_adopted_text(example: Path) -> None:
    d = json.loads(run_cli("-C", example, "trace", "O-06", "--json").stdout)
    assert d["decision"] == "amendee"
    assert d["texte_amende"].strip()
    assert "texte adopté" in run_cli("-C", example, "trace", "O-06").stdout


def test_proposition_lists_its_sources_and_fate(example: Path) -> None:
    r = run_cli("-C", example, "trace", "P-LIL1-01")
    assert r.exit_code == 0, r.output
    assert "Proposition P-LIL1-01 — Un réseau de voisins vigilants" in r.stdout
    assert "C-0001 — Jeanne M." in r.stdout
    assert "Regroupement G-01" in r.stdout
    d = json.loads(run_cli("-C", example, "trace", "P-LIL1-01", "--json").stdout)
    assert {"id": "C-0001", "auteur": "Jeanne M."} in d["contributions"]


def test_regroupement(example: Path) -> None:
    r = run_cli("-C", example, "trace", "G-01", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["type"] == "regroupement"
    assert "P-LIL1-01" in [p["id"] for p in d["propositions"]]
    assert [o["id"] for o in d["orientations"]] == ["O-01"]


def test_proposition_set_aside_says_why(example: Path) -> None:
    c = load(example).consultation
    assert c.synthese is not None and c.synthese.propositions_ecartees
    ecart = c.synthese.propositions_ecartees[0]
    d = trace(c, ecart.ref)
    assert d["ecartee"] == ecart.motif and d["regroupement"] is None
    assert "Écartée au forum de synthèse" in run_cli("-C", example, "trace", ecart.ref).stdout


def test_duplicate_is_followed_through_its_original(example: Path) -> None:
    c = load(example).consultation
    dup = next(ct for ct in c.contributions.values() if ct.statut == "doublon")
    d = trace(c, dup.id)
    assert d["doublon_de"] == dup.doublon_de
    assert d["original"]["id"] == dup.doublon_de
    assert f"Doublon de {dup.doublon_de}" in run_cli("-C", example, "trace", dup.id).stdout


def test_lower_case_id_is_accepted(example: Path) -> None:
    r = run_cli("-C", example, "trace", "c-0001")
    assert r.exit_code == 0
    assert "Contribution C-0001" in r.stdout


@pytest.mark.parametrize(
    ("ident", "message", "hint"),
    [
        ("C-1", "contribution « C-1 » introuvable", "vouliez-vous dire « C-0001 » ?"),
        ("P-LIL1-1", "proposition « P-LIL1-1 » introuvable", "vouliez-vous dire « P-LIL1-01 » ?"),
        ("O-1", "orientation « O-1 » introuvable", "vouliez-vous dire « O-01 » ?"),
        ("G-1", "regroupement « G-1 » introuvable", "vouliez-vous dire « G-01 » ?"),
        ("Q-0001", "identifiant « Q-0001 » introuvable", ""),
    ],
)
def test_unknown_id_is_a_french_error_with_a_hint(example: Path, ident: str, message: str, hint: str) -> None:
    r = run_cli("-C", example, "trace", ident)
    assert r.exit_code == 1
    assert message in r.stderr
    assert hint in r.stderr
    assert "Traceback" not in r.output


def test_without_consultation_is_a_french_error(tmp_path: Path) -> None:
    r = run_cli("-C", tmp_path, "trace", "C-0001")
    assert r.exit_code == 1
    assert "aucune consultation ici" in r.stderr


def test_early_consultation_has_a_short_chain(make_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    root = make_tree(
        {
            "contributions/C-0002.md": GOOD_CONTRIBUTION.replace("C-0001", "C-0002").replace(
                "statut: analysee", "statut: doublon\ndoublon_de: C-0001"
            )
        }
    )
    r = run_cli("-C", root, "trace", "C-0001")
    assert r.exit_code == 0, r.output
    assert "aucune proposition ne la cite" in r.stdout
    assert "aucun atelier" in r.stdout
    assert "Elle a été classée dans ses thèmes." in r.stdout


def test_user_text_is_not_rich_markup(make_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    root = make_tree(
        {
            "contributions/C-0001.md": GOOD_CONTRIBUTION.replace(
                "statut: analysee", 'statut: analysee\ntitre: "[bold red]Pas du balisage[/]"'
            )
        }
    )
    r = run_cli("-C", root, "trace", "C-0001")
    assert r.exit_code == 0, r.output
    assert "[bold red]Pas du balisage[/]" in r.stdout


def test_traceability_indexes_once_for_many_questions(example: Path) -> None:
    c = load(example).consultation
    t = Traceability(c)
    fates = [t.contribution_fate(ct) for ct in c.contributions.values()]
    assert len(fates) == len(c.contributions)
    assert all(f.summary for f in fates)
    with pytest.raises(AteliersError):
        t.trace("C-XXXX")
