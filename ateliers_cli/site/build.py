"""``ateliers site``: plan every page of the public website, then write the folder at once.

    files = plan_site(c)                 # {"index.html": b"...", ...}: pure, writes nothing
    write_site(files, root / "site")     # built beside the target, then swapped in

The contribution pages are most of the work at national scale: they are rendered on
every core (a ``fork`` pool inherits the loaded consultation and the compiled templates,
so nothing but chunks of ids goes in and pages come out). Same consultation, same bytes:
everything is ordered, nothing depends on the clock but ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ateliers_cli.documents.templating import default_templates_dir
from ateliers_cli.errors import AteliersError
from ateliers_cli.load import LoadResult
from ateliers_cli.model import Consultation
from ateliers_cli.site.documents import collect_documents
from ateliers_cli.site.pages import Page, SiteBuilder
from ateliers_cli.site.public import public_view

Progress = Callable[[int, int], None]

#: Written at the root of every site we build: only such a folder is ever replaced.
MARKER = ".ateliers-site"
#: Below this many contributions, one process is faster than starting a pool.
PARALLEL_THRESHOLD = 400
_CHUNK = 250
_ASSETS = ("site.css", "recherche.js")

# The builder, inherited by the forked workers (set just before the pool starts).
_BUILDER: SiteBuilder | None = None


@dataclass
class _Rendered:
    pages: list[Page]
    resumes: dict[str, str]
    entrees: list[dict[str, Any]]


def _render_chunk(ids: list[str]) -> _Rendered:
    builder = _BUILDER
    assert builder is not None
    out = _Rendered([], {}, [])
    for cid in ids:
        page, resume, entree = builder.contribution(builder.c.contributions[cid])
        out.pages.append(page)
        out.resumes[cid] = resume
        if entree is not None:
            out.entrees.append(entree)
    return out


def _contribution_pages(builder: SiteBuilder, ids: list[str], progress: Progress | None) -> _Rendered:
    global _BUILDER
    total = len(ids)
    workers = min(os.cpu_count() or 1, 8)
    chunks = [ids[i : i + _CHUNK] for i in range(0, total, _CHUNK)]
    result = _Rendered([], {}, [])

    def merge(part: _Rendered) -> None:
        result.pages += part.pages
        result.resumes.update(part.resumes)
        result.entrees += part.entrees
        if progress is not None:
            progress(len(result.resumes), total)

    use_pool = (
        total >= PARALLEL_THRESHOLD
        and workers > 1
        and os.environ.get("ATELIERS_WORKERS") != "1"
        and "fork" in multiprocessing.get_all_start_methods()
    )
    _BUILDER = builder
    try:
        if not use_pool:
            for chunk in chunks:
                merge(_render_chunk(chunk))
            return result
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap(_render_chunk, chunks):
                merge(part)
        return result
    finally:
        _BUILDER = None


def _donnees(c: Consultation) -> dict[str, bytes] | None:
    """The open data of ``ateliers export`` under ``donnees/``, when that module is installed; else None.

    ``c`` is the public view: the data say no more than the pages.
    """
    try:
        from ateliers_cli.export import build_export
    except ImportError:
        return None
    files, _rows, _notes = build_export(c)
    return {f"donnees/{name}": data for name, data in sorted(files.items())}


def _assets() -> dict[str, bytes]:
    folder = default_templates_dir() / "site" / "assets"
    return {f"assets/{name}": (folder / name).read_bytes() for name in _ASSETS}


def plan_site(c: Consultation, *, progress: Progress | None = None) -> dict[str, bytes]:
    """Every file of the site, by path relative to its root. Pure: nothing is written.

    ``c`` is the whole consultation: what each stage may publish is decided here
    (:func:`~ateliers_cli.site.public.public_view`).
    """
    documents, office_files = collect_documents(c)
    donnees = _donnees(public_view(c))
    b = SiteBuilder(c, documents, donnees)
    pc = b.c
    for name in b.env.list_templates(filter_func=lambda n: n.startswith("site/") and n.endswith(".html.j2")):
        b.env.get_template(name)  # compiled once, before the workers fork
    files: dict[str, bytes] = {MARKER: "Site public produit par « ateliers site » : ce dossier est remplacé à chaque publication.\n".encode()}
    files.update(_assets())

    rendered = _contribution_pages(b, sorted(pc.contributions), progress)
    files.update(rendered.pages)
    files.update(b.liste_contributions(rendered.entrees))
    files.update([b.index_recherche(rendered.entrees)])

    files.update([b.accueil(), b.themes_index(), b.calendrier(), b.politique(), b.statistiques()])
    files.update(b.theme(t) for t in pc.themes)
    files.update(b.atelier(a) for a in pc.ateliers)
    files.update([b.devenir_index()])
    files.update(
        b.devenir_territoire(t, rendered.resumes)
        for t in (x.id for x in b.territoires_avec_contributions())
    )
    files.update([b.documents_index()])
    files.update(b.document(d) for d in documents if d.corps is not None)
    files.update(office_files)
    if donnees is not None:
        files.update(donnees)
        files.update([b.donnees_page()])
    files.update([b.mentions_legales(), b.accessibilite(), b.plan()])
    return dict(sorted(files.items()))


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
            f"le dossier « {out} » existe et n'est pas un site produit par ateliers : il n'est pas remplacé",
            hint="videz-le ou choisissez un autre dossier avec --out",
        )


def write_site(files: Mapping[str, bytes], out: Path) -> None:
    """Write the site into a new folder beside ``out``, then swap it in.

    An interrupted build leaves the previous site whole (and, at worst, a hidden
    ``.<nom>.nouveau-*`` folder beside it); readers never see half a site.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.nouveau-", dir=out.parent))
    try:
        made: set[Path] = {tmp}
        for rel, data in files.items():
            if rel.startswith("/") or ".." in rel.split("/"):
                raise AteliersError(f"chemin refusé dans le site : « {rel} »")
            target = tmp / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)
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


@dataclass
class SiteResult:
    out: Path
    files: dict[str, bytes]

    @property
    def pages(self) -> int:
        return sum(1 for p in self.files if p.endswith(".html"))


def build_site(loaded: LoadResult, out: Path, *, progress: Progress | None = None) -> SiteResult:
    """Check the consultation loaded cleanly, plan the site, write it to ``out``."""
    errors = [d for d in loaded.diagnostics if d.is_error]
    if errors:
        raise AteliersError(
            f"la consultation a {len(errors)} erreur(s) : le site n'est pas publié",
            details=sorted(errors),
            hint="corrigez-les (« ateliers check » les liste toutes), puis relancez « ateliers site »",
        )
    c = loaded.consultation
    check_target(c.root, out)
    files = plan_site(c, progress=progress)
    write_site(files, out)
    return SiteResult(out, files)
