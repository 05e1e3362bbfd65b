"""The statistics that replaced DataSketches (distinct values, frequent values) and the
table form of every batch: accuracy against the truth, and the same state however a batch
was cut, merged or pickled (the native core hands batches over as tables)."""

from __future__ import annotations

import math
import pickle
import random
from collections import Counter

import numpy as np
import pytest

from tfdoctor.stats.distinct import DistinctSketch
from tfdoctor.stats.families import NumericAccumulator, float_part, int_part
from tfdoctor.stats.frequent_items import CAPACITY, FrequentItems
from tfdoctor.stats.label_order import LabelOrderAccumulator
from tfdoctor.stats.quantiles import EXACT_DISTINCT, QuantileSketch


@pytest.mark.parametrize("n", [1, 2, 10, 1000, 20000, 300000])
def test_distinct_estimate_is_within_hll_error(n: int) -> None:
    """Linear counting keeps small counts all but exact; past that the relative error stays
    within 4 standard errors (1.04 / sqrt(4096) = 1.6% each)."""
    sketch = DistinctSketch()
    sketch.add_ints(np.arange(n, dtype=np.int64) * 7919 - 5)
    estimate = sketch.estimate()
    if n <= 10:
        assert round(estimate, 1) == n
    else:
        assert abs(estimate - n) / n < 4 * 0.0163


def test_distinct_counts_each_value_once_whatever_its_kind_form() -> None:
    """-0.0 is 0.0 and every NaN one value; ints, floats and bytes each hash their own way;
    merging and pickling give the registers of one sketch fed everything."""
    one = DistinctSketch()
    one.add_floats(np.array([0.0, -0.0, math.nan, float("nan"), 1.5]))
    assert round(one.estimate(), 1) == 3
    a, b, whole = DistinctSketch(), DistinctSketch(), DistinctSketch()
    values = [np.arange(5000, dtype=np.int64), np.arange(2500, 9000, dtype=np.int64)]
    a.add_ints(values[0])
    b.add_ints(values[1])
    for v in values:
        whole.add_ints(v)
    whole.add_bytes([b"x", b"y", b"x"])
    b.add_bytes([b"y", b"x"])
    merged = pickle.loads(pickle.dumps(a)).merge(pickle.loads(pickle.dumps(b)))
    assert np.array_equal(merged.registers, whole.registers)
    assert abs(merged.estimate() - 9002) < 9002 * 0.05


def test_frequent_items_exact_below_capacity() -> None:
    rng = random.Random(4)
    values = [rng.randrange(CAPACITY) for _ in range(20000)]
    items = FrequentItems(np.int64)
    for start in range(0, len(values), 3000):
        chunk = np.asarray(values[start : start + 3000], dtype=np.int64)
        uniq, counts = np.unique(chunk, return_counts=True)
        items.update(uniq, counts)
    truth = Counter(values)
    assert items.offset == 0
    assert items.top(5) == sorted(((str(k), c) for k, c in truth.items()), key=lambda t: (-t[1], t[0]))[:5]


def test_frequent_items_bounds_past_capacity() -> None:
    """Past the capacity: counts are lower bounds, short by at most `offset`, and
    `offset` <= n / (CAPACITY + 1); the heavy hitters are kept."""
    rng = random.Random(5)
    values = [rng.randrange(50) if rng.random() < 0.5 else rng.randrange(10**6) for _ in range(200000)]
    items, merged = FrequentItems(np.int64), FrequentItems(np.int64)
    parts = [FrequentItems(np.int64) for _ in range(4)]
    for k, start in enumerate(range(0, len(values), 4096)):
        uniq, counts = np.unique(np.asarray(values[start : start + 4096], dtype=np.int64), return_counts=True)
        items.update(uniq, counts)
        parts[k % 4].update(uniq, counts)
    for part in pickle.loads(pickle.dumps(parts)):
        merged.merge(part)
    truth = Counter(values)
    for summary in (items, merged):
        assert (
            0 < summary.offset <= len(values) / (CAPACITY + 1) * 2
        )  # one reduce per merge at most doubles it
        for key, count in zip(summary.keys.tolist(), summary.counts.tolist()):
            assert truth[key] - summary.offset <= count <= truth[key]
        top = dict(summary.top(50))
        assert set(top) == {str(k) for k in range(50)}


def test_quantile_table_update_is_the_raw_update() -> None:
    """Fed raw values or the same batches as tables, the sketch is the same: exact below
    EXACT_DISTINCT, then compacting (a batch enters as its table's binary levels)."""
    rng = np.random.default_rng(6)
    raw, tabled = QuantileSketch(), QuantileSketch()
    for size in (100, 500, 4000, 4000, 20000):
        batch = rng.integers(0, 3 * EXACT_DISTINCT, size).astype(np.float64)
        raw.update(batch)
        tabled.update_table(*np.unique(batch, return_counts=True))
        assert raw.quantiles([0.1, 0.5, 0.9]) == tabled.quantiles([0.1, 0.5, 0.9])
    assert not raw.exact and raw.n == tabled.n == 28600


def test_numeric_parts_fold_as_one_batch() -> None:
    """A batch cut into parts (as the native core and protobuf share one) folds to the same
    state as the whole batch: exact sums (rounded once, when extracted), tables merged."""
    rng = random.Random(7)
    floats = [
        rng.choice([0.1, -0.0, 1e30, math.nan, math.inf]) if rng.random() < 0.3 else rng.uniform(-9, 9)
        for _ in range(3000)
    ]
    ints = [rng.randrange(-(2**62), 2**62) if rng.random() < 0.3 else rng.randrange(10) for _ in range(3000)]
    whole, cut = NumericAccumulator(), NumericAccumulator()
    whole.add("float", floats)
    whole.add("int64", ints)
    for a, b in ((0, 700), (700, 2900), (2900, 3000)):
        cut.float_parts.append(float_part(np.asarray(floats[a:b], dtype=np.float64)))
        cut.int_parts.append(int_part(np.asarray(ints[a:b], dtype=np.int64)))
    assert whole.extract() == cut.extract()
    finite = [f for f in floats if math.isfinite(f)]
    total = math.fsum([*finite, *(float(i) for i in ints)])  # the exact sum of both kinds, rounded once
    stats = whole.extract()
    assert stats is not None and stats.mean == total / (len(finite) + len(ints))


def test_labels_in_batches_are_labels_one_by_one() -> None:
    """`add_many` (the native core's labels) leaves the same segments and classes as `add`
    per record: gaps in the indexes, two files, values whose text differs (0.0 and -0.0)."""
    rng = random.Random(8)
    one, many = LabelOrderAccumulator("label"), LabelOrderAccumulator("label")
    for file in ("a", "b"):
        index = 0
        for _ in range(30):
            n = rng.randint(1, 40)
            indices = np.arange(index, index + n, dtype=np.int64)
            values = np.asarray([rng.choice([0.0, -0.0, 1.0, 1.0, math.nan]) for _ in range(n)])
            for i, v in zip(indices.tolist(), values.tolist()):
                one.add(file, i, str(v))
            many.add_many(file, indices, values)
            index += n + rng.choice([0, 0, 1, 5])
    words = [b"cat", b"dog\x00", b"dog"]
    labels = [rng.choice(words) for _ in range(500)]
    for i, w in enumerate(labels):
        one.add("c", i, w.decode("latin-1"))
    many.add_many("c", np.arange(500, dtype=np.int64), labels)
    assert one.extract() == many.extract()
