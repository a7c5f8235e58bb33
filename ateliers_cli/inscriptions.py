"""Registrations for the workshops: places, waiting lists, needs, attendance sheets.

``ateliers inscriptions import FICHIER`` reads a registration export (a form,
a spreadsheet), and:

* assigns each registrant to the workshop chosen (or, when only a territory
  was chosen, to that territory's first workshop with room), in order of
  registration, within capacity; the others go on the waiting list;
* writes the *numbers* into ``ateliers/<id>.yaml`` (``inscriptions:``),
  editing the file in place so its comments and key order survive;
* keeps names and contacts only in ``prive/inscriptions.csv``;
* writes a printable attendance sheet per workshop,
  ``prive/emargement/<atelier>.html``, and the needs per workshop for the
  organisers, ``prive/besoins.md``.

All registrations are kept in ``prive/inscriptions.csv`` with their source
file: importing a file again replaces that file's registrations and
recomputes the assignment, so a re-import changes nothing, and a later export
of the same form (with more registrants) keeps the earlier ones in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.dates import DATE_FORMATS_HINT, parse_moment
from ateliers_cli.importers.mapping import (
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
)

FIELDS = INSCRIPTION_FIELDS

_EXACT = {
    "nom": ("nom", "nom de famille", "name", "last name", "lastname", "votre nom"),
    "prenom": ("prenom", "first name", "firstname", "votre prenom"),
    "courriel": ("courriel", "email", "e-mail", "mail", "adresse e-mail", "adresse email", "adresse mail", "adresse electronique", "votre e-mail", "votre courriel"),
    "telephone": ("telephone", "tel", "tel.", "portable", "mobile", "phone", "numero de telephone", "votre telephone"),
    "commune": ("commune", "ville", "votre commune"),
    "code_postal": ("code postal", "code_postal", "cp", "votre code postal"),
    "date": ("date", "date d'inscription", "horodateur", "horodatage", "date de l'inscription", "created_at", "submitted at", "date de soumission"),
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
        elif "atelier" in f or "session" in f:
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
    statut: str = ""  # inscrit | attente, once assigned
    rang: int = 0  # on the waiting list

    @property
    def person(self) -> str:
        """Who, for spotting the same person registered twice."""
        if self.courriel:
            return fold(self.courriel)
        return "|".join(fold(x) for x in (self.nom, self.prenom, self.telephone))

    @property
    def display(self) -> str:
        return " ".join(x for x in (self.nom.upper() if self.nom else "", self.prenom) if x) or self.courriel or self.telephone or f"inscription {self.cle}"

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
            # chosen: a workshop, or only a territory (then the workshop is assigned again)
            atelier="" if row.get("territoire_choisi") else row.get("atelier", ""),
            territoire=row.get("territoire_choisi", ""),
            pmr=yes("pmr"),
            lsf=yes("lsf"),
            garde_enfants=yes("garde_enfants"),
            autre=row.get("autre_besoin", ""),
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


def resolve_choice(value: str, c: Consultation, index: dict[str, list[str]], territories: TerritoryIndex) -> tuple[str, str, str]:
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
    return "", "", f"atelier « {value} » introuvable" + (f" ({did_you_mean(value, names)})" if did_you_mean(value, names) else "")


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
        mapping.update(load_mapping_file(mapping_file, table, FIELDS, value_fields=("atelier",), default_fields=("atelier",)))
    if maps:
        mapping.update(parse_map_options(maps, table, FIELDS))
    default = atelier or mapping.defaults.get("atelier")
    if default is not None and default not in c.ateliers:
        raise UsageError(
            f"atelier « {default} » inconnu",
            hint=did_you_mean(default, c.ateliers) or ("ateliers : " + ", ".join(c.ateliers) if c.ateliers else "aucun atelier dans ateliers/"),
        )
    if not c.ateliers:
        raise AteliersError("aucun atelier dans ateliers/ : impossible d'y inscrire qui que ce soit", hint="créez d'abord les ateliers (ateliers/<id>.yaml, « ateliers aide atelier »)")
    choice_fields = ("atelier", "territoire", "commune", "code_postal")
    if default is None and not any(f in mapping.columns for f in choice_fields):
        raise AteliersError(
            "aucune colonne ne dit quel atelier est choisi",
            path=table.name,
            line=table.header_line,
            hint="indiquez-la avec --map atelier=COLONNE (ou territoire=, commune=, code_postal=), "
            "ou inscrivez tout le fichier à un atelier avec --atelier ID ; colonnes : " + ", ".join(f"« {x} »" for x in table.columns[:20]),
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
            rejected.append(Issue(row.line, "inscription sans nom ni contact", "une feuille d'émargement a besoin d'un nom"))
            continue
        raw_date = value_of(row, "date")
        if raw_date:
            moment = parse_moment(raw_date)
            if moment is None:
                rejected.append(Issue(row.line, f"date « {raw_date} » illisible", DATE_FORMATS_HINT))
                continue
            reg.date = moment.isoformat(timespec="minutes")
        choice = value_of(row, "atelier")
        if choice and fold(choice) in translations:
            choice = translations[fold(choice)]
        reg.choix = choice or value_of(row, "territoire") or value_of(row, "commune") or value_of(row, "code_postal")
        if choice:
            reg.atelier, reg.territoire, problem = resolve_choice(choice, c, index, territories)
        else:
            res = territories.resolve(value_of(row, "territoire"), value_of(row, "commune"), value_of(row, "code_postal"))
            reg.territoire, problem = res.territoire, res.problem
            if not res.given:
                problem = ""
        if not (reg.atelier or reg.territoire):
            if default:
                reg.atelier, problem = default, ""
            else:
                rejected.append(Issue(row.line, problem or "aucun atelier choisi", "choix possibles : " + ", ".join(c.ateliers)))
                continue
        chosen = c.ateliers.get(reg.atelier)
        if chosen is not None and chosen.statut == "annule":
            rejected.append(Issue(row.line, f"l'atelier « {chosen.id} » est annulé", "proposez à la personne un autre atelier"))
            continue
        if reg.territoire and not _workshops_of(c, reg.territoire):
            rejected.append(Issue(row.line, f"aucun atelier ouvert dans le territoire « {reg.territoire} »"))
            continue
        reg.pmr, reg.lsf, reg.garde_enfants, reg.autre = _needs(row, mapping)
        who = (reg.person, reg.atelier or f"territoire:{reg.territoire}")
        if who in seen_people:
            duplicates.append(Issue(row.line, f"{reg.display} déjà inscrit·e ligne {seen_people[who]} : compté·e une fois"))
            continue
        seen_people[who] = row.line
        regs.append(reg)
    return table, mapping, regs, rejected, duplicates


def _workshops_of(c: Consultation, territoire: str) -> list[Atelier]:
    """A territory's open workshops, earliest first."""
    out = [a for a in c.ateliers.values() if a.territoire == territoire and a.statut != "annule"]
    return sorted(out, key=lambda a: (str(a.date or ""), a.id))


def read_existing(root: Path) -> list[Registration]:
    """The registrations already in prive/inscriptions.csv."""
    return [Registration.from_csv(row) for row in read_dicts(root, PRIVATE_PATH)]


# --- assigning --------------------------------------------------------------------


def assign(c: Consultation, registrations: list[Registration]) -> dict[str, Counts]:
    """Places in order of registration, within capacity; then the waiting list."""

    def order(r: Registration) -> tuple[bool, str, str, int]:
        return (not r.date, r.date, r.source, r.ligne)

    taken: dict[str, int] = {a: 0 for a in c.ateliers}
    waiting: dict[str, int] = {a: 0 for a in c.ateliers}
    for r in sorted(registrations, key=order):
        if r.territoire and not r.atelier:
            options = _workshops_of(c, r.territoire)
            if not options:
                continue  # no workshop left in that territory: reported by the caller
            room = [a for a in options if taken[a.id] < a.capacite]
            r.atelier = (room[0] if room else options[0]).id
        a = c.ateliers.get(r.atelier)
        if a is None:
            continue  # a workshop removed since: reported by the caller
        if taken[a.id] < a.capacite:
            taken[a.id] += 1
            r.statut, r.rang = "inscrit", 0
        else:
            waiting[a.id] += 1
            r.statut, r.rang = "attente", waiting[a.id]
    counts = {a: Counts() for a in c.ateliers if c.ateliers[a].statut != "annule"}
    for r in registrations:
        k = counts.get(r.atelier)
        if k is None:
            continue
        if r.statut == "inscrit":
            k.inscrits += 1
            k.pmr += r.pmr
            k.lsf += r.lsf
            k.garde_enfants += r.garde_enfants
            k.autre += bool(r.autre)
        else:
            k.liste_attente += 1
    return counts


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


def _templates_dir() -> Path:
    """The default templates: inside the package in a wheel (``_templates``, see setup.py),
    the top-level ``templates/`` in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if (candidate / "prive" / "emargement.html.j2").is_file():
            return candidate
    return Path(str(resources.files("ateliers_cli") / "_templates"))


def render_sheet(c: Consultation, atelier: Atelier, inscrits: list[Registration], attente: list[Registration]) -> str:
    """The printable attendance sheet of one workshop (escaped HTML, French)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        template = env.get_template("prive/emargement.html.j2")
    except jinja2.TemplateNotFound:
        raise AteliersError("gabarit « prive/emargement.html.j2 » introuvable : installation incomplète ?") from None
    when = workshop_when(atelier)

    def person(r: Registration) -> dict[str, str]:
        return {"nom": r.nom.upper(), "prenom": r.prenom, "besoins": r.needs_label(), "contact": r.telephone or r.courriel}

    def alpha(r: Registration) -> tuple[str, str, str]:
        return (fold(r.nom), fold(r.prenom), r.cle)

    return template.render(
        consultation={"titre": c.titre, "collectivite": c.collectivite.nom},
        atelier={
            "id": atelier.id,
            "titre": atelier.titre,
            "quand": when,
            "lieu": atelier.lieu,
            "adresse": atelier.adresse,
            "capacite": atelier.capacite,
            "territoire": c.territoires[atelier.territoire].nom if atelier.territoire in c.territoires else atelier.territoire,
        },
        inscrits=[person(r) for r in sorted(inscrits, key=alpha)],
        attente=[person(r) for r in sorted(attente, key=lambda r: r.rang)],
        lignes_vides=max(5, min(15, atelier.capacite - len(inscrits))) if atelier.capacite > len(inscrits) else 5,
    )


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
        when = french.date_heure(a.date) if isinstance(a.date, dt.datetime) else (french.date_longue(a.date) if a.date else "")
        lines += [f"## {a.titre} ({a.id})", "", f"{when} — {a.lieu}".strip(" —"), ""]
        lines.append(f"- Inscrits : {k.inscrits} / {a.capacite} ; liste d'attente : {k.liste_attente}")
        inscrits = plan.by_atelier(a.id, "inscrit")
        for label, attr, n in (("Accès PMR", "pmr", k.pmr), ("Interprétation LSF", "lsf", k.lsf), ("Garde d'enfants", "garde_enfants", k.garde_enfants)):
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
            lines += [f"  {r.rang}. {r.display}" + (f" ({r.needs_label()})" if r.needs_label() else "") for r in attente]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _registry_bytes(regs: list[Registration]) -> bytes:
    ordered = sorted(regs, key=lambda r: (r.atelier, r.statut != "inscrit", r.rang, fold(r.nom), fold(r.prenom), r.source, r.ligne))
    return dict_rows_bytes(CSV_COLUMNS, (r.to_csv() for r in ordered))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
) -> InscriptionsPlan:
    """Everything the import would change, computed without writing."""
    from ateliers_cli.yamledit import edit_file

    table, mapping, regs, rejected, duplicates = read_registrations(
        c, path, shown=shown, maps=maps, mapping_file=mapping_file, atelier=atelier, sheet=sheet
    )
    fichier = Path(path).name
    plan = InscriptionsPlan(table, fichier, mapping, rejected=rejected, duplicates=duplicates, from_file=len(regs))
    # registrations from other files are kept, and placed again with the new ones
    others = [r for r in read_existing(c.root) if r.source != fichier]
    everyone = list(regs)
    for r in others:
        a = c.ateliers.get(r.atelier)
        if r.territoire and not _workshops_of(c, r.territoire):
            plan.warnings.append(f"{r.source}:{r.ligne} : plus aucun atelier ouvert dans le territoire « {r.territoire} » : personne à prévenir")
        elif not r.territoire and a is None:
            plan.warnings.append(f"{r.source}:{r.ligne} : l'atelier « {r.atelier} » n'existe plus : personne à prévenir")
        elif not r.territoire and a is not None and a.statut == "annule":
            plan.warnings.append(f"{r.source}:{r.ligne} : l'atelier « {a.id} » est annulé : personne à prévenir")
        else:
            everyone.append(r)
            continue
        r.statut, r.rang = "a_prevenir", 0
        plan.orphans.append(r)
    plan.counts = assign(c, everyone)
    plan.registrations = everyone
    plan.capacities = {a.id: a.capacite for a in c.ateliers.values()}
    plan.accessible = {a.id: a.accessible_pmr for a in c.ateliers.values()}

    changes: dict[str, bytes] = {}
    for aid, k in plan.counts.items():
        a = c.ateliers[aid]
        target = c.root / a.path
        try:
            new_text = edit_file(target, _yaml_change(k))
        except Exception as exc:  # noqa: BLE001 - ruamel's many error kinds; the loader has the details
            raise AteliersError(f"impossible de mettre à jour les inscriptions : {type(exc).__name__}", path=a.path, hint="lancez « ateliers check » et corrigez ce fichier") from None
        old = target.read_bytes()
        if new_text.encode("utf-8") != old:
            changes[a.path] = new_text.encode("utf-8")
        else:
            plan.unchanged.append(a.path)
    private: dict[str, bytes] = {PRIVATE_PATH: _registry_bytes(everyone + plan.orphans), NEEDS_PATH: render_needs(c, plan).encode("utf-8")}
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
        changes[PRIVATE_MANIFEST] = (json.dumps(dict(sorted(new_manifest.items())), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    plan.files = changes
    return plan


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
