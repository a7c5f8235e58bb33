"""Conflict markers an unfinished git merge leaves in a file: ``<<<<<<<``, ``=======``, ``>>>>>>>``.

Left in place, both versions of the text reach the documents, the site and the open data.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ateliers_cli.errors import Diagnostic, error

#: The folders a command reads whole besides the data ``load`` scans: the consultation's own
#: templates (rendered into every document) and the private registers.
READ_WHOLE = ("templates", "prive")
_TEXT_SUFFIXES = (".j2", ".md", ".html", ".css", ".js", ".yaml", ".csv", ".txt")
_MAX_BYTES = 20 * 1024 * 1024

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


def scan_folders(root: Path, folders: tuple[str, ...] = READ_WHOLE) -> list[Diagnostic]:
    """:func:`scan` over the text files of ``folders`` (links not followed, huge files skipped)."""
    found: list[Diagnostic] = []
    for folder in folders:
        base = root / folder
        if base.is_symlink() or not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.endswith(_TEXT_SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                    if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_BYTES:
                        continue
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                if b"<<<<<<<" not in data and b">>>>>>>" not in data:
                    continue
                text = data.decode("utf-8", "replace").replace("\r\n", "\n")
                found += scan(text, Path(path).relative_to(root).as_posix())
    return found
