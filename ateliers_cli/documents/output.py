"""One rendered document → its files (``.md``, ``.html``, and office formats when asked)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ateliers_cli.documents.templating import DocumentEnvironment, render_markdown, render_template
from ateliers_cli.fsutil import atomic_write
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage

LAYOUT = "document.html.j2"


@dataclass(frozen=True)
class OutputFile:
    """A file to write, relative to the consultation root (posix path)."""

    path: str  # "documents/1-appel/synthese-des-contributions.md", "prive/emargement/lille-1.html"
    content: bytes
    title: str  # « Synthèse des contributions »
    kind: str  # "md" | "html" | "odt" | "docx" | "pdf"
    public: bool  # False for anything under prive/
    # An office file is first a job (its Markdown and metadata); `resolve_office` makes
    # the bytes, all of a stage's jobs at once, on every core, from the cache when it can.
    job: tuple[str, Any] | None = field(default=None, compare=False, repr=False)


def stage_dir(stage: Stage) -> str:
    return f"documents/{stage.folder}"


def _office_files(
    c: Consultation, markdown: str, stem: str, title: str, when: dt.datetime, *, sommaire: bool, sous_titre: str
) -> list[OutputFile]:
    try:
        from ateliers_cli.office import OFFICE_FORMATS, DocumentMeta
    except ImportError:  # the office helper is optional
        return []
    meta = DocumentMeta(
        titre=title,
        collectivite=c.conseil,
        sous_titre=sous_titre or None,
        date=when,
        table_des_matieres=sommaire,
        mots_cles=tuple(x for x in ("Ateliers citoyens", c.titre) if x),
    )
    public = not stem.startswith("prive/")
    return [OutputFile(f"{stem}.{kind}", b"", title, kind, public, job=(markdown, meta)) for kind in OFFICE_FORMATS]


def _office_bytes(args: tuple[str, str, Any]) -> bytes | None:
    kind, markdown, meta = args
    from ateliers_cli import office

    writer = {"odt": office.write_odt, "docx": office.write_docx, "pdf": office.write_pdf}[kind]
    try:
        return writer(markdown, meta)
    except ImportError:  # e.g. WeasyPrint absent: that format is skipped
        return None


def resolve_office(files: list[OutputFile], cache_dir: Path | None) -> list[OutputFile]:
    """Turn the office jobs into files: from ``cache_dir`` when the same Markdown and metadata
    were already rendered by this version of the tool, otherwise on every core."""
    from ateliers_cli.cache import tool_fingerprint

    jobs = [(i, f) for i, f in enumerate(files) if f.job is not None]
    if not jobs:
        return files
    keys = {}
    results: dict[int, bytes | None] = {}
    for i, f in jobs:
        markdown, meta = f.job  # type: ignore[misc]
        key = hashlib.sha256(f"{tool_fingerprint()}\n{f.kind}\n{meta!r}\n{markdown}".encode()).hexdigest()
        keys[i] = key
        if cache_dir is not None:
            try:
                results[i] = (cache_dir / f"{key}.{f.kind}").read_bytes()
            except OSError:
                pass
    todo = [(i, f) for i, f in jobs if i not in results]
    args = [(f.kind, *f.job) for _, f in todo]  # type: ignore[misc]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            made = pool.map(_office_bytes, args, chunksize=1)
    else:
        made = [_office_bytes(a) for a in args]
    for (i, f), content in zip(todo, made):
        results[i] = content
        if content is not None and cache_dir is not None:
            with contextlib.suppress(OSError):
                cache_dir.mkdir(parents=True, exist_ok=True)
                atomic_write(cache_dir / f"{keys[i]}.{f.kind}", content)
    out = []
    for i, f in enumerate(files):
        if f.job is None:
            out.append(f)
        elif results.get(i) is not None:
            out.append(replace(f, content=results[i], job=None))
    return out


def publish(
    env: DocumentEnvironment,
    c: Consultation,
    template: str,
    context: Mapping[str, Any],
    stem: str,
    title: str,
    when: dt.datetime,
    *,
    office: bool = False,
    sommaire: bool = False,
    sous_titre: str = "",
) -> list[OutputFile]:
    """Render ``template`` to ``stem.md`` and ``stem.html`` (and ODT/DOCX/PDF if ``office``)."""
    rendered = render_markdown(env, template, context)
    page = render_template(env, LAYOUT, {**context, "titre": title, "corps": Markup(rendered.body_html)})
    public = not stem.startswith("prive/")
    files = [
        OutputFile(f"{stem}.md", rendered.markdown.encode("utf-8"), title, "md", public),
        OutputFile(f"{stem}.html", _final_newline(page).encode("utf-8"), title, "html", public),
    ]
    if office:
        files += _office_files(c, rendered.markdown, stem, title, when, sommaire=sommaire, sous_titre=sous_titre)
    return files


def _final_newline(text: str) -> str:
    return text.rstrip("\n") + "\n"
