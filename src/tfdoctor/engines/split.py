"""One large file read by several workers at once: the common "one 50 GB TFRecord" case.

The parts are byte ranges worked out from the file's size alone (`plan`), so the result does
not depend on how many workers read them, nor in what order they finish. Each part starts at
the first frame at its start offset or later whose header and data CRCs check out (the
reader's resynchronisation, `file._first_frame`) and reads on to the first sound frame at its
end offset or later; a framing problem in between is its own. The merge (`merge_parts`) then
checks that each part ended exactly where the next one began: a frame found inside another
record's payload (a TFRecord stored within a record) would break that chain, and the file is
then read again whole, so no count is ever off. Record indices are provisional in a part (its
start offset plus its own count: distinct across parts, which keeps the wide lists' sample
draws distinct) and are moved to the file's numbering once the parts before are counted;
label runs and record-to-record order join across the boundaries.

Not split: compressed streams (they cannot be entered at an offset), sampled scans and scans
with per-file limits (both are about a file's first records), files under twice the part size,
and files of unknown size.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..io.compression import SNIFF_BYTES, Compression, sniff
from ..io.sources import Source, open_raw
from ..stats.dataset import DatasetAccumulator
from .file import WHOLE, Progress, ScanOptions, Span, scan_file


def plan(source: Source, options: ScanOptions) -> list[Span]:
    """The parts `source` is read in: [WHOLE] unless it is split."""
    size, split = source.size, options.split_bytes
    if not split or size is None or size < 2 * split:
        return [WHOLE]
    if options.sample is not None or options.max_records_per_file or options.max_bytes_per_file:
        return [WHOLE]
    if options.compression not in (Compression.AUTO, Compression.NONE):
        return [WHOLE]
    try:
        with open_raw(source.url) as raw:
            if sniff(raw.read(SNIFF_BYTES)) is not Compression.NONE:
                return [WHOLE]
    except OSError:
        return [WHOLE]  # the whole scan reports it
    parts = size // split
    starts = [size * k // parts for k in range(parts)]
    return [Span(start, end) for start, end in zip(starts, [*starts[1:], None])]


def merge_parts(
    source: Source, spans: Sequence[Span], parts: Sequence[DatasetAccumulator]
) -> DatasetAccumulator | None:
    """The parts of one file merged as if it was read whole (one part: itself); None where a
    part did not end exactly where the next one began (read the file whole then: `joined`)."""
    if len(parts) == 1:
        return parts[0]
    url = source.url
    files = [part.files[url] for part in parts]
    for before, after in zip(files, files[1:]):
        if before.read_error or after.read_error:
            return None
        ended = before.span_next if before.span_next is not None else before.size
        if ended != after.span_first:
            return None
    base = 0
    for span, part, facts in zip(spans, parts, files):
        part.shift_records(url, base - span.start)
        if facts.span_next_index is not None:  # else the file ends in this part
            base += facts.span_next_index - span.start
    total = parts[0]
    for part in parts[1:]:
        total.merge(part, follows=True)
    total.files[url].span_first = total.files[url].span_next = total.files[url].span_next_index = None
    return total


def joined(
    source: Source,
    spans: Sequence[Span],
    parts: Sequence[DatasetAccumulator],
    options: ScanOptions,
    progress: Progress | None = None,
) -> DatasetAccumulator:
    """The file's parts as one (`merge_parts`), or the file read again whole where they do not
    chain up (a frame stored inside a record): what every engine does with a file's parts."""
    merged = merge_parts(source, spans, parts)
    return merged if merged is not None else scan_file(source, options, progress)


def scan_source(source: Source, options: ScanOptions, progress: Progress | None = None) -> DatasetAccumulator:
    """One file in this process, in the parts `plan` gives (so the result is the pool's)."""
    spans = plan(source, options)
    if spans == [WHOLE]:
        return scan_file(source, options, progress)
    parts: list[DatasetAccumulator] = []
    for span in spans:
        parts.append(scan_file(source, options, _within(progress, parts, span is spans[-1]), span))
    return joined(source, spans, parts, options, progress)


def _within(progress: Progress | None, done: list[DatasetAccumulator], last: bool) -> Progress | None:
    """A part's progress as the file's: the parts before it added, finished with the last."""
    if progress is None:
        return None
    bytes_before = sum(f.stream_bytes for part in done for f in part.files.values())
    records_before = sum(f.records for part in done for f in part.files.values())

    def report(url: str, read: int, records: int, finished: bool) -> None:
        progress(url, bytes_before + read, records_before + records, finished and last)

    return report


__all__ = ["joined", "merge_parts", "plan", "scan_source"]
