"""A directory of shards as a Spark job leaves it, with the class-names file beside them, in the
idioms of linkedin/spark-tfrecord: README.md (`df.write.format("tfrecord")`: `part-r-NNNNN`
files, the `_SUCCESS` marker the Hadoop output committer writes, and on a local file system
the `.crc` checksum files) and of zzh8829/yolov3-tf2: docs/training_voc.md (the class names,
`voc2012.names`, kept in the data folder next to the TFRecord files).

The writer: four `part-r-0000k` shards of `tf.train.Example`s (VOC-style image records), their
hidden Hadoop checksum files `.part-r-0000k.crc`, an empty `_SUCCESS` with its `._SUCCESS.crc`,
and `voc2012.names` (text, one class a line).

What is judged: `tfdoctor scan` of the directory, as a user points it at the folder.

Correct: the directory holds valid TFRecord shards; the marker, checksum and names files are
not data and are not TFRecord files read as corrupt (no TFD103).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "linkedin/spark-tfrecord: README.md"
CORRECT = True

SHARDS, PER_SHARD = 4, 40
CLASSES = ["aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow"]


def _hadoop_crc(data: bytes, bytes_per_checksum: int = 512) -> bytes:
    """Hadoop's ChecksumFileSystem side file: magic, chunk size, a CRC32 per chunk."""
    sums = b"".join(
        struct.pack(">I", zlib.crc32(data[i : i + bytes_per_checksum]))
        for i in range(0, len(data), bytes_per_checksum)
    )
    return b"crc\x00" + struct.pack(">i", bytes_per_checksum) + sums


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(10)
    data = folder / "voc2012_train"
    data.mkdir()
    for shard in range(SHARDS):
        path = data / f"part-r-{shard:05d}"
        with tf.io.TFRecordWriter(str(path)) as writer:
            for _ in range(PER_SHARD):
                pixels = rng.integers(0, 255, (32, 40, 3), dtype=np.uint8)
                label = int(rng.integers(len(CLASSES)))
                xmin, xmax = sorted(rng.uniform(0, 1, 2).tolist())
                feature = {
                    "image/encoded": tf.train.Feature(
                        bytes_list=tf.train.BytesList(value=[tf.io.encode_jpeg(pixels).numpy()])
                    ),
                    "image/object/class/text": tf.train.Feature(
                        bytes_list=tf.train.BytesList(value=[CLASSES[label].encode()])
                    ),
                    "image/object/class/label": tf.train.Feature(
                        int64_list=tf.train.Int64List(value=[label])
                    ),
                    "image/object/bbox/xmin": tf.train.Feature(float_list=tf.train.FloatList(value=[xmin])),
                    "image/object/bbox/xmax": tf.train.Feature(float_list=tf.train.FloatList(value=[xmax])),
                }
                writer.write(
                    tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
                )
        (data / f".part-r-{shard:05d}.crc").write_bytes(_hadoop_crc(path.read_bytes()))
    (data / "_SUCCESS").write_bytes(b"")
    (data / "._SUCCESS.crc").write_bytes(_hadoop_crc(b""))
    (data / "voc2012.names").write_text("\n".join(CLASSES) + "\n")


def run(folder: Path) -> dict[str, Any]:
    return {"scan": [str(folder / "voc2012_train")]}
