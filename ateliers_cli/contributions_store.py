"""Contributions on disk: the next id, one file per contribution, the private register.

A contribution is written as its YAML front matter, keys in the order of
docs/format.md, then its Markdown text. Personal details never go there: they
go to ``prive/contributeurs.csv`` (``;``-separated, UTF-8 with a BOM so that a
French Excel opens it as is), one row per contribution that has any.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ateliers_cli.checks.personal_data import EMAIL, PHONE
from ateliers_cli.errors import AteliersError, Diagnostic
from ateliers_cli.importers.util import fold
from ateliers_cli.model import Contribution

#: Front matter keys, in the order of docs/format.md.
KEY_ORDER = (
    "id", "date", "profil", "canal", "territoire", "auteur", "organisation", "publication",
    "themes", "statut", "doublon_de", "motif", "redirection", "titre", "source", "efface",
    "reponse_modele", "reponse",
)
SOURCE_ORDER = ("fichier", "ligne", "cle", "empreinte")
#: Optional texts of the team (off-topic reason, written answer): written only when set.
_OPTIONAL_TEXTS = ("motif", "redirection", "reponse_modele", "reponse")

PRIVATE_PATH = "prive/contributeurs.csv"
PRIVATE_COLUMNS = ("id", "nom", "prenom", "courriel", "telephone", "adresse", "commune", "code_postal", "autres", "source")

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


def next_ids(taken: Iterable[str], count: int) -> list[str]:
    """``count`` new ids continuing the numbering: C-0001… (4 digits, more when needed)."""
    taken = set(taken)
    numbers = [int(m.group(1)) for i in taken if (m := _NUMBERED.match(i))]
    n = max(numbers, default=0)
    out: list[str] = []
    while len(out) < count:
        n += 1
        cid = f"C-{n:04d}"
        if cid not in taken:
            out.append(cid)
    return out


def contribution_path(cid: str) -> str:
    return f"contributions/{cid}.md"


# --- writing a contribution ------------------------------------------------------


try:  # libyaml's emitter: several times faster, and it escapes every line-breaking character
    _BaseDumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the platform
    _BaseDumper = yaml.SafeDumper


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Lists of scalars inline (« themes: [isolement] »), blocks for mappings."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(list, _represent_list)


def front_matter(meta: Mapping[str, Any]) -> str:
    """The YAML of a contribution's header, keys in the order of docs/format.md."""
    ordered: dict[str, Any] = {}
    for key in KEY_ORDER:
        if key not in meta:
            continue
        value = meta[key]
        if value is None or (key in ("organisation", "titre", "doublon_de", "territoire", *_OPTIONAL_TEXTS) and value == ""):
            continue
        if key == "source" and isinstance(value, Mapping):
            value = {k: value[k] for k in SOURCE_ORDER if k in value and value[k] not in (None, "")}
        ordered[key] = value
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)


def render(meta: Mapping[str, Any], texte: str) -> str:
    """The whole file: ``---``, the header, ``---``, the text."""
    body = texte.strip("\n")
    return f"---\n{front_matter(meta)}---\n{body}\n"


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
    for key in _OPTIONAL_TEXTS:  # kept when a command rewrites the header (themes tag, erase…)
        if getattr(c, key):
            meta[key] = getattr(c, key)
    if c.source:
        meta["source"] = {k: v for k, v in c.source.items() if not str(k).startswith("_")}
    if c.efface:
        meta["efface"] = c.efface
    return meta


# --- personal data in a text -------------------------------------------------------


@dataclass
class Redacted:
    text: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.emails or self.phones)


def redact(text: str) -> Redacted:
    """Take e-mail addresses and phone numbers out of a public text (they go to prive/)."""
    r = Redacted(text)
    if "@" in text:
        r.emails = EMAIL.findall(text)
        if r.emails:
            text = EMAIL.sub("[courriel retiré]", text)
    phones = [m.group() for m in PHONE.finditer(text)]
    if phones:
        r.phones = phones
        text = PHONE.sub("[téléphone retiré]", text)
    r.text = text
    return r


# --- the private register ------------------------------------------------------------


class PrivateRegister:
    """``prive/contributeurs.csv``: personal details by contribution id."""

    def __init__(self, root: Path) -> None:
        self.path = root / PRIVATE_PATH
        self.columns: list[str] = list(PRIVATE_COLUMNS)
        self.rows: dict[str, dict[str, str]] = {}
        self._original = b""
        if self.path.exists():
            self._read()

    def _read(self) -> None:
        try:
            self._original = self.path.read_bytes()
            text = self._original.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise AteliersError(
                f"registre des contributeurs illisible : {exc}",
                path=PRIVATE_PATH,
                hint="ce fichier doit être un CSV en UTF-8 séparé par « ; » ; corrigez-le ou renommez-le",
            ) from None
        from ateliers_cli.export.csvsafe import restore  # here: the export package is heavy to import

        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
        for extra in reader.fieldnames or []:
            if extra and extra not in self.columns:
                self.columns.append(extra)  # a column added by hand is kept
        for row in reader:
            cid = (row.get("id") or "").strip()
            if cid:
                self.rows[cid] = {k: restore(v or "") for k, v in row.items() if k}

    def set(self, cid: str, values: Mapping[str, str] | None) -> None:
        """Record ``values`` for ``cid`` (or forget it when there is nothing personal)."""
        clean = {k: v for k, v in (values or {}).items() if v}
        if not any(v for k, v in clean.items() if k not in ("id", "source")):
            self.rows.pop(cid, None)
            return
        clean["id"] = cid
        for k in clean:
            if k not in self.columns:
                self.columns.append(k)
        self.rows[cid] = clean

    def to_bytes(self) -> bytes:
        from ateliers_cli.export.csvsafe import defuse

        buf = io.StringIO(newline="")
        w = csv.DictWriter(buf, fieldnames=self.columns, delimiter=";", lineterminator="\r\n", extrasaction="ignore")
        w.writeheader()
        for cid in sorted(self.rows, key=_id_sort_key):  # opened in a spreadsheet: no formula
            w.writerow({k: defuse(v) for k, v in self.rows[cid].items()})
        return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")

    @property
    def changed(self) -> bool:
        return self.to_bytes() != self._original


def _id_sort_key(cid: str) -> tuple[int, int, str]:
    m = _NUMBERED.match(cid)
    return (0, int(m.group(1)), cid) if m else (1, 0, cid)


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
    return sorted((c for c in contributions if matches(c, f)), key=lambda c: _id_sort_key(c.id))


def as_json(c: Contribution) -> dict[str, Any]:
    """What ``contributions list --json`` prints: the public fields (never prive/)."""
    data = {k: v for k, v in meta_of(c).items() if k not in ("source", "efface")}
    data["date"] = c.date.isoformat() if isinstance(c.date, (dt.date, dt.datetime)) else None
    data["doublon_de"] = c.doublon_de or None
    data["texte"] = c.texte.strip()
    data["fichier"] = c.path
    return data


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
    for key, value in (("texte", new.texte), ("titre", new.titre), ("auteur", new.auteur), ("organisation", new.organisation)):
        r = redact(value.replace("\r\n", "\n").strip() if key == "texte" else " ".join(value.split()))
        fields_out[key] = r.text
        for kind, found in (("courriel", r.emails), ("telephone", r.phones)):
            for v in found:
                warnings.append(
                    f"{'adresse électronique' if kind == 'courriel' else 'numéro de téléphone'} retiré(e) du champ « {key} » "
                    f"et gardé(e) dans {PRIVATE_PATH}"
                )
                if not private.get(kind):
                    private[kind] = v
                else:
                    private["autres"] = (private.get("autres", "") + f" | {kind} : {v}").strip(" |")
    if not fields_out["texte"]:
        raise UsageError("texte vide : rien n'est enregistré", hint="donnez le texte avec --texte, --texte - (entrée standard) ou --editor")
    if not fields_out["auteur"]:
        raise UsageError("auteur vide", hint="un nom public ou un pseudonyme ; pour un partenaire, l'organisation (--auteur)")
    if private:
        private["source"] = "saisie (contributions add)"
    cid = next_ids(existing_ids(c.root, c.contributions), 1)[0]
    meta = {
        "id": cid,
        "date": new.date,
        "profil": new.profil,
        "canal": new.canal,
        "territoire": new.territoire,
        "auteur": fields_out["auteur"],
        "organisation": fields_out["organisation"],
        "publication": new.publication,
        "themes": list(new.themes),
        "statut": "analysee" if new.themes else "nouvelle",
        "titre": fields_out["titre"],
    }
    rel = contribution_path(cid)
    content = render(meta, fields_out["texte"])
    problems = [d for d in check_rendered(content, rel) if d.is_error]
    if problems:
        raise AteliersError(problems[0].message, hint=problems[0].hint)
    return Prepared(cid, rel, content, private, warnings)


def write_new(root: Path, prepared: Prepared) -> None:
    """The contribution and its personal details, as one change (the caller holds the lock)."""
    files: dict[str, bytes | str | None] = {prepared.rel: prepared.content.encode("utf-8")}
    register = PrivateRegister(root)
    register.set(prepared.id, prepared.private)
    if register.changed:
        files[PRIVATE_PATH] = register.to_bytes()
    from ateliers_cli.fsutil import write_all

    write_all(root, files)


# --- editing a contribution's front matter in place -------------------------------------

_FM_OPEN = re.compile(r"\A\ufeff?(?:[ \t]*\r?\n)*-{3,}[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|\r?$)")
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _key_spans(lines: list[str]) -> dict[str, tuple[int, int]] | None:
    """Top-level key -> (first line, end line) of its value; ``None`` when a key repeats.

    A value spans its key's line and the lines below it that are indented or start a
    block-sequence item (« - x »); a blank or comment line at column 0 ends it.
    """
    spans: dict[str, tuple[int, int]] = {}
    current: str | None = None
    for i, line in enumerate(lines):
        first = line[:1]
        if current is not None and (first in (" ", "\t") or line.startswith("- ") or line.rstrip("\r\n") == "-"):
            spans[current] = (spans[current][0], i + 1)
            continue
        current = None
        m = _TOP_KEY.match(line)
        if m:
            if m.group(1) in spans:
                return None
            current = m.group(1)
            spans[current] = (i, i + 1)
    return spans


_DUMPED: dict[tuple[str, Any], str] = {}


def _dump_key(key: str, value: Any) -> str:
    """``key: value`` as :func:`front_matter` writes it (memoised: the same few values recur)."""
    memo = (key, tuple(value) if isinstance(value, list) else value)
    try:
        line = _DUMPED.get(memo)
    except TypeError:  # an unhashable value: no memo
        memo, line = None, None  # type: ignore[assignment]
    if line is None:
        line = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)
        if memo is not None and len(_DUMPED) < 10_000:
            _DUMPED[memo] = line
    return line


def _edit_textually(fm: str, changes: Mapping[str, Any], remove: Iterable[str]) -> tuple[str, list[str]] | None:
    """Replace, insert or delete one-line top-level keys; ``None`` when the front matter
    is not that simple (a multi-line value or a comment on an edited key).

    Returns the new front matter and the top-level keys found in the old one, in order."""
    newline = "\r\n" if "\r\n" in fm else "\n"
    lines = fm.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    spans = _key_spans(lines)
    if spans is None:
        return None
    edits: dict[int, tuple[int, list[str]]] = {}  # first line -> (end line, replacement lines)
    inserts: dict[int, list[str]] = {}  # insert before this line
    for key in remove:
        if key in spans:
            start, end = spans[key]
            if end - start != 1 or "#" in lines[start]:
                return None
            edits[start] = (end, [])
    for key, value in changes.items():
        new = _dump_key(key, value).replace("\n", newline)
        if new.count(newline) != 1:
            return None
        if key in spans:
            start, end = spans[key]
            if end - start != 1 or "#" in lines[start] or "&" in lines[start] or "*" in lines[start]:
                return None
            edits[start] = (end, [new])
            continue
        # A new key goes after the closest key that precedes it in the order of docs/format.md.
        position = 0
        if key in KEY_ORDER:
            for before in reversed(KEY_ORDER[: KEY_ORDER.index(key)]):
                if before in spans and before not in remove:
                    position = spans[before][1]
                    break
            else:
                present = [spans[k][0] for k in KEY_ORDER[KEY_ORDER.index(key) + 1 :] if k in spans]
                position = min(present) if present else len(lines)
        else:
            position = len(lines)
        inserts.setdefault(position, []).append(new)
    result: list[str] = []
    i = 0
    while i <= len(lines):
        result.extend(inserts.get(i, ()))
        if i == len(lines):
            break
        if i in edits:
            end, replacement = edits[i]
            result.extend(replacement)
            i = end
            continue
        result.append(lines[i])
        i += 1
    return "".join(result), list(spans)


def _edit_round_trip(fm: str, changes: Mapping[str, Any], remove: Iterable[str]) -> str:
    """The same edit with ruamel.yaml: comments and key order kept, whatever the layout."""
    from ruamel.yaml.comments import CommentedSeq

    from ateliers_cli.yamledit import edit_text

    newline = "\r\n" if "\r\n" in fm else "\n"

    def change(data: Any) -> None:
        for key in remove:
            if key in data:
                del data[key]
        for key, value in changes.items():
            if isinstance(value, list):
                seq = CommentedSeq(value)
                seq.fa.set_flow_style()
                value = seq
            if key in data:
                data[key] = value
                continue
            keys = list(data.keys())
            position = len(keys)
            if key in KEY_ORDER:
                rank = KEY_ORDER.index(key)
                later = [i for i, k in enumerate(keys) if k in KEY_ORDER and KEY_ORDER.index(k) > rank]
                position = min(later) if later else len(keys)
            data.insert(position, key, value)

    return edit_text(fm.replace("\r\n", "\n"), change).replace("\n", newline)


def _textual_edit_ok(new_fm: str, old_keys: list[str], changes: Mapping[str, Any], remove: Iterable[str]) -> bool:
    """Whether a textual edit did what was asked: only the edited lines changed (by
    construction), so it is enough that the new front matter parses, holds exactly the
    keys found in the old one (less the removed, plus the new), in their order, and the
    new values — a line mistaken for a key would break one of these."""
    try:
        new = yaml.load(new_fm, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return False
    if not isinstance(new, dict):
        return False
    removed = set(remove)
    kept = [k for k in old_keys if k not in removed]
    if set(new) != set(kept) | set(changes) or [k for k in new if k in old_keys] != kept:
        return False
    return all(new[k] == v for k, v in changes.items())


def _same_edit(old_fm: str, new_fm: str, changes: Mapping[str, Any], remove: Iterable[str]) -> bool:
    """Whether ``new_fm`` holds exactly ``old_fm`` with the edit applied, keys in their order."""
    try:
        old = yaml.load(old_fm, Loader=_FAST_LOADER)
        new = yaml.load(new_fm, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return False
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    removed = set(remove)
    expected = {k: v for k, v in old.items() if k not in removed}
    expected.update(changes)
    kept = [k for k in old if k not in removed]
    return new == expected and [k for k in new if k in old] == kept


def update_front_matter(text: str, changes: Mapping[str, Any], remove: Iterable[str] = (), *, rel: str = "") -> str:
    """``text`` (a whole contribution file) with some front-matter keys set or removed.

    Only the lines of those keys change: the other keys, their order, comments, line
    ends and the Markdown text are kept byte for byte. A new key is placed where
    docs/format.md puts it. One-line values are edited as text (fast, the common
    case); anything else (a block list, a comment on the line) goes through
    ruamel.yaml's round trip of the front matter alone. The result is parsed again:
    an edit that would change anything else raises :class:`AteliersError`.
    """
    remove = [k for k in remove if k not in changes]
    opening = _FM_OPEN.match(text)
    closing = _FM_CLOSE.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        raise AteliersError("en-tête YAML introuvable : la contribution n'est pas modifiée", path=rel or None, hint="lancez « ateliers check »")
    fm = text[opening.end() : closing.start()]
    edited = _edit_textually(fm, changes, remove)
    if edited is not None and _textual_edit_ok(edited[0], edited[1], changes, remove):
        new_fm = edited[0]
    else:
        try:
            new_fm = _edit_round_trip(fm, changes, remove)
        except Exception:  # noqa: BLE001 - ruamel's errors (a duplicate key…): the file is left alone
            new_fm = ""
        if not new_fm or not _same_edit(fm, new_fm, changes, remove):
            raise AteliersError(
                "l'en-tête ne peut pas être modifié sans toucher à autre chose : la contribution n'est pas modifiée",
                path=rel or None,
                hint="modifiez-la à la main, ou lancez « ateliers check » pour y trouver un problème",
            )
    return text[: opening.end()] + new_fm + text[closing.start() :]
