"""Helpers the pipeline rules share: where a step is, the record count behind it, and the
error the pipeline raised."""

from __future__ import annotations

from ..facts.batches import BatchFacts
from ..facts.pipeline import PipelineFacts, Step
from ..findings import Where


def where(step: Step) -> Where:
    return Where(step=step.index, call=step.call())


def records(facts: PipelineFacts) -> int | None:
    """Records in the files the pipeline reads, where tfdoctor scanned them."""
    return facts.records or None


def record_level(facts: PipelineFacts, step: Step) -> bool:
    """Whether the step acts on records (not on the list of file names before the read)."""
    return step.index > facts.pipeline.record_start


def pipeline_error(facts: PipelineFacts, batches: BatchFacts | None) -> tuple[str | None, bool]:
    """The error the pipeline raised, and whether an `ignore_errors()` hid it: the error that
    stopped the probed batches, else the first error an ignore_errors() step dropped."""
    if batches is not None and batches.error:
        return batches.error, False
    for step in facts.pipeline.of("ignore_errors"):
        first = facts.probe(step).first_error
        if first:
            return first, True
    return None, False
