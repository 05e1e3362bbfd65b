"""TFD701, TFD702, TFD705, TFD602 and the scan side of TFD704 on real Keras models and real
pipelines (TFRecord files written here), each with its fixed twin; and what Keras does with
what the rules report, confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.findings import Finding, Severity, Where
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def audited(dataset: Any, model: Any, select: tuple[str, ...] = ("TFD7", "TFD602")) -> list[Finding]:
    result = tfdoctor.audit(dataset, model=model, batches=2, seconds=30, config=Config(select=select))
    assert result.rule_errors == []
    return result.findings


def image_files(tf: Any, folder: Path, records: int = 64, channels: int = 3) -> str:
    """PNG images 16 x 16 with values 0..255, and labels 0..3, in one TFRecord file."""
    rng = np.random.default_rng(0)
    path = folder / "images.tfrecord"
    pixels = rng.integers(0, 256, size=(records, 16, 16, channels), dtype=np.uint8)
    write_tfrecord(
        path, [example({"image": tf.io.encode_png(p).numpy(), "label": i % 4}) for i, p in enumerate(pixels)]
    )
    return str(path)


def images(tf: Any, path: str, channels: int = 3, scale: float = 1.0) -> Any:
    spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}

    def parse(record: Any) -> Any:
        parsed = tf.io.parse_single_example(record, spec)
        image = tf.cast(tf.io.decode_png(parsed["image"], channels=channels), tf.float32) * scale
        return image, parsed["label"]

    return tf.data.TFRecordDataset(path).map(parse).batch(16)


def cnn(channels: int = 3, rescale: bool = False, loss: Any = "sparse_categorical_crossentropy") -> Any:
    import keras

    image = keras.Input((16, 16, channels), name="image")
    x = keras.layers.Rescaling(1 / 255)(image) if rescale else image
    x = keras.layers.Flatten()(keras.layers.Conv2D(4, 3, activation="relu")(x))
    model = keras.Model(image, keras.layers.Dense(4, activation="softmax", name="probs")(x))
    model.compile("adam", loss)
    return model


# ---------------------------------------------------------------------------------------------
# TFD602 unnormalized-input, with the model


def test_tfd602_silent_with_rescaling_an_error_without(tf: Any, tmp_path: Path) -> None:
    ds = images(tf, image_files(tf, tmp_path))
    assert audited(ds, cnn(rescale=True)) == []
    (f,) = audited(ds, cnn(rescale=False))
    assert (f.code, f.severity, f.where) == ("TFD602", Severity.ERROR, Where(tensor="[0]"))
    assert "does not rescale its input 'image'" in f.message
    (without_model,) = tfdoctor.audit(ds, batches=2, config=Config(select=("TFD602",))).findings
    assert without_model.severity == Severity.INFO
    assert (
        audited(images(tf, image_files(tf, tmp_path), scale=1 / 255), cnn()) == []
    )  # scaled in the pipeline


def test_tfd602_uint8_images_reach_the_model_unscaled(tf: Any, tmp_path: Path) -> None:
    """Decoded PNGs left uint8: Keras casts them to the float32 Input as they are (0..255)."""
    import keras

    ds = images(tf, image_files(tf, tmp_path)).map(lambda x, y: (tf.cast(x, tf.uint8), y))
    model = cnn()
    (f,) = audited(ds, model)
    assert (f.code, f.severity) == ("TFD602", Severity.ERROR)
    assert audited(ds, cnn(rescale=True)) == []
    first = keras.Model(model.inputs, model.layers[1].output)  # the first Conv2D sees the values
    x = next(iter(ds))[0]
    np.testing.assert_allclose(first(x), first(tf.cast(x, tf.float32)), rtol=1e-6)


def test_tfd602_silent_for_an_application_with_its_own_rescaling(tf: Any, tmp_path: Path) -> None:
    import keras

    base = keras.applications.MobileNetV3Small(include_top=False, weights=None, input_shape=(32, 32, 3))
    image = keras.Input((16, 16, 3), name="image")
    x = keras.layers.GlobalAveragePooling2D()(base(keras.layers.Resizing(32, 32)(image)))
    model = keras.Model(image, keras.layers.Dense(4, activation="softmax")(x))
    model.compile("adam", "sparse_categorical_crossentropy")
    assert audited(images(tf, image_files(tf, tmp_path)), model) == []


# ---------------------------------------------------------------------------------------------
# TFD701 input-shape-mismatch


def test_tfd701_grayscale_images_into_an_rgb_model(tf: Any, tmp_path: Path) -> None:
    ds = images(tf, image_files(tf, tmp_path), channels=1, scale=1 / 255)
    model = cnn(channels=3)
    (f,) = audited(ds, model)
    assert (f.code, f.severity, f.where) == ("TFD701", Severity.ERROR, Where(tensor="[0]", layer="image"))
    assert f.numbers == {"shape": [16, 16, 16, 1], "expected": [None, 16, 16, 3]}
    with pytest.raises(ValueError, match="incompatible"):  # what the rule says Keras does
        model.fit(ds, epochs=1, verbose=0)
    assert audited(ds, cnn(channels=1)) == []


def test_tfd701_silent_where_keras_adds_the_trailing_axis(tf: Any) -> None:
    """(batch,) into an Input of shape (1,): Keras adds the axis of size 1 itself, and fits."""
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    ds = tf.data.Dataset.from_tensor_slices((np.arange(64, dtype="float32"), np.zeros(64, "float32"))).batch(
        16
    )
    assert audited(ds, model) == []
    model.fit(ds, epochs=1, verbose=0)


def test_tfd701_an_unbatched_dataset(tf: Any, tmp_path: Path) -> None:
    ds = images(tf, image_files(tf, tmp_path), scale=1 / 255).unbatch()
    model = cnn()
    (f,) = audited(ds, model)
    assert "not batched" in f.message
    with pytest.raises(ValueError, match="incompatible|expected"):
        model.fit(ds, epochs=1, verbose=0)


# ---------------------------------------------------------------------------------------------
# TFD702 input-dtype-mismatch


def test_tfd702_strings_into_a_numeric_input(tf: Any) -> None:
    import keras

    model = keras.Sequential([keras.Input((1,), name="x"), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    texts = tf.data.Dataset.from_tensor_slices((tf.constant([["1.5"]] * 32), tf.zeros((32, 1)))).batch(8)
    (f,) = audited(texts, model)
    assert (f.code, f.severity) == ("TFD702", Severity.ERROR)
    with pytest.raises((ValueError, tf.errors.UnimplementedError, tf.errors.InvalidArgumentError)):
        model.fit(texts, epochs=1, verbose=0)
    numbers = tf.data.Dataset.from_tensor_slices((tf.ones((32, 1), tf.uint8), tf.zeros((32, 1)))).batch(8)
    assert audited(numbers, model) == []  # uint8 into float32: Keras casts them exactly


def test_tfd702_fractions_into_an_integer_input_are_cut_off(tf: Any) -> None:
    import keras

    ids = keras.Input((1,), dtype="int32", name="ids")
    model = keras.Model(
        ids, keras.layers.Dense(1)(keras.layers.Flatten()(keras.layers.Embedding(10, 2)(ids)))
    )
    model.compile("sgd", "mse")
    fractions = tf.data.Dataset.from_tensor_slices(
        (np.full((32, 1), 1.7, "float32"), np.zeros(32, "float32"))
    ).batch(8)
    (f,) = audited(fractions, model)
    assert (f.code, f.severity) == ("TFD702", Severity.WARNING)
    np.testing.assert_array_equal(model(np.full((1, 1), 1.7, "float32")), model(np.ones((1, 1), "int32")))
    whole = fractions.map(lambda x, y: (tf.round(x), y))
    assert audited(whole, model) == []


# ---------------------------------------------------------------------------------------------
# TFD705 logits-mismatch


def test_tfd705_softmax_output_with_from_logits(tf: Any, tmp_path: Path) -> None:
    import keras

    ds = images(tf, image_files(tf, tmp_path), scale=1 / 255)
    (f,) = audited(ds, cnn(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)))
    assert (f.code, f.severity, f.where) == ("TFD705", Severity.WARNING, Where(layer="probs"))
    assert audited(ds, cnn(loss=keras.losses.SparseCategoricalCrossentropy())) == []
    # the loss takes softmax again: probabilities (0.9, 0.1) lose like logits, not like 0.9
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    twice = float(loss(np.array([0]), np.array([[0.9, 0.1]], "float32")))
    assert twice == pytest.approx(-np.log(np.exp(0.9) / (np.exp(0.9) + np.exp(0.1))), rel=1e-5)


def test_tfd705_logits_into_a_loss_that_takes_probabilities(tf: Any, tmp_path: Path) -> None:
    import keras

    image = keras.Input((16, 16, 3), name="image")
    x = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(image))
    logits = keras.Model(image, keras.layers.Dense(4, name="logits")(x))
    logits.compile("adam", keras.losses.SparseCategoricalCrossentropy())
    (f,) = audited(images(tf, image_files(tf, tmp_path)), logits)
    assert (f.code, f.where, f.numbers) == (
        "TFD705",
        Where(layer="logits"),
        {"activation": "linear", "from_logits": False},
    )
    # a negative score clipped into (0, 1) gets no gradient
    scores = tf.Variable([[2.0, -3.0]])
    with tf.GradientTape() as tape:
        value = keras.losses.SparseCategoricalCrossentropy()(np.array([1]), scores)
    assert float(tape.gradient(value, scores)[0, 1]) == 0.0


# ---------------------------------------------------------------------------------------------
# TFD704 from the scan: a class the probed batches missed


def test_tfd704_a_label_only_the_scan_of_the_files_saw(tf: Any, tmp_path: Path) -> None:
    """Labels 0..3, and one record with 4 at the end of the file: the two probed batches do
    not reach it, the scan does: a warning. Without that record: silent."""
    rows = [example({"x": [float(i % 7)] * 8, "label": i % 4}) for i in range(400)]

    def pipeline(records: list[bytes], name: str) -> Any:
        path = tmp_path / name
        write_tfrecord(path, records)
        spec = {"x": tf.io.FixedLenFeature([8], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)}
        return (
            tf.data.TFRecordDataset(str(path))
            .map(lambda r: parse_x_label(tf.io.parse_single_example(r, spec)))
            .batch(16)
        )

    import keras

    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    (f,) = audited(
        pipeline([*rows, example({"x": [0.0] * 8, "label": 4})], "rare.tfrecord"), model, ("TFD704",)
    )
    assert (f.severity, f.numbers) == (Severity.WARNING, {"min": 0, "max": 4, "units": 4, "measured": False})
    assert audited(pipeline(rows, "fine.tfrecord"), model, ("TFD704",)) == []


def parse_x_label(parsed: dict[str, Any]) -> tuple[Any, Any]:
    return parsed["x"], parsed["label"]


def test_a_correct_model_on_a_correct_pipeline_gets_no_model_finding(tf: Any, tmp_path: Path) -> None:
    result = tfdoctor.audit(images(tf, image_files(tf, tmp_path)), model=cnn(rescale=True), batches=2)
    assert [f.code for f in result.findings if f.code.startswith("TFD7") or f.code == "TFD602"] == []
    assert result.model is not None and result.model.rescales("image")
    assert result.to_json()["model"]["outputs"][0]["activation"] == "softmax"


def test_the_probe_marks_ragged_and_sparse_leaves_and_whole_numbers(tf: Any) -> None:
    """What the TFD7xx rules read from the probe: ragged and sparse leaves are marked (their
    shape is of the flat values), and whether a tensor holds whole numbers, even as floats."""
    from tfdoctor.pipeline.graph import read_pipeline
    from tfdoctor.pipeline.probe import probe

    ragged = tf.ragged.constant([[1, 2], [3], [4, 5, 6], [7]])
    ds = tf.data.Dataset.from_tensor_slices((ragged, [0.0, 1.0, 2.0, 1.0], [0.5, 1.0, 2.0, 3.0])).batch(2)
    facts, _ = probe(ds, read_pipeline(ds), batches=2, seconds=30)
    by_path = {t.path: t for t in facts.tensors}
    assert by_path["[0]"].composite and not by_path["[1]"].composite
    assert (by_path["[1]"].integral, by_path["[2]"].integral) == (True, False)
    sparse = tf.data.Dataset.from_tensors(tf.sparse.from_dense(tf.eye(3)))
    facts, _ = probe(sparse, read_pipeline(sparse), batches=1, seconds=30)
    assert facts.tensors[0].composite
