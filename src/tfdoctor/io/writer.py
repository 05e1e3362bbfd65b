"""Write TFRecord files (plain, GZIP, ZLIB) without TensorFlow: for the demo, tests and
benchmarks. Files are byte-for-byte what `tf.io.TFRecordWriter` frames."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from pathlib import Path

from .tfrecord import frame


def write_tfrecord(path: str | Path, payloads: Iterable[bytes], compression: str = "none") -> int:
    """Write framed payloads; returns the number of records."""
    body = bytearray()
    count = 0
    for payload in payloads:
        body += frame(payload)
        count += 1
    data = bytes(body)
    if compression == "gzip":
        data = gzip.compress(data)
    elif compression == "zlib":
        data = zlib.compress(data)
    elif compression != "none":
        raise ValueError(f"unknown compression {compression!r}")
    Path(path).write_bytes(data)
    return count
