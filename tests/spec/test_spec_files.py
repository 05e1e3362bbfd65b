"""Specs from data files (JSON, TFMD schema.pbtxt), the check command's output, and the same
tallies from one process and a pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.spec.load import load_specs
from tfdoctor.spec.model import SpecError

runner = CliRunner()


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for k in range(3):
        records = []
        for i in range(50):
            features = {"label": (k * 50 + i) % 3, "x": [1.0] * (1 + i % 2)}
            if i % 10 == 4:
                del features["label"]
            records.append(example(features))
        write_tfrecord(folder / f"part-{k}.tfrecord", records)
    return folder


def test_json_spec(shards: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "features": {
                    "label": {"kind": "FixedLenFeature", "dtype": "int64", "shape": [], "default_value": 0},
                    "x": {"kind": "fixed", "dtype": "float32", "shape": [2]},
                }
            }
        )
    )
    result = tfdoctor.check_spec(str(shards), spec=str(spec))
    codes = {(f.code, f.where.feature): f for f in result.findings if f.where.spec}
    assert codes[("TFD204", "label")].numbers["defaulted"] == 15
    assert codes[("TFD209", "x")].numbers["mismatched"] == 75
    assert result.specs[0].name == "spec.json"


@pytest.mark.parametrize(
    ("name", "text", "line", "why"),
    [
        ("bad.json", '{"features": {\n  "x": {"dtype": "int64",}\n}}', 2, "not valid JSON"),
        ("bad.json", '{"features": {"x": {"kind": "Fixed", "dtype": "int64"}}}', None, "needs a shape"),
        ("bad.json", '{"features": {"x": {"kind": "Dense", "dtype": "int64"}}}', None, "unknown kind"),
        ("schema.pbtxt", 'feature {\n  name: "x"\n  type: INTT\n}\n', 3, "not a TFMD Schema"),
        ("schema.pbtxt", "", None, "declares no features"),
        ("spec.yaml", "x: 1", None, "unknown spec format"),
    ],
)
def test_unreadable_spec_files(tmp_path: Path, name: str, text: str, line: int | None, why: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SpecError, match=why) as info:
        load_specs(str(path))
    assert str(path) in str(info.value)
    assert info.value.line == line


def test_check_command_json_and_exit_codes(shards: Path, tmp_path: Path) -> None:
    spec = tmp_path / "train.py"
    spec.write_text(
        "import tensorflow as tf\n\n"
        "def parse(r):\n"
        "    return tf.io.parse_single_example(r, {'labels': tf.io.FixedLenFeature([], tf.int64, default_value=0)})\n"
    )
    res = runner.invoke(app, ["check", str(shards), "--spec", str(spec), "--json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    assert data["command"] == "check" and data["specs"][0]["name"] == "train.py:4 parse"
    missing = next(f for f in data["findings"] if f["code"] == "TFD201")
    assert missing["where"] == {"feature": "labels", "spec": "train.py:4 parse"}
    assert missing["numbers"]["closest"] == "label"
    res = runner.invoke(
        app, ["check", str(shards), "--spec", str(spec), "--ignore", "TFD2", "--fail-on", "error"]
    )
    assert res.exit_code == 0
    assert runner.invoke(app, ["check", str(shards), "--spec", str(tmp_path / "nope.py")]).exit_code == 2


def test_pool_gives_the_same_tallies(shards: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps({"label": {"dtype": "float32", "shape": []}, "x": {"dtype": "float32", "shape": [1]}})
    )
    one = tfdoctor.check_spec(str(shards), spec=str(spec), workers=1)
    pool = tfdoctor.check_spec(str(shards), spec=str(spec), workers=2)
    assert one.stats.reads == pool.stats.reads
    assert [f.to_json() for f in one.findings] == [f.to_json() for f in pool.findings]
    label = one.stats.reads[0]
    assert label.problems == {"missing": 15, "kind:int64": 135}


def test_check_json_with_bytes_defaults(tmp_path: Path) -> None:
    data = tmp_path / "a.tfrecord"
    write_tfrecord(data, [example({"x": b"a"}) for _ in range(5)])
    spec = tmp_path / "t.py"
    spec.write_text(
        "import tensorflow as tf\n"
        "def p(r):\n"
        "    return tf.io.parse_single_example(r, {'x': tf.io.FixedLenFeature([], tf.string, default_value=b'\\xff'),"
        " 'y': tf.io.FixedLenFeature([], tf.string, default_value=b'none')})\n"
    )
    res = runner.invoke(app, ["check", str(data), "--spec", str(spec), "--json"])
    assert res.exit_code == 0, res.output  # 'y', read with a default and never stored: TFD201 info
    features = json.loads(res.stdout)["specs"][0]["features"]
    assert [f["default"] for f in features] == ["b'\\xff'", "none"]
