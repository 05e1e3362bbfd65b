"""TFD601, TFD603, TFD604: batch values that carry no signal: constant tensors, NaN or Inf,
batches that repeat."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...config import Thresholds
from ...facts.batches import BatchFacts, TensorFacts
from ...facts.pipeline import PipelineFacts, Step
from ...facts.spec import FeatureSpec
from ...findings import Severity, Where
from ..registry import Report, rule


@rule("TFD601", "constant-tensor", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def constant_tensor(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """A feature or label tensor never changes across batches.

    What it finds:
    A leaf of the batches that holds the same value in every element of every probed batch
    (at least `constant-min-batches` ({constant_min_batches}) batches, of at least
    `constant-min-batch-size` ({constant_min_batch_size}) elements each on average).
    An error where the cause shows: the tensor is the label, its value is the
    `default_value` the pipeline's parse spec gives a key of its name, or it is an all-zero
    image. Info where it is constant by design: an integer vector equal to the shape of
    another tensor of the batch (`true_image_shape`), or a feature the files themselves
    store with one value in every record (`is_real_example` always 1: TFD206 in a scan of
    the files). Otherwise a warning that says what is constant.
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
        if not (t.constant and t.values):
            continue
        cause, severity = _constant_cause(facts, probe, t)
        yield Report(
            f"'{t.path}' holds the same value{_value_text(t)} in every element of {probe.batches} batches."
            + cause,
            Where(tensor=t.path),
            {"batches": probe.batches, "elements": probe.elements},
            "Check the parse spec (`tfdoctor check`) and the map function that produces it",
            severity=severity,
        )


def _value_text(t: TensorFacts) -> str:
    if t.min is None or t.max is None:
        return ""
    return f" ({t.min:g})" if t.min == t.max else f" (values {t.min:g} to {t.max:g})"


def _leaf(path: str) -> str:
    """The name a batch leaf was given: `is_real_example` for `[0].is_real_example`."""
    return re.sub(r"\[\d+\]", "", path).rsplit(".", 1)[-1]


def _constant_cause(facts: PipelineFacts, probe: BatchFacts, t: TensorFacts) -> tuple[str, Severity | None]:
    """Why the tensor is constant, in words, and the severity that evidence earns (None: the
    rule's error)."""
    if t.path == probe.label_path:
        return " It is the label: the model can only learn a constant.", None
    if t.image_like and t.min == t.max == 0:
        return " It holds all-zero images: a failed decode, or a map that zeroes the input.", None
    name = _leaf(t.path)
    stored = facts.sources.stored(name) if facts.sources is not None else None
    if stored is not None and stored.constant_value is not None and _same(stored.constant_value, t):
        return (
            f" The files store '{stored.path}' with the one value {stored.constant_value!r} in every "
            "record that holds it (TFD206 in a scan of the files): a property of the data, not of "
            "the pipeline.",
            Severity.INFO,
        )
    default = _default_of(facts, name, t)
    if default is not None:
        entry, step = default
        return (
            f" It is default_value={entry.default!r} of '{entry.key}', which the parse in "
            f"`{step.call()}` (step {step.index}) gives every record that lacks the key.",
            None,
        )
    shape = _shape_of(probe, t)
    if shape is not None:
        return f" Its values are the shape of '{shape}': constant by design.", Severity.INFO
    return "", Severity.WARNING


def _same(stored: str, t: TensorFacts) -> bool:
    """Whether a stored constant agrees with the tensor's one value (where both are numbers)."""
    if t.min is None or t.max is None or t.min != t.max:
        return t.min is None  # strings: the probe keeps no value, the name agrees
    try:
        return float(stored) == t.min
    except ValueError:
        return False


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flat(item)]
    return [value]


def _default_of(facts: PipelineFacts, name: str, t: TensorFacts) -> tuple[FeatureSpec, Step] | None:
    """The parse entry of this name whose default_value the tensor holds: the same number, or
    (for strings, whose value the probe does not keep) a key no scanned record holds."""
    for step in facts.pipeline.steps:
        for spec in step.parse_specs:
            for entry in spec.features:
                if entry.default is None or name not in (entry.name, entry.key):
                    continue
                values = set(_flat(entry.default))
                if t.min is not None and t.min == t.max:
                    if all(isinstance(v, (int, float)) for v in values) and values == {t.min}:
                        return entry, step
                elif facts.sources is not None and facts.sources.stored(entry.key) is None:
                    return entry, step
    return None


def _shape_of(probe: BatchFacts, t: TensorFacts) -> str | None:
    """The tensor whose element shape (or its leading dimensions, like height and width) an
    integer vector holds: `true_image_shape` [300, 300, 3] beside `image` of [B, 300, 300, 3]."""
    if not t.dtype.startswith(("int", "uint")) or len(t.shape) != 2 or t.shape[1] is None:
        return None
    if t.min is None or t.max is None or t.mean is None:
        return None
    k = t.shape[1]
    for other in probe.tensors:
        dims = other.shape[1 : 1 + k]
        if other.path == t.path or len(dims) != k or any(d is None for d in dims):
            continue
        known = [float(d) for d in dims if d is not None]
        if (min(known), max(known)) == (t.min, t.max) and abs(sum(known) / k - t.mean) < 1e-6:
            return other.path
    return None


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
