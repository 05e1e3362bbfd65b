"""TFD2xx rules on the data alone (no parse spec): constant, non-finite, imbalanced and empty
features, on hand-made feature statistics."""

from __future__ import annotations

import pytest
from facts_builders import check, dataset, feature, label_order, numbers, one

from tfdoctor.config import Thresholds
from tfdoctor.facts import Facts, FeatureStats, LabelOrder
from tfdoctor.findings import Severity, Where


def scan(*features: FeatureStats, label: str | None = None, order: LabelOrder | None = None) -> Facts:
    return Facts(dataset=dataset(*features, label=label, order=order))


# ---------------------------------------------------------------------------------------------
# TFD206 constant-feature (threshold: constant_min_records 10)


def test_tfd206_fires_on_a_constant_label_at_the_minimum_record_count() -> None:
    label = feature("label", records=10, constant="0")
    f = one(check("TFD206", scan(label, feature("x", "float", records=10), label="label")))
    assert (f.code, f.severity) == ("TFD206", Severity.WARNING)
    assert f.where == Where(feature="label")
    assert f.numbers == {"records": 10, "value": "0", "is_label": True}


def test_tfd206_silent_below_the_minimum_record_count() -> None:
    assert check("TFD206", scan(feature("label", records=9, constant="0"))) == []


def test_tfd206_silent_on_a_feature_that_varies() -> None:
    assert check("TFD206", scan(feature("label", records=1000))) == []


def test_tfd206_follows_the_configured_minimum() -> None:
    facts = scan(feature("source", "bytes", records=20, constant="b'web'"))
    assert check("TFD206", facts, Thresholds(constant_min_records=21)) == []
    f = one(check("TFD206", facts, Thresholds(constant_min_records=20)))
    assert f.numbers == {"records": 20, "value": "b'web'", "is_label": False}


def test_tfd206_names_a_sequence_feature_by_its_path() -> None:
    steps = feature("steps", "float", records=50, constant="1.0", section="sequence")
    assert one(check("TFD206", scan(steps))).where == Where(feature="sequence:steps")


# ---------------------------------------------------------------------------------------------
# TFD207 non-finite-values


def test_tfd207_fires_on_nan_and_inf() -> None:
    price = feature("price", "float", numeric=numbers(count=200, nan=4, pos_inf=1, neg_inf=1))
    f = one(check("TFD207", scan(price, feature("label"))))
    assert (f.code, f.severity) == ("TFD207", Severity.WARNING)
    assert f.where == Where(feature="price")
    assert f.numbers == {"nan": 4, "pos_inf": 1, "neg_inf": 1, "values": 200, "fraction": 0.03}


def test_tfd207_silent_on_finite_values() -> None:
    assert check("TFD207", scan(feature("price", "float", numeric=numbers(count=200)))) == []


# ---------------------------------------------------------------------------------------------
# TFD208 label-imbalance (thresholds: label_majority_fraction 0.9, label_rare_fraction 0.001,
# label_max_classes 1000)


def _labels(classes: dict[str, int], kind: str = "int64") -> Facts:
    n = sum(classes.values())
    return scan(feature("label", kind, records=n), order=label_order(classes))


def test_tfd208_fires_when_the_majority_holds_exactly_the_fraction() -> None:
    f = one(check("TFD208", _labels({"0": 900, "1": 100})))
    assert (f.code, f.severity) == ("TFD208", Severity.WARNING)
    assert f.where == Where(feature="label")
    assert f.numbers == {"class": "0", "count": 900, "records": 1000, "fraction": 0.9, "classes": 2}


def test_tfd208_silent_just_below_the_majority_fraction() -> None:
    assert check("TFD208", _labels({"0": 899, "1": 101})) == []


def test_tfd208_follows_the_configured_majority() -> None:
    f = one(check("TFD208", _labels({"0": 899, "1": 101}), Thresholds(label_majority_fraction=0.8)))
    assert f.numbers["count"] == 899


def test_tfd208_fires_on_missing_integer_classes() -> None:
    f = one(check("TFD208", _labels({"0": 100, "1": 100, "3": 100, "4": 100})))
    assert f.where == Where(feature="label")
    assert f.numbers == {"missing": [2], "missing_count": 1, "max_label": 4}


def test_tfd208_fires_on_a_class_under_the_rare_fraction() -> None:
    f = one(check("TFD208", _labels({"0": 500, "1": 500, "2": 1})))  # 1 of 1,001 < 0.1%
    assert f.numbers == {"rare": {"2": 1}, "records": 1001}


def test_tfd208_silent_on_a_class_at_the_rare_fraction() -> None:
    assert check("TFD208", _labels({"0": 500, "1": 499, "2": 1})) == []  # 1 of 1,000 = 0.1%


def test_tfd208_follows_the_configured_rare_fraction() -> None:
    f = one(check("TFD208", _labels({"0": 500, "1": 480, "2": 20}), Thresholds(label_rare_fraction=0.05)))
    assert f.numbers == {"rare": {"2": 20}, "records": 1000}


def test_tfd208_judges_up_to_the_configured_number_of_classes() -> None:
    classes = {"0": 950, "1": 25, "2": 25}
    assert check("TFD208", _labels(classes), Thresholds(label_max_classes=3))[0].numbers["class"] == "0"
    assert check("TFD208", _labels(classes), Thresholds(label_max_classes=2)) == []


def _many(n: int) -> dict[str, int]:
    """n classes: n - 1 of 10 records, and class '0' with 90% of the records."""
    classes = {str(i): 10 for i in range(1, n)}
    classes["0"] = 9 * 10 * (n - 1)
    return classes


def test_tfd208_judges_at_most_label_max_classes_classes() -> None:
    judged = check("TFD208", _labels(_many(1000)))
    assert [f.numbers.get("class") for f in judged] == ["0", None]  # the majority, then the rare ones
    assert judged[0].numbers["classes"] == 1000
    assert check("TFD208", _labels(_many(1001))) == []  # more values than classes can be


def test_tfd208_silent_on_a_balanced_label() -> None:
    assert check("TFD208", _labels({"0": 500, "1": 500})) == []


def test_tfd208_silent_on_a_float_regression_target_but_not_on_float_classes() -> None:
    assert check("TFD208", _labels({"0.5": 950, "1.5": 50}, kind="float")) == []
    assert one(check("TFD208", _labels({"0.0": 950, "1.0": 50}, kind="float"))).numbers["class"] == "0.0"


def test_tfd208_silent_without_a_label() -> None:
    assert check("TFD208", scan(feature("x", records=1000))) == []


@pytest.mark.parametrize("classes", [None, {"0": 1000}])
def test_tfd208_silent_without_classes(classes: dict[str, int] | None) -> None:
    order = label_order(classes, records=1000)
    assert check("TFD208", scan(feature("label", records=1000), order=order)) == []


# ---------------------------------------------------------------------------------------------
# TFD213 empty-feature (threshold: empty_feature_fraction 0.95)


def test_tfd213_fires_at_the_empty_fraction() -> None:
    boxes = feature("bbox/xmin", "float", records=100, with_values=5)  # empty float lists in 95
    f = one(check("TFD213", scan(boxes)))
    assert (f.code, f.severity) == ("TFD213", Severity.WARNING)
    assert f.where == Where(feature="bbox/xmin")
    assert f.numbers == {"empty": 95, "present": 100, "fraction": 0.95, "unset": 0, "empty_list": 95}


def test_tfd213_silent_just_below_the_empty_fraction() -> None:
    assert check("TFD213", scan(feature("bbox/xmin", "float", records=100, with_values=6))) == []


def test_tfd213_counts_features_with_no_value_list_apart() -> None:
    hollow = feature("note", "bytes", records=200, present=100, with_values=0, kinds={"unset": 100})
    f = one(check("TFD213", scan(hollow)))
    assert f.numbers == {"empty": 100, "present": 100, "fraction": 1.0, "unset": 100, "empty_list": 0}


def test_tfd213_follows_the_configured_fraction() -> None:
    half = scan(feature("bbox/xmin", "float", records=100, with_values=50))
    assert check("TFD213", half) == []
    assert one(check("TFD213", half, Thresholds(empty_feature_fraction=0.5))).numbers["empty"] == 50


def test_tfd213_silent_on_a_feature_that_holds_values() -> None:
    assert check("TFD213", scan(feature("bbox/xmin", "float", records=100))) == []
