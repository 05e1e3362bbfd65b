"""TFD1xx on hand-made file facts: corrupt, truncated, not TFRecord, not Example, empty,
unbalanced shards."""

from __future__ import annotations

from facts_builders import check, dataset, one, tfrecord

from tfdoctor.config import Thresholds
from tfdoctor.facts import Facts, FileFacts, InputFacts, Problem
from tfdoctor.findings import Severity, Where


def scan(*files: FileFacts, records: int | None = None, inputs: InputFacts | None = None) -> Facts:
    total = sum(f.records for f in files) if records is None else records
    return Facts(dataset=dataset(records=total, files=files, inputs=inputs))


# ---------------------------------------------------------------------------------------------
# TFD101 corrupt-record


def test_tfd101_fires_on_crc_mismatches_naming_the_first_offset() -> None:
    bad = tfrecord(
        "shard-3.tfrecord",
        records=10,
        problem_counts={"corrupt-data": 7},  # exact count; only the first few are sampled
        problems=(
            Problem("corrupt-data", 1024, 4, 100, "data CRC mismatch"),
            Problem("corrupt-data", 4096, 8, 50, "data CRC mismatch"),
        ),
        bytes_skipped=150,
    )
    f = one(check("TFD101", scan(bad, tfrecord("shard-4.tfrecord"))))
    assert (f.code, f.severity) == ("TFD101", Severity.ERROR)
    assert f.where == Where(file="shard-3.tfrecord", offset=1024, record=4)
    assert f.numbers == {"corrupt": 7, "bytes_skipped": 150, "good_records": 10, "offsets": [1024, 4096]}


def test_tfd101_one_finding_per_corrupt_file() -> None:
    files = [
        tfrecord(
            f"s{i}.tfrecord",
            problem_counts={"corrupt-length": 1},
            problems=(Problem("corrupt-length", 12 * i, i, 9, "length CRC mismatch"),),
        )
        for i in (1, 2)
    ]
    found = check("TFD101", scan(*files))
    assert [(f.where.file, f.where.offset) for f in found] == [("s1.tfrecord", 12), ("s2.tfrecord", 24)]


def test_tfd101_bad_start_of_a_file_with_good_records_is_corruption() -> None:
    f = tfrecord(
        "a.tfrecord",
        records=5,
        problem_counts={"no-framing": 1},
        problems=(Problem("no-framing", 0, 0, 40, "no valid frame"),),
    )
    assert one(check("TFD101", scan(f))).where == Where(file="a.tfrecord", offset=0, record=0)


def test_tfd101_silent_on_clean_file_and_on_what_other_rules_own() -> None:
    truncated = tfrecord(
        "cut.tfrecord", problem_counts={"truncated": 1}, problems=(Problem("truncated", 900, 9, 30, "cut"),)
    )
    text = tfrecord(
        "notes.txt",
        records=0,
        problem_counts={"no-framing": 1},
        problems=(Problem("no-framing", 0, 0, 40, "no valid frame"),),
    )
    assert check("TFD101", scan(tfrecord("ok.tfrecord"), truncated, text)) == []


# ---------------------------------------------------------------------------------------------
# TFD102 truncated-file


def test_tfd102_fires_on_a_file_that_ends_inside_a_record() -> None:
    cut = tfrecord(
        "shard-7.tfrecord",
        records=19,
        problem_counts={"truncated": 1},
        problems=(Problem("truncated", 2048, 19, 1200, "the data ends 2,896 bytes early"),),
    )
    f = one(check("TFD102", scan(cut)))
    assert (f.code, f.severity) == ("TFD102", Severity.ERROR)
    assert f.where == Where(file="shard-7.tfrecord", offset=2048, record=19)
    assert f.numbers == {"offset": 2048, "bytes_in_partial_record": 1200, "good_records": 19}


def test_tfd102_silent_on_a_complete_file() -> None:
    assert check("TFD102", scan(tfrecord("shard-7.tfrecord", records=20))) == []


# ---------------------------------------------------------------------------------------------
# TFD103 not-tfrecord


def test_tfd103_fires_on_gzip_bytes_declared_plain() -> None:
    f = one(
        check(
            "TFD103",
            scan(tfrecord("data.tfrecord.gz", compression_declared="none", compression_detected="gzip")),
        )
    )
    assert (f.code, f.severity) == ("TFD103", Severity.ERROR)
    assert f.where == Where(file="data.tfrecord.gz", offset=0)
    assert f.numbers == {"declared": "none", "detected": "gzip"}
    assert f.fix is not None and "compression_type='GZIP'" in f.fix.text


def test_tfd103_fires_on_plain_bytes_declared_compressed() -> None:
    f = one(check("TFD103", scan(tfrecord("d.tfrecord", compression_declared="zlib"))))
    assert f.numbers == {"declared": "zlib", "detected": "none"}


def test_tfd103_silent_when_declared_auto_or_right() -> None:
    files = (
        tfrecord("a.gz", compression_declared="auto", compression_detected="gzip"),
        tfrecord("b.gz", compression_declared="gzip", compression_detected="gzip"),
        tfrecord("c.tfrecord", compression_declared="none", compression_detected="none"),
    )
    assert check("TFD103", scan(*files)) == []


def test_tfd103_fires_on_a_file_with_no_frame_at_all() -> None:
    lfs = tfrecord(
        "train.tfrecord",
        records=0,
        size=130,
        looks_like="a Git LFS pointer",
        problem_counts={"no-framing": 1},
        problems=(Problem("no-framing", 0, 0, 130, "no valid frame"),),
    )
    f = one(check("TFD103", scan(lfs)))
    assert f.where == Where(file="train.tfrecord", offset=0)
    assert f.numbers == {"bytes": 130, "records": 0}
    assert "Git LFS pointer" in f.message


def test_tfd103_silent_on_no_framing_followed_by_good_records() -> None:
    partly = tfrecord(
        "a.tfrecord",
        records=5,
        problem_counts={"no-framing": 1},
        problems=(Problem("no-framing", 0, 0, 40, "no valid frame"),),
    )
    assert check("TFD103", scan(partly)) == []  # corruption: TFD101's


# ---------------------------------------------------------------------------------------------
# TFD104 not-example


def test_tfd104_fires_on_records_that_are_not_examples() -> None:
    events = tfrecord(
        "events.out.tfevents.1",
        records=10,
        examples=7,
        not_example=3,
        not_example_samples=(Problem("not-example", 24, 1, 0, "field 1 is a double"),),
    )
    f = one(check("TFD104", scan(events)))
    assert (f.code, f.severity) == ("TFD104", Severity.ERROR)
    assert f.where == Where(file="events.out.tfevents.1", offset=24, record=1)
    assert f.numbers == {"not_example": 3, "records": 10, "fraction": 0.3}


def test_tfd104_silent_when_every_record_is_an_example() -> None:
    assert check("TFD104", scan(tfrecord("train.tfrecord", records=10))) == []


# ---------------------------------------------------------------------------------------------
# TFD105 empty-input


def test_tfd105_fires_per_unmatched_pattern_and_missing_shard() -> None:
    inputs = InputFacts(
        patterns=("gs://b/train-*.tfrecord", "data/train@2"),
        unmatched=("gs://b/train-*.tfrecord",),
        missing=("data/train-00001-of-00002",),
    )
    found = check("TFD105", scan(tfrecord("data/train-00000-of-00002"), inputs=inputs))
    assert [(f.severity, f.where, f.numbers) for f in found] == [
        (Severity.ERROR, Where(file="data/train-00001-of-00002"), {"files": 0}),
        (Severity.ERROR, Where(file="gs://b/train-*.tfrecord"), {"files": 0}),
    ]


def test_tfd105_fires_when_the_files_hold_no_records() -> None:
    f = one(check("TFD105", scan(tfrecord("empty.tfrecord", records=0))))
    assert f.where == Where(file="empty.tfrecord")
    assert f.numbers == {"files": 1, "records": 0}
    two = one(check("TFD105", scan(tfrecord("a", records=0), tfrecord("b", records=0))))
    assert two.where == Where() and two.numbers == {"files": 2, "records": 0}


def test_tfd105_silent_when_a_file_holds_records() -> None:
    assert check("TFD105", scan(tfrecord("a", records=0), tfrecord("b", records=1))) == []


# ---------------------------------------------------------------------------------------------
# TFD106 unbalanced-shards (threshold: unbalanced_shard_ratio 4)


def _shards(*sizes: int) -> Facts:
    return scan(*(tfrecord(f"train-{i}", records=n) for i, n in enumerate(sizes)))


def test_tfd106_fires_at_the_ratio() -> None:
    f = one(check("TFD106", _shards(100, 100, 400)))  # 400 is 4x the median 100
    assert (f.code, f.severity) == ("TFD106", Severity.INFO)
    assert f.where == Where(file="train-2")
    assert f.numbers == {"largest": 400, "median": 100, "ratio": 4.0, "min": 100, "files": 3}


def test_tfd106_silent_just_below_the_ratio() -> None:
    assert check("TFD106", _shards(100, 100, 399)) == []


def test_tfd106_follows_the_configured_ratio() -> None:
    assert check("TFD106", _shards(100, 100, 200)) == []
    f = one(check("TFD106", _shards(100, 100, 200), Thresholds(unbalanced_shard_ratio=2.0)))
    assert f.numbers["ratio"] == 2.0


def test_tfd106_fires_on_empty_shards_among_full_ones() -> None:
    f = one(check("TFD106", _shards(100, 0, 100)))
    assert f.where == Where(file="train-1")
    assert f.numbers == {"empty_files": 1, "files": 3}


def test_tfd106_silent_on_one_file_or_all_empty() -> None:
    assert check("TFD106", _shards(5)) == []
    assert check("TFD106", _shards(0, 0)) == []
