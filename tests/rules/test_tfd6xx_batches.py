"""TFD6xx on hand-made probe results: what the batches hold (constant, unnormalised, non-finite,
repeated, collapsed, mostly padding)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from facts_builders import PLAIN, batch_facts, check, image_tensor, one, pipeline_facts, tensor

from tfdoctor.config import Thresholds
from tfdoctor.facts import BatchFacts, Facts, ModelFacts, PaddingFacts, StepProbe, TensorFacts
from tfdoctor.facts.model import Preprocessing, TensorSpecFacts
from tfdoctor.findings import Severity, Where


def probed(*tensors: TensorFacts, **fields: Any) -> Facts:
    return Facts(pipeline=pipeline_facts(PLAIN), batches=batch_facts(*tensors, **fields))


# ---------------------------------------------------------------------------------------------
# TFD601 constant-tensor (at least 2 batches, 2 elements each)

ZEROS = tensor("label", "int64", constant=True, min=0.0, max=0.0, values=160)


def test_tfd601_fires_on_a_label_that_never_changes() -> None:
    f = one(check("TFD601", probed(image_tensor(), ZEROS, label_path="label")))
    assert (f.code, f.severity) == ("TFD601", Severity.ERROR)
    assert f.where == Where(tensor="label")
    assert f.numbers == {"batches": 5, "elements": 160}
    assert "same value (0)" in f.message and "It is the label" in f.message


def test_tfd601_silent_on_tensors_that_change() -> None:
    assert check("TFD601", probed(image_tensor(), tensor("label", "int64"), label_path="label")) == []


def test_tfd601_needs_two_batches_of_two_elements() -> None:
    assert check("TFD601", probed(ZEROS, batches=1, elements=32)) == []
    assert check("TFD601", probed(ZEROS, batches=2, elements=3)) == []
    assert one(check("TFD601", probed(ZEROS, batches=2, elements=4))).numbers == {"batches": 2, "elements": 4}


def test_tfd601_silent_on_a_tensor_with_no_values() -> None:
    empty = tensor("boxes", constant=True, values=0)
    assert check("TFD601", probed(empty)) == []


# ---------------------------------------------------------------------------------------------
# TFD602 unnormalized-input (float images above 2, within [0, 255])


def test_tfd602_fires_on_float_images_in_0_255() -> None:
    """Info without the model (many models rescale their inputs), an error where the model is
    known and does not rescale, silent where it does."""
    f = one(check("TFD602", probed(image_tensor(low=0.0, high=255.0))))
    assert (f.code, f.severity) == ("TFD602", Severity.INFO)
    assert f.where == Where(tensor="image")
    assert f.numbers == {"min": 0.0, "max": 255.0, "mean": 127.5}
    facts = probed(image_tensor(low=0.0, high=255.0))
    plain = ModelFacts("cnn", inputs=(CNN_INPUT,))
    found = one(check("TFD602", replace(facts, model=plain)))
    assert found.severity == Severity.ERROR
    assert "does not rescale its input 'image'" in found.message
    rescaling = ModelFacts(
        "cnn", inputs=(CNN_INPUT,), preprocessing=(Preprocessing("rescaling", "Rescaling"),)
    )
    assert check("TFD602", replace(facts, model=rescaling)) == []


CNN_INPUT = TensorSpecFacts("image", (None, 28, 28, 1), "float32")


def test_tfd602_with_the_model_judges_the_input_each_tensor_feeds() -> None:
    """A Normalization on another input (tabular features) does not rescale the images; values
    below the upper half of [0, 255] are a warning, not an error."""
    images = replace(image_tensor("[0].image", low=0.0, high=255.0), shape=(32, 28, 28, 1))
    numbers = tensor("[0].tab", shape=(32, 5))
    two = (CNN_INPUT, TensorSpecFacts("tab", (None, 5), "float32"))
    elsewhere = ModelFacts("m", inputs=two, preprocessing=(Preprocessing("norm", "Normalization", ("tab",)),))
    facts = replace(probed(images, numbers, tensor("[1]", "int64")), model=elsewhere)
    found = one(check("TFD602", facts))
    assert (found.severity, found.where) == (Severity.ERROR, Where(tensor="[0].image"))
    assert "its input 'image'" in found.message
    on_images = replace(elsewhere, preprocessing=(Preprocessing("r", "Rescaling", ("image",)),))
    assert check("TFD602", replace(facts, model=on_images)) == []
    dim = replace(probed(image_tensor(high=100.0)), model=ModelFacts("cnn", inputs=(CNN_INPUT,)))
    assert one(check("TFD602", dim)).severity == Severity.WARNING


@pytest.mark.parametrize("high", [2.5, 255.0])
def test_tfd602_fires_above_2_up_to_255(high: float) -> None:
    assert one(check("TFD602", probed(image_tensor(high=high)))).numbers["max"] == high


@pytest.mark.parametrize(
    "image",
    [
        image_tensor(high=1.0),  # scaled
        image_tensor(high=2.0),  # not above 2
        image_tensor(high=256.0),  # not within [0, 255]
        image_tensor(low=-1.0, high=200.0),
        image_tensor(high=255.0, dtype="uint8"),  # not float: cast and scaled later
        tensor("pixels", min=0.0, max=255.0),  # not image-like
    ],
)
def test_tfd602_silent_outside_float_images_in_0_255(image: TensorFacts) -> None:
    assert check("TFD602", probed(image)) == []


# ---------------------------------------------------------------------------------------------
# TFD603 non-finite-batch


def test_tfd603_fires_on_nan_or_inf_per_tensor() -> None:
    found = check("TFD603", probed(tensor("x", nan=3, inf=1, values=160), tensor("y", inf=2, values=32)))
    assert [(f.code, f.severity, f.where, f.numbers) for f in found] == [
        ("TFD603", Severity.ERROR, Where(tensor="x"), {"nan": 3, "inf": 1, "values": 160}),
        ("TFD603", Severity.ERROR, Where(tensor="y"), {"nan": 0, "inf": 2, "values": 32}),
    ]


def test_tfd603_silent_on_finite_batches() -> None:
    assert check("TFD603", probed(tensor("x"), tensor("y"))) == []


# ---------------------------------------------------------------------------------------------
# TFD604 repeated-batches


def test_tfd604_fires_on_batches_that_repeat() -> None:
    f = one(check("TFD604", probed(image_tensor(), repeated_batches=3)))
    assert (f.code, f.severity) == ("TFD604", Severity.WARNING)
    assert f.where == Where()
    assert f.numbers == {"repeated": 3, "batches": 5}


def test_tfd604_silent_on_distinct_batches() -> None:
    assert check("TFD604", probed(image_tensor(), repeated_batches=0)) == []


# ---------------------------------------------------------------------------------------------
# TFD605 collapsed-input-range (float images within [0, 1/128], not constant)


def test_tfd605_fires_on_images_scaled_twice() -> None:
    f = one(check("TFD605", probed(image_tensor(high=1 / 255))))
    assert (f.code, f.severity) == ("TFD605", Severity.WARNING)
    assert f.where == Where(tensor="image")
    assert f.numbers == {"min": 0.0, "max": 1 / 255}


def test_tfd605_fires_at_the_edge_of_the_range() -> None:
    assert one(check("TFD605", probed(image_tensor(high=1 / 128)))).numbers["max"] == 1 / 128


@pytest.mark.parametrize(
    "image",
    [
        image_tensor(high=0.008),  # just above 1/128
        image_tensor(high=1.0),
        image_tensor(high=0.0),  # all zero: blank, not collapsed
        image_tensor(high=1 / 255, constant=True),
        tensor("x", min=0.0, max=1 / 255),  # not image-like
    ],
)
def test_tfd605_silent_outside_a_collapsed_range(image: TensorFacts) -> None:
    assert check("TFD605", probed(image)) == []


# ---------------------------------------------------------------------------------------------
# TFD606 padding-heavy-batches (threshold: padding_fraction 0.5)


def _padded(*padding: PaddingFacts) -> Facts:
    description = [
        ("read", {}),
        ("map", {"function": "parse", "num_parallel_calls": -1}),
        ("padded_batch", {"batch_size": 32}),
        ("prefetch", {"buffer_size": -1}),
    ]
    probes = [StepProbe(3, padding=padding)]
    return Facts(pipeline=pipeline_facts(description, probes=probes), batches=BatchFacts(batches=5))


def test_tfd606_fires_when_half_the_values_are_padding() -> None:
    f = one(check("TFD606", _padded(PaddingFacts("tokens", batches=5, mean=0.5, max=0.8))))
    assert (f.code, f.severity) == ("TFD606", Severity.INFO)
    assert f.where == Where(step=3, call="padded_batch(32)")
    assert f.numbers == {"batches": 5, "mean_padding": 0.5, "max_padding": 0.8}


def test_tfd606_silent_just_under_half() -> None:
    assert check("TFD606", _padded(PaddingFacts("tokens", batches=5, mean=0.49, max=0.8))) == []


def test_tfd606_one_finding_per_padded_tensor() -> None:
    found = check(
        "TFD606",
        _padded(
            PaddingFacts("tokens", 5, 0.7, 0.9),
            PaddingFacts("mask", 5, 0.1, 0.2),
            PaddingFacts("ids", 5, 0.6, 0.6),
        ),
    )
    assert [f.numbers["mean_padding"] for f in found] == [0.7, 0.6]
    assert all(f.where == Where(step=3, call="padded_batch(32)") for f in found)


def test_tfd606_follows_the_configured_fraction() -> None:
    facts = _padded(PaddingFacts("tokens", batches=5, mean=0.3, max=0.5))
    assert check("TFD606", facts) == []
    assert one(check("TFD606", facts, Thresholds(padding_fraction=0.3))).numbers["mean_padding"] == 0.3


def test_tfd606_silent_where_nothing_was_measured() -> None:
    assert check("TFD606", _padded()) == []


def test_tfd602_uint8_images_are_judged_only_where_they_feed_the_model() -> None:
    raw = replace(image_tensor("[0]", low=0.0, high=255.0), dtype="uint8")
    facts = probed(raw, tensor("[1]", "int64"))
    assert check("TFD602", facts) == []  # no model: integer images were never judged
    found = one(check("TFD602", replace(facts, model=ModelFacts("cnn", inputs=(CNN_INPUT,)))))
    assert found.severity == Severity.ERROR
    rescaling = ModelFacts("cnn", inputs=(CNN_INPUT,), preprocessing=(Preprocessing("r", "Rescaling"),))
    assert check("TFD602", replace(facts, model=rescaling)) == []
