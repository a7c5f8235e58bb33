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

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli import gitrepo
from ateliers_cli.clock import today
from ateliers_cli.errors import AteliersError, Diagnostic, warning
from ateliers_cli.fsutil import safe_join, write_all
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.util import fold, plural
from ateliers_cli.load import LoadResult
from ateliers_cli.model import ANONYMOUS_AUTHOR, Consultation, Contribution
from ateliers_cli.store import front_matter, outputs
from ateliers_cli.store.erasures import Tombstone
from ateliers_cli.store.paths import CACHE_DIR, ERASURES
from ateliers_cli.store.paths import CONTRIBUTORS as PRIVATE_CONTRIBUTORS
from ateliers_cli.store.paths import REGISTRATIONS as PRIVATE_REGISTRATIONS
from ateliers_cli.store.persons import PersonIndex, person_index
from ateliers_cli.store.private import ContributorRegister, PrivateCsv
from ateliers_cli.store.redaction import PLACEHOLDER, Person, name_pattern, scrub

# Versioned files written by people, where a name may have been copied: reported, not edited.
_OTHER_FILES = ("ateliers", "restitutions", "forums", "orientations.yaml", "deliberation.yaml", "themes.yaml")


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
    prepared: list[str] = field(default_factory=list)  # prive/courrier/ files that named the person
    git_paths: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # generated outputs that hold the old identity until regenerated
    cache_files: list[str] = field(default_factory=list)
    registrant: str = ""  # the key of a person who only registered (--personne), erased without contribution
    registrant_rows: int = 0  # their rows of prive/inscriptions.csv

    def describe(self) -> list[str]:
        """What changes, one line per file, in French."""
        lines: list[str] = []
        for e in self.erasures:
            if e.path not in self.changes:
                lines.append(f"{e.path} : déjà anonymisée, rien à changer")
                continue
            what = [
                f"auteur « {e.auteur} » → « {ANONYMOUS_AUTHOR} »"
                if e.auteur != ANONYMOUS_AUTHOR
                else "auteur déjà anonyme"
            ]
            if e.organisation:
                what.append(f"organisation « {e.organisation} » retirée")
            if not e.already:
                what.append(f"efface: {self.day.isoformat()}")
            counts = ((e.names, "nom"), (e.emails, "courriel"), (e.phones, "téléphone"))
            removed = [plural(n, label) for n, label in counts if n]
            what.append(
                "retirés du titre et du texte : " + ", ".join(removed) if removed else "rien à retirer du texte"
            )
            lines.append(f"{e.path} : " + " ; ".join(what))
        rows = sum(e.private_row for e in self.erasures)
        if rows:
            lines.append(f"{PRIVATE_CONTRIBUTORS} : {plural(rows, 'ligne supprimée', 'lignes supprimées')}")
        regs = sum(e.registrations for e in self.erasures) + self.registrant_rows
        if regs:
            lines.append(
                f"{PRIVATE_REGISTRATIONS} : {plural(regs, 'inscription supprimée', 'inscriptions supprimées')}"
            )
        if self.prepared:
            folders = sorted({rel.split("/")[2] for rel in self.prepared})
            lines.append(
                f"prive/courrier/ : les courriers préparés qui la nomment supprimés ({', '.join(folders)}) — « "
                "ateliers courrier preparer » refait ceux des autres"
            )
        return lines

    def next_steps(self) -> list[str]:
        steps = (
            []
            if self.registrant
            else [f"« ateliers check » confirme qu'il ne reste rien (contribution et {PRIVATE_CONTRIBUTORS})"]
        )
        # the documents of passed stages are rewritten only on an explicit option: erasure is that case
        commands = {"documents": "ateliers render --etape toutes", "site": "ateliers site", "export": "ateliers export"}
        todo = [commands[o] for o in ("documents", "site", "export") if o in self.outputs]
        if "site" in self.outputs and "documents" not in self.outputs:
            todo.insert(0, commands["documents"])  # the site publishes the documents: render them first
        if todo:
            order = ", dans cet ordre" if len(todo) > 1 else ""
            steps.append(
                f"régénérez ce qui a été publié avec l'ancienne identité{order} : "
                + ", ".join(f"« {t} »" for t in todo)
            )
        return steps

    def git_advice(self) -> list[str]:
        paths = " ".join(f"--path {p}" for p in self.git_paths if not p.endswith("/"))
        return [
            (f"Les commits passés contiennent encore l'identité ({', '.join(self.git_paths)}). Pour l'en purger, avec "
            "git-filter-repo :"),
            "  1. enregistrez d'abord la version anonymisée (git commit), faites une sauvegarde du dépôt ;",
            ("  2. écrivez, hors du dépôt, un fichier d'expressions à remplacer, une par ligne, par exemple « "
            "Dupont==>[nom retiré] », puis :"),
            "     git filter-repo --replace-text expressions.txt",
            (f"     (ou, pour effacer ces fichiers de tout l'historique : git filter-repo --invert-paths {paths}, puis "
            "ré-enregistrez-les) ;"),
            (
                "  3. publiez l'historique réécrit (git push --force --all et --tags) : chaque clone (serveur, postes "
                "des collègues, sauvegardes) "
                "doit être purgé ou recloné, sinon l'ancienne version y reste."
            ),
        ]


def _normalise_id(raw: str) -> str:
    ident = raw.strip()
    if ident[:2].islower() and ident[1:2] == "-":
        ident = ident[0].upper() + ident[1:]
    return ident


def person_of(ct: Contribution, register: ContributorRegister, index: PersonIndex) -> str:
    """The key of a contribution's author: from prive/, else their public name alone."""
    row = register.rows.get(ct.id)
    if row:
        return row.get("personne") or index.key(row, fallback=f"contribution:{ct.id}")
    if ct.auteur and ct.auteur != ANONYMOUS_AUTHOR:
        return "nom:" + fold(ct.auteur)
    return f"contribution:{ct.id}"


@dataclass
class Selection:
    contributions: list[Contribution]
    by_person: bool  # a whole person (--auteur, --personne): identifiers go to the erasure register
    registrant: Person | None = None  # --personne of someone who only registered to a workshop


def _registrant(root: Path, key: str) -> Person | None:
    """The person of key ``key`` in prive/inscriptions.csv (someone who registered without
    contributing), or None."""
    regs = PrivateCsv.read(root, PRIVATE_REGISTRATIONS)
    col = regs.field("personne") if regs is not None else None
    if regs is None or col is None:
        return None
    for row in regs.rows:
        if regs.cell(row, col) == key:
            nom, prenom, courriel, telephone = (
                regs.cell(row, regs.field(name)) for name in ("nom", "prenom", "courriel", "telephone")
            )
            return Person(nom=nom, prenom=prenom, courriel=courriel, telephone=telephone, personne=key)
    return None


def _select(
    c: Consultation,
    ids: Iterable[str],
    auteur: str | None,
    personne: str | None,
    register: ContributorRegister,
    index: PersonIndex,
) -> Selection:
    chosen: dict[str, Contribution] = {}
    for raw in ids:
        ident = _normalise_id(raw)
        if ident not in c.contributions:
            raise AteliersError(
                f"contribution « {raw} » introuvable : rien n'a été effacé",
                hint=did_you_mean(ident, c.contributions)
                or "donnez l'identifiant d'une contribution, comme C-0042 (voir « ateliers contributions list »)",
            )
        chosen[ident] = c.contributions[ident]
    persons: dict[str, list[Contribution]] = {}
    if auteur or personne:
        for ct in c.contributions.values():
            persons.setdefault(person_of(ct, register, index), []).append(ct)
    if personne:
        found = persons.get(personne.strip(), [])
        if not found:
            registrant = _registrant(c.root, personne.strip())
            if registrant is not None:
                if chosen or auteur:
                    raise AteliersError(
                        f"la personne « {personne} » n'a fait que s'inscrire, sans contribution : rien n'a été effacé",
                        hint=f"effacez-la seule (ateliers erase --personne {personne}), puis les autres",
                    )
                return Selection([], by_person=True, registrant=registrant)
            raise AteliersError(
                f"personne « {personne} » inconnue : ni contribution ni inscription, rien n'a été effacé",
                hint=f"la clé d'une personne est dans la colonne « personne » de {PRIVATE_CONTRIBUTORS} ou de "
                f"{PRIVATE_REGISTRATIONS} (pers-…)",
            )
        for ct in found:
            chosen.setdefault(ct.id, ct)
    if auteur:
        wanted = fold(auteur)
        matching: dict[str, list[Contribution]] = {}
        for key, cts in persons.items():
            for ct in cts:
                row = register.rows.get(ct.id, {})
                full = (
                    {
                        fold(f"{row.get('prenom', '')} {row.get('nom', '')}"),
                        fold(f"{row.get('nom', '')} {row.get('prenom', '')}"),
                    }
                    if row.get("nom")
                    else set()
                )
                if wanted in ({fold(ct.auteur)} | full) or (row.get("courriel") and fold(row["courriel"]) == wanted):
                    matching[key] = cts
                    break
        if not matching:
            known = sorted(
                {ct.auteur for ct in c.contributions.values() if ct.auteur and ct.auteur != ANONYMOUS_AUTHOR}
            )
            raise AteliersError(
                f"aucune contribution de « {auteur} » : rien n'a été effacé",
                hint=did_you_mean(auteur, known)
                or "donnez le nom public (champ « auteur ») ou le prénom et le nom du registre privé",
            )
        if len(matching) > 1:
            listing = " ; ".join(
                f"{', '.join(sorted(ct.id for ct in cts))}" + (f" (personne {key})" if key.startswith("pers-") else "")
                for key, cts in sorted(matching.items())
            )
            raise AteliersError(
                f"« {auteur} » désigne {len(matching)} personnes différentes : rien n'a été effacé",
                hint="précisez qui : par les identifiants de ses contributions (ateliers erase C-…) ou par sa clé "
                f"(--personne pers-…). Contributions : {listing}",
            )
        for cts in matching.values():
            for ct in cts:
                chosen.setdefault(ct.id, ct)
    return Selection(sorted(chosen.values(), key=lambda ct: ct.path), by_person=bool(auteur or personne))


def _people(register: ContributorRegister) -> dict[str, Person]:
    return {
        cid: Person(
            nom=row.get("nom", ""), prenom=row.get("prenom", ""), courriel=row.get("courriel", ""),
            telephone=row.get("telephone", ""), adresse=row.get("adresse", ""), personne=row.get("personne", ""),
        )
        for cid, row in register.rows.items()
    }


def _same_person(reg: PrivateCsv, row: list[str], person: Person, cols: dict[str, int | None]) -> bool:
    key = reg.cell(row, cols["personne"])
    if key and key == person.personne:
        return True
    email = fold(reg.cell(row, cols["courriel"]))
    if email and person.courriel and email == fold(person.courriel):
        return True
    phone = re.sub(r"\D", "", reg.cell(row, cols["telephone"]))
    if len(phone) >= 6 and phone == re.sub(r"\D", "", person.telephone):
        return True
    nom, prenom = fold(reg.cell(row, cols["nom"])), fold(reg.cell(row, cols["prenom"]))
    return bool(
        nom and prenom and person.nom and person.prenom and nom == fold(person.nom) and prenom == fold(person.prenom)
    )


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
    """The header anonymised: author, organisation, date of erasure, the title and every comment scrubbed."""
    from ateliers_cli.yamledit import edit_text

    scrubbed_titre = 0

    def change(data: Any) -> None:
        nonlocal scrubbed_titre
        data["auteur"] = ANONYMOUS_AUTHOR
        if "organisation" in data:
            _remove_keeping_comments(data, "organisation")
        if "civilite" in data:  # identifying too, with the text kept: gone with the name
            _remove_keeping_comments(data, "civilite")
        titre = data.get("titre")
        if isinstance(titre, str) and titre:
            s = scrub(titre, person)
            if s.count:
                data["titre"] = s.text
                scrubbed_titre = s.count
        if not data.get("efface"):
            data["efface"] = day

    edited = edit_text(fm, change)
    in_comments = 0
    lines = edited.split("\n")
    for i, line in enumerate(lines):
        start = comment_start(line)
        if start is None:
            continue
        s = scrub(line[start:], person)
        if s.count:
            lines[i] = line[:start] + s.text
            in_comments += s.count
    return "\n".join(lines), scrubbed_titre + in_comments


def comment_start(line: str) -> int | None:
    """Where a YAML comment starts on ``line`` (a « # » at the start or after a space, outside quotes)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return None


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


def plan_erase(
    loaded: LoadResult,
    ids: Iterable[str],
    *,
    auteur: str | None = None,
    personne: str | None = None,
    day: dt.date | None = None,
) -> ErasePlan:
    """Every change erasing the identity behind ``ids`` (and ``auteur``'s or ``personne``'s contributions).

    Writes nothing."""
    from ateliers_cli.yamlio import read_text

    c = loaded.consultation
    root = c.root
    day = day or today()
    register = ContributorRegister(root)
    index = person_index(root, register)
    people = _people(register)
    selection = _select(c, ids, auteur, personne, register, index)
    chosen = selection.contributions
    plan = ErasePlan(root, [ct.id for ct in chosen], day)
    tombstone = Tombstone.read(root)
    before = tombstone.to_bytes() if tombstone else b""

    removed_ids: set[str] = set()
    persons: list[Person] = [selection.registrant] if selection.registrant else []
    plan.registrant = selection.registrant.personne if selection.registrant else ""
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
        parts = front_matter.split(text)
        if parts is None or not parts.closed:
            raise AteliersError(
                f"{ct.path} : en-tête YAML introuvable, rien n'a été effacé",
                path=ct.path,
                line=1,
                hint="corrigez le fichier (ateliers check), puis relancez",
            )
        new_fm, in_header = _edit_front_matter(parts.fm, ct, day, person)
        s = scrub(parts.body, person)
        e.names, e.emails, e.phones = s.names, s.emails, s.phones
        e.names += in_header
        new = parts.opening + new_fm + parts.closing + s.text
        if new != text:
            _validate(new, ct.path)
            plan.changes[ct.path] = (new.replace("\n", "\r\n") if crlf else new).encode("utf-8")
        row = register.rows.get(ct.id)
        if row is not None:
            e.private_row = True
            removed_ids.add(ct.id)
        # what would bring them back: the record always; the person, when the person is erased
        tombstone.add_person(
            row or {},
            [n for n in person.public if not PLACEHOLDER.match(n)],
            records_of(ct),
            day,
            whole_person=selection.by_person,
        )
        plan.erasures.append(e)

    if removed_ids:
        register.remove(removed_ids)
        plan.changes[PRIVATE_CONTRIBUTORS] = register.to_bytes()

    regs = PrivateCsv.read(root, PRIVATE_REGISTRATIONS)
    if regs is not None:
        cols = {name: regs.field(name) for name in ("nom", "prenom", "courriel", "telephone", "commune", "personne")}
        kept = []
        for reg_row in regs.rows:
            match = next((i for i, p in enumerate(persons) if _same_person(regs, reg_row, p, cols)), None)
            if match is None:
                kept.append(reg_row)
                continue
            if plan.registrant:
                plan.registrant_rows += 1
            else:
                plan.erasures[match].registrations += 1
            details = {k: regs.cell(reg_row, i) for k, i in cols.items() if k != "personne"}
            tombstone.add_person(details, [], [], day, whole_person=selection.by_person)
        if len(kept) != len(regs.rows):
            regs.rows = kept
            plan.changes[PRIVATE_REGISTRATIONS] = regs.to_bytes()

    from ateliers_cli.correspondence.outbox import prepared_about

    for rel in prepared_about(root, [(p.courriel, p.telephone, p.prenom, p.nom) for p in persons]):
        plan.changes[rel] = None  # messages prepared for the person: gone (« courrier preparer » remakes the others)
        plan.prepared.append(rel)
    if plan.changes or selection.by_person:
        data = tombstone.to_bytes()
        if data != before:
            plan.changes[ERASURES] = data
    if plan.changes:
        # the parse cache keeps the old front matter and text: a cache is only a cache
        plan.cache_files = _cache_files(root)
    plan.warnings = _elsewhere(root, persons) + _named_in_contributions(c, persons, {ct.id for ct in chosen})
    plan.outputs = [kind for kind, folder in outputs.places(root).items() if folder.is_dir()]
    if plan.changes and gitrepo.is_repo(root):
        plan.git_paths = [
            rel
            for rel in plan.changes
            if not rel.startswith("prive/") and not rel.startswith(".ateliers-cache/") and _tracked(root, rel)
        ]
        if plan.git_paths:
            plan.git_paths += [f"{name}/" for name in ("documents", "site", "export") if _tracked(root, name)]
    return plan


def records_of(ct: Contribution) -> list[str]:
    """The source identities of an imported contribution, as the importer recognises them."""
    from ateliers_cli.importers.contributions import record_identity

    src = ct.source or {}
    empreinte = str(src.get("empreinte") or "")
    out = []
    if src.get("origine") and src.get("cle"):
        out.append(record_identity(str(src["origine"]), str(src["cle"]), empreinte, str(src.get("colonnes") or "")))
    if empreinte:
        out.append(f"empreinte:{empreinte}")
    return out


def _cache_files(root: Path) -> list[str]:
    folder = root / CACHE_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p.relative_to(root).as_posix() for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _named_in_contributions(c: Consultation, persons: list[Person], erased: set[str]) -> list[Diagnostic]:
    """Other contributions whose title or text names an erased person: listed for review, never edited."""
    names = sorted(
        {name for p in persons for name in p.names() if len(name) >= 4 and not PLACEHOLDER.match(name)},
        key=len,
        reverse=True,
    )
    if not names:
        return []
    alternatives = "|".join(name_pattern(n).pattern for n in names)
    pattern = re.compile(alternatives, re.IGNORECASE)
    found: list[Diagnostic] = []
    for ct in c.contributions.values():
        if ct.id in erased:
            continue
        for field_name, text, first_line in (
            ("titre", ct.titre or "", ct.line_of("titre")),
            ("texte", ct.texte or "", ct.texte_line),
        ):
            m = pattern.search(text)
            if m is None:
                continue
            line = first_line + (text.count("\n", 0, m.start()) if field_name == "texte" else 0)
            found.append(
                warning(
                    ct.path,
                    line,
                    f"le nom « {m.group()} » d'une personne effacée apparaît dans cette contribution ({field_name}) : "
                    "à relire",
                    "s'il s'agit de la même personne, retirez le nom à la main (ou effacez aussi cette contribution) "
                    "; sinon, rien à faire",
                    "effacement",
                )
            )
            break
    return found


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
                    warning(
                        rel,
                        line,
                        f"le nom « {name} » apparaît aussi ici",
                        "vérifiez s'il s'agit de la même personne, et retirez-le à la main si c'est le cas",
                        "effacement",
                    )
                )
    return sorted(set(found))


def apply_erase(plan: ErasePlan) -> None:
    """Empty the caches that hold the identity, then write every change at once: all or nothing.

    The private registers are renamed first: a run killed during the renames has then
    removed the personal data before the public pseudonym, never the other way round (and
    ``check`` finds no erased contribution whose identity is still in prive/).
    """
    # the caches first: a run killed later leaves no cache older than the erasure (check would say so)
    for rel in plan.cache_files:
        with contextlib.suppress(OSError):
            (plan.root / rel).unlink()
    if plan.changes:
        ordered = sorted(plan.changes.items(), key=lambda item: not item[0].startswith("prive/"))
        write_all(plan.root, dict(ordered))


@dataclass
class Regenerated:
    """What ``erase`` made again, and what it could not (with the command to run)."""

    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def regenerate(root: Path, kinds: Iterable[str]) -> Regenerated:
    """Generate again the outputs that existed (documents, site where it was built, export), in that order.

    Each is regenerated whole from the anonymised consultation; one that fails is said,
    with its reason, and the others are still made."""
    from ateliers_cli.load import load

    result = Regenerated()
    wanted = [k for k in ("documents", "site", "export") if k in set(kinds)]
    if not wanted:
        return result
    places = outputs.places(root)
    commands = {"documents": "ateliers render", "site": "ateliers site", "export": "ateliers export"}
    for kind in wanted:
        target = places[kind]
        try:
            loaded = load(root)
            if kind == "documents":
                from ateliers_cli.render_all import apply_render, plan_render

                apply_render(root, plan_render(loaded))
            elif kind == "site":
                from ateliers_cli.site import build_site

                build_site(loaded, target)
            else:
                from ateliers_cli.export import apply_export, plan_export

                apply_export(plan_export(loaded.consultation, target, loaded.diagnostics))
            outputs.record(root, kind, target)
            result.done.append(f"{kind} ({target})")
        except AteliersError as exc:
            where = f" ({exc.path}{':' + str(exc.line) if exc.line else ''})" if exc.path else ""
            result.failed.append(
                f"{kind} ({target}) : {exc.message}{where} — lancez « {commands[kind]} » une fois le problème réglé"
            )
        except OSError as exc:
            result.failed.append(
                f"{kind} ({target}) : {exc.strerror or exc} — lancez « {commands[kind]} » une fois le problème réglé"
            )
    return result
