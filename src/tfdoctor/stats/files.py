"""Facts about one file: framing problems, non-Example payloads, compression, counts.
Mergeable, so a file split across workers still adds up exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_SAMPLES = 10  # keep the first few problems per file; counts stay exact


@dataclass(frozen=True)
class Problem:
    kind: str
    offset: int
    record: int
    bytes_skipped: int
    detail: str


@dataclass
class FileFacts:
    url: str
    size: int | None = None
    compression: str = "none"  # what was used to read it
    compression_declared: str = "auto"  # what the user asked for
    compression_detected: str = "none"  # what the bytes are
    looks_like: str = ""  # a guess at the content, for files that are not TFRecord
    records: int = 0  # frames with valid CRCs
    examples: int = 0
    sequence_examples: int = 0
    stream_bytes: int = 0  # decompressed bytes read
    problem_counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bytes_skipped: int = 0
    not_example: int = 0
    not_example_samples: list[Problem] = field(default_factory=list)
    read_error: str | None = None
    sampled: bool = False  # stopped early on purpose (a byte budget): counts are a lower bound

    def add_problem(self, problem: Problem) -> None:
        self.problem_counts[problem.kind] = self.problem_counts.get(problem.kind, 0) + 1
        self.bytes_skipped += problem.bytes_skipped
        if len(self.problems) < MAX_SAMPLES:
            self.problems.append(problem)

    def add_not_example(self, problem: Problem) -> None:
        self.not_example += 1
        if len(self.not_example_samples) < MAX_SAMPLES:
            self.not_example_samples.append(problem)

    @property
    def parsed(self) -> int:
        return self.examples + self.sequence_examples

    def merge(self, other: FileFacts) -> FileFacts:
        self.records += other.records
        self.examples += other.examples
        self.sequence_examples += other.sequence_examples
        self.stream_bytes += other.stream_bytes
        for kind, count in other.problem_counts.items():
            self.problem_counts[kind] = self.problem_counts.get(kind, 0) + count
        self.problems = sorted(self.problems + other.problems, key=lambda p: p.offset)[:MAX_SAMPLES]
        self.bytes_skipped += other.bytes_skipped
        self.not_example += other.not_example
        self.not_example_samples = sorted(
            self.not_example_samples + other.not_example_samples, key=lambda p: p.offset
        )[:MAX_SAMPLES]
        self.read_error = self.read_error or other.read_error
        self.sampled = self.sampled or other.sampled
        return self
