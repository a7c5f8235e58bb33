"""Time ``ateliers export`` on a generated consultation: loading, building the files, writing them.

    python bench/bench_export.py 10000            # generates /tmp/c10000 if needed
    python bench/bench_export.py 10000 /tmp/c10000
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ateliers_cli.export import apply_export, plan_export
from ateliers_cli.load import load
from bench.generate import generate


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    root = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir()) / f"c{size}"
    if not (root / "contributions").is_dir() or len(list((root / "contributions").iterdir())) != size:
        generate(size, root)
    out = root / "export"
    shutil.rmtree(out, ignore_errors=True)

    t0 = time.perf_counter()
    loaded = load(root)
    t1 = time.perf_counter()
    plan = plan_export(loaded.consultation, out, loaded.diagnostics)
    t2 = time.perf_counter()
    apply_export(plan)
    t3 = time.perf_counter()
    again = plan_export(loaded.consultation, out, loaded.diagnostics)
    t4 = time.perf_counter()
    size_mb = sum(len(b) for b in plan.files.values()) / 1e6
    print(
        f"{size} contributions : lecture {t1 - t0:.2f} s, construction des {len(plan.files)} fichiers ({size_mb:.1f} "
        f"Mo, {plan.rows} lignes) {t2 - t1:.2f} s, écriture {t3 - t2:.2f} s"
    )
    print(
        f"  total {t3 - t0:.2f} s ; second export sans changement : {t4 - t3:.2f} s, "
        f"{len(again.created) + len(again.updated)} fichier(s) à réécrire"
    )


if __name__ == "__main__":
    main()
