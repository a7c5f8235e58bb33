"""What personal data looks like in a text, and taking it out.

* :func:`redact` — on the way in (import, ``contributions add``): e-mail addresses and phone
  numbers leave a public text for ``prive/``;
* :func:`scrub` — on erasure: a given person's names, address, e-mail and phone leave a text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ateliers_cli.importers.util import fold

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 (0)6…
# Not inside a longer word or number: a commit id or a fingerprint is not a phone number.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\w)"
)

NAME_REMOVED = "[nom retiré]"
EMAIL_REMOVED = "[courriel retiré]"
PHONE_REMOVED = "[téléphone retiré]"
ADDRESS_REMOVED = "[adresse retirée]"

#: The public name the import gives a row without one (« Contributeur·rice Decidim C-0042 »,
#: before provenance: « … n°4521 »): not a person's name, never searched for.
PLACEHOLDER = re.compile(r"^Contributeur·rice .+ (?:C-[A-Z0-9-]+|n°\S+)$")


# --- on the way in -------------------------------------------------------------------------


@dataclass
class Redacted:
    text: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.emails or self.phones)


def redact(text: str) -> Redacted:
    """Take e-mail addresses and phone numbers out of a public text (they go to prive/)."""
    r = Redacted(text)
    if "@" in text:
        r.emails = EMAIL.findall(text)
        if r.emails:
            text = EMAIL.sub(EMAIL_REMOVED, text)
    phones = [m.group() for m in PHONE.finditer(text)]
    if phones:
        r.phones = phones
        text = PHONE.sub(PHONE_REMOVED, text)
    r.text = text
    return r


# --- on erasure ------------------------------------------------------------------------------


@dataclass
class Person:
    """Who a contribution's author is, from the private register and the public name."""

    nom: str = ""
    prenom: str = ""
    courriel: str = ""
    telephone: str = ""
    adresse: str = ""
    personne: str = ""  # the person's key in prive/ (store/persons.py)
    public: list[str] = field(default_factory=list)  # the public name, the organisation

    def names(self) -> list[str]:
        """Every spelling of the person's names to take out of a text, longest first."""
        found: list[str] = []
        if self.nom and self.prenom:
            found += [f"{self.prenom} {self.nom}", f"{self.nom} {self.prenom}"]
        found += [self.nom, self.prenom]
        for name in self.public:
            found.append(name)
            m = re.fullmatch(r"([^\W\d_][\w'’-]+)\s+[^\W\d_]\.?", name.strip())
            if m:  # « Jeanne M. »: the first name alone is also hers
                found.append(m.group(1))
        seen: dict[str, str] = {}
        for name in found:
            name = " ".join(name.split())
            if len(re.sub(r"\W", "", name)) >= 2 and fold(name) not in seen:
                seen[fold(name)] = name
        return sorted(seen.values(), key=len, reverse=True)


_VARIANTS = {"a": "aàâäáã", "e": "eéèêë", "i": "iîïíì", "o": "oôöóò", "u": "uùûüú", "c": "cç", "y": "yÿ", "n": "nñ"}


def name_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a whole word, whatever its case and accents, spaces and hyphens alike."""
    parts: list[str] = []
    for ch in name:
        base = fold(ch)
        if ch.isspace() or ch == "-":
            if not parts or parts[-1] != r"[\s\-]+":
                parts.append(r"[\s\-]+")
        elif ch in "'’":
            parts.append("['’]")
        elif base in _VARIANTS:
            parts.append(f"[{_VARIANTS[base]}]")
        else:
            parts.append(re.escape(ch))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def _digits_pattern(phone: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    return re.compile(r"(?<!\d)" + r"[\s.\-]?".join(digits) + r"(?!\d)")


@dataclass
class Scrubbed:
    text: str
    names: int = 0
    emails: int = 0
    phones: int = 0
    addresses: int = 0

    @property
    def count(self) -> int:
        return self.names + self.emails + self.phones + self.addresses


def scrub(text: str, person: Person) -> Scrubbed:
    """``text`` without the person's names, address, and without any e-mail address or phone number."""
    r = Scrubbed(text)
    if not text:
        return r
    if "@" in r.text:
        r.text, r.emails = EMAIL.subn(EMAIL_REMOVED, r.text)
    if person.courriel and person.courriel in r.text:
        r.emails += r.text.count(person.courriel)
        r.text = r.text.replace(person.courriel, EMAIL_REMOVED)
    r.text, r.phones = PHONE.subn(PHONE_REMOVED, r.text)
    own = _digits_pattern(person.telephone)
    if own is not None:
        r.text, n = own.subn(PHONE_REMOVED, r.text)
        r.phones += n
    if len(person.adresse) >= 8:
        r.text, r.addresses = name_pattern(person.adresse).subn(ADDRESS_REMOVED, r.text)
    for name in person.names():
        r.text, n = name_pattern(name).subn(NAME_REMOVED, r.text)
        r.names += n
    return r
