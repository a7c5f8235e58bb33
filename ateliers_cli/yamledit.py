"""Editing a human-written YAML file without losing its comments or key order.

ruamel.yaml's round-trip mode keeps comments, key order, quotes and flow style,
so an automated edit (the stage, a count) is a one-line diff in git.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.util import load_yaml_guess_indent


def _yaml(text: str) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap the users' long lines
    try:  # keep the file's own indentation, so only the edited lines change
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except Exception:  # noqa: BLE001 - a guess; fall back to our default style
        indent, block_seq_indent = 2, 2
    indent = indent or 2
    offset = block_seq_indent or 0
    y.indent(mapping=indent, sequence=max(indent, offset + 2), offset=offset)
    return y


def edit_text(text: str, change: Callable[[Any], None]) -> str:
    """Apply ``change`` to the parsed document and return the new text."""
    y = _yaml(text)
    data = y.load(text)
    change(data)
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def edit_file(path: Path, change: Callable[[Any], None]) -> str:
    """The new text of ``path`` after ``change`` (not written: the caller writes atomically)."""
    return edit_text(path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"), change)
