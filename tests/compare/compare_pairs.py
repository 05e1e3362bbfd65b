"""Generated train/eval pairs for the compare tests: real TFRecord files of Examples with
PNG images, written by tfdoctor's own writer (no TensorFlow needed)."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image

from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def png(rng: random.Random, side: int) -> bytes:
    data = io.BytesIO()
    Image.frombytes("L", (side, side), bytes(rng.randrange(256) for _ in range(side * side))).save(
        data, "PNG"
    )
    return data.getvalue()


def record(
    rng: random.Random,
    *,
    side: int = 28,
    classes: int = 5,
    scale: float = 1.0,
    mean_name: str = "pixels_mean",
) -> bytes:
    label = rng.randrange(classes)
    return example(
        {
            "image": png(rng, side),
            "label": label,
            "brightness": rng.random() * scale,
            mean_name: rng.gauss(0.5, 0.1),
            "source": rng.choice([b"camera", b"scanner", b"phone"]),
        }
    )


def planted_pair(folder: Path, train: int = 600, evals: int = 300, seed: int = 3) -> tuple[Path, Path]:
    """Train: 28x28 images, labels 0-4, brightness in [0, 1], 'pixels_mean'. Eval: 64x64
    images, labels 0-3 (4 missing), brightness scaled by 255, 'pixels_mean' renamed
    'pixel_mean'."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    write_tfrecord(folder / "train.tfrecord", [record(rng) for _ in range(train)])
    write_tfrecord(
        folder / "eval.tfrecord",
        [record(rng, side=64, classes=4, scale=255.0, mean_name="pixel_mean") for _ in range(evals)],
    )
    return folder / "train.tfrecord", folder / "eval.tfrecord"


def shuffled_halves(folder: Path, records: int = 1000, seed: int = 5) -> tuple[Path, Path]:
    """One dataset, shuffled, split in two halves."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    payloads = [record(rng) for _ in range(records)]
    rng.shuffle(payloads)
    write_tfrecord(folder / "a.tfrecord", payloads[: records // 2])
    write_tfrecord(folder / "b.tfrecord", payloads[records // 2 :])
    return folder / "a.tfrecord", folder / "b.tfrecord"
