"""A Keras recipe reading TFRecord images, in the idiom of keras-team/keras-io:
examples/keras_recipes/creating_tfrecords.py (`create_example`, `parse_tfrecord_fn`,
`prepare_sample`, `get_dataset`).

The writer: COCO annotations, one `tf.train.Example` each, in files `file_NN-COUNT.tfrec`:
`image` (`tf.io.encode_jpeg` of the decoded photo, so sizes vary), `path`, `area`, `bbox` (4
floats), `category_id` (COCO ids, 1-based with gaps, at most 90), `id`, `image_id`.

The reader: `TFRecordDataset(filenames, num_parallel_reads=AUTOTUNE)`, `parse_tfrecord_fn`
(`decode_jpeg(channels=3)`, `bbox` from a VarLenFeature), `prepare_sample` resizing to a fixed
size, then `shuffle(batch_size * 10)`, `batch`, `prefetch`. The recipe trains
`EfficientNetB0(classes=91)`: the labels are one-hot encoded here with `depth=91` for a
categorical loss (ids 1..90 fit; class 0 is simply never used), and the pixels stay in
[0, 255], which EfficientNet rescales inside the model.

Correct: the recipe as published, with a one-hot label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "keras-team/keras-io: examples/keras_recipes/creating_tfrecords.py"
CORRECT = True

N_SAMPLES, N_TFRECORDS, IMAGE_SIZE, NUM_CLASSES = 90, 2, 48, 91
CATEGORY_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21]
SIZES = [(48, 64), (64, 48), (60, 60), (52, 70)]


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(6)

    def image_feature(value: Any) -> Any:
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[tf.io.encode_jpeg(value).numpy()]))

    def bytes_feature(value: str) -> Any:
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value.encode()]))

    def float_feature(value: float) -> Any:
        return tf.train.Feature(float_list=tf.train.FloatList(value=[value]))

    def int64_feature(value: int) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))

    def float_feature_list(value: list[float]) -> Any:
        return tf.train.Feature(float_list=tf.train.FloatList(value=value))

    for tfrec_num in range(N_TFRECORDS):
        with tf.io.TFRecordWriter(str(folder / f"file_{tfrec_num:02d}-{N_SAMPLES}.tfrec")) as writer:
            for i in range(N_SAMPLES):
                height, width = SIZES[int(rng.integers(len(SIZES)))]
                image = tf.constant(rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
                image_id = 139 + tfrec_num * N_SAMPLES + i
                bbox = [float(v) for v in rng.uniform(0, 40, 4)]
                feature = {
                    "image": image_feature(image),
                    "path": bytes_feature(f"datasets/val2017/{image_id:012d}.jpg"),
                    "area": float_feature(bbox[2] * bbox[3]),
                    "bbox": float_feature_list(bbox),
                    "category_id": int64_feature(int(rng.choice(CATEGORY_IDS))),
                    "id": int64_feature(10000 + image_id),
                    "image_id": int64_feature(image_id),
                }
                example = tf.train.Example(features=tf.train.Features(feature=feature))
                writer.write(example.SerializeToString())


def parse_tfrecord_fn(example: Any) -> Any:
    import tensorflow as tf

    feature_description = {
        "image": tf.io.FixedLenFeature([], tf.string),
        "path": tf.io.FixedLenFeature([], tf.string),
        "area": tf.io.FixedLenFeature([], tf.float32),
        "bbox": tf.io.VarLenFeature(tf.float32),
        "category_id": tf.io.FixedLenFeature([], tf.int64),
        "id": tf.io.FixedLenFeature([], tf.int64),
        "image_id": tf.io.FixedLenFeature([], tf.int64),
    }
    example = tf.io.parse_single_example(example, feature_description)
    example["image"] = tf.io.decode_jpeg(example["image"], channels=3)
    example["bbox"] = tf.sparse.to_dense(example["bbox"])
    return example


def prepare_sample(features: Any) -> Any:
    import tensorflow as tf

    image = tf.image.resize(features["image"], size=(IMAGE_SIZE, IMAGE_SIZE))
    return image, tf.one_hot(features["category_id"], NUM_CLASSES)


def get_dataset(filenames: list[str], batch_size: int) -> Any:
    import tensorflow as tf

    return (
        tf.data.TFRecordDataset(filenames, num_parallel_reads=tf.data.AUTOTUNE)
        .map(parse_tfrecord_fn, num_parallel_calls=tf.data.AUTOTUNE)
        .map(prepare_sample, num_parallel_calls=tf.data.AUTOTUNE)
        .shuffle(batch_size * 10)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    train_filenames = tf.io.gfile.glob(str(folder) + "/*.tfrec")
    return {"dataset": get_dataset(sorted(train_filenames), batch_size=16)}
