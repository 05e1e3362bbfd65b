"""Resolving inputs: a directory is read for its TFRecord files (by name or by their first
bytes) and lists its other files as skipped; a file the user names, or that their glob
matches, is read and judged whatever it holds."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.io.sources import resolve, tfrecord_head, tfrecord_name
from tfdoctor.io.tfrecord import frame
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

runner = CliRunner()
RECORDS = [example({"x": float(i), "label": i % 3}) for i in range(30)]
NOT_TFRECORD = "this is a text file, not TFRecord framing\n"


def _mixed_folder(root: Path) -> Path:
    """Two shards, the files a data job leaves beside them, a GZIP TFRecord without an
    extension, and a text file named like TFRecord."""
    data = root / "data"
    (data / "nested").mkdir(parents=True)
    (data / ".cache").mkdir()
    write_tfrecord(data / "train-00000-of-00002", RECORDS)
    write_tfrecord(data / "train-00001-of-00002", RECORDS)
    write_tfrecord(data / "nested" / "part-r-00000", RECORDS, compression="gzip")  # no extension
    write_tfrecord(data / "extra.bin", RECORDS, compression="zlib")
    (data / "voc2012.names").write_text("aeroplane\nbicycle\nbird\n")
    (data / "_SUCCESS").write_text("")
    (data / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(20))
    (data / "train.sha256").write_text("e3b0c44298fc1c149afbf4c8996fb924  train-00000-of-00002\n")
    (data / "schema.pbtxt").write_text('feature { name: "x" type: FLOAT }\n')
    (data / "labels.csv.gz").write_bytes(gzip.compress(b"id,label\n1,0\n"))  # GZIP, but not TFRecord inside
    (data / ".cache" / "x.tfrecord").write_bytes(b"")  # a hidden folder is not entered
    (data / "broken.tfrecord").write_text(NOT_TFRECORD)  # named TFRecord: read, and judged
    (data / "part-00002").write_bytes(b"")  # an empty shard: read (TFD106 says it is empty)
    (data / "empty.txt").write_bytes(b"")
    return data


def test_names_that_say_tfrecord() -> None:
    for name in ("a.tfrecord", "a.tfrecords", "a.TFRec", "a.record", "a.tfrecord.gz", "a.tfrecord.zlib",
                 "train-00000-of-00008", "train.tfrecord-00003-of-00008", "train-00000-of-00008.gz",
                 "data_tfrecord-00000-of-00012.gz"):  # fmt: skip
        assert tfrecord_name(name), name
    for name in ("voc2012.names", "labels.txt", "meta.json", "x.csv", "schema.pbtxt", "_SUCCESS",
                 "train.sha256", "a.tfrecord.bak", "record.txt"):  # fmt: skip
        assert not tfrecord_name(name), name


def test_first_bytes_that_say_tfrecord() -> None:
    framed = b"".join(frame(r) for r in RECORDS[:3])
    assert tfrecord_head(framed)
    assert tfrecord_head(gzip.compress(framed)) and tfrecord_head(zlib.compress(framed))
    assert not tfrecord_head(b"")
    assert not tfrecord_head(NOT_TFRECORD.encode())
    assert not tfrecord_head(gzip.compress(b"id,label\n1,0\n" * 10))  # compressed, not TFRecord inside
    assert not tfrecord_head(gzip.compress(b""))  # an empty compressed stream holds no frame
    assert not tfrecord_head(b"\x1f\x8bnot really gzip at all")
    assert not tfrecord_head(framed[1:])  # a frame header must check out from byte 0


def test_directory_reads_tfrecord_files_and_skips_the_rest(tmp_path: Path) -> None:
    data = _mixed_folder(tmp_path)
    resolved = resolve([str(data)])
    assert [Path(s.url).relative_to(data).as_posix() for s in resolved.sources] == [
        "broken.tfrecord", "extra.bin", "nested/part-r-00000", "part-00002", "train-00000-of-00002",
        "train-00001-of-00002",
    ]  # fmt: skip
    assert [Path(p).relative_to(data).as_posix() for p in resolved.skipped] == [
        ".DS_Store", "_SUCCESS", "empty.txt", "labels.csv.gz", "schema.pbtxt", "train.sha256", "voc2012.names",
    ]  # fmt: skip
    assert resolved.unmatched == [] and resolved.missing == []


def test_directory_scan_judges_only_its_tfrecord_files(tmp_path: Path) -> None:
    data = _mixed_folder(tmp_path)
    result = tfdoctor.scan(str(data), workers=1, config=tfdoctor.Config())
    assert result.stats.records == 4 * len(RECORDS)
    assert len(result.stats.inputs.skipped) == 7
    not_tfrecord = [f for f in result.findings if f.code == "TFD103"]
    assert [f.where.file for f in not_tfrecord] == [str(data / "broken.tfrecord")]  # only the misnamed one
    assert not any(f.code == "TFD105" for f in result.findings)
    empty = [f.where.file for f in result.findings if f.code == "TFD106" and "empty_files" in f.numbers]
    assert empty == [str(data / "part-00002")]

    res = runner.invoke(app, ["scan", str(data), "--json", "--workers", "1"])
    report = json.loads(res.stdout)
    assert sorted(Path(p).name for p in report["inputs"]["skipped"]) == [
        ".DS_Store", "_SUCCESS", "empty.txt", "labels.csv.gz", "schema.pbtxt", "train.sha256", "voc2012.names",
    ]  # fmt: skip
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == ["TFD103"]

    res = runner.invoke(app, ["scan", str(data), "--workers", "1"])
    assert (
        "Skipped 7 file(s) that are not TFRecord: .DS_Store, _SUCCESS, empty.txt, labels.csv.gz, schema.pbtxt and 2 more"
        in (" ".join(res.stdout.split()))
    )


def test_the_voc_names_file_beside_the_shards_is_no_error(tmp_path: Path) -> None:
    write_tfrecord(tmp_path / "voc-00000-of-00001.tfrecord", RECORDS)
    (tmp_path / "voc2012.names").write_text("aeroplane\nbicycle\n")
    result = tfdoctor.scan(str(tmp_path), config=tfdoctor.Config())
    assert not [f for f in result.findings if f.severity >= tfdoctor.Severity.ERROR]
    assert result.stats.inputs.skipped == (str(tmp_path / "voc2012.names"),)


@pytest.mark.parametrize("how", ["named", "glob"])
def test_a_file_the_user_names_is_judged_whatever_it_holds(tmp_path: Path, how: str) -> None:
    write_tfrecord(tmp_path / "a.tfrecord", RECORDS)
    names = tmp_path / "voc2012.names"
    names.write_text("aeroplane\nbicycle\nbird\n")
    pattern = [str(tmp_path / "a.tfrecord"), str(names)] if how == "named" else [str(tmp_path / "*")]
    result = tfdoctor.scan(pattern, workers=1, config=tfdoctor.Config())
    assert [(f.code, f.where.file) for f in result.findings if f.code == "TFD103"] == [("TFD103", str(names))]
    assert result.stats.inputs.skipped == ()


def test_a_folder_of_nothing_but_other_files_matches_nothing(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("the data is elsewhere\n")
    resolved = resolve([str(tmp_path)])
    assert resolved.sources == [] and resolved.unmatched == [str(tmp_path)]
    assert resolved.skipped == [str(tmp_path / "README.txt")]


def test_fsspec_directory_lists_skipped_as_urls() -> None:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.pipe("/tfd-sources/d/x.tfrecord", b"".join(frame(r) for r in RECORDS))
    fs.pipe("/tfd-sources/d/notes.txt", b"not data")
    try:
        resolved = resolve(["memory://tfd-sources/d"])
        assert [s.url for s in resolved.sources] == ["memory:///tfd-sources/d/x.tfrecord"]
        assert resolved.skipped == ["memory:///tfd-sources/d/notes.txt"]
    finally:
        fs.rm("/tfd-sources", recursive=True)
