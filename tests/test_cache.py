"""The check cache: a repeated check answers from it, and any change of a file or of the tool invalidates it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ateliers_cli import cache
from ateliers_cli.load import load
from tests.conftest import run_cli


def _age(root: Path, seconds: float = 10) -> None:
    """Make every file look older than the cache's « racy » window."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def test_repeat_check_uses_the_cache_and_sees_changes(example: Path) -> None:
    _age(example)
    r = run_cli("-C", example, "check")
    assert r.exit_code == 0, r.output
    assert (example / ".ateliers-cache" / "check.pickle").is_file()
    assert (example / ".ateliers-cache" / "contributions-00.pickle").is_file()
    assert (example / ".ateliers-cache" / ".gitignore").read_text() == "*\n"

    # An edit is seen at once, even one of the same size.
    path = example / "contributions" / "C-0010.md"
    text = path.read_text(encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if x.startswith("territoire:"))
    value = text.splitlines()[line - 1].split(":", 1)[1].strip()
    broken = text.replace(f"territoire: {value}", "territoire: " + "x" * len(value), 1)
    path.write_text(broken, encoding="utf-8")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1
    assert f"contributions/C-0010.md:{line}: erreur : territoire « {'x' * len(value)} » inconnu" in r.output

    path.write_text(text, encoding="utf-8")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 0, r.output


def test_parse_cache_reuses_unchanged_files(example: Path) -> None:
    """An unchanged file is not parsed again: shown by a change the cache cannot see (same size,
    same inode, same time: what it takes as « unchanged »), which only a new parse would find."""
    path = example / "contributions" / "C-0001.md"
    text = path.read_text(encoding="utf-8")
    _age(example)
    first = load(example, cache=True).consultation.contributions["C-0001"]
    st = path.stat()
    edited = text.replace("statut: analysee", "statut: nouvelle")
    assert edited != text and len(edited.encode()) == len(text.encode())
    with path.open("r+", encoding="utf-8") as f:  # in place: the same inode
        f.write(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert load(example, cache=True).consultation.contributions["C-0001"].statut == first.statut == "analysee"
    assert load(example, cache=False).consultation.contributions["C-0001"].statut == "nouvelle"


def test_cache_invalidated_when_the_tool_changes(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _age(example)
    load(example, cache=True)
    assert cache.ParseCache(example).entries
    monkeypatch.setattr(cache, "_FINGERPRINT", "une-autre-version-de-l-outil")
    assert cache.ParseCache(example).entries == {}


def test_racy_files_are_compared_by_content(example: Path) -> None:
    # A file written just now (within the racy window) carries a content digest in the cache,
    # so a same-size edit within the same clock tick is still seen.
    path = example / "contributions" / "C-0001.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    load(example, cache=True)
    pc = cache.ParseCache(example)
    _meta, digest, _parsed = pc.entries["contributions/C-0001.md"]
    assert digest is not None
    st = path.stat()
    edited = text.replace("statut: analysee", "statut: nouvelle")
    assert len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cache.meta_of(path.stat())[:2] == cache.meta_of(st)[:2]
    assert pc.get("contributions/C-0001.md", str(path), cache.meta_of(path.stat())) is None
    assert load(example, cache=True).consultation.contributions["C-0001"].statut == "nouvelle"


def test_no_cache_option(example: Path) -> None:
    r = run_cli("-C", example, "check", "--no-cache")
    assert r.exit_code == 0, r.output
    assert not (example / ".ateliers-cache").exists()


def test_corrupt_cache_is_ignored(example: Path) -> None:
    _age(example)
    run_cli("-C", example, "check")
    (example / ".ateliers-cache" / "check.pickle").write_bytes(b"pas un pickle")
    for shard in range(cache.ParseCache.SHARDS):
        (example / ".ateliers-cache" / f"contributions-{shard:02d}.pickle").write_bytes(b"\x80\x05garbage")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 0, r.output


# --------------------------------------------------------------------------- the fast path (launch.py)


def _ateliers(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a user types it (``python -m ateliers_cli`` = the ``ateliers`` script)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ateliers_cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def _with_problems(root: Path) -> None:
    """An error (unknown territory) and a warning (long text) in the example."""
    path = root / "contributions" / "C-0010.md"
    text = path.read_text(encoding="utf-8")
    value = next(x for x in text.splitlines() if x.startswith("territoire:")).split(":", 1)[1].strip()
    path.write_text(text.replace(f"territoire: {value}", "territoire: nulle-part", 1), encoding="utf-8")


@pytest.mark.parametrize("options", [[], ["--strict"], ["--format", "json"], ["--format=json", "--strict"]])
def test_a_repeated_check_answers_from_the_cache_exactly_as_the_full_command(example: Path, options: list[str]) -> None:
    _with_problems(example)
    _age(example)
    first = _ateliers("-C", example, "check", *options)  # full command: reads every file, fills the cache
    assert first.returncode == 1 and "nulle-part" in first.stdout + first.stderr
    again = _ateliers("-C", example, "check", *options)
    assert (again.returncode, again.stdout, again.stderr) == (first.returncode, first.stdout, first.stderr)
    # and it came from the cache, without the command line nor the loader
    assert _probe("-C", example, "check", *options) == ["1", "False", "False"]


def _probe(*args: object) -> list[str]:
    """Run ``check`` as launch.py does; its exit code, and whether Typer and the loader were imported."""
    probe = subprocess.run(
        [sys.executable, "-c", ("import sys, contextlib, io\n"
         "from ateliers_cli.launch import plain_check, run_check\n"
         "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
         f"    code = run_check(plain_check({[str(a) for a in args]!r}))\n"
         "print(code, 'typer' in sys.modules, 'ateliers_cli.load' in sys.modules)")],
        capture_output=True, text=True, check=True,
    )
    return probe.stdout.split()


def test_the_cache_steps_aside_for_a_change_or_no_cache(example: Path, tmp_path: Path) -> None:
    _age(example)
    assert _ateliers("-C", example, "check").returncode == 0
    assert _probe("-C", example, "check") == ["0", "False", "False"]  # from the cache
    assert _probe("-C", example, "check", "--no-cache") == ["0", "False", "True"]  # every file read
    (tmp_path / "vide").mkdir()
    assert _probe("-C", tmp_path / "vide", "check")[0] == "1"  # no consultation: said, exit 1
    _with_problems(example)  # just written: too recent to trust, and changed anyway
    assert _probe("-C", example, "check") == ["1", "False", "True"]
    r = _ateliers("check", cwd=example / "contributions")  # from a subfolder, as git does
    assert r.returncode == 1 and "territoire « nulle-part » inconnu" in r.stderr


# --------------------------------------------------------------------------- office files


def test_a_forged_office_file_in_the_cache_is_never_published(tmp_path: Path) -> None:
    """The cache of ODT/DOCX/PDF files is signed with the user's key, kept outside the folder:
    a file planted there (a forged report) is made again, never copied into documents/."""
    root = tmp_path / "demo"
    assert run_cli("demo", root).exit_code == 0
    assert run_cli("-C", root, "render").exit_code == 0  # the office files of these documents, cached
    office_cache = root / ".ateliers-cache" / "office"
    cached = sorted(office_cache.glob("*.pdf"))
    assert cached, "la démo met en cache les PDF des documents"
    published = sorted((root / "documents").rglob("*.pdf"))
    genuine = {p: p.read_bytes() for p in published}
    forged = b"%PDF-1.4\n% rapport falsifie\n"
    for path in office_cache.iterdir():
        if path.suffix in (".pdf", ".odt", ".docx"):
            path.write_bytes(forged)

    r = run_cli("-C", root, "render")

    assert r.exit_code == 0, r.output
    for path in (root / "documents").rglob("*"):
        if path.suffix in (".pdf", ".odt", ".docx"):
            assert path.read_bytes() != forged, path
    assert {p: p.read_bytes() for p in published} == genuine  # made again: the same documents
