"""GZIP-compressed TFRecord files read without `compression_type`: files as TFX's ExampleGen
writes them (GZIP, `data_tfrecord-0000k-of-0000n.gz`) read the way
salesforce/ml4ir: python/ml4ir/base/data/tfrecord_reader.py did before
https://github.com/salesforce/ml4ir/pull/233 (`data.TFRecordDataset(tfrecord_files)`, the
fix adds `compression_type=`); the same surprise as
https://github.com/tensorflow/ranking/issues/286 ("it's not understanding that the data was
GZIP compressed by TFRecordWriter").

The writer: two GZIP shards (`TFRecordOptions(compression_type="GZIP")`) of tabular
`tf.train.Example`s (trip features and a binary `tips` label).

The reader: the files of the directory, `TFRecordDataset(files)` without compression, parse,
shuffle, batch.

Buggy: TensorFlow reads the GZIP bytes as TFRecord framing and fails ("corrupted record at
0"). Expected: TFD103.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "salesforce/ml4ir: python/ml4ir/base/data/tfrecord_reader.py"
CORRECT = False
EXPECTED = ("TFD103",)

SHARDS, PER_SHARD = 2, 50


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(14)
    split = folder / "Split-train"
    split.mkdir()
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    for shard in range(SHARDS):
        path = split / f"data_tfrecord-{shard:05d}-of-{SHARDS:05d}.gz"
        with tf.io.TFRecordWriter(str(path), options=options) as writer:
            for _ in range(PER_SHARD):
                feature = {
                    "trip_miles": tf.train.Feature(
                        float_list=tf.train.FloatList(value=[rng.exponential(3.0)])
                    ),
                    "fare": tf.train.Feature(float_list=tf.train.FloatList(value=[rng.uniform(3, 60)])),
                    "payment_type": tf.train.Feature(
                        bytes_list=tf.train.BytesList(value=[rng.choice([b"Cash", b"Credit Card"])])
                    ),
                    "tips": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(rng.random() < 0.4)])),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    tfrecord_files = sorted(
        str(p) for p in (folder / "Split-train").iterdir() if p.name.startswith("data_tfrecord")
    )
    spec = {
        "trip_miles": tf.io.FixedLenFeature([], tf.float32),
        "fare": tf.io.FixedLenFeature([], tf.float32),
        "payment_type": tf.io.FixedLenFeature([], tf.string),
        "tips": tf.io.FixedLenFeature([], tf.int64),
    }

    def parse(record: Any) -> Any:
        ex = tf.io.parse_single_example(record, spec)
        return {"trip_miles": ex["trip_miles"], "fare": ex["fare"]}, ex["tips"]

    dataset = tf.data.TFRecordDataset(tfrecord_files).map(parse)
    return {"dataset": dataset.shuffle(1000).batch(16)}
