"""Facts about one file as a mergeable accumulator: framing problems, non-Example payloads,
compression, counts. A file split across workers still adds up exactly."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..facts.files import FileFacts, Problem

MAX_SAMPLES = 10  # keep the first few problems per file; counts stay exact


@dataclass
class FileAccumulator:
    url: str
    size: int | None = None
    compression: str = "none"
    compression_declared: str = "auto"
    compression_detected: str = "none"
    looks_like: str = ""
    records: int = 0
    examples: int = 0
    sequence_examples: int = 0
    stream_bytes: int = 0
    problem_counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bytes_skipped: int = 0
    not_example: int = 0
    not_example_samples: list[Problem] = field(default_factory=list)
    read_error: str | None = None
    sampled: bool = False
    estimated_records: int | None = None  # a sampled file: its records, estimated from its size
    # a part of a file split across workers (engines/split.py): where its first record is,
    # where the next part's first record is (None: at the end of the file) and its index here
    # (record indices count the frames that fail a check too)
    span_first: int | None = None
    span_next: int | None = None
    span_next_index: int | None = None

    def add_problem(self, problem: Problem) -> None:
        self.problem_counts[problem.kind] = self.problem_counts.get(problem.kind, 0) + 1
        self.bytes_skipped += problem.bytes_skipped
        if len(self.problems) < MAX_SAMPLES:
            self.problems.append(problem)

    def add_not_example(self, problem: Problem) -> None:
        self.not_example += 1
        if len(self.not_example_samples) < MAX_SAMPLES:
            self.not_example_samples.append(problem)

    def merge(self, other: FileAccumulator) -> FileAccumulator:
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
        self.span_next, self.span_next_index = other.span_next, other.span_next_index  # in file order
        self.read_error = self.read_error or other.read_error
        self.sampled = self.sampled or other.sampled
        self.estimated_records = self.estimated_records or other.estimated_records
        return self

    def shift_records(self, delta: int) -> None:
        """Record indices moved by `delta` (a part of a split file, once the records of the
        parts before it are known)."""
        self.problems = [replace(p, record=p.record + delta) for p in self.problems]
        self.not_example_samples = [replace(p, record=p.record + delta) for p in self.not_example_samples]

    def extract(self) -> FileFacts:
        return FileFacts(
            url=self.url,
            size=self.size,
            compression=self.compression,
            compression_declared=self.compression_declared,
            compression_detected=self.compression_detected,
            looks_like=self.looks_like,
            records=self.records,
            examples=self.examples,
            sequence_examples=self.sequence_examples,
            stream_bytes=self.stream_bytes,
            problem_counts=dict(self.problem_counts),
            problems=tuple(self.problems),
            bytes_skipped=self.bytes_skipped,
            not_example=self.not_example,
            not_example_samples=tuple(self.not_example_samples),
            read_error=self.read_error,
            sampled=self.sampled,
            estimated_records=self.estimated_records,
        )
