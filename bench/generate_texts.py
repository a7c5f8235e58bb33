"""Build a consultation of N *distinct* contributions, all « nouvelle », for the analysis commands.

    python bench/generate_texts.py 100000 /tmp/c100000-textes

bench/generate.py copies the example's 148 texts over and over: right for loading and
rendering, but for the text analysis it is a corpus of 148 texts (identical copies collapse
into one class before any comparison). Here the texts are the synthetic ones of
bench/bench_analysis.py — six themes of sentence templates with random slots, 1.5 % in
copy-paste campaigns, 1 % resent — added to the example's own 148 contributions and frame
(territories, themes, workshops; dates inside its call for contributions), so that ``themes suggest``, ``themes tag``
and ``contributions doublons`` do their real work.
Deterministic: the same N gives the same files.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from bench_analysis import generate as synthetic_texts

EXAMPLE = BENCH.parent / "exemple_consultation"
TERRITOIRES = ("avesnes-sur-helpe", "cambrai", "douai", "dunkerque", "lille", "valenciennes")


def generate(n: int, target: Path, example: Path = EXAMPLE) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(example, target, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    folder = target / "contributions"
    extra = n - len(list(folder.glob("*.md")))
    corpus = synthetic_texts(extra, seed=0) if extra > 0 else None
    start = dt.date(2025, 9, 15)
    for i, (cid, text, author, _) in enumerate(sorted(corpus.docs) if corpus else []):
        date = start + dt.timedelta(days=i % 60)
        (folder / f"{cid}.md").write_text(
            f"---\nid: {cid}\ndate: {date}\nprofil: habitant\ncanal: formulaire\nterritoire: "
            f"{TERRITOIRES[i % len(TERRITOIRES)]}\nauteur: {author}\npublication: true\nthemes: []\nstatut: "
            f"nouvelle\n---\n{text}\n",
            encoding="utf-8",
        )
    return target


if __name__ == "__main__":
    size = int(sys.argv[1])
    dest = Path(sys.argv[2]) if len(sys.argv) > 2 else BENCH / "out" / f"textes{size}"
    generate(size, dest)
    print(f"{size} contributions distinctes dans {dest}")
