"""`tfdoctor pipeline` on a pipeline that never yields: the probe line says it stopped on
time, what it was waiting for and which finding says why; the exit code fails the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.io.writer import write_tfrecord

PIPELINE = """
import tensorflow as tf

def make(folder):
    files = tf.data.Dataset.list_files(folder + "/*.tfrecord").repeat()
    return files.interleave(tf.data.TFRecordDataset, cycle_length=2).batch(4).prefetch(1)
"""


def test_the_probe_line_says_it_stopped_on_time_and_why(tf: Any, tmp_path: Path) -> None:
    for i in range(2):
        write_tfrecord(tmp_path / f"empty-{i}.tfrecord", [])
    script = tmp_path / "train.py"
    script.write_text(PIPELINE)
    res = CliRunner().invoke(
        app, ["pipeline", f"{script}:make", "--arg", f"folder={tmp_path}", "--seconds", "1"]
    )
    assert res.exit_code == 1, res.output
    text = " ".join(res.output.split())  # the terminal wraps long lines
    assert "Probe: 0 batch(es), 0 elements in " in text
    assert "; stopped on time (the 1s cap), waiting " in text
    assert "for batch 1; why: see TFD105." in text
    assert "error TFD105 empty-input step 4 `interleave(TFRecordDataset)`" in text
    assert "`repeat()` (step 3 of 6) over them never yields an element" in text
