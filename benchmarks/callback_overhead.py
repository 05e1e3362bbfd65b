"""Overhead of `DoctorCallback` on the step time of a small CNN, with and without it in the
same process, alternating, on the same model and data.

    python benchmarks/callback_overhead.py [--steps 200] [--epochs 3] [--repeats 4] [--batch 64]

The model: Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Dense(128) -> Dense(10) on 32x32x3
inputs (about 0.3 M parameters). Each fit runs `--epochs` epochs of `--steps` steps; the
first epoch of each fit is left out (tracing, the callback's probe batches), so the ratio is
the steady-state step time, in wall time and in this process's CPU time (steadier on a shared
machine). A third arm has an empty `on_train_batch_end` hook: any callback with one makes
Keras run the batch-end callbacks in step (no async dispatch), so it separates that cost from
the callback's own work. The callback runs with its defaults (a window of 50 steps).
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
    parser.add_argument("--repeats", type=int, default=4)
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

        def __init__(self, doctor: Any = None) -> None:
            super().__init__()
            self.doctor = doctor
            # (wall, CPU of this process, time inside the doctor) per epoch
            self.times: list[tuple[float, float, float]] = []

        def _now(self) -> tuple[float, float, float]:
            inside = self.doctor.seconds if self.doctor is not None else 0.0
            return time.perf_counter(), time.process_time(), inside

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start = self._now()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            end = self._now()
            self.times.append((end[0] - self._start[0], end[1] - self._start[1], end[2] - self._start[2]))

    class BatchHook(keras.callbacks.Callback):  # type: ignore[misc]
        """Does nothing per batch: what any batch-end callback costs (Keras then syncs each step)."""

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            pass

    def run(arm: str) -> tuple[float, float, float]:
        """Seconds per step after the first epoch: wall, CPU, and inside the callback."""
        callback = DoctorCallback(ds, config=Config()) if arm == "doctor" else None
        timer = EpochTimer(callback)
        callbacks: list[Any] = [timer]
        if callback is not None:
            callbacks.insert(0, callback)
        if arm == "hook":
            callbacks.insert(0, BatchHook())
        model.fit(ds, epochs=args.epochs, verbose=0, callbacks=callbacks)
        wall = statistics.median(t[0] for t in timer.times[1:]) / args.steps
        cpu = statistics.median(t[1] for t in timer.times[1:]) / args.steps
        inside = statistics.median(t[2] for t in timer.times[1:]) / args.steps
        return wall, cpu, inside

    arms = ("plain", "hook", "doctor")
    run("plain")  # tracing and warm-up
    measured: dict[str, list[tuple[float, float, float]]] = {a: [] for a in arms}
    for r in range(args.repeats):
        for arm in arms if r % 2 == 0 else arms[::-1]:  # alternate the order against drifting load
            measured[arm].append(run(arm))
    print(f"device: {tf.config.list_physical_devices('GPU') or 'CPU'}")
    print(f"small CNN, {model.count_params():,} parameters, batch {args.batch}, {args.steps} steps/epoch")
    label = {"plain": "no callback", "hook": "an empty batch-end hook", "doctor": "DoctorCallback"}
    median = {
        a: (statistics.median(m[0] for m in v), statistics.median(m[1] for m in v))
        for a, v in measured.items()
    }
    for arm in arms:
        walls = ", ".join(f"{m[0] * 1e3:.2f}" for m in measured[arm])
        print(
            f"{label[arm]:>24}: wall {median[arm][0] * 1e3:.2f} ms/step (runs: {walls}), "
            f"CPU {median[arm][1] * 1e3:.2f} ms/step"
        )
    for unit, i in (("wall", 0), ("CPU", 1)):
        ratio = median["doctor"][i] / median["plain"][i]
        print(f"ratio with/without the callback ({unit}): {ratio:.4f} (overhead {100 * (ratio - 1):+.2f}%)")
    inside = statistics.median(m[2] for m in measured["doctor"])
    print(
        f"time inside the callback: {inside * 1e3:.3f} ms/step after the first epoch, "
        f"{100 * inside / median['plain'][0]:.2f}% of the step time without it (wall)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
