"""What an audited pipeline's own evidence says, on hand-made facts: a pipeline that yields
nothing (TFD105, with the step that empties it), files read with another compression than
their bytes' or failing mid-read (TFD101-103 in a pipeline), and an error no other rule
explains (TFD516). No TensorFlow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from facts_builders import StepSpec, batch_facts, check, dataset, one, pipeline_facts, tally, tfrecord

from tfdoctor.facts import BatchFacts, DatasetStats, Facts, InputFacts, Read, StepProbe
from tfdoctor.facts.batches import ErrorCause, error_cause
from tfdoctor.findings import Severity, Where

READ = ("read", {"files": ("a.tfrecord",)})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1, "ops": ("ParseExampleV2",)})
BATCH = ("batch", {"batch_size": 32})
EMPTY = batch_facts(batches=0, elements=0, stopped="end")
ON_TIME = batch_facts(
    batches=0, elements=0, stopped="time", stopped_while="waiting 1.0s for batch 1", seconds=1.0
)


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
    """The probe stopped by this error after `batches` batches."""
    return batch_facts(batches=batches, stopped="error", error=error, **fields)


def files(*facts: Any, records: int = 0) -> DatasetStats:
    return dataset(records=records, files=facts)


# ---------------------------------------------------------------------------------------------
# The one list of explained errors (facts.batches.error_cause)


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (
            "Input to reshape is a tensor with 3072 values, but the requested shape has 784",
            ErrorCause("TFD302"),
        ),
        ("Invalid PNG data, size 1234", ErrorCause("TFD303")),
        ("corrupted record at 0 (Is this even a TFRecord file?)", ErrorCause("TFD101")),
        ("truncated record at 297' failed with Read less bytes than requested", ErrorCause("TFD102")),
        ("inflate() failed with error -3: incorrect header check", ErrorCause("TFD103")),
        ("/data/a.tfrecord; No such file or directory", ErrorCause("TFD105")),
        (
            "Feature: label (data type: int64) is required but could not be found.",
            ErrorCause("TFD201", "label"),
        ),
        (
            "Name: <unknown>, Key: x, Index: 0.  Data types don't match. Data type: float",
            ErrorCause("TFD202", "x"),
        ),
        (
            "Key: image/raw.  Can't parse serialized Example: Some float_list slice",
            ErrorCause("TFD203", "image/raw"),
        ),
        ("assertion failed: [x too big]", None),
        (
            "Cannot add tensor to the batch: number of elements does not match. Shapes are: [tensor]: [2], "
            "[batch]: [1]",
            None,
        ),  # fmt: skip
        (None, None),
    ],
)
def test_error_cause_names_the_rule_that_explains_an_error(
    error: str | None, cause: ErrorCause | None
) -> None:
    assert error_cause(error) == cause


# ---------------------------------------------------------------------------------------------
# TFD105 empty-input, in a pipeline


def test_tfd105_fires_on_an_empty_list_of_files() -> None:
    steps = (("source", {}), ("flat_map", {"reads_files": True, "function": "TFRecordDataset"}), BATCH)
    f = one(check("TFD105", audit(*steps, batches=EMPTY, counts={1: 0, 2: 0, 3: 0})))
    assert (f.code, f.severity) == ("TFD105", Severity.ERROR)
    assert f.where == Where(step=1, call="from_tensor_slices(...)")
    assert f.numbers == {"batches": 0, "files": 0}
    assert f.message.startswith(
        "The list of files is empty: `from_tensor_slices(...)` (step 1 of 3) holds no"
    )
    assert "`flat_map(TFRecordDataset)` (step 2 of 3) reads no record" in f.message


def test_tfd105_fires_on_files_with_no_records_that_repeat_cycles_forever() -> None:
    sources = files(tfrecord("a.tfrecord", 0), tfrecord("b.tfrecord", 0))
    steps = (("read", {"files": ("a.tfrecord", "b.tfrecord")}), ("repeat", {"count": -1}), BATCH)
    f = one(check("TFD105", audit(*steps, batches=ON_TIME, sources=sources)))
    assert f.where == Where(step=1, call="TFRecordDataset([2 files])")
    assert f.numbers == {"files": 2, "records": 0, "batches": 0}
    assert f.message == (
        "The 2 file(s) `TFRecordDataset([2 files])` (step 1 of 3) reads hold no records (a.tfrecord, "
        "b.tfrecord): `repeat()` (step 2 of 3) over them never yields an element; the probe got no batch in "
        "1.0s: it stopped on time, waiting 1.0s for batch 1."
    )


def test_tfd105_fires_on_files_with_no_records_without_a_probe() -> None:
    f = one(check("TFD105", audit(sources=files(tfrecord("a.tfrecord", 0)))))
    assert f.where == Where(file="a.tfrecord", step=1, call="TFRecordDataset('a.tfrecord')")
    assert (
        f.message
        == "The 1 file(s) `TFRecordDataset('a.tfrecord')` (step 1 of 3) reads hold no records (a.tfrecord)."
    )


def test_tfd105_names_the_filter_that_drops_all_tfd510() -> None:
    steps = (READ, ("repeat", {"count": -1}), ("filter", {"function": "keep"}), BATCH)
    dropped = StepProbe(3, elements_in=100, elements_out=0)
    f = one(check("TFD105", audit(*steps, batches=ON_TIME, probes=(dropped,))))
    assert f.where == Where(step=3, call="filter(keep)")
    assert f.numbers == {"batches": 0, "kept": 0, "input": 100}
    assert "drops all 100 elements of its input (TFD510): the pipeline yields nothing" in f.message


def test_tfd105_names_a_drop_remainder_batch_larger_than_the_data_tfd514() -> None:
    big = ("batch", {"batch_size": 64, "drop_remainder": True})
    f = one(check("TFD105", audit(READ, PARSE, big, batches=EMPTY, counts={1: 10, 2: 10, 3: 0})))
    assert f.where == Where(step=3, call="batch(64, drop_remainder=True)")
    assert f.numbers == {"batches": 0, "batch_size": 64, "elements": 10}
    assert (
        "an epoch brings 10 elements: drop_remainder=True drops the only, incomplete batch (TFD514)"
        in f.message
    )


def test_tfd105_blames_a_drop_remainder_batch_of_unknown_input_only_where_the_data_ran_out() -> None:
    big = ("batch", {"batch_size": 64, "drop_remainder": True})
    f = one(check("TFD105", audit(READ, PARSE, big, batches=EMPTY)))
    assert "an epoch brings fewer elements than that" in f.message
    assert (
        check("TFD105", audit(READ, PARSE, big, batches=ON_TIME)) == []
    )  # slow: no batch yet, nothing shown


def test_tfd105_names_the_step_tensorflow_counts_zero_elements_after() -> None:
    skip = ("skip", {"count": 500})
    f = one(
        check("TFD105", audit(READ, PARSE, skip, BATCH, batches=EMPTY, counts={1: 100, 2: 100, 3: 0, 4: 0}))
    )
    assert f.where == Where(step=3, call="skip(500)")
    assert f.message.startswith("`skip(500)` (step 3 of 4) leaves no element of the 100 before it")


def test_tfd105_fires_on_a_missing_file_the_pipeline_fails_on() -> None:
    error = "/data/a.tfrecord; No such file or directory"
    f = one(check("TFD105", audit(batches=failed(error))))
    assert f.where == Where(file="/data/a.tfrecord", step=1, call="TFRecordDataset('a.tfrecord')")
    assert f.message.startswith(
        "/data/a.tfrecord does not exist (or the pattern matches no file): the pipeline fails"
    )
    # the scan named it already: once
    sources = dataset(
        records=0, files=(), inputs=InputFacts(("/data/a.tfrecord",), (), ("/data/a.tfrecord",))
    )
    f = one(check("TFD105", audit(batches=failed(error), sources=sources)))
    assert f.message == "/data/a.tfrecord does not exist."


def test_tfd105_fires_on_an_empty_pipeline_it_cannot_explain() -> None:
    f = one(check("TFD105", audit(batches=EMPTY)))
    assert f.where == Where()
    assert f.message.startswith("The pipeline yields no element at all")


def test_tfd105_silent_where_batches_come_or_the_pipeline_is_slow_or_fails() -> None:
    assert check("TFD105", audit(batches=batch_facts(batches=5))) == []
    assert check("TFD105", audit(batches=ON_TIME)) == []  # slow, not shown empty: no finding
    assert check("TFD105", audit(batches=failed("assertion failed: [x]"))) == []  # an error, not emptiness
    assert check("TFD105", audit(sources=files(tfrecord("a.tfrecord", 100), records=100))) == []


# ---------------------------------------------------------------------------------------------
# TFD103 not-tfrecord, in a pipeline: the compression its read declares against the bytes

GZIP_FILE = tfrecord("a.tfrecord", 0, compression_detected="gzip")


def test_tfd103_fires_where_the_read_step_declares_another_compression() -> None:
    read = ("read", {"files": ("a.tfrecord",), "compression_type": ""})
    f = one(check("TFD103", audit(read, PARSE, BATCH, sources=files(GZIP_FILE))))
    assert (f.code, f.severity) == ("TFD103", Severity.ERROR)
    assert f.where == Where(file="a.tfrecord", offset=0, step=1, call="TFRecordDataset('a.tfrecord')")
    assert f.numbers == {"declared": "none", "detected": "gzip"}
    assert f.message == (
        "`TFRecordDataset('a.tfrecord')` (step 1 of 3) reads a.tfrecord with no compression_type (uncompressed "
        "TFRecord), but its bytes are GZIP: TensorFlow will fail at byte 0."
    )
    assert f.fix is not None and "compression_type='GZIP'" in f.fix.text


def test_tfd103_fires_on_the_error_of_compressed_bytes_read_as_plain() -> None:
    error = "corrupted record at 0 (Is this even a TFRecord file?)"
    probe = failed(error, error_type="DataLossError")
    f = one(check("TFD103", audit(batches=probe, sources=files(GZIP_FILE))))
    assert f.numbers == {"declared": "none", "detected": "gzip"}
    assert "with no compression_type (uncompressed TFRecord), but its bytes are GZIP: TensorFlow fails at " \
        f"byte 0 (DataLossError: {error})" in f.message  # fmt: skip


def test_tfd103_fires_on_a_decompression_error_with_or_without_a_scan() -> None:
    inflate = failed("inflate() failed with error -3: incorrect header check")
    f = one(check("TFD103", audit(batches=inflate)))
    assert f.numbers == {"declared": None, "detected": None}
    f = one(check("TFD103", audit(batches=inflate, sources=files(tfrecord("a.tfrecord", 10), records=10))))
    assert f.numbers == {"declared": None, "detected": "none"}
    assert "it reads them as GZIP or ZLIB, but the files' bytes are uncompressed TFRecord" in f.message


def test_tfd103_silent_where_the_compression_fits() -> None:
    read = ("read", {"files": ("a.tfrecord",), "compression_type": "GZIP"})
    assert check("TFD103", audit(read, PARSE, BATCH, sources=files(GZIP_FILE))) == []
    assert check("TFD103", audit(sources=files(tfrecord("a.tfrecord", 10), records=10))) == []


# ---------------------------------------------------------------------------------------------
# TFD101 corrupt-record and TFD102 truncated-file, in a pipeline


def test_tfd101_fires_on_the_corrupt_record_the_pipeline_meets() -> None:
    f = one(check("TFD101", audit(batches=failed("corrupted record at 1234", batches=3))))
    assert f.where == Where(offset=1234)
    assert f.numbers == {"offset": 1234, "batches_before_error": 3}


def test_tfd101_silent_where_tfd103_explains_the_error() -> None:
    probe = failed("corrupted record at 0 (Is this even a TFRecord file?)")
    assert check("TFD101", audit(batches=probe, sources=files(GZIP_FILE))) == []
    assert check("TFD101", audit(batches=batch_facts(batches=3))) == []


def test_tfd102_fires_on_the_truncated_record_the_pipeline_meets() -> None:
    f = one(check("TFD102", audit(batches=failed("truncated record at 297' failed with Read less bytes"))))
    assert f.where == Where(offset=297)
    assert check("TFD102", audit(batches=batch_facts(batches=3))) == []


# ---------------------------------------------------------------------------------------------
# TFD516 pipeline-error

ASSERT = "assertion failed: [x too big] [Condition x < y did not hold element-wise:]"
MAPS = (READ, ("map", {"function": "parse", "ops": ("ParseExampleV2",)}), ("map", {"function": "check", "ops": ("Assert",)}), BATCH)  # fmt: skip


def test_tfd516_fires_on_an_assertion_at_the_map_that_holds_it() -> None:
    probe = failed(ASSERT, batches=2, error_type="InvalidArgumentError", error_op="Assert")
    f = one(check("TFD516", audit(*MAPS, batches=probe)))
    assert (f.code, f.name, f.severity) == ("TFD516", "pipeline-error", Severity.ERROR)
    assert f.where == Where(step=3, call="map(check)")
    assert f.numbers == {"error_type": "InvalidArgumentError", "batches_before_error": 2}
    assert f.message == (
        f"The pipeline raises InvalidArgumentError after 2 batch(es): {ASSERT}. That is, a `tf.debugging` "
        "assertion (or `tf.Assert`) in a pipeline function fails on the data."
    )


def test_tfd516_fires_on_a_python_exception_in_a_py_function() -> None:
    error = "ValueError: cannot read (in a MapDataset function)"
    probe = failed(error, error_type="InvalidArgumentError", error_op="EagerPyFunc")
    f = one(check("TFD516", audit(READ, ("map", {"function": "load"}), BATCH, batches=probe)))
    assert f.where == Where(step=2, call="map(load)")  # the one map: the error says a map raised
    assert "on the first batch" in f.message and "`tf.py_function`" in f.message


def test_tfd516_fires_on_variable_length_elements_batched_together() -> None:
    error = "Cannot add tensor to the batch: number of elements does not match. Shapes are: [tensor]: [2], [batch]: [1]"
    f = one(check("TFD516", audit(batches=failed(error))))
    assert f.where == Where(step=3, call="batch(32)")
    assert f.fix is not None and "padded_batch()" in f.fix.text


def test_tfd516_fires_on_an_error_ignore_errors_drops() -> None:
    steps = (READ, PARSE, ("ignore_errors", {}), BATCH)
    hidden = StepProbe(3, elements_in=100, errors_dropped=7, first_error=ASSERT)
    f = one(check("TFD516", audit(*steps, batches=batch_facts(batches=3), probes=(hidden,))))
    assert f.where == Where(step=3, call="ignore_errors()")
    assert f.numbers == {"error_type": None, "dropped": 7}
    assert f.message.startswith("`ignore_errors()` (step 3 of 4) drops the 7 elements that raise: assertion")


def test_tfd516_fires_on_a_parse_error_the_scan_could_not_judge() -> None:
    error = "Feature: label (data type: int64) is required but could not be found. (in a MapDataset function)"
    assert one(check("TFD516", audit(batches=failed(error))))  # no scan of the files: nothing else says it
    fits = files(tfrecord("a.tfrecord", 10), records=10)
    assert one(check("TFD516", audit(batches=failed(error), sources=fits)))  # the scan saw no problem


def test_tfd516_silent_on_a_parse_error_the_scan_saw() -> None:
    error = "Feature: label (data type: int64) is required but could not be found. (in a MapDataset function)"
    scanned = dataset(records=10, reads=(tally(Read("label"), records=10, problems={"missing": 10}),))
    assert check("TFD516", audit(batches=failed(error), sources=scanned)) == []  # TFD201's


@pytest.mark.parametrize(
    "error",
    [
        "Input to reshape is a tensor with 3072 values, but the requested shape has 784",  # TFD302
        "Cannot batch tensors with different shapes in component 0. First element had shape [28,28,1] and "
        "element 5 had shape [32,32,1].",  # TFD302: images of two sizes
        "Invalid PNG data, size 1234",  # TFD303
        "corrupted record at 0 (Is this even a TFRecord file?)",  # TFD101 / TFD103
        "truncated record at 297",  # TFD102
        "inflate() failed with error -3: incorrect header check",  # TFD103
        "/data/a.tfrecord; No such file or directory",  # TFD105
    ],
)
def test_tfd516_silent_on_errors_another_rule_explains(error: str) -> None:
    assert check("TFD516", audit(batches=failed(error))) == []


def test_tfd516_silent_without_an_error() -> None:
    assert check("TFD516", audit(batches=batch_facts(batches=5))) == []
    assert check("TFD516", audit(batches=ON_TIME)) == []
    assert check("TFD516", audit()) == []
