"""What the TFD21x comparisons read from each side's statistics: value counts of categorical
features, the label's classes, numeric histograms."""

from __future__ import annotations

from ...facts.compare import Histogram
from ...facts.dataset import DatasetStats, FeatureStats
from ._drift import quantile_histogram

OTHER = "(other values)"  # the values past a sketch's most frequent ones, as one bucket


def complete_counts(f: FeatureStats) -> dict[str, float] | None:
    """Every value of the feature with its count, where the statistics kept them all (a few
    distinct values); None where they kept only the most frequent."""
    kept = sum(c for _, c in f.top_values)
    if not f.top_values or kept < f.total_values:
        return None
    return {v: float(c) for v, c in f.top_values}


def value_counts(f: FeatureStats) -> dict[str, float] | None:
    """The value counts L-infinity is measured on: all of them where kept, else the most
    frequent ones plus the rest as one bucket (the distance then sees shifts among the
    frequent values and in their total share)."""
    complete = complete_counts(f)
    if complete is not None or not f.top_values:
        return complete
    counts = {v: float(c) for v, c in f.top_values}
    counts[OTHER] = float(max(0, f.total_values - sum(c for _, c in f.top_values)))
    return counts


def classes(stats: DatasetStats, label: str | None) -> dict[str, int] | None:
    """The label's classes with their record counts, where known in full: counted by the
    scan's label order, or every value of a label feature with few values."""
    if label is None:
        return None
    order = stats.label_orders.get(label)
    if order is not None and order.classes is not None:
        return dict(order.classes)
    f = stats.stored(label)
    counts = complete_counts(f) if f is not None and f.kind in ("int64", "bytes") else None
    return {v: int(c) for v, c in counts.items()} if counts is not None else None


def categorical(train: FeatureStats, evals: FeatureStats) -> bool:
    """Judged on value counts (L-infinity): bytes that are not images, and integers whose
    values both sides kept in full (few distinct values: codes, classes)."""
    if train.kind == "bytes":
        return not (train.is_image or evals.is_image)
    return train.kind == "int64" and complete_counts(train) is not None and complete_counts(evals) is not None


def histogram(f: FeatureStats, stored: dict[str, Histogram]) -> Histogram | None:
    """The feature's numeric histogram: as a statistics file stored it, else from the scan's
    quantiles."""
    if f.path in stored:
        return stored[f.path]
    return quantile_histogram(f.numeric) if f.numeric is not None else None
