"""Registrations for the workshops, through their whole life: places, waiting lists, needs,
cancellations, no-shows, promotions, attendance sheets.

``ateliers inscriptions import FICHIER`` reads a registration export (a form,
a spreadsheet), and:

* places each new registrant, in order of registration, in the first of their
  ranked choices (« lille-1, lille-2 », or one column per choice) that has
  room, else in another workshop of the same territory that has room
  (overflow), else on the waiting list of their first choice; a person who
  chose only a territory goes to its first workshop with room;
* never moves anyone already placed: a registration keeps its place, its
  rank, its cancellation, from one import to the next; a place freed (a
  cancellation, a larger capacity) goes to the first person waiting, and
  that promotion is always listed « à prévenir », never silent;
* writes the *numbers* into ``ateliers/<id>.yaml`` (``inscriptions:``),
  editing the file in place so its comments and key order survive;
* keeps names and contacts only in ``prive/inscriptions.csv``;
* writes a printable attendance sheet per workshop,
  ``prive/emargement/<atelier>.html``, and the needs per workshop for the
  organisers, ``prive/besoins.md``.

``ateliers inscriptions annuler QUI`` and ``ateliers inscriptions absent QUI``
record a cancellation (the first person waiting is promoted) and a no-show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.dates import DATE_FORMATS_HINT, parse_moment
from ateliers_cli.importers.mapping import (
    COLUMN_NAMES,
    INSCRIPTION_FIELDS,
    Mapping,
    consent,
    load_mapping_file,
    parse_map_options,
)
from ateliers_cli.importers.readers import Row, Table, read_table
from ateliers_cli.importers.territories import TerritoryIndex
from ateliers_cli.importers.util import fold, one_line
from ateliers_cli.model import Atelier, Consultation
from ateliers_cli.store import paths
from ateliers_cli.store.private import dict_rows_bytes, read_dicts

PRIVATE_PATH = paths.REGISTRATIONS
NEEDS_PATH = paths.NEEDS
SHEETS_DIR = paths.SHEETS_DIR
#: The fingerprints of the private files the tool writes (shared with the document writer).
PRIVATE_MANIFEST = paths.MANIFEST

#: ``atelier``, ``statut`` (« attente » for the waiting list), ``nom``, ``prenom``, ``commune`` and
#: ``besoins`` are also what the lancement documents read to print their attendance sheets.
CSV_COLUMNS = (
    "atelier", "statut", "rang", "nom", "prenom", "commune", "courriel", "telephone", "besoins", "pmr", "lsf",
    "garde_enfants", "autre_besoin", "date_inscription", "choix", "territoire_choisi", "source", "cle", "ligne",
    "voeux", "contact", "promu_le", "annule_le", "personne",
)


class Statut(StrEnum):
    """Where a registration stands (the ``statut`` column of ``prive/inscriptions.csv``)."""

    INSCRIT = "inscrit"  # has a place
    ATTENTE = "attente"  # on the waiting list of its workshop, at ``rang``
    ANNULE = "annule"  # cancelled: the place went to the first person waiting
    ABSENT = "absent"  # had a place, did not come
    A_PREVENIR = "a_prevenir"  # its workshop was cancelled or removed: the person must be told

    @property
    def holds_place(self) -> bool:
        return self in (Statut.INSCRIT, Statut.ABSENT)


STATUT_LABELS = {
    Statut.INSCRIT: "inscrit·e",
    Statut.ATTENTE: "en liste d'attente",
    Statut.ANNULE: "annulée",
    Statut.ABSENT: "absent·e",
    Statut.A_PREVENIR: "à prévenir (atelier annulé ou retiré)",
}

FIELDS = INSCRIPTION_FIELDS

#: The person's fields are named as in a contributions export; the date and the key are the form's own.
_PERSON_FIELDS = ("nom", "prenom", "courriel", "telephone", "commune", "code_postal", "contact")
_EXACT = {
    **{f: COLUMN_NAMES[f] for f in _PERSON_FIELDS},
    "date": (
        "date",
        "date d'inscription",
        "horodateur",
        "horodatage",
        "date de l'inscription",
        "created_at",
        "submitted at",
        "date de soumission",
    ),
    "cle": ("id", "identifiant", "reference", "numero", "n°"),
}


def _detect(table: Table) -> Mapping:
    """Columns recognised by their name: exact names, or key words of the form's questions."""
    m = Mapping()
    by_exact = {n: f for f, names in _EXACT.items() for n in names}

    def put(name: str, col: str) -> None:
        if name in m.columns and not FIELDS[name].multi:
            return
        m.columns.setdefault(name, []).append(col)
        m.origin[name] = "nom de colonne"

    for col in table.columns:
        f = fold(col).rstrip(" :?*")
        if f in by_exact:
            put(by_exact[f], col)
        elif (
            "recontact" in f
            or ("accept" in f and ("contact" in f or "inform" in f or "invit" in f))
            or "accord de contact" in f
        ):
            put("contact", col)
        elif "autre" in f and "besoin" in f:
            put("autre", col)
        elif "pmr" in f or "mobilite reduite" in f or "fauteuil" in f:
            put("pmr", col)
        elif re.search(r"\blsf\b", f) or "langue des signes" in f:
            put("lsf", col)
        elif "garde" in f and "enfant" in f:
            put("garde_enfants", col)
        elif "besoin" in f or "accessibilite" in f:
            put("besoins", col)
        elif "atelier" in f or "session" in f or re.search(r"\bchoix\b", f):
            put("atelier", col)
        elif "territoire" in f or "arrondissement" in f:
            put("territoire", col)
    return m


@dataclass
class Registration:
    """One person registered for one workshop (or a territory's workshops)."""

    source: str
    cle: str
    ligne: int
    date: str  # ISO, for ordering; empty when unknown
    nom: str = ""
    prenom: str = ""
    courriel: str = ""
    telephone: str = ""
    commune: str = ""
    choix: str = ""  # what the person chose, as written
    atelier: str = ""  # the workshop chosen, when one was
    territoire: str = ""  # the territory chosen, when only a territory was
    pmr: bool = False
    lsf: bool = False
    garde_enfants: bool = False
    autre: str = ""
    statut: str = ""  # a Statut once placed; empty for a registration not placed yet
    rang: int = 0  # on the waiting list
    voeux: list[str] = field(default_factory=list)  # the workshops chosen, in order of preference
    contact: str = ""  # « oui » / « non » when the form asked, empty otherwise
    promu_le: str = ""  # ISO date: given a place from the waiting list
    annule_le: str = ""  # ISO date of the cancellation
    debordement: bool = False  # placed by this import in a workshop the person did not choose
    personne: str = ""  # the person's pseudonymous key, the same as when they contribute (store/persons.py)

    @property
    def person(self) -> str:
        """Who, for spotting the same person registered twice."""
        if self.courriel:
            return fold(self.courriel)
        return "|".join(fold(x) for x in (self.nom, self.prenom, self.telephone))

    @property
    def display(self) -> str:
        return (
            " ".join(x for x in (self.nom.upper() if self.nom else "", self.prenom) if x)
            or self.courriel
            or self.telephone
            or f"inscription {self.cle}"
        )

    @property
    def key(self) -> str:
        """The registration's reference, as ``inscriptions annuler`` accepts it: « fichier#clé »."""
        return f"{self.source}#{self.cle}"

    @property
    def state(self) -> Statut | None:
        try:
            return Statut(self.statut)
        except ValueError:
            return None

    @property
    def contact_refused(self) -> bool:
        return consent(self.contact) is False and bool(self.contact)

    @property
    def contact_given(self) -> bool:
        return bool(consent(self.contact))

    def needs_label(self) -> str:
        labels = [n for n, on in (("PMR", self.pmr), ("LSF", self.lsf), ("garde d'enfants", self.garde_enfants)) if on]
        if self.autre:
            labels.append(self.autre)
        return ", ".join(labels)

    def to_csv(self) -> dict[str, str]:
        return {
            "atelier": self.atelier,
            "statut": self.statut,
            "rang": str(self.rang) if self.rang else "",
            "nom": self.nom,
            "prenom": self.prenom,
            "courriel": self.courriel,
            "commune": self.commune,
            "telephone": self.telephone,
            "besoins": self.needs_label(),
            "pmr": "oui" if self.pmr else "",
            "lsf": "oui" if self.lsf else "",
            "garde_enfants": "oui" if self.garde_enfants else "",
            "autre_besoin": self.autre,
            "date_inscription": self.date,
            "choix": self.choix,
            "territoire_choisi": self.territoire,
            "source": self.source,
            "cle": self.cle,
            "ligne": str(self.ligne),
            "voeux": ", ".join(self.voeux),
            "contact": self.contact,
            "promu_le": self.promu_le,
            "annule_le": self.annule_le,
            "personne": self.personne,
        }

    @classmethod
    def from_csv(cls, row: dict[str, str]) -> Registration:
        def yes(k: str) -> bool:
            return bool(consent(row.get(k, "")))

        return cls(
            source=row.get("source", ""),
            cle=row.get("cle", ""),
            ligne=int(row["ligne"]) if (row.get("ligne") or "").isdigit() else 0,
            date=row.get("date_inscription", ""),
            nom=row.get("nom", ""),
            prenom=row.get("prenom", ""),
            courriel=row.get("courriel", ""),
            telephone=row.get("telephone", ""),
            commune=row.get("commune", ""),
            choix=row.get("choix", ""),
            atelier=row.get("atelier", ""),
            territoire=row.get("territoire_choisi", ""),
            statut=row.get("statut", ""),
            rang=int(row["rang"]) if (row.get("rang") or "").isdigit() else 0,
            # registries written before ranked choices: the workshop chosen was the one placed
            voeux=[v.strip() for v in (row.get("voeux") or "").split(",") if v.strip()]
            or ([row["atelier"]] if row.get("atelier") and not row.get("territoire_choisi") else []),
            contact=row.get("contact", ""),
            promu_le=row.get("promu_le", ""),
            annule_le=row.get("annule_le", ""),
            pmr=yes("pmr"),
            lsf=yes("lsf"),
            garde_enfants=yes("garde_enfants"),
            autre=row.get("autre_besoin", ""),
            personne=row.get("personne", ""),
        )


@dataclass
class Issue:
    line: int
    message: str
    hint: str = ""


@dataclass
class Counts:
    inscrits: int = 0
    liste_attente: int = 0
    pmr: int = 0
    lsf: int = 0
    garde_enfants: int = 0
    autre: int = 0

    def as_yaml(self) -> dict[str, Any]:
        return {
            "inscrits": self.inscrits,
            "liste_attente": self.liste_attente,
            "besoins": {"pmr": self.pmr, "lsf": self.lsf, "garde_enfants": self.garde_enfants, "autre": self.autre},
        }


@dataclass
class InscriptionsPlan:
    table: Table
    fichier: str
    mapping: Mapping
    registrations: list[Registration] = field(default_factory=list)  # all, every source, assigned
    orphans: list[Registration] = field(default_factory=list)  # earlier ones whose workshop is gone or cancelled
    from_file: int = 0
    counts: dict[str, Counts] = field(default_factory=dict)
    capacities: dict[str, int] = field(default_factory=dict)
    accessible: dict[str, bool | None] = field(default_factory=dict)
    rejected: list[Issue] = field(default_factory=list)
    duplicates: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # what changes
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # sheets edited by hand, not overwritten
    promoted: list[Registration] = field(default_factory=list)  # given a freed place: to be told
    overflowed: list[Registration] = field(default_factory=list)  # placed in a workshop not chosen: to be told

    def by_atelier(self, atelier: str, statut: str) -> list[Registration]:
        return [r for r in self.registrations if r.atelier == atelier and r.statut == statut]


# --- reading --------------------------------------------------------------------


_NO_NEED = re.compile(r"^(aucun|aucune|non|no|rien|neant|sans objet|sans|pas de besoin|-|/|0|ras|n/a|na)\.?$")


def _needs(row: Row, m: Mapping) -> tuple[bool, bool, bool, str]:
    """PMR, LSF, childcare, other: from yes/no columns, a ticked-list column, a free-text one."""

    def yes(name: str) -> bool:
        cols = m.columns.get(name)
        if not cols:
            return False
        v = row.get(cols[0])
        said = consent(v)
        return bool(said) or (said is None and not _NO_NEED.match(fold(v)))

    pmr, lsf, garde = yes("pmr"), yes("lsf"), yes("garde_enfants")
    others: list[str] = []
    for col in m.columns.get("besoins", []):
        for part in re.split(r"[,;/\n]+", row.get(col)):
            f = fold(part)
            if not f or _NO_NEED.match(f):
                continue
            if "pmr" in f or "mobilite" in f or "fauteuil" in f:
                pmr = True
            elif re.search(r"\blsf\b", f) or "langue des signes" in f or "interpret" in f or "sourd" in f:
                lsf = True
            elif "garde" in f or "enfant" in f:
                garde = True
            else:
                others.append(one_line(part))
    for col in m.columns.get("autre", []):
        v = one_line(row.get(col))
        if v and not _NO_NEED.match(fold(v)) and consent(v) is not False:
            others.append(v)
    return pmr, lsf, garde, " ; ".join(dict.fromkeys(others))


def _workshop_index(c: Consultation) -> dict[str, list[str]]:
    """Folded names (id, title, place) → workshop ids."""
    index: dict[str, list[str]] = {}
    for a in c.ateliers.values():
        for name in (a.id, a.titre, a.lieu):
            if name:
                index.setdefault(fold(name), []).append(a.id)
    return index


def resolve_choice(
    value: str, c: Consultation, index: dict[str, list[str]], territories: TerritoryIndex
) -> tuple[str, str, str]:
    """(atelier, territoire, problem) for what a person chose."""
    f = fold(value)
    ids = index.get(f, [])
    if len(set(ids)) == 1:
        return ids[0], "", ""
    # « lille-1 — samedi 4 avril » or « Atelier de Lille — Fives (4 avril) »
    found = {a.id for a in c.ateliers.values() if re.search(rf"(?<![a-z0-9-]){re.escape(a.id)}(?![a-z0-9-])", f)}
    if len(found) != 1:
        found = {a.id for a in c.ateliers.values() if a.titre and fold(a.titre) in f}
    if len(found) == 1:
        return found.pop(), "", ""
    terr = territories.resolve(value)
    if terr.territoire:
        return "", terr.territoire, ""
    names = [a.id for a in c.ateliers.values()] + [a.titre for a in c.ateliers.values() if a.titre]
    return (
        "",
        "",
        f"atelier « {value} » introuvable" + (f" ({did_you_mean(value, names)})" if did_you_mean(value, names) else ""),
    )


def read_registrations(
    c: Consultation,
    path: Path,
    *,
    shown: str | None = None,
    maps: list[str] | None = None,
    mapping_file: Path | None = None,
    atelier: str | None = None,
    sheet: str | None = None,
) -> tuple[Table, Mapping, list[Registration], list[Issue], list[Issue]]:
    """The registrations of a file: (table, mapping, registrations, rejected rows, duplicates)."""
    table = read_table(path, shown or str(path), sheet)
    mapping = _detect(table)
    if mapping_file is not None:
        mapping.update(
            load_mapping_file(mapping_file, table, FIELDS, value_fields=("atelier",), default_fields=("atelier",))
        )
    if maps:
        mapping.update(parse_map_options(maps, table, FIELDS))
    default = atelier or mapping.defaults.get("atelier")
    if default is not None and default not in c.ateliers:
        raise UsageError(
            f"atelier « {default} » inconnu",
            hint=did_you_mean(default, c.ateliers)
            or ("ateliers : " + ", ".join(c.ateliers) if c.ateliers else "aucun atelier dans ateliers/"),
        )
    if not c.ateliers:
        raise AteliersError(
            "aucun atelier dans ateliers/ : impossible d'y inscrire qui que ce soit",
            hint="créez d'abord les ateliers (ateliers/<id>.yaml, « ateliers aide atelier »)",
        )
    choice_fields = ("atelier", "territoire", "commune", "code_postal")
    if default is None and not any(f in mapping.columns for f in choice_fields):
        raise AteliersError(
            "aucune colonne ne dit quel atelier est choisi",
            path=table.name,
            line=table.header_line,
            hint="indiquez-la avec --map atelier=COLONNE (ou territoire=, commune=, code_postal=), "
            "ou inscrivez tout le fichier à un atelier avec --atelier ID ; colonnes : "
            + ", ".join(f"« {x} »" for x in table.columns[:20]),
        )
    fichier = Path(path).name
    index = _workshop_index(c)
    territories = TerritoryIndex(c)
    key_col = mapping.columns["cle"][0] if mapping.columns.get("cle") else None
    translations = mapping.values.get("atelier", {})
    regs: list[Registration] = []
    rejected: list[Issue] = []
    duplicates: list[Issue] = []
    seen_keys: dict[str, int] = {}
    seen_people: dict[tuple[str, str], int] = {}

    def value_of(row: Row, name: str) -> str:
        cols = mapping.columns.get(name)
        return one_line(row.get(cols[0])) if cols else ""

    for row in table.rows:
        if row.problem:
            rejected.append(Issue(row.line, row.problem))
            continue
        cle = value_of(row, "cle") if key_col else str(row.line)
        if key_col and not cle:
            rejected.append(Issue(row.line, f"identifiant vide (colonne « {key_col} »)"))
            continue
        if cle in seen_keys:
            rejected.append(Issue(row.line, f"identifiant « {cle} » en double (déjà ligne {seen_keys[cle]})"))
            continue
        seen_keys[cle] = row.line
        reg = Registration(fichier, cle, row.line, "")
        reg.nom, reg.prenom = value_of(row, "nom"), value_of(row, "prenom")
        reg.courriel, reg.telephone = value_of(row, "courriel"), value_of(row, "telephone")
        reg.commune = value_of(row, "commune")
        if not (reg.nom or reg.prenom or reg.courriel or reg.telephone):
            rejected.append(
                Issue(row.line, "inscription sans nom ni contact", "une feuille d'émargement a besoin d'un nom")
            )
            continue
        raw_date = value_of(row, "date")
        if raw_date:
            moment = parse_moment(raw_date)
            if moment is None:
                rejected.append(Issue(row.line, f"date « {raw_date} » illisible", DATE_FORMATS_HINT))
                continue
            reg.date = moment.isoformat(timespec="minutes")
        choices = [one_line(row.get(col)) for col in mapping.columns.get("atelier", [])]
        choices = [translations.get(fold(x), x) for x in choices if x]
        choice = " ; ".join(choices)
        reg.choix = choice or value_of(row, "territoire") or value_of(row, "commune") or value_of(row, "code_postal")
        reg.contact = _contact_value(value_of(row, "contact"))
        if choice:
            reg.voeux, reg.territoire, problem = resolve_choices(choices, c, index, territories)
            reg.atelier = reg.voeux[0] if reg.voeux else ""
        else:
            res = territories.resolve(
                value_of(row, "territoire"), value_of(row, "commune"), value_of(row, "code_postal")
            )
            reg.territoire, problem = res.territoire, res.problem
            if not res.given:
                problem = ""
        if not (reg.atelier or reg.territoire):
            if default:
                reg.atelier, problem = default, ""
                reg.voeux = [default]
            else:
                rejected.append(
                    Issue(row.line, problem or "aucun atelier choisi", "choix possibles : " + ", ".join(c.ateliers))
                )
                continue
        open_voeux = [v for v in reg.voeux if c.ateliers[v].statut != "annule"]
        if reg.voeux and not open_voeux:
            names = ", ".join(f"« {v} »" for v in reg.voeux)
            rejected.append(
                Issue(
                    row.line,
                    f"l'atelier {names} est annulé" if len(reg.voeux) == 1 else f"les ateliers {names} sont annulés",
                    "proposez à la personne un autre atelier",
                )
            )
            continue
        reg.voeux = open_voeux
        reg.atelier = open_voeux[0] if open_voeux else ""
        if reg.territoire and not _workshops_of(c, reg.territoire):
            rejected.append(Issue(row.line, f"aucun atelier ouvert dans le territoire « {reg.territoire} »"))
            continue
        reg.pmr, reg.lsf, reg.garde_enfants, reg.autre = _needs(row, mapping)
        who = (reg.person, reg.atelier or f"territoire:{reg.territoire}")
        if who in seen_people:
            duplicates.append(
                Issue(row.line, f"{reg.display} déjà inscrit·e ligne {seen_people[who]} : compté·e une fois")
            )
            continue
        seen_people[who] = row.line
        regs.append(reg)
    return table, mapping, regs, rejected, duplicates


#: Separators of ranked choices: « lille-1, lille-2 », « lille-1 ; lille-2 », « lille-1 > lille-2 », one per line.
_CHOICE_SPLIT = re.compile(r"\s*(?:[,;>|\n]|\bpuis\b)\s*|\s+(?=\(?\d+\s*(?:er|re|e|eme|°)?\s*(?:choix)?\s*[).:-]\s)")
#: « 1. », « 1) », « 1er choix : », « choix 2 - » before a choice.
_RANK_PREFIX = re.compile(r"^(?:\(?\d+\s*(?:er|re|e|eme|°)?\s*(?:choix)?\s*[).:-]?|choix\s*\d+\s*[).:-]?)\s*")


def resolve_choices(
    choices: list[str], c: Consultation, index: dict[str, list[str]], territories: TerritoryIndex
) -> tuple[list[str], str, str]:
    """(workshops in order of preference, territory chosen, problem) for what a person chose:
    one value per column; a value may itself rank several workshops (« lille-1, lille-2 »)."""
    voeux: list[str] = []
    territoire = ""

    def add(atelier: str, terr: str) -> None:
        nonlocal territoire
        if atelier and atelier not in voeux:
            voeux.append(atelier)
        territoire = territoire or terr

    for value in choices:
        exact = set(index.get(fold(value), []))
        parts = [p for p in (_RANK_PREFIX.sub("", x) for x in _CHOICE_SPLIT.split(value.strip())) if p]
        if len(exact) == 1 or len(parts) < 2:
            atelier, terr, problem = resolve_choice(
                parts[0] if len(parts) == 1 and len(exact) != 1 else value, c, index, territories
            )
            if problem:
                return [], "", problem
            add(atelier, terr)
            continue
        resolved = [(part, *resolve_choice(part, c, index, territories)) for part in parts]
        bad = next(((part, problem) for part, _a, _t, problem in resolved if problem), None)
        if bad is None:
            for _part, atelier, terr, _p in resolved:
                add(atelier, terr)
            continue
        # one title with commas in it (« Atelier de Roubaix — Roubaix, Tourcoing, Wattrelos »)
        titled = {a.id for a in c.ateliers.values() if a.titre and fold(a.titre) in fold(value)}
        if len(titled) == 1:
            add(titled.pop(), "")
            continue
        part, problem = bad
        return [], "", problem.replace(f"« {part} »", f"« {part} » (dans « {value} »)", 1)
    # a territory named alongside workshops only says where to overflow: the workshops come first
    return voeux, ("" if voeux else territoire), ""


def _contact_value(value: str) -> str:
    """« oui », « non » or empty (not asked, or an answer that is neither)."""
    said = consent(value) if value else None
    return "oui" if said else ("non" if said is False else "")


def _workshops_of(c: Consultation, territoire: str) -> list[Atelier]:
    """A territory's open workshops, earliest first."""
    out = [a for a in c.ateliers.values() if a.territoire == territoire and a.statut != "annule"]
    return sorted(out, key=lambda a: (str(a.date or ""), a.id))


def read_existing(root: Path) -> list[Registration]:
    """The registrations already in prive/inscriptions.csv."""
    return [Registration.from_csv(row) for row in read_dicts(root, PRIVATE_PATH)]


# --- assigning --------------------------------------------------------------------


def _order(r: Registration) -> tuple[bool, str, str, int]:
    """Order of registration: the date, then the file and its line."""
    return (not r.date, r.date, r.source, r.ligne)


def _open(c: Consultation, atelier_id: str) -> Atelier | None:
    a = c.ateliers.get(atelier_id)
    return a if a is not None and a.statut != "annule" else None


def _rerank(c: Consultation, registrations: list[Registration]) -> None:
    """Waiting lists numbered 1, 2, … per workshop, keeping everyone's order."""
    queues: dict[str, list[Registration]] = {}
    for r in registrations:
        if r.statut == Statut.ATTENTE:
            queues.setdefault(r.atelier, []).append(r)
    for queue in queues.values():
        queue.sort(key=lambda r: (r.rang == 0, r.rang, _order(r)))
        for i, r in enumerate(queue, 1):
            r.rang = i
    for r in registrations:
        if r.statut != Statut.ATTENTE:
            r.rang = 0


def assign(c: Consultation, registrations: list[Registration], *, overflow: bool = False) -> dict[str, Counts]:
    """Place the registrations not placed yet, and count.

    Whoever is already placed (a status read from ``prive/inscriptions.csv``) stays where they
    are. A new registration, in order of registration, takes the first of its choices with a
    free place that nobody is waiting for; else (``overflow``) a free place in another workshop
    of the same territory, noted in ``debordement``; else the waiting list of its first choice. Nobody is promoted here:
    see
    :func:`promote`.
    """
    taken: dict[str, int] = {a: 0 for a in c.ateliers}
    waiting: dict[str, int] = {a: 0 for a in c.ateliers}
    for r in registrations:
        if r.atelier in taken and r.state is not None and r.state.holds_place:
            taken[r.atelier] += 1
        elif r.atelier in waiting and r.statut == Statut.ATTENTE:
            waiting[r.atelier] += 1

    def room(a: Atelier) -> bool:
        return taken[a.id] < a.capacite and not waiting[a.id]

    for r in sorted((r for r in registrations if not r.statut), key=_order):
        if r.voeux:
            wanted = [a for v in r.voeux if (a := _open(c, v)) is not None]
        elif r.territoire:
            wanted = _workshops_of(c, r.territoire)
        else:
            wanted = [a] if (a := _open(c, r.atelier)) is not None else []
        if not wanted:
            continue  # no workshop left: reported by the caller
        place = next((a for a in wanted if room(a)), None)
        if place is None and overflow and r.voeux:  # another workshop of the same territory
            place = next((a for a in _workshops_of(c, wanted[0].territoire) if a not in wanted and room(a)), None)
            r.debordement = place is not None
        if place is not None:
            r.atelier, r.statut, r.rang = place.id, Statut.INSCRIT.value, 0
            taken[place.id] += 1
        else:
            r.atelier, r.statut = wanted[0].id, Statut.ATTENTE.value
            waiting[wanted[0].id] += 1
            r.rang = waiting[wanted[0].id] + 100_000  # after everyone already waiting
    _rerank(c, registrations)
    return count(c, registrations)


def count(c: Consultation, registrations: list[Registration]) -> dict[str, Counts]:
    """The numbers of each open workshop: places taken (absent people included), waiting, needs."""
    counts = {a: Counts() for a in c.ateliers if c.ateliers[a].statut != "annule"}
    for r in registrations:
        k = counts.get(r.atelier)
        if k is None or r.state is None:
            continue
        if r.state.holds_place:
            k.inscrits += 1
            k.pmr += r.pmr
            k.lsf += r.lsf
            k.garde_enfants += r.garde_enfants
            k.autre += bool(r.autre)
        elif r.state == Statut.ATTENTE:
            k.liste_attente += 1
    return counts


def promote(c: Consultation, registrations: list[Registration], today: str) -> list[Registration]:
    """Free places given to the first people waiting; the people promoted, to be told."""
    promoted: list[Registration] = []
    for a in c.ateliers.values():
        if a.statut == "annule":
            continue
        taken = sum(1 for r in registrations if r.atelier == a.id and r.state is not None and r.state.holds_place)
        queue = sorted(
            (r for r in registrations if r.atelier == a.id and r.statut == Statut.ATTENTE), key=lambda r: r.rang
        )
        for r in queue[: max(0, a.capacite - taken)]:
            r.statut, r.rang, r.promu_le = Statut.INSCRIT.value, 0, today
            promoted.append(r)
    _rerank(c, registrations)
    return promoted


def find(registrations: list[Registration], who: str, atelier: str | None = None) -> list[Registration]:
    """The registrations a person names: « fichier#clé », an e-mail, a phone, or « NOM Prénom »."""
    w = fold(who)
    digits = re.sub(r"\D", "", who)
    out = []
    for r in registrations:
        if atelier and r.atelier != atelier:
            continue
        names = {fold(f"{r.nom} {r.prenom}"), fold(f"{r.prenom} {r.nom}")}
        if (
            who == r.key
            or (r.courriel and fold(r.courriel) == w)
            or (len(digits) >= 9 and r.telephone and re.sub(r"\D", "", r.telephone).endswith(digits[-9:]))
            or (r.nom and w in names)
        ):
            out.append(r)
    return out


# --- writing ------------------------------------------------------------------------


def _yaml_change(counts: Counts) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        from ruamel.yaml.comments import CommentedMap

        values = counts.as_yaml()
        ins = data.get("inscriptions")
        if not isinstance(ins, dict):
            ins = CommentedMap()
            keys = list(data.keys())
            after = next((k for k in ("motif_annulation", "statut", "themes", "capacite") if k in keys), None)
            pos = keys.index(after) + 1 if after else len(keys)
            data.insert(pos, "inscriptions", ins)
        for key in ("inscrits", "liste_attente"):
            if ins.get(key) != values[key]:
                ins[key] = values[key]
        besoins = ins.get("besoins")
        if not isinstance(besoins, dict):
            besoins = CommentedMap()
            besoins.fa.set_flow_style()
            ins["besoins"] = besoins
        for key, n in values["besoins"].items():
            if besoins.get(key) != n:
                besoins[key] = n

    return change


def render_sheet(c: Consultation, atelier: Atelier, inscrits: list[Registration], attente: list[Registration]) -> str:
    """The printable attendance sheet of one workshop (escaped HTML, French).

    Made like every document: the consultation's ``templates/prive/emargement.html.j2`` first,
    in the sandbox, with the same filters."""
    from ateliers_cli.documents.templating import make_environment, render_template

    when = workshop_when(atelier)

    def person(r: Registration) -> dict[str, str]:
        return {
            "nom": r.nom.upper(),
            "prenom": r.prenom,
            "besoins": r.needs_label(),
            "contact": r.telephone or r.courriel,
        }

    def alpha(r: Registration) -> tuple[str, str, str]:
        return (fold(r.nom), fold(r.prenom), r.cle)

    context = {
        "consultation": {"titre": c.titre, "collectivite": c.collectivite.nom},
        "atelier": {
            "id": atelier.id,
            "titre": atelier.titre,
            "quand": when,
            "lieu": atelier.lieu,
            "adresse": atelier.adresse,
            "capacite": atelier.capacite,
            "territoire": c.territoires[atelier.territoire].nom
            if atelier.territoire in c.territoires
            else atelier.territoire,
        },
        "inscrits": [person(r) for r in sorted(inscrits, key=alpha)],
        "attente": [person(r) for r in sorted(attente, key=lambda r: r.rang)],
        "lignes_vides": max(5, min(15, atelier.capacite - len(inscrits))) if atelier.capacite > len(inscrits) else 5,
    }
    return render_template(make_environment(c.root), "prive/emargement.html.j2", context)


def render_needs(c: Consultation, plan: InscriptionsPlan) -> str:
    """prive/besoins.md: per workshop, who needs what (for the organisers only)."""
    from ateliers_cli.render import french

    lines = [
        f"# Besoins des inscrits — {c.titre}",
        "",
        (
            "Document de travail des organisateurs : il contient des noms. Ne pas diffuser ; "
            "écrit par « ateliers inscriptions import »."
        ),
        "",
    ]
    for a in sorted(c.ateliers.values(), key=lambda a: (str(a.date or ""), a.id)):
        k = plan.counts.get(a.id)
        if k is None:
            continue
        when = (
            french.date_heure(a.date)
            if isinstance(a.date, dt.datetime)
            else (french.date_longue(a.date) if a.date else "")
        )
        lines += [f"## {a.titre} ({a.id})", "", f"{when} — {a.lieu}".strip(" —"), ""]
        lines.append(f"- Inscrits : {k.inscrits} / {a.capacite} ; liste d'attente : {k.liste_attente}")
        inscrits = plan.by_atelier(a.id, "inscrit")
        for label, attr, n in (
            ("Accès PMR", "pmr", k.pmr),
            ("Interprétation LSF", "lsf", k.lsf),
            ("Garde d'enfants", "garde_enfants", k.garde_enfants),
        ):
            who = ", ".join(r.display for r in inscrits if getattr(r, attr))
            line = f"- {label} : {n}" + (f" ({who})" if who else "")
            if attr == "pmr" and n and a.accessible_pmr is False:
                line += " — **attention : le lieu n'est pas déclaré accessible (accessible_pmr: false)**"
            lines.append(line)
        autres = [f"{r.display} : {r.autre}" for r in inscrits if r.autre]
        lines.append(f"- Autres besoins : {k.autre}")
        lines += [f"  - {x}" for x in autres]
        attente = sorted(plan.by_atelier(a.id, "attente"), key=lambda r: r.rang)
        if attente:
            lines.append("- Liste d'attente, dans l'ordre :")
            lines += [
                f"  {r.rang}. {r.display}" + (f" ({r.needs_label()})" if r.needs_label() else "") for r in attente
            ]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _registry_bytes(regs: list[Registration]) -> bytes:
    ordered = sorted(
        regs, key=lambda r: (r.atelier, r.statut != "inscrit", r.rang, fold(r.nom), fold(r.prenom), r.source, r.ligne)
    )
    return dict_rows_bytes(CSV_COLUMNS, (r.to_csv() for r in ordered))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_person(a: Registration, b: Registration) -> bool:
    return bool(a.person) and a.person == b.person and (a.voeux[:1] == b.voeux[:1]) and a.territoire == b.territoire


def _merge(
    existing: list[Registration], regs: list[Registration], fichier: str, plan: InscriptionsPlan
) -> list[Registration]:
    """The registrations after this file: the earlier ones keep their place; a row already
    known (same file and key, or the same person with the same choice) updates its contact
    details and needs, never its place; a row not seen before is new."""
    by_key = {(r.source, r.cle): r for r in existing}
    matched: set[int] = set()
    out = list(existing)
    for r in regs:
        old = by_key.get((r.source, r.cle))
        # a key that is only a line number moves when a row is removed: the person decides
        if old is None or id(old) in matched or old.person != r.person:
            old = next((o for o in existing if id(o) not in matched and _same_person(o, r)), None)
        if old is None:
            out.append(r)
            continue
        matched.add(id(old))
        for name in (
            "nom",
            "prenom",
            "courriel",
            "telephone",
            "commune",
            "pmr",
            "lsf",
            "garde_enfants",
            "autre",
            "contact",
            "date",
        ):
            setattr(old, name, getattr(r, name))
        old.source, old.cle, old.ligne, old.choix = r.source, r.cle, r.ligne, r.choix
    for o in existing:
        if o.source == fichier and id(o) not in matched and o.statut in (Statut.INSCRIT, Statut.ATTENTE):
            plan.warnings.append(
                f"{o.source}:{o.ligne} : {o.display} n'est plus dans ce fichier : inscription gardée "
                f"({STATUT_LABELS[Statut(o.statut)]}) ; "
                f"pour l'annuler : ateliers inscriptions annuler « {o.key} »"
            )
    return out


def plan_inscriptions(
    c: Consultation,
    path: Path,
    *,
    shown: str | None = None,
    maps: list[str] | None = None,
    mapping_file: Path | None = None,
    atelier: str | None = None,
    sheet: str | None = None,
    force: bool = False,
    today: str | None = None,
    overflow: bool = False,
) -> InscriptionsPlan:
    """Everything the import would change, computed without writing."""
    table, mapping, regs, rejected, duplicates = read_registrations(
        c, path, shown=shown, maps=maps, mapping_file=mapping_file, atelier=atelier, sheet=sheet
    )
    fichier = Path(path).name
    plan = InscriptionsPlan(table, fichier, mapping, rejected=rejected, duplicates=duplicates, from_file=len(regs))
    regs = _without_erased(c.root, regs, plan)
    everyone = _merge(read_existing(c.root), regs, fichier, plan)
    give_person_keys(c.root, everyone)
    return _plan_files(c, plan, everyone, today=today, force=force, overflow=overflow)


def _details(r: Registration) -> dict[str, str]:
    return {"nom": r.nom, "prenom": r.prenom, "courriel": r.courriel, "telephone": r.telephone, "commune": r.commune}


def give_person_keys(root: Path, registrations: list[Registration]) -> None:
    """Give each registration without one its person's key: the key the same person already has
    (as a contributor or another registration: same e-mail, phone, or name and commune), else a
    new one. A key once given stays, whatever details change later."""
    if all(r.personne for r in registrations):
        return
    from ateliers_cli.store.persons import person_index
    from ateliers_cli.store.private import ContributorRegister

    index = person_index(root, ContributorRegister(root))
    for r in registrations:
        if r.personne:
            index.add(r.personne, _details(r))
    for r in registrations:
        if not r.personne:
            r.personne = index.key(_details(r), fallback=f"inscription:{r.source}#{r.cle}")


def _without_erased(root: Path, regs: list[Registration], plan: InscriptionsPlan) -> list[Registration]:
    """The rows of a person erased (``ateliers erase``, prive/effacements.csv) are not imported again."""
    from ateliers_cli.store.erasures import Tombstone

    tombstone = Tombstone.read(root)
    if not tombstone:
        return regs
    kept = []
    for r in regs:
        erased_on = tombstone.match(_details(r), "", ())
        if erased_on:
            plan.warnings.append(
                f"{r.source}:{r.ligne} : personne effacée le {erased_on} (droit à l'effacement, {paths.ERASURES}) : "
                "inscription ignorée"
            )
        else:
            kept.append(r)
    plan.from_file = len(kept)
    return kept


def _day(today: str | None) -> str:
    if today:
        return today
    from ateliers_cli.clock import now

    return now().date().isoformat()


def _plan_files(
    c: Consultation,
    plan: InscriptionsPlan,
    everyone: list[Registration],
    *,
    today: str | None,
    force: bool = False,
    overflow: bool = False,
) -> InscriptionsPlan:
    """Place, promote, count, and compute every file that changes."""
    from ateliers_cli.yamledit import edit_file

    placed: list[Registration] = []
    for r in everyone:
        a = c.ateliers.get(r.atelier)
        if r.statut in (Statut.ANNULE, Statut.A_PREVENIR):
            placed.append(r)
            continue
        if r.territoire and not r.atelier and not _workshops_of(c, r.territoire):
            plan.warnings.append(
                f"{r.source}:{r.ligne} : plus aucun atelier ouvert dans le territoire « {r.territoire} » : personne à "
                "prévenir"
            )
        elif r.atelier and a is None:
            plan.warnings.append(
                f"{r.source}:{r.ligne} : l'atelier « {r.atelier} » n'existe plus : personne à prévenir"
            )
        elif r.atelier and a is not None and a.statut == "annule" and r.statut:
            plan.warnings.append(f"{r.source}:{r.ligne} : l'atelier « {a.id} » est annulé : personne à prévenir")
        else:
            placed.append(r)
            continue
        r.statut, r.rang = Statut.A_PREVENIR.value, 0
        plan.orphans.append(r)
        placed.append(r)
    assign(c, placed, overflow=overflow)
    plan.overflowed = [r for r in placed if r.debordement]
    plan.promoted = promote(c, placed, _day(today))
    plan.counts = count(c, placed)
    plan.registrations = placed
    plan.capacities = {a.id: a.capacite for a in c.ateliers.values()}
    plan.accessible = {a.id: a.accessible_pmr for a in c.ateliers.values()}

    changes: dict[str, bytes] = {}
    for aid, k in plan.counts.items():
        a = c.ateliers[aid]
        target = c.root / a.path
        try:
            new_text = edit_file(target, _yaml_change(k))
        except Exception as exc:  # noqa: BLE001 - ruamel's many error kinds; the loader has the details
            raise AteliersError(
                f"impossible de mettre à jour les inscriptions : {type(exc).__name__}",
                path=a.path,
                hint="lancez « ateliers check » et corrigez ce fichier",
            ) from None
        old = target.read_bytes()
        if new_text.encode("utf-8") != old:
            changes[a.path] = new_text.encode("utf-8")
        else:
            plan.unchanged.append(a.path)
    private: dict[str, bytes] = {
        PRIVATE_PATH: _registry_bytes(placed),
        NEEDS_PATH: render_needs(c, plan).encode("utf-8"),
    }
    for aid in plan.counts:
        a = c.ateliers[aid]
        html = render_sheet(c, a, plan.by_atelier(aid, "inscrit"), plan.by_atelier(aid, "attente"))
        private[f"{SHEETS_DIR}/{aid}.html"] = html.encode("utf-8")
    manifest_path = c.root / PRIVATE_MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
        if not isinstance(manifest, dict):
            manifest = {}
    except (OSError, ValueError):
        manifest = {}
    new_manifest = dict(manifest)
    for rel, data in private.items():
        target = c.root / rel
        current = target.read_bytes() if target.exists() else None
        is_sheet = rel.startswith(SHEETS_DIR + "/")
        if current == data:
            plan.unchanged.append(rel)
            if is_sheet:
                new_manifest[rel] = _sha(data)
            continue
        # a sheet is also written by the lancement documents: the shared manifest tells a
        # sheet the tool wrote from one edited by hand, which is never overwritten silently
        edited = is_sheet and current is not None and manifest.get(rel) != _sha(current)
        if edited and not force:
            plan.kept.append(rel)
            continue
        if edited:
            changes[rel[: -len(".html")] + ".modifie.html"] = current  # type: ignore[assignment]
        changes[rel] = data
        if is_sheet:
            new_manifest[rel] = _sha(data)
    if new_manifest != manifest:
        changes[PRIVATE_MANIFEST] = (
            json.dumps(dict(sorted(new_manifest.items())), ensure_ascii=False, indent=1) + "\n"
        ).encode("utf-8")
    plan.files = changes
    return plan


@dataclass
class ChangePlan:
    """A cancellation or a no-show: who, and what follows."""

    changed: list[Registration]
    plan: InscriptionsPlan


def plan_change(
    c: Consultation, who: str, statut: Statut, *, atelier: str | None = None, today: str | None = None
) -> ChangePlan:
    """Mark the registration(s) ``who`` names cancelled or absent, then give the freed places
    to the first people waiting (a cancellation only): computed without writing."""
    everyone = read_existing(c.root)
    give_person_keys(c.root, everyone)  # a registry written before keys existed gets them
    if not everyone:
        raise AteliersError(
            "aucune inscription enregistrée",
            path=PRIVATE_PATH,
            hint="importez-les d'abord : ateliers inscriptions import FICHIER",
        )
    if atelier is not None and atelier not in c.ateliers:
        raise UsageError(
            f"atelier « {atelier} » inconnu",
            hint=did_you_mean(atelier, c.ateliers) or "ateliers : " + ", ".join(c.ateliers),
        )
    found = find(everyone, who, atelier)
    if not found:
        raise AteliersError(
            f"aucune inscription ne correspond à « {who} »" + (f" dans l'atelier « {atelier} »" if atelier else ""),
            path=PRIVATE_PATH,
            hint="donnez l'adresse électronique, le téléphone, « NOM Prénom » ou la référence « fichier#clé » de "
            f"{PRIVATE_PATH}",
        )
    if len(found) > 1 and len({r.person for r in found}) > 1:
        raise AteliersError(
            f"« {who} » désigne plusieurs personnes : "
            + ", ".join(f"{r.display} ({r.key}, {r.atelier})" for r in found),
            hint="précisez par l'adresse électronique ou la référence « fichier#clé »",
        )
    day = _day(today)
    wanted = (Statut.INSCRIT, Statut.ATTENTE) if statut == Statut.ANNULE else (Statut.INSCRIT,)
    changed = [r for r in found if r.statut in wanted]
    if not changed:
        states = ", ".join(
            f"{r.atelier} : {STATUT_LABELS.get(Statut(r.statut), r.statut) if r.state else r.statut}" for r in found
        )
        raise AteliersError(
            f"{found[0].display} : rien à changer ({states})",
            hint="seule une personne inscrite ou en attente peut être annulée ; seule une personne inscrite peut être "
            "notée absente",
        )
    for r in changed:
        r.statut = statut.value
        if statut == Statut.ANNULE:
            r.annule_le, r.rang = day, 0
    plan = InscriptionsPlan(Table(PRIVATE_PATH, "csv", [], []), PRIVATE_PATH, Mapping())
    return ChangePlan(changed, _plan_files(c, plan, everyone, today=day))


def apply_inscriptions(root: Path, plan: InscriptionsPlan) -> None:
    """Write every change as one (the caller holds the lock)."""
    if plan.files:
        from ateliers_cli.fsutil import write_all

        write_all(root, dict(plan.files))


def workshop_when(atelier: Atelier) -> str:
    """« samedi 4 avril 2026 à 14 h – 17 h 30 », as the attendance sheet prints it."""
    from ateliers_cli.render import french

    if isinstance(atelier.date, dt.datetime):
        when = french.date_heure(atelier.date)
        if isinstance(atelier.fin, dt.datetime):
            when += f" – {french.heure(atelier.fin)}"
        return when
    if isinstance(atelier.date, dt.date):
        return french.date_longue(atelier.date)
    return ""
