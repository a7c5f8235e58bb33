"""Writing files so that nothing is ever half-written, and one run at a time."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import socket
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from ateliers_cli import journal
from ateliers_cli.errors import AteliersError

LOCK_NAME = ".ateliers.lock"


def safe_join(root: Path, rel: str) -> Path:
    """``root / rel``, refusing anything that would leave ``root`` (``..``, absolute paths)."""
    candidate = (root / rel).resolve()
    if not candidate.is_relative_to(root.resolve()):
        raise AteliersError(f"chemin refusé : « {rel} » sortirait du dossier de la consultation")
    return candidate


def _joined(root: Path, base: Path, rel: str, folders: dict[str, Path]) -> tuple[Path, str]:
    """:func:`safe_join`, each folder resolved once a change rather than once a file; and the
    target's path from ``base``, « / »-separated (the journal's).

    ``folders``: the folders of this change already found real and inside ``base`` (no link
    on the way). A plain name in one of them (« contributions/C-0001.md ») is joined as is, unless
    it is itself a link; anything else goes through :func:`safe_join`, and its folder is noted."""
    parent, _, name = rel.rpartition("/")
    folder = folders.get(parent)
    if folder is not None and name not in ("", ".", ".."):
        target = folder / name
        if not os.path.islink(target):
            return target, rel
    target = safe_join(root, rel)
    plain = name not in ("", ".", "..") and "\\" not in rel and not rel.startswith("/")
    if plain and all(part not in ("", ".", "..") for part in parent.split("/") if parent):
        here = base / parent if parent else base
        if here.is_dir() and here.resolve() == here and target.parent == here:
            folders[parent] = here
    return target, target.relative_to(base).as_posix()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_DEFAULT_MODE = 0o666 & ~_umask()


def _mode_for(target: Path) -> int:
    """The permissions a rewritten file keeps (a new one gets the usual ones, not mkstemp's 0600)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return _DEFAULT_MODE


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename it into place."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_all(root: Path, files: Mapping[str, bytes | str | None]) -> None:
    """Write (or delete, for ``None``) several files as one change: all or nothing.

    Every new content is first written to a temporary file next to its target;
    only when all are on disk are they renamed into place. A journal lists the
    renames still to do, so a run killed during the renames is completed (or
    undone) by the next run: see :func:`recover` and :mod:`ateliers_cli.journal`.
    """
    staged: list[tuple[str, Path, Path | None]] = []  # (path from the folder, target, temporary file)
    new_folders: list[Path] = []
    journal_path = root / journal.JOURNAL
    base = root.resolve()
    rel = ""
    ready: set[Path] = set()  # folders already made (or found) for this change
    folders: dict[str, Path] = {}  # folders found real and inside the consultation (no link)
    try:
        for rel, data in files.items():  # in the caller's order: the renames follow it
            target, from_base = _joined(root, base, rel, folders)
            if data is None:
                staged.append((from_base, target, None))
                continue
            if isinstance(data, str):
                data = data.encode("utf-8")
            mode = _check_replaceable(target)
            if target.parent not in ready:  # once a folder, not once a file: 100 000 rows share one
                new_folders += [
                    d for d in (target.parent, *target.parent.parents) if base in d.parents and not d.exists()
                ]
                target.parent.mkdir(parents=True, exist_ok=True)
                ready.add(target.parent)
            fd, staging = _stage(target)
            staged.append((from_base, target, staging))  # from now on, removed if anything fails
            with os.fdopen(fd, "wb") as f:
                if mode is not None and hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), mode)
                f.write(data)
        # One flush of everything staged rather than one fsync a file: the same guarantee
        # (every new content is on disk before the first rename) at a fraction of the cost.
        if any(tmp is not None for _, _, tmp in staged):
            os.sync()
        entries = [
            journal.Entry(from_base[: from_base.rfind("/") + 1] + tmp.name if tmp else "", from_base)
            for from_base, _, tmp in staged
        ]
        rel = journal.JOURNAL
        atomic_write(journal_path, journal.encode(entries))
    except BaseException as exc:
        for _, _, tmp in staged:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        for folder in sorted(set(new_folders), key=lambda d: len(d.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # made for this change, and empty again: nothing is left of it
        if isinstance(exc, OSError):  # a full disk, a name too long: the user's to fix, in French
            from ateliers_cli.errors import os_hint, os_reason

            raise AteliersError(
                f"écriture impossible ({os_reason(exc)}) : rien n'a été modifié",
                path=rel,
                hint=os_hint(exc),
            ) from None
        raise
    journal.replay(root, entries)


_STAGE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def _stage(target: Path) -> tuple[int, Path]:
    """A new temporary file next to ``target`` (« .nom.xxxxxxxx.tmp », as the journal expects),
    open for writing, with the usual permissions of a new file (the umask's, given by the system
    as it creates it: no second call to set them, which counts for 100 000 files)."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, _STAGE_FLAGS, 0o666), tmp
        except FileExistsError:
            continue


def _check_replaceable(target: Path) -> int | None:
    """Refuse before anything is written a file that could not be replaced: protected against
    any change (``chattr +i``), on a read-only disk, or without the right to write it — root
    passes every permission check, not these. The permissions its replacement keeps: None for
    a new file (the usual ones)."""
    try:
        st = os.lstat(target)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return _mode_for(target)
    if not stat.S_ISREG(st.st_mode):
        return None
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND)  # changes neither the content nor the date
    except PermissionError as exc:
        if exc.errno == errno.EACCES:
            return stat.S_IMODE(st.st_mode)  # a read-only file in a folder we may write: replaced, its mode kept
        raise
    os.close(fd)
    return stat.S_IMODE(st.st_mode)


def recover(root: Path) -> bool:
    """Finish the renames of a change that was interrupted after all its files were staged.

    The journal is checked whole before anything is renamed (:func:`ateliers_cli.journal.read`):
    one that names a file the tool does not write is refused, and nothing is touched.
    Temporary files of a change interrupted before its journal was written are removed.
    """
    done = journal.replay(root)
    for tmp in root.rglob(".*.tmp"):
        if ".git" in tmp.parts or not journal.is_staging_name(tmp.name):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
    return done


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_holder(path: Path) -> tuple[int, str, str] | None:
    """(pid, host, command) of the lock's holder, (0, "", "") when unreadable; None when
    there is no holder to wait for: the lock was released meanwhile, or it is empty and old
    enough to be one a killed run left."""
    for _ in range(50):  # a lock is created, then written: a moment may separate the two
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError:
            return (0, "", "")
        if text:
            break
        time.sleep(0.02)
    else:
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            age = 0.0
        return None if age > 10 else (0, "", "")
    try:
        pid_s, host, _since, other = text.rstrip("\n").split("\t", 3)
        return int(pid_s), host, other
    except ValueError:
        return (0, "", "")


@contextlib.contextmanager
def lock(root: Path, what: str) -> Iterator[None]:
    """One command that writes at a time; a lock left by a killed run is taken over."""
    path = root / LOCK_NAME
    me = f"{os.getpid()}\t{socket.gethostname()}\t{time.time():.0f}\t{what}\n"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _lock_holder(path)
            if holder is None:  # released, or an empty lock left by a run killed as it took it
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            pid, host, other = holder
            if host == socket.gethostname() and pid and not _pid_alive(pid):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # stale: its process is gone
                continue
            running = f"une autre commande « {other} »" if other else "une autre commande"
            raise AteliersError(
                f"{running} est en cours sur cette consultation" + (f" (processus {pid})" if pid else ""),
                hint=f"attendez qu'elle se termine ; si aucune ne tourne, supprimez le fichier {LOCK_NAME}",
            ) from None
        # Written at once, in the same breath as the creation: the moment a killed run could
        # leave the lock empty (then respected for ten seconds) is a single system call wide.
        try:
            os.write(fd, me.encode("utf-8"))
        finally:
            os.close(fd)
        break
    try:
        recover(root)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def find_root(start: Path) -> Path:
    """The consultation folder: ``start`` or its nearest parent holding consultation.yaml."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "consultation.yaml").is_file():
            return candidate
    raise AteliersError(
        f"aucune consultation ici : « consultation.yaml » est introuvable dans {start} "
        "ni dans ses dossiers parents",
        hint="placez-vous dans le dossier d'une consultation, indiquez-le avec -C DOSSIER, "
        "ou créez-en une avec « ateliers init DOSSIER »",
    )
