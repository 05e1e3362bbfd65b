"""The terminal report of `tfdoctor training LOGDIR`."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..report.terminal import printable, render_findings
from .flow import TrainingLogResult


def render_training(result: TrainingLogResult, console: Console) -> None:
    console.print(
        Text(
            f"Read {result.event_files:,} event file(s) under {printable(result.logdir)}: "
            f"{len(result.experiments)} experiment(s).",
        )
    )
    for e in result.experiments:
        runs = ", ".join(printable(r.rsplit("/", 1)[-1]) for r in e.runs)
        line = f"  {printable(e.path)}: {len(e.facts.epochs)} epoch(s)"
        line += f", {e.facts.steps:,} steps" if e.facts.steps else ""
        console.print(Text(f"{line}, {e.values:,} scalars (runs: {runs})", style="dim"))
    for problem in result.problems:
        console.print(Text(f"could not read all of {printable(problem, text=True)}", style="yellow"))
    render_findings(result.findings, console)
    for err in result.rule_errors:
        console.print(
            Text(f"rule {err.code} failed to run: {printable(err.error, text=True)}", style="magenta")
        )
    summary = ", ".join(f"{n} {sev}" for sev, n in result.counts().items())
    console.print(Text(f"\n{summary}.", style="bold"))
