"""Suggested themes for each text, from the themes' key words and wording.

Each (text, theme) pair gets two pieces of evidence:

- **key words**: how many of the theme's ``mots_cles`` the text uses. Key words
  are compared as Snowball stems without accents (« voisin » finds « voisins »,
  « âgé » finds « agees »); a key of several words (« lien social », « maison de
  retraite ») must appear as a phrase, stop words aside (« liens sociaux »,
  « maisons de retraite »). With ``m`` distinct
  keys found, the key-word score is ``1 - 0.5 ** m`` (1 key: 0.5, 2: 0.75, 3: 0.875).
- **wording**: the TF-IDF cosine between the text and the theme's own text
  (titre, description, question and key words, the key words counted twice),
  with IDF from the texts being tagged. A cosine of :data:`SIMILARITY_SATURATION`
  or more counts fully.

The score is ``KEYWORD_WEIGHT · keywords + (1 - KEYWORD_WEIGHT) · wording``, in
[0, 1]. Work is linear in the number of texts: an inverted index from stems to
themes means each text only looks at the themes it shares words with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from .documents import DocInput, as_documents
from .text import SurfaceForms, tokens, tokens_with_surface
from .tfidf import TfidfModel

__all__ = [
    "KEYWORD_WEIGHT",
    "SIMILARITY_SATURATION",
    "TagSuggestion",
    "ThemeInput",
    "ThemeScore",
    "ThemeSpec",
    "tag",
]

KEYWORD_WEIGHT = 0.6
"""Share of the score given to key-word matches (the rest goes to the cosine)."""
SIMILARITY_SATURATION = 0.5
"""Cosine from which the wording evidence counts fully."""
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
    """Combined score in [0, 1] (rounded to 4 decimals)."""
    keyword_score: float
    """Key-word evidence in [0, 1]."""
    similarity: float
    """Raw TF-IDF cosine with the theme's text, in [0, 1]."""
    matched: tuple[str, ...] = ()
    """The theme's key words found in the text, as written in ``mots_cles``."""
    shared_words: tuple[str, ...] = ()
    """Other words the text shares with the theme's text, as the text writes them
    (the heaviest first, at most five)."""


@dataclass(frozen=True)
class TagSuggestion:
    """The suggested themes of one text, best first."""

    doc_id: str
    themes: tuple[ThemeScore, ...] = field(default_factory=tuple)

    @property
    def best(self) -> ThemeScore | None:
        """The best suggestion, if any."""
        return self.themes[0] if self.themes else None


def _as_theme(theme: ThemeInput) -> ThemeSpec:
    if isinstance(theme, ThemeSpec):
        return theme
    if isinstance(theme, Mapping):
        get = theme.get
    else:

        def get(key: str, default: object = None) -> object:
            return getattr(theme, key, default)

    raw_keys = get("mots_cles") or ()
    keys: list[str] = [raw_keys] if isinstance(raw_keys, str) else [str(k) for k in raw_keys]
    return ThemeSpec(
        id=str(get("id", "")),
        titre=str(get("titre") or ""),
        description=str(get("description") or ""),
        question=str(get("question") or ""),
        mots_cles=tuple(k for k in keys if k.strip()),
    )


@dataclass(frozen=True)
class _Key:
    theme: int
    label: str
    stems: tuple[str, ...]


def tag(
    docs: Sequence[DocInput],
    themes: Sequence[ThemeInput],
    *,
    min_score: float = 0.15,
    max_themes: int = 3,
    progress: Callable[[int, int], None] | None = None,
) -> list[TagSuggestion]:
    """Suggest themes for each text, in the order of ``docs``.

    Each suggestion keeps the themes scoring at least ``min_score`` (at most
    ``max_themes`` of them), best first, ties by theme id, each with the key
    words found as its explanation. ``progress(done, total)``, when given, is
    called now and then (two passes over the texts: ``total`` is twice their number).
    """
    documents = as_documents(docs)
    specs = [_as_theme(t) for t in themes]
    if not documents:
        return []
    if not specs:
        return [TagSuggestion(d.id) for d in documents]

    total = 2 * len(documents)
    forms = SurfaceForms()
    stem_lists: list[list[str]] = []
    for n, d in enumerate(documents):
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(n, total)
        pairs = tokens_with_surface(d.text, fold=True)
        forms.add_pairs(pairs)
        stem_lists.append([s for s, _ in pairs])
    model = TfidfModel.fit(stem_lists)

    # Key words: first stem -> keys starting with it (phrases checked in place).
    # A key made only of stop words has no stems and can never match.
    by_first: dict[str, list[_Key]] = {}
    key_stems: list[dict[str, tuple[str, ...]]] = []
    for t, spec in enumerate(specs):
        stems_of: dict[str, tuple[str, ...]] = {}
        for label in spec.mots_cles:
            stems = tuple(tokens(label, fold=True))
            if stems and stems not in stems_of.values():
                stems_of[label] = stems
                by_first.setdefault(stems[0], []).append(_Key(t, label, stems))
        key_stems.append(stems_of)

    # Theme texts as vectors, indexed by term for a sparse dot product.
    postings: dict[int, list[tuple[int, float]]] = {}
    for t, spec in enumerate(specs):
        key_tokens = [s for label in spec.mots_cles for s in tokens(label, fold=True)]
        theme_tokens = tokens(f"{spec.titre}\n{spec.description}\n{spec.question}", fold=True) + key_tokens
        vector = model.vector(theme_tokens, weights=dict.fromkeys(key_tokens, 2.0))
        for i, w in zip(vector.indices, vector.values, strict=True):
            postings.setdefault(i, []).append((t, w))

    results: list[TagSuggestion] = []
    for n, (d, doc_stems) in enumerate(zip(documents, stem_lists, strict=True)):
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(len(documents) + n, total)
        matched: dict[int, list[str]] = {}
        for position, s in enumerate(doc_stems):
            for key in by_first.get(s, ()):
                n = len(key.stems)
                if n == 1 or tuple(doc_stems[position : position + n]) == key.stems:
                    labels = matched.setdefault(key.theme, [])
                    if key.label not in labels:
                        labels.append(key.label)
        vector = model.vector(doc_stems)
        dots: dict[int, float] = {}
        contributions: dict[int, list[tuple[float, int]]] = {}
        for i, w in zip(vector.indices, vector.values, strict=True):
            for t, tw in postings.get(i, ()):
                dots[t] = dots.get(t, 0.0) + w * tw
                contributions.setdefault(t, []).append((w * tw, i))
        scores: list[ThemeScore] = []
        for t in sorted(set(matched) | set(dots)):
            found = matched.get(t, [])
            keyword_score = 1.0 - 0.5 ** len(found)
            similarity = min(1.0, max(0.0, dots.get(t, 0.0)))
            score = KEYWORD_WEIGHT * keyword_score + (1.0 - KEYWORD_WEIGHT) * min(
                1.0, similarity / SIMILARITY_SATURATION
            )
            if score < min_score:
                continue
            found_stems = {s for label in found for s in key_stems[t][label]}
            shared = [
                forms.readable(model.terms[i])
                for _, i in sorted(contributions.get(t, []), key=lambda c: (-c[0], c[1]))
                if model.terms[i] not in found_stems
            ][:5]
            scores.append(
                ThemeScore(
                    theme_id=specs[t].id,
                    score=round(score, 4),
                    keyword_score=round(keyword_score, 4),
                    similarity=round(similarity, 4),
                    matched=tuple(found),
                    shared_words=tuple(shared),
                )
            )
        scores.sort(key=lambda s: (-s.score, s.theme_id))
        results.append(TagSuggestion(d.id, tuple(scores[:max_themes])))
    if progress is not None:
        progress(total, total)
    return results
