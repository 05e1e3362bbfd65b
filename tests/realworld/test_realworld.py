"""tfdoctor judged on pipelines nobody here designed: each case in `cases/` reproduces, in our
own code, the idioms of a public pipeline (its docstring names the repository and path) over
small data shaped like that writer's output. A correct pipeline must draw nothing of warning
or above; a buggy one must be named by one of its expected codes at warning or above.
`scripts/realworld_table.py` prints the same verdicts as a table (BEFORE.md: the first run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from realworld_registry import KNOWN_WRONG, Case, judge, load_cases
from typer.testing import CliRunner

CASES = load_cases()


def _param(case: Case) -> object:
    marks = [pytest.mark.tensorflow]
    if case.name in KNOWN_WRONG:
        marks.append(pytest.mark.xfail(strict=False, reason=KNOWN_WRONG[case.name]))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    verdict = judge(case, tmp_path / case.name)
    assert not verdict.rule_errors, verdict.describe()
    assert not verdict.problems, verdict.describe()
    if case.correct:
        assert verdict.findings == [], f"{case.name} ({case.source}) is correct:\n{verdict.describe()}"
    else:
        assert set(case.expected) & set(verdict.codes), (
            f"{case.name} ({case.source}) is buggy: expected {' or '.join(case.expected)} at warning or above, "
            f"got:\n{verdict.describe()}"
        )


@pytest.mark.tensorflow
def test_spec_file_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The TF1 spec file as a user gives it: `tfdoctor check DATA --spec flowers.py`."""
    pytest.importorskip("tensorflow")
    from tfdoctor.cli import app

    case = next(c for c in CASES if c.name == "slim_flowers_spec")
    case.write(tmp_path)
    run = case.run(tmp_path)
    monkeypatch.chdir(tmp_path)  # no pyproject.toml: the default configuration
    result = CliRunner().invoke(
        app, ["check", *run["scan"], "--spec", str(run["spec_file"]), "--fail-on", "warning"]
    )
    assert result.exit_code == 0, result.output


def test_registry() -> None:
    """At least 14 cases, correct and buggy; each names its public source in SOURCE and in its
    docstring; a buggy one expects rule codes, a correct one none; known-wrong names exist."""
    assert len(CASES) >= 14
    assert {c.correct for c in CASES} == {True, False}
    names = {c.name for c in CASES}
    assert set(KNOWN_WRONG) <= names
    for case in CASES:
        repo, _, path = case.source.partition(": ")
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", repo) and path, case.source
        assert repo in case.doc and path in case.doc, f"{case.name}: the docstring must name {case.source}"
        assert all(re.fullmatch(r"TFD\d{3}", code) for code in case.expected), case.expected
        assert bool(case.expected) != case.correct
    for reason in KNOWN_WRONG.values():
        assert reason.startswith("issue 10: ")
