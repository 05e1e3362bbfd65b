"""TFD703, TFD704, TFD706 on real models and real pipelines, with the proof that training
really fails: the buggy pair makes the rule fire and `model.fit` stops, or trains a few epochs
without the loss or the predictions moving; the fixed twin is silent and learns.
Tiny data (256 examples of 8 features, 4 classes), a second or two per fit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.findings import Finding, Severity

EPOCHS = 6


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    return x, x[:, :4].argmax(axis=1).astype("int64")  # 4 classes a small network learns at once


def classifier(units: int, activation: str | None, loss: Any) -> Any:
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,), name="x"), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(units, activation=activation, name="out")])  # fmt: skip
    model.compile(keras.optimizers.Adam(0.05), loss, metrics=["accuracy"])
    return model


def pipeline(tf: Any, x: np.ndarray, y: np.ndarray) -> Any:
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=0).batch(32)


def found(dataset: Any, model: Any, code: str) -> list[Finding]:
    result = tfdoctor.audit(dataset, model=model, batches=3, seconds=30, config=Config(select=("TFD7",)))
    assert result.rule_errors == []
    return [f for f in result.findings if f.code == code]


def losses(model: Any, dataset: Any) -> list[float]:
    return [float(v) for v in model.fit(dataset, epochs=EPOCHS, verbose=0).history["loss"]]


def test_tfd703_class_ids_broadcast_into_mse_do_not_learn(tf: Any) -> None:
    """Class ids of shape (batch, 1) into mse over 4 softmax units: Keras broadcasts each id
    against every unit, raises nothing, and the loss stays flat; the same ids into sparse
    categorical crossentropy learn."""
    x, y = data()
    ds = pipeline(tf, x, y[:, None].astype("float32"))
    buggy = classifier(4, "softmax", "mse")
    (f,) = found(ds, buggy, "TFD703")
    assert f.severity == Severity.ERROR and "broadcast against all 4 outputs" in f.message
    flat = losses(buggy, ds)
    assert abs(flat[-1] - flat[0]) / flat[0] < 0.02, flat  # measured: 2.7999 -> 2.7949

    fixed = classifier(4, "softmax", "sparse_categorical_crossentropy")
    assert found(ds, fixed, "TFD703") == []
    learned = losses(fixed, ds)
    assert learned[-1] < 0.5 * learned[0], learned


def test_tfd703_one_hot_into_a_sparse_loss_and_ids_into_a_categorical_one_stop_fit(tf: Any) -> None:
    """Keras 3 refuses both at the first batch with a rank or shape error that names the loss;
    the rule says which labels and which loss, before training starts."""
    x, y = data()
    one_hot = pipeline(tf, x, np.eye(4, dtype="float32")[y])
    sparse_loss = classifier(4, "softmax", "sparse_categorical_crossentropy")
    (f,) = found(one_hot, sparse_loss, "TFD703")
    assert "one-hot rows" in f.message
    with pytest.raises(ValueError, match="rank"):
        sparse_loss.fit(one_hot, epochs=1, verbose=0)
    ids = pipeline(tf, x, y)
    categorical = classifier(4, "softmax", "categorical_crossentropy")
    (f,) = found(ids, categorical, "TFD703")
    assert "class ids" in f.message
    with pytest.raises(ValueError, match="same rank"):
        categorical.fit(ids, epochs=1, verbose=0)

    fixed = classifier(4, "softmax", "categorical_crossentropy")
    assert found(one_hot, fixed, "TFD703") == []
    learned = losses(fixed, one_hot)
    assert learned[-1] < 0.5 * learned[0], learned


def test_tfd704_labels_1_to_4_into_4_units(tf: Any) -> None:
    """On CPU TensorFlow stops fit at the first batch holding the label 4 (the op Keras's
    TensorFlow backend runs for the loss); labels 0..3 learn."""
    x, y = data()
    shifted = pipeline(tf, x, y + 1)
    model = classifier(4, "softmax", "sparse_categorical_crossentropy")
    (f,) = found(shifted, model, "TFD704")
    assert (f.severity, f.numbers["min"], f.numbers["max"], f.numbers["measured"]) == (
        Severity.ERROR,
        1,
        4,
        True,
    )
    assert f.fix is not None and "count from 1" in f.fix.text
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range of \\[0, 4\\)"):
        model.fit(shifted, epochs=1, verbose=0)
    # on GPU (none here) the same op raises nothing: TensorFlow documents NaN rows instead
    documented = " ".join((tf.nn.sparse_softmax_cross_entropy_with_logits.__doc__ or "").split())
    assert (
        "raise an exception when this op is run on CPU, and return `NaN` for corresponding loss" in documented
    )

    fixed = pipeline(tf, x, y)
    assert found(fixed, model, "TFD704") == []
    learned = losses(classifier(4, "softmax", "sparse_categorical_crossentropy"), fixed)
    assert learned[-1] < 0.5 * learned[0], learned


def test_tfd706_softmax_over_one_unit_never_moves_its_predictions(tf: Any) -> None:
    """Softmax over one unit is 1.0 for every input before and after training (the TensorFlow
    backend still lowers the binary crossentropy through the logits, so the loss is no
    guide); a sigmoid unit learns the same task."""
    x, y = data()
    binary = (y == 0).astype("float32")[:, None]
    ds = pipeline(tf, x, binary)
    buggy = classifier(1, "softmax", "binary_crossentropy")
    (f,) = found(ds, buggy, "TFD706")
    assert f.severity == Severity.ERROR and "softmax over one unit" in f.message
    losses(buggy, ds)
    assert np.all(buggy.predict(x, verbose=0) == 1.0)  # every prediction, after training

    fixed = classifier(1, "sigmoid", "binary_crossentropy")
    assert found(ds, fixed, "TFD706") == []
    losses(fixed, ds)
    predicted = fixed.predict(x, verbose=0)[:, 0]
    assert predicted.std() > 0.2 and np.mean((predicted > 0.5) == (binary[:, 0] == 1)) > 0.9


def test_tfd706_a_categorical_loss_over_one_unit_is_zero_from_the_start(tf: Any) -> None:
    x, y = data()
    ds = pipeline(tf, x, (y == 0).astype("float32")[:, None])
    buggy = classifier(1, "sigmoid", "categorical_crossentropy")
    (f,) = found(ds, buggy, "TFD706")
    assert "over one class is 0" in f.message
    assert losses(buggy, ds) == [0.0] * EPOCHS
