"""How the process that ran the user's code ended. `tfdoctor pipeline` imports the user's
file, calls their function and pulls batches in a child process, because that code can do
anything: exit, crash, loop forever, take all the memory. The parent watches the child and
records here what happened and what was seen before; TFD517 judges it."""

from __future__ import annotations

from dataclasses import dataclass

# How a run ended: the audit finished (its findings are the rules' own), or the user's code
# stopped it. Every value but FINISHED is a finding.
FINISHED = "finished"
RAISED = "raised"  # building the dataset raised an exception
EXITED = "exited"  # the user's code called sys.exit/os._exit, or the process ended before a result
KILLED = "killed"  # a signal ended the process: a segfault in native code, abort, SIGKILL from outside
TIME = "time"  # past the time cap: the parent killed it
MEMORY = "memory"  # past the memory cap: the parent killed it


@dataclass(frozen=True)
class AuditRun:
    """What the supervised child process did. `phase` is what it was doing when it ended
    (importing the module, calling the function, reading the graph, scanning the files,
    pulling batches...), `detail` the last progress it reported there."""

    ended: str
    phase: str
    seconds: float
    seconds_limit: float
    memory_limit: int  # bytes
    peak_memory: int | None = None  # bytes of resident memory at the highest poll (None: not measured)
    exit_code: int | None = None
    signal: str | None = None  # SIGSEGV, SIGABRT...
    error: str = ""  # the exception, where one was raised (one line)
    error_type: str = ""
    detail: str = ""
    output: str = ""  # the last lines the user's code printed (stdout and stderr), control characters kept

    @property
    def stopped(self) -> bool:
        return self.ended != FINISHED
