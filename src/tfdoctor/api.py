"""The public Python API: `scan()` returns statistics, the inferred schema and findings;
`check_spec()` also judges parse specs against the data; `write_spec()` writes one that fits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .engines.local import Progress, ScanOptions, scan_sources
from .findings import Finding, RuleError, Severity
from .io.compression import Compression
from .io.sources import resolve
from .pipeline.model import Pipeline, PipelineFacts
from .pipeline.probe import ProbeFacts
from .rules.registry import run_rules
from .spec.from_python import from_objects
from .spec.load import load_specs
from .spec.model import ParseSpec, SpecCheck, SpecError
from .spec.render import parse_function
from .stats.dataset import DatasetStats
from .stats.reads import Read
from .stats.schema import Schema, infer_schema, to_pbtxt
from .stats.tfmd import to_tfmd_statistics


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

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        """(input, why) for every input that could not be read at all."""
        return list(self.stats.input_errors) + [
            (f.url, f.read_error) for f in self.stats.files if f.read_error is not None
        ]

    def to_json(self) -> dict[str, Any]:
        from .report.json import scan_to_json

        return scan_to_json(self)

    def write_schema(self, path: str | Path) -> None:
        import json

        text = (
            to_pbtxt(self.schema)
            if str(path).endswith(".pbtxt")
            else json.dumps(self.schema.to_json(), indent=2)
        )
        Path(path).write_text(text)

    def parse_function(self) -> str:
        """Python source: a features dict and parse function that fit this data."""
        return parse_function(self.stats)

    def write_statistics(self, path: str | Path) -> None:
        """A TFMD DatasetFeatureStatisticsList (binary), loadable by TFDV and Facets."""
        Path(path).write_bytes(to_tfmd_statistics(self.stats).SerializeToString())


def scan(
    paths: str | Sequence[str],
    *,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    workers: int | None = None,
    max_records_per_file: int | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan TFRecord files (paths, directories, globs, `name@N`, fsspec URLs).

    Reads every record, verifies CRCs, decodes Examples, computes statistics, infers a
    schema and runs the file and data rules. Never raises on bad data: problems are findings.
    """
    return _scan(paths, [], label, compression, config, workers, max_records_per_file, progress)


def check_spec(
    paths: str | Sequence[str],
    features: Mapping[str, Any] | None = None,
    *,
    context_features: Mapping[str, Any] | None = None,
    sequence_features: Mapping[str, Any] | None = None,
    spec: str | ParseSpec | Sequence[str | ParseSpec] | None = None,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    workers: int | None = None,
    max_records_per_file: int | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan the data and judge parse specs against it (TFD201-TFD209), in one pass.

    The spec is the dict you give `tf.io.parse_example` (`features`), or the two dicts you
    give `tf.io.parse_sequence_example`, or `spec=`: a Python file (read, never run), a
    `module:ATTR` (imported), a TFMD schema.pbtxt, a JSON spec, or ParseSpec objects.
    Raises SpecError when a spec cannot be read; never raises on bad data.
    """
    specs: list[ParseSpec] = []
    notes: list[str] = []
    if features is not None or context_features is not None or sequence_features is not None:
        specs.append(
            from_objects(features, context_features=context_features, sequence_features=sequence_features)
        )
    given = [spec] if isinstance(spec, (str, ParseSpec)) else list(spec or [])
    for item in given:
        if isinstance(item, ParseSpec):
            specs.append(item)
        else:
            found = load_specs(str(item))
            specs += found.specs
            notes += found.skipped
    if not specs:
        raise SpecError("no spec given: pass features=..., context/sequence features or spec=")
    result = _scan(paths, specs, label, compression, config, workers, max_records_per_file, progress)
    result.spec_notes = notes
    return result


def _scan(
    paths: str | Sequence[str],
    specs: list[ParseSpec],
    label: str | None,
    compression: str | Compression,
    config: Config | None,
    workers: int | None,
    max_records_per_file: int | None,
    progress: Progress | None,
) -> ScanResult:
    patterns = [paths] if isinstance(paths, str) else list(paths)
    config = config if config is not None else load_config()
    resolved = resolve(patterns)
    options = ScanOptions(
        compression=Compression(compression),
        label=label,
        max_records_per_file=max_records_per_file,
        reads=tuple(dict.fromkeys(r for s in specs for r in s.reads())),
    )
    acc = scan_sources(resolved.sources, options, workers=workers, progress=progress)
    stats = acc.extract()
    stats.patterns = patterns
    stats.unmatched = resolved.unmatched
    stats.missing = resolved.missing
    stats.input_errors = resolved.errors
    findings, errors = run_rules(stats, config)
    for s in specs:
        more, more_errors = run_rules(SpecCheck(s, stats), config)
        findings += more
        errors += more_errors
    findings.sort(
        key=lambda f: (-f.severity, f.code, f.where.spec or "", f.where.file or "", f.where.offset or 0)
    )
    return ScanResult(stats, infer_schema(stats), findings, errors, config, specs=specs)


@dataclass
class AuditResult(_Judged):
    """What `audit()` found: the pipeline's chain, the files it reads, the probed batches."""

    pipeline: Pipeline
    findings: list[Finding]
    rule_errors: list[RuleError] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    sources: DatasetStats | None = None
    probe: ProbeFacts | None = None
    source_note: str = ""
    elements: dict[int, int | None] = field(default_factory=dict)  # step -> elements per epoch (-1: infinite)

    def to_json(self) -> dict[str, Any]:
        from .report.json import audit_to_json

        return audit_to_json(self)


def audit(
    dataset: Any,
    *,
    batches: int = 20,
    seconds: float = 30.0,
    label: str | None = None,
    scan_records: int = 20_000,
    config: Config | None = None,
) -> AuditResult:
    """Audit a `tf.data.Dataset`: its structure (read from its own graph), the TFRecord files
    it reads (a bounded scan: label order, record counts, image sizes) and `batches` probed
    batches. `batches=0` audits the structure only. Never raises on a failing pipeline: the
    error it raises is a finding."""
    from .pipeline.counts import element_counts
    from .pipeline.graph import read_pipeline
    from .pipeline.probe import probe as run_probe
    from .pipeline.probe import python_steps

    config = config if config is not None else load_config()
    pipeline = read_pipeline(dataset)
    specs = [spec for step in pipeline.steps for spec in step.parse_specs]
    reads = tuple(dict.fromkeys(r for spec in specs for r in spec.reads()))
    sources, records, note = _scan_pipeline_files(pipeline, label, scan_records, config, reads)
    objects = python_steps(dataset, pipeline)
    counts = element_counts(pipeline, records, objects)
    probed = (
        run_probe(dataset, pipeline, batches=batches, seconds=seconds, label=label, objects=objects)
        if batches > 0
        else None
    )
    facts = PipelineFacts(pipeline, sources, probed, records, counts)
    findings, errors = run_rules(facts, config)
    if sources is not None:  # the parse ops inside the map functions, against the files they read
        for spec in specs:
            more, more_errors = run_rules(SpecCheck(spec, sources), config)
            findings += more
            errors += more_errors
        findings.sort(key=lambda f: (-f.severity, f.code))  # stable: steps stay in chain order
    return AuditResult(pipeline, findings, errors, config, sources, probed, note, counts)


AUDIT_SCAN_BYTES = (
    64 << 20
)  # record bytes an audit scans in all: label order and sizes, in well under a second


def _scan_pipeline_files(
    pipeline: Pipeline, label: str | None, budget: int, config: Config, reads: tuple[Read, ...] = ()
) -> tuple[DatasetStats | None, int | None, str]:
    """Scan the files the pipeline reads, at most `budget` records in all (split over the
    files), in this process: enough for label order and image sizes, and exact record counts
    when the files are that small."""
    names = list(dict.fromkeys(pipeline.files()))
    if not names or budget <= 0:
        return None, None, "no file names in the pipeline's graph" if not names else ""
    resolved = resolve(names)
    if not resolved.sources:
        return None, None, f"files not reachable from here: {', '.join(names[:3])}"
    per_file = max(1, budget // len(resolved.sources))
    per_file_bytes = max(1 << 20, AUDIT_SCAN_BYTES // len(resolved.sources))
    options = ScanOptions(
        label=label, max_records_per_file=per_file, max_bytes_per_file=per_file_bytes, reads=reads
    )
    stats = scan_sources(resolved.sources, options, workers=1).extract()
    complete = all(f.records < per_file and not f.sampled for f in stats.files)
    if complete:
        note = f"scanned every record of {len(resolved.sources)} file(s): {stats.records:,} records"
    else:
        note = (
            f"scanned a sample of {len(resolved.sources)} file(s): the first {stats.records:,} records, "
            f"{stats.stream_bytes / 1e6:,.0f} MB"
        )
    return stats, (stats.records if complete else None), note
