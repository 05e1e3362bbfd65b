"""TFD701, TFD702: the batches' inputs against the model's inputs: shape and dtype."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.model import ModelFacts
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from ..registry import Report, rule
from ._match import dims, inputs_fed


def _as_keras_takes(data: tuple[int | None, ...], expected: tuple[int | None, ...]) -> tuple[int | None, ...]:
    """The batch's shape as Keras adjusts it before comparing: one trailing axis of size 1 is
    dropped or added where the ranks differ by one (a (32,) batch into an Input of shape (1,))."""
    if len(data) == len(expected) + 1 and data and data[-1] == 1:
        return data[:-1]
    if len(data) + 1 == len(expected) and expected and expected[-1] == 1:
        return (*data, 1)
    return data


def _mismatch(data: tuple[int | None, ...], expected: tuple[int | None, ...]) -> bool:
    taken = _as_keras_takes(data, expected)
    if len(taken) != len(expected):
        return True
    return any(e is not None and d is not None and d != e for d, e in zip(taken[1:], expected[1:]))


@rule(
    "TFD701", "input-shape-mismatch", Severity.ERROR, requires=(ModelFacts, BatchFacts), uses=(PipelineFacts,)
)
def input_shape_mismatch(
    model: ModelFacts, batches: BatchFacts, facts: PipelineFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    """Element shape differs from the model input.

    What it finds:
    A tensor of the probed batches whose shape does not fit the model input Keras feeds it
    to (matched by position, or by name for dict elements): another image size or channel
    count, a missing or extra axis, or elements that are not batched at all. Keras drops or
    adds one trailing axis of size 1 by itself, so (32,) into an Input of shape (1,) fits.
    Why it hurts training:
    `model.fit` stops at the first batch with an incompatible-shape error, after the whole
    pipeline was built and started; an unbatched dataset gives the model single examples
    whose first axis it takes for the batch.
    Example:
    keras.Input((224, 224, 3)) fed images resized to 128 x 128, or grayscale (..., 1) images.
    Fix:
    Make the pipeline yield what the model takes (`tf.image.resize`, `channels=3` in the
    decode, `.batch(n)`), or build the model for the data's shape.
    Ragged and sparse tensors are not judged (the probe measures their flat values).
    """
    batched = facts is None or bool(facts.pipeline.of("batch", "padded_batch"))
    for fed in inputs_fed(batches, model):
        data, expected = fed.tensor.shape, fed.target.shape
        if not expected or fed.tensor.composite or not _mismatch(data, expected):
            continue
        unbatched = data == expected[1:] or (not batched and len(data) + 1 == len(expected))
        why = (
            " The elements are not batched: Keras takes their first axis for the batch. Add `.batch(n)`."
            if unbatched
            else ""
        )
        yield Report(
            f"'{fed.tensor.path}' batches have shape {dims(data)} but the model input "
            f"'{fed.target.name}' takes {dims(expected)}: model.fit stops at the first batch.{why}",
            Where(tensor=fed.tensor.path, layer=fed.target.name),
            {"shape": list(data), "expected": list(expected)},
            "Add `.batch(n)` to the pipeline"
            if unbatched
            else f"Make the pipeline yield {dims(expected)} (resize, channels=, reshape), or refit the model",
        )


def _kind(dtype: str) -> str:
    if dtype in ("string", "object") or dtype.startswith(("<U", "|S", "bytes", "str")):
        return "string"
    if dtype == "bool":
        return "bool"
    if dtype.startswith(("int", "uint")):
        return "int"
    if dtype.startswith(("float", "bfloat", "half", "double")):
        return "float"
    return dtype


@rule("TFD702", "input-dtype-mismatch", Severity.WARNING, requires=(ModelFacts, BatchFacts))
def input_dtype_mismatch(model: ModelFacts, batches: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Element dtype differs from the model input.

    What it finds:
    A tensor of the probed batches whose dtype the model input it feeds cannot take as it
    is: strings into a numeric input, or numbers into a string input (an error: Keras cannot
    convert them); floats that are not whole numbers into an integer input (a warning: Keras
    casts them, cutting off the fractions: token or class ids from a float feature). Whole
    numbers into a float input, or one float width into another, Keras casts exactly:
    silent.
    Why it hurts training:
    A string tensor stops `model.fit` at the first batch; fractional values cast to an
    integer input (an Embedding's ids) silently become other ids.
    Example:
    keras.Input((20,), dtype="int32") fed `tf.io.parse_example` floats 0.5, 1.5, ...
    Fix:
    Parse the feature as the dtype the model takes (`tf.io.FixedLenFeature([], tf.int64)`),
    decode strings in the pipeline, or give the Input the data's dtype.
    """
    for fed in inputs_fed(batches, model):
        data, expected = _kind(fed.tensor.dtype), _kind(fed.target.dtype)
        if data == expected or _exact(data, expected, fed.tensor.integral):
            continue
        error = "string" in (data, expected)
        consequence = (
            "Keras cannot convert them: model.fit stops at the first batch."
            if error
            else "Keras casts them, cutting off their fractions."
        )
        yield Report(
            f"'{fed.tensor.path}' batches are {fed.tensor.dtype} but the model input '{fed.target.name}' "
            f"takes {fed.target.dtype}: {consequence}",
            Where(tensor=fed.tensor.path, layer=fed.target.name),
            {"dtype": fed.tensor.dtype, "expected": fed.target.dtype},
            f"Give the model input dtype={fed.tensor.dtype!r}, or make the pipeline yield {fed.target.dtype}",
            Severity.ERROR if error else None,
        )


def _exact(data: str, expected: str, integral: bool) -> bool:
    """Whether Keras's cast keeps every value: numbers into floats, whole numbers into ints."""
    if expected == "float" and data in ("int", "bool", "float"):
        return True
    return expected == "int" and (data in ("int", "bool") or (data == "float" and integral))
