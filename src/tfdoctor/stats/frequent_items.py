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

    def update(self, keys: np.ndarray, counts: np.ndarray, distinct: bool = False) -> None:
        """Add a batch: distinct or repeated keys, with their counts (`distinct`: each key
        once, which lets a large batch skip the sort)."""
        if not len(keys):
            return
        if distinct and len(keys) > 4 * CAPACITY:
            self._update_distinct(keys, np.asarray(counts, dtype=np.int64))
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

    def _update_distinct(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """`update` of a large batch of distinct keys, with the same result, in linear time:
        the cut is the (CAPACITY+1)-th largest merged count, found by a partition of the
        counts (the summary's keys looked up, not sorted with the batch's), and only the keys
        above it (CAPACITY at most) are sorted. A batch of a million distinct byte strings
        (video frames, sentences) sorted as Python objects took seconds."""
        held = dict(zip(self.keys.tolist(), self.counts.tolist()))
        if self.keys.dtype == object:
            hit = np.fromiter((k in held for k in keys.tolist()), dtype=bool, count=len(keys))
        else:
            hit = np.isin(keys, self.keys)
        merged = counts.copy()
        if hit.any():
            merged[hit] += np.asarray([held[k] for k in keys[hit].tolist()], dtype=np.int64)
            matched = set(keys[hit].tolist())
            held_keys = self.keys.tolist()
            rest = np.fromiter((k not in matched for k in held_keys), dtype=bool, count=len(held_keys))
        else:
            rest = np.ones(len(self.keys), dtype=bool)
        every = np.concatenate((merged, self.counts[rest]))  # more than CAPACITY: the batch alone is
        at = len(every) - CAPACITY - 1
        cut = int(np.partition(every, at)[at])
        keep_new, keep_old = merged > cut, self.counts[rest] > cut
        uniq = np.concatenate((keys[keep_new], self.keys[rest][keep_old]))
        kept = np.concatenate((merged[keep_new], self.counts[rest][keep_old])) - cut
        order = np.argsort(uniq, kind="stable")
        self.keys, self.counts = uniq[order], kept[order]
        self.offset += cut

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
