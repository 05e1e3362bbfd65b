"""How records fit the keys a parse spec reads: a `Read` is one key and what TensorFlow's
parser demands of it (the spec layer turns each spec entry into reads); a `ReadTally` is what
the scan saw for it, built by `stats.reads.ReadsAccumulator`."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_EXAMPLES = 5  # records named per problem; counts stay exact


@dataclass(frozen=True)
class Read:
    """One data key a spec reads and what TensorFlow's parser demands of it.

    section: "features" reads field 1 (an Example's features, a SequenceExample's context:
    the same wire field, so `parse_example` reads a SequenceExample's context); "sequence"
    reads a SequenceExample's feature lists, one check per step.
    """

    key: str
    section: str = "features"
    kind: str | None = None  # int64 / float / bytes; None: no kind check (a dtype parse rejects)
    count: int | None = None  # values per record (per step) a FixedLen shape demands
    multiple_of: int | None = None  # FixedLenSequenceFeature in parse_example: whole rows
    pair: str | None = None  # SparseFeature index key: the value key whose count must match
    bound: int | None = None  # SparseFeature index key: values must lie in [0, bound)
    partition: str | None = None  # RaggedFeature's innermost partition (RowLengths / RowSplits) of `pair`


@dataclass(frozen=True)
class ReadTally:
    """What the scan saw for one Read."""

    read: Read
    records: int = 0  # records checked
    present: int = 0  # records where the key holds a typed value list
    problems: dict[str, int] = field(default_factory=dict)  # "missing", "kind:int64", "count" -> records
    bad_counts: dict[int, int] = field(default_factory=dict)  # value count -> records, for "count"
    examples: dict[str, tuple[tuple[str, int], ...]] = field(
        default_factory=dict
    )  # problem -> (file, record)

    def problem(self, name: str) -> int:
        return self.problems.get(name, 0)

    @property
    def missing(self) -> int:
        return self.problem("missing")

    def kind_problems(self) -> dict[str, int]:
        """Stored kind -> records, for records stored as another kind than the spec reads."""
        return {k.split(":", 1)[1]: n for k, n in self.problems.items() if k.startswith("kind:")}

    def first(self, *names: str) -> list[tuple[str, int]]:
        """The first records (by file, then index) with any of these problems."""
        found = [loc for name in names for loc in self.examples.get(name, [])]
        return sorted(set(found))[:MAX_EXAMPLES]
