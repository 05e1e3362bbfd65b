"""The rule registry. A rule is declared once, by decorating a pure function of facts:

    @rule("TFD207", "non-finite-values", Severity.WARNING, requires=(DatasetStats,))
    def non_finite_values(stats: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
        '''<one-line summary>

        What it finds:
        Why it hurts training:
        Example:
        Fix:
        '''

The function takes one argument per kind it `requires` (it runs only where all are known,
once per combination: once per parse spec for the spec rules), then one per kind it `uses`
(None where unknown), then the thresholds. Its code, name, severity and documentation come
from that declaration; `tfdoctor rules`, the README's rule table and the docs are generated
from the registry. Rule modules are found by walking this package (a package per code
hundred): a new rule is one new function in the module of its topic.

A doc names a threshold by its `Thresholds` field in braces, `{tiny_batch_size}`, never by a
copy of its value: `summary` and `sections()` fill in the defaults.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import Config, Thresholds
from ..facts.container import KINDS, Facts
from ..findings import Finding, Fix, RuleError, Severity, Where

SECTIONS = ("What it finds", "Why it hurts training", "Example", "Fix")
_CODE = re.compile(r"^TFD[1-9]\d\d$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def fill(text: str, thresholds: Thresholds | None = None) -> str:
    """The text with each `{field}` of `Thresholds` replaced by its value (the defaults unless
    given); any other braces stay as written."""
    values = asdict(thresholds or Thresholds())

    def value(m: re.Match[str]) -> str:
        return _number(values[m.group(1)]) if m.group(1) in values else m.group(0)

    return PLACEHOLDER.sub(value, text)


@dataclass(frozen=True)
class Report:
    """What a check yields; the registry turns it into a Finding with the rule's identity."""

    message: str
    where: Where = field(default_factory=Where)
    numbers: dict[str, Any] = field(default_factory=dict)
    fix: Fix | str | None = None
    severity: Severity | None = None  # a rule may raise or lower its default for one finding


Check = Callable[..., Iterable[Report]]


@dataclass(frozen=True)
class Judge:
    """One check of a rule and the facts it reads: it runs only where all it `requires` are
    known; what it `uses` is passed as None where unknown."""

    requires: tuple[type, ...]
    uses: tuple[type, ...]
    check: Check


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    judges: tuple[Judge, ...]  # a rule judged in a scan and in a pipeline audit has one for each
    doc: str

    @property
    def requires(self) -> tuple[type, ...]:
        return tuple(dict.fromkeys(k for j in self.judges for k in j.requires))

    @property
    def summary(self) -> str:
        return fill(self.doc).strip().splitlines()[0].strip()

    def sections(self, thresholds: Thresholds | None = None) -> dict[str, str]:
        """The doc's fixed sections, keyed by heading, with the thresholds' values filled in
        (the defaults unless given)."""
        body = inspect.cleandoc(fill(self.doc, thresholds))
        found: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in body.splitlines()[1:]:
            heading = line.rstrip(":").strip()
            if line.endswith(":") and heading in SECTIONS:
                if current:
                    found[current] = "\n".join(lines).strip()
                current, lines = heading, []
            elif current:
                lines.append(line)
        if current:
            found[current] = "\n".join(lines).strip()
        return found


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, requires: tuple[type, ...], uses: tuple[type, ...] = ()
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if not _CODE.match(code) or not _NAME.match(name):
            raise ValueError(f"bad rule identity {code} {name}")
        if code in REGISTRY:
            raise ValueError(f"rule code {code} declared twice")
        judge = _judge(code, requires, uses, check)
        REGISTRY[code] = Rule(code, name, severity, (judge,), check.__doc__ or "")
        return check

    return register


def also(code: str, requires: tuple[type, ...], uses: tuple[type, ...] = ()) -> Callable[[Check], Check]:
    """A second check for a rule declared above it, on other facts (the rule's documentation
    stays with its first declaration)."""

    def register(check: Check) -> Check:
        declared = REGISTRY[code]
        judges = (*declared.judges, _judge(code, requires, uses, check))
        REGISTRY[code] = Rule(declared.code, declared.name, declared.severity, judges, declared.doc)
        return check

    return register


def _judge(code: str, requires: tuple[type, ...], uses: tuple[type, ...], check: Check) -> Judge:
    unknown = [k for k in (*requires, *uses) if k not in KINDS]
    if not requires or unknown:
        raise ValueError(f"{code}: requires/uses must name fact kinds from {KINDS}, got {unknown}")
    return Judge(tuple(requires), tuple(uses), check)


def _import_rule_modules() -> None:
    """Import every module under the rules package: importing a module registers its rules."""
    package = importlib.import_module(__package__ or "tfdoctor.rules")
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        importlib.import_module(info.name)


def all_rules() -> list[Rule]:
    if not _imported:
        _import_rule_modules()
        _imported.append(True)
    return [REGISTRY[c] for c in sorted(REGISTRY)]


_imported: list[bool] = []  # whether the rule modules were imported (a list: no `global` needed)


def get_rule(code: str) -> Rule | None:
    all_rules()
    return REGISTRY.get(code.upper())


def finding_order(f: Finding) -> tuple[int, str, tuple[str, str, int, int, int]]:
    """The one order of findings: worst first, then by code, then by where they point."""
    return (-f.severity, f.code, f.where.sort_key())


def run_rules(facts: Facts, config: Config) -> tuple[list[Finding], list[RuleError]]:
    """Run every enabled rule whose required facts are known, once per combination of them.
    A rule that raises is reported as a RuleError; the others still run."""
    findings: list[Finding] = []
    errors: list[RuleError] = []
    for r in all_rules():
        if not config.enabled(r.code):
            continue
        for judge in r.judges:
            used = [facts.first(kind) for kind in judge.uses]
            known: list[tuple[object, ...]] = [facts.all(kind) for kind in judge.requires]
            for required in itertools.product(*known):
                try:
                    reports = list(judge.check(*required, *used, config.thresholds))
                except Exception as exc:  # a bug in one rule must not hide the others' findings
                    tb = traceback.extract_tb(exc.__traceback__)[-1]
                    errors.append(
                        RuleError(r.code, f"{type(exc).__name__}: {exc} ({tb.filename}:{tb.lineno})")
                    )
                    continue
                for rep in reports:
                    severity = config.severity.get(r.code) or rep.severity or r.severity
                    fix = Fix(rep.fix) if isinstance(rep.fix, str) else rep.fix
                    findings.append(
                        Finding(r.code, r.name, severity, rep.message, rep.where, rep.numbers, fix)
                    )
    findings.sort(key=finding_order)
    return findings, errors
