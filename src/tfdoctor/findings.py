"""Findings: what a rule reports. Plain data, so every report (terminal, JSON, HTML) renders
the same object and JSON keeps the numbers apart from the wording."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that `severity >= Severity.WARNING` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use error, warning or info") from None


class Applicability(str, enum.Enum):
    """How safe it is to apply a fix without reading it (ruff's idea)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True)
class Where:
    """Where a finding points, as data; reports build the words. Every field is optional."""

    spec: str | None = None  # the parse spec judged: "train.py:12 parse_fn" (a file may hold several)
    file: str | None = None
    offset: int | None = None  # byte offset in the file (the one TensorFlow's DataLossError names)
    record: int | None = None  # record index in the file
    feature: str | None = None  # a stored feature (a SequenceExample's lists as "sequence:name")
    step: int | None = None  # a pipeline step's index, 1-based from the source
    call: str | None = None  # that step as written: "shuffle(100)"
    tensor: str | None = None  # a leaf of the batches: "image", "[1]"
    layer: str | None = None  # a model layer
    epoch: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.spec is not None:
            parts.append(f"spec {self.spec}")
        if self.file is not None:
            parts.append(self.file)
        if self.offset is not None:
            parts.append(f"byte {self.offset:,}")
        if self.record is not None:
            parts.append(f"record {self.record:,}")
        if self.feature is not None:
            parts.append(f"feature '{self.feature}'")
        if self.step is not None:
            parts.append(f"step {self.step}" + (f" `{self.call}`" if self.call else ""))
        elif self.call is not None:
            parts.append(f"`{self.call}`")
        if self.tensor is not None:
            parts.append(f"batch tensor '{self.tensor}'")
        if self.layer is not None:
            parts.append(f"layer '{self.layer}'")
        if self.epoch is not None:
            parts.append(f"epoch {self.epoch}")
        return ", ".join(parts)

    def sort_key(self) -> tuple[str, str, int, int, int]:
        """Spec, file, offset, step, record: findings of one rule read in file and chain order."""
        return (self.spec or "", self.file or "", self.offset or 0, self.step or 0, self.record or 0)


@dataclass(frozen=True)
class Fix:
    text: str
    applicability: Applicability = Applicability.DISPLAY_ONLY


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    where: Where = field(default_factory=Where)
    numbers: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None

    def to_json(self) -> dict[str, Any]:
        where = {k: v for k, v in asdict(self.where).items() if v is not None}
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "where": where,
            "numbers": self.numbers,
            "fix": None
            if self.fix is None
            else {"text": self.fix.text, "applicability": self.fix.applicability.value},
        }


@dataclass(frozen=True)
class RuleError:
    """A rule that raised. Reported as such, never mistaken for (or hidden as) a finding."""

    code: str
    error: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "error": self.error}
