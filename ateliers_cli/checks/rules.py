"""Rules that tie the values of one record together (beyond each value's type)."""

from __future__ import annotations

from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage


def check_rules(c: Consultation) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    for ct in c.contributions.values():
        if ct.statut == "analysee" and not ct.themes:
            d.append(
                error(
                    ct.path,
                    ct.line_of("statut"),
                    "contribution « analysee » sans thème",
                    "ajoutez « themes: [...] », ou choisissez « hors_sujet » ou « doublon »",
                    "analyse",
                )
            )
        if ct.statut == "doublon" and not ct.doublon_de:
            d.append(
                error(
                    ct.path,
                    ct.line_of("statut"),
                    "contribution marquée « doublon » sans « doublon_de »",
                    "indiquez la contribution d'origine : doublon_de: C-…",
                    "doublon",
                )
            )
        if ct.doublon_de and ct.statut != "doublon":
            d.append(
                error(
                    ct.path,
                    ct.line_of("doublon_de"),
                    f"« doublon_de » est renseigné mais le statut est « {ct.statut} »",
                    "écrivez « statut: doublon » ou retirez « doublon_de »",
                    "doublon",
                )
            )
        if ct.profil == "partenaire" and not (ct.organisation or ct.auteur):
            d.append(
                warning(
                    ct.path,
                    ct.line_of("profil"),
                    "partenaire sans organisation",
                    "indiquez l'organisation dans « auteur » ou « organisation »",
                )
            )

    for a in c.ateliers.values():
        if a.statut == "annule" and not a.motif_annulation:
            d.append(
                error(
                    a.path,
                    a.line_of("statut"),
                    f"atelier « {a.id} » annulé sans motif",
                    "ajoutez « motif_annulation: … »",
                    "annulation",
                )
            )
        if a.inscriptions is not None and a.capacite and a.inscriptions.inscrits > a.capacite:
            d.append(
                error(
                    a.path,
                    a.inscriptions.line_of("inscrits"),
                    f"{a.inscriptions.inscrits} inscrits pour {a.capacite} places",
                    "les inscrits au-delà de la capacité vont en « liste_attente »",
                    "capacite",
                )
            )
        seen: set[str] = set()
        for prod in a.productions:
            if prod.theme in seen:
                d.append(
                    error(
                        prod.path,
                        prod.line_of("theme"),
                        f"deux productions sur le thème « {prod.theme} » dans le même atelier",
                        "réunissez-les en une seule production",
                        "production-double",
                    )
                )
            seen.add(prod.theme)

    if c.synthese is not None:
        for e in c.synthese.propositions_ecartees:
            if not e.motif.strip():
                d.append(
                    error(
                        e.path, e.line, f"proposition « {e.ref} » écartée sans motif", "ajoutez « motif: … »", "motif"
                    )
                )

    if c.deliberation is not None:
        dl = c.deliberation
        for dec in dl.decisions:
            if dec.decision == "amendee" and not dec.texte_amende.strip():
                d.append(
                    error(
                        dec.path,
                        dec.line_of("decision"),
                        f"orientation « {dec.orientation} » amendée sans le texte adopté",
                        "ajoutez « texte_amende: | » avec le texte adopté",
                        "decision",
                    )
                )
            if dec.decision in ("amendee", "non_retenue") and not dec.motif.strip():
                d.append(
                    error(
                        dec.path,
                        dec.line_of("decision"),
                        f"orientation « {dec.orientation} » "
                        f"{'amendée' if dec.decision == 'amendee' else 'non retenue'} sans motif",
                        "ajoutez « motif: … » : les citoyens doivent savoir pourquoi",
                        "decision",
                    )
                )
        if dl.vote is not None:
            d.extend(vote_problems(c))
    d.extend(_history(c))
    return d


def vote_problems(c: Consultation) -> list[Diagnostic]:
    """The vote figures must add up (CGCT): quorum, pour + contre + abstention = votants ≤ effectif."""
    assert c.deliberation is not None and c.deliberation.vote is not None
    v = c.deliberation.vote
    p = v.path
    d: list[Diagnostic] = []
    if v.pour + v.contre + v.abstention != v.votants:
        d.append(
            error(
                p,
                v.line_of("votants"),
                f"votants ({v.votants}) ≠ pour + contre + abstention ({v.pour} + {v.contre} + {v.abstention} = "
                f"{v.pour + v.contre + v.abstention})",
                "corrigez les chiffres du vote d'après le procès-verbal",
                "vote",
            )
        )
    if v.votants > v.effectif:
        d.append(
            error(
                p,
                v.line_of("votants"),
                f"plus de votants ({v.votants}) que de membres en exercice ({v.effectif})",
                "vérifiez l'effectif et les votants",
                "vote",
            )
        )
    if v.presents > v.effectif:
        d.append(
            error(
                p,
                v.line_of("presents"),
                f"plus de présents ({v.presents}) que de membres en exercice ({v.effectif})",
                "vérifiez l'effectif",
                "vote",
            )
        )
    if v.votants > v.presents + v.representes:
        d.append(
            error(
                p,
                v.line_of("votants"),
                f"plus de votants ({v.votants}) que de présents et représentés ({v.presents} + {v.representes})",
                "vérifiez les présents et les pouvoirs",
                "vote",
            )
        )
    if v.representes > v.presents:
        d.append(
            error(
                p,
                v.line_of("representes"),
                f"plus de pouvoirs ({v.representes}) que de présents ({v.presents}) : un élu présent ne porte qu'un "
                "pouvoir",
                "vérifiez le nombre de pouvoirs",
                "vote",
            )
        )
    if v.effectif and not v.quorum_atteint:
        d.append(
            error(
                p,
                v.line_of("presents"),
                f"quorum non atteint : {v.presents} présents pour {v.effectif} membres en exercice (il en faut au "
                f"moins {v.quorum})",
                "sans quorum, l'assemblée doit être à nouveau convoquée (CGCT, art. L3121-14)",
                "quorum",
            )
        )
    return d


def _history(c: Consultation) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    expected = Stage.APPEL
    for passage in c.historique:
        if passage.de != expected.value or passage.vers != (expected.next.value if expected.next else ""):
            d.append(
                error(
                    c.path,
                    passage.line,
                    f"historique incohérent : passage de « {passage.de} » à « {passage.vers} » alors que l'étape "
                    f"précédente était « {expected.value} »",
                    "l'historique est écrit par « ateliers advance » : ne le modifiez pas à la main",
                    "historique",
                )
            )
            return d
        expected = expected.next or expected
    if c.historique and expected is not c.etape:
        d.append(
            error(
                c.path,
                c.line_of("etape"),
                f"l'étape « {c.etape.value} » ne correspond pas à l'historique, qui mène à « {expected.value} »",
                "utilisez « ateliers advance » pour changer d'étape",
                "historique",
            )
        )
    elif not c.historique and c.etape is not Stage.APPEL:
        d.append(
            warning(
                c.path,
                c.line_of("etape"),
                f"étape « {c.etape.value} » sans historique des passages",
                "utilisez « ateliers advance » pour changer d'étape : il garde la trace de qui et quand",
                "historique",
            )
        )
    return d
