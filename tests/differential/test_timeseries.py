"""Time order and batch size (TFD404, TFD513, TFD514) and padding (TFD606), on real tf.data
pipelines over real TFRecord files, with what each rule claims shown in TensorFlow."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tfdoctor
from tfdoctor.findings import Severity
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example, sequence_example

RECORDS = 300
STEP = 60  # seconds between readings
WINDOW = 10


@pytest.fixture(scope="module")
def series(tmp_path_factory: Any) -> str:
    """A sensor time series, one reading per record, stored in time order."""
    path = tmp_path_factory.mktemp("ts") / "sensor.tfrecord"
    write_tfrecord(
        path, [example({"timestamp": i * STEP, "value": math.sin(i / 10)}) for i in range(RECORDS)]
    )
    return str(path)


def _readings(tf: Any, path: str) -> Any:
    spec = {"timestamp": tf.io.FixedLenFeature([], tf.int64), "value": tf.io.FixedLenFeature([], tf.float32)}
    return tf.data.TFRecordDataset(path).map(
        lambda s: (lambda e: (e["timestamp"], e["value"]))(tf.io.parse_single_example(s, spec)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _windows(tf: Any, ds: Any) -> Any:
    return ds.window(WINDOW, shift=1, drop_remainder=True).flat_map(
        lambda t, v: tf.data.Dataset.zip((t.batch(WINDOW), v.batch(WINDOW)))
    )


def _codes(result: tfdoctor.AuditResult, at_least: Severity = Severity.INFO) -> set[str]:
    return {f.code for f in result.findings if f.severity >= at_least}


def _consecutive(windows: Any) -> bool:
    return all(bool(np.all(np.diff(t.numpy()) == STEP)) for t, _ in windows)


def test_scan_sees_the_time_order(series: str) -> None:
    stats = tfdoctor.scan(series).stats
    timestamp, value = stats.feature("timestamp"), stats.feature("value")
    assert timestamp is not None and timestamp.time_ordered
    assert (timestamp.order_pairs, timestamp.order_increasing) == (RECORDS - 1, RECORDS - 1)
    assert value is not None and not value.time_ordered  # a sine goes up and down


def test_tfd404_shuffle_before_windowing(tf: Any, series: str) -> None:
    broken = _windows(tf, _readings(tf, series).shuffle(RECORDS)).batch(8).prefetch(1)
    assert not _consecutive(broken.unbatch().take(20))  # TensorFlow: windows of unrelated moments
    result = tfdoctor.audit(broken, batches=3)
    finding = next(f for f in result.findings if f.code == "TFD404")
    assert finding.severity == Severity.ERROR
    assert "'timestamp' in increasing order (299 of 299 steps)" in finding.message
    assert finding.fix.text.endswith("flat_map(lambda).shuffle(300).batch(8).prefetch(1)")
    fixed = _windows(tf, _readings(tf, series)).shuffle(RECORDS).batch(8).prefetch(1)
    assert _consecutive(fixed.unbatch().take(50))
    assert _codes(tfdoctor.audit(fixed, batches=3), Severity.WARNING) == set()  # a correct sliding window


def test_tfd404_sequences_cut_by_batch(tf: Any, series: str) -> None:
    broken = _readings(tf, series).shuffle(RECORDS).batch(WINDOW).shuffle(30).batch(4).prefetch(1)
    assert "TFD404" in _codes(tfdoctor.audit(broken, batches=0))
    fixed = _readings(tf, series).batch(WINDOW).shuffle(30).batch(4).prefetch(1)
    assert "TFD404" not in _codes(tfdoctor.audit(fixed, batches=0))


@pytest.fixture(scope="module")
def sequences(tmp_path_factory: Any) -> str:
    path = tmp_path_factory.mktemp("seq") / "seq.tfrecord"
    rng = np.random.default_rng(0)
    records = []
    for i in range(64):
        steps = int(rng.integers(2, 60))
        records.append(sequence_example({"label": i % 2}, {"x": [[float(t)] for t in range(steps)]}))
    write_tfrecord(path, records)
    return str(path)


def _parse_sequences(tf: Any) -> Any:
    context = {"label": tf.io.FixedLenFeature([], tf.int64)}
    sequence = {"x": tf.io.FixedLenSequenceFeature([], tf.float32)}

    def parse(serialized: Any) -> Any:
        ctx, seq = tf.io.parse_single_sequence_example(serialized, context, sequence)
        return seq["x"], ctx["label"]

    return parse


def test_tfd404_shuffle_along_the_time_axis(tf: Any, sequences: str) -> None:
    base = tf.data.TFRecordDataset(sequences).map(_parse_sequences(tf), num_parallel_calls=tf.data.AUTOTUNE)
    broken = base.map(lambda x, y: (tf.random.shuffle(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    first = next(iter(broken))[0].numpy()
    assert not np.all(np.diff(first) > 0)  # TensorFlow: the steps are no longer in order
    result = tfdoctor.audit(broken.shuffle(64).padded_batch(8).prefetch(1), batches=2)
    finding = next(f for f in result.findings if f.code == "TFD404")
    assert "tf.random.shuffle on sequences" in finding.message and "SequenceExamples" in finding.message
    correct = tfdoctor.audit(base.shuffle(64).padded_batch(8).prefetch(1), batches=4)
    assert _codes(correct, Severity.WARNING) == set()  # a correct padded_batch pipeline


def test_tfd606_padding_heavy_batches(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "lengths.tfrecord"
    lengths = [2 if i % 4 else 100 for i in range(64)]  # one long sequence in every four
    write_tfrecord(path, [sequence_example({"label": 0}, {"x": [[1.0]] * n}) for n in lengths])
    base = tf.data.TFRecordDataset(str(path)).map(_parse_sequences(tf), num_parallel_calls=tf.data.AUTOTUNE)
    padded = next(iter(base.padded_batch(8)))[0].numpy()
    assert padded.shape == (8, 100) and float(np.mean(padded == 0)) > 0.7  # TensorFlow pads to the longest
    result = tfdoctor.audit(base.padded_batch(8).prefetch(1), batches=2)  # stored order: the same every run
    finding = next(f for f in result.findings if f.code == "TFD606")
    # 2 of each 8 hold 100 steps, 6 hold 2: 1 - (2 * 100 + 6 * 2) / (8 * 100) = 0.735 padding
    assert finding.severity == Severity.INFO and finding.numbers["mean_padding"] == 0.735
    even = tmp_path / "even.tfrecord"
    write_tfrecord(even, [sequence_example({"label": 0}, {"x": [[1.0]] * 20}) for _ in range(32)])
    base = tf.data.TFRecordDataset(str(even)).map(_parse_sequences(tf), num_parallel_calls=tf.data.AUTOTUNE)
    assert "TFD606" not in _codes(tfdoctor.audit(base.shuffle(32).padded_batch(8).prefetch(1), batches=2))


@pytest.fixture(scope="module")
def regression(tmp_path_factory: Any) -> str:
    path = tmp_path_factory.mktemp("reg") / "reg.tfrecord"
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(256, 4))
    ys = xs @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.normal(size=256)
    write_tfrecord(path, [example({"x": [float(v) for v in x], "y": float(y)}) for x, y in zip(xs, ys)])
    return str(path)


def _xy(tf: Any, path: str) -> Any:
    spec = {"x": tf.io.FixedLenFeature([4], tf.float32), "y": tf.io.FixedLenFeature([], tf.float32)}
    return tf.data.TFRecordDataset(path).map(
        lambda s: (lambda e: (e["x"], e["y"]))(tf.io.parse_single_example(s, spec)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def test_tfd513_whole_dataset_in_one_batch(tf: Any, regression: str) -> None:
    def loss_drop(batch_size: int) -> float:
        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.01), loss="mse")
        ds = _xy(tf, regression).shuffle(256).batch(batch_size).prefetch(1)
        before = float(model.evaluate(ds, verbose=0))
        model.fit(ds, epochs=5, verbose=0)
        return (before - float(model.evaluate(ds, verbose=0))) / before

    try:
        full, small = loss_drop(256), loss_drop(16)
    finally:
        tf.random.set_seed(None)  # a global seed would fix every later random op (TFD402)
    assert small > 0.5 and full < small / 3, (full, small)  # Keras: 5 updates barely move the loss; 80 do
    finding = next(
        f for f in tfdoctor.audit(_xy(tf, regression).shuffle(256).batch(256).prefetch(1), batches=1).findings
        if f.code == "TFD513"
    )  # fmt: skip
    assert finding.numbers == {"elements": 256, "batch_size": 256, "steps_per_epoch": 1}
    ok = tfdoctor.audit(_xy(tf, regression).shuffle(256).batch(16).prefetch(1), batches=1)
    assert "TFD513" not in _codes(ok)


def test_tfd514_drop_remainder_yields_nothing(tf: Any, regression: str) -> None:
    empty = _xy(tf, regression).shuffle(256).batch(300, drop_remainder=True).prefetch(1)
    assert list(empty) == []  # TensorFlow: an epoch of zero batches, no error
    finding = next(f for f in tfdoctor.audit(empty, batches=2).findings if f.code == "TFD514")
    assert (
        finding.numbers == {"elements": 256, "batch_size": 300}
        and "The probe pulled no batch" in finding.message
    )
    sharded = _xy(tf, regression).shard(16, 3).shuffle(64).batch(32, drop_remainder=True).prefetch(1)
    assert list(sharded) == []  # 16 records per worker
    assert (
        "per shard"
        in next(f for f in tfdoctor.audit(sharded, batches=0).findings if f.code == "TFD514").message
    )
    unknown = _xy(tf, regression).filter(lambda x, y: True).batch(300, drop_remainder=True)  # no count
    measured = next(f for f in tfdoctor.audit(unknown, batches=2).findings if f.code == "TFD514")
    assert "The probe pulled no batch at all" in measured.message
    few = next(
        f for f in tfdoctor.audit(_xy(tf, regression).filter(lambda x, y: True).batch(128), batches=5).findings
        if f.code == "TFD513"
    )  # fmt: skip
    assert few.numbers["steps_per_epoch"] == 2
    for ok in (
        _xy(tf, regression).shuffle(256).batch(300).prefetch(1),
        _xy(tf, regression).shard(4, 0).shuffle(64).batch(32, drop_remainder=True).prefetch(1),
    ):
        assert "TFD514" not in _codes(tfdoctor.audit(ok, batches=0))


def test_sequence_parse_op_in_the_pipeline_is_checked(tf: Any, sequences: str) -> None:
    context = {"label": tf.io.FixedLenFeature([], tf.int64)}
    wrong = {"x": tf.io.FixedLenSequenceFeature([2], tf.float32)}  # one value per step is stored
    ds = tf.data.TFRecordDataset(sequences).map(
        lambda s: tf.io.parse_single_sequence_example(s, context, wrong)
    )
    with pytest.raises(tf.errors.InvalidArgumentError):
        next(iter(ds))
    result = tfdoctor.audit(ds, batches=0)
    finding = next(f for f in result.findings if f.code == "TFD203")
    assert finding.where.spec == "`map(lambda)` (step 2)" and finding.numbers["stored_values"] == 1
    spec = result.pipeline.steps[1].parse_specs[0]
    assert [(f.name, f.section, f.kind, f.shape) for f in spec.features] == [
        ("label", "context", "FixedLenFeature", ()),
        ("x", "sequence", "FixedLenSequenceFeature", (2,)),
    ]
