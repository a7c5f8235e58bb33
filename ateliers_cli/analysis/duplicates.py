"""Near-duplicates and copy-paste campaigns.

Texts are compared by the Jaccard similarity of their word 3-grams (« shingles »)
after normalisation: lower case, accents removed, Markdown and punctuation gone,
elisions split; no stemming and stop words kept, since a copy keeps them too.

To avoid comparing every pair among 100,000 texts:

1. Texts whose normalised words are identical form one class straight away
   (similarity 1); only one text per class goes further.
2. Each remaining text gets a MinHash signature of :data:`NUM_BINS` values. It is
   computed in one pass over the shingles with *one-permutation hashing* (each
   shingle's 64-bit hash picks a bin and the bin keeps its smallest value) and
   *optimal densification* for empty bins (Li, Owen & Zhang 2012; Shrivastava
   2017): two signatures agree on a bin with probability equal to the Jaccard
   similarity, as with 128 independent permutations, at the cost of one.
3. LSH banding: signatures are cut into ``b`` bands of ``r`` values; texts that
   agree on a whole band become candidates. ``r`` is the largest that still
   finds a pair at the threshold with 99 % probability (for 0.8: 21 bands of 6).
4. Candidates are verified with their exact Jaccard similarity, and pairs above
   the threshold are merged with a union-find.

Texts shorter than ``min_tokens`` words are only matched when identical after
normalisation. Hashes are BLAKE2b, never Python's ``hash()``, and the texts are
processed sorted by id, so the result does not depend on the run or on the
input order.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .documents import DocInput, Document, as_documents
from .text import fold_accents, words

__all__ = ["NUM_BINS", "DuplicateGroup", "find_duplicates"]

NUM_BINS = 128
"""Length of a MinHash signature."""

_M64 = (1 << 64) - 1
_BIN_SHIFT = 64 - 7  # the top 7 bits pick one of the 128 bins
_LOW = (1 << _BIN_SHIFT) - 1
_EMPTY = 1 << 63
_P1 = 0x9E3779B97F4A7C15
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_SMALL_BUCKET = 40
_MAX_LEADERS = 40

# Probe sequence of optimal densification: for an empty bin, the bins to borrow from.
_rng = random.Random("ateliers-densification")
_PROBES: tuple[tuple[int, ...], ...] = tuple(
    tuple(_rng.randrange(NUM_BINS) for _ in range(64)) for _ in range(NUM_BINS)
)
del _rng

_WORD_HASHES: dict[str, int] = {}


@dataclass
class DuplicateGroup:
    """Texts that are (near) copies of one another."""

    kind: Literal["doublon", "campagne", "renvoi"]
    """``doublon``: two texts, or texts all from the same author (a resubmission);
    ``campagne``: three texts or more from different authors (a copy-paste campaign);
    ``renvoi``: the same sender writing again in other words (resends.py)."""
    original: str
    """The earliest text (by date when known, then by id)."""
    member_ids: list[str] = field(default_factory=list)
    """All the texts, sorted by date (when known) then id; the original first."""
    similarity: float = 1.0
    """The lowest Jaccard similarity between the original and another member."""
    similarities: dict[str, float] = field(default_factory=dict)
    """Jaccard similarity of each other member to the original."""

    @property
    def duplicate_ids(self) -> list[str]:
        """The members other than the original (those to mark ``doublon_de``)."""
        return self.member_ids[1:]

    @property
    def size(self) -> int:
        """Number of texts in the group."""
        return len(self.member_ids)


def _word_hash(word: str) -> int:
    h = _WORD_HASHES.get(word)
    if h is None:
        h = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
        if len(_WORD_HASHES) > 1_000_000:
            _WORD_HASHES.clear()
        _WORD_HASHES[word] = h
    return h


def _shingles(word_list: Sequence[str], size: int) -> set[int]:
    """64-bit hashes of the ``size``-word shingles (position-sensitive combination)."""
    hashes = [_word_hash(w) for w in word_list]
    if size == 3:
        return {
            ((a * _P1) ^ (b * _P2) ^ (c * _P3)) & _M64 for a, b, c in zip(hashes, hashes[1:], hashes[2:], strict=False)
        }
    result: set[int] = set()
    for start in range(len(hashes) - size + 1):
        h = 0
        for x in hashes[start : start + size]:
            h = ((h ^ x) * _P1 + _P2) & _M64
        result.add(h)
    return result


def _signature(shingles: set[int]) -> list[int]:
    """One-permutation MinHash with optimal densification."""
    bins = [_EMPTY] * NUM_BINS
    for h in shingles:
        b = h >> _BIN_SHIFT
        v = h & _LOW
        if v < bins[b]:  # noqa: PLR1730 - a call to min() costs more in this hot loop
            bins[b] = v
    signature = list(bins)
    for b in range(NUM_BINS):
        if bins[b] == _EMPTY:
            for probe in _PROBES[b]:
                if bins[probe] != _EMPTY:
                    signature[b] = bins[probe]
                    break
            else:  # very sparse signature: borrow from the next filled bin
                for step in range(1, NUM_BINS):
                    probe = (b + step) % NUM_BINS
                    if bins[probe] != _EMPTY:
                        signature[b] = bins[probe]
                        break
    return signature


def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows): the most selective banding that still finds a pair at the threshold."""
    rows = 1
    for r in range(1, NUM_BINS + 1):
        b = NUM_BINS // r
        if 1.0 - (1.0 - threshold**r) ** b >= 0.99:
            rows = r
    return NUM_BINS // rows, rows


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            # The smaller index stays root: the structure does not depend on call order.
            if rj < ri:
                ri, rj = rj, ri
            self.parent[rj] = ri


def _jaccard(a: array[int], b: array[int]) -> float:
    if a is b:
        return 1.0
    inter = len(set(a).intersection(b))
    union = len(a) + len(b) - inter
    return inter / union if union else 1.0


def author_key(author: str | None) -> str:
    if not author:
        return ""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold_accents(author.lower())).split())


GLUE_MIN_COUNT = 2
"""A word used once is split again into two words used elsewhere, one of them at least this often."""


def _unglue(word_list: list[str], counts: Counter[str]) -> list[str]:
    """Split the words used once that are two known words glued together (« entoute » → « en »,
    « toute »), the split whose rarer half is the most used winning."""
    result: list[str] | None = None
    for n, w in enumerate(word_list):
        if counts[w] > 1 or len(w) < 5 or not w.isalpha():
            if result is not None:
                result.append(w)
            continue
        best: tuple[tuple[int, int], int] | None = None
        for k in range(2, len(w) - 1):
            a, b = counts.get(w[:k], 0), counts.get(w[k:], 0)
            score = (min(a, b), max(a, b))
            if score[0] >= 1 and score[1] >= GLUE_MIN_COUNT and (best is None or score > best[0]):
                best = (score, k)
        if best is None:
            if result is not None:
                result.append(w)
            continue
        if result is None:
            result = word_list[:n]
        result += [w[: best[1]], w[best[1] :]]
    return word_list if result is None else result


def _title_and_text(doc: Document) -> str:
    return f"{doc.title}\n\n{doc.text}" if doc.title else doc.text


def _sort_key(doc: Document) -> tuple[bool, str, str]:
    return (doc.date is None, doc.date or "", doc.id)


def find_duplicates(
    docs: Sequence[DocInput],
    threshold: float = 0.8,
    *,
    min_tokens: int = 8,
    shingle_size: int = 3,
    progress: Callable[[int, int], None] | None = None,
) -> list[DuplicateGroup]:
    """Find groups of texts whose word shingles overlap by at least ``threshold`` (Jaccard).

    ``docs`` may carry an author and a date (see :data:`~.documents.DocInput`).
    Texts with fewer than ``min_tokens`` words are grouped only when identical
    once normalised; empty texts never are. Groups are sorted by decreasing
    size, then by their original. ``progress(done, total)``, when given, is
    called now and then: one step per text, then one per LSH band.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("le seuil de similarité doit être compris entre 0 (exclu) et 1")
    documents = sorted(as_documents(docs), key=lambda d: (d.id, d.text, d.author or "", d.date or ""))

    # 1. Classes of identical normalised texts; 2. shingles and band keys of the
    # first text of each class, when long enough to be compared.
    n_bands, rows = _bands(threshold)
    width = rows * 8
    class_of: dict[bytes, int] = {}
    classes: list[list[int]] = []
    shingle_sets: dict[int, array[int]] = {}
    lsh_classes: list[int] = []
    band_keys = [array("Q") for _ in range(n_bands)]
    total = len(documents) + n_bands
    # Title and text: two copies of one proposal share their title too. Words glued by a lost
    # line break (« etinapproprié ») are split again with the consultation's own vocabulary.
    # Two passes (count, then compare) rather than every text's words kept: memory stays flat.
    counts: Counter[str] = Counter()
    for doc in documents:
        counts.update(words(_title_and_text(doc), fold=True))
    for i, doc in enumerate(documents):
        if progress is not None and i % 500 == 0:
            progress(i, total)
        word_list = _unglue(words(_title_and_text(doc), fold=True), counts)
        if not word_list:
            continue
        digest = hashlib.blake2b("\x1f".join(word_list).encode("utf-8"), digest_size=16).digest()
        c = class_of.get(digest)
        if c is not None:
            classes[c].append(i)
            continue
        c = class_of[digest] = len(classes)
        classes.append([i])
        if len(word_list) < max(min_tokens, shingle_size):
            continue
        shingles = _shingles(word_list, shingle_size)
        shingle_sets[c] = array("Q", sorted(shingles))
        raw = array("Q", _signature(shingles)).tobytes()
        for band in range(n_bands):
            chunk = raw[band * width : (band + 1) * width]
            band_keys[band].append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little"))
        lsh_classes.append(c)
    del class_of

    # 3-4. Candidates from the bands, verified, merged.
    uf = _UnionFind(len(classes))
    rejected: set[int] = set()  # pairs already found too different, as x * n + y with x < y
    n_classes = len(classes)

    def similar(x: int, y: int) -> bool:
        pair = x * n_classes + y if x < y else y * n_classes + x
        if pair in rejected:
            return False
        if _jaccard(shingle_sets[x], shingle_sets[y]) >= threshold:
            return True
        rejected.add(pair)
        return False

    for band, keys in enumerate(band_keys):
        if progress is not None:
            progress(len(documents) + band, total)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and keys[order[end]] == keys[order[start]]:
                end += 1
            if end - start > 1:
                bucket = sorted(lsh_classes[p] for p in order[start:end])
                _merge_bucket(bucket, uf, similar)
            start = end

    # Groups of classes -> groups of texts.
    components: dict[int, list[int]] = {}
    for c in range(len(classes)):
        components.setdefault(uf.find(c), []).append(c)
    keyed: list[tuple[int, tuple[bool, str, str], DuplicateGroup]] = []
    for class_list in components.values():
        members = [(i, c) for c in class_list for i in classes[c]]
        if len(members) < 2:
            continue
        members.sort(key=lambda m: _sort_key(documents[m[0]]))
        first, first_class = members[0]
        similarities: dict[str, float] = {}
        for i, c in members[1:]:
            if c == first_class:
                similarities[documents[i].id] = 1.0
            else:
                similarities[documents[i].id] = round(_jaccard(shingle_sets[first_class], shingle_sets[c]), 4)
        authors = {author_key(documents[i].author) for i, _ in members}
        same_author = len(authors) == 1 and "" not in authors
        group = DuplicateGroup(
            kind="doublon" if len(members) == 2 or same_author else "campagne",
            original=documents[first].id,
            member_ids=[documents[i].id for i, _ in members],
            similarity=min(similarities.values()),
            similarities=similarities,
        )
        keyed.append((-group.size, _sort_key(documents[first]), group))
    keyed.sort(key=lambda item: (item[0], item[1]))
    if progress is not None:
        progress(total, total)
    return [group for _, _, group in keyed]


def _merge_bucket(bucket: list[int], uf: _UnionFind, similar: Callable[[int, int], bool]) -> None:
    """Union the members of one LSH bucket that are similar enough.

    Small buckets are checked pair by pair. A large bucket (a campaign of
    thousands of copies) is checked against a few « leaders » instead, so that
    its cost stays linear.
    """
    if len(bucket) <= _SMALL_BUCKET:
        for a_pos, x in enumerate(bucket):
            for y in bucket[a_pos + 1 :]:
                if uf.find(x) != uf.find(y) and similar(x, y):
                    uf.union(x, y)
        return
    leaders: list[int] = []
    for x in bucket:
        for leader in leaders:
            if uf.find(x) == uf.find(leader):
                break
            if similar(x, leader):
                uf.union(x, leader)
                break
        else:
            if len(leaders) < _MAX_LEADERS:
                leaders.append(x)
