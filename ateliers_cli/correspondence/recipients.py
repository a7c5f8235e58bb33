"""Who can be written to, and how: the people of ``prive/``, their consent, their channel.

People come from the two private registers: ``prive/contributeurs.csv`` (one row per
contribution) and ``prive/inscriptions.csv`` (one row per registration). A recipient is a
person of :mod:`ateliers_cli.store.persons`: the key in the register's ``personne`` column
(the same e-mail, phone, or name and commune give the same key), with all their contributions
and registrations. The send log records that key, never an address.

Consent: a ``contact`` column (« oui » / « non »). A « non », or an address listed in
``prive/courrier/refus.csv`` (``ateliers courrier refus ADRESSE``), excludes the person from
every message. A message about one's own registration (its confirmation, a place freed) is
sent unless refused — the registration form promises it; every other message needs a
« oui ». An erased contribution (``efface:``) is never a reason to write to anyone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ateliers_cli.importers.mapping import consent
from ateliers_cli.importers.util import fold
from ateliers_cli.inscriptions import Registration, read_existing
from ateliers_cli.model import Consultation

REFUSALS_PATH = "prive/courrier/refus.csv"

#: Channels by which a contribution came on paper or by voice: answered by letter.
PAPER_CHANNELS = frozenset({"courrier", "telephone", "reunion"})

_MOBILE = re.compile(r"^(?:\+33|0033|0)\s*[67](?:[\s.-]*\d{2}){4}$")


class Channel(StrEnum):
    COURRIEL = "courriel"
    LETTRE = "lettre"
    SMS = "sms"
    AUCUN = "aucun"


CHANNEL_LABELS = {
    Channel.COURRIEL: "courriels",
    Channel.LETTRE: "lettres",
    Channel.SMS: "SMS",
    Channel.AUCUN: "sans moyen de contact",
}


def normalise_phone(phone: str) -> str:
    """« 06 12 34 56 78 » → « +33612345678 » (the form SMS tools expect); other numbers as digits."""
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("0033"):
        digits = "+33" + digits[4:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = "+33" + digits[1:]
    return digits


@dataclass
class Person:
    """One recipient: their details, consent, contributions and registrations."""

    key: str  # the person's key (pers-…, store/persons.py): what the send log records, never an address
    former_key: str = ""  # the key logs written before person keys recorded (an unkeyed hash of the identity)
    nom: str = ""
    prenom: str = ""
    courriel: str = ""
    telephone: str = ""
    adresse: str = ""
    code_postal: str = ""
    commune: str = ""
    contact: bool | None = None  # True: agreed; False: refused; None: not asked
    contributions: list[str] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    paper: bool = False  # wrote on paper or by voice

    @property
    def display(self) -> str:
        return (
            " ".join(x for x in (self.prenom, self.nom) if x) or self.courriel or self.telephone or "Madame, Monsieur"
        )

    @property
    def greeting(self) -> str:
        name = " ".join(x for x in (self.prenom, self.nom) if x)
        return f"Bonjour {name}," if name else "Madame, Monsieur,"

    @property
    def postal_ready(self) -> bool:
        return bool(self.adresse and self.code_postal and self.commune)

    @property
    def mobile(self) -> bool:
        return bool(self.telephone and _MOBILE.match(self.telephone.strip()))

    def channel(self) -> Channel:
        """Letter for those who wrote on paper or have no e-mail; else e-mail; else SMS."""
        if self.paper and self.postal_ready:
            return Channel.LETTRE
        if self.courriel:
            return Channel.COURRIEL
        if self.postal_ready:
            return Channel.LETTRE
        if self.mobile:
            return Channel.SMS
        return Channel.AUCUN


def _identity(courriel: str, telephone: str, nom: str, prenom: str, adresse: str) -> str:
    if courriel.strip():
        return "courriel:" + fold(courriel.strip())
    if telephone.strip():
        return "tel:" + normalise_phone(telephone)
    return "nom:" + "|".join(fold(x) for x in (nom, prenom, adresse))


def former_key(identity: str) -> str:
    """The key a send log written before person keys held: a message it lists is not sent again."""
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def _read_csv(root: Path, rel: str) -> list[dict[str, str]]:
    from ateliers_cli.store.private import read_dicts

    return read_dicts(root, rel)


def refusals(root: Path) -> set[str]:
    """The addresses and phones of people who asked not to be written to (folded)."""
    out: set[str] = set()
    for row in _read_csv(root, REFUSALS_PATH):
        value = (row.get("adresse") or "").strip()
        if value:
            out.add(fold(value) if "@" in value else normalise_phone(value))
    return out


@dataclass
class People:
    """Everyone in ``prive/``, and who was left out and why (for the dry run)."""

    people: list[Person]
    refused: int = 0  # a « non », or in the refusals list
    erased: int = 0  # rows of erased contributions: never written to


def _refused(p: Person, refused: set[str]) -> bool:
    return (
        p.contact is False
        or fold(p.courriel) in refused
        or (bool(p.telephone) and normalise_phone(p.telephone) in refused)
    )


def load_people(c: Consultation) -> People:
    """Every person of ``prive/``, merged by identity, those who refused apart."""
    from ateliers_cli.store.paths import CONTRIBUTORS as PRIVATE_PATH
    from ateliers_cli.store.persons import PersonIndex

    by_key: dict[str, Person] = {}
    erased = 0
    erased_keys: set[str] = set()
    index = PersonIndex()  # rows without a key (a register from before keys) join the person of the same details

    def key_of(row_key: str, details: dict[str, str], fallback: str) -> str:
        if row_key:
            index.add(row_key, details)
            return row_key
        return index.key(details, fallback=fallback)

    def person(key: str, details: dict[str, str]) -> Person:
        p = by_key.get(key)
        if p is None:
            ident = _identity(*(details.get(k, "") for k in ("courriel", "telephone", "nom", "prenom", "adresse")))
            p = by_key[key] = Person(key, former_key=former_key(ident))
        return p

    for row in _read_csv(c.root, PRIVATE_PATH):
        cid = (row.get("id") or "").strip()
        ct = c.contributions.get(cid)
        if ct is None:
            continue
        get = row.get
        key = key_of((get("personne") or "").strip(), row, f"contribution:{cid}")
        if ct.efface is not None:  # the person asked to be forgotten: none of their rows counts
            erased += 1
            erased_keys.add(key)
            continue
        p = person(key, row)
        for name in ("nom", "prenom", "courriel", "telephone", "adresse", "code_postal", "commune"):
            if not getattr(p, name) and get(name):
                setattr(p, name, (get(name) or "").strip())
        said = consent(get("contact", "")) if get("contact") else None
        if said is False or p.contact is False:
            p.contact = False
        elif said:
            p.contact = True
        p.contributions.append(cid)
        p.paper = p.paper or ct.canal in PAPER_CHANNELS
    for r in read_existing(c.root):
        details = {"courriel": r.courriel, "telephone": r.telephone, "nom": r.nom, "prenom": r.prenom,
                   "commune": r.commune}
        p = person(key_of(r.personne, details, f"inscription:{r.source}#{r.cle}"), details)
        for name in ("nom", "prenom", "courriel", "telephone", "commune"):
            if not getattr(p, name) and getattr(r, name):
                setattr(p, name, getattr(r, name))
        if r.contact_refused or p.contact is False:
            p.contact = False
        elif r.contact_given:
            p.contact = True
        p.registrations.append(r)
    for key in erased_keys:
        by_key.pop(key, None)
    refused = refusals(c.root)
    kept = [p for p in by_key.values() if not _refused(p, refused)]
    return People(sorted(kept, key=lambda p: p.key), refused=len(by_key) - len(kept), erased=erased)


def add_refusal(root: Path, value: str) -> bool:
    """Add an address or phone to the refusals list; False when it was there already."""
    from ateliers_cli.errors import UsageError
    from ateliers_cli.fsutil import write_all

    value = value.strip()
    if not value or ("@" not in value and len(re.sub(r"\D", "", value)) < 9):
        raise UsageError(
            f"« {value} » n'est ni une adresse électronique ni un numéro de téléphone",
            hint="par exemple : ateliers courrier refus jeanne@example.org",
        )
    rows = _read_csv(root, REFUSALS_PATH)
    if (fold(value) if "@" in value else normalise_phone(value)) in refusals(root):
        return False
    from ateliers_cli.clock import now

    rows.append({"adresse": value, "date": now().date().isoformat()})
    from ateliers_cli.store.private import dict_rows_bytes

    write_all(root, {REFUSALS_PATH: dict_rows_bytes(("adresse", "date"), rows)})
    return True
