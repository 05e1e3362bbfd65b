"""Helpers the pipeline rules share: where a step is, and the record count behind it."""

from __future__ import annotations

from ..findings import Where
from ..pipeline.model import PipelineFacts, Step


def where(facts: PipelineFacts, step: Step, note: str = "") -> Where:
    text = f"`{step.call()}`, {facts.pipeline.where(step)}"
    return Where(step=text + (f" {note}" if note else ""))


def records(facts: PipelineFacts) -> int | None:
    """Records in the files the pipeline reads, where tfdoctor scanned them."""
    return facts.records or None


def record_level(facts: PipelineFacts, step: Step) -> bool:
    """Whether the step acts on records (not on the list of file names before the read)."""
    return step.index > facts.pipeline.record_start
