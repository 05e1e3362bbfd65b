"""Edges a user sees, through the public API on real files and real tf.data pipelines: each
case here once survived a hand-made mutation of tfdoctor (issue 16), so each names the exact
findings (code, severity, where, numbers) on the firing side and nothing on its twin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import tf_read

import tfdoctor
from tfdoctor.findings import Finding, Severity
from tfdoctor.io.tfrecord import frame
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

PAYLOADS = [example({"label": i % 2, "x": float(i)}) for i in range(20)]
OFFSETS = [sum(len(frame(p)) for p in PAYLOADS[:i]) for i in range(len(PAYLOADS))]


def _corrupt(path: Path, records: tuple[int, ...]) -> Path:
    data = bytearray(b"".join(frame(p) for p in PAYLOADS))
    for k in records:
        data[OFFSETS[k] + 14] ^= 0x01  # a byte of the record's data: its CRC fails
    path.write_bytes(bytes(data))
    return path


def _codes(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


# ---------------------------------------------------------------------------------------------
# The record index after a corrupt frame


def test_second_corrupt_record_is_named_by_its_position_as_tensorflow_counts_it(
    tf: Any, tmp_path: Path
) -> None:
    both = _corrupt(tmp_path / "both.tfrecord", (5, 12))
    (f,) = _codes(tfdoctor.scan(str(both)).findings, "TFD101")
    assert f.numbers == {"corrupt": 2, "bytes_skipped": 98, "good_records": 18, "offsets": [257, 600]}
    assert (f.where.offset, f.where.record) == (257, 5)
    assert "byte 257 (record 5), byte 600 (record 12)" in f.message
    # TensorFlow, on a file with only the second fault, stops there after 12 records at byte 600
    only_second = _corrupt(tmp_path / "second.tfrecord", (12,))
    records, error = tf_read(tf, only_second)
    assert len(records) == 12 and error is not None and "corrupted record at 600" in error


# ---------------------------------------------------------------------------------------------
# TFD208 label-imbalance: the majority at the threshold, and the rare-class branch


def _labels(tmp_path: Path, counts: dict[int, int]) -> list[Finding]:
    labels = [c for c, n in counts.items() for _ in range(n)]
    path = tmp_path / "labels.tfrecord"
    write_tfrecord(path, [example({"label": c, "x": float(i)}) for i, c in enumerate(labels)])
    return _codes(tfdoctor.scan(str(path)).findings, "TFD208")


def test_tfd208_fires_when_900_of_1000_records_hold_one_class(tmp_path: Path) -> None:
    (f,) = _labels(tmp_path, {0: 900, 1: 100})
    assert (f.severity, f.where.feature) == (Severity.WARNING, "label")
    assert f.numbers == {"class": "0", "count": 900, "records": 1000, "fraction": 0.9, "classes": 2}


def test_tfd208_silent_at_899_of_1000(tmp_path: Path) -> None:
    assert _labels(tmp_path, {0: 899, 1: 101}) == []


def test_tfd208_names_a_class_under_the_rare_fraction(tmp_path: Path) -> None:
    (f,) = _labels(tmp_path, {0: 1000, 1: 1000, 2: 1})  # 1 of 2,001 < 0.1%
    assert (f.severity, f.where.feature) == (Severity.WARNING, "label")
    assert f.numbers == {"rare": {"2": 1}, "records": 2001}


def test_tfd208_silent_on_a_class_at_the_rare_fraction(tmp_path: Path) -> None:
    assert _labels(tmp_path, {0: 500, 1: 499, 2: 1}) == []  # 1 of 1,000 = 0.1%


# ---------------------------------------------------------------------------------------------
# TFD204 default-masks-missing: a defaulted label is an error, a defaulted input a warning


@pytest.mark.parametrize(("key", "severity"), [("label", Severity.ERROR), ("age", Severity.WARNING)])
def test_tfd204_escalates_a_defaulted_label(tf: Any, tmp_path: Path, key: str, severity: Severity) -> None:
    records = [example({key: 1, "x": 0.5}) if i % 10 >= 3 else example({"x": 0.5}) for i in range(100)]
    path = tmp_path / "d.tfrecord"
    write_tfrecord(path, records)
    spec = {
        key: tf.io.FixedLenFeature([], tf.int64, default_value=0),
        "x": tf.io.FixedLenFeature([], tf.float32),
    }
    (f,) = _codes(tfdoctor.check_spec(str(path), spec).findings, "TFD204")
    assert f.severity == severity
    assert (f.numbers["records"], f.numbers["defaulted"], f.numbers["fraction"]) == (100, 30, 0.3)
    # TensorFlow: the 30 records get the default without a word
    parsed = tf.io.parse_example([r for r in records], spec)[key].numpy().tolist()
    assert parsed.count(0) == 30


# ---------------------------------------------------------------------------------------------
# Pipelines: TFD503's unbatch exemption, TFD502's buffer no larger than a batch, TFD505's skip


@pytest.fixture(scope="module")
def records(tmp_path_factory: Any) -> str:
    path = tmp_path_factory.mktemp("edges") / "r.tfrecord"
    write_tfrecord(path, [example({"x": float(i)}) for i in range(1000)])
    return str(path)


def _audit(ds: Any, code: str) -> list[Finding]:
    return _codes(tfdoctor.audit(ds, batches=0, config=tfdoctor.Config(select=(code,))).findings, code)


def test_tfd503_fires_on_a_shuffle_of_batches(tf: Any, records: str) -> None:
    (f,) = _audit(tf.data.TFRecordDataset(records).batch(8).shuffle(50), "TFD503")
    assert f.severity == Severity.WARNING
    assert f.numbers == {"shuffle_step": 3, "batch_step": 2}


def test_tfd503_silent_after_an_unbatch(tf: Any, records: str) -> None:
    assert _audit(tf.data.TFRecordDataset(records).batch(8).unbatch().shuffle(50), "TFD503") == []


def test_tfd502_fires_on_a_buffer_smaller_than_the_batch(tf: Any, records: str) -> None:
    (f,) = _audit(tf.data.TFRecordDataset(records).shuffle(8).batch(32), "TFD502")
    assert f.severity == Severity.WARNING  # tiny: 8 records at most
    assert f.numbers == {"buffer_size": 8, "batch_size": 32}


def test_tfd502_silent_on_a_buffer_larger_than_the_batch(tf: Any, records: str) -> None:
    assert _audit(tf.data.TFRecordDataset(records).shuffle(64).batch(32), "TFD502") == []


def test_tfd505_fires_on_a_skip_that_leaves_few_records_to_repeat(tf: Any, records: str) -> None:
    (f,) = _audit(tf.data.TFRecordDataset(records).skip(990).repeat().batch(5), "TFD505")
    assert f.severity == Severity.ERROR
    assert f.numbers == {"records_kept": 10, "records": 1000, "fraction": 0.01}


def test_tfd505_silent_on_a_skip_that_leaves_most(tf: Any, records: str) -> None:
    assert _audit(tf.data.TFRecordDataset(records).skip(100).repeat().batch(5), "TFD505") == []
