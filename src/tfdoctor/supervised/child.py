"""The child side of a supervised audit: `python -m tfdoctor.supervised.child WORKDIR`.

Imports TensorFlow, then the user's module, calls their function and audits the dataset, in
this process, which the parent (`supervised.parent`) watches and may kill. Talks to the
parent through WORKDIR (the request in, the result or the user's error out, each a pickle
written whole and renamed into place) and a pipe of JSON lines (each phase as it starts).
Its stdout and stderr are the user's code's: the parent keeps their tail."""

from __future__ import annotations

import faulthandler
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any, TextIO

EVENTS_FD = "TFDOCTOR_EVENTS_FD"
OUTPUT_MARK = "\x00tfdoctor: the user's code starts here\x00\n"
READY = "ready"  # TensorFlow imported: the time cap starts here
REQUEST, RESULT, RAISED, USAGE, PIPELINE = (
    "request.pickle",
    "result.pickle",
    "raised.pickle",
    "usage.txt",
    "pipeline.pickle",
)


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: the parent may read the folder the moment this process dies."""
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


class _Events:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def say(self, phase: str, detail: str = "") -> None:
        try:
            self.stream.write(json.dumps({"phase": phase, "detail": detail}) + "\n")
            self.stream.flush()
        except OSError:  # the parent went away: nobody is listening
            pass


def run(workdir: Path, events: _Events) -> None:
    from ..flows import audit_flow
    from ..pipeline.load import PipelineError, PipelineRaised, build, target_source

    request: dict[str, Any] = pickle.loads((workdir / REQUEST).read_bytes())
    events.say("importing TensorFlow")
    import tensorflow  # noqa: F401  # before the clock starts: its import is not the user's time

    ready = time.monotonic()
    sys.stdout.flush()
    sys.stderr.write(OUTPUT_MARK)  # what was printed before is TensorFlow's start-up, not the user's
    sys.stderr.flush()
    events.say(READY)
    target: str = request["target"]
    module = target.rpartition(":")[0]
    sys.argv = [module]  # a module that parses arguments at import sees none, not ours
    try:
        dataset = build(target, request["kwargs"], on_phase=events.say)
    except PipelineRaised as exc:
        raised = {
            "phase": exc.phase,
            "error": str(exc),
            "error_type": exc.error_type,
            "exit_code": exc.exit_code,
        }
        _write(workdir / RAISED, pickle.dumps(raised))
        return
    except PipelineError as exc:
        _write(workdir / USAGE, str(exc).encode("utf-8", "backslashreplace"))
        return
    model = None
    if request.get("model"):
        from ..model.load import ModelError, load_model

        events.say(f"loading the model {request['model']}")
        try:
            model = load_model(request["model"], {})
        except ModelError as exc:
            _write(workdir / USAGE, f"--model: {exc}".encode("utf-8", "backslashreplace"))
            return

    def on_phase(phase: str, pipeline: Any) -> None:
        if pipeline is not None:  # the graph is read: the parent can judge it if this process dies later
            _write(workdir / PIPELINE, pickle.dumps(pipeline))
        events.say(phase)

    left = request["seconds"] - (time.monotonic() - ready)
    result = audit_flow(
        dataset,
        batches=request["batches"],
        seconds=max(left, min(1.0, request["seconds"])),  # building took the rest
        label=request["label"],
        scan_records=request["scan_records"],
        config=request["config"],
        source=request["source"] or target_source(target),
        on_phase=on_phase,
        model=model,
    )
    _write(workdir / RESULT, pickle.dumps(result))


def main() -> None:
    faulthandler.enable()  # a crash in native code prints the Python stack into the output the parent keeps
    workdir = Path(sys.argv[1])
    events = _Events(os.fdopen(int(os.environ[EVENTS_FD]), "w", encoding="utf-8"))
    run(workdir, events)
    sys.stdout.flush()
    sys.stderr.flush()
    # not a normal exit: a pull the probe abandoned at its deadline may still be running in a
    # thread that never ends, and the interpreter would wait for it
    os._exit(0)


if __name__ == "__main__":
    main()
