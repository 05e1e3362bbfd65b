"""Builders of hand-made facts for the rule unit tests: the few facts a rule reads, everything
else at a neutral default. No TensorFlow, no files. Rules run through the public path
(`run_rules` with `Config(select=(code,))`), never by importing a rule module."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tfdoctor.config import Config, Thresholds
from tfdoctor.facts import (
    BatchFacts,
    BytesStats,
    CountStats,
    DatasetStats,
    Facts,
    FeatureSpec,
    FeatureStats,
    FileFacts,
    InputFacts,
    LabelOrder,
    NumericStats,
    ParseSpec,
    Pipeline,
    PipelineFacts,
    Read,
    ReadTally,
    SpecFacts,
    Step,
    StepProbe,
    TensorFacts,
)
from tfdoctor.findings import Finding
from tfdoctor.rules import run_rules

# ---------------------------------------------------------------------------------------------
# Running rules


def check(code: str, facts: Facts, thresholds: Thresholds | None = None) -> list[Finding]:
    """The findings of one rule on these facts; the rule must not fail. Their words (message,
    fix, severity, where, numbers) are compared with the test module's wording snapshot, so
    every rule test also notices a changed message (see `_wording`)."""
    config = Config(select=(code,), thresholds=thresholds or Thresholds())
    findings, errors = run_rules(facts, config)
    assert errors == [], errors
    assert {f.code for f in findings} <= {code}
    _wording(findings)
    return findings


WORDING = Path(__file__).resolve().parent / "wording"
_calls: dict[str, int] = {}


def _wording(findings: list[Finding]) -> None:
    """Snapshot of what the user reads, per test and call: tests/rules/wording/<module>.json.
    A missing or changed entry fails; TFDOCTOR_UPDATE_SNAPSHOTS=1 writes it (review the diff)."""
    node = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    if not node:
        return  # called outside a test (a helper script)
    module, _, test = node.partition("::")
    index = _calls[node] = _calls.get(node, -1) + 1
    key = f"{test}#{index}"
    seen = [json.loads(json.dumps(f.to_json(), default=str)) for f in findings]
    path = WORDING / f"{Path(module).stem}.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if os.environ.get("TFDOCTOR_UPDATE_SNAPSHOTS"):
        if stored.get(key) != seen:
            stored[key] = seen
            WORDING.mkdir(exist_ok=True)
            path.write_text(json.dumps(stored, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        return
    assert key in stored, f"no wording snapshot for {key} in {path.name}: TFDOCTOR_UPDATE_SNAPSHOTS=1"
    assert stored[key] == seen, (
        f"{key}: the findings' words changed; review, then TFDOCTOR_UPDATE_SNAPSHOTS=1"
    )


def one(findings: list[Finding]) -> Finding:
    """The single finding of a list (fails, showing the list, when there are more or none)."""
    assert len(findings) == 1, findings
    return findings[0]


# ---------------------------------------------------------------------------------------------
# The scan: features, label order, files, datasets


def counts(low: int, high: int | None = None, median: float | None = None) -> CountStats:
    """Values per record from `low` to `high` (one count when `high` is left out)."""
    high = low if high is None else high
    mid = (low + high) / 2 if median is None else median
    return CountStats(min=low, max=high, mean=(low + high) / 2, quantiles={"q50": mid})


def numbers(
    count: int = 100,
    low: float = 0.0,
    high: float = 1.0,
    nan: int = 0,
    pos_inf: int = 0,
    neg_inf: int = 0,
) -> NumericStats:
    return NumericStats(
        count=count,
        min=low,
        max=high,
        mean=(low + high) / 2,
        std=(high - low) / 4,
        zeros=0,
        nan=nan,
        pos_inf=pos_inf,
        neg_inf=neg_inf,
        quantiles={},
    )


def images(
    shapes: Mapping[str, int],
    other: int = 0,
    unreadable: int = 0,
    decoded: int = 0,
    undecodable: int = 0,
    fmt: str = "png",
) -> BytesStats:
    """Encoded images: "HxWxC" -> how many (as the scan reads their headers)."""
    n = sum(shapes.values()) + other + unreadable
    return BytesStats(
        count=n,
        min_length=100,
        max_length=2000,
        mean_length=500.0,
        image_formats={fmt: n},
        image_shapes=dict(shapes),
        image_shapes_other=other,
        image_unreadable=unreadable,
        image_decoded=decoded,
        image_undecodable=undecodable,
    )


def feature(
    name: str,
    kind: str = "int64",
    *,
    records: int = 100,
    present: int | None = None,
    with_values: int | None = None,
    values: CountStats | None = None,
    kinds: Mapping[str, int] | None = None,
    numeric: NumericStats | None = None,
    image: BytesStats | None = None,
    constant: str | None = None,
    section: str = "features",
    label_like: bool = False,
    order: tuple[int, int, int] = (0, 0, 0),
) -> FeatureStats:
    """One stored feature: in `present` of `records` records (all by default), holding values
    in `with_values` of them, one value each unless `values` says otherwise.
    `order`: (pairs compared, pairs going up, pairs going down)."""
    present = records if present is None else present
    with_values = present if with_values is None else with_values
    values = values or (counts(1) if kind != "unset" else None)
    if numeric is None and kind in ("int64", "float"):
        numeric = numbers(count=with_values * (values.max if values else 1))
    return FeatureStats(
        name=name,
        section=section,
        kind=kind,
        kinds=dict(kinds) if kinds is not None else {kind: present},
        records_present=present,
        records_with_values=with_values,
        total_values=with_values * (values.max if values else 0),
        value_count=values,
        numeric=numeric,
        bytes=image,
        distinct_estimate=1.0 if constant is not None else 10.0,
        top_values=((constant, with_values),) if constant is not None else (),
        constant_value=constant,
        total_records=records,
        label_like=label_like,
        order_pairs=order[0],
        order_increasing=order[1],
        order_decreasing=order[2],
    )


def random_runs(classes: Mapping[str, int]) -> float:
    """Runs of one label expected in a random order of these class counts."""
    n = sum(classes.values())
    return n - sum(c * (c - 1) for c in classes.values()) / n


def label_order(
    classes: Mapping[str, int] | None,
    *,
    runs: int | None = None,
    longest_run: int | None = None,
    feature: str = "label",
    records: int | None = None,
) -> LabelOrder:
    """How the label is stored; by default fully sorted (one run per class)."""
    records = records if records is not None else sum((classes or {}).values())
    expected = random_runs(classes) if classes else records / 2
    runs = len(classes or {}) if runs is None else runs
    longest = max((classes or {"": records}).values()) if longest_run is None else longest_run
    return LabelOrder(
        feature=feature,
        records=records,
        classes=dict(classes) if classes is not None else None,
        runs=runs,
        expected_runs=expected,
        longest_run=longest,
    )


def tfrecord(url: str, records: int = 100, **fields: Any) -> FileFacts:
    """A TFRecord file of `records` Examples, plus any FileFacts field given."""
    fields.setdefault("examples", records)
    fields.setdefault("size", records * 100)
    return FileFacts(url=url, records=records, **fields)


def dataset(
    *features: FeatureStats,
    records: int | None = None,
    files: Sequence[FileFacts] | None = None,
    label: str | None = None,
    order: LabelOrder | None = None,
    inputs: InputFacts | None = None,
    reads: Iterable[ReadTally] = (),
    sequence_examples: int = 0,
) -> DatasetStats:
    """A scan of these features; `order` is the label's stored order (its feature is the label)."""
    if records is None:
        records = max((f.total_records for f in features), default=0)
    if files is None:
        files = (tfrecord("train.tfrecord", records),)
    if order is not None:
        label = label or order.feature
    kinds = {"example": records - sequence_examples}
    if sequence_examples:
        kinds["sequence_example"] = sequence_examples
    return DatasetStats(
        records=records,
        record_kinds=kinds,
        features=tuple(features),
        files=tuple(files),
        label_orders={order.feature: order} if order is not None else {},
        label=label,
        inputs=inputs or InputFacts(),
        reads=tuple(reads),
    )


# ---------------------------------------------------------------------------------------------
# Parse specs and how the records fit them


def spec(*entries: FeatureSpec, name: str = "train.py:12 parse_fn") -> ParseSpec:
    return ParseSpec(features=tuple(entries), name=name)


def read_of(entry: FeatureSpec) -> Read:
    """The read of an entry's value key, as the spec layer makes it."""
    return entry.reads()[0]


def tally(
    read: Read | FeatureSpec,
    records: int = 100,
    present: int | None = None,
    problems: Mapping[str, int] | None = None,
    bad_counts: Mapping[int, int] | None = None,
    first: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> ReadTally:
    """What the scan saw for one read: `first` names the first (file, record) per problem."""
    read = read_of(read) if isinstance(read, FeatureSpec) else read
    problems = dict(problems or {})
    return ReadTally(
        read=read,
        records=records,
        present=records - problems.get("missing", 0) if present is None else present,
        problems=problems,
        bad_counts=dict(bad_counts or {}),
        examples={k: tuple(v) for k, v in (first or {}).items()},
    )


def spec_facts(parse: ParseSpec, data: DatasetStats, *tallies: ReadTally) -> Facts:
    """The facts of one spec judged against data, with the tallies of its reads."""
    data = replace(data, reads=(*data.reads, *tallies))
    return Facts(dataset=None, specs=(SpecFacts(parse, data),))


# ---------------------------------------------------------------------------------------------
# Pipelines

# The TensorFlow op a step of each kind is made of (what `pipeline.graph` reads).
_OPS = {
    "source": "TensorSliceDataset",
    "read": "TFRecordDataset",
    "map": "MapDataset",
    "filter": "FilterDataset",
    "shuffle": "ShuffleDatasetV3",
    "batch": "BatchDatasetV2",
    "padded_batch": "PaddedBatchDatasetV2",
    "cache": "CacheDatasetV2",
    "take": "TakeDataset",
    "skip": "SkipDataset",
    "shard": "ShardDataset",
    "repeat": "RepeatDataset",
    "prefetch": "PrefetchDataset",
    "interleave": "InterleaveDataset",
    "flat_map": "FlatMapDataset",
    "ignore_errors": "IgnoreErrorsDataset",
    "window": "WindowDataset",
    "unbatch": "UnbatchDataset",
    "zip": "ZipDataset",
}
# Keys of a step's description that are Step fields; every other key is an argument.
_FIELDS = ("op", "function", "random_ops", "reads_files", "files", "ops", "decode_channels", "branches")

StepSpec = str | tuple[str, Mapping[str, Any]]


def steps(description: Sequence[StepSpec]) -> tuple[Step, ...]:
    """Steps from `[("read", {"files": [...]}), ("map", {"function": "parse"}),
    ("shuffle", {"buffer_size": 100}), ("batch", {"batch_size": 32}), "prefetch"]`, numbered
    from 1; a zip's `branches` are lists of such descriptions."""
    out = []
    for index, item in enumerate(description, start=1):
        kind, given = (item, {}) if isinstance(item, str) else item
        args = {k: v for k, v in given.items() if k not in _FIELDS}
        fields = {k: v for k, v in given.items() if k in _FIELDS}
        op = fields.pop("op", None)
        if op is None:
            op = _OPS[kind]
            if kind == "map" and "num_parallel_calls" in args:
                op = "ParallelMapDatasetV2"
            if kind == "interleave" and "num_parallel_calls" in args:
                op = "ParallelInterleaveDatasetV4"
        if kind == "read":
            fields.setdefault("reads_files", True)
            fields.setdefault("files", ("train.tfrecord",))
        if kind == "interleave" and fields.get("reads_files"):
            fields.setdefault("function", "TFRecordDataset")
        for key in ("files", "ops", "random_ops", "decode_channels"):
            if key in fields:
                fields[key] = tuple(fields[key])
        if "branches" in fields:
            fields["branches"] = tuple(steps(b) for b in fields["branches"])
        out.append(Step(index=index, op=op, kind=kind, args=args, **fields))
    return tuple(out)


def pipeline_facts(
    description: Sequence[StepSpec],
    *,
    records: int | None = None,
    counts: Mapping[int, int | None] | None = None,
    probes: Iterable[StepProbe] = (),
    sources: DatasetStats | None = None,
) -> PipelineFacts:
    """A pipeline of these steps; `counts`: step index -> elements per epoch after it;
    `probes`: what the probe measured at single steps (keyed by their step)."""
    return PipelineFacts(
        pipeline=Pipeline(steps(description)),
        sources=sources,
        records=records,
        counts=dict(counts or {}),
        probes={p.step: p for p in probes},
    )


def shuffle(buffer: int, **args: object) -> StepSpec:
    return ("shuffle", {"buffer_size": buffer, **args})


def batch(size: int, kind: str = "batch", **args: object) -> StepSpec:
    return (kind, {"batch_size": size, **args})


def audit(
    *description: StepSpec,
    records: int | None = None,
    counts: dict[int, int | None] | None = None,
    probes: Sequence[StepProbe] = (),
    sources: DatasetStats | None = None,
    batches: BatchFacts | None = None,
) -> Facts:
    """The facts of a pipeline audit: the pipeline of these steps, and the batches it gave."""
    facts = pipeline_facts(description, records=records, counts=counts, probes=probes, sources=sources)
    return Facts(pipeline=facts, batches=batches)


# ---------------------------------------------------------------------------------------------
# Batches


def tensor(
    path: str, dtype: str = "float32", shape: tuple[int | None, ...] = (32,), **fields: Any
) -> TensorFacts:
    """A leaf of the batches that varies (not constant) unless told otherwise."""
    fields.setdefault("constant", False)
    fields.setdefault("values", 32 * 5)
    return TensorFacts(path=path, dtype=dtype, shape=shape, **fields)


def image_tensor(path: str = "image", low: float = 0.0, high: float = 1.0, **fields: Any) -> TensorFacts:
    """Image-like float batches of 32 28x28x1 images, values from `low` to `high`."""
    fields.setdefault("images", 32 * 5)
    fields.setdefault("values", 32 * 5 * 28 * 28)
    return tensor(
        path,
        fields.pop("dtype", "float32"),
        (32, 28, 28, 1),
        min=low,
        max=high,
        mean=(low + high) / 2,
        image_like=True,
        **fields,
    )


def batch_facts(*tensors: TensorFacts, batches: int = 5, batch_size: int = 32, **fields: Any) -> BatchFacts:
    """What the probe saw over `batches` full batches of these tensors."""
    fields.setdefault("elements", batches * batch_size)
    fields.setdefault("stopped", "" if batches else "end")
    return BatchFacts(batches=batches, tensors=tuple(tensors), **fields)


# A plain, correct pipeline for rules that need one next to the batches.
PLAIN = [
    ("read", {}),
    ("map", {"function": "parse", "num_parallel_calls": -1}),
    ("shuffle", {"buffer_size": 10_000}),
    ("batch", {"batch_size": 32}),
    ("prefetch", {"buffer_size": -1}),
]
