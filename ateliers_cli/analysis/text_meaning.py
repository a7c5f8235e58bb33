"""What a whole text means: one vector per text, from the French word vectors of its words.

A text's vector is the TF-IDF-weighted sum of the vectors of its words (every word, however
rare; a stem's vector the average of the words written for it, « infirmières », « infirmière »),
each word vector first stripped of the few directions all words share (« all-but-the-top », Mu &
Viswanath 2018), the sum then taken from the corpus's average text. « Les médecins manquent » and
« L'hôpital ferme ses urgences » meet though they share no word.

``themes suggest`` cuts the graph of these vectors into themes; ``themes tag`` lets the themes of
texts spread along it (:mod:`.neighbours`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .text import SurfaceForms
from .word_vectors import WordVectors, unit

__all__ = ["COMMON_DIRECTIONS_REMOVED", "from_average", "normalise", "texts_meaning"]

COMMON_DIRECTIONS_REMOVED = 12
"""Main directions of the word-vector table taken out of every word's vector (« all-but-the-top »,
Mu & Viswanath 2018): they carry how frequent or how formal a word is, shared by all texts, not
what it is about. On the labelled « Vrai Débat » set, for ``themes suggest``, 0 → 12 directions:
majority purity 57 → 64 % (8 to 16 give 63–64 %)."""


def normalise(m: np.ndarray) -> np.ndarray:
    """Rows of ``m`` made unit vectors in place (zero rows stay zero), without a copy of ``m``."""
    norms = np.sqrt(np.einsum("ij,ij->i", m, m))
    m /= np.where(norms > 0, norms, 1.0).astype(m.dtype)[:, None]
    return m


def from_average(m: np.ndarray) -> np.ndarray:
    """Rows of ``m`` (one text each) made unit vectors, taken from their average (of the rows that
    are not zero) and made unit vectors again, in place: what every text of the consultation says
    does not tell one from another. A zero row (nothing read) stays zero."""
    normalise(m)
    known = m.any(axis=1)
    if known.any():
        m -= m.sum(axis=0) / known.sum()
        m[~known] = 0.0
    return normalise(m)


def texts_meaning(token_lists: Sequence[Sequence[str]], forms: SurfaceForms, vectors: WordVectors) -> np.ndarray:
    """One unit vector per text (float32; see the module's documentation), from its stems
    (``token_lists``, a title's stems written twice) and the words written for them (``forms``).
    Zero for a text none of whose words has a vector."""
    index: dict[str, int] = {}
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    flat = np.fromiter(
        (index.setdefault(t, len(index)) for toks in token_lists for t in toks),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    n, n_terms = len(token_lists), len(index)
    out = np.zeros((n, vectors.width), dtype=np.float32)
    if not len(flat):
        return out

    def specific(rows: np.ndarray) -> np.ndarray:
        return vectors.specific(rows, COMMON_DIRECTIONS_REMOVED)

    term_vectors = unit(vectors.stem_vectors(list(index), forms, specific))
    # TF-IDF weights of every (text, stem) pair, sorted by text.
    keys = np.repeat(np.arange(n, dtype=np.int64), lengths) * n_terms + flat
    del flat
    pairs, tf = np.unique(keys, return_counts=True)
    del keys
    rows, cols = pairs // n_terms, pairs % n_terms
    df = np.bincount(cols, minlength=n_terms)
    weights = ((1.0 + np.log(tf)) * (1.0 + np.log((1.0 + n) / (1.0 + df[cols])))).astype(np.float32)
    starts = np.searchsorted(rows, np.arange(n + 1))
    step = max(1, 20_000 * n // max(1, len(pairs)))  # texts per block: ~20 000 pairs, 24 MB
    for first in range(0, n, step):
        last = min(n, first + step)
        lo, hi = starts[first], starts[last]
        if lo == hi:
            continue
        contributions = term_vectors[cols[lo:hi]]
        contributions *= weights[lo:hi, None]
        present = np.flatnonzero(starts[first + 1 : last + 1] > starts[first:last]) + first
        out[present] = np.add.reduceat(contributions, starts[present] - lo, axis=0)
    # In place: at 100 000 texts each copy of the table would cost 120 MB.
    return from_average(out)
