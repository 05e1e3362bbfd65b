"""TFD4xx: augmentation that is frozen (cached, or seeded the same every epoch), judged from
the random ops inside the pipeline's functions."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Thresholds
from ..facts.pipeline import AugmentFacts, PipelineFacts
from ..findings import Severity
from ._pipeline import where
from .registry import Report, rule


@rule("TFD401", "cache-after-augmentation", Severity.ERROR, requires=(PipelineFacts,))
def cache_after_augmentation(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """cache() after a random map: every epoch sees the first epoch's augmentation.

    What it finds:
    A `cache` step after a `map` (or `interleave`/`flat_map`) whose function holds random ops
    (random flips, crops, noise, `tf.random.*`).
    Why it hurts training:
    The cache stores the augmented elements of the first epoch and replays them: the model
    sees one fixed augmented copy of the data, which is no augmentation at all, and
    overfits as if there were none.
    Example:
    .map(random_flip).cache().shuffle(10_000).batch(32)
    Fix:
    Cache before the random map: `.map(parse).cache().map(random_flip).shuffle(...)`.
    """
    pipeline = facts.pipeline
    for cache in pipeline.of("cache"):
        random_maps = [
            s for s in pipeline.of("map", "interleave", "flat_map") if s.random and s.index < cache.index
        ]
        if not random_maps:
            continue
        step = random_maps[0]
        ops = ", ".join(sorted({r.op for r in step.random_ops}))
        confirmed = ""
        if facts.probe(cache).epochs_identical is True:
            confirmed = " The probe confirmed it: two epochs yielded identical batches."
        yield Report(
            f"`{cache.call()}` ({pipeline.where(cache)}) comes after the random `{step.call()}` at step "
            f"{step.index} ({ops}): every epoch replays the first epoch's augmentation.{confirmed}",
            where(cache),
            {
                "cache_step": cache.index,
                "random_step": step.index,
                "random_ops": sorted({r.op for r in step.random_ops}),
            },
            f"Cache before the random map: {pipeline.moved(cache, step)}",
        )


@rule("TFD402", "fixed-augmentation", Severity.WARNING, requires=(PipelineFacts,))
def fixed_augmentation(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Random ops seeded so that every epoch repeats the same augmentation.

    What it finds:
    Stateful random ops given a seed (an op seed, or `tf.random.set_seed`) and stateless
    random ops whose seed is a constant, inside a map function.
    Why it hurts training:
    In tf.data, each epoch starts a new iterator and a seeded random op starts its sequence
    over: epoch 2 flips, crops and noises exactly as epoch 1 did. A constant stateless seed
    gives the same value for every element. The augmentation adds far less variety than
    intended.
    Example:
    .map(lambda x, y: (tf.image.random_flip_left_right(x, seed=42), y))
    Fix:
    Drop the op seed (seed the run with tf.random.set_seed only if reproducibility matters
    more than variety), or use `tf.random.Generator` / a per-element seed from
    `tf.data.Dataset.random()` with the stateless ops.
    """
    for step in facts.pipeline.of("map", "interleave", "flat_map", "filter"):
        fixed = [r for r in step.random_ops if r.fixed]
        if not fixed:
            continue
        ops = ", ".join(sorted({f"{r.op} ({r.seed})" for r in fixed}))
        confirmed = (
            " The probe confirmed it: two passes yielded identical elements."
            if facts.probe(step).passes_identical
            else ""
        )
        yield Report(
            f"`{step.call()}` ({facts.pipeline.where(step)}) draws with fixed seeds: {ops}. Every epoch "
            f"repeats the same random values.{confirmed}",
            where(step),
            {"fixed_random_ops": len(fixed), "random_ops": len(step.random_ops)},
            "Remove the op-level seed=...; for stateless ops take the seed from a tf.random.Generator "
            "or from tf.data.Dataset.random() zipped with the data",
        )


@rule("TFD403", "destructive-augmentation", Severity.WARNING, requires=(PipelineFacts,))
def destructive_augmentation(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Augmented inputs lose the signal: constant, clipped, or far out of the unaugmented range.

    What it finds:
    The probe runs each random map on its own input and compares the tensors before and after:
    elements made constant, most values pushed to the range's ends (clipped), or values far
    outside the range they had before.
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
            problems = _augment_problems(a)
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


def _augment_problems(a: AugmentFacts) -> list[str]:
    """How an augmentation erased its input: made constant, clipped, or pushed out of range."""
    span = max(a.before_max - a.before_min, 1e-12)
    problems = []
    if a.after_constant >= 0.5 and a.before_constant < 0.1:
        problems.append(
            f"{a.after_constant:.0%} of the elements come out constant ({a.before_constant:.0%} before)"
        )
    if a.after_clipped >= 0.5 and a.before_clipped < 0.2:
        problems.append(
            f"{a.after_clipped:.0%} of the values sit at the range's ends ({a.before_clipped:.0%} before)"
        )
    if a.after_max > a.before_max + 2 * span or a.after_min < a.before_min - 2 * span:
        problems.append(
            f"values range {a.after_min:g} to {a.after_max:g}, "
            f"against {a.before_min:g} to {a.before_max:g} before"
        )
    return problems
