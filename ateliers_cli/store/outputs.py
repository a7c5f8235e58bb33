"""Where the public outputs of a consultation were generated, and when.

``render`` writes ``documents/``; ``site`` and ``export`` write where ``--out`` says
(``site/`` and ``export/`` by default). Each records its folder and the time it
finished in ``prive/.sorties.json`` (local to this clone, like everything in ``prive/``),
so that ``erase`` regenerates the site where it really is, and ``check`` knows which
outputs were generated after the last erasure.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ateliers_cli.store import paths


def _read(root: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((root / paths.OUTPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def record(root: Path, kind: str, folder: Path) -> None:
    """``kind`` (documents, site, export) was just generated, whole, into ``folder``."""
    from ateliers_cli.fsutil import atomic_write

    data = _read(root)
    data[kind] = {"dossier": str(Path(folder).resolve()), "genere": time.time()}
    try:
        (root / paths.PRIVATE_DIR).mkdir(exist_ok=True)
        atomic_write(root / paths.OUTPUTS, json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=1) + "\n")
    except OSError:
        pass  # only a record: erase then says it does not know where the output is


def places(root: Path) -> dict[str, Path]:
    """Each kind of output and its folder: as recorded, else the default one."""
    data = _read(root)
    out: dict[str, Path] = {}
    for kind, default in paths.OUTPUT_DIRS.items():
        folder = data.get(kind, {}).get("dossier")
        out[kind] = Path(str(folder)) if isinstance(folder, str) and folder else root / default
    return out


def generated_at(root: Path) -> dict[str, float]:
    """When each kind of output was last generated whole (seconds since the epoch)."""
    out: dict[str, float] = {}
    for kind, entry in _read(root).items():
        when = entry.get("genere")
        if isinstance(when, (int, float)):
            out[kind] = float(when)
    return out
