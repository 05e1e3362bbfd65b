"""What the batches a pipeline yields really hold, measured by the batch probe over a
bounded number of batches. Judged by the TFD3xx/5xx/6xx rules."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TensorFacts:
    """One leaf of the batches (a tuple position or a dict key), over every probed batch."""

    path: str
    dtype: str
    shape: tuple[int | None, ...]  # of the first batch
    values: int = 0
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    nan: int = 0
    inf: int = 0
    constant: bool = True  # every element of every batch equal to the first
    image_like: bool = False
    images: int = 0
    blank_images: int = 0  # images with one value everywhere (all zero, failed decode)
    distinct_first: int = 0  # distinct values in the first batch (for labels)
    # TFD607: rows (along the last axis, not images) of a tensor of 0s and 1s with at most one 1
    # per row, in every probed batch: rows holding one 1, and rows that are all zeros
    one_hot_rows: int = 0
    zero_rows: int = 0


@dataclass(frozen=True)
class BatchFacts:
    batches: int = 0
    elements: int = 0
    seconds: float = 0.0
    bytes: int = 0
    stopped: str = ""  # why the probe stopped early: "error", "time", "memory", "end"
    error: str | None = None  # the error that stopped the pipeline, first line
    error_type: str | None = None
    tensors: tuple[TensorFacts, ...] = ()
    label_path: str | None = None
    label_majority: tuple[float, ...] = ()  # per batch: share of its largest class
    label_classes: int = 0
    repeated_batches: int = 0  # batches identical to an earlier one

    @property
    def mean_majority(self) -> float | None:
        """The largest class's share of a probed batch, on average; None without labels."""
        return sum(self.label_majority) / len(self.label_majority) if self.label_majority else None


_BATCH_SHAPES = (
    re.compile(r"Cannot batch tensors with different shapes in component \d+\. First element had shape "
               r"\[([\d,]*)\] and element \d+ had shape \[([\d,]*)\]"),
    re.compile(r"Cannot add tensor to the batch: number of elements does not match\. "
               r"Shapes are: \[tensor\]: \[([\d,]*)\], \[batch\]: \[([\d,]*)\]"),
)  # fmt: skip


def batch_shapes(error: str | None) -> tuple[list[int], list[int]] | None:
    """The two element shapes a batch error names (TensorFlow words it two ways)."""
    for pattern in _BATCH_SHAPES:
        match = pattern.search(error or "")
        if match:
            a, b = ([int(d) for d in g.split(",") if d] for g in match.groups())
            return a, b
    return None
