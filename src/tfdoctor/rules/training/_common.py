"""What the training rules share: where a finding points, and how far a curve moved."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ...facts.training import TrainingFacts
from ...findings import Where


def where(facts: TrainingFacts, epoch: int | None = None, layer: str | None = None) -> Where:
    """The log run read (if any), the epoch and the layer."""
    if epoch is None and facts.epochs:
        epoch = facts.epochs[-1].epoch
    return Where(file=facts.source, epoch=epoch, layer=layer)


def moved(values: Sequence[float], reference: float) -> float:
    """The largest distance of the values from the reference, as a fraction of it."""
    scale = max(abs(reference), 1e-12)
    return max((abs(v - reference) for v in values), default=0.0) / scale


def finite(values: Sequence[float]) -> bool:
    return all(math.isfinite(v) for v in values)


def epoch_series(facts: TrainingFacts, name: str) -> list[tuple[int, float]]:
    """(epoch, value) of one per-epoch metric, in epoch order, where logged."""
    return [(e.epoch, e.metrics[name]) for e in facts.epochs if name in e.metrics]


ACCURACY = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")


def accuracy_name(facts: TrainingFacts, prefix: str = "") -> str | None:
    """The accuracy metric Keras logged (compile(metrics=["accuracy"]) names it by the loss)."""
    for name in ACCURACY:
        if any(prefix + name in e.metrics for e in facts.epochs):
            return prefix + name
    return None
