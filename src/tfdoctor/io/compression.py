"""Compression of TFRecord files: GZIP and ZLIB as TensorFlow writes them, detected from the
bytes, and a plain-language guess of what a file that is not TFRecord holds."""

from __future__ import annotations

import enum
import io
import zlib
from typing import Any, BinaryIO

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


_GZIP_WBITS = 31  # gzip header and trailer
_ZLIB_WBITS = 15  # zlib header, window 15: TensorFlow's ZLIB option


class _Inflating(io.RawIOBase):
    """A streaming GZIP or ZLIB decompressor whose failures become StreamError, so the reader
    reports them, read as TensorFlow's `ZlibInputStream` reads (measured, TF 2.21):

    - every byte inflated before an error is handed over: zlib's Python binding drops the
      output of a call that fails, so that call is replayed a byte at a time from a copy of
      the decompressor taken before it (on error only; at most ~1 KB comes of one byte);
    - a GZIP file may hold several members back to back; anything else after a member,
      zero padding included, fails as TensorFlow fails on it (`incorrect header check`),
      after every record before it;
    - ZLIB holds one stream: TensorFlow ignores whatever follows its end, and so does this;
    - a stream that simply stops (a cut file) ends like a plain file that ends there: the
      reader says whether the cut is inside a record.

    It never inflates more than one read's worth at a time, whatever the input holds, and it
    stops a stream that inflates past `max_inflation` times the compressed bytes consumed,
    once more than `grace_bytes` have come out: a decompression bomb (gigabytes of zeros in
    a few megabytes) ends with a finding within seconds instead of running on."""

    def __init__(
        self,
        raw: BinaryIO,
        name: str,
        wbits: int,
        max_inflation: float | None,
        grace_bytes: int,
        chunk: int = 1 << 16,
    ) -> None:
        self._raw = raw
        self._name = name
        self._wbits = wbits
        self._ratio = max_inflation
        self._grace = grace_bytes
        self._chunk = chunk
        self._d = zlib.decompressobj(wbits)
        self._tail = b""  # compressed bytes read but not yet inflated
        self._pulled = 0  # compressed bytes read from raw
        self._out = 0  # bytes inflated
        self._members = 1  # GZIP members begun
        self._ended_at = 0  # compressed offset where the last finished member ended
        self._member_out = 0  # bytes inflated from the current member
        self._done = False
        self._error: StreamError | None = None

    def readable(self) -> bool:
        return True

    def _pull(self) -> bytes:
        data = self._raw.read(self._chunk)
        self._pulled += len(data)
        return data

    def _consumed(self) -> int:
        """Compressed bytes the decompressor has taken (its position in the file)."""
        return self._pulled - len(self._tail) - len(self._d.unused_data)

    def _next_member(self) -> None:
        """After a GZIP member: the next one, or the end (ZLIB holds one stream)."""
        rest = self._d.unused_data
        if self._wbits != _GZIP_WBITS:
            self._done = True
            return
        if not rest:
            rest = self._pull()
            if not rest:
                self._done = True
                return
        self._ended_at = self._pulled - len(rest)
        self._d = zlib.decompressobj(self._wbits)
        self._members += 1
        self._member_out = 0
        self._tail = rest

    def _check_budget(self) -> None:
        if self._ratio is None or self._out <= self._grace:
            return
        consumed = self._consumed()
        if self._out > self._ratio * consumed:
            raise StreamError(
                f"the {self._name} stream inflates past {self._ratio:,.0f}x its compressed size "
                f"(a decompression bomb, or data that is nearly all one byte): reading stopped at "
                f"{self._out / 1e6:,.0f} MB decompressed from {consumed:,} compressed bytes"
            )

    def _failed(self, exc: zlib.error, at: int) -> StreamError:
        reason = str(exc).split(": ", 1)[-1]  # 'Error -3 while decompressing data: <reason>'
        if self._members > 1 and not self._member_out:
            return StreamError(
                f"the bytes after the {self._name} member that ends at compressed byte "
                f"{self._ended_at:,} are not another {self._name} member ({reason}); TensorFlow "
                "fails there, after every record before it"
            )
        return StreamError(f"the {self._name} stream is corrupt at compressed byte {at:,}: {reason}")

    def _salvage(self, before: Any, data: bytes) -> tuple[bytes, int]:
        """What a failed call inflated before its error: the call replayed a byte at a time on a
        copy taken before it. Returns that output and the compressed offset of the bad byte."""
        start = self._pulled - len(data)  # data is the whole unconsumed input of the failed call
        parts = []
        for i in range(len(data)):
            try:
                parts.append(before.decompress(data[i : i + 1]))
            except zlib.error:
                return b"".join(parts), start + i
            if before.eof:  # the bad byte is in what follows this member
                return b"".join(parts), start + i + 1
        return b"".join(parts), start + len(data)

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        if self._error is not None:
            raise self._error
        parts: list[bytes] = []
        have = 0
        try:
            while (n < 0 or have < n) and not self._done:
                if self._d.eof:
                    self._next_member()
                    continue
                data = self._tail or self._pull()
                if not data:
                    raise StreamError(
                        f"the {self._name} stream ends before its end marker, at compressed byte "
                        f"{self._pulled:,} (the file is cut short)",
                        truncated=True,
                    )
                before = self._d.copy()
                try:
                    out = self._d.decompress(data, self._chunk if n < 0 else min(self._chunk, n - have))
                except zlib.error as exc:
                    out, at = self._salvage(before, data)
                    parts.append(out)
                    have += len(out)
                    self._out += len(out)
                    self._member_out += len(out)
                    raise self._failed(exc, at) from None
                self._tail = self._d.unconsumed_tail
                parts.append(out)
                have += len(out)
                self._out += len(out)
                self._member_out += len(out)
                self._check_budget()
        except StreamError as exc:
            if not have:
                raise
            self._error = exc  # hand over what came out, stop on the next read
        return b"".join(parts)


DEFAULT_MAX_INFLATION = 1000.0  # DEFLATE's own ceiling is about 1,032x: only runs of one byte come near
INFLATION_GRACE_BYTES = 64 << 20  # small streams are never stopped, whatever their ratio


def decompressed(
    raw: BinaryIO,
    compression: Compression,
    max_inflation: float | None = DEFAULT_MAX_INFLATION,
    grace_bytes: int = INFLATION_GRACE_BYTES,
) -> BinaryIO:
    if compression is Compression.GZIP:
        return _Inflating(raw, "GZIP", _GZIP_WBITS, max_inflation, grace_bytes)  # type: ignore[return-value]
    if compression is Compression.ZLIB:
        return _Inflating(raw, "ZLIB", _ZLIB_WBITS, max_inflation, grace_bytes)  # type: ignore[return-value]
    return raw
