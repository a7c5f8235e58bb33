"""The words of the texts as ``themes tag`` reads them: French stems without accents, a title's
words counted twice, the key words the analyst wrote always looked for (:mod:`.tag`)."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .documents import Document
from .text import SurfaceForms, fold_accents, stem, tokens_with_surface, words

__all__ = ["PREFIX_MIN", "PROGRESS_EVERY", "TITLE_WEIGHT", "Corpus", "Key", "key_stems"]

TITLE_WEIGHT = 2
"""A word of the title counts as much as this many words of the text."""
PREFIX_MIN = 4
"""From this many letters, a key word's stem also finds the words it begins."""
PROGRESS_EVERY = 500
"""Texts read between two reports of progress."""


def key_stems(label: str) -> tuple[str, ...]:
    """The stems of a key word as the analyst wrote it: no stop word is ever removed from a
    one-word key (« car »); in a phrase, only the little words between (« maison de retraite »)."""
    ws = [w for w in words(label) if not w.endswith("'")]
    if len(ws) > 1:
        content = [w for w in ws if tokens_with_surface(w)]
        ws = content or ws
    return tuple(fold_accents(stem(w)) for w in ws if w)


@dataclass(frozen=True)
class Key:
    theme: int
    label: str
    stems: tuple[str, ...]


class Corpus:
    """The texts as a sparse matrix of stem counts (title words counted twice)."""

    def __init__(
        self, documents: Sequence[Document], keep: frozenset[str], progress: Callable[[int], None] | None
    ) -> None:
        self.forms = SurfaceForms()
        self.stem_lists: list[list[str]] = []
        self.title_lengths: list[int] = []
        for n, d in enumerate(documents):
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n)
            title = _stems(d.title, keep, self.forms) if d.title else []
            body = _stems(d.text, keep, self.forms)
            self.stem_lists.append(title + body)
            self.title_lengths.append(len(title))
        df: dict[str, int] = {}
        for stems in self.stem_lists:
            for s in set(stems):
                df[s] = df.get(s, 0) + 1
        # A word used by a single text teaches nothing about the others; key words stay.
        self.terms = sorted(s for s, n in df.items() if n >= 2 or s in keep)
        self.index = {s: i for i, s in enumerate(self.terms)}
        # Compact arrays, not lists of Python numbers: 100 000 texts make millions of entries.
        rows = array("q")
        cols = array("q")
        vals = array("d")
        for r, (stems, n_title) in enumerate(zip(self.stem_lists, self.title_lengths, strict=True)):
            counts: dict[int, float] = {}
            for position, s in enumerate(stems):
                i = self.index.get(s)
                if i is not None:
                    counts[i] = counts.get(i, 0.0) + (TITLE_WEIGHT if position < n_title else 1.0)
            for i in sorted(counts):
                rows.append(r)
                cols.append(i)
                vals.append(counts[i])
        self.rows = np.frombuffer(rows, dtype=np.int64) if rows else np.zeros(0, dtype=np.int64)
        self.cols = np.frombuffer(cols, dtype=np.int64) if cols else np.zeros(0, dtype=np.int64)
        self.vals = np.frombuffer(vals, dtype=np.float64) if vals else np.zeros(0)
        self.n_docs = len(self.stem_lists)
        self.n_terms = len(self.terms)
        self.lengths = np.bincount(self.rows, weights=self.vals, minlength=self.n_docs)

    def extensions(self, key_stem: str) -> list[int]:
        """The terms a key word's stem finds: itself and, from four letters on, the words it
        begins (« sport » → ``sportif``; « agricul » → ``agriculteur``)."""
        found = [self.index[key_stem]] if key_stem in self.index else []
        if len(key_stem) >= PREFIX_MIN:
            start = bisect.bisect_right(self.terms, key_stem)
            while start < len(self.terms) and self.terms[start].startswith(key_stem):
                found.append(start)
                start += 1
        return found

    def doc_dot(self, term_weights: np.ndarray) -> np.ndarray:
        """(texts × themes): each text's counts times ``term_weights`` (terms × themes)."""
        return self._product(self.rows, self.cols, self.n_docs, term_weights)

    def term_dot(self, doc_weights: np.ndarray) -> np.ndarray:
        """(terms × themes): each term's counts summed with ``doc_weights`` (texts × themes)."""
        return self._product(self.cols, self.rows, self.n_terms, doc_weights)

    def _product(self, into: np.ndarray, source: np.ndarray, size: int, weights: np.ndarray) -> np.ndarray:
        """The sparse counts times ``weights`` (rows indexed by ``source``), summed by ``into``."""
        out = np.zeros((size, weights.shape[1]))
        for t in range(weights.shape[1]):
            out[:, t] = np.bincount(into, weights=self.vals * weights[source, t], minlength=size)
        return out


def _stems(text: str, keep: frozenset[str], forms: SurfaceForms) -> list[str]:
    """Folded stems of the content words, and of any word whose stem is a key word's."""
    pairs = tokens_with_surface(text, fold=True, keep=keep)
    forms.add_pairs(pairs)
    return [s for s, _ in pairs]
