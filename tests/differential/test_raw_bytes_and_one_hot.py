"""TFD306 raw-tensor-bytes and TFD607 label-outside-one-hot against real TensorFlow over
generated TFRecord files: what TensorFlow does with raw float32 bytes decoded as an image, at
the right and a wrong dtype, and with `tf.one_hot` of labels 1..3 at depth 3; the rules
fire on the buggy pipeline and stay silent on its corrected twin."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import tfdoctor
from tfdoctor.findings import Severity, Where
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

RECORDS = 12  # at least raw-bytes-min-values
SHAPE = (224, 224, 3)
RAW_LENGTH = 224 * 224 * 3 * 4  # float32


def _arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.random(SHAPE, dtype=np.float32) for _ in range(RECORDS)]


@pytest.fixture(scope="module")
def raw_file(tmp_path_factory: Any) -> str:
    """What TF1 and YOLO writers do: `img.tostring()` of float32 224x224x3 arrays stored in
    `image/encoded`, next to an `image/format` of b'jpeg'."""
    path = tmp_path_factory.mktemp("raw") / "train.tfrecord"
    records = [
        example({"image/encoded": a.tobytes(), "image/format": b"jpeg", "label": i % 3})
        for i, a in enumerate(_arrays())
    ]
    write_tfrecord(path, records)
    return str(path)


def _parse(tf: Any, decode: Any) -> Any:
    spec = {
        "image/encoded": tf.io.FixedLenFeature([], tf.string),
        "label": tf.io.FixedLenFeature([], tf.int64),
    }

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        return decode(ex["image/encoded"]), ex["label"]

    return parse


def _codes(result: Any) -> list[str]:
    return [f.code for f in result.findings]


def _only(result: Any, code: str) -> Any:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in result.findings]
    return found[0]


# ---------------------------------------------------------------------------------------------
# TFD306 raw-tensor-bytes


def test_tfd306_scan_reads_the_length_as_float32_224x224x3_a_warning_at_most(raw_file: str) -> None:
    finding = _only(tfdoctor.scan(raw_file), "TFD306")
    # `image/format` says jpeg: readers that trust it decode it as an image; the scan cannot see one
    assert (finding.severity, finding.where) == (Severity.WARNING, Where(feature="image/encoded"))
    assert finding.numbers["length"] == RAW_LENGTH and finding.numbers["likeliest"] == "float32 224x224x3"
    assert "uint8 448x448x3" in finding.numbers["readings"]  # the same length, read as bytes
    assert finding.fix is not None and "tf.io.decode_raw(x, tf.float32), [224, 224, 3]" in finding.fix.text


def test_tfd306_scan_silent_on_encoded_images(tmp_path: Path) -> None:
    pixels = np.random.default_rng(1).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    path = tmp_path / "png.tfrecord"
    write_tfrecord(path, [example({"image/encoded": out.getvalue(), "label": i % 3}) for i in range(RECORDS)])
    assert "TFD306" not in _codes(tfdoctor.scan(str(path)))


def test_tfd306_decoding_raw_float32_bytes_as_an_image_fails_in_tensorflow(tf: Any, raw_file: str) -> None:
    raw = _arrays()[0].tobytes()
    for decode in (tf.io.decode_png, tf.io.decode_jpeg, tf.io.decode_image):
        with pytest.raises(tf.errors.InvalidArgumentError, match="Unknown image file format"):
            decode(raw, channels=3)
    ds = tf.data.TFRecordDataset(raw_file).map(_parse(tf, lambda x: tf.io.decode_jpeg(x, channels=3)))
    result = tfdoctor.audit(ds.batch(4), batches=2)
    assert result.batches is not None and "Unknown image file format" in (result.batches.error or "")
    finding = _only(result, "TFD306")
    assert finding.severity == Severity.ERROR
    assert finding.where == Where(feature="image/encoded", step=2, call="map(parse)")
    assert finding.numbers["op"] == "DecodeJpeg" and finding.numbers["pipeline_failed"] is True
    assert "tf.reshape(tf.io.decode_raw(x, tf.float32), [224, 224, 3])" in (
        finding.fix.text if finding.fix else ""
    )
    # under ignore_errors() every record is dropped, and the rule still names the cause
    dropped = ds.ignore_errors()
    assert sum(1 for _ in dropped) == 0
    assert _only(tfdoctor.audit(dropped.batch(4), batches=2), "TFD306").severity == Severity.ERROR


def test_tfd306_decode_raw_at_float32_reshaped_to_224x224x3_is_correct_and_silent(
    tf: Any, raw_file: str
) -> None:
    decode = _parse(tf, lambda x: tf.reshape(tf.io.decode_raw(x, tf.float32), SHAPE))
    ds = tf.data.TFRecordDataset(raw_file).map(decode)
    decoded = [image.numpy() for image, _label in ds]
    assert all(np.array_equal(d, a) for d, a in zip(decoded, _arrays()))  # the very arrays written
    step = tfdoctor.audit(ds.batch(4), batches=0).pipeline.steps[1]
    assert [(d.op, d.feature, d.dtype, d.shape) for d in step.decodes] == [
        ("DecodeRaw", "image/encoded", "float32", SHAPE)
    ]
    result = tfdoctor.audit(ds.batch(4), batches=2)
    assert "TFD306" not in _codes(result), [(f.code, f.message) for f in result.findings]


@pytest.mark.parametrize(
    ("dtype", "error"),
    [("uint8", "Input to reshape is a tensor with 602112 values"), ("float64", "with 75264 values")],
)
def test_tfd306_decode_raw_at_another_dtype_fails_the_reshape(
    tf: Any, raw_file: str, dtype: str, error: str
) -> None:
    wrong = getattr(tf, dtype)
    with pytest.raises(tf.errors.InvalidArgumentError, match=error):
        tf.reshape(tf.io.decode_raw(_arrays()[0].tobytes(), wrong), SHAPE)
    ds = tf.data.TFRecordDataset(raw_file).map(
        _parse(tf, lambda x: tf.reshape(tf.io.decode_raw(x, wrong), SHAPE))
    )
    finding = _only(tfdoctor.audit(ds.batch(4), batches=1), "TFD306")
    assert finding.severity == Severity.ERROR and finding.where.step == 2
    assert (finding.numbers["dtype"], finding.numbers["shape"]) == (dtype, list(SHAPE))


def test_tfd306_decode_raw_in_a_later_step_is_a_warning_without_the_error(tf: Any, raw_file: str) -> None:
    """A decode_raw that takes a tensor parsed in an earlier step cannot be traced to its
    feature: the only raw feature parsed is a warning, an error where the pipeline's own error
    shows the mismatch."""
    parsed = tf.data.TFRecordDataset(raw_file).map(_parse(tf, lambda x: x))
    later = parsed.map(lambda x, y: (tf.reshape(tf.io.decode_raw(x, tf.uint8), SHAPE), y))
    assert _only(tfdoctor.audit(later.batch(4), batches=0), "TFD306").severity == Severity.WARNING
    assert _only(tfdoctor.audit(later.batch(4), batches=1), "TFD306").severity == Severity.ERROR


# ---------------------------------------------------------------------------------------------
# TFD607 label-outside-one-hot


@pytest.fixture(scope="module")
def labels_from_one(tmp_path_factory: Any) -> str:
    """Labels 1, 2, 3 (counted from 1), 30 records."""
    path = tmp_path_factory.mktemp("one_hot") / "train.tfrecord"
    write_tfrecord(path, [example({"x": float(i), "label": 1 + i % 3}) for i in range(30)])
    return str(path)


def _one_hot(tf: Any, offset: int = 0) -> Any:
    spec = {"x": tf.io.FixedLenFeature([], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)}

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        return ex["x"], tf.one_hot(ex["label"] + offset, 3)

    return parse


def test_tfd607_labels_1_to_3_at_depth_3_give_all_zero_targets_and_zero_loss(
    tf: Any, labels_from_one: str
) -> None:
    import keras

    ds = tf.data.TFRecordDataset(labels_from_one).map(_one_hot(tf))
    targets = np.stack([y.numpy() for _x, y in ds])
    assert targets[2].tolist() == [0.0, 0.0, 0.0]  # label 3: no class
    zero = int(np.sum(targets.sum(axis=1) == 0))
    assert zero == 10
    cce = keras.losses.CategoricalCrossentropy()
    prediction = tf.constant([[0.2, 0.3, 0.5]])
    assert float(cce(targets[2:3], prediction)) == 0.0  # that example adds nothing to the loss
    assert float(cce(tf.constant([[0.0, 0.0, 1.0]]), prediction)) == pytest.approx(-np.log(0.5), rel=1e-5)

    result = tfdoctor.audit(ds.batch(10), batches=3)
    finding = _only(result, "TFD607")
    assert finding.severity == Severity.ERROR
    assert finding.where == Where(feature="label", step=2, call="map(parse)", tensor="[1]")
    assert finding.numbers == {
        "depth": 3, "offset": 0, "min": 1, "max": 3, "outside": 10, "zero_rows": 10, "rows": 30
    }  # fmt: skip
    assert finding.fix is not None and "tf.one_hot(label - 1, 3)" in finding.fix.text
    label = next(t for t in result.batches.tensors if t.path == "[1]") if result.batches else None
    assert label is not None and (label.zero_rows, label.one_hot_rows) == (10, 20)


def test_tfd607_silent_once_the_labels_are_shifted(tf: Any, labels_from_one: str) -> None:
    ds = tf.data.TFRecordDataset(labels_from_one).map(_one_hot(tf, offset=-1))
    targets = np.stack([y.numpy() for _x, y in ds])
    assert np.all(targets.sum(axis=1) == 1)
    result = tfdoctor.audit(ds.batch(10), batches=3)
    assert "TFD607" not in _codes(result)
    assert result.pipeline.steps[1].one_hots[0].offset == -1
    label = next(t for t in result.batches.tensors if t.path == "[1]") if result.batches else None
    assert label is not None and (label.zero_rows, label.one_hot_rows) == (0, 30)


def test_tfd607_one_hot_in_a_later_step_is_a_warning_until_the_batches_confirm_it(
    tf: Any, labels_from_one: str
) -> None:
    spec = {"x": tf.io.FixedLenFeature([], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)}
    parsed = tf.data.TFRecordDataset(labels_from_one).map(lambda s: tf.io.parse_single_example(s, spec))
    ds = parsed.map(lambda ex: (ex["x"], tf.one_hot(ex["label"], 3))).batch(10)
    assert _only(tfdoctor.audit(ds, batches=0), "TFD607").severity == Severity.WARNING
    confirmed = _only(tfdoctor.audit(ds, batches=3), "TFD607")
    assert confirmed.severity == Severity.ERROR and confirmed.numbers["zero_rows"] == 10


def test_tfd607_the_probe_counts_zero_rows_of_one_hot_tensors_only(tf: Any) -> None:
    """Rows of a 0/1 tensor with at most one 1 are counted until a batch shows it is not
    one-hot (a row with two 1s): then the tensor is not one, and nothing is reported."""
    one_hot = np.array([[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    multi_hot = np.array([[1, 1, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    x = np.zeros((8, 2), dtype=np.float32) + np.arange(8, dtype=np.float32)[:, None]
    for targets, counted in (
        (np.concatenate([one_hot, one_hot]), (2, 6)),
        (np.concatenate([one_hot, multi_hot]), (0, 0)),
    ):
        result = tfdoctor.audit(tf.data.Dataset.from_tensor_slices((x, targets)).batch(4), batches=2)
        label = next(t for t in result.batches.tensors if t.path == "[1]") if result.batches else None
        assert label is not None and (label.zero_rows, label.one_hot_rows) == counted
        assert ("TFD607" in _codes(result)) == (counted != (0, 0))  # made elsewhere: a warning
        features = next(t for t in result.batches.tensors if t.path == "[0]") if result.batches else None
        assert features is not None and (features.zero_rows, features.one_hot_rows) == (0, 0)
