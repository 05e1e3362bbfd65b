"""The terminal report (rich). Every piece of data goes into a `Text`, never into markup:
feature names and values come from untrusted files. Data passes through `printable` first, so
control characters (ESC, CR, backspace, other C0/C1) show as `\\x1b`-style escapes instead of
reaching the terminal; the JSON report keeps the exact strings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..facts.dataset import FeatureStats
from ..facts.model import ModelFacts
from ..findings import Finding, Severity

if TYPE_CHECKING:
    from ..compare import CompareResult
    from ..results import AuditResult, ScanResult

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # newlines and tabs kept


def _escape(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def printable(data: str, *, text: bool = False) -> str:
    """`data` with control characters shown as escapes (`\\x1b`); `text=True` (messages) keeps
    newlines and tabs. Use it on every name, path and message rendered to a terminal."""
    return (_TEXT_CONTROL if text else _CONTROL).sub(_escape, data)


STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
MAX_FEATURE_ROWS = 200


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.4g}"


def _values_per_record(f: FeatureStats) -> str:
    vc = f.value_count
    if vc is None:
        return "0"
    return f"{vc.min}" if vc.min == vc.max else f"{vc.min}-{vc.max}"


def _summary(f: FeatureStats) -> str:
    text = _values_summary(f)
    if f.sequence_length is not None:
        sl = f.sequence_length
        median = sl.quantiles.get("q50")
        steps = f"{sl.min}" if sl.min == sl.max else f"{sl.min}-{sl.max}"
        text = (
            f"steps {steps}"
            + (f" (median {median:g})" if median is not None and sl.min != sl.max else "")
            + f"; {text}"
        )
    if f.time_ordered:
        text += "; stored in time order"
    return text


def _values_summary(f: FeatureStats) -> str:
    if f.numeric is not None and f.numeric.mean is not None:
        n = f.numeric
        text = f"{_num(n.min)} .. {_num(n.max)}, mean {_num(n.mean)}"
        if n.nan or n.pos_inf or n.neg_inf:
            text += f", {n.nan + n.pos_inf + n.neg_inf:,} non-finite"
        return text
    if f.bytes is not None:
        if f.bytes.image_formats:
            fmts = ", ".join(f"{k} {v:,}" for k, v in f.bytes.image_formats.items())
            shapes = list(f.bytes.image_shapes)
            sizes = ""
            if shapes:
                more = len(shapes) - 2 + (1 if f.bytes.image_shapes_other else 0)
                sizes = "; " + ", ".join(shapes[:2]) + (f" +{more} more" if more > 0 else "")
            return f"images: {fmts}{sizes}; {_num(f.bytes.min_length)}-{_num(f.bytes.max_length)} bytes"
        top = ", ".join(f"{v!r}" for v, _ in f.top_values[:3])
        return f"len {f.bytes.min_length}-{f.bytes.max_length}" + (f"; top {top}" if top else "")
    if f.numeric is not None:
        return "all non-finite"
    return "no values"


def feature_table(result: ScanResult) -> Table:
    stats = result.stats
    table = Table(title="Features", title_justify="left", expand=False)
    for col in ("feature", "kind", "present", "values/rec", "distinct", "summary"):
        table.add_column(col, overflow="fold")
    for f in stats.features[:MAX_FEATURE_ROWS]:
        present = f"{100 * f.records_present / f.total_records:.0f}%" if f.total_records else "-"
        name = Text(printable(f.path))
        if f.name == stats.label and f.section != "sequence":
            name.append(" (label)", style="bold")
        kind = f.kind if len(f.kinds) == 1 else "/".join(f.kinds)
        table.add_row(
            name,
            Text(kind),
            Text(present),
            Text(_values_per_record(f)),
            Text(f"~{_num(f.distinct_estimate)}"),
            Text(printable(_summary(f))),
        )
    if len(stats.features) > MAX_FEATURE_ROWS:
        table.caption = f"{len(stats.features) - MAX_FEATURE_ROWS} more features in --json"
    return table


def label_line(result: ScanResult) -> Text | None:
    order = result.stats.label_order
    if order is None:
        if result.stats.label_requested:
            requested = printable(result.stats.label_requested)
            return Text(f"Label '{requested}' not found in the data.", style="yellow")
        return None
    text = Text("Label ")
    text.append(printable(order.feature), style="bold")
    if order.classes is not None:
        text.append(f": {len(order.classes):,} classes; ")
    else:
        text.append(": ")
    text.append(
        f"{order.runs:,} runs of equal labels in {order.records:,} records as stored "
        f"(random order would give ~{order.expected_runs:,.0f}), longest run {order.longest_run:,}"
    )
    if order.sortedness > 0.9:
        text.append(
            " — stored sorted by label; shuffle with a buffer larger than the longest run", style="yellow"
        )
    sorted_files = [url for url, s in order.file_sortedness().items() if s > 0.9]
    if sorted_files and order.sortedness <= 0.9:
        text.append(f"; {len(sorted_files)} of {len(order.files)} file(s) stored sorted by label, e.g. ")
        text.append(printable(sorted_files[0]), style="yellow")
    return text


def finding_block(f: Finding) -> Text:
    text = Text()
    text.append(f"{f.severity.label:<7} ", style=STYLES[f.severity])
    text.append(f"{f.code} ", style="bold")
    text.append(f"{f.name}", style="dim")
    where = f.where.describe()
    if where:
        text.append("  ")
        text.append(printable(where), style="blue")
    text.append("\n        ")
    text.append(printable(f.message, text=True))
    if f.fix is not None:
        text.append("\n        fix: ", style="green")
        text.append(printable(f.fix.text, text=True))
    return text


def render_scan(result: ScanResult, console: Console) -> None:
    stats = result.stats
    kinds = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in stats.record_kinds.items()) or "no records"
    console.print(
        Text(
            f"Scanned {len(stats.files):,} file(s): {stats.records:,} records ({kinds}), "
            f"{stats.stream_bytes / 1e6:,.1f} MB of record data."
        )
    )
    estimated = [f for f in stats.files if f.estimated_records is not None]
    if estimated:
        total = sum(
            f.estimated_records if f.estimated_records is not None else f.records for f in stats.files
        )
        console.print(
            Text(
                f"Sample: {stats.records:,} records read of about {total:,} "
                f"({stats.records / max(total, 1):.1%}): every figure below is an estimate from them.",
                style="bold yellow",
            )
        )
    skipped = stats.inputs.skipped
    if skipped:
        names = ", ".join(printable(url.rsplit("/", 1)[-1]) for url in skipped[:5])
        names += f" and {len(skipped) - 5:,} more" if len(skipped) > 5 else ""
        console.print(Text(f"Skipped {len(skipped):,} file(s) that are not TFRecord: {names}.", style="dim"))
    if stats.features:
        console.print(feature_table(result))
    line = label_line(result)
    if line is not None:
        console.print(line)
    for spec in result.specs:
        name = printable(spec.name)
        console.print(Text(f"Checked spec {name}: {len(spec.features)} feature(s).", style="bold"))
    for note in result.spec_notes:  # each names its file and line, and why
        line = Text(f"{Severity.INFO.label:<7} ", style=STYLES[Severity.INFO])
        line.append(printable(note, text=True))
        console.print(line)
    render_findings(result.findings, console)
    suppressed_line(len(result.suppressed), console)
    if result.partial:
        console.print(Text(f"Partial report: {result.partial}.", style="bold yellow"))
    for err in result.rule_errors:
        reason = printable(err.error, text=True)
        console.print(Text(f"rule {err.code} failed to run: {reason}", style="magenta"))
    counts = result.counts()
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items())
    console.print(Text(f"\n{summary}.", style="bold"))


def render_findings(findings: list[Finding], console: Console) -> None:
    if not findings:
        console.print(Text("\nNo findings.", style="green"))
        return
    console.print()
    for sev in sorted(Severity, reverse=True):
        group = [f for f in findings if f.severity == sev]
        if group:
            console.print(Text(f"{sev.label.capitalize()}s ({len(group)})", style=STYLES[sev]))
            console.print(Group(*(finding_block(f) for f in group)))


def suppressed_line(count: int, console: Console) -> None:
    if count:
        what = "finding" if count == 1 else "findings"
        console.print(
            Text(f"{count:,} {what} suppressed (--json lists them, with what suppressed each).", style="dim")
        )


def model_line(model: ModelFacts) -> str:
    """The model in one line: its inputs, what rescales them, its outputs and loss."""

    def shape(dims: tuple[int | None, ...]) -> str:
        return "(" + ", ".join("None" if d is None else str(d) for d in dims) + ")"

    inputs = ", ".join(f"{i.name} {shape(i.shape)} {i.dtype}" for i in model.inputs) or "unknown"
    outputs = ", ".join(
        f"{o.name} {shape(o.shape)} {o.activation or '?'}" + (f" [{o.loss}]" if o.loss else "")
        for o in model.outputs
    )
    rescales = ", ".join(dict.fromkeys(p.kind for p in model.preprocessing)) or "nothing"
    line = f"Model '{model.name}': inputs {inputs}; rescaled by {rescales}; outputs {outputs or 'unknown'}"
    line += "" if model.compiled else "; not compiled"
    return line + "".join(f"; {note}" for note in model.notes) + "."


def render_audit(result: AuditResult, console: Console) -> None:
    """The pipeline's chain, step by step, what the probe pulled, then the findings."""
    pipeline = result.pipeline
    table = Table(title="Pipeline", title_justify="left", expand=False)
    for col in ("step", "call", "notes"):
        table.add_column(col, overflow="fold")
    for step in pipeline.steps:
        notes = []
        if step.random_ops:
            fixed = sum(1 for r in step.random_ops if r.fixed)
            notes.append(f"{len(step.random_ops)} random op(s)" + (f", {fixed} seeded" if fixed else ""))
        if step.reads_files:
            notes.append("reads records")
        table.add_row(str(step.index), Text(printable(step.call())), Text("; ".join(notes)))
    console.print(table)
    if result.source_note:
        console.print(Text(f"Files: {printable(result.source_note, text=True)}.", style="dim"))
    probe = result.batches
    if probe is not None:
        line = f"Probe: {probe.batches} batch(es), {probe.elements:,} elements in {probe.seconds:.2f}s"
        if probe.stopped == "time":
            cap = f" (the {probe.seconds_limit:g}s cap)" if probe.seconds_limit else ""
            line += f"; stopped on time{cap}" + (f", {probe.stopped_while}" if probe.stopped_while else "")
            why = [f.code for f in result.findings if f.code == "TFD105"]
            line += f"; why: see {why[0]}" if why else ""
        elif probe.stopped == "memory":
            line += "; stopped on memory" + (f": {probe.stopped_while}" if probe.stopped_while else "")
        elif probe.stopped == "end" and not probe.batches:
            line += "; the pipeline yielded nothing"
        elif probe.stopped and probe.stopped != "end":
            line += f"; stopped: {probe.stopped}"
        console.print(Text(printable(line, text=True) + ".", style="dim"))
        if probe.error:
            raised = printable(f"{probe.error_type}: {probe.error}", text=True)
            console.print(Text(f"The pipeline raised {raised}", style="red"))
    if result.model is not None:
        console.print(Text(printable(model_line(result.model), text=True), style="dim"))
    render_findings(result.findings, console)
    suppressed_line(len(result.suppressed), console)
    for err in result.rule_errors:
        reason = printable(err.error, text=True)
        console.print(Text(f"rule {err.code} failed to run: {reason}", style="magenta"))
    summary = ", ".join(f"{n} {sev}" for sev, n in result.counts().items())
    console.print(Text(f"\n{summary}.", style="bold"))


def render_compare(result: CompareResult, console: Console) -> None:
    """Both splits in a line each, the drift measure of every feature they share, then the
    findings."""
    for side, what in ((result.train, "Training"), (result.eval, "Evaluation")):
        given = ", ".join(printable(g) for g in side.given)
        how = "statistics file" if side.source == "statistics" else f"{len(side.stats.files):,} file(s)"
        console.print(Text(f"{what} data: {given} ({how}, {side.stats.records:,} records).", style="bold"))
        for note in side.notes:
            console.print(Text(f"{Severity.INFO.label:<7} {printable(note, text=True)}", style="dim"))
    if result.label:
        console.print(Text(f"Label: {printable(result.label)}"))
    if result.drift:
        judged = {f.where.feature for f in result.findings if f.code == "TFD211"}
        table = Table(title="Drift per feature (TFDV's measures)", title_justify="left")
        for col in ("feature", "measure", "value", "at"):
            table.add_column(col)
        for d in result.drift[:MAX_FEATURE_ROWS]:
            style = "yellow" if d.feature in judged else None
            measure = "L-infinity" if d.metric == "l_infinity" else "Jensen-Shannon"
            table.add_row(
                Text(printable(d.feature), style=style or ""),
                measure,
                Text(f"{d.value:.4f}", style=style or ""),
                Text(printable(d.at) if d.at is not None else ""),
            )
        console.print(table)
    render_findings(result.findings, console)
    suppressed_line(len(result.suppressed), console)
    for err in result.rule_errors:
        console.print(
            Text(f"rule {err.code} failed to run: {printable(err.error, text=True)}", style="magenta")
        )
    summary = ", ".join(f"{n} {sev}" for sev, n in result.counts().items())
    console.print(Text(f"\n{summary}.", style="bold"))
