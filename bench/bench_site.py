"""Benchmark of ``ateliers site`` against its floor (bench/floor_site.py), at several sizes.

    python bench/bench_site.py --sizes 1000,10000 --repeat 3

For each size: a consultation is generated (bench/generate.py), then the floor (read,
parse the front matter, Markdown, a small Jinja2 page, write — one process) and the whole
command (``ateliers site``, a fresh process, load included) are run alternately
``--repeat`` times each. Prints the best wall time of each and their ratio (target ≤ 1.5),
and the CPU time (user + system, children included) of the best runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402


def _timed(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    args = parser.parse_args()
    python = sys.executable
    ateliers = [python, "-m", "ateliers_cli"]
    env_note = f"{os.cpu_count()} cœurs"
    print(f"taille | plancher (s) | ateliers site (s) | rapport | CPU plancher | CPU site   [{env_note}]")
    for size in (int(s) for s in args.sizes.split(",")):
        root = generate(size, args.work / f"c{size}")
        floor_out = args.work / f"plancher-{size}"
        floor: list[tuple[float, float]] = []
        site: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            shutil.rmtree(floor_out, ignore_errors=True)
            floor.append(_timed([python, str(HERE / "floor_site.py"), str(root), str(floor_out)]))
            shutil.rmtree(root / "site", ignore_errors=True)
            site.append(_timed([*ateliers, "-q", "-C", str(root), "site"]))
        f, s = min(floor), min(site)
        print(f"{size:>6} | {f[0]:12.2f} | {s[0]:17.2f} | {s[0] / f[0]:7.2f} | {f[1]:12.2f} | {s[1]:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
