"""TFD210 and TFD211 on the batches of a training and an evaluation pipeline: tensors one
pipeline yields and the other does not, another dtype or shape (another image size), and
values on another scale (one pipeline divides by 255, the other does not)."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import TensorFacts
from ...facts.compare import ComparedBatches
from ...findings import Severity, Where
from ..registry import Report, also
from . import drift, schema  # noqa: F401  (TFD210, TFD211 are declared there, before these judges join)


def _dims(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


@also("TFD210", requires=(ComparedBatches,))
def batch_schema_skew(facts: ComparedBatches, cfg: Thresholds) -> Iterator[Report]:
    """The two pipelines' batches: a tensor in one only, another dtype, another element shape."""
    train = {t.path: t for t in facts.train.tensors}
    evals = {t.path: t for t in facts.eval.tensors}
    for path in [p for p in train if p not in evals] + [p for p in evals if p not in train]:
        where = "training" if path in train else "evaluation"
        yield Report(
            f"Batch tensor '{path}' is in the {where} pipeline's batches only: a model built on one "
            "pipeline's structure cannot take the other's.",
            Where(tensor=path),
            {"in": where},
            "make both pipelines return the same structure (the same keys, or (x, y) in both)",
        )
    for path, t in train.items():
        e = evals.get(path)
        if e is None:
            continue
        if t.dtype != e.dtype:
            yield Report(
                f"Batch tensor '{path}' is {t.dtype} in training and {e.dtype} in evaluation: the model "
                "casts it, but values of another dtype usually come from other preprocessing.",
                Where(tensor=path),
                {"train_dtype": t.dtype, "eval_dtype": e.dtype},
                "apply the same decode and cast in both pipelines",
                Severity.WARNING,
            )
        if t.composite or e.composite or len(t.shape) != len(e.shape):
            if len(t.shape) != len(e.shape) and not (t.composite or e.composite):
                yield _shape_report(path, t, e)
            continue
        if any(a is not None and b is not None and a != b for a, b in zip(t.shape[1:], e.shape[1:])):
            yield _shape_report(path, t, e)


def _shape_report(path: str, t: TensorFacts, e: TensorFacts) -> Report:
    return Report(
        f"Batch tensor '{path}' has elements of shape {_dims(t.shape[1:])} in training and "
        f"{_dims(e.shape[1:])} in evaluation: a model built for the training shape fails on the "
        "evaluation batches, or (fully convolutional) sees them at another scale.",
        Where(tensor=path),
        {"train_shape": list(t.shape), "eval_shape": list(e.shape)},
        "resize or reshape to one shape in both pipelines (tf.image.resize to the training size)",
    )


@also("TFD211", requires=(ComparedBatches,))
def batch_scale_drift(facts: ComparedBatches, cfg: Thresholds) -> Iterator[Report]:
    """The two pipelines' batches: a float tensor in about [0, 1] in one and [0, 255] in the other."""
    evals = {t.path: t for t in facts.eval.tensors}
    for t in facts.train.tensors:
        e = evals.get(t.path)
        if e is None or not (t.dtype.startswith("float") and e.dtype.startswith("float")):
            continue
        if t.min is None or t.max is None or e.min is None or e.max is None or min(t.min, e.min) < 0:
            continue
        low, high = sorted((t, e), key=lambda x: x.max or 0.0)
        pixels = cfg.unnormalized_above < (high.max or 0.0) <= cfg.unnormalized_max
        if not (pixels and (low.max or 0.0) <= 1.0 and not low.constant):
            continue
        scaled = "training" if low is t else "evaluation"
        raw = "evaluation" if low is t else "training"
        yield Report(
            f"Batch tensor '{t.path}' ranges {t.min:g} to {t.max:g} in training and {e.min:g} to "
            f"{e.max:g} in evaluation: scaled to [0, 1] in the {scaled} pipeline only, the {raw} "
            "pipeline feeds the model raw pixel values.",
            Where(tensor=t.path),
            {"train_min": t.min, "train_max": t.max, "eval_min": e.min, "eval_max": e.max},
            f"apply the {scaled} pipeline's scaling (e.g. / 255.0) in the {raw} pipeline too",
        )
