"""The Jinja2 environment of the documents, and the Markdown → HTML step.

One environment per consultation (kept while its ``templates/`` folder is unchanged):

* a :class:`~jinja2.sandbox.SandboxedEnvironment` — a consultation's own templates are
  written by whoever edits the folder, so none of them may reach Python internals;
* :class:`~jinja2.StrictUndefined` — a misspelt variable is an error, never an empty string;
* autoescape for ``*.html.j2`` only: the Markdown templates write Markdown, and untrusted
  text is made inert there by the :func:`md` filter instead;
* lookup: ``<consultation>/templates/NAME`` first, then the packaged default; ``default:NAME``
  always means the packaged default, so that an override can ``{% extends "default:NAME" %}``.

A document is rendered once, as Markdown. Charts cannot live in that Markdown (the
Markdown → HTML step refuses raw HTML, so that nothing a citizen wrote can become markup),
so the templates call ``figure(...)``/``matrice(...)``: in the Markdown they write a plain
table between two markers; the markers are removed from the ``.md``, and in the HTML the
region is replaced, after conversion, by the SVG chart and its accessible table.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateNotFound
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ateliers_cli.documents import template_limits as limits
from ateliers_cli.errors import AteliersError
from ateliers_cli.model import PlainText
from ateliers_cli.render import french
from ateliers_cli.render.charts import chart_with_table, matrix_table

__all__ = [
    "DEFAULT_PREFIX",
    "Figures",
    "RenderedDocument",
    "default_templates_dir",
    "make_environment",
    "markdown_document_to_html",
    "md",
    "md_bloc",
    "render_markdown",
    "render_template",
]

DEFAULT_PREFIX = "default"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def default_templates_dir() -> Path:
    """The packaged default templates.

    Installed from a wheel, they sit inside the package (``ateliers_cli/_templates``);
    in a source checkout or an editable install, they are the top-level ``templates/``
    beside ``ateliers_cli/``.
    """
    for candidate in (_PACKAGE_DIR / "_templates", _PACKAGE_DIR.parent / "templates"):
        if (candidate / "document.html.j2").is_file():
            return candidate
    raise AteliersError(
        "gabarits par défaut introuvables : l'installation d'ateliers est incomplète",
        hint="réinstallez le paquet (pip install --force-reinstall ateliers)",
    )


class _ConfinedLoader(FileSystemLoader):
    """A consultation's ``templates/``: nothing outside it, not even through a symlink."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self._folder = folder.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        try:
            Path(filename).resolve().relative_to(self._folder)
        except ValueError:
            raise AteliersError(
                f"le gabarit « {template} » sort du dossier templates/ (lien symbolique) : refusé",
                path=f"templates/{template}",
                hint="remplacez le lien par une copie du fichier",
            ) from None
        return source, filename, uptodate


_SAFE_ATTRIBUTES: dict[tuple[type, str, type], bool] = {}


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the consultation root kept to name templates in error messages.

    Immutable: a template cannot change the lists and dictionaries it is given (the next
    document of the run would see the change). And no template may touch a path object
    (``consultation.root``): its methods read and write files, ``prive/`` included.
    """

    consultation_root: Path | None = None
    defaults_dir: Path = Path()
    # « 9**9**9 » would compute for ever, « 'x' * 10**10 » fill the memory, « "%0999999999d" % 1 »
    # too: refused (template_limits), as a loop in a loop of 100 000 turns and a text past a million
    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64 and abs(left) > 1:
            raise SecurityError(f"puissance trop grande ({left} ** {right})")
        limits.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        args = limits.check_str_method(obj, args, kwargs)
        return super().call(context, obj, *args, **kwargs)

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        tree = super()._parse(source, name, filename)
        limits.CountLoops().visit(tree)
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Every rule of the sandbox looks at the types and the attribute's name only, so the
        # answer is remembered per (type, name, type): a 10 000-row table asks it 150 000 times.
        key = (type(obj), attr, type(value))
        known = _SAFE_ATTRIBUTES.get(key)
        if known is None:
            known = not (isinstance(obj, PurePath) or isinstance(value, PurePath)) and bool(
                super().is_safe_attribute(obj, attr, value)
            )
            if len(_SAFE_ATTRIBUTES) < 10_000:
                _SAFE_ATTRIBUTES[key] = known
        return known

    def display_name(self, filename: str | None, name: str | None) -> str:
        """``templates/x.md.j2`` for a consultation template, ``default:x.md.j2`` for ours."""
        if filename:
            path = Path(filename)
            if self.consultation_root is not None:
                try:
                    return path.resolve().relative_to(self.consultation_root.resolve()).as_posix()
                except ValueError:
                    pass
            try:
                return f"{DEFAULT_PREFIX}:{path.resolve().relative_to(self.defaults_dir.resolve()).as_posix()}"
            except ValueError:
                pass
        return name or "<gabarit>"


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept between runs, in a folder of ``.ateliers-cache/``.

    Compiling the site's templates costs more than rendering the pages one contribution
    changed. Jinja2 compares each template's source with the one its code was compiled from;
    the key adds the tool (a new version compiles differently) and the environment's kind (a
    sandbox compiles differently). Each file is signed with this user's key, as every cache
    of the tool: compiled code planted in the folder is never run.
    """

    def __init__(self, folder: Path, kind: str) -> None:
        from ateliers_cli.cache import tool_fingerprint

        self.folder = folder
        self.kind = f"{tool_fingerprint()}\n{kind}"

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        import hashlib

        return hashlib.sha256(f"{self.kind}\n{name}\n{filename}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from ateliers_cli.cache import read_signed_file

        data = read_signed_file(self.folder / bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import contextlib

        from ateliers_cli.cache import signed_file
        from ateliers_cli.fsutil import atomic_write

        signed = signed_file(bucket.key, bucket.bytecode_to_string())
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            if signed is not None:
                if not self.folder.is_dir():
                    self.folder.mkdir(parents=True)
                    (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
                atomic_write(self.folder / bucket.key, signed)


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


# One environment per consultation and state of its templates/ folder, kept for the life of
# the process: compiling a template costs more than rendering most documents, and every
# stage (every worker's every task) would otherwise compile the same ones again.
_ENVIRONMENTS: dict[tuple[str, str], DocumentEnvironment] = {}
_MAX_ENVIRONMENTS = 8


def make_environment(consultation_root: Path | str | None) -> DocumentEnvironment:
    """The sandboxed environment of a consultation's documents.

    The same one (its compiled templates with it) while nothing in the consultation's
    ``templates/`` changes — never when something there changed in the last two seconds, as
    check's cache; a packaged template edited meanwhile is read again (auto-reload).
    """
    from ateliers_cli.cache import tree_state

    root = Path(consultation_root) if consultation_root is not None else None
    if root is None:
        return _new_environment(None)
    state, racy = tree_state(root / "templates")
    if racy:
        return _new_environment(root)
    key = (str(root), state)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        if len(_ENVIRONMENTS) >= _MAX_ENVIRONMENTS:
            _ENVIRONMENTS.clear()
        env = _ENVIRONMENTS[key] = _new_environment(root)
    return env


@jinja2.pass_eval_context
def _plain_text_inert(eval_ctx: jinja2.nodes.EvalContext, value: Any) -> Any:
    """A name written bare (``{{ conseil }}``) in a Markdown template is escaped like what the
    public wrote: plain text, never a link or a heading. HTML templates escape it already."""
    if isinstance(value, PlainText) and not eval_ctx.autoescape:
        return md(value)
    return value


def _new_environment(root: Path | None) -> DocumentEnvironment:
    defaults = default_templates_dir()
    default_loader = FileSystemLoader(str(defaults))
    loaders: list[jinja2.BaseLoader] = [PrefixLoader({DEFAULT_PREFIX: default_loader}, delimiter=":")]
    if root is not None and (root / "templates").is_dir():
        loaders.append(_ConfinedLoader(root / "templates"))
    loaders.append(default_loader)
    env = DocumentEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
        finalize=_plain_text_inert,
    )
    env.consultation_root = root
    env.defaults_dir = defaults
    env.filters.update(french.filters())
    env.filters.update(
        {
            "md": md,
            "md_bloc": md_bloc,
            "liste": french.liste,
            "par_habitants": par_habitants,
            "quand": quand,
            "horaire": horaire,
            limits.COUNT_FILTER: limits.count_turns,
            limits.TEXT_FILTER: limits.check_length,
        }
    )
    env.filters.update(limits.bounded_filters(env.filters))
    env.globals["range"] = limits.bounded_range
    env.globals["lipsum"] = limits.bounded_lipsum(env.globals["lipsum"])  # type: ignore[arg-type]
    return env


# ---------------------------------------------------------------------------
# Untrusted text in Markdown
# ---------------------------------------------------------------------------

_MD_INLINE_RE = re.compile(r"([\\`*_\[\]<>|~&])")
_START_RE = re.compile(r"^(?:[-+]|#{1,6}|\d{1,9}(?=[.)](?:\s|$)))(?=[.)]?(?:\s|$))|^=+$")
_SPACES_RE = re.compile(r"\s+")


def md(value: object) -> str:
    """Untrusted text as inert Markdown: one line, every Markdown sign escaped.

    For what the public wrote (a pseudonym, a title, an excerpt): whatever it holds
    (``<script>``, ``[x](javascript:…)``, ``# Titre``, ``| a | b |``), it is shown as
    written and never becomes a heading, a list, a link, a table cell or markup.
    Signs that only matter at the start of a line (``-``, ``+``, ``#``, ``1.``) are
    escaped there only, so the ``.md`` stays readable.
    """
    if value is None:
        return ""
    text = _SPACES_RE.sub(" ", str(value)).strip()
    text = _MD_INLINE_RE.sub(r"\\\1", text)
    m = _START_RE.match(text)
    if m:
        # « 1. » → « 1\. » ; « - », « # », « === » → « \- », « \# », « \=== »
        text = m.group(0) + "\\" + text[m.end() :] if text[0].isdigit() else "\\" + text
    return text


_HEADING_RE = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)", re.MULTILINE)
_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})", re.MULTILINE)


def md_bloc(value: object, niveau: int = 4, retrait: int = 0) -> str:
    """Markdown written by the team (reflexions, descriptions, texts of orientations).

    Kept as Markdown (lists, emphasis…) — the HTML step refuses raw HTML and unsafe
    links anyway — but its headings are shifted so that the shallowest becomes
    ``niveau`` (it cannot compete with the document's own titles), figure markers are
    neutralised, and ``retrait`` spaces indent every line but the first (to sit inside
    a list item or a block quote).
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    text = text.replace("<!--", "&lt;!--")
    levels = [len(m.group(2)) for m in _HEADING_RE.finditer(text)]
    if levels:
        shift = max(0, niveau - min(levels))
        text = _HEADING_RE.sub(lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + shift), text)
    if retrait:
        pad = " " * retrait
        text = "\n".join((pad + line if i and line.strip() else line) for i, line in enumerate(text.split("\n")))
    return text


def quand(debut: Any, fin: Any = None) -> str:
    """« samedi 4 avril 2026, de 14 h à 17 h 30 », « … à 18 h 30 », « samedi 4 avril 2026 »."""
    if debut is None:
        return "date à préciser"
    if not isinstance(debut, dt.datetime):
        return french.date_longue(debut)
    jour = french.date_longue(debut)
    if isinstance(fin, dt.datetime) and fin.date() == debut.date():
        return f"{jour}, de {french.heure(debut)} à {french.heure(fin)}"
    return f"{jour} à {french.heure(debut)}"


def horaire(debut: Any, fin: Any = None) -> str:
    """« 14 h – 17 h 30 », « 18 h 30 », or « » for a date without time."""
    if not isinstance(debut, dt.datetime):
        return ""
    if isinstance(fin, dt.datetime):
        return f"{french.heure(debut)} – {french.heure(fin)}"
    return french.heure(debut)


def par_habitants(count: float, population: float, pour: int = 10000) -> float:
    """``count`` per ``pour`` inhabitants (0 for an unknown population), rounded to 0.1."""
    if not population:
        return 0.0
    return float((Decimal(count) * pour / Decimal(population)).quantize(Decimal("0.1")))


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

_MARK_OPEN = "<!--ateliers-figure:{nonce}:{n}-->"
_MARK_CLOSE = "<!--/ateliers-figure:{nonce}:{n}-->"
_ID_SAFE_RE = re.compile(r"[^A-Za-z0-9_-]+")


def _md_cell(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float, Decimal)):
        return french.nombre(value)
    if value is None:
        return "—"
    return md(value) or " "


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[bool]) -> str:
    head = "| " + " | ".join(md(h) or " " for h in headers) + " |"
    sep = "|" + "|".join("---:" if num else "---" for num in numeric) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join([head, sep, *body])


@dataclass
class Figures:
    """The figures of one document being rendered (see the module docstring)."""

    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    html: list[Markup] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    def _id(self, wanted: str) -> str:
        base = _ID_SAFE_RE.sub("-", wanted).strip("-") or "figure"
        if not base[0].isalpha():
            base = "f-" + base
        candidate, i = base, 2
        while candidate in self.ids:
            candidate, i = f"{base}-{i}", i + 1
        self.ids.add(candidate)
        return candidate

    def _wrap(self, markdown: str, html: Markup) -> Markup:
        n = len(self.html)
        self.html.append(html)
        opening = _MARK_OPEN.format(nonce=self.nonce, n=n)
        closing = _MARK_CLOSE.format(nonce=self.nonce, n=n)
        return Markup(f"\n{opening}\n{markdown}\n{closing}\n")

    def figure(
        self,
        data: Iterable[Sequence[Any]],
        titre: str,
        unite: str = "",
        *,
        id: str,
        entetes: Sequence[str] = ("Catégorie", "Nombre"),
        part: bool = False,
    ) -> Markup:
        """A bar chart with its data table (HTML); a titled table (Markdown).

        ``data``: ``(libellé, valeur)`` pairs, drawn in the given order. ``part=True``
        adds each value's share of the total.
        """
        pairs = [(str(label), value) for label, value in data]
        total = sum((Decimal(str(v)) for _, v in pairs), Decimal(0))
        headers = list(entetes[:2])
        rows: list[list[object]] = [[label, value] for label, value in pairs]
        numeric = [False, True]
        if part:
            headers.append(entetes[2] if len(entetes) > 2 else "Part")
            numeric.append(True)
            for row in rows:
                row.append(french.proportion(row[1], total))  # type: ignore[arg-type]
        unit_note = f" ({unite})" if unite else ""
        markdown = f"**{md(titre)}**{md(unit_note)}\n\n" + _md_table(headers, rows, numeric)
        html = chart_with_table(pairs, titre, unite, id=self._id(id), headers=list(entetes), percent=part)
        return self._wrap(markdown, html)

    def matrice(
        self,
        lignes: Sequence[str],
        colonnes: Sequence[str],
        cellules: Mapping[tuple[str, str], Any] | Sequence[Sequence[Any]],
        titre: str,
        *,
        coin: str = "",
        totaux: bool = False,
        vide: str = "—",
    ) -> Markup:
        """A two-way table (themes × territories…), with a caption."""
        rows = [str(r) for r in lignes]
        cols = [str(c) for c in colonnes]
        if isinstance(cellules, Mapping):
            grid = [[cellules.get((r, c)) for c in cols] for r in rows]
        else:
            grid = [list(line) for line in cellules]
        body: list[list[object]] = []
        for r, line in zip(rows, grid, strict=True):
            values = list(line)
            if totaux:
                values.append(sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)))
            body.append([r, *[(vide if v is None else v) for v in values]])
        headers = [coin or " ", *cols, *(["Total"] if totaux else [])]
        if totaux:
            sums: list[object] = (
                [
                    sum(v for v in col if isinstance(v, (int, float)) and not isinstance(v, bool))
                    for col in zip(*grid, strict=False)
                ]
                if grid
                else [0] * len(cols)
            )
            body.append(["Total", *sums, sum(s for s in sums if isinstance(s, (int, float)))])
        def is_number(v: object) -> bool:
            return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)

        # a column is right-aligned when it holds numbers (empty cells aside)
        numeric = [False] + [
            all(is_number(row[j]) or row[j] == vide for row in body) and any(is_number(row[j]) for row in body)
            for j in range(1, len(headers))
        ]
        markdown = f"**{md(titre)}**\n\n" + _md_table(headers, body, numeric)
        html = matrix_table(rows, cols, grid, titre, corner=coin, empty=vide, totals=totaux)
        return self._wrap(markdown, Markup(f'<figure class="ateliers-figure">\n{html}\n</figure>'))

    # -- after rendering ------------------------------------------------------

    def _region_re(self) -> re.Pattern[str]:
        return re.compile(
            r"\n?[ \t]*<!--ateliers-figure:" + self.nonce + r":(\d+)-->\n(.*?)\n[ \t]*<!--/ateliers-figure:"
            + self.nonce
            + r":\1-->[ \t]*\n?",
            re.DOTALL,
        )

    def public_markdown(self, text: str) -> str:
        """The ``.md``: the markers removed, the Markdown tables kept."""
        return self._region_re().sub(lambda m: "\n" + m.group(2) + "\n", text)

    def markdown_for_html(self, text: str) -> str:
        """Each figure replaced by a placeholder paragraph, swapped after conversion."""
        return self._region_re().sub(lambda m: f"\n\nATELIERSFIGURE{self.nonce}N{m.group(1)}\n\n", text)

    def insert(self, html: str) -> str:
        def swap(m: re.Match[str]) -> str:
            return str(french.typographie_html(self.html[int(m.group(1))]))

        return re.sub(r"<p>ATELIERSFIGURE" + self.nonce + r"N(\d+)</p>", swap, html)


# ---------------------------------------------------------------------------
# Markdown → HTML for our documents
# ---------------------------------------------------------------------------


_IMAGE_RE = re.compile(r"<img\b[^>]*?\balt=\"([^\"]*)\"[^>]*>")
_ALIGN_RE = re.compile(r' align="(left|center|right)"')


def _commonmark_to_html(markdown: str) -> str:
    """CommonMark + GFM tables and strikethrough → HTML, with cmark-gfm (GitHub's C library).

    Safe mode: raw HTML is left out, ``javascript:`` links emptied (nh3 then applies
    our allow-list). Images become their alt text; table alignment becomes a
    ``text-align`` style (the ``align`` attribute is obsolete in HTML5).
    """
    import cmarkgfm

    html = cmarkgfm.markdown_to_html_with_extensions(markdown, options=0, extensions=["table", "strikethrough"])
    html = _IMAGE_RE.sub(r"\1", html)
    return _ALIGN_RE.sub(r' style="text-align:\1"', html)


_TAGS = frozenset(
    [
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}


def _href_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        compact = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
        if compact.startswith(("javascript:", "vbscript:", "data:", "file:")):
            return None
    return value


def markdown_document_to_html(markdown: str) -> str:
    """A document's Markdown as an HTML fragment: raw HTML off, then an allow-list.

    Raw HTML written in a template or by the team is left out (what the public wrote
    reaches the Markdown escaped by the ``md`` filter, and is shown as text); images
    are reduced to their alt text (nothing loaded from elsewhere); links keep http(s),
    mailto, tel and relative targets only. Tables get ``scope`` on header cells.
    """
    import nh3

    html = _commonmark_to_html(markdown)
    cleaned = nh3.clean(
        html,
        tags=set(_TAGS),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        attribute_filter=_href_filter,
        url_schemes={"http", "https", "mailto", "tel"},
        strip_comments=True,
        link_rel=None,
        filter_style_properties={"text-align"},
    )
    return cleaned.replace("<th>", '<th scope="col">').replace('<th style="', '<th scope="col" style="')


# ---------------------------------------------------------------------------
# Rendering, with the errors of a template turned into AteliersError
# ---------------------------------------------------------------------------

_UNDEFINED_RES = (
    (re.compile(r"^'([^']*)' is undefined$"), "« {0} » n'est pas défini"),
    (re.compile(r"^'([^']*)' has no attribute '([^']*)'$"), "« {0} » n'a pas d'attribut « {1} »"),
    (re.compile(r"^'([^']*)' object has no attribute '([^']*)'$"), "un objet « {0} » n'a pas d'attribut « {1} »"),
    (re.compile(r"^([^ ]+) has no element (.*)$"), "{0} n'a pas d'élément {1}"),
)


_SECURITY_RES = (
    (
        re.compile(r"^access to attribute '([^']*)' of '([^']*)' object is unsafe\.?$"),
        "accès à l'attribut « {0} » d'un objet « {1} »",
    ),
    (re.compile(r"^'?([^']*?)'? is not safely callable$"), "appel de « {0} »"),
)


def _french_security(message: str) -> str:
    for pattern, french_text in _SECURITY_RES:
        m = pattern.match(message)
        if m:
            return french_text.format(*m.groups())
    return message


def _french_undefined(message: str) -> str:
    for pattern, french_text in _UNDEFINED_RES:
        m = pattern.match(message)
        if m:
            return french_text.format(*m.groups())
    return message


def _template_frame(env: DocumentEnvironment, exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line of a runtime error (Jinja rewrites the traceback)."""
    found: tuple[str | None, int] = (None, 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (frame.filename, frame.lineno or 0)
    return found


def _as_error(env: DocumentEnvironment, name: str, exc: Exception) -> AteliersError:
    if isinstance(exc, AteliersError):
        return exc
    if isinstance(exc, TemplateSyntaxError):
        where = env.display_name(exc.filename, exc.name or name)
        return AteliersError(
            f"gabarit « {where} » : erreur de syntaxe Jinja2 : {exc.message}",
            path=where,
            line=exc.lineno or 0,
            hint="voir la documentation de Jinja2 et docs/templates.md",
        )
    if isinstance(exc, TemplateNotFound):
        missing = exc.name or name
        return AteliersError(
            f"gabarit « {missing} » introuvable (demandé pour « {name} »)",
            path=f"templates/{name}",
            hint="les gabarits par défaut s'appellent « default:NOM » ; voir docs/templates.md",
        )
    filename, line = _template_frame(env, exc)
    where = env.display_name(filename, name)
    if isinstance(exc, limits.TooMuchWork):
        return AteliersError(
            f"gabarit « {where} » : trop de travail demandé, arrêté par le bac à sable ({exc})",
            path=where,
            line=line,
            hint="un gabarit est borné : 20 millions de tours de boucle, un million de caractères par opération, "
            "200 millions par document ; voir docs/templates.md",
        )
    if isinstance(exc, SecurityError):
        return AteliersError(
            f"gabarit « {where} » : opération interdite par le bac à sable ({_french_security(str(exc))})",
            path=where,
            line=line,
            hint="un gabarit n'a accès qu'aux données documentées dans docs/templates.md",
        )
    if isinstance(exc, UndefinedError):
        return AteliersError(
            f"gabarit « {where} » : {_french_undefined(str(exc))}",
            path=where,
            line=line,
            hint="les variables disponibles sont décrites dans docs/templates.md",
        )
    detail = str(exc) or type(exc).__name__
    if "Range too big" in detail:  # the sandbox's own limit, in English
        detail = "intervalle trop grand pour le bac à sable (range : au plus 100 000 valeurs)"
    elif isinstance(exc, MemoryError):
        detail = "mémoire épuisée (une valeur démesurée ?)"
    return AteliersError(
        f"gabarit « {where} » : le rendu a échoué : {detail}",
        path=where,
        line=line,
        hint="vérifiez les valeurs passées aux filtres (dates, nombres) ; voir docs/templates.md",
    )


def render_template(env: DocumentEnvironment, name: str, context: Mapping[str, Any]) -> str:
    """Render ``name`` with ``context``; any failure becomes an :class:`AteliersError`."""
    turns = limits.start_render()
    try:
        return limits.join_output(env.get_template(name).generate(**context))
    except (TemplateError, AteliersError) as exc:
        raise _as_error(env, name, exc) from None
    except RecursionError as exc:  # a macro calling itself, an include of itself
        filename, line = _template_frame(env, exc)
        where = env.display_name(filename, name)
        raise AteliersError(
            f"gabarit « {where} » : appels sans fin (une macro ou un gabarit qui s'appelle lui-même ?)",
            path=where,
            line=line,
            hint="vérifiez les macros et les {% include %} de ce gabarit",
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError, IndexError, MemoryError) as exc:
        if any(f.filename.endswith(".j2") for f in traceback.extract_tb(exc.__traceback__)):
            raise _as_error(env, name, exc) from None
        raise
    finally:
        limits.end_render(turns)


_BLANK_LINES_RE = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_TRAILING_SPACES_RE = re.compile(r"[ \t]+$", re.MULTILINE)


@dataclass(frozen=True)
class RenderedDocument:
    """One document's Markdown (``.md`` as written) and the HTML fragment of its body."""

    markdown: str
    body_html: Markup


def render_markdown(env: DocumentEnvironment, name: str, context: Mapping[str, Any]) -> RenderedDocument:
    """Render a Markdown template: the ``.md`` text and the HTML of its body."""
    figures = Figures()
    full = {**context, "figure": figures.figure, "matrice": figures.matrice}
    raw = render_template(env, name, full)
    raw = _TRAILING_SPACES_RE.sub("", raw)
    raw = _BLANK_LINES_RE.sub("\n\n", raw).strip("\n") + "\n"
    text = french.typographie_markdown(raw)
    public = _BLANK_LINES_RE.sub("\n\n", figures.public_markdown(text)).strip("\n") + "\n"
    # the Markdown is already typeset: the HTML drawn from it is too (figures are typeset on insertion)
    body = figures.insert(markdown_document_to_html(figures.markdown_for_html(text)))
    return RenderedDocument(public, Markup(body))
