"""The real-world cases: pipelines written here in the idioms of public pipelines (each case
module names in its docstring the repository and path it follows), with small generated data
shaped like that writer's output. Shared by `test_realworld.py` and `scripts/realworld_table.py`.

A case module in `cases/` defines:

- `SOURCE`: the public repository and path whose idioms it follows ("owner/repo: path");
- `CORRECT`: whether the pipeline is right (tfdoctor must raise nothing of warning or above);
- `EXPECTED`: for a buggy one, the codes that name its bug (any one of them at warning or
  above makes the verdict right);
- `write(folder)`: writes the data as that writer would;
- `run(folder)`: what tfdoctor is given, a dict with any of
  `dataset` (a tf.data.Dataset: `tfdoctor.audit`), `batches` (probed batches, default 8),
  `label`, `scan` (paths: `tfdoctor.scan`, or `tfdoctor.check_spec` with `features` /
  `context_features` / `sequence_features` or `spec_file`, a source file read by AST).

Modules are loaded from their path under unique names (`tfdoctor_realworld_<name>`), so no
`__init__.py` and no clash with other test modules under pytest's prepend import mode.
TensorFlow is imported inside `write`/`run`, never at import: collecting costs nothing.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import tfdoctor
from tfdoctor import Severity

CASES_DIR = Path(__file__).resolve().parent / "cases"

# Cases tfdoctor judges wrongly today, each with why: its test is xfail (not strict) until the
# fix lands. At commit cfcb974, 12 of 19 were here (BEFORE.md); none is now.
KNOWN_WRONG: dict[str, str] = {}  # case -> what tfdoctor gets wrong today (the test is xfail)


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    correct: bool
    expected: tuple[str, ...]
    doc: str
    module: ModuleType = field(repr=False, compare=False)

    def write(self, folder: Path) -> None:
        self.module.write(folder)

    def run(self, folder: Path) -> dict[str, Any]:
        run: dict[str, Any] = self.module.run(folder)
        unknown = set(run) - _RUN_KEYS
        if unknown:
            raise ValueError(f"case {self.name}: unknown run keys {sorted(unknown)}")
        return run


_RUN_KEYS = {
    "dataset",
    "batches",
    "label",
    "scan",
    "features",
    "context_features",
    "sequence_features",
    "spec_file",
}


@dataclass
class Verdict:
    """What tfdoctor said about a case, and whether that is right."""

    case: Case
    findings: list[tfdoctor.Finding]  # at warning or above, from every call made
    rule_errors: list[tfdoctor.RuleError]
    problems: list[str]  # e.g. a spec file tfdoctor could not read

    @property
    def codes(self) -> list[str]:
        return sorted({f.code for f in self.findings})

    @property
    def right(self) -> bool:
        if self.rule_errors or self.problems:
            return False
        if self.case.correct:
            return not self.findings
        return any(code in self.case.expected for code in self.codes)

    def describe(self) -> str:
        lines = [f"{f.code} {f.severity.label} [{f.where.describe()}] {f.message}" for f in self.findings]
        lines += [f"rule {e.code} raised: {e.error}" for e in self.rule_errors]
        lines += self.problems
        return "\n".join(lines) or "no finding at warning or above"


def _load(path: Path) -> Case:
    name = path.stem
    spec = importlib.util.spec_from_file_location(f"tfdoctor_realworld_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # autograph looks a function's module up by name
    spec.loader.exec_module(module)
    correct = bool(module.CORRECT)
    expected = tuple(getattr(module, "EXPECTED", ()))
    if correct == bool(expected):
        raise ValueError(f"case {name}: a correct case expects no code, a buggy one at least one")
    return Case(name, module.SOURCE, correct, expected, (module.__doc__ or "").strip(), module)


def load_cases() -> list[Case]:
    return [_load(p) for p in sorted(CASES_DIR.glob("*.py")) if not p.name.startswith("_")]


def judge(case: Case, folder: Path) -> Verdict:
    """Write the case's data under `folder`, give tfdoctor what the case says, keep what it
    reports at warning or above. Default configuration only (`tfdoctor.Config()`); scans run
    in this process (`workers=1`: the engines agree, and a pool costs seconds on two cores)."""
    folder.mkdir(parents=True, exist_ok=True)
    case.write(folder)
    run = case.run(folder)
    config = tfdoctor.Config()
    results: list[Any] = []
    problems: list[str] = []
    if "dataset" in run:
        _call(
            results,
            problems,
            "audit",
            lambda: tfdoctor.audit(
                run["dataset"], batches=run.get("batches", 8), label=run.get("label"), config=config
            ),
        )
    if "scan" in run:
        spec_keys = ("features", "context_features", "sequence_features")
        if "spec_file" in run:
            checked = _call(
                results,
                problems,
                "check_spec",
                lambda: tfdoctor.check_spec(
                    run["scan"], spec=str(run["spec_file"]), label=run.get("label"), config=config, workers=1
                ),
            )
            if checked is not None:
                problems += [f"parse call not checked: {note}" for note in checked.spec_notes]
        elif any(k in run for k in spec_keys):
            specs = {k: run[k] for k in spec_keys if k in run}
            _call(
                results,
                problems,
                "check_spec",
                lambda: tfdoctor.check_spec(
                    run["scan"], **specs, label=run.get("label"), config=config, workers=1
                ),
            )
        else:
            _call(
                results,
                problems,
                "scan",
                lambda: tfdoctor.scan(run["scan"], label=run.get("label"), config=config, workers=1),
            )
    findings = [f for r in results for f in r.findings if f.severity >= Severity.WARNING]
    errors = [e for r in results for e in r.rule_errors]
    return Verdict(case, findings, errors, problems)


def _call(results: list[Any], problems: list[str], name: str, call: Any) -> Any:
    """Run one tfdoctor call. It never raises on bad data or a failing pipeline; where it
    does, or cannot read the spec (`tfdoctor check` exits 2), the case was not judged."""
    try:
        result = call()
    except tfdoctor.SpecError as exc:
        problems.append(f"spec not read: {exc}")
        return None
    except Exception as exc:  # a crash is the verdict, not an error of the test
        problems.append(f"tfdoctor.{name} raised {type(exc).__name__}: {exc}")
        return None
    results.append(result)
    return result
