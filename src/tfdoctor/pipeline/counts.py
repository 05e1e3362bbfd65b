"""Elements each step yields per epoch: TensorFlow's own cardinality where it knows it, else
carried down the chain from the record count of the files (exact only when the scan counted
every record). None: unknown; -1: infinite.

The record count is of every file the pipeline reads: it is carried from the step that reads
them all (not from the read of one input of a zip, concatenate or sample_from_datasets, whose
other inputs read other files). The two logical steps of a fused op share one Python object,
given to the second (the batch of map_and_batch, the repeat of shuffle_and_repeat): the first
is carried from its input."""

from __future__ import annotations

import math
from typing import Any

from ..facts.pipeline import Pipeline, Step

INFINITE = -1
_ONE_TO_ONE = {"map", "cache", "shuffle", "prefetch", "ignore_errors", "other"}


def _cardinality(obj: Any) -> int | None:
    if obj is None:
        return None
    try:
        value = int(obj.cardinality().numpy())
    except Exception:  # a dataset TensorFlow cannot count
        return None
    return value if value >= 0 or value == INFINITE else None


def _carry(step: Step, before: int | None, records: int | None, previous: Step | None) -> int | None:
    """`records`: the files' record count where this step reads every file, else None."""
    a = step.args
    if step.reads_files:
        return records
    if before is None:
        return None
    if before == INFINITE:
        return INFINITE if step.kind not in ("take",) else a.get("count")
    if step.kind in _ONE_TO_ONE:
        return before
    if step.kind == "flat_map" and previous is not None and previous.kind == "window":
        return before  # window(...).flat_map(lambda w: w.batch(n)): one sequence per window
    count = a.get("count")
    if step.kind == "take" and isinstance(count, int):
        return before if count < 0 else min(count, before)
    if step.kind == "skip" and isinstance(count, int):
        return max(0, before - count)
    if step.kind == "repeat" and isinstance(count, int):
        return INFINITE if count < 0 else before * count
    if step.kind == "shard":
        k, i = a.get("num_shards"), a.get("index")
        if isinstance(k, int) and isinstance(i, int) and k > 0:
            return before // k + (1 if i < before % k else 0)
    if step.kind in ("batch", "padded_batch"):
        size = a.get("batch_size")
        if isinstance(size, int) and size > 0:
            return before // size if a.get("drop_remainder") else math.ceil(before / size)
    if step.kind == "window":
        size, shift, stride = a.get("size"), a.get("shift"), a.get("stride") or 1
        if isinstance(size, int) and isinstance(shift, int) and shift > 0:
            if a.get("drop_remainder"):
                span = (size - 1) * stride + 1
                return 0 if before < span else (before - span) // shift + 1
            return math.ceil(before / shift)
    return None


def element_counts(pipeline: Pipeline, records: int | None, objects: dict[int, Any]) -> dict[int, int | None]:
    """Step index -> elements per epoch."""
    counts: dict[int, int | None] = {}
    current: int | None = None
    previous: Step | None = None
    every = set(pipeline.files())
    read: set[str] = set()
    for step in pipeline.steps:
        read |= set(Pipeline((step,)).files())  # its own files and those of its inputs' chains
        known = _cardinality(objects.get(step.index))
        reads_all = records if read >= every else None
        current = known if known is not None else _carry(step, current, reads_all, previous)
        counts[step.index] = current
        previous = step
    return counts
