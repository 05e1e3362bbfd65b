"""`cache()` after `shuffle().batch()`: the training input of sql-machine-learning/sqlflow:
python/sqlflow_submitter/tensorflow/input_fn.py as reported in
https://github.com/sql-machine-learning/sqlflow/issues/2143 ("Data in each epoch is same in
train cache": `train_dataset.shuffle(shuffle_size).batch(batch_size).cache("cache_train")
.repeat(epochs)`), here over a TFRecord export of the training table.

The writer: one `tf.train.Example` per row of an iris-like table: four float columns and an
int64 `class` column, rows in the table's order (grouped by class, as the iris table is).

The reader: parse to `(features dict, label)`, `shuffle(shuffle_size)`, `batch`,
`cache(filename)`, `repeat(epochs)`.

Buggy: the first epoch's shuffled batches are written to the cache and replayed in the same
order in every later epoch. Expected: TFD512.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "sql-machine-learning/sqlflow: python/sqlflow_submitter/tensorflow/input_fn.py"
CORRECT = False
EXPECTED = ("TFD512",)

COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
PER_CLASS = 50


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(18)
    with tf.io.TFRecordWriter(str(folder / "iris.train.tfrecord")) as writer:
        for label in range(3):
            for _ in range(PER_CLASS):
                row = rng.normal([5.0 + label, 3.0, 1.5 + 2 * label, 0.3 + label], 0.3)
                feature = {
                    c: tf.train.Feature(float_list=tf.train.FloatList(value=[float(v)]))
                    for c, v in zip(COLUMNS, row)
                }
                feature["class"] = tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    spec = {c: tf.io.FixedLenFeature([1], tf.float32) for c in COLUMNS}
    spec["class"] = tf.io.FixedLenFeature([], tf.int64)

    def parse(record: Any) -> Any:
        ex = tf.io.parse_single_example(record, spec)
        label = ex.pop("class")
        return ex, label

    train_dataset = tf.data.TFRecordDataset(str(folder / "iris.train.tfrecord")).map(parse)
    shuffle_size, batch_size, epochs = 1000, 16, 10
    train_dataset = (
        train_dataset.shuffle(shuffle_size)
        .batch(batch_size)
        .cache(str(folder / "cache_train"))
        .repeat(epochs)
    )
    return {"dataset": train_dataset}
