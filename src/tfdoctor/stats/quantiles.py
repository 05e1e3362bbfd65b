"""A deterministic, mergeable quantile sketch, so the same data gives the same report.

Apache DataSketches' KLL flips a coin at each compaction, seeded from the clock, with no way
to seed it from Python: the same file gave a binary label a median of 0 on one run and 1 on
the next. This sketch is:

- exact while it holds at most `EXACT_DISTINCT` distinct values (a sorted value/count table):
  labels, small ints, value counts per record, and any feature with few values get exact
  quantiles, which depend only on the multiset of values, whatever the order or merges;
- past that, a KLL compactor hierarchy (Karnin, Lang, Liberty 2016; capacities
  k * (2/3)^depth), fed each batch as its table of distinct values and counts (a value
  counted c times enters at level h for each bit h of c, as a merge does)
  whose compactions keep the even and the odd items of a sorted level in turn, per level,
  instead of at random. The result is a function of the values and of the sequence of
  updates and merges, which the engines fix (each file is one accumulator, merged in file
  order, in one process or a pool): byte-identical output on every run and for any
  `--workers`. The rank error is KLL's, about 1.5% at k=200 (alternation is not
  adversarially proven, a coin is; for statistics of a dataset it is what the coin gives).

Quantiles follow KLL's inclusive rule: the smallest value whose cumulative weight reaches q
of the total.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

EXACT_DISTINCT = 1024  # distinct values kept exactly before compaction starts
K = 200  # top-level capacity; ~1.5% rank error, ~3k values (~5 KB) retained at most
_MIN_CAPACITY = 8
_EMPTY = np.empty(0, dtype=np.float64)  # shared: arrays here are replaced, never written to
_NO_COUNTS = np.empty(0, dtype=np.int64)


class QuantileSketch:
    """Quantiles of a stream of finite numbers (NaN and infinities are the caller's to count)."""

    __slots__ = ("k", "n", "min", "max", "_values", "_counts", "_levels", "_flips")

    def __init__(self, k: int = K) -> None:
        self.k = k
        self.n = 0
        self.min = math.inf
        self.max = -math.inf
        # exact mode: sorted distinct values and their counts; None once compacting
        self._values: np.ndarray | None = _EMPTY
        self._counts: np.ndarray = _NO_COUNTS
        self._levels: list[np.ndarray] = []  # level h holds items of weight 2**h
        self._flips: list[int] = []  # per level: which of each pair the next compaction keeps

    # -- state ---------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return self.n == 0

    @property
    def exact(self) -> bool:
        return self._values is not None

    def retained(self) -> int:
        """Values held (distinct values, or items across the levels)."""
        return len(self._values) if self._values is not None else sum(len(level) for level in self._levels)

    def update(self, values: np.ndarray | Sequence[float]) -> None:
        arr = np.asarray(values, dtype=np.float64).ravel() + 0.0  # -0.0 -> 0.0: one zero
        if arr.size:
            self.update_table(*np.unique(arr, return_counts=True))

    def update_table(self, values: np.ndarray, counts: np.ndarray, ordered: bool = True) -> None:
        """Add a batch given as its distinct values (sorted unless `ordered` is False; -0.0 as
        0.0) and their counts. Unordered, a value may also come more than once (a wide list's
        sample: each sampled value with its weight), which past the exact table costs no sort.
        A batch enters as its own exact table would merge: a value counted c times sits at
        level h for each bit h of c. So the sketch depends only on each batch's multiset,
        however it was read, and a batch of n values costs O(distinct) to fold in."""
        if not len(values):
            return
        counts = counts.astype(np.int64, copy=False)
        self.n += int(counts.sum())
        self.min = min(self.min, float(values[0] if ordered else values.min()))
        self.max = max(self.max, float(values[-1] if ordered else values.max()))
        if self._values is not None:
            if not ordered:  # sorted and each value once, for the exact table
                values, inverse = np.unique(values, return_inverse=True)
                counts = np.bincount(inverse.ravel(), weights=counts, minlength=len(values)).astype(np.int64)
            self._add_exact(values, counts)
            return
        for h, items in enumerate(_binary_levels(values, counts)):
            if len(items):
                self._add_level(h, items)
        self._compress()

    def merge(self, other: QuantileSketch) -> QuantileSketch:
        if not other.n:
            return self
        self.n += other.n
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        if other._values is not None:
            if self._values is not None:
                self._add_exact(other._values, other._counts)
                return self
            levels = _binary_levels(other._values, other._counts)
            flips: list[int] = []
        else:
            self._leave_exact()
            levels, flips = other._levels, other._flips
        for h, items in enumerate(levels):
            self._add_level(h, items)
        for h, flip in enumerate(flips):
            self._flips[h] ^= flip
        self._compress()
        return self

    # -- queries -------------------------------------------------------------------------
    def quantiles(self, qs: Sequence[float]) -> list[float]:
        if not self.n:
            return []
        if self._values is not None:
            items, weights = self._values, self._counts
        else:
            items = np.concatenate(self._levels)
            weights = np.concatenate(
                [np.full(len(lv), 1 << h, dtype=np.int64) for h, lv in enumerate(self._levels)]
            )
            order = np.argsort(items, kind="stable")
            items, weights = items[order], weights[order]
        cumulative = np.cumsum(weights)
        ranks = np.asarray(qs, dtype=np.float64) * self.n
        indices = np.minimum(np.searchsorted(cumulative, ranks, side="left"), len(items) - 1)
        return [float(v) for v in items[indices]]

    # -- internals -----------------------------------------------------------------------
    def _add_exact(self, values: np.ndarray, counts: np.ndarray) -> None:
        assert self._values is not None
        if len(self._values):
            both = np.concatenate((self._values, values))
            uniq, inverse = np.unique(both, return_inverse=True)
            counts = np.bincount(inverse, weights=np.concatenate((self._counts, counts))).astype(np.int64)
            values = uniq
        self._values, self._counts = values, counts
        if len(values) > EXACT_DISTINCT:
            self._leave_exact()
            self._compress()

    def _leave_exact(self) -> None:
        """Turn the exact table into levels: a value counted c times sits at level h for each
        bit h of c (weights are powers of two), so no weight is lost."""
        if self._values is None:
            return
        levels = _binary_levels(self._values, self._counts)
        self._values = None
        self._counts = _NO_COUNTS
        for h, items in enumerate(levels):
            self._add_level(h, items)

    def _add_level(self, h: int, items: np.ndarray) -> None:
        while len(self._levels) <= h:
            self._levels.append(_EMPTY)
            self._flips.append(0)
        self._levels[h] = np.concatenate((self._levels[h], items)) if len(self._levels[h]) else items

    def _compress(self) -> None:
        """KLL's lazy compaction: while more items are held than all levels may hold, compact
        the lowest level past its capacity: sort it, keep one item of each pair (the even or
        the odd ones, alternately) at twice the weight one level up; an odd item out stays."""
        while self._levels:
            capacities, total = _capacities(self.k, len(self._levels))
            sizes = [len(level) for level in self._levels]
            if sum(sizes) <= total:
                return
            h = next(h for h, size in enumerate(sizes) if size > capacities[h])
            items = np.sort(self._levels[h])
            stay = len(items) % 2
            flip = self._flips[h]
            self._flips[h] ^= 1
            self._levels[h] = items[:stay].copy()
            self._add_level(h + 1, items[stay + flip :: 2].copy())


@functools.lru_cache(maxsize=256)
def _capacities(k: int, levels: int) -> tuple[tuple[int, ...], int]:
    """Each level's capacity (k * (2/3)**depth, at least _MIN_CAPACITY), and their sum."""
    caps = tuple(max(_MIN_CAPACITY, math.ceil(k * (2.0 / 3.0) ** (levels - 1 - h))) for h in range(levels))
    return caps, sum(caps)


def _binary_levels(values: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    if not len(counts):
        return []
    top = int(counts.max()).bit_length()
    if top == 1:  # every value once: all on level 0
        return [values]
    if counts[0] == 1 << (top - 1) and (counts == counts[0]).all():  # one weight (a wide sample)
        return [_EMPTY] * (top - 1) + [values]
    return [values[(counts >> h) & 1 == 1] for h in range(top)]
