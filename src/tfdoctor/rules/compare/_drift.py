"""The drift measures as TensorFlow Data Validation defines them (anomalies/metrics.cc), so a
threshold means here what it means in a TFDV schema's drift comparator:

- L-infinity distance (categorical): each side's value counts divided by their own sum, the
  largest absolute difference over the values of either side (a value missing from one side
  counts 0 there). Returns that value too; on ties, the last in sorted order, as TFDV's loop.
- Jensen-Shannon divergence (numeric): both histograms rebucketed onto the union of their
  bucket boundaries (counts spread uniformly within a bucket), zero-width buckets kept as
  point masses, infinite buckets and NaN as extra buckets that never match the other side;
  normalised; JSD = (KL(P||M) + KL(Q||M)) / 2 with M = (P + Q) / 2, in bits (log2), capped at 1.

A scan keeps quantiles, not histograms: `quantile_histogram` makes a QUANTILES histogram
(TFDV's other histogram type) of them: a bucket between consecutive quantiles holds the share
of values between their ranks (min, 1%, 25%, 50%, 75%, 99%, max: 1%, 24%, 25%, 25%, 24%, 1%).
Its error: values are taken as spread uniformly inside each of those 6 buckets, so two
distributions that agree at the 7 quantiles differ by 0 however they differ between them (a
lower estimate of what a finer histogram gives); the sketch's rank error (under 0.5%) moves a
bucket's share by at most that much."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ...facts.compare import Bucket, Histogram
from ...facts.dataset import NumericStats


def linf_distance(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[str, float]:
    """(value, distance): TFDV's L-infinity distance of two value-count maps (each normalised
    by its own total)."""
    total_a, total_b = sum(a.values()), sum(b.values())
    best: tuple[str, float] = ("", 0.0)
    for key in sorted({*a, *b}):
        p = a.get(key, 0.0) / total_a if total_a else 0.0
        q = b.get(key, 0.0) / total_b if total_b else 0.0
        if abs(p - q) >= best[1]:
            best = (key, abs(p - q))
    return best


def js_divergence(first: Histogram, second: Histogram) -> float:
    """TFDV's Jensen-Shannon divergence of two numeric histograms, in [0, 1]. ValueError
    where either holds no values."""
    p, q = _align(first, second)
    total_p, total_q = sum(p), sum(q)
    if total_p <= 0 or total_q <= 0:
        raise ValueError("cannot normalise an empty histogram")
    p = [x / total_p for x in p]
    q = [x / total_q for x in q]
    m = [(x + y) / 2 for x, y in zip(p, q)]
    return min(1.0, (_kl(p, m) + _kl(q, m)) / 2)


def _kl(p: list[float], q: list[float]) -> float:
    return sum(x * math.log2(x / y) for x, y in zip(p, q) if x > 0 and y > 0)


def _align(first: Histogram, second: Histogram) -> tuple[list[float], list[float]]:
    """The two histograms' counts on common buckets (TFDV's AlignHistograms)."""
    spans1, points1, inf1 = _strip(first)
    spans2, points2, inf2 = _strip(second)
    bounds1 = {x for b in spans1 for x in (b.low, b.high)}
    bounds2 = {x for b in spans2 for x in (b.low, b.high)}
    if bounds1 != bounds2:
        bounds = sorted(bounds1 | bounds2)
        counts1, counts2 = _rebucket(spans1, bounds), _rebucket(spans2, bounds)
    else:
        counts1, counts2 = [b.count for b in spans1], [b.count for b in spans2]
    for point in sorted({*points1, *points2}):
        counts1.append(points1.get(point, 0.0))
        counts2.append(points2.get(point, 0.0))
    if inf1:
        counts1.append(inf1)
        counts2.append(0.0)
    if inf2:
        counts1.append(0.0)
        counts2.append(inf2)
    if first.nan > 0 or second.nan > 0:
        counts1 += [0.0, first.nan]
        counts2 += [second.nan, 0.0]
    return counts1, counts2


def _strip(h: Histogram) -> tuple[list[Bucket], dict[float, float], float]:
    """Buckets of finite width, point masses by value, and the mass in infinite buckets."""
    spans: list[Bucket] = []
    points: dict[float, float] = {}
    infinite = 0.0
    for b in h.buckets:
        if not (math.isfinite(b.low) and math.isfinite(b.high)):
            infinite += b.count
        elif b.low == b.high:
            points[b.low] = points.get(b.low, 0.0) + b.count
        else:
            spans.append(b)
    return spans, points, infinite


def _rebucket(spans: list[Bucket], bounds: list[float]) -> list[float]:
    """Counts per [bounds[i], bounds[i+1]], each bucket's count spread uniformly over its
    width (every bucket's edges are among `bounds`)."""
    out = [0.0] * (len(bounds) - 1)
    index = {x: i for i, x in enumerate(bounds)}
    for b in spans:
        lo, hi = index[b.low], index[b.high]
        for i in range(lo, hi):
            out[i] += b.count * (bounds[i + 1] - bounds[i]) / (b.high - b.low)
    return out


def quantile_rank(key: str) -> float | None:
    """The rank a scan's quantile key stands for: min 0, q25 0.25, max 1 (None: not one)."""
    if key == "min":
        return 0.0
    if key == "max":
        return 1.0
    if key.startswith("q"):
        try:
            return float(key[1:]) / 100
        except ValueError:
            return None
    return None


def quantile_histogram(n: NumericStats) -> Histogram | None:
    """A QUANTILES histogram of a scan's numeric statistics (see the module doc); None where
    no finite value was seen."""
    finite = n.count - n.nan - n.pos_inf - n.neg_inf
    ranked = sorted((r, v) for k, v in n.quantiles.items() if (r := quantile_rank(k)) is not None)
    if finite <= 0 or not ranked:
        return None
    buckets = [
        Bucket(lo, hi, (r_hi - r_lo) * finite)
        for (r_lo, lo), (r_hi, hi) in zip(ranked, ranked[1:])
        if r_hi > r_lo
    ]
    if len(ranked) == 1 or not buckets:  # one value only
        buckets = [Bucket(ranked[0][1], ranked[0][1], float(finite))]
    if n.pos_inf or n.neg_inf:
        buckets.append(Bucket(-math.inf, math.inf, float(n.pos_inf + n.neg_inf)))
    return Histogram(tuple(buckets), float(n.nan))
