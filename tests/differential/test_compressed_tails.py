"""Compressed streams that end badly (issue 15, item 5): a cut GZIP/ZLIB file, bytes after the
end of the stream, a corrupt byte. Each is read by TensorFlow and by tfdoctor; the records
TensorFlow yields before it stops, and the offset it names, are the ones tfdoctor reports."""

from __future__ import annotations

import random
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from conftest import tf_read

import tfdoctor
from tfdoctor.engines.file import ScanOptions, scan_file
from tfdoctor.facts.files import FileFacts
from tfdoctor.facts.inputs import InputFacts
from tfdoctor.findings import Severity
from tfdoctor.io.sources import Source
from tfdoctor.io.tfrecord import frame

_rng = random.Random(15)
# incompressible payloads of 100..3,000 bytes: a cut falls inside a record or between two
PAYLOADS = [_rng.randbytes(_rng.randint(100, 3000)) for _ in range(80)]
PLAIN = b"".join(frame(p) for p in PAYLOADS)
STARTS = [sum(len(frame(p)) for p in PAYLOADS[:i]) for i in range(len(PAYLOADS) + 1)]
WBITS = {"GZIP": 31, "ZLIB": 15}


def compress(data: bytes, kind: str, flush: int = zlib.Z_FINISH) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, WBITS[kind])
    return z.compress(data) + z.flush(flush)


def ours(path: Path) -> FileFacts:
    return scan_file(Source(str(path), path.stat().st_size), ScanOptions()).extract(InputFacts()).files[0]


def theirs(tf: Any, path: Path, kind: str) -> tuple[int, str | None]:
    records, error = tf_read(tf, path, kind)
    assert records == PAYLOADS[: len(records)]
    return len(records), error


def truncated_at(error: str | None) -> int | None:
    m = re.search(r"truncated record at (\d+)", error or "")
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
@pytest.mark.parametrize("cut", [10, 40, 60, 0.25, 0.5, 0.75, -9, -4, -1])
def test_a_cut_stream_counts_every_record_tensorflow_reads(
    tf: Any, tmp_path: Path, kind: str, cut: float
) -> None:
    data = compress(PLAIN, kind)
    end = int(len(data) * cut) if isinstance(cut, float) else cut % len(data)
    path = tmp_path / "cut.tfrecord"
    path.write_bytes(data[:end])
    count, error = theirs(tf, path, kind)
    f = ours(path)
    assert f.records == count
    [problem] = f.problems
    assert problem.kind == "truncated"
    at = truncated_at(error)
    if at is not None:  # inside a record: the same offset, the frame's
        assert problem.offset == at == STARTS[count]
    else:  # cut before a whole header: TensorFlow ends without an error
        assert error is None and problem.bytes_skipped < 12
        assert "TensorFlow stops there without an error" in problem.detail
    assert f"stream ends before its end marker, at compressed byte {end:,}" in problem.detail


@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
@pytest.mark.parametrize("into_header", [0, 1, 11, 12, 20])
def test_a_stream_cut_at_a_record_boundary(tf: Any, tmp_path: Path, kind: str, into_header: int) -> None:
    """The compressed bytes end where the decompressed ones reach `into_header` bytes into
    record 30 (a sync flush puts every byte before the cut in the file)."""
    path = tmp_path / "cut.tfrecord"
    path.write_bytes(compress(PLAIN[: STARTS[30] + into_header], kind, zlib.Z_SYNC_FLUSH))
    count, error = theirs(tf, path, kind)
    f = ours(path)
    assert f.records == count == 30
    [problem] = f.problems
    assert (problem.kind, problem.offset, problem.bytes_skipped) == ("truncated", STARTS[30], into_header)
    assert truncated_at(error) == (STARTS[30] if into_header >= 12 else None)
    [finding] = [x for x in tfdoctor.scan(str(path)).findings if x.code == "TFD102"]
    assert finding.severity is (Severity.ERROR if into_header >= 12 else Severity.WARNING)


@pytest.mark.parametrize("into_header", [1, 11])
def test_a_plain_file_ending_inside_a_header_ends_silently_in_tensorflow(
    tf: Any, tmp_path: Path, into_header: int
) -> None:
    path = tmp_path / "cut.tfrecord"
    path.write_bytes(PLAIN[: STARTS[5] + into_header])
    assert theirs(tf, path, "") == (5, None)
    [finding] = [x for x in tfdoctor.scan(str(path)).findings if x.code == "TFD102"]
    assert finding.severity is Severity.WARNING and finding.where.offset == STARTS[5]


TAILS = {
    "zeros": bytes(10),
    "text": b"garbage!",
    "ones": b"\x01" * 100,
    "half a gzip header": b"\x1f\x8b",
    "a gzip header only": compress(b"", "GZIP")[:10],
}


@pytest.mark.parametrize("tail", list(TAILS))
@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_bytes_after_the_stream(tf: Any, tmp_path: Path, kind: str, tail: str) -> None:
    """GZIP: TensorFlow reads what follows a member as another member (fails on anything else,
    zero padding too); ZLIB: it ignores what follows the stream."""
    path = tmp_path / "tail.tfrecord"
    data = compress(PLAIN, kind)
    path.write_bytes(data + TAILS[tail])
    count, error = theirs(tf, path, kind)
    f = ours(path)
    assert f.records == count == len(PAYLOADS)
    kinds = [p.kind for p in f.problems]
    if error is not None:
        assert kind == "GZIP" and "incorrect header check" in error
        assert kinds == ["stream-error"] and f.problems[0].offset == len(PLAIN)
        assert f"member that ends at compressed byte {len(data):,}" in f.problems[0].detail
        [finding] = [x for x in tfdoctor.scan(str(path)).findings if x.code == "TFD101"]
        assert finding.severity is Severity.ERROR
    elif kind == "GZIP":  # a next member begun and cut before any byte of it: a silent end
        assert kinds == ["truncated"] and f.problems[0].bytes_skipped == 0
    else:
        assert kinds == []


def test_concatenated_gzip_members_are_all_read(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "members.tfrecord"
    path.write_bytes(compress(PLAIN[: STARTS[40]], "GZIP") + compress(PLAIN[STARTS[40] :], "GZIP"))
    assert theirs(tf, path, "GZIP") == (len(PAYLOADS), None)
    f = ours(path)
    assert f.records == len(PAYLOADS) and f.problems == ()


def test_concatenated_zlib_streams_read_only_the_first(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "streams.tfrecord"
    path.write_bytes(compress(PLAIN[: STARTS[40]], "ZLIB") + compress(PLAIN[STARTS[40] :], "ZLIB"))
    assert theirs(tf, path, "ZLIB") == (40, None)
    f = ours(path)
    assert f.records == 40 and f.problems == ()


@pytest.mark.parametrize(  # the trailer: GZIP's CRC32 then length (8 bytes), ZLIB's Adler-32 (4)
    ("kind", "back"), [("GZIP", 1), ("GZIP", 6), ("ZLIB", 1), ("ZLIB", 4)]
)
def test_a_corrupt_trailer_keeps_every_record_inflated_before_it(
    tf: Any, tmp_path: Path, kind: str, back: int
) -> None:
    """A bad check value at the end: zlib fails in the call that reads it, after inflating
    the whole stream. tfdoctor keeps every record; TensorFlow drops the output of its last
    read (256 KiB), so it yields at most as many, and fails."""
    data = bytearray(compress(PLAIN, kind))
    data[-back] ^= 0x55
    path = tmp_path / "trailer.tfrecord"
    path.write_bytes(bytes(data))
    count, error = theirs(tf, path, kind)
    assert error is not None and "inflate() failed" in error
    f = ours(path)
    assert f.records == len(PAYLOADS) >= count
    [problem] = f.problems
    assert (problem.kind, problem.offset) == ("stream-error", len(PLAIN))
    assert re.search(
        r"stream is corrupt at compressed byte [\d,]+: incorrect (data|length) check", problem.detail
    )


@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_a_flipped_byte_mid_stream_is_the_record_tensorflow_names(tf: Any, tmp_path: Path, kind: str) -> None:
    # big enough that TensorFlow's own buffers hand over the records before the damage
    payloads = [_rng.randbytes(1000) + bytes(1000) for _ in range(1500)]
    plain = b"".join(frame(p) for p in payloads)
    data = bytearray(compress(plain, kind))
    data[len(data) // 2] ^= 0x55
    path = tmp_path / "flip.tfrecord"
    path.write_bytes(bytes(data))
    records, error = tf_read(tf, path, kind)
    m = re.search(r"corrupted record at (\d+)", error or "")
    assert m is not None
    f = ours(path)
    corrupt = [p for p in f.problems if p.kind == "corrupt-data"]
    assert corrupt and corrupt[0].offset == int(m.group(1))
    assert corrupt[0].record == len(records)  # TensorFlow yields every record before it
