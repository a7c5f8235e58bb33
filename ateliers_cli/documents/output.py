"""One rendered document → its files (``.md``, ``.html``, and office formats when asked)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ateliers_cli.cache import read_signed_file, signed_file, tool_fingerprint
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
    # the bytes, from the cache when it can.
    job: tuple[str, Any] | None = field(default=None, compare=False, repr=False)


def stage_dir(stage: Stage) -> str:
    return f"documents/{stage.folder}"


def _office_files(
    c: Consultation,
    markdown: str,
    stem: str,
    title: str,
    when: dt.datetime,
    *,
    sommaire: bool,
    sous_titre: str,
    couverture: Any = None,
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
        couverture=couverture,
    )
    public = not stem.startswith("prive/")
    return [OutputFile(f"{stem}.{kind}", b"", title, kind, public, job=(markdown, meta)) for kind in OFFICE_FORMATS]


def _office_bytes(kind: str, markdown: str, meta: Any) -> bytes | None:
    from ateliers_cli import office

    writer = {"odt": office.write_odt, "docx": office.write_docx, "pdf": office.write_pdf}[kind]
    try:
        return writer(markdown, meta)
    except ImportError:  # e.g. Typst absent: that format is skipped
        return None


class OfficeBatch:
    """The office files of some documents: from ``cache_dir`` when this version of the tool
    already made them from the same Markdown and metadata, otherwise made here.

        batch = OfficeBatch(files, cache_dir)
        batch.make()              # the missing ones, in this process
        files = batch.files()     # every job replaced by its bytes, in the same order

    Always in the process that assembles the documents, never in a forked worker: Typst keeps
    threads once it has run, and a process forked after that must not call it (it would wait
    for ever on threads it does not have). The whole lot is under a second of work.
    """

    def __init__(self, files: list[OutputFile], cache_dir: Path | None) -> None:

        self._files = files
        self._cache_dir = cache_dir
        self._keys: dict[int, str] = {}
        self._results: dict[int, bytes | None] = {}
        fingerprint = tool_fingerprint()
        for i, f in enumerate(files):
            if f.job is None:
                continue
            markdown, meta = f.job
            key = hashlib.sha256(f"{fingerprint}\n{f.kind}\n{meta!r}\n{markdown}".encode()).hexdigest()
            self._keys[i] = key
            if cache_dir is not None:
                # signed with this user's key, kept outside the folder: a file planted in the
                # cache (a forged PDF of the report) is never published, but made again
                cached = read_signed_file(cache_dir / f"{key}.{f.kind}")
                if cached is not None:
                    self._results[i] = cached
        self.todo = [i for i in self._keys if i not in self._results]

    def make(self) -> None:
        for i in self.todo:
            if i in self._results:
                continue
            f = self._files[i]
            content = self._results[i] = _office_bytes(f.kind, *f.job)  # type: ignore[misc]
            if content is not None and self._cache_dir is not None:
                name = f"{self._keys[i]}.{f.kind}"
                signed = signed_file(name, content)
                with contextlib.suppress(OSError):
                    if signed is not None:
                        self._cache_dir.mkdir(parents=True, exist_ok=True)
                        atomic_write(self._cache_dir / name, signed)

    def files(self) -> list[OutputFile]:
        self.make()
        out = []
        for i, f in enumerate(self._files):
            if f.job is None:
                out.append(f)
            elif (content := self._results.get(i)) is not None:  # None: that format's library is absent
                out.append(replace(f, content=content, job=None))
        return out


def resolve_office(files: list[OutputFile], cache_dir: Path | None) -> list[OutputFile]:
    """Turn the office jobs into files: from the cache, otherwise made here."""
    return OfficeBatch(files, cache_dir).files()


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
    couverture: Any = None,
) -> list[OutputFile]:
    """Render ``template`` to ``stem.md`` and ``stem.html`` (and ODT/DOCX/PDF if ``office``,
    with ``couverture``, an :class:`ateliers_cli.office.Couverture`, as their cover page)."""
    rendered = render_markdown(env, template, context)
    page = render_template(env, LAYOUT, {**context, "titre": title, "corps": Markup(rendered.body_html)})
    public = not stem.startswith("prive/")
    files = [
        OutputFile(f"{stem}.md", rendered.markdown.encode("utf-8"), title, "md", public),
        OutputFile(f"{stem}.html", _final_newline(page).encode("utf-8"), title, "html", public),
    ]
    if office:
        files += _office_files(
            c, rendered.markdown, stem, title, when, sommaire=sommaire, sous_titre=sous_titre, couverture=couverture
        )
    return files


def _final_newline(text: str) -> str:
    return text.rstrip("\n") + "\n"
