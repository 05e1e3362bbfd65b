"""A TF1 slim-era reader, as a spec file for `tfdoctor check --spec`, in the idiom of
tensorflow/models: research/slim/datasets/flowers.py (`keys_to_features`) and
download_and_convert_flowers.py / dataset_utils.py (`image_to_tfexample`), with the
queue-runner reader of that era (`tf.TFRecordReader`, `tf.parse_single_example`) under
`import tensorflow.compat.v1 as tf`.

The writer: five shards `flowers_train_0000k-of-00005.tfrecord`, the photo list shuffled with a
fixed seed before sharding; `image/encoded` (JPEG), `image/format` (`b'jpg'`),
`image/class/label` (0..4), `image/height`, `image/width`.

The spec file, read by AST and never run: `tf.FixedLenFeature((), tf.string, '')` with the
default as a positional argument, `default_value='png'` (every record stores 'jpg'),
`default_value=tf.zeros([], dtype=tf.int64)` for the label, and the parse call inside a
TF1 reader function.

Correct: every key the spec reads is stored, with the kind and count it reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/models: research/slim/datasets/flowers.py"
CORRECT = True

NUM_SHARDS, PER_SHARD, CLASSES = 5, 30, 5

SPEC_SOURCE = '''\
"""Provides data for the flowers dataset (TF-slim era reader)."""
import tensorflow.compat.v1 as tf

_FILE_PATTERN = 'flowers_%s_*.tfrecord'

SPLITS_TO_SIZES = {'train': 3320, 'validation': 350}

_NUM_CLASSES = 5

keys_to_features = {
    'image/encoded': tf.FixedLenFeature((), tf.string, ''),
    'image/format': tf.FixedLenFeature((), tf.string, default_value='png'),
    'image/class/label': tf.FixedLenFeature(
        [], tf.int64, default_value=tf.zeros([], dtype=tf.int64)),
}


def read_and_decode(filename_queue):
  reader = tf.TFRecordReader()
  _, serialized_example = reader.read(filename_queue)
  features = tf.parse_single_example(serialized_example, features=keys_to_features)
  image = tf.image.decode_jpeg(features['image/encoded'], channels=3)
  label = tf.cast(features['image/class/label'], tf.int32)
  return image, label
'''


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(8)
    photos = [(int(c), i) for i, c in enumerate(np.arange(NUM_SHARDS * PER_SHARD) % CLASSES)]
    order = rng.permutation(len(photos))  # random.seed(_RANDOM_SEED); random.shuffle(photo_filenames)
    for shard_id in range(NUM_SHARDS):
        path = folder / f"flowers_train_{shard_id:05d}-of-{NUM_SHARDS:05d}.tfrecord"
        with tf.io.TFRecordWriter(str(path)) as tfrecord_writer:
            for k in order[shard_id * PER_SHARD : (shard_id + 1) * PER_SHARD]:
                class_id, _ = photos[int(k)]
                height, width = 40 + 4 * int(rng.integers(0, 4)), 48
                image_data = tf.io.encode_jpeg(
                    rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
                ).numpy()
                example = tf.train.Example(
                    features=tf.train.Features(
                        feature={
                            "image/encoded": tf.train.Feature(
                                bytes_list=tf.train.BytesList(value=[image_data])
                            ),
                            "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"jpg"])),
                            "image/class/label": tf.train.Feature(
                                int64_list=tf.train.Int64List(value=[class_id])
                            ),
                            "image/height": tf.train.Feature(int64_list=tf.train.Int64List(value=[height])),
                            "image/width": tf.train.Feature(int64_list=tf.train.Int64List(value=[width])),
                        }
                    )
                )
                tfrecord_writer.write(example.SerializeToString())
    (folder / "flowers.py").write_text(SPEC_SOURCE)


def run(folder: Path) -> dict[str, Any]:
    return {"scan": [str(folder / "flowers_train_*.tfrecord")], "spec_file": folder / "flowers.py"}
