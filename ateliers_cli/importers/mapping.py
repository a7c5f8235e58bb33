"""Which column fills which field: ``--map CHAMP=COLONNE``, mapping files, column names.

A mapping says, for each field of a contribution (``texte``, ``date``,
``commune``…), which column(s) of the export hold it; optionally how to
translate values (``valeurs``) and what to use when a value is absent
(``defauts``). Personal fields (``nom``, ``courriel``…) are marked: their
values only ever go to ``prive/``.

A mapping file looks like this::

    # Correspondance des colonnes du formulaire en ligne
    colonnes:
      texte: Votre contribution        # ou une liste de colonnes : [Question 1, Question 2]
      date: Horodateur
      commune: Votre commune
      courriel: Adresse e-mail
      publication: J'accepte que ma contribution soit citée
      themes: category/name/fr         # la catégorie choisie sur la plateforme
    valeurs:                           # facultatif : traduire les valeurs d'une colonne
      profil:
        Particulier: habitant
        Association: partenaire
      themes:                          # sinon, rapprochées des titres de themes.yaml
        Économie et emploi: [finances, emploi]
    defauts:                           # facultatif : quand la valeur manque
      profil: habitant
      canal: formulaire
      territoire: lille
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli.errors import AteliersError, Diagnostic, UsageError, error
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.readers import Table
from ateliers_cli.importers.util import fold, tokens


@dataclass(frozen=True)
class Field:
    name: str
    doc: str
    private: bool = False
    multi: bool = False  # several columns allowed


CONTRIBUTION_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "texte",
            "le texte de la contribution (obligatoire ; plusieurs colonnes : chacune sous son titre)",
            multi=True,
        ),
        Field("titre", "un titre court"),
        Field("date", "la date de la contribution"),
        Field("cle", "l'identifiant de la ligne dans l'export (à défaut : le numéro de ligne)"),
        Field("auteur", "le nom public ou le pseudonyme affiché"),
        Field("organisation", "l'organisation, pour un partenaire"),
        Field("civilite", "Madame ou Monsieur (accorde le profil : « habitante », « habitant »)"),
        Field("profil", "habitant, citoyen ou partenaire"),
        Field("canal", "formulaire, courrier, courriel, reunion, plateforme, telephone ou autre"),
        Field("territoire", "l'arrondissement (identifiant ou nom)"),
        Field("publication", "le consentement à être cité publiquement (oui / non)"),
        Field(
            "themes",
            "la catégorie choisie sur la plateforme : rapprochée des titres de themes.yaml, ou traduite par « "
            "valeurs: themes: »",
        ),
        Field("commune", "la commune (gardée dans prive/ ; sert à trouver le territoire)", private=True),
        Field("code_postal", "le code postal (gardé dans prive/ ; sert à trouver le territoire)", private=True),
        Field("nom", "le nom (gardé dans prive/)", private=True),
        Field("prenom", "le prénom (gardé dans prive/)", private=True),
        Field("courriel", "l'adresse électronique (gardée dans prive/)", private=True),
        Field("telephone", "le téléphone (gardé dans prive/)", private=True),
        Field("adresse", "l'adresse postale (gardée dans prive/)", private=True),
        Field(
            "contact",
            "l'accord pour être recontacté·e (oui / non ; gardé dans prive/) : les courriers d'« ateliers courrier »",
            private=True,
        ),
    )
}

#: The fields of a registration export (« ateliers inscriptions import »).
INSCRIPTION_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("nom", "le nom", private=True),
        Field("prenom", "le prénom", private=True),
        Field("courriel", "l'adresse électronique", private=True),
        Field("telephone", "le téléphone", private=True),
        Field(
            "atelier",
            "l'atelier choisi (identifiant, titre ou lieu) ; des choix classés : « lille-1, lille-2 » ou une colonne "
            "par choix",
            multi=True,
        ),
        Field("territoire", "le territoire choisi, quand l'atelier n'est pas précisé"),
        Field("commune", "la commune, pour trouver le territoire", private=True),
        Field("code_postal", "le code postal, pour trouver le territoire", private=True),
        Field("date", "la date (et l'heure) d'inscription : l'ordre d'attribution des places"),
        Field("cle", "l'identifiant de l'inscription dans l'export"),
        Field("besoins", "les besoins cochés (« Accès PMR, Interprète LSF… »)", multi=True),
        Field("pmr", "besoin d'un accès pour personne à mobilité réduite (oui / non)"),
        Field("lsf", "besoin d'une interprétation en langue des signes (oui / non)"),
        Field("garde_enfants", "besoin d'une garde d'enfants (oui / non)"),
        Field("autre", "autre besoin (texte libre)"),
        Field(
            "contact",
            "l'accord pour être recontacté·e (oui / non) : invitations, suites de la consultation",
            private=True,
        ),
    )
}

#: Fields whose value can be translated by ``valeurs`` or defaulted by ``defauts``.
VALUE_FIELDS = ("profil", "canal", "territoire", "publication", "themes")
DEFAULT_FIELDS = ("profil", "canal", "territoire")

#: Column names (folded) that name a field without doubt, for files that use plain names.
#: The person's fields (name, contacts, commune, consent to be contacted) serve the registration
#: forms too (:mod:`ateliers_cli.inscriptions`).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "texte": ("texte", "contribution", "votre contribution", "texte de la contribution", "message", "votre message"),
    "titre": ("titre", "objet", "sujet", "titre de la contribution"),
    "date": (
        "date",
        "date de la contribution",
        "date de depot",
        "date de reception",
        "horodateur",
        "horodatage",
        "date de creation",
    ),
    "cle": ("id", "identifiant", "reference", "numero", "n°", "no"),
    "auteur": ("auteur", "pseudonyme", "pseudo", "nom public", "signature publique"),
    "organisation": ("organisation", "structure", "nom de la structure", "nom de l'organisation", "association"),
    "civilite": ("civilite", "civilité", "titre de civilite", "madame / monsieur"),
    "profil": ("profil", "vous etes", "vous participez en tant que", "type de contributeur", "type de participant"),
    "canal": ("canal",),
    "territoire": ("territoire", "arrondissement"),
    "publication": ("publication", "consentement", "accord de publication", "autorisation de publication"),
    "commune": ("commune", "ville", "votre commune", "commune de residence"),
    "code_postal": ("code postal", "code_postal", "cp", "votre code postal"),
    "nom": ("nom", "nom de famille", "votre nom", "name", "last name", "lastname", "surname"),
    "prenom": ("prenom", "votre prenom", "first name", "firstname"),
    "courriel": (
        "courriel",
        "email",
        "e-mail",
        "mail",
        "adresse e-mail",
        "adresse email",
        "adresse mail",
        "adresse electronique",
        "votre e-mail",
        "votre courriel",
    ),
    "telephone": ("telephone", "tel", "tel.", "portable", "mobile", "phone", "numero de telephone", "votre telephone"),
    "adresse": ("adresse", "adresse postale", "address", "votre adresse"),
    "contact": (
        "contact",
        "accord contact",
        "accord de contact",
        "recontact",
        "accord pour etre recontacte",
        "accepte d'etre recontacte",
        "j'accepte d'etre recontacte",
        "j'accepte d'etre recontactee",
    ),
}
_BY_NAME = {name: f for f, names in COLUMN_NAMES.items() for name in names}

#: Words that make an unmapped column personal: its values go to prive/, never elsewhere.
PERSONAL_WORDS = frozenset(
    {
        "nom", "prenom", "name", "firstname", "lastname", "surname", "nickname",
        "email", "mail", "courriel", "telephone", "tel", "phone", "portable", "mobile",
        "adresse", "address", "rue", "naissance", "birthdate", "birthday", "age", "ip",
        "siret", "iban",
    }
)


#: Things of a platform whose « name » is not a person's: « category/name/fr », « scope/name/fr »…
THING_WORDS = frozenset(
    {
        "category", "categories", "categorie", "scope", "scopes", "taxonomy", "taxonomies", "component",
        "composant", "theme", "themes", "thematique", "space", "espace", "process", "processus", "assembly",
        "assemblee", "participatory", "project", "projet", "meeting", "reunion", "organization", "tag", "tags",
        "rubrique", "sujet", "topic", "label", "ville", "commune", "quartier", "site", "structure",
    }
)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_PHONE_RE = re.compile(r"^\+?[\d .()-]{9,}$")


def is_personal_column(name: str, values: list[str] | None = None) -> bool:
    """Whether an unmapped column holds personal data: it goes to prive/, never elsewhere.

    What the column holds decides, not a word of its header alone: e-mail addresses or phone
    numbers make any column personal; a header with « nom »/« name » is personal unless it names
    a thing of the platform (« category/name/fr », « scope/name/fr ») or its values are a few
    labels repeated over the rows (categories, not people).
    """
    cells = [v for v in (values or []) if v and v.strip()]
    if cells:
        contact = sum(1 for v in cells if _EMAIL_RE.search(v) or _PHONE_RE.match(v.strip()))
        if contact * 5 >= len(cells):
            return True
    words = tokens(name)
    hits = PERSONAL_WORDS.intersection(words)
    if not hits:
        return False
    if hits <= {"name", "nom"}:
        if THING_WORDS.intersection(words):
            return False
        if len(cells) >= 10 and len(set(cells)) * 5 <= len(cells):
            return False
    return True


def _consent_column(name: str) -> bool:
    f = fold(name)
    return (
        "consent" in f
        or ("accept" in f and ("publi" in f or "cit" in f or "diffus" in f))
        or "accord de publication" in f
    )


@dataclass
class Mapping:
    """Columns for each field, value translations, defaults, and where each came from."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> folded value -> target
    defaults: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # field -> « --map », « fichier », « Decidim »…
    headings: dict[str, str] = field(default_factory=dict)  # texte column -> heading in the text

    def update(self, other: Mapping) -> None:
        """``other`` wins, field by field."""
        for f, cols in other.columns.items():
            self.columns[f] = list(cols)
            self.origin[f] = other.origin.get(f, "")
        for f, vals in other.values.items():
            self.values.setdefault(f, {}).update(vals)
        self.defaults.update(other.defaults)
        self.headings.update(other.headings)

    def used_columns(self) -> set[str]:
        return {c for cols in self.columns.values() for c in cols}


def find_column(wanted: str, table: Table) -> str | None:
    """The column named ``wanted``: exactly, else ignoring case, accents and blanks."""
    if wanted in table.columns:
        return wanted
    target = fold(wanted)
    matches = [c for c in table.columns if fold(c) == target]
    return matches[0] if len(matches) == 1 else None


def _missing_column(wanted: str, table: Table, where: str) -> str:
    return f"{where}colonne « {wanted} » absente du fichier"


def _columns_hint(wanted: str, table: Table) -> str:
    close = did_you_mean(wanted, table.columns)
    listing = ", ".join(f"« {c} »" for c in table.columns[:30]) + (" …" if len(table.columns) > 30 else "")
    return (close + " — " if close else "") + f"colonnes du fichier : {listing}"


def parse_map_options(options: list[str], table: Table, fields: dict[str, Field]) -> Mapping:
    """``--map texte="Votre contribution" --map date=Date``.

    A field may be given twice when it takes several columns."""
    m = Mapping()
    for opt in options:
        if "=" not in opt:
            raise UsageError(
                f"--map « {opt} » : la forme attendue est CHAMP=COLONNE",
                hint='par exemple : --map texte="Votre contribution"',
            )
        name, column = (s.strip() for s in opt.split("=", 1))
        name = name.lower()
        if name not in fields:
            raise UsageError(
                f"--map : champ « {name} » inconnu",
                hint=(did_you_mean(name, fields) + " — " if did_you_mean(name, fields) else "")
                + "champs : "
                + ", ".join(fields),
            )
        found = find_column(column, table)
        if found is None:
            raise AteliersError(
                _missing_column(column, table, f"--map {name}=… : "),
                path=table.name,
                line=table.header_line,
                hint=_columns_hint(column, table),
            )
        cols = m.columns.setdefault(name, [])
        if cols and not fields[name].multi:
            raise UsageError(
                f"--map : le champ « {name} » est donné deux fois",
                hint="une seule colonne pour ce champ (seul « texte » en accepte plusieurs)",
            )
        cols.append(found)
        m.origin[name] = "--map"
    return m


def load_mapping_file(
    path: Path,
    table: Table,
    fields: dict[str, Field],
    shown: str | None = None,
    *,
    value_fields: tuple[str, ...] = VALUE_FIELDS,
    default_fields: tuple[str, ...] = DEFAULT_FIELDS,
) -> Mapping:
    """Read a mapping file (YAML); every problem is reported at once, with its line."""
    from ateliers_cli import schema
    from ateliers_cli.yamlio import LineDict, line_of, parse_yaml, read_text

    rel = shown or str(path)
    if not path.is_file():
        raise AteliersError(
            "fichier de correspondance introuvable", path=rel, hint="vérifiez le chemin donné à --mapping"
        )
    text, diags = read_text(path, rel, path.parent)
    if text is None:
        raise AteliersError("fichier de correspondance illisible", path=rel, details=diags)
    if not text.strip():
        raise AteliersError(
            "fichier de correspondance vide",
            path=rel,
            hint="écrivez au moins « colonnes: » puis « texte: NOM DE LA COLONNE »",
        )
    loaded = parse_yaml(text, rel)
    if not loaded.ok:
        raise AteliersError("fichier de correspondance invalide", path=rel, details=loaded.diagnostics)
    data = loaded.data
    problems: list[Diagnostic] = list(loaded.diagnostics)
    if not isinstance(data, dict):
        raise AteliersError(
            "le fichier de correspondance doit être un bloc de clés (colonnes, valeurs, defauts)", path=rel, line=1
        )
    known_top = ("colonnes", "valeurs", "defauts")
    columns_block: Any
    if "colonnes" in data or any(k in known_top for k in data):
        columns_block = data.get("colonnes", LineDict())
        for k in data:
            if k not in known_top:
                problems.append(
                    error(
                        rel,
                        line_of(data, k),
                        f"clé « {k} » inconnue",
                        did_you_mean(str(k), known_top) or "clés possibles : colonnes, valeurs, defauts",
                    )
                )
    else:
        columns_block = data  # a flat file: « texte: Votre contribution »
    m = Mapping()
    if not isinstance(columns_block, dict):
        problems.append(error(rel, line_of(data, "colonnes", 1), "« colonnes » doit être un bloc « champ: colonne »"))
        columns_block = {}
    for key, value in columns_block.items():
        kline = line_of(columns_block, key, 1)
        name = str(key).lower()
        if name not in fields:
            problems.append(
                error(
                    rel,
                    kline,
                    f"champ « {key} » inconnu",
                    did_you_mean(name, fields) or "champs : " + ", ".join(fields),
                )
            )
            continue
        wanted = value if isinstance(value, list) else [value]
        if len(wanted) > 1 and not fields[name].multi:
            problems.append(
                error(
                    rel,
                    kline,
                    f"une seule colonne pour le champ « {name} »",
                    "seul « texte » accepte une liste de colonnes",
                )
            )
            continue
        cols = []
        for w in wanted:
            if w is None or (isinstance(w, str) and not w.strip()):
                problems.append(
                    error(
                        rel,
                        kline,
                        f"colonne vide pour le champ « {name} »",
                        "écrivez le nom exact de la colonne, entre guillemets s'il contient « : »",
                    )
                )
                continue
            found = find_column(str(w), table)
            if found is None:
                problems.append(
                    error(rel, kline, f"colonne « {w} » absente de {table.name}", _columns_hint(str(w), table))
                )
            else:
                cols.append(found)
        if cols:
            m.columns[name] = cols
            m.origin[name] = "fichier de correspondance"
    valeurs = data.get("valeurs") if "colonnes" in data or "valeurs" in data else None
    if valeurs is not None:
        if not isinstance(valeurs, dict):
            problems.append(
                error(rel, line_of(data, "valeurs", 1), "« valeurs » doit être un bloc « champ: {valeur: traduction} »")
            )
        else:
            for key, table_ in valeurs.items():
                kline = line_of(valeurs, key, 1)
                if key not in value_fields:
                    problems.append(
                        error(
                            rel,
                            kline,
                            f"« valeurs » : champ « {key} » non traduisible",
                            "champs possibles : " + ", ".join(value_fields),
                        )
                    )
                    continue
                if not isinstance(table_, dict):
                    problems.append(
                        error(rel, kline, f"« valeurs.{key} » doit être un bloc « valeur du fichier: valeur attendue »")
                    )
                    continue
                for src, dst in table_.items():
                    if isinstance(dst, list):  # « Économie: [finances, emploi] »: several themes
                        dst = ", ".join(str(d) for d in dst)
                    dst_s = ("oui" if dst else "non") if isinstance(dst, bool) else str(dst)
                    if key == "profil" and dst_s not in schema.PROFILS:
                        problems.append(
                            error(
                                rel,
                                line_of(table_, src, kline),
                                f"profil « {dst_s} » inconnu",
                                did_you_mean(dst_s, schema.PROFILS) or "profils : " + ", ".join(schema.PROFILS),
                            )
                        )
                        continue
                    if key == "canal" and dst_s not in schema.CANAUX:
                        problems.append(
                            error(
                                rel,
                                line_of(table_, src, kline),
                                f"canal « {dst_s} » inconnu",
                                did_you_mean(dst_s, schema.CANAUX) or "canaux : " + ", ".join(schema.CANAUX),
                            )
                        )
                        continue
                    m.values.setdefault(key, {})[fold(str(src))] = dst_s
    defauts = data.get("defauts") if "colonnes" in data or "defauts" in data else None
    if defauts is not None:
        if not isinstance(defauts, dict):
            problems.append(error(rel, line_of(data, "defauts", 1), "« defauts » doit être un bloc « champ: valeur »"))
        else:
            for key, value in defauts.items():
                kline = line_of(defauts, key, 1)
                if key not in default_fields:
                    problems.append(
                        error(
                            rel,
                            kline,
                            f"« defauts » : champ « {key} » sans valeur par défaut possible",
                            "champs possibles : " + ", ".join(default_fields),
                        )
                    )
                    continue
                v = str(value)
                if key == "profil" and v not in schema.PROFILS:
                    problems.append(
                        error(
                            rel,
                            kline,
                            f"profil « {v} » inconnu",
                            did_you_mean(v, schema.PROFILS) or "profils : " + ", ".join(schema.PROFILS),
                        )
                    )
                    continue
                if key == "canal" and v not in schema.CANAUX:
                    problems.append(
                        error(
                            rel,
                            kline,
                            f"canal « {v} » inconnu",
                            did_you_mean(v, schema.CANAUX) or "canaux : " + ", ".join(schema.CANAUX),
                        )
                    )
                    continue
                m.defaults[key] = v
    errors = [d for d in problems if d.is_error]
    if errors:
        raise AteliersError(
            f"fichier de correspondance : {len(errors)} problème{'s' if len(errors) > 1 else ''}",
            path=rel,
            details=errors,
        )
    return m


def by_column_names(table: Table, fields: dict[str, Field], taken: set[str]) -> Mapping:
    """Fields named plainly by the file's columns (« Date », « E-mail », « Code postal »…)."""
    m = Mapping()
    for col in table.columns:
        if col in taken:
            continue
        f = fold(col).rstrip(" :?*")
        name = _BY_NAME.get(f)
        if name is None and _consent_column(col):
            name = "publication"
        if name is None or name not in fields or name in m.columns:
            continue
        m.columns[name] = [col]
        m.origin[name] = "nom de colonne"
    return m


def personal_columns(table: Table, mapping: Mapping) -> list[str]:
    """Columns not mapped to a field whose name says they hold personal data."""
    used = mapping.used_columns()
    return [
        c for c in table.columns if c not in used and is_personal_column(c, [row.get(c) for row in table.rows[:1000]])
    ]


def match_themes(value: str, themes: dict[str, str], translations: dict[str, str]) -> tuple[list[str], str]:
    """The themes of a platform category: (theme ids, "") or ([], why not).

    In order: the mapping file's « valeurs: themes: » (folded name → ids, comma-separated);
    a theme id or title written the same (case and accents aside); else the one theme whose
    title or id shares most of the category's meaningful words (French stems: « Transports
    et mobilité » finds « Mobilité »), or whose spelling is very close. Several categories
    separated by « ; » or « | » give several themes.
    """
    found: list[str] = []
    for part in re.split(r"[;|]", value):
        part = part.strip()
        if not part:
            continue
        key = fold(part)
        if key in translations:
            wanted = [t.strip() for t in translations[key].split(",") if t.strip()]
            unknown = [t for t in wanted if t not in themes]
            if unknown:
                return [], f"« valeurs: themes: » traduit « {part} » en « {', '.join(unknown)} », absent de themes.yaml"
            found += [t for t in wanted if t not in found]
            continue
        theme = _closest_theme(part, themes)
        if theme is None:
            return [], f"catégorie « {part} » : aucun thème de themes.yaml ne lui correspond"
        if theme not in found:
            found.append(theme)
    return found, ""


def _closest_theme(category: str, themes: dict[str, str]) -> str | None:
    import difflib

    from ateliers_cli.analysis.text import fold_accents
    from ateliers_cli.analysis.text import tokens as stems

    key = fold(category)
    for tid, titre in themes.items():
        if key in (fold(tid), fold(titre), fold(tid.replace("-", " "))):
            return tid
    wanted = set(stems(category, fold=True))
    scored: list[tuple[float, str]] = []
    for tid, titre in themes.items():
        have = set(stems(f"{titre} {tid.replace('-', ' ')}", fold=True))
        overlap = len(wanted & have) / len(wanted) if wanted else 0.0
        spelling = max(
            difflib.SequenceMatcher(None, key, fold(titre)).ratio(),
            difflib.SequenceMatcher(None, key, fold_accents(tid)).ratio(),
        )
        scored.append((max(overlap, spelling if spelling >= 0.85 else 0.0), tid))
    scored.sort(key=lambda x: (-x[0], x[1]))
    if not scored or scored[0][0] < 0.5 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


_YES = re.compile(
    r"^(oui|o|yes|y|true|vrai|1|x|ok|d'accord|accord|j'accepte|accepte|j'autorise|autorise|je consens|consent)\b"
)
_NO = re.compile(r"^(non|n|no|false|faux|0|-|refus|je refuse|je n'accepte pas|pas d'accord)(\b|$)")


def consent(value: str) -> bool | None:
    """True for a clear yes, False for no or nothing, None for something else (reported)."""
    f = fold(value)
    if not f:
        return False
    if _YES.match(f):
        return True
    if _NO.match(f):
        return False
    return None
