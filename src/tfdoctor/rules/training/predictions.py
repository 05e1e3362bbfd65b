"""TFD803, TFD804: predictions that ignore the input, accuracy no better than guessing."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.training import TrainingFacts
from ...findings import Severity
from ..registry import Report, rule
from ._common import accuracy_name, epoch_series, where

_SAME_ACCURACY = 1e-4  # a log's accuracy that varies less than this over the epochs is one fixed rate


@rule("TFD803", "constant-predictions", Severity.ERROR, requires=(TrainingFacts,))
def constant_predictions(facts: TrainingFacts, cfg: Thresholds) -> Iterator[Report]:
    """The model predicts the same output for every input.

    What it finds:
    The callback predicts a fixed probe batch every {watch_steps} steps (`watch-steps`); the
    predictions' spread across its inputs (the largest standard deviation of an output unit,
    relative to the outputs' scale) is at most {prediction_spread_min}
    (`prediction-spread-min`) in each of the last {watch_windows} windows (`watch-windows`).
    Why it hurts training:
    A model whose output does not depend on its input has learned only the labels'
    frequencies: its inputs are constant (a parse default, a blank decode), a layer
    saturated (inputs in the thousands into a sigmoid), or the labels are constant.
    Example:
    image = tf.zeros([28, 28, 1])  # what a failed decode falls back to
    Fix:
    Look at the inputs of the batches (the callback audits the dataset: TFD601 names a
    constant tensor) and at their scale (TFD602).
    """
    n = cfg.watch_windows
    values = facts.spread.values
    if facts.probe_size < 2 or len(values) < n or facts.non_finite is not None:
        return
    last = values[-n:]
    if max(last) <= cfg.prediction_spread_min:
        yield Report(
            f"the model predicts the same output for all {facts.probe_size} inputs of the probe batch "
            f"(spread {max(last):.3g} in the last {n} windows of {facts.window} steps): it ignores its input",
            where(facts),
            {"spread": max(last), "probe_size": facts.probe_size, "windows": n},
            "Check that the inputs vary (TFD601) and are scaled (TFD602)",
        )


@rule("TFD804", "chance-accuracy", Severity.WARNING, requires=(TrainingFacts,))
def chance_accuracy(facts: TrainingFacts, cfg: Thresholds) -> Iterator[Report]:
    """Accuracy stays at the majority-class rate.

    What it finds:
    Training accuracy at most {chance_margin} (`chance-margin`) above the most common
    label's share of the probed batches (or two standard errors of that estimate, if more),
    in each of the last {chance_epochs} epochs (`chance-epochs`). From a TensorBoard log,
    where the labels are not known: an accuracy that stays at one fixed rate below 1 over
    those epochs.
    Why it hurts training:
    Always answering the most common class scores exactly that rate: on imbalanced data it
    looks like a decent accuracy (0.9 with 90% of one class) while the model has learned
    nothing about the inputs.
    Example:
    Labels that are 90% class 0, and inputs that do not reach the model (constant, or
    shuffled apart from their labels).
    Fix:
    Compare accuracy with the majority rate, weight the classes (`class_weight=`) or
    resample, and check that the inputs carry the signal.
    """
    name = accuracy_name(facts)
    if name is None or facts.non_finite is not None:
        return
    series = epoch_series(facts, name)[-cfg.chance_epochs :]
    if len(series) < max(cfg.chance_epochs, 1):
        return
    values = [v for _, v in series]
    shown = ", ".join(f"{v:.3f}" for v in values)
    if facts.majority_rate is not None:
        rate = facts.majority_rate
        # the rate is estimated from the probed labels: allow for two standard errors of that
        error = 2 * math.sqrt(rate * (1 - rate) / facts.labels_probed) if facts.labels_probed else 0.0
        if max(values) <= rate + max(cfg.chance_margin, error):
            yield Report(
                f"{name} {shown} in the last {len(values)} epochs: no better than always predicting the most "
                f"common label ({facts.majority_rate:.3f} of the probed labels)",
                where(facts),
                {"accuracy": values[-1], "majority_rate": facts.majority_rate, "epochs": len(values)},
                "Weight the classes (class_weight=) or resample; check that the inputs carry the signal",
            )
        return
    if max(values) - min(values) <= _SAME_ACCURACY and max(values) < 0.999:
        yield Report(
            f"{name} stays at {values[-1]:.4f} in the last {len(values)} epochs: one fixed rate, the share "
            "of the class the model always predicts?",
            where(facts),
            {"accuracy": values[-1], "epochs": len(values)},
            "Compare it with the majority-class rate; weight the classes or resample",
        )
