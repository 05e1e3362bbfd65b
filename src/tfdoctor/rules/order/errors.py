"""TFD516: an error the pipeline raises that no rule of its cause explains. The errors the
other rules explain are listed once, in `facts.batches` (`error_cause`): those rules find
them with the same patterns, so an error is either theirs or this rule's, never both."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts, batch_shapes, error_cause
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Fix, Severity, Where
from .._pipeline import where
from ..registry import Report, rule

# What an error means, by its text (first match wins), and how to fix it.
_MEANINGS = (
    (
        re.compile(r"assertion failed|\[op Assert\]"),
        "a `tf.debugging` assertion (or `tf.Assert`) in a pipeline function fails on the data",
        "Print the elements that fail the assertion (`for x in ds.take(5)`) and fix the data or the check",
    ),
    (
        re.compile(r"^[A-Z]\w*(Error|Exception): |\[op (Eager)?PyFunc"),
        "the Python function inside `tf.py_function` / `tf.numpy_function` raises",
        "Call that Python function by hand on a few elements and fix what raises",
    ),
    (
        re.compile(r"Cannot batch tensors with different shapes|Cannot add tensor to the batch"),
        "elements of different shapes meet in one batch: a variable-length tensor batched with `batch()`",
        "padded_batch() or ragged_batch() for variable-length tensors, or resize/pad each element to "
        "one shape before batch()",
    ),
    (
        re.compile(r"Incompatible shapes|Dimensions must be equal|ConcatOp|are not compatible"),
        "an op in a pipeline function gets tensors whose shapes do not fit each other",
        "Check the shapes of the element the function receives (`ds.element_spec`)",
    ),
    (
        re.compile(r"OOM|out of memory|ResourceExhausted", re.IGNORECASE),
        "the pipeline runs out of memory (a large shuffle buffer, cache() or batch)",
        "Smaller buffers or batches; cache() to a file instead of memory",
    ),
)
_DEFAULT = (
    "an op in the pipeline fails on the data",
    "Run the pipeline's steps one at a time on a few elements (`for x in ds.take(3)`) to find the one "
    "that raises, and fix it or the data",
)
_FUNCTION_KINDS = {"MapDataset": "map", "ParallelMapDataset": "map", "FilterDataset": "filter"}


@rule("TFD516", "pipeline-error", Severity.ERROR, requires=(PipelineFacts,), uses=(BatchFacts,))
def unexplained_error(facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """An error the pipeline raises that no other rule explains.

    What it finds:
    The error the probe meets pulling batches, or that an `ignore_errors()` step drops, where
    no rule of its cause explains it (corrupt or truncated files, a wrong `compression_type`,
    a missing file, a reshape, an image decode, a parse spec the scanned records do not fit):
    a failing `tf.debugging` assertion, an exception inside `tf.py_function`, elements of
    different shapes batched together, any op that fails on the data. Says what the error
    means and, where the graph shows it, the step whose function raises it.
    Why it hurts training:
    `model.fit` stops with the same error at the same element every epoch, which may be
    hours in; under `ignore_errors()` the failing elements vanish without a word.
    Example:
    .map(lambda path: tf.py_function(load, [path], tf.float32))  # load() raises on every element
    Fix:
    Run the failing step eagerly on a few elements, fix the function or the data; do not hide
    the error with `ignore_errors()`.
    """
    seen: set[str] = set()
    if batches is not None and batches.error and not _explained(facts, batches.error):
        seen.add(batches.error)
        meaning, fix = _meaning(batches.error, batches.error_op)
        kind = batches.error_type or "an error"
        yield Report(
            f"The pipeline raises {kind} {_when(batches)}: {batches.error}. That is, {meaning}.",
            _raising_step(facts, batches.error, batches.error_op),
            {"error_type": batches.error_type, "batches_before_error": batches.batches},
            Fix(fix + "."),
        )
    for step in facts.pipeline.of("ignore_errors"):
        measured = facts.probe(step)
        error = measured.first_error
        if not error or error in seen or _explained(facts, error):
            continue
        seen.add(error)
        meaning, fix = _meaning(error, None)
        dropped = f"{measured.errors_dropped:,} " if measured.errors_dropped else ""
        yield Report(
            f"`{step.call()}` ({facts.pipeline.where(step)}) drops the {dropped}elements that raise: "
            f"{error}. That is, {meaning}.",
            where(step),
            {"error_type": None, "dropped": measured.errors_dropped},
            Fix(fix + ", then remove ignore_errors()."),
        )


def _when(batches: BatchFacts) -> str:
    return f"after {batches.batches:,} batch(es)" if batches.batches else "on the first batch"


def _explained(facts: PipelineFacts, error: str) -> bool:
    """Whether another rule explains this error: its pattern is theirs, and for a parse error,
    the scan saw the key it names misfit the spec (the TFD2xx rules then report it)."""
    cause = error_cause(error)
    if cause is None:
        return False
    if cause.key is not None:
        reads = facts.sources.reads if facts.sources is not None else ()
        return any(t.read.key == cause.key and t.problems for t in reads)
    return True


def _meaning(error: str, op: str | None) -> tuple[str, str]:
    text = f"{error} [op {op}]" if op else error
    for pattern, meaning, fix in _MEANINGS:
        if pattern.search(text):
            return meaning, fix
    return _DEFAULT


def _raising_step(facts: PipelineFacts, error: str, op: str | None) -> Where:
    """The step whose function holds the op the error names; else the one function step of
    the kind the error names; else the batch, for a batching error."""
    steps = facts.pipeline.steps
    holding = [s for s in steps if op and op in s.ops]
    if len(holding) == 1:
        return where(holding[0])
    named = re.search(r"\(in a (\w+) function\)$", error)
    kind = _FUNCTION_KINDS.get(named.group(1)) if named else None
    of_kind = [s for s in (holding or steps) if s.kind == kind]
    if len(of_kind) == 1:
        return where(of_kind[0])
    if batch_shapes(error) is not None:
        batch: Step | None = next(iter(facts.pipeline.of("batch")), None)
        if batch is not None:
            return where(batch)
    return Where()
