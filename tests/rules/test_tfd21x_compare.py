"""TFD210-TFD212 on hand-built facts: the training and evaluation statistics side by side.
Each rule fires, has a silent twin, and is checked at its thresholds' edges."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from facts_builders import (
    batch_facts,
    check,
    counts,
    dataset,
    feature,
    image_tensor,
    images,
    label_order,
    numbers,
    one,
    tensor,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import ComparedBatches, ComparedStats, DatasetStats, Facts, FeatureStats, TensorFacts
from tfdoctor.findings import Severity


def compared(train: DatasetStats, evals: DatasetStats, label: str | None = None) -> Facts:
    return Facts(compared=ComparedStats(train, evals, label=label))


def words(name: str, values: dict[str, int]) -> FeatureStats:
    """A bytes feature whose values were all kept, with their counts."""
    total = sum(values.values())
    f = feature(name, "bytes", records=total)
    return replace(f, top_values=tuple(values.items()), total_values=total, distinct_estimate=len(values))


def spread(name: str, low: float, high: float, count: int = 1000) -> FeatureStats:
    """A float feature whose values are spread evenly from `low` to `high`."""
    step = (high - low) / 100
    q = {"min": low, "q01": low + step, "q25": low + 25 * step, "q50": low + 50 * step}
    q |= {"q75": low + 75 * step, "q99": low + 99 * step, "max": high}
    n = replace(numbers(count=count, low=low, high=high), quantiles=q)
    return feature(name, "float", records=count, numeric=n)


# --- TFD210 -----------------------------------------------------------------------------------


def test_tfd210_train_only_feature_is_an_error_naming_the_rename() -> None:
    train = dataset(feature("label"), feature("pixels_mean", "float"))
    evals = dataset(feature("label"), feature("pixel_mean", "float"))
    found = check("TFD210", compared(train, evals))
    f = one(found)
    assert f.severity is Severity.ERROR and f.where.feature == "pixels_mean"
    assert f.numbers["renamed_to"] == "pixel_mean" and "renamed?" in f.message


def test_tfd210_silent_when_both_store_the_same_features() -> None:
    train = dataset(feature("label"), feature("x", "float", values=counts(3)))
    assert check("TFD210", compared(train, train)) == []


def test_tfd210_eval_only_feature_is_info() -> None:
    train = dataset(feature("label"))
    evals = dataset(feature("label"), feature("weight", "float"))
    f = one(check("TFD210", compared(train, evals)))
    assert f.severity is Severity.INFO and f.where.feature == "weight"


def test_tfd210_kind_that_differs() -> None:
    train = dataset(feature("x", "int64"))
    f = one(check("TFD210", compared(train, dataset(feature("x", "float")))))
    assert f.severity is Severity.ERROR and f.numbers == {"train_kind": "int64", "eval_kind": "float"}
    assert check("TFD210", compared(train, dataset(feature("x", "unset")))) == []  # no values: no kind


def test_tfd210_fixed_value_count_that_eval_breaks() -> None:
    train = dataset(feature("pixels", "float", values=counts(784)))
    f = one(check("TFD210", compared(train, dataset(feature("pixels", "float", values=counts(4096))))))
    assert f.severity is Severity.ERROR and f.numbers["eval_min_values"] == 4096
    varying = dataset(feature("pixels", "float", values=counts(700, 784)))
    assert one(check("TFD210", compared(train, varying))).numbers["eval_min_values"] == 700
    # training varies already: its parse spec is a VarLen one, which reads any count
    assert check("TFD210", compared(varying, train)) == []


def test_tfd210_eval_images_of_another_size() -> None:
    train = dataset(feature("image", "bytes", image=images({"28x28x1": 100})))
    evals = dataset(feature("image", "bytes", records=50, image=images({"64x64x1": 50})))
    f = one(check("TFD210", compared(train, evals)))
    assert f.severity is Severity.WARNING and f.numbers["eval_images_other_size"] == 50
    assert "64x64 (50)" in f.message
    same = dataset(feature("image", "bytes", records=50, image=images({"28x28x1": 50})))
    assert check("TFD210", compared(train, same)) == []


def test_tfd210_image_sizes_mixed_in_training_already_are_info() -> None:
    train = dataset(feature("image", "bytes", image=images({"28x28x1": 60, "32x32x1": 40})))
    evals = dataset(feature("image", "bytes", records=50, image=images({"64x64x1": 50})))
    assert one(check("TFD210", compared(train, evals))).severity is Severity.INFO


def test_tfd210_eval_images_of_other_channels() -> None:
    train = dataset(feature("image", "bytes", image=images({"28x28x1": 100})))
    evals = dataset(feature("image", "bytes", records=50, image=images({"28x28x3": 50})))
    f = one(check("TFD210", compared(train, evals)))
    assert f.severity is Severity.WARNING and f.numbers["eval_images_other_channels"] == 50


# --- TFD211 -----------------------------------------------------------------------------------


def test_tfd211_categorical_drift_with_the_linf_distance() -> None:
    train = dataset(words("source", {"camera": 50, "phone": 50}))
    evals = dataset(words("source", {"camera": 90, "phone": 10}))
    f = one(check("TFD211", compared(train, evals)))
    # shares 0.5/0.5 against 0.9/0.1: both differ by 0.4; TFDV keeps the last in sorted order
    assert f.numbers["metric"] == "l_infinity" and f.numbers["distance"] == pytest.approx(0.4)
    assert check("TFD211", compared(train, train)) == []


def test_tfd211_linf_threshold_edge() -> None:
    train = dataset(words("source", {"camera": 500, "phone": 500}))
    evals = dataset(words("source", {"camera": 650, "phone": 350}))
    distance = one(check("TFD211", compared(train, evals))).numbers["distance"]
    assert distance == pytest.approx(0.15)
    assert check("TFD211", compared(train, evals), Thresholds(drift_linf=0.15 + 1e-9)) == []
    assert len(check("TFD211", compared(train, evals), Thresholds(drift_linf=0.15 - 1e-9))) == 1


def test_tfd211_linf_within_sampling_noise_is_silent() -> None:
    # 10 values a side: a 0.4 shift is what chance gives (4 standard errors: 0.89)
    train = dataset(words("source", {"camera": 5, "phone": 5}))
    evals = dataset(words("source", {"camera": 9, "phone": 1}))
    assert check("TFD211", compared(train, evals)) == []
    assert len(check("TFD211", compared(train, evals), Thresholds(drift_sigmas=1.0))) == 1


def test_tfd211_numeric_scaled_by_255() -> None:
    train = dataset(spread("brightness", 0.0, 1.0))
    evals = dataset(spread("brightness", 0.0, 255.0))
    f = one(check("TFD211", compared(train, evals)))
    assert f.numbers["metric"] == "jensen_shannon" and f.numbers["scale"] == pytest.approx(255.0)
    assert f.numbers["divergence"] > 0.8 and "255 times" in f.message
    assert check("TFD211", compared(train, train)) == []


def test_tfd211_disjoint_ranges_diverge_fully() -> None:
    train = dataset(spread("x", 0.0, 1.0))
    evals = dataset(spread("x", 2.0, 3.0))
    assert one(check("TFD211", compared(train, evals))).numbers["divergence"] == 1.0


def test_tfd211_js_threshold_and_min_values_edges() -> None:
    train, evals = dataset(spread("x", 0.0, 1.0)), dataset(spread("x", 0.5, 1.5))
    divergence = one(check("TFD211", compared(train, evals))).numbers["divergence"]
    assert check("TFD211", compared(train, evals), Thresholds(drift_js=divergence + 1e-6)) == []
    assert len(check("TFD211", compared(train, evals), Thresholds(drift_js=divergence - 1e-6))) == 1
    assert check("TFD211", compared(train, evals), Thresholds(drift_min_values=1001)) == []
    assert len(check("TFD211", compared(train, evals), Thresholds(drift_min_values=1000))) == 1


def test_tfd211_leaves_the_label_to_tfd212_when_classes_differ() -> None:
    train = dataset(feature("label"), order=label_order({"0": 50, "1": 50}))
    evals = dataset(feature("label"), order=label_order({"0": 100}))
    assert check("TFD211", compared(train, evals)) == []
    shifted = dataset(feature("label", records=1000), order=label_order({"0": 900, "1": 100}))
    train = dataset(feature("label", records=1000), order=label_order({"0": 500, "1": 500}))
    f = one(check("TFD211", compared(train, shifted)))
    assert f.where.feature == "label" and f.numbers["distance"] == pytest.approx(0.4)


# --- TFD212 -----------------------------------------------------------------------------------


def test_tfd212_class_in_eval_only_is_an_error() -> None:
    train = dataset(feature("label", records=1000), order=label_order({"0": 500, "1": 500}))
    evals = dataset(feature("label", records=300), order=label_order({"0": 100, "1": 100, "2": 100}))
    f = one(check("TFD212", compared(train, evals)))
    assert f.severity is Severity.ERROR and f.numbers["classes"] == ["2"] and f.numbers["records"] == 100
    assert check("TFD212", compared(train, train)) == []


def test_tfd212_class_missing_from_eval_is_a_warning() -> None:
    train = dataset(feature("label", records=1000), order=label_order({"0": 400, "1": 400, "2": 200}))
    evals = dataset(feature("label", records=300), order=label_order({"0": 150, "1": 150}))
    f = one(check("TFD212", compared(train, evals)))
    assert f.severity is Severity.WARNING and f.numbers["classes"] == ["2"]
    assert f.numbers["chance"] == pytest.approx(0.8**300)


def test_tfd212_absence_chance_explains_is_info() -> None:
    # a class of 1% of training records left out of 100 evaluation records: chance 0.99**100 = 0.37
    train = dataset(feature("label", records=1000), order=label_order({"0": 990, "1": 10}))
    evals = dataset(feature("label", records=100), order=label_order({"0": 100}))
    f = one(check("TFD212", compared(train, evals)))
    assert f.severity is Severity.INFO and f.numbers["chance"] == pytest.approx(0.99**100)
    edge = Thresholds(label_absent_chance=math.nextafter(0.99**100, 1.0))
    assert one(check("TFD212", compared(train, evals), edge)).severity is Severity.WARNING


def test_tfd212_from_complete_value_counts_and_silent_when_unknown() -> None:
    train = dataset(words("label", {"cat": 50, "dog": 50}))
    evals = dataset(words("label", {"Cat": 50, "dog": 50}))
    found = check("TFD212", compared(train, evals, label="label"))
    assert [(f.severity, f.numbers["classes"]) for f in found] == [
        (Severity.ERROR, ["Cat"]),
        (Severity.WARNING, ["cat"]),
    ]
    # only the most frequent values kept: the classes are not known in full
    partial = dataset(replace(words("label", {"cat": 50, "dog": 50}), total_values=500))
    assert check("TFD212", compared(partial, evals, label="label")) == []


# --- TFD210 and TFD211 on two pipelines' batches ----------------------------------------------


def batches(*tensors: TensorFacts) -> Facts:
    return Facts(compared_batches=ComparedBatches(batch_facts(*tensors[:1]), batch_facts(*tensors[1:])))


def test_tfd210_batches_of_another_image_size() -> None:
    train = image_tensor()  # (32, 28, 28, 1)
    evals = replace(image_tensor(), shape=(32, 64, 64, 1))
    f = one(check("TFD210", batches(train, evals)))
    assert f.severity is Severity.ERROR and f.where.tensor == "image"
    assert f.numbers == {"train_shape": [32, 28, 28, 1], "eval_shape": [32, 64, 64, 1]}
    # another batch size (the last batch, or batch(64)) is no skew
    assert check("TFD210", batches(train, replace(train, shape=(64, 28, 28, 1)))) == []


def test_tfd210_batches_structure_and_dtype() -> None:
    facts = Facts(
        compared_batches=ComparedBatches(
            batch_facts(image_tensor(), tensor("label", "int64")),
            batch_facts(image_tensor(dtype="uint8"), tensor("labels", "int64")),
        )
    )
    found = {(f.where.tensor, f.severity) for f in check("TFD210", facts)}
    assert found == {("label", Severity.ERROR), ("labels", Severity.ERROR), ("image", Severity.WARNING)}


def test_tfd211_batches_scaled_in_one_pipeline_only() -> None:
    f = one(check("TFD211", batches(image_tensor(high=1.0), image_tensor(high=255.0))))
    assert f.where.tensor == "image" and "scaled to [0, 1] in the training pipeline only" in f.message
    assert check("TFD211", batches(image_tensor(high=1.0), image_tensor(high=0.98))) == []
    # at the edge: above unnormalized-above (2) counts as pixel values, 2 itself does not
    assert check("TFD211", batches(image_tensor(high=1.0), image_tensor(high=2.0))) == []
    assert len(check("TFD211", batches(image_tensor(high=1.0), image_tensor(high=2.01)))) == 1
