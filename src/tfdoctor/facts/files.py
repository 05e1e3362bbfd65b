"""What a scan knows about one file: framing problems, non-Example payloads, compression,
counts. Built by `stats.files.FileAccumulator`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    kind: str
    offset: int
    record: int
    bytes_skipped: int
    detail: str


@dataclass(frozen=True)
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
    problems: tuple[Problem, ...] = ()  # the first few, by offset; counts stay exact
    bytes_skipped: int = 0
    not_example: int = 0
    not_example_samples: tuple[Problem, ...] = ()
    read_error: str | None = None
    sampled: bool = False  # stopped early on purpose (a byte budget): counts are a lower bound
    estimated_records: int | None = None  # `--sample`: the file's records, estimated from its size

    @property
    def parsed(self) -> int:
        return self.examples + self.sequence_examples
