"""TFD101-104: the records of one file: corrupt or truncated frames, bytes that are not
TFRecord framing (or compressed otherwise than declared), payloads that are not Examples."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.dataset import DatasetStats
from ...facts.files import FileFacts, Problem
from ...findings import Fix, Severity, Where
from .._text import fraction, listing, share
from ..registry import Report, rule

_CORRUPT = ("corrupt-length", "absurd-length", "corrupt-data", "stream-error")


def _offsets(problems: list[Problem]) -> str:
    return listing(f"byte {p.offset:,} (record {p.record:,})" for p in problems)


@rule("TFD101", "corrupt-record", Severity.ERROR, requires=(DatasetStats,))
def corrupt_record(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A record whose length or data fails its CRC32C check.

    What it finds:
    TFRecord frames whose masked CRC32C of the length field or of the data does not match
    (bit rot, a partial copy, two writers on one file), and compressed streams that fail to
    decompress. Says which file, the byte offset of each bad frame, and how many bytes were
    skipped before the next valid frame.

    Why it hurts training:
    `tf.data.TFRecordDataset` stops with `DataLossError: corrupted record at N` when it
    reaches the record, which may be hours into an epoch. Pipelines that add
    `.ignore_errors()` to get past it silently lose the rest of that file.

    Example:
    A shard copied with a dropped block: `train-00003-of-00008` has a data CRC mismatch at
    byte 1,048,576 (record 9,412).

    Fix:
    Re-copy or re-write the file from its source. Until then, exclude the shard; do not
    paper over it with `ignore_errors()`. Under `--sample` the counts are of the windows read.
    """
    for f in facts.files:
        # A bad start followed by good records is corruption, not a non-TFRecord file (TFD103).
        kinds = (*_CORRUPT, "no-framing") if f.records else _CORRUPT
        bad = [p for p in f.problems if p.kind in kinds]
        count = sum(f.problem_counts.get(k, 0) for k in kinds)
        if not count:
            continue
        first = bad[0]
        sampled = (
            f" These are in the sampled windows ({f.records:,} of about {f.estimated_records:,} records "
            "read): the file may hold more."
            if f.estimated_records is not None
            else ""
        )
        yield Report(
            f"{count:,} corrupt record(s) in {f.url}: {first.detail}. At {_offsets(bad)}; "
            f"{f.bytes_skipped:,} bytes skipped, {f.records:,} good records read.{sampled}",
            Where(file=f.url, offset=first.offset, record=first.record),
            {
                "corrupt": count,
                "bytes_skipped": f.bytes_skipped,
                "good_records": f.records,
                "offsets": [p.offset for p in bad],
            },
            Fix(
                "Re-copy or re-write this file from its source; until then leave it out of the "
                "input list rather than using ignore_errors()."
            ),
        )


@rule("TFD102", "truncated-file", Severity.ERROR, requires=(DatasetStats,))
def truncated_file(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A file that ends inside a record.

    What it finds:
    The last frame of a file is incomplete: the header, the data or the trailing CRC is cut
    off, or a GZIP/ZLIB stream ends before its end marker. Typical of an interrupted upload
    or a writer that was killed before `close()`.

    Why it hurts training:
    TensorFlow raises `DataLossError: truncated record at N` when it reaches the end of the
    file, every epoch; with `ignore_errors()` the tail is silently dropped. Where less than
    a 12-byte header is left (or a GZIP/ZLIB stream is cut between two records), TensorFlow
    ends the file without an error: the records cut off are lost silently (a warning).

    Example:
    `shard-7.tfrecord` is 1,000,000 bytes but its last record declares 4,096 bytes of data
    with only 1,200 present.

    Fix:
    Re-write the file, and make sure writers call `close()` (or use `with
    tf.io.TFRecordWriter(...)`) before the file is copied.
    """
    for f in facts.files:
        cut = [p for p in f.problems if p.kind == "truncated"]
        if not cut:
            continue
        p = cut[0]
        silent = p.bytes_skipped < 12  # no whole header left: TensorFlow raises nothing
        yield Report(
            f"{f.url} is truncated at byte {p.offset:,} (record {p.record:,}): {p.detail}; "
            f"{f.records:,} complete records before it.",
            Where(file=f.url, offset=p.offset, record=p.record),
            {"offset": p.offset, "bytes_in_partial_record": p.bytes_skipped, "good_records": f.records},
            Fix(
                "Re-write or re-copy the file; writers must close() the TFRecordWriter before the "
                "file is used."
            ),
            Severity.WARNING if silent else None,
        )


def _compression_advice(f: FileFacts) -> str:
    detected = f.compression_detected
    if detected in ("gzip", "zlib"):
        return f"Pass compression_type='{detected.upper()}' to tf.data.TFRecordDataset"
    return "Pass compression_type=None (the file is not compressed)"


@rule("TFD103", "not-tfrecord", Severity.ERROR, requires=(DatasetStats,))
def not_tfrecord(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Bytes that are not TFRecord framing, or compressed differently than declared.

    What it finds:
    A file with no valid TFRecord frame at its start and none after it: a text file, a
    Git LFS pointer, another format. Also a file read with the wrong `compression_type`:
    GZIP or ZLIB bytes declared as plain, or plain bytes declared as compressed.

    Why it hurts training:
    TensorFlow fails with `DataLossError: corrupted record at 0`, which reads like a
    corrupt file, not a wrong option; a glob that picks up a stray file fails the whole
    pipeline, and `ignore_errors()` turns it into a silently smaller dataset.

    Example:
    `tf.data.TFRecordDataset("data.tfrecord.gz")` without `compression_type="GZIP"`.

    Fix:
    Pass the right `compression_type`, or narrow the file pattern so it only matches
    TFRecord files (`git lfs pull` for LFS pointers).
    """
    for f in facts.files:
        declared, detected = f.compression_declared, f.compression_detected
        if declared not in ("auto", detected):
            yield Report(
                f"{f.url} was declared '{declared}' but its bytes are '{detected}': TensorFlow "
                f"would fail at byte 0. It was scanned as '{detected}'.",
                Where(file=f.url, offset=0),
                {"declared": declared, "detected": detected},
                Fix(_compression_advice(f) + "."),
            )
        if "no-framing" in f.problem_counts and f.records == 0:
            yield Report(
                f"{f.url} is not a TFRecord file: {f.looks_like}.",
                Where(file=f.url, offset=0),
                {"bytes": f.size, "records": 0},
                Fix("Leave this file out of the input pattern, or convert it to TFRecord."),
            )


@rule("TFD104", "not-example", Severity.ERROR, requires=(DatasetStats,))
def not_example(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Records whose payload is not a tf.train.Example or SequenceExample.

    What it finds:
    Valid TFRecord frames that hold another message: TensorBoard event logs, an
    `ExampleListWithContext`, any other proto, or bytes that are no proto at all. Protobuf
    keeps unknown fields instead of rejecting them, so many of these "parse" as empty
    Examples; tfdoctor checks for fields an Example does not define and for feature keys
    that are really nested messages.

    Why it hurts training:
    `tf.io.parse_example` on such records returns the default value for every feature, or
    fails on a required one; a model trained on them sees only defaults.

    Example:
    Pointing the pipeline at a directory that also holds `events.out.tfevents.*` files.

    Fix:
    Read only the files that hold Examples (narrow the pattern), or decode the real
    message type (e.g. `tfr.data.build_ranking_dataset` for ELWC).
    """
    for f in facts.files:
        if not f.not_example:
            continue
        first = f.not_example_samples[0]
        yield Report(
            f"{share(f.not_example, f.records)} in {f.url} are not tf.train.Example: "
            f"{first.detail} (first at byte {first.offset:,}, record {first.record:,}).",
            Where(file=f.url, offset=first.offset, record=first.record),
            {
                "not_example": f.not_example,
                "records": f.records,
                "fraction": fraction(f.not_example, f.records),
            },
            Fix(
                "Leave files of other message types out of the input, or parse the message type "
                "they really hold."
            ),
        )
