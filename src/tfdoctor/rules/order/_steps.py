"""Helpers the order rules share."""

from __future__ import annotations

from ...facts.pipeline import PipelineFacts, Step
from .._pipeline import record_level


def _record_steps(facts: PipelineFacts, *kinds: str) -> list[Step]:
    return [s for s in facts.pipeline.of(*kinds) if record_level(facts, s)]
