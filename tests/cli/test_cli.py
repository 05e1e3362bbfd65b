"""The command line: exit codes, JSON output, rule docs, the demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.demo import write_demo
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of ours is picked up


def _clean(path: Path) -> Path:
    write_tfrecord(path, [example({"x": float(i), "label": i % 2}) for i in range(50)])
    return path


def test_clean_scan_exits_0(tmp_path: Path) -> None:
    res = runner.invoke(app, ["scan", str(_clean(tmp_path / "a.tfrecord"))])
    assert res.exit_code == 0, res.output
    assert "No findings." in res.output and "50 records" in res.output


def test_findings_exit_1_and_fail_on(tmp_path: Path) -> None:
    path = tmp_path / "n.tfrecord"
    write_tfrecord(
        path, [example({"x": float("nan") if i % 5 else i / 3, "label": i % 2}) for i in range(50)]
    )
    assert runner.invoke(app, ["scan", str(path)]).exit_code == 0  # a warning only
    assert runner.invoke(app, ["scan", str(path), "--fail-on", "warning"]).exit_code == 1
    assert (
        runner.invoke(app, ["scan", str(path), "--fail-on", "warning", "--ignore", "TFD207"]).exit_code == 0
    )
    assert runner.invoke(app, ["scan", str(path), "--fail-on", "never"]).exit_code == 0
    assert runner.invoke(app, ["scan", str(path), "--fail-on", "bogus"]).exit_code == 2


def test_error_findings_exit_1(tmp_path: Path) -> None:
    res = runner.invoke(app, ["scan", str(tmp_path / "missing-*.tfrecord")])
    assert res.exit_code == 1 and "TFD105" in res.output


def test_pyproject_config(tmp_path: Path) -> None:
    path = tmp_path / "n.tfrecord"
    write_tfrecord(path, [example({"x": float("nan"), "label": i % 2}) for i in range(50)])
    (tmp_path / "pyproject.toml").write_text('[tool.tfdoctor]\nfail-on = "warning"\n')
    assert runner.invoke(app, ["scan", str(path)]).exit_code == 1
    (tmp_path / "pyproject.toml").write_text("[tool.tfdoctor]\nbogus = 1\n")
    res = runner.invoke(app, ["scan", str(path)])
    assert res.exit_code == 2 and "unknown key 'bogus'" in res.output


def test_json_report(tmp_path: Path) -> None:
    paths = write_demo(tmp_path / "demo")
    res = runner.invoke(app, ["scan", str(tmp_path / "demo"), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["schema_version"] == 2 and data["summary"]["records"] == 1199
    codes = sorted(f["code"] for f in data["findings"])
    assert codes == ["TFD101", "TFD206", "TFD207", "TFD213", "TFD301"]
    corrupt = next(f for f in data["findings"] if f["code"] == "TFD101")
    assert corrupt["where"]["file"] == str(paths[2]) and corrupt["where"]["record"] == 100
    assert corrupt["severity"] == "error" and corrupt["fix"]["applicability"] == "display-only"
    assert data["label_order"]["feature"] == "label"
    assert {f["name"] for f in data["features"]} == {
        "age",
        "boxes",
        "image",
        "label",
        "pixels",
        "source",
        "tokens",
    }


def test_stats_and_schema_out_load_with_tfmd(tmp_path: Path) -> None:
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2

    write_demo(tmp_path / "demo")
    res = runner.invoke(
        app,
        [
            "scan",
            str(tmp_path / "demo"),
            "--stats-out",
            "s.pb",
            "--schema-out",
            "schema.pbtxt",
            "--fail-on",
            "never",
        ],
    )
    assert res.exit_code == 0, res.output
    stats = statistics_pb2.DatasetFeatureStatisticsList.FromString((tmp_path / "s.pb").read_bytes())
    ds = stats.datasets[0]
    assert ds.num_examples == 1199
    by_name = {f.path.step[0]: f for f in ds.features}
    assert by_name["age"].num_stats.common_stats.num_non_missing == 1199 - 100  # 1 record in 12 lacks it
    assert by_name["source"].string_stats.top_values[0].value == "web"
    schema = text_format.Parse((tmp_path / "schema.pbtxt").read_text(), schema_pb2.Schema())
    pixels = next(f for f in schema.feature if f.name == "pixels")
    assert (pixels.value_count.min, pixels.value_count.max, pixels.type) == (16, 16, schema_pb2.FLOAT)
    assert (
        runner.invoke(
            app, ["scan", str(tmp_path / "demo"), "--schema-out", "schema.json", "--fail-on", "never"]
        ).exit_code
        == 0
    )
    js = json.loads((tmp_path / "schema.json").read_text())
    assert next(f for f in js["features"] if f["name"] == "pixels")["shape"] == [16]
    assert next(f for f in js["features"] if f["name"] == "label")["shape"] == []


def test_rules_list_and_explain() -> None:
    res = runner.invoke(app, ["rules"])
    assert res.exit_code == 0 and "TFD101" in res.output and "TFD213" in res.output
    res = runner.invoke(app, ["rules", "tfd101"])
    assert res.exit_code == 0
    for heading in ("What it finds", "Why it hurts training", "Example", "Fix"):
        assert heading in res.output
    assert runner.invoke(app, ["rules", "TFD999"]).exit_code == 2
    listed = json.loads(runner.invoke(app, ["rules", "--json"]).stdout)
    assert {"code": "TFD101", "name": "corrupt-record", "severity": "error"}.items() <= listed[0].items()


def test_demo_runs(tf: Any, tmp_path: Path) -> None:  # with TensorFlow the demo audits its pipeline too
    res = runner.invoke(app, ["demo", "--dir", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    for code in (
        "TFD101",
        "TFD206",
        "TFD207",
        "TFD213",
        "TFD201",
        "TFD202",
        "TFD203",
        "TFD204",
        "TFD205",
        "TFD209",
    ):
        assert code in res.output
    assert "Did you mean 'label'?" in " ".join(res.output.split())
    for code in ("TFD302", "TFD401", "TFD503", "TFD506", "TFD404"):  # the pipeline audits (TF is installed)
        assert code in res.output
    assert "1 of 3 file(s) stored sorted by label" in " ".join(res.output.split())


def test_untrusted_names_are_not_markup(tmp_path: Path) -> None:
    path = tmp_path / "m.tfrecord"
    write_tfrecord(path, [example({"[bold red]evil[/]": 1.0, "label": i % 2}) for i in range(20)])
    res = runner.invoke(app, ["scan", str(path)])
    assert res.exit_code == 0 and "[bold red]evil[/]" in res.output


def test_memory_filesystem_and_pool(tmp_path: Path) -> None:
    import fsspec

    import tfdoctor

    fs = fsspec.filesystem("memory")
    for i in range(3):
        local = _clean(tmp_path / f"p{i}.tfrecord")
        fs.pipe(f"/bucket/train-{i}.tfrecord", local.read_bytes())
    result = tfdoctor.scan("memory://bucket/train-*.tfrecord", workers=1)
    assert result.stats.records == 150
    assert [f.url for f in result.stats.files][0] == "memory:///bucket/train-0.tfrecord"  # fsspec canonical
    pooled = tfdoctor.scan([str(tmp_path / f"p{i}.tfrecord") for i in range(3)], workers=2)
    assert (
        pooled.stats.records == 150
        and pooled.to_json()["features"]
        == tfdoctor.scan([str(tmp_path / f"p{i}.tfrecord") for i in range(3)], workers=1).to_json()[
            "features"
        ]
    )


def test_unreadable_input_exits_2_without_traceback(tmp_path: Path) -> None:
    good = _clean(tmp_path / "a.tfrecord")
    res = runner.invoke(app, ["scan", "nosuch://bucket/x", str(good)])
    assert res.exit_code == 2
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "cannot read nosuch://bucket/x" in res.output and "Protocol not known" in res.output
    assert "50 records" in res.output  # the readable input is still scanned
