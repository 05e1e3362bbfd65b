"""BERT pre-training input, in the idiom of google-research/bert: run_pretraining.py
(`input_fn_builder`; the files as create_pretraining_data.py writes them).

The writer: several shards of `tf.train.Example`s, instances already shuffled by the writer;
`input_ids` / `input_mask` / `segment_ids` padded to `max_seq_length`, `masked_lm_positions` /
`masked_lm_ids` padded with 0 and `masked_lm_weights` (1.0 for a real prediction, 0.0 for
padding) to `max_predictions_per_seq`, and `next_sentence_labels` (0 next, 1 random).

The reader, training branch: the file names as a constant tensor, `repeat()`, `shuffle` over
the files, `parallel_interleave(TFRecordDataset, sloppy=True, cycle_length=min(threads,
files))` applied with `apply`, `shuffle(100)` over records, then the fused
`map_and_batch(..., num_parallel_batches=threads, drop_remainder=True)`; int64 cast to int32.

Correct: the reference pre-training pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "google-research/bert: run_pretraining.py"
CORRECT = True

MAX_SEQ_LENGTH = 32
MAX_PREDICTIONS = 5
SHARDS, PER_SHARD = 4, 60


def _files(folder: Path) -> list[str]:
    return [str(folder / f"tf_examples.tfrecord-{i:05d}") for i in range(SHARDS)]


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(2)

    def create_int_feature(values: Any) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))

    def create_float_feature(values: Any) -> Any:
        return tf.train.Feature(float_list=tf.train.FloatList(value=list(values)))

    for path in _files(folder):
        with tf.io.TFRecordWriter(path) as writer:
            for _ in range(PER_SHARD):
                length = int(rng.integers(12, MAX_SEQ_LENGTH + 1))
                ids = [101, *(int(t) for t in rng.integers(1000, 30000, length - 2)), 102]
                cut = int(rng.integers(2, length - 2))
                pad = MAX_SEQ_LENGTH - length
                n_masked = int(rng.integers(1, MAX_PREDICTIONS + 1))
                positions = sorted(
                    int(p) for p in rng.choice(np.arange(1, length - 1), n_masked, replace=False)
                )
                masked_ids = [ids[p] for p in positions]
                mpad = MAX_PREDICTIONS - n_masked
                features = {
                    "input_ids": create_int_feature(ids + [0] * pad),
                    "input_mask": create_int_feature([1] * length + [0] * pad),
                    "segment_ids": create_int_feature([0] * cut + [1] * (length - cut) + [0] * pad),
                    "masked_lm_positions": create_int_feature(positions + [0] * mpad),
                    "masked_lm_ids": create_int_feature(masked_ids + [0] * mpad),
                    "masked_lm_weights": create_float_feature([1.0] * n_masked + [0.0] * mpad),
                    "next_sentence_labels": create_int_feature([int(rng.random() < 0.5)]),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()
                )


def input_fn_builder(
    input_files: list[str],
    max_seq_length: int,
    max_predictions_per_seq: int,
    is_training: bool,
    num_cpu_threads: int = 4,
) -> Any:
    import tensorflow as tf

    def _decode_record(record: Any, name_to_features: dict[str, Any]) -> Any:
        example = tf.io.parse_single_example(record, name_to_features)
        for name in list(example.keys()):
            t = example[name]
            if t.dtype == tf.int64:
                t = tf.cast(t, tf.int32)
            example[name] = t
        return example

    def input_fn(params: dict[str, Any]) -> Any:
        batch_size = params["batch_size"]
        name_to_features = {
            "input_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
            "input_mask": tf.io.FixedLenFeature([max_seq_length], tf.int64),
            "segment_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
            "masked_lm_positions": tf.io.FixedLenFeature([max_predictions_per_seq], tf.int64),
            "masked_lm_ids": tf.io.FixedLenFeature([max_predictions_per_seq], tf.int64),
            "masked_lm_weights": tf.io.FixedLenFeature([max_predictions_per_seq], tf.float32),
            "next_sentence_labels": tf.io.FixedLenFeature([1], tf.int64),
        }
        if is_training:
            d = tf.data.Dataset.from_tensor_slices(tf.constant(input_files))
            d = d.repeat()
            d = d.shuffle(buffer_size=len(input_files))
            cycle_length = min(num_cpu_threads, len(input_files))
            d = d.apply(
                tf.data.experimental.parallel_interleave(
                    tf.data.TFRecordDataset, sloppy=is_training, cycle_length=cycle_length
                )
            )
            d = d.shuffle(buffer_size=100)
        else:
            d = tf.data.TFRecordDataset(input_files)
            d = d.repeat()
        d = d.apply(
            tf.data.experimental.map_and_batch(
                lambda record: _decode_record(record, name_to_features),
                batch_size=batch_size,
                num_parallel_batches=num_cpu_threads,
                drop_remainder=True,
            )
        )
        return d

    return input_fn


def run(folder: Path) -> dict[str, Any]:
    input_fn = input_fn_builder(_files(folder), MAX_SEQ_LENGTH, MAX_PREDICTIONS, is_training=True)
    return {"dataset": input_fn({"batch_size": 16})}
