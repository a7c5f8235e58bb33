"""The council's deliberation as one row of the SCDL « Délibérations » (schema scdl/deliberations 2.1.5).

The *Socle commun des données locales* is the national open-data format for French local
authorities (OpenDataFrance, published on schema.data.gouv.fr). Its columns, in order, are
:data:`COLUMNS`; its rules — those the Validata validator applies — are checked by
:func:`problems` before anything is written: a 14-digit SIRET, an ACTES matière code of level 2
whose name matches, ISO dates, ``PREF_DATE >= DELIB_DATE``, ``BUDGET_ANNEE`` as ``AAAA`` or
``AAAA/AAAA`` and given with ``BUDGET_NOM``, ``VOTE_REEL = VOTE_POUR + VOTE_CONTRE +
VOTE_ABSTENTION <= VOTE_EFFECTIF``, an ``http(s)`` ``DELIB_URL``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ateliers_cli.errors import Diagnostic, error
from ateliers_cli.model import Consultation, Seance, Vote

SCHEMA = "scdl/deliberations"
SCHEMA_VERSION = "2.1.5"
SCHEMA_URL = "https://schema.data.gouv.fr/scdl/deliberations/"

COLUMNS = (
    "COLL_NOM",
    "COLL_SIRET",
    "DELIB_ID",
    "DELIB_DATE",
    "DELIB_MATIERE_CODE",
    "DELIB_MATIERE_NOM",
    "DELIB_OBJET",
    "BUDGET_ANNEE",
    "BUDGET_NOM",
    "PREF_ID",
    "PREF_DATE",
    "VOTE_EFFECTIF",
    "VOTE_REEL",
    "VOTE_POUR",
    "VOTE_CONTRE",
    "VOTE_ABSTENTION",
    "DELIB_URL",
)

#: What each column holds, and where ateliers takes it from (for the export's README).
DOCS = {
    "COLL_NOM": ("texte, obligatoire", "Nom officiel de la collectivité (consultation.yaml, collectivite.nom)."),
    "COLL_SIRET": ("texte de 14 chiffres, obligatoire", "SIRET de la collectivité (collectivite.siret)."),
    "DELIB_ID": ("texte, obligatoire", "Numéro de la délibération (deliberation.yaml, seance.numero)."),
    "DELIB_DATE": ("date AAAA-MM-JJ, obligatoire", "Date de la séance où elle a été adoptée (seance.date)."),
    "DELIB_MATIERE_CODE": (
        "texte, obligatoire",
        "Code de matière de la nomenclature ACTES, niveau 2, par exemple « 8.2 » (seance.matiere_code).",
    ),
    "DELIB_MATIERE_NOM": (
        "texte, obligatoire",
        "Matière ACTES : intitulé de niveau 1 et de niveau 2, en minuscules, séparés par « / », déduit du code.",
    ),
    "DELIB_OBJET": ("texte, obligatoire", "Objet de la délibération (seance.objet)."),
    "BUDGET_ANNEE": ("texte AAAA ou AAAA/AAAA", "Exercice budgétaire concerné, s'il y en a un (seance.budget_annee)."),
    "BUDGET_NOM": ("texte", "Budget concerné, avec BUDGET_ANNEE (seance.budget_nom)."),
    "PREF_ID": ("texte", "Entité du contrôle de légalité, par exemple « PREF059 » (seance.prefecture)."),
    "PREF_DATE": ("date AAAA-MM-JJ", "Date d'enregistrement au contrôle de légalité (seance.prefecture_date)."),
    "VOTE_EFFECTIF": ("entier", "Membres en exercice (vote.effectif)."),
    "VOTE_REEL": ("entier", "Votants : VOTE_POUR + VOTE_CONTRE + VOTE_ABSTENTION (vote.votants)."),
    "VOTE_POUR": ("entier", "Voix pour (vote.pour)."),
    "VOTE_CONTRE": ("entier", "Voix contre (vote.contre)."),
    "VOTE_ABSTENTION": ("entier", "Abstentions (vote.abstention)."),
    "DELIB_URL": ("adresse web", "Où lire la délibération (seance.url)."),
}

# The ACTES nomenclature (Aide au contrôle de légalité dématérialisé), levels 1 and 2, as the
# SCDL wants the names: lower case with accents, without commas, parentheses or slashes.
ACTES_1 = {
    "1": "commande publique",
    "2": "urbanisme",
    "3": "domaine et patrimoine",
    "4": "fonction publique",
    "5": "institutions et vie politique",
    "6": "libertés publiques et pouvoirs de police",
    "7": "finances locales",
    "8": "domaines de compétences par thèmes",
    "9": "autres domaines de compétences",
}
ACTES_2 = {
    "1.1": "marchés publics",
    "1.2": "délégation de service public",
    "1.3": "conventions de mandat",
    "1.4": "autres types de contrats",
    "1.5": "transactions protocole d'accord transactionnel",
    "1.6": "actes relatifs à la maîtrise d'œuvre",
    "1.7": "actes spéciaux et divers",
    "2.1": "documents d'urbanisme",
    "2.2": "actes relatifs au droit d'occupation ou d'utilisation des sols",
    "2.3": "droit de préemption urbain",
    "3.1": "acquisitions",
    "3.2": "aliénations",
    "3.3": "locations",
    "3.4": "limites territoriales",
    "3.5": "actes de gestion du domaine public",
    "3.6": "autres actes de gestion du domaine privé",
    "4.1": "personnels titulaires et stagiaires de la fpt",
    "4.2": "personnels contractuels",
    "4.3": "fonction publique hospitalière",
    "4.4": "autres catégories de personnels",
    "4.5": "régime indemnitaire",
    "5.1": "élection exécutif",
    "5.2": "fonctionnement des assemblées",
    "5.3": "désignation de représentants",
    "5.4": "délégation de fonctions",
    "5.5": "délégation de signature",
    "5.6": "exercice des mandats locaux",
    "5.7": "intercommunalité",
    "5.8": "décision d'ester en justice",
    "6.1": "police municipale",
    "6.2": "pouvoirs du président du conseil général",
    "6.3": "pouvoirs du président du conseil régional",
    "6.4": "autres actes réglementaires",
    "6.5": "actes pris au nom de l'état et soumis au contrôle hiérarchique",
    "7.1": "décisions budgétaires",
    "7.2": "fiscalité",
    "7.3": "emprunts",
    "7.4": "interventions économiques",
    "7.5": "subventions",
    "7.6": "contributions budgétaires",
    "7.7": "avances",
    "7.8": "fonds de concours",
    "7.9": "prise de participation sem etc",
    "7.10": "divers",
    "8.1": "enseignement",
    "8.2": "aide sociale",
    "8.3": "voirie",
    "8.4": "aménagement du territoire",
    "8.5": "politique de la ville-habitat-logement",
    "8.6": "emploi-formation professionnelle",
    "8.7": "transports",
    "8.8": "environnement",
    "8.9": "culture",
    "9.1": "autres domaines de compétences des communes",
    "9.2": "autres domaines de compétences des départements",
    "9.3": "autres domaines de compétences des régions",
    "9.4": "vœux et motions",
}

_SIRET = re.compile(r"^\d{14}$")
_CODE = re.compile(r"^\d\.\d{1,2}$")
_BUDGET = re.compile(r"^(\d{4})(?:/(\d{4}))?$")
_PREF = re.compile(r"^(?:PREF|SGAR)(?:0\d[\dAB]|9[78]\d)$|^SPREF(?:0\d[\dAB]|9[78]\d)\d$")
_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$")


def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces squeezed: to compare names."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def level2(code: str) -> str:
    """« 8.2.1 » → « 8.2 »: the SCDL wants the level-2 matière."""
    parts = code.strip().split(".")
    return ".".join(parts[:2])


def matiere_nom(code: str) -> str:
    """The SCDL name of an ACTES code: « domaines de compétences par thèmes/aide sociale »."""
    return f"{ACTES_1[code.split('.')[0]]}/{ACTES_2[code]}"


def _code_of_name(name: str) -> str | None:
    target = fold(name.split("/")[-1])
    for code, label in ACTES_2.items():
        if fold(label) == target:
            return code
    return None


def _codes_under(first: str) -> str:
    return ", ".join(f"{k} {v}" for k, v in ACTES_2.items() if k.split(".")[0] == first)


def published(c: Consultation) -> bool:
    """Whether there is a deliberation to publish: its séance is recorded."""
    return c.deliberation is not None and c.deliberation.seance is not None


def row(c: Consultation) -> dict[str, Any]:
    """The SCDL row of the consultation's deliberation (call :func:`problems` first)."""
    assert c.deliberation is not None and c.deliberation.seance is not None
    s: Seance = c.deliberation.seance
    v: Vote | None = c.deliberation.vote
    code = level2(s.matiere_code)
    return {
        "COLL_NOM": c.collectivite.nom.strip(),
        "COLL_SIRET": _siret(c.collectivite.siret),
        "DELIB_ID": s.numero.strip(),
        "DELIB_DATE": s.date.isoformat() if s.date else "",
        "DELIB_MATIERE_CODE": code,
        "DELIB_MATIERE_NOM": matiere_nom(code) if code in ACTES_2 else s.matiere_nom,
        "DELIB_OBJET": " ".join(s.objet.split()),
        "BUDGET_ANNEE": s.budget_annee.strip(),
        "BUDGET_NOM": s.budget_nom.strip(),
        "PREF_ID": s.prefecture.strip(),
        "PREF_DATE": s.prefecture_date.isoformat() if s.prefecture_date else "",
        "VOTE_EFFECTIF": v.effectif if v else None,
        "VOTE_REEL": v.votants if v else None,
        "VOTE_POUR": v.pour if v else None,
        "VOTE_CONTRE": v.contre if v else None,
        "VOTE_ABSTENTION": v.abstention if v else None,
        "DELIB_URL": s.url.strip(),
    }


def luhn_ok(number: str) -> bool:
    """The check digit of a SIREN or SIRET (Luhn), which the SCDL pattern does not verify."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def notes(c: Consultation) -> list[str]:
    """Doubts that do not make the row invalid, for the user to check."""
    siret = _siret(c.collectivite.siret)
    if _SIRET.match(siret) and not luhn_ok(siret) and not siret.startswith("356000000"):  # La Poste is the exception
        return [
            (f"le SIRET « {siret} » de consultation.yaml ne passe pas la clé de contrôle (Luhn) : vérifiez-le sur "
            "annuaire-entreprises.data.gouv.fr")
        ]
    return []


def _siret(value: str) -> str:
    return re.sub(r"[\s\u00a0\u202f.]", "", value or "")


#: The key of consultation.yaml or deliberation.yaml behind each column.
_SOURCES = {
    ("collectivite", "nom"): "COLL_NOM",
    ("collectivite", "siret"): "COLL_SIRET",
    ("seance", "numero"): "DELIB_ID",
    ("seance", "date"): "DELIB_DATE",
    ("seance", "matiere_code"): "DELIB_MATIERE_CODE",
    ("seance", "matiere_nom"): "DELIB_MATIERE_NOM",
    ("seance", "objet"): "DELIB_OBJET",
    ("seance", "budget_annee"): "BUDGET_ANNEE",
    ("seance", "budget_nom"): "BUDGET_NOM",
    ("seance", "prefecture"): "PREF_ID",
    ("seance", "prefecture_date"): "PREF_DATE",
    ("seance", "url"): "DELIB_URL",
    ("vote", "effectif"): "VOTE_EFFECTIF",
    ("vote", "votants"): "VOTE_REEL",
    ("vote", "pour"): "VOTE_POUR",
    ("vote", "contre"): "VOTE_CONTRE",
    ("vote", "abstention"): "VOTE_ABSTENTION",
}


def _loader_problems(c: Consultation, found: list[Diagnostic]) -> list[Diagnostic]:
    """The loader's errors on a value the row is made of (a value it rejected is missing from the model)."""
    assert c.deliberation is not None
    owners = {"collectivite": c.collectivite, "seance": c.deliberation.seance, "vote": c.deliberation.vote}
    where: dict[tuple[str, int], str] = {}
    for (owner, key), column in _SOURCES.items():
        item = owners[owner]
        if item is not None and key in item.lines:
            where[
                (
                    item.path or ("consultation.yaml" if owner == "collectivite" else "deliberation.yaml"),
                    item.lines[key],
                )
            ] = column
    return [
        error(x.path, x.line, f"{where[(x.path, x.line)]} : {x.message}", x.hint, "scdl")
        for x in found
        if x.is_error and (x.path, x.line) in where
    ]


def problems(c: Consultation, load_diagnostics: list[Diagnostic] | None = None) -> list[Diagnostic]:
    """Every rule of the SCDL schema the row would break, pointing at the YAML line to fix.

    ``load_diagnostics`` are the loader's: a value it rejected (a 13-digit SIRET…) is reported
    with its own message rather than as missing.
    """
    assert c.deliberation is not None and c.deliberation.seance is not None
    from_loader = _loader_problems(c, load_diagnostics or [])
    mine = _rules(c)
    seen = {(x.path, x.line) for x in from_loader}
    return sorted(from_loader + [x for x in mine if (x.path, x.line) not in seen])


def _rules(c: Consultation) -> list[Diagnostic]:
    assert c.deliberation is not None and c.deliberation.seance is not None
    d: list[Diagnostic] = []
    col = c.collectivite
    s = c.deliberation.seance
    v = c.deliberation.vote
    cpath = "consultation.yaml"

    def bad(path: str, line: int, column: str, message: str, hint: str) -> None:
        d.append(error(path, line, f"{column} : {message}", hint, "scdl"))

    if not col.nom.strip():
        bad(
            cpath,
            col.line or c.line_of("collectivite"),
            "COLL_NOM",
            "le nom de la collectivité manque",
            "ajoutez « nom: Département du Nord » sous « collectivite: » dans consultation.yaml",
        )
    siret = _siret(col.siret)
    where_siret = col.lines.get("siret") or c.line_of("collectivite")
    if not siret:
        bad(
            cpath,
            where_siret,
            "COLL_SIRET",
            "le SIRET de la collectivité manque (obligatoire)",
            'ajoutez sous « collectivite: » la ligne siret: "22590001800014" (14 chiffres, entre guillemets)',
        )
    elif not _SIRET.match(siret):
        detail = f"{len(siret)} chiffres au lieu de 14" if siret.isdigit() else "il ne doit contenir que des chiffres"
        bad(
            cpath,
            where_siret,
            "COLL_SIRET",
            f"SIRET « {col.siret} » invalide : {detail}",
            "un SIRET a 14 chiffres (9 du SIREN, 5 du NIC), écrit entre guillemets ; voir "
            "annuaire-entreprises.data.gouv.fr",
        )

    rel = s.path or "deliberation.yaml"
    if not s.numero.strip():
        bad(
            rel,
            s.line_of("numero"),
            "DELIB_ID",
            "le numéro de la délibération manque",
            "ajoutez « numero: DCD-2026-0412 » sous « seance: »",
        )
    if s.date is None:
        bad(
            rel,
            s.line_of("date"),
            "DELIB_DATE",
            "la date de la séance manque ou n'est pas une date AAAA-MM-JJ",
            "écrivez « date: 2026-10-12 » sous « seance: »",
        )
    if not s.objet.strip():
        bad(
            rel,
            s.line_of("objet"),
            "DELIB_OBJET",
            "l'objet de la délibération manque",
            "ajoutez « objet: … » sous « seance: »",
        )

    code = level2(s.matiere_code)
    if not s.matiere_code.strip():
        bad(
            rel,
            s.line,
            "DELIB_MATIERE_CODE",
            "le code de matière ACTES manque (obligatoire)",
            'ajoutez sous « seance: » la ligne matiere_code: "8.2" (8.2 = Aide sociale)',
        )
    elif not _CODE.match(code) or code not in ACTES_2:
        first = code.split(".")[0]
        hint = (
            f"sous « {first} » ({ACTES_1[first]}) : {_codes_under(first)}"
            if first in ACTES_1
            else "les matières ACTES vont de 1.1 à 9.4 ; 8.2 = Aide sociale"
        )
        bad(
            rel,
            s.line_of("matiere_code"),
            "DELIB_MATIERE_CODE",
            f"code de matière ACTES « {s.matiere_code} » inconnu",
            hint,
        )
    elif s.matiere_nom.strip():
        given = fold(s.matiere_nom)
        expected = {fold(ACTES_2[code]), fold(matiere_nom(code))}
        if given not in expected:
            other = _code_of_name(s.matiere_nom)
            hint = (
                f"« {s.matiere_nom} » est la matière {other} : corrigez matiere_code, ou écrivez matiere_nom: "
                f"{ACTES_2[code].capitalize()}"
                if other
                else f"le code {code} est « {ACTES_2[code].capitalize()} » ({ACTES_1[code.split('.')[0]]}) : corrigez "
                "l'un ou l'autre"
            )
            bad(
                rel,
                s.line_of("matiere_nom"),
                "DELIB_MATIERE_NOM",
                f"la matière « {s.matiere_nom} » ne correspond pas au code ACTES {code}",
                hint,
            )

    budget = s.budget_annee.strip()
    if budget:
        m = _BUDGET.match(budget)
        if m is None:
            bad(
                rel,
                s.line_of("budget_annee"),
                "BUDGET_ANNEE",
                f"« {budget} » n'est ni une année AAAA ni un intervalle AAAA/AAAA",
                'écrivez budget_annee: "2027" ou "2027/2028"',
            )
        elif m.group(2) and int(m.group(2)) <= int(m.group(1)):
            bad(
                rel,
                s.line_of("budget_annee"),
                "BUDGET_ANNEE",
                f"intervalle « {budget} » à l'envers : la seconde année doit suivre la première",
                f"écrivez « {m.group(2)}/{m.group(1)} »",
            )
    if bool(budget) != bool(s.budget_nom.strip()):
        present, missing = ("budget_annee", "budget_nom") if budget else ("budget_nom", "budget_annee")
        bad(
            rel,
            s.line_of(present),
            "BUDGET_ANNEE/BUDGET_NOM",
            f"« {present} » est renseigné sans « {missing} »",
            "le schéma les veut ensemble : renseignez les deux, ou aucun",
        )

    if s.prefecture.strip() and not _PREF.match(s.prefecture.strip()):
        bad(
            rel,
            s.line_of("prefecture"),
            "PREF_ID",
            f"« {s.prefecture} » n'est pas un identifiant de contrôle de légalité",
            "PREF puis le numéro du département sur 3 caractères (PREF059 pour le Nord), SPREF… pour une "
            "sous-préfecture, SGAR…",
        )
    if s.prefecture_date is not None and s.date is not None and s.prefecture_date < s.date:
        bad(
            rel,
            s.line_of("prefecture_date"),
            "PREF_DATE",
            f"enregistrement en préfecture le {s.prefecture_date.isoformat()}, avant la séance du {s.date.isoformat()}",
            "la transmission au contrôle de légalité suit la séance : vérifiez les deux dates",
        )

    if v is not None:
        vrel = v.path or rel
        total = v.pour + v.contre + v.abstention
        if v.votants != total:
            bad(
                vrel,
                v.line_of("votants"),
                "VOTE_REEL",
                f"{v.votants} votants, mais pour + contre + abstention = {v.pour} + {v.contre} + {v.abstention} = "
                f"{total}",
                "corrigez les chiffres d'après le procès-verbal de la séance",
            )
        if v.votants > v.effectif:
            bad(
                vrel,
                v.line_of("votants"),
                "VOTE_REEL",
                f"{v.votants} votants pour {v.effectif} membres en exercice (VOTE_EFFECTIF)",
                "les votants ne peuvent dépasser l'effectif : vérifiez « effectif » et « votants »",
            )
    return d
