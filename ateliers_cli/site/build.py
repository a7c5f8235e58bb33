"""``ateliers site``: every page of the public website, built beside the target then swapped in.

    files = plan_site(c)                 # {"index.html": b"...", ...}: pure, writes nothing
    write_site(files, root / "site")     # built beside the target, then swapped in
    build_site(loaded, root / "site")    # what the command does: both, faster

The contribution pages are most of the work at national scale: a ``fork`` pool inherits
the loaded consultation and the compiled templates, renders them on every core and writes
them itself into the new folder, while this process renders the other pages. A file that
has not changed since the previous site is hard-linked to it rather than written again.
Same consultation, same bytes: everything is ordered, nothing depends on the clock but
``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ateliers_cli import parallel
from ateliers_cli.cache import Meta, meta_of
from ateliers_cli.documents.templating import default_templates_dir, render_template
from ateliers_cli.errors import AteliersError
from ateliers_cli.load import LoadResult
from ateliers_cli.model import Consultation
from ateliers_cli.render.french import pluriel
from ateliers_cli.site.documents import collect_documents
from ateliers_cli.site.pages import PAR_PAGE, SiteBuilder, nombre_de_pages
from ateliers_cli.site.public import texte_publiable

Progress = Callable[[int, int], None]

#: Written at the root of every site we build: the list of the files the tool wrote there,
#: the only ones it ever replaces or removes.
MARKER = ".ateliers-site"
_MANIFEST_HEAD = (
    "# Site public produit par « ateliers site ». Voici les fichiers qu'il a écrits : à chaque\n"
    "# publication, il remplace et supprime ceux-là seulement ; tout autre fichier du dossier est gardé.\n"
)
#: Below this many contributions, one process is faster than starting a pool.
PARALLEL_THRESHOLD = 400
_CHUNK = 250
_ASSETS = ("site.css", "recherche.js")


@dataclass(frozen=True)
class _Staging:
    """The folder the new site is built in, beside the previous site (if any).

    A file identical to the previous site's is not written again but hard-linked to it:
    re-publishing an unchanged consultation writes almost nothing, and removing the
    previous site afterwards frees almost nothing (on some disks, freeing is the slow part).
    """

    folder: Path
    previous: Path | None
    # the open folders (previous, new) the contribution pages are linked between, once opened
    _dirs: dict[str, tuple[int, int]] = field(default_factory=dict)

    def open_dirs(self, sub: str) -> None:
        """Open ``sub`` in both sites: thousands of links are then made relative to them (a
        third faster). The forked workers inherit them; :meth:`close` closes them."""
        if self.previous is None or sub in self._dirs or not {os.link, os.stat} <= os.supports_dir_fd:
            return
        try:
            old = os.open(self.previous / sub, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return
        try:
            new = os.open(self.folder / sub, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            os.close(old)
            return
        self._dirs[sub] = (old, new)

    def close(self) -> None:
        for old, new in self._dirs.values():
            os.close(old)
            os.close(new)
        self._dirs.clear()

    def put(self, rel: str, data: bytes) -> None:
        target = self.folder / rel
        if self.previous is not None:
            old = self.previous / rel
            try:
                st = os.lstat(old)
                if stat.S_ISREG(st.st_mode) and st.st_size == len(data) and old.read_bytes() == data:
                    os.link(old, target, follow_symlinks=False)
                    return
            except OSError:
                pass  # absent, unreadable, or no hard links here: written anew
        target.write_bytes(data)

    def link_unchanged(self, rel: str, meta: Meta) -> bool:
        """Hard-link the previous site's ``rel`` into the new one if it is still the file this
        tool wrote there (same size, modification time and inode as then), without reading it."""
        if self.previous is None:
            return False
        sub, _, name = rel.rpartition("/")
        fds = self._dirs.get(sub)
        try:
            if fds is not None and "/" not in sub:
                st = os.stat(name, dir_fd=fds[0], follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode) or meta_of(st) != meta:
                    return False
                os.link(name, name, src_dir_fd=fds[0], dst_dir_fd=fds[1], follow_symlinks=False)
                return True
            old = self.previous / rel
            st = os.lstat(old)
            if not stat.S_ISREG(st.st_mode) or meta_of(st) != meta:
                return False
            os.link(old, self.folder / rel, follow_symlinks=False)
        except OSError:
            return False
        return True

    def meta(self, rel: str) -> Meta | None:
        """The size, modification time and inode of a file of the new site (they stay its own
        once the folder is swapped in, and when the next site links to it)."""
        try:
            return meta_of(os.lstat(self.folder / rel))
        except OSError:
            return None


class PageCache:
    """The contribution pages of earlier builds, each under a key of everything it is made of.

    A contribution's page depends on that contribution (and, for a duplicate, on the one it
    repeats) and on the rest of the consultation (themes, workshops, forums, orientations,
    deliberation, restitutions, settings, stage), the templates and the tool — never on the
    other contributions. So after one contribution changed, only its page is rendered again;
    the others are read back, byte for byte what a full build would make. Each file is signed
    like every cache of the tool (never unpickled unless this user's ateliers wrote it).
    """

    INDEX = "site-precedent"

    def __init__(self, root: Path, pc: Consultation, donnees_ouvertes: bool) -> None:
        from dataclasses import replace as _replace

        from ateliers_cli.cache import CACHE_DIR, tool_fingerprint, tree_state

        self.folder = root / CACHE_DIR / "pages"
        own, racy_own = tree_state(root / "templates")
        packaged, racy_packaged = tree_state(default_templates_dir())
        self.usable = not (racy_own or racy_packaged)
        rest = repr(_replace(pc, contributions={}))
        self.base = hashlib.sha256(
            f"{tool_fingerprint()}\n{own}\n{packaged}\n{donnees_ouvertes}\n{rest}".encode()
        ).hexdigest()
        # every contribution's key, computed here once, before the workers fork (they inherit it)
        self.keys: dict[str, str] = {}
        for cid, ct in pc.contributions.items():
            original = pc.contributions.get(ct.doublon_de) if ct.doublon_de else None
            self.keys[cid] = hashlib.sha256(f"{self.base}\n{ct!r}\n{original!r}".encode()).hexdigest()
        self.kept: set[str] = set(self.keys.values())
        # each contribution's page in the previous site: its key, path, file and search entry
        found = self.get_data(self.INDEX)
        self.previous: dict[str, _Built] = found if isinstance(found, dict) else {}
        self.kept.add(self.INDEX)

    def key(self, c: Consultation, cid: str) -> str:
        return self.keys[cid]

    def key_of(self, *parts: object) -> str:
        """The key of a page made of several contributions (a territory's, a page of the list)."""
        key = hashlib.sha256(f"{self.base}\n{parts!r}".encode()).hexdigest()
        self.kept.add(key)
        return key

    def page(self, key: str, make: Callable[[], tuple[str, bytes]]) -> tuple[str, bytes]:
        """A page from the cache, or made by ``make`` and kept."""
        hit = self.get(key)
        if hit is not None:
            return hit[0], hit[1]
        path, content = make()
        self.put(key, path, content, None)
        return path, content

    def get(self, key: str) -> tuple[str, bytes, dict[str, Any] | None] | None:
        from ateliers_cli.cache import _read

        if not self.usable:
            return None
        data = _read(self.folder / key)
        if data is None:
            return None
        return data["chemin"], data["page"], data["entree"]

    def get_data(self, name: str) -> Any:
        """What :meth:`put_data` kept under ``name``; None if nothing valid is there."""
        from ateliers_cli.cache import _read

        data = _read(self.folder / name) if self.usable else None
        return None if data is None or data.get("base") != self.base else data["donnees"]

    def put_data(self, name: str, value: Any) -> None:
        from ateliers_cli.cache import _write, tool_fingerprint

        if self.usable:
            with contextlib.suppress(OSError):
                self.folder.parent.mkdir(parents=True, exist_ok=True)
            _write(self.folder / name, {"outil": tool_fingerprint(), "base": self.base, "donnees": value})

    def put(self, key: str, path: str, page: bytes, entree: dict[str, Any] | None) -> None:
        from ateliers_cli.cache import _write, tool_fingerprint

        if self.usable:
            with contextlib.suppress(OSError):
                self.folder.parent.mkdir(parents=True, exist_ok=True)
            _write(self.folder / key, {"outil": tool_fingerprint(), "chemin": path, "page": page, "entree": entree})

    def rows(self) -> _KeptRows:
        """The open data's rows of the contributions, kept in one file beside the pages."""
        self.kept.add(_KeptRows.NAME)
        return _KeptRows(self)

    def prune(self, keep: set[str]) -> None:
        """Forget the pages no contribution is made of any more (edited, erased)."""
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if entry.name not in keep and entry.name != ".gitignore":
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


class _KeptRows:
    """Each contribution's row of ``contributions.csv`` and ``.json``, under the key of its page:
    a row is made of what its page is made of (the contribution, the one it repeats, the rest
    of the consultation). One file for them all, written again only when a row changed."""

    NAME = "donnees-contributions"

    def __init__(self, cache: PageCache) -> None:
        self.cache = cache
        found = cache.get_data(self.NAME)
        self.old: dict[str, tuple[bytes, bytes]] = found if isinstance(found, dict) else {}
        self.new: dict[str, tuple[bytes, bytes]] = {}
        self.made = 0

    def get(self, ct: Any) -> tuple[bytes, bytes] | None:
        key = self.cache.keys[ct.id]
        lines = self.old.get(key)
        if lines is not None:
            self.new[key] = lines
        return lines

    def put(self, ct: Any, lines: tuple[bytes, bytes]) -> None:
        self.new[self.cache.keys[ct.id]] = lines
        self.made += 1

    def save(self) -> None:
        if self.made or len(self.new) != len(self.old):
            self.cache.put_data(self.NAME, self.new)


# The builder, the staging folder and the page cache, inherited by the forked workers (set just before the pool starts).
_BUILDER: SiteBuilder | None = None
_STAGING: _Staging | None = None
_CACHE: PageCache | None = None


#: A contribution's page as built: its cache key, its path, its file (size, time, inode), its search entry.
_Built = tuple[str, str, "Meta | None", "dict[str, Any] | None"]


@dataclass
class _Rendered:
    pages: dict[str, bytes]  # empty when the pages were written straight into the staging folder
    count: int
    entrees: list[dict[str, Any]]
    built: dict[str, _Built] = field(default_factory=dict)


def _render_chunk(ids: list[str]) -> _Rendered:
    builder, staging = _BUILDER, _STAGING
    assert builder is not None
    out = _Rendered({}, 0, [])
    cache = _CACHE
    for cid in ids:
        key = cache.key(builder.c, cid) if cache is not None else ""
        before = cache.previous.get(cid) if cache is not None else None
        if (
            before is not None
            and staging is not None
            and before[0] == key
            and before[2] is not None
            and staging.link_unchanged(before[1], before[2])
        ):
            # the previous site has this very page, untouched: linked, neither made nor read
            out.built[cid] = before
            out.count += 1
            if before[3] is not None:
                out.entrees.append(before[3])
            continue
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            path, content, entree = hit
        else:
            (path, content), entree = builder.contribution(builder.c.contributions[cid])
            if cache is not None:
                cache.put(key, path, content, entree)
        if staging is None:
            out.pages[path] = content
        else:
            staging.put(path, content)  # in the worker: no copy through the pipe
            out.built[cid] = (key, path, staging.meta(path), entree)
        out.count += 1
        if entree is not None:
            out.entrees.append(entree)
    return out


_CONTRIBUTION_TEMPLATE = "site/contribution.html.j2"


def _compile(b: SiteBuilder, names: list[str]) -> None:
    """Compile these templates now: a faulty one is reported with its file and line."""
    for name in names:
        try:
            b.env.get_template(name)
        except jinja2.TemplateError:
            render_template(b.env, name, {})  # raises it as an AteliersError, with its file and line
            raise


def _use_pool(total: int) -> bool:
    return total >= PARALLEL_THRESHOLD and parallel.workers() > 1


def _produce(
    c: Consultation, staging: _Staging | None, progress: Progress | None, *, use_cache: bool = True
) -> tuple[dict[str, bytes], int]:
    """Every file of the site but, when ``staging`` is given, the contribution pages, written there.

    Returns the files still to write and the number of contribution pages. The contribution
    pages are rendered on every core while this process renders all the other pages.
    """
    global _BUILDER, _STAGING, _CACHE
    # The documents are only needed by their own pages: collected once the workers have started.
    b = SiteBuilder(c, [], donnees_ouvertes=_export_available())
    pc = b.c
    cache = PageCache(c.root, pc, b.donnees_ouvertes) if use_cache else None
    _compile(b, [_CONTRIBUTION_TEMPLATE])  # before the workers fork, who inherit it
    office_files: dict[str, bytes] = {}

    def documents_and_templates() -> None:
        nonlocal office_files
        b.documents, office_files = collect_documents(c, cache=use_cache)
        _compile(b, b.env.list_templates(filter_func=lambda n: n.startswith("site/") and n.endswith(".html.j2")))
    files: dict[str, bytes] = {}
    files.update(_assets(c.root))
    files.update(_identite(c))

    ids = sorted(pc.contributions)
    chunks = [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    if staging is not None:
        (staging.folder / "contributions").mkdir(parents=True, exist_ok=True)
        staging.open_dirs("contributions")
    rendered = _Rendered({}, 0, [])
    # Known beforehand, so that each page of the list is made as soon as its entries are in,
    # while the workers are still at the later ones.
    publiees = sum(1 for cid in ids if texte_publiable(pc.contributions[cid]))
    filtres = b.filtres()
    listed = 0  # pages of the list made so far

    def made(parts: tuple[object, ...], make: Callable[[], tuple[str, bytes]]) -> tuple[str, bytes]:
        """A page made of ``parts`` (the keys of the contributions it shows, …): from the cache
        while they are the same, made otherwise."""
        return make() if cache is None else cache.page(cache.key_of(*parts), make)

    def list_pages(upto: int) -> None:
        nonlocal listed
        while listed < upto:
            listed += 1
            items = rendered.entrees[(listed - 1) * PAR_PAGE : listed * PAR_PAGE]
            page = functools.partial(b.liste_page, listed, items, publiees, filtres)
            files.update([made(("liste", listed, publiees, len(ids), filtres, made_of(items)), page)])

    def made_of(items: list[dict[str, Any]]) -> list[str]:
        """What entries of the list are made of: their contributions' keys (none without cache)."""
        return [cache.keys[e["id"]] for e in items] if cache is not None else []

    def filtered_lists() -> None:
        """The list narrowed to each territory, then to each theme (pages without JavaScript)."""
        for filtre, total in [*filtres.territoires, *filtres.themes]:
            if filtre.sorte == "territoire":
                mine = [e for e in rendered.entrees if e["territoire_id"] == filtre.id]
            else:
                mine = [e for e in rendered.entrees if filtre.id in e["themes_ids"]]
            for n in range(1, nombre_de_pages(total) + 1):
                items = mine[(n - 1) * PAR_PAGE : n * PAR_PAGE]
                page = functools.partial(b.liste_page, n, items, total, filtres, filtre)
                files.update([made(("filtre", filtre, n, total, len(ids), filtres, made_of(items)), page)])

    def merge(part: _Rendered) -> None:
        rendered.pages.update(part.pages)
        rendered.count += part.count
        rendered.entrees.extend(part.entrees)
        rendered.built.update(part.built)
        list_pages(len(rendered.entrees) // PAR_PAGE)  # the pages already full
        if progress is not None:
            progress(rendered.count, len(ids))

    def other_pages() -> None:
        files.update([b.accueil(), b.themes_index(), b.calendrier(), b.politique(), b.statistiques()])
        of_theme: dict[str, list[str]] = {}
        of_territory: dict[str, list[str]] = {}
        if cache is not None:
            for cid in ids:
                ct = pc.contributions[cid]
                for th in ct.themes:
                    of_theme.setdefault(th, []).append(cache.keys[cid])
                of_territory.setdefault(ct.territoire, []).append(cache.keys[cid])
        for th in pc.themes:
            files.update([made(("theme", th, of_theme.get(th, [])), functools.partial(b.theme, th))])
        files.update(b.atelier(a) for a in pc.ateliers)
        files.update([b.devenir_index(), b.documents_index(), made(("numeros", ids), b.numeros), b.communes()])
        for t in b.territoires_avec_contributions():
            devenir = functools.partial(b.devenir_territoire, t.id)
            files.update([made(("devenir", t.id, of_territory.get(t.id, [])), devenir)])
        files.update(b.document(d) for d in b.documents if d.corps is not None)
        files.update(office_files)
        if b.donnees_ouvertes:
            donnees, jeux = _donnees(pc, cache)
            files.update(donnees)
            files.update(b.donnees_page(jeux))
        files.update([b.mentions_legales(), b.accessibilite(), b.plan()])

    _BUILDER, _STAGING, _CACHE = b, staging, cache
    try:
        # a pool for the pages to make; those the previous site has unchanged are only linked
        unchanged = 0
        if cache is not None:
            unchanged = sum(1 for cid in ids if cache.previous.get(cid, ("",))[0] == cache.keys[cid])
        if _use_pool(len(ids) - unchanged):
            with parallel.fork_pool(parallel.workers()) as pool:
                parts = pool.imap(_render_chunk, chunks)  # the workers start now…
                documents_and_templates()  # … while this process does the rest
                other_pages()
                for part in parts:
                    merge(part)
        else:
            documents_and_templates()
            for chunk in chunks:
                merge(_render_chunk(chunk))
            other_pages()
    finally:
        _BUILDER, _STAGING, _CACHE = None, None, None
    list_pages(nombre_de_pages(publiees))  # the last one (or the only one, even empty)
    filtered_lists()
    if cache is not None:
        if staging is not None and rendered.built != cache.previous:
            cache.put_data(cache.INDEX, rendered.built)
        cache.prune(cache.kept)  # once every page has said which key it is made of
    files.update(rendered.pages)
    files.update([b.index_recherche(rendered.entrees)])
    return files, len(ids)


def _export_available() -> bool:
    try:
        import ateliers_cli.export  # noqa: F401
    except ImportError:
        return False
    return True


def _donnees(c: Consultation, cache: PageCache | None) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """The open data of ``ateliers export``, under ``donnees/``, and what each data set is
    (title, description, rows, its files) for the page that presents them.

    ``c`` is the public view: the data say no more than the pages. With ``cache``, only the
    rows of the contributions whose page is made again are made again.
    """
    from ateliers_cli.export import README, SCDL_NAME, build_export

    tables: list[Any] = []
    kept = cache.rows() if cache is not None else None
    files, _rows, _notes = build_export(c, tables_out=tables, kept=kept)
    if kept is not None:
        kept.save()
    jeux = [
        {"nom": t.name, "titre": t.title, "description": t.doc, "lignes": t.lignes, "colonnes": len(t.columns)}
        for t in tables
    ]
    if f"{SCDL_NAME}.csv" in files:
        jeux.append(
            {
                "nom": SCDL_NAME,
                "titre": "La délibération au format SCDL « Délibérations »",
                "description": "La délibération de l'assemblée selon le socle commun des données locales (schéma « "
                "Délibérations »), comme les collectivités publient leurs actes.",
                "lignes": 1,
                "colonnes": 0,
            }
        )
    for jeu in jeux:
        jeu["fichiers"] = [
            (f"donnees/{jeu['nom']}.{ext}", fmt, len(files[f"{jeu['nom']}.{ext}"]))
            for ext, fmt in (("csv", "CSV"), ("json", "JSON"))
            if f"{jeu['nom']}.{ext}" in files
        ]
    jeux.append(
        {
            "nom": "README",
            "titre": "Description des fichiers",
            "description": "Chaque fichier et chacune de ses colonnes : nom, type, signification.",
            "lignes": 0,
            "colonnes": 0,
            "fichiers": [(f"donnees/{README}", "Markdown", len(files[README]))],
        }
    )
    return {f"donnees/{name}": data for name, data in sorted(files.items())}, jeux


def _assets(root: Path) -> dict[str, bytes]:
    """The style sheet (the consultation's own ``templates/site/assets/site.css`` wins) and the search script."""
    folder = default_templates_dir() / "site" / "assets"
    files = {f"assets/{name}": (folder / name).read_bytes() for name in _ASSETS}
    own = root / "templates" / "site" / "assets" / "site.css"
    if own.is_file() and not own.is_symlink():
        files["assets/site.css"] = own.read_bytes()
    return files


def _identite(c: Consultation) -> dict[str, bytes]:
    """The institution's style sheet (colour, typeface) and its logo, copied into assets/."""
    from ateliers_cli.checks.institution import logo_path
    from ateliers_cli.site.identite import feuille_identite

    files = {"assets/identite.css": feuille_identite(c)}
    path = logo_path(c)
    if path is not None:
        files[f"assets/logo{path.suffix.lower()}"] = path.read_bytes()
    return files


def plan_site(c: Consultation, *, progress: Progress | None = None) -> dict[str, bytes]:
    """Every file of the site, by path relative to its root. Pure: nothing is written.

    ``c`` is the whole consultation: what each stage may publish is decided here
    (:func:`~ateliers_cli.site.public.public_view`).
    """
    files, _count = _produce(c, None, progress, use_cache=False)
    files[MARKER] = manifest_bytes(files)
    return dict(sorted(files.items()))


def manifest_bytes(paths: Iterable[str]) -> bytes:
    """The content of :data:`MARKER`: the files of the site, one a line, sorted."""
    return (_MANIFEST_HEAD + "".join(f"{p}\n" for p in sorted(set(paths) - {MARKER}))).encode("utf-8")


def read_manifest(out: Path) -> set[str] | None:
    """The files the tool wrote in ``out`` at its last publication; None when its marker is one
    of the first versions, which held no list (then every name the new site has at its top
    level is the tool's, and the other top-level entries are kept)."""
    text = (out / MARKER).read_text(encoding="utf-8", errors="replace")
    if not text.startswith("#"):
        return None
    return {line for line in text.split("\n") if line and not line.startswith("#")}


# ---------------------------------------------------------------------------
# Writing: a whole new folder, swapped in
# ---------------------------------------------------------------------------


def check_target(root: Path, out: Path) -> None:
    """Refuse a target that is not ours to replace: the consultation itself, its data, a foreign folder."""
    out_r, root_r = out.resolve(), root.resolve()
    if out_r == root_r or root_r.is_relative_to(out_r):
        raise AteliersError(
            f"« {out} » contient la consultation : le site ne peut pas la remplacer",
            hint="choisissez un dossier à part, par exemple « --out site »",
        )
    if out_r.is_relative_to(root_r):
        first = out_r.relative_to(root_r).parts[0]
        if first in {"contributions", "ateliers", "forums", "restitutions", "documents", "prive", "templates", ".git"}:
            raise AteliersError(
                f"« {out} » est dans le dossier « {first}/ » de la consultation : refusé",
                hint="le site va dans son propre dossier, « site/ » par défaut",
            )
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise AteliersError(f"« {out} » n'est pas un dossier", hint="choisissez un autre chemin avec --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise AteliersError(
            f"le dossier « {out} » n'est pas vide et n'a pas la liste des fichiers qu'ateliers y a écrits "
            f"({MARKER}) : l'outil ne peut pas savoir lesquels sont les siens, il n'y écrit rien",
            hint="publiez dans un dossier vide ou neuf (par exemple un sous-dossier de votre site web) ; "
            "ensuite, les fichiers que vous y ajoutez sont gardés à chaque publication",
        )


def write_site(files: Mapping[str, bytes], out: Path) -> None:
    """Write the site into a new folder beside ``out``, then swap it in.

    An interrupted build leaves the previous site whole (and, at worst, a hidden
    ``.<nom>.nouveau-*`` folder beside it); readers never see half a site.
    """
    with _staging(out) as staging:
        _write_into(staging, files)


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[_Staging]:
    """A new hidden folder beside ``out`` to build in; swapped in place of ``out`` if all went well."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    leftovers = (f".{out.name}.nouveau-", f".{out.name}.ancien-")
    for stale in out.parent.iterdir():
        if stale.name.startswith(leftovers) and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)  # left by a run that was killed
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.nouveau-", dir=out.parent))
    previous = out if (out / MARKER).is_file() and not out.is_symlink() else None
    staging = _Staging(tmp, previous)
    try:
        try:
            yield staging
        finally:
            staging.close()
        written = _files_under(tmp)
        (tmp / MARKER).write_bytes(manifest_bytes(written))
        if previous is not None:
            _keep_foreign(previous, tmp, written)
        tmp.chmod(0o755)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    try:
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.ancien-", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
    except BaseException:
        if old is not None and not out.exists():
            os.replace(old / out.name, out)  # the previous site, back in place
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _files_under(folder: Path) -> set[str]:
    """Every file and link under ``folder`` (links not followed), relative to it."""
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = os.path.relpath(dirpath, folder)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.update(prefix + n for n in filenames)
        found.update(prefix + n for n in dirnames if os.path.islink(os.path.join(dirpath, n)))
    return found


def _keep_foreign(previous: Path, new: Path, written: set[str]) -> None:
    """Carry into the new site every file of the previous folder that the tool did not write
    (hard-linked, so nothing is copied); refuse when the new site has a file of the same name."""
    ours = read_manifest(previous)
    present = _files_under(previous) - {MARKER}
    if ours is None:  # a marker of the first versions: the site's own top-level names are the tool's
        top = {rel.split("/", 1)[0] for rel in written}
        foreign = sorted(rel for rel in present if rel.split("/", 1)[0] not in top)
    else:
        foreign = sorted(present - ours)
    clashes = [rel for rel in foreign if _clashes(new, rel)]
    if clashes:
        listing = ", ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
        raise AteliersError(
            (
                f"1 fichier de « {previous} » n'a pas été écrit par ateliers mais porte le nom "
                if len(clashes) == 1
                else f"{len(clashes)} fichiers de « {previous} » n'ont pas été écrits par ateliers mais portent le nom "
            )
            + f"d'une page du site : {listing} ; rien n'a été remplacé",
            hint="renommez-les ou déplacez-les hors du dossier (ils sont à vous : l'outil ne les écrase pas), puis "
            "relancez",
        )
    for rel in foreign:
        src, dst = previous / rel, new / rel
        parent = dst.parent
        if not parent.exists():
            parent.mkdir(parents=True)
            with contextlib.suppress(OSError):
                shutil.copystat(src.parent, parent)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
            continue
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:  # no hard links on this disk
            shutil.copy2(src, dst, follow_symlinks=False)


def _clashes(new: Path, rel: str) -> bool:
    """Whether ``rel`` cannot be put in ``new``: a file or folder of the site is in the way."""
    parts = rel.split("/")
    here = new
    for part in parts[:-1]:
        here = here / part
        if os.path.lexists(here) and (here.is_symlink() or not here.is_dir()):
            return True
    return os.path.lexists(new / rel)


def _write_into(staging: _Staging, files: Mapping[str, bytes]) -> None:
    for rel in files:
        if not rel or rel.startswith("/") or ".." in rel.split("/"):
            raise AteliersError(f"chemin refusé dans le site : « {rel} »")
    for parent in sorted({(staging.folder / rel).parent for rel in files}):
        parent.mkdir(parents=True, exist_ok=True)
    # Many small files: the kernel's share of the work runs on every core.
    items = list(files.items())
    step = max(1, len(items) // 16)
    with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 1) * 2)) as pool:
        for _ in pool.map(_write_files, [(staging, items[i : i + step]) for i in range(0, len(items), step)]):
            pass


def _write_files(job: tuple[_Staging, list[tuple[str, bytes]]]) -> None:
    staging, items = job
    for rel, data in items:
        staging.put(rel, data)


@dataclass
class SiteResult:
    out: Path
    pages: int  # HTML pages
    fichiers: int  # every file, pages included


def build_site(loaded: LoadResult, out: Path, *, progress: Progress | None = None) -> SiteResult:
    """Check the consultation loaded cleanly, build its site beside ``out``, swap it in.

    The contribution pages go straight from the workers into the new folder; everything
    else is planned in memory as :func:`plan_site` does, then written.
    """
    errors = [d for d in loaded.diagnostics if d.is_error]
    if errors:
        raise AteliersError(
            f"la consultation a {pluriel(len(errors), 'erreur', 'erreurs')} : le site n'est pas publié",
            details=sorted(errors),
            hint="corrigez-les (« ateliers check » les liste toutes), puis relancez « ateliers site »",
        )
    c = loaded.consultation
    check_target(c.root, out)
    with _staging(out) as tmp:
        files, written = _produce(c, tmp, progress)
        _write_into(tmp, files)
    pages = written + sum(1 for p in files if p.endswith(".html"))
    return SiteResult(out, pages, written + len(files) + 1)  # and the list of them, MARKER
