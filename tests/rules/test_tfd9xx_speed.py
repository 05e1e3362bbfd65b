"""TFD9xx on hand-made pipelines: prefetch, parallel map, parallel reads."""

from __future__ import annotations

from facts_builders import PLAIN, StepSpec, check, one, pipeline_facts

from tfdoctor.facts import Facts
from tfdoctor.findings import Severity, Where

SHARDS = ("train-0.tfrecord", "train-1.tfrecord", "train-2.tfrecord")


def audit(*description: StepSpec) -> Facts:
    return Facts(pipeline=pipeline_facts(description))


# ---------------------------------------------------------------------------------------------
# TFD901 no-prefetch


def test_tfd901_fires_on_a_pipeline_that_does_not_end_with_prefetch() -> None:
    f = one(check("TFD901", audit(*PLAIN[:-1])))
    assert (f.code, f.severity) == ("TFD901", Severity.INFO)
    assert f.where == Where(step=4, call="batch(32)")
    assert f.numbers == {}
    assert f.fix is not None and f.fix.text.endswith(".batch(32).prefetch(tf.data.AUTOTUNE)")


def test_tfd901_silent_on_a_pipeline_that_ends_with_prefetch() -> None:
    assert check("TFD901", audit(*PLAIN)) == []


def test_tfd901_fires_when_a_step_follows_the_prefetch() -> None:
    f = one(check("TFD901", audit(*PLAIN, ("map", {"function": "late", "num_parallel_calls": -1}))))
    assert f.where == Where(step=6, call="map(late, num_parallel_calls=AUTOTUNE)")


# ---------------------------------------------------------------------------------------------
# TFD902 serial-map


def test_tfd902_fires_on_each_map_without_num_parallel_calls() -> None:
    facts = audit(("read", {}), ("map", {"function": "parse"}), ("map", {"function": "decode"}), "prefetch")
    found = check("TFD902", facts)
    assert [(f.code, f.severity, f.where, f.numbers) for f in found] == [
        ("TFD902", Severity.INFO, Where(step=2, call="map(parse)"), {}),
        ("TFD902", Severity.INFO, Where(step=3, call="map(decode)"), {}),
    ]


def test_tfd902_silent_on_parallel_maps() -> None:
    assert check("TFD902", audit(("read", {}), ("map", {"function": "parse", "num_parallel_calls": 8}))) == []


# ---------------------------------------------------------------------------------------------
# TFD903 serial-read


def test_tfd903_fires_on_several_files_read_one_after_another() -> None:
    f = one(check("TFD903", audit(("read", {"files": SHARDS}), *PLAIN[1:])))
    assert (f.code, f.severity) == ("TFD903", Severity.INFO)
    assert f.where == Where(step=1, call="TFRecordDataset([3 files])")
    assert f.numbers == {"files": 3}


def test_tfd903_fires_on_a_flat_map_that_reads_files() -> None:
    description = [
        ("source", {"files": SHARDS}),
        ("flat_map", {"function": "TFRecordDataset", "reads_files": True}),
    ]
    f = one(check("TFD903", audit(*description, *PLAIN[1:])))
    assert f.where == Where(step=2, call="flat_map(TFRecordDataset)")
    assert f.numbers == {"files": 3}


def test_tfd903_silent_on_one_file_or_an_interleave() -> None:
    assert check("TFD903", audit(("read", {"files": SHARDS[:1]}), *PLAIN[1:])) == []
    interleave = ("interleave", {"reads_files": True, "cycle_length": 3, "num_parallel_calls": -1})
    assert check("TFD903", audit(("source", {"files": SHARDS}), interleave, *PLAIN[1:])) == []
