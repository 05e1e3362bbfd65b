"""The public Python API: `scan()` returns statistics, the inferred schema and findings;
`check_spec()` also judges parse specs against the data; `audit()` judges a tf.data pipeline.
Arguments are normalised here; the work is done by `flows`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .compare import CompareResult, compare_batches, compare_flow
from .config import Config, load_config
from .engines.base import Engine
from .engines.file import Progress
from .engines.sample import Sample, parse_sample
from .facts.spec import ParseSpec
from .findings import Finding
from .flows import audit_flow, scan_flow
from .io.compression import DEFAULT_MAX_INFLATION, Compression
from .pipeline.graph import read_pipeline
from .results import AuditResult, ScanResult
from .spec.from_python import from_objects
from .spec.load import load_specs
from .spec.model import SpecError


def scan(
    paths: str | Sequence[str],
    *,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    workers: int | None = None,
    max_records_per_file: int | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    sample: str | Sample | None = None,
    max_inflation: float | None = DEFAULT_MAX_INFLATION,
) -> ScanResult:
    """Scan TFRecord files (paths, directories, globs, `name@N`, fsspec URLs).

    Reads every record, verifies CRCs, decodes Examples, computes statistics, infers a
    schema and runs the file and data rules. Never raises on bad data: problems are findings.
    `engine` runs the scan elsewhere (default: this process, or a process pool for several files).
    `sample` ("1%", "100000" records, or a Sample) reads a uniform sample of records across
    the files instead of all: the figures are then estimates, and the result says so.
    `max_inflation`: a GZIP/ZLIB stream that inflates past this ratio (after 64 MiB) is
    stopped and reported, a decompression bomb; None never stops one.
    """
    return scan_flow(
        [paths] if isinstance(paths, str) else list(paths),
        [],
        label=label,
        compression=Compression(compression),
        config=config if config is not None else load_config(),
        max_records_per_file=max_records_per_file,
        engine=engine,
        workers=workers,
        progress=progress,
        sample=parse_sample(sample) if isinstance(sample, str) else sample,
        max_inflation=max_inflation,
    )


def check_spec(
    paths: str | Sequence[str],
    features: Mapping[str, Any] | None = None,
    *,
    context_features: Mapping[str, Any] | None = None,
    sequence_features: Mapping[str, Any] | None = None,
    spec: str | ParseSpec | Sequence[str | ParseSpec] | None = None,
    spec_args: Mapping[str, Any] | None = None,
    call_args: Mapping[str, Any] | None = None,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    workers: int | None = None,
    max_records_per_file: int | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
    sample: str | Sample | None = None,
    max_inflation: float | None = DEFAULT_MAX_INFLATION,
) -> ScanResult:
    """Scan the data and judge parse specs against it (TFD201-TFD209), in one pass.

    The spec is the dict you give `tf.io.parse_example` (`features`), or the two dicts you
    give `tf.io.parse_sequence_example`, or `spec=`: a Python file (read, never run), a
    `module:ATTR` (imported), a TFMD schema.pbtxt, a JSON spec, or ParseSpec objects.
    `spec_args` gives values for names a .py spec leaves open (`{"seq_length": 128}`); a
    `file.py:function` is called with `call_args` and the parse ops of the tf.data.Dataset it
    returns are judged. Raises SpecError when a spec cannot be read; never raises on bad data.
    """
    specs: list[ParseSpec] = []
    notes: list[str] = []
    sources: list[str] = []  # Python files read for specs: their `# tfdoctor: ignore` comments apply
    if features is not None or context_features is not None or sequence_features is not None:
        specs.append(
            from_objects(features, context_features=context_features, sequence_features=sequence_features)
        )
    given = [spec] if isinstance(spec, (str, ParseSpec)) else list(spec or [])
    for item in given:
        if isinstance(item, ParseSpec):
            specs.append(item)
        else:
            found = load_specs(str(item), spec_args=spec_args, call_args=call_args)
            specs += found.specs + _dataset_specs(found.datasets)
            notes += found.skipped + found.notes
            sources += [str(item)] if str(item).endswith(".py") else []
    if not specs:
        raise SpecError("no spec given: pass features=..., context/sequence features or spec=")
    return scan_flow(
        [paths] if isinstance(paths, str) else list(paths),
        specs,
        label=label,
        compression=Compression(compression),
        config=config if config is not None else load_config(),
        max_records_per_file=max_records_per_file,
        engine=engine,
        workers=workers,
        progress=progress,
        spec_notes=notes,
        spec_sources=sources,
        sample=parse_sample(sample) if isinstance(sample, str) else sample,
        max_inflation=max_inflation,
    )


def _dataset_specs(datasets: Sequence[tuple[str, Any]]) -> list[ParseSpec]:
    """The parse specs in the map functions of built datasets, read from their graphs."""
    out: list[ParseSpec] = []
    for label, dataset in datasets:
        steps = read_pipeline(dataset).steps
        found = [replace(p, name=f"{label} {p.name}") for step in steps for p in step.parse_specs]
        if not found:
            raise SpecError("the dataset it returns holds no tf.io.parse_* op", label)
        out += found
    return out


def audit(
    dataset: Any,
    *,
    batches: int = 20,
    seconds: float = 30.0,
    label: str | None = None,
    scan_records: int = 20_000,
    config: Config | None = None,
    source: str | None = None,
    model: Any = None,
) -> AuditResult:
    """Audit a `tf.data.Dataset`: its structure (read from its own graph), the TFRecord files
    it reads (a bounded scan: label order, record counts, image sizes) and `batches` probed
    batches. `batches=0` audits the structure only. Never raises on a failing pipeline: the
    error it raises is a finding. `source` (`file.py` or `file.py:function`) is the code that
    built the dataset: `# tfdoctor: ignore[CODE]` comments on its steps' lines are honoured.
    `model` (a keras.Model, compiled or not) is the model the dataset feeds: its inputs,
    preprocessing layers, outputs and loss are judged against the probed batches (TFD7xx),
    and TFD602 knows whether it rescales its images."""
    return audit_flow(
        dataset,
        batches=batches,
        seconds=seconds,
        label=label,
        scan_records=scan_records,
        config=config if config is not None else load_config(),
        source=source,
        model=model,
    )


def compare(
    train: str | Sequence[str],
    eval: str | Sequence[str],
    *,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    workers: int | None = None,
    max_records_per_file: int | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> CompareResult:
    """Compare the training data with the evaluation data (TFD210-TFD212): features in one
    only, kinds, values per record and image sizes that differ, drift per feature (TFDV's
    L-infinity and Jensen-Shannon measures), classes in one split only.

    Each side is what `scan` reads (paths, directories, globs), or one saved statistics file
    (a TFMD DatasetFeatureStatisticsList: `scan --stats-out`, TFDV's; .pb, .binpb, .pbtxt).
    Raises `StatisticsError` where a statistics file cannot be read; never on bad data."""
    return compare_flow(
        [train] if isinstance(train, str) else list(train),
        [eval] if isinstance(eval, str) else list(eval),
        label=label,
        compression=Compression(compression),
        config=config if config is not None else load_config(),
        max_records_per_file=max_records_per_file,
        workers=workers,
        engine=engine,
        progress=progress,
    )


def compare_audits(train: AuditResult, eval: AuditResult, *, config: Config | None = None) -> list[Finding]:
    """Compare the batches of a training and an evaluation pipeline, each audited by `audit()`
    (TFD210: a tensor in one only, another dtype or element shape; TFD211: a float tensor in
    [0, 1] in one and [0, 255] in the other). Empty where either audit pulled no batch."""
    findings, _errors, _suppressed = compare_batches(
        train, eval, config if config is not None else load_config()
    )
    return findings


__all__ = [
    "AuditResult",
    "CompareResult",
    "ScanResult",
    "audit",
    "check_spec",
    "compare",
    "compare_audits",
    "scan",
]
