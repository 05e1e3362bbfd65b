"""What the flows return: the facts that were gathered, the findings, and how to save them.
Plain data; rendering lives in `report`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .facts.batches import BatchFacts
from .facts.dataset import DatasetStats
from .facts.model import ModelFacts
from .facts.pipeline import Pipeline, StepProbe
from .facts.run import AuditRun
from .facts.spec import ParseSpec
from .findings import Finding, RuleError, Severity
from .io.outputs import guarded_inputs, write_output
from .report.json import audit_to_json, scan_to_json
from .spec.render import parse_function
from .stats.schema import Schema, to_pbtxt
from .stats.tfmd import to_tfmd_statistics
from .suppress import Suppressed


class _Judged:
    """What every result says about its findings: the worst severity, counts, pass or fail."""

    findings: list[Finding]
    config: Config

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def html(self) -> str:
        """The HTML report: one self-contained page (no script, no network)."""
        from .report.html import render_html

        return render_html(self.to_json())

    def _repr_html_(self) -> str:
        """Jupyter shows a result as its report."""
        from .report.html import render_html

        return render_html(self.to_json(), fragment=True)

    def write_html(self, path: str | Path, inputs: list[str | Path] | None = None) -> bool:
        """The HTML report, written atomically, never over an input; True if it replaced a file."""
        return write_output(path, self.html(), inputs if inputs is not None else [])

    def failed(self, fail_on: Severity | None = None) -> bool:
        """Whether findings reach the fail-on severity (the config's unless given)."""
        threshold = fail_on if fail_on is not None else self.config.fail_on
        return threshold is not None and any(f.severity >= threshold for f in self.findings)


@dataclass
class ScanResult(_Judged):
    stats: DatasetStats
    schema: Schema
    findings: list[Finding]
    rule_errors: list[RuleError] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    specs: list[ParseSpec] = field(default_factory=list)  # the parse specs judged (check_spec)
    spec_notes: list[str] = field(default_factory=list)  # parse calls in source that could not be read
    suppressed: list[Suppressed] = field(default_factory=list)  # not counted, never fail the run
    partial: str = ""  # why the scan stopped before every file was read (Ctrl-C); "" when complete

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        """(input, why) for every input that could not be read at all."""
        return list(self.stats.inputs.errors) + [
            (f.url, f.read_error) for f in self.stats.files if f.read_error is not None
        ]

    def to_json(self) -> dict[str, Any]:
        return scan_to_json(self)

    @property
    def input_files(self) -> list[str | Path]:
        """The local files this scan read or was asked to read: outputs never replace them."""
        return guarded_inputs([f.url for f in self.stats.files] + list(self.stats.inputs.patterns))

    def write_schema(self, path: str | Path) -> bool:
        """The schema, .pbtxt (TFMD) or JSON, written atomically; True if it replaced a file.
        `OutputError` if the path is one of the inputs or its directory does not exist."""
        text = (
            to_pbtxt(self.schema)
            if str(path).endswith(".pbtxt")
            else json.dumps(self.schema.to_json(), indent=2)
        )
        return write_output(path, text, self.input_files)

    def parse_function(self) -> str:
        """Python source: a features dict and parse function that fit this data."""
        return parse_function(self.stats)

    def write_html(self, path: str | Path, inputs: list[str | Path] | None = None) -> bool:
        return super().write_html(path, inputs if inputs is not None else self.input_files)

    def write_statistics(self, path: str | Path) -> bool:
        """A TFMD DatasetFeatureStatisticsList (binary), loadable by TFDV and Facets, written
        like `write_schema`; True if it replaced a file."""
        return write_output(path, to_tfmd_statistics(self.stats).SerializeToString(), self.input_files)


@dataclass
class AuditResult(_Judged):
    """What `audit()` found: the pipeline's chain, the files it reads, the probed batches."""

    pipeline: Pipeline
    findings: list[Finding]
    rule_errors: list[RuleError] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    sources: DatasetStats | None = None
    batches: BatchFacts | None = None  # what the probed batches held; None when none were pulled
    step_probes: dict[int, StepProbe] = field(default_factory=dict)  # step -> measured there
    source_note: str = ""
    elements: dict[int, int | None] = field(default_factory=dict)  # step -> elements per epoch (-1: infinite)
    suppressed: list[Suppressed] = field(default_factory=list)  # not counted, never fail the run
    run: AuditRun | None = None  # how the child process that ran the user's code ended (CLI, audit_target)
    model: ModelFacts | None = None  # what the model given to the audit expects of its data

    def to_json(self) -> dict[str, Any]:
        return audit_to_json(self)
