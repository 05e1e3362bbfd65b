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
    # every finite value of every probed batch is a whole number (class ids, even as floats);
    # not measured on image-like tensors
    integral: bool = False
    composite: bool = False  # a ragged or sparse tensor: `shape` is of its flat values


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
    stopped_while: str = ""  # what the probe was doing when it stopped on time or memory
    seconds_limit: float | None = None  # the time cap it ran under (all of the probe)
    error_op: str | None = None  # the op the error names (`{{node ...}}`), e.g. Assert, EagerPyFunc

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


# -- the errors a pipeline raises, by the rule that explains them -----------------------------
# One list, in one place: the rules that explain an error find it with these patterns, and
# TFD516 (pipeline-error) reports an error only where none of them matches.

RESHAPE_ERROR = re.compile(
    r"Input to reshape is a tensor with (\d+) values, but the requested shape has (\d+)"
)
ENSURE_SHAPE_ERROR = re.compile(
    r"Shape of tensor \S+ \[([\d,]*)\] is not compatible with expected shape \[([\d,-]*)\]"
)
DECODE_ERROR = re.compile(
    r"(Invalid (PNG|JPEG|GIF|BMP|WebP)|Unknown image file format|jpeg::Uncompress failed|"
    r"Expected image \(JPEG, PNG, or GIF\)|Number of channels inherent in the image must be)"
)
CORRUPT_RECORD_ERROR = re.compile(r"corrupted record at (\d+)")  # also a compressed file read as plain
TRUNCATED_RECORD_ERROR = re.compile(r"truncated record at (\d+)")
INFLATE_ERROR = re.compile(r"inflate\(\) failed|incorrect header check|not in gzip format")
MISSING_FILE_ERROR = re.compile(r"(\S+); No such file or directory|No files matched pattern: (\S+)")
# parse_example / parse_single_example: the key whose records do not fit the spec
PARSE_ERRORS = (
    re.compile(r"Feature: (\S+) \(data type: \w+\) is required but could not be found"),
    re.compile(r"Key: (.+?)(?:, Index: \d+)?\.\s+Data types don't match"),
    re.compile(
        r"Key: (.+?)(?:, Index: \d+)?\.\s+(Can't parse serialized Example|Number of \w+ values != expected)"
    ),
)

_BY_PATTERN = (
    ("TFD302", RESHAPE_ERROR),
    ("TFD302", ENSURE_SHAPE_ERROR),
    ("TFD303", DECODE_ERROR),
    ("TFD101", CORRUPT_RECORD_ERROR),  # TFD103 where the bytes are compressed otherwise than read
    ("TFD102", TRUNCATED_RECORD_ERROR),
    ("TFD103", INFLATE_ERROR),
    ("TFD105", MISSING_FILE_ERROR),
)


@dataclass(frozen=True)
class ErrorCause:
    """The rule that explains a pipeline error by its text."""

    code: str
    key: str | None = None  # a parse error's feature key: the TFD2xx rules explain it only where
    #                         the scan of the files saw that key misfit the spec


def error_cause(error: str | None) -> ErrorCause | None:
    """Which rule explains this error (its first line, as the probe keeps it); None: none does."""
    if not error:
        return None
    for code, pattern in _BY_PATTERN:
        if pattern.search(error):
            return ErrorCause(code)
    shapes = batch_shapes(error)
    if shapes is not None and len(shapes[0]) == len(shapes[1]) == 3:
        first, other = shapes
        if first[:2] != other[:2]:
            return ErrorCause("TFD302")  # images of several sizes in one batch
        if first[2] != other[2]:
            return ErrorCause("TFD304")  # images of several channel counts
    for pattern, code in zip(PARSE_ERRORS, ("TFD201", "TFD202", "TFD203")):
        match = pattern.search(error)
        if match:
            return ErrorCause(code, match.group(1))
    return None
