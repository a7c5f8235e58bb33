"""Small text helpers shared by the importers."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_FOLDED: dict[str, str] = {}


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: for comparing names typed by people."""
    short = len(text) <= 100  # a name, a commune, a profile: the same come back on many rows
    if short:
        found = _FOLDED.get(text)
        if found is not None:
            return found
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _SPACES.sub(" ", bare.replace("\u2019", "'").replace("œ", "oe").replace("æ", "ae")).strip()
    if short:
        if len(_FOLDED) >= 100_000:
            _FOLDED.clear()
        _FOLDED[text] = folded
    return folded


def tokens(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits)."""
    return re.findall(r"[a-z0-9]+", fold(text))


def clean_cell(value: str) -> str:
    """A cell as text: NFC, ``\\n`` line ends, no control characters, no surrounding blanks."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return unicodedata.normalize("NFC", value).strip()


def one_line(value: str) -> str:
    """A cell meant to be a single line (a title, a name): blanks collapsed."""
    return _SPACES.sub(" ", value).strip()


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    return f"{n} {singular if n <= 1 else (plural_form or singular + 's')}"
