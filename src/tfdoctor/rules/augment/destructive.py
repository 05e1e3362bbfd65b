"""TFD403: augmentation that erases its input, measured by the probe before and after each
random map."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import AugmentFacts, PipelineFacts
from ...findings import Severity
from .._pipeline import where
from ..registry import Report, rule


@rule("TFD403", "destructive-augmentation", Severity.WARNING, requires=(PipelineFacts,))
def destructive_augmentation(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Augmented inputs lose the signal: constant, clipped, or far out of the unaugmented range.

    What it finds:
    The probe runs each random map on its own input and compares the tensors before and after:
    elements made constant (at least {augment_constant_after} of them, where under
    {augment_constant_before} were before), values pushed to the range's ends (clipped: at least
    {augment_clipped_after} of them, where under {augment_clipped_before} were before), or values
    beyond the range they had before by more than {augment_range_spans} times its width
    (`augment-*` thresholds).
    Why it hurts training:
    An augmentation meant to vary the inputs that instead erases them (a brightness delta of
    100 on [0, 1] images, a crop into padding, noise with the wrong scale) leaves the model
    nothing to learn from, and nothing fails.
    Example:
    .map(lambda x, y: (tf.image.random_brightness(x, max_delta=100.0), y))  # x in [0, 1]
    Fix:
    Scale the augmentation to the data's range (max_delta=0.2 on [0, 1] images) and clip
    back to that range; look at a few augmented examples.
    """
    for step in facts.pipeline.of("map"):
        for a in facts.probe(step).augment:
            problems = _augment_problems(a, cfg)
            if problems:
                yield Report(
                    f"`{step.call()}` ({facts.pipeline.where(step)}) on '{a.path}': "
                    + "; ".join(problems)
                    + ".",
                    where(step),
                    {
                        "elements": a.elements,
                        "before": [a.before_min, a.before_max],
                        "after": [a.after_min, a.after_max],
                        "after_constant": round(a.after_constant, 4),
                        "after_clipped": round(a.after_clipped, 4),
                    },  # fmt: skip
                    "Scale the augmentation to the data's range and clip back to it",
                )


def _augment_problems(a: AugmentFacts, cfg: Thresholds) -> list[str]:
    """How an augmentation erased its input: made constant, clipped, or pushed out of range."""
    span = max(a.before_max - a.before_min, 1e-12)
    problems = []
    if a.after_constant >= cfg.augment_constant_after and a.before_constant < cfg.augment_constant_before:
        problems.append(
            f"{a.after_constant:.0%} of the elements come out constant ({a.before_constant:.0%} before)"
        )
    if a.after_clipped >= cfg.augment_clipped_after and a.before_clipped < cfg.augment_clipped_before:
        problems.append(
            f"{a.after_clipped:.0%} of the values sit at the range's ends ({a.before_clipped:.0%} before)"
        )
    reach = cfg.augment_range_spans * span
    if a.after_max > a.before_max + reach or a.after_min < a.before_min - reach:
        problems.append(
            f"values range {a.after_min:g} to {a.after_max:g}, "
            f"against {a.before_min:g} to {a.before_max:g} before"
        )
    return problems
