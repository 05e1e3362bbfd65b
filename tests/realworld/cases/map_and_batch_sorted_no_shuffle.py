"""`map_and_batch` over label-sorted records with no shuffle: google-research/bert:
run_classifier.py's `file_based_input_fn_builder` called with `is_training=False` (its eval
branch: no `repeat`, no `shuffle`, straight into the fused `map_and_batch`) to train on a
file written class by class: a processor whose `get_train_examples` reads one TSV per class
(all negatives, then all positives), as fine-tuning scripts built on the file often do.

The writer: `input_ids` / `input_mask` / `segment_ids` padded to `max_seq_length`,
`label_ids` (100 zeros, then 100 ones), `is_real_example`.

The reader: `TFRecordDataset(input_file)`, then `apply(map_and_batch(_decode_record,
batch_size, drop_remainder=True))`.

Buggy: every batch holds one class; the model learns the order, not the task.
Expected: TFD501.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "google-research/bert: run_classifier.py"
CORRECT = False
EXPECTED = ("TFD501",)

SEQ_LENGTH, PER_CLASS = 32, 100


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(15)

    def create_int_feature(values: Any) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))

    with tf.io.TFRecordWriter(str(folder / "train.tf_record")) as writer:
        for label in (0, 1):  # neg.tsv, then pos.tsv
            for _ in range(PER_CLASS):
                length = int(rng.integers(8, SEQ_LENGTH))
                ids = [101, *(int(t) for t in rng.integers(1000, 30000, length - 2)), 102]
                pad = SEQ_LENGTH - length
                features = {
                    "input_ids": create_int_feature(ids + [0] * pad),
                    "input_mask": create_int_feature([1] * length + [0] * pad),
                    "segment_ids": create_int_feature([0] * SEQ_LENGTH),
                    "label_ids": create_int_feature([label]),
                    "is_real_example": create_int_feature([1]),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()
                )


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    name_to_features = {
        "input_ids": tf.io.FixedLenFeature([SEQ_LENGTH], tf.int64),
        "input_mask": tf.io.FixedLenFeature([SEQ_LENGTH], tf.int64),
        "segment_ids": tf.io.FixedLenFeature([SEQ_LENGTH], tf.int64),
        "label_ids": tf.io.FixedLenFeature([], tf.int64),
        "is_real_example": tf.io.FixedLenFeature([], tf.int64),
    }

    def _decode_record(record: Any) -> Any:
        example = tf.io.parse_single_example(record, name_to_features)
        return {name: tf.cast(t, tf.int32) if t.dtype == tf.int64 else t for name, t in example.items()}

    d = tf.data.TFRecordDataset(str(folder / "train.tf_record"))
    d = d.apply(tf.data.experimental.map_and_batch(_decode_record, batch_size=16, drop_remainder=True))
    return {"dataset": d}
