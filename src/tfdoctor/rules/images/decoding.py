"""TFD303, TFD305: images that do not decode, and batches of images that decoded blank."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import DECODE_ERROR as _DECODE_ERROR
from ...facts.batches import BatchFacts
from ...facts.dataset import DatasetStats
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from .._pipeline import pipeline_error
from ..registry import Report, also, rule


@rule("TFD303", "undecodable-image", Severity.ERROR, requires=(DatasetStats,))
def undecodable_image(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Bytes that look like an image but do not decode.

    What it finds:
    Values that start like an image (PNG/JPEG/GIF/BMP/WebP) but whose header does not parse,
    images of a sample that fail a full decode (scan), and the decode error the pipeline
    raises (pipeline probe). Only in features whose values are mostly images: a few values
    of other bytes (quantized frames, ids) start with an image's magic number by chance
    ('BM' is two bytes).
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
        if b is None or not (b.image_unreadable or b.image_undecodable) or not f.is_image:
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


@rule("TFD305", "blank-images", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def blank_images(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Batches hold all-zero or constant images.

    What it finds:
    Image-like tensors (rank 4, 1/3/4 channels) in which at least
    `blank-image-fraction` ({blank_image_fraction}) of the images hold a single value everywhere.
    Why it hurts training:
    A blank image carries no signal but still has a label: the model learns the label
    frequencies. Usually a failed decode, a default value or an augmentation that wipes it.
    Example:
    a default of b'' decoded as a blank image; a random crop that lands in padding
    Fix:
    Find where they come from (the feature's default, the decode, the augmentation) and
    fix it, or filter blank images out.
    """
    for t in probe.tensors:
        if t.image_like and t.images and t.blank_images / t.images >= cfg.blank_image_fraction:
            yield Report(
                f"{t.blank_images:,} of {t.images:,} images in '{t.path}' hold one value everywhere.",
                Where(tensor=t.path),
                {"blank": t.blank_images, "images": t.images},
                "Check the decode and any default_value for the image feature",
            )
