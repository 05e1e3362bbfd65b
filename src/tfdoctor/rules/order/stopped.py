"""TFD517: the user's pipeline code stopped the process that ran it: it exited, crashed,
raised while building the dataset, or passed the time or memory cap. Judged from how the
supervised child process ended (`facts.run`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.pipeline import PipelineFacts
from ...facts.run import EXITED, KILLED, MEMORY, RAISED, TIME, AuditRun
from ...findings import Fix, Severity, Where
from .._pipeline import where
from ..files.empty_pipeline import why_empty
from ..registry import Report, also, rule

_SIGNALS = {
    "SIGSEGV": "a segmentation fault: native code crashed (a custom op, or a C extension called from "
    "`tf.py_function`/`tf.numpy_function`)",
    "SIGBUS": "a bus error: native code read memory that is not there (a truncated memory-mapped file)",
    "SIGABRT": "an abort: a failed check in native code (a TensorFlow `Check failed`)",
    "SIGKILL": "killed from outside, most often by the system's out-of-memory killer",
    "SIGFPE": "an arithmetic fault in native code (an integer division by zero)",
}
# A frame of the Python stack that faulthandler prints on a crash, innermost first.
_FRAME = re.compile(r'File "([^"]+)", line (\d+) in (\S+)')
_LIBRARY = re.compile(r"site-packages|dist-packages|/lib/python\d|tfdoctor/")


@rule("TFD517", "pipeline-stopped", Severity.ERROR, requires=(AuditRun,))
def pipeline_stopped(run: AuditRun, cfg: Thresholds) -> Iterator[Report]:
    """The pipeline's own code stopped the audit: it exited, crashed, raised while building
    the dataset, or ran past the time or memory cap.

    What it finds:
    `tfdoctor pipeline` runs the user's code in a child process it watches. This fires when
    that process did not finish: the module or the function raised or called `sys.exit`
    (a module that parses command-line arguments at import, say), the process exited
    (`os._exit`) or was killed by a signal (a segmentation fault in native code), the
    function that builds the dataset or a step of the pipeline did not finish within
    `--seconds`, or its resident memory passed `--max-memory`. Says what the process was
    doing then, and the last lines it printed. Also fires (also under `tfdoctor.audit`) when
    the pipeline yields no batch at all within the time cap and no step is seen to empty
    it (TFD105 names such a step); a warning where a shuffle buffer of
    {stopped_fill_buffer} elements or more may still be filling.
    Why it hurts training:
    The training job runs the same code: it stops, hangs or is killed the same way,
    often hours in, and a pipeline that does not build cannot be checked at all.
    Example:
    args = parser.parse_args()  # at module level: importing train.py exits with a usage error
    Fix:
    Depends on how it stopped; the finding says. Parse arguments under
    `if __name__ == "__main__":`, run the function by hand to see where it waits, or shrink
    the buffers that take the memory.
    """
    if not run.stopped:
        return
    numbers = {
        "ended": run.ended,
        "phase": run.phase,
        "exit_code": run.exit_code,
        "signal": run.signal,
        "seconds": run.seconds,
        "peak_memory_mib": round(run.peak_memory / 2**20) if run.peak_memory else None,
        "output": run.output,
    }
    said, fix = _said(run)
    frame = _user_frame(run.output)
    where = f" (at {frame})" if frame else ""
    yield Report(f"{said}{where}.{_printed(run)}", Where(), numbers, Fix(fix + "."))


@also("TFD517", requires=(PipelineFacts, BatchFacts))
def no_batch_in_time(facts: PipelineFacts, batches: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """No batch at all within the time cap, where no step is seen to empty the pipeline."""
    if batches.batches or batches.stopped != "time" or batches.error is not None:
        return
    if why_empty(facts, batches) is not None:
        return  # a filter that drops all, an empty file list...: TFD105 names the step
    filling = [
        s
        for s in facts.pipeline.of("shuffle")
        if isinstance(s.args.get("buffer_size"), int) and s.args["buffer_size"] >= cfg.stopped_fill_buffer
    ]
    python = [s for s in facts.pipeline.steps if {"PyFunc", "EagerPyFunc", "NumpyFunction"} & set(s.ops)]
    cap = f"the {round(batches.seconds_limit, 1):g} s cap" if batches.seconds_limit else "the time cap"
    waited = f" ({batches.stopped_while})" if batches.stopped_while else ""
    said = (
        f"The pipeline yielded no batch within {cap}{waited}: each training step would wait at least "
        "that long."
    )
    if filling:
        said += (
            f" `{filling[0].call()}` must fill its buffer before the first element, which may be all it is."
        )
    elif python:
        said += (
            f" `{python[0].call()}` runs Python for every element (`tf.py_function`), the likely slow step."
        )
    yield Report(
        said,
        where(filling[0] if filling else python[0]) if filling or python else Where(),
        {"batches": 0, "seconds": batches.seconds, "seconds_limit": batches.seconds_limit},
        Fix(
            "Time the steps one by one (`for x in ds.take(1)` after each); raise --seconds if the "
            "pipeline is only slow to start"
        ),
        severity=Severity.WARNING if filling else None,
    )


def _said(run: AuditRun) -> tuple[str, str]:
    """The message and the fix, by how the process ended."""
    phase = run.phase or "starting"
    if run.ended == TIME:
        doing = (
            "the function that builds the dataset did not return"
            if phase.startswith("calling")
            else f"it was still {phase}"
        )
        return (
            f"The pipeline's code did not finish within the {run.seconds_limit:g} s cap (--seconds): "
            f"{doing}, so the process was stopped",
            "Run it by hand and see where it waits (a loop that never ends, a network call, a lock, "
            "a `tf.py_function` that blocks); raise --seconds if it is only slow",
        )
    if run.ended == MEMORY:
        peak = f" ({run.peak_memory / 2**20:,.0f} MiB resident)" if run.peak_memory else ""
        return (
            f"The process running the pipeline passed the {run.memory_limit / 2**20:,.0f} MiB memory cap "
            f"(--max-memory){peak} while {phase}: an element, a shuffle buffer or a `cache()` larger than "
            "memory allows, so it was stopped",
            "Smaller shuffle buffers or batches, `cache(filename)` to disk instead of memory, "
            "elements of bounded size; raise --max-memory if the training machine can hold it",
        )
    if run.ended == RAISED:
        return (
            f"Building the pipeline failed: {run.error}",
            "Call the function by hand (`python -c 'import train; train.make_dataset()'`) and fix "
            "what raises; check the --arg values passed to it",
        )
    if run.ended == EXITED and run.error_type == "SystemExit":
        usage = "usage:" in run.output.lower() or run.exit_code == 2
        fix = (
            'Parse command-line arguments under `if __name__ == "__main__":` and pass them to the '
            "function as parameters (`--arg key=value` here)"
            if usage
            else "Raise an exception instead of calling sys.exit() in code that others import"
        )
        return f"The pipeline's code ended the process: {run.error}", fix
    if run.ended == KILLED:
        meaning = _SIGNALS.get(run.signal or "", "a signal ended it")
        return (
            f"The process running the pipeline was killed by {run.signal} ({meaning}) while {phase}",
            "Run the pipeline by hand (`for x in ds.take(3)`) under `python -X faulthandler` to see "
            "the Python line where it crashes, and fix or replace the native code there",
        )
    return (
        f"The process running the pipeline exited with code {run.exit_code} while {phase}, before the "
        "audit finished: the pipeline's code (or a library it calls) ended the process "
        "(`os._exit`, `exit()` in native code)",
        "Find the exit in the code the pipeline runs and raise an exception there instead",
    )


def _user_frame(output: str) -> str | None:
    """The innermost frame of the user's own code in a crash's Python stack (faulthandler
    prints the crashing thread first, innermost frame first), if printed."""
    crash = output.rpartition("Fatal Python error")[2] or output
    for path, line, function in _FRAME.findall(crash):
        if not _LIBRARY.search(path) and not path.startswith("<"):
            return f"{path}:{line} in {function}"
    return None


def _printed(run: AuditRun) -> str:
    """The last lines the user's code printed; for a crash, the line that names it."""
    crash = re.findall(r"Fatal Python error: [^\n]*", run.output)
    if crash:
        return f" Python reported: {crash[-1]!r}."
    lines = [line.strip() for line in run.output.splitlines() if line.strip()]
    if not lines:
        return ""
    shown = " | ".join(lines[-3:])
    return f" Its output ends: {shown[-400:]!r}."
