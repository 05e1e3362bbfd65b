"""The unit of work every engine runs: scan one file into a `DatasetAccumulator`. The local
engines run it per file in this process or a pool; a Beam engine runs it inside a DoFn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from .. import native
from ..facts.files import Problem
from ..facts.reads import Read
from ..io.compression import (
    DEFAULT_MAX_INFLATION,
    INFLATION_GRACE_BYTES,
    SNIFF_BYTES,
    Compression,
    decompressed,
    describe_bytes,
    sniff,
)
from ..io.sources import Source, open_raw
from ..io.tfrecord import DEFAULT_MAX_RECORD_BYTES, FramingIssue, Record, TFRecordReader
from ..native.scan import Resumed
from ..proto.decode import parse
from ..stats.dataset import DatasetAccumulator
from ..stats.files import FileAccumulator
from .sample import Sample, SampledReader

# (file url, bytes read in this file so far, records so far in this file, file finished)
Progress = Callable[[str, int, int, bool], None]
_PROGRESS_EVERY = 4096
FLUSH_BYTES = 32 << 20  # record bytes after which the features' buffers are folded
SPLIT_BYTES = 32 << 20  # see ScanOptions.split_bytes


@dataclass(frozen=True)
class ScanOptions:
    compression: Compression = Compression.AUTO
    label: str | None = None
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    max_records_per_file: int | None = None
    max_bytes_per_file: int | None = None  # stop a file after this many record bytes (a sample)
    reads: tuple[Read, ...] = ()  # keys a parse spec reads, tallied in the same pass
    # a GZIP/ZLIB stream inflating past this ratio is stopped (a decompression bomb); None: never
    max_inflation: float | None = DEFAULT_MAX_INFLATION
    inflation_grace_bytes: int = INFLATION_GRACE_BYTES  # decompressed bytes always allowed
    sample: Sample | None = None  # read windows of each file (engines/sample.py); its fraction resolved
    # an uncompressed file of at least twice this many bytes is read in parts of about this
    # size, by several workers at once (engines/split.py); None: every file whole
    split_bytes: int | None = SPLIT_BYTES


@dataclass(frozen=True)
class Span:
    """The part of a file one task reads: the records whose frames start in [start, end)
    (end None: to the end of the file)."""

    start: int = 0
    end: int | None = None


WHOLE = Span()


def scan_file(
    source: Source, options: ScanOptions, progress: Progress | None = None, span: Span = WHOLE
) -> DatasetAccumulator:
    """One file, or one part of it (`span`; see engines/split.py), into an accumulator."""
    acc = DatasetAccumulator(label=options.label, reads=list(options.reads))
    facts = acc.file(source.url, source.size)
    facts.compression_declared = options.compression.value
    try:
        raw = open_raw(source.url)
    except OSError as exc:
        facts.read_error = f"cannot open: {exc}"
        return acc
    if span != WHOLE:
        with raw:
            _scan_span(raw, span, acc, facts, options, progress)
        return acc
    with raw:
        try:
            detected = _sniffed(raw, facts)
            raw.seek(0)
        except OSError as exc:
            facts.read_error = f"cannot read: {exc}"
            return acc
        stream = decompressed(raw, detected, options.max_inflation, options.inflation_grace_bytes)
        reader: TFRecordReader | SampledReader = TFRecordReader(stream, options.max_record_bytes)
        sample = options.sample
        if sample is not None and sample.fraction is not None and sample.fraction < 1:
            if detected is Compression.NONE and source.size:  # a compressed stream is read whole
                reader = SampledReader(
                    raw,
                    source.size,
                    source.url,
                    sample.fraction,
                    options.max_record_bytes,
                    sample.run,
                    sample.seed,
                )
        if isinstance(reader, TFRecordReader) and native.enabled():
            _read_native(stream, acc, facts, options, progress)
        else:
            _read(reader, acc, facts, options, progress)
        if isinstance(reader, SampledReader):
            facts.sampled, facts.estimated_records = True, reader.estimated_records
    return acc


def _sniffed(raw: BinaryIO, facts: FileAccumulator) -> Compression:
    """The compression the file's first bytes show, and what they look like, noted in `facts`
    (the caller rewinds). The file is read with what the bytes are, even where the user
    declared otherwise: the mismatch is reported (TFD103) and the statistics are not lost."""
    head = raw.read(SNIFF_BYTES)
    detected = sniff(head)
    facts.compression = facts.compression_detected = detected.value
    facts.looks_like = describe_bytes(head)
    return detected


def _scan_span(
    raw: BinaryIO,
    span: Span,
    acc: DatasetAccumulator,
    facts: FileAccumulator,
    options: ScanOptions,
    progress: Progress | None,
) -> None:
    """A part of an uncompressed file: from the first sound frame at `span.start` or later
    (entering mid-record is not a problem: the previous part reads that record), records
    numbered from `span.start` (a provisional base: see `split.merge_parts`), up to the first
    sound frame at `span.end` or later; a problem there is still this part's."""
    try:
        if span.start == 0:  # the file's facts, as a whole scan gives them
            _sniffed(raw, facts)
        first = _first_frame(raw, span.start, options.max_record_bytes) if span.start else 0
        if first is not None:
            raw.seek(first)
    except OSError as exc:
        facts.read_error = f"cannot read: {exc}"
        return
    end_of_file = facts.size if facts.size is not None else 0
    facts.span_first = end_of_file if first is None else first
    if first is None:
        return
    if native.enabled():
        _read_native(raw, acc, facts, options, progress, span, first)
    else:
        reader = TFRecordReader(raw, options.max_record_bytes)
        reader._base = first  # offsets in the file
        _read(Resumed(reader, span.start, 0, 0), acc, facts, options, progress, span.end)  # type: ignore[arg-type]
    facts.stream_bytes = (facts.span_next if facts.span_next is not None else end_of_file) - first


def _first_frame(raw: BinaryIO, start: int, max_record_bytes: int) -> int | None:
    """The offset of the first frame at `start` or later whose header and data check out
    (the reader's resynchronisation after corruption); None: none before the end."""
    raw.seek(start)
    for item in TFRecordReader(raw, max_record_bytes):
        if isinstance(item, Record):
            return start + item.offset
    return None


def _read_native(
    stream: BinaryIO,
    acc: DatasetAccumulator,
    facts: FileAccumulator,
    options: ScanOptions,
    progress: Progress | None,
    span: Span = WHOLE,
    first: int = 0,
) -> None:
    """The native core (`tfdoctor.native`) reads while it can; the reader takes the rest of the
    file from the first frame the core hands back (a framing problem, the end of the stream)."""
    from ..native.scan import scan_stream

    rest = scan_stream(
        stream,
        acc,
        facts,
        options.max_record_bytes,
        options.max_records_per_file,
        options.max_bytes_per_file,
        progress,
        FLUSH_BYTES,
        _PROGRESS_EVERY,
        first,
        span.start,
        span.end,
    )
    if rest is not None:
        _read(rest, acc, facts, options, progress, span.end)  # type: ignore[arg-type]  # the reader's interface


def _read(
    reader: TFRecordReader | SampledReader,
    acc: DatasetAccumulator,
    facts: FileAccumulator,
    options: ScanOptions,
    progress: Progress | None,
    span_end: int | None = None,
) -> None:
    limit = options.max_records_per_file
    byte_limit = options.max_bytes_per_file
    add = acc.add
    # record bytes added since the features' buffers were last folded
    buffered = getattr(reader, "buffered", 0)
    for item in reader:
        if isinstance(item, FramingIssue):
            facts.add_problem(
                Problem(item.kind.value, item.offset, item.record_index, item.bytes_skipped, item.detail)
            )
            continue
        if span_end is not None and item.offset >= span_end:  # the next part's first record
            facts.span_next, facts.span_next_index = item.offset, item.index
            break
        facts.records += 1
        offset, index, size = item.offset, item.index, len(item.payload)
        message = parse(item.payload)
        item = None  # type: ignore[assignment]  # the payload's last reference: a large one goes now
        reason = message if isinstance(message, str) else add(message, facts, index)
        message = None  # type: ignore[assignment]
        if reason is not None:
            facts.add_not_example(Problem("not-example", offset, index, 0, reason))
        buffered += size
        if buffered >= FLUSH_BYTES:
            # Buffers fold every FLUSH_AT records; large records fold sooner, so a thousand
            # 1 MB images are not all held as values at once.
            acc.flush()
            buffered = 0
        if progress is not None and facts.records % _PROGRESS_EVERY == 0:
            progress(facts.url, reader.bytes_read, facts.records, False)
        if limit is not None and facts.records >= limit:
            break
        if byte_limit is not None and reader.bytes_read >= byte_limit:
            facts.sampled = True
            break
    facts.stream_bytes = reader.bytes_read
    if progress is not None:
        progress(facts.url, reader.bytes_read, facts.records, True)
