"""A pipeline that yields nothing or fails is never "0 errors": against real TensorFlow, each
empty or failing pipeline is shown empty (or failing) in TensorFlow, then audited: TFD105 says
why it is empty, TFD103 names the compression read and the one stored, TFD516 (or the rule
of the cause) explains an error; the corrected twins stay silent."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from conftest import parse_x_label
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.config import Config
from tfdoctor.findings import Severity
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

CODES = ("TFD101", "TFD102", "TFD103", "TFD105", "TFD201", "TFD516")


@pytest.fixture(scope="module")
def data(tmp_path_factory: Any) -> Path:
    """`train.tfrecord` (40 records), its GZIP copy `train.tfrecord.gz`, and two files that
    hold no record."""
    folder: Path = tmp_path_factory.mktemp("data")
    write_tfrecord(folder / "train.tfrecord", [example({"x": float(i), "label": i % 2}) for i in range(40)])
    (folder / "train.tfrecord.gz").write_bytes(gzip.compress((folder / "train.tfrecord").read_bytes()))
    for i in range(2):
        write_tfrecord(folder / f"empty-{i}.tfrecord", [])
    return folder


_parse = parse_x_label


def _audit(dataset: Any) -> tfdoctor.AuditResult:
    return tfdoctor.audit(dataset, batches=3, seconds=5, config=Config(select=CODES))


def _found(result: tfdoctor.AuditResult) -> list[tuple[str, int | None]]:
    return [(f.code, f.where.step) for f in result.findings]


def _errors(result: tfdoctor.AuditResult) -> list[str]:
    return [f.code for f in result.findings if f.severity >= Severity.ERROR]


def test_a_glob_that_matched_nothing(tf: Any, data: Path) -> None:
    names = tf.io.gfile.glob(str(data / "valid-*.tfrecord"))  # the files are named train*
    assert names == []
    ds = tf.data.TFRecordDataset(names).batch(4)
    assert list(ds) == []  # TensorFlow: nothing, and no error
    result = _audit(ds)
    assert _found(result) == [("TFD105", 1)] and result.failed()
    assert result.findings[0].message.startswith("The list of files is empty: `from_tensor_slices(...)`")
    # Dataset.list_files raises instead: the user's function fails, an error finding (exit 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        tf.data.Dataset.list_files(str(data / "valid-*.tfrecord"))
    script = data / "glob_pipeline.py"
    script.write_text(
        "import tensorflow as tf\n\ndef make(pattern):\n"
        "    return tf.data.Dataset.list_files(pattern).interleave(tf.data.TFRecordDataset).batch(4)\n"
    )
    res = CliRunner().invoke(app, ["pipeline", f"{script}:make", "--arg", f"pattern={data}/valid-*.tfrecord"])
    text = " ".join(res.output.split())
    assert res.exit_code == 1 and "TFD517" in text and "No files matched pattern" in text


def test_an_empty_list_of_files(tf: Any) -> None:
    ds = tf.data.TFRecordDataset([]).batch(4)
    assert list(ds) == []
    result = _audit(ds)
    assert _found(result) == [("TFD105", 1)]
    assert result.batches is not None and (result.batches.batches, result.batches.stopped) == (0, "end")


def test_files_that_hold_no_records(tf: Any, data: Path) -> None:
    names = [str(data / f"empty-{i}.tfrecord") for i in range(2)]
    ds = tf.data.TFRecordDataset(names).map(_parse(tf)).batch(4)
    assert list(ds) == []
    result = _audit(ds)
    assert _found(result) == [("TFD105", 1)]
    assert result.findings[0].numbers == {"files": 2, "records": 0, "batches": 0}
    # TensorFlow's repeat() ends at once over an input that is empty from the start: no hang
    assert list(tf.data.TFRecordDataset(names).repeat().take(3)) == []
    assert _found(_audit(tf.data.TFRecordDataset(names).repeat().batch(4))) == [("TFD105", 1)]


def test_gzip_files_read_without_compression_type(tf: Any, data: Path) -> None:
    path = str(data / "train.tfrecord.gz")
    ds = tf.data.TFRecordDataset(path).map(_parse(tf)).batch(4)
    with pytest.raises(tf.errors.DataLossError, match="corrupted record at 0"):
        list(ds)
    result = _audit(ds)
    assert _found(result) == [("TFD103", 1)]  # not TFD101, not TFD516: one cause, one finding
    found = result.findings[0]
    assert found.numbers == {"declared": "none", "detected": "gzip"}
    assert "with no compression_type (uncompressed TFRecord), but its bytes are GZIP" in found.message
    assert "DataLossError: corrupted record at 0" in found.message
    assert found.fix is not None and "compression_type='GZIP'" in found.fix.text
    fixed = tf.data.TFRecordDataset(path, compression_type="GZIP").map(_parse(tf)).batch(4)
    assert len(list(fixed)) == 10
    assert _found(_audit(fixed)) == []


def test_plain_files_read_as_gzip(tf: Any, data: Path) -> None:
    ds = tf.data.TFRecordDataset(str(data / "train.tfrecord"), compression_type="GZIP").batch(4)
    with pytest.raises(tf.errors.DataLossError, match="incorrect header check"):
        list(ds)
    result = _audit(ds)
    assert [code for code, _ in _found(result)] == ["TFD103"]
    found = result.findings[0]
    assert found.numbers == {"declared": "gzip", "detected": "none"}  # the graph shows compression_type
    assert "with compression_type='GZIP' (GZIP), but its bytes are uncompressed TFRecord" in found.message
    assert found.fix is not None and "compression_type=None" in found.fix.text


def _assert_small(x: Any) -> Any:
    import tensorflow as tf

    tf.debugging.assert_less(x, tf.constant(-1.0), message="x out of range")
    return x


def _load(x: Any) -> Any:
    raise ValueError("cannot open the image")


def test_a_map_that_raises_for_every_element(tf: Any, data: Path) -> None:
    asserts = (
        tf.data.TFRecordDataset(str(data / "train.tfrecord"))
        .map(_parse(tf))
        .map(lambda x, y: (_assert_small(x), y))
        .batch(4)
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="x out of range"):
        list(asserts)
    result = _audit(asserts)
    assert _found(result) == [("TFD516", 3)]  # the map whose function holds the Assert
    assert "assertion failed: [x out of range]" in result.findings[0].message
    python = tf.data.Dataset.range(8).map(lambda i: tf.py_function(_load, [i], tf.float32)).batch(4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="ValueError: cannot open the image"):
        list(python)
    result = _audit(python)
    assert _found(result) == [("TFD516", 2)]
    assert "`tf.py_function`" in result.findings[0].message


def test_a_parse_error_is_the_spec_rules_not_tfd516(tf: Any, data: Path) -> None:
    spec = {"labels": tf.io.FixedLenFeature([], tf.int64)}  # the data stores 'label'
    ds = tf.data.TFRecordDataset(str(data / "train.tfrecord")).map(
        lambda s: tf.io.parse_single_example(s, spec)["labels"]
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="Feature: labels .* is required"):
        list(ds.batch(4))
    assert [code for code, _ in _found(_audit(ds.batch(4)))] == ["TFD201"]


def test_a_file_that_does_not_exist(tf: Any, data: Path) -> None:
    ds = tf.data.TFRecordDataset(str(data / "missing.tfrecord")).batch(4)
    with pytest.raises(tf.errors.NotFoundError):
        list(ds)
    result = _audit(ds)
    assert [code for code, _ in _found(result)] == ["TFD105"]
    assert result.findings[0].message == f"{data / 'missing.tfrecord'} does not exist."


def test_correct_pipelines_stay_silent(tf: Any, data: Path) -> None:
    ds = (
        tf.data.TFRecordDataset(str(data / "train.tfrecord"))
        .map(_parse(tf), num_parallel_calls=tf.data.AUTOTUNE)
        .shuffle(100)
        .batch(8)
        .prefetch(tf.data.AUTOTUNE)
    )
    result = tfdoctor.audit(ds, batches=3, seconds=5, config=Config())
    assert _errors(result) == []
    repeated = tf.data.TFRecordDataset(str(data / "train.tfrecord")).map(_parse(tf)).repeat().batch(8)
    assert _found(_audit(repeated)) == []
