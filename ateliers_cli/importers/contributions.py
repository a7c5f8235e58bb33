"""Rows of an export into contributions: planned first, then written.

:func:`plan_import` reads the file, settles the mapping, and turns every row
into a contribution, or a reason why not — without writing anything (that is
``--dry-run``). :func:`apply_import` writes the plan: the private register
first, then the contributions in chunks, each chunk all or nothing; a run
killed half-way leaves only complete files, and the next run finishes the job
since rows already imported are recognised by their source.

Decisions worth knowing:

* ids continue the numbering (``C-0001``…), in the file's order;
* the source of a row is ``(fichier, cle)``: the export's id column when it has
  one, else the row number; its *empreinte* is the sha256 of the mapped
  columns' normalised values (so a platform's counters — votes, comments —
  changing does not make a row « changed »), written in base32;
* e-mail addresses and phone numbers found in a public text are replaced by
  « [courriel retiré] » / « [téléphone retiré] » and kept in ``prive/``;
* a Decidim category is not kept (no front matter key holds it): the dry run
  reports it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from ateliers_cli import clock, schema
from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.fsutil import write_all
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers import formats as fmt
from ateliers_cli.importers.dates import DATE_FORMATS_HINT, parse_date
from ateliers_cli.importers.mapping import (
    CONTRIBUTION_FIELDS,
    Mapping,
    by_column_names,
    consent,
    load_mapping_file,
    match_themes,
    parse_map_options,
    personal_columns,
)
from ateliers_cli.importers.readers import Row, Table, read_table
from ateliers_cli.importers.territories import TerritoryIndex
from ateliers_cli.importers.util import fold, one_line, plural, tokens
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage
from ateliers_cli.store import paths
from ateliers_cli.store.contributions import check_header, existing_ids, id_prefix, meta_of, next_ids
from ateliers_cli.store.erasures import Tombstone
from ateliers_cli.store.front_matter import render
from ateliers_cli.store.paths import CONTRIBUTORS as PRIVATE_PATH
from ateliers_cli.store.paths import contribution_path
from ateliers_cli.store.persons import person_index
from ateliers_cli.store.private import ContributorRegister
from ateliers_cli.store.redaction import redact

Progress = Callable[[int, int], None]

#: Contributions written per all-or-nothing batch.
CHUNK = 250

PRIVATE_FIELDS = ("nom", "prenom", "courriel", "telephone", "adresse", "commune", "code_postal", "contact")


@dataclass
class ImportOptions:
    maps: list[str] = field(default_factory=list)
    mapping_file: Path | None = None
    profil: str | None = None
    canal: str | None = None
    territoire: str | None = None
    communes: Path | None = None
    sheet: str | None = None
    update: bool = False


@dataclass
class Issue:
    """Something about one row: why it was rejected, or a warning."""

    line: int
    message: str
    hint: str = ""
    kind: str = ""  # groups similar warnings in the report


@dataclass
class Planned:
    """One contribution to write (new, or updated with --update)."""

    id: str
    rel: str
    content: str
    line: int
    cle: str
    meta: dict[str, Any]
    texte: str
    private: dict[str, str]
    category: str = ""


@dataclass
class Known:
    """A row that was imported before."""

    line: int
    cle: str
    id: str
    updated: bool = False


@dataclass
class ImportPlan:
    table: Table
    fichier: str
    format: fmt.Format | None
    mapping: Mapping
    canal: str
    platform: str
    ignored_columns: list[str] = field(default_factory=list)
    private_columns: list[str] = field(default_factory=list)
    new: list[Planned] = field(default_factory=list)
    unchanged: list[Known] = field(default_factory=list)
    changed: list[Known] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    categories: Counter[str] = field(default_factory=Counter)
    theme_matches: Counter[tuple[str, tuple[str, ...]]] = field(default_factory=Counter)
    """Platform category → the themes it was given (``--map themes=COLONNE``), with counts."""
    unmatched_categories: Counter[str] = field(default_factory=Counter)
    """Why a category got no theme (the contribution is imported without), with counts."""
    private: ContributorRegister | None = None
    checksum: str = ""

    @property
    def to_write(self) -> list[Planned]:
        return self.new + self.updates

    def summary(self) -> dict[str, int]:
        return {
            "importees": len(self.new),
            "inchangees": len(self.unchanged),
            "modifiees": len(self.changed),
            "mises_a_jour": len(self.updates),
            "rejetees": len(self.rejected),
            "ignorees": len(self.skipped),
            "avertissements": len(self.warnings),
        }


# --- values ---------------------------------------------------------------------

_PROFILE_WORDS = {
    "habitant": "habitant",
    "habitante": "habitant",
    "habitants": "habitant",
    "particulier": "habitant",
    "particuliere": "habitant",
    "riverain": "habitant",
    "usager": "habitant",
    "citoyen": "citoyen",
    "citoyenne": "citoyen",
    "citoyens": "citoyen",
    "partenaire": "partenaire",
    "association": "partenaire",
    "entreprise": "partenaire",
    "organisation": "partenaire",
    "institution": "partenaire",
    "collectivite": "partenaire",
    "structure": "partenaire",
    "professionnel": "partenaire",
    "elu": "partenaire",
    "syndicat": "partenaire",
    "federation": "partenaire",
    "commune": "partenaire",
    "mairie": "partenaire",
}
_CANAL_WORDS = {
    "formulaire": "formulaire",
    "questionnaire": "formulaire",
    "courrier": "courrier",
    "lettre": "courrier",
    "postal": "courrier",
    "courriel": "courriel",
    "email": "courriel",
    "mail": "courriel",
    "reunion": "reunion",
    "rencontre": "reunion",
    "atelier": "reunion",
    "plateforme": "plateforme",
    "site": "plateforme",
    "internet": "plateforme",
    "ligne": "plateforme",
    "web": "plateforme",
    "telephone": "telephone",
    "tel": "telephone",
    "appel": "telephone",
    "autre": "autre",
}


def _by_words(value: str, words: dict[str, str]) -> str | None:
    """The one target the value's words point to (None when none or several)."""
    found = {words[t] for t in tokens(value) if t in words}
    return found.pop() if len(found) == 1 else None


class _Text(HTMLParser):
    """Rich text from a platform (``<p>``, ``<br>``, lists) as plain Markdown-ish text."""

    BLOCK: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "tr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCK and tag != "br":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        raw = "".join(self.parts)
        raw = re.sub(r"[ \t]+\n", "\n", raw)
        return re.sub(r"\n{3,}", "\n\n", raw).strip()


_HTML = re.compile(r"</?(?:p|br|div|ul|ol|li|strong|em|b|i|u|a|span|h[1-6])\b[^>]*>", re.IGNORECASE)


_MADAME = frozenset({"madame", "mme", "mme.", "mmes", "mademoiselle", "mlle", "mlle.", "f", "femme"})
_MONSIEUR = frozenset({"monsieur", "m", "m.", "mr", "mr.", "h", "homme"})


def civilite_of(value: str) -> str:
    """« Mme », « Madame » → ``madame`` ; « M. », « Monsieur » → ``monsieur`` ; anything else → ""
    (the profile then takes the consultation's inclusive form)."""
    word = fold(value).strip()
    if word in _MADAME:
        return "madame"
    if word in _MONSIEUR:
        return "monsieur"
    return ""


def html_to_text(value: str) -> str:
    """Plain text when ``value`` is HTML (recent Decidim bodies are); unchanged otherwise."""
    if not _HTML.search(value):
        return (
            html.unescape(value)
            if "&" in value and re.search(r"&(?:amp|lt|gt|quot|#\d+|nbsp|eacute);", value)
            else value
        )
    p = _Text()
    p.feed(value)
    p.close()
    return p.text()


def plain_to_markdown(value: str) -> str:
    """A cell's text as Markdown: HTML made plain, and each line break kept as a paragraph.

    People type in a plain text box: a line break they typed must stay one once
    the Markdown is rendered (where a single newline would join the lines).
    """
    text = html_to_text(value)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return re.sub(r"(?<!\n)\n(?!\n)", "\n\n", text)


# --- planning --------------------------------------------------------------------


def _fingerprint(row: Row, mapping: Mapping) -> str:
    data = {f"{name}:{col}": row.get(col) for name, cols in sorted(mapping.columns.items()) for col in cols}
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # base32, not hex: ten hex digits in a row can look like a phone number to the personal data check
    return base64.b32encode(hashlib.sha256(blob.encode("utf-8")).digest()).decode("ascii").rstrip("=").lower()


def resolve_mapping(table: Table, options: ImportOptions) -> tuple[fmt.Format | None, Mapping, list[str]]:
    """Detected format, then the mapping file, then --map; fields named plainly fill the rest."""
    notes: list[str] = []
    detected = fmt.detect(table)
    mapping = Mapping()
    if detected:
        mapping.update(detected.mapping)
    if options.mapping_file is not None:
        mapping.update(load_mapping_file(options.mapping_file, table, CONTRIBUTION_FIELDS))
    if options.maps:
        mapping.update(parse_map_options(options.maps, table, CONTRIBUTION_FIELDS))
    plain = by_column_names(table, CONTRIBUTION_FIELDS, mapping.used_columns())
    for name, cols in plain.columns.items():
        if name not in mapping.columns:
            mapping.columns[name] = cols
            mapping.origin[name] = plain.origin[name]
    if "texte" not in mapping.columns:
        listing = ", ".join(f"« {c} »" for c in table.columns[:20]) + (" …" if len(table.columns) > 20 else "")
        raise AteliersError(
            "format non reconnu : ni export Decidim, ni export du Grand Débat, et aucune colonne n'est désignée pour "
            "le texte",
            path=table.name,
            line=table.header_line,
            hint='indiquez les colonnes : --map texte="NOM DE LA COLONNE" (et date, commune, courriel…), ou un fichier '
            f'--mapping ; colonnes du fichier : {listing}',
        )
    return detected, mapping, notes


def _late_import_note(etape: Stage) -> str:
    """An import after the call for contributions is allowed (a late letter) but never silent."""
    if etape is Stage.CLOTUREE:
        return (
            "attention : la consultation est clôturée ; ces contributions arrivent après la fin de la démarche, "
            "et « ateliers check » demandera de les analyser (statut et thèmes)"
        )
    return (
        f"attention : l'appel à contributions est clos (étape en cours : « {etape.label} ») ; ces contributions "
        "arrivent en retard, et « ateliers check » demandera de les analyser (statut et thèmes)"
    )


def plan_import(
    c: Consultation,
    path: Path,
    options: ImportOptions,
    *,
    shown: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Everything the import would do, computed without writing anything."""
    shown = shown or str(path)
    for opt, allowed in (("profil", schema.PROFILS), ("canal", schema.CANAUX)):
        value = getattr(options, opt)
        if value is not None and value not in allowed:
            raise UsageError(
                f"--{opt} « {value} » inconnu", hint=did_you_mean(value, allowed) or f"valeurs : {', '.join(allowed)}"
            )
    if options.territoire is not None and options.territoire not in c.territoires:
        raise UsageError(
            f"--territoire « {options.territoire} » : territoire inconnu de consultation.yaml",
            hint=did_you_mean(options.territoire, c.territoires) or "territoires : " + ", ".join(c.territoires),
        )
    territories = TerritoryIndex(c)
    if not c.territoires:
        raise AteliersError(
            "aucun territoire dans consultation.yaml : une contribution doit être rattachée à un territoire",
            path="consultation.yaml",
            hint="déclarez les arrondissements sous « territoires: » (« ateliers aide consultation »)",
        )
    if options.communes is not None:
        territories.load_table(options.communes)
    table = read_table(path, shown, options.sheet)
    detected, mapping, notes = resolve_mapping(table, options)
    default_terr = options.territoire or mapping.defaults.get("territoire")
    if default_terr and default_terr not in c.territoires:
        raise AteliersError(
            f"territoire par défaut « {default_terr} » inconnu de consultation.yaml",
            path=str(options.mapping_file) if options.mapping_file else None,
            hint=did_you_mean(default_terr, c.territoires) or "territoires : " + ", ".join(c.territoires),
        )
    canal = options.canal or mapping.defaults.get("canal") or (detected.canal if detected else "formulaire")
    profil = options.profil or mapping.defaults.get("profil") or "habitant"
    platform = detected.platform if detected else "formulaire"
    plan = ImportPlan(table, Path(path).name, detected, mapping, canal, platform, notes=notes)
    plan.notes.extend(table.notes)
    if c.etape is not Stage.APPEL:
        plan.notes.append(_late_import_note(c.etape))
    used = mapping.used_columns()
    plan.private_columns = personal_columns(table, mapping)
    theme_titles = {t.id: t.titre for t in c.themes.values()}
    category_cols = detected.category_columns if detected else []
    skip_col = detected.skip_column if detected else ""
    plan.ignored_columns = [
        col
        for col in table.columns
        if col not in used and col not in plan.private_columns and col not in category_cols and col != skip_col
    ]
    if "date" not in mapping.columns:
        plan.notes.append(
            f"aucune colonne de date : les contributions sont datées du jour de l'import ({clock.today().isoformat()})"
        )
    if (
        "territoire" not in mapping.columns
        and "commune" not in mapping.columns
        and "code_postal" not in mapping.columns
    ):
        if territories.single:
            plan.notes.append(
                f"aucune colonne de territoire : tout est rattaché à l'unique territoire « {territories.single} »"
            )
        elif default_terr:
            plan.notes.append(f"aucune colonne de territoire : tout est rattaché à « {default_terr} » (--territoire)")

    origine = source_kind(platform)
    colonnes = columns_signature(table.columns)
    plan.checksum = file_checksum(path)
    known = known_records(c, plan.fichier)
    register = ContributorRegister(c.root)
    plan.private = register
    persons = person_index(c.root, register)
    tombstone = Tombstone.read(c.root)
    taken = existing_ids(c.root, c.contributions)
    # a file the loader could not read may still be an earlier import of this very row
    for cid in sorted(taken - set(c.contributions)):
        cle = _source_key_of_broken(c.root / contribution_path(cid), plan.fichier)
        if cle is not None:
            known.setdefault(f"ancien:{plan.fichier}:{cle}", Previous(cid, "", False))
            plan.notes.append(
                f"{contribution_path(cid)} est illisible (ateliers check) mais vient de ce fichier (clé « {cle} ») : "
                "la ligne n'est pas réimportée"
            )
    seen: dict[str, int] = {}
    seen_content: dict[str, int] = {}
    pending: list[tuple[Row, dict[str, Any]]] = []
    total = len(table.rows)
    texte_cols = mapping.columns["texte"]
    key_col = mapping.columns["cle"][0] if mapping.columns.get("cle") else None
    today = clock.today()
    undated: list[int] = []
    consent_unclear: Counter[str] = Counter()

    for i, row in enumerate(table.rows):
        if progress is not None and (i % 500 == 0 or i + 1 == total):
            progress(i + 1, total)
        if row.problem:
            plan.rejected.append(Issue(row.line, row.problem, "vérifiez cette ligne dans un tableur", "forme"))
            continue
        if detected and detected.skipped(row):
            plan.skipped.append(Issue(row.line, detected.skip_reason, kind="ignoree"))
            continue
        cle = row.get(key_col) if key_col else ""
        if key_col and not cle:
            plan.rejected.append(
                Issue(
                    row.line,
                    f"identifiant vide (colonne « {key_col} »)",
                    "chaque ligne de l'export doit avoir son identifiant",
                    "cle",
                )
            )
            continue
        if cle in seen:
            plan.rejected.append(
                Issue(
                    row.line,
                    f"identifiant « {cle} » en double (déjà ligne {seen[cle]})",
                    "supprimez le doublon dans le fichier",
                    "cle",
                )
            )
            continue
        empreinte = _fingerprint(row, mapping)
        if not cle and empreinte in seen_content:
            plan.skipped.append(
                Issue(
                    row.line,
                    f"ligne identique à la ligne {seen_content[empreinte]} : importée une fois",
                    kind="identique",
                )
            )
            continue
        if cle:
            seen[cle] = row.line
        else:
            seen_content[empreinte] = row.line
        identity = record_identity(origine, cle, empreinte, colonnes)
        label = f"clé « {cle} »" if cle else f"ligne {row.line}"
        row_warnings: list[Issue] = []  # reported only if the row is written

        # the text: one column as is, several each under its heading
        parts = []
        for col in texte_cols:
            value = plain_to_markdown(row.get(col))
            if not value:
                continue
            if len(texte_cols) > 1:
                heading = mapping.headings.get(col, col)
                parts.append(f"## {one_line(heading)}\n\n{value}")
            else:
                parts.append(value)
        texte = "\n\n".join(parts)
        if not texte:
            shown_cols = ", ".join(f"« {c} »" for c in texte_cols[:3]) + (" …" if len(texte_cols) > 3 else "")
            plan.rejected.append(
                Issue(
                    row.line,
                    f"texte vide (colonne{'s' if len(texte_cols) > 1 else ''} {shown_cols})",
                    "une contribution sans texte n'est pas importée",
                    "texte",
                )
            )
            continue

        def value_of(name: str, row: Row = row) -> str:
            cols = mapping.columns.get(name)
            return row.get(cols[0]) if cols else ""

        # date
        raw_date = value_of("date")
        if raw_date:
            date = parse_date(raw_date)
            if date is None:
                plan.rejected.append(Issue(row.line, f"date « {raw_date} » illisible", DATE_FORMATS_HINT, "date"))
                continue
        else:
            date = today
            if "date" in mapping.columns:
                undated.append(row.line)

        # profile and channel: translated, else recognised by their words, else reported
        prof, problem = _translate("profil", value_of("profil"), mapping, _PROFILE_WORDS, profil)
        if problem:
            plan.rejected.append(
                Issue(
                    row.line,
                    problem,
                    "traduisez cette valeur dans un fichier --mapping (« valeurs: profil: … ») ou retirez la colonne",
                    "profil",
                )
            )
            continue
        can, problem = _translate("canal", value_of("canal"), mapping, _CANAL_WORDS, canal)
        if problem:
            plan.rejected.append(
                Issue(
                    row.line,
                    problem,
                    "traduisez cette valeur dans un fichier --mapping (« valeurs: canal: … »)",
                    "canal",
                )
            )
            continue

        # territory
        terr_value = value_of("territoire")
        if terr_value and fold(terr_value) in mapping.values.get("territoire", {}):
            terr_value = mapping.values["territoire"][fold(terr_value)]
        res = territories.resolve(terr_value, value_of("commune"), value_of("code_postal"))
        terr = res.territoire
        if not terr:
            if territories.single:
                terr = territories.single
            elif default_terr:
                terr = default_terr
                if res.problem:
                    row_warnings.append(
                        Issue(
                            row.line,
                            f"{res.problem} : rattachée à « {default_terr} » (territoire par défaut)",
                            kind="territoire",
                        )
                    )
            else:
                reason = res.problem or "aucun territoire, commune ni code postal sur cette ligne"
                hint = (
                    res.hint
                    or "indiquez la colonne (--map commune=…, code_postal=… ou territoire=…) ou un territoire par "
                    "défaut (--territoire ID)"
                )
                plan.rejected.append(Issue(row.line, reason, hint, "territoire"))
                continue

        # consent
        raw_consent = value_of("publication")
        if raw_consent and fold(raw_consent) in mapping.values.get("publication", {}):
            publication = mapping.values["publication"][fold(raw_consent)] in ("oui", "true", "yes")
        else:
            said = consent(raw_consent)
            if said is None:
                consent_unclear[raw_consent] += 1
                said = False
            publication = said

        # public names; personal details aside
        organisation = one_line(value_of("organisation"))
        auteur = one_line(value_of("auteur")) or (organisation if prof == "partenaire" and organisation else "")
        titre = one_line(html_to_text(value_of("titre")))
        private = {name: one_line(value_of(name)) for name in PRIVATE_FIELDS if value_of(name)}
        erased_on = tombstone.match(private, auteur, (identity, f"empreinte:{empreinte}")) if tombstone else ""
        if erased_on:
            plan.skipped.append(
                Issue(
                    row.line,
                    f"personne effacée le {erased_on} (droit à l'effacement, {paths.ERASURES})",
                    kind="efface",
                )
            )
            continue
        placeholder = not auteur
        extras = [f"{col} : {one_line(row.get(col))}" for col in plan.private_columns if row.get(col)]
        found_emails: list[str] = []
        found_phones: list[str] = []
        cleaned = {}
        for key, value in (("texte", texte), ("titre", titre), ("auteur", auteur), ("organisation", organisation)):
            r = redact(value)
            cleaned[key] = r.text
            found_emails += r.emails
            found_phones += r.phones
        if found_emails or found_phones:
            if found_emails and found_phones:
                what = "adresse électronique et numéro de téléphone retirés du texte public (gardés"
            elif found_emails:
                what = "adresse électronique retirée du texte public (gardée"
            else:
                what = "numéro de téléphone retiré du texte public (gardé"
            row_warnings.append(Issue(row.line, f"{what} dans {PRIVATE_PATH})", kind="coordonnees"))
            for kind, values in (("courriel", found_emails), ("telephone", found_phones)):
                for v in values:
                    if not private.get(kind):
                        private[kind] = v
                    elif v != private[kind]:
                        extras.append(f"{kind} trouvé dans le texte : {v}")
        if extras:
            private["autres"] = " | ".join(extras)
        private["source"] = f"{plan.fichier}#{cle or row.line}"
        if any(v for k, v in private.items() if k != "source"):
            private["personne"] = persons.key(private, fallback=identity)

        meta: dict[str, Any] = {
            "id": "",
            "date": date,
            "profil": prof,
            "canal": can,
            "territoire": terr,
            "auteur": cleaned["auteur"],
            "organisation": cleaned["organisation"],
            "civilite": civilite_of(value_of("civilite")),
            "publication": publication,
            "themes": [],
            "statut": "nouvelle",
            "titre": cleaned["titre"],
            "source": {
                "origine": origine,
                "colonnes": colonnes,
                "fichier": plan.fichier,
                "somme": plan.checksum,
                "ligne": row.line,
                "cle": cle,
                "empreinte": empreinte,
            },
        }
        category = row.get(category_cols[0]) if category_cols else ""
        if category and "themes" not in mapping.columns:
            plan.categories[one_line(category)] += 1
        platform_category = one_line(value_of("themes"))
        if platform_category:  # --map themes=COLONNE: the category its author chose is a classification
            theme_ids, problem = match_themes(platform_category, theme_titles, mapping.values.get("themes", {}))
            if theme_ids:
                meta["themes"] = theme_ids
                meta["statut"] = "analysee"
                plan.theme_matches[(platform_category, tuple(theme_ids))] += 1
            else:
                plan.unmatched_categories[problem] += 1

        previous = (
            known.get(identity)
            or known.get(f"empreinte:{empreinte}")
            or known.get(f"ancien:{plan.fichier}:{cle or row.line}")
        )
        if previous is not None:
            if previous.empreinte == empreinte or previous.empreinte == "":
                plan.unchanged.append(Known(row.line, label, previous.id))
                continue
            if previous.efface:
                plan.skipped.append(
                    Issue(
                        row.line,
                        f"{label} : la contribution {previous.id} a été effacée (droit à l'effacement), "
                        "rien n'est rétabli",
                        kind="efface",
                    )
                )
                continue
            plan.changed.append(Known(row.line, label, previous.id, updated=options.update))
            if options.update:
                old = c.contributions[previous.id]
                kept = meta_of(old)
                # the analysts' work stays; what came from the export is refreshed
                for k in ("date", "profil", "territoire", "auteur", "organisation", "publication", "titre", "source"):
                    kept[k] = meta[k]
                if placeholder:
                    kept["auteur"] = old.auteur
                content = render(kept, cleaned["texte"])
                plan.warnings.extend(row_warnings)
                plan.updates.append(
                    Planned(
                        previous.id,
                        old.path or contribution_path(previous.id),
                        content,
                        row.line,
                        label,
                        kept,
                        cleaned["texte"],
                        private,
                        category,
                    )
                )
            continue
        pending.append(
            (
                row,
                {
                    "meta": meta,
                    "texte": cleaned["texte"],
                    "private": private,
                    "cle": label,
                    "category": category,
                    "warnings": row_warnings,
                    "placeholder": placeholder,
                },
            )
        )

    prefix = id_prefix(c.root) if pending else ""
    ids = next_ids(taken, len(pending), prefix)
    for cid, (row, item) in zip(ids, pending, strict=True):
        meta = item["meta"]
        meta["id"] = cid
        if item["placeholder"]:
            meta["auteur"] = placeholder_name(platform, cid)
        rel = contribution_path(cid)
        content = render(meta, item["texte"])
        problems = [d for d in check_header(meta, content, rel) if d.is_error or d.code == "cle-inconnue"]
        if problems:  # a value our checks refuse: say so rather than write a broken file
            plan.rejected.append(Issue(row.line, problems[0].message, problems[0].hint, "valeur"))
            continue
        plan.new.append(
            Planned(cid, rel, content, row.line, item["cle"], meta, item["texte"], item["private"], item["category"])
        )
        plan.warnings.extend(item["warnings"])
    # a rejected row above must not leave a gap in the numbering
    if len(plan.new) != len(pending):
        renumbered = next_ids(taken, len(plan.new), prefix)
        for p, cid in zip(plan.new, renumbered, strict=True):
            if p.id != cid:
                if p.meta["auteur"] == placeholder_name(platform, p.id):
                    p.meta["auteur"] = placeholder_name(platform, cid)
                p.meta["id"] = cid
                p.id, p.rel = cid, contribution_path(cid)
                p.content = render(p.meta, p.texte)

    for p in plan.to_write:
        register.set(p.id, p.private)
    # personal details whose contribution is not on disk (a register restored from a backup…)
    new_ids = {p.id for p in plan.new}
    for cid in [cid for cid in register.rows if cid not in taken and cid not in new_ids]:
        register.set(cid, None)
    if undated:
        listing = ", ".join(str(n) for n in undated[:10]) + (" …" if len(undated) > 10 else "")
        n_undated = len(undated)
        where = f"ligne {listing}" if n_undated == 1 else f"lignes {listing}"
        dated = "datée" if n_undated == 1 else "datées"
        message = (
            f"{plural(n_undated, 'ligne')} sans date ({where}) : {dated} du jour de l'import ({today.isoformat()})"
        )
        plan.warnings.append(Issue(undated[0], message, kind="date"))
    for value, n in consent_unclear.items():
        plan.warnings.append(
            Issue(
                0,
                f"consentement « {value} » ni oui ni non ({plural(n, 'ligne')}) : non publiable",
                "seul un « oui » clair vaut consentement",
                "publication",
            )
        )
    plan.rejected.sort(key=lambda i: i.line)
    return plan


def _source_key_of_broken(path: Path, fichier: str) -> str | None:
    """The ``source.cle`` of a contribution file too broken to load, if it came from ``fichier``."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    f = re.search(r"^\s+fichier:\s*['\"]?(.*?)['\"]?\s*$", text, re.MULTILINE)
    k = re.search(r"^\s+cle:\s*['\"]?(.*?)['\"]?\s*$", text, re.MULTILINE)
    if f and k and f.group(1) == fichier:
        return k.group(1)
    return None


def _translate(name: str, value: str, mapping: Mapping, words: dict[str, str], default: str) -> tuple[str, str]:
    """A profile or channel from a cell: (value, problem)."""
    if not value:
        return default, ""
    table = mapping.values.get(name, {})
    if fold(value) in table:
        return table[fold(value)], ""
    allowed = schema.PROFILS if name == "profil" else schema.CANAUX
    if fold(value) in allowed:
        return fold(value), ""
    found = _by_words(value, words)
    if found:
        return found, ""
    return "", f"{name} « {value} » non reconnu (attendu : {', '.join(allowed)})"


# --- writing ------------------------------------------------------------------------


def apply_import(root: Path, plan: ImportPlan, progress: Progress | None = None) -> None:
    """Write the plan as one change: the private register and every contribution, all or nothing.

    The caller holds the consultation's lock. A failure (a full disk, a read-only file)
    leaves every file as it was, ``prive/`` included; a run killed while the files are
    renamed into place is completed by the next command (the journal, :mod:`ateliers_cli.fsutil`).
    """
    files: dict[str, bytes | str | None] = {}
    register = plan.private.new_bytes() if plan.private is not None else None
    if register is not None:
        # first in the journal: no contribution is ever on disk without its personal details
        files[PRIVATE_PATH] = register
    items = plan.to_write
    for p in items:
        files[p.rel] = p.content.encode("utf-8")
    if files:
        write_all(root, files)
    if progress is not None:
        progress(len(items), len(items))


# --- identity of a source record ---------------------------------------------------------


@dataclass
class Previous:
    """A record imported before: its contribution, the fingerprint of its content then."""

    id: str
    empreinte: str
    efface: bool


def source_kind(platform: str) -> str:
    """``source.origine``: the platform, as a word (decidim, grand-debat, formulaire…)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(platform)).strip("-") or "formulaire"


def file_checksum(path: Path) -> str:
    """SHA-256 of the file, in base 32 (hex digits could pass for a phone number)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return base64.b32encode(h.digest()).decode("ascii").rstrip("=").lower()


def columns_signature(columns: list[str]) -> str:
    """``source.colonnes``: a short digest of the export's columns.

    Two platforms of the same kind number their records alike (two Decidim sites both have a
    proposal 1156): the id is the record's only within exports of the same shape."""
    blob = "\n".join(sorted(fold(c) for c in columns if c.strip()))
    return base64.b32encode(hashlib.sha256(blob.encode("utf-8")).digest()).decode("ascii")[:8].lower()


def record_identity(origine: str, cle: str, empreinte: str, colonnes: str = "") -> str:
    """Who a record is, whatever the file's name: the source's own id (within exports of the
    same platform and shape), else its content."""
    return f"cle:{origine}:{colonnes}:{cle}" if cle else f"empreinte:{empreinte}"


def known_records(c: Consultation, fichier: str) -> dict[str, Previous]:
    """Every record imported before, under each identity it can be recognised by."""
    known: dict[str, Previous] = {}
    for contrib in c.contributions.values():
        src = contrib.source or {}
        empreinte = str(src.get("empreinte") or "")
        previous = Previous(contrib.id, empreinte, contrib.efface is not None)
        cle = str(src.get("cle") or "")
        if src.get("origine"):
            if cle:
                known.setdefault(
                    record_identity(str(src["origine"]), cle, empreinte, str(src.get("colonnes") or "")), previous
                )
        elif src.get("fichier") == fichier and cle:
            # imported before provenance was recorded: the file's name and the row's key
            known.setdefault(f"ancien:{fichier}:{cle}", previous)
        if empreinte:
            known.setdefault(f"empreinte:{empreinte}", previous)
    return known


def placeholder_name(platform: str, cid: str) -> str:
    """The public name of a row without one: unique in the consultation (it holds the id)."""
    return f"Contributeur·rice {platform} {cid}"
