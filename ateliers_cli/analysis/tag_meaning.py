"""What the texts and the key words mean, as ``themes tag`` reads it (:mod:`.tag`, step 4).

By words: the French word vectors of :mod:`.word_vectors` (a stem's vector the average of the
words written for it, a text's the sum of its words' weighted by count and rarity); as sentences:
:mod:`.sentence_meaning` (the texts of the graph, and the key words, read whole). Each theme has a
centre of meaning in both readings; the graph of texts close in meaning (:mod:`.neighbours`) is
built here too, once, for every round of learning and every fold of the cross-validation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .documents import Document
from .neighbours import graph_sample, neighbourhood
from .sentence_meaning import as_read, sentences_meaning
from .tag_corpus import Corpus, Key
from .text import tokens_with_surface, words
from .text_meaning import from_average, texts_meaning
from .word_vectors import WordVectors, french_vectors, unit

__all__ = [
    "CENTRE_DIRECTIONS_REMOVED",
    "MEANING_FLOOR",
    "MEANING_SHARPNESS",
    "SENTENCES_SHARE",
    "Centres",
    "Meaning",
    "meaning_of",
]

MEANING_FLOOR = 0.4
"""A word of the texts close in meaning to a key word (cosine of their vectors from this on)
seeds that key word's theme, with its closeness as weight (a key word itself weighing 1)."""
MEANING_SHARPNESS = 20.0
"""How sharply closeness in meaning to a theme's centre becomes a probability (a softmax of the
cosines times this): a cosine higher by 0.05 makes a theme e ≈ 2.7 times as likely."""
CENTRE_DIRECTIONS_REMOVED = 8
"""Main directions of the word-vector table taken out of the words' vectors before they make a
text's or a key word's meaning, as in ``themes suggest`` (« all-but-the-top »): what all words
share (how frequent, how formal) does not pull a text toward a theme. On the labelled set 6 to 10
directions give the same first suggestions within a point; none loses two to six points."""
SENTENCES_SHARE = 0.5
"""For a text read as sentences (:mod:`.sentence_meaning`), the share of that reading in its
closeness to each theme's centre, the rest by its words."""
_CHUNK = 50_000
"""Entries of the text × word matrix turned into vectors at once (memory at 100 000 texts)."""


@dataclass(frozen=True)
class Centres:
    """Each theme's centre of meaning, read by words and, where the sentence encoder is
    installed, as sentences (one unit row per theme)."""

    words: np.ndarray
    sentences: np.ndarray | None


class Meaning:
    """The meaning of the corpus: each word's, each key word's, each text's, and the graph of
    texts close in meaning.

    By words: a stem's vector is the average of the words written for it (« infirmières »,
    « infirmière »), a key of several words the average of its words, a text's the sum of its
    words' weighted by their count and their rarity (idf); all taken from the average meaning of
    the table. As sentences (:mod:`.sentence_meaning`, the texts of the graph): each text, and
    each key word, read whole."""

    def __init__(
        self,
        corpus: Corpus,
        documents: Sequence[Document],
        themes: Sequence[str],
        keys: list[Key],
        vectors: WordVectors,
        examples: Mapping[int, Sequence[int]],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        k = len(themes)
        centre = vectors.centre()
        # The texts of the graph (all up to 20 000, the texts classified by hand always among
        # them), read as sentences; first, while the texts' vectors by words below are not yet
        # made (memory at 100 000 texts).
        keep = np.zeros(corpus.n_docs, dtype=bool)
        keep[list(examples)] = True
        self.sample = graph_sample(corpus.n_docs, keep)
        read = sentences_meaning([as_read(documents[i].title, documents[i].text) for i in self.sample], progress)
        self.sentences: np.ndarray | None = None
        self.theme_sentences: np.ndarray | None = None
        if read is not None:
            self.sentences = from_average(read)  # as by words
            said = [[key.label for key in keys if key.theme == t] or [themes[t]] for t in range(k)]
            flat = sentences_meaning([label for labels in said for label in labels])
            if flat is not None:
                ends = np.cumsum([len(labels) for labels in said])
                self.theme_sentences = unit(np.stack([flat[e - len(ls) : e].mean(axis=0) for e, ls in zip(ends, said)]))
        # The graph: by sentences where they are read, else by words; the texts outside the
        # sample joined to it by words.
        with_titles = (
            stems[:n] * 2 + stems[n:] for stems, n in zip(corpus.stem_lists, corpus.title_lengths, strict=True)
        )
        self.neighbours = neighbourhood(
            texts_meaning(list(with_titles), corpus.forms, vectors), self.sample, self.sentences
        )

        def specific(rows: np.ndarray) -> np.ndarray:
            return vectors.specific(rows, CENTRE_DIRECTIONS_REMOVED)

        # Key words: as read to find words close in meaning (taken from the table's average) and
        # as they pull a text toward their theme (without the directions all words share).
        self.key_vectors: list[tuple[int, np.ndarray]] = []
        self.theme_vectors = np.zeros((k, vectors.width), dtype=np.float32)
        for key in keys:
            written = [w for _, w in tokens_with_surface(key.label)] or [
                w for w in words(key.label) if not w.endswith("'")
            ]
            m, has = vectors.matrix(written)
            if has.any():
                self.key_vectors.append((key.theme, unit(unit(m[has]).mean(axis=0) - centre)))
                self.theme_vectors[key.theme] += unit(specific(unit(m[has])).mean(axis=0))
        self.theme_vectors = unit(self.theme_vectors)
        term_vectors = vectors.stem_vectors(corpus.terms, corpus.forms)
        known = term_vectors.any(axis=1)
        term_vectors[known] = unit(unit(term_vectors[known]) - centre)
        self.term_vectors = term_vectors
        self.term_meaning = unit(vectors.stem_vectors(corpus.terms, corpus.forms, specific))
        df = np.bincount(corpus.cols, minlength=corpus.n_terms)
        self.idf = (np.log((1.0 + corpus.n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
        # Texts' vectors, a chunk of the sparse matrix at a time (its entries are sorted by text).
        doc_vectors = np.zeros((corpus.n_docs, vectors.width), dtype=np.float32)
        for start in range(0, len(corpus.rows), _CHUNK):
            rows = corpus.rows[start : start + _CHUNK]
            cols = corpus.cols[start : start + _CHUNK]
            part = self.term_meaning[cols] * (corpus.vals[start : start + _CHUNK] * self.idf[cols])[:, None]
            firsts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            doc_vectors[rows[firsts]] += np.add.reduceat(part, firsts, axis=0)
        self.doc_norms = np.linalg.norm(doc_vectors, axis=1)
        self.doc_vectors = from_average(doc_vectors)

    def closeness(self, n_themes: int) -> np.ndarray:
        """(terms × themes): for each word of the texts, its closeness in meaning (cosine) to the
        nearest key word of each theme, kept from :data:`MEANING_FLOOR` on, else 0."""
        out = np.zeros((self.term_vectors.shape[0], n_themes))
        for theme, v in self.key_vectors:
            out[:, theme] = np.maximum(out[:, theme], self.term_vectors @ v)
        out[out < MEANING_FLOOR] = 0.0
        return out

    def key_centres(self) -> Centres:
        """Each theme's centre of meaning from its key words alone."""
        return Centres(self.theme_vectors, self.theme_sentences)

    def centres(self, placed: np.ndarray) -> Centres:
        """Each theme's centre of meaning, its key words' plus the texts placed on it (``placed``:
        texts × themes, how much each text belongs to each theme)."""
        weights = placed.T.astype(np.float32)
        by_sentences = None
        if self.sentences is not None and self.theme_sentences is not None:
            by_sentences = unit(weights[:, self.sample] @ self.sentences + self.theme_sentences)
        return Centres(unit(weights @ self.doc_vectors + self.theme_vectors), by_sentences)

    def posterior(self, centres: Centres) -> np.ndarray:
        """(texts × themes): softmax of :data:`MEANING_SHARPNESS` × cosine to each centre, by
        words; for the texts read as sentences, the average of that and the same by sentences."""
        p = _softmax(MEANING_SHARPNESS * (self.doc_vectors @ centres.words.T).astype(np.float64))
        if self.sentences is not None and centres.sentences is not None:
            q = _softmax(MEANING_SHARPNESS * (self.sentences @ centres.sentences.T).astype(np.float64))
            p[self.sample] = (1.0 - SENTENCES_SHARE) * p[self.sample] + SENTENCES_SHARE * q
        return p


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def meaning_of(
    corpus: Corpus,
    documents: Sequence[Document],
    themes: Sequence[str],
    keys: list[Key],
    examples: Mapping[int, Sequence[int]],
    progress: Callable[[int], None] | None = None,
) -> Meaning | None:
    """The meaning of the corpus (see :class:`Meaning`); ``themes``: what each theme says of
    itself (title, description), read when it has no key word. None without the word vectors."""
    vectors = french_vectors()
    if vectors is None or not themes:
        return None
    return Meaning(corpus, documents, themes, keys, vectors, examples, progress)
