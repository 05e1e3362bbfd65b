"""Write TFRecord files (plain, GZIP, ZLIB) without TensorFlow: for the demo, tests and
benchmarks. Files are byte-for-byte what `tf.io.TFRecordWriter` frames."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from pathlib import Path

from .tfrecord import frame


def write_tfrecord(path: str | Path, payloads: Iterable[bytes], compression: str = "none") -> int:
    """Write framed payloads, streaming; returns the number of records."""
    if compression not in ("none", "gzip", "zlib"):
        raise ValueError(f"unknown compression {compression!r}")
    count = 0
    with open(path, "wb") as raw:
        if compression == "gzip":
            with gzip.GzipFile(fileobj=raw, mode="wb") as gz:
                for payload in payloads:
                    gz.write(frame(payload))
                    count += 1
            return count
        packer = zlib.compressobj() if compression == "zlib" else None
        for payload in payloads:
            framed = frame(payload)
            raw.write(packer.compress(framed) if packer else framed)
            count += 1
        if packer:
            raw.write(packer.flush())
    return count
