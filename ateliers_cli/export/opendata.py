"""The public tables of a consultation: what ``ateliers export`` writes as CSV and JSON.

Each :class:`Table` names its columns with a type and a French description (the export's
README is written from them), and holds its rows as plain values. Only public data goes in:
``prive/`` is never read; a contribution's author, title and text appear only with its
author's consent (``publication: true``) and never once its author's identity is erased.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ateliers_cli.model import ANONYMOUS_AUTHOR, Consultation, Contribution
from ateliers_cli.stages import Stage
from ateliers_cli.store.redaction import EMAIL, PHONE
from ateliers_cli.trace import DECISION_LABELS, Traceability


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # in French, for the README: « texte », « entier », « date », « liste »…
    doc: str


@dataclass
class Table:
    name: str  # the file stem: contributions → contributions.csv, contributions.json
    title: str
    doc: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    count: int | None = None  # when the rows were written without being kept here

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def lignes(self) -> int:
        """How many rows the table has."""
        return len(self.rows) if self.count is None else self.count


def C(name: str, kind: str, doc: str) -> Column:
    return Column(name, kind, doc)


CONTRIBUTIONS = (
    C("id", "texte", "Identifiant de la contribution (C-…)."),
    C("date", "date", "Date de réception."),
    C("profil", "texte", "habitant, citoyen ou partenaire (association, institution, entreprise)."),
    C(
        "canal",
        "texte",
        "Comment elle est arrivée : formulaire, courrier, courriel, reunion, plateforme, telephone, autre.",
    ),
    C("territoire", "texte", "Arrondissement (identifiant, voir territoires.csv)."),
    C("territoire_nom", "texte", "Nom de l'arrondissement."),
    C("statut", "texte", "analysee, hors_sujet, doublon ou nouvelle (pas encore analysée)."),
    C("doublon_de", "texte", "Pour un doublon : la contribution suivie à sa place."),
    C("themes", "liste", "Thèmes affectés par les analystes (identifiants, voir themes.csv)."),
    C("propositions", "liste", "Propositions des ateliers qui citent cette contribution (voir propositions.csv)."),
    C(
        "orientations_nourries",
        "liste",
        "Orientations auxquelles mènent les propositions qui la citent (par leur regroupement) ; un thème partagé ne "
        "compte pas.",
    ),
    C(
        "a_nourri_une_orientation_retenue",
        "booléen",
        "Contribution analysée dont une orientation nourrie a été adoptée, avec ou sans amendement (le compte du "
        "document « Ce que sont devenues vos contributions »).",
    ),
    C("publication", "booléen", "L'auteur a consenti à être cité publiquement."),
    C("anonymisee", "booléen", "L'identité de l'auteur a été effacée à sa demande (droit à l'effacement)."),
    C(
        "auteur",
        "texte",
        "Nom public ou pseudonyme choisi par l'auteur ; vide sans consentement ; « Contribution anonymisée » après "
        "effacement.",
    ),
    C("organisation", "texte", "Organisation, pour un partenaire ; vide sans consentement ou après effacement."),
    C("titre", "texte", "Titre court ; vide sans consentement ou après effacement."),
    C("texte", "texte", "Le texte (Markdown) ; vide sans consentement ou après effacement."),
)
THEMES = (
    C("id", "texte", "Identifiant du thème."),
    C("titre", "texte", "Titre."),
    C(
        "nature",
        "texte",
        "question_de_fond (question de politique publique) ou projet_operationnel (projet concret à construire).",
    ),
    C("question", "texte", "La question posée en atelier."),
    C("description", "texte", "Description (Markdown)."),
    C("mots_cles", "liste", "Mots-clés."),
    C("commissions", "liste", "Commissions thématiques concernées (identifiants)."),
    C("contributions", "entier", "Nombre de contributions classées dans ce thème."),
    C("ateliers", "liste", "Ateliers qui ont travaillé ce thème."),
)
TERRITOIRES = (
    C("id", "texte", "Identifiant de l'arrondissement."),
    C("nom", "texte", "Nom."),
    C("population", "entier", "Habitants."),
    C("contributions", "entier", "Nombre de contributions venues de ce territoire."),
    C("ateliers", "liste", "Ateliers tenus ou prévus dans ce territoire."),
)
ATELIERS = (
    C("id", "texte", "Identifiant de l'atelier."),
    C("titre", "texte", "Titre."),
    C("territoire", "texte", "Arrondissement (identifiant)."),
    C("date", "date et heure", "Début (AAAA-MM-JJTHH:MM, heure de Paris)."),
    C("fin", "date et heure", "Fin."),
    C("lieu", "texte", "Lieu."),
    C("adresse", "texte", "Adresse du lieu."),
    C("accessible_pmr", "booléen", "Lieu accessible aux personnes à mobilité réduite (vide : non renseigné)."),
    C("capacite", "entier", "Places."),
    C("themes", "liste", "Thèmes travaillés."),
    C("statut", "texte", "prevu, tenu ou annule."),
    C("motif_annulation", "texte", "Pourquoi l'atelier a été annulé."),
    C("inscrits", "entier", "Personnes inscrites (un nombre : les noms restent privés)."),
    C("liste_attente", "entier", "Personnes sur liste d'attente."),
    C("participants", "entier", "Personnes présentes, une fois l'atelier tenu."),
    C("animation", "texte", "Qui a animé l'atelier."),
    C("propositions", "liste", "Propositions produites."),
)
FORUMS = (
    C("forum", "texte", "lancement (forum de lancement) ou synthese (forum départemental de synthèse)."),
    C("date", "date et heure", "Date et heure."),
    C("lieu", "texte", "Lieu."),
    C("statut", "texte", "prevu ou tenu."),
    C("participants", "entier", "Personnes présentes."),
)
PROPOSITIONS = (
    C("id", "texte", "Identifiant de la proposition (P-…)."),
    C("atelier", "texte", "Atelier qui l'a produite."),
    C("territoire", "texte", "Arrondissement de cet atelier."),
    C("theme", "texte", "Thème travaillé."),
    C("titre", "texte", "Titre."),
    C("description", "texte", "Description (Markdown)."),
    C("contributions", "liste", "Contributions dont elle s'inspire."),
    C("soutiens", "entier", "Soutiens comptés dans la salle."),
    C("porteurs", "liste", "Qui la porterait (projet opérationnel)."),
    C("public", "texte", "Public visé (projet opérationnel)."),
    C("echeance", "date", "Échéance (projet opérationnel)."),
    C("cout_estime", "nombre", "Coût estimé en euros (projet opérationnel)."),
    C("regroupement", "texte", "Regroupement où le forum de synthèse l'a placée (voir regroupements.csv)."),
    C("ecartee", "booléen", "Écartée au forum de synthèse."),
    C("motif_ecart", "texte", "Pourquoi elle a été écartée."),
)
REGROUPEMENTS = (
    C("id", "texte", "Identifiant du regroupement (G-…)."),
    C("titre", "texte", "Titre."),
    C("description", "texte", "Description (Markdown)."),
    C("propositions", "liste", "Propositions regroupées."),
    C("orientations", "liste", "Orientations du rapport qui en sont issues."),
    C("ecarte", "booléen", "Non repris dans le rapport d'orientations."),
    C("motif_ecart", "texte", "Pourquoi il n'a pas été repris."),
)
ORIENTATIONS = (
    C("id", "texte", "Identifiant de l'orientation (O-…)."),
    C("titre", "texte", "Titre."),
    C("texte", "texte", "L'orientation telle que proposée aux élus (Markdown)."),
    C("regroupements", "liste", "Regroupements dont elle est issue."),
    C("commissions", "liste", "Commissions thématiques saisies."),
    C("indicateurs", "liste", "Indicateurs de suivi."),
    C("decision", "texte", "adoptee, amendee ou non_retenue ; vide tant que l'assemblée n'a pas voté."),
)
DECISIONS = (
    C("orientation", "texte", "Orientation sur laquelle l'assemblée s'est prononcée."),
    C("orientation_titre", "texte", "Son titre."),
    C("decision", "texte", "adoptee, amendee (adoptée avec amendements) ou non_retenue."),
    C("decision_libelle", "texte", "La décision en toutes lettres."),
    C("texte_amende", "texte", "Le texte adopté, si l'orientation a été amendée."),
    C("motif", "texte", "Pourquoi elle a été amendée ou non retenue."),
    C("deliberation", "texte", "Numéro de la délibération."),
    C("date", "date", "Date de la séance."),
)
AVIS = (
    C("commission", "texte", "Commission thématique (identifiant)."),
    C("commission_nom", "texte", "Son nom."),
    C("date", "date", "Date de la réunion de la commission."),
    C("avis", "texte", "favorable, favorable_avec_reserves ou defavorable."),
    C("observations", "texte", "Observations (Markdown)."),
    C("amendements", "liste", "Orientations qu'elle propose d'amender (voir amendements.csv)."),
)
AMENDEMENTS = (
    C("commission", "texte", "Commission qui propose l'amendement."),
    C("orientation", "texte", "Orientation visée."),
    C("texte", "texte", "L'amendement proposé."),
)
RESTITUTIONS = (
    C("id", "texte", "Identifiant de la réunion de restitution."),
    C("territoire", "texte", "Arrondissement."),
    C("date", "date et heure", "Date et heure."),
    C("lieu", "texte", "Lieu."),
    C("statut", "texte", "prevu ou tenu."),
    C("participants", "entier", "Personnes présentes."),
)
RETOURS = (
    C("restitution", "texte", "Réunion de restitution."),
    C("territoire", "texte", "Son arrondissement."),
    C("orientation", "texte", "Orientation dont il est question, le cas échéant."),
    C("texte", "texte", "Ce que les participants ont dit de la mise en œuvre."),
)
ETAPES = (
    C("numero", "entier", "1 à 7."),
    C("etape", "texte", "appel, lancement, ateliers, synthese, rapport, adoption, restitution."),
    C("libelle", "texte", "Nom de l'étape."),
    C("debut", "date", "Début prévu au calendrier."),
    C("fin", "date", "Fin prévue au calendrier."),
    C("etat", "texte", "franchie, en_cours ou a_venir."),
    C("franchie_le", "date et heure", "Quand la consultation est passée à l'étape suivante (avec le fuseau)."),
    C("commit", "texte", "Le commit git qui l'a enregistré, le cas échéant."),
)


SUIVI_ACTIONS = (
    C("action", "texte", "Identifiant de l'action (A-…), dans suivi.yaml."),
    C("orientation", "texte", "L'orientation adoptée qu'elle met en œuvre (voir orientations.csv)."),
    C("titre", "texte", "Titre de l'action."),
    C("service", "texte", "Le service qui la pilote."),
    C("budget", "nombre", "Budget en euros."),
    C("statut", "texte", "prevue, en_cours, realisee, reportee ou abandonnee."),
    C("jalons_faits", "entier", "Étapes atteintes."),
    C("jalons", "entier", "Étapes prévues en tout."),
    C("prochain_jalon", "texte", "La prochaine étape."),
    C("date_prochain_jalon", "date", "Sa date prévue."),
)
SUIVI_MESURES = (
    C("action", "texte", "L'action (voir suivi-actions.csv)."),
    C("orientation", "texte", "Son orientation."),
    C("indicateur", "texte", "L'indicateur de l'orientation."),
    C("date", "date", "Date de la mesure."),
    C("valeur", "nombre", "La valeur mesurée."),
    C("unite", "texte", "Unité."),
    C("cible", "nombre", "La valeur visée."),
)


_DIGIT = re.compile(r"\d")


def _no_contact(text: str) -> str:
    """A citizen's text without e-mail addresses or phone numbers (``check`` flags them; never publish one)."""
    if "@" in text:
        text = EMAIL.sub("[courriel retiré]", text)
    if _DIGIT.search(text):
        text = PHONE.sub("[téléphone retiré]", text)
    return text


def public_identity(ct: Contribution) -> tuple[str, str, str, str]:
    """(auteur, organisation, titre, texte) as they may be published."""
    if ct.efface is not None:
        return ANONYMOUS_AUTHOR, "", "", ""
    if not ct.publication:
        return "", "", "", ""
    return _no_contact(ct.auteur), _no_contact(ct.organisation), _no_contact(ct.titre), _no_contact(ct.texte.strip())


def _id_key(ident: str) -> tuple[str, int, str]:
    prefix, _, rest = ident.partition("-")
    return (prefix, int(rest), ident) if rest.isdigit() else (prefix, 0, ident)


def ordered_contributions(c: Consultation) -> list[Contribution]:
    """The contributions in the order of their table (C-2 before C-10)."""
    return sorted(c.contributions.values(), key=lambda x: _id_key(x.id))


def contribution_row(c: Consultation, t: Traceability, ct: Contribution) -> dict[str, Any]:
    """The row of one contribution: made of it, of the one it repeats if it is a duplicate (its
    fate follows that one) and of the rest of the consultation, never of the other contributions."""
    auteur, organisation, titre, texte = public_identity(ct)
    fate = t.contribution_fate(ct)
    terr = c.territoires.get(ct.territoire)
    return {
        "id": ct.id,
        "date": ct.date,
        "profil": ct.profil,
        "canal": ct.canal,
        "territoire": ct.territoire,
        "territoire_nom": terr.nom if terr else "",
        "statut": ct.statut,
        "doublon_de": ct.doublon_de,
        "themes": list(ct.themes),
        "propositions": sorted(p.proposition.id for p in fate.propositions),
        "orientations_nourries": [o.orientation.id for o in fate.orientations_citees],
        "a_nourri_une_orientation_retenue": fate.a_nourri_retenue,
        "publication": ct.publication,
        "anonymisee": ct.efface is not None,
        "auteur": auteur,
        "organisation": organisation,
        "titre": titre,
        "texte": texte,
    }


def build_tables(c: Consultation, *, contributions: bool = True) -> list[Table]:
    """Every public table of ``c``, rows in a stable order.

    Without ``contributions``, the contributions table comes without its rows: the caller
    makes them (:func:`contribution_row`), each one only when it has not kept it already.
    """
    t = Traceability(c)
    tables: list[Table] = []

    def table(name: str, title: str, doc: str, columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> None:
        tables.append(Table(name, title, doc, columns, rows))

    # contributions
    rows = [contribution_row(c, t, ct) for ct in ordered_contributions(c)] if contributions else []
    table(
        "contributions",
        "Les contributions",
        "Une ligne par contribution reçue pendant l'appel à contributions.",
        CONTRIBUTIONS,
        rows,
    )

    by_theme = Counter(th for ct in c.contributions.values() for th in ct.themes)
    by_territory = Counter(ct.territoire for ct in c.contributions.values())
    ateliers_of_territory: dict[str, list[str]] = defaultdict(list)
    for a in c.ateliers.values():
        ateliers_of_territory[a.territoire].append(a.id)
    table(
        "themes",
        "Les thèmes",
        "Les thèmes dans lesquels les analystes ont classé les contributions, travaillés en atelier.",
        THEMES,
        [
            {
                "id": th.id,
                "titre": th.titre,
                "nature": th.nature,
                "question": th.question,
                "description": th.description.strip(),
                "mots_cles": list(th.mots_cles),
                "commissions": list(th.commissions),
                "contributions": by_theme.get(th.id, 0),
                "ateliers": sorted(a.id for a in t.ateliers_of_theme.get(th.id, [])),
            }
            for th in c.themes.values()
        ],
    )
    table(
        "territoires",
        "Les territoires",
        "Les arrondissements de la consultation.",
        TERRITOIRES,
        [
            {
                "id": te.id,
                "nom": te.nom,
                "population": te.population,
                "contributions": by_territory.get(te.id, 0),
                "ateliers": sorted(ateliers_of_territory.get(te.id, [])),
            }
            for te in c.territoires.values()
        ],
    )
    table(
        "ateliers",
        "Les ateliers",
        "Les ateliers citoyens de coproduction, un ou plusieurs par arrondissement.",
        ATELIERS,
        [
            {
                "id": a.id,
                "titre": a.titre,
                "territoire": a.territoire,
                "date": a.date,
                "fin": a.fin,
                "lieu": a.lieu,
                "adresse": a.adresse,
                "accessible_pmr": a.accessible_pmr,
                "capacite": a.capacite,
                "themes": list(a.themes),
                "statut": a.statut,
                "motif_annulation": a.motif_annulation,
                "inscrits": a.inscriptions.inscrits if a.inscriptions else None,
                "liste_attente": a.inscriptions.liste_attente if a.inscriptions else None,
                "participants": a.participants,
                "animation": a.animation,
                "propositions": [p.id for p in a.propositions],
            }
            for a in sorted(c.ateliers.values(), key=lambda a: a.id)
        ],
    )
    forums = []
    for key, forum in (("lancement", c.lancement), ("synthese", c.synthese)):
        if forum is not None:
            forums.append(
                {
                    "forum": key,
                    "date": forum.date,
                    "lieu": forum.lieu,
                    "statut": forum.statut,
                    "participants": forum.participants,
                }
            )
    table("forums", "Les forums", "Le forum de lancement et le forum départemental de synthèse.", FORUMS, forums)

    rows = []
    for p in t.propositions.values():
        g = t.group_of.get(p.id)
        atelier = c.ateliers.get(p.atelier)
        rows.append(
            {
                "id": p.id,
                "atelier": p.atelier,
                "territoire": atelier.territoire if atelier else "",
                "theme": p.theme,
                "titre": p.titre,
                "description": p.description.strip(),
                "contributions": list(p.contributions),
                "soutiens": p.soutiens,
                "porteurs": list(p.porteurs),
                "public": p.public,
                "echeance": p.echeance,
                "cout_estime": p.cout_estime,
                "regroupement": g.id if g and p.id not in t.ecart_prop else "",
                "ecartee": p.id in t.ecart_prop,
                "motif_ecart": t.ecart_prop.get(p.id, ""),
            }
        )
    table(
        "propositions",
        "Les propositions des ateliers",
        "Une ligne par proposition produite en atelier.",
        PROPOSITIONS,
        rows,
    )
    table(
        "regroupements",
        "Les regroupements",
        "Les regroupements de propositions faits au forum départemental de synthèse.",
        REGROUPEMENTS,
        [
            {
                "id": g.id,
                "titre": g.titre,
                "description": g.description.strip(),
                "propositions": list(g.propositions),
                "orientations": [o.id for o in t.orients_of_group.get(g.id, [])],
                "ecarte": g.id in t.ecart_group,
                "motif_ecart": t.ecart_group.get(g.id, ""),
            }
            for g in t.regroupements.values()
        ],
    )
    decisions = t.decisions
    table(
        "orientations",
        "Les orientations",
        "Les orientations du rapport soumis à l'assemblée, chacune reliée à ses sources.",
        ORIENTATIONS,
        [
            {
                "id": o.id,
                "titre": o.titre,
                "texte": o.texte.strip(),
                "regroupements": list(o.regroupements),
                "commissions": list(o.commissions),
                "indicateurs": list(o.indicateurs),
                "decision": decisions[o.id].decision if o.id in decisions else "",
            }
            for o in c.orientations.values()
        ],
    )
    dl = c.deliberation
    seance = dl.seance if dl is not None else None
    table(
        "decisions",
        "Les décisions de l'assemblée",
        f"Ce que {c.conseil} a décidé pour chaque orientation.",
        DECISIONS,
        [
            {
                "orientation": d.orientation,
                "orientation_titre": c.orientations[d.orientation].titre if d.orientation in c.orientations else "",
                "decision": d.decision,
                "decision_libelle": DECISION_LABELS.get(d.decision, d.decision),
                "texte_amende": d.texte_amende.strip(),
                "motif": d.motif.strip(),
                "deliberation": seance.numero if seance else "",
                "date": seance.date if seance else None,
            }
            for d in (dl.decisions if dl is not None else [])
        ],
    )
    avis = dl.avis if dl is not None else []
    table(
        "avis",
        "Les avis des commissions",
        "L'avis de chaque commission thématique saisie, avant la séance.",
        AVIS,
        [
            {
                "commission": a.commission,
                "commission_nom": c.commissions[a.commission].nom if a.commission in c.commissions else "",
                "date": a.date,
                "avis": a.avis,
                "observations": a.observations.strip(),
                "amendements": [am.orientation for am in a.amendements],
            }
            for a in avis
        ],
    )
    table(
        "amendements",
        "Les amendements des commissions",
        "Les amendements proposés par les commissions, orientation par orientation.",
        AMENDEMENTS,
        [
            {"commission": a.commission, "orientation": am.orientation, "texte": am.texte.strip()}
            for a in avis
            for am in a.amendements
        ],
    )
    restitutions = sorted(c.restitutions.values(), key=lambda r: r.id)
    table(
        "restitutions",
        "Les restitutions publiques",
        "Les réunions publiques qui présentent dans chaque territoire la politique adoptée.",
        RESTITUTIONS,
        [
            {
                "id": r.id,
                "territoire": r.territoire,
                "date": r.date,
                "lieu": r.lieu,
                "statut": r.statut,
                "participants": r.participants,
            }
            for r in restitutions
        ],
    )
    table(
        "retours",
        "Les retours des restitutions",
        "Ce que les participants aux restitutions ont dit de la mise en œuvre.",
        RETOURS,
        [
            {"restitution": r.id, "territoire": r.territoire, "orientation": x.orientation, "texte": x.texte.strip()}
            for r in restitutions
            for x in r.retours
        ],
    )
    passed = {p.de: p for p in c.historique}
    rows = []
    for stage in Stage.process():
        periode = c.calendrier.get(stage.value)
        passage = passed.get(stage.value)
        if stage.number < c.etape.number:
            etat = "franchie"
        elif stage is c.etape:
            etat = "en_cours"
        else:
            etat = "a_venir"
        when = passage.date if passage else None
        rows.append(
            {
                "numero": stage.number,
                "etape": stage.value,
                "libelle": stage.label,
                "debut": periode.debut if periode else None,
                "fin": periode.fin if periode else None,
                "etat": etat,
                "franchie_le": when.isoformat(timespec="minutes") if isinstance(when, dt.datetime) else when,
                "commit": passage.commit if passage else "",
            }
        )
    table(
        "etapes",
        "Les étapes de la démarche",
        "Les sept étapes : calendrier prévu et passages enregistrés par « ateliers advance ».",
        ETAPES,
        rows,
    )
    if c.actions:
        from ateliers_cli.followup import open_data_rows

        actions, mesures = open_data_rows(c)
        table(
            "suivi-actions",
            "Les actions de mise en œuvre",
            "Après le vote : les actions qui mettent en œuvre chaque orientation adoptée (suivi.yaml).",
            SUIVI_ACTIONS,
            actions,
        )
        table(
            "suivi-mesures",
            "Les valeurs des indicateurs",
            "Les valeurs mesurées des indicateurs de chaque orientation, au fil du temps.",
            SUIVI_MESURES,
            mesures,
        )
    return tables
