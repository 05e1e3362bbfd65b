"""The reports CI reads: every JSON report validates against docs/report.schema.json;
`--format github` annotates the spec's file and line; `--format sarif` is a SARIF 2.1.0 log
(parsed by sarif-pydantic's models and checked against the spec's rules for what we emit:
the official JSON Schema is not installable offline, see the closing note of issue 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.config import Config
from tfdoctor.facts.run import KILLED, AuditRun
from tfdoctor.flows import stopped_audit
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.report.ci import github_annotations, location, sarif

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report.schema.json").read_text())
SPEC = """import tensorflow as tf

FEATURES = {
    "x": tf.io.FixedLenFeature([], tf.int64),
    "label": tf.io.FixedLenFeature([], tf.int64),
}


def parse(record):
    return tf.io.parse_single_example(record, FEATURES)
"""


def _valid(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(report)


def _data(folder: Path, name: str = "train.tfrecord") -> Path:
    path = folder / name
    write_tfrecord(path, [example({"x": float(i), "label": i % 2}) for i in range(20)])
    return path


def test_the_schema_is_a_schema_and_rejects_what_is_not_a_report() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        _valid({"tool": "tfdoctor", "version": "1", "schema_version": 2, "command": "scan"})
    bad = {
        "code": "TFD1",
        "name": "x",
        "severity": "fatal",
        "message": "",
        "where": {},
        "numbers": {},
        "fix": None,
    }
    report = {
        "tool": "tfdoctor",
        "version": "1",
        "schema_version": 2,
        "command": "scan",
        "summary": {"findings": {"error": 1, "warning": 0, "info": 0}},
        "findings": [bad],
        "suppressed": [],
        "rule_errors": [],
    }
    with pytest.raises(jsonschema.ValidationError):
        _valid(report)


def test_scan_check_and_stopped_pipeline_reports_validate(tmp_path: Path) -> None:
    data = _data(tmp_path)
    data.write_bytes(data.read_bytes()[:-7])  # a truncated last record: a TFD1xx finding
    scanned = tfdoctor.scan([str(data)], config=Config())
    assert scanned.findings
    _valid(json.loads(json.dumps(scanned.to_json())))
    spec = tmp_path / "train.py"
    spec.write_text(SPEC)
    checked = tfdoctor.check_spec([str(data)], spec=str(spec), config=Config())
    assert any(f.code == "TFD202" for f in checked.findings)  # x is read as int64, stored as float
    _valid(json.loads(json.dumps(checked.to_json())))
    run = AuditRun(KILLED, "pulling batches", 1.0, 30.0, 1 << 30, signal="SIGSEGV", exit_code=-11)
    stopped = stopped_audit(run, None, config=Config(), source=None)
    _valid(json.loads(json.dumps(stopped.to_json())))


def test_an_audited_pipeline_report_validates(tf: Any) -> None:
    dataset = tf.data.Dataset.range(40).map(lambda x: (tf.cast(x, tf.float32), x % 2)).batch(1)
    result = tfdoctor.audit(dataset, batches=2, seconds=10, config=Config())
    _valid(json.loads(json.dumps(result.to_json())))


def test_github_annotations_point_at_the_spec_line(tmp_path: Path) -> None:
    data = _data(tmp_path)
    spec = tmp_path / "train.py"
    spec.write_text(SPEC)
    res = CliRunner().invoke(app, ["check", str(data), "--spec", str(spec), "--format", "github"])
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    dtype = next(line for line in lines if "TFD202" in line)
    assert dtype.startswith(f"::error file={str(spec).replace(':', '%3A')},line=4,title=TFD202 ")
    assert "%0Afix: " in dtype and "\n" not in dtype  # the fix on the same annotation, newline escaped
    report = {
        "findings": [
            {
                "code": "TFD101",
                "name": "corrupt-record",
                "severity": "warning",
                "message": "50% lost\nagain",
                "where": {"file": "a,b:c.tfrecord", "offset": 3},
                "numbers": {},
                "fix": None,
            }
        ]
    }
    assert (
        github_annotations(report)
        == "::warning file=a%2Cb%3Ac.tfrecord,title=TFD101 corrupt-record::50%25 lost%0Aagain\n"
    )


def test_sarif_is_a_sarif_2_1_0_log(tmp_path: Path) -> None:
    sarif_models = pytest.importorskip("sarif_pydantic")
    data = _data(tmp_path)
    spec = tmp_path / "train.py"
    spec.write_text(SPEC)
    res = CliRunner().invoke(app, ["check", str(data), "--spec", str(spec), "--format", "sarif"])
    log = json.loads(res.stdout)
    parsed = sarif_models.Sarif.model_validate(log)
    assert parsed.version == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "tfdoctor" and rules
    checked = tfdoctor.check_spec([str(data)], spec=str(spec), config=Config())
    assert len(run["results"]) == len(checked.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]  # the index names the same rule
        assert result["level"] in ("none", "note", "warning", "error") and result["message"]["text"]
        for loc in result.get("locations", []):
            region = loc["physicalLocation"].get("region")
            assert region is None or region["startLine"] >= 1
    dtype = next(r for r in run["results"] if r["ruleId"] == "TFD202")
    assert dtype["level"] == "error" and dtype["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4
    }
    assert {r["defaultConfiguration"]["level"] for r in rules} <= {"error", "warning", "note"}


def test_location_of_a_finding() -> None:
    assert location({"where": {"spec": "src/train.py:12 parse_fn"}}) == ("src/train.py", 12)
    entry = {"where": {"spec": "train.py:12 parse_fn (entry at line 5)"}}
    assert location(entry, {"train.py:12 parse_fn": "src/train.py"}) == ("src/train.py", 5)
    assert location({"where": {"file": "gs://b/x.tfrecord", "offset": 9}}) == ("gs://b/x.tfrecord", None)
    assert location({"where": {"step": 3, "call": "batch(1)"}}) == (None, None)
    log = sarif({"version": "1", "findings": []})
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
