"""Outputs never clobber inputs: --stats-out, --schema-out and spec --out refuse an input path
(also through a symlink), write atomically, and say when they replace a file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tfdoctor.api import scan
from tfdoctor.cli import app
from tfdoctor.io.outputs import OutputError, check_output, write_output
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of ours is picked up


def _data(path: Path) -> Path:
    write_tfrecord(path, [example({"x": float(i), "label": i % 2}) for i in range(50)])
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "{data}", "--stats-out", "{target}"],
        ["scan", "{data}", "--schema-out", "{target}"],
        ["scan", "{data}", "--json", "--stats-out", "{target}"],
        ["spec", "{data}", "--out", "{target}"],
    ],
)
@pytest.mark.parametrize("through_link", [False, True])
def test_an_input_is_never_written(tmp_path: Path, args: list[str], through_link: bool) -> None:
    data = _data(tmp_path / "in.tfrecord")
    before = _sha(data)
    target = data
    if through_link:
        target = tmp_path / "link.tfrecord"
        target.symlink_to(data)
    res = runner.invoke(app, [a.format(data=data, target=target) for a in args])
    assert res.exit_code == 2, res.output
    assert f"refusing to write {target}: it is the input {data}" in res.output
    assert _sha(data) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({data.name, target.name})


def test_an_input_named_through_a_link_is_refused(tmp_path: Path) -> None:
    data = _data(tmp_path / "in.tfrecord")
    link = tmp_path / "link.tfrecord"
    link.symlink_to(data)
    before = _sha(data)
    res = runner.invoke(app, ["scan", str(link), "--schema-out", str(data)])
    assert res.exit_code == 2 and "refusing to write" in res.output
    assert _sha(data) == before


def test_a_glob_input_and_a_second_output_refused_together(tmp_path: Path) -> None:
    data = _data(tmp_path / "in.tfrecord")
    before = _sha(data)
    schema = tmp_path / "schema.json"
    res = runner.invoke(
        app, ["scan", str(tmp_path / "*.tfrecord"), "--schema-out", str(schema), "--stats-out", str(data)]
    )
    assert res.exit_code == 2 and "refusing to write" in res.output
    assert _sha(data) == before
    assert not schema.exists()  # refused before anything is written


def test_a_missing_directory_exits_2_after_the_report(tmp_path: Path) -> None:
    data = _data(tmp_path / "in.tfrecord")
    target = tmp_path / "nowhere" / "stats.pb"
    res = runner.invoke(app, ["scan", str(data), "--stats-out", str(target)])
    assert res.exit_code == 2
    assert "No findings." in res.stdout and "50 records" in res.stdout  # the report is not lost
    assert f"cannot write {target}: the directory {target.parent} does not exist" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_writes_and_says_when_it_overwrote(tmp_path: Path) -> None:
    data = _data(tmp_path / "in.tfrecord")
    stats, schema = tmp_path / "stats.pb", tmp_path / "schema.pbtxt"
    res = runner.invoke(app, ["scan", str(data), "--stats-out", str(stats), "--schema-out", str(schema)])
    assert res.exit_code == 0, res.output
    assert stats.stat().st_size > 0 and "feature" in schema.read_text()
    assert "overwrote" not in res.output
    res = runner.invoke(app, ["scan", str(data), "--stats-out", str(stats)])
    assert res.exit_code == 0 and f"overwrote {stats}" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tfrecord", "schema.pbtxt", "stats.pb"]


def test_spec_out_writes_and_overwrites(tmp_path: Path) -> None:
    data = _data(tmp_path / "in.tfrecord")
    out = tmp_path / "spec.py"
    out.write_text("old\n")
    res = runner.invoke(app, ["spec", str(data), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"overwrote {out}" in res.output and "parse" in out.read_text()


def test_a_link_at_the_output_is_replaced_not_written_through(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("keep me\n")
    link = tmp_path / "out.json"
    link.symlink_to(other)
    assert write_output(link, "new\n") is True
    assert not link.is_symlink() and link.read_text() == "new\n"
    assert other.read_text() == "keep me\n"


def test_atomic_write_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.pb"
    target.write_bytes(b"old")
    assert write_output(target, b"new") is True
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pb"]

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(target, b"half")
    assert target.read_bytes() == b"new"  # the old file stays whole
    assert [p.name for p in tmp_path.iterdir()] == ["report.pb"]


def test_new_file_mode_follows_umask(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    assert write_output(target, "{}") is False
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_check_output_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        check_output(tmp_path)
    with pytest.raises(OutputError, match="does not exist"):
        check_output(tmp_path / "a" / "b.pb")
    assert check_output(tmp_path / "b.pb", [tmp_path / "a.tfrecord"]) == tmp_path / "b.pb"


def test_the_api_refuses_too(tmp_path: Path) -> None:
    data = _data(tmp_path / "in.tfrecord")
    before = _sha(data)
    result = scan([str(data)])
    with pytest.raises(OutputError, match="it is the input"):
        result.write_statistics(data)
    with pytest.raises(OutputError, match="it is the input"):
        result.write_schema(str(data))
    assert _sha(data) == before
    assert result.write_schema(tmp_path / "schema.json") is False


def test_remote_outputs_are_written_through_fsspec_and_never_over_a_remote_input() -> None:
    """memory:// is fsspec's real in-process filesystem, standing for gs:// or s3://."""
    import tempfile

    import fsspec
    from typer.testing import CliRunner

    from tfdoctor.cli import app
    from tfdoctor.io.writer import write_tfrecord
    from tfdoctor.proto.build import example

    fs = fsspec.filesystem("memory")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.tfrecord"
        write_tfrecord(path, [example({"x": float(i), "label": i % 2}) for i in range(10)])
        data = path.read_bytes()
    fs.pipe("/remote/train.tfrecord", data)
    url = "memory://remote/train.tfrecord"
    runner = CliRunner()
    refused = runner.invoke(app, ["scan", url, "--stats-out", url])
    assert refused.exit_code == 2 and "refusing to write memory://remote/train.tfrecord" in " ".join(
        refused.output.split()
    )
    assert fs.cat("/remote/train.tfrecord") == data  # the input is untouched
    written = runner.invoke(
        app, ["scan", url, "--stats-out", "memory://out/stats.pb", "--html", "memory://out/report.html"]
    )
    assert written.exit_code == 0, written.output
    assert fs.cat("/out/report.html").startswith(b"<!DOCTYPE html>")
    from tensorflow_metadata.proto.v0 import statistics_pb2

    stats = statistics_pb2.DatasetFeatureStatisticsList.FromString(fs.cat("/out/stats.pb"))
    assert stats.datasets[0].num_examples == 10
    again = runner.invoke(app, ["scan", url, "--stats-out", "memory://out/stats.pb"])
    assert again.exit_code == 0 and "overwrote memory://out/stats.pb" in " ".join(again.output.split())
    missing = runner.invoke(app, ["scan", url, "--stats-out", "nosuchproto://x/y"])
    assert missing.exit_code == 2 and "cannot write" in missing.output
