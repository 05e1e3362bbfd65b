"""A random flip cached with the data: the pipeline of the TensorFlow segmentation tutorial
(tensorflow/docs: site/en/tutorials/images/segmentation.ipynb, as it stood when
https://github.com/tensorflow/tensorflow/issues/47755 was filed, "Cached augmentation in
segmentation tutorial", and https://github.com/tensorflow/docs/pull/1097), reading the pets
from TFRecord files instead of TFDS.

The writer: Oxford-IIIT-Pet-like examples: `image` (JPEG) and `segmentation_mask` (PNG, one
channel, values 1..3), `file_name`, `label`.

The reader: `load_image_train` resizes both, flips both when `tf.random.uniform(()) > 0.5`,
normalizes the image to [0, 1] and shifts the mask to 0..2; it is mapped, then `cache()`,
`shuffle(BUFFER_SIZE)`, `batch`, `repeat()`, `prefetch`.

Buggy: the flip is drawn once, in the first epoch, and the cache replays it in every later
epoch: no augmentation at all. Expected: TFD401.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/docs: site/en/tutorials/images/segmentation.ipynb"
CORRECT = False
EXPECTED = ("TFD401",)

RECORDS, SIZE, BATCH_SIZE, BUFFER_SIZE = 80, 32, 8, 1000


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(16)
    with tf.io.TFRecordWriter(str(folder / "oxford_iiit_pet-train.tfrecord")) as writer:
        for i in range(RECORDS):
            image = rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)
            mask = np.ones((40, 48, 1), dtype=np.uint8)
            mask[8:32, 10 + i % 8 : 30 + i % 8] = 2
            mask[8, 10:30] = 3
            feature = {
                "image": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=[tf.io.encode_jpeg(image).numpy()])
                ),
                "segmentation_mask": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=[tf.io.encode_png(mask).numpy()])
                ),
                "file_name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"pet_%03d.jpg" % i])),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(rng.integers(37))])),
            }
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    def parse(record: Any) -> Any:
        ex = tf.io.parse_single_example(
            record,
            {
                "image": tf.io.FixedLenFeature([], tf.string),
                "segmentation_mask": tf.io.FixedLenFeature([], tf.string),
            },
        )
        return {
            "image": tf.io.decode_jpeg(ex["image"], channels=3),
            "segmentation_mask": tf.io.decode_png(ex["segmentation_mask"], channels=1),
        }

    def normalize(input_image: Any, input_mask: Any) -> Any:
        input_image = tf.cast(input_image, tf.float32) / 255.0
        input_mask -= 1
        return input_image, input_mask

    def load_image_train(datapoint: Any) -> Any:
        input_image = tf.image.resize(datapoint["image"], (SIZE, SIZE))
        input_mask = tf.image.resize(datapoint["segmentation_mask"], (SIZE, SIZE), method="nearest")
        if tf.random.uniform(()) > 0.5:
            input_image = tf.image.flip_left_right(input_image)
            input_mask = tf.image.flip_left_right(input_mask)
        return normalize(input_image, input_mask)

    train = tf.data.TFRecordDataset(str(folder / "oxford_iiit_pet-train.tfrecord")).map(parse)
    train = train.map(load_image_train, num_parallel_calls=tf.data.AUTOTUNE)
    train_dataset = train.cache().shuffle(BUFFER_SIZE).batch(BATCH_SIZE).repeat()
    train_dataset = train_dataset.prefetch(buffer_size=tf.data.AUTOTUNE)
    return {"dataset": train_dataset}
