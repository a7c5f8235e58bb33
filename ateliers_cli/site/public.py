"""What the public website may show, stage by stage.

A consultation folder often holds the later stages' drafts (the example holds them all
from the start). The site publishes each stage's work only once that stage has been left,
as the documents do: the workshops' productions with the *Cahier des productions*, the
regroupements with the *Synthèse intermédiaire*, the orientations with the *Rapport
d'orientations*, the council's decisions with the *Délibération*. Dates and places of
meetings are public from the start (that is the calendar); what a meeting produced is not.

Contributions are all listed (their chain is public); whether their text and author may
be shown follows the open data's rule (:func:`~ateliers_cli.export.opendata.public_identity`):
with consent only, and never once the identity has been erased (the author then reads
« Contribution anonymisée », and the text is no longer published).
"""

from __future__ import annotations

from dataclasses import replace

from ateliers_cli.export.opendata import public_identity
from ateliers_cli.model import Atelier, Consultation, Contribution, Restitution
from ateliers_cli.stages import Stage


def public_view(c: Consultation) -> Consultation:
    """A shallow copy of ``c`` without what the stages not yet left have produced."""
    ateliers: dict[str, Atelier] = c.ateliers
    if not c.reached(Stage.SYNTHESE):
        ateliers = {k: replace(a, productions=[]) for k, a in c.ateliers.items()}
    synthese = c.synthese
    if synthese is not None and not c.reached(Stage.RAPPORT):
        synthese = replace(synthese, regroupements=[], propositions_ecartees=[])
    orientations, ecartes = c.orientations, c.regroupements_ecartes
    if not c.reached(Stage.ADOPTION):
        orientations, ecartes = {}, []
    deliberation = c.deliberation if c.reached(Stage.RESTITUTION) else None
    restitutions: dict[str, Restitution] = {}
    if c.reached(Stage.RESTITUTION):
        restitutions = {
            k: r if r.statut == "tenu" else replace(r, retours=[], participants=None) for k, r in c.restitutions.items()
        }
    return replace(
        c,
        ateliers=ateliers,
        synthese=synthese,
        orientations=orientations,
        regroupements_ecartes=ecartes,
        deliberation=deliberation,
        restitutions=restitutions,
    )


def texte_publiable(ct: Contribution) -> bool:
    """Its text, title and author may be shown: consent given, identity not erased (as in the export)."""
    return ct.publication and ct.efface is None


def auteur_public(ct: Contribution) -> str:
    """The public name or pseudonym; « Contribution anonymisée » once « ateliers erase » has run."""
    return public_identity(ct)[0].strip() or "Anonyme"
