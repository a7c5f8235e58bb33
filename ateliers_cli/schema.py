"""The structure of every file kind, written once.

The same declarations validate the files (fast, with French messages and
lines) and produce the JSON Schemas that editors use to validate and
complete the YAML (``ateliers schema --out DIR``).
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from dataclasses import dataclass, field
from typing import Any

from ateliers_cli import clock
from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.stages import Stage
from ateliers_cli.yamlio import LineList, line_of, unknown_key_warning

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_PATTERNS = {
    "C": r"^C-[A-Z0-9]+(?:-[A-Z0-9]+)*$",
    "P": r"^P-[A-Z0-9]+(?:-[A-Z0-9]+)*$",
    "G": r"^G-[A-Z0-9]+(?:-[A-Z0-9]+)*$",
    "O": r"^O-[A-Z0-9]+(?:-[A-Z0-9]+)*$",
    "A": r"^A-[A-Z0-9]+(?:-[A-Z0-9]+)*$",
}
_ID_EXAMPLES = {"C": "C-0001", "P": "P-LIL1-01", "G": "G-01", "O": "O-01", "A": "A-01"}

CIVILITES = ("madame", "monsieur")
FORMES_INCLUSIVES = ("doublet", "point_median", "masculin")
PROFILS = ("habitant", "citoyen", "partenaire")
CANAUX = ("formulaire", "courrier", "courriel", "reunion", "plateforme", "telephone", "autre")
STATUTS_CONTRIBUTION = ("nouvelle", "analysee", "hors_sujet", "doublon")
NATURES = ("question_de_fond", "projet_operationnel")
STATUTS_ATELIER = ("prevu", "tenu", "annule")
STATUTS_REUNION = ("prevu", "tenu")
AVIS = ("favorable", "favorable_avec_reserves", "defavorable")
DECISIONS = ("adoptee", "amendee", "non_retenue")
STATUTS_ACTION = ("prevue", "en_cours", "realisee", "reportee", "abandonnee")


@dataclass(frozen=True)
class F:
    """One key of a file: its type and rules, and its French description."""

    name: str
    type: str  # str text int number bool date datetime list object
    doc: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    pattern_hint: str = ""
    items: F | None = None  # for lists
    obj: Obj | None = None  # for objects (and lists of objects, through items)
    minimum: float | None = None
    map_of: Obj | None = None  # an object whose keys are free (e.g. the calendar)


@dataclass(frozen=True)
class Obj:
    name: str  # used in messages: « dans un atelier »
    fields: tuple[F, ...]
    doc: str = ""
    by_name: dict[str, F] = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})


def _id(prefix: str, name: str = "id", doc: str = "", required: bool = True) -> F:
    return F(
        name,
        "str",
        doc,
        required=required,
        pattern=ID_PATTERNS[prefix],
        pattern_hint=f"un identifiant de la forme « {_ID_EXAMPLES[prefix]} » (majuscules, chiffres, tirets)",
    )


def _slug(name: str, doc: str = "", required: bool = True) -> F:
    return F(
        name,
        "str",
        doc,
        required=required,
        pattern=SLUG,
        pattern_hint="un identifiant en minuscules sans accents ni espaces, mots séparés par des tirets (ex. « lille-1 "
        "»)",
    )


def _list(name: str, item: F, doc: str = "", required: bool = False) -> F:
    return F(name, "list", doc, required=required, items=item)


def _objects(name: str, obj: Obj, doc: str = "", required: bool = False) -> F:
    return F(name, "list", doc, required=required, items=F("", "object", obj=obj))


# --- consultation.yaml -------------------------------------------------------

TERRITOIRE = Obj(
    "un territoire",
    (
        _slug("id", "Identifiant de l'arrondissement (ex. « lille »)."),
        F("nom", "str", "Nom affiché.", required=True),
        F("population", "int", "Nombre d'habitants (pour la représentativité).", required=True, minimum=0),
        _list("communes", F("", "str"), "Communes de l'arrondissement, pour rattacher une contribution importée."),
        _list(
            "codes_postaux",
            F("", "str", pattern=r"^\d{5}$", pattern_hint="un code postal à 5 chiffres, entre guillemets"),
            "Codes postaux de l'arrondissement.",
        ),
    ),
)
COMMISSION = Obj(
    "une commission",
    (
        _slug("id", "Identifiant de la commission."),
        F("nom", "str", "Nom complet de la commission thématique.", required=True),
        F("president", "str", "Président ou présidente de la commission."),
        F(
            "finances",
            "bool",
            "La commission des finances : sa note présente le coût et le financement de toutes les orientations.",
        ),
    ),
)
PERIODE = Obj(
    "une période du calendrier",
    (
        F("debut", "date", "Premier jour de l'étape.", required=True),
        F("fin", "date", "Dernier jour de l'étape.", required=True),
    ),
)
PASSAGE = Obj(
    "un passage d'étape",
    (
        F("de", "str", "Étape quittée.", required=True, enum=tuple(Stage.keys())),
        F("vers", "str", "Étape atteinte.", required=True, enum=tuple(Stage.keys())),
        F("date", "datetime", "Date et heure du passage.", required=True),
        F("par", "str", "Qui a fait avancer la consultation.", required=True),
        F("commit", "str", "Commit git créé par « advance --commit »."),
    ),
)
COLLECTIVITE = Obj(
    "la collectivité",
    (
        F("nom", "str", "Nom de la collectivité (ex. « Département du Nord »).", required=True),
        F("conseil", "str", "Nom de l'assemblée délibérante (ex. « Conseil départemental du Nord »).", required=True),
        F(
            "siret",
            "str",
            "SIRET de la collectivité (14 chiffres, entre guillemets).",
            pattern=r"^\d{14}$",
            pattern_hint='14 chiffres, entre guillemets (ex. "22590001800014")',
        ),
        F("adresse", "str", "Adresse postale."),
        F("site", "str", "Site internet de la collectivité."),
        F(
            "signataire",
            "str",
            "Qui signe les délibérations, tel qu'il doit être écrit (ex. « La Présidente du Conseil départemental ») "
            "; par défaut déduit du nom de l'assemblée.",
        ),
        F(
            "logo",
            "str",
            "Logo de la collectivité (fichier PNG, JPEG ou SVG du dossier de la consultation, ex. « identite/logo.svg "
            "») : page de garde du rapport et des notes.",
        ),
        F(
            "tribunal_administratif",
            "str",
            "Tribunal administratif compétent pour les recours contre la délibération (ex. « Tribunal administratif "
            "de Lille »).",
        ),
        F("tribunal_adresse", "str", "Adresse postale du tribunal administratif."),
    ),
)
SITE_PUBLIC = Obj(
    "le site public",
    (
        F(
            "directeur_publication",
            "str",
            "Directeur ou directrice de la publication (mentions légales), ex. « Jean Dupont, président du Conseil "
            "départemental ».",
        ),
        F("hebergeur", "str", "Nom de l'hébergeur du site (mentions légales)."),
        F("hebergeur_adresse", "str", "Adresse de l'hébergeur."),
        F("hebergeur_telephone", "str", "Téléphone de l'hébergeur."),
        F(
            "contact_donnees",
            "str",
            "Délégué à la protection des données : adresse électronique ou postale où exercer ses droits.",
        ),
        F("licence", "str", "Licence des données ouvertes ; par défaut la Licence Ouverte 2.0 (Etalab)."),
        F(
            "couleur",
            "str",
            "Couleur principale du site (liens, titres, bandeau), en hexadécimal : « #00205b ». Son contraste sur "
            "fond blanc doit atteindre 4,5:1.",
            pattern=r"^#[0-9A-Fa-f]{6}$",
            pattern_hint="une couleur comme « #00205b », entre guillemets",
        ),
        F("police", "str", "Police du site, suivie des polices système en secours (ex. « Marianne »)."),
        F(
            "facile_a_lire",
            "text",
            "La politique adoptée en « facile à lire et à comprendre » (FALC) : phrases courtes, mots simples "
            "(Markdown) ; publiée sur la page de la politique.",
        ),
    ),
)
RAPPORT = Obj(
    "le rapport à l'assemblée",
    (
        F("numero", "str", "Numéro du rapport à l'assemblée (ex. « DSOL/2026/041 »), sur sa page de garde."),
        F("rapporteur", "str", "Élu ou élue rapporteur du rapport."),
        F(
            "seance",
            "date",
            "Date de la séance où le rapport est présenté ; par défaut le premier jour de l'adoption au calendrier.",
        ),
        F("service", "str", "Direction ou service qui présente le rapport."),
    ),
)
MOTIF_HORS_SUJET = Obj(
    "un motif de hors sujet",
    (
        _slug("id", "Identifiant du motif, que la contribution nomme dans « motif »."),
        F("motif", "str", "Pourquoi la contribution ne relève pas de la consultation.", required=True),
        F("redirection", "str", "À qui s'adresser pour cette question (service, site, téléphone public)."),
    ),
)
CONSULTATION = Obj(
    "consultation.yaml",
    (
        _slug("id", "Identifiant court de la consultation."),
        F("titre", "str", "Titre de la consultation.", required=True),
        F("description", "text", "Présentation (Markdown)."),
        F("collectivite", "object", "La collectivité qui consulte.", required=True, obj=COLLECTIVITE),
        _objects("territoires", TERRITOIRE, "Les arrondissements de la consultation.", required=True),
        _objects("commissions", COMMISSION, "Les commissions thématiques de l'assemblée.", required=True),
        F("calendrier", "object", "Début et fin de chaque étape.", map_of=PERIODE),
        F("etape", "str", "Étape en cours.", required=True, enum=tuple(Stage.keys())),
        _objects("historique", PASSAGE, "Passages d'étape, écrits par « ateliers advance »."),
        F(
            "forme_inclusive",
            "str",
            "Comment nommer le profil d'une personne dont la civilité n'est pas connue : doublet (« habitante ou "
            "habitant », par défaut), point_median (« habitant·e ») ou masculin (« habitant »).",
            enum=FORMES_INCLUSIVES,
        ),
        F(
            "reponses_individuelles",
            "bool",
            "La consultation promet une réponse écrite à chaque contribution : le passage aux restitutions l'exige.",
        ),
        _objects("motifs_hors_sujet", MOTIF_HORS_SUJET, "Les motifs de hors sujet, chacun avec à qui s'adresser."),
        F("rapport", "object", "Le rapport à l'assemblée : numéro, rapporteur, séance (page de garde).", obj=RAPPORT),
        F(
            "site_public",
            "object",
            "Le site public : mentions légales, licence des données, identité visuelle, résumé facile à lire.",
            obj=SITE_PUBLIC,
        ),
    ),
    "Identité, territoires, commissions, calendrier et étape de la consultation.",
)

# --- themes.yaml -------------------------------------------------------------

THEME = Obj(
    "un thème",
    (
        _slug("id", "Identifiant du thème."),
        F("titre", "str", "Titre du thème.", required=True),
        F("description", "text", "Présentation du thème (Markdown)."),
        F("nature", "str", "Question de fond ou projet opérationnel.", required=True, enum=NATURES),
        F("question", "str", "La question posée en atelier."),
        _list("mots_cles", F("", "str"), "Mots-clés, pour l'aide au classement des contributions."),
        _list("commissions", _slug("", required=False), "Commissions concernées (identifiants)."),
    ),
)
THEMES = Obj(
    "themes.yaml",
    (_objects("themes", THEME, "Les thèmes de la consultation.", required=True),),
    "Les thèmes de la consultation.",
)

# --- contributions/*.md ------------------------------------------------------

SOURCE = Obj(
    "la source d'import",
    (
        F("origine", "str", "Sorte de source : la plateforme (decidim, grand-debat…) ou « formulaire »."),
        F(
            "colonnes",
            "str",
            "Signature des colonnes de l'export : deux plateformes de même sorte numérotent pareil, l'identifiant n'y "
            "vaut que pour des exports de même forme.",
        ),
        F(
            "fichier",
            "str",
            "Nom du fichier importé (pour mémoire : ce n'est pas l'identité de la ligne).",
            required=True,
        ),
        F("somme", "str", "Somme de contrôle (SHA-256, base 32) du fichier importé."),
        F("ligne", "int", "Numéro de ligne dans le fichier importé.", minimum=0),
        F(
            "cle",
            "str",
            "Identifiant propre de l'enregistrement dans la source (id, référence ou URL), quand elle en donne un.",
        ),
        F(
            "empreinte",
            "str",
            "Empreinte du contenu importé : l'identité de la ligne quand la source n'a pas d'identifiant.",
        ),
    ),
)
CONTRIBUTION = Obj(
    "l'en-tête d'une contribution",
    (
        _id("C", doc="Identifiant, égal au nom du fichier."),
        F("date", "date", "Date de réception.", required=True),
        F("profil", "str", "Habitant, citoyen ou partenaire.", required=True, enum=PROFILS),
        F("canal", "str", "Comment la contribution est arrivée.", required=True, enum=CANAUX),
        _slug("territoire", "Arrondissement (identifiant)."),
        F("auteur", "str", "Nom public ou pseudonyme ; pour un partenaire, l'organisation.", required=True),
        F("organisation", "str", "Organisation, pour un partenaire."),
        F(
            "civilite",
            "str",
            "Madame ou Monsieur, quand l'import ou la saisie le dit : accorde le profil (« habitante », « habitant »).",
            enum=CIVILITES,
        ),
        F("publication", "bool", "Consentement à être cité publiquement.", required=True),
        _list("themes", _slug("", required=False), "Thèmes affectés par les analystes."),
        F("statut", "str", "Où en est l'analyse.", required=True, enum=STATUTS_CONTRIBUTION),
        _id("C", "doublon_de", "Contribution dont celle-ci est le doublon.", required=False),
        F("titre", "str", "Titre court."),
        F("source", "object", "Source d'import (écrit par l'outil).", obj=SOURCE),
        F("efface", "date", "Date d'effacement de l'identité (droit à l'effacement)."),
        F("motif", "str", "Hors sujet : pourquoi (un texte, ou l'identifiant d'un motif de consultation.yaml)."),
        F("redirection", "str", "Hors sujet : à qui s'adresser (remplace celle du motif)."),
        F("reponse", "text", "La réponse écrite de l'équipe à cette contribution (Markdown)."),
        F("reponse_modele", "str", "L'identifiant d'un modèle de réponse de reponses.yaml, à défaut de « reponse »."),
    ),
    "Une contribution : en-tête YAML entre deux lignes « --- », puis le texte en Markdown.",
)

# --- reponses.yaml -------------------------------------------------------------

MODELE_REPONSE = Obj(
    "un modèle de réponse",
    (
        _slug("id", "Identifiant du modèle, que la contribution peut nommer dans « reponse_modele »."),
        _slug("theme", "Thème dont il répond aux contributions (à défaut de réponse propre).", required=False),
        _id("O", "orientation", "Orientation dont il répond aux contributions qui l'ont nourrie.", required=False),
        F("texte", "text", "La réponse (Markdown).", required=True),
    ),
)
REPONSES = Obj(
    "reponses.yaml",
    (
        _objects(
            "modeles", MODELE_REPONSE, "Les modèles de réponse écrite, par thème ou par orientation.", required=True
        ),
    ),
    "Les modèles de réponse écrite aux contributions, réutilisables.",
)

# --- ateliers/*.yaml ---------------------------------------------------------

PROPOSITION = Obj(
    "une proposition",
    (
        _id("P", doc="Identifiant unique de la proposition."),
        F("titre", "str", "Titre de la proposition.", required=True),
        F("description", "text", "Description (Markdown).", required=True),
        _list("contributions", _id("C", "", required=False), "Contributions dont elle s'inspire."),
        F("soutiens", "int", "Soutiens comptés dans la salle.", minimum=0),
        _list("porteurs", F("", "str"), "Projet opérationnel : qui le porterait."),
        F("public", "str", "Projet opérationnel : à qui il s'adresse."),
        F("echeance", "date", "Projet opérationnel : échéance."),
        F("cout_estime", "number", "Projet opérationnel : coût estimé en euros.", minimum=0),
    ),
)
PRODUCTION = Obj(
    "une production",
    (
        _slug("theme", "Thème travaillé."),
        F("reflexions", "text", "Ce qui s'est dit (Markdown)."),
        _objects("propositions", PROPOSITION, "Les propositions de l'atelier sur ce thème."),
    ),
)
BESOINS = Obj(
    "les besoins",
    (
        F("pmr", "int", "Accès pour personnes à mobilité réduite.", minimum=0),
        F("lsf", "int", "Interprétation en langue des signes.", minimum=0),
        F("garde_enfants", "int", "Garde d'enfants.", minimum=0),
        F("autre", "int", "Autres besoins.", minimum=0),
    ),
)
INSCRIPTIONS = Obj(
    "les inscriptions",
    (
        F("inscrits", "int", "Inscrits dans la limite de la capacité.", minimum=0),
        F("liste_attente", "int", "Inscrits sur liste d'attente.", minimum=0),
        F("besoins", "object", "Besoins exprimés.", obj=BESOINS),
    ),
)
ATELIER = Obj(
    "un atelier",
    (
        _slug("id", "Identifiant, égal au nom du fichier."),
        F("titre", "str", "Titre de l'atelier.", required=True),
        _slug("territoire", "Arrondissement."),
        F("date", "datetime", "Date et heure de début.", required=True),
        F("fin", "datetime", "Date et heure de fin."),
        F("lieu", "str", "Lieu.", required=True),
        F("adresse", "str", "Adresse."),
        F("accessible_pmr", "bool", "Lieu accessible aux personnes à mobilité réduite."),
        F("capacite", "int", "Nombre de places.", required=True, minimum=1),
        _list("themes", _slug("", required=False), "Thèmes travaillés.", required=True),
        F("statut", "str", "Prévu, tenu ou annulé.", required=True, enum=STATUTS_ATELIER),
        F("motif_annulation", "str", "Pourquoi l'atelier a été annulé."),
        F("inscriptions", "object", "Nombre d'inscrits (jamais de noms).", obj=INSCRIPTIONS),
        F("participants", "int", "Personnes présentes.", minimum=0),
        F("animation", "str", "Qui anime."),
        _objects("productions", PRODUCTION, "Une production par thème, une fois l'atelier tenu."),
    ),
    "Un atelier citoyen de coproduction.",
)

# --- forums ------------------------------------------------------------------

_REUNION_FIELDS = (
    F("date", "datetime", "Date et heure.", required=True),
    F("lieu", "str", "Lieu.", required=True),
    F("statut", "str", "Prévu ou tenu.", required=True, enum=STATUTS_REUNION),
    F("participants", "int", "Personnes présentes.", minimum=0),
    F("notes", "text", "Notes (Markdown)."),
)
LANCEMENT = Obj(
    "forums/lancement.yaml",
    _REUNION_FIELDS + (F("inscriptions_ouvertes", "bool", "Les inscriptions aux ateliers sont ouvertes."),),
    "Le forum de lancement.",
)
REGROUPEMENT = Obj(
    "un regroupement",
    (
        _id("G", doc="Identifiant du regroupement."),
        F("titre", "str", "Titre.", required=True),
        F("description", "text", "Description (Markdown)."),
        _list("propositions", _id("P", "", required=False), "Propositions regroupées.", required=True),
    ),
)
ECARTEE = Obj(
    "une proposition écartée",
    (
        _id("P", "proposition", "Proposition écartée."),
        F("motif", "str", "Pourquoi elle est écartée.", required=True),
    ),
)
SYNTHESE = Obj(
    "forums/synthese.yaml",
    _REUNION_FIELDS
    + (
        _objects("regroupements", REGROUPEMENT, "Les regroupements de propositions."),
        _objects("propositions_ecartees", ECARTEE, "Les propositions écartées, avec leur motif."),
    ),
    "Le forum départemental de synthèse.",
)

# --- orientations.yaml -------------------------------------------------------

ORIENTATION = Obj(
    "une orientation",
    (
        _id("O", doc="Identifiant de l'orientation."),
        F("titre", "str", "Titre.", required=True),
        F("texte", "text", "L'orientation proposée aux élus (Markdown).", required=True),
        _list("regroupements", _id("G", "", required=False), "Sources : regroupements.", required=True),
        _list("commissions", _slug("", required=False), "Commissions saisies.", required=True),
        _list("indicateurs", F("", "str"), "Indicateurs de suivi."),
        F(
            "cout_fonctionnement",
            "number",
            "Coût de fonctionnement estimé, en euros par an (en année pleine).",
            minimum=0,
        ),
        F("cout_investissement", "number", "Coût d'investissement estimé, en euros (sur toute la durée).", minimum=0),
        F("financement", "str", "Comment l'orientation est financée (budget, partenaires, cofinancements)."),
    ),
)
REGROUPEMENT_ECARTE = Obj(
    "un regroupement écarté",
    (_id("G", "regroupement", "Regroupement écarté."), F("motif", "str", "Pourquoi.", required=True)),
)
ORIENTATIONS = Obj(
    "orientations.yaml",
    (
        _objects("orientations", ORIENTATION, "Les orientations.", required=True),
        _objects("regroupements_ecartes", REGROUPEMENT_ECARTE, "Regroupements non repris, avec leur motif."),
    ),
    "Le rapport d'orientations.",
)

# --- deliberation.yaml -------------------------------------------------------

AMENDEMENT = Obj(
    "un amendement",
    (_id("O", "orientation", "Orientation amendée."), F("texte", "text", "Texte de l'amendement.", required=True)),
)
AVIS_COMMISSION = Obj(
    "un avis",
    (
        _slug("commission", "Commission qui rend l'avis."),
        F("date", "date", "Date de la réunion de la commission.", required=True),
        F("avis", "str", "Sens de l'avis.", required=True, enum=AVIS),
        F("observations", "text", "Observations (Markdown)."),
        _objects("amendements", AMENDEMENT, "Amendements proposés."),
    ),
)
SEANCE = Obj(
    "la séance",
    (
        F("numero", "str", "Numéro de la délibération.", required=True),
        F("date", "date", "Date de la séance.", required=True),
        F("lieu", "str", "Lieu de la séance."),
        F("president", "str", "Qui préside la séance.", required=True),
        F("objet", "str", "Objet de la délibération.", required=True),
        F(
            "matiere_code",
            "str",
            "Code de matière ACTES (ex. « 8.2 »).",
            pattern=r"^\d(\.\d{1,2}){0,3}$",
            pattern_hint="un code ACTES comme « 8.2 », entre guillemets",
        ),
        F("matiere_nom", "str", "Libellé de la matière ACTES."),
        F("rapporteur", "str", "Rapporteur ou rapporteure."),
        # for the open-data row (SCDL « Délibérations »), all optional:
        F(
            "url",
            "str",
            "Adresse web où la délibération est publiée (DELIB_URL).",
            pattern=r"^https?://[^\s/]+\S*$",
            pattern_hint="une adresse complète, commençant par https://",
        ),
        F("prefecture", "str", "Identifiant du contrôle de légalité (PREF_ID), par exemple « PREF059 »."),
        F("prefecture_date", "date", "Date d'enregistrement au contrôle de légalité (PREF_DATE)."),
        F(
            "publication",
            "date",
            "Date de publication de la délibération (elle est exécutoire une fois publiée et transmise).",
        ),
        F("budget_annee", "str", "Exercice budgétaire concerné (BUDGET_ANNEE) : « 2027 » ou « 2027/2028 »."),
        F("budget_nom", "str", "Budget concerné (BUDGET_NOM), avec l'exercice."),
    ),
)
VOTE = Obj(
    "le vote",
    tuple(
        F(name, "int", doc, required=True, minimum=0)
        for name, doc in (
            ("effectif", "Membres en exercice."),
            ("presents", "Membres présents."),
            ("representes", "Membres représentés (pouvoirs)."),
            ("votants", "Votants : pour + contre + abstention."),
            ("pour", "Voix pour."),
            ("contre", "Voix contre."),
            ("abstention", "Abstentions."),
        )
    ),
)
DECISION = Obj(
    "une décision",
    (
        _id("O", "orientation", "Orientation."),
        F("decision", "str", "Adoptée, amendée ou non retenue.", required=True, enum=DECISIONS),
        F("texte_amende", "text", "Le texte adopté, si l'orientation est amendée."),
        F("motif", "text", "Motif, si amendée ou non retenue."),
    ),
)
DELIBERATION = Obj(
    "deliberation.yaml",
    (
        _objects("avis", AVIS_COMMISSION, "Les avis des commissions."),
        F("seance", "object", "La séance de l'assemblée.", obj=SEANCE),
        F("vote", "object", "Le vote.", obj=VOTE),
        _objects("decisions", DECISION, "La décision sur chaque orientation."),
    ),
    "Avis des commissions et délibération de l'assemblée.",
)

# --- restitutions/*.yaml -----------------------------------------------------

RETOUR = Obj(
    "un retour",
    (
        _id("O", "orientation", "Orientation concernée.", required=False),
        F("texte", "text", "Ce qui a été dit.", required=True),
    ),
)
RESTITUTION = Obj(
    "une restitution",
    (
        _slug("id", "Identifiant, égal au nom du fichier."),
        _slug("territoire", "Arrondissement."),
        F("date", "datetime", "Date et heure.", required=True),
        F("lieu", "str", "Lieu.", required=True),
        F("statut", "str", "Prévue ou tenue.", required=True, enum=STATUTS_REUNION),
        F("participants", "int", "Personnes présentes.", minimum=0),
        _objects("retours", RETOUR, "Les retours des participants sur la mise en œuvre."),
    ),
    "Une réunion publique de restitution.",
)

# --- suivi.yaml (after the vote) ----------------------------------------------

JALON = Obj(
    "un jalon",
    (
        F("date", "date", "Date prévue, ou atteinte.", required=True),
        F("titre", "str", "Ce qui est à faire, ou fait.", required=True),
        F("fait", "bool", "Atteint (true) ou à venir (false, par défaut)."),
    ),
)
MESURE = Obj(
    "une valeur d'indicateur",
    (
        F("date", "date", "Date de la mesure.", required=True),
        F("valeur", "number", "La valeur mesurée.", required=True),
        F("commentaire", "str", "Source, précision."),
    ),
)
INDICATEUR_SUIVI = Obj(
    "un indicateur suivi",
    (
        F(
            "indicateur",
            "str",
            "L'un des indicateurs de l'orientation, tel qu'écrit dans orientations.yaml.",
            required=True,
        ),
        F("unite", "str", "Unité (« communes », « % »…)."),
        F("cible", "number", "La valeur visée."),
        _objects("valeurs", MESURE, "Les valeurs mesurées, au fil du temps."),
    ),
)
ACTION = Obj(
    "une action",
    (
        _id("A", doc="Identifiant unique de l'action."),
        _id("O", "orientation", "L'orientation adoptée qu'elle met en œuvre."),
        F("titre", "str", "Titre de l'action.", required=True),
        F("description", "text", "Description (Markdown)."),
        F("service", "str", "Le service qui la pilote.", required=True),
        F("budget", "number", "Budget en euros.", minimum=0),
        F("statut", "str", "Prévue, en cours, réalisée, reportée ou abandonnée.", required=True, enum=STATUTS_ACTION),
        F("motif", "text", "Pourquoi elle est reportée ou abandonnée."),
        _objects("jalons", JALON, "Les étapes datées."),
        _objects("indicateurs", INDICATEUR_SUIVI, "Les indicateurs de l'orientation et leurs valeurs."),
        _list(
            "retours",
            _slug("", required=False),
            "Les réunions de restitution (restitutions/<id>.yaml) dont les retours la concernent.",
        ),
    ),
)
SUIVI = Obj(
    "suivi.yaml",
    (_objects("actions", ACTION, "Les actions qui mettent en œuvre les orientations adoptées.", required=True),),
    "Le suivi de la politique après son vote : actions, jalons, indicateurs.",
)

#: Every file kind: its schema and the file name pattern it applies to.
FILE_KINDS: dict[str, tuple[Obj, str]] = {
    "consultation": (CONSULTATION, "consultation.yaml"),
    "themes": (THEMES, "themes.yaml"),
    "contribution": (CONTRIBUTION, "contributions/*.md"),
    "atelier": (ATELIER, "ateliers/*.yaml"),
    "lancement": (LANCEMENT, "forums/lancement.yaml"),
    "synthese": (SYNTHESE, "forums/synthese.yaml"),
    "orientations": (ORIENTATIONS, "orientations.yaml"),
    "deliberation": (DELIBERATION, "deliberation.yaml"),
    "restitution": (RESTITUTION, "restitutions/*.yaml"),
    "reponses": (REPONSES, "reponses.yaml"),
    "suivi": (SUIVI, "suivi.yaml"),
}


# --- validation --------------------------------------------------------------

_TYPE_NAMES = {
    "str": "un texte",
    "text": "un texte",
    "int": "un nombre entier",
    "number": "un nombre",
    "bool": "« true » ou « false »",
    "date": "une date AAAA-MM-JJ",
    "datetime": "une date et une heure AAAA-MM-JJTHH:MM",
    "list": "une liste",
    "object": "un bloc de clés",
}
_DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_compiled: dict[str, re.Pattern[str]] = {}


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 3


def _clip(text: str, width: int = 60) -> str:
    """A value quoted in a message, shortened: a pasted page must not fill the terminal."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _shown(value: Any) -> str:
    """A short picture of any value: never walks a whole (maybe huge, maybe shared) structure."""
    return f"« {_clip(value)} »" if isinstance(value, str) else _clip(_REPR.repr(value))


def _type_error(rel: str, line: int, f: F, value: Any, where: str) -> Diagnostic:
    shown = _shown(value)
    hint = ""
    if f.type == "bool":
        hint = "écrivez true (oui) ou false (non)"
    elif f.type in ("date", "datetime"):
        hint = "par exemple 2026-04-04" + ("T18:30" if f.type == "datetime" else "")
    elif f.type == "list":
        hint = f"par exemple : {f.name}: [a, b]"
    return error(rel, line, f"« {f.name} » {where} doit être {_TYPE_NAMES[f.type]}, pas {shown}", hint, "type")


def _local(value: dt.datetime) -> dt.datetime:
    """The consultation's local time: a time written with its offset (``09:30+01:00``, ``Z``) is
    converted to Paris time, then compared with the others, which are all local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(clock.PARIS).replace(tzinfo=None)


def _coerce_date(value: Any) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.datetime):
        return _local(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _DATETIME_RE.match(value.strip())
        if not m:
            try:
                return _local(dt.datetime.fromisoformat(value.strip()))
            except ValueError:
                return None
        y, mo, d, h, mi, s = m.groups()
        try:
            if h is None:
                return dt.date(int(y), int(mo), int(d))
            return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
        except ValueError:
            return None
    return None


def _check_scalar(
    value: Any, f: F, rel: str, line: int, where: str, diags: list[Diagnostic]
) -> tuple[bool, Any]:
    t = f.type
    if t in ("str", "text"):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            if isinstance(value, (dt.date,)) and t == "str" and not f.pattern:
                return True, value.isoformat()
            diags.append(_type_error(rel, line, f, value, where))
            return False, None
        if not isinstance(value, str):
            if f.pattern:  # an unquoted SIRET or postcode lost its leading zeros, maybe
                diags.append(
                    error(
                        rel,
                        line,
                        f"« {f.name} » {where} doit être écrit entre guillemets",
                        f'{f.name}: "{_clip(str(value))}"',
                        "guillemets",
                    )
                )
                return False, None
            value = str(value)
        if f.pattern:
            rx = _compiled.get(f.pattern) or _compiled.setdefault(f.pattern, re.compile(f.pattern))
            if not rx.match(value):
                diags.append(
                    error(
                        rel,
                        line,
                        f"« {f.name} » {where} : « {_clip(value)} » n'est pas valide",
                        f"attendu : {f.pattern_hint}",
                        "forme",
                    )
                )
                return False, None
        if f.enum and value not in f.enum:
            from ateliers_cli.hints import did_you_mean

            hint = did_you_mean(value, f.enum) or "valeurs possibles : " + ", ".join(f.enum)
            diags.append(error(rel, line, f"« {f.name} » {where} : valeur « {_clip(value)} » inconnue", hint, "valeur"))
            return False, None
        if f.required and not value.strip():
            diags.append(error(rel, line, f"« {f.name} » {where} est vide", "renseignez-le", "vide"))
            return False, None
        return True, value
    if t in ("int", "number"):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (t == "int" and isinstance(value, float) and not value.is_integer())
        ):
            hint = "écrivez le nombre sans espace ni unité (ex. 2616909)" if isinstance(value, str) else ""
            diags.append(
                error(rel, line, f"« {f.name} » {where} doit être {_TYPE_NAMES[t]}, pas {_shown(value)}", hint, "type")
            )
            return False, None
        if f.minimum is not None and value < f.minimum:
            diags.append(
                error(rel, line, f"« {f.name} » {where} ne peut pas être inférieur à {f.minimum:g}", "", "minimum")
            )
            return False, None
        return True, int(value) if t == "int" else value
    if t == "bool":
        if not isinstance(value, bool):
            diags.append(_type_error(rel, line, f, value, where))
            return False, None
        return True, value
    if t in ("date", "datetime"):
        parsed = _coerce_date(value)
        if parsed is None:
            if isinstance(value, str) and _DATETIME_RE.match(value.strip()):
                msg = f"« {f.name} » {where} : la date « {value} » n'existe pas"
                diags.append(error(rel, line, msg, "vérifiez le jour et le mois", "date-invalide"))
            else:
                diags.append(_type_error(rel, line, f, value, where))
            return False, None
        if t == "date" and isinstance(parsed, dt.datetime):
            parsed = parsed.date()
        return True, parsed
    raise AssertionError(t)  # pragma: no cover - schema declarations are ours


def validate(data: Any, obj: Obj, rel: str, where: str = "", line: int = 0) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check ``data`` against ``obj``; return the valid values (coerced) and the problems.

    Invalid values are left out of the result so later checks can go on with the rest.
    """
    diags: list[Diagnostic] = []
    clean = _validate_obj(data, obj, rel, where or f"dans {obj.name}", line, diags)
    return clean if clean is not None else {}, diags


def _validate_obj(
    data: Any, obj: Obj, rel: str, where: str, line: int, diags: list[Diagnostic]
) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        shown = "vide" if data is None else _shown(data)
        diags.append(
            error(
                rel,
                getattr(data, "line", line) or line,
                f"{obj.name} doit être un bloc de clés « clé: valeur », pas {shown}",
                "« ateliers aide » décrit chaque sorte de fichier",
                "type",
            )
        )
        return None
    out: dict[str, Any] = {}
    by_name = obj.by_name
    unknown = 0
    for key, value in data.items():
        f = by_name.get(key)
        kline = line_of(data, key, line)
        if f is None:
            unknown += 1
            if unknown <= _MAX_UNKNOWN_KEYS:  # the suggestion costs: not for a pasted table
                diags.append(unknown_key_warning(rel, kline, key, list(by_name), where))
            elif unknown == _MAX_UNKNOWN_KEYS + 1:
                extra = sum(k not in by_name for k in data) - _MAX_UNKNOWN_KEYS
                diags.append(
                    warning(
                        rel,
                        kline,
                        f"… et {extra} autres clés inconnues {where}",
                        "un tableau collé par erreur ?",
                        "cle-inconnue",
                    )
                )
            continue
        if value is None or (isinstance(value, str) and not value.strip() and f.type not in ("text",)):
            if f.required:
                diags.append(
                    error(rel, kline, f"« {key} » {where} est vide", f"renseignez « {key} » : {f.doc}", "vide")
                )
            continue
        checked = _validate_value(value, f, rel, kline, where, diags)
        if checked is not _INVALID:
            out[key] = checked
    for f in obj.fields:
        if f.required and f.name not in data:
            diags.append(
                error(
                    rel,
                    getattr(data, "line", line) or line,
                    f"clé « {f.name} » manquante {where}",
                    f"ajoutez « {f.name}: … » ({f.doc})",
                    "cle-manquante",
                )
            )
    out["_line"] = getattr(data, "line", 0) or line
    out["_lines"] = getattr(data, "lines", {})
    return out


_INVALID = object()
_MAX_UNKNOWN_KEYS = 20


def _validate_value(value: Any, f: F, rel: str, line: int, where: str, diags: list[Diagnostic]) -> Any:
    if f.type == "object":
        if f.map_of is not None:
            if not isinstance(value, dict):
                diags.append(_type_error(rel, line, f, value, where))
                return _INVALID
            result = {}
            for k, v in value.items():
                sub = _validate_obj(v, f.map_of, rel, f"dans « {f.name}.{k} »", line_of(value, k, line), diags)
                if sub is not None:
                    result[k] = sub
            return result
        assert f.obj is not None
        sub = _validate_obj(value, f.obj, rel, f"dans {f.obj.name}", line, diags)
        return _INVALID if sub is None else sub
    if f.type == "list":
        if isinstance(value, (str, int)) and f.items is not None and f.items.type != "object":
            value = [value]  # « themes: isolement » is read as « themes: [isolement] »
        if not isinstance(value, list):
            diags.append(_type_error(rel, line, f, value, where))
            return _INVALID
        item = f.items
        assert item is not None
        items = []
        for i, v in enumerate(value):
            iline = value.line_of(i) if isinstance(value, LineList) else line
            if item.type == "object":
                assert item.obj is not None
                sub = _validate_obj(v, item.obj, rel, f"dans {item.obj.name}", iline, diags)
                if sub is not None:
                    items.append(sub)
                continue
            if v is None:
                continue
            named = F(f.name, item.type, item.doc, pattern=item.pattern, pattern_hint=item.pattern_hint, enum=item.enum)
            ok, cv = _check_scalar(v, named, rel, iline, where, diags)
            if ok:
                items.append(cv)
        return items
    ok, cv = _check_scalar(value, f, rel, line, where, diags)
    return cv if ok else _INVALID


# --- JSON Schema -------------------------------------------------------------

_JSON_TYPES = {"str": "string", "text": "string", "int": "integer", "number": "number", "bool": "boolean"}


def _field_schema(f: F) -> dict[str, Any]:
    s: dict[str, Any] = {}
    if f.doc:
        s["description"] = f.doc
    if f.type in _JSON_TYPES:
        s["type"] = _JSON_TYPES[f.type]
        if f.pattern:
            s["pattern"] = f.pattern
        if f.enum:
            s["enum"] = list(f.enum)
        if f.minimum is not None:
            s["minimum"] = f.minimum
    elif f.type == "date":
        s.update(type="string", format="date")
    elif f.type == "datetime":
        s["type"] = "string"
        s["pattern"] = r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$"
    elif f.type == "list":
        assert f.items is not None
        s["type"] = "array"
        s["items"] = _object_schema(f.items.obj) if f.items.type == "object" and f.items.obj else _field_schema(f.items)
    elif f.type == "object":
        if f.map_of is not None:
            s.update(type="object", additionalProperties=_object_schema(f.map_of))
        elif f.obj is not None:
            s.update(_object_schema(f.obj))
    return s


def _object_schema(obj: Obj) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if obj.doc:
        s["description"] = obj.doc
    s["properties"] = {f.name: _field_schema(f) for f in obj.fields}
    required = [f.name for f in obj.fields if f.required]
    if required:
        s["required"] = required
    return s


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind."""
    obj, pattern = FILE_KINDS[kind]
    s = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ateliers.invalid/schemas/{kind}.schema.json",
        "title": f"ateliers — {pattern}",
    }
    s.update(_object_schema(obj))
    return s
