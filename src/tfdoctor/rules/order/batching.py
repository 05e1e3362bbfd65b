"""TFD504, TFD513, TFD514: batch sizes against the data: tiny batches, epochs of a handful of
steps, and a drop_remainder that leaves no batch at all."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Severity
from .._pipeline import where
from ..registry import Report, rule
from ._steps import _record_steps


@rule("TFD504", "tiny-batch", Severity.WARNING, requires=(PipelineFacts,))
def tiny_batch(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Batch size 1 (or very small).

    What it finds:
    `batch(n)` with n at most `tiny-batch-size` ({tiny_batch_size}).
    Why it hurts training:
    One example per step gives the noisiest gradient there is; BatchNormalization statistics
    over one example are meaningless, and each epoch takes as many steps as records.
    Example:
    .batch(1)
    Fix:
    A batch of 16 to 512 (scale the learning rate with it); use `batch(1)` only for inference.
    """
    for step in facts.pipeline.of("batch", "padded_batch"):
        size = step.args.get("batch_size")
        if isinstance(size, int) and 0 < size <= cfg.tiny_batch_size:
            yield Report(
                f"`{step.call()}` gives {size} example{'s' * (size != 1)} per gradient step.",
                where(step),
                {"batch_size": size},
                "batch(32) or larger, with a learning rate to match",
            )


def _batch_input(facts: PipelineFacts) -> tuple[Step, int] | None:
    """The first record-level batch and how many elements reach it per epoch, where known."""
    batch = next(iter(_record_steps(facts, "batch", "padded_batch")), None)
    if batch is None:
        return None
    before = facts.counts.get(batch.index - 1)
    if before is None or before < 0:
        return None
    return batch, before


@rule("TFD513", "few-steps-per-epoch", Severity.WARNING, requires=(PipelineFacts,), uses=(BatchFacts,))
def few_steps_per_epoch(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """A batch so large that an epoch is a handful of gradient steps.

    What it finds:
    A batch size that turns one epoch into at most `few-steps-per-epoch` ({few_steps_per_epoch})
    gradient steps, e.g. the whole dataset in one batch, from the record count of the files (or
    TensorFlow's own cardinality).
    Why it hurts training:
    Ten epochs of one batch are ten weight updates: the loss barely moves, and it looks as
    if the model cannot learn. Small datasets need small batches (or many more epochs).
    Example:
    ds.batch(len(records))  # 1 step per epoch
    Fix:
    A batch of 16 to 64 for small data, so that an epoch is tens of steps or more.
    """
    found = _batch_input(facts)
    if found is None:
        yield from _few_steps_measured(facts, probe, cfg)
        return
    batch, elements = found
    size = batch.args.get("batch_size")
    if not isinstance(size, int) or size <= 0 or elements == 0:
        return
    steps = elements // size if batch.args.get("drop_remainder") else -(-elements // size)
    if 0 < steps <= cfg.few_steps_per_epoch:
        whole = " (the whole dataset in one batch)" if size >= elements else ""
        better = max(1, min(64, elements // 32))
        yield Report(
            f"`{batch.call()}` over {elements:,} elements makes an epoch {steps} gradient step"
            f"{'s' * (steps != 1)}{whole}: ten epochs are {10 * steps} updates.",
            where(batch),
            {"elements": elements, "batch_size": size, "steps_per_epoch": steps},
            f"batch({better}) gives {-(-elements // better)} steps per epoch",
        )


def _few_steps_measured(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """Without an element count: the probe pulled a whole epoch in a handful of batches."""
    batches = facts.pipeline.of("batch", "padded_batch")
    if probe is None or probe.stopped != "end" or not batches or facts.pipeline.of("repeat"):
        return
    if 0 < probe.batches <= cfg.few_steps_per_epoch:
        batch = batches[-1]
        yield Report(
            f"The probe pulled the whole epoch in {probe.batches} batch(es) of `{batch.call()}` "
            f"({probe.elements:,} elements): ten epochs are {10 * probe.batches} updates.",
            where(batch),
            {
                "elements": probe.elements,
                "batch_size": batch.args.get("batch_size"),
                "steps_per_epoch": probe.batches,
            },
            "A smaller batch, so that an epoch is tens of steps or more",
        )


@rule("TFD514", "remainder-drops-all", Severity.ERROR, requires=(PipelineFacts,), uses=(BatchFacts,))
def remainder_drops_all(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """drop_remainder=True with a batch larger than the data: the epoch yields no batch.

    What it finds:
    `batch(n, drop_remainder=True)` where fewer than n elements reach the batch in an epoch
    (after a `shard`, per worker), so every epoch yields zero batches.
    Why it hurts training:
    `model.fit` runs its epochs over nothing: no step, no update, a loss that never moves or
    is never shown, and at most a warning about running out of data.
    Example:
    ds.shard(8, worker).batch(256, drop_remainder=True)  # 1,000 records: 125 per worker
    Fix:
    A smaller batch, or drop_remainder=False (keep it only where a fixed batch shape is
    required, e.g. TPUs, and then make sure each shard holds at least one batch).
    """
    for batch in facts.pipeline.of("batch", "padded_batch"):
        size = batch.args.get("batch_size")
        before = facts.counts.get(batch.index - 1)
        if before is None and batch.args.get("drop_remainder") and probe is not None:
            if probe.batches == 0 and probe.stopped == "end" and probe.error is None:
                yield Report(
                    f"The probe pulled no batch at all: `{batch.call()}` drops every incomplete batch, "
                    "and an epoch does not fill one.",
                    where(batch),
                    {"elements": None, "batch_size": size},
                    "A smaller batch, or drop_remainder=False",
                )
            continue
        if not batch.args.get("drop_remainder") or not isinstance(size, int) or before is None or before < 0:
            continue
        if before < size:
            shard = next((s for s in facts.pipeline.of("shard") if s.index < batch.index), None)
            per = f" per shard (`{shard.call()}`)" if shard is not None else ""
            seen = (
                " The probe pulled no batch at all."
                if probe is not None and probe.batches == 0 and probe.stopped == "end"
                else ""
            )
            yield Report(
                f"`{batch.call()}` needs {size:,} elements but an epoch brings {before:,}{per}: "
                f"every epoch yields zero batches.{seen}",
                where(batch),
                {"elements": before, "batch_size": size},
                f"batch({max(1, min(size, before // 2 or 1))}, drop_remainder=True), or drop_remainder=False",
            )
