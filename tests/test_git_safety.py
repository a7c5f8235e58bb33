"""A consultation in a real git repository, handled by a careless operator or attacked.

- personal data that git already tracks is reported by ``check`` and never committed;
- the tool's own files (lock, journal, caches) never count as the user's changes;
- merge conflict markers are errors with their line, and ``advance`` waits for the merge's end;
- an existing stage tag is refused before anything is written;
- and the attacks of all these together, one after the other, on one repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_cli

PRIVATE_CSV = "\ufeffid;nom;prenom;courriel\r\nC-0001;Martin;Jeanne;jeanne.martin@example.org\r\n"


def _git(root: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=check, capture_output=True, text=True).stdout


def _repo(root: Path, gitignore: str | None) -> Path:
    """``root`` as a git repository, everything committed; ``gitignore`` None: no .gitignore."""
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Marie Dupont")
    _git(root, "config", "user.email", "marie.dupont@example.invalid")
    if gitignore is not None:
        (root / ".gitignore").write_text(gitignore, encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Consultation importée")
    return root


def _age(root: Path) -> None:
    """Every file older than the cache's « racy » window, so that the check cache serves."""
    past = time.time() - 10
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (past, past))


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".ateliers-cache" not in p.parts
    }


@pytest.fixture
def copied(example: Path) -> Path:
    """The example copied with its personal register, and no .gitignore (as copies made before had none)."""
    (example / ".gitignore").unlink(missing_ok=True)
    (example / "prive").mkdir()
    (example / "prive" / "contributeurs.csv").write_text(PRIVATE_CSV, encoding="utf-8")
    return example


# --------------------------------------------------------------------------- 4. prive/ tracked


def test_check_reports_every_tracked_private_file_with_the_fix(copied: Path) -> None:
    (copied / "prive" / "notes.txt").write_text("appel de M. Martin\n", encoding="utf-8")
    _repo(copied, None)
    r = run_cli("-C", copied, "check")
    assert r.exit_code == 1, r.output
    for rel in ("prive/contributeurs.csv", "prive/notes.txt"):
        assert f"{rel}: erreur : ce fichier de données personnelles est enregistré dans git" in r.output, r.output
    assert "git rm -r --cached prive" in r.output and "git filter-repo" in r.output

    # the fix, as advised: the next check (from the cache or not) no longer reports it
    _git(copied, "rm", "-r", "-q", "--cached", "prive")
    (copied / ".gitignore").write_text("prive/\n", encoding="utf-8")
    r = run_cli("-C", copied, "check")
    assert "enregistré dans git" not in r.output, r.output


def test_advance_commit_refuses_while_git_tracks_private_data(copied: Path) -> None:
    _repo(copied, None)
    (copied / ".gitignore").write_text("prive/\n", encoding="utf-8")  # ignored now, but already tracked
    _git(copied, "add", ".gitignore")
    _git(copied, "commit", "-q", "-m", "prive/ ignoré")
    before = _files(copied)
    r = run_cli("-C", copied, "advance", "--commit")
    assert r.exit_code == 1, r.output
    assert "données personnelles sont enregistrées dans git" in r.output and "rien n'a été écrit" in r.output, r.output
    assert _files(copied) == before
    assert _git(copied, "log", "--oneline").count("\n") == 2


@pytest.mark.parametrize("command", [["init"], ["demo"]])
def test_new_folders_carry_the_gitignore_of_init(tmp_path: Path, command: list[str]) -> None:
    from ateliers_cli.scaffold import InitOptions, init

    reference = tmp_path / "reference"
    init(reference, InitOptions())
    expected = (reference / ".gitignore").read_text(encoding="utf-8")
    for line in ("prive/", ".ateliers-journal", ".ateliers.lock", ".ateliers-cache/"):
        assert line in expected.splitlines()
    target = tmp_path / "nouveau"
    assert run_cli(*command, target).exit_code == 0
    assert (target / ".gitignore").read_text(encoding="utf-8") == expected
    assert (EXAMPLE / ".gitignore").read_text(encoding="utf-8") == expected  # the bundled example too
    _repo(target, (target / ".gitignore").read_text(encoding="utf-8"))
    assert not [f for f in _git(target, "ls-files").split() if f.startswith("prive/")]


# --------------------------------------------------------------------------- 5. the tool's own files


def test_the_tools_own_files_are_not_changes_of_the_user(example: Path) -> None:
    """The example copied with only « prive/ » ignored, as the message advises: the lock held
    during the command, the journal and the caches are not the user's changes, nor committed."""
    _repo(example, "prive/\n")
    assert run_cli("-C", example, "check").exit_code == 0  # fills .ateliers-cache/
    (example / ".ateliers-journal").write_text("", encoding="utf-8")  # empty: nothing to replay
    r = run_cli("-C", example, "advance", "--commit")
    assert r.exit_code == 0, r.output
    committed = _git(example, "show", "--name-only", "--format=", "HEAD").split()
    assert committed and not [f for f in committed if f.startswith(".ateliers")], committed
    r = run_cli("-C", example, "advance", "--commit")  # the caches left by the first: still clean
    assert r.exit_code == 0, r.output


# --------------------------------------------------------------------------- 6. merges


CONFLICT = "<<<<<<< HEAD\nJe vis seule.\n=======\nJe vis seul.\n>>>>>>> branche-de-paul\n"


def test_check_reports_conflict_markers_with_their_line(example: Path) -> None:
    path = example / "contributions" / "C-0001.md"
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    path.write_text(text + CONFLICT, encoding="utf-8")
    themes = example / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + "<<<<<<< HEAD\n", encoding="utf-8")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1, r.output
    for n, mark in ((1, "<<<<<<<"), (3, "======="), (5, ">>>>>>>")):
        assert f"contributions/C-0001.md:{lines + n}: erreur : marque de conflit git « {mark} »" in r.output, r.output
    assert "themes.yaml:" in r.output and "marque de conflit git" in r.output.split("themes.yaml:", 1)[1]


def test_conflict_markers_in_templates_and_private_registers(example: Path) -> None:
    """The folders a command reads whole: the consultation's templates, the private registers."""
    (example / "templates").mkdir()
    (example / "templates" / "rapport-orientations.md.j2").write_text("# Rapport\n" + CONFLICT, encoding="utf-8")
    (example / "prive").mkdir()
    (example / "prive" / "contributeurs.csv").write_text(
        "id;nom\r\n" + CONFLICT.replace("\n", "\r\n"), encoding="utf-8"
    )
    _age(example)
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1, r.output
    assert "templates/rapport-orientations.md.j2:2: erreur : marque de conflit git « <<<<<<< »" in r.output, r.output
    assert "prive/contributeurs.csv:6: erreur : marque de conflit git « >>>>>>> »" in r.output, r.output
    assert "Jeanne" not in r.output  # a line of the register is located, never shown
    template = example / "templates" / "rapport-orientations.md.j2"
    st = template.stat()
    template.write_text("# Rapport\n", encoding="utf-8")
    os.utime(template, ns=(st.st_atime_ns, st.st_mtime_ns))  # old: the check cache is used, and must see it
    r = run_cli("-C", example, "check")
    assert "templates/rapport-orientations.md.j2" not in r.output, r.output


def test_a_setext_title_alone_is_not_a_conflict(example: Path) -> None:
    path = example / "contributions" / "C-0001.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMon titre\n=======\n", encoding="utf-8")
    r = run_cli("-C", example, "check")
    assert "conflit" not in r.output, r.output


def test_advance_refuses_during_an_unfinished_merge(example: Path) -> None:
    _repo(example, "prive/\n")
    path = example / "contributions" / "C-0001.md"
    text = path.read_text(encoding="utf-8")
    _git(example, "checkout", "-q", "-b", "paul")
    path.write_text(text + "Version de Paul.\n", encoding="utf-8")
    _git(example, "commit", "-q", "-am", "Paul")
    _git(example, "checkout", "-q", "main")
    path.write_text(text + "Version de Marie.\n", encoding="utf-8")
    _git(example, "commit", "-q", "-am", "Marie")
    _git(example, "merge", "paul", check=False)  # conflict: the merge stops
    before = _files(example)
    for options in ([], ["--allow-dirty"], ["--commit"]):
        r = run_cli("-C", example, "advance", *options)
        assert r.exit_code == 1, r.output
        assert "une fusion git n'est pas terminée (contributions/C-0001.md)" in r.output, r.output
        assert "git merge --abort" in r.output
    assert _files(example) == before
    # conflicts settled by hand but not committed: still a merge under way
    path.write_text(text + "Version de Marie et de Paul.\n", encoding="utf-8")
    _git(example, "add", "contributions/C-0001.md")
    r = run_cli("-C", example, "advance", "--allow-dirty")
    assert r.exit_code == 1 and "fusion en cours" in r.output, r.output


# --------------------------------------------------------------------------- 7. the stage tag exists


def test_advance_commit_with_an_existing_tag_writes_nothing(example: Path) -> None:
    _repo(example, "prive/\n")
    _git(example, "tag", "etape-1-appel")
    before = _files(example)
    r = run_cli("-C", example, "advance", "--commit")
    assert r.exit_code == 1, r.output
    assert "l'étiquette git « etape-1-appel » existe déjà" in r.output and "rien n'a été écrit" in r.output, r.output
    assert _files(example) == before
    assert _git(example, "status", "--porcelain") == ""


# --------------------------------------------------------------------------- all together


def test_the_attacks_of_one_to_five_on_one_repository(copied: Path, tmp_path: Path) -> None:
    """A copy of the example put in git as it is (personal data included, no .gitignore), then
    attacked: a planted journal, a forged office file, a web root with others' files."""
    repo = _repo(copied, None)
    victim = tmp_path / "victime.txt"
    victim.write_text("à garder\n", encoding="utf-8")

    # 4. the personal data git tracks: check says so and how to fix it; advance --commit refuses
    r = run_cli("-C", repo, "check")
    assert r.exit_code == 1 and "prive/contributeurs.csv" in r.output and "git rm -r --cached prive" in r.output, (
        r.output
    )
    before = _files(repo)
    r = run_cli("-C", repo, "advance", "--commit")
    assert r.exit_code == 1 and "données personnelles sont enregistrées dans git" in r.output, r.output
    assert _files(repo) == before
    _git(repo, "rm", "-r", "-q", "--cached", "prive")
    (repo / ".gitignore").write_text("prive/\n", encoding="utf-8")  # only what the message asks
    _git(repo, "add", ".gitignore")
    _git(repo, "commit", "-q", "-m", "Données personnelles retirées du dépôt")

    # 1. a journal committed by someone else, naming a file outside the folder
    (repo / ".ateliers-journal").write_text(json.dumps(["", "../victime.txt"]) + "\n", encoding="utf-8")
    _git(repo, "add", "-f", ".ateliers-journal")
    _git(repo, "commit", "-q", "-m", "journal")
    for command in (["render"], ["advance", "--commit"]):
        r = run_cli("-C", repo, *command)
        assert r.exit_code == 1 and "journal de reprise refusé" in r.output, r.output
        assert victim.read_text(encoding="utf-8") == "à garder\n"
    _git(repo, "rm", "-q", ".ateliers-journal")
    _git(repo, "commit", "-q", "-m", "journal retiré")

    # 5. five stages passed and committed, with neither lock nor caches in .gitignore
    for _ in range(5):
        r = run_cli("-C", repo, "advance", "--commit")
        assert r.exit_code == 0, r.output
        committed = _git(repo, "show", "--name-only", "--format=", "HEAD").split()
        assert not [f for f in committed if f.startswith((".ateliers", "prive/"))], committed
    assert "etape-5-rapport" in _git(repo, "tag", "--list")

    # 3. a forged PDF planted in the office cache is never published
    assert run_cli("-C", repo, "render").exit_code == 0  # the office files of the documents, cached
    forged = b"%PDF-1.4\n% rapport falsifie\n"
    planted = [p for p in (repo / ".ateliers-cache" / "office").iterdir() if p.suffix in (".pdf", ".odt", ".docx")]
    assert planted
    for p in planted:
        p.write_bytes(forged)
    r = run_cli("-C", repo, "render")
    assert r.exit_code == 0, r.output
    reports = [p for p in (repo / "documents").rglob("*") if p.suffix in (".pdf", ".odt", ".docx")]
    assert reports and all(p.read_bytes() != forged for p in reports)
    assert _git(repo, "status", "--porcelain", "--", "documents") == ""  # the same documents as committed

    # 2. the site published into a web root that holds others' files
    www = tmp_path / "www"
    assert run_cli("-C", repo, "site", "--out", www).exit_code == 0
    (www / "portail.html").write_text("portail\n", encoding="utf-8")
    (www / "intranet").mkdir()
    (www / "intranet" / "index.html").write_text("intranet\n", encoding="utf-8")
    (www / ".htaccess").write_text("Options -Indexes\n", encoding="utf-8")
    r = run_cli("-C", repo, "site", "--out", www)
    assert r.exit_code == 0, r.output
    assert (
        (www / "portail.html").is_file()
        and (www / "intranet" / "index.html").is_file()
        and (www / ".htaccess").is_file()
    )

    # and after all that, the tree is the user's: nothing of the tool's own is a change
    r = run_cli("-C", repo, "advance", "--dry-run")
    assert "ne sont pas enregistrées dans git" not in r.output, r.output
