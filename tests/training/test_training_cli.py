"""`tfdoctor training LOGDIR` on logs written by a real short `fit` with Keras' own
TensorBoard callback (no tfdoctor callback): exit codes, --json, --select/--ignore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from keras_cases import data, fit
from typer.testing import CliRunner

from tfdoctor.cli import app

pytestmark = pytest.mark.tensorflow
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def logs(tf: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    keras = pytest.importorskip("keras")
    root = tmp_path_factory.mktemp("logs")
    fit(tf, keras, data(constant=True), keras_log_dir=root / "flat", doctor=False)
    fit(tf, keras, data(), validation=data(1), keras_log_dir=root / "healthy", doctor=False)
    return {"flat": root / "flat", "healthy": root / "healthy", "root": root}


def test_a_planted_flat_loss_is_tfd801(logs: dict[str, Path]) -> None:
    res = runner.invoke(app, ["training", str(logs["flat"])])
    assert res.exit_code == 1, res.output
    assert "TFD801" in res.output and "did not move in 3 epochs" in res.output  # epochs 2 to 4
    assert "TFD804" in res.output  # a log knows no majority rate: accuracy fixed at one rate


def test_a_healthy_run_says_nothing_of_warning_or_above(logs: dict[str, Path]) -> None:
    res = runner.invoke(app, ["training", str(logs["healthy"]), "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["command"] == "training" and report["summary"]["findings"]["error"] == 0
    assert [f for f in report["findings"] if f["severity"] in ("error", "warning")] == []
    (experiment,) = report["experiments"]
    assert experiment["epochs"] == 4 and [Path(r).name for r in experiment["runs"]] == ["train", "validation"]


def test_json_findings_and_select_ignore(logs: dict[str, Path]) -> None:
    res = runner.invoke(app, ["training", str(logs["root"]), "--json"])
    assert res.exit_code == 1
    report = json.loads(res.output)
    assert report["summary"]["experiments"] == 2
    (flat,) = [f for f in report["findings"] if f["code"] == "TFD801"]
    assert flat["where"] == {"file": str(logs["flat"]), "epoch": 4} and flat["numbers"]["epochs"] == 3
    assert runner.invoke(app, ["training", str(logs["root"]), "--ignore", "TFD8"]).exit_code == 0
    assert runner.invoke(app, ["training", str(logs["root"]), "--select", "TFD806"]).exit_code == 0
    assert runner.invoke(app, ["training", str(logs["root"]), "--fail-on", "never"]).exit_code == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["training", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "no such file or directory" in res.output
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["training", str(tmp_path / "empty")])
    assert res.exit_code == 2 and "no TensorBoard event files" in res.output
    (tmp_path / "junk" / "train").mkdir(parents=True)
    (tmp_path / "junk" / "train" / "events.out.tfevents.1").write_bytes(b"not a tfrecord at all")
    res = runner.invoke(app, ["training", str(tmp_path / "junk")])
    assert res.exit_code == 2 and "no training curves" in res.output
