"""Inputs built to make a scan run forever or blow up: sparse all-zero files, decompression
bombs, FIFOs and devices among the data, absurd `name@N` specs. Each ends quickly, without a
traceback, with the finding or exit code that says what happened, and no input is changed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tfdoctor.api import scan
from tfdoctor.cli import app
from tfdoctor.engines.file import ScanOptions, scan_file
from tfdoctor.facts.dataset import DatasetStats
from tfdoctor.facts.inputs import InputFacts
from tfdoctor.io.compression import Compression, decompressed
from tfdoctor.io.sources import MAX_SHARDS, Source, resolve
from tfdoctor.io.tfrecord import FramingIssue, IssueKind, Record, TFRecordReader, frame
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

runner = CliRunner()
PAYLOADS = [example({"i": i}) for i in range(5)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)
    return path


def read(reader: TFRecordReader) -> tuple[list[Record], list[FramingIssue]]:
    records, issues = [], []
    for item in reader:
        (records if isinstance(item, Record) else issues).append(item)
    return records, issues


def scanned(path: Path, options: ScanOptions) -> DatasetStats:
    return scan_file(Source(str(path), path.stat().st_size), options).extract(InputFacts())


# -- 1. resynchronisation over runs of zeros ------------------------------------------------


def test_sparse_zero_file_is_skipped_without_a_crc_per_byte(tmp_path: Path) -> None:
    path = sparse(tmp_path / "zeros.tfrecord", 16 << 20)
    reader = TFRecordReader(path.open("rb"))
    records, issues = read(reader)
    assert records == []
    assert [(i.kind, i.offset, i.bytes_skipped) for i in issues] == [(IssueKind.NO_FRAMING, 0, 16 << 20)]
    # an all-zero header never checks out (TensorFlow rejects it too): no candidate is tried
    assert reader.resync_checks == 0


@pytest.mark.parametrize("gap", [1, 11, 12, 13, 4096 + 7, 1 << 20])
@pytest.mark.parametrize("payload", [b"", b"a" * 256, b"b" * 5])
def test_zero_gap_is_skipped_and_the_next_frame_found(gap: int, payload: bytes) -> None:
    # The frame after the gap may itself start with zero bytes (an empty record, 256 bytes).
    data = frame(PAYLOADS[0]) + bytes(gap) + frame(payload) + frame(PAYLOADS[1])
    reader = TFRecordReader(io.BytesIO(data), chunk_bytes=1 << 16)
    records, issues = read(reader)
    assert [r.payload for r in records] == [PAYLOADS[0], payload, PAYLOADS[1]]
    assert [(i.kind, i.offset, i.bytes_skipped) for i in issues] == [
        (IssueKind.CORRUPT_LENGTH, len(frame(PAYLOADS[0])), gap)
    ]
    assert reader.resync_checks <= 24  # only around the ends of the run, whatever its length


def test_sparse_file_scan_reports_not_tfrecord(tmp_path: Path) -> None:
    path = sparse(tmp_path / "zeros.tfrecord", 16 << 20)
    before = digest(path)
    result = scan([str(path)])
    assert {f.code for f in result.findings} >= {"TFD103"}
    assert result.stats.files[0].records == 0
    assert digest(path) == before


# -- 2. the decompression budget ------------------------------------------------------------


def bomb(path: Path, zeros: int, wbits: int) -> Path:
    """`zeros` bytes of zeros, GZIP (wbits 31) or ZLIB (15), written a megabyte at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    with path.open("wb") as f:
        for _ in range(zeros >> 20):
            f.write(z.compress(block))
        f.write(z.flush())
    return path


@pytest.mark.parametrize(("wbits", "name"), [(31, "GZIP"), (15, "ZLIB")])
def test_decompression_bomb_stops_at_the_budget(tmp_path: Path, wbits: int, name: str) -> None:
    path = bomb(tmp_path / "bomb.tfrecord.gz", 64 << 20, wbits)
    assert path.stat().st_size < 100_000
    before = digest(path)
    stats = scanned(path, ScanOptions(inflation_grace_bytes=1 << 20))
    f = stats.files[0]
    assert f.records == 0
    [stopped] = [p for p in f.problems if p.kind == IssueKind.STREAM_ERROR.value]
    assert stopped.detail.startswith(f"the {name} stream inflates past 1,000x its compressed size")
    assert "reading stopped at 1 MB decompressed" in stopped.detail
    assert f.stream_bytes <= (1 << 20) + (64 << 10)  # the grace, plus one step of 64 KiB
    assert digest(path) == before


def test_records_before_the_budget_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tfrecord.gz"
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as f:
        f.write(z.compress(b"".join(frame(p) for p in PAYLOADS)))
        for _ in range(8):
            f.write(z.compress(bytes(1 << 20)))
        f.write(z.flush())
    stats = scanned(path, ScanOptions(inflation_grace_bytes=1 << 20))
    assert stats.files[0].records == len(PAYLOADS)
    with_budget = scan_file(Source(str(path), None), ScanOptions(inflation_grace_bytes=1 << 20))
    # the ratio is over the whole stream: the records' own bytes delay the stop a little
    assert with_budget.extract(InputFacts()).files[0].stream_bytes < 4 << 20
    without = scanned(path, ScanOptions(max_inflation=None))
    assert without.files[0].stream_bytes == sum(len(frame(p)) for p in PAYLOADS) + (8 << 20)
    assert not [p for p in without.files[0].problems if p.kind == IssueKind.STREAM_ERROR.value]


@pytest.mark.parametrize("compression", ["gzip", "zlib"])
def test_ordinary_compressed_files_are_read_whole(tmp_path: Path, compression: str) -> None:
    path = tmp_path / "ok.tfrecord"
    payloads = [example({"i": i, "z": [0.0] * 4000}) for i in range(300)]  # ~4.8 MB, mostly zeros
    write_tfrecord(path, payloads, compression)
    stats = scanned(path, ScanOptions(inflation_grace_bytes=1 << 20))
    assert stats.files[0].records == len(payloads)
    assert stats.files[0].problems == ()


def test_concatenated_gzip_members_are_read_and_zero_padding_fails_as_in_tensorflow(tmp_path: Path) -> None:
    path = tmp_path / "two.tfrecord.gz"
    members = [zlib.compressobj(6, zlib.DEFLATED, 31) for _ in range(2)]
    parts = [z.compress(frame(p)) + z.flush() for z, p in zip(members, PAYLOADS[:2], strict=True)]
    path.write_bytes(parts[0] + parts[1])
    stats = scanned(path, ScanOptions())
    assert stats.files[0].records == 2
    assert stats.files[0].problems == ()
    # TensorFlow reads zero padding as a third member and fails on it (tests/differential)
    path.write_bytes(parts[0] + parts[1] + bytes(10))
    f = scanned(path, ScanOptions()).files[0]
    assert f.records == 2
    ends = len(parts[0]) + len(parts[1])
    assert [(p.kind, p.offset) for p in f.problems] == [
        ("stream-error", sum(len(frame(p)) for p in PAYLOADS[:2]))
    ]
    assert f.problems[0].detail.startswith(
        f"the bytes after the GZIP member that ends at compressed byte {ends:,}"
    )


# -- 3. only regular files are read ---------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_and_device_in_a_directory_are_skipped_unopened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    good = data / "train.tfrecord"
    write_tfrecord(good, PAYLOADS, "none")
    before = digest(good)
    os.mkfifo(data / "pipe.tfrecord")  # opening it would block until a writer comes
    os.mkfifo(data / "part-00001")
    os.symlink("/dev/zero", data / "zero.tfrecord")  # reading it would never end
    resolved = resolve([str(data)])
    assert [s.url for s in resolved.sources] == [str(good)]
    assert sorted(Path(p).name for p in resolved.skipped) == ["part-00001", "pipe.tfrecord", "zero.tfrecord"]
    result = scan([str(data)])
    assert result.stats.files[0].records == len(PAYLOADS)
    assert digest(good) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_named_special_file_is_an_error_not_missing(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.tfrecord"
    os.mkfifo(fifo)
    resolved = resolve([str(fifo), "/dev/zero"])
    assert resolved.missing == [] and resolved.sources == []
    assert resolved.errors == [
        (str(fifo), "not a regular file (a FIFO): only regular files are read"),
        ("/dev/zero", "not a regular file (a character device): only regular files are read"),
    ]
    res = runner.invoke(app, ["scan", str(fifo)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "not a regular file (a FIFO)" in res.output.replace("\n", " ")


# -- 4. name@N ------------------------------------------------------------------------------


def test_absurd_shard_count_is_a_usage_error(tmp_path: Path) -> None:
    spec = f"{tmp_path / 'train'}@{10**9}"
    resolved = resolve([spec])
    assert resolved.errors == [
        (spec, f"1,000,000,000 shards is more than the {MAX_SHARDS:,} a `name@N` spec may name")
    ]
    assert resolved.missing == []
    res = runner.invoke(app, ["scan", spec])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "1,000,000,000 shards" in res.output


def test_shard_count_at_the_bound_is_still_resolved(tmp_path: Path) -> None:
    write_tfrecord(tmp_path / "t-00000-of-00002", PAYLOADS, "none")
    write_tfrecord(tmp_path / "t-00001-of-00002", PAYLOADS, "none")
    resolved = resolve([f"{tmp_path / 't'}@2"])
    assert len(resolved.sources) == 2 and resolved.errors == []


@pytest.mark.parametrize("compression", ["gzip", "zlib"])
def test_a_cut_stream_keeps_the_records_inflated_before_the_cut(tmp_path: Path, compression: str) -> None:
    path = tmp_path / "cut.tfrecord"
    payloads = [example({"i": i, "s": bytes(range(256)) * 8}) for i in range(400)]  # ~800 KB
    write_tfrecord(path, payloads, compression)
    path.write_bytes(path.read_bytes()[:-100])
    stats = scanned(path, ScanOptions())
    f = stats.files[0]
    assert 0 < f.records < len(payloads)
    assert [p.kind for p in f.problems] == [IssueKind.TRUNCATED.value]


# -- 5. repeating garbage: a cap on candidates per gap ---------------------------------------


@pytest.mark.parametrize("pattern", [b"\x01\x00\x00\x00\x00\x00\x00\x00", b"ABCD\x00\x00\x00\x00"])
def test_repeating_length_like_garbage_stops_at_the_search_cap(pattern: bytes) -> None:
    """Each repetition is a candidate header (its upper four bytes are zero) whose CRC fails:
    the search gives up after `max_resync_checks` of them in one gap and says where."""
    garbage = pattern * ((256 << 10) // len(pattern))  # up to 4 candidates a repetition
    data = frame(PAYLOADS[0]) + garbage + frame(PAYLOADS[1])
    reader = TFRecordReader(io.BytesIO(data), max_resync_checks=10_000)
    records, issues = read(reader)
    assert [r.payload for r in records] == [PAYLOADS[0]]
    [issue] = issues
    first = len(frame(PAYLOADS[0]))
    assert (issue.kind, issue.offset, issue.bytes_skipped) == (
        IssueKind.CORRUPT_LENGTH,
        first,
        len(data) - first,
    )
    assert reader.resync_checks == 10_000
    assert "(10,000 candidate headers checked, the search's limit): the rest of the file" in issue.detail
    # under the cap the same gap is crossed and the record after it found
    reader = TFRecordReader(io.BytesIO(data))
    assert [r.payload for r in read(reader)[0]] == PAYLOADS[:2]
    assert reader.resync_checks <= 4 * len(garbage) // len(pattern) + 24


# -- 6. records larger than the read buffer -------------------------------------------------


@pytest.mark.parametrize("compression", [None, "zlib"])
def test_large_records_read_straight_match_the_buffered_reader(compression: str | None) -> None:
    """A record larger than the buffer is read into its own bytes: the same records and
    issues (offsets, skipped bytes) as a reader whose buffer holds it, when it is whole,
    corrupt or cut."""
    big = [bytes([i]) * (20_000 + i) for i in range(4)]
    frames = [frame(p) for p in big]
    corrupt = bytearray(frames[1])
    corrupt[5_000] ^= 1
    plain = frames[0] + bytes(corrupt) + frames[2] + frames[3][:9_000]

    def items(chunk: int) -> list[tuple[str, int, int, int]]:
        data = io.BytesIO(plain)
        if compression is not None:
            data = decompressed(io.BytesIO(zlib.compress(plain, 6)), Compression.ZLIB)  # type: ignore[assignment]
        stream = data
        out = []
        for item in TFRecordReader(stream, chunk_bytes=chunk):
            if isinstance(item, Record):
                out.append(("record", item.offset, item.index, len(item.payload)))
            else:
                out.append((item.kind.value, item.offset, item.record_index, item.bytes_skipped))
        return out

    small, large = items(1 << 10), items(1 << 20)
    assert small == large
    starts = [0, len(frames[0]), len(frames[0]) + len(frames[1]), len(plain) - 9_000]
    assert [kind for kind, *_ in small] == ["record", "corrupt-data", "record", "truncated"]
    assert [offset for _k, offset, *_ in small] == [starts[0], starts[1] + 12, starts[2], starts[3]]


def test_the_cli_inflation_budget(tmp_path: Path) -> None:
    """`--max-inflation`: the default stops a bomb once past its 64 MiB grace; a ratio above
    the stream's lets it through, and so does 0 (no budget); a negative ratio is a usage error."""
    path = bomb(tmp_path / "bomb.tfrecord.gz", 96 << 20, 31)

    def stopped(*flags: str) -> bool:
        res = CliRunner().invoke(app, ["scan", str(path), "--json", *flags])
        (f,) = json.loads(res.stdout)["files"]
        return "stream-error" in f["problems"]

    assert stopped()
    assert not stopped("--max-inflation", "0")
    assert not stopped("--max-inflation", "1000000")
    bad = CliRunner().invoke(app, ["scan", str(path), "--max-inflation", "-1"])
    assert bad.exit_code == 2 and "--max-inflation" in bad.output
