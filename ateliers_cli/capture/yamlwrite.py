"""The YAML a capture writes: a new file in the schema's key order, or an edit that keeps the rest.

An existing file is edited with ruamel's round trip (:mod:`ateliers_cli.yamledit`): the keys the
template covers are set (or removed when left empty), at their place in the schema's order;
every other key, every comment and the file's indentation stay as they were.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ateliers_cli.schema import Obj
from ateliers_cli.yamledit import edit_text, new_yaml, set_key


def _plain(value: Any) -> Any:
    """Python values as ruamel nodes: multi-line texts as « | » blocks, lists of names on one line."""
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _plain(v)
        return m
    if isinstance(value, list):
        seq = CommentedSeq(_plain(v) for v in value)
        if all(not isinstance(v, (dict, list)) for v in value) and _short(value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value if value.endswith("\n") else value + "\n")
    return value


def _short(items: list[Any]) -> bool:
    """Identifiers, or a few words, go on one line (« [a, b] »); sentences, one per line."""
    texts = [str(v) for v in items]
    return all(" " not in t for t in texts) or len(", ".join(texts)) <= 80


def _header(kind: str) -> str:
    folder = "../" if kind in ("atelier", "restitution", "lancement", "synthese") else ""
    return (
        f"# yaml-language-server: $schema={folder}schemas/{kind}.schema.json\n"
        f"# Écrit par « ateliers saisie import » ; « ateliers aide {kind} » décrit chaque clé.\n"
    )


def write_text(
    existing: Path | None,
    data: dict[str, Any],
    obj: Obj,
    replaced: tuple[str, ...],
    kind: str,
    covered: frozenset[str] = frozenset(),
) -> str:
    """The new text of the file: ``data`` for the keys in ``replaced``, the rest kept.

    ``covered`` names the nested keys the template holds (« inscriptions.inscrits »): in a
    block, only those are set or removed (« inscriptions.besoins », written by another command, stays).
    """
    order = [f.name for f in obj.fields]
    text = existing.read_text(encoding="utf-8-sig").replace("\r\n", "\n") if existing is not None else ""
    body = "\n".join(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    if not body.strip():  # a new file, or only comments (the commented example of init)
        buf = io.StringIO()
        new_yaml().dump(_plain(data), buf)
        comments = text.rstrip() + "\n" if text.strip() else _header(kind)
        return comments + buf.getvalue()

    def change(doc: Any) -> None:
        for key in replaced:
            sub = {c.split(".", 1)[1] for c in covered if c.startswith(key + ".")}
            if sub and isinstance(doc.get(key), dict):
                _merge(doc[key], data.get(key) or {}, sub)
                if not doc[key]:
                    del doc[key]
                continue
            if key not in data:
                if key in doc:
                    del doc[key]
                continue
            set_key(doc, key, _plain(data[key]), order)

    return edit_text(text, change)


def _merge(node: Any, value: dict[str, Any], covered: set[str]) -> None:
    """A nested block (« inscriptions », « seance ») updated key by key, its comments kept."""
    for k in [k for k in node if k in covered and k not in value]:
        del node[k]
    for k, v in value.items():
        node[k] = _plain(v)
