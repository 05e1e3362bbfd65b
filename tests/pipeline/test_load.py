"""Loading the user's targets: a file that holds both the pipeline and the model is imported
once, so its top level (which may open files, parse flags, seed things) runs once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tfdoctor.model.load import load_model
from tfdoctor.pipeline.load import build, target_source

BOTH = """
from pathlib import Path
import keras
import tensorflow as tf

with open(Path(__file__).with_suffix(".runs"), "a") as runs:
    runs.write("ran\\n")

def make_dataset():
    return tf.data.Dataset.range(8).batch(2)

def make_model():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
"""


def test_the_pipeline_and_the_model_of_one_file_import_it_once(tf: Any, tmp_path: Path) -> None:
    script = tmp_path / "both.py"
    script.write_text(BOTH)
    dataset = build(f"{script}:make_dataset", {})
    model = load_model(f"{script}:make_model", {})
    assert list(dataset.as_numpy_iterator())[0].tolist() == [0, 1] and model.output_shape == (None, 1)
    assert (tmp_path / "both.runs").read_text() == "ran\n"


def test_target_source() -> None:
    assert target_source("train.py:make") == "train.py:make"
    assert target_source("json.decoder:scanstring") is not None  # imported here: its file
    assert target_source("not_imported_anywhere_pkg.mod:f") is None
