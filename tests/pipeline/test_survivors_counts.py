"""Elements per epoch carried down a chain from the record count (pipeline/counts.py), on
hand-built steps with no dataset objects (so no TensorFlow cardinality): every expected count
is the arithmetic of the step (batch: ceil or floor of n / size, window, shard, take, skip,
repeat), each branch at its edge. TensorFlow's own counts for the same chains are checked
against real datasets in test_pipeline_counts.py."""

from __future__ import annotations

from typing import Any

import pytest

from tfdoctor.facts.pipeline import Pipeline, Step
from tfdoctor.pipeline.counts import INFINITE, _cardinality, element_counts


def _read(index: int = 1, files: tuple[str, ...] = ("a.tfrecord",)) -> Step:
    return Step(index, "TFRecordDatasetV2", "read", reads_files=True, files=files)


def _counts(records: int | None, *steps: tuple[str, dict[str, Any]]) -> list[int | None]:
    chain = [_read()] + [Step(i, "Op", kind, dict(args)) for i, (kind, args) in enumerate(steps, start=2)]
    out = element_counts(Pipeline(tuple(chain)), records, {})
    assert list(out) == [s.index for s in chain]
    return list(out.values())[1:]


@pytest.mark.parametrize(
    "kind,args,before,after",
    [
        ("map", {}, 10, 10),
        ("cache", {}, 10, 10),
        ("shuffle", {"buffer_size": 4}, 10, 10),
        ("prefetch", {}, 10, 10),
        ("ignore_errors", {}, 10, 10),
        ("other", {}, 10, 10),
        ("filter", {}, 10, None),  # how many pass: unknown
        ("unbatch", {}, 10, None),
        ("take", {"count": 3}, 10, 3),
        ("take", {"count": 12}, 10, 10),
        ("take", {"count": -1}, 10, 10),  # take(-1): everything
        ("take", {"count": None}, 10, None),
        ("skip", {"count": 3}, 10, 7),
        ("skip", {"count": 12}, 10, 0),
        ("repeat", {"count": 3}, 10, 30),
        ("repeat", {"count": -1}, 10, INFINITE),
        ("repeat", {"count": None}, 10, None),
        ("shard", {"num_shards": 3, "index": 0}, 10, 4),  # 0, 3, 6, 9
        ("shard", {"num_shards": 3, "index": 1}, 11, 4),  # of 11: 1, 4, 7, 10
        ("shard", {"num_shards": 3, "index": 2}, 11, 3),  # of 11: 2, 5, 8
        ("shard", {"num_shards": 0, "index": 0}, 10, None),
        ("shard", {"num_shards": 3}, 10, None),
        ("batch", {"batch_size": 3}, 10, 4),
        ("batch", {"batch_size": 3, "drop_remainder": True}, 10, 3),
        ("batch", {"batch_size": 5}, 10, 2),
        ("batch", {"batch_size": 0}, 10, None),
        ("batch", {"batch_size": 1}, 10, 10),
        ("padded_batch", {"batch_size": 4, "drop_remainder": False}, 10, 3),
        ("padded_batch", {"batch_size": 4, "drop_remainder": True}, 10, 2),
        # window(size, shift, stride, drop_remainder): windows start every `shift` records
        ("window", {"size": 3, "shift": 2}, 10, 5),
        ("window", {"size": 3, "shift": 3}, 10, 4),
        ("window", {"size": 3, "shift": 2, "drop_remainder": True}, 10, 4),  # starts 0, 2, 4, 6
        ("window", {"size": 3, "shift": 2, "stride": 2, "drop_remainder": True}, 10, 3),  # span 5: 0, 2, 4
        ("window", {"size": 3, "shift": 1, "drop_remainder": True}, 3, 1),  # exactly one span
        ("window", {"size": 4, "shift": 1, "drop_remainder": True}, 3, 0),  # shorter than a span
        ("window", {"size": 3, "shift": 0}, 10, None),
        ("window", {"size": None, "shift": 2}, 10, None),
    ],
)
def test_carried_count(kind: str, args: dict[str, Any], before: int, after: int | None) -> None:
    assert _counts(before, (kind, args)) == [after]


def test_shard_counts_add_up_to_the_whole() -> None:
    for n in range(0, 13):
        for k in range(1, 5):
            parts = [_counts(n, ("shard", {"num_shards": k, "index": i}))[0] for i in range(k)]
            assert parts == [len(range(i, n, k)) for i in range(k)]


def test_after_an_infinite_step() -> None:
    rep = ("repeat", {"count": -1})
    assert _counts(10, rep, ("map", {}), ("batch", {"batch_size": 4})) == [INFINITE, INFINITE, INFINITE]
    assert _counts(10, rep, ("take", {"count": 7})) == [INFINITE, 7]  # take ends an infinite stream
    assert _counts(10, rep, ("filter", {})) == [INFINITE, INFINITE]


def test_unknown_stays_unknown_until_a_read() -> None:
    assert _counts(None, ("map", {}), ("batch", {"batch_size": 2})) == [None, None]
    assert _counts(10, ("filter", {}), ("map", {}), ("take", {"count": 2})) == [None, None, None]


def test_window_then_flat_map_is_one_sequence_per_window() -> None:
    assert _counts(10, ("window", {"size": 3, "shift": 2}), ("flat_map", {})) == [5, 5]
    assert _counts(10, ("map", {}), ("flat_map", {})) == [10, None]  # a flat_map not after window


def test_record_count_only_where_every_file_is_read() -> None:
    """zip(a, b): the read of a's files alone does not carry the count of a and b together."""
    other = (_read(1, ("b.tfrecord",)), Step(2, "Op", "map"))
    steps = (
        _read(1, ("a.tfrecord",)),
        Step(2, "Op", "map"),
        Step(3, "ZipDataset", "zip", branches=(other,)),
        Step(4, "Op", "map"),
    )
    assert element_counts(Pipeline(steps), 20, {}) == {1: None, 2: None, 3: None, 4: None}
    one = (_read(1, ("a.tfrecord",)), Step(2, "Op", "map"))
    assert element_counts(Pipeline(one), 20, {}) == {1: 20, 2: 20}
    # a source step that lists the files does not read them; the read step does
    listed = (
        Step(1, "TensorSliceDataset", "source", files=("a.tfrecord",)),
        _read(2, ()),
        Step(3, "Op", "map"),
    )
    assert element_counts(Pipeline(listed), 20, {}) == {1: None, 2: 20, 3: 20}


def test_no_dataset_object_has_no_cardinality() -> None:
    assert _cardinality(None) is None
