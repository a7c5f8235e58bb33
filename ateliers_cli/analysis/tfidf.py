"""Sparse TF-IDF vectors, cosine similarity and distinctive terms.

Pure Python, built for short texts: a vector holds only the terms a text uses
(a few dozen), as two parallel tuples sorted by term index. Term indices follow
the alphabetical order of the terms, so a model never depends on the order in
which texts were read.

Weights: sublinear term frequency ``1 + log(tf)`` times smoothed inverse document
frequency ``1 + log((1 + N) / (1 + df))``, then L2 normalisation, so that the dot
product of two vectors is their cosine.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import mul

__all__ = [
    "SparseVector",
    "TfidfModel",
    "cosine",
    "dense_dot",
    "distinctive_terms",
    "mean_vector",
]


@dataclass(frozen=True, slots=True)
class SparseVector:
    """A sparse vector: ``values[i]`` is the weight of term ``indices[i]``.

    Indices are increasing. The vectors :class:`TfidfModel` makes are L2-normalised
    (or empty, for a text with no known term).
    """

    indices: tuple[int, ...] = ()
    values: tuple[float, ...] = ()

    def __len__(self) -> int:
        return len(self.indices)

    def __bool__(self) -> bool:
        return bool(self.indices)

    def as_dict(self) -> dict[int, float]:
        """The vector as a ``{term index: weight}`` mapping."""
        return dict(zip(self.indices, self.values, strict=True))

    def norm(self) -> float:
        """Euclidean norm."""
        return math.sqrt(sum(v * v for v in self.values))


def cosine(a: SparseVector, b: SparseVector) -> float:
    """Cosine similarity of two sparse vectors (0.0 when either is empty)."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    other = b.as_dict()
    dot = sum(w * other.get(i, 0.0) for i, w in zip(a.indices, a.values, strict=True))
    if dot == 0.0:
        return 0.0
    return dot / (a.norm() * b.norm())


def dense_dot(vector: SparseVector, dense: Sequence[float]) -> float:
    """Dot product of a sparse vector with a dense one (a list indexed by term)."""
    total: float = sum(map(mul, map(dense.__getitem__, vector.indices), vector.values))
    return total


def mean_vector(vectors: Iterable[SparseVector], dim: int, *, normalize: bool = True) -> list[float]:
    """The sum of ``vectors`` as a dense list, L2-normalised unless ``normalize`` is false."""
    total = [0.0] * dim
    for vector in vectors:
        for i, w in zip(vector.indices, vector.values, strict=True):
            total[i] += w
    if normalize:
        norm = math.sqrt(sum(x * x for x in total))
        if norm > 0.0:
            total = [x / norm for x in total]
    return total


@dataclass(frozen=True)
class TfidfModel:
    """The vocabulary and inverse document frequencies of a corpus of token lists."""

    terms: tuple[str, ...]
    """Term of each index, in alphabetical order."""
    index: dict[str, int]
    """Index of each term."""
    df: tuple[int, ...]
    """Document frequency of each term in the corpus the model was fitted on."""
    idf: tuple[float, ...]
    n_docs: int

    @classmethod
    def fit(
        cls,
        docs: Iterable[Iterable[str]],
        *,
        min_df: int = 1,
        max_df: float = 1.0,
        max_terms: int | None = None,
    ) -> TfidfModel:
        """Learn the vocabulary of ``docs`` (each an iterable of tokens).

        Terms in fewer than ``min_df`` documents, or in more than a ``max_df``
        fraction of them, are left out; ``max_terms`` keeps only the most frequent
        terms (ties broken alphabetically). ``df`` and ``n_docs`` always count the
        whole corpus, whatever is kept.
        """
        counts: Counter[str] = Counter()
        n_docs = 0
        for doc in docs:
            n_docs += 1
            counts.update(set(doc))
        ceiling = max_df * n_docs
        kept = [t for t, c in counts.items() if c >= min_df and (max_df >= 1.0 or c <= ceiling)]
        if max_terms is not None and len(kept) > max_terms:
            kept.sort(key=lambda t: (-counts[t], t))
            kept = kept[:max_terms]
        terms = tuple(sorted(kept))
        df = tuple(counts[t] for t in terms)
        idf = tuple(1.0 + math.log((1 + n_docs) / (1 + d)) for d in df)
        return cls(terms=terms, index={t: i for i, t in enumerate(terms)}, df=df, idf=idf, n_docs=n_docs)

    def __len__(self) -> int:
        return len(self.terms)

    def vector(self, tokens: Iterable[str], *, weights: dict[str, float] | None = None) -> SparseVector:
        """The L2-normalised TF-IDF vector of one token list (unknown tokens ignored).

        ``weights`` (at least 1) multiplies the term frequency of some tokens, e.g.
        to make a theme's key words count double.
        """
        index = self.index
        tf: dict[int, float] = {}
        for token in tokens:
            i = index.get(token)
            if i is not None:
                tf[i] = tf.get(i, 0.0) + (weights.get(token, 1.0) if weights else 1.0)
        if not tf:
            return SparseVector()
        idf = self.idf
        items = sorted((i, (1.0 + math.log(c)) * idf[i]) for i, c in tf.items() if c > 0)
        norm = math.sqrt(sum(w * w for _, w in items))
        return SparseVector(tuple(i for i, _ in items), tuple(w / norm for _, w in items))

    def vectors(self, docs: Iterable[Iterable[str]]) -> list[SparseVector]:
        """The vectors of several token lists."""
        return [self.vector(doc) for doc in docs]

    def top_terms(self, vector: SparseVector | Sequence[float], n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` heaviest terms of a sparse or dense vector, heaviest first."""
        if isinstance(vector, SparseVector):
            pairs: Iterable[tuple[int, float]] = zip(vector.indices, vector.values, strict=True)
        else:
            pairs = enumerate(vector)
        best = sorted(((i, w) for i, w in pairs if w > 0.0), key=lambda p: (-p[1], self.terms[p[0]]))
        return [(self.terms[i], w) for i, w in best[:n]]


def distinctive_terms(
    subset: Iterable[Iterable[str]] | Iterable[SparseVector],
    model: TfidfModel,
    n: int = 10,
    *,
    min_count: int = 2,
) -> list[tuple[str, float]]:
    """The terms that set a subset of the corpus apart from the whole corpus.

    ``subset`` holds the subset's documents, as token lists or as vectors of
    ``model``; ``model`` must have been fitted on the whole corpus. A term scores
    ``p · log(p / q)`` where ``p`` is the share of subset documents using it and
    ``q`` its (smoothed) share in the whole corpus: frequent in the subset and
    rarer elsewhere. Terms in fewer than ``min_count`` subset documents (or fewer
    than all of them, for a tiny subset) are skipped. Best first; ties broken
    alphabetically.
    """
    df_in: Counter[int] = Counter()
    size = 0
    for doc in subset:
        size += 1
        if isinstance(doc, SparseVector):
            df_in.update(doc.indices)
        else:
            df_in.update({model.index[t] for t in doc if t in model.index})
    if size == 0:
        return []
    floor = min(min_count, size)
    n_docs = max(model.n_docs, size)
    scored: list[tuple[float, str]] = []
    for i, a in df_in.items():
        if a < floor:
            continue
        p = a / size
        q = (model.df[i] + 1) / (n_docs + 2)
        if p > q:
            scored.append((p * math.log(p / q), model.terms[i]))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [(term, score) for score, term in scored[:n]]
