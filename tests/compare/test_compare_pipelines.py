"""`compare_audits`: the batches of a training and an evaluation tf.data pipeline, each
audited for real, judged together: one scales its images and the other does not, and the
evaluation images are of another size (TFD210, TFD211); one function on two halves of one
dataset: nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compare_pairs import planted_pair, shuffled_halves

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.findings import Severity


def pipeline(tf: Any, path: Path, *, scale: bool) -> Any:
    spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        image = tf.cast(tf.io.decode_png(ex["image"], channels=1), tf.float32)
        return (image / 255.0 if scale else image), ex["label"]

    return tf.data.TFRecordDataset(str(path)).map(parse).batch(16)


def test_one_pipeline_scaled_and_another_image_size(tf: Any, tmp_path: Path) -> None:
    train, evals = planted_pair(tmp_path, train=64, evals=64)
    audits = [
        tfdoctor.audit(pipeline(tf, path, scale=scale), batches=2, config=Config())
        for path, scale in ((train, True), (evals, False))
    ]
    found = tfdoctor.compare_audits(*audits, config=Config())
    assert {(f.code, f.where.tensor, f.severity) for f in found} == {
        ("TFD210", "[0]", Severity.ERROR),  # (16, 28, 28, 1) against (16, 64, 64, 1)
        ("TFD211", "[0]", Severity.WARNING),  # [0, 1] against [0, 255]
    }
    shape = next(f for f in found if f.code == "TFD210")
    assert shape.numbers == {"train_shape": [16, 28, 28, 1], "eval_shape": [16, 64, 64, 1]}


def test_one_pipeline_on_two_halves_reports_nothing(tf: Any, tmp_path: Path) -> None:
    a, b = shuffled_halves(tmp_path, records=128)
    audits = [tfdoctor.audit(pipeline(tf, path, scale=True), batches=2, config=Config()) for path in (a, b)]
    assert tfdoctor.compare_audits(*audits, config=Config()) == []


def test_no_batches_no_comparison(tf: Any, tmp_path: Path) -> None:
    train, evals = planted_pair(tmp_path, train=16, evals=16)
    audits = [tfdoctor.audit(pipeline(tf, p, scale=True), batches=0, config=Config()) for p in (train, evals)]
    assert tfdoctor.compare_audits(*audits, config=Config()) == []


PIPELINES = """
import tensorflow as tf

SPEC = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}


def _read(path, scale):
    def parse(serialized):
        ex = tf.io.parse_single_example(serialized, SPEC)
        image = tf.cast(tf.io.decode_png(ex["image"], channels=1), tf.float32)
        return (image / 255.0 if scale else image), ex["label"]

    return tf.data.TFRecordDataset(path).map(parse).batch(16)


def make_train(path):
    return _read(path, True)


def make_eval(path):
    return _read(path, False)
"""


def test_cli_pipeline_eval_compares_the_two_pipelines_batches(tf: Any, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from tfdoctor.cli import app

    train, evals = planted_pair(tmp_path / "data", train=64, evals=64)
    script = tmp_path / "pipelines.py"
    script.write_text(PIPELINES)
    command = ["pipeline", f"{script}:make_train", "--arg", f"path={train}", "--batches", "2", "--json"]
    alone = CliRunner().invoke(app, command)
    codes = {f["code"] for f in json.loads(alone.stdout)["findings"]}
    assert not codes & {"TFD210", "TFD211"}
    run = CliRunner().invoke(app, [*command, "--eval", f"{script}:make_eval", "--eval-arg", f"path={evals}"])
    found = [(f["code"], f["where"].get("tensor")) for f in json.loads(run.stdout)["findings"]]
    assert ("TFD210", "[0]") in found and ("TFD211", "[0]") in found
    assert run.exit_code == 1  # the shape skew is an error
