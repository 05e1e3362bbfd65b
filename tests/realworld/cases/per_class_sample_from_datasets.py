"""Re-balancing by class with `sample_from_datasets`, in the idiom of tensorflow/docs:
site/en/tutorials/structured_data/imbalanced_data.ipynb ("Using tf.data": `make_ds` shuffles
and repeats each class on its own, `sample_from_datasets([pos_ds, neg_ds], weights=[0.5,
0.5])`, then `batch(BATCH_SIZE).prefetch(2)`), reading one TFRecord file per class as
pipelines that keep their classes apart on disk do.

The writer: the credit-card-fraud table split by `Class`: `pos.tfrecord` (the rare frauds)
and `neg.tfrecord`, each in the order the transactions happened (a `Time` feature rising),
with `features` (8 floats, the PCA components) and `Class` (1 or 0).

The reader: per class `TFRecordDataset(file).map(parse).shuffle(BUFFER_SIZE).repeat()`, then
the weighted sample of the two, batched.

Correct: the tutorial's pipeline; each class is shuffled before it is sampled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/docs: site/en/tutorials/structured_data/imbalanced_data.ipynb"
CORRECT = True

POS, NEG, BUFFER_SIZE, BATCH_SIZE = 40, 260, 1000, 32


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(9)
    for name, label, count in (("pos", 1, POS), ("neg", 0, NEG)):
        times = np.sort(rng.uniform(0, 172792, count))  # stored as they happened
        with tf.io.TFRecordWriter(str(folder / f"{name}.tfrecord")) as writer:
            for t in times:
                feature = {
                    "Time": tf.train.Feature(float_list=tf.train.FloatList(value=[float(t)])),
                    "features": tf.train.Feature(
                        float_list=tf.train.FloatList(value=rng.normal(label, 1, 8))
                    ),
                    "Class": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )


def parse(record: Any) -> Any:
    import tensorflow as tf

    ex = tf.io.parse_single_example(
        record,
        {"features": tf.io.FixedLenFeature([8], tf.float32), "Class": tf.io.FixedLenFeature([], tf.int64)},
    )
    return ex["features"], ex["Class"]


def make_ds(path: Path) -> Any:
    import tensorflow as tf

    ds = tf.data.TFRecordDataset(str(path)).map(parse)
    ds = ds.shuffle(BUFFER_SIZE).repeat()
    return ds


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    pos_ds = make_ds(folder / "pos.tfrecord")
    neg_ds = make_ds(folder / "neg.tfrecord")
    resampled_ds = tf.data.Dataset.sample_from_datasets([pos_ds, neg_ds], weights=[0.5, 0.5])
    resampled_ds = resampled_ds.batch(BATCH_SIZE).prefetch(2)
    return {"dataset": resampled_ds}
