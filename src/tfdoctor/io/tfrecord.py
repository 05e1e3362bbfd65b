"""TFRecord framing: `uint64 length | masked crc32c(length) | data | masked crc32c(data)`.

The reader never trusts a length it has not checked, never allocates more than one record
(plus a read chunk), and after a corrupt header looks for the next valid frame instead of
giving up on the file, saying how many bytes it skipped.
"""

from __future__ import annotations

import enum
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import google_crc32c

HEADER_BYTES = 12
FOOTER_BYTES = 4
DEFAULT_MAX_RECORD_BYTES = 1 << 31  # 2 GiB: protobuf's own hard limit on a message
MAX_RESYNC_CHECKS = 1_000_000  # candidate headers tried per gap (~3 s) before giving up on a file
_CHUNK_BYTES = 1 << 20
_MASK_DELTA = 0xA282EAD8
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
# A frame's length is below 2 GiB, so its upper four bytes are zero: a cheap pre-filter
# for resynchronisation candidates before any CRC is computed.
_CANDIDATE = re.compile(rb"(?s)(?=.{4}\x00\x00\x00\x00)")
# Every position inside a run of zeros passes that filter, yet no header there can check
# out: the masked CRC32C of eight zero bytes is not zero (TensorFlow, too, rejects a zero
# header as corrupt). Such runs (sparse or preallocated files) are skipped at search speed.
_ZERO_HEADER = bytes(HEADER_BYTES)
_NONZERO = re.compile(rb"[^\x00]")
# TensorFlow (measured, 2.21) raises `truncated record at N` only where a whole 12-byte header
# was read; a file or stream that ends with less than a header left simply ends.
SILENT_END = "; TensorFlow stops there without an error, after every record before it"


def masked_crc(data: bytes) -> int:
    """TensorFlow's masked CRC32C (crc32c.h: rotate right 15, add a constant)."""
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(payload: bytes) -> bytes:
    """One framed record, as `tf.io.TFRecordWriter` writes it."""
    length = _LENGTH.pack(len(payload))
    return length + _CRC.pack(masked_crc(length)) + payload + _CRC.pack(masked_crc(payload))


class IssueKind(str, enum.Enum):
    CORRUPT_LENGTH = "corrupt-length"  # header CRC mismatch
    ABSURD_LENGTH = "absurd-length"  # header CRC fine, length beyond any sane record
    CORRUPT_DATA = "corrupt-data"  # data CRC mismatch
    TRUNCATED = "truncated"  # the file ends inside a record
    NO_FRAMING = "no-framing"  # no valid frame at the start of the file
    STREAM_ERROR = "stream-error"  # the (compressed) byte stream itself failed


@dataclass(frozen=True)
class Record:
    offset: int  # byte offset of the frame in the (decompressed) stream
    index: int  # record index in the file, counting corrupt frames as TensorFlow would
    payload: bytes


@dataclass(frozen=True)
class FramingIssue:
    kind: IssueKind
    offset: int
    record_index: int
    bytes_skipped: int
    detail: str


class StreamError(Exception):
    """Raised by a stream wrapper when the underlying bytes cannot be read (bad gzip...)."""

    def __init__(self, message: str, truncated: bool = False) -> None:
        super().__init__(message)
        self.truncated = truncated


class TFRecordReader:
    """Iterate records and framing issues of one stream.

    Yields `Record` and `FramingIssue` objects in stream order. After a corrupt header it
    searches for the next frame whose header and data CRCs both check out.
    """

    def __init__(
        self,
        stream: BinaryIO,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        chunk_bytes: int = _CHUNK_BYTES,
        max_resync_checks: int = MAX_RESYNC_CHECKS,
    ) -> None:
        self._stream = stream
        self._max = max_record_bytes
        self._chunk = chunk_bytes
        self._max_checks = max_resync_checks
        self._gave_up_after = 0  # bytes the last search covered when it hit max_resync_checks
        self._buf = b""
        self._pos = 0  # position of the current frame in _buf
        self._base = 0  # stream offset of _buf[0]
        self._eof = False
        self._stream_error: StreamError | None = None
        self.bytes_read = 0  # stream bytes consumed so far, for progress
        self.resync_checks = 0  # candidate frames CRC-checked while resynchronising
        self._large_cut = False  # the stream ended inside the last large frame

    # -- buffering ---------------------------------------------------------------------
    def _available(self) -> int:
        return len(self._buf) - self._pos

    def _ensure(self, n: int) -> bool:
        """Make n bytes available from _pos; False at end of stream (or on a stream error)."""
        if self._available() >= n:
            return True
        parts = [self._buf[self._pos :]]
        have = len(parts[0])
        self._base += self._pos
        self._pos = 0
        while have < n and not self._eof:
            try:
                chunk = self._stream.read(max(self._chunk, n - have))
            except StreamError as exc:
                self._stream_error = exc
                chunk = b""
            if not chunk:
                self._eof = True
                break
            parts.append(chunk)
            have += len(chunk)
            self.bytes_read += len(chunk)
        self._buf = b"".join(parts)
        return have >= n

    def _offset(self) -> int:
        return self._base + self._pos

    # -- frames ------------------------------------------------------------------------
    def _valid_frame_at(self, rel: int) -> bool:
        """Whether a complete frame with both CRCs valid starts at _pos + rel."""
        if not self._ensure(rel + HEADER_BYTES):
            return False
        self.resync_checks += 1
        p = self._pos + rel
        header = self._buf[p : p + 8]
        if masked_crc(header) != _CRC.unpack_from(self._buf, p + 8)[0]:
            return False
        length = _LENGTH.unpack(header)[0]
        if length > self._max or not self._ensure(rel + HEADER_BYTES + length + FOOTER_BYTES):
            return False
        p = self._pos + rel
        data = self._buf[p + HEADER_BYTES : p + HEADER_BYTES + length]
        return masked_crc(data) == _CRC.unpack_from(self._buf, p + HEADER_BYTES + length)[0]

    def _resync(self) -> int | None:
        """Skip forward to the next valid frame. Returns bytes skipped, None if none found,
        or if `max_resync_checks` candidates in this gap failed: garbage that repeats a
        length-like pattern (`01 00 00 00 00 00 00 00`...) makes a candidate every few bytes,
        each a CRC in Python (~0.7 MB/s); TensorFlow stops at the first corrupt frame anyway."""
        start = self._offset()
        budget = self.resync_checks + self._max_checks
        self._pos += 1
        while self._ensure(HEADER_BYTES):
            if self.resync_checks >= budget:
                self._gave_up_after = self._offset() - start
                return None
            match = _CANDIDATE.search(self._buf, self._pos)
            if match is None:
                # Keep only bytes that could still begin a header, then read on.
                self._pos = max(self._pos, len(self._buf) - HEADER_BYTES + 1)
                continue
            self._pos = match.start()
            if self._buf.startswith(_ZERO_HEADER, self._pos):
                end = _NONZERO.search(self._buf, self._pos)
                run = (end.start() if end else len(self._buf)) - self._pos
                # The first header that may check out is the one that reaches past the run.
                self._pos += run - HEADER_BYTES + 1
                continue
            if self._valid_frame_at(0):
                return self._offset() - start
            self._pos += 1
        return None

    def __iter__(self) -> Iterator[Record | FramingIssue]:
        index = 0
        while True:
            if not self._ensure(HEADER_BYTES):
                left = self._available()
                if self._stream_error is not None:
                    yield self._stream_issue(index, left)
                elif left:
                    yield FramingIssue(
                        IssueKind.TRUNCATED,
                        self._offset(),
                        index,
                        left,
                        f"the file ends {left} bytes into a 12-byte record header{SILENT_END}",
                    )
                return
            offset = self._offset()
            buf, pos = self._buf, self._pos
            header = buf[pos : pos + 8]
            length = _LENGTH.unpack(header)[0]
            if masked_crc(header) != _CRC.unpack_from(buf, pos + 8)[0] or length > self._max:
                kind = IssueKind.CORRUPT_LENGTH
                detail = "length field fails its CRC32C check"
                if masked_crc(header) == _CRC.unpack_from(buf, pos + 8)[0]:
                    kind = IssueKind.ABSURD_LENGTH
                    detail = f"length field says {length:,} bytes, more than any record may hold"
                if index == 0 and offset == 0:
                    kind, detail = IssueKind.NO_FRAMING, "no TFRecord header at the start"
                skipped = self._resync()
                if skipped is None:
                    searched, self._gave_up_after = self._gave_up_after, 0
                    self._skip_to_end()
                    rest = "no valid record follows, the rest of the file is skipped"
                    if searched:
                        rest = (
                            f"no valid record in the {searched:,} bytes after it ({self._max_checks:,} "
                            "candidate headers checked, the search's limit): the rest of the file, "
                            f"{self._offset() - offset - searched:,} bytes more, is skipped"
                        )
                    yield FramingIssue(kind, offset, index, self._offset() - offset, f"{detail}; {rest}")
                    if self._stream_error is not None:
                        yield self._stream_issue(index, 0)
                    return
                yield FramingIssue(
                    kind, offset, index, skipped, detail + f"; resynchronised at byte {offset + skipped:,}"
                )
                if kind is not IssueKind.NO_FRAMING:
                    index += 1  # the skipped bytes held this frame: later records keep their positions
                continue
            total = HEADER_BYTES + length + FOOTER_BYTES
            if total > self._available() + self._chunk:
                # A large record is read straight into its own bytes, not through the buffer,
                # and yielded without a local name: the consumer holds its only reference.
                yield self._large(offset, index, length)
                if self._large_cut:
                    return
                index += 1
                continue
            if not self._ensure(total):
                left = self._available()
                detail = (
                    f"record of {length:,} bytes declared, the file ends after "
                    f"{max(0, left - HEADER_BYTES):,} of them"
                )
                if self._stream_error is not None:
                    yield self._stream_issue(index, left, detail)
                    return
                yield FramingIssue(IssueKind.TRUNCATED, offset, index, left, detail)
                return
            buf, pos = self._buf, self._pos
            data = buf[pos + HEADER_BYTES : pos + HEADER_BYTES + length]
            self._pos = pos + total
            if masked_crc(data) != _CRC.unpack_from(buf, pos + HEADER_BYTES + length)[0]:
                # TensorFlow reports the offset of the data, not of the frame: use the same.
                yield FramingIssue(
                    IssueKind.CORRUPT_DATA,
                    offset + HEADER_BYTES,
                    index,
                    total,
                    f"data of {length:,} bytes (frame at byte {offset:,}) fails its CRC32C check; "
                    "this record is skipped",
                )
            else:
                yield Record(offset, index, data)
            index += 1

    def _read_exact(self, n: int) -> bytes:
        """n bytes from the stream (fewer at its end or on a stream error), read in one piece
        where the stream allows: no buffer holds a second copy."""
        parts: list[bytes] = []
        have = 0
        while have < n and not self._eof:
            try:
                chunk = self._stream.read(n - have)
            except StreamError as exc:
                self._stream_error = exc
                chunk = b""
            if not chunk:
                self._eof = True
                break
            parts.append(chunk)
            have += len(chunk)
            self.bytes_read += len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _large(self, offset: int, index: int, length: int) -> Record | FramingIssue:
        """The frame at `offset`, whose header is checked, when it is larger than the buffer
        holds: what the buffer has of its data, then the rest read in one piece. Peak memory
        is about one copy of the record (plus, for a moment, the part the buffer held)."""
        head = self._buf[self._pos + HEADER_BYTES :]
        self._base, self._buf, self._pos = offset, b"", 0  # the buffer is spent
        self._large_cut = True
        rest = self._read_exact(length - len(head))
        footer = self._read_exact(FOOTER_BYTES) if len(rest) == length - len(head) else b""
        got = HEADER_BYTES + len(head) + len(rest) + len(footer)
        if len(footer) < FOOTER_BYTES:
            detail = (
                f"record of {length:,} bytes declared, the file ends after {len(head) + len(rest):,} of them"
            )
            if self._stream_error is not None:
                return self._stream_issue(index, got, detail)
            return FramingIssue(IssueKind.TRUNCATED, offset, index, got, detail)
        data = head + rest if head else rest
        del head, rest
        self._base = offset + got
        self._large_cut = False
        if masked_crc(data) != _CRC.unpack(footer)[0]:
            return FramingIssue(
                IssueKind.CORRUPT_DATA,
                offset + HEADER_BYTES,
                index,
                got,
                f"data of {length:,} bytes (frame at byte {offset:,}) fails its CRC32C check; "
                "this record is skipped",
            )
        return Record(offset, index, data)

    def _stream_issue(self, index: int, left: int, cut: str = "") -> FramingIssue:
        """The stream failed or stopped with `left` bytes of a frame read. A stream that stops
        (a cut GZIP/ZLIB file) is read as TensorFlow reads it: like a plain file ending there,
        `truncated record at N` inside a frame, a silent end between two frames."""
        err = self._stream_error
        assert err is not None
        if not err.truncated:
            return FramingIssue(IssueKind.STREAM_ERROR, self._offset(), index, left, str(err))
        if not left:
            cut = f"between two records{SILENT_END}"
        elif left < HEADER_BYTES:
            cut = f"{left} bytes into a 12-byte record header{SILENT_END}"
        return FramingIssue(IssueKind.TRUNCATED, self._offset(), index, left, f"{err}, {cut}")

    def _skip_to_end(self) -> None:
        self._pos = len(self._buf)
        while self._ensure(1):
            self._pos = len(self._buf)
