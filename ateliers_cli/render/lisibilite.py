"""How easy a French text is to read: the Flesch score adapted to French by Kandel and Moles.

    lisibilite("Le Département aide les aidants. Il paie des jours de repos.")  # → Lisibilite(score=…, …)

    score = 207 − 1,015 × (mots par phrase) − 73,6 × (syllabes par mot)

100 and over: very easy; 70 to 80: easy (the aim of a « facile à lire et à comprendre » text);
under 50: hard. Syllables come from pyphen (LibreOffice's French hyphenation patterns), the
number of hyphenation points plus one: an approximation, as every tool of this kind makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE_END = re.compile(r"[.!?…]+(?:\s|$)|\n\s*\n|\n\s*[-*+]\s")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]+(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿŒœ]+)*|\d+")
_MARKUP = re.compile(r"[#*_>`\[\]()]")

#: at or above this score a text reads easily (« facile à lire »)
FACILE = 70.0


@dataclass(frozen=True)
class Lisibilite:
    score: float
    phrases: int
    mots: int
    syllabes: int
    phrase_la_plus_longue: str

    @property
    def appreciation(self) -> str:
        if self.score >= 80:
            return "très facile"
        if self.score >= FACILE:
            return "facile"
        if self.score >= 50:
            return "assez difficile"
        return "difficile"


@lru_cache(maxsize=1)
def _dictionary():  # type: ignore[no-untyped-def]
    import pyphen

    return pyphen.Pyphen(lang="fr_FR")


def _syllables(word: str) -> int:
    if word.isdigit():
        return max(1, len(word))  # a number is read digit group by digit group: roughly
    return max(1, len(_dictionary().positions(word.lower())) + 1)


def lisibilite(text: str) -> Lisibilite:
    """The readability of ``text`` (Markdown marks are ignored)."""
    plain = _MARKUP.sub(" ", text)
    sentences = [s.strip() for s in _SENTENCE_END.split(plain) if s and _WORD.search(s)]
    words = [w for s in sentences for w in _WORD.findall(s)]
    if not words:
        return Lisibilite(0.0, 0, 0, 0, "")
    syllables = sum(_syllables(w) for w in words)
    score = 207 - 1.015 * (len(words) / len(sentences)) - 73.6 * (syllables / len(words))
    longest = max(sentences, key=lambda s: len(_WORD.findall(s)))
    return Lisibilite(round(score, 1), len(sentences), len(words), syllables, " ".join(longest.split()))
