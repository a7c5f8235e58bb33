"""Recognising the exports of participation platforms, and their mapping.

* **Decidim** proposals exports: ``id``, ``title`` and ``body`` columns, either
  plain (older open-data exports, admin exports) or per language (``title/fr``,
  ``body/fr``); ``category/…``, ``scope/…`` or ``taxonomies/…`` columns;
  ``author/name`` in recent versions; ``created_at`` like
  ``2019-01-24 22:29:15 +0100``.
* **Grand Débat** (Cap Collectif) exports: one column per question named
  ``Q<n> - <question>``; the answers become the text, each under its question;
  ``authorZipCode`` gives the territory, ``authorType`` the profile.

Anything else needs a mapping (``--map`` or ``--mapping``), except files whose
columns already carry our field names (« texte », « date », « commune »…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ateliers_cli.importers.mapping import Mapping
from ateliers_cli.importers.readers import Row, Table
from ateliers_cli.importers.util import fold

_QUESTION = re.compile(r"^Q\s*(\d+)\s*[-–—:.]\s*(.+)$", re.DOTALL)


@dataclass
class Format:
    """What an export is and how its columns map to a contribution's fields."""

    key: str  # decidim, grand-debat, colonnes
    label: str  # « export de propositions Decidim »
    platform: str  # « Decidim », shown in default author names
    canal: str  # plateforme for platforms, formulaire for forms
    mapping: Mapping
    category_columns: list[str] = field(default_factory=list)  # kept out, reported
    skip_column: str = ""  # rows marked here (withdrawn, trashed) are not imported
    skip_reason: str = ""

    def skipped(self, row: Row) -> bool:
        if not self.skip_column:
            return False
        return fold(row.get(self.skip_column)) in ("true", "1", "oui", "yes", "vrai", "withdrawn")


def _lang(columns: list[str], base: str) -> str | None:
    """``base/fr`` first, then ``base``, then ``base/<any language>``."""
    by_fold = {fold(c): c for c in columns}
    for candidate in (f"{base}/fr", base, f"{base}/machine_translations/fr"):
        if candidate in by_fold:
            return by_fold[candidate]
    for c in columns:
        if re.fullmatch(rf"{re.escape(base)}/[a-z]{{2}}(?:-[a-z]{{2}})?", fold(c)):
            return c
    return None


def _first(columns: list[str], *names: str) -> str | None:
    by_fold = {fold(c): c for c in columns}
    for n in names:
        if n in by_fold:
            return by_fold[n]
    return None


def detect(table: Table) -> Format | None:
    """The platform that produced ``table``, if we know it."""
    return _grand_debat(table) or _decidim(table)


def _decidim(table: Table) -> Format | None:
    cols = table.columns
    ident = _first(cols, "id")
    title = _lang(cols, "title")
    body = _lang(cols, "body")
    if not (ident and body and title):
        return None
    m = Mapping()

    def put(name: str, col: str | None) -> None:
        if col:
            m.columns[name] = [col]
            m.origin[name] = "Decidim"

    put("cle", ident)
    put("titre", title)
    put("texte", body)
    put("date", _first(cols, "created_at", "published_at", "publishedat", "createdat"))
    put("auteur", _first(cols, "author/name", "authors/name", "author/0/name"))
    # a geographic scope may name a territory or a commune; an unknown one is reported
    put("territoire", _lang(cols, "scope/name") or _first(cols, "scope"))
    put("adresse", _first(cols, "address"))
    categories = [
        c
        for c in cols
        if fold(c) == "category" or (fold(c).startswith(("category/name", "taxonomies")) and "name" in fold(c))
    ]
    categories = sorted(categories, key=lambda c: (not fold(c).endswith("/fr"), cols.index(c)))[:1]
    skip = _first(cols, "withdrawn", "is_withdrawn")
    return Format(
        "decidim",
        "export de propositions Decidim",
        "Decidim",
        "plateforme",
        m,
        category_columns=categories,
        skip_column=skip or "",
        skip_reason="proposition retirée par son auteur sur la plateforme",
    )


def _grand_debat(table: Table) -> Format | None:
    cols = table.columns
    questions = [c for c in cols if _QUESTION.match(c)]
    if not questions:
        return None
    m = Mapping()

    def put(name: str, col: str | None) -> None:
        if col:
            m.columns[name] = [col]
            m.origin[name] = "Grand Débat"

    put("cle", _first(cols, "reference", "id"))
    put("titre", _first(cols, "title", "titre"))
    put("date", _first(cols, "createdat", "publishedat", "created_at", "published_at"))
    put("code_postal", _first(cols, "authorzipcode", "zipcode", "code postal"))
    put("profil", _first(cols, "authortype"))
    m.columns["texte"] = questions
    m.origin["texte"] = "Grand Débat"
    for q in questions:
        match = _QUESTION.match(q)
        assert match is not None
        m.headings[q] = " ".join(match.group(2).split())
    return Format(
        "grand-debat",
        "export de contributions du Grand Débat (Cap Collectif)",
        "Grand Débat",
        "plateforme",
        m,
        skip_column=_first(cols, "trashed") or "",
        skip_reason="contribution mise à la corbeille sur la plateforme",
    )
