"""The most frequent values: a Misra-Gries summary kept in NumPy arrays.

Exact while it holds at most `CAPACITY` distinct values. Past that, each update merges the
batch's counts in and, if more than CAPACITY values remain, subtracts the (CAPACITY+1)-th
largest count from all and drops those at or below zero: the mergeable summary of Agarwal et
al. (2012). A kept count is then a lower bound, short by at most `offset` (the total
subtracted, itself at most n / (CAPACITY + 1)).

Why not DataSketches' frequent-items sketch (used before): one Python call per distinct value
and batch (about 280 ns each, measured), which on token ids was most of the scan. Here a
batch is one `np.unique`; updates depend only on the multiset of each batch, so the native and
the pure-Python paths, which hand over the same batches, give the same summary.
"""

from __future__ import annotations

from typing import Any

import numpy as np

CAPACITY = 1024


class FrequentItems:
    __slots__ = ("keys", "counts", "offset")

    def __init__(self, dtype: Any) -> None:
        self.keys: np.ndarray = np.empty(0, dtype=dtype)  # int64, or object (str keys)
        self.counts: np.ndarray = np.empty(0, dtype=np.int64)
        self.offset = 0

    def update(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Add a batch: distinct or repeated keys, with their counts."""
        if not len(keys):
            return
        if len(self.keys):
            keys = np.concatenate((self.keys, keys))
            counts = np.concatenate((self.counts, counts))
        # a stable sort merges two sorted runs (the summary's keys and a sorted batch) in
        # linear time, where np.unique would sort them afresh
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], np.asarray(counts, dtype=np.int64)[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        uniq = keys[starts]
        counts = np.add.reduceat(counts, starts) if len(starts) < len(keys) else counts
        if len(uniq) > CAPACITY:
            cut = int(np.partition(counts, len(counts) - CAPACITY - 1)[len(counts) - CAPACITY - 1])
            counts = counts - cut
            kept = counts > 0
            uniq, counts = uniq[kept], counts[kept]
            self.offset += cut
        self.keys, self.counts = uniq, counts

    def merge(self, other: FrequentItems) -> FrequentItems:
        self.offset += other.offset
        self.update(other.keys, other.counts)
        return self

    def top(self, limit: int) -> list[tuple[str, int]]:
        """The `limit` most frequent (key as text, count), ties by the text."""
        if not len(self.counts):
            return []
        if len(self.counts) > limit:
            floor = np.partition(self.counts, len(self.counts) - limit)[len(self.counts) - limit]
            picked = np.nonzero(self.counts >= floor)[0]
        else:
            picked = np.arange(len(self.counts))
        items = [(str(k), int(c)) for k, c in zip(self.keys[picked].tolist(), self.counts[picked].tolist())]
        items.sort(key=lambda t: (-t[1], t[0]))
        return items[:limit]

    def __getstate__(self) -> tuple[np.ndarray, np.ndarray, int]:
        return (self.keys, self.counts, self.offset)

    def __setstate__(self, state: tuple[np.ndarray, np.ndarray, int]) -> None:
        self.keys, self.counts, self.offset = state
