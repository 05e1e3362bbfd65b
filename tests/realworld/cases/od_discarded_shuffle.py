"""A record shuffle whose result is thrown away: tensorflow/models:
research/object_detection/utils/dataset_util.py `read_dataset` as it stood when
https://github.com/tensorflow/models/issues/4215 was filed ("training data is not shuffled as
expected ... `records_dataset.shuffle(config.shuffle_buffer_size)` should be
`records_dataset = records_dataset.shuffle(...)`"; fixed by #4205): the file names are
shuffled and interleaved, but the records are not.

The writer: two TFRecord files of detection examples, each written from an annotation folder
grouped by class (one class after the other), with the keys of the object-detection API
(`image/encoded`, `image/format`, `image/source_id`, box lists, `image/object/class/label`)
and the image-level `image/class/label` of the dominant object.

The reader: `from_tensor_slices(filenames).shuffle(100).repeat()`, `parallel_interleave(
TFRecordDataset, cycle_length=2, block_length=8, sloppy=True)`, then the statement
`records_dataset.shuffle(2048)` whose result is dropped; decode (JPEG, resize), batch.

Buggy: batches hold the records in stored order, one class at a time (two files interleaved in
blocks of 8). Expected: TFD501.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/models: research/object_detection/utils/dataset_util.py"
CORRECT = False
EXPECTED = ("TFD501",)

FILES, CLASSES, PER_CLASS = 2, 3, 30


def _files(folder: Path) -> list[str]:
    return [str(folder / f"pets_train.record-{i:05d}-of-{FILES:05d}") for i in range(FILES)]


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(17)
    for path in _files(folder):
        with tf.io.TFRecordWriter(path) as writer:
            for label in range(1, CLASSES + 1):
                for i in range(PER_CLASS):
                    encoded = tf.io.encode_jpeg(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).numpy()
                    xmin, xmax = sorted(rng.uniform(0, 1, 2).tolist())
                    feature = {
                        "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[encoded])),
                        "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"jpeg"])),
                        "image/source_id": tf.train.Feature(
                            bytes_list=tf.train.BytesList(value=[b"%d_%d" % (label, i)])
                        ),
                        "image/object/bbox/xmin": tf.train.Feature(
                            float_list=tf.train.FloatList(value=[xmin])
                        ),
                        "image/object/bbox/xmax": tf.train.Feature(
                            float_list=tf.train.FloatList(value=[xmax])
                        ),
                        "image/object/class/label": tf.train.Feature(
                            int64_list=tf.train.Int64List(value=[label])
                        ),
                        "image/class/label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
                    }
                    writer.write(
                        tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                    )


def read_dataset(file_read_func: Any, input_files: list[str], shuffle_buffer_size: int) -> Any:
    import tensorflow as tf

    filename_dataset = tf.data.Dataset.from_tensor_slices(input_files)
    filename_dataset = filename_dataset.shuffle(100)
    filename_dataset = filename_dataset.repeat(None)
    records_dataset = filename_dataset.apply(
        tf.data.experimental.parallel_interleave(file_read_func, cycle_length=2, block_length=8, sloppy=True)
    )
    records_dataset.shuffle(shuffle_buffer_size)  # the bug: the shuffled dataset is dropped
    return records_dataset


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    def decode(value: Any) -> Any:
        ex = tf.io.parse_single_example(
            value,
            {
                "image/encoded": tf.io.FixedLenFeature((), tf.string, default_value=""),
                "image/class/label": tf.io.FixedLenFeature((), tf.int64, default_value=0),
                "image/object/bbox/xmin": tf.io.VarLenFeature(tf.float32),
                "image/object/bbox/xmax": tf.io.VarLenFeature(tf.float32),
            },
        )
        image = tf.image.resize(tf.io.decode_jpeg(ex["image/encoded"], channels=3), [32, 32]) / 255.0
        return {"image": image, "label": ex["image/class/label"]}

    dataset = read_dataset(tf.data.TFRecordDataset, _files(folder), shuffle_buffer_size=2048)
    dataset = dataset.map(decode, num_parallel_calls=8).batch(16, drop_remainder=True).prefetch(2)
    return {"dataset": dataset}
