"""``ateliers erase``: the right to erasure (RGPD, article 17).

    plan = plan_erase(loaded, ["C-0042"])     # pure: computes every change
    apply_erase(plan)                          # writes them, all or nothing

A contributor's identity is removed; what they said is kept:

- in ``contributions/C-….md``: ``auteur`` becomes « Contribution anonymisée », ``organisation``
  goes, ``efface: <today>`` is set — the front matter is edited in place, comments and key order
  kept; in the title and the text, the person's names (from ``prive/contributeurs.csv`` and the
  public name), e-mail addresses and phone numbers are replaced by « [nom retiré] »…;
- in ``prive/``: the contribution's row of ``contributeurs.csv``, and the rows of
  ``inscriptions.csv`` that are the same person (same e-mail or phone, or same last and first name).

Documents, site and open data are generated from the model, so the next ``render``, ``site`` and
``export`` no longer hold the identity. ``check`` verifies that nothing remains
(:mod:`ateliers_cli.checks.erasure`). Git history still does: :meth:`ErasePlan.git_advice`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli import gitrepo
from ateliers_cli.checks.personal_data import EMAIL, PHONE
from ateliers_cli.clock import today
from ateliers_cli.errors import AteliersError, Diagnostic, warning
from ateliers_cli.export.csvsafe import restore
from ateliers_cli.fsutil import safe_join, write_all
from ateliers_cli.hints import did_you_mean
from ateliers_cli.load import LoadResult
from ateliers_cli.model import ANONYMOUS_AUTHOR, Consultation, Contribution

PRIVATE_CONTRIBUTORS = "prive/contributeurs.csv"
PRIVATE_REGISTRATIONS = "prive/inscriptions.csv"
NAME_REMOVED = "[nom retiré]"
EMAIL_REMOVED = "[courriel retiré]"
PHONE_REMOVED = "[téléphone retiré]"
ADDRESS_REMOVED = "[adresse retirée]"

# Versioned files written by people, where a name may have been copied: reported, not edited.
_OTHER_FILES = ("ateliers", "restitutions", "forums", "orientations.yaml", "deliberation.yaml", "themes.yaml")


# --- a private CSV, read leniently and written back in its own dialect ---------------------------


def fold(text: str) -> str:
    """Lower case without accents, spaces squeezed: to compare names and e-mails."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


@dataclass
class PrivateCsv:
    """A CSV of ``prive/``, kept in its own dialect (BOM, separator, line ends, encoding) when rewritten."""

    rel: str
    header: list[str]
    rows: list[list[str]]
    delimiter: str = ";"
    bom: bool = False
    encoding: str = "utf-8"
    newline: str = "\r\n"
    original: bytes = b""

    @classmethod
    def read(cls, root: Path, rel: str) -> PrivateCsv | None:
        path = root / rel
        if not path.is_file():
            return None
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise AteliersError(f"{rel} illisible : {exc.strerror}", path=rel, hint="vérifiez les droits du fichier") from None
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text, encoding = raw.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp1252", errors="replace"), "cp1252"
        first = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first.count)
        newline = "\r\n" if "\r\n" in text[:10000] or not text else "\n"
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        header = rows[0] if rows else []
        return cls(rel, header, rows[1:], delimiter, bom, encoding, newline, raw)

    def column(self, *names: str) -> int | None:
        folded = [fold(h).replace(" ", "_").replace("-", "_") for h in self.header]
        for name in names:
            if name in folded:
                return folded.index(name)
        return None

    @staticmethod
    def cell(row: list[str], index: int | None) -> str:
        return restore(row[index].strip()) if index is not None and index < len(row) else ""

    def line_of(self, row: list[str]) -> int:
        """The line of ``row`` in the file (1 is the header), for messages."""
        return 2 + self.rows.index(row)

    def to_bytes(self) -> bytes:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, delimiter=self.delimiter, lineterminator=self.newline)
        w.writerow(self.header)
        w.writerows(self.rows)
        data = buf.getvalue().encode(self.encoding, errors="replace")
        return (b"\xef\xbb\xbf" + data) if self.bom else data


@dataclass
class Person:
    """Who a contribution's author is, from the private register and the public name."""

    nom: str = ""
    prenom: str = ""
    courriel: str = ""
    telephone: str = ""
    adresse: str = ""
    public: list[str] = field(default_factory=list)  # the public name, the organisation

    def names(self) -> list[str]:
        """Every spelling of the person's names to take out of a text, longest first."""
        found: list[str] = []
        if self.nom and self.prenom:
            found += [f"{self.prenom} {self.nom}", f"{self.nom} {self.prenom}"]
        found += [self.nom, self.prenom]
        for name in self.public:
            found.append(name)
            m = re.fullmatch(r"([^\W\d_][\w'’-]+)\s+[^\W\d_]\.?", name.strip())
            if m:  # « Jeanne M. »: the first name alone is also hers
                found.append(m.group(1))
        seen: dict[str, str] = {}
        for name in found:
            name = " ".join(name.split())
            if len(re.sub(r"\W", "", name)) >= 2 and fold(name) not in seen:
                seen[fold(name)] = name
        return sorted(seen.values(), key=len, reverse=True)


# --- taking a person out of a text -----------------------------------------------------------

_VARIANTS = {"a": "aàâäáã", "e": "eéèêë", "i": "iîïíì", "o": "oôöóò", "u": "uùûüú", "c": "cç", "y": "yÿ", "n": "nñ"}


def name_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a whole word, whatever its case and accents, spaces and hyphens alike."""
    parts: list[str] = []
    for ch in name:
        base = fold(ch)
        if ch.isspace() or ch == "-":
            if not parts or parts[-1] != r"[\s\-]+":
                parts.append(r"[\s\-]+")
        elif ch in "'’":
            parts.append("['’]")
        elif base in _VARIANTS:
            parts.append(f"[{_VARIANTS[base]}]")
        else:
            parts.append(re.escape(ch))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def _digits_pattern(phone: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    return re.compile(r"(?<!\d)" + r"[\s.\-]?".join(digits) + r"(?!\d)")


@dataclass
class Scrubbed:
    text: str
    names: int = 0
    emails: int = 0
    phones: int = 0
    addresses: int = 0

    @property
    def count(self) -> int:
        return self.names + self.emails + self.phones + self.addresses


def scrub(text: str, person: Person) -> Scrubbed:
    """``text`` without the person's names, address, and without any e-mail address or phone number."""
    r = Scrubbed(text)
    if not text:
        return r
    if "@" in r.text:
        r.text, r.emails = EMAIL.subn(EMAIL_REMOVED, r.text)
    if person.courriel and person.courriel in r.text:
        r.emails += r.text.count(person.courriel)
        r.text = r.text.replace(person.courriel, EMAIL_REMOVED)
    r.text, r.phones = PHONE.subn(PHONE_REMOVED, r.text)
    own = _digits_pattern(person.telephone)
    if own is not None:
        r.text, n = own.subn(PHONE_REMOVED, r.text)
        r.phones += n
    if len(person.adresse) >= 8:
        r.text, r.addresses = name_pattern(person.adresse).subn(ADDRESS_REMOVED, r.text)
    for name in person.names():
        r.text, n = name_pattern(name).subn(NAME_REMOVED, r.text)
        r.names += n
    return r


# --- the plan --------------------------------------------------------------------------------


@dataclass
class Erasure:
    """What happens to one contribution."""

    id: str
    path: str
    auteur: str
    organisation: str
    already: bool  # erased before
    scrubbed: int = 0
    names: int = 0
    emails: int = 0
    phones: int = 0
    private_row: bool = False
    registrations: int = 0


@dataclass
class ErasePlan:
    root: Path
    ids: list[str]
    day: dt.date
    erasures: list[Erasure] = field(default_factory=list)
    changes: dict[str, bytes | None] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    git_paths: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # generated folders that still hold the old identity

    def describe(self) -> list[str]:
        """What changes, one line per file, in French."""
        lines: list[str] = []
        for e in self.erasures:
            if e.path not in self.changes:
                lines.append(f"{e.path} : déjà anonymisée, rien à changer")
                continue
            what = [f"auteur « {e.auteur} » → « {ANONYMOUS_AUTHOR} »" if e.auteur != ANONYMOUS_AUTHOR else "auteur déjà anonyme"]
            if e.organisation:
                what.append(f"organisation « {e.organisation} » retirée")
            if not e.already:
                what.append(f"efface: {self.day.isoformat()}")
            removed = [f"{n} {label}" for n, label in ((e.names, "nom(s)"), (e.emails, "courriel(s)"), (e.phones, "téléphone(s)")) if n]
            what.append("retirés du titre et du texte : " + ", ".join(removed) if removed else "rien à retirer du texte")
            lines.append(f"{e.path} : " + " ; ".join(what))
        rows = sum(e.private_row for e in self.erasures)
        if rows:
            lines.append(f"{PRIVATE_CONTRIBUTORS} : {rows} ligne(s) supprimée(s)")
        regs = sum(e.registrations for e in self.erasures)
        if regs:
            lines.append(f"{PRIVATE_REGISTRATIONS} : {regs} inscription(s) supprimée(s)")
        return lines

    def next_steps(self) -> list[str]:
        steps = [f"« ateliers check » confirme qu'il ne reste rien (contribution et {PRIVATE_CONTRIBUTORS})"]
        # the documents of passed stages are rewritten only on an explicit option: erasure is that case
        commands = {"documents": "ateliers render --etape toutes", "site": "ateliers site", "export": "ateliers export"}
        todo = [commands[o] for o in ("documents", "site", "export") if o in self.outputs]
        if "site" in self.outputs and "documents" not in self.outputs:
            todo.insert(0, commands["documents"])  # the site publishes the documents: render them first
        if todo:
            order = ", dans cet ordre" if len(todo) > 1 else ""
            steps.append(f"régénérez ce qui a été publié avec l'ancienne identité{order} : " + ", ".join(f"« {t} »" for t in todo))
        return steps

    def git_advice(self) -> list[str]:
        paths = " ".join(f"--path {p}" for p in self.git_paths if not p.endswith("/"))
        return [
            f"Les commits passés contiennent encore l'identité ({', '.join(self.git_paths)}). Pour l'en purger, avec git-filter-repo :",
            "  1. enregistrez d'abord la version anonymisée (git commit), faites une sauvegarde du dépôt ;",
            "  2. écrivez, hors du dépôt, un fichier d'expressions à remplacer, une par ligne, par exemple « Dupont==>[nom retiré] », puis :",
            "     git filter-repo --replace-text expressions.txt",
            f"     (ou, pour effacer ces fichiers de tout l'historique : git filter-repo --invert-paths {paths}, puis ré-enregistrez-les) ;",
            ("  3. publiez l'historique réécrit (git push --force --all et --tags) : chaque clone (serveur, postes des collègues, sauvegardes) "
            "doit être purgé ou recloné, sinon l'ancienne version y reste."),
        ]


def _split(text: str) -> tuple[str, str, str, str] | None:
    """(opening line, front matter, closing line, body) of a contribution file."""
    m = re.match(r"\A(---[ \t]*\n)(.*?\n)?(---[ \t]*(?:\n|\Z))(.*)\Z", text, re.DOTALL)
    if m is None:
        return None
    return m.group(1), m.group(2) or "", m.group(3), m.group(4)


def _select(c: Consultation, ids: Iterable[str], auteur: str | None, people: dict[str, Person]) -> list[Contribution]:
    chosen: dict[str, Contribution] = {}
    for raw in ids:
        ident = raw.strip()
        if ident[:2].islower() and ident[1:2] == "-":
            ident = ident[0].upper() + ident[1:]
        if ident not in c.contributions:
            raise AteliersError(
                f"contribution « {raw} » introuvable : rien n'a été effacé",
                hint=did_you_mean(ident, c.contributions) or "donnez l'identifiant d'une contribution, comme C-0042 (voir « ateliers contributions list »)",
            )
        chosen[ident] = c.contributions[ident]
    if auteur:
        wanted = fold(auteur)
        found = []
        for ct in c.contributions.values():
            p = people.get(ct.id)
            full = {fold(f"{p.prenom} {p.nom}"), fold(f"{p.nom} {p.prenom}")} if p and p.nom else set()
            if wanted in ({fold(ct.auteur)} | full) or (p and p.courriel and fold(p.courriel) == wanted):
                found.append(ct)
        if not found:
            known = sorted({ct.auteur for ct in c.contributions.values() if ct.auteur and ct.auteur != ANONYMOUS_AUTHOR})
            raise AteliersError(
                f"aucune contribution de « {auteur} » : rien n'a été effacé",
                hint=did_you_mean(auteur, known) or "donnez le nom public (champ « auteur ») ou le prénom et le nom du registre privé",
            )
        for ct in found:
            chosen.setdefault(ct.id, ct)
    return sorted(chosen.values(), key=lambda ct: ct.path)


def _people(register: PrivateCsv | None) -> dict[str, Person]:
    if register is None:
        return {}
    col = {k: register.column(*names) for k, names in {
        "id": ("id",),
        "nom": ("nom", "nom_de_famille"),
        "prenom": ("prenom",),
        "courriel": ("courriel", "email", "e_mail", "mail", "adresse_electronique"),
        "telephone": ("telephone", "tel", "portable"),
        "adresse": ("adresse",),
    }.items()}
    out: dict[str, Person] = {}
    for row in register.rows:
        cid = register.cell(row, col["id"])
        if cid:
            cell = {k: register.cell(row, i) for k, i in col.items()}
            out[cid] = Person(nom=cell["nom"], prenom=cell["prenom"], courriel=cell["courriel"], telephone=cell["telephone"], adresse=cell["adresse"])
    return out


def _same_person(reg: PrivateCsv, row: list[str], person: Person, cols: dict[str, int | None]) -> bool:
    email = fold(reg.cell(row, cols["courriel"]))
    if email and person.courriel and email == fold(person.courriel):
        return True
    phone = re.sub(r"\D", "", reg.cell(row, cols["telephone"]))
    if len(phone) >= 6 and phone == re.sub(r"\D", "", person.telephone):
        return True
    nom, prenom = fold(reg.cell(row, cols["nom"])), fold(reg.cell(row, cols["prenom"]))
    return bool(nom and prenom and person.nom and person.prenom and nom == fold(person.nom) and prenom == fold(person.prenom))


def _remove_keeping_comments(data: Any, key: str) -> None:
    """Delete ``key`` from a ruamel mapping; the comment lines that followed it stay in place."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    keys = list(data.keys())
    i = keys.index(key)
    tokens = data.ca.items.pop(key, None)
    del data[key]
    if not tokens or tokens[2] is None or i == 0:
        return
    # the token holds the key's own end-of-line comment (or nothing), then the lines below it
    value = tokens[2].value
    rest = value.split("\n", 1)[1] if "\n" in value else ""
    if not rest.strip():
        return
    previous = data.ca.items.setdefault(keys[i - 1], [None, None, None, None])
    if previous[2] is None:
        previous[2] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        previous[2].value += rest


def _edit_front_matter(fm: str, ct: Contribution, day: dt.date, person: Person) -> tuple[str, int]:
    from ateliers_cli.yamledit import edit_text

    scrubbed_titre = 0

    def change(data: Any) -> None:
        nonlocal scrubbed_titre
        data["auteur"] = ANONYMOUS_AUTHOR
        if "organisation" in data:
            _remove_keeping_comments(data, "organisation")
        titre = data.get("titre")
        if isinstance(titre, str) and titre:
            s = scrub(titre, person)
            if s.count:
                data["titre"] = s.text
                scrubbed_titre = s.count
        if not data.get("efface"):
            data["efface"] = day

    return edit_text(fm, change), scrubbed_titre


def _validate(text: str, rel: str) -> None:
    """What we write must load cleanly: a defect of the tool never reaches the folder."""
    from ateliers_cli import schema
    from ateliers_cli.yamlio import parse_front_matter

    loaded = parse_front_matter(text, rel)
    diags = [d for d in loaded.diagnostics if d.is_error]
    if loaded.ok:
        _, d = schema.validate(loaded.data, schema.CONTRIBUTION, rel)
        diags += [x for x in d if x.is_error]
    if diags:
        raise AteliersError(
            f"l'effacement produirait un fichier invalide ({rel}) : rien n'a été écrit",
            details=diags,
            hint="c'est un défaut de l'outil : signalez-le, avec le fichier en cause",
        )


def plan_erase(loaded: LoadResult, ids: Iterable[str], *, auteur: str | None = None, day: dt.date | None = None) -> ErasePlan:
    """Every change erasing the identity behind ``ids`` (and ``auteur``'s contributions). Writes nothing."""
    from ateliers_cli.yamlio import read_text

    c = loaded.consultation
    root = c.root
    day = day or today()
    register = PrivateCsv.read(root, PRIVATE_CONTRIBUTORS)
    people = _people(register)
    chosen = _select(c, ids, auteur, people)
    plan = ErasePlan(root, [ct.id for ct in chosen], day)

    removed_ids: set[str] = set()
    persons: list[Person] = []
    for ct in chosen:
        person = people.get(ct.id, Person())
        person.public = [n for n in (ct.auteur, ct.organisation) if n and n != ANONYMOUS_AUTHOR]
        persons.append(person)
        e = Erasure(ct.id, ct.path, ct.auteur, ct.organisation, already=ct.efface is not None)
        path = safe_join(root, ct.path)
        text, diags = read_text(path, ct.path, root)
        if text is None:
            raise AteliersError(f"{ct.path} illisible : rien n'a été effacé", details=diags)
        crlf = b"\r\n" in path.read_bytes()[:4096]  # read_text gives "\n": write back as found
        text = text.replace("\r\n", "\n")
        parts = _split(text)
        if parts is None:
            raise AteliersError(f"{ct.path} : en-tête YAML introuvable, rien n'a été effacé", path=ct.path, line=1, hint="corrigez le fichier (ateliers check), puis relancez")
        opening, fm, closing, body = parts
        new_fm, in_title = _edit_front_matter(fm, ct, day, person)
        s = scrub(body, person)
        e.names, e.emails, e.phones = s.names, s.emails, s.phones
        e.names += in_title
        new = opening + new_fm + closing + s.text
        if new != text:
            _validate(new, ct.path)
            plan.changes[ct.path] = (new.replace("\n", "\r\n") if crlf else new).encode("utf-8")
        if register is not None and ct.id in people:
            e.private_row = True
            removed_ids.add(ct.id)
        plan.erasures.append(e)

    if register is not None and removed_ids:
        id_col = register.column("id")
        register.rows = [row for row in register.rows if register.cell(row, id_col) not in removed_ids]
        plan.changes[PRIVATE_CONTRIBUTORS] = register.to_bytes()

    regs = PrivateCsv.read(root, PRIVATE_REGISTRATIONS)
    if regs is not None:
        cols = {
            "nom": regs.column("nom", "nom_de_famille"),
            "prenom": regs.column("prenom"),
            "courriel": regs.column("courriel", "email", "e_mail", "mail", "adresse_electronique"),
            "telephone": regs.column("telephone", "tel", "portable"),
        }
        kept = []
        for row in regs.rows:
            match = next((i for i, p in enumerate(persons) if _same_person(regs, row, p, cols)), None)
            if match is None:
                kept.append(row)
            else:
                plan.erasures[match].registrations += 1
        if len(kept) != len(regs.rows):
            regs.rows = kept
            plan.changes[PRIVATE_REGISTRATIONS] = regs.to_bytes()

    plan.warnings = _elsewhere(root, persons)
    plan.outputs = [name for name in ("documents", "site", "export") if (root / name).is_dir()]
    if plan.changes and gitrepo.is_repo(root):
        plan.git_paths = [rel for rel in plan.changes if not rel.startswith("prive/") and _tracked(root, rel)]
        if plan.git_paths:
            plan.git_paths += [f"{name}/" for name in ("documents", "site", "export") if _tracked(root, name)]
    return plan


def _tracked(root: Path, rel: str) -> bool:
    """Whether git has ``rel`` (a file, or anything under a folder) in the index."""
    result = gitrepo._git(root, "ls-files", "--", rel, check=False)
    return result.returncode == 0 and bool(result.stdout.strip())


def _elsewhere(root: Path, persons: list[Person]) -> list[Diagnostic]:
    """The person's name in other hand-written files (workshop notes…): shown, never edited."""
    patterns = [(name, name_pattern(name)) for p in persons for name in p.names() if len(name) >= 4]
    if not patterns:
        return []
    found: list[Diagnostic] = []
    files: list[Path] = []
    for name in _OTHER_FILES:
        path = root / name
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        elif path.is_file():
            files.append(path)
    for path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        rel = path.relative_to(root).as_posix()
        for name, pattern in patterns:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(
                    warning(rel, line, f"le nom « {name} » apparaît aussi ici", "vérifiez s'il s'agit de la même personne, et retirez-le à la main si c'est le cas", "effacement")
                )
    return sorted(set(found))


def apply_erase(plan: ErasePlan) -> None:
    """Write every change at once: all or nothing.

    The private registers are renamed first: a run killed during the renames has then
    removed the personal data before the public pseudonym, never the other way round (and
    ``check`` finds no erased contribution whose identity is still in prive/).
    """
    if plan.changes:
        ordered = sorted(plan.changes.items(), key=lambda item: not item[0].startswith("prive/"))
        write_all(plan.root, dict(ordered))
