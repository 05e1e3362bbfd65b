"""The public Python API: `scan()` returns statistics, the inferred schema and findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .engines.local import Progress, ScanOptions, scan_sources
from .findings import Finding, RuleError, Severity
from .io.compression import Compression
from .io.sources import resolve
from .rules.registry import run_rules
from .stats.dataset import DatasetStats
from .stats.schema import Schema, infer_schema, to_pbtxt
from .stats.tfmd import to_tfmd_statistics


@dataclass
class ScanResult:
    stats: DatasetStats
    schema: Schema
    findings: list[Finding]
    rule_errors: list[RuleError] = field(default_factory=list)
    config: Config = field(default_factory=Config)

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
    patterns = [paths] if isinstance(paths, str) else list(paths)
    config = config if config is not None else load_config()
    resolved = resolve(patterns)
    options = ScanOptions(
        compression=Compression(compression),
        label=label,
        max_records_per_file=max_records_per_file,
    )
    acc = scan_sources(resolved.sources, options, workers=workers, progress=progress)
    stats = acc.extract()
    stats.patterns = patterns
    stats.unmatched = resolved.unmatched
    stats.missing = resolved.missing
    stats.input_errors = resolved.errors
    findings, errors = run_rules(stats, config)
    return ScanResult(stats, infer_schema(stats), findings, errors, config)
