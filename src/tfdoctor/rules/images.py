"""TFD3xx rules on the images the files store, from the scan's header reads (sizes and
channels of every image, nothing decoded)."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Thresholds
from ..findings import Severity, Where
from ..stats.dataset import DatasetStats
from .registry import Report, rule


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


@rule("TFD301", "mixed-image-sizes", Severity.WARNING, DatasetStats)
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


@rule("TFD304", "channel-mismatch", Severity.WARNING, DatasetStats)
def channel_mismatch(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Grayscale and color (or alpha) images mixed in one feature.

    What it finds:
    An image feature whose images do not all have the same number of channels (1 gray, 2
    gray+alpha, 3 RGB, 4 RGBA), from their headers.
    Why it hurts training:
    `decode_image` without `channels=` yields tensors of different depth: batching fails,
    or a reshape mixes channels into pixels.
    Example:
    'image': 3 channels in 9,800 records, 1 channel in 200
    Fix:
    Decode with a fixed channel count: `tf.io.decode_png(x, channels=3)` (or 1).
    """
    for path, shapes, _other in _shapes(stats):
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
