"""``ateliers status``: where the consultation stands and what blocks the next step."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ateliers_cli.errors import Diagnostic
from ateliers_cli.gates import placeholders_left, unmet
from ateliers_cli.model import Consultation
from ateliers_cli.participants import count_participants
from ateliers_cli.stages import Stage


def _sorted(counter: Counter[str], order: list[str] | None = None) -> dict[str, int]:
    if order:
        return {k: counter[k] for k in order if counter[k]} | {
            k: v for k, v in sorted(counter.items()) if k not in order
        }
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def figures(c: Consultation) -> dict[str, Any]:
    """The figures that matter, as plain data (also the ``--json`` output)."""
    contribs = c.contributions.values()
    themes = Counter(t for ct in contribs for t in ct.themes)
    ateliers = c.ateliers.values()
    inscrits = sum(a.inscriptions.inscrits for a in ateliers if a.inscriptions)
    attente = sum(a.inscriptions.liste_attente for a in ateliers if a.inscriptions)
    props = c.propositions
    decisions = Counter(d.decision for d in c.deliberation.decisions) if c.deliberation else Counter()
    return {
        "contributions": {
            "total": len(c.contributions),
            "par_statut": _sorted(
                Counter(ct.statut for ct in contribs), ["nouvelle", "analysee", "hors_sujet", "doublon"]
            ),
            "par_profil": _sorted(Counter(ct.profil for ct in contribs), ["habitant", "citoyen", "partenaire"]),
            "par_territoire": _sorted(Counter(ct.territoire for ct in contribs), list(c.territoires)),
            "par_theme": _sorted(themes, list(c.themes)),
            "publiables": sum(1 for ct in contribs if ct.publication),
        },
        "themes": len(c.themes),
        "ateliers": {
            "total": len(c.ateliers),
            "prevus": sum(1 for a in ateliers if a.statut == "prevu"),
            "tenus": sum(1 for a in ateliers if a.statut == "tenu"),
            "annules": sum(1 for a in ateliers if a.statut == "annule"),
            "inscrits": inscrits,
            "liste_attente": attente,
            # each person once (null when that cannot be counted): ateliers_cli.participants
            "participants": count_participants(c).ateliers,
        },
        "propositions": len(props),
        "regroupements": len(c.regroupements),
        "orientations": len(c.orientations),
        "decisions": dict(decisions),
        "restitutions": {
            "total": len(c.restitutions),
            "tenues": sum(1 for r in c.restitutions.values() if r.statut == "tenu"),
        },
    }


def status(c: Consultation, diagnostics: list[Diagnostic] | None = None) -> dict[str, Any]:
    """Where the consultation stands; ``diagnostics`` are ``check``'s: what ``advance`` would refuse
    for is what blocks here — the stage's conditions, every error of ``check``, the examples of
    init left in place."""
    blocking = unmet(c)
    if c.etape is not Stage.CLOTUREE:
        found = diagnostics or []
        blocking = sorted(set(blocking + placeholders_left(found) + [d for d in found if d.is_error]))
    return {
        "consultation": {"id": c.id, "titre": c.titre, "collectivite": c.collectivite.nom},
        "etape": {"cle": c.etape.value, "numero": c.etape.number, "libelle": c.etape.label},
        "etapes": [
            {
                "cle": s.value,
                "numero": s.number,
                "libelle": s.label,
                "etat": "franchie" if s.number < c.etape.number else ("en_cours" if s is c.etape else "a_venir"),
            }
            for s in Stage.process()
        ],
        "chiffres": figures(c),
        "prochaine_etape": c.etape.next.value if c.etape.next else None,
        "bloquants": [d.to_dict() for d in blocking],
        "pret": not blocking and c.etape is not Stage.CLOTUREE,
    }
