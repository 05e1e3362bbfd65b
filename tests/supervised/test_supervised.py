"""`tfdoctor pipeline` runs the user's code in a watched child process: whatever that code
does (exit, crash, hang, fill memory, parse our command line), the audit ends within the
time cap plus start-up, with an error finding (TFD517) that says how, and exit 1. Real child
processes, real TensorFlow; the caps are small so each case takes a few seconds."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.config import Config
from tfdoctor.facts.run import EXITED, FINISHED, KILLED, MEMORY, RAISED, TIME
from tfdoctor.pipeline.load import PipelineError
from tfdoctor.supervised import AuditRequest, audit_in_child

# Start-up the cap does not count: Python, tfdoctor and TensorFlow imported in the child.
# Generous, for a loaded 2-core CI machine: the point is that nothing waits for the code.
START_UP = 40.0

HOSTILE = """
import ctypes, os, sys, time
import tensorflow as tf

def fine(n=64):
    return tf.data.Dataset.range(n).shuffle(64).batch(8)

def never_returns():
    while True:
        time.sleep(0.05)

def exits():
    sys.exit(0)

def hard_exit():
    os._exit(3)

def segfault():
    ctypes.string_at(0)

def raises():
    raise FileNotFoundError("no such folder: /data/train")

def crash_in_map():
    def boom(x):
        ctypes.string_at(0)
        return x
    return tf.data.Dataset.range(8).map(lambda x: tf.py_function(boom, [x], tf.int64)).batch(2)

def sleepy_map():
    def slow(x):
        time.sleep(60)
        return x
    return tf.data.Dataset.range(8).map(lambda x: tf.py_function(slow, [x], tf.int64)).batch(2)

def infinite_empty_filter():
    return tf.data.Dataset.range(10).repeat().filter(lambda x: x < 0).batch(2)

def big_element():
    # 1.6 GB per element, of a shape the graph does not know (the probe cannot plan for it)
    return tf.data.Dataset.range(4).map(lambda i: tf.fill([tf.cast(i * 0, tf.int32) + 400_000_000], 1.0))

def not_a_dataset():
    return 42
"""

ARGPARSE = """
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
args = parser.parse_args()

def make():
    pass
"""


@pytest.fixture()
def script(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.py"
    path.write_text(HOSTILE)
    return path


def _audit(target: str, seconds: float = 2.0, memory_mib: int = 4096) -> tuple[Any, float]:
    start = time.perf_counter()
    result = audit_in_child(
        AuditRequest(target, seconds=seconds, batches=4, config=Config()), memory_limit=memory_mib << 20
    )
    elapsed = time.perf_counter() - start
    assert elapsed < seconds + START_UP, f"{target}: {elapsed:.1f}s"
    return result, elapsed


def _stopped(result: Any) -> str:
    found = [f for f in result.findings if f.code == "TFD517"]
    assert len(found) == 1 and result.failed(), [f.code for f in result.findings]
    return " ".join(found[0].message.split())


def test_a_clean_pipeline_finishes_with_its_run_measured(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:fine")
    assert result.run.ended == FINISHED and result.run.peak_memory > 100 << 20
    assert result.batches.batches == 4 and not [f for f in result.findings if f.code == "TFD517"]
    assert result.to_json()["run"]["ended"] == "finished"


def test_a_function_that_never_returns_is_stopped_at_the_cap(tf: Any, script: Path) -> None:
    result, elapsed = _audit(f"{script}:never_returns", seconds=1.0)
    assert result.run.ended == TIME and result.run.phase.startswith("calling ")
    assert (
        "did not finish within the 1 s cap (--seconds): the function that builds the dataset did not return"
        in (_stopped(result))
    )


def test_sys_exit_and_os_exit_in_the_users_code(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:exits")
    assert (result.run.ended, result.run.exit_code) == (EXITED, 0)
    assert "The pipeline's code ended the process: calling " in _stopped(result)
    assert "exits() called sys.exit(0)" in _stopped(result)
    result, _ = _audit(f"{script}:hard_exit")
    assert (result.run.ended, result.run.exit_code) == (EXITED, 3), result.run
    assert "exited with code 3 while calling " in _stopped(result)


def test_a_segfault_names_the_users_line(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:segfault")
    assert (result.run.ended, result.run.signal) == (KILLED, "SIGSEGV")
    said = _stopped(result)
    assert "killed by SIGSEGV (a segmentation fault" in said
    assert f"(at {script}:19 in segfault)" in said and "'Fatal Python error: Segmentation fault'" in said


def test_a_crash_inside_a_map_keeps_the_graph_findings(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:crash_in_map")
    assert result.run.signal == "SIGSEGV" and result.run.phase == "pulling batches"
    assert f"(at {script}:26 in boom)" in _stopped(result)
    # the graph was read before the crash: its findings are still there
    assert [s.kind for s in result.pipeline.steps] == ["source", "map", "batch"]
    assert {"TFD504", "TFD901"} <= {f.code for f in result.findings}


def test_a_function_that_raises_is_a_finding_not_a_usage_error(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:raises")
    assert result.run.ended == RAISED and result.run.error_type == "FileNotFoundError"
    assert "Building the pipeline failed: calling " in _stopped(result)
    assert "raised FileNotFoundError: no such folder: /data/train" in _stopped(result)


def test_a_target_that_names_nothing_usable_is_a_usage_error(tf: Any, script: Path) -> None:
    for target, said in (
        (f"{script}:missing", "has no attribute 'missing'"),
        (f"{script}:not_a_dataset", "returned int, not a tf.data.Dataset"),
        (f"{script}:fine", "got an unexpected keyword argument 'size'"),
    ):
        kwargs = {"size": 3} if target.endswith(":fine") else {}
        with pytest.raises(PipelineError, match=said):
            audit_in_child(AuditRequest(target, kwargs, seconds=2.0, config=Config()))


def test_a_map_that_sleeps_and_a_filter_that_keeps_nothing_end_at_the_cap(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:sleepy_map", seconds=2.0)
    assert result.run.ended == FINISHED and result.batches.batches == 0  # the probe gave up in time
    said = _stopped(result)
    assert (
        said.startswith("The pipeline yielded no batch within the ")
        and "runs Python for every element" in said
    )
    result, _ = _audit(f"{script}:infinite_empty_filter", seconds=2.0)
    assert result.run.ended == FINISHED and result.failed()
    assert "TFD105" in {f.code for f in result.findings}  # the filter that drops all is named there
    assert "TFD517" not in {f.code for f in result.findings}


def test_an_element_larger_than_the_memory_cap(tf: Any, script: Path) -> None:
    result, _ = _audit(f"{script}:big_element", seconds=20.0, memory_mib=1200)
    assert result.run.ended == MEMORY and result.run.peak_memory > 1200 << 20
    assert "passed the 1,200 MiB memory cap (--max-memory)" in _stopped(result)


def test_the_cli_a_module_that_parses_arguments_at_import(tf: Any, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(ARGPARSE)
    res = CliRunner().invoke(app, ["pipeline", f"{script}:make", "--seconds", "2", "--json"])
    assert res.exit_code == 1
    report = json.loads(res.stdout)  # strict JSON on stdout: the user's usage text is not ours
    (found,) = [f for f in report["findings"] if f["code"] == "TFD517"]
    assert found["message"].startswith(
        f"The pipeline's code ended the process: importing {script} called sys.exit(2)"
    )
    assert "the following arguments are required: --data" in found["message"]
    assert 'under `if __name__ == "__main__":`' in found["fix"]["text"]
    assert report["run"]["ended"] == "exited" and report["run"]["exit_code"] == 2


MODELLED = """
import keras
import tensorflow as tf

def make():
    x = tf.random.stateless_uniform([64, 4], seed=[1, 2])
    y = tf.cast(tf.range(64) % 2, tf.float32)
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(8)

def make_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="softmax")])
    model.compile(loss="binary_crossentropy")
    return model
"""


def test_the_cli_model_option_is_loaded_in_the_child(tf: Any, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(MODELLED)
    res = CliRunner().invoke(app, ["pipeline", f"{script}:make", "--model", f"{script}:make_model", "--json"])
    report = json.loads(res.stdout)
    assert "TFD706" in {f["code"] for f in report["findings"]} and res.exit_code == 1  # softmax over one unit
    res = CliRunner().invoke(app, ["pipeline", f"{script}:make", "--model", str(tmp_path / "none.keras")])
    assert res.exit_code == 2 and "--model:" in res.output
