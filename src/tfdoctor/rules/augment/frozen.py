"""TFD401, TFD402: augmentation that is frozen (cached, or seeded the same every epoch), judged
from the random ops inside the pipeline's functions."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts
from ...findings import Severity
from .._pipeline import where
from ..registry import Report, rule


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
