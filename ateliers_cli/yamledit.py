"""Editing a human-written YAML file without losing its comments or key order.

ruamel.yaml's round-trip mode keeps comments, key order, quotes and flow style,
so an automated edit (the stage, a count) is a one-line diff in git.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.util import load_yaml_guess_indent

_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:(?:\s*(#.*)?)?$")
_CHILD_KEY = re.compile(r"^( *)[^\s#-][^:#]*:(?:\s|$)")


def _mapping_indent(text: str) -> int | None:
    """The indentation of a mapping inside a mapping (« inscriptions: » then « ··inscrits: »)."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        m = _KEY_LINE.match(line)
        if not m:
            continue
        child = _CHILD_KEY.match(lines[i + 1])
        if child and len(child.group(1)) > len(m.group(1)):
            return len(child.group(1)) - len(m.group(1))
    return None


def _yaml(text: str) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap the users' long lines
    try:  # keep the file's own indentation, so only the edited lines change
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except Exception:  # noqa: BLE001 - a guess; fall back to our default style
        indent, block_seq_indent = 2, 2
    # ruamel's guess is the indentation of a sequence's items; a mapping's own may differ
    # (« productions: / ··- theme: / ····reflexions: » but « inscriptions: / ··inscrits: »)
    offset = block_seq_indent or 0
    sequence = max(indent or 2, offset + 2)
    mapping = _mapping_indent(text) or 2
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def new_yaml() -> YAML:
    """The style of a file the tool writes from scratch: that of the example (lists indented under their key)."""
    y = YAML(typ="rt")
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
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


def set_key(doc: Any, key: str, value: Any, order: list[str]) -> None:
    """Set ``key`` in a round-trip mapping; a new key goes where ``order`` (the schema's) puts it."""
    if key in doc:
        doc[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    pos = 0
    for i, k in enumerate(doc):
        if k in order and order.index(k) < rank:
            pos = i + 1
    doc.insert(pos, key, value)


def edit_or_create(path: Path, change: Callable[[Any], None], header: str = "") -> str:
    """The new text of ``path`` after ``change``; a file absent, or only comments, is started.

    A file that holds only comments (the commented example of ``ateliers init``) keeps them
    above the new keys; a new file starts with ``header``.
    """
    from ruamel.yaml.comments import CommentedMap

    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n") if path.exists() else ""
    if any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return edit_text(text, change)
    data = CommentedMap()
    change(data)
    buf = io.StringIO()
    new_yaml().dump(data, buf)
    return (text.rstrip() + "\n" if text.strip() else header) + buf.getvalue()
