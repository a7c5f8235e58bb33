"""Texts close in meaning share their themes: the graph of nearest texts, and spreading along it.

``themes tag`` first scores every text on its own (key words, word weights, closeness to each
theme's centre). Texts close in meaning mostly belong to the same theme, so each text's scores
then take in those of its nearest texts, and theirs in turn (« label spreading », Zhou et al.
2004): a text whose words are rare or ambiguous is pulled toward the theme of the texts that say
the same thing, and a contribution the analyst classified by hand teaches the texts around it.

The graph: each text joined to its :data:`NEIGHBOURS` nearest texts (cosine of the vectors of
:mod:`.sentence_meaning`, or of :mod:`.text_meaning` without it), both ways, weighed by
closeness, normalised by the degrees (D^-1/2 W D^-1/2). Spreading solves F = Y + α·S·F by a few
rounds of that very sum (Y the texts' own scores, the texts classified by hand fixed on their
themes): what a text says of itself keeps weight 1, what its neighbours say :data:`PULL` of
theirs.

Beyond ``sample_size`` texts the graph is built on a seeded sample (the texts classified by
hand always in it); every other text takes in the spread scores of its nearest texts of the
sample by the same sum (nearest by the vectors of :mod:`.text_meaning`, which every text has).
The cost grows linearly with the number of texts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["NEIGHBOURS", "PULL", "Graph", "Neighbourhood", "graph_sample", "nearest_graph", "neighbourhood"]

NEIGHBOURS = 10
"""Each text is joined to this many of its nearest texts, in ``themes tag``'s graph and in the
graph ``themes suggest`` cuts into themes. On the labelled « Vrai Débat » set, for ``tag``, 5 to 15
give the same first suggestions within two points; for ``suggest`` (by words), 8 to 20 give a
majority purity of 64–65 %, 5 gives 62 %, 50 gives 61 %."""
PULL = 0.75
"""α: what a text's neighbours say, against what it says itself (1). On the labelled set 0.6 to
0.8 give the same within a point; 0.9 and more drown a text in its neighbourhood."""
ROUNDS = 40
"""Rounds of the sum F = Y + α·S·F: α^40 ≈ 1e-5, the rest is below what a score shows."""
SAMPLE_SIZE = 20_000
"""Texts of the graph beyond which a seeded sample stands for the others."""
_BLOCK = 512
"""Texts whose similarities to the sample are computed at once (512 × 20 000 floats: 40 MB)."""


def _nearest(points: np.ndarray, among: np.ndarray, count: int, *, same: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``points``, the rows of ``among`` of its ``count`` nearest (cosine) and
    their closeness (negative closeness as 0). ``same``: ``points`` are ``among``, and a text is
    not its own neighbour."""
    n = len(points)
    count = max(0, min(count, len(among) - (1 if same else 0)))
    idx = np.zeros((n, count), dtype=np.int64)
    sims = np.zeros((n, count), dtype=np.float32)
    if count == 0:
        return idx, sims
    for first in range(0, n, _BLOCK):
        block = points[first : first + _BLOCK] @ among.T
        if same:
            rows = np.arange(len(block))
            block[rows, first + rows] = -np.inf
        part = np.argpartition(-block, count - 1, axis=1)[:, :count]
        idx[first : first + len(block)] = part
        sims[first : first + len(block)] = np.maximum(np.take_along_axis(block, part, axis=1), 0.0)
    return idx, sims


@dataclass(frozen=True)
class Neighbourhood:
    """The graph of nearest texts, built once, spread along as often as needed."""

    sample: np.ndarray
    """Indices of the texts in the graph (all texts, up to ``sample_size``)."""
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    """The normalised graph among the sample, as (row, column, weight) triples of sample positions."""
    outside: np.ndarray
    """Indices of the texts outside the sample."""
    outside_idx: np.ndarray
    outside_weights: np.ndarray
    """For each text outside: its nearest sample positions and their normalised weights."""
    nearest: np.ndarray
    closeness: np.ndarray
    """For every text: the indices of its nearest texts in the graph, and their closeness (0: not
    a neighbour, for a text none of whose words has a vector), to explain a suggestion."""

    def spread(self, own: np.ndarray, fixed: np.ndarray, fixed_scores: np.ndarray) -> np.ndarray:
        """(texts × themes) scores, rows summing to 1 (0 where ``own`` and the neighbours say
        nothing): the fixed point of F = Y + α·S·F, where Y is ``own`` with the texts ``fixed``
        replaced by ``fixed_scores``."""
        y = own.astype(np.float64, copy=True)
        y[fixed] = fixed_scores[fixed]
        k = y.shape[1]
        ys = y[self.sample]
        f = ys.copy()
        for _ in range(ROUNDS):
            spread = np.zeros_like(f)
            for t in range(k):
                spread[:, t] = np.bincount(self.rows, weights=self.weights * f[self.cols, t], minlength=len(f))
            f = ys + PULL * spread
        out = y.copy()
        out[self.sample] = f
        if len(self.outside):
            out[self.outside] += PULL * np.einsum("ij,ijk->ik", self.outside_weights, f[self.outside_idx])
        out[fixed] = fixed_scores[fixed]
        totals = out.sum(axis=1, keepdims=True)
        return np.divide(out, totals, out=np.zeros_like(out), where=totals > 0)


def graph_sample(n: int, keep: np.ndarray, *, sample_size: int = SAMPLE_SIZE, seed: int = 0) -> np.ndarray:
    """The indices of the texts of the graph, in order: all ``n`` up to ``sample_size``, else a
    seeded sample of that size that holds every text of ``keep``."""
    if n <= sample_size:
        return np.arange(n)
    kept = set(np.flatnonzero(keep).tolist())
    others = [i for i in range(n) if i not in kept]
    room = max(0, sample_size - len(kept))
    return np.array(sorted(kept | set(random.Random(f"ateliers-voisins:{seed}").sample(others, room))))


class Graph(NamedTuple):
    """The graph of nearest texts: its links, both ways, normalised by the degrees."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    """The links (row, column, weight), weight = closeness / √(degree of each end)."""
    degree: np.ndarray
    """For each text, the sum of the closeness of its links."""
    nearest: np.ndarray
    closeness: np.ndarray
    """For each text, its :data:`NEIGHBOURS` nearest texts and their closeness."""


def nearest_graph(points: np.ndarray) -> Graph:
    """The graph of :data:`NEIGHBOURS` nearest texts among ``points`` (unit rows; a zero row has no
    neighbour)."""
    m = len(points)
    idx, sims = _nearest(points, points, NEIGHBOURS, same=True)
    # Both ways: a text is joined to its neighbours and to the texts it is a neighbour of.
    rows = np.concatenate([np.repeat(np.arange(m), idx.shape[1]), idx.ravel()])
    cols = np.concatenate([idx.ravel(), np.repeat(np.arange(m), idx.shape[1])])
    w = np.concatenate([sims.ravel(), sims.ravel()]).astype(np.float64)
    key = rows * m + cols
    order = np.argsort(key, kind="stable")
    key, w = key[order], w[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    best = np.maximum.reduceat(w, starts) if len(key) else w
    key = key[starts]
    rows, cols = key // m, key % m
    present = best > 0
    rows, cols, best = rows[present], cols[present], best[present]
    degree = np.bincount(rows, weights=best, minlength=m).astype(np.float64)
    scale = np.divide(1.0, np.sqrt(degree), out=np.zeros_like(degree), where=degree > 0)
    return Graph(rows, cols, best * scale[rows] * scale[cols], degree, idx, sims)


def neighbourhood(points: np.ndarray, sample: np.ndarray, graph_points: np.ndarray | None = None) -> Neighbourhood:
    """The graph of :data:`NEIGHBOURS` nearest texts among the texts of ``sample`` (see
    :func:`graph_sample`), by the cosine of their ``graph_points`` (one unit row per text of the
    sample; by default their ``points``), each text outside the sample joined to its nearest texts
    of the sample by ``points`` (unit rows, one per text). A zero row has no neighbour."""
    n = len(points)
    sample_points = np.ascontiguousarray(points[sample])
    between = sample_points if graph_points is None else graph_points
    graph = nearest_graph(between)
    degree, idx, sims = graph.degree, graph.nearest, graph.closeness
    in_sample = np.zeros(n, dtype=bool)
    in_sample[sample] = True
    outside = np.flatnonzero(~in_sample)
    o_idx, o_sims = _nearest(points[outside], sample_points, NEIGHBOURS, same=False)
    o_degree = o_sims.sum(axis=1, keepdims=True).astype(np.float64)
    o_weights = np.divide(
        o_sims, np.sqrt(o_degree * np.maximum(degree[o_idx], 1e-12)), out=np.zeros(o_sims.shape), where=o_degree > 0
    )
    nearest = np.zeros((n, idx.shape[1]), dtype=np.int64)
    closeness = np.zeros((n, idx.shape[1]), dtype=np.float32)
    nearest[sample], closeness[sample] = sample[idx], sims
    if len(outside):
        nearest[outside], closeness[outside] = sample[o_idx], o_sims
    return Neighbourhood(sample, graph.rows, graph.cols, graph.weights, outside, o_idx, o_weights, nearest, closeness)
