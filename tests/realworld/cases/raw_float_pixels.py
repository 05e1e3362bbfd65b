"""Raw float32 pixel bytes stored as `image/encoded` and decoded as an image: the writer of
https://github.com/tensorflow/tensorflow/issues/13630 (also tensorflow/models#2518: "assertion
failed: [Unable to decode bytes as JPEG, PNG, GIF, or BMP]"), which loads each photo with
OpenCV, resizes it, casts it with `astype(np.float32)` and stores `img.tostring()` under
`image/encoded` with `image/format` 'jpg', in the key layout of tensorflow/models:
research/slim/datasets/dataset_utils.py (`image_to_tfexample`); read the slim way, where the
`Image` handler decodes `image/encoded` with `decode_image`.

The writer: `image/encoded` = `arr.tobytes()` of a 32x32x3 float32 array (12,288 bytes, no
header), `image/format` b'jpg', a float regression target `image/class/label`, height, width.

The reader: parse, `tf.io.decode_image(channels=3)`, batch.

Buggy: the bytes are not an encoded image; TensorFlow stops at the first record with "Unknown
image file format" (decode_raw(..., tf.float32) and a reshape to [32, 32, 3] would read them).
Expected: TFD306.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/models: research/slim/datasets/dataset_utils.py"
CORRECT = False
EXPECTED = ("TFD306",)

RECORDS = 64


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(12)
    with tf.io.TFRecordWriter(str(folder / "train.tfrecords")) as writer:
        for _ in range(RECORDS):
            img = rng.integers(0, 256, (32, 32, 3)).astype(np.float32)  # cv2.imread + resize + astype
            feature = {
                "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[img.tobytes()])),
                "image/format": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"jpg"])),
                "image/class/label": tf.train.Feature(
                    float_list=tf.train.FloatList(value=rng.uniform(0, 1, 1))
                ),
                "image/height": tf.train.Feature(int64_list=tf.train.Int64List(value=[32])),
                "image/width": tf.train.Feature(int64_list=tf.train.Int64List(value=[32])),
            }
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString())


def run(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    def parse(serialized: Any) -> Any:
        features = tf.io.parse_single_example(
            serialized,
            {
                "image/encoded": tf.io.FixedLenFeature((), tf.string, default_value=""),
                "image/format": tf.io.FixedLenFeature((), tf.string, default_value="jpg"),
                "image/class/label": tf.io.FixedLenFeature([1], tf.float32),
            },
        )
        image = tf.io.decode_image(features["image/encoded"], channels=3, expand_animations=False)
        image = tf.image.resize(image, [32, 32])
        return image, features["image/class/label"]

    dataset = tf.data.TFRecordDataset(str(folder / "train.tfrecords")).map(parse)
    return {"dataset": dataset.shuffle(256).batch(8)}
