"""`FrequentItems.update(..., distinct=True)` on a large batch (no sort of the batch) leaves
exactly the summary the sort-based update leaves: the same keys, counts and offset, batch
after batch, with ties at the cut, keys already held, int and text keys."""

from __future__ import annotations

import numpy as np
import pytest

from tfdoctor.stats.frequent_items import CAPACITY, FrequentItems


def reference_update(summary: FrequentItems, keys: np.ndarray, counts: np.ndarray) -> None:
    """The Misra-Gries merge as the module's general path does it: sort everything, add up
    equal keys, subtract the (CAPACITY+1)-th largest count, keep what stays above zero."""
    keys = np.concatenate((summary.keys, keys))
    counts = np.concatenate((summary.counts, np.asarray(counts, dtype=np.int64)))
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    uniq, counts = keys[starts], np.add.reduceat(counts, starts)
    if len(uniq) > CAPACITY:
        cut = int(np.sort(counts)[len(counts) - CAPACITY - 1])
        kept = counts - cut > 0
        uniq, counts = uniq[kept], counts[kept] - cut
        summary.offset += cut
    summary.keys, summary.counts = uniq, counts


@pytest.mark.parametrize("text", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_the_linear_update_is_the_sorting_one(seed: int, text: bool) -> None:
    rng = np.random.default_rng(seed)
    kind = object if text else np.int64
    fast, general, slow = FrequentItems(kind), FrequentItems(kind), FrequentItems(kind)
    fast_path_runs = 0
    for _ in range(8):
        size = int(rng.choice([50, 900, 4 * CAPACITY + 1, 6000, 12000]))
        universe = int(rng.choice([size, 2 * size, 30000]))
        keys = rng.choice(universe, size=size, replace=False)
        # small counts: many ties at the cut; now and then a heavy key
        counts = rng.choice([1, 1, 1, 2, 3, 50], size=size).astype(np.int64)
        batch = np.array([f"v{k}" for k in keys.tolist()], dtype=object) if text else keys.astype(np.int64)
        fast.update(batch, counts, distinct=True)
        general.update(batch, counts)
        reference_update(slow, batch, counts)
        fast_path_runs += size > 4 * CAPACITY
        for summary in (fast, general):
            assert summary.keys.tolist() == slow.keys.tolist()
            assert summary.counts.tolist() == slow.counts.tolist() and summary.offset == slow.offset
    assert fast_path_runs and len(fast.keys) <= CAPACITY
