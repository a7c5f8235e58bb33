"""What the system refuses is said in French, and changes nothing: a full disk, a file too big for
the limit, a file protected against any change, a read-only folder, Ctrl-C.

Each case runs the real command in its own process. A full disk is made without privileges by a
file-size limit (``RLIMIT_FSIZE``: writing past it fails as a full disk does), and, where this
machine lets us mount one, by a real 3 Mo ``tmpfs``. Root passes every permission bit, so a
protected file is made with ``chattr +i`` and a read-only folder with a read-only bind mount;
those cases are skipped where the machine does not allow them.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, REPO

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": str(REPO)}


def _ateliers(
    root: Path, *args: str, file_limit: int | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    def limits() -> None:
        if file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [sys.executable, "-m", "ateliers_cli", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env or ENV,
        preexec_fn=limits,
        timeout=900,  # a hang guard only
        check=False,
    )


def _tree(root: Path, *, public_only: bool = False) -> dict[str, bytes]:
    """Every file and folder of the consultation (the tool's cache aside; ``prive/`` too when
    ``public_only``: that a failed import leaves prive/ untouched is tested with the import)."""
    out: dict[str, bytes] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if rel.startswith(".ateliers-cache") or (public_only and rel.split("/")[0] == "prive"):
            continue
        out[rel] = p.read_bytes() if p.is_file() else b"<dossier>"
    return out


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    return root


def _no_trace(r: subprocess.CompletedProcess[str]) -> None:
    assert "Erreur interne" not in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr


# --- a full disk ---------------------------------------------------------------------------------

BIG_EXPORT = "texte;commune\n" + "".join(
    f"Contribution {i} : " + "plus de bus le soir " * 40 + ";Lille\n" for i in range(50)
)


@pytest.mark.parametrize("command", ["site", "advance", "import"])
def test_file_too_big_for_the_limit_is_french_and_changes_nothing(copy: Path, tmp_path: Path, command: str) -> None:
    export = tmp_path / "export.csv"
    export.write_text("texte;commune\nPlus de bus le soir " + "x" * 40_000 + ";Lille\n", encoding="utf-8")
    args = {
        "site": ["site"],
        "advance": ["advance", "--par", "Essai"],
        "import": ["contributions", "import", str(export)],
    }[command]
    before = _tree(copy, public_only=command == "import")
    r = _ateliers(copy, *args, file_limit=20_000)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "fichier trop grand pour le système" in r.stderr
    assert "ulimit -f" in r.stderr
    _no_trace(r)
    assert _tree(copy, public_only=command == "import") == before  # not a file, not a folder more


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 Mo disk (tmpfs), where this machine allows mounting one."""
    mount = tmp_path / "disque"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip("monter un tmpfs n'est pas permis ici")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True, check=False)


def _fill(disk: Path, leave: int) -> None:
    free = shutil.disk_usage(disk).free
    with (disk / "remplissage").open("wb") as f:
        f.write(b"\0" * max(free - leave, 0))


@pytest.mark.parametrize("command", ["site", "advance", "import"])
def test_full_disk_is_french_and_changes_nothing(small_disk: Path, tmp_path: Path, command: str) -> None:
    root = small_disk / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    export = tmp_path / "export.csv"
    export.write_text(BIG_EXPORT, encoding="utf-8")
    args = {
        "site": ["site"],
        "advance": ["advance", "--par", "Essai"],
        "import": ["contributions", "import", str(export)],
    }[command]
    _fill(small_disk, 40_000)
    before = _tree(root, public_only=command == "import")
    r = _ateliers(root, *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "disque plein" in r.stderr and "libérez de la place" in r.stderr
    _no_trace(r)
    assert _tree(root, public_only=command == "import") == before


# --- a protected file, a read-only folder --------------------------------------------------------


@pytest.fixture
def protected(copy: Path) -> Iterator[Path]:
    target = copy / "consultation.yaml"
    done = subprocess.run(["chattr", "+i", str(target)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("chattr +i n'est pas permis ici")
    try:
        yield target
    finally:
        subprocess.run(["chattr", "-i", str(target)], capture_output=True, check=False)


def test_protected_file_is_refused_before_anything_is_written(copy: Path, protected: Path) -> None:
    before = _tree(copy)
    r = _ateliers(copy, "advance", "--par", "Essai")
    assert r.returncode == 1
    assert (
        "consultation.yaml: écriture impossible (opération non permise (fichier protégé ?)) : rien n'a été modifié"
        in r.stderr
    )
    assert "chattr -i" in r.stderr
    _no_trace(r)
    assert _tree(copy) == before


@pytest.fixture
def read_only(copy: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        for p in [copy, *copy.rglob("*")]:
            if p.is_dir():
                p.chmod(0o555)
        yield copy
        for p in [copy, *copy.rglob("*")]:
            if p.is_dir():
                p.chmod(0o755)
        return
    bind = subprocess.run(["mount", "--bind", str(copy), str(copy)], capture_output=True, check=False)
    if bind.returncode != 0:
        pytest.skip("un montage en lecture seule n'est pas permis ici")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(copy)], capture_output=True, check=False)
        if ro.returncode != 0:
            pytest.skip("un montage en lecture seule n'est pas permis ici")
        yield copy
    finally:
        subprocess.run(["umount", str(copy)], capture_output=True, check=False)


@pytest.mark.parametrize("command", ["site", "advance", "import"])
def test_read_only_folder_is_french(read_only: Path, tmp_path: Path, command: str) -> None:
    export = tmp_path / "export.csv"
    export.write_text("texte;commune\nPlus de bus le soir;Lille\n", encoding="utf-8")
    args = {
        "site": ["site"],
        "advance": ["advance", "--par", "Essai"],
        "import": ["contributions", "import", str(export)],
    }[command]
    before = _tree(read_only, public_only=command == "import")
    r = _ateliers(read_only, *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "lecture seule" in r.stderr or "accès refusé" in r.stderr, r.stderr
    _no_trace(r)
    assert _tree(read_only, public_only=command == "import") == before


# --- Ctrl-C --------------------------------------------------------------------------------------


def _site_in_its_own_group(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ateliers_cli", "-C", str(root), "site"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, "ATELIERS_WORKERS": "2"},
        start_new_session=True,  # its own process group: Ctrl-C reaches the command and its workers
    )


def test_ctrl_c_during_site_says_it_once_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "grande"
    made = subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "3000", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    # Ctrl-C must land while the pages are being written. The whole group is frozen (SIGSTOP) as
    # soon as the staging folder shows, and looked at while frozen: if the staging folder is still
    # there, the site is not finished, and the Ctrl-C pressed then is the first thing it meets when
    # it thaws. On a fast machine the site may have finished in between: that run must have ended
    # cleanly (a Ctrl-C after the end changes nothing), and we try again.
    for _attempt in range(5):
        shutil.rmtree(root / "site", ignore_errors=True)
        proc = _site_in_its_own_group(root)
        deadline = time.monotonic() + 600  # a hang guard only
        while not any(p.name.startswith(".site.nouveau-") for p in root.iterdir()):
            if proc.poll() is not None:
                break
            assert time.monotonic() < deadline
            time.sleep(0.002)
        unfinished = False
        if proc.poll() is None:  # still running (its pid is not reused before it is waited for)
            os.killpg(proc.pid, signal.SIGSTOP)
            unfinished = any(p.name.startswith(".site.nouveau-") for p in root.iterdir())
            os.killpg(proc.pid, signal.SIGINT)
            os.killpg(proc.pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=600)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err and "Exception ignored" not in err, err
        if unfinished:
            break
        assert proc.returncode in (0, 130), out + err
    else:
        pytest.skip("le site finit toujours avant qu'on ait pu l'interrompre")
    assert proc.returncode == 130, out + err
    assert err.count("Interrompu.") == 1, err
    assert not (root / "site").exists()
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site.")]


def test_ctrl_c_as_the_site_is_announced_does_not_misreport_it(tmp_path: Path) -> None:
    root = tmp_path / "exemple"
    shutil.copytree(EXAMPLE, root)
    # Ctrl-C pressed the moment « ✓ Site écrit » shows: the site is in place, so the command must
    # neither say « Interrompu » (it would be false) nor leave a Python trace while it shuts down
    for _attempt in range(5):
        proc = _site_in_its_own_group(root)
        assert proc.stdout is not None
        announced = proc.stdout.readline()
        assert "Site écrit" in announced, announced + proc.communicate()[1]
        if proc.poll() is not None:  # already gone: try again
            proc.communicate()
            continue
        os.killpg(proc.pid, signal.SIGSTOP)
        os.killpg(proc.pid, signal.SIGINT)
        os.killpg(proc.pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=120)
        break
    else:
        pytest.skip("la commande s'est toujours terminée avant qu'on ait pu appuyer sur Ctrl-C")
    assert proc.returncode == 0, out + err
    assert "Interrompu" not in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err and "Exception ignored" not in err, err
    assert (root / "site" / "index.html").is_file()
