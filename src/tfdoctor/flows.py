"""The flows: gather the facts a command needs, run the rules once over them, return a
result. `api` and `cli` call these; nothing here prints."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import Config
from .engines.base import Engine, ScanInterrupted
from .engines.file import Progress, ScanOptions
from .engines.local import InProcessEngine, local_engine
from .engines.sample import Sample, with_fraction
from .facts.container import Facts
from .facts.dataset import DatasetStats
from .facts.inputs import InputFacts
from .facts.pipeline import Pipeline, PipelineFacts
from .facts.reads import Read
from .facts.run import AuditRun
from .facts.spec import ParseSpec, SpecFacts
from .findings import Finding
from .io.compression import DEFAULT_MAX_INFLATION, Compression
from .io.sources import Source, resolve
from .results import AuditResult, ScanResult
from .rules.registry import run_rules
from .stats.dataset import DatasetAccumulator
from .stats.schema import infer_schema
from .suppress import Suppressed, suppress

AUDIT_SCAN_BYTES = (
    64 << 20
)  # record bytes an audit scans in all: label order and sizes, in well under a second


def scan_flow(
    patterns: Sequence[str],
    specs: Sequence[ParseSpec],
    *,
    label: str | None,
    compression: Compression,
    config: Config,
    max_records_per_file: int | None,
    engine: Engine | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    spec_notes: Sequence[str] = (),
    spec_sources: Sequence[str] = (),
    sample: Sample | None = None,
    max_inflation: float | None = DEFAULT_MAX_INFLATION,
) -> ScanResult:
    """Scan the data (and tally every key the specs read, in the same pass), then judge.
    `spec_sources`: the Python files the specs were read from, for their ignore comments."""
    sources, options, inputs = scan_plan(
        patterns,
        specs,
        label=label,
        compression=compression,
        max_records_per_file=max_records_per_file,
        sample=sample,
        max_inflation=max_inflation,
    )
    sizes = [source.size for source in sources]
    total = None if any(size is None for size in sizes) else sum(s for s in sizes if s is not None)
    engine = engine if engine is not None else local_engine(workers, len(sources), total)
    expect = getattr(progress, "expect", None)  # a progress display that shows an ETA takes the sizes
    if callable(expect):
        expect(total, len(sources))
    try:
        scanned = engine.scan(sources, options, progress)
    except ScanInterrupted as stop:
        partial = judge_scan(
            stop.scanned, inputs, specs, config=config, spec_notes=spec_notes, spec_sources=spec_sources
        )
        partial.partial = (
            f"interrupted (Ctrl-C) after {stop.files_done:,} of {stop.files:,} file(s): the figures and "
            "findings cover those files only"
        )
        raise Interrupted(partial) from None
    return judge_scan(scanned, inputs, specs, config=config, spec_notes=spec_notes, spec_sources=spec_sources)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during `scan`/`check_spec`: `result` is the report of the files finished before
    it, marked partial (`result.partial` says how much). A KeyboardInterrupt, so a script
    that does not catch it stops as before; a notebook can catch it and keep the result."""

    def __init__(self, result: ScanResult) -> None:
        super().__init__(result.partial)
        self.result = result


def scan_plan(
    patterns: Sequence[str],
    specs: Sequence[ParseSpec],
    *,
    label: str | None,
    compression: Compression,
    max_records_per_file: int | None,
    sample: Sample | None = None,
    max_inflation: float | None = DEFAULT_MAX_INFLATION,
) -> tuple[list[Source], ScanOptions, InputFacts]:
    """What a scan reads (the files the patterns name), how (the options every engine passes
    to `scan_file`), and what the patterns matched (for TFD105)."""
    resolved = resolve(list(patterns))
    options = ScanOptions(
        compression=compression,
        label=label,
        max_records_per_file=max_records_per_file,
        reads=_reads(specs),
        sample=with_fraction(sample, resolved.sources) if sample is not None else None,
        max_inflation=max_inflation,
    )
    inputs = InputFacts(
        tuple(patterns),
        tuple(resolved.unmatched),
        tuple(resolved.missing),
        tuple(resolved.errors),
        tuple(resolved.skipped),
    )
    return resolved.sources, options, inputs


def judge_scan(
    scanned: DatasetAccumulator,
    inputs: InputFacts,
    specs: Sequence[ParseSpec],
    *,
    config: Config,
    spec_notes: Sequence[str] = (),
    spec_sources: Sequence[str] = (),
) -> ScanResult:
    """The statistics of a finished scan (from any engine) judged: the rules, the schema,
    suppression."""
    stats = scanned.extract(inputs)
    facts = Facts(dataset=stats, specs=tuple(SpecFacts(s, stats) for s in specs))
    findings, errors = run_rules(facts, config)
    findings, suppressed = suppress(findings, config, specs=specs, sources=_read_sources(spec_sources))
    return ScanResult(
        stats,
        infer_schema(stats),
        findings,
        errors,
        config,
        specs=list(specs),
        spec_notes=list(spec_notes),
        suppressed=suppressed,
    )


def audit_flow(
    dataset: Any,
    *,
    batches: int,
    seconds: float,
    label: str | None,
    scan_records: int,
    config: Config,
    source: str | None = None,
    model: Any = None,
    on_phase: Callable[[str, Pipeline | None], None] | None = None,
) -> AuditResult:
    """Read the pipeline's graph, scan a bounded sample of the files it reads, count elements
    per step, probe batches and single steps, then judge. `source`: `file.py` or
    `file.py:function` that built the dataset, for the ignore comments on its steps.
    `model`: the keras.Model the dataset feeds, or None; with it the TFD7xx rules judge the
    batches against the model's inputs, outputs and loss.
    `on_phase` hears each phase as it starts, with the pipeline once it is read: a supervisor
    that must stop this process still judges the graph."""
    from .model.read import model_facts
    from .pipeline.counts import element_counts
    from .pipeline.graph import read_pipeline
    from .pipeline.probe import probe, python_steps

    started = time.perf_counter()
    say = on_phase or (lambda phase, pipeline: None)
    say("reading the dataset's graph", None)
    pipeline = read_pipeline(dataset)
    say("scanning the files it reads", pipeline)
    specs: list[ParseSpec] = []  # every input's parse ops, each once (an interleave holds its chain's too)
    for step in pipeline.every_step():
        specs += [p for p in step.parse_specs if all(p.features != q.features for q in specs)]
    sources, records, note = _scan_pipeline_files(pipeline, label, scan_records, _reads(specs))
    say("counting elements per step", None)
    objects = python_steps(dataset, pipeline)
    counts = element_counts(pipeline, records, objects)
    say("pulling batches", None)
    # `seconds` bounds the whole audit: the probe gets what the graph and the scan left (at least a second)
    left = max(seconds - (time.perf_counter() - started), min(1.0, seconds))
    probed, step_probes = (
        probe(dataset, pipeline, batches=batches, seconds=left, label=label, objects=objects)
        if batches > 0
        else (None, {})
    )
    model_read = model_facts(model) if model is not None else None
    facts = Facts(
        pipeline=PipelineFacts(pipeline, sources, records, counts, step_probes),
        batches=probed,
        model=model_read,
        # the parse ops inside the map functions, against the files they read
        specs=tuple(SpecFacts(s, sources) for s in specs) if sources is not None and sources.records else (),
    )
    say("judging", None)
    findings, errors = run_rules(facts, config)
    findings, suppressed = _suppress_audit(findings, config, pipeline, source)
    return AuditResult(
        pipeline,
        findings,
        errors,
        config,
        sources,
        probed,
        step_probes,
        note,
        counts,
        suppressed=suppressed,
        model=model_read,
    )


def stopped_audit(
    run: AuditRun, pipeline: Pipeline | None, *, config: Config, source: str | None
) -> AuditResult:
    """The audit of a pipeline whose code stopped the process that ran it (it exited, crashed,
    or passed the time or memory cap): judged on how it stopped (TFD517) and, where the graph
    was read before, on the graph alone."""
    facts = Facts(pipeline=PipelineFacts(pipeline) if pipeline is not None else None, run=run)
    findings, errors = run_rules(facts, config)
    shown = pipeline if pipeline is not None else Pipeline(())
    findings, suppressed = _suppress_audit(findings, config, shown, source)
    return AuditResult(shown, findings, errors, config, suppressed=suppressed, run=run)


def _suppress_audit(
    findings: list[Finding], config: Config, pipeline: Pipeline, source: str | None
) -> tuple[list[Finding], list[Suppressed]]:
    """Drop what the config, `--ignore` and `# tfdoctor: ignore[...]` comments on the steps'
    lines in `source` (`file.py` or `file.py:function`) silence."""
    path, sep, function = (source or "").rpartition(":")
    if not sep or (source or "").endswith(".py"):
        path, function = source or "", ""
    return suppress(
        findings,
        config,
        sources=_read_sources([path] if path else []),
        pipeline=pipeline,
        pipeline_source=path or None,
        function=function or None,
    )


def _read_sources(paths: Sequence[str]) -> dict[str, str]:
    """The text of the user's Python files that can be read (for their ignore comments)."""
    out: dict[str, str] = {}
    for path in paths:
        try:
            out[path] = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def _reads(specs: Sequence[ParseSpec]) -> tuple[Read, ...]:
    return tuple(dict.fromkeys(r for s in specs for r in s.reads()))


def _scan_pipeline_files(
    pipeline: Pipeline, label: str | None, budget: int, reads: tuple[Read, ...]
) -> tuple[DatasetStats | None, int | None, str]:
    """Scan the files the pipeline reads, at most `budget` records in all (split over the
    files), in this process: enough for label order and image sizes, and exact record counts
    when the files are that small."""
    names = list(dict.fromkeys(pipeline.files()))
    if not names or budget <= 0:
        return None, None, "no file names in the pipeline's graph" if not names else ""
    resolved = resolve(names)
    # the names that match nothing or do not exist, for TFD105
    inputs = InputFacts(
        tuple(names), tuple(resolved.unmatched), tuple(resolved.missing), tuple(resolved.errors)
    )
    if not resolved.sources:
        if resolved.unmatched or resolved.missing:
            return InProcessEngine().scan([], ScanOptions()).extract(inputs), None, "no file found"
        return None, None, f"files not reachable from here: {', '.join(names[:3])}"
    per_file = max(1, budget // len(resolved.sources))
    per_file_bytes = max(1 << 20, AUDIT_SCAN_BYTES // len(resolved.sources))
    options = ScanOptions(
        label=label, max_records_per_file=per_file, max_bytes_per_file=per_file_bytes, reads=reads
    )
    stats = InProcessEngine().scan(resolved.sources, options).extract(inputs)
    complete = all(f.records < per_file and not f.sampled for f in stats.files)
    if complete:
        note = f"scanned every record of {len(resolved.sources)} file(s): {stats.records:,} records"
    else:
        note = (
            f"scanned a sample of {len(resolved.sources)} file(s): the first {stats.records:,} records, "
            f"{stats.stream_bytes / 1e6:,.0f} MB"
        )
    return stats, (stats.records if complete else None), note
