"""TFD101-TFD105 branches in an audited pipeline that mutants bent without a test noticing
(scripts/mutation on tests/rules, issue 16): errors an ignore_errors() hides, a pipeline with
no read step, counts just before the emptying step, a probe that saw batches, what the scan
says about sampled files. Each firing case with its silent twin; the wording snapshot
compares message and fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facts_builders import StepSpec, batch_facts, check, dataset, one, pipeline_facts, tfrecord

from tfdoctor.facts import BatchFacts, DatasetStats, Facts, Problem, StepProbe
from tfdoctor.findings import Where

READ = ("read", {"files": ("a.tfrecord",)})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})
BATCH = ("batch", {"batch_size": 32})
IGNORE = ("ignore_errors", {})
EMPTY = batch_facts(batches=0, elements=0, stopped="end")


def audit(
    *description: StepSpec,
    batches: BatchFacts | None = None,
    sources: DatasetStats | None = None,
    counts: dict[int, int | None] | None = None,
    probes: Sequence[StepProbe] = (),
) -> Facts:
    facts = pipeline_facts(description or (READ, PARSE, BATCH), sources=sources, counts=counts, probes=probes)
    return Facts(pipeline=facts, batches=batches)


def failed(error: str, batches: int = 0, **fields: Any) -> BatchFacts:
    return batch_facts(batches=batches, stopped="error", error=error, **fields)


def files(*facts: Any, records: int = 0) -> DatasetStats:
    return dataset(records=records, files=facts)


# ---------------------------------------------------------------------------------------------
# TFD105 empty-input in a pipeline


def test_tfd105_a_missing_file_ignore_errors_drops() -> None:
    hidden = StepProbe(3, errors_dropped=1, first_error="/data/a.tfrecord; No such file or directory")
    f = one(check("TFD105", audit(READ, PARSE, IGNORE, BATCH, probes=(hidden,), batches=EMPTY)))
    assert f.message.startswith(
        "/data/a.tfrecord does not exist (or the pattern matches no file): `ignore_errors()`"
    )
    assert f.where == Where(file="/data/a.tfrecord", step=1, call="TFRecordDataset('a.tfrecord')")


def test_tfd105_a_missing_file_with_no_read_step() -> None:
    error = "No files matched pattern: /data/*.tfrecord"
    f = one(check("TFD105", audit(("source", {}), BATCH, batches=failed(error))))
    assert f.where == Where(file="/data/*.tfrecord")
    assert f.numbers == {"files": 0}


def test_tfd105_files_with_no_records_and_no_read_step() -> None:
    sources = files(tfrecord("a.tfrecord", 0))
    f = one(check("TFD105", audit(("source", {}), BATCH, sources=sources)))
    assert f.message == "The 1 file(s) the pipeline reads hold no records (a.tfrecord)."


def test_tfd105_files_with_no_records_no_repeat_and_a_probe_out_of_time() -> None:
    sources = files(tfrecord("a.tfrecord", 0))
    on_time = batch_facts(batches=0, elements=0, stopped="time", seconds=2.0)
    f = one(check("TFD105", audit(sources=sources, batches=on_time)))
    assert f.message == (
        "The 1 file(s) `TFRecordDataset('a.tfrecord')` (step 1 of 3) reads hold no records (a.tfrecord): "
        "the pipeline yields nothing (the probe got no batch in 2.0s: it stopped on time)."
    )
    assert f.numbers == {"files": 1, "records": 0, "batches": 0}


def test_tfd105_silent_on_a_filter_that_drops_all_where_the_probe_saw_batches() -> None:
    steps = (READ, ("filter", {"function": "keep"}), BATCH)
    dropped = StepProbe(2, elements_in=100, elements_out=0)
    assert check("TFD105", audit(*steps, batches=batch_facts(batches=3), probes=(dropped,))) == []
    f = one(check("TFD105", audit(*steps, batches=EMPTY, probes=(dropped,))))
    assert f.where == Where(step=2, call="filter(keep)")


def test_tfd105_the_count_just_before_a_drop_remainder_batch() -> None:
    big = ("batch", {"batch_size": 64, "drop_remainder": True})
    steps = (READ, ("take", {"count": 10}), big)
    f = one(check("TFD105", audit(*steps, batches=EMPTY, counts={1: 1_000, 2: 10, 3: 0})))
    assert f.numbers == {"batches": 0, "batch_size": 64, "elements": 10}


def test_tfd105_the_count_just_before_the_step_that_leaves_none() -> None:
    steps = (READ, ("take", {"count": 50}), ("skip", {"count": 500}), BATCH)
    f = one(check("TFD105", audit(*steps, batches=EMPTY, counts={1: 1_000, 2: 50, 3: 0, 4: 0})))
    assert f.message.startswith("`skip(500)` (step 3 of 4) leaves no element of the 50 before it")


def test_tfd105_a_probe_out_of_time_without_saying_what_it_waited_for() -> None:
    steps = (READ, ("filter", {"function": "keep"}), BATCH)
    dropped = StepProbe(2, elements_in=100, elements_out=0)
    on_time = batch_facts(batches=0, elements=0, stopped="time", seconds=3.0)
    f = one(check("TFD105", audit(*steps, batches=on_time, probes=(dropped,))))
    assert f.message.endswith(
        "the pipeline yields nothing (the probe got no batch in 3.0s: it stopped on time)."
    )


# ---------------------------------------------------------------------------------------------
# TFD101-TFD103 in a pipeline


def test_tfd101_a_corrupt_record_ignore_errors_drops() -> None:
    hidden = StepProbe(3, errors_dropped=2, first_error="corrupted record at 1234")
    f = one(
        check("TFD101", audit(READ, PARSE, IGNORE, BATCH, probes=(hidden,), batches=batch_facts(batches=3)))
    )
    assert f.message.startswith(
        "A record fails its checksum at byte 1,234 of a file the pipeline reads: `ignore_errors()` drops the "
        "rest of that file"
    )
    assert f.numbers == {"offset": 1234, "batches_before_error": 3}


def test_tfd103_a_read_that_declares_zlib_over_gzip_bytes() -> None:
    read = ("read", {"files": ("a.tfrecord",), "compression_type": "ZLIB"})
    gz = tfrecord("a.tfrecord", 10, compression_detected="gzip")
    f = one(check("TFD103", audit(read, PARSE, BATCH, sources=files(gz, records=10))))
    assert "reads a.tfrecord with compression_type='ZLIB' (ZLIB), but its bytes are GZIP" in f.message
    assert f.numbers == {"declared": "zlib", "detected": "gzip"}


def test_tfd103_a_file_with_a_bad_start_and_good_records_is_still_compared() -> None:
    read = ("read", {"files": ("a.tfrecord",), "compression_type": ""})
    gz = tfrecord(
        "a.tfrecord",
        5,
        compression_detected="gzip",
        problem_counts={"no-framing": 1},
        problems=(Problem("no-framing", 0, 0, 40, "no valid frame"),),
    )
    found = check("TFD103", audit(read, PARSE, BATCH, sources=files(gz, records=5)))
    assert [f.numbers for f in found] == [{"declared": "none", "detected": "gzip"}]


# ---------------------------------------------------------------------------------------------
# TFD101 corrupt-record in the scan: sampled windows


def test_tfd101_says_the_file_was_sampled() -> None:
    bad = tfrecord(
        "big.tfrecord",
        records=1_000,
        estimated_records=50_000,
        problem_counts={"corrupt-data": 2},
        problems=(Problem("corrupt-data", 1024, 4, 100, "data CRC mismatch"),),
        bytes_skipped=100,
    )
    f = one(check("TFD101", Facts(dataset=dataset(records=1_000, files=(bad,)))))
    assert f.message.endswith(
        "These are in the sampled windows (1,000 of about 50,000 records read): the file may hold more."
    )
