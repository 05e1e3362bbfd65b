"""TFD606: padded batches that are mostly padding."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts
from ...findings import Severity
from .._pipeline import where
from ..registry import Report, rule


@rule("TFD606", "padding-heavy-batches", Severity.INFO, requires=(PipelineFacts,))
def padding_heavy_batches(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Measured: padded batches that are mostly padding.

    What it finds:
    `padded_batch` batches in which, on average, at least `padding-fraction` ({padding_fraction}) of the
    values are padding, because sequences of very different lengths meet in one batch.
    Why it hurts training:
    The padding costs compute like real data, and where the model does not mask it (a
    pooling or loss over every position) it swamps the signal with zeros.
    Example:
    sequences of 5 to 500 steps: `.padded_batch(32)` pads every batch to its longest sequence
    Fix:
    Group by length: `.bucket_by_sequence_length(...)` (tf.data) or sort within a large
    shuffle buffer; mask the padding in the model (`mask_zero=True`, `Masking`).
    """
    for step in facts.pipeline.of("padded_batch"):
        for p in facts.probe(step).padding:
            if p.mean < cfg.padding_fraction:
                continue
            yield Report(
                f"In {p.batches} probed batches of `{step.call()}`, "
                f"{p.mean:.0%} of '{p.path}' is padding on average (up to {p.max:.0%}).",
                where(step),
                {"batches": p.batches, "mean_padding": round(p.mean, 4), "max_padding": round(p.max, 4)},
                "bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes)",
            )
