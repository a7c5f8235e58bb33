"""The examples ``ateliers init`` writes, left in place.

Every placeholder of the skeleton carries the mark « (à remplacer) »: a title, a name or a
description still holding it has not been filled in. ``check`` warns (``--strict`` fails);
``advance`` refuses to leave a stage while any remain, so no example reaches a document.
"""

from __future__ import annotations

import re

from ateliers_cli.errors import Diagnostic, warning

MARK = "(à remplacer)"
CODE = "a-remplacer"
_KEY = re.compile(r"^\s*(?:-\s+)?([\w-]+)\s*:")


def scan(text: str, rel: str, line_offset: int = 0) -> list[Diagnostic]:
    """The lines of a YAML text whose value (not a comment) still holds the placeholder mark."""
    if MARK not in text:
        return []
    found: list[Diagnostic] = []
    key = ""
    for number, line in enumerate(text.splitlines(), start=1 + line_offset):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        m = _KEY.match(line)
        if m:
            key = m.group(1)
        at = line.find(MARK)
        comment = line.find(" #")
        if at < 0 or (0 <= comment < at):
            continue
        value = line.split(":", 1)[1].strip() if m else stripped
        value = value if len(value) <= 50 else value[:49] + "…"
        what = f"« {key} » : « {value} »" if key else f"« {value} »"
        found.append(
            warning(
                rel,
                number,
                f"{what} est un exemple écrit par « ateliers init », à remplacer",
                "remplacez-le par le vôtre (et retirez la mention « (à remplacer) ») ; « ateliers aide » décrit "
                "chaque fichier",
                CODE,
            )
        )
    return found
