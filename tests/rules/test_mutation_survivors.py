"""Branches that mutants switched off or bent without a test noticing (scripts/mutation on
tests/rules, issue 16), each with its firing case and its silent twin, findings compared whole."""

from __future__ import annotations

from dataclasses import replace

import pytest
from facts_builders import (
    batch_facts,
    check,
    counts,
    dataset,
    feature,
    numbers,
    one,
    pipeline_facts,
    spec,
    spec_facts,
    tally,
    tfrecord,
)

from tfdoctor.config import Config, Thresholds
from tfdoctor.facts import Facts, FeatureSpec
from tfdoctor.facts.pipeline import OneHot
from tfdoctor.facts.run import FINISHED, KILLED, MEMORY, AuditRun
from tfdoctor.findings import Severity, Where
from tfdoctor.rules import run_rules

READ = ("read", {})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})


def audit(*description: object, counts: dict[int, int | None] | None = None) -> Facts:
    return Facts(pipeline=pipeline_facts(description, counts=counts))  # type: ignore[arg-type]


def padded(size: int) -> tuple[str, dict[str, object]]:
    return ("padded_batch", {"batch_size": size})


# ---------------------------------------------------------------------------------------------
# padded_batch is a batch for TFD502, TFD503 and TFD511


def test_tfd503_fires_on_a_shuffle_of_padded_batches() -> None:
    f = one(check("TFD503", audit(READ, PARSE, padded(8), ("shuffle", {"buffer_size": 50}))))
    assert (f.severity, f.where) == (Severity.WARNING, Where(step=4, call="shuffle(50)"))
    assert f.numbers == {"shuffle_step": 4, "batch_step": 3}


def test_tfd502_fires_on_a_buffer_no_larger_than_a_padded_batch() -> None:
    f = one(check("TFD502", audit(READ, PARSE, ("shuffle", {"buffer_size": 8}), padded(32))))
    assert (f.severity, f.where) == (Severity.WARNING, Where(step=3, call="shuffle(8)"))
    assert f.numbers == {"buffer_size": 8, "batch_size": 32}
    assert check("TFD502", audit(READ, PARSE, ("shuffle", {"buffer_size": 33}), padded(32))) == []


def test_tfd511_silent_on_a_take_of_padded_batches() -> None:
    """A take after a (padded) batch caps the steps of a run; it is not a split."""
    shuffled = (READ, PARSE, ("shuffle", {"buffer_size": 1000}))
    assert check("TFD511", audit(*shuffled, padded(32), ("take", {"count": 10}))) == []
    f = one(check("TFD511", audit(*shuffled, ("take", {"count": 10}), padded(32))))
    assert f.numbers == {"shuffle_step": 3, "split_step": 4}


# ---------------------------------------------------------------------------------------------
# TFD514 remainder-drops-all: an epoch of zero elements fills no batch either


def test_tfd514_fires_on_an_epoch_of_no_elements() -> None:
    facts = audit(READ, ("batch", {"batch_size": 32, "drop_remainder": True}), counts={1: 0})
    f = one(check("TFD514", facts))
    assert (f.severity, f.where) == (Severity.ERROR, Where(step=2, call="batch(32, drop_remainder=True)"))
    assert f.numbers == {"elements": 0, "batch_size": 32}


# ---------------------------------------------------------------------------------------------
# TFD607 label-outside-one-hot: label 0 is inside [0, depth)


def test_tfd607_counts_label_0_inside_the_one_hot() -> None:
    label = feature("label", numeric=numbers(count=90, low=0, high=3))
    top = (("0", 30), ("1", 20), ("2", 20), ("3", 20))
    sources = dataset(replace(label, top_values=top), label="label")
    facts = pipeline_facts(
        [READ, ("map", {"function": "parse"}), ("batch", {"batch_size": 32})], sources=sources
    )
    parse = replace(facts.pipeline.steps[1], one_hots=(OneHot(3, "label"),))
    steps = (facts.pipeline.steps[0], parse, facts.pipeline.steps[2])
    f = one(check("TFD607", Facts(pipeline=replace(facts, pipeline=replace(facts.pipeline, steps=steps)))))
    assert f.numbers == {"depth": 3, "offset": 0, "min": 0, "max": 3, "outside": 20}


# ---------------------------------------------------------------------------------------------
# Config.severity overrides a rule's severity, per code


def test_a_configured_severity_replaces_the_rules_own() -> None:
    facts = audit(READ, PARSE, ("batch", {"batch_size": 8}), ("shuffle", {"buffer_size": 50}))
    config = Config(select=("TFD503",), severity={"TFD503": Severity.ERROR})
    findings, errors = run_rules(facts, config)
    assert errors == [] and [(f.code, f.severity) for f in findings] == [("TFD503", Severity.ERROR)]
    other = Config(select=("TFD503",), severity={"TFD502": Severity.ERROR}, thresholds=Thresholds())
    assert [f.severity for f in run_rules(facts, other)[0]] == [Severity.WARNING]


# ---------------------------------------------------------------------------------------------
# TFD206 constant-feature: what the message says is the finding (the label named as such,
# a vector of more than four values cut with "...")


def test_tfd206_message_names_the_label_and_cuts_long_vectors() -> None:
    def message(f: object) -> str:
        return one(check("TFD206", Facts(dataset=f))).message  # type: ignore[arg-type]

    label = dataset(feature("label", records=10, constant="0"), label="label")
    assert message(label) == (
        "the label 'label' has the single value '0' in all 10 records that hold it: "
        "the model can only learn a constant."
    )
    for n, shown in ((4, "0.5, 0.5, 0.5, 0.5"), (5, "0.5, 0.5, 0.5, 0.5, ...")):
        vector = dataset(feature("v", "float", records=20, constant="0.5", values=counts(n)))
        assert message(vector) == (
            f"'v' holds the same {n} values [{shown}] in all 20 records that hold it. "
            "No parse spec was given to show that anything reads it."
        )


# ---------------------------------------------------------------------------------------------
# TFD103 in a pipeline: only the error of compressed bytes read as plain (a corrupt record at
# byte 0) shows an undeclared compression; a corrupt record further on does not


def test_tfd103_reads_only_an_error_at_byte_0_as_the_wrong_compression() -> None:
    gzip = dataset(records=0, files=(tfrecord("a.tfrecord", 0, compression_detected="gzip"),))

    def probed(error: str) -> Facts:
        facts = pipeline_facts([READ, PARSE, ("batch", {"batch_size": 32})], sources=gzip)
        return Facts(pipeline=facts, batches=batch_facts(batches=0, stopped="error", error=error))

    f = one(check("TFD103", probed("corrupted record at 0 (Is this even a TFRecord file?)")))
    assert (f.severity, f.numbers) == (Severity.ERROR, {"declared": "none", "detected": "gzip"})
    assert check("TFD103", probed("corrupted record at 1234")) == []


# ---------------------------------------------------------------------------------------------
# TFD304 mixed-channels from a batch error: only two HxWxC shapes that differ in C alone


@pytest.mark.parametrize(
    ("first", "other"),
    [("28,28,1", "28,28"), ("28,28", "28,28,3"), ("28,28,1", "32,32,3"), ("28,28,1", "28,28,1,1")],
)
def test_tfd304_silent_on_a_batch_error_that_is_not_channels_alone(first: str, other: str) -> None:
    error = (
        "Cannot batch tensors with different shapes in component 0. First element had shape "
        f"[{first}] and element 5 had shape [{other}]."
    )
    description = [
        READ,
        ("map", {"function": "decode", "ops": ("DecodePng",)}),
        ("batch", {"batch_size": 32}),
    ]
    facts = Facts(
        pipeline=pipeline_facts(description), batches=batch_facts(batches=0, error=error, stopped="error")
    )
    assert check("TFD304", facts) == []


# ---------------------------------------------------------------------------------------------
# TFD105 on a pipeline: TensorFlow's count of zero at the last step; the remainder edge


def test_tfd105_fires_on_a_last_step_counted_empty_and_not_on_one_element() -> None:
    description = [READ, PARSE, ("filter", {"function": "keep"}), ("batch", {"batch_size": 32})]
    empty = Facts(pipeline=pipeline_facts(description, counts={1: 100, 2: 100, 3: 0, 4: 0}))
    f = one(check("TFD105", empty))
    assert (f.severity, f.where) == (Severity.ERROR, Where(step=3, call="filter(keep)"))
    assert f.numbers == {"batches": None, "elements": 0}
    one_left = Facts(pipeline=pipeline_facts(description, counts={1: 100, 2: 100, 3: 1, 4: 1}))
    assert check("TFD105", one_left) == []


def test_tfd105_names_the_dropped_remainder_only_under_one_batch() -> None:
    description = [READ, PARSE, ("batch", {"batch_size": 32, "drop_remainder": True})]
    short = one(check("TFD105", Facts(pipeline=pipeline_facts(description, counts={1: 31, 2: 31, 3: 0}))))
    assert short.numbers == {"batches": None, "batch_size": 32, "elements": 31}
    full = one(check("TFD105", Facts(pipeline=pipeline_facts(description, counts={1: 32, 2: 32, 3: 0}))))
    assert full.numbers == {"batches": None, "elements": 0}


# ---------------------------------------------------------------------------------------------
# TFD517 pipeline-stopped: its numbers whole, and the last 400 characters of the output


def test_tfd517_numbers_and_the_tail_of_the_output() -> None:
    run = AuditRun(
        ended=FINISHED, phase="pulling batches", seconds=3.2, seconds_limit=30.0, memory_limit=4 << 30
    )
    memory = one(check("TFD517", Facts(run=replace(run, ended=MEMORY, peak_memory=4200 << 20))))
    assert (memory.severity, memory.where) == (Severity.ERROR, Where())
    assert memory.numbers == {
        "ended": "memory",
        "phase": "pulling batches",
        "exit_code": None,
        "signal": None,
        "seconds": 3.2,
        "peak_memory_mib": 4200,
        "output": "",
    }
    output = "a" * 100 + "b" * 400
    crash = one(check("TFD517", Facts(run=replace(run, ended=KILLED, signal=11, output=output))))
    assert crash.numbers["signal"] == 11 and crash.numbers["output"] == output
    assert crash.message.endswith(f" Its output ends: {'b' * 400!r}.")


# ---------------------------------------------------------------------------------------------
# TFD203 shape-mismatch on a SparseFeature: index/value counts that differ, indices past the
# size (no unit test reached these branches)

SPARSE = FeatureSpec("sp", "SparseFeature", "float32", shape=(10,), value_key="val", index_keys=("idx",))


def _sparse(problem: str, bad: int, first: list[tuple[str, int]]) -> Facts:
    index = SPARSE.reads()[1]
    assert (index.key, index.pair, index.bound) == ("idx", "val", 10)
    stored = dataset(
        feature("idx", records=100, numeric=numbers(count=100, low=0, high=14)),
        feature("val", "float", records=100),
    )
    return spec_facts(spec(SPARSE), stored, tally(index, problems={problem: bad}, first={problem: first}))


def test_tfd203_sparse_index_and_value_counts_differ() -> None:
    f = one(check("TFD203", _sparse("pair", 3, [("a.tfrecord", 4), ("a.tfrecord", 9)])))
    assert (f.severity, f.where) == (
        Severity.ERROR,
        Where(spec="train.py:12 parse_fn", file="a.tfrecord", record=4, feature="sp"),
    )
    assert f.numbers == {
        "records": 100,
        "mismatched": 3,
        "first_records": ["a.tfrecord#4", "a.tfrecord#9"],
        "parse_fails": True,
    }
    assert f.message == (
        "'idx' (the indices of SparseFeature 'sp') and 'val' (its values) hold different counts in 3 of 100 "
        "records (3.0%): parsing fails at record 4 of a.tfrecord ('Dimensions ... are not compatible')."
    )


def test_tfd203_sparse_indices_past_the_size() -> None:
    f = one(check("TFD203", _sparse("range", 2, [("b.tfrecord", 7)])))
    assert f.where == Where(spec="train.py:12 parse_fn", file="b.tfrecord", record=7, feature="sp")
    assert f.numbers == {
        "records": 100,
        "mismatched": 2,
        "first_records": ["b.tfrecord#7"],
        "parse_fails": False,
    }
    assert f.fix is not None and "tf.io.SparseFeature('idx', 'val', tf.float32, 15)" in f.fix.text


def test_tfd203_silent_on_a_sparse_feature_that_fits() -> None:
    index = SPARSE.reads()[1]
    stored = dataset(feature("idx", records=100), feature("val", "float", records=100))
    assert check("TFD203", spec_facts(spec(SPARSE), stored, tally(index))) == []


# ---------------------------------------------------------------------------------------------
# TFD201 missing-feature: a key never present with a default is info, and says it may be optional


def _absent(entry: FeatureSpec) -> Facts:
    return spec_facts(
        spec(entry), dataset(feature("x", "float", records=100)), tally(entry, problems={"missing": 100})
    )


def test_tfd201_an_absent_key_with_a_default_is_info_and_may_be_optional() -> None:
    f = one(
        check("TFD201", _absent(FeatureSpec("weight", "FixedLenFeature", "float32", shape=(), default=1.0)))
    )
    assert (f.severity, f.where) == (Severity.INFO, Where(spec="train.py:12 parse_fn", feature="weight"))
    assert f.numbers == {"records": 100, "missing": 100, "closest": None, "parse_fails": False}
    assert (
        f.message
        == "'weight' is in none of the 100 records: never present: default_value=1.0 fills all 100 records."
    )
    assert f.fix is not None and f.fix.text.startswith("Nothing to do if the key is optional")


def test_tfd201_an_absent_key_without_a_default_is_an_error() -> None:
    f = one(check("TFD201", _absent(FeatureSpec("weight", "FixedLenFeature", "float32", shape=()))))
    assert (f.severity, f.numbers["parse_fails"]) == (Severity.ERROR, True)
    assert f.message == (
        "'weight' is in none of the 100 records: parsing fails at the first record "
        "('required but could not be found')."
    )
    assert f.fix is None or not f.fix.text.startswith("Nothing to do")
