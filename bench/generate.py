"""Build a consultation of N contributions from the bundled example, for benchmarks.

The example's own files are kept (workshops, forums, orientations, deliberation…);
its contributions are copied over and over with new ids (C-100001, …), each copy
keeping its date, profile, territory, themes and status, and its « doublon_de »
pointing inside the same copy. Deterministic: the same N gives the same files.

    python bench/generate.py 10000 bench/out/c10000
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "exemple_consultation"


def generate(n: int, target: Path, example: Path = EXAMPLE) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(example, target, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    originals = sorted((example / "contributions").glob("C-*.md"))
    texts = [p.read_text(encoding="utf-8") for p in originals]
    ids = [p.stem for p in originals]
    out = target / "contributions"
    extra = n - len(originals)
    copy = 0
    written = 0
    while written < extra:
        copy += 1
        mapping = {old: f"C-{copy:02d}{i:04d}" for i, old in enumerate(ids)}
        for old, text in zip(ids, texts):
            if written >= extra:
                break
            new = mapping[old]
            text = re.sub(r"^id: .*$", f"id: {new}", text, count=1, flags=re.MULTILINE)
            text = re.sub(
                r"^doublon_de: (C-\w+)",
                lambda m, mapping=mapping: f"doublon_de: {mapping.get(m.group(1), m.group(1))}",
                text,
                count=1,
                flags=re.MULTILINE,
            )
            (out / f"{new}.md").write_text(text, encoding="utf-8")
            written += 1
    return target


if __name__ == "__main__":
    size = int(sys.argv[1])
    dest = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / "out" / f"c{size}"
    generate(size, dest)
    print(f"{size} contributions dans {dest}")
