"""What the team answers each contributor: a written answer, and for an off-topic
contribution, why and where to turn.

A contribution's written answer is, in this order: its own ``reponse``; the template its
``reponse_modele`` names (reponses.yaml); the template of an orientation it fed through a
citation; the template of one of its themes. A duplicate gets its original's answer.
A consultation that sets ``reponses_individuelles: true`` cannot pass into the
restitutions while an analysed or off-topic contribution has none (see gates.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.hints import did_you_mean
from ateliers_cli.model import Consultation, Contribution

#: The statuses that call for an answer of their own (a duplicate takes its original's).
ANSWERED_STATUSES = ("analysee", "hors_sujet")


@dataclass(frozen=True)
class HorsSujet:
    """Why a contribution is off-topic, and where to turn (both may be empty)."""

    motif: str
    redirection: str


def hors_sujet(c: Consultation, ct: Contribution) -> HorsSujet:
    """The reason (from consultation.yaml when ``motif`` names one) and the redirection
    (the contribution's own first, else the reason's)."""
    reason = c.motifs_hors_sujet.get(ct.motif.strip())
    motif = reason.motif if reason is not None else ct.motif
    redirection = ct.redirection or (reason.redirection if reason is not None else "")
    return HorsSujet(" ".join(motif.split()), " ".join(redirection.split()))


def reponse(c: Consultation, ct: Contribution, orientations: Iterable[str] = ()) -> str:
    """The written answer to ``ct`` ("" when none); ``orientations``: those it fed by citation."""
    if ct.statut == "doublon":
        original = c.contributions.get(ct.doublon_de)
        if original is None or original.id == ct.id or original.statut == "doublon":
            return ""
        ct = original
        orientations = ()  # the caller's are the duplicate's; the original's own answer or templates apply
    if ct.reponse.strip():
        return ct.reponse.strip()
    named = c.modeles_reponse.get(ct.reponse_modele.strip()) if ct.reponse_modele.strip() else None
    if named is not None:
        return named.texte.strip()
    if ct.statut != "analysee":
        return ""
    by_orientation = {m.orientation: m for m in c.modeles_reponse.values() if m.orientation}
    for oid in orientations:
        if oid in by_orientation:
            return by_orientation[oid].texte.strip()
    by_theme = {m.theme: m for m in c.modeles_reponse.values() if m.theme and not m.orientation}
    for tid in ct.themes:
        if tid in by_theme:
            return by_theme[tid].texte.strip()
    return ""


def sans_reponse(c: Consultation) -> list[Contribution]:
    """The analysed and off-topic contributions without a written answer, by id."""
    from ateliers_cli.trace import Traceability

    t = Traceability(c)
    out = []
    for cid in sorted(c.contributions):
        ct = c.contributions[cid]
        if ct.statut not in ANSWERED_STATUSES:
            continue
        fate = t.contribution_fate(ct)
        if not reponse(c, ct, [o.orientation.id for o in fate.orientations_citees]):
            out.append(ct)
    return out


def check_answers(c: Consultation) -> list[Diagnostic]:
    """Every template and reason named exists; a template names a known theme or orientation."""
    d: list[Diagnostic] = []
    for m in c.modeles_reponse.values():
        if not m.theme and not m.orientation:
            d.append(
                error(
                    m.path,
                    m.line_of("id"),
                    f"modèle de réponse « {m.id} » sans « theme » ni « orientation »",
                    "indiquez le thème ou l'orientation dont il répond aux contributions (ou nommez-le dans « "
                    "reponse_modele » d'une contribution)",
                    "reponse",
                )
            )
        if m.theme and m.theme not in c.themes:
            d.append(
                error(
                    m.path,
                    m.line_of("theme"),
                    f"thème « {m.theme} » inconnu",
                    did_you_mean(m.theme, list(c.themes)) or "voyez themes.yaml",
                    "lien",
                )
            )
        if m.orientation and c.orientations and m.orientation not in c.orientations:
            d.append(
                error(
                    m.path,
                    m.line_of("orientation"),
                    f"orientation « {m.orientation} » inconnue",
                    did_you_mean(m.orientation, list(c.orientations)) or "voyez orientations.yaml",
                    "lien",
                )
            )
    for ct in c.contributions.values():
        name = ct.reponse_modele.strip()
        if name and name not in c.modeles_reponse:
            d.append(
                error(
                    ct.path,
                    ct.line_of("reponse_modele"),
                    f"modèle de réponse « {name} » inconnu",
                    did_you_mean(name, list(c.modeles_reponse))
                    or "définissez-le dans reponses.yaml (liste « modeles »)",
                    "lien",
                )
            )
        if ct.statut == "hors_sujet" and not ct.motif.strip():
            d.append(
                warning(
                    ct.path,
                    ct.line_of("statut"),
                    "contribution hors sujet sans motif : son auteur ne saura pas pourquoi",
                    "ajoutez « motif: … » (un texte, ou l'identifiant d'un motif de « motifs_hors_sujet » de "
                    "consultation.yaml) et, si possible, « redirection: … »",
                    "hors-sujet-motif",
                )
            )
        elif ct.motif.strip() and ct.statut != "hors_sujet":
            d.append(
                warning(
                    ct.path,
                    ct.line_of("motif"),
                    f"« motif » renseigné mais le statut est « {ct.statut} »",
                    "le motif ne sert qu'aux contributions hors sujet",
                    "hors-sujet-motif",
                )
            )
    return d
