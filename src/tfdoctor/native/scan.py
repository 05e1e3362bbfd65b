"""One file's records through the native core, into the same accumulators as the Python path.

The stream is read into a block exactly as `TFRecordReader` reads it (the same read sizes,
so `bytes_read` and every limit agree); the core frames, checks and decodes the block's
records, updates their statistics, and stops where it cannot go on alone:
  - a record it does not decode (another message, an unusual encoding) or a record larger
    than the block: parsed by protobuf and added by `DatasetAccumulator.add`, then the core
    goes on;
  - a feature key not seen before: checked here once (`DatasetAccumulator.native_key`);
  - a framing problem, a stream error or the end of the stream: the rest of the file is handed
    to `TFRecordReader` (`Resumed`), which resynchronises and words every issue as always.
Records are added in batches that end where the Python path flushes, reports progress or
stops, and the core's statistics are drained into the features' current batches at each
flush and before each record protobuf parses, so both paths fold the same values at the same
points and in record order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, BinaryIO

import numpy as np

from ..facts.files import Problem
from ..io.tfrecord import FOOTER_BYTES, HEADER_BYTES, FramingIssue, Record, StreamError, TFRecordReader
from ..proto.decode import parse
from ..stats.dataset import DatasetAccumulator
from ..stats.feature import FLUSH_AT
from ..stats.files import FileAccumulator

try:
    from ._core import FALLBACK, FRAMING, LIMIT, NEED, NEWKEY, SPAN, Decoder, masked_crc
except ImportError:  # not built: the module imports, nothing calls it (`native.enabled()` is False)
    pass

CHUNK_BYTES = 1 << 20  # TFRecordReader's read size (a test holds them equal)
Progress = Callable[[str, int, int, bool], None]


class _Block:
    """The stream, read into one buffer as `TFRecordReader._ensure` reads it (the same read
    sizes). The buffer is reused, and filled by `readinto` where the stream has one: each byte
    is copied once, not read into a new bytes object and then joined to the block's tail (on
    256-float records that copy was 8% of the scan). `buf[:end]` holds the stream's bytes."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = bytearray()
        self.end = 0
        self.pos = 0  # the next frame's position in buf
        self.base = 0  # stream offset of buf[0]
        self.eof = False
        self.error: StreamError | None = None
        self.bytes_read = 0
        # io.RawIOBase's own readinto is abstract (tfdoctor's decompressors define read only)
        abstract = getattr(type(stream), "readinto", None) is io.RawIOBase.readinto
        self._readinto = None if abstract else getattr(stream, "readinto", None)

    def view(self) -> memoryview:
        """The bytes held (release it before the next `ensure`: the buffer may move)."""
        return memoryview(self.buf)[: self.end]

    def rest(self) -> bytes:
        """The bytes held from the next frame on."""
        return self.take(self.pos, self.end - self.pos)

    def take(self, at: int, n: int) -> bytes:
        with memoryview(self.buf) as whole:
            return bytes(whole[at : min(at + n, self.end)])

    def ensure(self, n: int) -> bool:
        have = self.end - self.pos
        if have >= n:
            return True
        self.buf[:have] = self.buf[self.pos : self.end]
        self.base += self.pos
        self.pos, self.end = 0, have
        while have < n and not self.eof:
            got = self._fill(max(CHUNK_BYTES, n - have))
            if not got:
                break
            have += got
        return have >= n

    def _fill(self, n: int) -> int:
        """Up to n more bytes after `end`, read as `stream.read(n)` would; 0 at the end."""
        if len(self.buf) < self.end + n:  # grown in steps of at least a chunk, not per read
            self.buf.extend(bytes(max(self.end + n - len(self.buf), CHUNK_BYTES)))
        if self._readinto is None:
            chunk = self._read(n)
            got = len(chunk)
            self.buf[self.end : self.end + got] = chunk
        else:
            got = 0
            try:
                with memoryview(self.buf) as whole:
                    got = self._readinto(whole[self.end : self.end + n]) or 0
            except StreamError as exc:
                self.error = exc
            self._count(got)
        self.end += got
        return got

    def read_exact(self, n: int) -> bytes:
        parts: list[bytes] = []
        have = 0
        while have < n and not self.eof:
            chunk = self._read(n - have)
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _read(self, n: int) -> bytes:
        try:
            chunk = self.stream.read(n)
        except StreamError as exc:
            self.error = exc
            chunk = b""
        self._count(len(chunk))
        return chunk

    def _count(self, got: int) -> None:
        """A read of `got` bytes: none is the end of the stream (or a stream error)."""
        if not got:
            self.eof = True
        self.bytes_read += got


class _Chained:
    """A stream that serves `prefix` first, then the rest of `block`'s stream (its stream
    error, if one was met, is raised again after the prefix)."""

    def __init__(self, prefix: bytes, block: _Block) -> None:
        self._prefix = prefix
        self._at = 0
        self._block = block

    def read(self, n: int = -1) -> bytes:
        if self._at < len(self._prefix):
            stop = len(self._prefix) if n < 0 else self._at + n
            out = self._prefix[self._at : stop]
            self._at += len(out)
            if self._at >= len(self._prefix):
                self._prefix, self._at = b"", 0
            return out
        block = self._block
        if block.error is not None:
            error, block.error = block.error, None
            raise error
        if block.eof:
            return b""
        return block.stream.read(n)


class Resumed:
    """The rest of a file for `engines.file._read`: a `TFRecordReader` from the frame where
    the core stopped, with stream offsets, record indexes and bytes read continued."""

    def __init__(self, reader: TFRecordReader, index: int, consumed: int, buffered: int) -> None:
        self._reader = reader
        self._index = index
        self._consumed = consumed  # stream bytes read before it, less the prefix it re-reads
        self.buffered = buffered  # record bytes added since the buffers were last folded

    @property
    def bytes_read(self) -> int:
        return self._consumed + self._reader.bytes_read

    def __iter__(self) -> Iterator[Record | FramingIssue]:
        shift = self._index
        for item in self._reader:
            box = [item]
            item = None  # type: ignore[assignment]  # a large payload is held by the consumer only
            yield _shifted(box.pop(), shift)


def _shifted(item: Record | FramingIssue, shift: int) -> Record | FramingIssue:
    if not shift:
        return item
    if isinstance(item, Record):
        return Record(item.offset, item.index + shift, item.payload)
    return replace(item, record_index=item.record_index + shift)


def scan_stream(
    stream: BinaryIO,
    acc: DatasetAccumulator,
    facts: FileAccumulator,
    max_record_bytes: int,
    limit: int | None,
    byte_limit: int | None,
    progress: Progress | None,
    flush_bytes: int,
    progress_every: int,
    start_offset: int = 0,
    first_index: int = 0,
    span_end: int | None = None,
) -> Resumed | None:
    """Scan `stream` natively; None when a limit or `span_end` ended the file, else the rest
    of it. A part of a file split across workers: the stream starts at the file's byte
    `start_offset` with record `first_index`, and the part ends before the first sound frame
    starting at `span_end` or later (its offset in `facts.span_next`)."""
    block = _Block(stream)
    block.base = start_offset
    decoder = Decoder()
    keys: list[tuple[int, bytes]] = []  # decoder key id -> (section, key)

    index = first_index  # the next record's index in the file
    buffered = 0

    def after() -> bool:
        """The Python path's bookkeeping after a record (a batch ends at the one that
        triggers it); True when the file is done."""
        nonlocal buffered
        if buffered >= flush_bytes:
            acc.flush()
            buffered = 0
        if progress is not None and facts.records % progress_every == 0:
            progress(facts.url, block.bytes_read, facts.records, False)
        done = limit is not None and facts.records >= limit
        if not done and byte_limit is not None and block.bytes_read >= byte_limit:
            facts.sampled = done = True
        if done:
            facts.stream_bytes = block.bytes_read
            if progress is not None:
                progress(facts.url, block.bytes_read, facts.records, True)
        return done

    def one(box: list[bytes], offset: int) -> bool:
        """A record for the Python path (as `engines.file._read` adds it); its payload in a
        box, so a large one is dropped as soon as it is parsed."""
        nonlocal index, buffered
        facts.records += 1
        size = len(box[0])
        drain()  # what the core holds comes first, in record order
        message: Any = parse(box.pop())
        reason = message if isinstance(message, str) else acc.add(message, facts, index)
        del message
        if reason is not None:
            facts.add_not_example(Problem("not-example", offset, index, 0, reason))
        index += 1
        buffered += size
        return after()

    def handover(prefix: bytes, offset: int) -> Resumed:
        reader = TFRecordReader(_Chained(prefix, block), max_record_bytes)  # type: ignore[arg-type]
        reader._base = offset  # its offsets are the stream's (and "at the start" means byte 0)
        return Resumed(reader, index, block.bytes_read - len(prefix), buffered)

    def drain() -> None:
        acc.add_drained(decoder.drain(), keys)

    acc.native_drain = drain  # what the core holds reaches the features at every flush
    try:
        while True:
            if not block.ensure(HEADER_BYTES):
                return handover(block.rest(), block.base + block.pos)
            most = min(FLUSH_AT - acc._since_flush, progress_every - facts.records % progress_every)
            if limit is not None:
                most = min(most, limit - facts.records)
            if byte_limit is not None and block.bytes_read >= byte_limit:
                most = 1
            with block.view() as held:
                stop, pos, n, info, _offsets, lengths, columns, sequences, kinds = decoder.run(
                    held, block.pos, max(most, 1), flush_bytes - buffered, max_record_bytes, index,
                    -1 if span_end is None else max(span_end - block.base, 0),
                )  # fmt: skip
            block.pos = pos
            if n:
                acc.add_columns(n, [(keys[c[0]], *c[1:]) for c in columns], facts, index, sequences, kinds)
                facts.records += n
                index += n
                buffered += int(np.frombuffer(lengths, dtype=np.int64).sum())
                if after():
                    return None
                if stop == LIMIT:
                    continue
            if stop == SPAN:
                facts.span_next, facts.span_next_index = block.base + pos, index
                return None
            if stop == NEWKEY:
                assert isinstance(info, tuple)
                section, key = info
                if decoder.register(key, *acc.native_key(key, section), section) == len(keys):
                    keys.append((section, key))
            elif stop == FALLBACK:
                assert isinstance(info, int)
                offset, at = block.base + pos, pos + HEADER_BYTES
                block.pos = at + info + FOOTER_BYTES
                if one([block.take(at, info)], offset):
                    return None
            elif stop == NEED:
                assert isinstance(info, int)
                have = block.end - pos
                if info > HEADER_BYTES and info > have + CHUNK_BYTES:
                    large = _large(block, info - HEADER_BYTES - FOOTER_BYTES)
                    if isinstance(large, bytes):  # a frame that did not check out: the reader's
                        return handover(large, block.base)
                    box, offset = [large[0]], large[1]
                    del large
                    if span_end is not None and offset >= span_end:  # the next part's first record
                        facts.span_next, facts.span_next_index = offset, index
                        return None
                    if one(box, offset):
                        return None
                elif not block.ensure(info):
                    return handover(block.rest(), block.base + block.pos)
            elif stop == FRAMING:
                return handover(block.rest(), block.base + block.pos)
    finally:
        drain()
        acc.native_drain = None


def _large(block: _Block, length: int) -> tuple[bytes, int] | bytes:
    """A frame (header checked) larger than the block, read as `TFRecordReader._large` reads
    it: (payload, offset) where it checks out, else every byte of it read (for the reader)."""
    offset, pos = block.base + block.pos, block.pos
    header, head = block.take(pos, HEADER_BYTES), block.take(pos + HEADER_BYTES, block.end)
    block.base, block.buf, block.pos, block.end = offset, bytearray(), 0, 0
    rest = block.read_exact(length - len(head))
    footer = block.read_exact(FOOTER_BYTES) if len(rest) == length - len(head) else b""
    if len(footer) < FOOTER_BYTES:
        return header + head + rest + footer
    data = head + rest if head else rest
    del head, rest
    if masked_crc(data) != int.from_bytes(footer, "little"):
        return header + data + footer
    block.base = offset + HEADER_BYTES + length + FOOTER_BYTES
    return data, offset
