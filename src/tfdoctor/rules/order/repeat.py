"""TFD507, TFD512: epochs that blur into each other, or replay the first epoch's order."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts
from ...findings import Severity
from .._pipeline import record_level, where
from ..registry import Report, rule
from ._steps import _record_steps


@rule("TFD507", "repeat-before-shuffle", Severity.INFO, requires=(PipelineFacts,))
def repeat_before_shuffle(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """repeat() before shuffle(): epoch boundaries blur.

    What it finds:
    `repeat` placed before `shuffle`.
    Why it hurts training:
    The buffer mixes the end of one epoch with the start of the next: some records are seen
    twice before others once. Usually harmless, but per-epoch metrics stop meaning one pass.
    Example:
    .repeat().shuffle(10_000).batch(32)
    Fix:
    `.shuffle(10_000).repeat().batch(32)` (or let Keras handle epochs and drop repeat).
    """
    pipeline = facts.pipeline
    for shuffle in _record_steps(facts, "shuffle"):
        repeat = next(
            (r for r in pipeline.of("repeat") if r.index < shuffle.index and record_level(facts, r)), None
        )
        if repeat is None or repeat.args.get("count") in (0, 1):
            continue
        yield Report(
            f"`{repeat.call()}` (step {repeat.index}) comes before `{shuffle.call()}` "
            f"(step {shuffle.index}): the buffer mixes records of neighbouring epochs.",
            where(repeat),
            {"repeat_step": repeat.index, "shuffle_step": shuffle.index},
            f"Shuffle before repeating: {pipeline.moved_after(repeat, shuffle)}",
        )


@rule("TFD512", "cache-after-shuffle", Severity.WARNING, requires=(PipelineFacts,))
def cache_after_shuffle(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """cache() after shuffle (or after shuffled batches) replays the first epoch's order.

    What it finds:
    A `cache` step after a record-level `shuffle`.
    Why it hurts training:
    The cache stores the first epoch's elements in the order they came and replays exactly
    that order every epoch after: the shuffle runs once.
    Example:
    .shuffle(10_000).batch(32).cache()
    Fix:
    Cache before shuffling: `.map(parse).cache().shuffle(10_000).batch(32)`.
    """
    pipeline = facts.pipeline
    for cache in pipeline.of("cache"):
        shuffle = next((s for s in _record_steps(facts, "shuffle") if s.index < cache.index), None)
        if shuffle is None:
            continue
        yield Report(
            f"`{cache.call()}` ({pipeline.where(cache)}) comes after `{shuffle.call()}` at step "
            f"{shuffle.index}: every epoch replays the first epoch's order.",
            where(cache),
            {"cache_step": cache.index, "shuffle_step": shuffle.index},
            f"Cache before shuffling: {pipeline.moved(cache, shuffle)}",
        )
