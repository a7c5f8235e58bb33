"""``ateliers advance``: gates, dry run, all-or-nothing, git commits and tags, render idempotence."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ateliers_cli.stages import Stage
from tests.conftest import run_cli


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".ateliers-cache" not in p.parts
    }


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(example: Path) -> Path:
    _git(example, "init", "-q", "-b", "main")
    _git(example, "config", "user.name", "Marie Dupont")
    _git(example, "config", "user.email", "marie.dupont@example.invalid")
    (example / ".gitignore").write_text("prive/\n.ateliers-cache/\n.ateliers.lock\nsite/\n", encoding="utf-8")
    _git(example, "add", "-A")
    _git(example, "commit", "-q", "-m", "Consultation importée")
    return example


def test_seven_stages_in_git(repo: Path) -> None:
    for n, stage in enumerate(Stage.process(), start=1):
        r = run_cli("-C", repo, "advance", "--commit")
        assert r.exit_code == 0, r.output
        assert f"etape-{n}-{stage.value}" in r.output
        assert _git(repo, "status", "--porcelain") == "", f"arbre sale après {stage.value}"
    tags = _git(repo, "tag", "--list").split()
    assert tags == sorted(f"etape-{s.number}-{s.value}" for s in Stage.process())
    assert _git(repo, "cat-file", "-t", "etape-1-appel").strip() == "tag"  # annotated
    text = (repo / "consultation.yaml").read_text(encoding="utf-8")
    assert "etape: cloturee" in text
    assert text.count("par: Marie Dupont") == 7
    # each passage but the last records the commit that made it
    first_commit = _git(repo, "rev-parse", "etape-1-appel^{commit}").strip()
    assert f"commit: {first_commit}" in text
    # the comments of the hand-written file survived the seven edits
    original = subprocess.run(
        ["git", "-C", str(repo), "show", "HEAD~7:consultation.yaml"], check=True, capture_output=True, text=True
    ).stdout
    for line in original.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text

    # render changes nothing
    before = _snapshot(repo)
    r = run_cli("-C", repo, "render")
    assert r.exit_code == 0, r.output
    assert "aucun fichier modifié" in r.output
    assert _snapshot(repo) == before
    assert _git(repo, "status", "--porcelain") == ""

    # an eighth advance is refused cleanly
    r = run_cli("-C", repo, "advance", "--commit")
    assert r.exit_code == 1
    assert "clôturée" in r.output
    assert "Traceback" not in r.output


def test_dry_run_writes_nothing(example: Path) -> None:
    before = _snapshot(example)
    r = run_cli("-C", example, "advance", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "Simulation" in r.output
    assert "documents/1-appel/synthese-des-contributions.md" in r.output
    assert _snapshot(example) == before


def test_gate_refusal_lists_everything_and_changes_nothing(example: Path) -> None:
    path = example / "contributions" / "C-0003.md"
    path.write_text(path.read_text(encoding="utf-8").replace("statut: analysee", "statut: nouvelle"), encoding="utf-8")
    (example / "forums" / "lancement.yaml").unlink()
    before = _snapshot(example)
    r = run_cli("-C", example, "advance")
    assert r.exit_code == 1
    assert "impossible de quitter l'étape « Appel à contributions »" in r.output
    assert "contributions/C-0003.md:" in r.output and "pas encore analysée" in r.output
    assert "forums/lancement.yaml: erreur : le forum de lancement n'est pas planifié" in r.output
    assert _snapshot(example) == before


def test_dirty_tree_refused_unless_allowed(repo: Path) -> None:
    (repo / "contributions" / "C-0001.md").write_text(
        (repo / "contributions" / "C-0001.md").read_text(encoding="utf-8") + "\nPost-scriptum.\n", encoding="utf-8"
    )
    r = run_cli("-C", repo, "advance")
    assert r.exit_code == 1
    assert "ne sont pas enregistrées dans git" in r.output
    assert "--allow-dirty" in r.output
    r = run_cli("-C", repo, "advance", "--allow-dirty", "--par", "Paul Martin")
    assert r.exit_code == 0, r.output
    assert "par: Paul Martin" in (repo / "consultation.yaml").read_text(encoding="utf-8")


def test_dry_run_on_a_dirty_tree_lists_every_refusal_and_writes_nothing(repo: Path) -> None:
    path = repo / "contributions" / "C-0003.md"
    path.write_text(path.read_text(encoding="utf-8").replace("statut: analysee", "statut: nouvelle"), encoding="utf-8")
    (repo / "forums" / "lancement.yaml").unlink()
    before = _snapshot(repo)
    status_before = _git(repo, "status", "--porcelain")
    r = run_cli("-C", repo, "advance", "--dry-run")
    assert r.exit_code == 1
    assert "impossible de quitter l'étape « Appel à contributions » : 3 conditions non remplies" in r.stderr
    assert "git: erreur : des modifications ne sont pas enregistrées dans git (2 fichiers" in r.stderr
    assert "contributions/C-0003.md:" in r.stderr and "pas encore analysée" in r.stderr
    assert "forums/lancement.yaml: erreur : le forum de lancement n'est pas planifié" in r.stderr
    r = run_cli("-C", repo, "advance", "--dry-run", "--json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["pret"] is False and data["simulation"] is True
    assert {d["fichier"] for d in data["refus"]} == {"git", "contributions/C-0003.md", "forums/lancement.yaml"}
    assert _snapshot(repo) == before
    assert _git(repo, "status", "--porcelain") == status_before


def test_dry_run_on_a_dirty_tree_whose_gate_is_met_shows_the_plan_and_the_refusal(repo: Path) -> None:
    (repo / "notes.txt").write_text("brouillon\n", encoding="utf-8")
    r = run_cli("-C", repo, "advance", "--dry-run")
    assert r.exit_code == 1
    assert "git: erreur : des modifications ne sont pas enregistrées dans git (1 fichier : notes.txt)" in r.stderr
    r = run_cli("-C", repo, "advance", "--dry-run", "--allow-dirty")
    assert r.exit_code == 0, r.output
    assert "documents/1-appel/synthese-des-contributions.md" in r.stdout


def test_hand_edit_protected_then_forced(example: Path) -> None:
    r = run_cli("-C", example, "advance")
    assert r.exit_code == 0, r.output
    doc = example / "documents" / "1-appel" / "synthese-des-contributions.md"
    edited = doc.read_text(encoding="utf-8") + "\nNote ajoutée à la main.\n"
    doc.write_text(edited, encoding="utf-8")
    r = run_cli("-C", example, "render")  # a passed stage: left as it is, and said
    assert r.exit_code == 0, r.output
    assert "documents/1-appel/synthese-des-contributions.md" in r.output and "--etape appel" in r.output
    assert doc.read_text(encoding="utf-8") == edited
    r = run_cli("-C", example, "render", "--etape", "appel")
    assert r.exit_code == 1
    assert "1 document modifié à la main" in r.output
    assert "synthese-des-contributions.md" in r.output
    assert doc.read_text(encoding="utf-8") == edited
    r = run_cli("-C", example, "render", "--etape", "appel", "--force")
    assert r.exit_code == 0, r.output
    aside = doc.with_name("synthese-des-contributions.modifie.md")
    assert aside.read_text(encoding="utf-8") == edited
    assert doc.read_text(encoding="utf-8") != edited


def test_render_recreates_a_deleted_document(example: Path) -> None:
    assert run_cli("-C", example, "advance").exit_code == 0
    doc = example / "documents" / "1-appel" / "programme-des-ateliers.html"
    content = doc.read_bytes()
    doc.unlink()
    r = run_cli("-C", example, "render")
    assert r.exit_code == 0, r.output
    assert doc.read_bytes() == content


def test_commit_outside_git_is_refused(example: Path) -> None:
    r = run_cli("-C", example, "advance", "--commit")
    assert r.exit_code == 1
    assert "dépôt git" in r.output


def test_lock_refuses_a_second_run(example: Path) -> None:
    import os

    (example / ".ateliers.lock").write_text(
        f"{os.getpid()}\t{__import__('socket').gethostname()}\t0\tateliers advance\n", encoding="utf-8"
    )
    r = run_cli("-C", example, "advance")
    assert r.exit_code == 1
    assert "une autre commande « ateliers advance » est en cours" in r.output
    # a lock left by a process that no longer exists is taken over
    (example / ".ateliers.lock").write_text(
        f"999999999\t{__import__('socket').gethostname()}\t0\tateliers advance\n", encoding="utf-8"
    )
    r = run_cli("-C", example, "advance")
    assert r.exit_code == 0, r.output
    assert not (example / ".ateliers.lock").exists()


def test_demo(tmp_path: Path) -> None:
    r = run_cli("-C", tmp_path, "demo")
    assert r.exit_code == 0, r.output
    target = tmp_path / "demo-consultation"
    assert "etape: cloturee" in (target / "consultation.yaml").read_text(encoding="utf-8")
    assert "Ce que chaque étape a produit" in r.stdout
    for folder in ("1-appel", "2-lancement", "3-ateliers", "4-synthese", "5-rapport", "6-adoption", "7-restitution"):
        assert any((target / "documents" / folder).iterdir()), folder
    r = run_cli("-C", tmp_path, "demo")
    assert r.exit_code == 1
    assert "existe déjà" in r.output


def test_demo_on_a_narrow_terminal_never_splits_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    r = run_cli("-C", tmp_path, "demo")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "  documents/1-appel/synthese-des-contributions" in lines
    assert "  documents/6-adoption/devenir-des-contributions-avesnes-sur-helpe" in lines
    assert all(len(line) <= 60 or line.startswith("  documents/") for line in lines)
    r = run_cli("-C", tmp_path, "demo", "autre", "--json")
    data = json.loads(r.stdout)
    assert [e["de"] for e in data["etapes"]] == [
        "appel",
        "lancement",
        "ateliers",
        "synthese",
        "rapport",
        "adoption",
        "restitution",
    ]
    assert "documents/1-appel/synthese-des-contributions.md" in [d["chemin"] for d in data["etapes"][0]["documents"]]


def test_commit_refused_when_prive_is_not_ignored(repo: Path) -> None:
    (repo / ".gitignore").write_text(".ateliers-cache/\n.ateliers.lock\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "gitignore sans prive")
    before = _snapshot(repo)
    r = run_cli("-C", repo, "advance", "--commit")
    assert r.exit_code == 1
    assert "prive/ n'est pas ignoré par git" in r.output
    assert _snapshot(repo) == before
