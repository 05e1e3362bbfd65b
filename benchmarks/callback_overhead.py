"""Overhead of `DoctorCallback` on the step time of a small CNN, with and without it in the
same process, alternating, on the same model and data.

    python benchmarks/callback_overhead.py [--steps 200] [--epochs 3] [--repeats 3] [--batch 64]

The model: Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Dense(128) -> Dense(10) on 32x32x3
inputs (about 0.3 M parameters). Each fit runs `--epochs` epochs of `--steps` steps; the
first epoch of each fit is left out (tracing, the callback's probe batches), so the ratio is
the steady-state step time. The callback runs with its defaults (a window of 50 steps).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    from tfdoctor.config import Config
    from tfdoctor.keras import DoctorCallback

    rng = np.random.default_rng(0)
    n = args.steps * args.batch
    y = rng.integers(0, 10, n)
    x = (0.5 * rng.random((n, 32, 32, 3)) + 0.05 * y[:, None, None, None]).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(4096).batch(args.batch).prefetch(2)
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

    class EpochTimer(keras.callbacks.Callback):  # type: ignore[misc]
        """Epoch wall times; overrides no batch hook, so Keras' async dispatch stays on."""

        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.times.append(time.perf_counter() - self._start)

    def run(doctor: bool) -> tuple[float, float]:
        timer = EpochTimer()
        callbacks: list[Any] = [timer]
        callback = DoctorCallback(ds, config=Config()) if doctor else None
        if callback is not None:
            callbacks.insert(0, callback)
        model.fit(ds, epochs=args.epochs, verbose=0, callbacks=callbacks)
        step = statistics.median(timer.times[1:]) / args.steps
        return step, callback.seconds if callback is not None else 0.0

    run(False)  # tracing and warm-up
    plain: list[float] = []
    watched: list[float] = []
    spent: list[float] = []
    for _ in range(args.repeats):
        plain.append(run(False)[0])
        step, seconds = run(True)
        watched.append(step)
        spent.append(seconds)
    p, w = statistics.median(plain), statistics.median(watched)
    params = model.count_params()
    print(f"device: {tf.config.list_physical_devices('GPU') or 'CPU'}")
    print(f"small CNN, {params:,} parameters, batch {args.batch}, {args.steps} steps/epoch")
    runs = ", ".join(f"{v * 1e3:.2f}" for v in plain)
    print(f"step time without the callback: {p * 1e3:.2f} ms (runs: {runs})")
    runs = ", ".join(f"{v * 1e3:.2f}" for v in watched)
    print(f"step time with the callback:    {w * 1e3:.2f} ms (runs: {runs})")
    print(f"ratio with/without: {w / p:.4f} (overhead {100 * (w / p - 1):+.2f}%)")
    total = args.epochs * args.steps
    print(f"time inside the callback per fit: {statistics.median(spent):.3f} s over {total} steps "
          f"({1e3 * statistics.median(spent) / total:.3f} ms/step, its start included)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
