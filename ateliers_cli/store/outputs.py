"""Where the public outputs of a consultation are, and when they were last generated whole.

``render`` writes ``documents/``; ``site`` and ``export`` write where ``--out`` says
(``site/`` and ``export/`` by default). A folder other than the default is recorded in
``prive/.sorties.json`` (local to this clone, like everything in ``prive/``; written only
when it changes), so that ``erase`` regenerates the site where it really is. The time
each output was last generated whole goes to the cache (``.ateliers-cache/sorties.json``):
``check`` trusts the files of an output generated after the last erasure.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ateliers_cli.store import paths

_TIMES = "sorties.json"


def _read(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, object]) -> None:
    from ateliers_cli.fsutil import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=1) + "\n")
    except OSError:
        pass  # only a record: erase then regenerates the default folder, check looks at every file


def record(root: Path, kind: str, folder: Path) -> None:
    """``kind`` (documents, site, export) was just generated, whole, into ``folder``."""
    folder = Path(folder).resolve()
    if kind != "documents":
        places = _read(root / paths.OUTPUTS)
        default = (root / paths.OUTPUT_DIRS[kind]).resolve()
        wanted = str(folder) if folder != default else None
        if places.get(kind) != wanted:
            if wanted is None:
                places.pop(kind, None)
            else:
                places[kind] = wanted
            _write(root / paths.OUTPUTS, places)
    times = _read(root / paths.CACHE_DIR / _TIMES)
    times[kind] = time.time()
    _write(root / paths.CACHE_DIR / _TIMES, times)


def places(root: Path) -> dict[str, Path]:
    """Each kind of output and its folder: as recorded, else the default one."""
    recorded = _read(root / paths.OUTPUTS)
    out: dict[str, Path] = {}
    for kind, default in paths.OUTPUT_DIRS.items():
        folder = recorded.get(kind)
        out[kind] = Path(folder) if isinstance(folder, str) and folder else root / default
    return out


def generated_at(root: Path) -> dict[str, float]:
    """When each kind of output was last generated whole (seconds since the epoch)."""
    return {k: float(v) for k, v in _read(root / paths.CACHE_DIR / _TIMES).items() if isinstance(v, (int, float))}
