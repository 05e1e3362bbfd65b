"""TFD211: a feature's values are distributed differently in the training and evaluation
data (L-infinity distance for categorical features, Jensen-Shannon divergence for numeric
ones, as TFDV defines them: see `_drift`)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.compare import ComparedStats
from ...facts.dataset import FeatureStats
from ...findings import Severity, Where
from ..registry import Report, rule
from ._common import categorical, classes, histogram, value_counts
from ._drift import js_divergence, linf_distance


@rule("TFD211", "train-eval-drift", Severity.WARNING, requires=(ComparedStats,))
def train_eval_drift(facts: ComparedStats, cfg: Thresholds) -> Iterator[Report]:
    """A feature's distribution differs between splits (L-infinity or Jensen-Shannon, as TFDV).

    What it finds:
    Features stored alike in both splits whose values are distributed differently, measured
    as TensorFlow Data Validation measures drift: for categorical features (bytes that are
    not images, integers with few values, the label's classes) the L-infinity distance of
    the two value-share vectors, above {drift_linf} (`drift-linf`) and above {drift_sigmas}
    standard errors of what two samples of these sizes differ by chance (`drift-sigmas`);
    for numeric features the Jensen-Shannon divergence (bits, 0 to 1) of their histograms,
    above {drift_js} (`drift-js`), where both splits hold at least {drift_min_values} values
    (`drift-min-values`). A scan keeps quantiles (min, 1%, 25%, 50%, 75%, 99%, max), and the
    histogram is made of them: a coarse estimate, one that misses differences between the
    quantiles. A value range one split holds about 255 times the other's is named: images
    or features scaled to [0, 1] in one split only. Between the batches of a training and an
    evaluation pipeline (`compare_audits`): a float tensor within [0, 1] in one and reaching
    above {unnormalized_above} (up to {unnormalized_max}) in the other.
    Why it hurts training:
    A model learns the training distribution: evaluation data from another distribution
    (another scale, another preprocessing, another source or period) makes validation
    metrics stall or mislead while training improves.
    Example:
    train 'brightness' in [0, 1]; eval 'brightness' in [0, 255] (JS divergence 1.0).
    Fix:
    Produce both splits with the same preprocessing; split one shuffled dataset rather than
    exporting the splits separately.
    """
    label = facts.label_feature
    train = {f.path: f for f in facts.train.features}
    for e in facts.eval.features:
        t = train.get(e.path)
        if t is None or t.kind != e.kind or t.kind not in ("int64", "float", "bytes"):
            continue  # not stored alike: TFD210
        if label is not None and t.name == label:
            yield from _label(facts, label, t, cfg)
        elif categorical(t, e):
            yield from _categorical(t, e, cfg)
        elif t.kind in ("int64", "float"):
            yield from _numeric(facts, t, e, cfg)


def _label(facts: ComparedStats, label: str, t: FeatureStats, cfg: Thresholds) -> Iterator[Report]:
    """The classes' shares; where the class sets differ, TFD212 says so instead."""
    a, b = classes(facts.train, label), classes(facts.eval, label)
    if a is None or b is None or set(a) != set(b):
        return
    yield from _shares(t, {k: float(v) for k, v in a.items()}, {k: float(v) for k, v in b.items()}, cfg)


def _categorical(t: FeatureStats, e: FeatureStats, cfg: Thresholds) -> Iterator[Report]:
    a, b = value_counts(t), value_counts(e)
    if a is not None and b is not None:
        yield from _shares(t, a, b, cfg)


def _shares(t: FeatureStats, a: dict[str, float], b: dict[str, float], cfg: Thresholds) -> Iterator[Report]:
    value, distance = linf_distance(a, b)
    n_a, n_b = sum(a.values()), sum(b.values())
    if not n_a or not n_b or distance <= cfg.drift_linf:
        return
    pooled = (a.get(value, 0.0) + b.get(value, 0.0)) / (n_a + n_b)
    noise = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if distance <= cfg.drift_sigmas * noise:
        return
    p, q = a.get(value, 0.0) / n_a, b.get(value, 0.0) / n_b
    yield Report(
        f"'{t.path}': the value {value!r} is {p:.1%} of the training values and {q:.1%} of the "
        f"evaluation values (L-infinity distance {distance:.3f}, above {cfg.drift_linf:g}; chance "
        f"alone differs by about {noise:.3f} at these sizes).",
        Where(feature=t.path),
        {
            "metric": "l_infinity",
            "distance": round(distance, 6),
            "value": value,
            "train_share": round(p, 6),
            "eval_share": round(q, 6),
            "train_values": int(n_a),
            "eval_values": int(n_b),
        },
        "produce both splits with the same preprocessing, or split one shuffled dataset",
    )


def _numeric(facts: ComparedStats, t: FeatureStats, e: FeatureStats, cfg: Thresholds) -> Iterator[Report]:
    ht, he = histogram(t, facts.train_histograms), histogram(e, facts.eval_histograms)
    if ht is None or he is None or min(ht.total, he.total) < cfg.drift_min_values:
        return
    divergence = js_divergence(ht, he)
    if divergence <= cfg.drift_js:
        return
    tn, en = t.numeric, e.numeric
    ranges = ""
    numbers: dict[str, object] = {"metric": "jensen_shannon", "divergence": round(divergence, 6)}
    if tn is not None and en is not None and None not in (tn.min, tn.max, en.min, en.max):
        ranges = (
            f" Training values {tn.min:g} to {tn.max:g} (mean {tn.mean:.4g}), evaluation values "
            f"{en.min:g} to {en.max:g} (mean {en.mean:.4g})."
        )
        numbers |= {"train_min": tn.min, "train_max": tn.max, "eval_min": en.min, "eval_max": en.max}
        scale = _scale(tn.min, tn.max, en.min, en.max)  # type: ignore[arg-type]
        if scale is not None:
            ranges += f" The evaluation values span about {scale:.4g} times the training range: " + (
                "scaled to [0, 1] in training only?" if scale > 1 else "scaled to [0, 1] in evaluation only?"
            )
            numbers["scale"] = round(scale, 4)
    source = (
        "histograms from the statistics files"
        if t.path in facts.train_histograms or e.path in facts.eval_histograms
        else "histograms made of the scans' quantiles"
    )
    yield Report(
        f"'{t.path}': Jensen-Shannon divergence {divergence:.3f} between the training and evaluation "
        f"values, above {cfg.drift_js:g} ({source}).{ranges}",
        Where(feature=t.path),
        numbers,
        "apply the same scaling and preprocessing to both splits",
    )


def _scale(t_min: float, t_max: float, e_min: float, e_max: float) -> float | None:
    """The ratio of the two value ranges where it is about 255 (one split scaled by 1/255 or
    to 8-bit pixels, the other not), else None."""
    t_width, e_width = t_max - t_min, e_max - e_min
    if t_width <= 0 or e_width <= 0:
        return None
    ratio = e_width / t_width
    for factor in (255.0, 256.0, 1 / 255.0, 1 / 256.0):
        if abs(ratio / factor - 1) <= 0.1:
            return ratio
    return None
