"""TFD304: grayscale and color images mixed, in the files (header reads) and in the pipeline (a
batch that fails on them, a decode that converts most of them)."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts, batch_shapes
from ...facts.dataset import DatasetStats
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from .._pipeline import where
from ..registry import Report, also, rule
from ._common import _first_batch, _listing, _shapes
from .sizes import before_batching, decodes, passed_every_record


@rule("TFD304", "channel-mismatch", Severity.WARNING, requires=(DatasetStats,))
def channel_mismatch(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Grayscale and color (or alpha) images mixed in one feature.

    What it finds:
    An image feature whose images do not all have the same number of channels (1 gray, 2
    gray+alpha, 3 RGB, 4 RGBA), from their headers; in a pipeline, a batch that fails on
    mixed channels, and a decode whose `channels=` converts more than
    `decode-converted-fraction` ({decode_converted_fraction}) of the stored images. Mixed
    counts in the files are a warning in a scan, where no pipeline is known, and in the audit
    of a pipeline that decodes without `channels=`; info in the audit of a pipeline whose
    every decode before batching sets `channels=` (or that decodes none): there they are
    converted on purpose. Silent where the probe batched every record without an error.
    Why it hurts training:
    `decode_image` without `channels=` yields tensors of different depth: batching fails,
    or a reshape mixes channels into pixels.
    Example:
    'image': 3 channels in 9,800 records, 1 channel in 200
    Fix:
    Decode with a fixed channel count: `tf.io.decode_png(x, channels=3)` (or 1).
    """
    for path, channels, common in _mixed_channels(facts):
        listed = _listing({f"{k} channel(s)": n for k, n in channels.items()})
        yield Report(
            f"'{path}' mixes channel counts: {listed}.",
            Where(feature=path),
            {"channels": channels},
            f"tf.io.decode_image(x, channels={common}, expand_animations=False)",
        )


def _mixed_channels(stats: DatasetStats) -> Iterator[tuple[str, dict[str, int], str]]:
    """(feature, images per channel count, the commonest count) where the counts differ."""
    for path, shapes, _other in _shapes(stats):
        channels: dict[str, int] = {}
        for (_h, _w, c), n in shapes.items():
            channels[str(c)] = channels.get(str(c), 0) + n
        if len(channels) > 1:
            yield path, channels, max(channels, key=lambda k: channels[k])


@also("TFD304", requires=(PipelineFacts,), uses=(BatchFacts,))
def channel_mismatch_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    converts = list(_decode_channels(facts, cfg))
    yield from _batch_channel_error(facts, batches)
    # a decode that converts most images is reported on its own: no info that it fixes them
    yield from (r for r in _stored_channels(facts, batches) if not (converts and r.severity == Severity.INFO))
    yield from converts


def _channel_batch_error(batches: BatchFacts | None) -> tuple[list[int], list[int]] | None:
    """The two image shapes of the probe's batch error, where they differ in channels only."""
    shapes = batch_shapes(batches.error) if batches is not None else None
    if shapes is None:
        return None
    first, other = shapes
    if len(first) != 3 or len(other) != 3 or first[:2] != other[:2] or first[2] == other[2]:
        return None
    return first, other


def _batch_channel_error(facts: PipelineFacts, batches: BatchFacts | None) -> Iterator[Report]:
    """The probe's batch error where the images differ in their channel count only."""
    shapes = _channel_batch_error(batches)
    if shapes is None:
        return
    first, other = shapes
    yield Report(
        f"Batching fails: images of {first[2]} and {other[2]} channel(s) meet in one batch "
        f"(shapes {first} and {other}): the decode gives each image its own channel count.",
        _first_batch(facts),
        {"channels": [first[2], other[2]]},
        "Decode with a fixed channel count: tf.io.decode_image(x, channels=3, expand_animations=False)",
    )


def _stored_channels(facts: PipelineFacts, batches: BatchFacts | None) -> Iterator[Report]:
    """Channel counts the scan of the pipeline's files found mixed, judged by the decode: info
    where every decode before batching fixes `channels=`, a warning where one keeps each
    image's own count."""
    if facts.sources is None or _channel_batch_error(batches) is not None:
        return  # the batch failed on them: reported above, with the shapes
    decoding = [s for s in before_batching(facts) if decodes(s)]
    for path, channels, common in _mixed_channels(facts.sources):
        listed = _listing({f"{k} channel(s)": n for k, n in channels.items()})
        keeps = next((s for s in decoding if 0 in s.decode_channels), None)  # channels= left out
        if keeps is not None and passed_every_record(facts, batches):
            continue  # a later op brings them to one count: the probe batched every record
        if keeps is not None:
            yield Report(
                f"'{path}' mixes channel counts: {listed}; `{keeps.call()}` (step {keeps.index}) decodes "
                "without `channels=`, so each image keeps its own count and a batch or reshape fails.",
                Where(feature=path, step=keeps.index, call=keeps.call()),
                {"channels": channels},
                f"tf.io.decode_image(x, channels={common}, expand_animations=False)",
            )
        elif decoding:
            first = decoding[0]
            fixed = sorted({c for s in decoding for c in s.decode_channels})
            how = f"with channels={', '.join(map(str, fixed))}" if fixed else "to a fixed channel count"
            yield Report(
                f"'{path}' mixes channel counts: {listed}; `{first.call()}` (step {first.index}) decodes "
                f"them {how}: every image reaches the batch with one count.",
                Where(feature=path, step=first.index, call=first.call()),
                {"channels": channels},
                f"tf.io.decode_image(x, channels={common}, expand_animations=False)",
                Severity.INFO,
            )
        else:
            yield Report(
                f"'{path}' mixes channel counts: {listed}; the pipeline decodes no image before "
                "batching: nothing there depends on them.",
                Where(feature=path),
                {"channels": channels},
                f"tf.io.decode_image(x, channels={common}, expand_animations=False)",
                Severity.INFO,
            )


def _decode_channels(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
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
            if total and converted / total > cfg.decode_converted_fraction:
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
