"""Texts close in meaning share their themes: the graph of nearest texts and spreading along it."""

from __future__ import annotations

import numpy as np
import pytest

from ateliers_cli.analysis.neighbours import NEIGHBOURS, neighbourhood
from ateliers_cli.analysis.tag import ThemeSpec, tag


def _two_subjects(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` unit vectors around each of two directions, and which subject each is of."""
    rng = np.random.default_rng(seed)
    centres = np.eye(6, dtype=np.float32)[:2]
    points = np.concatenate([centres[s] + 0.15 * rng.standard_normal((n, 6)).astype(np.float32) for s in (0, 1)])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points, np.repeat([0, 1], n)


@pytest.mark.parametrize("sample_size", [10_000, 40])
def test_one_classified_text_per_subject_reaches_every_text_of_its_subject(sample_size: int) -> None:
    # Nobody's own scores say anything but the two texts classified by hand; the graph (whole,
    # or a sample of 40 of the 120 texts with the others joined to it) carries their themes.
    points, subject = _two_subjects(60)
    fixed = np.zeros(len(points), dtype=bool)
    fixed[[0, 60]] = True
    fixed_scores = np.zeros((len(points), 2))
    fixed_scores[0, 0] = fixed_scores[60, 1] = 1.0
    graph = neighbourhood(points, fixed, sample_size=sample_size)
    assert fixed[graph.sample].sum() == 2  # the classified texts are always in the graph
    assert len(graph.sample) == min(sample_size, 120)
    scores = graph.spread(np.zeros((len(points), 2)), fixed, fixed_scores)
    assert (scores.argmax(axis=1) == subject).all()
    assert np.allclose(scores.sum(axis=1), 1.0)
    # Its nearest texts, to explain a suggestion: of its subject, itself never among them.
    assert graph.nearest.shape == (120, NEIGHBOURS)
    assert (subject[graph.nearest] == subject[:, None]).mean() > 0.95
    assert not (graph.nearest == np.arange(120)[:, None]).any()


def test_a_text_with_no_meaning_has_no_neighbour_and_keeps_its_own_scores() -> None:
    points, _ = _two_subjects(20)
    points[5] = 0.0  # none of its words has a vector
    own = np.zeros((len(points), 2))
    own[5] = [0.2, 0.8]
    fixed = np.zeros(len(points), dtype=bool)
    fixed[0] = True
    graph = neighbourhood(points, fixed)
    assert (graph.closeness[5] == 0).all()
    scores = graph.spread(own, fixed, np.eye(2)[np.zeros(len(points), dtype=int)])
    assert scores[5] == pytest.approx([0.2, 0.8])


def test_its_own_scores_weigh_against_its_neighbours() -> None:
    # A text of subject 0 whose own scores say theme 1 strongly enough keeps theme 1: the
    # neighbours pull, they do not overrule everything.
    points, _ = _two_subjects(30)
    own = np.tile([0.6, 0.4], (len(points), 1))
    own[3] = [0.0, 1.0]
    none = np.zeros(len(points), dtype=bool)
    scores = neighbourhood(points, none).spread(own, none, np.zeros_like(own))
    assert scores[3].argmax() == 1 and scores[4].argmax() == 0


def test_tag_says_which_hand_classified_texts_its_suggestion_comes_near() -> None:
    themes = [
        ThemeSpec("sante", "Santé", mots_cles=("santé",)),
        ThemeSpec("securite", "Sécurité", mots_cles=("sécurité",)),
    ]
    docs = [
        ("E-1", "Les médecins manquent et l'hôpital ferme ses urgences"),
        ("E-2", "Les gendarmes patrouillent peu et les cambriolages augmentent"),
        ("N-1", "L'hôpital ferme ses urgences, les médecins manquent"),
        ("N-2", "Les cambriolages augmentent, les gendarmes patrouillent peu"),
        ("N-3", "Les infirmières sont épuisées et la pharmacie est trop loin"),
        ("N-4", "La police arrive tard et la prison déborde"),
    ]
    best = {s.doc_id: s.best for s in tag(docs, themes, examples={"E-1": ["sante"], "E-2": ["securite"]})}
    assert best["N-1"] is not None and best["N-1"].theme_id == "sante" and best["N-1"].close_examples == ("E-1",)
    assert best["N-2"] is not None and best["N-2"].theme_id == "securite" and best["N-2"].close_examples == ("E-2",)
    # Without texts classified by hand, nothing of the kind is said.
    assert all(s.best is None or s.best.close_examples == () for s in tag(docs, themes))
