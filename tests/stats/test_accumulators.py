"""TFDV's harness for combiners: the same statistics from sequential adds, from a merge of
per-shard accumulators, and from a merge in another order (with pickling between)."""

from __future__ import annotations

import math
import pickle
import random
from dataclasses import asdict, replace
from typing import Any

import pytest

from tfdoctor.facts.reads import Read
from tfdoctor.proto.build import example, sequence_example
from tfdoctor.proto.decode import parse
from tfdoctor.stats.dataset import DatasetAccumulator
from tfdoctor.stats.feature import FeatureAccumulator
from tfdoctor.stats.label_order import LabelOrderAccumulator

# a parse spec's reads: missing keys, another stored kind, another value count, a sequence read
READS = [
    Read("sometimes", kind="float", count=1),
    Read("name", kind="int64", count=1),
    Read("x", kind="float", count=1),
    Read("absent", kind="bytes"),
    Read("steps", section="sequence", kind="int64", count=1),
]


def _records(n: int, seed: int = 3) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        feats: dict[str, Any] = {
            "label": rng.choice([0, 0, 1, 2]) if i > n // 3 else 1,
            "x": [rng.gauss(0, 1) for _ in range(rng.randint(0, 3))] or ("float", []),
            "name": rng.choice([b"cat", b"dog", b"\xff\xfe", "ünï".encode()]),
            "const": 7,
        }
        if i % 5:
            feats["sometimes"] = float("nan") if i % 11 == 0 else float(i)
        if i % 7 == 0:
            feats["img"] = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(5))
        out.append(example(feats))
    return out


def _normalise(obj: Any) -> Any:
    """Round floats so sums merged in another order compare equal."""
    if isinstance(obj, float):
        return obj if math.isnan(obj) or math.isinf(obj) else round(obj, 9)
    if isinstance(obj, dict):
        return {k: _normalise(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_normalise(v) for v in obj]
    return obj


def _scan(records: list[bytes], chunks: list[range], order: list[int], file: str = "f") -> Any:
    accs = []
    for rng_ in chunks:
        acc = DatasetAccumulator(reads=READS)
        facts = acc.file(file)
        for i in rng_:
            msg = parse(records[i])
            assert not isinstance(msg, str)
            acc.add(msg, facts, i)
        accs.append(pickle.loads(pickle.dumps(acc)))
    total = DatasetAccumulator(reads=READS)
    for k in order:
        total.merge(accs[k])
    stats = replace(total.extract(), files=())  # file facts hold the per-chunk counts checked elsewhere
    data = _normalise(asdict(stats))
    for f in data["features"]:
        # record-to-record order is counted within an accumulator: a merge cannot pair the last
        # record of one chunk with the first of the next (engines never split a file; checked
        # in test_order_counts_lose_only_chunk_boundaries)
        f["order_pairs"] = f["order_increasing"] = f["order_decreasing"] = None
    return data


def _three_ways(n: int) -> tuple[Any, Any, Any]:
    records = _records(n)
    sequential = _scan(records, [range(n)], [0])
    cuts = sorted(random.Random(n).sample(range(1, n), 5))
    chunks = [range(a, b) for a, b in zip([0, *cuts], [*cuts, n])]
    merged = _scan(records, chunks, list(range(len(chunks))))
    shuffled = _scan(records, chunks, [3, 0, 5, 1, 4, 2])
    return sequential, merged, shuffled


@pytest.mark.parametrize("n", [40, 100])  # few values a feature: the quantile sketch is exact
def test_dataset_accumulator_three_ways(n: int) -> None:
    sequential, merged, shuffled = _three_ways(n)
    assert merged == sequential
    assert shuffled == sequential


def _without_sketches(stats: Any) -> Any:
    """Drop what sketches estimate and depends on how the data was cut (inner quantiles, top
    value counts); exact counts and the distinct estimate (HLL registers) remain."""
    for f in stats["features"]:
        f["top_values"] = None
        for part in ("numeric", "value_count"):
            if f[part]:
                f[part]["quantiles"] = {k: v for k, v in f[part]["quantiles"].items() if k in ("min", "max")}
    return stats


def test_three_ways_beyond_sketch_capacity() -> None:
    """Past the sketches' exact size, every count and the distinct estimate are still
    identical; quantiles stay within the sketch's error."""
    sequential, merged, shuffled = _three_ways(3000)
    x_seq = next(f for f in sequential["features"] if f["name"] == "x")["numeric"]["quantiles"]
    x_mix = next(f for f in shuffled["features"] if f["name"] == "x")["numeric"]["quantiles"]
    for key in ("q25", "q50", "q75"):
        assert abs(x_seq[key] - x_mix[key]) < 0.1  # N(0,1): 1.3% rank error is < 0.05 here
    assert _without_sketches(merged) == _without_sketches(sequential)
    assert _without_sketches(shuffled) == _without_sketches(sequential)


def test_label_order_segments_join_exactly() -> None:
    labels = list("aaabbbbccaaab")
    whole = LabelOrderAccumulator("label")
    for i, v in enumerate(labels):
        whole.add("f", i, v)
    expected = whole.extract()
    assert (expected.runs, expected.longest_run) == (5, 4)
    for cuts in ([4], [1, 2, 3], [6, 7, 12], [3, 9]):
        parts = []
        bounds = [0, *cuts, len(labels)]
        for a, b in zip(bounds, bounds[1:]):
            acc = LabelOrderAccumulator("label")
            for i in range(a, b):
                acc.add("f", i, labels[i])
            parts.append(acc)
        total = LabelOrderAccumulator("label")
        for p in reversed(parts):
            total.merge(pickle.loads(pickle.dumps(p)))
        assert total.extract() == expected


def test_sorted_labels_are_recognised() -> None:
    acc = LabelOrderAccumulator("label")
    for i, v in enumerate(sorted(random.Random(1).choices(range(10), k=5000))):
        acc.add("f", i, str(v))
    order = acc.extract()
    assert order.runs == 10 and order.sortedness == 1.0
    assert order.file_sortedness() == {"f": 1.0}
    shuffled = LabelOrderAccumulator("label")
    for i, v in enumerate(random.Random(1).choices(range(10), k=5000)):
        shuffled.add("f", i, str(v))
    assert shuffled.extract().sortedness < 0.05


def test_feature_accumulator_exact_counts() -> None:
    acc = FeatureAccumulator("x", "features")
    acc.add("float", [1.0, float("nan"), float("inf")])
    acc.add("float", [])
    acc.add("float", [0.0, -float("inf")])
    stats = pickle.loads(pickle.dumps(acc)).extract(total_records=4)
    assert stats.records_present == 3 and stats.records_with_values == 2
    assert stats.records_missing == 1
    n = stats.numeric
    assert n is not None
    assert (n.count, n.nan, n.pos_inf, n.neg_inf, n.zeros) == (5, 1, 1, 1, 1)
    assert (n.min, n.max, n.mean) == (0.0, 1.0, 0.5)
    assert stats.value_count is not None and (stats.value_count.min, stats.value_count.max) == (0, 3)


def test_sequence_features_counted_per_step() -> None:
    acc = DatasetAccumulator()
    facts = acc.file("f")
    for i in range(4):
        msg = parse(sequence_example({"id": i}, {"tokens": [[b"a", b"b"]] * (i + 1), "empty": []}))
        assert not isinstance(msg, str)
        acc.add(msg, facts, i)
    stats = acc.extract()
    tokens = stats.feature("tokens", "sequence")
    assert tokens is not None and tokens.sequence_length is not None
    assert (tokens.sequence_length.min, tokens.sequence_length.max) == (1, 4)
    assert tokens.total_values == 2 * (1 + 2 + 3 + 4)
    assert stats.record_kinds == {"sequence_example": 4}
    assert stats.feature("id", "context") is not None


def test_read_tallies_are_exact_and_name_the_first_records() -> None:
    n = 100
    stats, *_ = _three_ways(n)
    tallies = {t["read"]["key"]: t for t in stats["reads"]}
    sometimes = tallies["sometimes"]
    assert sometimes["problems"] == {"missing": n // 5}
    assert sometimes["examples"]["missing"] == [["f", i] for i in range(0, 25, 5)]
    assert tallies["name"]["problems"] == {"kind:bytes": n} and tallies["name"]["present"] == n
    assert tallies["absent"]["problems"] == {"missing": n} and tallies["absent"]["present"] == 0
    assert tallies["steps"]["records"] == 0  # no SequenceExample: sequence reads see nothing
    x = tallies["x"]
    assert x["problems"]["count"] == sum(x["bad_counts"].values()) and set(x["bad_counts"]) <= {0, 2, 3}


def test_order_counts_lose_only_chunk_boundaries() -> None:
    records = [example({"t": float(i), "noise": float((i * 7919) % 101)}) for i in range(500)]
    whole = DatasetAccumulator()
    facts = whole.file("f")
    for i, rec in enumerate(records):
        msg = parse(rec)
        assert not isinstance(msg, str)
        whole.add(msg, facts, i)
    t = whole.extract().feature("t")
    assert t is not None and (t.order_pairs, t.order_increasing, t.order_decreasing) == (499, 499, 0)
    assert t.time_ordered
    noise = whole.extract().feature("noise")
    assert noise is not None and not noise.time_ordered
    chunks = [range(0, 100), range(100, 350), range(350, 500)]
    merged = DatasetAccumulator()
    for chunk in reversed(chunks):
        acc = DatasetAccumulator()
        part = acc.file("f")
        for i in chunk:
            msg = parse(records[i])
            assert not isinstance(msg, str)
            acc.add(msg, part, i)
        merged.merge(pickle.loads(pickle.dumps(acc)))
    t2 = merged.extract().feature("t")
    assert t2 is not None and t2.order_pairs == 499 - (len(chunks) - 1) and t2.time_ordered
