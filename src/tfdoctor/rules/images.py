"""TFD3xx rules on the images the files store, from the scan's header reads (sizes and
channels of every image, nothing decoded)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..config import Thresholds
from ..facts.batches import BatchFacts, batch_shapes
from ..facts.dataset import DatasetStats
from ..facts.pipeline import PipelineFacts
from ..findings import Severity, Where
from ._pipeline import pipeline_error, where
from .registry import Report, also, rule


def _shapes(stats: DatasetStats) -> Iterator[tuple[str, dict[tuple[int, int, int], int], int]]:
    for f in stats.features:
        if f.bytes is None or not f.bytes.image_shapes:
            continue
        shapes = {tuple(int(d) for d in key.split("x")): n for key, n in f.bytes.image_shapes.items()}
        yield f.path, shapes, f.bytes.image_shapes_other  # type: ignore[misc]


def _listing(counts: dict[str, int], other: int = 0) -> str:
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    text = ", ".join(f"{k} in {n:,}" for k, n in top[:5])
    rest = sum(n for _, n in top[5:]) + other
    return text + (f" and {rest:,} more" if rest else "")


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


@rule("TFD304", "channel-mismatch", Severity.WARNING, requires=(DatasetStats,))
def channel_mismatch(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Grayscale and color (or alpha) images mixed in one feature.

    What it finds:
    An image feature whose images do not all have the same number of channels (1 gray, 2
    gray+alpha, 3 RGB, 4 RGBA), from their headers; in a pipeline, a batch that fails on
    mixed channels, and a decode whose `channels=` converts most of the stored images.
    Why it hurts training:
    `decode_image` without `channels=` yields tensors of different depth: batching fails,
    or a reshape mixes channels into pixels.
    Example:
    'image': 3 channels in 9,800 records, 1 channel in 200
    Fix:
    Decode with a fixed channel count: `tf.io.decode_png(x, channels=3)` (or 1).
    """
    for path, shapes, _other in _shapes(facts):
        channels: dict[str, int] = {}
        for (_h, _w, c), n in shapes.items():
            channels[str(c)] = channels.get(str(c), 0) + n
        if len(channels) > 1:
            common = max(channels, key=lambda k: channels[k])
            listed = _listing({f"{k} channel(s)": n for k, n in channels.items()})
            yield Report(
                f"'{path}' mixes channel counts: {listed}.",
                Where(feature=path),
                {"channels": channels},
                f"tf.io.decode_image(x, channels={common}, expand_animations=False)",
            )


@also("TFD304", requires=(PipelineFacts,), uses=(BatchFacts,))
def channel_mismatch_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    yield from _batch_channel_error(facts, batches)
    yield from _decode_channels(facts)


_DECODE_ERROR = re.compile(
    r"(Invalid (PNG|JPEG|GIF|BMP|WebP)|Unknown image file format|jpeg::Uncompress failed|"
    r"Expected image \(JPEG, PNG, or GIF\)|Number of channels inherent in the image must be)"
)


@rule("TFD303", "undecodable-image", Severity.ERROR, requires=(DatasetStats,))
def undecodable_image(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Bytes that look like an image but do not decode.

    What it finds:
    Values that start like an image (PNG/JPEG/GIF/BMP/WebP) but whose header does not parse,
    images of a sample that fail a full decode (scan), and the decode error the pipeline
    raises (pipeline probe).
    Why it hurts training:
    A decode error stops the pipeline (or, under `ignore_errors()`, silently drops the
    element); a truncated image that decodes partly feeds grey garbage.
    Example:
    tf.io.decode_png(parsed['image'])  # 3 records hold truncated PNG bytes
    Fix:
    Re-encode or drop those records when writing; `tfdoctor scan` names the feature.
    """
    for f in stats.features:
        b = f.bytes
        if b is None or not (b.image_unreadable or b.image_undecodable):
            continue
        parts = []
        if b.image_unreadable:
            parts.append(
                f"{b.image_unreadable:,} value(s) start like an image but their header does not parse"
            )
        if b.image_undecodable:
            parts.append(f"{b.image_undecodable:,} of {b.image_decoded:,} images decoded as a sample fail")
        yield Report(
            f"'{f.path}': " + "; ".join(parts) + ".",
            Where(feature=f.path),
            {
                "unreadable": b.image_unreadable,
                "sample_decoded": b.image_decoded,
                "sample_failed": b.image_undecodable,
                "images": sum(b.image_formats.values()),
            },  # fmt: skip
            "Re-encode or drop those records when writing the data",
        )


@also("TFD303", requires=(PipelineFacts,), uses=(BatchFacts,))
def undecodable_image_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    if facts.sources is not None:  # the files the pipeline reads, as far as they were scanned
        yield from undecodable_image(facts.sources, cfg)
    error, _hidden = pipeline_error(facts, batches)
    if error and _DECODE_ERROR.search(error):
        yield Report(
            f"The pipeline fails decoding an image: {error}",
            Where(),
            {"batches_before_error": batches.batches if batches is not None else 0},
            "Find the bad records with `tfdoctor scan`; re-encode or drop them",
        )


def _batch_channel_error(facts: PipelineFacts, batches: BatchFacts | None) -> Iterator[Report]:
    """The probe's batch error where the images differ in their channel count only."""
    shapes = batch_shapes(batches.error) if batches is not None else None
    if shapes is None:
        return
    first, other = shapes
    if len(first) != 3 or len(other) != 3 or first[:2] != other[:2] or first[2] == other[2]:
        return
    yield Report(
        f"Batching fails: images of {first[2]} and {other[2]} channel(s) meet in one batch "
        f"(shapes {first} and {other}): the decode gives each image its own channel count.",
        _first_batch(facts),
        {"channels": [first[2], other[2]]},
        "Decode with a fixed channel count: tf.io.decode_image(x, channels=3, expand_animations=False)",
    )


def _decode_channels(facts: PipelineFacts) -> Iterator[Report]:
    """A decode with `channels=` set that converts most stored images: color thrown away
    (channels=1 over RGB) or gray copied into three planes (channels=3 over grayscale)."""
    if facts.sources is None:
        return
    stored: dict[int, int] = {}
    for _path, shapes, _other in _shapes(facts.sources):
        for (_h, _w, c), n in shapes.items():
            stored[c] = stored.get(c, 0) + n
    total = sum(stored.values())
    for step in facts.pipeline.steps:
        for wanted in sorted(set(step.decode_channels) - {0}):
            converted = sum(n for c, n in stored.items() if c != wanted)
            if total and converted * 2 > total:
                listed = _listing({f"{c} channel(s)": n for c, n in stored.items()})
                effect = (
                    "color is discarded" if wanted == 1 and max(stored) >= 3 else "every image is converted"
                )
                yield Report(
                    f"`{step.call()}` decodes with channels={wanted}, but the files store {listed}: "
                    f"{effect}, silently.",
                    where(step),
                    {"channels": wanted, "stored": {str(c): n for c, n in stored.items()}},
                    f"Decode with channels={max(stored, key=lambda c: stored[c])} (what most images store), "
                    "unless the conversion is intended",
                )


def _first_batch(facts: PipelineFacts) -> Where:
    """The first batch step, where batching fails."""
    batch = next(iter(facts.pipeline.of("batch", "padded_batch")), None)
    return where(batch) if batch is not None else Where(call="batch")
