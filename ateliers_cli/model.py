"""The consultation as plain data.

Every object knows the file and line it came from (``path``, ``line``) and the
line of each of its keys (``line_of``), so any later message can point at it.
Values that failed validation are left at their defaults; the loader has
already reported them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli.stages import Stage

DateLike = dt.date | dt.datetime


class PlainText(str):
    """A name the operator wrote (the assembly, a commission, a workshop's title): plain text
    everywhere. Documents are Markdown: written there bare, it is escaped (see
    ``documents.templating``), so that « [Conseil](https://…) » never becomes a live link."""

    __slots__ = ()


@dataclass(kw_only=True)
class Located:
    path: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@dataclass(kw_only=True)
class Territoire(Located):
    id: str = ""
    nom: str = ""
    population: int = 0
    communes: list[str] = field(default_factory=list)
    codes_postaux: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Commission(Located):
    id: str = ""
    nom: str = ""
    president: str = ""
    finances: bool = False

    @property
    def nom_court(self) -> str:
        """« Commission Solidarités, autonomie et santé » → « Solidarités, autonomie et santé »."""
        return self.nom.removeprefix("Commission ")

    def __post_init__(self) -> None:
        if isinstance(self.nom, str):
            self.nom = PlainText(self.nom)


@dataclass(kw_only=True)
class Periode(Located):
    debut: dt.date | None = None
    fin: dt.date | None = None


@dataclass(kw_only=True)
class Passage(Located):
    de: str = ""
    vers: str = ""
    date: DateLike | None = None
    par: str = ""
    commit: str = ""


@dataclass(kw_only=True)
class Collectivite(Located):
    nom: str = ""
    conseil: str = ""
    siret: str = ""
    adresse: str = ""
    site: str = ""
    signataire: str = ""
    logo: str = ""
    tribunal_administratif: str = ""
    tribunal_adresse: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.conseil, str):
            self.conseil = PlainText(self.conseil)


@dataclass(kw_only=True)
class SitePublic(Located):
    """consultation.yaml's ``site_public``: legal notices, open-data licence, visual identity."""

    directeur_publication: str = ""
    hebergeur: str = ""
    hebergeur_adresse: str = ""
    hebergeur_telephone: str = ""
    contact_donnees: str = ""
    licence: str = ""
    couleur: str = ""
    police: str = ""
    facile_a_lire: str = ""


@dataclass(kw_only=True)
class RapportInfo(Located):
    """consultation.yaml's ``rapport``: what the report's cover page says."""

    numero: str = ""
    rapporteur: str = ""
    seance: dt.date | None = None
    service: str = ""


@dataclass(kw_only=True)
class Theme(Located):
    id: str = ""
    titre: str = ""
    description: str = ""
    nature: str = "question_de_fond"
    question: str = ""
    mots_cles: list[str] = field(default_factory=list)
    commissions: list[str] = field(default_factory=list)

    @property
    def operationnel(self) -> bool:
        return self.nature == "projet_operationnel"


#: What ``ateliers erase`` writes in place of the author of an erased contribution.
ANONYMOUS_AUTHOR = "Contribution anonymisée"


@dataclass(kw_only=True)
class Contribution(Located):
    id: str = ""
    date: dt.date | None = None
    profil: str = ""
    canal: str = ""
    territoire: str = ""
    auteur: str = ""
    organisation: str = ""
    civilite: str = ""  # "madame" | "monsieur" when the import or the entry gives it
    publication: bool = False
    themes: list[str] = field(default_factory=list)
    statut: str = "nouvelle"
    doublon_de: str = ""
    titre: str = ""
    source: dict[str, Any] | None = None
    efface: dt.date | None = None
    motif: str = ""  # off-topic: why (text, or the id of a reason of consultation.yaml)
    redirection: str = ""  # off-topic: where to turn
    reponse: str = ""  # the team's written answer
    reponse_modele: str = ""  # the id of an answer template of reponses.yaml
    texte: str = ""
    texte_line: int = 0


@dataclass(kw_only=True)
class MotifHorsSujet(Located):
    """A reason a contribution is off-topic, with where to turn."""

    id: str = ""
    motif: str = ""
    redirection: str = ""


@dataclass(kw_only=True)
class ModeleReponse(Located):
    """A reusable written answer, for the contributions of a theme or of an orientation."""

    id: str = ""
    theme: str = ""
    orientation: str = ""
    texte: str = ""


@dataclass(kw_only=True)
class Proposition(Located):
    id: str = ""
    titre: str = ""
    description: str = ""
    contributions: list[str] = field(default_factory=list)
    soutiens: int = 0
    porteurs: list[str] = field(default_factory=list)
    public: str = ""
    echeance: dt.date | None = None
    cout_estime: float | None = None
    # where it was made, filled by the loader
    theme: str = ""
    atelier: str = ""


@dataclass(kw_only=True)
class Production(Located):
    theme: str = ""
    reflexions: str = ""
    propositions: list[Proposition] = field(default_factory=list)


@dataclass(kw_only=True)
class Besoins(Located):
    pmr: int = 0
    lsf: int = 0
    garde_enfants: int = 0
    autre: int = 0


@dataclass(kw_only=True)
class Inscriptions(Located):
    inscrits: int = 0
    liste_attente: int = 0
    besoins: Besoins = field(default_factory=Besoins)


@dataclass(kw_only=True)
class Atelier(Located):
    id: str = ""
    titre: str = ""
    territoire: str = ""
    date: DateLike | None = None
    fin: DateLike | None = None
    lieu: str = ""
    adresse: str = ""
    accessible_pmr: bool | None = None
    capacite: int = 0
    themes: list[str] = field(default_factory=list)
    statut: str = "prevu"
    motif_annulation: str = ""
    inscriptions: Inscriptions | None = None
    participants: int | None = None
    animation: str = ""
    productions: list[Production] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.titre, str):
            self.titre = PlainText(self.titre)

    @property
    def propositions(self) -> list[Proposition]:
        return [p for prod in self.productions for p in prod.propositions]


@dataclass(kw_only=True)
class Reunion(Located):
    """A meeting: the launch forum, the synthesis forum, a restitution."""

    date: DateLike | None = None
    lieu: str = ""
    statut: str = "prevu"
    participants: int | None = None
    notes: str = ""


@dataclass(kw_only=True)
class Lancement(Reunion):
    inscriptions_ouvertes: bool = False


@dataclass(kw_only=True)
class Regroupement(Located):
    id: str = ""
    titre: str = ""
    description: str = ""
    propositions: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Ecart(Located):
    """Something set aside, with the reason: a proposition or a regroupement."""

    ref: str = ""
    motif: str = ""


@dataclass(kw_only=True)
class Synthese(Reunion):
    regroupements: list[Regroupement] = field(default_factory=list)
    propositions_ecartees: list[Ecart] = field(default_factory=list)


@dataclass(kw_only=True)
class Orientation(Located):
    id: str = ""
    titre: str = ""
    texte: str = ""
    regroupements: list[str] = field(default_factory=list)
    commissions: list[str] = field(default_factory=list)
    indicateurs: list[str] = field(default_factory=list)
    cout_fonctionnement: float | None = None
    cout_investissement: float | None = None
    financement: str = ""

    @property
    def chiffree(self) -> bool:
        return self.cout_fonctionnement is not None or self.cout_investissement is not None


@dataclass(kw_only=True)
class Amendement(Located):
    orientation: str = ""
    texte: str = ""


@dataclass(kw_only=True)
class Avis(Located):
    commission: str = ""
    date: dt.date | None = None
    avis: str = ""
    observations: str = ""
    amendements: list[Amendement] = field(default_factory=list)


@dataclass(kw_only=True)
class Seance(Located):
    numero: str = ""
    date: dt.date | None = None
    lieu: str = ""
    president: str = ""
    objet: str = ""
    matiere_code: str = ""
    matiere_nom: str = ""
    rapporteur: str = ""
    url: str = ""
    prefecture: str = ""
    prefecture_date: dt.date | None = None
    publication: dt.date | None = None
    budget_annee: str = ""
    budget_nom: str = ""


@dataclass(kw_only=True)
class Vote(Located):
    effectif: int = 0
    presents: int = 0
    representes: int = 0
    votants: int = 0
    pour: int = 0
    contre: int = 0
    abstention: int = 0

    @property
    def quorum(self) -> int:
        """Members who must be present: more than half of those in office (CGCT L3121-14)."""
        return self.effectif // 2 + 1

    @property
    def quorum_atteint(self) -> bool:
        return self.presents >= self.quorum


@dataclass(kw_only=True)
class Decision(Located):
    orientation: str = ""
    decision: str = ""
    texte_amende: str = ""
    motif: str = ""


@dataclass(kw_only=True)
class Deliberation(Located):
    avis: list[Avis] = field(default_factory=list)
    seance: Seance | None = None
    vote: Vote | None = None
    decisions: list[Decision] = field(default_factory=list)


@dataclass(kw_only=True)
class Retour(Located):
    orientation: str = ""
    texte: str = ""


@dataclass(kw_only=True)
class Restitution(Reunion):
    id: str = ""
    territoire: str = ""
    retours: list[Retour] = field(default_factory=list)


@dataclass(kw_only=True)
class Jalon(Located):
    date: dt.date | None = None
    titre: str = ""
    fait: bool = False


@dataclass(kw_only=True)
class Mesure(Located):
    date: dt.date | None = None
    valeur: float | None = None
    commentaire: str = ""


@dataclass(kw_only=True)
class IndicateurSuivi(Located):
    indicateur: str = ""
    unite: str = ""
    cible: float | None = None
    valeurs: list[Mesure] = field(default_factory=list)


@dataclass(kw_only=True)
class Action(Located):
    """An action that implements an adopted orientation (suivi.yaml)."""

    id: str = ""
    orientation: str = ""
    titre: str = ""
    description: str = ""
    service: str = ""
    budget: float | None = None
    statut: str = "prevue"
    motif: str = ""
    jalons: list[Jalon] = field(default_factory=list)
    indicateurs: list[IndicateurSuivi] = field(default_factory=list)
    retours: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Consultation(Located):
    root: Path = field(default_factory=Path)
    id: str = ""
    titre: str = ""
    description: str = ""
    collectivite: Collectivite = field(default_factory=Collectivite)
    territoires: dict[str, Territoire] = field(default_factory=dict)
    commissions: dict[str, Commission] = field(default_factory=dict)
    calendrier: dict[str, Periode] = field(default_factory=dict)
    etape: Stage = Stage.APPEL
    historique: list[Passage] = field(default_factory=list)
    rapport: RapportInfo = field(default_factory=RapportInfo)
    site_public: SitePublic = field(default_factory=SitePublic)
    themes: dict[str, Theme] = field(default_factory=dict)
    themes_path: str = ""
    contributions: dict[str, Contribution] = field(default_factory=dict)
    ateliers: dict[str, Atelier] = field(default_factory=dict)
    lancement: Lancement | None = None
    synthese: Synthese | None = None
    orientations: dict[str, Orientation] = field(default_factory=dict)
    orientations_path: str = ""
    regroupements_ecartes: list[Ecart] = field(default_factory=list)
    deliberation: Deliberation | None = None
    restitutions: dict[str, Restitution] = field(default_factory=dict)
    reponses_individuelles: bool = False
    forme_inclusive: str = "doublet"  # the profile of a person whose civility is unknown
    motifs_hors_sujet: dict[str, MotifHorsSujet] = field(default_factory=dict)
    modeles_reponse: dict[str, ModeleReponse] = field(default_factory=dict)
    reponses_path: str = ""
    actions: dict[str, Action] = field(default_factory=dict)  # suivi.yaml, after the vote

    # --- derived views ------------------------------------------------------

    @property
    def propositions(self) -> dict[str, Proposition]:
        """Every proposition of every workshop, by id (first one wins on a duplicate)."""
        out: dict[str, Proposition] = {}
        for atelier in self.ateliers.values():
            for p in atelier.propositions:
                out.setdefault(p.id, p)
        return out

    @property
    def regroupements(self) -> dict[str, Regroupement]:
        if self.synthese is None:
            return {}
        out: dict[str, Regroupement] = {}
        for g in self.synthese.regroupements:
            out.setdefault(g.id, g)
        return out

    @property
    def decisions(self) -> dict[str, Decision]:
        if self.deliberation is None:
            return {}
        return {d.orientation: d for d in self.deliberation.decisions}

    def reached(self, stage: Stage) -> bool:
        """Whether the consultation is at ``stage`` or beyond."""
        return self.etape.number >= stage.number

    @property
    def conseil(self) -> str:
        return PlainText(self.collectivite.conseil or "l'assemblée départementale")
