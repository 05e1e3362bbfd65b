"""TFD601, TFD603, TFD604: batch values that carry no signal: constant tensors, NaN or Inf,
batches that repeat."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from ..registry import Report, rule


@rule("TFD601", "constant-tensor", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def constant_tensor(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """A feature or label tensor never changes across batches.

    What it finds:
    A leaf of the batches that holds the same value in every element of every probed batch
    (at least `constant-min-batches` ({constant_min_batches}) batches, of at least
    `constant-min-batch-size` ({constant_min_batch_size}) elements each on average).
    Why it hurts training:
    A constant input is ignored; a constant label teaches one class. Usually a default_value
    filling a missing key, a failed decode, or a map that returns the wrong tensor.
    Example:
    features = {'labels': tf.io.FixedLenFeature([], tf.int64, default_value=0)}  # key is 'label'
    Fix:
    Find where the value comes from (`tfdoctor check` for the spec) and fix it.
    """
    if (
        probe.batches < cfg.constant_min_batches
        or probe.elements < cfg.constant_min_batch_size * probe.batches
    ):
        return
    for t in probe.tensors:
        if t.constant and t.values:
            value = f" ({t.min:g})" if t.min is not None and t.min == t.max else ""
            label = " It is the label." if t.path == probe.label_path else ""
            yield Report(
                f"'{t.path}' holds the same value{value} in every element of {probe.batches} batches.{label}",
                Where(tensor=t.path),
                {"batches": probe.batches, "elements": probe.elements},
                "Check the parse spec (`tfdoctor check`) and the map function that produces it",
            )


@rule("TFD603", "non-finite-batch", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def non_finite_batch(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """NaN or Inf in a batch.

    What it finds:
    NaN or ±Inf values in any probed batch, per tensor.
    Why it hurts training:
    One NaN in an input makes the loss NaN, and the weights NaN after the next update.
    Example:
    a log of 0 in the map function; NaN stored in the data (TFD207)
    Fix:
    Replace non-finite values in the map (`tf.where(tf.math.is_finite(x), x, 0.0)`) or fix
    the data.
    """
    for t in probe.tensors:
        if t.nan or t.inf:
            yield Report(
                f"'{t.path}' holds {t.nan:,} NaN and {t.inf:,} ±Inf among {t.values:,} values.",
                Where(tensor=t.path),
                {"nan": t.nan, "inf": t.inf, "values": t.values},
                "tf.where(tf.math.is_finite(x), x, tf.zeros_like(x)) in the map, or fix the data",
            )


@rule("TFD604", "repeated-batches", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def repeated_batches(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Identical batches across steps.

    What it finds:
    Probed batches identical to an earlier probed batch.
    Why it hurts training:
    The model sees the same few examples again and again: a `take(n).repeat()` with a tiny
    n, a `cache` of one batch, or a `repeat` before `batch` on a tiny source.
    Example:
    ds.take(1).repeat()
    Fix:
    Find the step that truncates or repeats (see TFD505) and remove it.
    """
    if probe.repeated_batches:
        yield Report(
            f"{probe.repeated_batches} of {probe.batches} probed batches repeat an earlier one.",
            Where(),
            {"repeated": probe.repeated_batches, "batches": probe.batches},
            "Remove the take/cache/repeat that cycles a few elements",
        )
