"""What the reader, the decompressor, the writer and the output and source helpers say at
their edges, where mutants survived scripts/mutation io (issue 16): the exact issue details
(a cut GZIP stream inside a small and a large record, a search that gives up, a corrupt
header with nothing after it), a record of exactly the size limit, a ZLIB stream that asks for
a dictionary, what a failed inflate salvages, a plain header that looks like GZIP. Expected
values are worked out from the bytes written here, not read back from tfdoctor."""

from __future__ import annotations

import gzip
import io
import random
import tempfile
import zlib
from pathlib import Path
from typing import Any

import fsspec
import pytest

from tfdoctor.io.compression import Compression, decompressed, sniff
from tfdoctor.io.outputs import OutputError, guarded_inputs, write_output
from tfdoctor.io.sources import _special, resolve
from tfdoctor.io.tfrecord import FramingIssue, IssueKind, Record, StreamError, TFRecordReader, frame
from tfdoctor.io.writer import write_tfrecord

RNG = random.Random(2)
A, B = RNG.randbytes(100), RNG.randbytes(100)  # incompressible: GZIP output follows the input
CUT = "the GZIP stream ends before its end marker, at compressed byte {at} (the file is cut short)"


def read_all(stream: Any, **kw: Any) -> tuple[TFRecordReader, list[Record | FramingIssue]]:
    reader = TFRecordReader(stream, **kw)
    return reader, list(reader)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# ---------------------------------------------------------------------------------------------
# The reader on plain files


def test_a_record_of_exactly_the_size_limit_is_read() -> None:
    _, items = read_all(io.BytesIO(frame(A)), max_record_bytes=100)
    assert items == [Record(0, 0, A)]
    _, items = read_all(io.BytesIO(frame(A)), max_record_bytes=99)
    assert [(i.kind, i.record_index) for i in items if isinstance(i, FramingIssue)] == [
        (IssueKind.NO_FRAMING, 0)
    ]


def test_a_record_cut_short_says_how_much_of_it_is_there() -> None:
    _, items = read_all(io.BytesIO(frame(A)[:50]))
    assert items == [
        FramingIssue(
            IssueKind.TRUNCATED, 0, 0, 50, "record of 100 bytes declared, the file ends after 38 of them"
        )
    ]


def test_a_corrupt_header_with_no_valid_record_after_it() -> None:
    bad = bytearray(frame(B))
    bad[0] ^= 0xFF
    data = frame(A) + bytes(bad) + b"zz" * 20
    _, items = read_all(io.BytesIO(data))
    assert items == [
        Record(0, 0, A),
        FramingIssue(
            IssueKind.CORRUPT_LENGTH,
            116,
            1,
            len(data) - 116,
            "length field fails its CRC32C check; no valid record follows, the rest of the file is skipped",
        ),
    ]


def test_a_search_that_gives_up_says_how_far_it_searched() -> None:
    """Garbage of length-like headers: every 12 bytes a candidate; after 3 the search stops."""
    bad = bytearray(frame(B))
    bad[0] ^= 0xFF
    garbage = (b"\x01" + b"\x00" * 11) * 50
    data = frame(A) + bytes(bad) + garbage
    reader, items = read_all(io.BytesIO(data), max_resync_checks=3)
    assert reader.resync_checks == 3
    issue = items[1]
    assert isinstance(issue, FramingIssue)
    assert (issue.kind, issue.offset, issue.record_index, issue.bytes_skipped) == (
        IssueKind.CORRUPT_LENGTH,
        116,
        1,
        len(data) - 116,
    )
    # the search gives up where the garbage starts (byte 232, 116 bytes after the bad frame):
    # the 3 candidates it checked by then fail; the other 600 bytes are skipped unsearched
    assert issue.detail == (
        "length field fails its CRC32C check; no valid record in the 116 bytes after it (3 candidate "
        "headers checked, the search's limit): the rest of the file, 600 bytes more, is skipped"
    )
    assert 116 + 600 == issue.bytes_skipped


def test_bytes_read_counts_every_byte_of_large_records() -> None:
    """Records larger than the buffer are read in one piece (`_read_exact`): still counted."""
    data = frame(A) + frame(B)
    reader, items = read_all(io.BytesIO(data), chunk_bytes=16)
    assert items == [Record(0, 0, A), Record(116, 1, B)]
    assert reader.bytes_read == len(data) == 232


# ---------------------------------------------------------------------------------------------
# The reader on a GZIP stream that is cut short


@pytest.mark.parametrize("chunk", [1 << 16, 16])  # the record through the buffer, or read whole
def test_a_gzip_stream_cut_inside_a_record(chunk: int) -> None:
    raw = gzipped(frame(A) + frame(B))[:-60]
    inflated = len(zlib.decompressobj(31).decompress(raw))
    assert inflated == 183  # 116 bytes of the first frame, 67 of the second
    _, items = read_all(decompressed(io.BytesIO(raw), Compression.GZIP), chunk_bytes=chunk)
    assert items == [
        Record(0, 0, A),
        FramingIssue(
            IssueKind.TRUNCATED,
            116,
            1,
            67,
            CUT.format(at=len(raw)) + ", record of 100 bytes declared, the file ends after 55 of them",
        ),
    ]


def test_a_gzip_stream_cut_after_a_corrupt_header() -> None:
    bad = bytearray(frame(B))
    bad[0] ^= 0xFF
    raw = gzipped(frame(A) + bytes(bad) + b"zz" * 30)[:-20]
    _, items = read_all(decompressed(io.BytesIO(raw), Compression.GZIP))
    assert [(type(i).__name__, getattr(i, "kind", None), i.index if isinstance(i, Record) else i.record_index)
            for i in items] == [
        ("Record", None, 0),
        ("FramingIssue", IssueKind.CORRUPT_LENGTH, 1),
        ("FramingIssue", IssueKind.TRUNCATED, 1),
    ]  # fmt: skip
    last = items[-1]
    assert isinstance(last, FramingIssue) and last.detail.startswith(
        CUT.format(at=len(raw)) + ", between two"
    )


# ---------------------------------------------------------------------------------------------
# The decompressor and the sniffing


def test_a_zlib_stream_that_needs_a_dictionary_is_corrupt_not_a_crash() -> None:
    """zlib reports Z_NEED_DICT as 'Error 2 while decompressing data', with no reason after it."""
    raw = b"\x78\xbb" + b"\x00\x00\x00\x01" + b"\x00" * 10  # FDICT set, dictionary id 1
    with pytest.raises(StreamError, match=r"^the ZLIB stream is corrupt at compressed byte 5: Error 2 "):
        decompressed(io.BytesIO(raw), Compression.ZLIB).read()


def test_a_bad_gzip_check_hands_over_every_inflated_byte_first() -> None:
    payload = random.Random(1).randbytes(5000)
    raw = bytearray(gzipped(payload))
    raw[-8] ^= 0xFF  # the CRC32 of the trailer
    stream = decompressed(io.BytesIO(bytes(raw)), Compression.GZIP)
    assert stream.read() == payload
    with pytest.raises(StreamError, match="incorrect data check"):
        stream.read()


def test_a_plain_record_whose_length_looks_like_gzip_is_plain() -> None:
    head = frame(b"y" * 0x8B1F)[:64]
    assert head[:2] == b"\x1f\x8b"
    assert sniff(head) is Compression.NONE
    assert sniff(gzipped(frame(b"y"))[:64]) is Compression.GZIP


# ---------------------------------------------------------------------------------------------
# The writer


def test_write_tfrecord_counts_gzip_records_and_refuses_unknown_compression(tmp_path: Path) -> None:
    assert write_tfrecord(tmp_path / "a.tfrecord.gz", [b"a", b"b", b"c"], compression="gzip") == 3
    assert gzip.decompress((tmp_path / "a.tfrecord.gz").read_bytes()) == frame(b"a") + frame(b"b") + frame(
        b"c"
    )
    with pytest.raises(ValueError, match=r"^unknown compression 'bz2'$"):
        write_tfrecord(tmp_path / "b.tfrecord", [b"a"], compression="bz2")


# ---------------------------------------------------------------------------------------------
# Outputs and sources


def test_guarded_inputs_strip_file_urls_and_keep_remote_ones() -> None:
    assert guarded_inputs(["file:///data/a.tfrecord", "gs://b/c", "d.tfrecord"]) == [
        Path("/data/a.tfrecord"),
        Path("d.tfrecord"),
        "gs://b/c",
    ]


def test_write_output_writes_its_temporary_file_beside_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system temporary folder may be another filesystem, where os.replace cannot move."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    assert write_output(target, "{}") is False
    assert target.read_text() == "{}"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]
    with pytest.raises(OutputError, match="cannot write"):
        write_output(tmp_path / "missing" / "report.json", "{}")


def test_resolve_reports_an_unknown_protocol() -> None:
    resolved = resolve(["nosuchproto://bucket/a.tfrecord"])
    assert resolved.sources == [] and resolved.missing == []
    assert len(resolved.errors) == 1
    name, why = resolved.errors[0]
    assert name == "nosuchproto://bucket/a.tfrecord" and "nosuchproto" in why


def test_special_says_not_a_regular_file_without_a_kind_where_none_is_known() -> None:
    fs = fsspec.filesystem("memory")
    assert _special(fs, "/anything") == "not a regular file: only regular files are read"
