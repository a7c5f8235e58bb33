"""Candidate themes from the texts: spherical k-means on TF-IDF vectors.

How it works, and why it stays fast and deterministic:

1. Texts are sorted by id, tokenised (stems, accents folded so that « agees »
   and « âgées » meet), and turned into TF-IDF vectors over the terms used by at
   least two texts and by at most half of them.
2. When ``k`` is not given, spherical k-means runs on a sample for each ``k`` in
   ``k_min..k_max`` and the ``k`` with the best silhouette wins (ties: the
   smaller ``k``). With cosine distance and unit vectors, the mean similarity of
   a text to a cluster is its dot product with the cluster's sum, so the
   silhouette is exact and costs a single pass — no pairwise matrix.
3. The chosen clustering is refined on every text with a few Lloyd passes; each
   pass is linear in the number of texts.
4. Each cluster is described by its distinctive terms (frequent in the cluster,
   rarer elsewhere), shown as the words people wrote.

Randomness (sampling, k-means++ seeding) comes from ``random.Random(seed)``,
which is the same on every run and machine; nothing depends on ``hash()``.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import mul

from .documents import DocInput, as_documents
from .text import SurfaceForms, fold_accents, slugify
from .tfidf import SparseVector, TfidfModel, dense_dot, distinctive_terms, mean_vector

__all__ = ["CandidateTheme", "draft_themes_yaml", "suggest_themes"]


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


# --- spherical k-means ---------------------------------------------------------------


@dataclass
class _Clustering:
    labels: list[int]
    sims: list[float]
    centroids: list[list[float]]
    objective: float


def _dense(vector: SparseVector, dim: int) -> list[float]:
    row = [0.0] * dim
    for i, w in zip(vector.indices, vector.values, strict=True):
        row[i] = w
    return row


def _assign(vectors: Sequence[SparseVector], centroids: list[list[float]]) -> tuple[list[int], list[float]]:
    """Nearest centroid (highest dot product, lowest index on ties) of each vector."""
    # Term-major centroids: one tuple of k weights per term, so that a text's k dot
    # products come from the rows of its own few terms only.
    by_term = list(zip(*centroids, strict=True))
    labels: list[int] = []
    sims: list[float] = []
    for v in vectors:
        if len(centroids) == 1:
            row_sims = [dense_dot(v, centroids[0])]
        else:
            columns = zip(*[by_term[i] for i in v.indices], strict=True)
            row_sims = [sum(map(mul, column, v.values)) for column in columns]
        best_sim = max(row_sims)
        labels.append(row_sims.index(best_sim))
        sims.append(best_sim)
    return labels, sims


def _kmeans_pp(vectors: Sequence[SparseVector], k: int, dim: int, rng: random.Random) -> list[list[float]]:
    """Greedy k-means++ seeding with distance ``1 - cos``.

    Each new centre is the best of a few candidates drawn in proportion to their
    distance to the centres so far (as scikit-learn does): far fewer bad local
    optima than plain k-means++ for little more work.
    """
    n = len(vectors)
    trials = 2 + int(math.log(k))
    first = rng.randrange(n)
    centroids = [_dense(vectors[first], dim)]
    chosen = {first}
    dist = [max(0.0, 1.0 - dense_dot(v, centroids[0])) for v in vectors]
    while len(centroids) < k:
        total = sum(dist)
        picks: list[int] = []
        if total > 1e-12:
            cumulative = list(itertools.accumulate(dist))
            for _ in range(trials):
                pick = min(bisect.bisect_left(cumulative, rng.random() * total), n - 1)
                if pick not in chosen and pick not in picks:
                    picks.append(pick)
        if not picks:  # every text sits on a centre already: take the next unused one
            picks = [next((i for i in range(n) if i not in chosen), first)]
        best: tuple[float, int, list[float], list[float]] | None = None
        for pick in picks:
            c = _dense(vectors[pick], dim)
            new_dist = [min(d, max(0.0, 1.0 - dense_dot(v, c))) for d, v in zip(dist, vectors, strict=True)]
            potential = sum(new_dist)
            if best is None or potential < best[0]:
                best = (potential, pick, c, new_dist)
        assert best is not None
        _, pick, c, dist = best
        chosen.add(pick)
        centroids.append(c)
    return centroids


def _lloyd(
    vectors: Sequence[SparseVector],
    centroids: list[list[float]],
    dim: int,
    max_iter: int,
) -> _Clustering:
    k = len(centroids)
    # Stop when at most one text in a thousand changes cluster: the long tail of
    # Lloyd iterations moves a handful of texts and costs as much as the start.
    tolerance = len(vectors) // 1000
    labels, sims = _assign(vectors, centroids)
    for _ in range(max_iter):
        empty = sorted(set(range(k)) - set(labels))
        if empty:
            # An empty cluster takes the text worst served by its centre.
            labels = list(labels)
            worst_first = sorted(range(len(vectors)), key=lambda i: (sims[i], i))
            for j, worst in zip(empty, worst_first, strict=False):
                labels[worst] = j
        members: list[list[SparseVector]] = [[] for _ in range(k)]
        for v, label in zip(vectors, labels, strict=True):
            members[label].append(v)
        centroids = [mean_vector(m, dim) for m in members]
        new_labels, sims = _assign(vectors, centroids)
        changed = sum(1 for a, b in zip(new_labels, labels, strict=True) if a != b)
        labels = new_labels
        if changed <= tolerance:
            break
    return _Clustering(labels, sims, centroids, sum(sims))


def _kmeans(
    vectors: Sequence[SparseVector], k: int, dim: int, seed: int, *, n_init: int, max_iter: int = 30
) -> _Clustering:
    best: _Clustering | None = None
    for run in range(n_init):
        rng = random.Random(f"ateliers-kmeans:{seed}:{k}:{run}")
        result = _lloyd(vectors, _kmeans_pp(vectors, k, dim, rng), dim, max_iter)
        if best is None or result.objective > best.objective + 1e-9:
            best = result
    assert best is not None
    return best


def _silhouette(vectors: Sequence[SparseVector], labels: list[int], k: int, dim: int) -> float:
    """Mean silhouette with cosine distance, exact, in one pass over the texts.

    With unit vectors, the mean similarity of ``x`` to the texts of a cluster is
    ``x · sum(cluster) / size`` (minus ``x · x = 1`` for its own cluster).
    """
    sums: list[list[float]] = [[0.0] * dim for _ in range(k)]
    sizes = [0] * k
    for v, label in zip(vectors, labels, strict=True):
        sizes[label] += 1
        row = sums[label]
        for i, w in zip(v.indices, v.values, strict=True):
            row[i] += w
    used = [j for j in range(k) if sizes[j] > 0]
    if len(used) < 2:
        return -1.0
    total = 0.0
    for v, label in zip(vectors, labels, strict=True):
        if sizes[label] < 2:
            continue  # a singleton's silhouette is 0 by convention
        a = 1.0 - (dense_dot(v, sums[label]) - 1.0) / (sizes[label] - 1)
        b = min(1.0 - dense_dot(v, sums[j]) / sizes[j] for j in used if j != label)
        denominator = max(a, b)
        if denominator > 0.0:
            total += (b - a) / denominator
    return total / len(vectors)


# --- the public function -------------------------------------------------------------


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
    """Group the texts into candidate themes.

    ``docs`` are ``(id, text)`` pairs (or any :data:`~.documents.DocInput`).
    ``k`` fixes the number of themes; when ``None`` it is chosen in
    ``k_min..k_max`` by silhouette on a sample of ``sample_size`` texts. The
    result is sorted by decreasing size, then id. Texts without any usable word
    (empty, or only stop words) belong to no candidate. The same input gives
    the same output, whatever its order. ``progress(done, total)``, when given,
    is called now and then: four equal parts (words, vectors, clustering, refinement).
    """
    documents = sorted(as_documents(docs), key=lambda d: (d.id, d.text))
    if not documents:
        return []
    n = len(documents)

    def report(done: float) -> None:
        if progress is not None:
            progress(min(int(done), 4 * n), 4 * n)

    forms = SurfaceForms()
    token_lists: list[list[str]] = []
    for i, d in enumerate(documents):
        if i % 500 == 0:
            report(i)
        token_lists.append(forms.add_text(d.text, fold=True))
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
    del token_lists
    report(2 * n)
    kept = [i for i, v in enumerate(all_vectors) if v]
    if not kept:
        return []
    vectors = [all_vectors[i] for i in kept]
    ids = [documents[i].id for i in kept]
    dim = len(model)
    m = len(vectors)

    rng = random.Random(f"ateliers-sample:{seed}")
    if m > sample_size:
        sample_idx = sorted(rng.sample(range(m), sample_size))
        sample = [vectors[i] for i in sample_idx]
    else:
        sample = vectors

    if k is not None:
        chosen_k = max(1, min(k, m))
        clustering = _kmeans(sample, min(chosen_k, len(sample)), dim, seed, n_init=3)
    elif m < 4:
        clustering = _kmeans(sample, 1, dim, seed, n_init=1)
    else:
        low = max(2, min(k_min, m - 1))
        high = max(low, min(k_max, len(sample) - 1))
        best: tuple[float, _Clustering] | None = None
        for candidate_k in range(low, high + 1):
            report(2 * n + n * (candidate_k - low) / (high - low + 1))
            result = _kmeans(sample, candidate_k, dim, seed, n_init=2)
            score = _silhouette(sample, result.labels, candidate_k, dim)
            if best is None or score > best[0] + 1e-9:
                best = (score, result)
        assert best is not None
        clustering = best[1]

    report(3 * n)
    if sample is not vectors:
        clustering = _lloyd(vectors, clustering.centroids, dim, max_iter=3)
    candidates = _describe(clustering, vectors, ids, model, forms, n_keywords)
    report(4 * n)
    return candidates


def _describe(
    clustering: _Clustering,
    vectors: Sequence[SparseVector],
    ids: Sequence[str],
    model: TfidfModel,
    forms: SurfaceForms,
    n_keywords: int,
) -> list[CandidateTheme]:
    k = len(clustering.centroids)
    members: list[list[int]] = [[] for _ in range(k)]
    for i, label in enumerate(clustering.labels):
        members[label].append(i)
    groups = [g for g in members if g]
    groups.sort(key=lambda g: (-len(g), ids[g[0]]))

    candidates: list[CandidateTheme] = []
    used_slugs: set[str] = set()
    for number, group in enumerate(groups, start=1):
        centroid = mean_vector((vectors[i] for i in group), len(model))
        sims = {i: dense_dot(vectors[i], centroid) for i in group}
        closest = sorted(group, key=lambda i: (-sims[i], ids[i]))[:3]
        terms = distinctive_terms((vectors[i] for i in group), model, n=n_keywords * 3)
        if len(terms) < n_keywords:  # tiny cluster: fall back on its heaviest terms
            seen = {t for t, _ in terms}
            terms += [(t, w) for t, w in model.top_terms(centroid, n_keywords * 3) if t not in seen]
        keywords: list[str] = []
        for term, _ in terms:
            word = forms.readable(term)
            if not any(_same_family(word, other) for other in keywords):
                keywords.append(word)
            if len(keywords) == n_keywords:
                break
        candidates.append(
            CandidateTheme(
                id=_unique_slug(keywords, number, used_slugs),
                titre=_title(keywords, number),
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


def _title(keywords: list[str], number: int) -> str:
    if not keywords:
        return f"Thème {number}"
    words = keywords[:3]
    return ", ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


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
        "# Projet de thèmes proposé automatiquement à partir du vocabulaire des contributions",
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
