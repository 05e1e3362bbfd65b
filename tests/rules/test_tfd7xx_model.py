"""TFD7xx on hand-made facts: the probed batches against the model's inputs, outputs and loss.
The same rules on real Keras models and real pipelines: tests/model/."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from facts_builders import PLAIN, batch_facts, check, dataset, feature, numbers, one, pipeline_facts, tensor

from tfdoctor.facts import Facts, TensorFacts
from tfdoctor.facts.model import ModelFacts, OutputFacts, TensorSpecFacts
from tfdoctor.findings import Severity, Where

IMAGE_IN = TensorSpecFacts("image", (None, 28, 28, 1), "float32")


def classifier(
    units: int = 10,
    activation: str = "softmax",
    loss: str | None = "sparse_categorical_crossentropy",
    **fields: Any,
) -> ModelFacts:
    out = OutputFacts("probs", (None, units), layer="probs", activation=activation, activation_layer="probs",
                      loss=loss, from_logits=fields.pop("from_logits", False if loss else None))  # fmt: skip
    return ModelFacts(
        "cnn", inputs=(fields.pop("inputs", IMAGE_IN),), outputs=(out,), compiled=loss is not None
    )


def images(shape: tuple[int, ...] = (32, 28, 28, 1), dtype: str = "float32") -> TensorFacts:
    return tensor("[0]", dtype, shape, min=0.0, max=1.0, image_like=True)


def ids(low: float = 0, high: float = 9, shape: tuple[int, ...] = (32,), dtype: str = "int64") -> TensorFacts:
    return tensor("[1]", dtype, shape, min=low, max=high, integral=True)


def one_hot(depth: int = 10) -> TensorFacts:
    return tensor("[1]", "float32", (32, depth), min=0.0, max=1.0, integral=True, one_hot_rows=160)


def fed(model: ModelFacts, *tensors: TensorFacts, pipeline: Any = None) -> Facts:
    return Facts(pipeline=pipeline or pipeline_facts(PLAIN), batches=batch_facts(*tensors), model=model)


# ---------------------------------------------------------------------------------------------
# TFD701 input-shape-mismatch


def test_tfd701_fires_on_another_channel_count() -> None:
    f = one(check("TFD701", fed(classifier(), images((32, 28, 28, 3)), ids())))
    assert (f.severity, f.where) == (Severity.ERROR, Where(tensor="[0]", layer="image"))
    assert f.numbers == {"shape": [32, 28, 28, 3], "expected": [None, 28, 28, 1]}
    assert "(32, 28, 28, 3)" in f.message and "(None, 28, 28, 1)" in f.message


def test_tfd701_silent_where_the_shapes_fit_or_keras_adjusts_one_axis() -> None:
    assert check("TFD701", fed(classifier(), images(), ids())) == []
    scalar = classifier(inputs=TensorSpecFacts("x", (None, 1), "float32"))
    assert check("TFD701", fed(scalar, tensor("[0]", shape=(32,)), ids())) == []  # (32,) -> (32, 1)
    any_size = classifier(inputs=TensorSpecFacts("image", (None, None, None, 1), "float32"))
    assert check("TFD701", fed(any_size, images((32, 64, 48, 1)), ids())) == []


def test_tfd701_names_an_unbatched_dataset() -> None:
    unbatched = pipeline_facts([("read", {}), ("map", {"function": "parse"})])
    f = one(check("TFD701", fed(classifier(), images((28, 28, 1)), ids(shape=()), pipeline=unbatched)))
    assert "not batched" in f.message and f.fix is not None and ".batch(n)" in f.fix.text


def test_tfd701_matches_dict_elements_by_input_name() -> None:
    two = replace(classifier(), inputs=(IMAGE_IN, TensorSpecFacts("tab", (None, 5), "float32")))
    tensors = (replace(images(), path="[0].image"), tensor("[0].tab", shape=(32, 4)), ids())
    f = one(check("TFD701", fed(two, *tensors)))
    assert f.where == Where(tensor="[0].tab", layer="tab")


# ---------------------------------------------------------------------------------------------
# TFD702 input-dtype-mismatch


def test_tfd702_strings_into_a_numeric_input_are_an_error() -> None:
    f = one(check("TFD702", fed(classifier(), images(dtype="object"), ids())))
    assert (f.severity, f.numbers) == (Severity.ERROR, {"dtype": "object", "expected": "float32"})


def test_tfd702_fractions_into_an_integer_input_are_a_warning() -> None:
    tokens = classifier(inputs=TensorSpecFacts("tokens", (None, 20), "int32"))
    fractions = tensor("[0]", "float32", (32, 20), min=0.5, max=9.5)
    f = one(check("TFD702", fed(tokens, fractions, ids())))
    assert f.severity == Severity.WARNING and "cutting off their fractions" in f.message
    whole = replace(fractions, integral=True)
    assert check("TFD702", fed(tokens, whole, ids())) == []


def test_tfd702_silent_on_numbers_keras_casts_exactly() -> None:
    assert check("TFD702", fed(classifier(), images(dtype="uint8"), ids())) == []
    assert check("TFD702", fed(classifier(), images(dtype="float64"), ids())) == []


# ---------------------------------------------------------------------------------------------
# TFD703 label-encoding-mismatch


def test_tfd703_one_hot_labels_into_a_sparse_loss() -> None:
    f = one(check("TFD703", fed(classifier(), images(), one_hot())))
    assert (f.severity, f.where) == (Severity.ERROR, Where(tensor="[1]", layer="probs"))
    assert "one-hot rows" in f.message and "sparse_categorical_crossentropy" in f.message


def test_tfd703_class_ids_into_a_categorical_loss() -> None:
    f = one(check("TFD703", fed(classifier(loss="categorical_crossentropy"), images(), ids())))
    assert "class ids" in f.message and f.numbers["units"] == 10


def test_tfd703_class_ids_broadcast_against_every_unit() -> None:
    f = one(check("TFD703", fed(classifier(loss="mean_squared_error"), images(), ids(shape=(32, 1)))))
    assert "broadcast against all 10 outputs" in f.message


def test_tfd703_silent_where_labels_fit_the_loss() -> None:
    assert check("TFD703", fed(classifier(), images(), ids())) == []
    assert check("TFD703", fed(classifier(loss="categorical_crossentropy"), images(), one_hot())) == []
    regression = classifier(units=1, activation="linear", loss="mean_squared_error")
    assert check("TFD703", fed(regression, images(), ids(shape=(32, 1)))) == []
    assert check("TFD703", fed(classifier(loss=None), images(), one_hot())) == []  # not compiled


# ---------------------------------------------------------------------------------------------
# TFD704 label-out-of-range


def test_tfd704_labels_1_to_10_into_10_units() -> None:
    f = one(check("TFD704", fed(classifier(), images(), ids(1, 10))))
    assert (f.severity, f.numbers) == (Severity.ERROR, {"min": 1, "max": 10, "units": 10, "measured": True})
    assert f.fix is not None and "count from 1" in f.fix.text


def test_tfd704_silent_on_labels_0_to_9() -> None:
    assert check("TFD704", fed(classifier(), images(), ids(0, 9))) == []


def test_tfd704_a_class_only_the_scan_saw_is_a_warning() -> None:
    """The probed batches hold 0..8; the scan of the files sees 0..10: shifted by nothing."""
    stats = dataset(feature("label", numeric=numbers(low=0, high=10)), label="label")
    pipeline = replace(pipeline_facts(PLAIN), sources=stats)
    f = one(check("TFD704", fed(classifier(), images(), ids(0, 8), pipeline=pipeline)))
    assert (f.severity, f.numbers["max"], f.numbers["measured"]) == (Severity.WARNING, 10, False)
    shifted = fed(classifier(), images(), ids(0, 8), pipeline=replace(pipeline, sources=replace(
        stats, features=(feature("label", numeric=numbers(low=1, high=10)),))))  # fmt: skip
    assert check("TFD704", shifted) == []  # the pipeline subtracts 1: 0..9


def test_tfd704_binary_targets_outside_0_1() -> None:
    binary = classifier(units=1, activation="sigmoid", loss="binary_crossentropy")
    f = one(check("TFD704", fed(binary, images(), ids(1, 2, shape=(32, 1)))))
    assert "[0, 1]" in f.message
    assert check("TFD704", fed(binary, images(), ids(0, 1, shape=(32, 1)))) == []


def test_tfd704_judges_an_uncompiled_softmax_output() -> None:
    assert one(check("TFD704", fed(classifier(loss=None), images(), ids(1, 10)))).severity == Severity.ERROR


# ---------------------------------------------------------------------------------------------
# TFD705 logits-mismatch (the model alone)


@pytest.mark.parametrize(("activation", "from_logits"), [("softmax", True), ("linear", False)])
def test_tfd705_fires(activation: str, from_logits: bool) -> None:
    model = classifier(activation=activation, from_logits=from_logits)
    f = one(check("TFD705", Facts(model=model)))
    assert (f.severity, f.where) == (Severity.WARNING, Where(layer="probs"))
    assert f.numbers == {"activation": activation, "from_logits": from_logits}


@pytest.mark.parametrize(("activation", "from_logits"), [("softmax", False), ("linear", True)])
def test_tfd705_silent(activation: str, from_logits: bool) -> None:
    assert check("TFD705", Facts(model=classifier(activation=activation, from_logits=from_logits))) == []


def test_tfd705_silent_on_a_loss_without_logits() -> None:
    assert check("TFD705", Facts(model=classifier(activation="linear", loss="mean_squared_error"))) == []


# ---------------------------------------------------------------------------------------------
# TFD706 degenerate-output (the model alone)


def test_tfd706_softmax_over_one_unit() -> None:
    f = one(check("TFD706", Facts(model=classifier(units=1, loss="binary_crossentropy"))))
    assert (f.severity, f.where) == (Severity.ERROR, Where(layer="probs"))
    assert "1.0 whatever the input" in f.message


def test_tfd706_categorical_loss_over_one_unit() -> None:
    f = one(
        check(
            "TFD706", Facts(model=classifier(units=1, activation="sigmoid", loss="categorical_crossentropy"))
        )
    )
    assert "over one class is 0" in f.message


def test_tfd706_silent_on_one_sigmoid_unit_and_two_softmax_units() -> None:
    assert (
        check("TFD706", Facts(model=classifier(units=1, activation="sigmoid", loss="binary_crossentropy")))
        == []
    )
    assert check("TFD706", Facts(model=classifier(units=2))) == []


# ---------------------------------------------------------------------------------------------
# Shapes the rules must not misread


def sequence_model(loss: str = "sparse_categorical_crossentropy") -> ModelFacts:
    """A sequence model: token ids (batch, 20) in, (batch, 20, 100) next-token scores out."""
    out = OutputFacts("next", (None, 20, 100), layer="next", activation="softmax", activation_layer="next",
                      loss=loss, from_logits=False)  # fmt: skip
    return ModelFacts(
        "lm", inputs=(TensorSpecFacts("tokens", (None, 20), "int32"),), outputs=(out,), compiled=True
    )


def test_sequence_labels_are_class_ids_per_step() -> None:
    """Targets (batch, steps) into a sparse loss over (batch, steps, vocabulary) are right; a
    token id past the vocabulary is out of range."""
    tokens = tensor("[0]", "int32", (32, 20), min=0, max=99, integral=True)
    targets = tensor("[1]", "int64", (32, 20), min=0, max=99, integral=True)
    assert check("TFD703", fed(sequence_model(), tokens, targets)) == []
    assert check("TFD704", fed(sequence_model(), tokens, targets)) == []
    past = replace(targets, max=100)
    assert one(check("TFD704", fed(sequence_model(), tokens, past))).numbers["max"] == 100


def test_ragged_and_sparse_tensors_have_no_shape_to_judge() -> None:
    flat = replace(images((5000,)), composite=True)  # the flat values of a ragged batch
    assert check("TFD701", fed(classifier(), flat, ids())) == []


def test_tfd704_the_scan_is_ignored_where_the_batches_span_more_than_the_stored_label() -> None:
    """The batches' labels reach 0..8 but the stored 'label' spans 1..2: the y is another
    tensor (or computed), so the scan's range says nothing about it."""
    stats = dataset(feature("label", numeric=numbers(low=1, high=12)), label="label")
    narrow = dataset(feature("label", numeric=numbers(low=1, high=2)), label="label")
    pipeline = replace(pipeline_facts(PLAIN), sources=stats)
    assert (
        one(check("TFD704", fed(classifier(), images(), ids(0, 8), pipeline=pipeline))).numbers["max"] == 11
    )
    assert (
        check("TFD704", fed(classifier(), images(), ids(0, 8), pipeline=replace(pipeline, sources=narrow)))
        == []
    )
