"""Generated titles that were copied from the training titles.

Greedy decoding and low temperatures often write a training title word for word; the page
marks such a title "copied from training". A bundle keeps what the check needs, small:
``titles.u64``, the sorted 64-bit BLAKE2b hashes of its training titles' token ids (8 bytes a
title, about 86 KB for AG News' 10,797; the titles themselves stay out of the bundle).
Comparing token ids, not text, makes the check the same for characters and words and blind
to spacing and case restoration.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .errors import ChargenError

TITLES_FILE = "titles.u64"
MAX_TITLES = 10_000_000  # 80 MB of hashes: more is a damaged file, not a corpus


def title_hash(ids) -> int:
    """The 64-bit hash of a title's token ids (without <bos> and <eos>)."""
    return int.from_bytes(hashlib.blake2b(np.asarray(ids, "<u4").tobytes(), digest_size=8).digest(), "little")


class TrainingTitles:
    """The set of training titles, as hashes: ``ids in titles``."""

    def __init__(self, hashes: np.ndarray):
        self.hashes = np.unique(np.asarray(hashes, np.uint64))  # sorted, for a binary search

    @classmethod
    def of(cls, vocab, titles) -> "TrainingTitles":
        return cls(np.array([title_hash(vocab.encode(title)) for title in titles], np.uint64))

    def __contains__(self, ids) -> bool:
        key = np.uint64(title_hash(ids))
        at = np.searchsorted(self.hashes, key)
        return bool(at < len(self.hashes) and self.hashes[at] == key)

    def __len__(self) -> int:
        return len(self.hashes)

    def save(self, path) -> None:
        self.hashes.astype("<u8").tofile(path)

    @classmethod
    def load(cls, path) -> "TrainingTitles":
        """Read ``titles.u64``; a file that cannot be one is a ChargenError naming it."""
        path = Path(path)
        try:
            size = path.stat().st_size
            if path.is_dir() or size % 8 or size > 8 * MAX_TITLES:
                raise ChargenError(f"{path}: not a valid training-titles file (8-byte hashes, at most {MAX_TITLES:,})")
            return cls(np.fromfile(path, "<u8"))
        except OSError as e:
            raise ChargenError(f"{path}: cannot read the training-titles file ({e.strerror or e})") from None
