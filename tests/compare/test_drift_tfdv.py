"""The drift measures against TFDV's definitions (anomalies/metrics.cc), on cases computed by
hand here: L-infinity of separately normalised value counts, and Jensen-Shannon divergence
(log2, capped at 1) of histograms rebucketed onto common boundaries, with point masses, NaN
and infinite buckets kept apart."""

from __future__ import annotations

import math

import pytest

from tfdoctor.facts import Bucket, Histogram, NumericStats
from tfdoctor.rules.compare._drift import js_divergence, linf_distance, quantile_histogram


def jsd(p: list[float], q: list[float]) -> float:
    """JSD by the textbook formula, on already aligned and normalised distributions."""
    m = [(a + b) / 2 for a, b in zip(p, q)]
    kl = lambda x, y: sum(a * math.log2(a / b) for a, b in zip(x, y) if a > 0)  # noqa: E731
    return (kl(p, m) + kl(q, m)) / 2


def h(*buckets: tuple[float, float, float], nan: float = 0.0) -> Histogram:
    return Histogram(tuple(Bucket(*b) for b in buckets), nan)


def test_linf_normalises_each_side_by_its_own_total() -> None:
    # shares 3/4, 1/4 against 1/4, 1/4, 2/4: |0.75-0.25| = 0.5 at 'a', 0 at 'b', 0.5 at 'c' (only in one)
    value, distance = linf_distance({"a": 3, "b": 1}, {"a": 1, "b": 1, "c": 2})
    assert distance == 0.5
    assert value == "c"  # ties: the last value in sorted order, as TFDV's `>=` over a std::map


def test_linf_hand_computed() -> None:
    # 0.5, 0.3, 0.2 against 0.1, 0.5, 0.4: differences 0.4, 0.2, 0.2
    value, distance = linf_distance({"0": 50, "1": 30, "2": 20}, {"0": 10, "1": 50, "2": 40})
    assert (value, distance) == ("0", pytest.approx(0.4))
    assert linf_distance({"x": 5}, {"x": 7}) == ("x", 0.0)


def test_js_of_identical_and_of_disjoint_histograms() -> None:
    assert js_divergence(h((0, 1, 5), (1, 2, 5)), h((0, 1, 50), (1, 2, 50))) == 0.0
    assert js_divergence(h((0, 1, 1)), h((1, 2, 1))) == 1.0  # p = (1, 0), q = (0, 1)


def test_js_rebuckets_uniformly_within_buckets() -> None:
    # [0, 2] holding 4 is (2, 2) on the boundaries {0, 1, 2}: the same as (1, 1) split in halves
    assert js_divergence(h((0, 2, 4)), h((0, 1, 1), (1, 2, 1))) == 0.0
    # (0.5, 0.5) against (0.75, 0.25)
    assert js_divergence(h((0, 2, 4)), h((0, 1, 3), (1, 2, 1))) == pytest.approx(
        jsd([0.5, 0.5], [0.75, 0.25])
    )
    assert jsd([0.5, 0.5], [0.75, 0.25]) == pytest.approx(0.0487949, abs=1e-6)
    # [0, 3] against [1, 2]: boundaries {0, 1, 2, 3}, thirds of the first against all in the middle
    third = 1 / 3
    assert js_divergence(h((0, 3, 3)), h((1, 2, 7))) == pytest.approx(jsd([third] * 3, [0, 1, 0]))


def test_js_keeps_point_masses_apart() -> None:
    # a point at 5 holding 2 beside [0, 10] holding 2, against [0, 10] holding 4:
    # buckets ([0, 10], point 5): (0.5, 0.5) against (1, 0)
    got = js_divergence(h((0, 10, 2), (5, 5, 2)), h((0, 10, 4)))
    assert got == pytest.approx(jsd([0.5, 0.5], [1.0, 0.0]))
    assert got == pytest.approx(0.3112781, abs=1e-6)


def test_js_nan_and_infinite_buckets_never_match() -> None:
    # NaN: TFDV appends (0, nan1) to the first and (nan2, 0) to the second
    got = js_divergence(h((0, 1, 3), nan=1), h((0, 1, 4)))
    assert got == pytest.approx(jsd([0.75, 0, 0.25], [1, 0, 0]))
    assert got == pytest.approx(0.1379254, abs=1e-6)
    # infinite buckets: one mismatching bucket per side that has them
    got = js_divergence(h((0, 1, 3), (-math.inf, math.inf, 1)), h((0, 1, 4)))
    assert got == pytest.approx(jsd([0.75, 0.25], [1, 0]))


def test_js_of_an_empty_histogram_is_an_error() -> None:
    with pytest.raises(ValueError):
        js_divergence(h(), h((0, 1, 1)))


def test_quantile_histogram_holds_the_shares_between_ranks() -> None:
    q = {"min": 0.0, "q01": 1.0, "q25": 2.0, "q50": 3.0, "q75": 4.0, "q99": 5.0, "max": 6.0}
    n = NumericStats(102, 0.0, 6.0, 3.0, 1.0, 1, nan=2, pos_inf=0, neg_inf=0, quantiles=q)
    got = quantile_histogram(n)
    assert got is not None and got.nan == 2
    assert [(b.low, b.high) for b in got.buckets] == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)]
    assert [b.count for b in got.buckets] == pytest.approx([1, 24, 25, 25, 24, 1])


def test_quantile_histogram_of_a_constant_is_a_point() -> None:
    n = NumericStats(10, 4.0, 4.0, 4.0, 0.0, 0, 0, 0, 0, {"min": 4.0, "q50": 4.0, "max": 4.0})
    got = quantile_histogram(n)
    assert got is not None and [(b.low, b.high, b.count) for b in got.buckets] == [
        (4.0, 4.0, 5.0),
        (4.0, 4.0, 5.0),
    ]
    assert js_divergence(got, got) == 0.0
