"""French typographic and formatting conventions for rendered documents.

Every public function here is usable as a Jinja2 filter (see :func:`filters`).
Dates, times and numbers are formatted through Babel with the ``fr_FR`` locale:

* ``date_longue`` → « samedi 4 avril 2026 », « mercredi 1er avril 2026 » ;
* ``heure`` → « 18 h 30 », « 9 h » ;
* ``nombre`` → « 2 616 909 » (narrow no-break space U+202F between thousands) ;
* ``pourcentage`` → « 12,5 % » (no-break space U+00A0 before « % ») ;
* ``typographie`` → no-break spaces before « ; ! ? : » and inside « ».

Naive datetimes are taken as the consultation's local time and are never
converted; aware datetimes are converted to Europe/Paris first.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, overload
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from markupsafe import Markup

__all__ = [
    "LOCALE",
    "NBSP",
    "NNBSP",
    "PARIS",
    "date_courte",
    "date_heure",
    "date_longue",
    "euros",
    "filters",
    "heure",
    "mois_annee",
    "nombre",
    "now",
    "ordinal",
    "pluriel",
    "pourcentage",
    "proportion",
    "today",
    "typographie",
    "typographie_html",
    "typographie_markdown",
]

LOCALE = "fr_FR"
PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"  # espace insécable
NNBSP = "\u202f"  # espace fine insécable

DateLike = date | datetime | str
TimeLike = time | datetime | str
Number = int | float | Decimal


# ---------------------------------------------------------------------------
# « Aujourd'hui », reproductible
# ---------------------------------------------------------------------------


# « Today » comes from one place for the whole tool (SOURCE_DATE_EPOCH honoured there).
from ateliers_cli.clock import now, today

# ---------------------------------------------------------------------------
# Dates et heures
# ---------------------------------------------------------------------------


def _local(dt: datetime) -> datetime:
    """Aware datetimes are shown in Europe/Paris; naive ones are already local."""
    return dt.astimezone(PARIS) if dt.tzinfo is not None else dt


def _to_date(d: DateLike) -> date:
    if isinstance(d, datetime):
        return _local(d).date()
    if isinstance(d, date):
        return d
    if isinstance(d, str):
        text = d.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return _local(datetime.fromisoformat(text)).date()
        except ValueError:
            raise ValueError(f"date invalide : {d!r} (format attendu AAAA-MM-JJ)") from None
    raise TypeError(f"date attendue, reçu {type(d).__name__}")


def _to_datetime(dt: datetime | str) -> datetime:
    if isinstance(dt, datetime):
        return _local(dt)
    if isinstance(dt, str):
        try:
            return _local(datetime.fromisoformat(dt.strip()))
        except ValueError:
            raise ValueError(f"date et heure invalides : {dt!r} (format attendu AAAA-MM-JJTHH:MM)") from None
    raise TypeError(f"date et heure attendues, reçu {type(dt).__name__}")


def _to_time(t: TimeLike) -> time:
    if isinstance(t, datetime):
        return _local(t).time()
    if isinstance(t, time):
        return t
    if isinstance(t, str):
        text = t.strip()
        try:
            if len(text) >= 10 and text[4] == "-":
                return _local(datetime.fromisoformat(text)).time()
            return time.fromisoformat(text)
        except ValueError:
            raise ValueError(f"heure invalide : {t!r} (format attendu HH:MM)") from None
    raise TypeError(f"heure attendue, reçu {type(t).__name__}")


def _day_pattern(d: date) -> str:
    """Babel pattern for the day of month: « 1er » for the first, else « 4 »."""
    return "d'er'" if d.day == 1 else "d"


@lru_cache(maxsize=8192)
def _babel_date(value: date, pattern: str) -> str:
    """Babel's French date, remembered: a 10 000-row table has a few hundred distinct days."""
    return format_date(value, pattern.replace("{jour}", _day_pattern(value)), locale=LOCALE)


def date_longue(d: DateLike) -> str:
    """« samedi 4 avril 2026 », « mercredi 1er avril 2026 ».

    Accepts a :class:`date`, a :class:`datetime` or an ISO string.
    """
    return _babel_date(_to_date(d), "EEEE {jour} MMMM y")


def date_courte(d: DateLike) -> str:
    """« 4 avril 2026 », « 1er avril 2026 »."""
    return _babel_date(_to_date(d), "{jour} MMMM y")


def mois_annee(d: DateLike) -> str:
    """« avril 2026 »."""
    return _babel_date(_to_date(d), "MMMM y")


def heure(dt: TimeLike) -> str:
    """« 18 h 30 », « 9 h » (never « 9 h 00 »), « 14 h 05 », with non-breaking spaces.

    Accepts a :class:`time`, a :class:`datetime` or an ISO string
    (« 18:30 », « 2026-04-04T18:30 », « 2026-04-04 18:30 »).
    """
    value = _to_time(dt)
    pattern = "H' h'" if value.minute == 0 else "H' h 'mm"
    # non-breaking spaces: « 18 h 30 » never split across two lines
    return format_time(value, pattern, locale=LOCALE).replace(" ", NBSP)


def date_heure(dt: datetime | str) -> str:
    """« samedi 4 avril 2026 à 18 h 30 »."""
    value = _to_datetime(dt)
    return f"{date_longue(value)} à {heure(value)}"


# ---------------------------------------------------------------------------
# Nombres
# ---------------------------------------------------------------------------


def _to_decimal(n: Number | str) -> Decimal:
    if isinstance(n, bool):
        raise TypeError("nombre attendu, reçu un booléen")
    try:
        if isinstance(n, float):
            value = Decimal(repr(n))  # 12.25 → Decimal("12.25"), not its binary expansion
        elif isinstance(n, (int, Decimal)):
            value = Decimal(n)
        elif isinstance(n, str):
            value = Decimal(n.strip().replace(",", "."))
        else:
            raise TypeError(f"nombre attendu, reçu {type(n).__name__}")
    except InvalidOperation:
        raise ValueError(f"nombre invalide : {n!r}") from None
    if not value.is_finite():
        raise ValueError(f"nombre non fini : {n!r}")
    return value


def _format(value: Decimal, decimals: int | None) -> str:
    """Round half-up then format with Babel; ``decimals=None`` → up to 3, trimmed."""
    if decimals is None:
        if value == value.to_integral_value():
            value = value.to_integral_value()
            pattern = "#,##0"
        else:
            value = value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
            pattern = "#,##0.###"
    else:
        if decimals < 0:
            raise ValueError("le nombre de décimales doit être positif")
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if value.is_zero():
        value = abs(value)  # jamais « -0 »
    return format_decimal(value, format=pattern, locale=LOCALE)


def nombre(n: Number | str, decimals: int | None = None) -> str:
    """« 2 616 909 » (U+202F between thousands), « 12,5 ».

    ``decimals=None`` prints integers without decimals and others with at
    most three; an int ``decimals`` fixes the count. Rounding is half-up.
    """
    return _format(_to_decimal(n), decimals)


def pourcentage(x: Number | str, decimals: int = 1) -> str:
    """« 12,5 % » — ``x`` is already a percentage (12.5, not 0.125).

    A no-break space U+00A0 separates the number from « % ».
    See :func:`proportion` to compute it from a part and a total.
    """
    return f"{_format(_to_decimal(x), decimals)}{NBSP}%"


def proportion(part: Number, total: Number, decimals: int = 1) -> str:
    """« 12,5 % » for ``part / total``; « — » when ``total`` is zero."""
    total_d = _to_decimal(total)
    if total_d.is_zero():
        return "—"
    return pourcentage(_to_decimal(part) * 100 / total_d, decimals)


def euros(n: Number | str, decimals: int | None = None) -> str:
    """« 45 000 € », « 1 234,50 € » (no-break space U+00A0 before « € »).

    ``decimals=None``: no decimals for whole amounts, two otherwise.
    """
    value = _to_decimal(n)
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else 2
    return f"{_format(value, decimals)}{NBSP}€"


def cle_de_tri(text: str) -> str:
    """A key that sorts French names as a reader expects: « Écouen » with the E, « l'Abbaye » with the A."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ordinal(n: int, feminin: bool = False) -> str:
    """« 1er » (« 1re » with ``feminin=True``), « 2e », « 10e »."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"entier attendu, reçu {type(n).__name__}")
    if n == 1:
        return "1re" if feminin else "1er"
    return f"{nombre(n)}e"


def pluriel(n: Number, singulier: str, pluriel: str) -> str:
    """« 0 contribution », « 1 contribution », « 3 contributions ».

    French rule: the singular for values below 2 in absolute value.
    """
    value = _to_decimal(n)
    mot = singulier if abs(value) < 2 else pluriel
    return f"{nombre(n)} {mot}"


#: The profiles said of a person: (feminine, masculine, with a middle dot).
_PROFILS_PERSONNE = {
    "habitant": ("habitante", "habitant", "habitant·e"),
    "citoyen": ("citoyenne", "citoyen", "citoyen·ne"),
}


def profil_personne(profil: str, civilite: str = "", forme: str = "doublet") -> str:
    """The profile of a person, in lower case, agreeing with their civility when it is known.

    « habitante » (madame), « habitant » (monsieur); unknown: the consultation's choice,
    « habitante ou habitant » (doublet), « habitant·e » (point_median) or « habitant »
    (masculin). A partner is an organisation: « partenaire ».
    """
    forms = _PROFILS_PERSONNE.get(profil)
    if forms is None:
        return profil.replace("_", " ")
    feminine, masculine, dotted = forms
    if civilite == "madame":
        return feminine
    if civilite == "monsieur":
        return masculine
    if forme == "point_median":
        return dotted
    if forme == "masculin":
        return masculine
    return f"{feminine} ou {masculine}"


def de(nom: str) -> str:
    """« de Lille », « d'Avesnes-sur-Helpe », « d'Hazebrouck »: the preposition elided before a vowel or h."""
    text = str(nom)
    if text[:1].lower() in "aeiouyhàâéèêëîïôöûüœæ":
        return f"d'{text}"
    return f"de {text}"


def liste(values: Iterable[object], derniere: str = " et ") -> str:
    """« a, b et c » (« a » alone, « » for none)."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + derniere + items[-1]


# ---------------------------------------------------------------------------
# Typographie
# ---------------------------------------------------------------------------

_HSPACE = " \t\u00a0\u202f\u2009"
_HS = f"[{_HSPACE}]"
# What may follow « ; ! ? : » for it to be the punctuation mark of prose.
_FOLLOW = set(".,;:!?…»)]}\"'’*_<")
_NO_INSERT_AFTER = set(";:!?([{«\\")
_LINE_START = ("", "\n", "\r")

_CLOSING_RE = re.compile(f"({_HS}*)([;!?:»])")
_OPENING_RE = re.compile(f"«({_HS}*)")
_APOSTROPHE_RE = re.compile("'")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _char(s: str, i: int, before: str, after: str) -> str:
    """``s[i]`` with out-of-range indexes falling back on the context chars."""
    if i < 0:
        return before
    if i >= len(s):
        return after
    return s[i]


def _typo_prose(s: str, before: str = "", after: str = "") -> str:
    """Apply the French rules to a run of prose.

    ``before``/``after`` are the characters just outside the run ("" for a
    boundary, "\\n" for a block boundary); they are read, never modified.
    """

    def closing(m: re.Match[str]) -> str:
        ws, p = m.group(1), m.group(2)
        prev = _char(m.string, m.start() - 1, before, after)
        nxt = _char(m.string, m.end(), before, after)
        if p != "»":
            follows = nxt == "" or nxt.isspace() or (nxt in _FOLLOW and not (p == ":" == nxt))
            if not follows:
                return m.group(0)
        target = NNBSP if p in ";!?" else NBSP
        if ws:
            return m.group(0) if prev in _LINE_START else target + p
        if prev in _LINE_START or prev.isspace() or prev == "\\":
            return p
        if p != "»" and prev in _NO_INSERT_AFTER:
            return p
        return target + p

    def opening(m: re.Match[str]) -> str:
        ws = m.group(1)
        nxt = _char(m.string, m.end(), before, after)
        if nxt in _LINE_START or (not ws and nxt.isspace()):
            return m.group(0)
        return "«" + NBSP

    def apostrophe(m: re.Match[str]) -> str:
        prev = _char(m.string, m.start() - 1, before, after)
        nxt = _char(m.string, m.end(), before, after)
        return "’" if prev.isalpha() and nxt.isalpha() else "'"

    if not any(c in s for c in ";!?:«»'"):
        return s
    s = _CLOSING_RE.sub(closing, s)
    s = _OPENING_RE.sub(opening, s)
    return _APOSTROPHE_RE.sub(apostrophe, s)


def _context_char(raw: str, first: bool) -> str:
    """The character a protected segment shows to its prose neighbours."""
    if _ENTITY_RE.fullmatch(raw):
        return _html.unescape(raw)
    return raw[0] if first else raw[-1]


def _typo_segments(segments: list[tuple[bool, str]]) -> str:
    """Join ``(protected, text)`` segments, applying the rules to prose only."""
    out: list[str] = []
    for i, (protected, text) in enumerate(segments):
        if protected or not text:
            out.append(text)
            continue
        before = _context_char(segments[i - 1][1], first=False) if i > 0 else ""
        after = _context_char(segments[i + 1][1], first=True) if i + 1 < len(segments) else ""
        out.append(_typo_prose(text, before, after))
    return "".join(out)


_TAG_BODY = r"""(?:[^>"'<]|"[^"<]*"|'[^'<]*')*"""
_MD_PROTECTED_RE = re.compile(
    "|".join(
        [
            # YAML front matter at the very start
            r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?=\n|\Z)",
            # fenced code block, up to its closing fence (or the end)
            r"^[ ]{0,3}(?P<fence>`{3,}|~{3,}).*?(?:\n[ ]{0,3}(?P=fence)[`~]*[ \t]*(?=\n|\Z)|\Z)",
            # HTML comment
            r"<!--.*?(?:-->|\Z)",
            # raw text and code elements, with their content
            rf"<(?P<raw>pre|code|kbd|samp|script|style|textarea)\b{_TAG_BODY}>.*?(?:</(?P=raw)\s*>|\Z)",
            # any other tag, attributes included (also markdown autolinks <https://…>)
            rf"</?[A-Za-z][A-Za-z0-9:-]*{_TAG_BODY}>",
            # inline code span
            r"(?P<bt>`+)(?!`).+?(?<!`)(?P=bt)(?!`)",
            # link reference definition line: [id]: url "title"
            r"^[ ]{0,3}\[[^\]\n]+\]:[^\n]*",
            # table delimiter row: | :--- | ---: |
            r"^(?=[^\n]*-)(?=[^\n]*\|)[ \t|:\-]+$",
            # inline link target: ](url "title")
            (
                r"\]\((?:<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
                r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"""
            ),
            # bare URL
            (
                # (a scheme starts a word: tried at each letter, it would read the rest of
                # the word again and again before failing on « :// »)
                r"(?:(?<![A-Za-z])[A-Za-z][A-Za-z0-9+.\-]*://|mailto:|tel:|www\.)"
                r"[^\s<>\"«»`]*[^\s<>\"«»`.,;:!?)\]}'’*]"
            ),
            # character reference
            _ENTITY_RE.pattern,
        ]
    ),
    re.MULTILINE | re.DOTALL | re.IGNORECASE,
)


def _split_protected(text: str, pattern: re.Pattern[str]) -> list[tuple[bool, str]]:
    segments: list[tuple[bool, str]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            segments.append((False, text[pos : m.start()]))
        segments.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        segments.append((False, text[pos:]))
    return segments


def typographie_markdown(md: str) -> str:
    """French typography for Markdown source.

    Leaves untouched: a leading YAML front matter, fenced code, code spans, link targets, link reference
    definitions, table delimiter rows, autolinks, bare URLs, raw HTML tags
    (and the content of ``<pre>``, ``<code>``, ``<script>``, ``<style>``),
    HTML comments and character references. Indented code blocks are not
    recognised (they are treated as prose). Idempotent.
    """
    if not md:
        return md
    return _typo_segments(_split_protected(md, _MD_PROTECTED_RE))


_HTML_TOKEN_RE = re.compile(
    "|".join(
        [
            r"<!--.*?(?:-->|\Z)",
            r"<!\[CDATA\[.*?(?:\]\]>|\Z)",
            rf"<(?P<raw>script|style|textarea|title)\b{_TAG_BODY}>.*?(?:</(?P=raw)\s*>|\Z)",
            rf"<[!?/]?[A-Za-z]{_TAG_BODY}>",
            _ENTITY_RE.pattern,
        ]
    ),
    re.DOTALL | re.IGNORECASE,
)
_TAG_NAME_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
# fmt: off
_INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
# fmt: on
_SKIP_TAGS = frozenset({"pre", "code", "kbd", "samp", "var"})


def _typographie_html_str(text: str) -> str:
    # kind: "text", "entity", "inline" (inline tag), "block" (anything else)
    tokens: list[tuple[str, str, bool]] = []  # (kind, raw, skipped)
    depth = 0
    pos = 0

    def add_text(raw: str) -> None:
        tokens.append(("text", raw, depth > 0))

    for m in _HTML_TOKEN_RE.finditer(text):
        if m.start() > pos:
            add_text(text[pos : m.start()])
        raw = m.group(0)
        pos = m.end()
        if raw.startswith("&"):
            tokens.append(("entity", raw, depth > 0))
            continue
        name_m = _TAG_NAME_RE.match(raw)
        if name_m is None:
            tokens.append(("block", raw, True))
            continue
        closing, name = name_m.group(1) == "/", name_m.group(2).lower()
        if name in _SKIP_TAGS and not raw.endswith("/>"):
            depth = max(0, depth - 1) if closing else depth + 1
        tokens.append(("inline" if name in _INLINE_TAGS else "block", raw, True))
    if pos < len(text):
        add_text(text[pos:])

    # Context chars: the nearest text char across inline tags, "\n" across blocks.
    n = len(tokens)
    befores = [""] * n
    afters = [""] * n
    last = ""
    for i, (kind, raw, _skip) in enumerate(tokens):
        befores[i] = last
        if kind == "block":
            last = "\n"
        elif kind == "entity":
            last = _html.unescape(raw)
        elif kind == "text" and raw:
            last = raw[-1]
    nxt = ""
    for i in range(n - 1, -1, -1):
        kind, raw, _skip = tokens[i]
        afters[i] = nxt
        if kind == "block":
            nxt = "\n"
        elif kind == "entity":
            nxt = _html.unescape(raw)
        elif kind == "text" and raw:
            nxt = raw[0]

    out = []
    for i, (kind, raw, skip) in enumerate(tokens):
        if kind == "text" and not skip:
            out.append(_typo_prose(raw, befores[i], afters[i]))
        elif (
            kind == "entity"
            and not skip
            and _html.unescape(raw) == "'"
            and befores[i].isalpha()
            and afters[i].isalpha()
        ):
            out.append("’")  # « l&#39;avis », as escaped by Jinja2 → « l’avis »
        else:
            out.append(raw)
    return "".join(out)


@overload
def typographie_html(html: Markup) -> Markup: ...
@overload
def typographie_html(html: str) -> str: ...
def typographie_html(html: str) -> str:
    """French typography for an HTML fragment, on text nodes only.

    Tags, attributes, comments, character references and the content of
    ``<pre>``, ``<code>``, ``<kbd>``, ``<samp>``, ``<var>``, ``<script>``,
    ``<style>``, ``<textarea>`` and ``<title>`` are left as they are.
    Context crosses inline tags (``<em>Attention</em>!`` gets its space) but
    not block tags. An escaped apostrophe between letters (``l&#39;avis``, as
    Jinja2 autoescape writes it) becomes « ’ ». A :class:`Markup` input gives a :class:`Markup` output.
    Idempotent.
    """
    result = _typographie_html_str(str(html)) if html else str(html)
    return Markup(result) if isinstance(html, Markup) else result


@overload
def typographie(text: Markup) -> Markup: ...
@overload
def typographie(text: str) -> str: ...
def typographie(text: str) -> str:
    """No-break spaces before « ; ! ? : » and inside « », curly apostrophes.

    * U+202F (narrow no-break space) before « ; ! ? », U+00A0 before « : »,
      after « « » and before « » »; an ordinary space there is replaced, a
      missing one inserted. A punctuation mark is only treated as such when
      followed by a space, the end, or closing punctuation — so « 18:30 »,
      « std::x », « ?q=1 » stay as they are.
    * ' between two letters becomes ’ (« l’avis »).
    * URLs, code spans, Markdown link targets, HTML tags and attributes and
      the content of ``<code>``/``<pre>`` are left untouched.

    A :class:`Markup` (already HTML) is processed with :func:`typographie_html`
    and stays :class:`Markup`; a plain string with :func:`typographie_markdown`
    rules (a superset of what plain text needs). Idempotent.
    """
    if isinstance(text, Markup):
        return typographie_html(text)
    return typographie_markdown(text)


# ---------------------------------------------------------------------------
# Jinja2
# ---------------------------------------------------------------------------


def filters() -> dict[str, Callable[..., Any]]:
    """All the filters of this module, by name, for ``env.filters.update()``."""
    return {
        "date_longue": date_longue,
        "date_courte": date_courte,
        "mois_annee": mois_annee,
        "heure": heure,
        "date_heure": date_heure,
        "nombre": nombre,
        "pourcentage": pourcentage,
        "proportion": proportion,
        "euros": euros,
        "ordinal": ordinal,
        "pluriel": pluriel,
        "de": de,
        "typographie": typographie,
        "typographie_html": typographie_html,
        "typographie_markdown": typographie_markdown,
    }
