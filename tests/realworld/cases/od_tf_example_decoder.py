"""Object-detection input, in the idiom of tensorflow/models:
research/object_detection/data_decoders/tf_example_decoder.py (`TfExampleDecoder`'s
`keys_to_features`, 20 keys as in the TF 1.x releases) read as builders/dataset_builder.py
does (`read_dataset`: file names shuffled and repeated, `parallel_interleave(sloppy=True)`,
a record shuffle; then the decode map and a batch with the remainder dropped); the transform
of inputs.py (fixed-shape resize, boxes padded to a static count, 1-based class ids shifted
by `_LABEL_OFFSET` before `one_hot`).

The writer: the files as the popular generate_tfrecord.py of the raccoon tutorial writes them
(datitran/raccoon_dataset): `image/height`, `width`, `filename`, `source_id`, `encoded`
(JPEG), `format` (`b'jpg'`), the four box lists, `image/object/class/text` and `label` (1-based).

Eight of the decoder's keys are absent from every record, by design: they are optional and
read with defaults (`image/key/sha256` FixedLen with `default_value=''`; `image/class/text`,
`image/class/label`, `image/object/area`, `is_crowd`, `difficult`, `group_of`, `weight`
VarLen, so empty); the decoder substitutes ones for the missing weights.

Correct: the reference decoder over the most common writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/models: research/object_detection/data_decoders/tf_example_decoder.py"
CORRECT = True

NUM_CLASSES, MAX_BOXES, IMAGE_SIZE, FILES, PER_FILE = 3, 4, 32, 2, 60
CLASS_NAMES = [b"raccoon", b"dog", b"cat"]
SIZES = [(48, 64), (64, 48), (56, 56), (40, 60)]


def _files(folder: Path) -> list[str]:
    return [str(folder / f"train-{i}.record") for i in range(FILES)]


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(5)

    def bytes_list(v: list[bytes]) -> Any:
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=v))

    def int64_list(v: list[int]) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=v))

    def float_list(v: list[float]) -> Any:
        return tf.train.Feature(float_list=tf.train.FloatList(value=v))

    for f, path in enumerate(_files(folder)):
        with tf.io.TFRecordWriter(path) as writer:
            for i in range(PER_FILE):
                height, width = SIZES[int(rng.integers(len(SIZES)))]
                pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
                encoded = tf.io.encode_jpeg(pixels).numpy()
                n = int(rng.integers(1, 4))
                x = np.sort(rng.uniform(0, 1, (n, 2)), axis=1)
                y = np.sort(rng.uniform(0, 1, (n, 2)), axis=1)
                classes = [int(c) + 1 for c in rng.integers(0, NUM_CLASSES, n)]
                filename = f"img{f}_{i:03d}.jpg".encode()
                feature = {
                    "image/height": int64_list([height]),
                    "image/width": int64_list([width]),
                    "image/filename": bytes_list([filename]),
                    "image/source_id": bytes_list([filename]),
                    "image/encoded": bytes_list([encoded]),
                    "image/format": bytes_list([b"jpg"]),
                    "image/object/bbox/xmin": float_list(x[:, 0].tolist()),
                    "image/object/bbox/xmax": float_list(x[:, 1].tolist()),
                    "image/object/bbox/ymin": float_list(y[:, 0].tolist()),
                    "image/object/bbox/ymax": float_list(y[:, 1].tolist()),
                    "image/object/class/text": bytes_list([CLASS_NAMES[c - 1] for c in classes]),
                    "image/object/class/label": int64_list(classes),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )


def keys_to_features() -> dict[str, Any]:
    import tensorflow.compat.v1 as tf

    return {
        "image/encoded": tf.FixedLenFeature((), tf.string, default_value=""),
        "image/format": tf.FixedLenFeature((), tf.string, default_value="jpeg"),
        "image/filename": tf.FixedLenFeature((), tf.string, default_value=""),
        "image/key/sha256": tf.FixedLenFeature((), tf.string, default_value=""),
        "image/source_id": tf.FixedLenFeature((), tf.string, default_value=""),
        "image/height": tf.FixedLenFeature((), tf.int64, default_value=1),
        "image/width": tf.FixedLenFeature((), tf.int64, default_value=1),
        # Image-level labels.
        "image/class/text": tf.VarLenFeature(tf.string),
        "image/class/label": tf.VarLenFeature(tf.int64),
        # Object boxes and classes.
        "image/object/bbox/xmin": tf.VarLenFeature(tf.float32),
        "image/object/bbox/xmax": tf.VarLenFeature(tf.float32),
        "image/object/bbox/ymin": tf.VarLenFeature(tf.float32),
        "image/object/bbox/ymax": tf.VarLenFeature(tf.float32),
        "image/object/class/label": tf.VarLenFeature(tf.int64),
        "image/object/class/text": tf.VarLenFeature(tf.string),
        "image/object/area": tf.VarLenFeature(tf.float32),
        "image/object/is_crowd": tf.VarLenFeature(tf.int64),
        "image/object/difficult": tf.VarLenFeature(tf.int64),
        "image/object/group_of": tf.VarLenFeature(tf.int64),
        "image/object/weight": tf.VarLenFeature(tf.float32),
    }


def decode(serialized: Any) -> dict[str, Any]:
    """TfExampleDecoder.decode: parse, then the items its handlers make."""
    import tensorflow as tf

    parsed = tf.io.parse_single_example(serialized, keys_to_features())

    def dense(key: str, default: Any = 0) -> Any:
        return tf.sparse.to_dense(parsed[key], default_value=default)

    image_format = tf.strings.lower(parsed["image/format"])
    image = tf.cond(
        tf.strings.regex_full_match(image_format, "jpe?g"),
        lambda: tf.io.decode_jpeg(parsed["image/encoded"], channels=3),
        lambda: tf.io.decode_png(parsed["image/encoded"], channels=3),
    )
    image.set_shape([None, None, 3])
    boxes = tf.stack(
        [
            dense("image/object/bbox/ymin"),
            dense("image/object/bbox/xmin"),
            dense("image/object/bbox/ymax"),
            dense("image/object/bbox/xmax"),
        ],
        axis=1,
    )
    classes = dense("image/object/class/label")
    weights = dense("image/object/weight")
    num_boxes = tf.shape(boxes)[0]
    weights = tf.cond(  # default_groundtruth_weights
        tf.greater(tf.shape(weights)[0], 0), lambda: weights, lambda: tf.ones([num_boxes], dtype=tf.float32)
    )
    return {
        "image": image,
        "source_id": parsed["image/source_id"],
        "key": parsed["image/key/sha256"],
        "filename": parsed["image/filename"],
        "groundtruth_boxes": boxes,
        "groundtruth_classes": classes,
        "groundtruth_area": dense("image/object/area", 0.0),
        "groundtruth_is_crowd": tf.cast(dense("image/object/is_crowd"), tf.bool),
        "groundtruth_difficult": dense("image/object/difficult"),
        "groundtruth_group_of": tf.cast(dense("image/object/group_of"), tf.bool),
        "groundtruth_weights": weights,
    }


def transform_input_data(tensors: dict[str, Any]) -> dict[str, Any]:
    """inputs.py: resize to the model's fixed shape, one-hot the 1-based classes after the
    label offset, pad the per-box tensors to a static count."""
    import tensorflow as tf

    image = tf.image.resize(tf.cast(tensors["image"], tf.float32), [IMAGE_SIZE, IMAGE_SIZE])
    num_boxes = tf.minimum(tf.shape(tensors["groundtruth_boxes"])[0], MAX_BOXES)
    classes = tf.one_hot(tensors["groundtruth_classes"] - 1, NUM_CLASSES)  # _LABEL_OFFSET = 1

    def pad(t: Any) -> Any:
        t = t[:MAX_BOXES]
        paddings = [[0, MAX_BOXES - tf.shape(t)[0]]] + [[0, 0]] * (len(t.shape) - 1)
        return tf.pad(t, paddings)

    boxes = tf.ensure_shape(pad(tensors["groundtruth_boxes"]), [MAX_BOXES, 4])
    return {
        "image": tf.ensure_shape(image, [IMAGE_SIZE, IMAGE_SIZE, 3]),
        "source_id": tensors["source_id"],
        "num_groundtruth_boxes": num_boxes,
        "groundtruth_boxes": boxes,
        "groundtruth_classes": tf.ensure_shape(pad(classes), [MAX_BOXES, NUM_CLASSES]),
        "groundtruth_weights": tf.ensure_shape(pad(tensors["groundtruth_weights"]), [MAX_BOXES]),
    }


def read_dataset(
    file_read_func: Any, input_files: list[str], num_readers: int, read_block_length: int, shuffle_buffer: int
) -> Any:
    import tensorflow as tf

    filenames = tf.io.gfile.glob(input_files)
    if not filenames:
        raise RuntimeError(f"Did not find any input files matching the glob pattern {input_files}")
    num_readers = min(num_readers, len(filenames))
    filename_dataset = tf.data.Dataset.from_tensor_slices(filenames)
    filename_dataset = filename_dataset.shuffle(100)  # filenames_shuffle_buffer_size
    filename_dataset = filename_dataset.repeat(None)
    records_dataset = filename_dataset.apply(
        tf.data.experimental.parallel_interleave(
            file_read_func, cycle_length=num_readers, block_length=read_block_length, sloppy=True
        )
    )
    return records_dataset.shuffle(shuffle_buffer)


def build(input_files: list[str], batch_size: int) -> Any:
    import tensorflow as tf

    def process_fn(value: Any) -> dict[str, Any]:
        return transform_input_data(decode(value))

    dataset = read_dataset(
        lambda f: tf.data.TFRecordDataset(f, buffer_size=8 * 1000 * 1000),
        input_files,
        num_readers=64,
        read_block_length=8,
        shuffle_buffer=2048,
    )
    dataset = dataset.map(process_fn, num_parallel_calls=batch_size * 2)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    return dataset.prefetch(2)


def run(folder: Path) -> dict[str, Any]:
    files = _files(folder)
    return {"dataset": build(files, batch_size=8), "scan": files, "features": keys_to_features()}
