"""`tfdoctor pipeline`: builds the user's dataset from file.py:function with --arg, audits it,
exit codes and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

runner = CliRunner()

PIPELINE = """
import tensorflow as tf

def make(path, batch_size=8, shuffle=True):
    ds = tf.data.TFRecordDataset(path).map(
        lambda s: tf.io.parse_single_example(s, {"x": tf.io.FixedLenFeature([], tf.float32)}),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if shuffle:
        ds = ds.shuffle(100)
    return ds.batch(batch_size).prefetch(1)

def not_a_dataset():
    return 42
"""


def test_pipeline_command(tf: Any, tmp_path: Path) -> None:
    data = tmp_path / "d.tfrecord"
    write_tfrecord(data, [example({"x": float(i)}) for i in range(50)])
    script = tmp_path / "train.py"
    script.write_text(PIPELINE)
    res = runner.invoke(app, ["pipeline", f"{script}:make", "--arg", f"path={data}", "--batches", "2"])
    assert res.exit_code == 0, res.output
    assert "TFRecordDataset" in res.output and "Probe: 2 batch(es), 16 elements" in res.output
    res = runner.invoke(
        app,
        ["pipeline", f"{script}:make", "--arg", f"path={data}", "--arg", "batch_size=1", "--arg", "shuffle=False",
         "--json", "--fail-on", "warning"],
    )  # fmt: skip
    assert res.exit_code == 1, res.output
    report = json.loads(res.stdout)
    assert report["command"] == "pipeline" and report["probe"]["batches"] == 20
    assert {f["code"] for f in report["findings"]} >= {"TFD501", "TFD504"}
    tiny = next(f for f in report["findings"] if f["code"] == "TFD504")
    assert tiny["where"] == {"step": 3, "call": "batch(1)"}  # structured: the step's index and call
    assert [s["kind"] for s in report["pipeline"]["steps"]] == ["read", "map", "batch", "prefetch"]
    assert [(f["name"], f["kind"], f["dtype"]) for f in report["specs"][0]["features"]] == [
        ("x", "FixedLenFeature", "float32")
    ]
    for bad in (f"{script}:nope", f"{script}:not_a_dataset", f"{tmp_path / 'none.py'}:make", "train.py"):
        res = runner.invoke(app, ["pipeline", bad])
        assert res.exit_code == 2 and "cannot build the pipeline" in res.output
    res = runner.invoke(app, ["pipeline", f"{script}:make"])  # a missing argument: the command line's fault
    text = " ".join(res.output.split())
    assert (
        res.exit_code == 2
        and "missing a required argument: 'path'; it takes path, batch_size, shuffle" in text
    )
