"""A YOLOv3 loader, in the idiom of zzh8829/yolov3-tf2: yolov3_tf2/dataset.py
(`IMAGE_FEATURE_MAP`, `parse_tfrecord`, `load_tfrecord_dataset`, `transform_images`) with
train.py's pipeline; the file as tools/voc2012.py's `build_example` writes it.

The writer: one `tf.train.Example` per VOC image: height, width, filename, source_id,
key/sha256, encoded (JPEG, sizes vary), format, the four normalised box lists, the object
class as text and label, difficult, truncated, view; and the class names, one a line, in
`voc2012.names`.

The reader: a `StaticHashTable` from the names file (`TextFileInitializer`, key the whole line,
value the line number), `list_files` then `flat_map(TFRecordDataset)`, `parse_tfrecord`:
`decode_jpeg(channels=3)`, resize to the model size, class text looked up in the table, boxes
and classes stacked from the VarLenFeatures and padded to `yolo_max_boxes` rows. train.py then
`shuffle(512)`, `batch`, maps `transform_images` (resize again, divide by 255) over the batch
and prefetches. (`transform_targets`, the assignment of boxes to anchor grids, is left out:
it changes none of what the audit reads from the inputs.)

Correct: the repository's training input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "zzh8829/yolov3-tf2: yolov3_tf2/dataset.py"
CORRECT = True

CLASSES = ["aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow"]
SIZE, YOLO_MAX_BOXES, RECORDS = 64, 100, 120
SIZES = [(60, 80), (80, 60), (72, 72), (56, 90)]


def write(folder: Path) -> None:
    import hashlib

    import tensorflow as tf

    (folder / "voc2012.names").write_text("\n".join(CLASSES) + "\n")
    rng = np.random.default_rng(7)
    with tf.io.TFRecordWriter(str(folder / "voc2012_train.tfrecord")) as writer:
        for i in range(RECORDS):
            height, width = SIZES[int(rng.integers(len(SIZES)))]
            img_raw = tf.io.encode_jpeg(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).numpy()
            key = hashlib.sha256(img_raw).hexdigest()
            n = int(rng.integers(1, 4))
            xs = np.sort(rng.uniform(0, 1, (n, 2)), axis=1)
            ys = np.sort(rng.uniform(0, 1, (n, 2)), axis=1)
            names = [CLASSES[int(c)] for c in rng.integers(0, len(CLASSES), n)]
            filename = f"2008_{i:06d}.jpg".encode()
            example = tf.train.Example(
                features=tf.train.Features(
                    feature={
                        "image/height": tf.train.Feature(int64_list=tf.train.Int64List(value=[height])),
                        "image/width": tf.train.Feature(int64_list=tf.train.Int64List(value=[width])),
                        "image/filename": tf.train.Feature(bytes_list=tf.train.BytesList(value=[filename])),
                        "image/source_id": tf.train.Feature(bytes_list=tf.train.BytesList(value=[filename])),
                        "image/key/sha256": tf.train.Feature(
                            bytes_list=tf.train.BytesList(value=[key.encode()])
                        ),
                        "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[img_raw])),
                        "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"jpeg"])),
                        "image/object/bbox/xmin": tf.train.Feature(
                            float_list=tf.train.FloatList(value=xs[:, 0])
                        ),
                        "image/object/bbox/xmax": tf.train.Feature(
                            float_list=tf.train.FloatList(value=xs[:, 1])
                        ),
                        "image/object/bbox/ymin": tf.train.Feature(
                            float_list=tf.train.FloatList(value=ys[:, 0])
                        ),
                        "image/object/bbox/ymax": tf.train.Feature(
                            float_list=tf.train.FloatList(value=ys[:, 1])
                        ),
                        "image/object/class/text": tf.train.Feature(
                            bytes_list=tf.train.BytesList(value=[s.encode() for s in names])
                        ),
                        "image/object/class/label": tf.train.Feature(
                            int64_list=tf.train.Int64List(value=[CLASSES.index(s) for s in names])
                        ),
                        "image/object/difficult": tf.train.Feature(
                            int64_list=tf.train.Int64List(value=[0] * n)
                        ),
                        "image/object/truncated": tf.train.Feature(
                            int64_list=tf.train.Int64List(value=[0] * n)
                        ),
                        "image/object/view": tf.train.Feature(
                            bytes_list=tf.train.BytesList(value=[b"Frontal"] * n)
                        ),
                    }
                )
            )
            writer.write(example.SerializeToString())


def image_feature_map() -> dict[str, Any]:
    import tensorflow as tf

    return {
        "image/encoded": tf.io.FixedLenFeature([], tf.string),
        "image/object/bbox/xmin": tf.io.VarLenFeature(tf.float32),
        "image/object/bbox/ymin": tf.io.VarLenFeature(tf.float32),
        "image/object/bbox/xmax": tf.io.VarLenFeature(tf.float32),
        "image/object/bbox/ymax": tf.io.VarLenFeature(tf.float32),
        "image/object/class/text": tf.io.VarLenFeature(tf.string),
    }


def parse_tfrecord(tfrecord: Any, class_table: Any, size: int) -> Any:
    import tensorflow as tf

    x = tf.io.parse_single_example(tfrecord, image_feature_map())
    x_train = tf.image.decode_jpeg(x["image/encoded"], channels=3)
    x_train = tf.image.resize(x_train, (size, size))
    class_text = tf.sparse.to_dense(x["image/object/class/text"], default_value="")
    labels = tf.cast(class_table.lookup(class_text), tf.float32)
    y_train = tf.stack(
        [
            tf.sparse.to_dense(x["image/object/bbox/xmin"]),
            tf.sparse.to_dense(x["image/object/bbox/ymin"]),
            tf.sparse.to_dense(x["image/object/bbox/xmax"]),
            tf.sparse.to_dense(x["image/object/bbox/ymax"]),
            labels,
        ],
        axis=1,
    )
    paddings = [[0, YOLO_MAX_BOXES - tf.shape(y_train)[0]], [0, 0]]
    return x_train, tf.pad(y_train, paddings)


def load_tfrecord_dataset(file_pattern: str, class_file: str, size: int) -> Any:
    import tensorflow as tf

    line_number = -1  # tf.lookup.TextFileIndex.LINE_NUMBER
    class_table = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(class_file, tf.string, 0, tf.int64, line_number, delimiter="\n"), -1
    )
    files = tf.data.Dataset.list_files(file_pattern)
    dataset = files.flat_map(tf.data.TFRecordDataset)
    return dataset.map(lambda x: parse_tfrecord(x, class_table, size))


def transform_images(x_train: Any, size: int) -> Any:
    import tensorflow as tf

    x_train = tf.image.resize(x_train, (size, size))
    return x_train / 255


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    train_dataset = load_tfrecord_dataset(
        str(folder / "voc2012_train.tfrecord"), str(folder / "voc2012.names"), SIZE
    )
    train_dataset = train_dataset.shuffle(buffer_size=512)
    train_dataset = train_dataset.batch(8)
    train_dataset = train_dataset.map(lambda x, y: (transform_images(x, SIZE), y))
    train_dataset = train_dataset.prefetch(buffer_size=tf.data.AUTOTUNE)
    return {"dataset": train_dataset}
