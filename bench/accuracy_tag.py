"""How often does « ateliers themes tag » suggest the theme an analyst chose? Prints the figures.

    python bench/accuracy_tag.py
    python bench/accuracy_tag.py --seuil 0,6 --decidim ../shared/data/decidim-consommer/subset_raw_data.csv

Two labelled sets, each run through the real command (``python -m ateliers_cli``, as a user would):

1. **The bundled example** (exemple_consultation/, 148 contributions, 7 themes). The first theme
   each contribution was given is kept as its label; then every contribution is reset to
   ``statut: nouvelle``, ``themes: []`` (``doublon_de`` removed) and ``themes tag --json`` is run.
   Twice: with the example's ``themes.yaml`` as it is, and with its ``mots_cles`` emptied (titles,
   descriptions and questions only). Be aware that the example's ``mots_cles`` were written by
   people who had read these very texts: the first figure is an optimistic one; the second shows
   what the wording of the themes alone gives.
2. **A real Decidim export** (``category`` column as the label), imported with
   ``ateliers contributions import``. One theme per category, whose ``mots_cles`` are either the
   category's name alone, or the key words ``themes suggest --nombre K`` (K = number of
   categories) finds, each candidate given to the category most of its members carry.
   The bundled file ``decidim-consommer`` has a single category (« consommer »): there, « the
   first suggestion is the label » only measures how many contributions get a suggestion at all.

Figures: *top-1* — the first suggestion is the label; *top-3* — the label is among the (up to
three) suggestions; *au seuil* — the share ``--apply`` would classify at the threshold, and how
many of those get the label first (precision of what is written).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ateliers_cli.store.front_matter import update_front_matter

EXAMPLE = REPO / "exemple_consultation"
DECIDIM = REPO.parent / "shared" / "data" / "decidim-consommer" / "subset_raw_data.csv"
ATELIERS = [sys.executable, "-m", "ateliers_cli"]


def ateliers(*args: str | Path) -> str:
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1795000000"), NO_COLOR="1")
    r = subprocess.run([*ATELIERS, *map(str, args)], capture_output=True, text=True, env=env, check=False)
    if r.returncode != 0:
        raise SystemExit(f"échec de « ateliers {' '.join(map(str, args))} » :\n{r.stdout}{r.stderr}")
    return r.stdout


def front_matter(path: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])  # type: ignore[no-any-return]


def reset_all(root: Path) -> None:
    for path in sorted((root / "contributions").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(update_front_matter(text, {"themes": [], "statut": "nouvelle"}, remove=["doublon_de"]), encoding="utf-8")


def score(rows: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, float | int]:
    """top-1, top-3, coverage and precision at the threshold, over the labelled contributions."""
    n = top1 = top3 = kept = kept_right = 0
    for row in rows:
        label = labels.get(row["id"])
        if label is None:
            continue
        n += 1
        themes = [s["theme"] for s in row["suggestions"]]
        top1 += bool(themes) and themes[0] == label
        top3 += label in themes
        if row["retenus"]:
            kept += 1
            kept_right += row["retenus"][0] == label
    return {"n": n, "top1": top1, "top3": top3, "kept": kept, "kept_right": kept_right}


def line(name: str, s: dict[str, float | int], seuil: str) -> str:
    n = s["n"] or 1
    kept = s["kept"] or 1
    return (
        f"  {name:<44} n={s['n']:<4} top-1 {s['top1'] / n:6.1%} ({s['top1']}/{s['n']})   top-3 {s['top3'] / n:6.1%}   "
        f"au seuil {seuil} : {s['kept'] / n:6.1%} classées, dont {s['kept_right'] / kept:6.1%} justes ({s['kept_right']}/{s['kept']})"
    )


def tag_rows(root: Path, seuil: str) -> list[dict[str, Any]]:
    return json.loads(ateliers("-q", "-C", root, "themes", "tag", "--seuil", seuil, "--json"))["contributions"]  # type: ignore[no-any-return]


def suggested_keywords(root: Path, labels: dict[str, str], theme_ids: list[str], draft: Path) -> dict[str, list[str]]:
    """Key words of « themes suggest --nombre K » (K = number of labels), each candidate's
    words given to the label most of its members carry (the only use of the labels)."""
    suggested = json.loads(ateliers("-q", "-C", root, "themes", "suggest", "--nombre", str(len(theme_ids)), "--out", draft, "--force", "--json"))
    keywords: dict[str, list[str]] = {t: [] for t in theme_ids}
    for cand in suggested["themes"]:
        majority = Counter(labels[m] for m in cand["contributions"] if m in labels).most_common(1)
        if majority:
            words = keywords[majority[0][0]]
            words += [w for w in cand["mots_cles"] if w not in words]
    return keywords


# --- 1. the example ---------------------------------------------------------------------


def example(work: Path, seuil: str) -> None:
    root = work / "exemple"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    labels = {}
    for path in sorted((root / "contributions").glob("*.md")):
        meta = front_matter(path)
        if meta.get("themes"):
            labels[meta["id"]] = meta["themes"][0]
    reset_all(root)
    print(f"Exemple livré : {len(labels)} contributions étiquetées (premier thème d'origine), 7 thèmes ; toutes remises à « nouvelle ».")
    print(f"  commande : ateliers -C <copie> themes tag --seuil {seuil} --json")
    print(line("themes.yaml tel quel (mots_cles de l'exemple)", score(tag_rows(root, seuil), labels), seuil))
    themes = root / "themes.yaml"
    original = themes.read_text(encoding="utf-8")
    themes.write_text(re.sub(r"^    mots_cles: .*$", "    mots_cles: []", original, flags=re.MULTILINE), encoding="utf-8")
    print(line("mots_cles vidés (titre, description, question)", score(tag_rows(root, seuil), labels), seuil))
    print("    (sans mots_cles, un score ne dépasse pas 0,4 : rien n'atteint le seuil, tout reste à confirmer à la main)")
    ids = sorted(set(labels.values()))
    keywords = suggested_keywords(root, labels, ids, work / "suggeres-exemple.yaml")
    text = original
    for theme_id, words in keywords.items():
        text = re.sub(
            rf"(^  - id: {re.escape(theme_id)}\n(?:    .*\n)*?)    mots_cles: .*$",
            lambda m, w=words: m.group(1) + "    mots_cles: " + json.dumps(w, ensure_ascii=False),
            text,
            count=1,
            flags=re.MULTILINE,
        )
    themes.write_text(text, encoding="utf-8")
    print(line("mots_cles = mots-clés de « themes suggest »", score(tag_rows(root, seuil), labels), seuil))
    for theme_id, words in keywords.items():
        print(f"    {theme_id} : {', '.join(words) or '(aucun candidat ne lui revient : mots_cles vides)'}")
    counts = Counter(labels.values())
    print(f"  (classe majoritaire : {counts.most_common(1)[0][0]}, {counts.most_common(1)[0][1] / len(labels):.1%} — ce que donnerait « toujours le même thème »)")


# --- 2. a Decidim export -----------------------------------------------------------------


def slug(text: str) -> str:
    from ateliers_cli.analysis.text import slugify

    return slugify(text) or "categorie"


def write_themes(root: Path, keywords: dict[str, list[str]]) -> None:
    lines = ["themes:"]
    for category, words in keywords.items():
        lines += [
            f"  - id: {slug(category)}",
            f"    titre: {json.dumps(category, ensure_ascii=False)}",
            "    nature: question_de_fond",
            f"    mots_cles: {json.dumps(words, ensure_ascii=False)}",
            "    commissions: [solidarites]",
        ]
    (root / "themes.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def decidim(work: Path, csv_path: Path, seuil: str) -> None:
    root = work / "decidim"
    ateliers("init", root)
    ateliers("-q", "-C", root, "contributions", "import", csv_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        category_of = {row["id"]: row["category"].strip() for row in csv.DictReader(f)}
    labels: dict[str, str] = {}
    for path in sorted((root / "contributions").glob("*.md")):
        meta = front_matter(path)
        category = category_of.get(str((meta.get("source") or {}).get("cle", "")))
        if category:
            labels[meta["id"]] = slug(category)
    categories = sorted(set(category_of.values()))
    print()
    print(f"Export Decidim {csv_path.name} : {len(labels)} contributions importées, {len(categories)} catégorie(s) : {', '.join(categories)}.")
    print("  commandes : ateliers contributions import FICHIER ; ateliers themes suggest --nombre K --json ; ateliers themes tag --json")
    if len(categories) == 1:
        print("  Une seule catégorie : « top-1 » mesure ici la part des contributions qui reçoivent une suggestion.")

    write_themes(root, {c: [c] for c in categories})
    print(line("mots_cles = le nom de la catégorie", score(tag_rows(root, seuil), labels), seuil))

    by_slug = {slug(c): c for c in categories}
    found = suggested_keywords(root, labels, sorted(by_slug), work / "suggeres.yaml")
    keywords = {by_slug[k]: words or [by_slug[k]] for k, words in found.items()}
    write_themes(root, keywords)
    print(line("mots_cles = mots-clés de « themes suggest »", score(tag_rows(root, seuil), labels), seuil))
    for c in categories:
        print(f"    {c} : {', '.join(keywords[c])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seuil", default="0,5", help="seuil de « themes tag » (défaut : 0,5)")
    parser.add_argument("--decidim", type=Path, default=DECIDIM, help=f"export Decidim avec une colonne category (défaut : {DECIDIM})")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ateliers-precision-"))
    try:
        example(work, args.seuil)
        if args.decidim.exists():
            decidim(work, args.decidim, args.seuil)
        else:
            print(f"\n(export Decidim absent : {args.decidim} ; partie sautée)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
