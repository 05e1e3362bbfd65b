"""Snapshots of rendered reports, so that a change of wording is seen in review. Run with
TFDOCTOR_UPDATE_SNAPSHOTS=1 to rewrite them after a deliberate change."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from rich.console import Console

import tfdoctor
from tfdoctor.demo import write_demo, write_demo_pipeline, write_demo_script
from tfdoctor.pipeline.load import build
from tfdoctor.report.terminal import render_audit, render_scan

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _normal(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "<demo>")
    text = re.sub(r"[\d,]+ elements in \d+\.\d+s", "<n> elements in <t>s", text)  # a shuffled last batch
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("TFDOCTOR_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text)
    # A missing snapshot fails: written silently, it would pass whatever the report says.
    assert path.exists(), (
        f"snapshot {path} is missing: create it with "
        "`TFDOCTOR_UPDATE_SNAPSHOTS=1 pytest tests/report/test_snapshots.py`, review it, and commit it"
    )
    assert text == path.read_text(), f"{name} changed: review it, then TFDOCTOR_UPDATE_SNAPSHOTS=1"


def _render(render: Any, result: Any) -> str:
    console = Console(record=True, width=400, color_system=None, file=open(os.devnull, "w"))  # noqa: SIM115
    render(result, console)
    return str(console.export_text())


def test_demo_check_report(tmp_path: Path) -> None:
    write_demo(tmp_path / "data")
    script = write_demo_script(tmp_path / "train.py")
    result = tfdoctor.check_spec(str(tmp_path / "data"), spec=str(script), config=tfdoctor.Config())
    _check("demo_check.txt", _normal(_render(render_scan, result), tmp_path))
    findings = [
        {k: f[k] for k in ("code", "severity", "where", "numbers")} for f in result.to_json()["findings"]
    ]
    _check("demo_check_findings.json", _normal(json.dumps(findings, indent=1, sort_keys=True), tmp_path))


def test_demo_pipeline_report(tf: Any, tmp_path: Path) -> None:
    write_demo(tmp_path / "data")
    pipeline = write_demo_pipeline(tmp_path / "pipeline.py")
    dataset = build(f"{pipeline}:make_dataset", {"data_dir": str(tmp_path / "data")})
    result = tfdoctor.audit(dataset, batches=5, config=tfdoctor.Config())
    _check("demo_pipeline.txt", _normal(_render(render_audit, result), tmp_path))
