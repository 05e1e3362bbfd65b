"""Recognise encoded images by their magic numbers (the same signatures `tf.io.decode_image`
checks), so byte features that hold images are known without decoding them."""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, UnidentifiedImageError

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
)


# the first byte of every signature: most values of a bytes feature that holds no images
# are told apart by it alone (a set lookup, where the signatures cost five comparisons)
IMAGE_FIRST_BYTES = frozenset({magic[0] for magic, _ in _MAGIC} | {b"RIFF"[0]})


def image_format(data: bytes) -> str | None:
    if not data or data[0] not in IMAGE_FIRST_BYTES:
        return None
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


# Channels `tf.io.decode_image(..., channels=0)` yields per Pillow mode; palette images are
# expanded to RGB, or RGBA when they carry transparency.
_CHANNELS = {"1": 1, "L": 1, "I": 1, "I;16": 1, "I;16B": 1, "F": 1, "LA": 2, "La": 2, "RGB": 3,
             "YCbCr": 3, "CMYK": 4, "RGBA": 4, "RGBa": 4}  # fmt: skip


_SHAPES: dict[bytes, tuple[int, int, int] | None] = {}  # by digest: images recur across batches
_SHAPES_MAX = 4096


def image_shape(data: bytes) -> tuple[int, int, int] | None:
    """(height, width, channels) read from the encoded header only (Pillow opens lazily and
    decodes nothing here); None when the header does not parse. Remembered by the image's
    BLAKE2b digest (a few microseconds) for the next batches that hold it: opening it with
    Pillow costs about 100."""
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if digest in _SHAPES:
        return _SHAPES[digest]
    if len(_SHAPES) >= _SHAPES_MAX:
        _SHAPES.clear()
    shape = _SHAPES[digest] = _read_shape(data)
    return shape


def _read_shape(data: bytes) -> tuple[int, int, int] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: sizes are only read
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                mode = img.mode
                channels = _CHANNELS.get(mode)
                if mode in ("P", "PA"):
                    channels = 4 if mode == "PA" or "transparency" in img.info else 3
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
    return height, width, channels or 3


def decodes(data: bytes) -> bool:
    """Whether the whole image decodes (Pillow, as strict as TensorFlow's decoders about
    truncated data)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return False
    return True


def shape_key(shape: tuple[int, int, int]) -> str:
    """How shapes are keyed in statistics and JSON: 'HxWxC', TensorFlow's order."""
    return "x".join(map(str, shape))
