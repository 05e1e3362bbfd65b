"""TensorBoard: the callback's measures and findings read back from the event files it
wrote (by tfdoctor's own reader and by TensorBoard's), the reader against TensorFlow's own
Event protos, and the callback without TensorBoard installed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from keras_cases import data, fit

from tfdoctor.io.tfrecord import Record, TFRecordReader
from tfdoctor.training.events import event_values, read_event_file
from tfdoctor.training.logs import event_files

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def keras(tf: Any) -> Any:
    return pytest.importorskip("keras")


def test_measures_and_findings_land_in_the_run(tf: Any, keras: Any, tmp_path: Path) -> None:
    callback, _ = fit(tf, keras, data(constant=True), log_dir=tmp_path, keras_log_dir=tmp_path)
    (own,) = event_files(tmp_path / "tfdoctor")
    values = read_event_file(own).values
    scalars = {v.tag for v in values if v.number is not None}
    assert {"tfdoctor/update_ratio", "tfdoctor/prediction_spread", "tfdoctor/window_loss"} <= scalars
    assert {"tfdoctor/label_majority_rate", "tfdoctor/label_entropy"} <= scalars
    spreads = [v.number for v in values if v.tag == "tfdoctor/prediction_spread"]
    assert len(spreads) == 12 and set(spreads) == {0.0}  # 128 steps, a window of 10: blank images
    texts = [v.text for v in values if v.tag == "tfdoctor/findings"]
    assert len(texts) == len(callback.findings) and any(
        "**error TFD801 flat-loss**" in (t or "") for t in texts
    )
    # the plugin metadata TensorBoard needs, written once per tag
    assert {v.plugin for v in values if v.tag == "tfdoctor/update_ratio" and v.plugin} == {"scalars"}
    assert {v.plugin for v in values if v.tag == "tfdoctor/findings" and v.plugin} == {"text"}
    # Keras' own runs sit beside it
    assert (tmp_path / "train").is_dir() and (tmp_path / "validation").exists() is False


def test_tensorboard_reads_them_as_scalars_and_text(tf: Any, keras: Any, tmp_path: Path) -> None:
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    fit(tf, keras, data(constant=True), log_dir=tmp_path, epochs=2)
    acc = accumulator.EventAccumulator(str(tmp_path / "tfdoctor"), size_guidance={"tensors": 0})
    acc.Reload()
    tags = acc.Tags()["tensors"]
    assert "tfdoctor/update_ratio" in tags and "tfdoctor/findings" in tags
    plugins = {tag: acc.SummaryMetadata(tag).plugin_data.plugin_name for tag in tags}
    assert plugins["tfdoctor/update_ratio"] == "scalars" and plugins["tfdoctor/findings"] == "text"
    texts = [tf.make_ndarray(e.tensor_proto).item().decode() for e in acc.Tensors("tfdoctor/findings")]
    assert any("TFD803 constant-predictions" in t for t in texts)


def test_reader_agrees_with_tensorflow_event_protos(tf: Any, tmp_path: Path) -> None:
    """Scalars as TensorBoard writes them (float32 tensors), doubles, ints, text, and a
    legacy simple_value: tfdoctor's wire reader against TensorFlow's generated classes."""
    from tensorflow.core.framework import summary_pb2
    from tensorflow.core.util import event_pb2

    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.scalar("loss", 0.25, step=3)
        tf.summary.scalar("loss", float("nan"), step=4)
        tf.summary.text("note", "hello **world**", step=5)
        tf.summary.write("double", tf.constant(2.5, tf.float64), step=6)
        tf.summary.write("count", tf.constant(-7, tf.int64), step=7)
        tf.summary.write("half", tf.constant(1.5, tf.float16), step=8)
    writer.close()
    (path,) = event_files(tmp_path)
    with open(path, "rb") as fh:
        payloads = [r.payload for r in TFRecordReader(fh) if isinstance(r, Record)]
    legacy = event_pb2.Event(
        step=9, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="old", simple_value=0.5)])
    )
    payloads.append(legacy.SerializeToString())
    ours = [(v.step, v.tag, v.number, v.text) for p in payloads for v in event_values(p)]
    theirs = []
    for p in payloads:
        event = event_pb2.Event.FromString(p)
        for value in event.summary.value:
            if value.HasField("tensor"):
                item = tf.make_ndarray(value.tensor).item()
                number, text = (None, item.decode()) if isinstance(item, bytes) else (float(item), None)
            else:
                number, text = float(value.simple_value), None
            theirs.append((event.step, value.tag, number, text))
    assert json.dumps(ours) == json.dumps(theirs)  # NaN compares equal as text
    assert [t for _, t, _, _ in ours] == ["loss", "loss", "note", "double", "count", "half", "old"]


def test_damaged_event_files_are_problems_not_tracebacks(tmp_path: Path) -> None:
    from tfdoctor.io.tfrecord import frame

    (tmp_path / "events.out.tfevents.1.garbage").write_bytes(frame(b"\x0a\xff\xff") + b"\x00" * 5)
    read = read_event_file(tmp_path / "events.out.tfevents.1.garbage")
    assert read.values == () and len(read.problems) == 1 and "not an Event" in read.problems[0]


def test_without_tensorboard_the_callback_says_so_once_and_still_writes(tmp_path: Path) -> None:
    """TensorFlow 2.21 does not install TensorBoard: `tf.summary.scalar` raises then, and the
    callback (which writes through `tf.summary.write`) still logs, saying so once."""
    code = textwrap.dedent(
        f"""
        import logging, sys
        sys.modules["tensorboard"] = None  # as if not installed
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        logging.basicConfig(level=logging.INFO, format="LOG %(message)s")
        import tensorflow as tf, keras
        from keras_cases import data, fit
        with tf.summary.create_file_writer({str(tmp_path / "plain")!r}).as_default():
            try:
                tf.summary.scalar("x", 1.0, step=0)
            except Exception as exc:
                print("SCALAR RAISES", type(exc).__name__)
        fit(tf, keras, data(), log_dir={str(tmp_path)!r}, epochs=1)
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "SCALAR RAISES TBNotInstalledError" in run.stdout
    said = [line for line in run.stderr.splitlines() if "TensorBoard is not installed" in line]
    assert len(said) == 1 and "pip install tfdoctor[keras]" in said[0]
    (own,) = event_files(tmp_path / "tfdoctor")
    assert any(v.tag == "tfdoctor/update_ratio" for v in read_event_file(own).values)
