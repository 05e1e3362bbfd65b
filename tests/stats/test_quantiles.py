"""The deterministic quantile sketch (issue 15, item 7): exact while few distinct values, KLL's
rank error past that, and the same bytes for the same data, sequence of updates and merges."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from tfdoctor.stats.quantiles import EXACT_DISTINCT, QuantileSketch

QS = (0.01, 0.25, 0.5, 0.75, 0.99)


def rank_errors(sketch: QuantileSketch, data: np.ndarray) -> list[float]:
    ordered = np.sort(data)
    return [
        abs(np.searchsorted(ordered, v, "right") / len(ordered) - q) for q, v in zip(QS, sketch.quantiles(QS))
    ]


def weight(sketch: QuantileSketch) -> int:
    if sketch.exact:
        return int(sketch._counts.sum())
    return sum(len(level) << h for h, level in enumerate(sketch._levels))


def fed(chunks: list[np.ndarray]) -> QuantileSketch:
    sketch = QuantileSketch()
    for chunk in chunks:
        sketch.update(chunk)
    return sketch


def test_exact_below_the_distinct_cap_whatever_the_order_or_merges() -> None:
    rng = np.random.default_rng(1)
    data = rng.integers(0, EXACT_DISTINCT, 50_000).astype(np.float64)
    one = fed([data])
    parts = [fed(np.array_split(rng.permutation(part), 7)) for part in np.array_split(data, 5)]
    merged = QuantileSketch()
    for part in reversed(parts):
        merged.merge(part)
    assert one.exact and merged.exact
    truth = [float(np.sort(data)[int(np.ceil(q * len(data))) - 1]) for q in QS]  # inclusive rule
    assert one.quantiles(QS) == merged.quantiles(QS) == truth
    assert pickle.dumps(one) == pickle.dumps(merged)


def test_a_binary_label_has_one_median() -> None:
    """The case that changed from run to run with DataSketches' KLL: 0 on one run, 1 the next."""
    labels = np.array([0, 1] * 10_000 + [1], dtype=np.float64)
    assert fed(np.array_split(labels, 9)).quantiles([0.5]) == [1.0]
    assert fed([labels[:-1]]).quantiles([0.5]) == [0.0]


@pytest.mark.parametrize("split", [1, 4, 400])
def test_rank_error_past_the_cap(split: int) -> None:
    rng = np.random.default_rng(split)
    data = rng.normal(size=200_000)
    chunks = np.array_split(data, 400)
    parts = [fed([chunks[i] for i in group]) for group in np.array_split(np.arange(400), split)]
    sketch = parts[0]
    for part in parts[1:]:
        sketch.merge(part)
    assert not sketch.exact
    assert sketch.n == weight(sketch) == len(data)  # compaction moves weight, never loses it
    assert max(rank_errors(sketch, data)) < 0.01
    assert sketch.retained() < 3 * 200 + 64  # bounded: ~3k items whatever n
    assert sketch.min == data.min() and sketch.max == data.max()


def test_same_updates_same_bytes() -> None:
    rng = np.random.default_rng(3)
    chunks = np.array_split(rng.random(100_000), 50)
    a, b = fed(chunks), fed([c.copy() for c in chunks])
    assert pickle.dumps(a) == pickle.dumps(b)
    assert pickle.loads(pickle.dumps(a)).quantiles(QS) == a.quantiles(QS)


def test_weights_survive_leaving_exact_mode() -> None:
    values = np.repeat(np.arange(EXACT_DISTINCT, dtype=np.float64), 37)  # count 37 = 0b100101
    sketch = fed([values])
    assert sketch.exact
    sketch.update(np.array([5000.0]))  # one distinct value too many
    assert not sketch.exact and weight(sketch) == sketch.n == len(values) + 1


def test_negative_zero_is_zero() -> None:
    assert fed([np.array([-0.0, 0.0, -0.0])]).quantiles([0.5]) == [0.0]
    assert str(fed([np.array([-0.0])]).quantiles([0.5])[0]) == "0.0"


def test_empty_and_merging_empty() -> None:
    sketch = QuantileSketch()
    assert sketch.is_empty() and sketch.quantiles(QS) == []
    sketch.merge(QuantileSketch())
    sketch.update(np.array([]))
    assert sketch.is_empty()
    assert QuantileSketch().merge(fed([np.array([2.0, 1.0])])).quantiles([0.5]) == [1.0]
