"""Severity follows evidence (issue 10), against real TensorFlow: what the rules now call
info (optional keys, constants by design, images a pipeline resizes) TensorFlow parses,
decodes and batches without a word, and what they still call an error or a warning
TensorFlow fails on, or fills with a made-up value, as the finding says."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import tfdoctor
from tfdoctor.findings import Finding, Severity
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

N = 60


def _jpeg(height: int, width: int, gray: bool = False, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    shape = (height, width) if gray else (height, width, 3)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(out, "JPEG")
    return out.getvalue()


def _only(findings: list[Finding], code: str, **where: str) -> Finding:
    found = [
        f for f in findings if f.code == code and all(getattr(f.where, k) == v for k, v in where.items())
    ]
    assert len(found) == 1, [(f.code, f.severity, f.where, f.message) for f in findings]
    return found[0]


# ---------------------------------------------------------------------------------------------
# TFD201: a key no record holds


@pytest.fixture(scope="module")
def detection(tmp_path_factory: Any) -> tuple[Path, list[bytes]]:
    """Object-detection style records: no 'image/object/area', no 'image/object/difficult'."""
    records = [
        example(
            {
                "image/encoded": b"\xff\xd8not-decoded",
                "image/format": b"jpeg",
                "image/object/bbox/xmin": [0.1 * (i % 5), 0.5],
                "image/object/class/text": [b"cat", b"dog"],
                "image/object/class/label": [1 + i % 3, 2],
                "size": [192, 192],
                "label": i % 3,
            }
        )
        for i in range(N)
    ]
    path = tmp_path_factory.mktemp("detection") / "train.tfrecord"
    write_tfrecord(path, records)
    return path, records


def test_tfd201_optional_keys_are_info_as_tensorflow_fills_or_empties_them(tf: Any, detection: Any) -> None:
    path, records = detection
    spec = {
        "image/encoded": tf.io.FixedLenFeature([], tf.string),
        "image/object/area": tf.io.VarLenFeature(tf.float32),
        "image/object/difficult": tf.io.FixedLenFeature([], tf.int64, default_value=0),
    }
    parsed = tf.io.parse_example(records, spec)  # TensorFlow: no error
    assert parsed["image/object/area"].values.shape == (0,)
    assert parsed["image/object/difficult"].numpy().tolist() == [0] * N
    findings = [f for f in tfdoctor.check_spec(str(path), spec).findings if f.code == "TFD201"]
    assert {(f.where.feature, f.severity, f.numbers["closest"]) for f in findings} == {
        ("image/object/area", Severity.INFO, None),  # never 'image/object/class/text' (bytes)
        ("image/object/difficult", Severity.INFO, None),
    }
    area = _only(findings, "TFD201", feature="image/object/area")
    assert "always empty" in area.message and "Did you mean" not in area.message


def test_tfd201_a_required_key_fails_in_tensorflow_and_is_an_error(tf: Any, detection: Any) -> None:
    path, records = detection
    spec = {"image/source_id": tf.io.FixedLenFeature([], tf.int64)}
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"Feature: image/source_id \(data type: int64\) is required but could not be found",
    ):
        tf.io.parse_example(records, spec)
    f = _only(tfdoctor.check_spec(str(path), spec).findings, "TFD201")
    assert f.severity == Severity.ERROR and f.numbers["parse_fails"] is True


def test_tfd201_a_typo_of_a_key_of_the_same_kind_is_an_error(tf: Any, detection: Any) -> None:
    path, records = detection
    spec = {"image/object/class/lable": tf.io.VarLenFeature(tf.int64)}
    assert tf.io.parse_example(records, spec)["image/object/class/lable"].values.shape == (0,)  # silent
    f = _only(tfdoctor.check_spec(str(path), spec).findings, "TFD201")
    assert (f.severity, f.numbers["closest"]) == (Severity.ERROR, "image/object/class/label")
    fixed = {"image/object/class/label": tf.io.VarLenFeature(tf.int64)}
    assert tf.io.parse_example(records, fixed)["image/object/class/label"].values.shape == (2 * N,)


# ---------------------------------------------------------------------------------------------
# TFD206: constants nobody reads are info; a constant vector prints as the vector


def test_tfd206_a_constant_vector_the_spec_reads_prints_as_the_vector(tf: Any, detection: Any) -> None:
    path, records = detection
    spec = {"size": tf.io.FixedLenFeature([2], tf.int64), "label": tf.io.FixedLenFeature([], tf.int64)}
    assert tf.io.parse_example(records, spec)["size"].numpy().tolist() == [[192, 192]] * N
    findings = tfdoctor.check_spec(str(path), spec).findings
    size = _only(findings, "TFD206", feature="size")
    assert size.severity == Severity.WARNING
    assert "the same 2 values [192, 192] in all 60 records" in size.message
    assert "single value" not in size.message
    unread = _only(findings, "TFD206", feature="image/format")
    assert unread.severity == Severity.INFO


# ---------------------------------------------------------------------------------------------
# TFD208: labels that start at 1


def test_tfd208_labels_from_1_are_no_missing_class(tmp_path: Path) -> None:
    path = tmp_path / "l.tfrecord"
    write_tfrecord(path, [example({"label": 1 + i % 5}) for i in range(300)])
    assert "TFD208" not in {f.code for f in tfdoctor.scan(str(path)).findings}


# ---------------------------------------------------------------------------------------------
# TFD601: what the probe finds constant, and why


def test_tfd601_bookkeeping_flags_shapes_and_defaults(tf: Any, tmp_path: Path) -> None:
    """BERT's is_real_example (1 in every record), an object-detection true_image_shape, and a
    default_value filling a key no record holds: only the default is an error."""
    path = tmp_path / "bert.tfrecord"
    write_tfrecord(
        path,
        [
            example(
                {
                    "input_ids": [i % 7, 3, 4, 5],
                    "label_ids": i % 2,
                    "is_real_example": 1,
                    "image": _jpeg(8, 8, seed=i),
                }
            )
            for i in range(64)
        ],
    )
    spec = {
        "input_ids": tf.io.FixedLenFeature([4], tf.int64),
        "label_ids": tf.io.FixedLenFeature([], tf.int64),
        "is_real_example": tf.io.FixedLenFeature([], tf.int64),
        "image": tf.io.FixedLenFeature([], tf.string),
        "weight": tf.io.FixedLenFeature([], tf.float32, default_value=1.0),  # no record holds it
    }

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        image = tf.image.resize(tf.io.decode_jpeg(ex.pop("image"), channels=3), [12, 12])
        return {**ex, "image": image, "true_image_shape": tf.shape(image)}

    ds = tf.data.TFRecordDataset(str(path)).map(parse).shuffle(64).batch(8)
    batch = next(iter(ds))  # TensorFlow: the default fills 'weight', the shape is the image's
    assert batch["weight"].numpy().tolist() == [1.0] * 8
    assert batch["true_image_shape"].numpy().tolist() == [[12, 12, 3]] * 8
    findings = [f for f in tfdoctor.audit(ds, batches=4).findings if f.code == "TFD601"]
    by_tensor = {f.where.tensor: f for f in findings}
    assert {t: f.severity for t, f in by_tensor.items()} == {
        "is_real_example": Severity.INFO,
        "true_image_shape": Severity.INFO,
        "weight": Severity.ERROR,
    }
    assert "TFD206" in by_tensor["is_real_example"].message
    assert "the shape of 'image'" in by_tensor["true_image_shape"].message
    assert "default_value=1.0 of 'weight'" in by_tensor["weight"].message


# ---------------------------------------------------------------------------------------------
# TFD301 / TFD304: a pipeline that decodes with channels= and resizes is info


@pytest.fixture(scope="module")
def mixed_images(tmp_path_factory: Any) -> Path:
    """JPEGs of two sizes, a few of them grayscale."""
    path = tmp_path_factory.mktemp("mixed") / "images.tfrecord"
    write_tfrecord(
        path,
        [
            example(
                {"image/encoded": _jpeg(20 if i % 3 else 24, 16, gray=i % 10 == 0, seed=i), "label": i % 2}
            )
            for i in range(40)
        ],
    )
    return path


def _decode(tf: Any, channels: int, then: Any) -> Any:
    spec = {
        "image/encoded": tf.io.FixedLenFeature([], tf.string),
        "label": tf.io.FixedLenFeature([], tf.int64),
    }

    def fn(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        return then(tf.io.decode_jpeg(ex["image/encoded"], channels=channels)), ex["label"]

    return fn


def test_tfd301_tfd304_a_pipeline_that_resizes_with_channels_is_info(tf: Any, mixed_images: Path) -> None:
    def resize(image: Any) -> Any:
        return tf.image.resize(image, [16, 16])

    ds = tf.data.TFRecordDataset(str(mixed_images)).map(_decode(tf, 3, resize)).batch(8)
    assert sum(int(x.shape[0]) for x, _ in ds) == 40  # TensorFlow batches every record
    scan = tfdoctor.scan(str(mixed_images)).findings
    assert _only(scan, "TFD301").severity == Severity.INFO  # no pipeline known: sizes alone are normal
    assert _only(scan, "TFD304").severity == Severity.WARNING
    audit = tfdoctor.audit(ds, batches=0).findings  # judged from the graph alone
    assert _only(audit, "TFD301").severity == Severity.INFO
    assert _only(audit, "TFD304").severity == Severity.INFO
    assert _only(audit, "TFD301").where.call == "map(fn)"


def test_tfd301_a_reshape_without_resize_stays_a_warning(tf: Any, mixed_images: Path) -> None:
    def reshape(image: Any) -> Any:
        return tf.reshape(image, [20, 16, 3])

    ds = tf.data.TFRecordDataset(str(mixed_images)).map(_decode(tf, 3, reshape)).batch(8)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input to reshape"):
        list(ds)  # TensorFlow fails on the 24x16 images
    f = _only(tfdoctor.audit(ds, batches=0).findings, "TFD301")
    assert f.severity == Severity.WARNING and "without resizing" in f.message


def test_tfd304_a_decode_without_channels_stays_a_warning(tf: Any, mixed_images: Path) -> None:
    def resize(image: Any) -> Any:
        return tf.image.resize(image, [16, 16])

    ds = tf.data.TFRecordDataset(str(mixed_images)).map(_decode(tf, 0, resize)).batch(40)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot (batch|add) tensor"):
        list(ds)  # gray (1 channel) and color (3) meet in one batch
    f = _only(tfdoctor.audit(ds, batches=0).findings, "TFD304")
    assert f.severity == Severity.WARNING and "without `channels=`" in f.message


# ---------------------------------------------------------------------------------------------
# TFD502: a buffer of one batch over files in random order is info


def test_tfd502_one_batch_buffer_over_random_order_is_info(tf: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    shuffled = tmp_path / "random.tfrecord"
    write_tfrecord(
        shuffled, [example({"label": int(v), "x": float(i)}) for i, v in enumerate(rng.integers(0, 4, 400))]
    )
    ordered = tmp_path / "ordered.tfrecord"  # runs of 20 records of one label
    write_tfrecord(ordered, [example({"label": (i // 20) % 4, "x": float(i)}) for i in range(400)])
    spec = {"label": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([], tf.float32)}

    def pipeline(path: Path) -> Any:
        parse = lambda s: tf.io.parse_single_example(s, spec)  # noqa: E731
        return tf.data.TFRecordDataset(str(path)).map(parse).shuffle(32).batch(32)

    assert _only(tfdoctor.audit(pipeline(shuffled), batches=0).findings, "TFD502").severity == Severity.INFO
    warned = _only(tfdoctor.audit(pipeline(ordered), batches=0).findings, "TFD502")
    assert warned.severity == Severity.WARNING and "in runs" in warned.message
