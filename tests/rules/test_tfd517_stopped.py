"""TFD517 on hand-built facts: how the child process that ran the user's code ended, and a
pipeline that yields no batch within the time cap. The real processes are in
tests/supervised."""

from __future__ import annotations

from dataclasses import replace

import pytest
from facts_builders import batch_facts, check, one, pipeline_facts

from tfdoctor.config import Thresholds
from tfdoctor.facts import Facts, StepProbe
from tfdoctor.facts.run import EXITED, FINISHED, KILLED, MEMORY, RAISED, TIME, AuditRun
from tfdoctor.findings import Severity

RUN = AuditRun(ended=FINISHED, phase="pulling batches", seconds=3.2, seconds_limit=30.0, memory_limit=4 << 30)
CRASH = """Fatal Python error: Segmentation fault

Thread 0x01 (most recent call first):
  File "/usr/lib/python3.11/site-packages/tensorflow/python/ops/script_ops.py", line 150 in __call__
  File "/home/me/train.py", line 26 in load
  File "/home/me/train.py", line 40 in make_dataset
  File "<frozen runpy>", line 88 in _run_code

Extension modules: numpy._core, h5py.h5 (total: 2)"""


def _said(run: AuditRun) -> str:
    return " ".join(one(check("TFD517", Facts(run=run))).message.split())


def test_a_finished_run_is_silent() -> None:
    assert check("TFD517", Facts(run=RUN)) == []


@pytest.mark.parametrize(
    ("run", "said"),
    [
        (
            replace(RUN, ended=TIME, phase="calling train.py:make_dataset()", seconds_limit=5.0),
            "did not finish within the 5 s cap (--seconds): the function that builds the dataset did not return",
        ),
        (
            replace(RUN, ended=TIME, phase="pulling batches"),
            "within the 30 s cap (--seconds): it was still pulling batches, so the process was stopped",
        ),
        (
            replace(RUN, ended=MEMORY, peak_memory=4200 << 20),
            "passed the 4,096 MiB memory cap (--max-memory) (4,200 MiB resident) while pulling batches",
        ),
        (
            replace(
                RUN, ended=RAISED, error="calling train.py:make() raised OSError: gone", error_type="OSError"
            ),
            "Building the pipeline failed: calling train.py:make() raised OSError: gone",
        ),
        (
            replace(RUN, ended=EXITED, exit_code=7),
            "exited with code 7 while pulling batches, before the audit finished",
        ),
        (
            replace(RUN, ended=KILLED, signal="SIGABRT", exit_code=-6),
            "was killed by SIGABRT (an abort: a failed check in native code",
        ),
    ],
)
def test_each_way_of_stopping_is_an_error_that_says_how(run: AuditRun, said: str) -> None:
    finding = one(check("TFD517", Facts(run=run)))
    assert finding.severity == Severity.ERROR and said in " ".join(finding.message.split())
    assert finding.numbers["ended"] == run.ended


def test_sys_exit_at_import_with_a_usage_line_points_at_argument_parsing() -> None:
    run = replace(
        RUN,
        ended=EXITED,
        exit_code=2,
        error_type="SystemExit",
        error="importing train.py called sys.exit(2)",
        output="usage: train.py [-h] --data DATA\ntrain.py: error: the following arguments are required: --data",
    )
    finding = one(check("TFD517", Facts(run=run)))
    assert "The pipeline's code ended the process: importing train.py called sys.exit(2)." in finding.message
    assert "the following arguments are required: --data" in finding.message
    assert finding.fix is not None and '`if __name__ == "__main__":`' in finding.fix.text
    plain = replace(run, exit_code=0, error="calling train.py:make() called sys.exit(0)", output="")
    fix = one(check("TFD517", Facts(run=plain))).fix
    assert fix is not None and "Raise an exception instead" in fix.text


def test_a_crash_names_the_users_innermost_frame_not_librarys() -> None:
    said = _said(replace(RUN, ended=KILLED, signal="SIGSEGV", exit_code=-11, output=CRASH))
    assert "(at /home/me/train.py:26 in load)" in said
    assert "Python reported: 'Fatal Python error: Segmentation fault'." in said
    assert "Extension modules" not in said
    assert "(at " not in _said(replace(RUN, ended=KILLED, signal="SIGSEGV", output="no stack printed"))


def test_the_output_shown_is_its_last_lines() -> None:
    output = "\n".join(f"line {i}" for i in range(50))
    said = _said(replace(RUN, ended=EXITED, exit_code=1, output=output))
    assert said.endswith("Its output ends: 'line 47 | line 48 | line 49'.")


NO_BATCH = {
    "batches": 0,
    "stopped": "time",
    "seconds_limit": 2.0,
    "stopped_while": "waiting 1.9s for batch 1",
}


def test_no_batch_within_the_cap_is_an_error_naming_the_python_step() -> None:
    facts = pipeline_facts(
        ["source", ("map", {"function": "load", "ops": ["EagerPyFunc"]}), ("batch", {"batch_size": 2})]
    )
    finding = one(check("TFD517", Facts(pipeline=facts, batches=batch_facts(**NO_BATCH))))
    assert finding.severity == Severity.ERROR and finding.where.step == 2
    assert finding.message.startswith(
        "The pipeline yielded no batch within the 2 s cap (waiting 1.9s for batch 1)"
    )
    assert "`map(load)` runs Python for every element" in finding.message


def test_no_batch_behind_a_large_shuffle_buffer_is_a_warning() -> None:
    for buffer, severity in ((10_000, Severity.WARNING), (9_999, Severity.ERROR)):
        facts = pipeline_facts(["source", ("shuffle", {"buffer_size": buffer}), ("batch", {"batch_size": 2})])
        finding = one(check("TFD517", Facts(pipeline=facts, batches=batch_facts(**NO_BATCH))))
        assert finding.severity == severity, buffer
    fewer = Thresholds(stopped_fill_buffer=100)
    facts = pipeline_facts(["source", ("shuffle", {"buffer_size": 500}), ("batch", {"batch_size": 2})])
    assert (
        one(check("TFD517", Facts(pipeline=facts, batches=batch_facts(**NO_BATCH)), fewer)).severity
        == Severity.WARNING
    )


def test_silent_when_batches_came_or_a_step_empties_the_pipeline() -> None:
    facts = pipeline_facts(["source", ("batch", {"batch_size": 2})])
    assert check("TFD517", Facts(pipeline=facts, batches=batch_facts(batches=1, stopped="time"))) == []
    assert check("TFD517", Facts(pipeline=facts, batches=batch_facts(**{**NO_BATCH, "stopped": "end"}))) == []
    emptied = pipeline_facts(
        ["source", "repeat", ("filter", {"function": "keep"}), ("batch", {"batch_size": 2})],
        probes=[StepProbe(3, elements_in=10, elements_out=0)],
    )
    assert check("TFD517", Facts(pipeline=emptied, batches=batch_facts(**NO_BATCH))) == []  # TFD105's
