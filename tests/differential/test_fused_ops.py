"""Fused and legacy tf.data ops against real TensorFlow: `map_and_batch`, `shuffle_and_repeat`,
`parallel_interleave` (tf.data.experimental and the tf.compat.v1 forms, applied with
`apply(...)`) are read as the logical steps they stand for, every rule judges those steps, and
the element count predicted for each step is what TensorFlow yields there."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import one_label_per_file, parse_x_label

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.findings import Severity

SHARDS, PER_SHARD = 4, 25
RECORDS = SHARDS * PER_SHARD


@pytest.fixture(scope="module")
def sorted_files(tmp_path_factory: Any) -> list[str]:
    """Four shards, each holding one label: stored sorted by label (runs of 25)."""
    return one_label_per_file(
        tmp_path_factory.mktemp("fused"), SHARDS, PER_SHARD, "train-{k:05d}-of-{n:05d}.tfrecord"
    )


_parse = parse_x_label


def _codes(result: tfdoctor.AuditResult, at_least: Severity = Severity.INFO) -> set[str]:
    return {f.code for f in result.findings if f.severity >= at_least}


def _found(result: tfdoctor.AuditResult, code: str) -> list[tuple[int | None, str | None, Severity]]:
    return [(f.where.step, f.where.call, f.severity) for f in result.findings if f.code == code]


def _kinds(result: tfdoctor.AuditResult) -> list[tuple[str, str]]:
    return [(s.kind, s.op) for s in result.pipeline.steps]


def _yielded(ds: Any) -> int:
    return sum(1 for _ in ds)


def test_map_and_batch_is_a_map_and_a_batch(tf: Any, sorted_files: list[str]) -> None:
    parse = _parse(tf)
    ds = tf.data.TFRecordDataset(sorted_files).apply(
        tf.data.experimental.map_and_batch(parse, 8, num_parallel_calls=2, drop_remainder=True)
    )
    result = tfdoctor.audit(ds, batches=2)
    steps = result.pipeline.steps
    assert _kinds(result) == [
        ("read", "TFRecordDataset"),
        ("map", "MapAndBatchDataset"),
        ("batch", "MapAndBatchDataset"),
    ]
    assert steps[1].function == "parse" and steps[1].args == {"num_parallel_calls": 2}
    assert steps[1].parse_specs and {f.name for f in steps[1].parse_specs[0].features} == {"label", "x"}
    assert steps[2].args == {"batch_size": 8, "drop_remainder": True} and steps[2].function is None
    assert (
        steps[1].fused
        == steps[2].fused
        == "map_and_batch(parse, 8, num_parallel_calls=2, drop_remainder=True)"
    )
    assert [s.call() for s in steps[1:]] == [
        "map(parse, num_parallel_calls=2)",
        "batch(8, drop_remainder=True)",
    ]
    assert result.pipeline.chain() == (
        "TFRecordDataset([4 files]).apply(map_and_batch(parse, 8, num_parallel_calls=2, drop_remainder=True))"
    )
    # counts per step, against TensorFlow: the map has no object of its own (carried), the batch has one
    assert result.elements == {1: RECORDS, 2: RECORDS, 3: RECORDS // 8}
    assert _yielded(ds) == RECORDS // 8
    # no serial-map advice on a fused map: it runs num_parallel_calls calls
    assert "TFD902" not in _codes(result)


def test_tfd501_sees_the_batch_of_map_and_batch(tf: Any, sorted_files: list[str]) -> None:
    parse = _parse(tf)
    bad = tf.data.TFRecordDataset(sorted_files).apply(tf.data.experimental.map_and_batch(parse, 32))
    result = tfdoctor.audit(bad, batches=2)
    assert _found(result, "TFD501") == [(3, "batch(32)", Severity.ERROR)]
    fix = next(f for f in result.findings if f.code == "TFD501").fix
    assert fix is not None and fix.text.endswith(
        "TFRecordDataset([4 files]).map(parse, num_parallel_calls=32).shuffle(10000).batch(32)"
    )
    good = (
        tf.data.TFRecordDataset(sorted_files)
        .shuffle(RECORDS)
        .apply(tf.data.experimental.map_and_batch(parse, 32))
    )
    assert "TFD501" not in _codes(tfdoctor.audit(good, batches=2))
    # a shuffle after the fused op shuffles whole batches
    late = (
        tf.data.TFRecordDataset(sorted_files).apply(tf.data.experimental.map_and_batch(parse, 32)).shuffle(10)
    )
    assert _found(tfdoctor.audit(late, batches=0), "TFD503") == [(4, "shuffle(10)", Severity.WARNING)]


def test_tfd504_and_tfd514_see_the_batch_of_map_and_batch(tf: Any, sorted_files: list[str]) -> None:
    parse = _parse(tf)
    tiny = (
        tf.data.TFRecordDataset(sorted_files)
        .shuffle(RECORDS)
        .apply(tf.data.experimental.map_and_batch(parse, 1))
    )
    assert _found(tfdoctor.audit(tiny, batches=0), "TFD504") == [(4, "batch(1)", Severity.WARNING)]
    big = (
        tf.data.TFRecordDataset(sorted_files)
        .shuffle(RECORDS)
        .apply(tf.data.experimental.map_and_batch(parse, 256, drop_remainder=True))
    )
    assert _yielded(big) == 0  # TensorFlow: not one batch
    result = tfdoctor.audit(big, batches=2, config=Config(select=("TFD514",)))
    assert _found(result, "TFD514") == [(4, "batch(256, drop_remainder=True)", Severity.ERROR)]
    assert result.elements[4] == 0 and result.findings[0].numbers == {"elements": RECORDS, "batch_size": 256}


def test_shuffle_and_repeat_is_a_shuffle_and_a_repeat(tf: Any, sorted_files: list[str]) -> None:
    parse = _parse(tf)
    ds = (
        tf.data.TFRecordDataset(sorted_files)
        .apply(tf.data.experimental.shuffle_and_repeat(RECORDS, count=2, seed=7))
        .map(parse, num_parallel_calls=2)
        .batch(10)
        .prefetch(1)
    )
    result = tfdoctor.audit(ds, batches=2)
    steps = result.pipeline.steps
    assert _kinds(result)[1:3] == [
        ("shuffle", "ShuffleAndRepeatDataset"),
        ("repeat", "ShuffleAndRepeatDataset"),
    ]
    assert steps[1].args["buffer_size"] == RECORDS and steps[1].args["seed2"] == 7
    assert steps[1].args["reshuffle_each_iteration"] is True and steps[2].args == {"count": 2}
    assert [s.call() for s in steps[1:3]] == [f"shuffle({RECORDS})", "repeat(2)"]
    assert result.pipeline.chain() == (
        f"TFRecordDataset([4 files]).apply(shuffle_and_repeat({RECORDS}, count=2))"
        ".map(parse, num_parallel_calls=2).batch(10).prefetch(1)"
    )
    # the shuffle comes before the batch (no TFD501), and before the repeat (no TFD507)
    assert not {"TFD501", "TFD502", "TFD507"} & _codes(result)
    assert result.elements == {1: RECORDS, 2: RECORDS, 3: 2 * RECORDS, 4: 2 * RECORDS, 5: 20, 6: 20}
    assert _yielded(ds) == 20
    forever = tf.data.TFRecordDataset(sorted_files).apply(tf.data.experimental.shuffle_and_repeat(10))
    result = tfdoctor.audit(forever, batches=0)
    assert result.pipeline.steps[2].call() == "repeat()" and result.elements[3] == -1
    assert result.pipeline.chain() == "TFRecordDataset([4 files]).apply(shuffle_and_repeat(10))"


def test_truncated_subset_repeated_by_shuffle_and_repeat(tf: Any, sorted_files: list[str]) -> None:
    ds = (
        tf.data.TFRecordDataset(sorted_files)
        .take(10)
        .apply(tf.data.experimental.shuffle_and_repeat(10))
        .map(_parse(tf))
        .batch(5)
    )
    assert _found(tfdoctor.audit(ds, batches=0), "TFD505") == [(2, "take(10)", Severity.ERROR)]


@pytest.mark.parametrize("sloppy", [True, False])
def test_parallel_interleave_is_an_interleave(tf: Any, sorted_files: list[str], sloppy: bool) -> None:
    ds = tf.data.Dataset.from_tensor_slices(sorted_files).apply(
        tf.data.experimental.parallel_interleave(
            tf.data.TFRecordDataset, cycle_length=4, block_length=2, sloppy=sloppy
        )
    )
    result = tfdoctor.audit(ds.map(_parse(tf)).batch(8), batches=0)
    step = result.pipeline.steps[1]
    assert (step.kind, step.op, step.function, step.reads_files) == (
        "interleave",
        "LegacyParallelInterleaveDatasetV2",
        "TFRecordDataset",
        True,
    )
    assert step.args["cycle_length"] == 4 and step.args["block_length"] == 2
    assert step.args["deterministic"] == ("false" if sloppy else "true")
    assert result.pipeline.record_start == 2 and result.elements[2] == RECORDS
    assert _yielded(ds) == RECORDS


def test_tf1_forms(tf: Any, sorted_files: list[str]) -> None:
    """The TF 1 idiom of BERT and the TPU reference models: tf.compat.v1 datasets, fused ops applied."""
    v1 = tf.compat.v1.data
    parse = _parse(tf)

    def make(shuffled: bool) -> Any:
        ds = v1.Dataset.from_tensor_slices(sorted_files).apply(
            v1.experimental.parallel_interleave(v1.TFRecordDataset, cycle_length=1, sloppy=False)
        )
        if shuffled:
            ds = ds.apply(v1.experimental.shuffle_and_repeat(RECORDS))
        return ds.apply(v1.experimental.map_and_batch(parse, 8, drop_remainder=True)).prefetch(1)

    result = tfdoctor.audit(make(True), batches=2)
    assert result.pipeline.chain() == (
        "from_tensor_slices([4 files]).interleave(TFRecordDataset)"
        f".apply(shuffle_and_repeat({RECORDS})).apply(map_and_batch(parse, 8, drop_remainder=True)).prefetch(1)"
    )
    assert [s.kind for s in result.pipeline.steps] == [
        "source", "interleave", "shuffle", "repeat", "map", "batch", "prefetch",
    ]  # fmt: skip
    assert not _codes(result, Severity.WARNING)
    # TF1 datasets are wrapped in DatasetV1Adapter: every step still has its Python object
    assert result.elements == {1: SHARDS, 2: RECORDS, 3: RECORDS, 4: -1, 5: -1, 6: -1, 7: -1}
    unshuffled = tfdoctor.audit(make(False), batches=2)
    assert _found(unshuffled, "TFD501") == [(4, "batch(8, drop_remainder=True)", Severity.ERROR)]
    assert unshuffled.elements == {1: SHARDS, 2: RECORDS, 3: RECORDS, 4: RECORDS // 8, 5: RECORDS // 8}
    assert _yielded(make(False)) == RECORDS // 8


def test_random_map_in_map_and_batch_before_cache(tf: Any, sorted_files: list[str]) -> None:
    """TFD401 on the random map of a map_and_batch (the probe cannot run its map alone: it
    compares two passes of the cache after it)."""
    parse = _parse(tf)

    def noisy(serialized: Any) -> Any:
        x, label = parse(serialized)
        return x + tf.random.uniform([]), label

    ds = tf.data.TFRecordDataset(sorted_files).apply(tf.data.experimental.map_and_batch(noisy, 10)).cache()
    result = tfdoctor.audit(ds.shuffle(10).prefetch(1), batches=2)
    assert result.pipeline.steps[1].random and result.pipeline.steps[2].kind == "batch"
    assert _found(result, "TFD401") == [(4, "cache()", Severity.ERROR)]
    assert 2 not in result.step_probes  # the map half has no object of its own: not probed alone
