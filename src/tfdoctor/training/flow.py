"""Training facts in, the TFD8xx rules run, findings out: for the callback (one live run)
and for a TensorBoard log directory (one judgement per experiment in it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..config import Config, load_config
from ..facts.container import Facts
from ..facts.training import TrainingFacts
from ..findings import Finding, RuleError
from ..report.json import jsonable
from ..results import _Judged
from ..rules.registry import finding_order, run_rules
from .logs import Experiment, read_logs


def judge(facts: TrainingFacts, config: Config) -> tuple[list[Finding], list[RuleError]]:
    """The training rules' findings on these facts (the other rules need other facts and stay idle)."""
    return run_rules(Facts(training=facts), config)


@dataclass
class TrainingLogResult(_Judged):
    """What `tfdoctor training LOGDIR` found: per experiment, its runs and findings."""

    logdir: str
    experiments: list[Experiment]
    findings: list[Finding]
    rule_errors: list[RuleError] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    problems: list[str] = field(default_factory=list)  # event files not wholly readable
    event_files: int = 0

    def to_json(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "tool": "tfdoctor",
                "version": __version__,
                "command": "training",
                "summary": {
                    "logdir": self.logdir,
                    "event_files": self.event_files,
                    "experiments": len(self.experiments),
                    "findings": self.counts(),
                },
                "experiments": [
                    {
                        "path": e.path,
                        "runs": list(e.runs),
                        "epochs": len(e.facts.epochs),
                        "steps": e.facts.steps,
                        "scalars": e.values,
                    }
                    for e in self.experiments
                ],
                "problems": self.problems,
                "findings": [f.to_json() for f in self.findings],
                "rule_errors": [e.to_json() for e in self.rule_errors],
            }
        )


def training_log(logdir: str | Path, *, config: Config | None = None) -> TrainingLogResult:
    """Read a TensorBoard log directory (Keras' `TensorBoard` callback output, any run
    layout) and judge the curves in it: flat loss, NaN loss, validation stuck, accuracy at a
    fixed rate. No TensorFlow needed. Never raises on bad files: they are `problems`."""
    config = config if config is not None else load_config()
    read = read_logs(logdir)
    findings: list[Finding] = []
    errors: list[RuleError] = []
    for experiment in read.experiments:
        found, failed = judge(experiment.facts, config)
        findings += found
        errors += failed
    findings.sort(key=finding_order)
    return TrainingLogResult(
        str(logdir), list(read.experiments), findings, errors, config, list(read.problems), read.event_files
    )
