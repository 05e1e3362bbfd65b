"""Run the user's pipeline code in a child process and watch it.

`tfdoctor pipeline train.py:make_dataset` imports a file nobody here wrote and runs it: it
may call `sys.exit`, `os._exit`, crash in native code, loop forever or fill memory. None of
that may take the audit down. The child (`supervised.child`) builds and audits the dataset;
this parent enforces the time cap (from the moment TensorFlow is imported) and the memory
cap (resident memory, polled), kills the child's whole process group when one is passed,
and turns how the child ended into facts (`AuditRun`) that TFD517 judges, beside what the
graph showed when it was read before the end. A subprocess rather than a multiprocessing
pool: no `if __name__ == "__main__":` is needed in the caller's script, and the child starts
from a clean interpreter."""

from __future__ import annotations

import collections
import contextlib
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import psutil

from ..config import Config
from ..facts.pipeline import Pipeline
from ..facts.run import EXITED, FINISHED, KILLED, MEMORY, RAISED, TIME, AuditRun
from ..flows import stopped_audit
from ..pipeline.load import PipelineError, target_source
from ..results import AuditResult
from .child import EVENTS_FD, OUTPUT_MARK, PIPELINE, READY, REQUEST, RESULT, USAGE
from .child import RAISED as RAISED_FILE

STARTUP_SECONDS = 120.0  # to import TensorFlow, before the user's code runs and the cap starts
GRACE_SECONDS = 2.0  # past the cap (plus a tenth of it), for the child to judge what it pulled in time
POLL_SECONDS = 0.05
OUTPUT_TAIL = 64 * 1024  # bytes of the user's output kept
OUTPUT_KEPT = 16 * 1024  # bytes of it kept in the facts: a crash's whole Python stack fits


def default_memory_limit() -> int:
    """Half the machine's memory, at most 8 GiB: room for TensorFlow (about 0.6 GiB at rest)
    and a few large batches, never enough to push the machine into swap."""
    return int(min(8 << 30, psutil.virtual_memory().total // 2))


@dataclass(frozen=True)
class AuditRequest:
    """What the child is asked to do: the `audit_flow` arguments, with the dataset as the
    target that builds it."""

    target: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    batches: int = 20
    seconds: float = 30.0
    label: str | None = None
    scan_records: int = 20_000
    config: Config = field(default_factory=Config)
    source: str | None = None
    model: str | None = None  # a saved .keras/.h5 file or file.py:make_model, loaded in the child


def audit_in_child(
    request: AuditRequest,
    *,
    memory_limit: int | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> AuditResult:
    """Audit `request.target` in a supervised child process. Raises PipelineError where the
    target names nothing usable (a usage error); everything the user's code does is a result."""
    limit = memory_limit if memory_limit is not None else default_memory_limit()
    with tempfile.TemporaryDirectory(prefix="tfdoctor-audit-") as folder:
        workdir = Path(folder)
        (workdir / REQUEST).write_bytes(pickle.dumps(_plain(request)))
        watch = _Watch(request.seconds, limit, on_phase)
        ended, phase, exit_code = watch.run(workdir)
        return _result(request, workdir, watch, ended, phase, exit_code)


def _plain(request: AuditRequest) -> dict[str, Any]:
    """The request as builtins and tfdoctor's own types: the child unpickles it before it
    imports anything of the user's."""
    return {name: getattr(request, name) for name in AuditRequest.__dataclass_fields__}


class _Watch:
    """The child's process, its two output streams, and the caps."""

    def __init__(self, seconds: float, memory_limit: int, on_phase: Callable[[str], None] | None) -> None:
        self.seconds, self.memory_limit, self.on_phase = seconds, memory_limit, on_phase
        self.phase, self.detail = "starting Python", ""
        self.ready_at: float | None = None
        self.peak = 0
        self.output: collections.deque[bytes] = collections.deque()
        self.output_size = 0
        self.started = time.monotonic()
        self.finished = self.started

    def run(self, workdir: Path) -> tuple[str, str, int | None]:
        """Start the child, wait for it, kill it at a cap. Returns (how it ended, the phase it
        was in, its exit code)."""
        read_end, write_end = os.pipe()
        env = {**os.environ, EVENTS_FD: str(write_end), "PYTHONUNBUFFERED": "1"}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "tfdoctor.supervised.child", str(workdir)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_end,),
                env=env,
                start_new_session=True,  # its own process group: a kill takes what it started too
            )
        finally:
            os.close(write_end)
        assert child.stdout is not None
        readers = [
            threading.Thread(target=self._read_events, args=(os.fdopen(read_end, "rb"),), daemon=True),
            threading.Thread(target=self._read_output, args=(child.stdout,), daemon=True),
        ]
        for reader in readers:
            reader.start()
        ended = ""
        try:
            ended = self._wait(child)
        finally:
            if child.poll() is None:  # past a cap, or the parent interrupted (Ctrl-C)
                _kill_group(child)
            child.wait()
            self.finished = time.monotonic()
            for reader in readers:
                reader.join(timeout=2.0)  # a grandchild that escaped the group may hold a pipe open
        return ended, self.phase, child.returncode

    def _wait(self, child: subprocess.Popen[bytes]) -> str:
        process = psutil.Process(child.pid)
        while True:
            try:
                child.wait(timeout=POLL_SECONDS)
                return ""
            except subprocess.TimeoutExpired:
                pass
            resident = _resident(process)
            self.peak = max(self.peak, resident)
            if resident > self.memory_limit:
                return MEMORY
            now = time.monotonic()
            if self.ready_at is None and now - self.started > STARTUP_SECONDS:
                return TIME
            if self.ready_at is not None and now - self.ready_at > self.seconds * 1.1 + GRACE_SECONDS:
                return TIME

    def _read_events(self, stream: IO[bytes]) -> None:
        with stream:
            for line in stream:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("phase") == READY:
                    self.ready_at = time.monotonic()
                    continue
                self.phase, self.detail = str(event.get("phase", "")), str(event.get("detail", ""))
                if self.on_phase is not None:
                    self.on_phase(self.phase)

    def _read_output(self, stream: IO[bytes]) -> None:
        """Keep the last OUTPUT_TAIL bytes of what the user's code prints: it may print
        gigabytes, and only the end says why it stopped."""
        with stream:
            while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
                self.output.append(chunk)
                self.output_size += len(chunk)
                while self.output_size - len(self.output[0]) >= OUTPUT_TAIL:
                    self.output_size -= len(self.output.popleft())

    def tail(self) -> str:
        text = b"".join(self.output)[-OUTPUT_TAIL:].decode("utf-8", "replace").rpartition(OUTPUT_MARK)[2]
        return text.rstrip()[-OUTPUT_KEPT:]


def _resident(process: psutil.Process) -> int:
    """Resident bytes of the child and everything it started."""
    total = 0
    try:
        for each in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += each.memory_info().rss
    except psutil.Error:  # it ended between the wait and the poll
        pass
    return total


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        child.kill()


def _result(
    request: AuditRequest, workdir: Path, watch: _Watch, ended: str, phase: str, exit_code: int | None
) -> AuditResult:
    seconds = round(watch.finished - (watch.ready_at or watch.started), 3)
    run = AuditRun(
        ended=ended or FINISHED,
        phase=phase,
        seconds=seconds,
        seconds_limit=request.seconds,
        memory_limit=watch.memory_limit,
        peak_memory=watch.peak or None,
        exit_code=exit_code,
        detail=watch.detail,
        output=watch.tail(),
    )
    if not ended:
        usage = _load(workdir / USAGE, text=True)
        if usage is not None:
            raise PipelineError(usage)
        result = _load(workdir / RESULT)
        if isinstance(result, AuditResult):
            result.run = run
            return result
        raised = _load(workdir / RAISED_FILE)
        if isinstance(raised, dict):
            exited = raised["error_type"] == "SystemExit"
            run = replace(
                run,
                ended=EXITED if exited else RAISED,
                phase=raised["phase"],
                error=raised["error"],
                error_type=raised["error_type"],
                exit_code=raised["exit_code"] if exited else exit_code,
            )
        elif exit_code is not None and exit_code < 0:
            run = replace(run, ended=KILLED, signal=_signal_name(-exit_code))
        else:
            run = replace(run, ended=EXITED)
    pipeline = _load(workdir / PIPELINE)
    return stopped_audit(
        run,
        pipeline if isinstance(pipeline, Pipeline) else None,
        config=request.config,
        source=request.source or target_source(request.target),
    )


def _load(path: Path, *, text: bool = False) -> Any:
    """What the child left in the folder; None where it left nothing whole."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if text:
        return data.decode("utf-8", "replace")
    try:
        return pickle.loads(data)  # written by our own child into a folder only this user can read
    except Exception:
        return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
