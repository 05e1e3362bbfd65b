"""TFD301, TFD302: images of several sizes in the files, and a reshape or fixed shape in the
pipeline that cannot hold what arrives."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import ENSURE_SHAPE_ERROR as _ENSURE
from ...facts.batches import RESHAPE_ERROR as _RESHAPE
from ...facts.batches import BatchFacts, batch_shapes
from ...facts.dataset import DatasetStats
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Severity, Where
from .._pipeline import pipeline_error, where
from ..registry import Report, also, rule
from ._common import _first_batch, _listing, _shapes


@rule("TFD301", "mixed-image-sizes", Severity.WARNING, requires=(DatasetStats,))
def mixed_image_sizes(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Encoded images of several sizes in one feature.

    What it finds:
    An image feature whose images (sizes read from their headers) are not all the same
    height and width, with the distribution of sizes. Info in a scan or a spec check, where
    no pipeline is known: most image pipelines resize, and mixed sizes are normal in photo
    datasets (ImageNet, COCO); the audit of the pipeline judges the harm. There it is a
    warning where the pipeline does not resize them before batching (a `Reshape` or
    `ensure_shape` alone), info where it resizes (`tf.image.resize`,
    `resize_with_crop_or_pad`, `crop_and_resize`) before batching, pads them in a
    `padded_batch`, or never decodes them. Silent where the probe batched every record
    without an error.
    Why it hurts training:
    A pipeline that reshapes to one size (`tf.reshape(image, [28, 28, 1])`) fails on the
    others, or with `ignore_errors()` silently drops them; a `set_shape` lies to the model.
    Example:
    'image': 28x28 in 59,000 records, 32x32 in 1,000
    Fix:
    `tf.image.resize(image, [H, W])` (or resize_with_crop_or_pad) after decoding, instead of
    reshape; or re-encode the odd ones when writing the data.
    """
    for path, sizes, other, common in _mixed_sizes(stats):
        tail = " Whether it hurts depends on the pipeline: `tfdoctor pipeline` judges it."
        yield _sizes_report(path, sizes, other, common, tail, severity=Severity.INFO)


def _mixed_sizes(stats: DatasetStats) -> Iterator[tuple[str, dict[str, int], int, str]]:
    """(feature, images per "HxW", images of sizes beyond those kept, the commonest size)."""
    for path, shapes, other in _shapes(stats):
        sizes: dict[str, int] = {}
        for (h, w, _c), n in shapes.items():
            sizes[f"{h}x{w}"] = sizes.get(f"{h}x{w}", 0) + n
        if len(sizes) > 1 or other:
            yield path, sizes, other, max(sizes, key=lambda k: sizes[k])


def _sizes_report(
    path: str,
    sizes: dict[str, int],
    other: int,
    common: str,
    tail: str = "",
    step: Step | None = None,
    severity: Severity | None = None,
) -> Report:
    total = sum(sizes.values()) + other
    return Report(
        f"'{path}' holds images of {len(sizes) + (1 if other else 0)}+ sizes (HxW): "
        f"{_listing(sizes, other)}; {total - sizes[common]:,} of {total:,} differ from {common}." + tail,
        Where(feature=path, step=step.index if step else None, call=step.call() if step else None),
        {"sizes": sizes, "other": other, "images": total},
        f"tf.image.resize(image, [{common.replace('x', ', ')}]) after decoding, not tf.reshape",
        severity,
    )


# Ops that bring images of any size to one size: tf.image.resize (Resize*, or ScaleAndTranslate
# with antialias), crop_and_resize; resize_with_crop_or_pad crops (Slice) and pads (Pad).
_RESIZE_OPS = ("ScaleAndTranslate", "CropAndResize")


def resizes(step: Step) -> bool:
    """Whether a step's function brings images to one size."""
    if any(op.startswith("Resize") or op in _RESIZE_OPS for op in step.ops):
        return True
    return "Slice" in step.ops and any(op in ("Pad", "PadV2", "MirrorPad") for op in step.ops)


# Image decode ops (the graph records `channels=` for those that take it)
_DECODE_OPS = (
    "DecodePng",
    "DecodeJpeg",
    "DecodeImage",
    "DecodeBmp",
    "DecodeGif",
    "DecodeAndCropJpeg",
    "DecodeWebP",
)


def decodes(step: Step) -> bool:
    """Whether a step's function decodes images."""
    return bool(step.decode_channels) or any(op in _DECODE_OPS for op in step.ops)


def before_batching(facts: PipelineFacts) -> list[Step]:
    """The steps before the first batch (every step where nothing batches)."""
    batch = next(iter(facts.pipeline.of("batch", "padded_batch")), None)
    return [s for s in facts.pipeline.steps if batch is None or s.index < batch.index]


def passed_every_record(facts: PipelineFacts, batches: BatchFacts | None) -> bool:
    """Whether the probe's batches held every record of the files without an error: whatever
    the pipeline does to the images, it copes with all of them."""
    if batches is None or batches.error is not None or not batches.batches:
        return False
    return batches.stopped == "end" or bool(facts.records and batches.elements >= facts.records)


@also("TFD301", requires=(PipelineFacts,), uses=(BatchFacts,))
def mixed_image_sizes_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    """The sizes the scan of the pipeline's files found, judged by what the pipeline does
    with them: info where it resizes before batching, a warning where it does not."""
    if facts.sources is None:
        return
    error, _hidden = pipeline_error(facts, batches)
    if error and (batch_shapes(error) or _RESHAPE.search(error) or _ENSURE.search(error)):
        return  # the pipeline failed on them: TFD302 explains it, with the sizes
    steps = before_batching(facts)
    decode = next((s for s in steps if decodes(s)), None)
    resize = next((s for s in steps if resizes(s)), None)
    batch = next(iter(facts.pipeline.of("batch", "padded_batch")), None)
    resize = resize or (batch if batch is not None and batch.kind == "padded_batch" else None)
    for path, sizes, other, common in _mixed_sizes(facts.sources):
        if decode is None:
            tail = " The pipeline decodes no image before batching: nothing there depends on their size."
            yield _sizes_report(path, sizes, other, common, tail, severity=Severity.INFO)
        elif resize is not None:
            how = "pads them to one size" if resize.kind == "padded_batch" else "resizes them before batching"
            tail = (
                f" `{resize.call()}` (step {resize.index}) {how}: each image reaches the batch at one size."
            )
            yield _sizes_report(path, sizes, other, common, tail, resize, Severity.INFO)
        elif passed_every_record(facts, batches):
            continue  # the pipeline copes with them, by means its ops do not show
        else:
            fixed = next((s for s in steps if {"Reshape", "EnsureShape"} & set(s.ops)), decode)
            tail = (
                f" `{fixed.call()}` (step {fixed.index}) decodes them without resizing before batching: "
                "a fixed reshape, or the batch, fails on the other sizes."
            )
            yield _sizes_report(path, sizes, other, common, tail, fixed)


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
