"""Control characters in file names, feature keys and messages never reach the terminal raw:
the terminal report shows them as escapes (`\\x1b`), the JSON report keeps them exact."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tfdoctor.api import scan
from tfdoctor.cli import app
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.report.terminal import printable, render_scan

runner = CliRunner()
RED = "\x1b[31m"
KEY = f"{RED}key\r\b\x9bz"
SHOWN_KEY = "\\x1b[31mkey\\x0d\\x08\\x9bz"


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of ours is picked up


def _truncated(path: Path) -> Path:
    """A file that TFD102 names (truncated), holding a feature key with control characters."""
    write_tfrecord(path, [example({KEY: float(i), "label": i % 2}) for i in range(50)])
    path.write_bytes(path.read_bytes()[:-7])
    return path


def test_printable() -> None:
    assert printable("a\x1b[31mb\x07\x7f\x85") == "a\\x1b[31mb\\x07\\x7f\\x85"
    assert printable("line\nnext\ttab") == "line\\x0anext\\x09tab"  # names: one line
    assert printable("line\nnext\ttab\r", text=True) == "line\nnext\ttab\\x0d"  # messages keep \n, \t
    assert printable("plain é ü 中") == "plain é ü 中"


def test_terminal_shows_escapes_json_keeps_exact(tmp_path: Path) -> None:
    data = _truncated(tmp_path / f"bad{RED}name.tfrecord")
    res = runner.invoke(app, ["scan", str(data)])
    assert res.exit_code == 1, res.output
    assert "\x1b" not in res.output and "\r" not in res.output and "\x9b" not in res.output
    assert "\\x1b[31m" in res.output and "TFD102" in res.output
    buf = io.StringIO()  # wide enough that nothing folds
    render_scan(scan([str(data)]), Console(file=buf, width=400, force_terminal=True, color_system=None))
    shown = buf.getvalue()
    assert "\x1b" not in shown and "\r" not in shown and "\x9b" not in shown
    assert SHOWN_KEY in shown  # the feature table
    assert f"{tmp_path}/bad\\x1b[31mname.tfrecord is truncated" in shown  # the message
    assert f"{tmp_path}/bad\\x1b[31mname.tfrecord, byte" in shown  # where

    res = runner.invoke(app, ["scan", str(data), "--json"])
    report = json.loads(res.stdout)
    assert KEY in [f["name"] for f in report["features"]]
    (finding,) = [f for f in report["findings"] if f["code"] == "TFD102"]
    assert finding["where"]["file"] == str(data)
    assert str(data) in [f["url"] for f in report["files"]]
    assert f"bad{RED}name.tfrecord is truncated" in finding["message"]


def test_output_errors_escape_the_path(tmp_path: Path) -> None:
    data = _truncated(tmp_path / "in.tfrecord")
    target = tmp_path / f"no{RED}dir" / "stats.pb"
    res = runner.invoke(app, ["scan", str(data), "--stats-out", str(target)])
    assert res.exit_code == 2
    assert "\x1b" not in res.output and "no\\x1b[31mdir" in res.output
