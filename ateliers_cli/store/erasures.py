"""The erasure register, ``prive/effacements.csv``: who was erased, as keyed hashes only.

``ateliers erase`` adds, for each person erased, the keyed hash (:func:`.persons.keyed`)
of each thing that could bring them back: their identifiers (e-mail, phone, name and
commune), their public name, and the source identity of each erased record. Every
later import skips a row that matches any of them, and says so; ``check`` reads the
date of the last erasure to find outputs generated before it. Nothing in the file can
be read back into a name without the secret of the keys, which is not in the folder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ateliers_cli.importers.util import fold
from ateliers_cli.store import paths
from ateliers_cli.store.persons import identifiers, keyed
from ateliers_cli.store.private import PrivateCsv, read_dicts

COLUMNS = ("empreinte", "sorte", "date")
_WORD = re.compile(r"[^\W_]+")
#: The longest name searched for in an output, in words.
MAX_NAME_WORDS = 4
#: what a hash stands for: an identifier of the person, their public name, one of their records
#: (all three skipped by later imports), or a name, e-mail or phone only searched for in the
#: outputs (``trace``: the erasure of one contribution does not bar its author from the others)
KINDS = ("personne", "nom", "enregistrement", "trace")


def name_words(text: str) -> list[str]:
    """The words of a name or a text, folded, as names are compared."""
    return _WORD.findall(fold(text))


def public_name_hash(name: str) -> str:
    return keyed("nom:" + " ".join(name_words(name)))


def record_hash(identity: str) -> str:
    return keyed("enregistrement:" + identity)


@dataclass
class Tombstone:
    """The hashes of the erased, by kind, and the day of each."""

    hashes: dict[str, tuple[str, str]] = field(default_factory=dict)  # hash -> (kind, ISO date)

    @classmethod
    def read(cls, root: Path) -> Tombstone:
        t = cls()
        for row in read_dicts(root, paths.ERASURES):
            h = (row.get("empreinte") or "").strip()
            if h:
                t.hashes[h] = ((row.get("sorte") or "").strip(), (row.get("date") or "").strip())
        return t

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def add_person(
        self,
        details: Mapping[str, str],
        public_names: Iterable[str],
        records: Iterable[str],
        day: dt.date,
        *,
        whole_person: bool = True,
    ) -> None:
        """Remember an erased person (``whole_person``) or one erased contribution of theirs."""
        for ident in identifiers(details):
            self._put(keyed(ident), "personne" if whole_person else "trace", day)
        names = list(public_names)
        nom, prenom = (details.get("nom") or "").strip(), (details.get("prenom") or "").strip()
        if nom and prenom:
            names += [f"{prenom} {nom}", f"{nom} {prenom}"]
        for name in names:
            if name_words(name):
                self._put(public_name_hash(name), "nom" if whole_person else "trace", day)
        for identity in records:
            self._put(record_hash(identity), "enregistrement", day)

    def _put(self, h: str, kind: str, day: dt.date) -> None:
        known = self.hashes.get(h)
        if known is None or (known[0] == "trace" and kind != "trace"):
            self.hashes[h] = (kind, day.isoformat())

    def match(self, details: Mapping[str, str], public_name: str, records: Iterable[str]) -> str:
        """The date of the erasure this row belongs to ("" when it belongs to none)."""
        if not self.hashes:
            return ""
        if not any(kind != "trace" for kind, _ in self.hashes.values()):
            return ""
        candidates = [keyed(i) for i in identifiers(details)]
        if public_name.strip():
            candidates.append(public_name_hash(public_name))
        candidates += [record_hash(r) for r in records if r]
        for h in candidates:
            if h in self.hashes and self.hashes[h][0] != "trace":
                return self.hashes[h][1] or "?"
        return ""

    def to_bytes(self, original: bytes = b"") -> bytes:
        register = PrivateCsv.new(paths.ERASURES, COLUMNS)
        register.rows = [
            [h, kind, day] for h, (kind, day) in sorted(self.hashes.items(), key=lambda item: (item[1][1], item[0]))
        ]
        return register.to_bytes()

    def found_in(self, text: str) -> str:
        """The first thing of ``text`` that is an erased person's name, e-mail or phone ("" when none)."""
        from ateliers_cli.store.redaction import EMAIL, PHONE

        wanted = {h for h, (kind, _) in self.hashes.items() if kind != "enregistrement"}
        if not wanted:
            return ""
        if "@" in text:
            for m in EMAIL.finditer(text):
                if keyed("courriel:" + m.group().casefold()) in wanted:
                    return m.group()
        for m in PHONE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            digits = "0" + digits[-9:] if len(digits) > 10 else digits
            if keyed("telephone:" + digits) in wanted:
                return m.group()
        words = name_words(text)
        for i in range(len(words)):
            for n in range(1, MAX_NAME_WORDS + 1):
                if i + n > len(words):
                    break
                if keyed("nom:" + " ".join(words[i : i + n])) in wanted:
                    return " ".join(words[i : i + n])
        return ""

    @property
    def last(self) -> str:
        """The day of the latest erasure (ISO), "" when none."""
        return max((day for _, day in self.hashes.values()), default="")
