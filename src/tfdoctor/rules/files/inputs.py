"""TFD105-106: the inputs as a whole: patterns that match nothing, files with no records,
shards of very different sizes."""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.dataset import DatasetStats
from ...findings import Fix, Severity, Where
from .._text import listing
from ..registry import Report, rule


@rule("TFD105", "empty-input", Severity.ERROR, requires=(DatasetStats,))
def empty_input(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A pattern that matches no file, a named file that does not exist, or no records at all.

    What it finds:
    Input patterns that match nothing, shard specs (`train@8`) with missing shards, and
    inputs whose files hold no records.

    In a pipeline audit, also a pipeline that yields nothing, and why: its list of files is
    empty, the files hold no records (then `repeat()` over them never yields: the probe stops
    on time), a filter drops every element (TFD510), or a `drop_remainder` batch is larger
    than the data (TFD514).

    Why it hurts training:
    `tf.data.Dataset.list_files` raises on an empty match, but a hand-built file list
    silently yields an empty dataset: Keras trains zero steps per epoch, or a missing shard
    quietly drops part of the data. An empty file is valid TFRecord: nothing complains.

    Example:
    `gs://bucket/train-*.tfrecord` when the files are named `train-*.tfrecord.gz`.

    Fix:
    Correct the pattern or the path; check that the job that writes the data finished.
    """
    for pattern in facts.inputs.unmatched:
        yield Report(
            f"the pattern {pattern!r} matches no file.",
            Where(file=pattern),
            {"files": 0},
            Fix("Correct the pattern; list the folder to see the real names."),
        )
    for path in facts.inputs.missing:
        yield Report(
            f"{path} does not exist.",
            Where(file=path),
            {"files": 0},
            Fix("Correct the path, or re-run the job that writes it."),
        )
    readable = [f for f in facts.files if f.read_error is None]
    if readable and facts.records == 0 and sum(f.records for f in readable) == 0:
        yield Report(
            f"the {len(readable):,} file(s) scanned hold no records.",
            Where(file=readable[0].url if len(readable) == 1 else None),
            {"files": len(readable), "records": 0},
            Fix(
                "Check that the writer wrote and closed the files; an empty file is valid "
                "TFRecord, so TensorFlow will not complain."
            ),
        )


@rule("TFD106", "unbalanced-shards", Severity.INFO, requires=(DatasetStats,))
def unbalanced_shards(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """Shards of very different sizes, some of them empty.

    What it finds:
    Among several input files, the largest holds many times the records of the median one
    (`unbalanced_shard_ratio`, default {unbalanced_shard_ratio}), or some files are empty while
    others are not.

    Why it hurts training:
    `interleave` and `shard` assume similar shards: one large shard makes the tail of each
    epoch read from a single file (poor mixing, idle workers), and with
    `Dataset.shard(num_workers, index)` one worker gets most of the data.

    Example:
    `train-00000-of-00004` holds 90,000 records and the three other shards 3,000 each.

    Fix:
    Re-shard the data into files of similar size (e.g. `num_shards` in the writer).
    """
    files = [f for f in facts.files if f.read_error is None and "no-framing" not in f.problem_counts]
    if len(files) < 2:
        return
    counts = [f.records for f in files]
    empty = [f.url for f in files if f.records == 0]
    if empty and len(empty) < len(files):
        yield Report(
            f"{len(empty):,} of {len(files):,} files hold no records: {listing(empty, 3)}.",
            Where(file=empty[0]),
            {"empty_files": len(empty), "files": len(files)},
            Fix("Remove the empty files or re-shard the data evenly."),
        )
    median = statistics.median(counts)
    largest = max(files, key=lambda f: f.records)
    if median > 0 and largest.records / median >= cfg.unbalanced_shard_ratio:
        ratio = largest.records / median
        yield Report(
            f"{largest.url} holds {largest.records:,} records, {ratio:.1f}x the median shard "
            f"({median:,.0f}); shard sizes range {min(counts):,} to {max(counts):,}.",
            Where(file=largest.url),
            {
                "largest": largest.records,
                "median": median,
                "ratio": round(ratio, 2),
                "min": min(counts),
                "files": len(files),
            },
            Fix("Re-shard the data into files of similar size."),
        )
