"""After the vote: the actions that implement each adopted orientation, followed in ``suivi.yaml``.

Each action names its orientation, the service in charge, its budget, its status, dated
milestones, the values of the orientation's indicators over time, and the restitution
meetings whose feedback it answers. From it: the yearly follow-up report to the assembly
(:func:`report_markdown`, written as Markdown, ODT, DOCX and PDF by ``ateliers suivi
rapport``), a timeline per orientation on the site (:func:`timeline`), two open-data tables
(:func:`open_data_rows`), and the « avancement » messages of ``ateliers courrier`` to the
contributors whose contributions the orientation cites (:func:`progress_messages`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ateliers_cli.model import Action, Consultation, Orientation

FILE = "suivi.yaml"
#: The statuses of an action, in the order they are told.
STATUTS_ACTION = ("prevue", "en_cours", "realisee", "reportee", "abandonnee")
STATUT_LABELS = {
    "prevue": "prévue",
    "en_cours": "en cours",
    "realisee": "réalisée",
    "reportee": "reportée",
    "abandonnee": "abandonnée",
}


def actions_of(c: Consultation, orientation_id: str) -> list[Action]:
    return [a for a in c.actions.values() if a.orientation == orientation_id]


@dataclass
class Step:
    """One dated line of an orientation's timeline."""

    date: dt.date
    action: Action
    kind: str  # jalon | mesure
    texte: str
    fait: bool = True


def timeline(c: Consultation, orientation_id: str) -> list[Step]:
    """Milestones and indicator values of the orientation's actions, in date order."""
    from ateliers_cli.render import french

    steps: list[Step] = []
    for a in actions_of(c, orientation_id):
        for j in a.jalons:
            if j.date is not None:
                steps.append(Step(j.date, a, "jalon", j.titre, j.fait))
        for ind in a.indicateurs:
            for v in ind.valeurs:
                if v.date is not None and v.valeur is not None:
                    value = french.nombre(v.valeur) + (f" {ind.unite}" if ind.unite else "")
                    steps.append(
                        Step(
                            v.date,
                            a,
                            "mesure",
                            f"{ind.indicateur} : {value}" + (f" ({v.commentaire})" if v.commentaire else ""),
                        )
                    )
    return sorted(steps, key=lambda s: (s.date, s.action.id, s.kind, s.texte))


def _next_milestone(a: Action) -> Any:
    upcoming = sorted((j for j in a.jalons if not j.fait and j.date is not None), key=lambda j: j.date)  # type: ignore[arg-type, return-value]
    return upcoming[0] if upcoming else None


def latest_values(a: Action) -> list[tuple[str, Any, dt.date | None, str]]:
    """(indicator, last value, its date, unit) for each indicator followed by the action."""
    out = []
    for ind in a.indicateurs:
        dated = [v for v in ind.valeurs if v.date is not None and v.valeur is not None]
        last = max(dated, key=lambda v: v.date) if dated else None  # type: ignore[arg-type, return-value]
        out.append((ind.indicateur, last.valeur if last else None, last.date if last else None, ind.unite))
    return out


# --- the yearly report ---------------------------------------------------------------------


def report_context(c: Consultation, year: int) -> dict[str, Any]:
    """What ``suivi-annuel.md.j2`` receives (see docs/suivi.md)."""
    from ateliers_cli.trace import Traceability

    t = Traceability(c)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    orientations = []
    for o in c.orientations.values():
        fate = t.orientation_fate(o)
        decision = fate.decision.decision if fate.decision else ""
        actions = []
        for a in actions_of(c, o.id):
            actions.append(
                {
                    "a": a,
                    "statut_libelle": STATUT_LABELS.get(a.statut, a.statut),
                    "jalons_annee": [j for j in a.jalons if j.date is not None and start <= j.date <= end],
                    "jalons_a_venir": [j for j in a.jalons if j.date is not None and j.date > end and not j.fait],
                    "indicateurs": [
                        {
                            "nom": ind.indicateur,
                            "unite": ind.unite,
                            "cible": ind.cible,
                            "valeurs": sorted(
                                (v for v in ind.valeurs if v.date is not None and v.date <= end),
                                key=lambda v: v.date,  # type: ignore[arg-type, return-value]
                            ),
                        }
                        for ind in a.indicateurs
                    ],
                    "retours": [
                        (r, x)
                        for rid in a.retours
                        if (r := c.restitutions.get(rid)) is not None
                        for x in r.retours
                        if x.orientation in ("", o.id)
                    ],
                }
            )
        followed = {ind.indicateur for a in actions_of(c, o.id) for ind in a.indicateurs}
        orientations.append(
            {
                "o": o,
                "decision": decision,
                "decision_libelle": fate.decision_label,
                "actions": actions,
                "indicateurs_sans_mesure": [i for i in o.indicateurs if i not in followed],
            }
        )
    adopted = [x for x in orientations if x["decision"] in ("adoptee", "amendee")]
    counts = {s: sum(1 for a in c.actions.values() if a.statut == s) for s in STATUTS_ACTION}
    budget = sum(a.budget or 0 for a in c.actions.values())
    seance = c.deliberation.seance if c.deliberation else None
    return {
        "consultation": c,
        "annee": year,
        "seance": seance,
        "orientations": adopted,
        "non_retenues": [x for x in orientations if x["decision"] == "non_retenue"],
        "actions_par_statut": [(STATUT_LABELS[s], n) for s, n in counts.items() if n],
        "nombre_actions": len(c.actions),
        "budget_total": budget,
        "sans_action": [x["o"] for x in adopted if not x["actions"]],
    }


def report_markdown(c: Consultation, year: int) -> str:
    from ateliers_cli.documents.templating import make_environment, render_markdown

    env = make_environment(c.root)
    return render_markdown(env, "suivi-annuel.md.j2", report_context(c, year)).markdown


REPORT_DIR = "suivi"


def report_files(c: Consultation, year: int) -> list[Any]:
    """``suivi/rapport-<année>.md`` and its ODT, DOCX and PDF, for the assembly (as OutputFile)."""
    from ateliers_cli.documents import OutputFile
    from ateliers_cli.office import DocumentMeta, write_docx, write_odt, write_pdf

    markdown = report_markdown(c, year)
    meta = DocumentMeta(
        titre=f"Suivi de la politique « {c.titre} » — {year}",
        collectivite=c.collectivite.conseil or c.collectivite.nom,
        sous_titre=f"Rapport annuel à l'assemblée, {year}",
        table_des_matieres=True,
        mots_cles=("suivi", "mise en œuvre", c.titre),
    )
    base = f"{REPORT_DIR}/rapport-{year}"
    title = f"Rapport de suivi {year}"
    return [
        OutputFile(f"{base}.md", markdown.encode("utf-8"), title, "md", True),
        OutputFile(f"{base}.odt", write_odt(markdown, meta), title, "odt", True),
        OutputFile(f"{base}.docx", write_docx(markdown, meta), title, "docx", True),
        OutputFile(f"{base}.pdf", write_pdf(markdown, meta), title, "pdf", True),
    ]


# --- open data -----------------------------------------------------------------------------

ACTION_COLUMNS = (
    "action",
    "orientation",
    "titre",
    "service",
    "budget",
    "statut",
    "jalons_faits",
    "jalons",
    "prochain_jalon",
    "date_prochain_jalon",
)
MESURE_COLUMNS = ("action", "orientation", "indicateur", "date", "valeur", "unite", "cible")


def open_data_rows(c: Consultation) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(one row per action, one row per indicator value), public: nothing personal in suivi.yaml."""
    actions, mesures = [], []
    for a in sorted(c.actions.values(), key=lambda a: a.id):
        upcoming = sorted((j for j in a.jalons if not j.fait and j.date is not None), key=lambda j: j.date)  # type: ignore[arg-type, return-value]
        actions.append(
            {
                "action": a.id,
                "orientation": a.orientation,
                "titre": a.titre,
                "service": a.service,
                "budget": a.budget,
                "statut": a.statut,
                "jalons_faits": sum(1 for j in a.jalons if j.fait),
                "jalons": len(a.jalons),
                "prochain_jalon": upcoming[0].titre if upcoming else "",
                "date_prochain_jalon": upcoming[0].date.isoformat() if upcoming and upcoming[0].date else "",
            }
        )
        for ind in a.indicateurs:
            for v in sorted(ind.valeurs, key=lambda v: (v.date or dt.date.min)):
                mesures.append(
                    {
                        "action": a.id,
                        "orientation": a.orientation,
                        "indicateur": ind.indicateur,
                        "date": v.date.isoformat() if v.date else "",
                        "valeur": v.valeur,
                        "unite": ind.unite,
                        "cible": ind.cible,
                    }
                )
    return actions, mesures


# --- telling the contributors ----------------------------------------------------------------


def _state(actions: list[Action]) -> str:
    """A digest of what the person is told: a new message only when it changes."""
    data = [
        (
            a.id,
            a.statut,
            [(str(j.date), j.titre, j.fait) for j in a.jalons],
            [(i.indicateur, [(str(v.date), v.valeur) for v in i.valeurs]) for i in a.indicateurs],
        )
        for a in actions
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()[:12]


def progress_messages(c: Consultation, people: list[Any]) -> list[Any]:
    """To each contributor who agreed: the progress of the actions of the adopted orientations
    their contributions fed through a proposition that cites them."""
    from ateliers_cli.correspondence.moments import Message, Moment
    from ateliers_cli.errors import AteliersError
    from ateliers_cli.trace import Traceability

    if not c.actions:
        raise AteliersError(
            "aucune action suivie : rien à annoncer",
            path=FILE,
            hint="décrivez les actions de chaque orientation adoptée dans suivi.yaml (voir docs/suivi.md)",
        )
    t = Traceability(c)
    out = []
    for p in people:
        if p.contact is not True:
            continue
        cited: dict[str, Orientation] = {}
        for cid in sorted(p.contributions):
            ct = c.contributions.get(cid)
            if ct is None or ct.efface is not None:
                continue
            for pf in t.contribution_fate(ct).propositions:
                for of in pf.orientations:
                    if of.decision and of.decision.decision in ("adoptee", "amendee"):
                        cited.setdefault(of.orientation.id, of.orientation)
        items = []
        told: list[Action] = []
        for oid, o in sorted(cited.items()):
            acts = actions_of(c, oid)
            if not acts:
                continue
            told += acts
            items.append(
                {
                    "id": oid,
                    "titre": o.titre,
                    "actions": [
                        {
                            "titre": a.titre,
                            "service": a.service,
                            "statut": STATUT_LABELS.get(a.statut, a.statut),
                            "jalons_faits": [j for j in a.jalons if j.fait],
                            "prochain": _next_milestone(a),
                            "mesures": [(n, v, d, u) for n, v, d, u in latest_values(a) if v is not None],
                        }
                        for a in acts
                    ],
                }
            )
        if items:
            out.append(
                Message(
                    Moment.AVANCEMENT,
                    p,
                    f"avancement|{_state(told)}",
                    {"orientations": items, "contributions": sorted(p.contributions)},
                )
            )
    return out
