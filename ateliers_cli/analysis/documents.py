"""The texts the analysis works on, whatever shape the caller holds them in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, runtime_checkable

__all__ = ["DocInput", "Document", "as_documents"]


@dataclass(frozen=True, slots=True)
class Document:
    """One text to analyse: a contribution's id and Markdown text.

    ``author`` and ``date`` are optional; near-duplicate detection uses them to
    tell a resubmission from a campaign and to find the original. ``date`` is an
    ISO string (``AAAA-MM-JJ`` or ``AAAA-MM-JJTHH:MM``), so that it sorts as text.
    """

    id: str
    text: str
    author: str | None = None
    date: str | None = None
    title: str = ""
    """The contribution's title, when it has one: theme tagging reads it (and counts it twice)."""


@runtime_checkable
class _ContributionLike(Protocol):
    """An object with ``id`` and ``texte`` attributes, like the model's ``Contribution``."""

    @property
    def id(self) -> str: ...

    @property
    def texte(self) -> str: ...


DocInput: TypeAlias = (
    Document
    | tuple[str, str]
    | tuple[str, str, str | None]
    | tuple[str, str, str | None, Any]
    | Mapping[str, Any]
    | _ContributionLike
)
"""What the analysis functions accept for one text.

- a :class:`Document`;
- a tuple ``(id, text)``, ``(id, text, author)`` or ``(id, text, author, date)``;
- a mapping with ``id`` and ``texte`` (or ``text``), optionally ``auteur`` (or
  ``author``) and ``date``;
- an object with ``id`` and ``texte`` attributes (and optionally ``auteur``,
  ``date``), such as a loaded contribution.

A date may be a ``datetime.date``, a ``datetime.datetime`` or an ISO string.
"""


def _date_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _optional(value: object) -> str | None:
    if value is None:
        return None
    text = _text(value).strip()
    return text or None


def as_document(doc: DocInput) -> Document:
    """Convert one accepted input shape into a :class:`Document`."""
    if isinstance(doc, Document):
        return doc
    if isinstance(doc, tuple):
        if not 2 <= len(doc) <= 4:
            raise ValueError(f"un document est (id, texte[, auteur[, date]]), pas {len(doc)} éléments")
        author = _optional(doc[2]) if len(doc) > 2 else None
        date = _date_text(doc[3]) if len(doc) > 3 else None
        return Document(_text(doc[0]), _text(doc[1]), author, date)
    if isinstance(doc, Mapping):
        text = doc.get("texte", doc.get("text"))
        author = doc.get("auteur", doc.get("author"))
        title = doc.get("titre", doc.get("title"))
        return Document(_text(doc.get("id")), _text(text), _optional(author), _date_text(doc.get("date")), _text(title))
    text = getattr(doc, "texte", None)
    if text is None:
        text = getattr(doc, "text", "")
    author = getattr(doc, "auteur", None)
    if author is None:
        author = getattr(doc, "author", None)
    title = getattr(doc, "titre", None)
    if title is None:
        title = getattr(doc, "title", "")
    return Document(_text(doc.id), _text(text), _optional(author), _date_text(getattr(doc, "date", None)), _text(title))


def as_documents(docs: Iterable[DocInput]) -> list[Document]:
    """Convert every input into a :class:`Document`, keeping their order."""
    return [as_document(d) for d in docs]
