"""TFD306: a bytes feature that holds a raw array (`ndarray.tobytes()`), not an encoded image,
in the files (every value one length that factors as H·W·C·itemsize, no image header) and
in the pipeline (those bytes decoded as an image, or by `decode_raw` at a dtype or into a
shape that does not fit their length)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.dataset import DatasetStats, FeatureStats
from ...facts.pipeline import Decode, PipelineFacts, Step
from ...findings import Severity, Where
from .._pipeline import pipeline_error
from ..registry import Report, also, rule

_ITEMSIZES = {"uint8": 1, "int8": 1, "bool": 1, "uint16": 2, "int16": 2, "float16": 2, "bfloat16": 2,
              "uint32": 4, "int32": 4, "float32": 4, "uint64": 8, "int64": 8, "float64": 8,
              "complex64": 8, "complex128": 16}  # fmt: skip
# The dtype a raw array of each item size most likely has (what `tobytes()` writers store).
_DTYPES = ((4, "float32"), (1, "uint8"), (2, "float16"), (8, "float64"))
# Image sides common enough to prefer a reading of the length that has them.
_COMMON_SIDES = {28, 32, 48, 64, 96, 112, 128, 150, 160, 192, 200, 224, 227, 240, 256, 288, 299, 300,
                 320, 331, 384, 416, 448, 480, 512, 600, 640, 720, 768, 800, 1024}  # fmt: skip
_FORMATS = ("jpeg", "jpg", "png", "gif", "bmp", "webp")
_DECODE_ERROR = re.compile(r"Unknown image file format|Invalid (PNG|JPEG|GIF|BMP|WebP)|jpeg::Uncompress")


@dataclass(frozen=True)
class _Layout:
    """One reading of a raw array's length."""

    dtype: str
    height: int
    width: int
    channels: int

    def __str__(self) -> str:
        return f"{self.dtype} {self.height}x{self.width}x{self.channels}"

    @property
    def shape(self) -> str:
        return f"[{self.height}, {self.width}, {self.channels}]"


def layouts(length: int, min_side: int) -> list[_Layout]:
    """The readings of `length` bytes as an H x W x C array (C 1, 3 or 4; sides at least
    `min_side`): square ones, or both sides common image sizes; the likeliest first (common
    sides, then square, then float32, uint8, float16, float64, then 3, 1, 4 channels)."""
    found: list[tuple[tuple[int, ...], _Layout]] = []
    for rank, (itemsize, dtype) in enumerate(_DTYPES):
        for c_rank, channels in enumerate((3, 1, 4)):
            pixels, rest = divmod(length, itemsize * channels)
            if rest or not pixels:
                continue
            side = math.isqrt(pixels)
            pairs = [(side, side)] if side * side == pixels else []
            pairs += [  # a landscape or portrait frame, no longer than twice its width
                (h, w)
                for h in sorted(_COMMON_SIDES)
                for w in [pixels // h]
                if pixels % h == 0 and w in _COMMON_SIDES and w != h and max(h, w) <= 2 * min(h, w)
            ]
            for h, w in pairs:
                if min(h, w) < min_side:
                    continue
                common = h in _COMMON_SIDES and w in _COMMON_SIDES
                key = (0 if common else 1, 0 if h == w else 1, rank, c_rank, h)
                found.append((key, _Layout(dtype, h, w, channels)))
    return [layout for _key, layout in sorted(found, key=lambda kv: kv[0])]


@dataclass(frozen=True)
class _Raw:
    """A bytes feature whose values look like raw arrays: their one length and its readings."""

    feature: FeatureStats
    length: int
    readings: list[_Layout]

    @property
    def likeliest(self) -> _Layout:
        return self.readings[0]

    def described(self) -> str:
        """'602,112 bytes each with no image header, likeliest float32 224x224x3 (also uint8 448x448x3)'."""
        others = ", ".join(str(r) for r in self.readings[1:3])
        also = f" (also {others})" if others else ""
        return f"{self.length:,} bytes each with no image header, likeliest {self.likeliest}{also}"


def _binary(shown: str) -> bool:
    """Whether a top value, as the scan shows it, is bytes that are not text (shown escaped)."""
    return shown[:1] in ("'", '"') and "\\x" in shown


def raw_features(stats: DatasetStats, cfg: Thresholds) -> Iterator[_Raw]:
    """The bytes features whose values are all one length, with no image header, not text,
    and a length that reads as an H x W x C array."""
    for f in stats.features:
        b = f.bytes
        if b is None or b.count < cfg.raw_bytes_min_values or b.min_length != b.max_length:
            continue
        if sum(b.image_formats.values()) or not all(_binary(v) for v, _n in f.top_values):
            continue
        readings = layouts(b.min_length, cfg.raw_bytes_min_side)
        if readings:
            yield _Raw(f, b.min_length, readings)


def _claims_image(stats: DatasetStats, f: FeatureStats) -> bool:
    """Whether the records say the feature is an encoded image: named `.../encoded` (the
    Object Detection API's `image/encoded`), or next to a `format` feature naming an image
    format (`image/format`: b'jpeg')."""
    if f.name.lower().rstrip("/").endswith("encoded"):
        return True
    prefix = f.name.rsplit("/", 1)[0] if "/" in f.name else ""
    for other in stats.features:
        if other is f or "format" not in other.name.lower():
            continue
        if prefix and not other.name.startswith(prefix + "/"):
            continue
        values = [v.lower() for v, _n in other.top_values]
        if any(v in _FORMATS for v in values):
            return True
    return False


@rule("TFD306", "raw-tensor-bytes", Severity.ERROR, requires=(DatasetStats,))
def raw_tensor_bytes(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A bytes feature holds raw array bytes, and is decoded as an image or at the wrong dtype.

    What it finds:
    A bytes feature whose values (at least `raw-bytes-min-values` ({raw_bytes_min_values}))
    all have one length, carry no image header and are not text, where that length reads as
    an H x W x C array of 1, 2, 4 or 8-byte items (C 1, 3 or 4; H and W at least
    `raw-bytes-min-side` ({raw_bytes_min_side}), square or common image sizes): what
    `ndarray.tobytes()` writes. In a pipeline, it is an error where such bytes are decoded as
    an image (`decode_png`, `decode_jpeg`, `decode_image`), or by `decode_raw` at a dtype
    whose item size does not divide their length, or reshaped to a shape whose element count
    times that item size differs from it. A scan alone cannot see the decode: there it is
    info, or a warning where the records claim an encoded image (a feature named
    `.../encoded`, or an `image/format` of jpeg/png next to it).
    Why it hurts training:
    An image decode of raw bytes fails on every record (under `ignore_errors()` every record
    is dropped); `decode_raw` at another dtype reinterprets the bits: a reshape fails, or
    fits a wrong shape and feeds noise. The length is all that tells the layout: it is not
    stored with the bytes.
    Example:
    tf.io.decode_jpeg(parsed['image/encoded'])  # the writer stored img.astype(np.float32).tobytes()
    Fix:
    Decode with the dtype and shape they were written with:
    `tf.reshape(tf.io.decode_raw(x, tf.float32), [224, 224, 3])`; or store encoded images
    (`tf.io.encode_png`) in the writer.
    """
    for raw in raw_features(stats, cfg):
        f, likely = raw.feature, raw.likeliest
        claims = _claims_image(stats, f)
        yield Report(
            f"'{f.path}' holds raw array bytes, not encoded images: {raw.described()}."
            + (
                " The records name it as an encoded image: a reader that decodes it as one fails."
                if claims
                else ""
            ),
            Where(feature=f.path),
            {
                "length": raw.length,
                "values": f.bytes.count if f.bytes else 0,
                "likeliest": str(likely),
                "readings": [str(r) for r in raw.readings],
            },  # fmt: skip
            f"Decode with tf.reshape(tf.io.decode_raw(x, tf.{likely.dtype}), {likely.shape})",
            Severity.WARNING if claims else Severity.INFO,
        )


@also("TFD306", requires=(PipelineFacts,), uses=(BatchFacts,))
def raw_tensor_bytes_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    if facts.sources is None:
        return
    raws = list(raw_features(facts.sources, cfg))
    read = {e.key for s in facts.pipeline.steps for spec in s.parse_specs for e in spec.features}
    images = {f.name for f in facts.sources.features if f.is_image}
    error, _hidden = pipeline_error(facts, batches)
    for raw in raws:
        # an untraced decode reads this feature if the parse ops read it and no encoded image
        only = raw.feature.name in read and not (read & images)
        only_raw = only and [r.feature.name for r in raws if r.feature.name in read] == [raw.feature.name]
        for step in facts.pipeline.steps:
            for decode in step.decodes:
                if decode.feature not in (raw.feature.name, None):
                    continue
                if decode.op == "DecodeRaw":
                    yield from _decode_raw(raw, step, decode, error, only_raw)
                else:
                    yield from _decode_image(raw, step, decode, error, only)


def _decode_image(raw: _Raw, step: Step, decode: Decode, error: str | None, only: bool) -> Iterator[Report]:
    """Raw bytes decoded as an image: every decode fails (no header)."""
    failed = bool(error and _DECODE_ERROR.search(error))
    if decode.feature is None and not only:
        return
    traced = decode.feature is not None
    likely, name = raw.likeliest, raw.feature.path
    call = _IMAGE_CALLS.get(decode.op, decode.op)
    reads = f"decodes '{name}'" if traced else f"decodes an image, and the only bytes it parses are '{name}'"
    yield Report(
        f"`{step.call()}` {reads} with `{call}`, but its values are raw array bytes, "
        f"{raw.described()}: the decode fails on every record"
        + (f" ({(error or '').rstrip('.')})" if failed else "")
        + ", or under ignore_errors() drops them all.",
        Where(feature=name, step=step.index, call=step.call()),
        {"length": raw.length, "op": decode.op, "likeliest": str(likely), "pipeline_failed": failed},
        f"tf.reshape(tf.io.decode_raw(x, tf.{likely.dtype}), {likely.shape}) in place of {call}",
        None if traced or failed else Severity.WARNING,
    )


_IMAGE_CALLS = {"DecodePng": "tf.io.decode_png", "DecodeJpeg": "tf.io.decode_jpeg",
                "DecodeImage": "tf.io.decode_image", "DecodeBmp": "tf.io.decode_bmp"}  # fmt: skip


def _decode_raw(raw: _Raw, step: Step, decode: Decode, error: str | None, only: bool) -> Iterator[Report]:
    """`decode_raw` at a dtype whose item size does not divide the length, or reshaped to a
    shape that does not hold the values."""
    itemsize = _ITEMSIZES.get(decode.dtype)
    if itemsize is None or (decode.feature is None and not only):
        return
    likely, name = raw.likeliest, raw.feature.path
    values, rest = divmod(raw.length, itemsize)
    call = f"tf.io.decode_raw(x, tf.{decode.dtype})"
    if rest:
        effect = f"{raw.length:,} bytes are not a whole number of {itemsize}-byte items: the decode fails"
    elif decode.shape is not None and not _holds(decode.shape, values):
        wanted = math.prod(decode.shape)
        held = f"{wanted:,} values" if wanted > 0 else "values in rows of that size"
        effect = (
            f"it gives {values:,} values, reshaped to {list(decode.shape)} ({held}): "
            "the reshape fails, or the bits are read as the wrong type"
        )
    else:
        return
    traced = decode.feature is not None
    confirmed = bool(
        error and (f"with {values} values" in error or f"has length {raw.length} " in error)
    )  # the pipeline's own error: "Input to reshape is a tensor with 602112 values, ..."
    yield Report(
        f"`{step.call()}` decodes '{name}' with `{call}`"
        + ("" if traced else " (the only raw array bytes it parses)")
        + f", but its values are raw array bytes, {raw.described()}: {effect}.",
        Where(feature=name, step=step.index, call=step.call()),
        {
            "length": raw.length,
            "dtype": decode.dtype,
            "shape": list(decode.shape) if decode.shape is not None else None,
            "likeliest": str(likely),
        },  # fmt: skip
        f"tf.reshape(tf.io.decode_raw(x, tf.{likely.dtype}), {likely.shape})",
        None if traced or confirmed else Severity.WARNING,
    )


def _holds(shape: tuple[int, ...], values: int) -> bool:
    """Whether `values` items reshape to `shape` (one -1 takes what is left)."""
    known = math.prod(d for d in shape if d != -1)
    if -1 in shape:
        return known > 0 and values % known == 0
    return known == values
