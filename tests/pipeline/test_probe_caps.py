"""The probe keeps its caps in real TensorFlow: `seconds` holds for the whole probe whatever
one batch costs (each pull runs in a thread that is cancelled and abandoned when the time is
up), a pipeline that never yields stops on time and says what it waited for, the memory cap
holds where the element_spec gives a batch's size, and a CLI run that abandoned a pull exits."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.pipeline.graph import read_pipeline
from tfdoctor.pipeline.probe import _drive, probe

CAP = 1.0  # seconds
MARGIN = 4.0  # the whole audit, cap included, ends within this of the cap


def _slow(x: Any) -> Any:
    time.sleep(0.2)
    return x


def _never(x: Any) -> Any:
    return x < 0


def _timed_audit(dataset: Any, **kwargs: Any) -> tuple[tfdoctor.AuditResult, float]:
    start = time.perf_counter()
    result = tfdoctor.audit(dataset, batches=5, seconds=CAP, config=Config(), **kwargs)
    return result, time.perf_counter() - start


def _codes(result: tfdoctor.AuditResult) -> set[str]:
    return {f.code for f in result.findings}


def test_a_slow_map_stops_on_time(tf: Any) -> None:
    slow = tf.data.Dataset.range(50).map(lambda x: tf.py_function(_slow, [x], tf.int64)).batch(10)
    result, took = _timed_audit(slow)
    assert took < CAP + MARGIN
    probed = result.batches
    assert probed is not None and probed.batches == 0  # a batch takes 2 s: none within the cap
    assert (probed.stopped, probed.seconds_limit) == ("time", CAP)
    assert probed.stopped_while.startswith("waiting ") and probed.stopped_while.endswith("for batch 1")
    assert not {"TFD105", "TFD516"} & _codes(result)  # slow is not empty, and not an error


def test_a_filter_that_never_matches_after_repeat_stops_on_time(tf: Any) -> None:
    assert list(tf.data.Dataset.range(10).filter(_never)) == []  # one pass keeps nothing: repeated, it spins
    never = tf.data.Dataset.range(10).repeat().filter(_never).batch(2)
    result, took = _timed_audit(never)
    assert took < CAP + MARGIN
    assert result.batches is not None and result.batches.stopped == "time"
    empty = [f for f in result.findings if f.code == "TFD105"]
    assert [(f.where.step, f.where.call) for f in empty] == [(3, "filter(_never)")]
    assert "drops all 10 elements of its input (TFD510)" in empty[0].message
    assert [(f.code, f.numbers["kept"]) for f in result.findings if f.code == "TFD510"] == [("TFD510", 0)]


def test_repeat_over_files_with_no_records_stops_on_time(tf: Any, tmp_path: Path) -> None:
    names = [str(tmp_path / f"empty-{i}.tfrecord") for i in range(2)]
    for name in names:
        write_tfrecord(name, [])
    assert list(tf.data.TFRecordDataset(names)) == []  # valid TFRecord files, no record
    files = tf.data.Dataset.from_tensor_slices(names).repeat()  # the file names cycle forever
    forever = files.interleave(tf.data.TFRecordDataset, cycle_length=2).batch(4)
    result, took = _timed_audit(forever)
    assert took < CAP + MARGIN
    assert result.batches is not None and result.batches.stopped == "time"
    (empty,) = [f for f in result.findings if f.code == "TFD105"]
    assert empty.numbers == {"files": 2, "records": 0, "batches": 0}
    assert "reads hold no records" in empty.message
    assert "`repeat()` (step 2 of 4) over them never yields an element" in empty.message


def test_the_memory_cap_holds_where_the_element_spec_gives_a_batch_size(tf: Any) -> None:
    image = tf.zeros([128, 128, 3])  # 192 KiB
    three_mib = tf.data.Dataset.from_tensors(image).repeat().batch(16, drop_remainder=True)
    facts, _ = probe(three_mib, read_pipeline(three_mib), batches=5, seconds=10, max_bytes=8 << 20)
    assert (facts.batches, facts.stopped) == (2, "memory")  # two 3 MiB batches fit 8 MiB
    assert facts.stopped_while == "a batch holds 3.0 MiB (its element_spec): 2 fit the 8 MiB cap"
    too_big = tf.data.Dataset.from_tensors(image).repeat().batch(64)  # 12 MiB, batch size from batch()
    facts, _ = probe(too_big, read_pipeline(too_big), batches=5, seconds=10, max_bytes=8 << 20)
    assert (facts.batches, facts.stopped) == (0, "memory")  # not even one is pulled


SCRIPT = """
import time
import tensorflow as tf

def _stuck(x):
    time.sleep(60)
    return x

def make():
    return tf.data.Dataset.range(10).map(lambda x: tf.py_function(_stuck, [x], tf.int64)).batch(2)
"""


def test_a_cli_run_exits_after_abandoning_a_pull(tf: Any, tmp_path: Path) -> None:
    script = tmp_path / "stuck.py"
    script.write_text(SCRIPT)
    command = [sys.executable, "-c", "from tfdoctor.cli import main; main()", "pipeline", f"{script}:make"]
    start = time.perf_counter()
    done = subprocess.run([*command, "--seconds", "1", "--json"], capture_output=True, text=True, timeout=50)
    assert time.perf_counter() - start < 40  # the element in flight sleeps 60 s: the exit did not wait for it
    assert done.returncode == 1, done.stderr[-2000:]  # no batch within the cap: TFD517, an error
    assert '"stopped": "time"' in done.stdout and '"code": "TFD517"' in done.stdout


def _probe_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tfdoctor-probe"]


def test_an_abandoned_pull_is_cancelled_not_left_spinning(tf: Any) -> None:
    never = tf.data.Dataset.range(10).repeat().filter(_never)
    before = set(_probe_threads())
    outcome = _drive(never, time.perf_counter() + 0.3, lambda element: True)
    assert outcome.stopped == "time" and outcome.seconds < 1.0
    deadline = time.perf_counter() + 2.0
    while set(_probe_threads()) - before and time.perf_counter() < deadline:
        time.sleep(0.02)
    assert set(_probe_threads()) - before == set()  # TensorFlow ended the IteratorGetNext in flight


def test_a_measuring_bug_raises_and_is_never_a_pipeline_error(tf: Any) -> None:
    def broken(element: Any) -> bool:
        raise RuntimeError("a bug in tfdoctor")

    with pytest.raises(RuntimeError, match="a bug in tfdoctor"):
        _drive(tf.data.Dataset.range(3), time.perf_counter() + 5, broken)
