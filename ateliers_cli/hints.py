"""Hints for the user: the closest known name to a mistyped one."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def _fold(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", s.casefold()) if not unicodedata.combining(c)
    )


def closest(name: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name closest to ``name`` (accents and case ignored), if any is close."""
    known = list(known)
    if not known:
        return None
    folded = {_fold(k): k for k in known}
    target = _fold(name)
    if target in folded:
        return folded[target]
    match = difflib.get_close_matches(target, list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """« vouliez-vous dire « lille » ? », or an empty string."""
    best = closest(name, known)
    return f"vouliez-vous dire « {best} » ?" if best and best != name else ""
