"""Leaving *rapport*: the report of orientations, and a briefing for each commission concerned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ateliers_cli.documents.context import Trace, base_context, choose_citations
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.synthese import proposition_view, regroupement_view
from ateliers_cli.documents.templating import DocumentEnvironment
from ateliers_cli.model import Consultation, Orientation
from ateliers_cli.stages import Stage

#: Words of inhabitants quoted under each orientation (consented contributions only).
CITATIONS_PAR_ORIENTATION = 2


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    folder = stage_dir(Stage.RAPPORT)
    shared = rapport_context(c)
    name, title = "rapport-orientations", "Rapport d'orientations"
    ctx = {**base_context(c, Stage.RAPPORT, when, titre=title, nom=name), **shared}
    files = publish(
        env, c, f"{name}.md.j2", ctx, f"{folder}/{name}", title, when, office=True, sommaire=True, sous_titre=c.titre
    )
    for item in shared["commissions_concernees"]:
        commission = item["commission"]
        name = f"note-commission-{commission.id}"
        title = f"Note à la {commission.nom[0].lower()}{commission.nom[1:]}" if commission.nom.startswith("Commission") else f"Note à la commission {commission.nom}"
        ctx = {**base_context(c, Stage.RAPPORT, when, titre=title, nom=name), **shared, **item}
        files += publish(
            env, c, "note-commission.md.j2", ctx, f"{folder}/{name}", title, when, office=True, sous_titre=c.titre
        )
    return files


def orientation_view(c: Consultation, o: Orientation, trace: Trace) -> dict[str, Any]:
    """An orientation traced back to its regroupements, propositions, workshops and contributions."""
    props = trace.propositions_of_orientation(o)
    contributions = trace.contributions_of(props)
    ateliers = trace.ateliers_of(props)
    return {
        "orientation": o,
        "regroupements": [regroupement_view(c, c.regroupements[g]) for g in o.regroupements if g in c.regroupements],
        "propositions": [proposition_view(c, p) for p in props],
        "soutiens": sum(p.soutiens for p in props),
        "ateliers": ateliers,
        "territoires": [t for t in c.territoires.values() if t.id in {a.territoire for a in ateliers}],
        "themes": [t for t in c.themes.values() if t.id in {p.theme for p in props}],
        "contributions": contributions,
        "citations": choose_citations(c, [c.contributions[x] for x in contributions], CITATIONS_PAR_ORIENTATION, 280),
        "commissions": [c.commissions[m] for m in o.commissions if m in c.commissions],
    }


def rapport_context(c: Consultation) -> dict[str, Any]:
    trace = Trace.of(c)
    views = [orientation_view(c, o, trace) for o in c.orientations.values()]
    concerned: list[dict[str, Any]] = []
    for m in c.commissions.values():
        mine = [v for v in views if m.id in v["orientation"].commissions]
        if mine:
            concerned.append({"commission": m, "orientations_commission": mine})
    ecartes = [{"regroupement": c.regroupements.get(e.ref), "id": e.ref, "motif": e.motif} for e in c.regroupements_ecartes]
    commissions = [x["commission"] for x in concerned]
    grid = [["●" if m.id in v["orientation"].commissions else None for m in commissions] for v in views]
    return {
        "orientations": views,
        "regroupements_ecartes": ecartes,
        "commissions_concernees": concerned,
        "grille": {
            "lignes": [f"{v['orientation'].id} {v['orientation'].titre}" for v in views],
            "colonnes": [m.nom for m in commissions],
            "cellules": grid,
        },
    }
