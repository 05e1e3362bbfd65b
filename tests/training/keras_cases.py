"""Tiny real Keras models and tf.data datasets that train in about a second: a healthy one
and one per planted fault, for the callback and TensorBoard log tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tfdoctor.config import Config, Thresholds

N, SIDE, CLASSES, BATCH = 512, 8, 4, 16
# short windows so that a few epochs of 32 steps are judged (defaults: 50 steps, 200 for TFD801)
CONFIG = Config(thresholds=Thresholds(watch_steps=10, flat_loss_steps=60))


def data(
    seed: int = 0,
    *,
    constant: bool = False,
    majority: float | None = None,
    signal: bool = False,
    inf_batch: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Images whose brightness tells the class (learnable), or blank images (a parse
    default); with `majority`, one class holds that share of the labels, and the images
    tell the class only with `signal`."""
    rng = np.random.default_rng(seed)
    if majority is None:
        y = rng.integers(0, CLASSES, N)
    else:
        y = np.where(rng.random(N) < majority, 0, 1)  # class 1 the rest
    x = rng.random((N, SIDE, SIDE, 1)).astype("float32")
    if majority is None or signal:
        x = 0.2 * x + (0.8 * y)[:, None, None, None].astype("float32")
    if constant:
        x[:] = 0.0
    if inf_batch is not None:
        x[inf_batch * BATCH + 3, 2, 2, 0] = np.inf
    return x, y.astype("int64")


def dataset(tf: Any, arrays: tuple[np.ndarray, np.ndarray]) -> Any:
    return tf.data.Dataset.from_tensor_slices(arrays).batch(BATCH)


def model(keras: Any, learning_rate: float = 0.01, *, cnn: bool = False, activation: str = "relu") -> Any:
    """Seeded by its initializers, not by a global seed: `keras.utils.set_random_seed` would
    set TensorFlow's global seed for every later test in the process (TFD402 reads it)."""
    layers = keras.layers

    def init(seed: int) -> dict[str, Any]:
        return {"kernel_initializer": keras.initializers.GlorotUniform(seed=seed)}

    body = (
        [layers.Conv2D(8, 3, activation="relu", **init(1)), layers.MaxPooling2D(), layers.Flatten()]
        if cnn
        else [layers.Flatten()]
    )
    m = keras.Sequential(
        [
            keras.Input((SIDE, SIDE, 1)),
            *body,
            layers.Dense(16, activation=activation, **init(2)),
            layers.Dense(CLASSES, activation="softmax", **init(3)),
        ]
    )
    m.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def fit(
    tf: Any,
    keras: Any,
    arrays: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 4,
    learning_rate: float = 0.01,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    log_dir: Path | None = None,
    keras_log_dir: Path | None = None,
    stop_on: str | None = None,
    cnn: bool = False,
    doctor: bool = True,
) -> tuple[Any, Any]:
    """Train with the callback (unless not `doctor`); (callback or None, history)."""
    from tfdoctor.keras import DoctorCallback

    train = dataset(tf, arrays)
    val = dataset(tf, validation) if validation is not None else None
    callback = DoctorCallback(train, validation_data=val, log_dir=log_dir, stop_on=stop_on, config=CONFIG)
    callbacks = [callback] if doctor else []
    if keras_log_dir is not None:
        callbacks.append(keras.callbacks.TensorBoard(str(keras_log_dir)))
    m = model(keras, learning_rate, cnn=cnn)
    history = m.fit(train, epochs=epochs, validation_data=val, verbose=0, callbacks=callbacks)
    return callback, history


def codes(findings: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.code] = out.get(f.code, 0) + 1
    return out
