"""`compare`: the training data against the evaluation data. Each side is scanned (paths,
directories, globs, as `scan` reads them) or read from a saved statistics file; the two are
judged together by the TFD21x rules only (each side's own problems are `scan`'s job)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..engines.base import Engine
from ..engines.file import Progress
from ..engines.local import local_engine
from ..facts.compare import ComparedBatches, ComparedStats, Histogram
from ..facts.container import Facts
from ..facts.dataset import DatasetStats
from ..findings import Finding, RuleError
from ..flows import scan_plan
from ..io.compression import Compression
from ..io.outputs import guarded_inputs
from ..report.json import compare_to_json
from ..results import AuditResult, _Judged
from ..rules.compare._common import categorical, classes, histogram, value_counts
from ..rules.compare._drift import js_divergence, linf_distance
from ..rules.registry import run_rules
from ..suppress import Suppressed, suppress
from .load import is_statistics_file, load_statistics


@dataclass
class Side:
    """One split as compared: what was given, and what is known of it."""

    name: str  # "train" or "eval"
    given: list[str]
    source: str  # "scan" or "statistics" (a saved statistics file)
    stats: DatasetStats
    histograms: dict[str, Histogram] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        return list(self.stats.inputs.errors) + [
            (f.url, f.read_error) for f in self.stats.files if f.read_error is not None
        ]

    @property
    def empty(self) -> bool:
        """Nothing to compare: no file matched, or no record was read."""
        return not self.stats.records


@dataclass(frozen=True)
class Drift:
    """One feature's drift measure, reported whether or not it passes the threshold."""

    feature: str
    metric: str  # "l_infinity" or "jensen_shannon"
    value: float
    at: str | None = None  # the value L-infinity is reached at


@dataclass
class CompareResult(_Judged):
    train: Side
    eval: Side
    findings: list[Finding]
    rule_errors: list[RuleError] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    label: str | None = None
    drift: list[Drift] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        return self.train.unreadable + self.eval.unreadable

    @property
    def input_files(self) -> list[str | Path]:
        """What was read or asked for, on either side: outputs never replace them."""
        urls = [f.url for side in (self.train, self.eval) for f in side.stats.files]
        return guarded_inputs(urls + self.train.given + self.eval.given)

    def write_html(self, path: str | Path, inputs: list[str | Path] | None = None) -> bool:
        return super().write_html(path, inputs if inputs is not None else self.input_files)

    def to_json(self) -> dict[str, Any]:
        return compare_to_json(self)


def compare_flow(
    train: Sequence[str],
    evals: Sequence[str],
    *,
    label: str | None,
    compression: Compression,
    config: Config,
    max_records_per_file: int | None = None,
    workers: int | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> CompareResult:
    """Read both sides, then judge them together. StatisticsError where a statistics file
    cannot be read."""
    options = dict(
        label=label,
        compression=compression,
        max_records_per_file=max_records_per_file,
        workers=workers,
        engine=engine,
        progress=progress,
    )
    first = _side("train", train, **options)  # type: ignore[arg-type]
    second = _side("eval", evals, **options)  # type: ignore[arg-type]
    chosen = label or first.stats.label or second.stats.label
    facts = ComparedStats(first.stats, second.stats, first.histograms, second.histograms, chosen)
    findings: list[Finding] = []
    errors: list[RuleError] = []
    if first.stats.records and second.stats.records:  # an empty side has nothing to compare
        findings, errors = run_rules(Facts(compared=facts), config)
    findings, suppressed = suppress(findings, config)
    return CompareResult(
        first,
        second,
        findings,
        errors,
        config,
        label=chosen,
        drift=drift_table(facts),
        suppressed=suppressed,
    )


def _side(
    name: str,
    given: Sequence[str],
    *,
    label: str | None,
    compression: Compression,
    max_records_per_file: int | None,
    workers: int | None,
    engine: Engine | None,
    progress: Progress | None,
) -> Side:
    if len(given) == 1 and is_statistics_file(given[0]):
        stats, histograms, notes = load_statistics(given[0], label)
        stored = stats.stored(stats.label) if stats.label is not None else None
        if stored is not None and classes(stats, stored.name) is None:
            notes.append(
                f"{given[0]}: the label '{stored.name}' ({stored.kind}) has no complete value counts in a "
                "statistics file: its classes (TFD212) are compared from a scan of this side only"
            )
        return Side(name, list(given), "statistics", stats, histograms, notes)
    sources, options, inputs = scan_plan(
        list(given), [], label=label, compression=compression, max_records_per_file=max_records_per_file
    )
    sizes = [source.size for source in sources]
    total = None if any(size is None for size in sizes) else sum(s for s in sizes if s is not None)
    runner = engine if engine is not None else local_engine(workers, len(sources), total)
    stats = runner.scan(sources, options, progress).extract(inputs)
    return Side(name, list(given), "scan", stats)


def drift_table(facts: ComparedStats) -> list[Drift]:
    """Every feature both sides store alike, with its drift measure (whatever TFD211 decides)."""
    out: list[Drift] = []
    label = facts.label_feature
    for t, e in facts.pairs():
        if t is None or e is None or t.kind != e.kind or t.kind not in ("int64", "float", "bytes"):
            continue
        if label is not None and t.name == label:
            a, b = classes(facts.train, label), classes(facts.eval, label)
            counts: tuple[dict[str, float] | None, dict[str, float] | None] = (
                ({k: float(v) for k, v in a.items()}, {k: float(v) for k, v in b.items()})
                if a is not None and b is not None
                else (None, None)
            )
        elif categorical(t, e):
            counts = (value_counts(t), value_counts(e))
        elif t.kind in ("int64", "float"):
            ht, he = histogram(t, facts.train_histograms), histogram(e, facts.eval_histograms)
            if ht is not None and he is not None and ht.total > 0 and he.total > 0:
                out.append(Drift(t.path, "jensen_shannon", round(js_divergence(ht, he), 6)))
            continue
        else:
            continue
        if counts[0] and counts[1]:
            value, distance = linf_distance(counts[0], counts[1])
            out.append(Drift(t.path, "l_infinity", round(distance, 6), value))
    return out


def compare_batches(
    train: AuditResult, evals: AuditResult, config: Config
) -> tuple[list[Finding], list[RuleError], list[Suppressed]]:
    """The batches two audited pipelines yield, judged together (TFD210, TFD211): nothing
    where either audit pulled no batch."""
    if train.batches is None or evals.batches is None:
        return [], [], []
    facts = Facts(compared_batches=ComparedBatches(train.batches, evals.batches))
    findings, errors = run_rules(facts, config)
    findings, suppressed = suppress(findings, config)
    return findings, errors, suppressed
