"""Security: what whoever edits the folder (or a citizen's text) writes stays data.

- a cache file planted in the folder is never unpickled;
- ids, file names, template names cannot lead a write or a read out of the folder;
- a consultation's templates run sandboxed: Python internals are refused with a French error;
- citizens' text cannot become markup or script in any HTML the tool writes;
- no CSV cell the tool writes can start a spreadsheet formula.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "NO_COLOR": "1", "COLUMNS": "200"}


def ateliers(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process (what a user runs)."""
    return subprocess.run(
        [sys.executable, "-m", "ateliers_cli", *map(str, args)], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=120
    )


# --- the check cache ---------------------------------------------------------------------------


class _Planted:
    """What an attacker would put in .ateliers-cache/: unpickling it runs ``os.mkdir(marker)``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_planted_cache_is_never_unpickled(example: Path, tmp_path: Path) -> None:
    marker = tmp_path / "code-execute"
    cache = example / ".ateliers-cache"
    cache.mkdir()
    planted = pickle.dumps(_Planted(marker))
    # a bare pickle, then one with the format's header: the signature is the user's secret
    for payload in (planted, b"ateliers-cache-1\n" + b"\0" * 32 + planted):
        for name in ("check.pickle", "contributions.pickle"):
            (cache / name).write_bytes(payload)
        r = run_cli("-C", example, "check")
        assert r.exit_code == 0, r.output
        assert not marker.exists(), "un fichier du dossier a exécuté du code en étant lu"
    r = run_cli("-C", example, "check")  # and the cache the tool wrote itself is used again
    assert r.exit_code == 0 and not marker.exists()
