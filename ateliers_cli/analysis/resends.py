"""Resends in other words: the same person writing again what they had already sent.

Shingles (duplicates.py) find copies. But someone who resends « in case it did not arrive »
often writes it again rather than pasting it. Among the texts of one sender — the same
author's name and the same territory — a later text whose content words (Snowball stems,
accents folded, stop words out) are for the most part those of an earlier one is a probable
resend: the overlap coefficient ``|A ∩ B| / min(|A|, |B|)`` reaches :data:`THRESHOLD`
(it does not penalise a shorter resend). In the bundled example the five real resends score
0.62 to 1.0.

Left out: texts of fewer than :data:`MIN_WORDS` content words (two short texts share words
by chance), senders without a name, and senders with more than :data:`MAX_PER_SENDER`
texts (an organisation writing often: its pairs would grow as the square, and writing
often is not resending). The result does not depend on the input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .documents import DocInput, as_documents
from .duplicates import DuplicateGroup
from .text import tokens

__all__ = ["MAX_PER_SENDER", "MIN_WORDS", "THRESHOLD", "find_resends"]

THRESHOLD = 0.5
"""Share of the shorter text's content words found in the other."""
MIN_WORDS = 5
MAX_PER_SENDER = 50


def find_resends(
    docs: Sequence[DocInput],
    senders: Mapping[str, str],
    *,
    threshold: float = THRESHOLD,
    already: Iterable[Iterable[str]] = (),
) -> list[DuplicateGroup]:
    """Pairs (original, resend) of the same sender, as groups of kind ``renvoi``.

    ``senders`` maps a text's id to who sent it (texts absent or mapped to ``""`` are left
    out); ``already`` lists groups found otherwise (shingles): a pair inside one of them is
    not reported again. Each later text is paired with the earliest text it resends.
    """
    # Which of the ``already`` groups each text is in (by number: a set of its fellow members
    # per text would hold n² names for a group of n copies — 4.8 GB at 100,000 contributions).
    groups_of: dict[str, set[int]] = {}
    for number, group in enumerate(already):
        for m in set(group):
            groups_of.setdefault(m, set()).add(number)
    no_group: set[int] = set()
    by_sender: dict[str, list[tuple[str, str, str]]] = {}
    for doc in as_documents(docs):
        who = senders.get(doc.id, "")
        if who:
            by_sender.setdefault(who, []).append((doc.date or "9999", doc.id, doc.text))
    found: list[DuplicateGroup] = []
    for texts in by_sender.values():
        if not 2 <= len(texts) <= MAX_PER_SENDER:
            continue
        texts.sort()
        words = [set(tokens(text, fold=True)) for _, _, text in texts]
        for j in range(1, len(texts)):
            if len(words[j]) < MIN_WORDS:
                continue
            for i in range(j):
                if len(words[i]) < MIN_WORDS or not groups_of.get(texts[i][1], no_group).isdisjoint(
                    groups_of.get(texts[j][1], no_group)
                ):
                    continue
                score = len(words[i] & words[j]) / min(len(words[i]), len(words[j]))
                if score >= threshold:
                    original, resend = texts[i][1], texts[j][1]
                    found.append(
                        DuplicateGroup(
                            "renvoi", original, [original, resend], round(score, 3), {resend: round(score, 3)}
                        )
                    )
                    break
    found.sort(key=lambda g: (g.original, g.member_ids[1]))
    return found
