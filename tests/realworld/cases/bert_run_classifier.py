"""BERT fine-tuning input, in the idiom of google-research/bert: run_classifier.py
(`file_based_convert_examples_to_features` writes, `file_based_input_fn_builder` reads).

The writer: one `tf.train.Example` per sentence pair, int64 lists `input_ids`, `input_mask`,
`segment_ids` zero-padded to `max_seq_length`, `label_ids` (MRPC: 0/1, about two thirds 1)
and `is_real_example`, 1 for every real example (the fake padding examples exist only for
TPU eval/predict, so a training file holds 1 everywhere), in the order of the task's TSV.

The reader: `name_to_features` built from the `seq_length` parameter, `parse_single_example`,
every int64 cast to int32 for the TPU, and for training `repeat()` then `shuffle(100)` then the
fused `map_and_batch(..., drop_remainder=True)` applied with `apply`.

Correct: this is how BERT fine-tunes; `is_real_example` is constant by design.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "google-research/bert: run_classifier.py"
CORRECT = True

SEQ_LENGTH = 32
RECORDS = 200


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(1)

    def create_int_feature(values: Any) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))

    with tf.io.TFRecordWriter(str(folder / "train.tf_record")) as writer:
        for _ in range(RECORDS):
            len_a, len_b = int(rng.integers(3, 12)), int(rng.integers(3, 12))
            tokens = [101, *rng.integers(1000, 30000, len_a), 102, *rng.integers(1000, 30000, len_b), 102]
            segment = [0] * (len_a + 2) + [1] * (len_b + 1)
            pad = SEQ_LENGTH - len(tokens)
            features = {
                "input_ids": create_int_feature([int(t) for t in tokens] + [0] * pad),
                "input_mask": create_int_feature([1] * len(tokens) + [0] * pad),
                "segment_ids": create_int_feature(segment + [0] * pad),
                "label_ids": create_int_feature([int(rng.random() < 0.68)]),
                "is_real_example": create_int_feature([1]),
            }
            writer.write(tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString())


def file_based_input_fn_builder(
    input_file: str, seq_length: int, is_training: bool, drop_remainder: bool
) -> Any:
    import tensorflow as tf

    name_to_features = {
        "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
        "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64),
        "segment_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
        "label_ids": tf.io.FixedLenFeature([], tf.int64),
        "is_real_example": tf.io.FixedLenFeature([], tf.int64),
    }

    def _decode_record(record: Any, name_to_features: dict[str, Any]) -> Any:
        example = tf.io.parse_single_example(record, name_to_features)
        for name in list(example.keys()):  # the TPU takes int32 only
            t = example[name]
            if t.dtype == tf.int64:
                t = tf.cast(t, tf.int32)
            example[name] = t
        return example

    def input_fn(params: dict[str, Any]) -> Any:
        batch_size = params["batch_size"]
        d = tf.data.TFRecordDataset(input_file)
        if is_training:
            d = d.repeat()
            d = d.shuffle(buffer_size=100)
        d = d.apply(
            tf.data.experimental.map_and_batch(
                lambda record: _decode_record(record, name_to_features),
                batch_size=batch_size,
                drop_remainder=drop_remainder,
            )
        )
        return d

    return input_fn


def run(folder: Path) -> dict[str, Any]:
    input_fn = file_based_input_fn_builder(
        str(folder / "train.tf_record"), SEQ_LENGTH, is_training=True, drop_remainder=True
    )
    return {"dataset": input_fn({"batch_size": 16})}
