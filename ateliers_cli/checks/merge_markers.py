"""Conflict markers an unfinished git merge leaves in a file: ``<<<<<<<``, ``=======``, ``>>>>>>>``.

Left in place, both versions of the text reach the documents, the site and the open data.
"""

from __future__ import annotations

import re

from ateliers_cli.errors import Diagnostic, error

# at the start of a line, as git writes them (« ||||||| » with the diff3 style); the
# separator « ======= » alone is also a Markdown title underline: only counted beside the others
_MARKER = re.compile(r"^(?:<{7}|>{7}|\|{7})(?: .*)?$|^={7}$", re.MULTILINE)


def scan(text: str, rel: str, line_offset: int = 0) -> list[Diagnostic]:
    """One error per marker line of ``text`` (a file read whole), with its line."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return []
    found: list[Diagnostic] = []
    pos, line = 0, 1 + line_offset
    for m in _MARKER.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        found.append(
            error(
                rel,
                line,
                f"marque de conflit git « {m.group()[:7]} » : une fusion n'a pas été terminée, "
                "les deux versions du texte sont dans le fichier",
                "gardez la bonne version, supprimez les lignes <<<<<<<, ======= et >>>>>>>, "
                "puis enregistrez la fusion (git add, puis git commit)",
                "conflit-git",
            )
        )
    return found
