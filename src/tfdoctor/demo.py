"""The built-in demo: three shards with planted faults and a training script whose parse
spec does not fit them, so `tfdoctor demo` shows what tfdoctor finds in one command."""

from __future__ import annotations

import io
import logging
import math
import random
import warnings
from pathlib import Path
from typing import Any

from PIL import Image

from .io.tfrecord import HEADER_BYTES
from .io.writer import write_tfrecord
from .proto.build import example

RECORDS_PER_SHARD = 400
CLASSES = 5
CORRUPT_RECORD = 100  # in the third shard


def _record(rng: random.Random, label: int, index: int) -> bytes:
    age = float("nan") if index % 97 == 13 else rng.uniform(18, 90)
    side = 10 if index % 40 == 7 else 8  # planted: 1 image in 40 is 10x10, the rest 8x8
    png = io.BytesIO()
    Image.frombytes("L", (side, side), bytes(rng.randrange(256) for _ in range(side * side))).save(png, "PNG")
    features = {
        "image": png.getvalue(),
        "pixels": [rng.random() + label for _ in range(16)],
        "label": label,
        "age": age,
        "tokens": [rng.randrange(1000) for _ in range(1 + index % 8)],  # 1 to 8 values
        "source": b"web",  # planted: constant in every record
        "boxes": ("float", []),  # planted: present, never filled
    }
    if index % 12 == 5:
        del features["age"]  # planted: missing in 1 record of 12
    return example(features)


DEMO_SCRIPT = '''"""Training script of the tfdoctor demo. Its parse spec does not fit the data.
tfdoctor reads this file with `ast`; it never runs it."""

import tensorflow as tf

FEATURES = {
    "pixels": tf.io.FixedLenFeature([], tf.float32),  # 16 values are stored
    "labels": tf.io.FixedLenFeature([], tf.int64, default_value=0),  # the stored key is 'label'
    "age": tf.io.FixedLenFeature([], tf.float32, default_value=0.0),  # some records lack it
    "tokens": tf.io.FixedLenFeature([4], tf.int64),  # 1 to 8 tokens are stored
    "source": tf.io.FixedLenFeature([], tf.int32),  # the parser takes no int32; bytes are stored
}


def parse(serialized):
    return tf.io.parse_single_example(serialized, FEATURES)


def make_dataset(pattern, batch_size=32):
    files = tf.io.gfile.glob(pattern)
    return tf.data.TFRecordDataset(files).map(parse).shuffle(10_000).batch(batch_size)


if __name__ == "__main__":
    raise SystemExit("the demo script is not meant to be run")
'''


DEMO_PIPELINE = '''"""Input pipeline of the tfdoctor demo. Its bugs raise no error; training would just not
learn. `tfdoctor pipeline` imports this file and calls make_dataset."""

import tensorflow as tf

FEATURES = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}


def parse(serialized):
    example = tf.io.parse_single_example(serialized, FEATURES)
    image = tf.io.decode_png(example["image"], channels=1)
    image = tf.reshape(image, [8, 8, 1])  # some stored images are 10x10
    return tf.cast(image, tf.float32) / 255.0, example["label"]


def augment(image, label):
    return tf.image.random_flip_left_right(image), label


def make_dataset(data_dir, batch_size=32):
    files = sorted(tf.io.gfile.glob(data_dir + "/*.tfrecord"))
    dataset = tf.data.TFRecordDataset(files).map(parse).map(augment)
    dataset = dataset.cache()  # after the random flip: every epoch sees the same flips
    dataset = dataset.batch(batch_size).shuffle(100, seed=7)  # shuffles whole batches
    return dataset.ignore_errors()  # and the reshape errors vanish
'''


def write_demo_pipeline(path: str | Path) -> Path:
    """Write the demo's input pipeline (a cache after a random flip, a shuffle after batch,
    a reshape that some images do not fit, hidden by ignore_errors)."""
    path = Path(path)
    path.write_text(DEMO_PIPELINE)
    return path


DEMO_TIMESERIES = '''"""Time-series pipeline of the tfdoctor demo: windows of 24 readings to predict the next.
It shuffles the readings before cutting the windows, so each window mixes unrelated hours."""

import tensorflow as tf

FEATURES = {"timestamp": tf.io.FixedLenFeature([], tf.int64), "value": tf.io.FixedLenFeature([], tf.float32)}


def parse(serialized):
    example = tf.io.parse_single_example(serialized, FEATURES)
    return example["value"]


def make_dataset(path, window=24, batch_size=16):
    readings = tf.data.TFRecordDataset(path).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    readings = readings.shuffle(10_000)  # before windowing: the time order is gone
    windows = readings.window(window + 1, shift=1, drop_remainder=True)
    windows = windows.flat_map(lambda w: w.batch(window + 1))
    pairs = windows.map(lambda w: (w[:-1], w[-1:]), num_parallel_calls=tf.data.AUTOTUNE)
    return pairs.batch(batch_size).prefetch(tf.data.AUTOTUNE)
'''


def write_demo_timeseries(folder: str | Path) -> tuple[Path, Path]:
    """Write an hourly sensor series (records in time order) and the demo's time-series
    pipeline; returns (data file, pipeline file)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "sensor.tfrecord"
    rng = random.Random(11)
    hours = range(24 * 30)
    values = [math.sin(i / 24 * 2 * math.pi) + rng.gauss(0, 0.1) for i in hours]
    write_tfrecord(
        data, [example({"timestamp": 1_700_000_000 + 3600 * i, "value": values[i]}) for i in hours]
    )
    script = folder / "timeseries.py"
    script.write_text(DEMO_TIMESERIES)
    return data, script


def write_demo_script(path: str | Path) -> Path:
    """Write the demo's training script (with its buggy parse spec)."""
    path = Path(path)
    path.write_text(DEMO_SCRIPT)
    return path


def write_demo(folder: str | Path, seed: int = 7) -> list[Path]:
    """Write the demo shards into folder; returns their paths."""
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"train-{i:05d}-of-00003.tfrecord" for i in range(3)]
    shuffled = [rng.randrange(CLASSES) for _ in range(RECORDS_PER_SHARD)]
    ordered = sorted(rng.randrange(CLASSES) for _ in range(RECORDS_PER_SHARD))  # planted: sorted
    third = [rng.randrange(CLASSES) for _ in range(RECORDS_PER_SHARD)]
    offset = 0
    for path, labels in zip(paths, (shuffled, ordered, third)):
        records = [_record(rng, label, offset + i) for i, label in enumerate(labels)]
        offset += len(labels)
        write_tfrecord(path, records)
    # planted: flip one byte inside the data of one record of the third shard
    data = bytearray(paths[2].read_bytes())
    pos = 0
    for _ in range(CORRUPT_RECORD):
        length = int.from_bytes(data[pos : pos + 8], "little")
        pos += HEADER_BYTES + length + 4
    data[pos + HEADER_BYTES + 5] ^= 0xFF
    paths[2].write_bytes(bytes(data))
    return paths


def train_demo_model(dataset: Any, log_dir: str | Path, epochs: int = 4) -> Any:
    """Train a tiny model on the demo pipeline for a few seconds, watched by the callback and
    logged by Keras' TensorBoard callback into `log_dir`. It cannot learn: the demo's images
    say nothing of their labels. Returns the callback (its findings). Needs TensorFlow."""
    import keras

    from .config import Config, Thresholds
    from .training.callback import DoctorCallback

    # windows short enough for a few epochs of about 40 steps (the defaults watch 200 steps)
    config = Config(thresholds=Thresholds(watch_steps=10, flat_loss_steps=60))
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(CLASSES, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    doctor = DoctorCallback(dataset, log_dir=log_dir, config=config)
    board = keras.callbacks.TensorBoard(str(log_dir))
    logger = logging.getLogger("tfdoctor")
    quiet, logger.disabled = logger.disabled, True  # the demo renders the findings itself
    try:
        with warnings.catch_warnings():  # Keras warns when ignore_errors() ends an epoch early
            warnings.simplefilter("ignore")
            model.fit(dataset, epochs=epochs, verbose=0, callbacks=[doctor, board])
    finally:
        logger.disabled = quiet
    return doctor
