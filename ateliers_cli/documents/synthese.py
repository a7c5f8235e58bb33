"""Leaving *synthese*: the intermediate synthesis (regroupements and what was set aside)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ateliers_cli.documents.context import base_context
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.templating import DocumentEnvironment
from ateliers_cli.model import Consultation, Proposition, Regroupement
from ateliers_cli.stages import Stage


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    name, title = "synthese-intermediaire", "Synthèse intermédiaire"
    ctx = {**base_context(c, Stage.SYNTHESE, when, titre=title, nom=name), **synthese_context(c)}
    return publish(env, c, f"{name}.md.j2", ctx, f"{stage_dir(Stage.SYNTHESE)}/{name}", title, when)


def proposition_view(c: Consultation, p: Proposition) -> dict[str, Any]:
    """A proposition with where it comes from: its workshop, territory and theme."""
    atelier = c.ateliers.get(p.atelier)
    return {
        "proposition": p,
        "atelier": atelier,
        "territoire": c.territoires.get(atelier.territoire) if atelier else None,
        "theme": c.themes.get(p.theme),
    }


def regroupement_view(c: Consultation, g: Regroupement) -> dict[str, Any]:
    """A regroupement with its propositions and what they span."""
    props = [c.propositions[pid] for pid in g.propositions if pid in c.propositions]
    views = [proposition_view(c, p) for p in props]
    territory_ids = {v["territoire"].id for v in views if v["territoire"]}
    theme_ids = {p.theme for p in props}
    return {
        "regroupement": g,
        "propositions": views,
        "soutiens": sum(p.soutiens for p in props),
        "territoires": [t for t in c.territoires.values() if t.id in territory_ids],
        "themes": [t for t in c.themes.values() if t.id in theme_ids],
        "contributions": sorted({cid for p in props for cid in p.contributions if cid in c.contributions}),
    }


def synthese_context(c: Consultation) -> dict[str, Any]:
    groups = [regroupement_view(c, g) for g in c.regroupements.values()]
    grouped = {pid for g in c.regroupements.values() for pid in g.propositions}
    ecartees = []
    set_aside: set[str] = set()
    for e in c.synthese.propositions_ecartees if c.synthese else []:
        set_aside.add(e.ref)
        p = c.propositions.get(e.ref)
        ecartees.append({"id": e.ref, "motif": e.motif, **(proposition_view(c, p) if p else {"proposition": None})})
    pending = [proposition_view(c, c.propositions[k]) for k in sorted(c.propositions) if k not in grouped | set_aside]
    return {
        "forum": c.synthese,
        "regroupements": groups,
        "propositions_ecartees": ecartees,
        "propositions_non_classees": pending,
        "series": {
            "regroupements": [
                (f"{g['regroupement'].id} {g['regroupement'].titre}", len(g["propositions"])) for g in groups
            ]
        },
    }
