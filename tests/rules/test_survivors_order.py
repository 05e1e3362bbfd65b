"""TFD5xx branches that mutants bent without a test noticing (scripts/mutation on tests/rules,
issue 16): merges of several inputs (zip, concatenate, sample_from_datasets), a second batch,
filter or split after one that is skipped, errors seen twice, seeds of zipped shuffles. Each
firing case with its silent twin; the wording snapshot compares message and fix."""

from __future__ import annotations

from collections.abc import Sequence

from facts_builders import (
    StepSpec,
    audit,
    batch,
    batch_facts,
    check,
    dataset,
    feature,
    label_order,
    one,
    shuffle,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import StepProbe
from tfdoctor.findings import Severity, Where

READ = ("read", {})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})
REPEAT = ("repeat", {"count": -1})


def merge(kind: str, *branches: Sequence[StepSpec]) -> StepSpec:
    ops = {"zip": "ZipDataset", "concatenate": "ConcatenateDataset", "sample": "DirectedInterleaveDataset"}
    return (kind, {"op": ops[kind], "branches": [list(b) for b in branches]})


# ---------------------------------------------------------------------------------------------
# TFD501 no-shuffle: what a merge before the batch says


def test_tfd501_a_concatenate_with_no_shuffle_anywhere_adds_nothing() -> None:
    f = one(check("TFD501", audit(READ, PARSE, merge("concatenate", [READ, PARSE]), batch(32))))
    assert f.message == "No shuffle before `batch(32)` (step 4 of 4): batches hold records in stored order."
    assert (f.severity, f.where) == (Severity.WARNING, Where(step=4, call="batch(32)"))


def test_tfd501_shuffles_inside_the_inputs_of_a_concatenate_do_not_mix_them() -> None:
    f = one(check("TFD501", audit(READ, PARSE, merge("concatenate", [READ, shuffle(100)]), batch(32))))
    assert "takes its inputs one after another: shuffles inside them do not mix them." in f.message
    assert f.where == Where(step=4, call="batch(32)")


def test_tfd501_a_zip_of_inputs_that_are_not_all_shuffled() -> None:
    """The file names are shuffled, not the records: the zip's inputs arrive in stored order."""
    files = [
        ("source", {"files": ("a.tfrecord", "b.tfrecord")}),
        shuffle(2),
        ("interleave", {"reads_files": True, "cycle_length": 2, "num_parallel_calls": -1}),
    ]
    f = one(check("TFD501", audit(*files, merge("zip", [READ]), batch(32))))
    assert "takes inputs that are not all shuffled: some examples arrive in stored order." in f.message
    assert (f.severity, f.where) == (Severity.WARNING, Where(step=5, call="batch(32)"))
    assert check("TFD501", audit(*files, merge("zip", [READ]), shuffle(1000), batch(32))) == []


def test_tfd501_sorted_labels_mixed_by_sample_from_datasets_stay_a_warning() -> None:
    sorted_labels = label_order({"0": 500, "1": 500})
    sources = dataset(feature("label", records=1000), order=sorted_labels)
    probe = batch_facts(label_majority=(0.55,) * 8, label_classes=2)
    description = (READ, merge("sample", [READ]), PARSE, batch(32))
    f = one(check("TFD501", audit(*description, sources=sources, batches=probe)))
    assert f.severity == Severity.WARNING
    assert "mixes them: the batches are mixed, yet the same every epoch." in f.message
    unmixed = batch_facts(label_majority=(1.0,) * 8, label_classes=2)
    assert (
        one(check("TFD501", audit(*description, sources=sources, batches=unmixed))).severity == Severity.ERROR
    )


# ---------------------------------------------------------------------------------------------
# TFD502 small-shuffle-buffer: the fix's buffer


def test_tfd502_suggests_at_least_ten_thousand() -> None:
    runs = label_order({"0": 25_000, "1": 25_000}, runs=26, longest_run=2_000)
    sources = dataset(feature("label", records=50_000), order=runs)
    f = one(check("TFD502", audit(READ, PARSE, shuffle(100), batch(32), sources=sources)))
    assert f.numbers == {"buffer_size": 100, "longest_run": 2_000, "runs": 26}
    assert f.fix is not None and f.fix.text.startswith("shuffle(10,000) or more;")


# ---------------------------------------------------------------------------------------------
# TFD514 remainder-drops-all: a second batch, what the probe saw


def test_tfd514_judges_the_batch_after_one_with_no_count() -> None:
    description = (READ, batch(4, drop_remainder=True), ("unbatch", {}), batch(32, drop_remainder=True))
    f = one(check("TFD514", audit(*description, counts={3: 10}, batches=batch_facts(batches=3))))
    assert (f.severity, f.where) == (Severity.ERROR, Where(step=4, call="batch(32, drop_remainder=True)"))
    assert f.numbers == {"elements": 10, "batch_size": 32}


def test_tfd514_says_the_probe_pulled_no_batch() -> None:
    description = (READ, batch(32, drop_remainder=True))
    f = one(check("TFD514", audit(*description, counts={1: 10}, batches=batch_facts(batches=0))))
    assert f.message.endswith("every epoch yields zero batches. The probe pulled no batch at all.")
    f = one(
        check("TFD514", audit(*description, counts={1: 10}, batches=batch_facts(batches=0, stopped="time")))
    )
    assert f.message.endswith("every epoch yields zero batches.")


# ---------------------------------------------------------------------------------------------
# TFD517 pipeline-stopped, no batch in time: numpy functions, no cap known


def test_tfd517_names_a_numpy_function_as_the_slow_step() -> None:
    slow = ("map", {"function": "slow", "ops": ("NumpyFunction",)})
    probe = batch_facts(batches=0, stopped="time", seconds=30.0, seconds_limit=30.0)
    f = one(check("TFD517", audit(READ, slow, batch(32), batches=probe)))
    assert f.where == Where(step=2, call="map(slow)")
    assert f.numbers == {"batches": 0, "seconds": 30.0, "seconds_limit": 30.0}
    assert "`map(slow)` runs Python for every element" in f.message


def test_tfd517_without_a_known_cap() -> None:
    probe = batch_facts(batches=0, stopped="time", seconds=12.5)
    f = one(check("TFD517", audit(READ, PARSE, batch(32), batches=probe)))
    assert f.where == Where()
    assert f.message.startswith("The pipeline yielded no batch within the time cap:")


# ---------------------------------------------------------------------------------------------
# TFD505 truncated-dataset and TFD510 filter-drops-most: a second step after one left alone


def test_tfd505_judges_a_take_after_a_skip_that_keeps_most() -> None:
    description = (READ, ("skip", {"count": 10}), ("take", {"count": 50}), REPEAT)
    f = one(check("TFD505", audit(*description, records=1_000)))
    assert f.where == Where(step=3, call="take(50)")
    assert f.numbers == {"records_kept": 50, "records": 1_000, "fraction": 0.05}


def test_tfd510_judges_a_filter_after_one_not_measured() -> None:
    description = (READ, ("filter", {"function": "a"}), ("filter", {"function": "b"}))
    probes = [StepProbe(step=3, elements_in=1_000, elements_out=10)]
    f = one(check("TFD510", audit(*description, probes=probes)))
    assert f.where == Where(step=3, call="filter(b)")
    assert f.numbers == {"kept": 10, "input": 1_000, "fraction": 0.01}


# ---------------------------------------------------------------------------------------------
# TFD516 pipeline-error: one error said once


def test_tfd516_an_error_the_probe_met_and_ignore_errors_drops_is_said_once() -> None:
    error = "Something odd happened in the reader"
    probe = batch_facts(batches=2, stopped="error", error=error, error_type="UnknownError")
    description = (READ, PARSE, ("ignore_errors", {}), batch(32))
    probes = [StepProbe(step=3, errors_dropped=4, first_error=error)]
    f = one(check("TFD516", audit(*description, probes=probes, batches=probe)))
    assert f.numbers == {"error_type": "UnknownError", "batches_before_error": 2}
    other = [StepProbe(step=3, errors_dropped=4, first_error="Another failure")]
    found = check("TFD516", audit(*description, probes=other, batches=probe))
    assert [x.numbers for x in found] == [
        {"error_type": "UnknownError", "batches_before_error": 2},
        {"error_type": None, "dropped": 4},
    ]


# ---------------------------------------------------------------------------------------------
# TFD515 shuffled-zip-inputs: alike only with the same buffer and the same nonzero seeds


def test_tfd515_shuffles_with_another_second_seed_are_not_alike() -> None:
    facts = audit(READ, shuffle(100, seed=42, seed2=1), merge("zip", [READ, shuffle(100, seed=42, seed2=2)]))
    f = one(check("TFD515", facts))
    assert f.numbers == {"inputs": 2, "shuffled_inputs": [1, 2]}


def test_tfd515_silent_on_shuffles_with_the_same_seed_and_no_second_seed() -> None:
    facts = audit(READ, shuffle(100, seed=42), merge("zip", [READ, shuffle(100, seed=42)]))
    assert check("TFD515", facts) == []
    unseeded = audit(READ, shuffle(100), merge("zip", [READ, shuffle(100)]))
    assert one(check("TFD515", unseeded)).numbers == {"inputs": 2, "shuffled_inputs": [1, 2]}


def test_thresholds_used_here() -> None:
    t = Thresholds()
    assert (t.label_majority_min_batches <= 8, t.label_majority_fraction > 0.55) == (True, True)
    assert t.filter_kept_fraction > 0.01 and t.truncated_fraction > 0.05 and t.truncated_fraction < 0.99
