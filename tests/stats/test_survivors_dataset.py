"""The dataset accumulator's own bookkeeping (stats/dataset.py): file counts, wide float lists,
labels, flush, pickling, the label guess at its threshold; numbers worked out from the records."""

from __future__ import annotations

import pickle

import numpy as np
from conftest import add_records

from tfdoctor.proto.build import example, sequence_example
from tfdoctor.proto.decode import parse
from tfdoctor.stats.dataset import DatasetAccumulator
from tfdoctor.stats.families import WIDE_LIST, as_float_table


def test_file_counts_and_flush() -> None:
    acc = DatasetAccumulator()
    add_records(acc, [example({"x": 1}), example({"x": 2}), sequence_example({"c": 1}, {"t": [[1]]})])
    acc.flush()  # no native core reading: nothing to drain, the buffers folded
    (facts,) = acc.extract().files
    assert (facts.examples, facts.sequence_examples) == (2, 1)
    x = acc.extract().feature("x")
    assert x is not None and x.numeric is not None and (x.numeric.count, x.numeric.mean) == (2, 1.5)


def test_wide_float_lists_count_every_value() -> None:
    rows = [[(r * WIDE_LIST + j) * 0.5 for j in range(WIDE_LIST)] for r in range(3)]
    acc = DatasetAccumulator()
    add_records(acc, [example({"emb": row}) for row in rows])
    emb = acc.extract().feature("emb")
    assert emb is not None and emb.numeric is not None
    flat = [v for row in rows for v in row]
    n = emb.numeric
    assert (n.count, n.min, n.max, n.zeros) == (len(flat), 0.0, max(flat), 1)
    assert n.mean == sum(flat) / len(flat)
    assert emb.total_values == 3 * WIDE_LIST


def test_labels_only_for_label_names_and_bytes_labels_as_text() -> None:
    acc = DatasetAccumulator()
    add_records(
        acc,
        [example({"label": b"cat", "x": 1}), example({"label": b"dog", "x": 2}), example({"label": b"cat"})],
    )
    stats = acc.extract()
    assert set(stats.label_orders) == {"label"}
    assert stats.label_orders["label"].classes == {"cat": 2, "dog": 1}
    assert (stats.label, stats.label_requested) == ("label", None)
    asked = DatasetAccumulator(label="x")
    add_records(asked, [example({"x": 3, "z": 1})])
    out = asked.extract()
    assert (out.label, out.label_requested) == ("x", "x")
    assert set(out.label_orders) == {"x"}


def test_label_in_half_the_records_is_still_a_label() -> None:
    # a label in 2 of 4 records: 2 * 2 is not below the 4 records another feature is in
    records = [
        example({"label": 1, "x": 1}),
        example({"label": 0, "x": 1}),
        example({"x": 2}),
        example({"x": 3}),
    ]
    acc = DatasetAccumulator()
    add_records(acc, records)
    assert acc.extract().label == "label"
    fewer = DatasetAccumulator()  # in 2 of 5: no longer
    add_records(fewer, [*records, example({"x": 4})])
    assert fewer.extract().label is None


def test_pickled_accumulator_keeps_counting() -> None:
    acc = DatasetAccumulator()
    add_records(acc, [example({"x": 1})])
    again = pickle.loads(pickle.dumps(acc))
    add_records(again, [example({"x": 2}), sequence_example({"c": 5}, {"t": [[1]]})], start=1)
    stats = again.extract()
    x, c = stats.feature("x"), stats.feature("c", "context")
    assert x is not None and x.numeric is not None and x.numeric.count == 2
    assert c is not None and c.records_present == 1


def test_feature_list_without_steps_is_unset() -> None:
    acc = DatasetAccumulator()
    add_records(acc, [sequence_example({"id": i}, {"empty": []}) for i in range(3)])
    empty = acc.extract().feature("empty", "sequence")
    assert empty is not None and empty.kinds == {"unset": 3} and empty.kind == "unset"


def test_entry_without_value_is_refused() -> None:
    entry = b"\x0a\x01k"  # a features map entry: key "k", no value
    features = b"\x0a" + bytes([len(entry)]) + entry
    record = b"\x0a" + bytes([len(features)]) + features
    msg = parse(record)
    assert not isinstance(msg, str)
    acc = DatasetAccumulator()
    why = acc.add(msg, acc.file("f"), 0)
    assert why is not None and why.startswith("a features map entry (key b'k') has no value")
    assert acc.records == 0


def test_ints_past_two_to_the_53_meet_as_floats() -> None:
    big = 2**53
    values, counts = as_float_table(
        np.asarray([big, big + 1, big + 4], dtype=np.int64), np.asarray([1, 2, 5])
    )
    assert values.tolist() == [float(big), float(big + 4)] and counts.tolist() == [3, 5]
    same, kept = as_float_table(np.asarray([1, 2], dtype=np.int64), np.asarray([1, 2]))
    assert same.tolist() == [1.0, 2.0] and kept.tolist() == [1, 2]
