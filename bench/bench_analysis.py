"""Benchmark of the text analysis: suggest, tag and duplicates on synthetic contributions.

    python bench/bench_analysis.py --sizes 1000,10000,100000

Contributions are generated (seeded) from sentence templates on six themes of a
« Bien vieillir » consultation, with slots filled at random so that texts differ,
plus planted copy-paste campaigns and resubmitted pairs. Prints one row per size:
seconds for each step (wall clock / CPU of this process), the number of candidate
themes and their purity against the generating theme, tagging accuracy (best
suggestion = generating theme; 30 % of texts also carry a sentence on another
theme), and duplicate groups: planted sets found whole, and other groups
(generated texts that happen to be ≥ 0.8 similar, so rightly grouped).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ateliers_cli.analysis import ThemeSpec, find_duplicates, suggest_themes, tag

VILLES = [
    "Lille",
    "Roubaix",
    "Tourcoing",
    "Dunkerque",
    "Valenciennes",
    "Douai",
    "Cambrai",
    "Maubeuge",
    "Armentières",
    "Hazebrouck",
    "Avesnes",
    "Wattrelos",
    "Villeneuve-d'Ascq",
    "Marcq-en-Barœul",
]
OUVERTURES = [
    "Bonjour,",
    "Bonjour madame, monsieur,",
    "Merci pour cette consultation.",
    "",
    "J'ai {age} ans et je vis à {ville}.",
    "Je suis retraitée à {ville}.",
    "Habitant de {ville} depuis {annees} ans,",
    "Ma mère a {age} ans.",
    "Je travaille comme aide à domicile à {ville}.",
    "En tant que bénévole,",
]
COMPLEMENTS = [
    "",
    "",
    "",
    " depuis {annees} ans",
    " à {ville}",
    " surtout en hiver",
    " pour les plus fragiles",
    " comme pour beaucoup de gens ici",
    " dans notre quartier",
    " et c'est de pire en pire",
    " d'après mon expérience",
    " selon les voisins",
    " depuis la crise sanitaire",
    " ce qui m'inquiète",
    " pour mes parents",
    " même dans les grandes villes",
    " au moins une fois par mois",
    " à mon avis",
]
CLOTURES = ["Cordialement.", "Merci de nous écouter.", "", "", "Bon courage à vous.", "Merci d'avance."]

THEMES: dict[str, dict[str, list[str]]] = {
    "isolement": {
        "phrases": [
            "Beaucoup de personnes âgées vivent seules et ne voient {personne} pendant des semaines.",
            "La solitude est {adj} quand on perd son conjoint.",
            "Il faudrait organiser des visites de {visiteurs} chez les personnes isolées.",
            "Les voisins pourraient signaler une personne âgée qu'on ne voit plus sortir.",
            "Un appel téléphonique {frequence} rompt l'isolement des aînés.",
            "Le lien social disparaît quand les commerces de proximité ferment.",
            "Créer des cafés {lieux} où les seniors se retrouvent pour discuter.",
            "Les clubs du troisième âge manquent de bénévoles pour accueillir les anciens.",
            "On se sent {adj} le dimanche, sans famille ni amis à qui parler.",
        ],
        "personne": ["personne", "aucun proche", "ni voisin ni famille", "aucun visiteur"],
        "adj": ["terrible", "pesante", "difficile", "insupportable", "douloureuse"],
        "visiteurs": ["bénévoles", "jeunes en service civique", "voisins", "facteurs"],
        "frequence": ["chaque semaine", "quotidien", "régulier", "chaque matin"],
        "lieux": ["associatifs", "solidaires", "de quartier", "intergénérationnels"],
    },
    "mobilite": {
        "phrases": [
            "Les bus ne passent {frequence} dans les villages autour de {ville}.",
            "Sans voiture, impossible d'aller {destination}.",
            "Il faudrait un transport à la demande pour les seniors qui ne conduisent plus.",
            "Les trottoirs {etat} empêchent de marcher avec un déambulateur.",
            "Le prix du ticket de bus est trop élevé pour une petite retraite.",
            "Des navettes gratuites vers {destination} aideraient beaucoup.",
            "Les arrêts de tram n'ont pas de bancs pour se reposer.",
            "Renoncer au permis de conduire, c'est perdre son autonomie pour se déplacer.",
        ],
        "frequence": ["que deux fois par jour", "plus le dimanche", "presque jamais", "qu'à heures fixes"],
        "destination": ["au marché", "chez le médecin", "à l'hôpital", "à la pharmacie", "au centre-ville"],
        "etat": ["abîmés", "trop étroits", "encombrés de voitures", "glissants en hiver"],
    },
    "logement": {
        "phrases": [
            "Adapter la salle de bains avec une douche {douche} coûte très cher.",
            "Les escaliers de la maison deviennent un obstacle {moment}.",
            "Il manque de logements de plain-pied adaptés aux personnes âgées à {ville}.",
            "Les résidences autonomie ont des listes d'attente de {duree}.",
            "Les aides pour aménager le logement sont {aides}.",
            "Une colocation entre seniors permettrait de garder sa maison.",
            "L'habitat inclusif est une bonne solution entre le domicile et l'Ehpad.",
            "Le chauffage coûte trop cher dans les vieilles maisons mal isolées.",
        ],
        "douche": ["à l'italienne", "sans marche", "adaptée", "de plain-pied"],
        "moment": ["avec l'âge", "après une chute", "quand les genoux lâchent", "au quotidien"],
        "duree": ["plusieurs années", "deux ans", "dix-huit mois", "trois ans"],
        "aides": ["trop compliquées à obtenir", "mal connues", "insuffisantes", "trop lentes à arriver"],
    },
    "sante": {
        "phrases": [
            "Trouver un médecin traitant est devenu {adj} à {ville}.",
            "Les délais pour voir un {specialiste} dépassent six mois.",
            "Les infirmières à domicile sont débordées et passent {passage}.",
            "La prévention des chutes devrait être proposée {quand}.",
            "Les déserts médicaux obligent à faire des kilomètres pour une consultation.",
            "La téléconsultation ne remplace pas un vrai rendez-vous chez le docteur.",
            "Il faut davantage de maisons de santé avec des généralistes.",
            "Les urgences de l'hôpital sont saturées la nuit.",
        ],
        "adj": ["impossible", "très difficile", "un parcours du combattant", "compliqué"],
        "specialiste": ["cardiologue", "ophtalmologue", "dentiste", "dermatologue", "gériatre"],
        "passage": ["en coup de vent", "à des heures imprévisibles", "trop vite", "de moins en moins"],
        "quand": ["dès la retraite", "à domicile", "par les pharmaciens", "gratuitement"],
    },
    "numerique": {
        "phrases": [
            "Toutes les démarches administratives se font {ou} et je n'y arrive pas.",
            "Les ateliers d'initiation à l'informatique pour les seniors sont {etat}.",
            "Je ne sais pas me servir d'{outil} pour prendre rendez-vous.",
            "Il faut garder un guichet avec une vraie personne à la mairie.",
            "Les conseillers numériques aident à remplir les formulaires en ligne.",
            "Mot de passe, identifiant, code reçu par SMS : c'est trop compliqué.",
            "La fracture numérique exclut les personnes âgées des services publics.",
            "Les petits-enfants ne peuvent pas toujours aider avec {outil}.",
        ],
        "ou": ["sur internet", "en ligne", "sur une application", "par ordinateur"],
        "etat": ["trop rares", "complets", "trop loin", "formidables mais inconnus"],
        "outil": ["une tablette", "un smartphone", "un ordinateur", "internet"],
    },
    "aidants": {
        "phrases": [
            "Je m'occupe de mon {proche} malade et je suis épuisée.",
            "Les aidants familiaux ont besoin de répit {quand}.",
            "L'accueil de jour permet de souffler quelques heures.",
            "Personne ne nous a expliqué nos droits d'aidant {moment}.",
            "Concilier son travail et l'aide à un parent dépendant est {adj}.",
            "Des groupes de parole pour les aidants existent à {ville} mais sont méconnus.",
            "L'allocation pour les aidants est trop faible.",
            "Un relais à domicile pour les aidants la nuit serait précieux.",
        ],
        "proche": ["mari", "père", "épouse", "frère", "fils handicapé"],
        "quand": ["le week-end", "pendant les vacances", "une fois par semaine", "quelques jours par mois"],
        "moment": ["au début de la maladie", "à la sortie de l'hôpital", "lors du diagnostic"],
        "adj": ["épuisant", "presque impossible", "un casse-tête", "très dur"],
    },
}

THEME_SPECS = [
    ThemeSpec(
        "isolement",
        "Rompre l'isolement des personnes âgées",
        "Visites, voisinage, lien social.",
        "Comment repérer et accompagner les personnes isolées ?",
        ("isolement", "solitude", "visite", "voisin", "lien social"),
    ),
    ThemeSpec(
        "mobilite",
        "Se déplacer quand on vieillit",
        "Transports, trottoirs, navettes.",
        "Comment se déplacer sans voiture ?",
        ("bus", "transport", "navette", "trottoir", "conduire"),
    ),
    ThemeSpec(
        "logement",
        "Un logement adapté",
        "Adapter son domicile, habitat inclusif, résidences autonomie.",
        "Comment vieillir chez soi ?",
        ("logement", "habitat", "douche", "escalier", "résidence autonomie"),
    ),
    ThemeSpec(
        "sante",
        "L'accès aux soins",
        "Médecins, déserts médicaux, prévention.",
        "Comment garantir l'accès aux soins ?",
        ("médecin", "soins", "désert médical", "hôpital", "infirmière"),
    ),
    ThemeSpec(
        "numerique",
        "Le numérique pour tous",
        "Démarches en ligne, fracture numérique.",
        "Comment accompagner les démarches en ligne ?",
        ("numérique", "internet", "en ligne", "tablette", "informatique"),
    ),
    ThemeSpec(
        "aidants",
        "Soutenir les aidants",
        "Répit, accueil de jour, droits des aidants.",
        "Comment soutenir les proches aidants ?",
        ("aidant", "répit", "accueil de jour", "épuisement"),
    ),
]

T = TypeVar("T")

CAMPAGNES = [
    (
        "Nous, habitants et familles, demandons au Département de maintenir l'accueil de jour de notre commune, "
        "seul lieu de répit pour les aidants. Sa fermeture laisserait des dizaines de familles sans solution et "
        "obligerait les personnes malades à entrer plus tôt en établissement. Nous comptons sur vous."
    ),
    (
        "Je soutiens la pétition pour une ligne de bus directe entre les villages et l'hôpital. Aujourd'hui il faut "
        "deux correspondances et plus d'une heure de trajet pour une simple consultation, ce qui est impossible pour "
        "les personnes âgées sans voiture. Le Département doit agir maintenant."
    ),
    (
        "Collectif des retraités : nous refusons la fermeture des guichets physiques. Les démarches uniquement en "
        "ligne excluent les plus âgés, qui n'ont ni ordinateur ni internet. Nous exigeons un accueil humain dans "
        "chaque mairie et des permanences régulières des services sociaux."
    ),
]


@dataclass
class Corpus:
    docs: list[tuple[str, str, str, str]]  # id, text, author, date
    truth: dict[str, str]  # id -> generating theme (distinct texts only)
    planted_campaigns: list[set[str]]
    planted_pairs: list[set[str]]


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    values = {key: rng.choice(options) for key, options in slots.items() if key != "phrases"}
    values.update(ville=rng.choice(VILLES), age=str(rng.randint(62, 96)), annees=str(rng.randint(5, 60)))
    return template.format(**values)


def _text(theme: str, rng: random.Random) -> str:
    spec = THEMES[theme]
    sentences = [_fill(rng.choice(OUVERTURES), spec, rng)]
    for phrase in rng.sample(spec["phrases"], rng.randint(2, 4)):
        complement = _fill(rng.choice(COMPLEMENTS), spec, rng)
        sentences.append(_fill(phrase, spec, rng).rstrip(".") + complement + ".")
    if rng.random() < 0.3:  # a sentence on another theme, as real letters do
        other = rng.choice(sorted(THEMES))
        sentences.append(_fill(rng.choice(THEMES[other]["phrases"]), THEMES[other], rng))
    sentences.append(rng.choice(CLOTURES))
    return " ".join(s for s in sentences if s)


def _mutate(text: str, rng: random.Random) -> str:
    """A copy with a few edits: a greeting, a city, a dropped or changed word."""
    words = text.split()
    if rng.random() < 0.5:
        i = rng.randrange(len(words))
        words[i] = rng.choice(["vraiment", "aussi", words[i].upper(), "absolument"])
    prefix = rng.choice(["", "", "Bonjour,", "Madame, Monsieur,", f"Habitante de {rng.choice(VILLES)} :"])
    return (prefix + " " + " ".join(words)).strip()


def generate(n: int, seed: int = 0) -> Corpus:
    """``n`` contributions: about 1.5 % in campaigns, 1 % in resubmitted pairs, the rest distinct."""
    rng = random.Random(seed)
    docs: list[tuple[str, str, str, str]] = []
    truth: dict[str, str] = {}
    campaigns: list[set[str]] = []
    pairs: list[set[str]] = []
    themes = sorted(THEMES)

    def new_id() -> str:
        return f"C-{len(docs) + 1:06d}"

    def date() -> str:
        return f"2026-{rng.randint(1, 2):02d}-{rng.randint(1, 28):02d}"

    n_campaign_docs = max(5, n * 15 // 1000)
    per_campaign = max(5, min(200, n_campaign_docs // 3))
    n_pairs = max(1, n // 200)
    while len(docs) < n - n_campaign_docs - 2 * n_pairs:
        theme = rng.choice(themes)
        doc_id = new_id()
        docs.append((doc_id, _text(theme, rng), f"Habitant {len(docs)}", date()))
        truth[doc_id] = theme
    for p in range(n_pairs):
        base = docs[p * 7 % len(docs)]
        doc_id = new_id()
        resent = rng.choice([base[1].upper(), base[1].replace(",", " ;") + " Merci.", "Re : " + base[1]])
        docs.append((doc_id, resent, base[2], date()))
        pairs.append({base[0], doc_id})
    c = 0
    while len(docs) < n:
        members: set[str] = set()
        template = CAMPAGNES[c % len(CAMPAGNES)] + f" (pétition n° {c})"
        for _ in range(min(per_campaign, n - len(docs))):
            doc_id = new_id()
            docs.append((doc_id, _mutate(template, rng), f"Signataire {len(docs)}", date()))
            members.add(doc_id)
        if len(members) >= 2:
            campaigns.append(members)
        c += 1
    rng.shuffle(docs)
    return Corpus(docs, truth, campaigns, pairs)


def purity(candidates_members: list[list[str]], truth: dict[str, str]) -> float:
    total = agree = 0
    for members in candidates_members:
        labels = Counter(truth[m] for m in members if m in truth)
        if labels:
            agree += labels.most_common(1)[0][1]
            total += sum(labels.values())
    return agree / total if total else 0.0


def _timed(step: Callable[[], T]) -> tuple[T, str]:
    """Run ``step``; its wall-clock and CPU seconds as « wall / cpu »."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, f"{time.perf_counter() - wall:.1f} / {time.process_time() - cpu:.1f}"


def run(n: int, seed: int) -> dict[str, str]:
    corpus = generate(n, seed)
    pairs = [(d[0], d[1]) for d in corpus.docs]

    candidates, t_suggest = _timed(lambda: suggest_themes(pairs, seed=seed))

    tags, t_tag = _timed(lambda: tag(pairs, THEME_SPECS))
    judged = [t for t in tags if t.doc_id in corpus.truth]
    accuracy = sum(1 for t in judged if t.best and t.best.theme_id == corpus.truth[t.doc_id]) / max(1, len(judged))

    groups, t_dup = _timed(lambda: find_duplicates(corpus.docs))
    found = [set(g.member_ids) for g in groups]
    planted = corpus.planted_campaigns + corpus.planted_pairs
    recovered = sum(1 for p in planted if any(p <= f for f in found))
    extra = sum(1 for f in found if not any(f & p for p in planted))

    return {
        "N": f"{n:,}".replace(",", " "),
        "suggest s": t_suggest,
        "k": str(len(candidates)),
        "purity": f"{purity([c.member_ids for c in candidates], corpus.truth):.2f}",
        "tag s": t_tag,
        "tag acc": f"{accuracy:.2f}",
        "duplicates s": t_dup,
        "groups": str(len(groups)),
        "planted found": f"{recovered}/{len(planted)}",
        "other groups": str(extra),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (default: 1000,10000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows = []
    for n in sizes:
        rows.append(run(n, args.seed))
        print(f"… {n} done", file=sys.stderr, flush=True)
    headers = list(rows[0]) if rows else []
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    print(" | ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(r[h].rjust(w) for h, w in zip(headers, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
