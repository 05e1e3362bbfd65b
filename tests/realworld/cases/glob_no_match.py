"""A file pattern that matches no file: the pattern of tensorflow/tpu:
models/official/resnet/imagenet_input.py (`os.path.join(data_dir, 'train-*')`, the names
imagenet_to_gcs.py gives its shards) pointed at a folder of shards prepared by TensorFlow
Datasets, which names them `imagenet2012-train.tfrecord-0000k-of-0000n`.

The writer: TFDS-named shards of ImageNet-style examples.

What is judged: `tfdoctor scan` of the input's pattern, as a user checks the data before
training (`Dataset.list_files` raises on it only when the pipeline is first iterated, on the
TPU host, after the job has started).

Buggy: the pattern matches nothing. Expected: TFD105.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/tpu: models/official/resnet/imagenet_input.py"
CORRECT = False
EXPECTED = ("TFD105",)

SHARDS, PER_SHARD = 2, 20


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(13)
    for shard in range(SHARDS):
        path = folder / f"imagenet2012-train.tfrecord-{shard:05d}-of-{SHARDS:05d}"
        with tf.io.TFRecordWriter(str(path)) as writer:
            for _ in range(PER_SHARD):
                encoded = tf.io.encode_jpeg(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).numpy()
                feature = {
                    "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[encoded])),
                    "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(rng.integers(1000))])),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )


def run(folder: Path) -> dict[str, Any]:
    file_pattern = os.path.join(str(folder), "train-*")
    return {"scan": [file_pattern]}
