"""The recovery journal ``.ateliers-journal``: the renames a writing command still had to do.

:func:`ateliers_cli.fsutil.write_all` stages every new content in a temporary file beside its
target, writes this journal (one JSON array a line: ``[temporary, target]``, both relative to
the folder; an empty temporary means « delete the target »), then renames. A run killed during
the renames leaves the journal; the next writing command replays it.

A journal found in a folder may come from anywhere: a commit, a shared drive, an archive. So
before anything is replayed, the whole journal is checked, and refused with nothing touched
unless every entry names a file the tool writes, inside the folder, through no symbolic link:

- no absolute path, no ``..``, no hidden name but the tool's own registers;
- only the kinds of file the tool writes (``.md``, ``.yaml``, ``.html``, ``.pdf``…);
- the temporary file sits beside its target and has the name the tool gives it;
- a journal that git tracks is never trusted (a command never commits one).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ateliers_cli.errors import AteliersError

JOURNAL = ".ateliers-journal"

#: The kinds of file a writing command writes (documents, data, registers, exports).
WRITTEN_SUFFIXES = frozenset(
    {
        ".md",
        ".yaml",
        ".html",
        ".csv",
        ".json",
        ".odt",
        ".docx",
        ".pdf",
        ".txt",
        ".svg",
        ".xml",
        ".ods",
        ".xlsx",
        ".ics",
        ".geojson",
        ".eml",
        ".mbox",
    }
)
#: The only hidden files the tool writes with a journal: its registers of written documents.
HIDDEN_WRITTEN = frozenset({".empreintes.json"})
#: ``tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp")``: eight characters of its alphabet.
_TMP_NAME = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")


def is_staging_name(name: str) -> bool:
    """Whether ``name`` is one of the temporary files a write stages (``.nom.xxxxxxxx.tmp``)."""
    return _TMP_NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class Entry:
    tmp: str  # relative to the folder; "" to delete the target
    target: str  # relative to the folder


def encode(entries: list[Entry]) -> str:
    # one JSON array per line: a file name may hold a tab or a newline
    return "".join(json.dumps([e.tmp, e.target], ensure_ascii=False) + "\n" for e in entries)


class JournalRefused(AteliersError):
    """The journal names something the tool would never have written: nothing is replayed."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(
            f"journal de reprise refusé : {reason} ; rien n'a été modifié",
            path=JOURNAL,
            line=line,
            hint=f"ce fichier ne vient pas d'une écriture interrompue d'ateliers : vérifiez d'où il vient, "
            f"supprimez-le (« rm {JOURNAL} »), puis relancez la commande",
        )


def _refuse_path(rel: object, what: str) -> str | None:
    """Why ``rel`` cannot be a file the tool writes, or None."""
    if not isinstance(rel, str) or not rel:
        return f"{what} n'est pas un chemin"
    if "\0" in rel or "\\" in rel:
        return f"{what} « {rel} » contient un caractère interdit"
    path = PurePosixPath(rel)
    if path.is_absolute():
        return f"{what} « {rel} » est un chemin absolu"
    if any(part in ("", ".", "..") for part in rel.split("/")):
        return f"{what} « {rel} » sort du dossier ou n'est pas un chemin simple"
    return None


def _check_entry(root: Path, raw: object, folders: set[Path] | None = None) -> Entry | str:
    """The entry, or why it is refused. ``folders``: those already found real folders (filled)."""
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, str) for x in raw)):
        return "ligne illisible (attendu : une paire de chemins)"
    tmp, target = raw
    reason = _refuse_path(target, "le fichier")
    if reason:
        return reason
    parts = target.split("/")
    if any(p.startswith(".") for p in parts[:-1]) or (parts[-1].startswith(".") and parts[-1] not in HIDDEN_WRITTEN):
        return f"« {target} » est un fichier ou un dossier caché, que l'outil n'écrit pas"
    if PurePosixPath(target).suffix.lower() not in WRITTEN_SUFFIXES:
        return f"« {target} » n'est pas un type de fichier que l'outil écrit"
    # every folder on the way: a real folder, not a link (which could lead out of the consultation)
    here = root
    for part in parts[:-1]:
        here = here / part
        if folders is not None and here in folders:
            continue
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            break  # created by the write: nothing further exists below it
        except OSError:
            return f"le dossier de « {target} » est inaccessible"
        if not stat.S_ISDIR(st.st_mode):
            return f"« {here.relative_to(root).as_posix()} » est un lien symbolique ou un fichier, pas un dossier"
        if folders is not None:
            folders.add(here)
    final = root / target
    fst: os.stat_result | None
    try:
        fst = os.lstat(final)
    except FileNotFoundError:
        fst = None
    except OSError:
        return f"« {target} » est inaccessible"
    if fst is not None and stat.S_ISLNK(fst.st_mode):
        return f"« {target} » est un lien symbolique"
    if fst is not None and stat.S_ISDIR(fst.st_mode):
        return f"« {target} » est un dossier"
    if tmp:
        reason = _refuse_path(tmp, "le fichier temporaire")
        if reason:
            return reason
        tmp_path = PurePosixPath(tmp)
        match = _TMP_NAME.fullmatch(tmp_path.name)
        if tmp_path.parent != PurePosixPath(target).parent or match is None or match["name"] != parts[-1]:
            return f"« {tmp} » n'est pas un fichier temporaire de « {target} »"
        try:
            tst = os.lstat(root / tmp)
        except FileNotFoundError:
            pass  # already renamed into place
        except OSError:
            return f"« {tmp} » est inaccessible"
        else:
            if not stat.S_ISREG(tst.st_mode):
                return f"« {tmp} » n'est pas un fichier ordinaire"
    return Entry(tmp, target)


def read(root: Path) -> list[Entry] | None:
    """The journal's entries once all checked; None when there is no journal.

    Raises :class:`JournalRefused` (and touches nothing) at the first entry that is not one
    the tool could have written, or when git tracks the journal.
    """
    path = root / JOURNAL
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JournalRefused(f"illisible ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise JournalRefused("ce n'est pas un fichier ordinaire (un lien symbolique ?)")
    from ateliers_cli import gitrepo

    if gitrepo.is_tracked(root, JOURNAL):
        raise JournalRefused(
            "il est enregistré dans git, alors qu'une commande n'en enregistre jamais "
            f"(retirez-le du dépôt : « git rm --cached {JOURNAL} »)"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise JournalRefused("illisible (pas du texte UTF-8)") from None
    entries: list[Entry] = []
    root = root.resolve()
    folders: set[Path] = set()
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            raise JournalRefused("ligne illisible (attendu : une paire de chemins)", n) from None
        checked = _check_entry(root, raw, folders)
        if isinstance(checked, str):
            raise JournalRefused(checked, n)
        entries.append(checked)
    return entries


def problem(root: Path) -> JournalRefused | None:
    """Why the journal in ``root`` would be refused, if it would (for ``check``)."""
    try:
        read(root)
    except JournalRefused as exc:
        return exc
    return None


def replay(root: Path, written: list[Entry] | None = None) -> bool:
    """Finish the renames the journal lists (all checked first), then remove it.

    ``written``: the entries of the journal this very run has just written, from paths it
    checked itself (:func:`ateliers_cli.fsutil.write_all`): not read back and checked again,
    which for 100 000 files costs as much as writing them. A journal found on disk, left by
    an interrupted run or by anyone, is always read and checked."""
    entries = written if written is not None else read(root)
    if entries is None:
        return False
    for e in entries:
        target = root / e.target
        if e.tmp:
            tmp = root / e.tmp
            if os.path.lexists(tmp):
                os.replace(tmp, target)
        else:
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
    (root / JOURNAL).unlink()
    return True
