"""TFD802: weights that do not change."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.training import TrainingFacts
from ...findings import Severity
from ..registry import Report, rule
from ._common import where


@rule("TFD802", "no-weight-updates", Severity.ERROR, requires=(TrainingFacts,))
def no_weight_updates(facts: TrainingFacts, cfg: Thresholds) -> Iterator[Report]:
    """Gradients are zero or the weights do not change.

    What it finds:
    A model with no trainable weights at all, or trainable weights whose change over each of
    the last {watch_windows} windows of {watch_steps} steps (`watch-windows`, `watch-steps`) is
    at most {update_ratio_min} of their norm (`update-ratio-min`). An error when no layer
    moves; a warning per layer when only some are stuck.
    Why it hurts training:
    `fit` runs, the loss is computed, and nothing changes: a learning rate of 0 (or a
    schedule that decayed to 0), `model.trainable = False` before `compile`, or a layer
    whose gradient is zero (a `stop_gradient`, dead ReLUs, an integer cast in the graph).
    Example:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0), ...)
    Fix:
    Check the optimizer's learning rate (and its schedule), which layers are trainable, and
    that the loss depends on the weights through differentiable ops.
    """
    if facts.steps <= 0:
        return
    if facts.trainable_weights == 0:
        yield Report(
            f"the model has no trainable weights: {facts.steps:,} steps changed nothing "
            "(model.trainable = False, or every layer frozen)",
            where(facts),
            {"steps": facts.steps, "trainable_weights": 0},
            "Unfreeze the layers that should learn before compile()",
        )
        return
    n = cfg.watch_windows
    judged = [u for u in facts.updates if len(u.ratios) >= n and all(math.isfinite(r) for r in u.ratios[-n:])]
    if not judged:
        return
    stuck = [u for u in judged if max(u.ratios[-n:]) <= cfg.update_ratio_min]
    window = f"the last {n} windows of {facts.window} steps"
    if len(stuck) == len(judged):
        largest = max(max(u.ratios[-n:]) for u in judged)
        yield Report(
            f"no weight of the {len(judged)} trainable layers moved in {window} "
            f"(largest change {largest:.3g} of the weights' norm): the gradients are zero or the "
            "learning rate is",
            where(facts),
            {"layers": len(judged), "largest_ratio": largest, "windows": n, "window_steps": facts.window},
            "Check the learning rate (and its schedule) and that the loss depends on the weights",
        )
        return
    for u in stuck:
        yield Report(
            f"the weights of layer '{u.layer}' did not move in {window} while other layers did: "
            "no gradient reaches it",
            where(facts, layer=u.layer),
            {"largest_ratio": max(u.ratios[-n:]), "windows": n, "window_steps": facts.window},
            "Look for a stop_gradient, a cast to an integer type or dead ReLUs before this layer",
            Severity.WARNING,
        )
