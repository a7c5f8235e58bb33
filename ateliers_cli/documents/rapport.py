"""Leaving *rapport*: the report of orientations, and a briefing for each commission concerned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ateliers_cli.documents.context import Trace, base_context, choose_citations
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.synthese import proposition_view, regroupement_view
from ateliers_cli.documents.templating import DocumentEnvironment
from ateliers_cli.model import Consultation, Orientation, PlainText
from ateliers_cli.stages import Stage

#: Words of inhabitants quoted under each orientation (consented contributions only).
CITATIONS_PAR_ORIENTATION = 2


def seance_prevue(c: Consultation) -> dt.date | None:
    """The sitting the report goes to: consultation.yaml's ``rapport.seance``, else the first day
    of the adoption stage in the calendar."""
    if c.rapport.seance is not None:
        return c.rapport.seance
    periode = c.calendrier.get(Stage.ADOPTION.value)
    return periode.debut if periode is not None else None


def couverture(c: Consultation, intitule: str, titre: str, *, destinataire: str = "") -> Any:
    """The cover page of a document filed with the assembly, from consultation.yaml."""
    try:
        from ateliers_cli.office import Couverture
    except ImportError:  # the office helper is optional
        return None
    from ateliers_cli.checks.institution import LOGO_FORMATS, logo_path
    from ateliers_cli.render.french import date_longue, typographie

    mentions: list[tuple[str, str]] = []
    if destinataire:
        mentions.append(("À l'attention de", destinataire))
    seance = seance_prevue(c)
    if seance is not None:
        mentions.append(("Séance du", date_longue(seance)))
    if c.rapport.numero:
        mentions.append(("Rapport n°", c.rapport.numero))
    if c.rapport.rapporteur:
        mentions.append(("Rapporteur :", c.rapport.rapporteur))
    if c.rapport.service:
        mentions.append(("Présenté par", c.rapport.service))
    logo = logo_path(c)
    return Couverture(
        collectivite=typographie(c.collectivite.nom),
        assemblee=typographie(c.conseil),
        intitule=typographie(intitule),
        titre=typographie(titre),
        sous_titre=typographie(f"Ateliers citoyens « {c.titre} »"),
        mentions=tuple((typographie(k), typographie(v)) for k, v in mentions),
        logo=logo.read_bytes() if logo else b"",
        logo_format=LOGO_FORMATS[logo.suffix.lower()].split("/")[1].split("+")[0] if logo else "",
    )


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    folder = stage_dir(Stage.RAPPORT)
    shared = rapport_context(c)
    name, title = "rapport-orientations", "Rapport d'orientations"
    ctx = {**base_context(c, Stage.RAPPORT, when, titre=title, nom=name), **shared}
    files = publish(
        env, c, f"{name}.md.j2", ctx, f"{folder}/{name}", title, when, office=True, sommaire=True, sous_titre=c.titre,
        couverture=couverture(c, f"Rapport au {c.conseil}", title),
    )
    for item in shared["commissions_concernees"]:
        commission = item["commission"]
        name = f"note-commission-{commission.id}"
        title = (
            f"Note à la {commission.nom[0].lower()}{commission.nom[1:]}"
            if commission.nom.startswith("Commission")
            else f"Note à la commission {commission.nom}"
        )
        ctx = {**base_context(c, Stage.RAPPORT, when, titre=title, nom=name), **shared, **item}
        files += publish(
            env, c, "note-commission.md.j2", ctx, f"{folder}/{name}", title, when, office=True, sous_titre=c.titre,
            couverture=couverture(c, "Note à une commission thématique", title, destinataire=commission.president),
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
        "cout": cout(o),
    }


def cout(o: Orientation) -> dict[str, Any]:
    """What an orientation costs, as the report's tables show it."""
    return {
        "chiffre": o.chiffree,
        "fonctionnement": o.cout_fonctionnement,
        "investissement": o.cout_investissement,
        "financement": o.financement,
    }


def totaux(views: list[dict[str, Any]]) -> dict[str, Any]:
    """The costs added up over ``views`` (orientations without a figure count for nothing, and are counted)."""
    return {
        "fonctionnement": sum(v["cout"]["fonctionnement"] or 0 for v in views),
        "investissement": sum(v["cout"]["investissement"] or 0 for v in views),
        "non_chiffrees": sum(1 for v in views if not v["cout"]["chiffre"]),
        "chiffrees": sum(1 for v in views if v["cout"]["chiffre"]),
    }


def _signataire(c: Consultation) -> str:
    from ateliers_cli.documents.adoption import qualite_president  # adoption builds on this module

    return PlainText(qualite_president(c.conseil, c.collectivite.signataire))


def rapport_context(c: Consultation) -> dict[str, Any]:
    trace = Trace.of(c)
    views = [orientation_view(c, o, trace) for o in c.orientations.values()]
    concerned: list[dict[str, Any]] = []
    for m in c.commissions.values():
        mine = [v for v in views if m.id in v["orientation"].commissions]
        if mine:
            concerned.append({"commission": m, "orientations_commission": mine})
    ecartes = [
        {"regroupement": c.regroupements.get(e.ref), "id": e.ref, "motif": e.motif} for e in c.regroupements_ecartes
    ]
    commissions = [x["commission"] for x in concerned]
    grid = [["●" if m.id in v["orientation"].commissions else None for m in commissions] for v in views]
    return {
        "orientations": views,
        "totaux": totaux(views),
        "seance_prevue": seance_prevue(c),
        "qualite_president": _signataire(c),
        # « autoriser le Président… »: the first letter lowered here, as plain text (a slice in
        # the template would lose it, and a name written as Markdown would become a link)
        "qualite_president_minuscule": PlainText(_signataire(c)[:1].lower() + _signataire(c)[1:]),
        "commission_finances": next((m for m in c.commissions.values() if m.finances), None),
        "regroupements_ecartes": ecartes,
        "commissions_concernees": concerned,
        "grille": {
            "lignes": [f"{v['orientation'].id} {v['orientation'].titre}" for v in views],
            "colonnes": [m.nom for m in commissions],
            "cellules": grid,
        },
    }
