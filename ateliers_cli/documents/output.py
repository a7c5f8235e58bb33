"""One rendered document → its files (``.md``, ``.html``, and office formats when asked)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ateliers_cli.documents.templating import DocumentEnvironment, render_markdown, render_template
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


def stage_dir(stage: Stage) -> str:
    return f"documents/{stage.folder}"


def _office_files(
    c: Consultation, markdown: str, stem: str, title: str, when: dt.datetime, *, sommaire: bool, sous_titre: str
) -> list[OutputFile]:
    try:
        from ateliers_cli.office import DocumentMeta, write_docx, write_odt, write_pdf
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
    out = []
    for kind, writer in (("odt", write_odt), ("docx", write_docx), ("pdf", write_pdf)):
        try:
            content = writer(markdown, meta)
        except ImportError:  # e.g. WeasyPrint absent: that format is skipped
            continue
        out.append(OutputFile(f"{stem}.{kind}", content, title, kind, not stem.startswith("prive/")))
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
