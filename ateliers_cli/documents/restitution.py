"""Leaving *restitution*: the assessment of the whole process."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ateliers_cli.documents.adoption import RETENUES
from ateliers_cli.documents.context import base_context, chiffres
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.templating import DocumentEnvironment, par_habitants
from ateliers_cli.model import Consultation
from ateliers_cli.participants import count_participants
from ateliers_cli.stages import Stage


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    name, title = "bilan-de-la-demarche", "Bilan de la démarche"
    ctx = {**base_context(c, Stage.RESTITUTION, when, titre=title, nom=name), **bilan_context(c, when)}
    return publish(env, c, "bilan.md.j2", ctx, f"{stage_dir(Stage.RESTITUTION)}/{name}", title, when)


def _share(part: int, total: int) -> float:
    return round(part * 100 / total, 1) if total else 0.0


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def representativite(c: Consultation) -> list[dict[str, Any]]:
    """Per territory: population, contributions, workshop and restitution participants, and their shares."""
    population = sum(t.population for t in c.territoires.values())
    contributions = Counter(x.territoire for x in c.contributions.values())
    once = count_participants(c)  # each person once per territory; None when it cannot be counted once
    ateliers, restitutions = once.par_territoire, once.restitutions_par_territoire
    n_contrib = sum(contributions.values())
    n_ateliers = sum(x or 0 for x in ateliers.values())
    n_resto = sum(x or 0 for x in restitutions.values())

    def share(part: int | None, total: int, known: bool) -> float | None:
        return _share(part, total) if part is not None and known else None

    out = []
    for t in c.territoires.values():
        part_pop = _share(t.population, population)
        part_contrib = _share(contributions[t.id], n_contrib)
        out.append(
            {
                "territoire": t,
                "population": t.population,
                "part_population": part_pop,
                "contributions": contributions[t.id],
                "part_contributions": part_contrib,
                "contributions_10000": par_habitants(contributions[t.id], t.population),
                "participants_ateliers": ateliers[t.id],
                # a share of a total that is not known (a territory not countable once) is not given
                "part_ateliers": share(ateliers[t.id], n_ateliers, None not in ateliers.values()),
                "participants_restitution": restitutions[t.id],
                "part_restitution": share(restitutions[t.id], n_resto, None not in restitutions.values()),
                # 1 = as many contributions as its weight in population; above, over-represented
                "indice": round(part_contrib / part_pop, 2) if part_pop else 0.0,
            }
        )
    return out


def chronologie(c: Consultation, when: dt.datetime) -> list[dict[str, Any]]:
    """What happened when, from the calendar, the meetings and the history of passages."""
    events: list[tuple[str, str, Any]] = []  # (sort key, label, date or datetime)

    def add(value: Any, label: str) -> None:
        if value is not None:
            key = value.isoformat() if isinstance(value, dt.datetime) else f"{value.isoformat()}T00:00"
            events.append((key[:16], label, value))

    appel = c.calendrier.get("appel")
    if appel and appel.debut:
        add(appel.debut, "Ouverture de l'appel à contributions")
    if c.lancement and c.lancement.date:
        add(c.lancement.date, f"Forum de lancement ({c.lancement.lieu})" if c.lancement.lieu else "Forum de lancement")
    for a in c.ateliers.values():
        if a.statut == "tenu":
            add(a.date, f"Atelier : {a.titre}")
    if c.synthese and c.synthese.date:
        add(c.synthese.date, "Forum départemental de synthèse")
    if c.deliberation:
        for avis in c.deliberation.avis:
            m = c.commissions.get(avis.commission)
            add(
                avis.date,
                f"Avis de la {m.nom[0].lower()}{m.nom[1:]}" if m else f"Avis de la commission {avis.commission}",
            )
        if c.deliberation.seance and c.deliberation.seance.date:
            add(c.deliberation.seance.date, f"Séance du {c.conseil} : délibération n° {c.deliberation.seance.numero}")
    for r in c.restitutions.values():
        if r.statut == "tenu":
            t = c.territoires.get(r.territoire)
            add(r.date, f"Réunion publique de restitution : {t.nom if t else r.territoire}")
    passages = {p.de: p.date for p in c.historique if p.date is not None}
    passages.setdefault(Stage.RESTITUTION.value, when)
    for stage in Stage.process():
        if stage.value in passages:
            nxt = stage.next
            label = (
                f"Passage à l'étape « {nxt.label} »" if nxt and nxt is not Stage.CLOTUREE else "Clôture de la démarche"
            )
            add(passages[stage.value], label)
    events.sort(key=lambda e: (e[0], e[1]))
    return [{"date": value, "libelle": label} for _, label, value in events]


def etapes(c: Consultation, when: dt.datetime) -> list[dict[str, Any]]:
    """Each stage: planned period, actual end (the passage leaving it), participation."""
    n = chiffres(c)
    passages = {p.de: p.date for p in c.historique if p.date is not None}
    passages.setdefault(Stage.RESTITUTION.value, when)
    avis = len(c.deliberation.avis) if c.deliberation else 0
    vote = c.deliberation.vote if c.deliberation else None
    retours = sum(len(r.retours) for r in c.restitutions.values())
    tenues = [r for r in c.restitutions.values() if r.statut == "tenu"]
    # (count, singular, plural) phrases, formatted by the template with « pluriel »
    participation: dict[Stage, list[tuple[int | None, str, str]]] = {
        Stage.APPEL: [(n["contributions"], "contribution", "contributions"), (n["analysees"], "analysée", "analysées")],
        Stage.LANCEMENT: [
            (n["participants_lancement"], "participant au forum", "participants au forum"),
            (n["inscrits"], "inscription aux ateliers", "inscriptions aux ateliers"),
        ],
        Stage.ATELIERS: [
            (n["participants_ateliers"], "participant", "participants"),
            (n["ateliers_tenus"], "atelier tenu", "ateliers tenus"),
            (n["propositions"], "proposition", "propositions"),
        ],
        Stage.SYNTHESE: [
            (n["participants_synthese"], "participant au forum", "participants au forum"),
            (n["regroupements"], "regroupement", "regroupements"),
        ],
        Stage.RAPPORT: [(n["orientations"], "orientation transmise", "orientations transmises")],
        Stage.ADOPTION: [
            (avis, "avis de commission", "avis de commission"),
            (vote.votants if vote else 0, "votant", "votants"),
        ],
        Stage.RESTITUTION: [
            (n["participants_restitutions"], "participant", "participants"),
            (len(tenues), "réunion publique", "réunions publiques"),
            (retours, "retour", "retours"),
        ],
    }
    out = []
    for stage in Stage.process():
        periode = c.calendrier.get(stage.value)
        out.append(
            {
                "etape": stage,
                "debut": periode.debut if periode else None,
                "fin": periode.fin if periode else None,
                "passage": _day(passages.get(stage.value)),
                # a number that cannot be counted once (None) is not stated
                "participation": [x for x in participation[stage] if x[0] is not None],
            }
        )
    return out


def bilan_context(c: Consultation, when: dt.datetime) -> dict[str, Any]:
    n = chiffres(c)
    repr_ = representativite(c)
    decisions = c.decisions
    grouped = {pid for g in c.regroupements.values() for pid in g.propositions}
    used = {g for o in c.orientations.values() for g in o.regroupements}
    return {
        "etapes_bilan": etapes(c, when),
        "representativite": repr_,
        "chronologie": chronologie(c, when),
        "series": {
            "participation": [
                (label, value)
                for label, value in (
                    ("Contributions", n["contributions"]),
                    ("Forum de lancement", n["participants_lancement"]),
                    ("Ateliers citoyens", n["participants_ateliers"]),
                    ("Forum de synthèse", n["participants_synthese"]),
                    ("Restitutions publiques", n["participants_restitutions"]),
                )
                if value is not None  # not countable once: not stated
            ],
            "contributions_10000": [(x["territoire"].nom, x["contributions_10000"]) for x in repr_],
            # the workshops only: a person who came to a workshop and to the meeting is one person,
            # and the two have no common register; every territory counted once, or no chart
            "participants_10000": (
                []
                if any(x["participants_ateliers"] is None for x in repr_)
                else [(x["territoire"].nom, par_habitants(x["participants_ateliers"], x["population"])) for x in repr_]
            ),
        },
        "entonnoir": {
            "contributions": n["contributions"],
            "analysees": n["analysees"],
            "propositions": n["propositions"],
            "propositions_regroupees": sum(1 for p in c.propositions if p in grouped),
            "propositions_ecartees": len(c.synthese.propositions_ecartees) if c.synthese else 0,
            "regroupements": n["regroupements"],
            "regroupements_retenus": sum(1 for g in c.regroupements if g in used),
            "regroupements_ecartes": len(c.regroupements_ecartes),
            "orientations": n["orientations"],
            "adoptees": sum(1 for d in decisions.values() if d.decision == "adoptee"),
            "amendees": sum(1 for d in decisions.values() if d.decision == "amendee"),
            "non_retenues": sum(1 for d in decisions.values() if d.decision == "non_retenue"),
            "retenues": sum(1 for d in decisions.values() if d.decision in RETENUES),
            "retours": sum(len(r.retours) for r in c.restitutions.values()),
        },
        "restitutions_tenues": sorted(
            (r for r in c.restitutions.values() if r.statut == "tenu"), key=lambda r: (str(r.date), r.id)
        ),
    }
