"""Threshold edges that survived mutation testing (scripts/mutation, issue 16): each measured
value is judged at its threshold and one float step on either side (`math.nextafter`), so a
`>=` turned into `>` (or `<` into `<=`) fails here; and the branches a mutant switched off
without a test noticing, each with its silent twin. Findings are compared whole."""

from __future__ import annotations

import math

import pytest
from facts_builders import (
    check,
    dataset,
    feature,
    label_order,
    one,
    pipeline_facts,
    spec,
    spec_facts,
    tally,
    tfrecord,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import AugmentFacts, Facts, FeatureSpec, LabelOrder, Problem, StepProbe
from tfdoctor.findings import Severity, Where


def below(x: float) -> float:
    return math.nextafter(x, -math.inf)


def above(x: float) -> float:
    return math.nextafter(x, math.inf)


def severities(code: str, facts: Facts, **thresholds: float) -> list[Severity]:
    return [f.severity for f in check(code, facts, Thresholds(**thresholds))]  # type: ignore[arg-type]


READ = ("read", {})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})
REPEAT = ("repeat", {"count": -1})


def shuffle(buffer: int) -> tuple[str, dict[str, object]]:
    return ("shuffle", {"buffer_size": buffer})


def batch(size: int) -> tuple[str, dict[str, object]]:
    return ("batch", {"batch_size": size})


def audit(*description: object, records: int | None = None, sources: object = None) -> Facts:
    return Facts(pipeline=pipeline_facts(description, records=records, sources=sources))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# TFD403 destructive-augmentation: augment_constant_after/before, augment_clipped_after/before,
# augment_range_spans


AUGMENT = ("map", {"function": "augment", "num_parallel_calls": -1, "random_ops": ("RandomUniform",)})


def _augmented(**changes: float) -> Facts:
    values = {
        "before_min": 0.0,
        "before_max": 1.0,
        "after_min": 0.0,
        "after_max": 1.0,
        "before_constant": 0.0,
        "after_constant": 0.0,
        "before_clipped": 0.0,
        "after_clipped": 0.0,
    }
    values.update(changes)
    augment = AugmentFacts(path="image", elements=64, **values)  # type: ignore[arg-type]
    facts = pipeline_facts([READ, PARSE, AUGMENT, batch(32)], probes=(StepProbe(3, augment=(augment,)),))
    return Facts(pipeline=facts)


@pytest.mark.parametrize(
    ("measured", "field"),
    [("after_constant", "augment_constant_after"), ("after_clipped", "augment_clipped_after")],
)
def test_tfd403_after_share_at_its_threshold(measured: str, field: str) -> None:
    """The share after the map fires at the threshold (>=) and not one step above it."""
    facts = _augmented(**{measured: 0.5})
    assert severities("TFD403", facts, **{field: 0.5}) == [Severity.WARNING]
    assert severities("TFD403", facts, **{field: below(0.5)}) == [Severity.WARNING]
    assert severities("TFD403", facts, **{field: above(0.5)}) == []


@pytest.mark.parametrize(
    ("after", "before", "field"),
    [
        ("after_constant", "before_constant", "augment_constant_before"),
        ("after_clipped", "before_clipped", "augment_clipped_before"),
    ],
)
def test_tfd403_before_share_must_be_under_its_threshold(after: str, before: str, field: str) -> None:
    """Already constant (or clipped) before the map is not the map's doing: silent at the
    threshold, firing one step above it."""
    facts = _augmented(**{after: 0.9, before: 0.1})
    assert severities("TFD403", facts, **{field: 0.1}) == []
    assert severities("TFD403", facts, **{field: below(0.1)}) == []
    assert severities("TFD403", facts, **{field: above(0.1)}) == [Severity.WARNING]


@pytest.mark.parametrize("side", ["after_max", "after_min"])
def test_tfd403_range_reach_is_strict(side: str) -> None:
    """[0, 1] before, augment_range_spans 2.0: reaching exactly 3.0 (or -2.0) is within
    reach; one float step past it is not."""
    edge = {"after_max": 3.0, "after_min": -2.0}[side]
    inside = below(edge) if side == "after_max" else above(edge)
    outside = above(edge) if side == "after_max" else below(edge)
    assert check("TFD403", _augmented(**{side: edge})) == []
    assert check("TFD403", _augmented(**{side: inside})) == []
    f = one(check("TFD403", _augmented(**{side: outside})))
    assert (f.severity, f.where) == (
        Severity.WARNING,
        Where(step=3, call="map(augment, num_parallel_calls=AUTOTUNE)"),
    )
    after = [outside if side == "after_min" else 0.0, outside if side == "after_max" else 1.0]
    assert f.numbers == {
        "elements": 64,
        "before": [0.0, 1.0],
        "after": after,
        "after_constant": 0.0,
        "after_clipped": 0.0,
    }


# ---------------------------------------------------------------------------------------------
# TFD502 small-shuffle-buffer: shuffle_sortedness on both branches, tiny_shuffle_buffer


def _stored(order: LabelOrder) -> object:
    return dataset(feature("label", records=order.records), order=order)


HALF_SORTED = label_order({"0": 500, "1": 500}, runs=100, longest_run=600)


def test_tfd502_run_branch_at_the_sortedness_threshold() -> None:
    s = HALF_SORTED.sortedness
    assert 0.0 < s < 1.0
    facts = audit(READ, PARSE, shuffle(100), batch(32), sources=_stored(HALF_SORTED))
    (f,) = check("TFD502", facts, Thresholds(shuffle_sortedness=s))
    assert (f.severity, f.where) == (Severity.WARNING, Where(step=3, call="shuffle(100)"))
    assert f.numbers == {"buffer_size": 100, "longest_run": 600, "runs": 100}
    assert severities("TFD502", facts, shuffle_sortedness=below(s)) == [Severity.WARNING]
    assert severities("TFD502", facts, shuffle_sortedness=above(s)) == []  # 100 > 32: no batch branch


def test_tfd502_batch_branch_is_a_warning_over_runs_and_info_over_mixed_files() -> None:
    order = label_order({"0": 500, "1": 500}, runs=100, longest_run=20)
    facts = audit(READ, PARSE, shuffle(32), batch(32), sources=_stored(order))
    s = order.sortedness
    (f,) = check("TFD502", facts, Thresholds(shuffle_sortedness=s))
    assert (f.severity, f.numbers) == (Severity.WARNING, {"buffer_size": 32, "batch_size": 32})
    assert severities("TFD502", facts, shuffle_sortedness=below(s)) == [Severity.WARNING]
    assert severities("TFD502", facts, shuffle_sortedness=above(s)) == [Severity.INFO]


def test_tfd502_tiny_buffer_edge() -> None:
    """A buffer no larger than the batch over an unscanned order: a warning up to
    tiny_shuffle_buffer records, info above it."""
    facts = audit(READ, PARSE, shuffle(16), batch(32))
    assert severities("TFD502", facts, tiny_shuffle_buffer=16) == [Severity.WARNING]
    assert severities("TFD502", facts, tiny_shuffle_buffer=17) == [Severity.WARNING]
    assert severities("TFD502", facts, tiny_shuffle_buffer=15) == [Severity.INFO]


# ---------------------------------------------------------------------------------------------
# TFD505 truncated-dataset: what counts as a repeat, shards, truncated_fraction


def _take_repeat(count: int, records: int = 1000) -> Facts:
    return audit(
        READ, PARSE, ("take", {"count": 100}), ("repeat", {"count": count}), batch(32), records=records
    )


def test_tfd505_repeat_once_cycles_nothing_twice_does() -> None:
    assert check("TFD505", _take_repeat(1)) == []
    f = one(check("TFD505", _take_repeat(2)))
    assert (f.severity, f.where) == (Severity.ERROR, Where(step=3, call="take(100)"))
    assert f.numbers == {"records_kept": 100, "records": 1000, "fraction": 0.1}


@pytest.mark.parametrize("shards", [None, 1, "n"])
def test_tfd505_silent_on_a_shard_count_that_is_unknown_or_one(shards: object) -> None:
    facts = audit(READ, ("shard", {"num_shards": shards, "index": 0}), REPEAT, batch(32), records=900)
    assert check("TFD505", facts) == []


def test_tfd505_truncated_fraction_is_strict() -> None:
    skip = audit(READ, ("skip", {"count": 750}), REPEAT, batch(32), records=1000)  # keeps 0.25
    assert severities("TFD505", skip, truncated_fraction=0.25) == []
    assert severities("TFD505", skip, truncated_fraction=below(0.25)) == []
    assert severities("TFD505", skip, truncated_fraction=above(0.25)) == [Severity.ERROR]


# ---------------------------------------------------------------------------------------------
# TFD102 truncated-file: TensorFlow raises only where a whole 12-byte header is left


@pytest.mark.parametrize(
    ("left", "severity"), [(11, Severity.WARNING), (12, Severity.ERROR), (13, Severity.ERROR)]
)
def test_tfd102_a_partial_header_is_a_warning(left: int, severity: Severity) -> None:
    cut = tfrecord(
        "a.tfrecord",
        records=5,
        problem_counts={"truncated": 1},
        problems=(Problem("truncated", 500, 5, left, "cut"),),
    )
    f = one(check("TFD102", Facts(dataset=dataset(records=5, files=(cut,)))))
    assert (f.severity, f.where) == (severity, Where(file="a.tfrecord", offset=500, record=5))
    assert f.numbers == {"offset": 500, "bytes_in_partial_record": left, "good_records": 5}


# ---------------------------------------------------------------------------------------------
# TFD204 default-masks-missing: default_label_error_fraction


def _defaulted_label(missing: int) -> Facts:
    entry = FeatureSpec("label", "FixedLenFeature", "int64", shape=(), default=0)
    label = feature("label", present=100 - missing, label_like=True)
    return spec_facts(spec(entry), dataset(label), tally(entry, problems={"missing": missing}))


def test_tfd204_label_error_fraction_edge() -> None:
    facts = _defaulted_label(10)  # 10 of 100 = 0.1
    assert severities("TFD204", facts, default_label_error_fraction=0.1) == [Severity.ERROR]
    assert severities("TFD204", facts, default_label_error_fraction=below(0.1)) == [Severity.ERROR]
    assert severities("TFD204", facts, default_label_error_fraction=above(0.1)) == [Severity.WARNING]


# ---------------------------------------------------------------------------------------------
# TFD208 label-imbalance: label_many_classes turns missing and rare classes into info


def test_tfd208_many_classes_edge() -> None:
    classes = {"0": 100, "1": 100, "2": 100, "4": 100, "5": 100}  # 3 missing, 5 classes
    n = sum(classes.values())
    facts = Facts(dataset=dataset(feature("label", records=n), order=label_order(classes)))
    assert severities("TFD208", facts, label_many_classes=5) == [Severity.WARNING]
    assert severities("TFD208", facts, label_many_classes=6) == [Severity.WARNING]
    (f,) = check("TFD208", facts, Thresholds(label_many_classes=4))
    assert f.severity == Severity.INFO
    assert f.numbers == {"missing": [3], "missing_count": 1, "max_label": 5}


# ---------------------------------------------------------------------------------------------
# TFD501 no-shuffle: sorted_labels makes it an error


def test_tfd501_sorted_labels_edge() -> None:
    order = label_order({"0": 500, "1": 500}, runs=100, longest_run=20)
    s = order.sortedness
    facts = audit(READ, PARSE, batch(32), sources=_stored(order))
    (f,) = check("TFD501", facts, Thresholds(sorted_labels=s))
    assert (f.severity, f.where, f.numbers) == (
        Severity.ERROR,
        Where(step=3, call="batch(32)"),
        {"sortedness": round(s, 4)},
    )
    assert severities("TFD501", facts, sorted_labels=below(s)) == [Severity.ERROR]
    assert severities("TFD501", facts, sorted_labels=above(s)) == [Severity.WARNING]
