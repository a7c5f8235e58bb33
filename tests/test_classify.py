"""« ateliers contributions classer »: classify without editing files, comments and key order kept."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import run_cli


def _meta(root: Path, cid: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((root / "contributions" / f"{cid}.md").read_text(encoding="utf-8").split("---\n")[1])


def _with_comment(root: Path, cid: str) -> bytes:
    """Put a comment in the front matter, as an analyst might, and return the file's bytes."""
    path = root / "contributions" / f"{cid}.md"
    text = path.read_text(encoding="utf-8").replace("\ncanal:", "\n# appelée au téléphone le 3 octobre\ncanal:", 1)
    path.write_text(text, encoding="utf-8")
    return path.read_bytes()


def test_classer_writes_only_themes_and_statut(example: Path) -> None:
    before = _with_comment(example, "C-0003")
    r = run_cli("-C", example, "contributions", "classer", "C-0003", "C-0001", "--themes", "mobilite, isolement")
    assert r.exit_code == 0, r.output
    assert "2 contributions classées" in r.stdout
    assert "C-0003 : analysee : numerique → analysee : mobilite, isolement" in r.stdout
    after = (example / "contributions" / "C-0003.md").read_bytes()
    old_lines, new_lines = before.decode().splitlines(), after.decode().splitlines()
    assert [a for a, b in zip(old_lines, new_lines, strict=True) if a != b] == ["themes: [numerique]"]
    assert "# appelée au téléphone le 3 octobre" in after.decode()
    assert _meta(example, "C-0003")["themes"] == ["mobilite", "isolement"]
    assert list(_meta(example, "C-0003")) == list(yaml.safe_load(before.decode().split("---\n")[1]))
    assert run_cli("-C", example, "check").exit_code == 0


def test_classer_statut_ajouter_doublon_and_dry_run(example: Path) -> None:
    r = run_cli("-C", example, "contributions", "classer", "C-0003", "--themes", "isolement", "--ajouter", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "changerait" in r.stdout and _meta(example, "C-0003")["themes"] == ["numerique"]
    assert (
        run_cli("-C", example, "contributions", "classer", "C-0003", "--themes", "isolement", "--ajouter").exit_code
        == 0
    )
    assert _meta(example, "C-0003")["themes"] == ["numerique", "isolement"]
    assert run_cli("-C", example, "contributions", "classer", "C-0004", "--statut", "hors_sujet").exit_code == 0
    meta = _meta(example, "C-0004")
    assert meta["statut"] == "hors_sujet" and meta["themes"] == []
    assert (
        run_cli(
            "-C", example, "contributions", "classer", "C-0005", "--statut", "doublon", "--doublon-de", "C-0001"
        ).exit_code
        == 0
    )
    meta = _meta(example, "C-0005")
    assert meta["statut"] == "doublon" and meta["doublon_de"] == "C-0001"
    assert run_cli("-C", example, "contributions", "classer", "C-0005", "--themes", "mobilite").exit_code == 0
    assert "doublon_de" not in _meta(example, "C-0005")
    r = run_cli("-C", example, "contributions", "classer", "C-0005", "--themes", "mobilite")
    assert "Déjà ainsi, inchangée : C-0005" in r.stdout
    assert run_cli("-C", example, "check").exit_code == 0


def test_classer_reports_every_problem_and_writes_nothing(example: Path) -> None:
    files = {p: p.read_bytes() for p in (example / "contributions").glob("*.md")}
    r = run_cli("-C", example, "contributions", "classer", "C-0003", "C-9999", "C-0004", "--themes", "mobilté,inconnu")
    assert r.exit_code == 1
    assert "contribution inconnue : « C-9999 »" in r.stderr
    assert "thème inconnu : « mobilté »" in r.stderr and "vouliez-vous dire « mobilite » ?" in r.stderr
    assert "thème inconnu : « inconnu »" in r.stderr
    assert "rien n'a été modifié" in r.stderr
    assert {p: p.read_bytes() for p in files} == files
    r = run_cli("-C", example, "contributions", "classer", "C-0003", "--statut", "doublon")
    assert r.exit_code == 1 and "--doublon-de" in r.stderr
    r = run_cli("-C", example, "contributions", "classer", "C-0003")
    assert r.exit_code == 2 and "donnez --themes, --statut" in r.stderr
    r = run_cli("-C", example, "contributions", "classer", "C-0003", "--statut", "hors_sujet", "--themes", "mobilite")
    assert r.exit_code == 2


def test_classified_contributions_become_examples_for_tag(example: Path) -> None:
    import json

    r = json.loads(run_cli("-C", example, "themes", "tag", "--toutes", "--json").stdout)
    n = r["exemples"]
    assert run_cli("-C", example, "contributions", "classer", "C-0004", "--statut", "hors_sujet").exit_code == 0
    assert json.loads(run_cli("-C", example, "themes", "tag", "--toutes", "--json").stdout)["exemples"] == n - 1


def test_classer_hors_sujet_with_its_motif_and_redirection(example: Path) -> None:
    """An off-topic contribution classified with its reason: « check » has nothing to say."""
    r = run_cli(
        "-C",
        example,
        "contributions",
        "classer",
        "C-0003",
        "--statut",
        "hors_sujet",
        "--motif",
        "Une question d'impôt local",
        "--redirection",
        "Le centre des finances publiques",
    )
    assert r.exit_code == 0, r.output
    meta = _meta(example, "C-0003")
    assert (meta["statut"], meta["motif"], meta["redirection"]) == (
        "hors_sujet",
        "Une question d'impôt local",
        "Le centre des finances publiques",
    )
    assert "hors sujet sans motif" not in run_cli("-C", example, "check").output
    r = run_cli("-C", example, "contributions", "classer", "C-0001", "--themes", "isolement", "--motif", "sans objet")
    assert r.exit_code != 0 and "ne vont qu'avec le statut hors_sujet" in r.output
    assert "motif" not in _meta(example, "C-0001")
