"""TFD703, TFD704: the labels of the batches against the model's outputs and compiled loss:
their encoding (class ids or one-hot rows) and their range."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...config import Thresholds
from ...facts.batches import BatchFacts, TensorFacts
from ...facts.model import ModelFacts, OutputFacts
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from ..registry import Report, rule
from ._losses import BINARY, CATEGORICAL, ELEMENTWISE, SPARSE
from ._match import dims, labels_fed


def _ids(t: TensorFacts) -> bool:
    """Class ids: whole numbers, one per element ((batch,) or (batch, 1))."""
    return t.integral and len(t.shape) in (1, 2) and (len(t.shape) == 1 or t.shape[1] == 1)


def _ids_for(t: TensorFacts, output: OutputFacts) -> bool:
    """Class ids for this output, as a sparse loss takes them: whole numbers with one axis less
    than the output (or the same rank, the last axis 1): (batch,) for (batch, N), (batch,
    steps) for a sequence model's (batch, steps, N)."""
    if not t.integral or t.composite or not output.shape:
        return False
    rank = len(output.shape)
    return len(t.shape) == rank - 1 or (len(t.shape) == rank and t.shape[-1] == 1)


def _classes(output: OutputFacts) -> bool:
    """A classifier's output: (batch, N) with N > 1."""
    return len(output.shape) == 2 and (output.units or 0) > 1


def _broadcast_ids(t: TensorFacts, output: OutputFacts) -> bool:
    """Class ids compared unit by unit with a classifier's N > 1 outputs (TFD703 explains it)."""
    return (
        output.loss in ELEMENTWISE
        and _classes(output)
        and _ids(t)
        and (output.activation in ("softmax", "sigmoid") or output.loss in BINARY)
    )


def _where(t: TensorFacts, output: OutputFacts) -> Where:
    return Where(tensor=t.path, layer=output.activation_layer or output.layer or output.name)


@rule("TFD703", "label-encoding-mismatch", Severity.ERROR, requires=(ModelFacts, BatchFacts))
def label_encoding_mismatch(model: ModelFacts, batches: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Sparse labels with a categorical loss, or one-hot labels with a sparse loss.

    What it finds:
    The labels of the probed batches (the y of `(x, y)` elements) against the loss compiled
    for the output they are compared with: one-hot (or any per-class) rows into
    `sparse_categorical_crossentropy`; class ids into `categorical_crossentropy` (or another
    loss that takes a row per class); class ids of shape (batch, 1) into a loss compared unit
    by unit (`mse`, `binary_crossentropy`...) over a classifier's N outputs.
    Why it hurts training:
    Keras 3 stops `model.fit` at the first batch on the first two (a rank or shape error
    naming the loss, not the data). The third trains without error: each id is broadcast
    against every output unit, the target says nothing about which class is right, and the
    loss stays flat.
    Example:
    labels = tf.one_hot(label, 10); model.compile(loss="sparse_categorical_crossentropy")
    Fix:
    Use the loss that fits the labels: `categorical_crossentropy` for one-hot rows,
    `sparse_categorical_crossentropy` for class ids (or change the labels in the pipeline:
    `tf.one_hot(label, N)`, `tf.argmax(one_hot, -1)`).
    """
    for fed in labels_fed(batches, model):
        t, output = fed.tensor, fed.target
        units = output.units or 0
        same_rank = len(t.shape) == len(output.shape) >= 2 and not t.composite
        if output.loss in SPARSE and same_rank and (t.shape[-1] or 0) > 1:
            rows = "one-hot rows" if t.one_hot_rows else f"rows of {t.shape[-1]} values"
            yield Report(
                f"The labels '{t.path}' are {rows} (shape {dims(t.shape)}) but output '{output.name}' is "
                f"compiled with {output.loss}, which takes class ids: Keras stops model.fit at the first "
                "batch (a rank error).",
                _where(t, output),
                {"shape": list(t.shape), "units": units},
                "loss=keras.losses.CategoricalCrossentropy() for one-hot labels, or tf.argmax(label, -1) "
                "in the pipeline",
            )
        elif output.loss in CATEGORICAL and _classes(output) and _ids(t):
            yield Report(
                f"The labels '{t.path}' are class ids (shape {dims(t.shape)}, values {t.min:g} to {t.max:g}) "
                f"but output '{output.name}' is compiled with {output.loss}, which takes one row of "
                f"{units} per label: Keras stops model.fit at the first batch (a shape error).",
                _where(t, output),
                {"shape": list(t.shape), "units": units, "min": t.min, "max": t.max},
                "loss=keras.losses.SparseCategoricalCrossentropy(), "
                f"or tf.one_hot(label, {units}) in the pipeline",
            )
        elif _broadcast_ids(t, output):
            column = len(t.shape) == 2
            effect = (
                f"each id is broadcast against all {units} outputs, so the target names no class and the "
                "loss stays flat"
                if column
                else "Keras stops model.fit at the first batch (the shapes do not broadcast)"
            )
            yield Report(
                f"The labels '{t.path}' are class ids (shape {dims(t.shape)}, values {t.min:g} to {t.max:g}) "
                f"but output '{output.name}' has {units} {output.activation or 'output'} units compared one "
                f"by one with the target ({output.loss}): {effect}.",
                _where(t, output),
                {"shape": list(t.shape), "units": units, "min": t.min, "max": t.max},
                "loss=keras.losses.SparseCategoricalCrossentropy() for class ids, "
                f"or tf.one_hot(label, {units})",
            )


@dataclass(frozen=True)
class _Range:
    low: float
    high: float
    measured: bool  # seen in the probed batches (else: the scan of the files, shifted as the batches are)


def _scan_range(t: TensorFacts, facts: PipelineFacts | None) -> _Range | None:
    """The label range the scan of the files saw, shifted as the probed batches show it shifted
    (their minimum against the stored minimum): the probe sees a few batches, the scan every
    value of the sample, rare classes too."""
    stats = facts.sources if facts is not None else None
    stored = stats.stored(stats.label) if stats is not None and stats.label else None
    numeric = stored.numeric if stored is not None and stored.kind == "int64" else None
    if numeric is None or numeric.min is None or numeric.max is None or t.min is None:
        return None
    if t.max is None or t.max - t.min > numeric.max - numeric.min:
        return None  # the batches span more than the stored label: not that feature, as stored
    shift = t.min - numeric.min
    return _Range(numeric.min + shift, numeric.max + shift, False)


def _outside(r: _Range, low: float, high: float) -> bool:
    return r.low < low or r.high > high


@rule(
    "TFD704", "label-out-of-range", Severity.ERROR, requires=(ModelFacts, BatchFacts), uses=(PipelineFacts,)
)
def label_out_of_range(
    model: ModelFacts, batches: BatchFacts, facts: PipelineFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    """Label values outside the model's output units.

    What it finds:
    Class ids outside [0, N) for an output of N units (a sparse categorical loss, or a
    softmax output of a model not compiled yet), and targets outside [0, 1] for a binary
    crossentropy (or sigmoid) output. An error where the probed batches hold such a label; a
    warning where only the scan of the files saw one (rare classes the few probed batches
    missed), shifted as the batches show the pipeline shifts it. Typical: labels 1..N into
    N units.
    Why it hurts training:
    On CPU TensorFlow stops `model.fit` with "Received a label value of N which is outside
    the valid range of [0, N)"; on GPU the loss of those examples is NaN or garbage without
    an error. A binary target of 2 pushes the loss below zero, without bound.
    Example:
    labels 1..10 stored; keras.layers.Dense(10, activation="softmax") with
    sparse_categorical_crossentropy
    Fix:
    Shift or remap the labels into [0, N) in the pipeline (`label - 1`), or give the output
    as many units as the largest label plus one.
    """
    for fed in labels_fed(batches, model):
        t, output = fed.tensor, fed.target
        units = output.units or 0
        if t.min is None or t.max is None or _broadcast_ids(t, output):
            continue
        sparse = output.loss in SPARSE or (output.loss is None and output.activation == "softmax")
        binary = output.loss in BINARY or (output.loss is None and output.activation == "sigmoid")
        if sparse and units > 1 and _ids_for(t, output):
            low, high, allowed = 0.0, units - 1.0, f"[0, {units})"
        elif binary and (len(t.shape) < 2 or t.shape[-1] == units or units == 1):
            low, high, allowed = 0.0, 1.0, "[0, 1]"
        else:
            continue
        seen = _Range(t.min, t.max, True)
        found = seen if _outside(seen, low, high) else _scan_range(t, facts)
        if found is None or not _outside(found, low, high):
            continue
        where = (
            "the probed batches hold"
            if found.measured
            else "the scan of the files sees (shifted as the batches are)"
        )
        counts_from_one = sparse and found.low == 1 and found.high == units
        fix = (
            "The labels count from 1: `label - 1` in the pipeline"
            if counts_from_one
            else f"Remap the labels into {allowed}, or give '{output.name}' {int(found.high) + 1} units"
            if sparse and found.low >= 0
            else f"Remap the labels into {allowed} in the pipeline"
        )
        effect = (
            "TensorFlow stops model.fit on CPU (label outside the valid range) and gives NaN losses on GPU"
            if sparse
            else "the loss has no lower bound for them"
        )
        yield Report(
            f"Output '{output.name}' takes labels in {allowed} ({units} {output.activation or ''} unit(s), "
            f"{output.loss or 'not compiled'}) but {where} labels '{t.path}' from {found.low:g} to "
            f"{found.high:g}: {effect}.",
            _where(t, output),
            {"min": found.low, "max": found.high, "units": units, "measured": found.measured},
            fix,
            None if found.measured else Severity.WARNING,
        )
