"""The JSON report. Its shape is public API: see docs/json-report.md. Bump SCHEMA_VERSION on
any change that is not a pure addition."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .._version import __version__

if TYPE_CHECKING:
    from ..compare import CompareResult, Side
    from ..results import AuditResult, ScanResult

SCHEMA_VERSION = 2


def _feature(f: Any) -> dict[str, Any]:
    data = asdict(f)
    data["path"] = f.path
    data["records_missing"] = f.records_missing
    data["top_values"] = [{"value": v, "count": c} for v, c in f.top_values]
    return data


def jsonable(obj: Any) -> Any:
    """Plain JSON values all the way down: bytes (a default_value, a value from the data) as
    text where they decode, as an escaped repr otherwise; NumPy scalars as numbers."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, bytes):
        try:
            return obj.decode("utf-8")
        except UnicodeDecodeError:
            return repr(obj)
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):  # JSON has no NaN: strings, as documented
        return "NaN" if obj != obj else ("Infinity" if obj > 0 else "-Infinity")
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def _spec(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "call": spec.call,
        "file": spec.file,
        "line": spec.line,
        "features": [asdict(f) for f in spec.features],
    }


def _sample(stats: Any) -> dict[str, Any] | None:
    sampled = [f for f in stats.files if f.estimated_records is not None]
    if not sampled:
        return None
    estimated = sum(
        f.estimated_records if f.estimated_records is not None else f.records for f in stats.files
    )
    return {
        "records_read": stats.records,
        "estimated_records": estimated,
        "files_sampled": len(sampled),
        "share_read": round(stats.records / estimated, 4) if estimated else None,
    }


def scan_to_json(result: ScanResult) -> dict[str, Any]:
    return jsonable(_scan_to_json(result))  # type: ignore[no-any-return]


def _scan_to_json(result: ScanResult) -> dict[str, Any]:
    stats = result.stats
    order = stats.label_order
    return {
        "tool": "tfdoctor",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "command": "check" if result.specs else "scan",
        "partial": result.partial or None,  # why not every file was read (Ctrl-C); null when complete
        "inputs": {
            "patterns": stats.inputs.patterns,
            "unmatched": stats.inputs.unmatched,
            "missing": stats.inputs.missing,
            "errors": [{"input": p, "error": e} for p, e in stats.inputs.errors],
            "skipped": stats.inputs.skipped,  # files in a named directory that are not TFRecord
        },
        "summary": {
            "files": len(stats.files),
            "records": stats.records,
            "record_kinds": stats.record_kinds,
            "bytes": stats.stream_bytes,
            "findings": result.counts(),
            "label": stats.label,
            # --sample: the figures are estimates from `records_read` records; null: every record read
            "sample": _sample(stats),
        },
        "findings": [f.to_json() for f in result.findings],
        "suppressed": [s.to_json() for s in result.suppressed],  # each finding with "by": what suppressed it
        "rule_errors": [e.to_json() for e in result.rule_errors],
        "files": [
            {
                "url": f.url,
                "size": f.size,
                "compression": f.compression,
                "compression_declared": f.compression_declared,
                "records": f.records,
                "examples": f.examples,
                "sequence_examples": f.sequence_examples,
                "not_example": f.not_example,
                "problems": f.problem_counts,
                "bytes_skipped": f.bytes_skipped,
                "read_error": f.read_error,
            }
            for f in stats.files
        ],
        "features": [_feature(f) for f in stats.features],
        "label_order": None if order is None else {**asdict(order), "sortedness": round(order.sortedness, 4)},
        "schema": result.schema.to_json(),
        "specs": [_spec(s) for s in result.specs],
        "spec_notes": result.spec_notes,
    }


def audit_to_json(result: AuditResult) -> dict[str, Any]:
    return jsonable(_audit_to_json(result))  # type: ignore[no-any-return]


def _audit_to_json(result: AuditResult) -> dict[str, Any]:
    pipeline = result.pipeline
    return {
        "tool": "tfdoctor",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "command": "pipeline",
        "summary": {"steps": len(pipeline.steps), "findings": result.counts(), "sources": result.source_note},
        "pipeline": {
            "chain": pipeline.chain(),
            "element_spec": pipeline.element_spec,
            "cardinality": pipeline.cardinality,
            "steps": [
                {
                    "index": s.index,
                    "op": s.op,
                    "kind": s.kind,
                    "call": s.call(),
                    "args": s.args,
                    "function": s.function,
                    "random_ops": [asdict(r) for r in s.random_ops],
                    "reads_files": s.reads_files,
                    "files": list(s.files),
                    "elements": result.elements.get(s.index),
                    # the other inputs (zip, concatenate, sample/choose) or the chain an
                    # interleave builds per file, each as its calls
                    "branches": [[b.call() for b in branch] for branch in s.branches],
                    "fused": s.fused,  # the fused op this logical step comes from, as written
                    "inserted": s.inserted,  # a map TensorFlow inserted itself, not the user's
                }  # fmt: skip
                for s in pipeline.steps
            ],
        },
        "probe": asdict(result.batches) if result.batches is not None else None,
        "model": asdict(result.model) if result.model is not None else None,  # what the model expects
        # how the child process that ran the user's code ended; null for audit(dataset) in process
        "run": asdict(result.run) if result.run is not None else None,
        "step_probes": [asdict(p) for p in result.step_probes.values()],  # what was measured at single steps
        "specs": [_spec(spec) for step in pipeline.steps for spec in step.parse_specs],  # read from the graph
        "findings": [f.to_json() for f in result.findings],
        "suppressed": [s.to_json() for s in result.suppressed],
        "rule_errors": [e.to_json() for e in result.rule_errors],
    }


def compare_to_json(result: CompareResult) -> dict[str, Any]:
    return jsonable(_compare_to_json(result))  # type: ignore[no-any-return]


def _side(side: Side, label: str | None) -> dict[str, Any]:
    """One split in a comparison: what was given, its size, its label's classes, image sizes."""
    stats = side.stats
    order = stats.label_orders.get(label) if label else None
    return {
        "inputs": side.given,
        "source": side.source,  # "scan", or "statistics" (a saved statistics file)
        "files": len(stats.files),
        "records": stats.records,
        "features": len(stats.features),
        "label_classes": order.classes if order is not None else None,
        "image_shapes": {
            f.path: f.bytes.image_shapes for f in stats.features if f.bytes is not None and f.is_image
        },
        "notes": side.notes,
    }


def _compare_to_json(result: CompareResult) -> dict[str, Any]:
    return {
        "tool": "tfdoctor",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "command": "compare",
        "summary": {
            "findings": result.counts(),
            "label": result.label,
            "train_records": result.train.stats.records,
            "eval_records": result.eval.stats.records,
        },
        "train": _side(result.train, result.label),
        "eval": _side(result.eval, result.label),
        # every feature both splits store alike, with its drift measure (TFD211 judges them)
        "drift": [asdict(d) for d in result.drift],
        "findings": [f.to_json() for f in result.findings],
        "suppressed": [s.to_json() for s in result.suppressed],
        "rule_errors": [e.to_json() for e in result.rule_errors],
    }
