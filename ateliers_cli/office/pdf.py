"""PDF balisé (PDF/UA-1) par WeasyPrint, depuis un HTML d'impression tiré des mêmes blocs que
l'ODT et le DOCX : A4, pied de page (collectivité, « Page n sur N »), table des matières avec
numéros de page (target-counter), langue, titre et dates dans les métadonnées."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import Any

from . import DocumentMeta
from .model import (
    Block,
    CodeBlock,
    Document,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Run,
    Table,
    clean_text,
    epoch_seconds,
    iso_date,
    parse_markdown,
    resolve_date,
)

TOC_LABEL = "Table des matières"

PRINT_CSS = """
@page {
  size: A4;
  margin: 2cm 2cm 2.4cm 2cm;
  @bottom-left {
    content: %(footer)s;
    font: 8.5pt "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
    color: #333;
    vertical-align: top;
    padding-top: 0.4cm;
  }
  @bottom-right {
    content: "Page " counter(page) " sur " counter(pages);
    font: 8.5pt "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
    color: #333;
    vertical-align: top;
    padding-top: 0.4cm;
    white-space: nowrap;
  }
}
html { font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #000; }
body { margin: 0; hyphens: manual; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; break-after: avoid; break-inside: avoid; }
h1 { font-size: 18pt; margin: 0.9em 0 0.5em; }
h2 { font-size: 14.5pt; margin: 1.1em 0 0.45em; }
h3 { font-size: 12.5pt; margin: 1em 0 0.4em; }
h4, h5, h6 { font-size: 11pt; margin: 0.9em 0 0.35em; }
.bloc-titre { margin-bottom: 1.2em; }
.bloc-titre h1, h1.titre { font-size: 22pt; margin: 0 0 0.3em; bookmark-level: 1; }
.sous-titre { font-size: 13pt; margin: 0 0 0.3em; }
.collectivite { font-weight: bold; margin: 0; }
p { margin: 0 0 0.55em; orphans: 2; widows: 2; }
ul, ol { margin: 0 0 0.55em; padding-left: 1.6em; }
li > p { margin: 0 0 0.25em; }
li > ul, li > ol { margin: 0.1em 0 0.1em; }
blockquote { margin: 0.6em 0 0.6em 1.2em; padding-left: 0.8em; border-left: 2pt solid #666; }
pre { font: 9pt/1.35 "DejaVu Sans Mono", monospace; white-space: pre-wrap; margin: 0 0 0.55em;
      padding: 0.4em 0.6em; border: 0.5pt solid #999; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.92em; }
hr { border: 0; border-top: 0.75pt solid #000; margin: 1em 0; }
a { color: #000091; text-decoration: underline; }
table { border-collapse: collapse; width: 100%%; margin: 0.4em 0 0.9em; font-size: 9.5pt; }
th, td { border: 0.75pt solid #000; padding: 0.25em 0.45em; vertical-align: top; text-align: left; }
th { font-weight: bold; background: #e8e8e8; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.a-center { text-align: center; }
.a-right { text-align: right; }
nav.toc { break-after: page; }
nav.toc .toc-titre { font-size: 14.5pt; font-weight: bold; margin: 0.4em 0 0.6em; }
nav.toc ol { list-style: none; padding: 0; margin: 0; }
nav.toc li { margin: 0.15em 0; }
nav.toc li.n2 { padding-left: 1.2em; }
nav.toc li.n3 { padding-left: 2.4em; }
nav.toc a { color: #000; text-decoration: none; }
nav.toc a::after { content: leader(".") target-counter(attr(href), page); }
.signature { break-inside: avoid; margin: 2.2em 0 0 50%%; }
.signature p { margin: 0 0 0.2em; }
"""


def css_string(text: str) -> str:
    """Une chaîne CSS sûre dans une balise <style> (ni guillemet, ni « </style »)."""
    out = []
    for ch in clean_text(text):
        if ch in '\\"<>' or ch == "\n" or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _runs(runs: list[Run]) -> str:
    out: list[str] = []
    for r in runs:
        if r.is_break:
            out.append("<br>")
            continue
        s = escape(r.text, quote=False)
        if r.code:
            s = f"<code>{s}</code>"
        if r.strike:
            s = f"<s>{s}</s>"
        if r.italic:
            s = f"<em>{s}</em>"
        if r.bold:
            s = f"<strong>{s}</strong>"
        if r.href:
            s = f'<a href="{escape(r.href)}">{s}</a>'
        out.append(s)
    return "".join(out)


def _align(a: str | None) -> str:
    return f' class="a-{a}"' if a in ("center", "right") else ""


def _block(b: Block, out: list[str]) -> None:
    if isinstance(b, Heading):
        level = min(b.level, 6)
        out.append(f'<h{level} id="{b.anchor}">{_runs(b.runs)}</h{level}>')
    elif isinstance(b, Paragraph):
        out.append(f"<p>{_runs(b.runs)}</p>")
    elif isinstance(b, ListBlock):
        if b.ordered:
            # (WeasyPrint ne lit l'attribut start qu'avec les « presentational hints »)
            start = f' start="{b.start}" style="counter-reset: list-item {b.start - 1}"' if b.start != 1 else ""
            out.append(f"<ol{start}>")
        else:
            out.append("<ul>")
        for item in b.items:
            out.append("<li>")
            tight = len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph)
            for sub in item.blocks:
                if tight and isinstance(sub, Paragraph):
                    out.append(_runs(sub.runs))
                else:
                    _block(sub, out)
            out.append("</li>")
        out.append("</ol>" if b.ordered else "</ul>")
    elif isinstance(b, Table):
        out.append("<table>")
        if b.header:
            out.append("<thead><tr>")
            for i, cell in enumerate(b.header):
                out.append(f'<th scope="col"{_align(b.aligns[i])}>{_runs(cell)}</th>')
            out.append("</tr></thead>")
        out.append("<tbody>")
        for row in b.rows:
            out.append("<tr>")
            for i, cell in enumerate(row):
                out.append(f"<td{_align(b.aligns[i])}>{_runs(cell)}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
    elif isinstance(b, Quote):
        out.append("<blockquote>")
        for sub in b.blocks:
            _block(sub, out)
        out.append("</blockquote>")
    elif isinstance(b, CodeBlock):
        out.append(f"<pre>{escape(b.text, quote=False)}</pre>")
    elif isinstance(b, Rule):
        out.append("<hr>")


def _meta_tag(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{escape(clean_text(content))}">'


def build_html(doc: Document, meta: DocumentMeta) -> str:
    date = resolve_date(meta)
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(clean_text(meta.titre), quote=False)}</title>",
        _meta_tag("author", meta.auteur_effectif),
        _meta_tag("generator", "ateliers"),
    ]
    if meta.sous_titre:
        head.append(_meta_tag("description", meta.sous_titre))
    for kw in meta.mots_cles:
        head.append(_meta_tag("keywords", kw))
    if date is not None:
        head.append(_meta_tag("dcterms.created", iso_date(date)))
        head.append(_meta_tag("dcterms.modified", iso_date(date)))
    css = PRINT_CSS % {"footer": css_string(meta.texte_pied_de_page)}
    head.append(f"<style>{css}</style>")

    body: list[str] = []
    if doc.title is not None:
        body.append(f'<h1 class="titre">{_runs(doc.title)}</h1>')
    else:
        body.append('<header class="bloc-titre">')
        body.append(f"<h1>{escape(clean_text(meta.titre), quote=False)}</h1>")
        if meta.sous_titre:
            body.append(f'<p class="sous-titre">{escape(clean_text(meta.sous_titre), quote=False)}</p>')
        body.append(f'<p class="collectivite">{escape(clean_text(meta.collectivite), quote=False)}</p>')
        body.append("</header>")
    if meta.table_des_matieres:
        entries = doc.toc_entries(3)
        body.append('<nav class="toc">')
        body.append(f'<p class="toc-titre">{TOC_LABEL}</p><ol>')
        for h in entries:
            depth = doc.outline_level(h)
            body.append(f'<li class="n{depth}"><a href="#{h.anchor}">{_runs(_plain(h.runs))}</a></li>')
        body.append("</ol></nav>")
    for b in doc.blocks:
        _block(b, body)
    if meta.signature:
        body.append('<div class="signature">')
        for line in meta.signature:
            body.append(f"<p>{escape(clean_text(line), quote=False)}</p>")
        body.append("</div>")

    lang = escape(meta.langue or "fr-FR")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _plain(runs: list[Run]) -> list[Run]:
    """Le texte d'un titre sans ses liens (un lien dans un lien n'a pas de sens)."""
    return [Run(r.text, r.bold, r.italic, r.strike, r.code, None) for r in runs]


def render_print_html(markdown: str, meta: DocumentMeta) -> str:
    return build_html(parse_markdown(markdown), meta)


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """fontTools date les polices incorporées de l'heure courante, sauf SOURCE_DATE_EPOCH :
    on le pose le temps du rendu (et on rend l'environnement tel qu'il était)."""
    with _ENV_LOCK:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


_ENV_LOCK = threading.Lock()


_IMPORT_LOCK = threading.Lock()


def _weasyprint_html() -> Any:
    """WeasyPrint's ``HTML`` class, imported without a compiler run per library name.

    WeasyPrint opens Pango, HarfBuzz… under several names, one per platform; on Linux each
    name the dynamic linker does not know sends ``ctypes.util.find_library`` to run
    ``ldconfig``, ``gcc`` and ``ld`` (some fifty processes, 0.16 s of the 0.40 s import).
    The linker finds every library under its ``.so.N`` name, which WeasyPrint also tries:
    so the import is first attempted with ``find_library`` answering « unknown ». Should
    that fail on some system, WeasyPrint is imported again the usual way (its error, if any,
    is then the usual one).
    """
    import sys

    with _IMPORT_LOCK:
        if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
            from weasyprint import HTML

            return HTML
        import ctypes.util
        import io
        from contextlib import redirect_stdout

        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            with redirect_stdout(io.StringIO()):  # WeasyPrint prints its own banner on failure
                from weasyprint import HTML

            return HTML
        except OSError:
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = real
        from weasyprint import HTML

        return HTML


def write_pdf(markdown: str, meta: DocumentMeta) -> bytes:
    HTML = _weasyprint_html()

    html = render_print_html(markdown, meta)
    epoch = epoch_seconds(resolve_date(meta))
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    with _source_date_epoch(epoch):
        return HTML(string=html, base_url=None).write_pdf(
            pdf_variant="pdf/ua-1",
            pdf_identifier=identifier,
        )
