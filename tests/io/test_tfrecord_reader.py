"""The framing reader against TensorFlow's own reader and writer."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import tf_example, tf_read
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfdoctor.io.compression import Compression, decompressed, sniff
from tfdoctor.io.tfrecord import FramingIssue, IssueKind, Record, TFRecordReader, frame
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def read_all(data: bytes, **kw: Any) -> tuple[list[Record], list[FramingIssue]]:
    records, issues = [], []
    for item in TFRecordReader(io.BytesIO(data), **kw):
        (records if isinstance(item, Record) else issues).append(item)
    return records, issues


PAYLOADS = [example({"i": i, "s": b"x" * (i % 7)}) for i in range(20)]
PLAIN = b"".join(frame(p) for p in PAYLOADS)
OFFSETS = [sum(len(frame(p)) for p in PAYLOADS[:i]) for i in range(len(PAYLOADS))]


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_reads_tensorflow_written_files_identically(tf: Any, tmp_path: Path, compression: str) -> None:
    path = tmp_path / "tf.tfrecord"
    payloads = [tf_example(tf, {"i": i, "f": [0.5 * i, 1.0], "b": b"v%d" % i}) for i in range(300)]
    with tf.io.TFRecordWriter(str(path), options=compression) as writer:
        for p in payloads:
            writer.write(p)
    raw = path.open("rb")
    detected = sniff(path.read_bytes()[:64])
    assert detected == Compression(compression.lower() or "none")
    records, issues = [], []
    for item in TFRecordReader(decompressed(raw, detected)):
        (records if isinstance(item, Record) else issues).append(item)
    assert issues == []
    assert [r.payload for r in records] == payloads
    assert [r.payload for r in records] == tf_read(tf, path, compression)[0]


@pytest.mark.parametrize("compression", ["none", "gzip", "zlib"])
def test_tensorflow_reads_our_files(tf: Any, tmp_path: Path, compression: str) -> None:
    path = tmp_path / "ours.tfrecord"
    write_tfrecord(path, PAYLOADS, compression)
    tf_name = {"none": "", "gzip": "GZIP", "zlib": "ZLIB"}[compression]
    got, error = tf_read(tf, path, tf_name)
    assert error is None
    assert got == PAYLOADS


def _tf_offset(message: str) -> tuple[str, int]:
    match = re.search(r"(corrupted|truncated) record at (\d+)", message)
    assert match, message
    return match.group(1), int(match.group(2))


@pytest.mark.parametrize("record,where", [(3, 2), (3, 20), (7, 9), (0, 0), (19, 13)])
def test_corruption_reported_at_tensorflows_offset(tf: Any, tmp_path: Path, record: int, where: int) -> None:
    data = bytearray(PLAIN)
    data[OFFSETS[record] + where] ^= 0x40
    path = tmp_path / "bad.tfrecord"
    path.write_bytes(bytes(data))
    tf_records, error = tf_read(tf, path)
    assert error is not None
    kind, tf_offset = _tf_offset(error)
    assert kind == "corrupted"
    assert len(tf_records) == record
    records, issues = read_all(bytes(data))
    assert issues[0].offset == tf_offset
    assert issues[0].record_index == record
    # everything else is still read: resynchronised after a bad header, skipped a bad body
    assert [r.payload for r in records] == PAYLOADS[:record] + PAYLOADS[record + 1 :]
    assert issues[0].bytes_skipped == len(frame(PAYLOADS[record]))


def test_truncation_matches_tensorflow_at_every_cut(tf: Any, tmp_path: Path) -> None:
    data = b"".join(frame(p) for p in PAYLOADS[:3])
    path = tmp_path / "cut.tfrecord"
    for cut in range(1, len(data)):
        path.write_bytes(data[:cut])
        tf_records, error = tf_read(tf, path)
        records, issues = read_all(data[:cut])
        assert [r.payload for r in records] == tf_records
        complete = cut in OFFSETS
        if complete:
            assert issues == []
            continue
        assert [i.kind for i in issues] == [IssueKind.TRUNCATED]
        assert issues[0].offset == max(o for o in OFFSETS if o < cut)
        if error is not None:  # TF stops silently when even the 12-byte header is partial
            assert _tf_offset(error) == ("truncated", issues[0].offset)
        else:
            assert cut - issues[0].offset < 12


def test_absurd_length_is_not_allocated() -> None:
    header = (2**40).to_bytes(8, "little")
    from tfdoctor.io.tfrecord import _CRC, masked_crc

    bad = header + _CRC.pack(masked_crc(header)) + b"\x00" * 100
    records, issues = read_all(bad + PLAIN)
    assert issues[0].kind == IssueKind.NO_FRAMING
    assert issues[0].bytes_skipped == len(bad)
    assert len(records) == len(PAYLOADS)
    records, issues = read_all(PLAIN[: OFFSETS[2]] + bad + PLAIN[OFFSETS[2] :])
    assert issues[0].kind == IssueKind.ABSURD_LENGTH and issues[0].offset == OFFSETS[2]
    assert len(records) == len(PAYLOADS)


def test_garbage_only() -> None:
    records, issues = read_all(b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\n")
    assert records == []
    assert [i.kind for i in issues] == [IssueKind.NO_FRAMING]


def test_gzip_read_as_plain_is_no_framing_and_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "x.gz"
    write_tfrecord(path, PAYLOADS, "gzip")
    data = path.read_bytes()
    assert sniff(data[:64]) is Compression.GZIP
    records, issues = read_all(data)
    assert records == [] and issues[0].kind == IssueKind.NO_FRAMING


def test_truncated_gzip_stream(tmp_path: Path) -> None:
    path = tmp_path / "x.gz"
    write_tfrecord(path, PAYLOADS, "gzip")
    data = path.read_bytes()[:-20]
    reader = TFRecordReader(decompressed(io.BytesIO(data), Compression.GZIP))
    items = list(reader)
    assert isinstance(items[-1], FramingIssue) and items[-1].kind == IssueKind.TRUNCATED


def test_memory_bounded_by_largest_record() -> None:
    big = [b"z" * 3_000_000, b"y" * 10]
    reader = TFRecordReader(io.BytesIO(b"".join(frame(p) for p in big)), chunk_bytes=1 << 16)
    sizes = []
    for item in reader:
        sizes.append(len(reader._buf))
        assert isinstance(item, Record)
    assert max(sizes) < 3_000_000 + (1 << 16) + 64


POSITION = {p: i for i, p in enumerate(PAYLOADS)}
RESYNC = (IssueKind.CORRUPT_LENGTH, IssueKind.ABSURD_LENGTH, IssueKind.NO_FRAMING)


def _frame_position(issue: FramingIssue) -> int:
    """The original position of the frame an issue names (a bad body is reported at its data)."""
    at = issue.offset - 12 if issue.kind == IssueKind.CORRUPT_DATA else issue.offset
    return OFFSETS.index(at)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(PLAIN) - 1), st.integers(1, 255)), min_size=1, max_size=6),
    st.integers(0, len(PLAIN)),
)
def test_random_corruption_never_raises_and_accounts_for_every_byte(
    flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(PLAIN)
    for pos, mask in flips:
        data[pos] ^= mask
    data = data[: max(cut, 1)]
    records, issues = read_all(bytes(data))
    # every payload returned is one we wrote, unaltered, at the offset we wrote it, in order
    unknown = [r.payload for r in records if r.payload not in POSITION]
    assert unknown == [], "the reader returned payloads it was never given"
    positions = [POSITION[r.payload] for r in records]
    assert positions == sorted(set(positions))
    assert [r.offset for r in records] == [OFFSETS[p] for p in positions]
    # the record index is the original position up to the first frame whose header is lost
    # (past a resynchronisation the number of frames skipped is unknowable: a lower bound)
    lost = next((i.offset for i in issues if i.kind in RESYNC), len(PLAIN) + 1)
    for r, p in zip(records, positions, strict=True):
        assert r.index == p if r.offset < lost else r.index <= p, (r, p)
    for issue in issues:
        if issue.offset <= lost and issue.kind != IssueKind.STREAM_ERROR:
            assert issue.record_index == _frame_position(issue), issue
    # bytes are either in a good frame or counted as skipped: nothing disappears
    good = sum(len(frame(r.payload)) for r in records)
    assert good + sum(i.bytes_skipped for i in issues) == len(data)


BODIES = [(OFFSETS[i] + 12, len(p) + 4) for i, p in enumerate(PAYLOADS)]  # data and its CRC


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(PAYLOADS) - 1), st.integers(0, 10**6), st.integers(1, 255)),
        min_size=1,
        max_size=8,
    )
)
def test_bad_bodies_keep_every_record_at_its_position(flips: list[tuple[int, int, int]]) -> None:
    """Only bodies damaged: every record and every issue carries its original position, as
    TensorFlow counts a record it fails on; the bad ones, and only those, are issues."""
    data = bytearray(PLAIN)
    for record, where, mask in flips:
        start, size = BODIES[record]
        data[start + where % size] ^= mask
    records, issues = read_all(bytes(data))
    bad = [
        k
        for k, (start, size) in enumerate(BODIES)
        if data[start : start + size] != PLAIN[start : start + size]
    ]
    assert [(i.kind, i.record_index, i.offset) for i in issues] == [
        (IssueKind.CORRUPT_DATA, k, OFFSETS[k] + 12) for k in bad
    ]
    assert [(r.index, r.payload) for r in records] == [(k, p) for k, p in enumerate(PAYLOADS) if k not in bad]


def test_record_index_counts_each_corrupt_frame() -> None:
    """Two bad bodies: the second is record 12, not 11; the records after it keep theirs."""
    data = bytearray(PLAIN)
    for k in (5, 12):
        data[OFFSETS[k] + 14] ^= 0x01
    records, issues = read_all(bytes(data))
    assert [(i.kind, i.record_index, i.offset) for i in issues] == [
        (IssueKind.CORRUPT_DATA, 5, OFFSETS[5] + 12),
        (IssueKind.CORRUPT_DATA, 12, OFFSETS[12] + 12),
    ]
    assert [r.index for r in records] == [k for k in range(20) if k not in (5, 12)]


def test_a_corrupt_header_still_counts_its_frame() -> None:
    data = bytearray(PLAIN)
    data[OFFSETS[5] + 2] ^= 0x01  # the length field of record 5
    records, issues = read_all(bytes(data))
    assert [(i.kind, i.record_index) for i in issues] == [(IssueKind.CORRUPT_LENGTH, 5)]
    assert [r.index for r in records] == [POSITION[r.payload] for r in records]
