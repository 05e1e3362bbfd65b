"""Edges of the byte sniffing that mutation testing found untested (scripts/mutation io,
issue 16): what TFD103 says a non-TFRecord file is, and a ZLIB stream too short to judge."""

from __future__ import annotations

import zlib

import pytest

from tfdoctor.io.compression import describe_bytes
from tfdoctor.io.sources import tfrecord_head
from tfdoctor.io.tfrecord import frame


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"\x89PNG\r\n\x1a\n\x00", "it is a PNG image"),
        (b"ARROW1\x00\x00", "it is an Arrow file"),
        (b"PAR1\x15\x04", "it is a Parquet file"),
        (b"label,x\r\n1,\t2\n", "it is text, starting 'label,x\\r\\n1,\\t2\\n'"),
        (b"label\x0bx", "its first bytes are 6c 61 62 65 6c 0b 78"),
        (b"", "the file is empty"),
    ],
)
def test_describe_bytes(head: bytes, said: str) -> None:
    assert describe_bytes(head) == said


def test_a_zlib_header_alone_is_not_judged_plain_garbage() -> None:
    """Two bytes of ZLIB header and nothing inflated yet: the reader must judge it."""
    assert tfrecord_head(b"\x78\x9c")
    assert tfrecord_head(zlib.compress(frame(b"x" * 20)))
    assert not tfrecord_head(b"\x78\x9d")  # not a multiple of 31: no ZLIB header
