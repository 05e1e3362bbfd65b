"""A uniform sample of records across every shard, for a fast first look (`--sample 1%`,
`--sample 100000`).

Not the first shard's head: in each (uncompressed) file, windows start at byte offsets drawn
uniformly with a seed from the file's name, so a run is repeatable (and a copy of the data
elsewhere samples the same records); at each offset the reader
moves on to the next frame whose header and data CRCs check out (the resynchronisation the
reader uses after corruption) and reads a run of consecutive records, so label runs and
record-to-record order are still measured inside the windows (a label-sorted shard shows as
long runs). Each file's record count is estimated from its size and the mean frame size of
the records read. A compressed stream cannot be entered at an offset: it is read whole.

The records come in windows, so an estimate's error is that of a cluster sample: as small as
a simple random sample's for values that do not depend on the stored order, larger for the
label shares of a label-sorted file (each window there holds one label).

Everything that comes out of a sampled scan says it is an estimate and from how many
records (`FileFacts.sampled`, `estimated_records`): the counts of problems are of the windows
read, and record indices count the records read, not the file's.
"""

from __future__ import annotations

import dataclasses
import io
import math
import random
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from ..io.sources import Source, open_raw
from ..io.tfrecord import FramingIssue, Record, TFRecordReader

RUN = 64  # records read at each window: enough for label runs, short enough to spread the windows
HEAD_BYTES = 1 << 16  # read to estimate a sample of N records as a fraction of the data
_SPEC = re.compile(r"^\s*(?:(?P<percent>\d+(?:\.\d+)?)\s*%|(?P<records>\d[\d_,]*))\s*$")


class SampleError(ValueError):
    """A --sample value that is neither a percentage nor a record count."""


@dataclass(frozen=True)
class Sample:
    """What to read: `fraction` of each file's records, or about `records` in all (turned into
    a fraction once the data's size is known), in runs of `run` records."""

    fraction: float | None = None
    records: int | None = None
    seed: int = 0
    run: int = RUN

    def describe(self) -> str:
        return f"{self.fraction:.2%}" if self.fraction is not None else f"{self.records:,} records"


def parse_sample(text: str) -> Sample:
    """`1%`, `0.5%` or `100000` (records in all)."""
    found = _SPEC.match(text)
    if not found:
        raise SampleError(f"--sample {text!r}: give a percentage (1%) or a number of records (100000)")
    if found.group("percent") is not None:
        fraction = float(found.group("percent")) / 100
        if not 0 < fraction <= 1:
            raise SampleError(f"--sample {text!r}: a percentage above 0 and at most 100")
        return Sample(fraction=fraction)
    records = int(found.group("records").replace("_", "").replace(",", ""))
    if records <= 0:
        raise SampleError(f"--sample {text!r}: at least one record")
    return Sample(records=records)


class SampledReader:
    """Iterates `Record`s and `FramingIssue`s of the sampled windows of one seekable stream,
    with offsets in the file and indices counting the records read; `bytes_read` and
    `estimated_records` as the scan needs them. Windows never overlap: a window ends where
    the next one begins."""

    def __init__(
        self,
        raw: BinaryIO,
        size: int,
        url: str,
        fraction: float,
        max_record_bytes: int,
        run: int = RUN,
        seed: int = 0,
    ) -> None:
        self._raw, self._size, self._url = raw, size, url
        self._fraction, self._max, self._run, self._seed = fraction, max_record_bytes, run, seed
        self.bytes_read = 0
        self.records_read = 0
        self.record_bytes = 0
        self.estimated_records: int | None = None
        self._end = 0  # where the last record read ends

    def __iter__(self) -> Iterator[Record | FramingIssue]:
        # the head run first: its frames give the mean frame size that places the other windows
        yield from self._window(0, self._size, limit=self._run)
        if self.records_read == 0:
            return  # no frame at the start: nothing to place windows by (the issue is reported)
        mean = self.record_bytes / self.records_read
        self.estimated_records = max(self.records_read, round(self._size / mean))
        wanted = self._fraction * self.estimated_records - self.records_read
        windows = max(0, math.ceil(wanted / self._run))
        start = self._end
        if windows == 0 or start >= self._size:
            return
        # seeded by the file's name, not its path: a copy of the data elsewhere (gs:// or local)
        # samples the same records
        rng = random.Random(f"{self._seed}:{zlib.crc32(self._url.rsplit('/', 1)[-1].encode())}")
        offsets = sorted(rng.randrange(start, self._size) for _ in range(windows))
        ends = [*offsets[1:], self._size]
        for offset, end in zip(offsets, ends):
            if end > offset:
                yield from self._window(offset, end, limit=self._run)

    def _window(self, offset: int, end: int, limit: int | None) -> Iterator[Record | FramingIssue]:
        """Records whose frame starts in [offset, end), at most `limit`; the bytes before the
        first valid frame (entering mid-record) are not a problem, later ones are."""
        self._raw.seek(offset)
        reader = TFRecordReader(self._raw, self._max)
        aligned = offset == 0
        read = 0
        for item in reader:
            at = offset + item.offset
            if at >= end:
                break
            if isinstance(item, FramingIssue):
                if aligned:
                    yield dataclasses.replace(item, offset=at, record_index=self.records_read)
                continue
            aligned = True
            self.records_read += 1
            self.record_bytes += len(item.payload) + 16  # the frame: header 12, footer 4
            self._end = at + len(item.payload) + 16
            yield Record(at, self.records_read - 1, item.payload)
            read += 1
            if limit is not None and read >= limit:
                break
        self.bytes_read += reader.bytes_read


def with_fraction(sample: Sample, sources: Sequence[Source]) -> Sample:
    """A sample of `records` in all, as a fraction of every file: the records the data holds
    are estimated from its bytes and the mean frame size in the head of the first file that
    has records (a fraction above 1 reads everything)."""
    if sample.fraction is not None or sample.records is None:
        return sample
    total = sum(s.size or 0 for s in sources)
    for source in sources:
        try:
            with open_raw(source.url) as raw:
                head = raw.read(HEAD_BYTES)
        except OSError:
            continue
        frames = [item for item in TFRecordReader(io.BytesIO(head)) if isinstance(item, Record)]
        if frames:
            mean = sum(len(r.payload) + 16 for r in frames) / len(frames)
            return dataclasses.replace(sample, fraction=min(1.0, sample.records * mean / max(total, 1)))
    return dataclasses.replace(sample, fraction=1.0)


__all__ = ["RUN", "Sample", "SampleError", "SampledReader", "parse_sample", "with_fraction"]
