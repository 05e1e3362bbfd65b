"""Labels 1..N one-hot encoded with depth N: the files as tensorflow/models:
research/inception/inception/data/build_image_data.py writes them (`label_index` starts at 1,
0 being kept for a background class), read by a user's pipeline that one-hot encodes the
label with the number of classes in labels.txt. The trap is the one
https://github.com/tensorflow/models/pull/1247 documents ("my network failed to converge ...
in my 3 classes dataset, my labels of [3 2 2 1] are converted to ... [0 0 0]").

The writer: `image/encoded` (JPEG), `image/class/label` 1..3, `image/class/text`, height,
width, colorspace, channels, format, filename; images shuffled before writing.

The reader: parse, `decode_jpeg(channels=3)`, resize, scale to [0, 1],
`tf.one_hot(label, NUM_CLASSES)` with NUM_CLASSES = 3, shuffle, batch.

Buggy: every image of class 3 gets an all-zero target. Expected: TFD607.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/models: research/inception/inception/data/build_image_data.py"
CORRECT = False
EXPECTED = ("TFD607",)

NUM_CLASSES, RECORDS = 3, 150


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(11)
    labels = rng.permutation(np.arange(RECORDS) % NUM_CLASSES) + 1  # label_index = 1
    texts = [b"daisy", b"roses", b"tulips"]
    with tf.io.TFRecordWriter(str(folder / "train-00000-of-00001")) as writer:
        for i, label in enumerate(labels):
            encoded = tf.io.encode_jpeg(rng.integers(0, 255, (36, 36, 3), dtype=np.uint8)).numpy()
            feature = {
                "image/height": tf.train.Feature(int64_list=tf.train.Int64List(value=[36])),
                "image/width": tf.train.Feature(int64_list=tf.train.Int64List(value=[36])),
                "image/colorspace": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"RGB"])),
                "image/channels": tf.train.Feature(int64_list=tf.train.Int64List(value=[3])),
                "image/class/label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(label)])),
                "image/class/text": tf.train.Feature(bytes_list=tf.train.BytesList(value=[texts[label - 1]])),
                "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"JPEG"])),
                "image/filename": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"%d.jpg" % i])),
                "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[encoded])),
            }
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    def parse(serialized: Any) -> Any:
        features = tf.io.parse_single_example(
            serialized,
            {
                "image/encoded": tf.io.FixedLenFeature([], tf.string),
                "image/class/label": tf.io.FixedLenFeature([], tf.int64),
            },
        )
        image = tf.io.decode_jpeg(features["image/encoded"], channels=3)
        image = tf.image.resize(image, [32, 32]) / 255.0
        return image, tf.one_hot(features["image/class/label"], NUM_CLASSES)

    files = tf.io.gfile.glob(str(folder / "train-*"))
    dataset = tf.data.TFRecordDataset(files).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    return {"dataset": dataset.shuffle(1000).batch(16).prefetch(tf.data.AUTOTUNE)}
