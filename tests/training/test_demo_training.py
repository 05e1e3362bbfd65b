"""The demo's last act: a tiny model trained on the demo's buggy pipeline (its images say
nothing of their labels) with the callback, and its TensorBoard log read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tfdoctor.demo import train_demo_model, write_demo, write_demo_pipeline
from tfdoctor.pipeline.load import build
from tfdoctor.training.flow import training_log

pytestmark = pytest.mark.tensorflow


def test_the_demo_model_learns_nothing_and_its_log_reads_back(tf: Any, tmp_path: Path) -> None:
    write_demo(tmp_path / "data")
    pipeline = write_demo_pipeline(tmp_path / "pipeline.py")
    dataset = build(f"{pipeline}:make_dataset", {"data_dir": str(tmp_path / "data")})
    doctor = train_demo_model(dataset, tmp_path / "logs")
    # accuracy stays near 1/5 (chance), under the majority share of the probed labels
    # (the label-sorted shard makes the first batches one-sided)
    assert "TFD804" in {f.code for f in doctor.findings}
    result = training_log(tmp_path / "logs")
    (experiment,) = result.experiments
    assert len(experiment.facts.epochs) == 4 and [Path(r).name for r in experiment.runs] == ["train"]
    assert result.rule_errors == []
