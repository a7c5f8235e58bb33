"""Precision and recall of « contributions doublons » at each threshold, on labelled pairs built
from real texts. Prints one line per threshold. The default stays 0,8: precision is 100 % at every threshold
here, recall 83 % at 0,8 and 98 % at 0,6, but lower thresholds cost far more on very large
consultations (100 000 generated texts: 0,7 takes 68 s and 1,6 Go, 0,8 19 s and 470 Mo).

    python bench/calibrate_doublons.py                 # ../shared/data beside the repository
    python bench/calibrate_doublons.py CHEMIN/data

The labelled set:

- the real texts of ``decidim-consommer`` (CSV) and ``vraidebat`` (distinct ids), title and body;
- **real copies** found in them and read by a person: the same proposal posted twice in « Le Vrai
  Débat » (identical, or the second with the line breaks lost: « etinapproprié »), and in Decidim
  the same remark posted twice under two titles, lightly rewritten — 4 pairs;
- **made copies**: one per real text of at least 30 words, as people resend their own text —
  by turns: line breaks lost (a space dropped after one word in twelve), spaces after punctuation
  dropped, typos (two letters swapped in one word in twenty), a closing sentence added, the last
  sentence removed, everything in capitals, the title changed;
- every other pair of texts is a **non-copy** (two different contributions), among them 60 made
  pairs of two different real proposals each opened by the same borrowed paragraph (an appeal
  relayed, then each person's own proposal; the shared part 4/5 of the shorter proposal). An
  appeal relayed nearly verbatim by several people is a *campaign*: grouped and reported by
  ``doublons``, never marked, so it is not counted here.

Copies are found by the real ``find_duplicates`` run over the whole set; precision = pairs put
in one group that are copies / all pairs put in one group; recall = copies put in one group /
all copies.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ateliers_cli.analysis.documents import Document
from ateliers_cli.analysis.duplicates import find_duplicates

# Read by a person in the shared data: (platform prefix + id) pairs that are the same contribution.
REAL_COPIES = [
    ("V-5f6b05fc-24a3-11e9-995f-0242ac110003", "V-f0204e29-24a2-11e9-995f-0242ac110003"),
    ("V-61d32a84-2571-11e9-a71a-0242ac110003", "V-e829561f-256f-11e9-a71a-0242ac110003"),
    ("V-f81f63ea-2495-11e9-995f-0242ac110003", "V-ff751893-2493-11e9-995f-0242ac110003"),
    ("D-651", "D-792"),
]


def real_texts(data: Path) -> list[Document]:
    docs: dict[str, Document] = {}
    with (data / "decidim-consommer" / "subset_raw_data.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            docs[f"D-{row['id']}"] = Document(f"D-{row['id']}", row["body"], title=row["title"])
    for path in sorted((data / "vraidebat" / "contributions").glob("*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            cid = f"V-{row['contributions_id']}"
            docs.setdefault(
                cid,
                Document(
                    cid,
                    row.get("contribution_versions_bodyText") or "",
                    title=row.get("contribution_versions_title") or "",
                ),
            )
    return [docs[k] for k in sorted(docs)]


def _glue(text: str, rng: random.Random) -> str:
    parts = text.split(" ")
    return "".join(p + ("" if rng.random() < 1 / 12 else " ") for p in parts).strip()


def _typos(text: str, rng: random.Random) -> str:
    def swap(m: re.Match[str]) -> str:
        w = m.group()
        if len(w) < 4 or rng.random() > 1 / 20:
            return w
        k = rng.randrange(1, len(w) - 2)
        return w[:k] + w[k + 1] + w[k] + w[k + 2 :]

    return re.sub(r"\w+", swap, text)


def _drop_last_sentence(text: str, rng: random.Random) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(sentences[:-1]) if len(sentences) > 1 else text


EDITS = [
    ("retours à la ligne perdus", lambda d, rng: Document(d.id, _glue(d.text, rng), title=d.title)),
    (
        "pas d'espace après la ponctuation",
        lambda d, rng: Document(d.id, re.sub(r"([.,;:!?])\s+", r"\1", d.text), title=d.title),
    ),
    ("fautes de frappe", lambda d, rng: Document(d.id, _typos(d.text, rng), title=d.title)),
    (
        "phrase ajoutée",
        lambda d, rng: Document(
            d.id,
            d.text + " Je renvoie mon message au cas où il ne serait pas arrivé. Merci de votre attention.",
            title=d.title,
        ),
    ),
    ("dernière phrase retirée", lambda d, rng: Document(d.id, _drop_last_sentence(d.text, rng), title=d.title)),
    ("en capitales", lambda d, rng: Document(d.id, d.text.upper(), title=d.title.upper())),
    ("titre changé", lambda d, rng: Document(d.id, d.text, title="Ma proposition")),
]


def labelled_set(data: Path) -> tuple[list[Document], set[frozenset[str]], dict[frozenset[str], str]]:
    """The texts (real and made copies), the copy pairs, and how each made copy was made."""
    everything = real_texts(data)
    real_ids = {i for pair in REAL_COPIES for i in pair}
    # Hard non-copies: two different proposals opening with the same borrowed paragraph (an
    # appeal relayed, then each person's own proposal), the borrowed part 4/5 of the shorter one.
    # Their three texts are kept for this only (no original, no made copy).
    long = [d for d in everything if 40 <= len(d.text.split()) <= 150 and d.id not in real_ids][: 3 * 60]
    appeals: list[Document] = []
    for k in range(0, len(long) - 2, 3):
        intro, a, b = long[k], long[k + 1], long[k + 2]
        shared = " ".join(intro.text.split()[: min(len(a.text.split()), len(b.text.split())) * 4 // 5])
        appeals.append(Document(f"{a.id}-appel", f"{shared}\n\n{a.text}", title=a.title))
        appeals.append(Document(f"{b.id}-appel", f"{shared}\n\n{b.text}", title=b.title))
    reserved = {d.id for d in long}
    originals = [d for d in everything if d.id not in reserved]
    rng = random.Random(2026)
    texts = originals + appeals
    copies = {frozenset(p) for p in REAL_COPIES}
    how = dict.fromkeys(copies, "copie réelle")
    n = 0
    for d in originals:
        if len(d.text.split()) < 30:
            continue
        name, edit = EDITS[n % len(EDITS)]
        n += 1
        made = edit(d, rng)
        copy = Document(f"{d.id}-copie", made.text, title=made.title)
        texts.append(copy)
        pair = frozenset((d.id, copy.id))
        copies.add(pair)
        how[pair] = name
    return texts, copies, how


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    texts, copies, how = labelled_set(args.data)
    # A copy of a copy is a copy: the pairs within each class of copies all count.
    parent = {d.id: d.id for d in texts}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for pair in copies:
        a, b = sorted(pair)
        parent[root(b)] = root(a)
    classes: dict[str, list[str]] = {}
    for d in texts:
        classes.setdefault(root(d.id), []).append(d.id)
    same = {frozenset(p) for members in classes.values() for p in itertools.combinations(members, 2)}
    print(
        f"{len(texts)} textes, {len(copies)} paires de copies ({sum(1 for v in how.values() if v == 'copie réelle')} "
        f"réelles), {len(texts) * (len(texts) - 1) // 2 - len(copies)} paires de textes différents"
    )
    print("seuil  précision  rappel  manquées (par façon)")
    for threshold in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        groups = find_duplicates(texts, threshold)
        found = {frozenset(p) for g in groups for p in itertools.combinations(g.member_ids, 2)}
        precision = len(found & same) / len(found) if found else 1.0
        recall = len(found & copies) / len(copies)
        wrong = sorted(tuple(sorted(p)) for p in found - same)
        missed: dict[str, int] = {}
        for pair in copies - found:
            missed[how[pair]] = missed.get(how[pair], 0) + 1
        detail = ", ".join(f"{k} {v}" for k, v in sorted(missed.items(), key=lambda kv: -kv[1]))
        print(
            f"{threshold:5.2f}  {precision:9.1%}  {recall:6.1%}  {detail}"
            + (f" ; groupées à tort : {wrong[:3]}" if wrong else "")
        )


if __name__ == "__main__":
    main()
