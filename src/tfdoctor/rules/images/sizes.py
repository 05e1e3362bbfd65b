"""TFD301, TFD302: images of several sizes in the files, and a reshape or fixed shape in the
pipeline that cannot hold what arrives."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts, batch_shapes
from ...facts.dataset import DatasetStats
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from .._pipeline import pipeline_error, where
from ..registry import Report, rule
from ._common import _first_batch, _listing, _shapes


@rule("TFD301", "mixed-image-sizes", Severity.WARNING, requires=(DatasetStats,))
def mixed_image_sizes(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Encoded images of several sizes in one feature.

    What it finds:
    An image feature whose images (sizes read from their headers) are not all the same
    height and width, with the distribution of sizes.
    Why it hurts training:
    A pipeline that reshapes to one size (`tf.reshape(image, [28, 28, 1])`) fails on the
    others, or with `ignore_errors()` silently drops them; a `set_shape` lies to the model.
    Example:
    'image': 28x28 in 59,000 records, 32x32 in 1,000
    Fix:
    `tf.image.resize(image, [H, W])` (or resize_with_crop_or_pad) after decoding, instead of
    reshape; or re-encode the odd ones when writing the data.
    """
    for path, shapes, other in _shapes(stats):
        sizes: dict[str, int] = {}
        for (h, w, _c), n in shapes.items():
            sizes[f"{h}x{w}"] = sizes.get(f"{h}x{w}", 0) + n
        if len(sizes) > 1 or other:
            total = sum(sizes.values()) + other
            common = max(sizes, key=lambda k: sizes[k])
            yield Report(
                f"'{path}' holds images of {len(sizes) + (1 if other else 0)}+ sizes (HxW): "
                f"{_listing(sizes, other)}; {total - sizes[common]:,} of {total:,} differ from {common}.",
                Where(feature=path),
                {"sizes": sizes, "other": other, "images": total},
                f"tf.image.resize(image, [{common.replace('x', ', ')}]) after decoding, not tf.reshape",
            )


_RESHAPE = re.compile(r"Input to reshape is a tensor with (\d+) values, but the requested shape has (\d+)")


_ENSURE = re.compile(r"Shape of tensor \S+ \[([\d,]*)\] is not compatible with expected shape \[([\d,-]*)\]")


def _stored_sizes(facts: PipelineFacts) -> str:
    """Image sizes the scan found in the files, for messages."""
    if facts.sources is None:
        return ""
    parts = []
    for f in facts.sources.features:
        if f.bytes is not None and f.bytes.image_shapes:
            shapes = ", ".join(f"{k} in {n:,}" for k, n in list(f.bytes.image_shapes.items())[:4])
            parts.append(f"'{f.name}' stores {shapes}")
    return "; ".join(parts)


@rule("TFD302", "reshape-mismatch", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def reshape_mismatch(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """A reshape or fixed shape in the pipeline that cannot hold the actual element count.

    What it finds:
    The probe's batches stop with TensorFlow's own reshape error; the message says how many
    values arrived, how many the shape holds, and the image sizes the files really store.
    Why it hurts training:
    The pipeline fails as soon as it meets an element of another size, which may be far
    into an epoch; with `ignore_errors()` those elements vanish silently instead.
    Example:
    .map(lambda x: tf.reshape(tf.io.decode_png(x), [28, 28, 1]))  # some images are 32x32x3
    Fix:
    Resize instead of reshaping (`tf.image.resize(image, [28, 28])`, `channels=` on the
    decode), or fix the data so every image has one size.
    """
    error, hidden = pipeline_error(facts, probe)
    shapes = batch_shapes(error)
    if shapes is not None and len(shapes[0]) == 3 and shapes[0][:2] != shapes[1][:2]:
        stored = _stored_sizes(facts)
        a, b = ("x".join(map(str, s[:2])) for s in shapes)
        yield Report(
            f"Batching fails: images of {a} and {b} meet in one batch ({error})."
            + (f" The files: {stored}." if stored else ""),
            _first_batch(facts),
            {"sizes": [a, b]},
            f"tf.image.resize(image, [{_common_size(facts)}]) before batching",
        )
        return
    ensure = _ENSURE.search(error) if error else None
    if ensure is not None:
        stored = _stored_sizes(facts)
        yield Report(
            f"An element of shape [{ensure.group(1)}] meets `ensure_shape([{ensure.group(2)}])` ({error})."
            + (f" The files: {stored}." if stored else ""),
            _map_with(facts, "EnsureShape") or Where(call="ensure_shape"),
            {"shape": ensure.group(1), "expected": ensure.group(2)},
            f"tf.image.resize(image, [{_common_size(facts)}]) before ensure_shape",
        )
        return
    match = _RESHAPE.search(error) if error else None
    if match is None:
        return
    got, want = int(match.group(1)), int(match.group(2))
    stored = _stored_sizes(facts)
    when = "ignore_errors() hides that" if hidden else f"the pipeline fails after {probe.batches} batch(es)"
    yield Report(
        f"An element holds {got:,} values but the reshape wants {want:,}: {when} ({error})."
        + (f" The files: {stored}." if stored else ""),
        _map_with(facts, "Reshape") or Where(),
        {"values": got, "shape_values": want, "batches_before_error": probe.batches},
        f"tf.image.resize(image, [{_common_size(facts)}]) after decoding with a fixed channels=..., "
        "instead of tf.reshape",
    )


def _map_with(facts: PipelineFacts, op: str) -> Where | None:
    """The first map whose function holds this op."""
    step = next((s for s in facts.pipeline.of("map") if op in s.ops), None)
    return where(step) if step is not None else None


def _common_size(facts: PipelineFacts) -> str:
    counts: dict[str, int] = {}
    for f in facts.sources.features if facts.sources is not None else []:
        for key, n in (f.bytes.image_shapes if f.bytes is not None else {}).items():
            h, w, _c = key.split("x")
            counts[f"{h}, {w}"] = counts.get(f"{h}, {w}", 0) + n
    return max(counts, key=lambda k: counts[k]) if counts else "H, W"
