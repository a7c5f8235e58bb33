"""Contributions on disk: the next id, one file per contribution, its personal details aside.

A contribution is written as its YAML front matter (:mod:`.front_matter`), keys in
the order of docs/format.md, then its Markdown text. Personal details never go
there: they go to ``prive/contributeurs.csv`` (:class:`.private.ContributorRegister`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli.errors import AteliersError, Diagnostic
from ateliers_cli.importers.util import fold
from ateliers_cli.model import Contribution
from ateliers_cli.store.front_matter import OPTIONAL_TEXTS, header_values, render
from ateliers_cli.store.paths import CONTRIBUTORS, contribution_path
from ateliers_cli.store.private import ContributorRegister, id_sort_key
from ateliers_cli.store.redaction import redact

_NUMBERED = re.compile(r"^C-(\d+)$")


# --- ids ----------------------------------------------------------------------


def existing_ids(root: Path, known: Iterable[str] = ()) -> set[str]:
    """Every contribution id taken: the loaded ones and every file name in contributions/."""
    ids = set(known)
    folder = root / "contributions"
    if folder.is_dir():
        for entry in os.scandir(folder):
            if entry.name.endswith(".md") and not entry.name.startswith("."):
                ids.add(entry.name[:-3])
    return ids


def next_ids(taken: Iterable[str], count: int, prefix: str = "") -> list[str]:
    """``count`` new ids continuing the numbering: C-0001… (4 digits, more when needed).

    With a ``prefix`` (a facilitator's block, :func:`id_prefix`), the block has its own
    numbering: C-NORD-0001, C-NORD-0002…
    """
    taken = set(taken)
    head = f"C-{prefix}-" if prefix else "C-"
    numbered = re.compile(rf"^{re.escape(head)}(\d+)$")
    numbers = [int(m.group(1)) for i in taken if (m := numbered.match(i))]
    n = max(numbers, default=0)
    out: list[str] = []
    while len(out) < count:
        n += 1
        cid = f"{head}{n:04d}"
        if cid not in taken:
            out.append(cid)
    return out


#: Branches where contributions are numbered without a block (C-0001…).
MAIN_BRANCHES = ("main", "master", "principale", "trunk")
ENV_PREFIX = "ATELIERS_ANIMATEUR"


def clean_prefix(value: str) -> str:
    """A block name as it goes into an id: capitals, digits, single dashes, at most 16 characters."""
    from ateliers_cli.importers.util import fold

    letters = re.sub(r"[^A-Z0-9]+", "-", fold(value).upper()).strip("-")
    if len(letters) <= 16:
        return letters
    # two long names sharing their beginning (arrondissement-lille-1, -2) must not share a block
    digest = base64.b32encode(hashlib.sha256(letters.encode("utf-8")).digest()).decode("ascii")[:4]
    return f"{letters[:11].strip('-')}-{digest}"


def id_prefix(root: Path) -> str:
    """The block of ids new contributions get here, so that facilitators never collide.

    In this order: the environment variable ``ATELIERS_ANIMATEUR``; the git setting
    ``ateliers.animateur`` of this clone (``git config ateliers.animateur nord``); the
    name of the current git branch unless it is the main one. None of these: no block
    (C-0001…), for a consultation kept by one person. See docs/plusieurs-animateurs.md.
    """
    given = os.environ.get(ENV_PREFIX, "")
    if given:
        return clean_prefix(given)
    from ateliers_cli import gitrepo

    if not gitrepo.available():
        return ""
    setting = gitrepo._git(root, "config", "--get", "ateliers.animateur", check=False)
    if setting.returncode == 0 and setting.stdout.strip():
        return clean_prefix(setting.stdout.strip())
    branch = gitrepo._git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    name = branch.stdout.strip() if branch.returncode == 0 else ""
    if not name or name in MAIN_BRANCHES:
        return ""
    return clean_prefix(name)


def meta_of(c: Contribution) -> dict[str, Any]:
    """The front matter of a loaded contribution, to write it back."""
    meta: dict[str, Any] = {
        "id": c.id,
        "date": c.date,
        "profil": c.profil,
        "canal": c.canal,
        "territoire": c.territoire,
        "auteur": c.auteur,
        "organisation": c.organisation,
        "publication": c.publication,
        "themes": list(c.themes),
        "statut": c.statut,
        "doublon_de": c.doublon_de,
        "titre": c.titre,
    }
    for key in OPTIONAL_TEXTS:  # kept when a command writes the header back
        if getattr(c, key):
            meta[key] = getattr(c, key)
    if c.source:
        meta["source"] = {k: v for k, v in c.source.items() if not str(k).startswith("_")}
    if c.efface:
        meta["efface"] = c.efface
    return meta


# --- listing ---------------------------------------------------------------------------


@dataclass
class Filters:
    statut: str | None = None
    theme: str | None = None
    territoire: str | None = None
    profil: str | None = None
    canal: str | None = None
    texte: str | None = None


def matches(c: Contribution, f: Filters) -> bool:
    if f.statut and c.statut != f.statut:
        return False
    if f.theme and f.theme not in c.themes:
        return False
    if f.territoire and c.territoire != f.territoire:
        return False
    if f.profil and c.profil != f.profil:
        return False
    if f.canal and c.canal != f.canal:
        return False
    if f.texte:
        needle = fold(f.texte)
        hay = fold(f"{c.titre} {c.auteur} {c.organisation} {c.texte}")
        if needle not in hay:
            return False
    return True


def select(contributions: Iterable[Contribution], f: Filters) -> list[Contribution]:
    """The contributions matching every filter, by id."""
    return sorted((c for c in contributions if matches(c, f)), key=lambda c: id_sort_key(c.id))


def as_json(c: Contribution) -> dict[str, Any]:
    """What ``contributions list --json`` prints: the public fields (never prive/)."""
    data = {k: v for k, v in meta_of(c).items() if k not in ("source", "efface")}
    data["date"] = c.date.isoformat() if isinstance(c.date, (dt.date, dt.datetime)) else None
    data["doublon_de"] = c.doublon_de or None
    data["texte"] = c.texte.strip()
    data["fichier"] = c.path
    return data


def check_header(meta: Mapping[str, Any], text: str, rel: str) -> list[Diagnostic]:
    """:func:`check_rendered` of ``text == render(meta, …)`` without parsing it back.

    The header is validated as the values it was written from: libyaml's safe emitter writes
    them so that they load back unchanged (tests/test_properties.py holds it for any text), so
    the schema sees what the loader will see — for a hundredth of the cost of reading the YAML
    again, which an import of 100 000 rows pays per row. The personal data check reads the
    file's whole text, as ``check`` will."""
    from ateliers_cli import schema
    from ateliers_cli.checks import personal_data

    _, diags = schema.validate(header_values(meta), schema.CONTRIBUTION, rel)
    diags.extend(personal_data.scan(text, rel))
    return diags


def check_rendered(text: str, rel: str) -> list[Diagnostic]:
    """Parse a contribution as the loader will and validate it: what we write loads cleanly."""
    from ateliers_cli import schema
    from ateliers_cli.checks import personal_data
    from ateliers_cli.yamlio import parse_front_matter

    loaded = parse_front_matter(text, rel)
    diags = list(loaded.diagnostics)
    if loaded.ok:
        _, d = schema.validate(loaded.data, schema.CONTRIBUTION, rel)
        diags.extend(d)
    diags.extend(personal_data.scan(text, rel))
    return diags


# --- one contribution by hand ----------------------------------------------------------


@dataclass
class NewContribution:
    """What ``contributions add`` was given (a letter, meeting notes)."""

    texte: str
    profil: str
    canal: str
    territoire: str
    auteur: str
    date: dt.date
    organisation: str = ""
    titre: str = ""
    publication: bool = False
    themes: list[str] = field(default_factory=list)
    private: dict[str, str] = field(default_factory=dict)
    civilite: str = ""  # madame | monsieur, when the letter says it


@dataclass
class Prepared:
    id: str
    rel: str
    content: str
    private: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def prepare_new(c: Any, new: NewContribution) -> Prepared:
    """Validate a hand-made contribution and give it the next id (nothing written)."""
    from ateliers_cli import schema
    from ateliers_cli.errors import UsageError
    from ateliers_cli.hints import did_you_mean

    def refuse(option: str, value: str, allowed: Iterable[str], what: str) -> None:
        allowed = list(allowed)
        raise UsageError(
            f"{option} « {value} » : {what} inconnu",
            hint=did_you_mean(value, allowed) or (f"valeurs possibles : {', '.join(allowed)}" if allowed else ""),
        )

    if new.profil not in schema.PROFILS:
        refuse("--profil", new.profil, schema.PROFILS, "profil")
    if new.canal not in schema.CANAUX:
        refuse("--canal", new.canal, schema.CANAUX, "canal")
    if new.territoire not in c.territoires:
        refuse("--territoire", new.territoire, c.territoires, "territoire")
    for t in new.themes:
        if t not in c.themes:
            refuse("--theme", t, c.themes, "thème")
    warnings: list[str] = []
    private = {k: " ".join(v.split()) for k, v in new.private.items() if v and v.strip()}
    fields_out: dict[str, str] = {}
    for key, value in (
        ("texte", new.texte),
        ("titre", new.titre),
        ("auteur", new.auteur),
        ("organisation", new.organisation),
    ):
        r = redact(value.replace("\r\n", "\n").strip() if key == "texte" else " ".join(value.split()))
        fields_out[key] = r.text
        for kind, found in (("courriel", r.emails), ("telephone", r.phones)):
            for v in found:
                what, e = ("adresse électronique", "e") if kind == "courriel" else ("numéro de téléphone", "")
                warnings.append(f"{what} retiré{e} du champ « {key} » et gardé{e} dans {CONTRIBUTORS}")
                if not private.get(kind):
                    private[kind] = v
                else:
                    private["autres"] = (private.get("autres", "") + f" | {kind} : {v}").strip(" |")
    if not fields_out["texte"]:
        raise UsageError(
            "texte vide : rien n'est enregistré",
            hint="donnez le texte avec --texte, --texte - (entrée standard) ou --editor",
        )
    if not fields_out["auteur"]:
        raise UsageError(
            "auteur vide", hint="un nom public ou un pseudonyme ; pour un partenaire, l'organisation (--auteur)"
        )
    if private:
        private["source"] = "saisie (contributions add)"
    cid = next_ids(existing_ids(c.root, c.contributions), 1, id_prefix(c.root))[0]
    meta = {
        "id": cid,
        "date": new.date,
        "profil": new.profil,
        "canal": new.canal,
        "territoire": new.territoire,
        "auteur": fields_out["auteur"],
        "organisation": fields_out["organisation"],
        "civilite": new.civilite,
        "publication": new.publication,
        "themes": list(new.themes),
        "statut": "analysee" if new.themes else "nouvelle",
        "titre": fields_out["titre"],
    }
    rel = contribution_path(cid)
    content = render(meta, fields_out["texte"])
    problems = [d for d in check_header(meta, content, rel) if d.is_error]
    if problems:
        raise AteliersError(problems[0].message, hint=problems[0].hint)
    return Prepared(cid, rel, content, private, warnings)


def write_new(root: Path, prepared: Prepared) -> None:
    """The contribution and its personal details, as one change (the caller holds the lock)."""
    files: dict[str, bytes | str | None] = {prepared.rel: prepared.content.encode("utf-8")}
    register = ContributorRegister(root)
    private = dict(prepared.private)
    if private:
        from ateliers_cli.store.persons import person_index

        private["personne"] = person_index(root, register).key(private, fallback=f"contribution:{prepared.id}")
    register.set(prepared.id, private)
    if register.changed:
        files[CONTRIBUTORS] = register.to_bytes()
    from ateliers_cli.fsutil import write_all

    write_all(root, files)


