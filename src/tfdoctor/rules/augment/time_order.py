"""TFD404: time-ordered data whose order is broken before (or inside) the windows a model
learns from, judged from the pipeline's chain and the order the files store."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Severity
from .._pipeline import record_level, where
from ..registry import Report, rule


def _windowing(facts: PipelineFacts) -> tuple[Step, Step] | None:
    """(the step that cuts records into sequences, the last step of that cut): `window` (and
    the flat_map after it), or the first of two record-level batches."""
    pipeline = facts.pipeline
    window = pipeline.first("window")
    if window is not None:
        after = next((s for s in pipeline.steps if s.index == window.index + 1), None)
        return window, after if after is not None and after.kind == "flat_map" else window
    batches = [s for s in pipeline.of("batch", "padded_batch") if record_level(facts, s)]
    if len(batches) >= 2:
        return batches[0], batches[0]
    return None


def _time_evidence(facts: PipelineFacts) -> str:
    stats = facts.sources
    if stats is None:
        return ""
    ordered = [f for f in stats.features if f.time_ordered]
    if ordered:
        f = ordered[0]
        way = "increasing" if f.order_increasing >= f.order_decreasing else "decreasing"
        steps = max(f.order_increasing, f.order_decreasing)
        return (
            f" The files store '{f.name}' in {way} order ({steps:,} of {f.order_pairs:,} steps): "
            "time-ordered data."
        )
    if stats.record_kinds.get("sequence_example"):
        return " The records are SequenceExamples: each holds a sequence in time order."
    return ""


@rule("TFD404", "broken-time-order", Severity.ERROR, requires=(PipelineFacts,))
def broken_time_order(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Time-ordered data shuffled before it is cut into windows, or shuffled along the time axis.

    What it finds:
    A record-level `shuffle` before the step that cuts records into windows or sequences
    (`window` + `flat_map`, or a `batch` into sequences followed by a second `batch`), and
    `tf.random.shuffle` inside a map over windows or SequenceExample sequences. Which feature
    shows the time order (a timestamp stored in monotone order) is named where the scan finds it.
    Why it hurts training:
    For time series the order is the signal. Windows cut from shuffled records hold unrelated
    moments, and a shuffled sequence has no order left: the model sees noise and the loss
    does not fall below the mean.
    Example:
    ds.shuffle(10_000).window(48, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(48))
    Fix:
    Cut windows first, then shuffle the windows: `.window(48, shift=1, drop_remainder=True)
    .flat_map(lambda w: w.batch(48)).shuffle(10_000).batch(32)`; never shuffle inside a window.
    """
    pipeline = facts.pipeline
    evidence = _time_evidence(facts)
    cut = _windowing(facts)
    if cut is not None:
        start, end = cut
        explicit = start.kind == "window"
        for shuffle in pipeline.of("shuffle"):
            if not (record_level(facts, shuffle) and shuffle.index < start.index):
                continue
            if not explicit and not evidence:
                continue  # two batches alone are not evidence of sequences
            yield Report(
                f"`{shuffle.call()}` ({pipeline.where(shuffle)}) comes before `{start.call()}` at step "
                f"{start.index}, which cuts the records into sequences: each window mixes unrelated moments."
                + evidence,
                where(shuffle),
                {"shuffle_step": shuffle.index, "window_step": start.index},
                f"Shuffle the windows, not the records: {pipeline.moved_after(shuffle, end)}",
            )
    sequences = cut[1].index if cut is not None else None
    if sequences is None and facts.sources is not None and facts.sources.record_kinds.get("sequence_example"):
        sequences = pipeline.record_start
    if sequences is None:
        return
    for step in pipeline.of("map"):
        if step.index > sequences and any(r.op == "RandomShuffle" for r in step.random_ops):
            yield Report(
                f"`{step.call()}` ({pipeline.where(step)}) calls tf.random.shuffle on sequences: the order "
                f"along the time axis is lost.{evidence}",
                where(step),
                {"map_step": step.index},
                "Remove tf.random.shuffle from the map; shuffle whole sequences with Dataset.shuffle instead",
            )
