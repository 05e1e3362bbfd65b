"""TFD210-TFD211 and the drift measures, where mutants survived scripts/mutation on tests/rules
(issue 16): empty sides, values on one side only, NaN and infinite buckets, point masses,
QUANTILES histograms of one, two and no finite values, int64 codes, a side read from a
statistics file, ranges scaled either way. Expected divergences are worked out by hand from
TFDV's definition (see rules/compare/_drift.py), not read back from tfdoctor."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from facts_builders import batch_facts, check, dataset, feature, images, numbers, one, tensor

from tfdoctor.facts import ComparedBatches, ComparedStats, DatasetStats, Facts, FeatureStats
from tfdoctor.facts.compare import Bucket, Histogram
from tfdoctor.findings import Where
from tfdoctor.rules.compare._drift import js_divergence, linf_distance, quantile_histogram, quantile_rank

INF = math.inf
# P = (1/2, 1/2), Q = (1, 0): M = (3/4, 1/4); JSD = (KL(P||M) + KL(Q||M)) / 2
HALF_AGAINST_ALL = (0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25) + math.log2(1 / 0.75)) / 2


def h(*buckets: tuple[float, float, float], nan: float = 0.0) -> Histogram:
    return Histogram(tuple(Bucket(*b) for b in buckets), nan)


# ---------------------------------------------------------------------------------------------
# The measures


def test_linf_distance_of_an_empty_side() -> None:
    assert linf_distance({}, {"x": 4.0}) == ("x", 1.0)
    assert linf_distance({"x": 4.0}, {}) == ("x", 1.0)


def test_js_divergence_of_empty_histograms_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="empty histogram"):
        js_divergence(h((0, 1, 0.0)), h((0, 1, 5.0)))
    with pytest.raises(ValueError, match="empty histogram"):
        js_divergence(h(), h((0, 1, 5.0)))


def test_js_divergence_nan_on_one_side_only() -> None:
    assert js_divergence(h((0, 1, 10.0), nan=10.0), h((0, 1, 10.0))) == pytest.approx(HALF_AGAINST_ALL)
    assert js_divergence(h((0, 1, 10.0)), h((0, 1, 10.0), nan=10.0)) == pytest.approx(HALF_AGAINST_ALL)


def test_js_divergence_infinite_bucket_on_one_side() -> None:
    assert js_divergence(h((0, 1, 10.0), (-INF, INF, 10.0)), h((0, 1, 10.0))) == pytest.approx(
        HALF_AGAINST_ALL
    )


def test_js_divergence_point_masses_on_one_side_each() -> None:
    """All mass at 1.0 against all mass at 2.0: disjoint, the divergence is 1."""
    assert js_divergence(h((1, 1, 5.0)), h((2, 2, 5.0))) == pytest.approx(1.0)
    assert js_divergence(h((1, 1, 5.0)), h((1, 1, 7.0))) == pytest.approx(0.0)


def test_quantile_rank() -> None:
    assert [quantile_rank(k) for k in ("min", "q25", "q99", "max", "qx", "mean")] == [
        0.0,
        0.25,
        0.99,
        1.0,
        None,
        None,
    ]


def stats(count: int = 100, nan: int = 0, pos_inf: int = 0, **quantiles: float):  # type: ignore[no-untyped-def]
    return replace(numbers(count=count, nan=nan, pos_inf=pos_inf), quantiles=quantiles)


def test_quantile_histogram_of_no_one_and_two_finite_values() -> None:
    assert quantile_histogram(stats(count=5, nan=5, min=0.0, max=1.0)) is None
    assert quantile_histogram(stats(q50=3.0)) == h((3.0, 3.0, 100.0))
    assert quantile_histogram(stats(min=0.0, max=10.0)) == h((0.0, 10.0, 100.0))
    assert quantile_histogram(stats(count=100, nan=5, pos_inf=10, min=0.0, max=10.0)) == h(
        (0.0, 10.0, 85.0), (-INF, INF, 10.0), nan=5.0
    )


# ---------------------------------------------------------------------------------------------
# TFD211 train-eval-drift on the statistics


def compared(train: DatasetStats, evals: DatasetStats, **fields: object) -> Facts:
    return Facts(compared=ComparedStats(train, evals, **fields))  # type: ignore[arg-type]


def values(name: str, kept: dict[str, int], total: int | None = None, kind: str = "bytes") -> FeatureStats:
    """A feature whose most frequent values were kept (all of them unless `total` is larger)."""
    total = sum(kept.values()) if total is None else total
    f = feature(name, kind, records=max(total, 1))
    return replace(f, top_values=tuple(kept.items()), total_values=total, distinct_estimate=len(kept))


def spread(name: str, low: float, high: float, kind: str = "float", count: int = 1000) -> FeatureStats:
    step = (high - low) / 100
    q = {"min": low, "q25": low + 25 * step, "q50": low + 50 * step, "q75": low + 75 * step, "max": high}
    return feature(
        name, kind, records=count, numeric=replace(numbers(count=count, low=low, high=high), quantiles=q)
    )


def test_tfd211_the_rest_of_the_values_as_one_bucket() -> None:
    f = one(
        check("TFD211", compared(dataset(values("w", {"a": 80}, 100)), dataset(values("w", {"a": 20}, 100))))
    )
    assert f.numbers == {
        "metric": "l_infinity",
        "distance": 0.6,
        "value": "a",
        "train_share": 0.8,
        "eval_share": 0.2,
        "train_values": 100,
        "eval_values": 100,
    }


def test_tfd211_a_value_on_one_side_only() -> None:
    only_eval = one(
        check("TFD211", compared(dataset(values("w", {"x": 50})), dataset(values("w", {"x": 10, "y": 40}))))
    )
    assert (
        only_eval.numbers["value"],
        only_eval.numbers["train_share"],
        only_eval.numbers["eval_share"],
    ) == ("y", 0, 0.8)
    only_train = one(
        check("TFD211", compared(dataset(values("w", {"x": 10, "y": 40})), dataset(values("w", {"x": 50}))))
    )
    assert (
        only_train.numbers["value"],
        only_train.numbers["train_share"],
        only_train.numbers["eval_share"],
    ) == ("y", 0.8, 0)


def test_tfd211_silent_where_one_side_holds_no_values() -> None:
    assert check("TFD211", compared(dataset(values("w", {"a": 0})), dataset(values("w", {"a": 10})))) == []


def test_tfd211_int64_codes_kept_in_full_are_categorical() -> None:
    train = dataset(values("code", {"1": 50, "2": 50}, kind="int64"))
    evals = dataset(values("code", {"1": 90, "2": 10}, kind="int64"))
    assert one(check("TFD211", compared(train, evals))).numbers["metric"] == "l_infinity"


def test_tfd211_int64_values_not_kept_are_numeric() -> None:
    f = one(
        check(
            "TFD211",
            compared(dataset(spread("id", 0, 10, "int64")), dataset(spread("id", 100, 110, "int64"))),
        )
    )
    assert (f.numbers["metric"], f.numbers["divergence"]) == ("jensen_shannon", 1.0)


def test_tfd211_one_side_from_a_statistics_file() -> None:
    """The training side's histogram from a statistics file, with no scan numbers: no ranges."""
    train = dataset(replace(feature("x", "float", records=1000), numeric=None))
    evals = dataset(spread("x", 100.0, 200.0))
    stored = {"x": h((0.0, 1.0, 1000.0))}
    f = one(check("TFD211", compared(train, evals, train_histograms=stored)))
    assert f.message == (
        "'x': Jensen-Shannon divergence 1.000 between the training and evaluation values, above 0.1 "
        "(histograms from the statistics files)."
    )
    assert f.numbers == {"metric": "jensen_shannon", "divergence": 1.0}


def test_tfd211_evaluation_scaled_to_one_and_a_width_other_than_one() -> None:
    down = one(check("TFD211", compared(dataset(spread("x", 0.0, 255.0)), dataset(spread("x", 0.0, 1.0)))))
    assert "scaled to [0, 1] in evaluation only?" in down.message
    assert down.numbers["scale"] == pytest.approx(1 / 255, abs=1e-4)
    up = one(check("TFD211", compared(dataset(spread("x", 0.0, 2.0)), dataset(spread("x", 0.0, 510.0)))))
    assert up.numbers["scale"] == 255.0 and "scaled to [0, 1] in training only?" in up.message


# ---------------------------------------------------------------------------------------------
# TFD210 train-eval-schema-skew


def test_tfd210_a_training_feature_with_no_rename() -> None:
    train = dataset(feature("label"), feature("weight", "float"))
    evals = dataset(feature("label"))
    f = one(check("TFD210", compared(train, evals)))
    assert f.numbers == {"train_records": 100, "eval_records": 0}
    assert f.fix is not None and f.fix.text == "write 'weight' into the evaluation data"


def test_tfd210_eval_images_of_one_new_size_summed_over_channels() -> None:
    train = dataset(feature("image", "bytes", image=images({"28x28x1": 100})))
    evals = dataset(feature("image", "bytes", records=50, image=images({"64x64x1": 30, "64x64x3": 20})))
    f = one(check("TFD210", compared(train, evals)))
    assert f.numbers["eval_images_other_size"] == 50


def test_tfd210_batches_of_another_rank() -> None:
    facts = Facts(
        compared_batches=ComparedBatches(
            batch_facts(tensor("x", shape=(32, None))), batch_facts(tensor("x", shape=(32, 5, 5)))
        )
    )
    f = one(check("TFD210", facts))
    assert f.where == Where(tensor="x")
    assert f.message.startswith(
        "Batch tensor 'x' has elements of shape (None) in training and (5, 5) in evaluation"
    )
