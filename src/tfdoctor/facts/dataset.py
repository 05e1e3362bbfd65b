"""What a scan knows about the records: per-feature statistics, how the label is ordered as
stored, the files, and how records fit the keys a parse spec reads. Plain, frozen data, the
input of the TFD1xx-TFD3xx rules; built by the accumulators in `stats`."""

from __future__ import annotations

from dataclasses import dataclass, field

from .files import FileFacts
from .inputs import InputFacts
from .reads import Read, ReadTally


@dataclass(frozen=True)
class CountStats:
    """min / max / mean / quantiles of a count (values per record, steps per sequence)."""

    min: int
    max: int
    mean: float
    quantiles: dict[str, float]


@dataclass(frozen=True)
class NumericStats:
    count: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    zeros: int
    nan: int
    pos_inf: int
    neg_inf: int
    quantiles: dict[str, float]


@dataclass(frozen=True)
class BytesStats:
    count: int
    min_length: int
    max_length: int
    mean_length: float
    image_formats: dict[str, int]
    image_shapes: dict[str, int] = field(default_factory=dict)  # "HxWxC" -> images, most common first
    image_shapes_other: int = 0  # images of shapes beyond the MAX_SHAPES kept
    image_unreadable: int = 0  # look like images (magic number) but their header does not parse
    image_decoded: int = 0  # images fully decoded as a sample
    image_undecodable: int = 0  # of those, how many fail to decode


@dataclass(frozen=True)
class FeatureStats:
    """What a scan knows about one feature: plain data, JSON-able, input to the rules."""

    name: str
    section: str  # "features" (Example), "context" or "sequence" (SequenceExample)
    kind: str  # dominant stored kind: int64 / float / bytes / unset
    kinds: dict[str, int]  # records per stored kind
    records_present: int
    records_with_values: int
    total_values: int
    value_count: CountStats | None
    numeric: NumericStats | None
    bytes: BytesStats | None
    distinct_estimate: float
    top_values: tuple[tuple[str, int], ...]
    constant_value: str | None  # the single value, where every value is the same
    sequence_length: CountStats | None = None
    total_records: int = 0  # records in the dataset (of this feature's record kind)
    label_like: bool = False
    order_pairs: int = 0  # consecutive stored records compared (scalar numeric features)
    order_increasing: int = 0  # of those, pairs where the value goes up
    order_decreasing: int = 0

    @property
    def time_ordered(self) -> bool:
        """Stored in (nearly) monotone order, like a timestamp: the record order is the signal."""
        if self.order_pairs < 20:
            return False
        return max(self.order_increasing, self.order_decreasing) >= 0.98 * self.order_pairs

    @property
    def path(self) -> str:
        return self.name if self.section != "sequence" else f"sequence:{self.name}"

    @property
    def records_missing(self) -> int:
        return self.total_records - self.records_present

    @property
    def is_image(self) -> bool:
        return bool(self.bytes and sum(self.bytes.image_formats.values()) * 2 > self.bytes.count)


@dataclass(frozen=True)
class LabelOrder:
    """Extracted label facts (plain data)."""

    feature: str
    records: int
    classes: dict[str, int] | None  # None when the label has too many values to be a class
    runs: int
    expected_runs: float  # what a random order would give
    longest_run: int
    # per file: (records, runs, expected runs in random order with the dataset's class mix)
    files: dict[str, tuple[int, int, float]] = field(default_factory=dict)

    @property
    def sortedness(self) -> float:
        """0 = as mixed as random order, 1 = one run per class (fully sorted)."""
        return _sortedness(self.classes, self.records, self.runs, self.expected_runs)

    def file_sortedness(self) -> dict[str, float]:
        return {url: _sortedness(self.classes, n, runs, exp) for url, (n, runs, exp) in self.files.items()}


def _sortedness(classes: dict[str, int] | None, records: int, runs: int, expected: float) -> float:
    if classes is None or records < 2:
        return 0.0
    k = min(len(classes), records)
    if expected <= k:
        return 0.0
    return max(0.0, min(1.0, (expected - runs) / (expected - k)))


@dataclass(frozen=True)
class DatasetStats:
    """Everything a scan knows: the facts the TFD1xx/TFD2xx rules judge. Plain data."""

    records: int
    record_kinds: dict[str, int]
    features: tuple[FeatureStats, ...]
    files: tuple[FileFacts, ...]
    label_orders: dict[str, LabelOrder]
    label: str | None = None  # the feature taken as the label
    label_requested: str | None = None
    inputs: InputFacts = field(default_factory=InputFacts)  # what was asked for, and what was not found
    reads: tuple[ReadTally, ...] = ()  # how records fit the keys the parse specs read

    def tally(self, read: Read) -> ReadTally:
        """What the scan saw for one of the reads it was given (zeros for any other). A dict
        built on the first call: a linear search per key made a large spec quadratic."""
        index: dict[Read, ReadTally] | None = self.__dict__.get("_tally_index")
        if index is None:
            index = {}
            for t in self.reads:
                index.setdefault(t.read, t)
            object.__setattr__(self, "_tally_index", index)  # a cache, not a field: frozen stays true
        return index.get(read) or ReadTally(read)

    def stored(self, name: str) -> FeatureStats | None:
        """The feature a parse spec's key reads from field 1: an Example's feature or a
        SequenceExample's context feature (the same wire field)."""
        return self.feature(name, "features") or self.feature(name, "context")

    def feature(self, name: str, section: str | None = None) -> FeatureStats | None:
        for f in self.features:
            if f.name == name and (section is None or f.section == section):
                return f
        return None

    @property
    def label_order(self) -> LabelOrder | None:
        return self.label_orders.get(self.label) if self.label else None

    @property
    def stream_bytes(self) -> int:
        return sum(f.stream_bytes for f in self.files)
