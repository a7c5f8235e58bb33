"""Rules of ``suivi.yaml``: each action implements a known, adopted orientation; follows that
orientation's own indicators; names existing restitution meetings; tells why it stopped."""

from __future__ import annotations

from ateliers_cli.checks.links import _ref
from ateliers_cli.clock import now
from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.hints import did_you_mean
from ateliers_cli.model import Consultation


def check_followup(c: Consultation) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    if not c.actions:
        return d
    today = now().date()
    decisions = c.decisions
    for a in c.actions.values():
        o = c.orientations.get(a.orientation)
        _ref(d, a, "orientation", a.orientation, c.orientations, "orientation", "orientations.yaml")
        if o is not None:
            decision = decisions.get(o.id)
            if decision is None:
                d.append(
                    warning(
                        a.path,
                        a.line_of("orientation"),
                        f"l'orientation « {o.id} » n'a pas encore été votée",
                        "le suivi porte sur les orientations adoptées : renseignez la décision dans deliberation.yaml",
                        "suivi",
                    )
                )
            elif decision.decision == "non_retenue":
                d.append(
                    warning(
                        a.path,
                        a.line_of("orientation"),
                        f"l'orientation « {o.id} » n'a pas été retenue par l'assemblée",
                        "une action ne met en œuvre qu'une orientation adoptée ou amendée",
                        "suivi",
                    )
                )
            for ind in a.indicateurs:
                if ind.indicateur not in o.indicateurs:
                    hint = did_you_mean(ind.indicateur, o.indicateurs) or (
                        "indicateurs de l'orientation : " + " ; ".join(f"« {i} »" for i in o.indicateurs)
                        if o.indicateurs
                        else f"l'orientation « {o.id} » n'a aucun indicateur : ajoutez-les dans orientations.yaml "
                        "(indicateurs:)"
                    )
                    d.append(
                        error(
                            a.path,
                            ind.line_of("indicateur"),
                            f"« {ind.indicateur} » n'est pas un indicateur de l'orientation « {o.id} »",
                            hint,
                            "suivi",
                        )
                    )
        for rid in a.retours:
            _ref(d, a, "retours", rid, c.restitutions, "réunion de restitution", "restitutions/")
        if a.statut in ("abandonnee", "reportee") and not a.motif.strip():
            d.append(
                error(
                    a.path,
                    a.line_of("statut"),
                    f"action « {a.id} » {'abandonnée' if a.statut == 'abandonnee' else 'reportée'} sans motif",
                    "ajoutez « motif: … » : l'assemblée et les contributeurs le liront",
                    "suivi",
                )
            )
        for j in a.jalons:
            if j.fait and j.date is not None and j.date > today:
                d.append(
                    warning(
                        a.path,
                        j.line_of("fait"),
                        f"jalon « {j.titre} » marqué fait, mais daté du {j.date.isoformat()}, dans le futur",
                        "corrigez la date, ou « fait: false »",
                        "suivi",
                    )
                )
        for ind in a.indicateurs:
            for v in ind.valeurs:
                if v.date is not None and v.date > today:
                    d.append(
                        error(
                            a.path,
                            v.line_of("date"),
                            f"valeur de « {ind.indicateur} » datée du {v.date.isoformat()}, dans le futur",
                            "une valeur est mesurée : datez-la du jour de la mesure",
                            "suivi",
                        )
                    )
    return d
