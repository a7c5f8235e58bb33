"""The recovery journal ``.ateliers-journal`` is replayed only when every entry is one the tool
could have written: inside the consultation, through no link, a kind of file it writes.

A planted journal (a commit, a shared folder, an archive) is refused with a French message and
nothing is touched: neither the files it names outside the folder, nor those inside.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

SECRET = "clé privée de l'agent\n"


def _plant(root: Path, *entries: list[str]) -> Path:
    journal = root / ".ateliers-journal"
    journal.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return journal


@pytest.fixture
def home(example: Path) -> Path:
    """The folder around the consultation: the user's home, say, with files of value."""
    outside = example.parent
    (outside / ".bashrc").write_text("alias ls='ls --color'\n", encoding="utf-8")
    (outside / "authorized_keys").write_text("ssh-ed25519 AAAA agent\n", encoding="utf-8")
    (outside / ".ssh").mkdir()
    (outside / ".ssh" / "id_ed25519").write_text(SECRET, encoding="utf-8")
    return outside


def _outside_state(home: Path) -> dict[str, str]:
    return {p: (home / p).read_text(encoding="utf-8") for p in (".bashrc", "authorized_keys", ".ssh/id_ed25519")}


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (["contributions/.x.tmp.txt", "../.bashrc"], "sort du dossier"),
        (["", "../authorized_keys"], "sort du dossier"),
        (["../.ssh/id_ed25519", "annexe.txt"], "sort du dossier"),
        (["", "ABSOLU/authorized_keys"], "chemin absolu"),
        (["contributions/.x.tmp.txt", ".git/hooks/pre-commit"], "caché"),
        (["contributions/.x.tmp.txt", "contributions/x.sh"], "type de fichier"),
        (["contributions/.x.tmp.txt", "contributions/C-0001.md"], "pas un fichier temporaire"),
    ],
)
def test_planted_journal_is_refused_and_nothing_touched(example: Path, home: Path, entry: list[str], why: str) -> None:
    entry = [e.replace("ABSOLU", str(home)) for e in entry]
    (example / "contributions" / ".x.tmp.txt").write_text("contenu de l'attaquant\n", encoding="utf-8")
    before = _outside_state(home)
    contribution = (example / "contributions" / "C-0001.md").read_bytes()
    journal = _plant(example, entry)

    r = run_cli("-C", example, "render")  # the command check itself recommends after a journal

    assert r.exit_code == 1, r.output
    assert "journal de reprise refusé" in r.output and why in r.output, r.output
    assert "rien n'a été modifié" in r.output and "rm .ateliers-journal" in r.output
    assert "Traceback" not in r.output and "Erreur interne" not in r.output
    assert _outside_state(home) == before
    assert not (example / "annexe.txt").exists()
    assert (example / "contributions" / "C-0001.md").read_bytes() == contribution
    assert (example / "contributions" / ".x.tmp.txt").exists()  # not ours: left alone
    assert journal.exists()  # kept for the user to look at
    assert not (example / "documents").exists()  # the command did not go on


def test_journal_through_a_link_out_of_the_folder_is_refused(example: Path, home: Path) -> None:
    (home / "ailleurs").mkdir()
    (example / "documents").symlink_to(home / "ailleurs")
    (home / "ailleurs" / ".note.md.abcd1234.tmp").write_text("remplacement\n", encoding="utf-8")
    (home / "ailleurs" / "note.md").write_text("original\n", encoding="utf-8")
    _plant(example, ["documents/.note.md.abcd1234.tmp", "documents/note.md"])

    r = run_cli("-C", example, "render")

    assert r.exit_code == 1, r.output
    assert "journal de reprise refusé" in r.output and "lien symbolique" in r.output, r.output
    assert (home / "ailleurs" / "note.md").read_text(encoding="utf-8") == "original\n"


def test_check_reports_a_planted_journal_as_an_error_with_its_line(example: Path, home: Path) -> None:
    _plant(example, ["", "documents/1-appel/x.md"], ["", "../authorized_keys"])
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1, r.output
    assert ".ateliers-journal:2" in r.output and "journal de reprise refusé" in r.output, r.output
    assert "relancez-la (ou « ateliers render »)" not in r.output  # no longer advised to replay it
    assert (home / "authorized_keys").exists()


def test_journal_tracked_by_git_is_never_trusted(example: Path) -> None:
    git = ["git", "-C", str(example)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    doomed = example / "contributions" / "C-0002.md"
    # an entry the tool itself could have written: only the fact that git tracks it betrays it
    _plant(example, ["", "contributions/C-0002.md"])
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "add", "-f", ".ateliers-journal"], check=True)  # past the .gitignore
    subprocess.run([*git, "-c", "user.name=x", "-c", "user.email=x@x.invalid", "commit", "-q", "-m", "x"], check=True)

    r = run_cli("-C", example, "render")

    assert r.exit_code == 1, r.output
    assert "enregistré dans git" in r.output and "git rm --cached .ateliers-journal" in r.output, r.output
    assert doomed.exists()


def test_journal_left_by_an_interrupted_write_is_still_replayed(example: Path) -> None:
    """The tool's own journal (relative paths, its temporary names) is completed as before."""
    target = example / "contributions" / "C-0001.md"
    tmp = example / "contributions" / ".C-0001.md.k2x9_a0b.tmp"
    tmp.write_bytes(target.read_bytes() + b"Ajout repris du journal.\n")
    gone = example / "contributions" / "C-0002.md"
    _plant(
        example, ["contributions/.C-0001.md.k2x9_a0b.tmp", "contributions/C-0001.md"], ["", "contributions/C-0002.md"]
    )

    r = run_cli("-C", example, "render")

    assert r.exit_code == 0, r.output
    assert target.read_bytes().endswith(b"Ajout repris du journal.\n") and not tmp.exists() and not gone.exists()
    assert not (example / ".ateliers-journal").exists()


def test_init_gitignore_keeps_the_journal_out_of_git(new_consultation: Path) -> None:
    ignored = (new_consultation / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".ateliers-journal" in ignored
    assert os.path.exists(new_consultation / "prive")
