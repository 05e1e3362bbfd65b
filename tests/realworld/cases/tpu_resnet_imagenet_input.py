"""ImageNet input for ResNet on TPU, in the idiom of tensorflow/tpu:
models/official/resnet/imagenet_input.py (with resnet_preprocessing.py's training branch; the
shards as build_imagenet_data.py / imagenet_to_gcs.py write them).

The writer: shards `train-0000k-of-0000n`, JPEG images of many sizes (ImageNet is not resized
before writing), `image/class/label` 1-based (0 is kept for background), synset and text,
height/width/channels/colorspace/format/filename, and box lists; images shuffled before
sharding.

The reader: `list_files(pattern, shuffle=False)`, the file names shuffled and repeated with the
fused `shuffle_and_repeat` (the 2018 code wrote `shuffle(1024)` then `repeat()`),
`parallel_interleave(TFRecordDataset(buffer_size=8 MB), sloppy=True)`, `shuffle(1024)` over
records, then the fused `map_and_batch(dataset_parser, drop_remainder=True)` and `prefetch`.
`dataset_parser` reads `keys_to_features` with positional defaults (`''`, `'jpeg'`, `-1`) and
box VarLenFeatures, decodes and random-crops in one op (`extract_jpeg_shape`,
`sample_distorted_bounding_box`, `decode_and_crop_jpeg`), resizes bicubic, flips, and
subtracts one from the label so it lies in [0, 1000). The pixels stay in [0, 255]: the model
function subtracts the mean and divides by the standard deviation.

Correct: the reference TPU input.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "tensorflow/tpu: models/official/resnet/imagenet_input.py"
CORRECT = True

SHARDS, PER_SHARD, CLASSES, IMAGE_SIZE = 4, 48, 10, 32
SIZES = [(40, 48), (48, 40), (44, 44), (56, 48), (36, 52)]


def _image(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    base = np.linspace(0, 200, width)[None, :, None] + np.linspace(0, 50, height)[:, None, None]
    noise = rng.integers(0, 40, (height, width, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(3)
    labels = rng.permutation(np.arange(SHARDS * PER_SHARD) % CLASSES) + 1  # shuffled, 1-based

    def _bytes(v: list[bytes]) -> Any:
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=v))

    def _int64(v: list[int]) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=v))

    def _float(v: list[float]) -> Any:
        return tf.train.Feature(float_list=tf.train.FloatList(value=v))

    for shard in range(SHARDS):
        name = folder / f"train-{shard:05d}-of-{SHARDS:05d}"
        with tf.io.TFRecordWriter(str(name)) as writer:
            for i in range(PER_SHARD):
                index = shard * PER_SHARD + i
                label = int(labels[index])
                height, width = SIZES[int(rng.integers(len(SIZES)))]
                encoded = tf.io.encode_jpeg(_image(rng, height, width), quality=90).numpy()
                boxes = (
                    [] if rng.random() < 0.5 else [sorted(rng.uniform(0, 1, 2).tolist()) for _ in range(2)]
                )
                feature = {
                    "image/height": _int64([height]),
                    "image/width": _int64([width]),
                    "image/colorspace": _bytes([b"RGB"]),
                    "image/channels": _int64([3]),
                    "image/class/label": _int64([label]),
                    "image/class/synset": _bytes([b"n%08d" % (1440764 + label)]),
                    "image/class/text": _bytes([b"class %d" % label]),
                    "image/object/bbox/xmin": _float([b[0] for b in boxes]),
                    "image/object/bbox/xmax": _float([b[1] for b in boxes]),
                    "image/object/bbox/ymin": _float([b[0] for b in boxes]),
                    "image/object/bbox/ymax": _float([b[1] for b in boxes]),
                    "image/object/bbox/label": _int64([label] * len(boxes)),
                    "image/format": _bytes([b"JPEG"]),
                    "image/filename": _bytes([b"n%08d_%d.JPEG" % (1440764 + label, index)]),
                    "image/encoded": _bytes([encoded]),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )


class ImageNetInput:
    def __init__(self, is_training: bool, data_dir: str, num_cores: int = 4, image_size: int = IMAGE_SIZE):
        self.is_training = is_training
        self.data_dir = data_dir
        self.num_cores = num_cores
        self.image_size = image_size

    def _decode_and_random_crop(self, image_bytes: Any) -> Any:
        import tensorflow as tf

        shape = tf.image.extract_jpeg_shape(image_bytes)
        bbox = tf.constant([0.0, 0.0, 1.0, 1.0], dtype=tf.float32, shape=[1, 1, 4])
        begin, size, _ = tf.image.sample_distorted_bounding_box(
            shape,
            bounding_boxes=bbox,
            min_object_covered=0.1,
            aspect_ratio_range=(3.0 / 4, 4.0 / 3.0),
            area_range=(0.08, 1.0),
            max_attempts=10,
            use_image_if_no_bounding_boxes=True,
        )
        offset_y, offset_x, _ = tf.unstack(begin)
        target_height, target_width, _ = tf.unstack(size)
        crop_window = tf.stack([offset_y, offset_x, target_height, target_width])
        image = tf.image.decode_and_crop_jpeg(image_bytes, crop_window, channels=3)
        return tf.image.resize([image], [self.image_size, self.image_size], method="bicubic")[0]

    def dataset_parser(self, value: Any) -> Any:
        import tensorflow as tf

        keys_to_features = {
            "image/encoded": tf.io.FixedLenFeature((), tf.string, ""),
            "image/format": tf.io.FixedLenFeature((), tf.string, "jpeg"),
            "image/class/label": tf.io.FixedLenFeature([], tf.int64, -1),
            "image/class/text": tf.io.FixedLenFeature([], tf.string, ""),
            "image/object/bbox/xmin": tf.io.VarLenFeature(dtype=tf.float32),
            "image/object/bbox/ymin": tf.io.VarLenFeature(dtype=tf.float32),
            "image/object/bbox/xmax": tf.io.VarLenFeature(dtype=tf.float32),
            "image/object/bbox/ymax": tf.io.VarLenFeature(dtype=tf.float32),
            "image/object/class/label": tf.io.VarLenFeature(dtype=tf.int64),
        }
        parsed = tf.io.parse_single_example(value, keys_to_features)
        image_bytes = tf.reshape(parsed["image/encoded"], shape=[])
        image = self._decode_and_random_crop(image_bytes)
        image = tf.image.random_flip_left_right(image)
        image = tf.reshape(image, [self.image_size, self.image_size, 3])
        image = tf.image.convert_image_dtype(image, dtype=tf.float32)
        label = tf.cast(tf.reshape(parsed["image/class/label"], shape=[]), dtype=tf.int32) - 1
        return image, label

    def input_fn(self, params: dict[str, Any]) -> Any:
        import tensorflow as tf

        batch_size = params["batch_size"]
        file_pattern = os.path.join(self.data_dir, "train-*" if self.is_training else "validation-*")
        dataset = tf.data.Dataset.list_files(file_pattern, shuffle=False)
        if self.is_training:
            dataset = dataset.apply(tf.data.experimental.shuffle_and_repeat(1024))

        def fetch_dataset(filename: Any) -> Any:
            buffer_size = 8 * 1024 * 1024  # 8 MiB per file
            return tf.data.TFRecordDataset(filename, buffer_size=buffer_size)

        dataset = dataset.apply(
            tf.data.experimental.parallel_interleave(fetch_dataset, cycle_length=self.num_cores, sloppy=True)
        )
        dataset = dataset.shuffle(1024)
        dataset = dataset.apply(
            tf.data.experimental.map_and_batch(
                self.dataset_parser,
                batch_size=batch_size,
                num_parallel_batches=self.num_cores,
                drop_remainder=True,
            )
        )
        return dataset.prefetch(tf.data.AUTOTUNE)


def run(folder: Path) -> dict[str, Any]:
    return {"dataset": ImageNetInput(is_training=True, data_dir=str(folder)).input_fn({"batch_size": 16})}
