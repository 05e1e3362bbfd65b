"""Compression of TFRecord files: GZIP and ZLIB as TensorFlow writes them, detected from the
bytes, and a plain-language guess of what a file that is not TFRecord holds."""

from __future__ import annotations

import enum
import gzip
import io
import zlib
from typing import BinaryIO

from .tfrecord import _CRC, StreamError, masked_crc

SNIFF_BYTES = 64


class Compression(str, enum.Enum):
    AUTO = "auto"
    NONE = "none"
    GZIP = "gzip"
    ZLIB = "zlib"


def _plain_header_ok(head: bytes) -> bool:
    return len(head) >= 12 and masked_crc(head[:8]) == _CRC.unpack_from(head, 8)[0]


def _zlib_header_ok(head: bytes) -> bool:
    if len(head) < 2 or head[0] & 0x0F != 8 or ((head[0] << 8) | head[1]) % 31:
        return False
    try:
        zlib.decompressobj().decompress(head)
    except zlib.error:
        return False
    return True


def sniff(head: bytes) -> Compression:
    """What the first bytes of a file are. A valid plain header wins, since a plain record
    whose length byte happens to look like a zlib header must not be decompressed."""
    if _plain_header_ok(head):
        return Compression.NONE
    if head[:2] == b"\x1f\x8b":
        return Compression.GZIP
    if _zlib_header_ok(head):
        return Compression.ZLIB
    return Compression.NONE


def describe_bytes(head: bytes) -> str:
    """A short guess at what a non-TFRecord file is, for TFD103's message."""
    if not head:
        return "the file is empty"
    if head.startswith(b"version https://git-lfs"):
        return "it is a Git LFS pointer (run `git lfs pull` to fetch the real file)"
    known = {
        b"PK\x03\x04": "a ZIP archive",
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"PAR1": "a Parquet file",
        b"ARROW1": "an Arrow file",
        b"\x93NUMPY": "a NumPy array",
    }
    for magic, what in known.items():
        if head.startswith(magic):
            return f"it is {what}"
    sample = head[:SNIFF_BYTES]
    if all(32 <= b < 127 or b in (9, 10, 13) for b in sample):
        return f"it is text, starting {sample[:40].decode('ascii')!r}"
    return f"its first bytes are {sample[:16].hex(' ')}"


class _GuardedGzip(io.RawIOBase):
    """gzip.GzipFile whose failures become StreamError, so the reader reports them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        try:
            return self._gz.read(n)
        except EOFError:
            raise StreamError("the GZIP stream ends early: the file is truncated", truncated=True) from None
        except (OSError, zlib.error) as exc:
            raise StreamError(f"the GZIP stream is corrupt: {exc}") from None


class _ZlibReader(io.RawIOBase):
    """A streaming ZLIB decompressor (TensorFlow's ZLIB option: zlib header, window 15)."""

    def __init__(self, raw: BinaryIO, chunk: int = 1 << 20) -> None:
        self._raw = raw
        self._d = zlib.decompressobj()
        self._chunk = chunk
        self._out = b""

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        while n < 0 or len(self._out) < n:
            if self._d.eof:
                break
            data = self._raw.read(self._chunk)
            try:
                self._out += self._d.decompress(data) if data else self._d.flush()
            except zlib.error as exc:
                raise StreamError(f"the ZLIB stream is corrupt: {exc}") from None
            if not data:
                if not self._d.eof:
                    raise StreamError("the ZLIB stream ends early: the file is truncated", truncated=True)
                break
        if n < 0:
            out, self._out = self._out, b""
        else:
            out, self._out = self._out[:n], self._out[n:]
        return out


def decompressed(raw: BinaryIO, compression: Compression) -> BinaryIO:
    if compression is Compression.GZIP:
        return _GuardedGzip(raw)  # type: ignore[return-value]
    if compression is Compression.ZLIB:
        return _ZlibReader(raw)  # type: ignore[return-value]
    return raw
