"""Personal data in versioned files: e-mail addresses and French phone numbers."""

from __future__ import annotations

import re

from ateliers_cli.errors import Diagnostic, error
from ateliers_cli.store.redaction import EMAIL, PHONE

_CANDIDATE = re.compile(r"[0-9+][0-9 .\-()]{8,}")


def _mask(value: str) -> str:
    return value[:3] + "…" if len(value) > 4 else "…"


# The institution's own contacts, which the law asks to publish (the site's host, its data
# protection officer: consultation.yaml's ``site_public``): not a person's data.
_INSTITUTIONAL = re.compile(r"[ \t]*(?:hebergeur_telephone|contact_donnees)[ \t]*:")


def _institutional(text: str, index: int) -> bool:
    start = text.rfind("\n", 0, index) + 1
    return _INSTITUTIONAL.match(text, start) is not None


def scan(text: str, rel: str, line_offset: int = 0) -> list[Diagnostic]:
    """Flag e-mail addresses and phone numbers; the value is masked in the message."""
    found: list[Diagnostic] = []
    pos, line = 0, 1 + line_offset

    def line_at(index: int) -> int:  # counted on from the last match: linear, not quadratic
        nonlocal pos, line
        line += text.count("\n", pos, index)
        pos = index
        return line

    if "@" in text:
        for m in EMAIL.finditer(text):
            if _institutional(text, m.start()):
                continue
            found.append(
                error(
                    rel,
                    line_at(m.start()),
                    f"adresse électronique dans un fichier versionné ({_mask(m.group())}) : "
                    "c'est une donnée personnelle",
                    "retirez-la ; les coordonnées des contributeurs vont dans prive/, jamais "
                    "dans les fichiers publiés",
                    "donnee-personnelle",
                )
            )
    pos, line = 0, 1 + line_offset
    for cand in _CANDIDATE.finditer(text):  # cheap first pass: runs of digits and separators
        # searched in place, so the look-arounds see the characters around the candidate
        phone = PHONE.search(text, cand.start(), min(len(text), cand.end() + 1))
        if phone is None or _institutional(text, phone.start()):
            continue
        found.append(
            error(
                rel,
                line_at(phone.start()),
                f"numéro de téléphone dans un fichier versionné ({_mask(phone.group())}) : "
                "c'est une donnée personnelle",
                "retirez-le ; les coordonnées des contributeurs vont dans prive/",
                "donnee-personnelle",
            )
        )
    return found
