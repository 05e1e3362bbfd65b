"""`load_model`: a saved .keras file, `file.py:make_model` with keyword arguments, and a
clear ModelError (what and where) for everything that does not give a model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfdoctor.model.load import ModelError, load_model
from tfdoctor.model.read import model_facts

MODEL_PY = """
import keras

def make_model(units=3):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    return model

MODEL = make_model(2)

def broken():
    raise RuntimeError("no GPU")

def not_a_model():
    return 42
"""


def test_a_function_in_a_file_is_called_with_its_arguments(tf: Any, tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(MODEL_PY)
    model = load_model(f"{tmp_path / 'train.py'}:make_model", {"units": 5})
    assert model_facts(model).outputs[0].units == 5
    assert model_facts(load_model(f"{tmp_path / 'train.py'}:MODEL", {})).outputs[0].units == 2  # an object


def test_a_saved_keras_file_loads_compiled(tf: Any, tmp_path: Path) -> None:
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Rescaling(0.5), keras.layers.Dense(3)])
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.save(tmp_path / "m.keras")
    facts = model_facts(load_model(str(tmp_path / "m.keras"), {}))
    assert (facts.outputs[0].loss, facts.outputs[0].from_logits) == ("sparse_categorical_crossentropy", True)
    assert [p.kind for p in facts.preprocessing] == ["Rescaling"]


def test_a_saved_lambda_is_refused_with_the_way_out(tf: Any, tmp_path: Path) -> None:
    import keras

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Lambda(lambda x: x / 255.0), keras.layers.Dense(3)]
    )
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ModelError, match=r"lambda\.keras: Keras could not load it: .*file\.py:make_model"):
        load_model(str(tmp_path / "lambda.keras"), {})
    assert load_model(str(tmp_path / "lambda.keras"), {"safe_mode": False}) is not None


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{dir}/missing.keras", r"missing\.keras: no such file"),
        ("{dir}/missing.py:make_model", r"missing\.py: no such file"),
        ("{dir}/train.py:nothing", r"train\.py has no attribute 'nothing'"),
        ("{dir}/train.py:broken", r"train\.py:broken\(\) raised RuntimeError: no GPU"),
        ("{dir}/train.py:not_a_model", r"returned int, not a keras\.Model"),
        ("{dir}/syntax.py:make_model", r"syntax\.py: importing it raised SyntaxError"),
        ("no_such_module_xyz:make_model", r"no_such_module_xyz: cannot import: ModuleNotFoundError"),
        ("model_without_colon", r"use a saved model \(\.keras, \.h5\), file\.py:function"),
        ("{dir}/garbage.keras", r"garbage\.keras: Keras could not load it"),
    ],
)
def test_what_does_not_give_a_model_is_a_model_error(
    tf: Any, tmp_path: Path, target: str, message: str
) -> None:
    (tmp_path / "train.py").write_text(MODEL_PY)
    (tmp_path / "syntax.py").write_text("def make_model(:\n")
    (tmp_path / "garbage.keras").write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match=message):
        load_model(target.format(dir=tmp_path), {})
