"""A cache of parsed files, so that a repeated ``check`` on an unchanged folder is nearly free.

Two levels, both under ``.ateliers-cache/`` (git-ignored):

- per contribution: the parsed and validated file, reused while its size,
  modification time and inode are unchanged;
- per run: ``check``'s whole report, reused while every file read is unchanged.

Both are keyed on the tool itself (its version and the size and time of its
source files, so a new schema or rule invalidates them) and are written
atomically. A file modified within two seconds of the cache's writing is
compared by content, since a file system's clock may not tell two quick
writes apart (the « racy » case git also guards against).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import time
import zlib
from pathlib import Path
from typing import Any

from ateliers_cli import __version__
from ateliers_cli.store import paths

CACHE_DIR = paths.CACHE_DIR
RACY_SECONDS = 2.0
_FINGERPRINT: str | None = None

Meta = tuple[int, int, int]  # size, mtime_ns, inode


def tool_fingerprint() -> str:
    """Changes whenever the tool's code (schema and rules included) changes."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        h = hashlib.sha256(__version__.encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*.py")):
            st = path.stat()
            h.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _FINGERPRINT = h.hexdigest()
    return _FINGERPRINT


def meta_of(st: os.stat_result) -> Meta:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.blake2b(f.read(), digest_size=16).hexdigest()


# Unpickling runs code: a cache file planted in the folder (a shared drive, an archive, a
# commit forcing it past .gitignore) must never be unpickled. Every cache file is signed
# with a key that lives outside the consultation, in the user's own cache folder.
_MAGIC = b"ateliers-cache-1\n"
_KEY: bytes | None = None


def _key() -> bytes | None:
    """This user's signing key (created once, readable by the user only); None if unavailable."""
    global _KEY
    if _KEY is None:
        try:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ateliers"
            path = base / "cle-du-cache"
            base.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(secrets.token_bytes(32))
            key = path.read_bytes()
        except (OSError, RuntimeError):  # no home, read-only: no cache, only slower
            return None
        if len(key) < 32:
            return None
        _KEY = key
    return _KEY


def _sign(payload: bytes) -> bytes | None:
    key = _key()
    return None if key is None else _MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload


_FILE_MAGIC = b"ateliers-fichier-1\n"


def signed_file(name: str, content: bytes) -> bytes | None:
    """``content`` as a cache file named ``name``, signed like the pickles; None without a key.

    The name is signed with it: a valid file moved under another name (another document's
    key) is refused as well."""
    key = _key()
    if key is None:
        return None
    return _FILE_MAGIC + hmac.new(key, name.encode() + b"\0" + content, hashlib.sha256).digest() + content


def read_signed_file(path: Path) -> bytes | None:
    """The content of a cache file written by :func:`signed_file` under this name by this user;
    None when absent, unsigned, forged or moved: the caller then makes it again."""
    key = _key()
    if key is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(_FILE_MAGIC) + 32
    if not raw.startswith(_FILE_MAGIC) or len(raw) < head:
        return None
    content = raw[head:]
    expected = hmac.new(key, path.name.encode() + b"\0" + content, hashlib.sha256).digest()
    return content if hmac.compare_digest(raw[len(_FILE_MAGIC) : head], expected) else None


def _read(path: Path) -> Any:
    key = _key()
    if key is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 32
    if not raw.startswith(_MAGIC) or len(raw) < head:
        return None
    payload = raw[head:]
    if not hmac.compare_digest(raw[len(_MAGIC) : head], hmac.new(key, payload, hashlib.sha256).digest()):
        return None  # not written by this user's ateliers: never unpickled
    try:
        data = pickle.loads(payload)
    except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, IndexError):
        return None
    if not isinstance(data, dict) or data.get("outil") != tool_fingerprint():
        return None
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    from ateliers_cli.fsutil import atomic_write

    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        path.parent.mkdir(exist_ok=True)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", encoding="utf-8")
        signed = _sign(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        if signed is not None:
            atomic_write(path, signed)


class ParseCache:
    """Parsed contributions by relative path, valid while the file is unchanged.

    Kept in :data:`SHARDS` files (``contributions-00.pickle`` …), each contribution in the one
    its path falls in: after one contribution changed, only its file is written again, not
    the whole cache (at 10 000 contributions, writing it all cost as much as the rest of a
    repeated ``site``)."""

    SHARDS = 16

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.folder = root / CACHE_DIR
        self.enabled = enabled
        self.entries: dict[str, tuple[Meta, str | None, Any]] = {}
        self.dirty: set[int] = set()  # the shards to write again
        if enabled:
            for shard in range(self.SHARDS):
                data = _read(self.path(shard))
                if data is not None and isinstance(data.get("entrees"), dict):
                    self.entries.update(data["entrees"])

    def path(self, shard: int) -> Path:
        return self.folder / f"contributions-{shard:02d}.pickle"

    def shard(self, rel: str) -> int:
        return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % self.SHARDS

    def get(self, rel: str, path: str, meta: Meta) -> Any:
        if not self.enabled:
            return None
        entry = self.entries.get(rel)
        if entry is None or entry[0] != meta:
            return None
        digest = entry[1]
        if digest is not None and _digest(path) != digest:
            return None
        return entry[2]

    def put(self, rel: str, path: str, meta: Meta, parsed: Any) -> None:
        if not self.enabled:
            return
        racy = meta[1] / 1e9 >= time.time() - RACY_SECONDS
        self.entries[rel] = (meta, _digest(path) if racy else None, parsed)
        self.dirty.add(self.shard(rel))

    def keep_only(self, rels: set[str]) -> None:
        if self.enabled and set(self.entries) - rels:
            self.dirty.update(self.shard(rel) for rel in set(self.entries) - rels)
            self.entries = {k: v for k, v in self.entries.items() if k in rels}

    def save(self) -> None:
        if not self.enabled or not self.dirty:
            return
        shards: dict[int, dict[str, tuple[Meta, str | None, Any]]] = {shard: {} for shard in self.dirty}
        for rel, entry in self.entries.items():
            mine = shards.get(self.shard(rel))
            if mine is not None:
                mine[rel] = entry
        for shard, entries in sorted(shards.items()):
            _write(self.path(shard), {"outil": tool_fingerprint(), "entrees": entries})
        self.dirty = set()


def snapshot(root: Path) -> tuple[str, bool]:
    """A key for the state of every file ``load`` reads, and whether any is too recent to trust."""
    parts: list[str] = []
    newest = 0

    def add(rel: str, name: str, dir_fd: int | None) -> None:
        nonlocal newest
        try:
            st = os.stat(name, dir_fd=dir_fd)
        except OSError:
            parts.append(f"{rel}:absent\n")
            return
        parts.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}\n")
        newest = max(newest, st.st_mtime_ns)

    single = [
        "consultation.yaml",
        "themes.yaml",
        "forums/lancement.yaml",
        "forums/synthese.yaml",
        "orientations.yaml",
        "deliberation.yaml",
        "suivi.yaml",
    ]
    single.append(paths.CONTRIBUTORS)  # read by the erasure rule (checks/erasure.py)
    single.append(".ateliers-journal")  # an interrupted write is reported (load.py)
    for rel in single:
        add(rel, str(root / rel), None)
    # check reports the files of prive/ that git tracks: a « git rm --cached » changes the index
    from ateliers_cli.gitrepo import find_git_dir

    git_dir = find_git_dir(root)
    if git_dir is not None:
        add("(index git)", str(git_dir / "index"), None)
    # check scans templates/ and prive/ whole for conflict markers (checks/merge_markers.py)
    folders_racy = False
    for folder in ("templates", "prive"):
        state, racy_folder = tree_state(root / folder)
        parts.append(f"{folder}/:{state}\n")
        folders_racy = folders_racy or racy_folder
    # thousands of files: each stat made relative to its open folder (a quarter faster)
    relative = os.stat in os.supports_dir_fd
    for folder in ("contributions", "ateliers", "restitutions"):
        try:
            names = sorted(os.listdir(root / folder))
            fd = os.open(root / folder, os.O_RDONLY) if relative else None
        except OSError:
            parts.append(f"{folder}:absent\n")
            continue
        try:
            for name in names:
                add(f"{folder}/{name}", name if fd is not None else str(root / folder / name), fd)
        finally:
            if fd is not None:
                os.close(fd)
    key = hashlib.sha256("".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return key, folders_racy or newest / 1e9 >= time.time() - RACY_SECONDS


def tree_state(folder: Path) -> tuple[str, bool]:
    """A key for the state of every entry under ``folder`` (links not followed), and whether
    any is too recent to trust — as :func:`snapshot`, for a folder read as a whole (templates/)."""
    parts: list[str] = []
    newest = 0
    stack = [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}\n")
            newest = max(newest, st.st_mtime_ns)
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    key = hashlib.sha256("".join(sorted(parts)).encode("utf-8", "surrogateescape")).hexdigest()
    return key, newest / 1e9 >= time.time() - RACY_SECONDS


def check_key(root: Path) -> tuple[str, bool]:
    """The key of ``check``'s report for the folder as it is, today (the date rules depend
    on the day); and whether a file is too recent to trust (then no cached report is used)."""
    from ateliers_cli.clock import today

    key, racy = snapshot(root)
    return f"{key}:{today().isoformat()}", racy


def cached_report(root: Path, key: str) -> Any:
    data = _read(root / CACHE_DIR / "check.pickle")
    if data is None or data.get("cle") != key:
        return None
    return data["rapport"]


def store_report(root: Path, key: str, report: Any) -> None:
    _write(root / CACHE_DIR / "check.pickle", {"outil": tool_fingerprint(), "cle": key, "rapport": report})
