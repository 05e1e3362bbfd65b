"""TFD7xx and TFD8xx branches that mutants bent without a test noticing (scripts/mutation on
tests/rules, issue 16): how batches meet model inputs (dicts, tuples, a trailing axis of 1,
unbatched elements), label encodings and ranges (a second output, an uncompiled sigmoid, the
scan's shifted range), and the training rules at their thresholds. Each firing case with its
silent twin; the wording snapshot compares message and fix."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from facts_builders import PLAIN, batch_facts, check, dataset, feature, numbers, one, pipeline_facts, tensor

from tfdoctor.config import Thresholds
from tfdoctor.facts import Facts, TensorFacts
from tfdoctor.facts.model import ModelFacts, OutputFacts, TensorSpecFacts
from tfdoctor.facts.training import Curve, EpochFacts, TrainingFacts
from tfdoctor.findings import Severity, Where

IMAGE_IN = TensorSpecFacts("image", (None, 28, 28, 1), "float32")


def output(
    name: str = "probs", units: int = 10, activation: str = "softmax", loss: str | None = None
) -> OutputFacts:
    return OutputFacts(
        name, (None, units), layer=name, activation=activation, activation_layer=name, loss=loss
    )


def model(*outputs: OutputFacts, inputs: tuple[TensorSpecFacts, ...] = (IMAGE_IN,)) -> ModelFacts:
    outs = outputs or (output(loss="sparse_categorical_crossentropy"),)
    return ModelFacts("cnn", inputs=inputs, outputs=outs, compiled=any(o.loss for o in outs))


def images(shape: tuple[int, ...] = (32, 28, 28, 1), path: str = "[0]") -> TensorFacts:
    return tensor(path, "float32", shape, min=0.0, max=1.0, image_like=True)


def ids(
    low: float = 0, high: float | None = 9, shape: tuple[int, ...] = (32,), path: str = "[1]"
) -> TensorFacts:
    return tensor(path, "int64", shape, min=low, max=high, integral=True)


def fed(m: ModelFacts, *tensors: TensorFacts, pipeline: Any = None) -> Facts:
    return Facts(pipeline=pipeline or pipeline_facts(PLAIN), batches=batch_facts(*tensors), model=m)


# ---------------------------------------------------------------------------------------------
# TFD701 input-shape-mismatch and TFD702 input-dtype-mismatch: how leaves meet inputs


def test_tfd701_a_dict_of_one_leaf_feeds_the_one_input_whatever_its_name() -> None:
    f = one(check("TFD701", fed(model(), images((32, 28, 28, 3), path="pixels"))))
    assert f.where == Where(tensor="pixels", layer="image")
    assert f.numbers == {"shape": [32, 28, 28, 3], "expected": [None, 28, 28, 1]}


def test_tfd701_a_tuple_of_inputs_feeds_them_by_position() -> None:
    two = (TensorSpecFacts("a", (None, 4), "float32"), TensorSpecFacts("b", (None, 8), "float32"))
    x = (tensor("[0][0]", shape=(32, 4)), tensor("[0][1]", shape=(32, 5)))
    f = one(check("TFD701", fed(model(inputs=two), *x, ids())))
    assert f.where == Where(tensor="[0][1]", layer="b")
    assert f.numbers == {"shape": [32, 5], "expected": [None, 8]}


def test_tfd701_keras_drops_one_trailing_axis_of_one() -> None:
    flat = (TensorSpecFacts("x", (None, 10), "float32"),)
    assert check("TFD701", fed(model(inputs=flat), tensor("[0]", shape=(32, 10, 1)), ids())) == []
    f = one(check("TFD701", fed(model(inputs=flat), tensor("[0]", shape=(32, 10, 2)), ids())))
    assert f.numbers == {"shape": [32, 10, 2], "expected": [None, 10]}


def test_tfd701_elements_of_the_input_shape_are_unbatched_even_without_a_pipeline() -> None:
    facts = Facts(batches=batch_facts(images((28, 28, 1)), ids(shape=())), model=model())
    f = one(check("TFD701", facts))
    assert f.fix is not None and f.fix.text == "Add `.batch(n)` to the pipeline"


def test_tfd701_a_batched_pipeline_with_an_axis_missing_is_no_unbatched_one() -> None:
    seq = (TensorSpecFacts("x", (None, 10, 20), "float32"),)
    f = one(check("TFD701", fed(model(inputs=seq), tensor("[0]", shape=(32, 20)), ids())))
    assert f.fix is not None and f.fix.text.startswith("Make the pipeline yield (None, 10, 20)")


def test_tfd702_numpy_bytes_are_strings() -> None:
    f = one(check("TFD702", fed(model(), tensor("[0]", "|S10", (32, 28, 28, 1)), ids())))
    assert f.severity == Severity.ERROR
    assert f.numbers == {"dtype": "|S10", "expected": "float32"}


# ---------------------------------------------------------------------------------------------
# TFD703 label-encoding-mismatch


def test_tfd703_rows_of_values_under_a_sparse_loss_and_a_column_of_ids_that_fits() -> None:
    rows = tensor("[1]", "float32", (32, 10), min=0.0, max=3.0)
    f = one(check("TFD703", fed(model(), images(), rows)))
    assert "are rows of 10 values (shape (32, 10))" in f.message
    assert f.numbers == {"shape": [32, 10], "units": 10}
    assert check("TFD703", fed(model(), images(), ids(shape=(32, 1)))) == []
    single = tensor("[1]", "float32", (1, 10), min=0.0, max=1.0, integral=True, one_hot_rows=1)
    assert one(check("TFD703", fed(model(), images(), single))).numbers == {"shape": [1, 10], "units": 10}


def test_tfd703_ids_of_one_axis_under_an_elementwise_loss_do_not_broadcast() -> None:
    m = model(output(activation="sigmoid", loss="binary_crossentropy"))
    f = one(check("TFD703", fed(m, images(), ids())))
    assert f.message.endswith("Keras stops model.fit at the first batch (the shapes do not broadcast).")
    assert f.numbers == {"shape": [32], "units": 10, "min": 0, "max": 9}


# ---------------------------------------------------------------------------------------------
# TFD704 label-out-of-range


def test_tfd704_skips_labels_with_no_maximum() -> None:
    assert check("TFD704", fed(model(), images(), ids(high=None))) == []


def test_tfd704_an_uncompiled_sigmoid_takes_labels_in_zero_one() -> None:
    m = model(output("p", units=1, activation="sigmoid"))
    f = one(check("TFD704", fed(m, images(), ids(high=3))))
    assert f.numbers["max"] == 3 and f.where == Where(tensor="[1]", layer="p")
    assert check("TFD704", fed(m, images(), ids(high=1))) == []


def test_tfd704_binary_labels_of_another_width_are_not_judged() -> None:
    m = model(output("p", units=2, activation="sigmoid", loss="binary_crossentropy"))
    wide = tensor("[1]", "float32", (32, 3), min=0.0, max=2.0, integral=True)
    assert check("TFD704", fed(m, images(), wide)) == []


def test_tfd704_judges_the_output_after_one_it_does_not_judge() -> None:
    m = model(output("value", units=1, activation="linear", loss="mean_squared_error"),
              output("probs", loss="sparse_categorical_crossentropy"))  # fmt: skip
    y = (tensor("[1][0]", shape=(32,), min=-5.0, max=5.0), ids(high=12, path="[1][1]"))
    f = one(check("TFD704", fed(m, images(), *y)))
    assert f.where == Where(tensor="[1][1]", layer="probs")


def scanned(low: float, high: float | None) -> Any:
    stored = feature("label", numeric=replace(numbers(low=low, high=0.0), max=high))
    return pipeline_facts(PLAIN, sources=dataset(stored, label="label"))


def test_tfd704_the_scan_sees_labels_the_batches_missed() -> None:
    """Stored -2 to 8 (a span of 10), the batches 0 to 7: shifted by 2, the scan's labels reach 10."""
    f = one(check("TFD704", fed(model(), images(), ids(high=7), pipeline=scanned(-2, 8))))
    assert "the scan of the files sees (shifted as the batches are)" in f.message
    assert check("TFD704", fed(model(), images(), ids(high=7), pipeline=scanned(0, 7))) == []
    assert check("TFD704", fed(model(), images(), ids(high=7), pipeline=scanned(0, None))) == []


# ---------------------------------------------------------------------------------------------
# TFD706 degenerate-output: no loss compiled


def test_tfd706_one_softmax_unit_of_an_uncompiled_model() -> None:
    f = one(check("TFD706", Facts(model=model(output("p", units=1)))))
    assert f.message.startswith("Output 'p' has one unit ending in softmax (layer 'p'): softmax")
    assert f.numbers == {"units": 1, "activation": "softmax", "loss": None}


# ---------------------------------------------------------------------------------------------
# TFD801 flat-loss, TFD804 chance-accuracy, TFD806 validation-stuck


def epochs(**series: list[float]) -> tuple[EpochFacts, ...]:
    count = len(next(iter(series.values())))
    return tuple(EpochFacts(e + 1, {k: v[e] for k, v in series.items()}) for e in range(count))


def test_tfd801_a_loss_that_moved_exactly_the_tolerance_is_flat() -> None:
    steps = (10, 20, 30, 40)
    facts = Facts(training=TrainingFacts(steps=40, window=10, loss=Curve(steps, (2.0, 2.5, 3.0, 2.0))))
    at = Thresholds(watch_steps=10, flat_loss_steps=40, flat_loss_tolerance=0.5)  # 1.0 of 2.0: exact
    assert one(check("TFD801", facts, at)).numbers["moved"] == 0.5
    assert check("TFD801", facts, replace(at, flat_loss_tolerance=0.4999)) == []


def test_tfd804_allows_two_standard_errors_of_the_probed_rate() -> None:
    """Rate 0.5 from 100 labels: two standard errors are 0.1, so 0.59 is chance and 0.7 is not."""
    chance = TrainingFacts(
        epochs=epochs(loss=[0.7, 0.69, 0.68], accuracy=[0.55, 0.57, 0.59]),
        majority_rate=0.5,
        labels_probed=100,
    )
    assert one(check("TFD804", Facts(training=chance))).numbers["accuracy"] == 0.59
    better = replace(chance, epochs=epochs(loss=[0.7, 0.6, 0.5], accuracy=[0.6, 0.65, 0.7]))
    assert check("TFD804", Facts(training=better)) == []


def test_tfd806_a_training_loss_below_one_and_no_accuracy_logged() -> None:
    facts = TrainingFacts(epochs=epochs(loss=[0.8, 0.6, 0.5], val_loss=[0.7, 0.7, 0.7]))
    f = one(check("TFD806", Facts(training=facts)))
    assert f.numbers == {
        "epochs": 3,
        "train_fell": pytest.approx(0.375),
        "val_moved": 0.0,
        "val_loss": 0.7,
        "val_accuracy_fixed": False,
    }
