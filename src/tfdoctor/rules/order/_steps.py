"""Helpers the order rules share."""

from __future__ import annotations

from collections.abc import Sequence

from ...facts.pipeline import PipelineFacts, Step
from .._pipeline import record_level


def _record_steps(facts: PipelineFacts, *kinds: str) -> list[Step]:
    return [s for s in facts.pipeline.of(*kinds) if record_level(facts, s)]


def _last_merge(steps: Sequence[Step], before: int) -> Step | None:
    """The last step before index `before` that takes several inputs (zip, concatenate,
    sample_from_datasets, choose_from_datasets, a source of datasets), or builds a chain per
    element (an interleave or flat_map function that shuffles, maps or repeats what it reads)."""
    return next((s for s in reversed(steps) if s.index < before and s.branches), None)


def _shuffled(steps: Sequence[Step], before: int) -> bool:
    """Whether the examples reaching index `before` of this chain went through a shuffle: one
    after the records are read and after the last step that takes several inputs, or else one
    in each input of that step where it mixes them (sample_from_datasets, choose_from_datasets,
    an interleave over a source of datasets, the chain an interleave builds per file; for a zip,
    in any input: TFD515 judges the rest).
    The inputs of a concatenate come one after another: shuffles inside them do not count."""
    chain = [s for s in steps if s.index < before]
    merge = _last_merge(chain, before)
    start = max([s.index for s in chain if s.reads_files] + [merge.index if merge else 0], default=0)
    if any(s.kind == "shuffle" and s.index > start for s in chain):
        return True
    if merge is None or merge.kind == "concatenate":
        return False
    inputs = [list(b) for b in merge.branches]
    if merge.kind not in ("source", "interleave", "flat_map"):  # the main chain is an input too
        inputs.insert(0, [s for s in chain if s.index < merge.index])
    shuffled = [_shuffled(branch, len(branch) + 1) for branch in inputs]
    return any(shuffled) if merge.kind == "zip" else all(shuffled)
