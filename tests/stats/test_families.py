"""TFDV's harness for each statistic family on its own: the same extract() from sequential
adds, from a merge of per-chunk accumulators (in order and shuffled), and after pickling."""

from __future__ import annotations

import io
import math
import pickle
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, is_dataclass, replace
from typing import Any, TypeVar

import numpy as np
import pytest
from PIL import Image

from tfdoctor.stats.families import (
    BytesAccumulator,
    CountsAccumulator,
    FrequentValuesAccumulator,
    NumericAccumulator,
    OrderAccumulator,
    SequenceLengthAccumulator,
    display_value,
    value_key,
)

A = TypeVar("A")
N = 120  # few values: every quantile sketch is exact (up to 1,024 distinct), so sketches compare exactly
CUTS = [7, 30, 31, 64, 90]


def _normalise(obj: Any) -> Any:
    """Plain data, floats rounded: sums folded in another order compare equal."""
    if is_dataclass(obj) and not isinstance(obj, type):
        obj = asdict(obj)
    if isinstance(obj, float):
        return obj if math.isnan(obj) or math.isinf(obj) else round(obj, 9)
    if isinstance(obj, dict):
        return {k: _normalise(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_normalise(v) for v in obj]
    return obj


def _three_ways(
    make: Callable[[], A],
    add: Callable[[A, Any], None],
    extract: Callable[[A], Any],
    items: list[Any],
    merge: Callable[[A, A], Any],
) -> Any:
    """extract() after sequential adds == after merging per-chunk accumulators (in order and
    shuffled, each pickled) == after pickling a half-filled accumulator."""
    sequential = make()
    for item in items:
        add(sequential, item)
    expected = _normalise(extract(sequential))
    bounds = [0, *CUTS, len(items)]
    chunks = []
    for a, b in zip(bounds, bounds[1:]):
        acc = make()
        for item in items[a:b]:
            add(acc, item)
        chunks.append(pickle.dumps(acc))
    for order in (range(len(chunks)), [3, 0, 5, 1, 4, 2]):
        total = make()
        for k in order:
            merge(total, pickle.loads(chunks[k]))
        assert _normalise(extract(total)) == expected
    half = make()
    for item in items[: len(items) // 2]:
        add(half, item)
    half = pickle.loads(pickle.dumps(half))
    for item in items[len(items) // 2 :]:
        add(half, item)
    assert _normalise(extract(half)) == expected
    return expected


def _lists(seed: int = 5) -> list[tuple[str, list[Any]]]:
    """(kind, values) per record: all kinds, empty lists, NaN and infinities, repeats."""
    rng = random.Random(seed)
    out: list[tuple[str, list[Any]]] = []
    for i in range(N):
        kind = rng.choice(["float", "float", "int64", "bytes", "unset"])
        n = rng.choice([0, 1, 1, 2, 3])
        if kind == "float":
            values: list[Any] = [
                rng.choice([0.0, -1.5, 2.25, float(i), math.nan, math.inf]) for _ in range(n)
            ]
        elif kind == "int64":
            values = [rng.choice([0, 7, -3, i]) for _ in range(n)]
        elif kind == "bytes":
            values = [rng.choice([b"cat", b"", b"\xff\xfe", "ünï".encode()]) for _ in range(n)]
        else:
            values = []
        out.append((kind, values))
    return out


def test_counts_three_ways() -> None:
    def extract(acc: CountsAccumulator) -> Any:
        return (acc.extract(), acc.kinds, acc.records_present, acc.records_empty, acc.kind())

    out = _three_ways(
        CountsAccumulator,
        lambda acc, rec: acc.add(rec[0], len(rec[1])),
        extract,
        _lists(),
        CountsAccumulator.merge,
    )
    records = _lists()
    value_count, kinds, present, empty, _kind = out
    assert present == N and sum(kinds.values()) == N
    assert empty == sum(not values for _, values in records)
    assert value_count["min"] == 0 and value_count["max"] == 3


def test_counts_per_step_three_ways() -> None:
    """A feature list: records and their kinds counted once, value counts per step."""
    rng = random.Random(2)
    records = [[("int64", [0] * rng.randint(0, 2)) for _ in range(rng.randint(0, 4))] for _ in range(N)]

    def add(acc: CountsAccumulator, steps: list[tuple[str, list[int]]]) -> None:
        acc.add_record(steps[0][0] if steps else "unset")
        for kind, values in steps:
            acc.add(kind, len(values))

    value_count, kinds, present = _three_ways(
        lambda: CountsAccumulator(per_step=True),
        add,
        lambda acc: (acc.extract(), acc.kinds, acc.records_present),
        records,
        CountsAccumulator.merge,
    )
    assert present == N and kinds == {
        "int64": sum(bool(s) for s in records),
        "unset": sum(not s for s in records),
    }
    assert (value_count["min"], value_count["max"]) == (0, 2)


def test_sequence_lengths_three_ways() -> None:
    rng = random.Random(4)
    lengths = [rng.choice([0, 1, 5, 9]) for _ in range(N)]
    stats, empty = _three_ways(
        SequenceLengthAccumulator,
        SequenceLengthAccumulator.add,
        lambda acc: (acc.extract(), acc.records_empty),
        lengths,
        SequenceLengthAccumulator.merge,
    )
    assert (stats["min"], stats["max"], empty) == (0, 9, lengths.count(0))


def test_numeric_three_ways() -> None:
    records = _lists()
    stats = _three_ways(
        NumericAccumulator,
        lambda acc, rec: acc.add(rec[0], rec[1]),
        NumericAccumulator.extract,
        records,
        NumericAccumulator.merge,
    )
    numbers = [v for kind, values in records if kind in ("float", "int64") for v in values]
    finite = [v for v in numbers if math.isfinite(v)]
    assert stats["count"] == len(numbers)
    assert stats["nan"] == sum(map(math.isnan, numbers)) and stats["pos_inf"] == numbers.count(math.inf)
    assert stats["zeros"] == finite.count(0) and stats["min"] == min(finite)
    assert stats["mean"] == round(math.fsum(finite) / len(finite), 9)
    assert stats["quantiles"]["max"] == max(finite)


def test_frequent_values_three_ways() -> None:
    """Fed batches, as the numeric and bytes families' flushes hand them over."""

    def add(acc: FrequentValuesAccumulator, rec: tuple[str, list[Any]]) -> None:
        kind, values = rec
        if not values:
            return
        if kind == "float":
            acc.add_floats(np.asarray(values, dtype=np.float64))
        elif kind == "int64":
            acc.add_ints(np.asarray(values, dtype=np.int64))
        elif kind == "bytes":
            acc.add_bytes(Counter(values))

    def extract(acc: FrequentValuesAccumulator) -> Any:
        return (
            acc.distinct_estimate(),
            acc.top_values("int64"),
            acc.top_values("bytes"),
            acc.constant("bytes"),
        )

    records = _lists()
    distinct, top, top_bytes, constant = _three_ways(
        FrequentValuesAccumulator, add, extract, records, FrequentValuesAccumulator.merge
    )
    floats = {repr(v) for kind, values in records if kind == "float" for v in values}  # NaN: one
    others = {(kind, v) for kind, values in records if kind in ("int64", "bytes") for v in values}
    assert constant is None and abs(distinct - len(floats) - len(others)) <= 0.1 * distinct  # an estimate
    ints = Counter(str(v) for kind, values in records if kind == "int64" for v in values)
    assert dict(top)["7"] == ints["7"]  # exact below the summary's capacity
    raw = Counter(v for kind, values in records if kind == "bytes" for v in values)
    assert (
        dict(top_bytes) == {display_value(value_key(v), "bytes"): n for v, n in raw.most_common(10)}
        or len(raw) > 10
    )


def test_frequent_values_constant() -> None:
    same = [("int64", [4])] * 30
    _, _, constant = _three_ways(
        FrequentValuesAccumulator,
        lambda acc, rec: acc.add_ints(np.asarray(rec[1], dtype=np.int64)),
        lambda acc: (acc.distinct_estimate(), acc.top_values("int64"), acc.constant("int64")),
        same,
        FrequentValuesAccumulator.merge,
    )
    assert constant == "4"


def _png(h: int, w: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h)).save(buf, format="PNG")
    return buf.getvalue()


def test_bytes_three_ways() -> None:
    """Lengths, image formats and shapes are exact. Whether images decode is checked on a
    sample of the distinct images each accumulator meets (per file, by design): left out of
    the identity, checked on its own."""
    images = [_png(4, 6), _png(5, 5), b"\x89PNG\r\n\x1a\n broken", b"\xff\xd8\xff nope"]
    rng = random.Random(9)
    records = [[rng.choice([*images, b"text", b""]) for _ in range(rng.randint(0, 2))] for _ in range(N)]

    def extract(acc: BytesAccumulator) -> Any:
        stats = acc.extract()
        assert stats is not None
        return replace(stats, image_decoded=0, image_undecodable=0)

    stats = _three_ways(BytesAccumulator, BytesAccumulator.add, extract, records, BytesAccumulator.merge)
    values = [v for rec in records for v in rec]
    assert stats["count"] == len(values) and stats["max_length"] == max(map(len, values))
    assert stats["image_shapes"] == {
        "5x5x3": sum(v == images[1] for v in values),
        "4x6x3": sum(v == images[0] for v in values),
    }
    assert stats["image_unreadable"] == sum(v in images[2:] for v in values)
    sequential = BytesAccumulator()
    for rec in records:
        sequential.add(rec)
    sample = sequential.extract()
    assert sample is not None and (sample.image_decoded, sample.image_undecodable) == (2, 0)


def _order_batches(values: list[float]) -> list[tuple[dict[str, np.ndarray], np.ndarray]]:
    """One record per batch: (counts by kind, floats), as FeatureAccumulator.flush hands them."""
    return [({"float": np.ones(1, dtype=np.int64)}, np.asarray([v])) for v in values]


def test_order_three_ways_loses_only_chunk_boundaries() -> None:
    """Order is counted within an accumulator: sequential and pickled agree exactly, a merge
    of chunks lacks just the pairs across the cuts (engines never split a file)."""
    rng = random.Random(1)
    values = [float(i) + rng.choice([0.0, -2.0, 5.0]) for i in range(N)]
    batches = _order_batches(values)

    def add(acc: OrderAccumulator, batch: tuple[dict[str, np.ndarray], np.ndarray]) -> None:
        acc.add(batch[0], batch[1], None)

    sequential = OrderAccumulator()
    for b in batches:
        add(sequential, b)
    steps = np.diff(values)
    assert sequential.extract() == (N - 1, int((steps > 0).sum()), int((steps < 0).sum()))
    half = OrderAccumulator()
    for b in batches[: N // 2]:
        add(half, b)
    half = pickle.loads(pickle.dumps(half))
    for b in batches[N // 2 :]:
        add(half, b)
    assert half.extract() == sequential.extract()
    bounds = [0, *CUTS, N]
    merged = OrderAccumulator()
    for a, b in reversed(list(zip(bounds, bounds[1:]))):
        acc = OrderAccumulator()
        for batch in batches[a:b]:
            add(acc, batch)
        merged.merge(pickle.loads(pickle.dumps(acc)))
    across = [values[c] - values[c - 1] for c in CUTS]
    assert merged.extract() == (
        N - 1 - len(CUTS),
        sequential.up - sum(d > 0 for d in across),
        sequential.down - sum(d < 0 for d in across),
    )


@pytest.mark.parametrize(
    "counts",
    [
        {"float": np.array([1, 2])},  # a record with two numbers
        {"float": np.array([1]), "int64": np.array([1])},  # two kinds
        {"bytes": np.array([1])},  # no numbers
        {"float": np.array([1]), "unset": np.array([0])},  # a record with none
    ],
)
def test_order_breaks_for_good(counts: dict[str, np.ndarray]) -> None:
    acc = OrderAccumulator()
    acc.add({"float": np.ones(3, dtype=np.int64)}, np.array([1.0, 2.0, 3.0]), None)
    acc.add(counts, np.array([4.0, 5.0]), np.array([6], dtype=np.int64))
    acc.add({"float": np.ones(1, dtype=np.int64)}, np.array([9.0]), None)
    assert acc.extract() == (0, 0, 0)


def test_buffers_are_cleared_in_place() -> None:
    """The buffer contract the per-record loop relies on: a flush never rebinds a buffer."""
    counts, numeric, raw, steps = (
        CountsAccumulator(),
        NumericAccumulator(),
        BytesAccumulator(),
        SequenceLengthAccumulator(),
    )

    def buffers() -> list[list[Any]]:
        return [
            counts.float_counts, counts.int64_counts, counts.bytes_counts, counts.unset_counts,
            numeric.floats, numeric.ints, raw.values, steps.steps,
        ]  # fmt: skip

    for kind, n in (("float", 1), ("int64", 1), ("bytes", 1), ("unset", 0)):
        counts.add(kind, n)
    numeric.add("float", [1.0])
    numeric.add("int64", [2])
    raw.add([b"x"])
    steps.add(3)
    held = buffers()
    counts.flush()
    numeric.flush()
    raw.flush()
    steps.flush()
    assert all(now is before for now, before in zip(buffers(), held))
    assert not any(held)
    assert (counts.records_present, numeric.count, raw.count, steps.lengths.total) == (4, 2, 1, 3)
