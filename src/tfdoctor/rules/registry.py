"""The rule registry. A rule is declared once, by decorating a pure function of facts:

    @rule("TFD207", "non-finite-values", Severity.WARNING)
    def non_finite_values(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
        '''<one-line summary>

        What it finds:
        Why it hurts training:
        Example:
        Fix:
        '''

Its code, name, severity and documentation come from that declaration; `tfdoctor rules`,
the README's rule table and the docs are generated from the registry.
"""

from __future__ import annotations

import inspect
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..config import Config, Thresholds
from ..findings import Finding, Fix, RuleError, Severity, Where

SECTIONS = ("What it finds", "Why it hurts training", "Example", "Fix")
_CODE = re.compile(r"^TFD[1-9]\d\d$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Report:
    """What a check yields; the registry turns it into a Finding with the rule's identity."""

    message: str
    where: Where = field(default_factory=Where)
    numbers: dict[str, Any] = field(default_factory=dict)
    fix: Fix | str | None = None
    severity: Severity | None = None  # a rule may raise or lower its default for one finding


Check = Callable[[Any, Thresholds], Iterable[Report]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    facts: type | tuple[type, ...]  # the facts it judges (a scan's DatasetStats, a SpecCheck...)
    check: Check
    doc: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip()

    def sections(self) -> dict[str, str]:
        """The doc's fixed sections, keyed by heading."""
        body = inspect.cleandoc(self.doc)
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
    code: str, name: str, severity: Severity, facts: type | tuple[type, ...]
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if not _CODE.match(code) or not _NAME.match(name):
            raise ValueError(f"bad rule identity {code} {name}")
        if code in REGISTRY:
            raise ValueError(f"rule code {code} declared twice")
        REGISTRY[code] = Rule(code, name, severity, facts, check, check.__doc__ or "")
        return check

    return register


def all_rules() -> list[Rule]:
    from . import augment, batches, features, files, images, shuffle, spec, speed, timeseries  # noqa: F401  (importing registers the rules)

    return [REGISTRY[c] for c in sorted(REGISTRY)]


def get_rule(code: str) -> Rule | None:
    all_rules()
    return REGISTRY.get(code.upper())


def run_rules(facts: Any, config: Config) -> tuple[list[Finding], list[RuleError]]:
    """Run every enabled rule that judges this kind of facts. A rule that raises is reported
    as a RuleError; the others still run."""
    findings: list[Finding] = []
    errors: list[RuleError] = []
    for r in all_rules():
        if not isinstance(facts, r.facts) or not config.enabled(r.code):
            continue
        try:
            reports = list(r.check(facts, config.thresholds))
        except Exception as exc:  # a bug in one rule must not hide the others' findings
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            errors.append(RuleError(r.code, f"{type(exc).__name__}: {exc} ({tb.filename}:{tb.lineno})"))
            continue
        for rep in reports:
            severity = config.severity.get(r.code) or rep.severity or r.severity
            fix = Fix(rep.fix) if isinstance(rep.fix, str) else rep.fix
            findings.append(Finding(r.code, r.name, severity, rep.message, rep.where, rep.numbers, fix))
    findings.sort(key=lambda f: (-f.severity, f.code, f.where.file or "", f.where.offset or 0))
    return findings, errors
