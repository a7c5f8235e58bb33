"""Crash safety: a command killed at any moment loses nothing and half-writes nothing.

Each writing command (``advance``, ``render``, ``contributions import``, ``erase``) runs in
its own process (``python -m ateliers_cli``) and is killed with SIGKILL after a delay drawn
from a seeded RNG across its measured duration (one draw per fifth of the run, so that the
last fifth, where the files are written, is always hit). After each kill:

- every file equals either its content before the command or its content after a complete
  run (absent counting as a content): nothing half-written, nothing lost, nothing extra;
- ``check`` passes (an interrupted write pending is a warning, never an error);
- the next command (which takes over the dead run's lock and finishes or undoes its
  journal) leaves the complete folder: no ``*.tmp``, no journal, no lock left.

Two ``advance`` at once: one wins, the other is refused by the lock, in French. A lock left
by a killed run is taken over.

Budget: 5 kills per command (``KILLS``), each command ~1–2 s: the file runs in ~40 s on 2 cores.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, PERSON_SECRET, REPO, run_cli

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL : POSIX")

KILLS = 5
ENV = {
    **os.environ,
    "SOURCE_DATE_EPOCH": "1795000000",
    "NO_COLOR": "1",
    "ATELIERS_WORKERS": "1",
    "PYTHONPATH": str(REPO),
    "ATELIERS_CLE_PERSONNES": PERSON_SECRET,  # the same person keys as the in-process recovery
}
#: What is not part of the consultation's content: the tool's own bookkeeping.
BOOKKEEPING = (".ateliers.lock", ".ateliers-journal")


def ateliers(root: Path, *args: str | Path) -> list[str]:
    return [sys.executable, "-m", "ateliers_cli", "-q", "-C", str(root), *map(str, args)]


def state(root: Path) -> dict[str, bytes]:
    """Every file of the folder and its content, bookkeeping (lock, journal, *.tmp, cache) aside."""
    files: dict[str, bytes] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".ateliers-cache", ".git/")) or rel in BOOKKEEPING or _is_tmp(path):
            continue
        if path.is_file():
            files[rel] = path.read_bytes()
    return files


def _is_tmp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def leftovers(root: Path) -> list[str]:
    found = [p.relative_to(root).as_posix() for p in root.rglob(".*.tmp") if ".ateliers-cache" not in p.parts]
    return found + [name for name in BOOKKEEPING if (root / name).exists()]


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".ateliers-cache"))
    return dst


def example(dst: Path) -> Path:
    shutil.copytree(EXAMPLE, dst, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    return dst


def export_csv(path: Path, n: int) -> Path:
    lines = ["id;date;texte;commune;nom;courriel"] + [
        f"{i};2025-10-01;Contribution numéro {i}, avec des accents : é à ç.;{'Lille' if i % 2 else 'Douai'};Personne "
        f"{i};personne{i}@example.org"
        for i in range(1, n + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the commands and their « before » -----------------------------------------------------------


@dataclass
class Scenario:
    prepare: Callable[[Path], Path]  # builds the « before » folder under the given path
    command: Callable[[Path], list[str]]  # the command to kill, on a folder
    recovery: Callable[[Path], tuple[str, ...]]  # the next command, run in-process after the kill
    final_is_after: bool = True  # False: the next command does not redo the killed one


def _advance_before(tmp: Path) -> Path:
    return example(tmp / "c")


def _render_before(tmp: Path) -> Path:
    root = example(tmp / "c")
    for _ in range(2):  # appel → lancement → ateliers: the documents of two stages
        r = run_cli("-C", root, "advance", "--par", "Essai")
        assert r.exit_code == 0, r.output
    # then a theme is renamed (many documents change) and a stage's documents are lost
    themes = root / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip().startswith("titre:"))
    themes.write_text(text.replace(first, first + " (titre revu)", 1), encoding="utf-8")
    shutil.rmtree(root / "documents/2-lancement")
    return root


def _import_before(tmp: Path) -> Path:
    root = example(tmp / "c")
    export_csv(tmp / "export.csv", 600)  # three batches of the importer
    return root


def _erase_before(tmp: Path) -> Path:
    root = example(tmp / "c")
    r = run_cli("-C", root, "contributions", "import", export_csv(tmp / "petit.csv", 40))
    assert r.exit_code == 0, r.output
    return root


ERASED = ("C-0001", "C-0149", "C-0150", "C-0170", "C-0188")

SCENARIOS = {
    "advance": Scenario(
        _advance_before,
        lambda root: ateliers(root, "advance", "--par", "Essai"),
        lambda root: ("-C", str(root), "render"),  # recovers; re-renders what advance wrote, identically
        final_is_after=False,
    ),
    "render": Scenario(_render_before, lambda root: ateliers(root, "render"), lambda root: ("-C", str(root), "render")),
    "import": Scenario(
        _import_before,
        lambda root: ateliers(root, "contributions", "import", root.parent / "export.csv"),
        lambda root: ("-C", str(root), "contributions", "import", str(root.parent / "export.csv")),
    ),
    "erase": Scenario(
        _erase_before,
        lambda root: ateliers(root, "erase", *ERASED),
        lambda root: ("-C", str(root), "erase", *ERASED),
    ),
}


# The same command, killed at a precise point of its writing: when the staged files are flushed
# (before the journal exists), or just before its n-th rename (the journal is there).
KILL_AT = (
    "import os, signal, sys\nn = int(os.environ['ATELIERS_TUER_AU'])\nreal_replace, real_sync, count = os.replace, "
    "os.sync, 0\ndef die():\n    os.kill(os.getpid(), signal.SIGKILL)\ndef sync():\n    if n == 0:\n        die()\n    "
    "real_sync()\ndef replace(src, dst, *args, **kw):\n    global count\n    if not "
    "str(dst).endswith('.ateliers-journal') and '.ateliers-cache' not in str(dst):\n        count += 1\n        if "
    "count == n:\n            die()\n    return real_replace(src, dst, *args, **kw)\nos.replace, os.sync = replace, "
    "sync\nfrom ateliers_cli.cli import main\nsys.argv[0] = 'ateliers'\nmain()\n"
)


def _phase(now: dict[str, bytes], before: dict[str, bytes], after: dict[str, bytes], root: Path) -> str:
    if (root / ".ateliers-journal").exists():
        return "pendant les renommages"
    if any(_is_tmp(p) for p in root.rglob(".*.tmp")):
        return "pendant la préparation"
    return "avant" if now == before else ("après" if now == after else "entre deux lots")


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_killed_at_random_moments(name: str, tmp_path: Path) -> None:
    sc = SCENARIOS[name]
    base = sc.prepare(tmp_path / "avant")
    before = state(base)
    check = run_cli("-C", base, "check")
    assert check.exit_code == 0, check.output

    reference = copy(base, tmp_path / "apres" / "c")
    if (base.parent / "export.csv").exists():
        shutil.copy(base.parent / "export.csv", reference.parent / "export.csv")
    start = time.monotonic()
    done = subprocess.run(sc.command(reference), env=ENV, capture_output=True, text=True, timeout=300, check=False)
    duration = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    after = state(reference)
    assert after != before and not leftovers(reference)

    rng = random.Random(f"crash-{name}")  # seeded: a failure is reproducible
    renames = sum(after.get(rel) != before.get(rel) for rel in after)
    kills: list[tuple[str, float | None, int | None]] = [
        (f"après {duration * (k + f) / KILLS:.2f} s", duration * (k + f) / KILLS, None)
        for k, f in ((k, rng.random()) for k in range(KILLS))
    ]
    kills += [("au vidage des fichiers préparés", None, 0), ("au 1er renommage", None, 1)]
    if renames > 2:
        n = rng.randint(2, renames)
        kills.append((f"au {n}e renommage sur {renames}", None, n))
    phases = []
    for k, (when, delay, at) in enumerate(kills):
        work = copy(base, tmp_path / f"tue-{k}" / "c")
        if (base.parent / "export.csv").exists():
            shutil.copy(base.parent / "export.csv", work.parent / "export.csv")
        where = f"{name}, tué {when}"
        if at is None:
            proc = subprocess.Popen(sc.command(work), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(delay or 0)
                proc.send_signal(signal.SIGKILL)
            finally:
                proc.wait(timeout=60)
        else:
            cmd = [sys.executable, "-c", KILL_AT, *sc.command(work)[3:]]
            killed = subprocess.run(
                cmd, env={**ENV, "ATELIERS_TUER_AU": str(at)}, capture_output=True, timeout=300, check=False
            )
            assert killed.returncode == -signal.SIGKILL, f"{where} : la commande n'a pas atteint ce point"

        now = state(work)
        phases.append(f"{when} : {_phase(now, before, after, work)}")
        for rel in sorted(before.keys() | after.keys() | now.keys()):
            assert now.get(rel) in (before.get(rel), after.get(rel)), (
                f"{where} : {rel} n'est ni l'ancien ni le nouveau contenu"
                + (" (fichier en trop)" if rel not in before and rel not in after else "")
            )
        r = run_cli("-C", work, "check", "--no-cache")
        assert r.exit_code == 0, f"{where} :\n{r.output}"

        r = run_cli(*sc.recovery(work))  # takes over the dead run's lock, replays its journal
        assert r.exit_code == 0, f"{where}, puis {sc.recovery(work)} :\n{r.output}"
        assert leftovers(work) == [], where
        final = state(work)
        if sc.final_is_after:
            assert final == after, f"{where} : dossier incomplet après reprise"
        else:
            assert final in (before, after), f"{where} : ni l'avant ni l'après"
    print(f"\n{name} ({duration:.2f} s) : " + " ; ".join(phases))


# --- the lock -------------------------------------------------------------------------------------

# Whichever process takes the lock keeps it until the test says so (a file appears): the other
# one necessarily meets it, whatever the machine's speed.
HOLD_THE_LOCK = (
    "import os, sys, time\nimport ateliers_cli.advance as a\nplan = a.plan_advance\ndef held(*args, **kw):\n    "
    "deadline = time.monotonic() + 60\n    while not os.path.exists(os.environ['ATELIERS_TEST_GO']) and "
    "time.monotonic() < deadline:\n        time.sleep(0.02)\n    return plan(*args, **kw)\na.plan_advance = held\nfrom "
    "ateliers_cli.cli import main\nsys.argv[0] = 'ateliers'\nmain()\n"
)


def test_two_advances_at_once_one_is_refused(tmp_path: Path) -> None:
    root = example(tmp_path / "c")
    go = tmp_path / "go"
    cmd = [sys.executable, "-c", HOLD_THE_LOCK, "-C", str(root), "advance", "--par", "Essai"]
    env = {**ENV, "ATELIERS_TEST_GO": str(go)}
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in procs) and time.monotonic() < deadline:
            time.sleep(0.02)  # until the refused one has given up
        go.touch()
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, _, err in results if code == 1)
    assert "une autre commande « ateliers advance » est en cours sur cette consultation" in refused, refused
    assert "Traceback" not in refused
    text = (root / "consultation.yaml").read_text(encoding="utf-8")
    assert "etape: lancement" in text and text.count("vers: lancement") == 1  # advanced once, not twice
    assert leftovers(root) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_lock_of_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    root = example(tmp_path / "c")
    (root / ".ateliers.lock").write_text(
        f"{_dead_pid()}\t{socket.gethostname()}\t0\tateliers advance\n", encoding="utf-8"
    )
    r = run_cli("-C", root, "advance", "--par", "Essai")
    assert r.exit_code == 0, r.output
    assert not (root / ".ateliers.lock").exists()


@pytest.mark.parametrize(
    "content",
    [
        f"{os.getpid()}\t{socket.gethostname()}\t0\tateliers render\n",  # alive, here
        "4242\tun-autre-poste\t0\tateliers render\n",  # elsewhere: cannot tell, so refused
        "des octets sans forme\n",
    ],
    ids=["vivant", "autre-poste", "illisible"],
)
def test_live_or_unknown_lock_is_respected(tmp_path: Path, content: str) -> None:
    root = example(tmp_path / "c")
    (root / ".ateliers.lock").write_text(content, encoding="utf-8")
    before = state(root)
    r = run_cli("-C", root, "advance", "--par", "Essai")
    assert r.exit_code == 1
    assert "est en cours sur cette consultation" in r.output and ".ateliers.lock" in r.output
    assert state(root) == before


def test_empty_lock_of_a_run_killed_as_it_took_it(tmp_path: Path) -> None:
    """A lock is created, then written: a run killed in between leaves it empty."""
    root = example(tmp_path / "c")
    lock = root / ".ateliers.lock"
    lock.write_text("", encoding="utf-8")
    before = state(root)
    r = run_cli("-C", root, "advance", "--par", "Essai")  # just created: maybe being written, respected
    assert r.exit_code == 1 and state(root) == before
    assert "une autre commande est en cours sur cette consultation" in r.output and "« ? »" not in r.output
    old = time.time() - 60
    os.utime(lock, (old, old))  # a minute later, still empty: left by a killed run
    r = run_cli("-C", root, "advance", "--par", "Essai")
    assert r.exit_code == 0, r.output
    assert not lock.exists()


# --- a write that fails: nothing changes, the reason is given in French ------------------------------


def test_full_disk_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    root = example(tmp_path / "c")
    before = state(root)
    real, calls = os.open, []

    def full(path: object, flags: int, *args: object, **kw: object) -> int:
        # a temporary file created next to its target (the staging of a change, or tempfile's)
        staging = bool(flags & os.O_CREAT and flags & os.O_EXCL) and str(path).endswith(".tmp")
        if staging and ".ateliers-cache" not in str(path):  # the cache's files are not the change
            calls.append(1)
            if len(calls) == 3:  # the third file staged: the disk is full
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, flags, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", full)
    r = run_cli("-C", root, "advance", "--par", "Essai")
    assert r.exit_code == 1, r.output
    assert "écriture impossible (disque plein) : rien n'a été modifié" in r.output
    assert state(root) == before and leftovers(root) == []


def test_a_name_too_long_for_the_disk_is_a_french_error(tmp_path: Path) -> None:
    """A 240-character atelier id is a valid slug, but its dossier's file name is too long."""
    root = example(tmp_path / "c")
    for _ in range(2):
        assert run_cli("-C", root, "advance", "--par", "Essai").exit_code == 0
    long_id = "-".join(["atelier"] * 30)[:240].strip("-")
    source = root / "ateliers/lille-1.yaml"
    (root / "ateliers" / f"{long_id}.yaml").write_text(
        source.read_text(encoding="utf-8").replace("id: lille-1", f"id: {long_id}"), encoding="utf-8"
    )
    source.unlink()
    before = state(root)
    r = run_cli("-C", root, "render")
    assert r.exit_code == 1, r.output
    assert "nom trop long" in r.output and "rien n'a été modifié" in r.output
    assert state(root) == before and leftovers(root) == []
