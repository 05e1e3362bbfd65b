"""The statistic families of one feature, each a mergeable accumulator with its own state:
value counts and kinds, numbers, frequent values, bytes and images, record-to-record order,
sequence lengths. `FeatureAccumulator` composes them.

Buffers: a family that sees every record keeps public lists (`CountsAccumulator.float_counts`,
`NumericAccumulator.floats`, `BytesAccumulator.values`, `SequenceLengthAccumulator.steps`...)
that the per-record loop appends to directly, the cheapest thing it can do for each feature
(`DatasetAccumulator.add` is the scan's hot path). The contract: callers only append or extend
them; only the owner reads them, in `flush()`, which folds them into its state and clears them
in place (never rebinds them), so a reference held by the loop stays valid. `merge`, `extract`
and pickling flush first.

Parts: between two flushes, the families that fold a batch as a table (counts, numbers, order)
also take *parts*: stretches of the batch already tabulated by the native core
(`tfdoctor.native`). `seal()` turns the buffers into a part of the same form, so a batch read
partly natively and partly by protobuf (a record the core hands back) folds as one: tables
and exact sums do not depend on how the batch was cut, and order parts fold in record order.
Both paths fold the same batches into the same state, bit for bit.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..facts.dataset import BytesStats, CountStats, NumericStats
from .distinct import DistinctSketch, float_bits, mix64
from .distinct import K as HLL_K
from .frequent_items import FrequentItems
from .images import IMAGE_FIRST_BYTES, decodes, image_format, image_shape, shape_key
from .quantiles import QuantileSketch

TOP_K = 10
MAX_SHAPES = 64  # distinct image shapes kept per feature; the rest are counted
DECODE_SAMPLE = 16  # images fully decoded per feature in each accumulator (a sample, per file)
QUANTILES = (0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0)
KINDS = ("float", "int64", "bytes", "unset")


class _Sketched:
    """Pickling flushes the buffers first, so a pooled scan folds them at the same points as
    one in this process."""

    def flush(self) -> Any:
        return None

    def __getstate__(self) -> dict[str, Any]:
        self.flush()
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def table(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted) and their counts."""
    uniq, counts = np.unique(values, return_counts=True)
    return uniq, counts.astype(np.int64, copy=False)


def merged_table(
    values: Sequence[np.ndarray], counts: Sequence[np.ndarray], ordered: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """One table of distinct values from tables (each distinct, in any order): sorted, or as
    it comes where `ordered` is False and there is one."""
    if len(values) == 1 and not ordered:
        return values[0], np.asarray(counts[0], dtype=np.int64)
    if len(values) == 1:
        order = np.argsort(values[0])  # distinct: no ties to keep stable
        return values[0][order], np.asarray(counts[0], dtype=np.int64)[order]
    return summed_table(np.concatenate(values), np.concatenate(counts))


def as_float_table(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A sorted int64 table as float64 (as NumPy's astype rounds; ints past 2**53 may meet)."""
    floats = values.astype(np.float64)
    if len(floats) > 1 and bool((np.diff(floats) == 0).any()):
        return summed_table(floats, counts)
    return floats, counts


def summed_table(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values (repeats allowed) and counts as a sorted table of distinct values, counts summed."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, np.bincount(inverse.ravel(), weights=counts.astype(np.float64), minlength=len(uniq)).astype(
        np.int64
    )


class CountHistogram:
    """Small non-negative integers (values per record, steps per sequence): min, max, total
    and a quantile sketch (exact while there are few distinct ones; deterministic past that)."""

    def __init__(self) -> None:
        self.min: int | None = None
        self.max: int | None = None
        self.total = 0
        self.sketch = QuantileSketch()

    def add(self, values: np.ndarray) -> None:
        if values.size:
            self.add_table(*table(values))

    def add_table(self, values: np.ndarray, counts: np.ndarray) -> None:
        """A batch as its distinct values (sorted) and their counts."""
        if not len(values):
            return
        self.total += int(np.dot(values, counts))
        self.min = _min(self.min, int(values[0]))
        self.max = _max(self.max, int(values[-1]))
        self.sketch.update_table(values.astype(np.float64), counts)

    def merge(self, other: CountHistogram) -> CountHistogram:
        self.min = _min(self.min, other.min)
        self.max = _max(self.max, other.max)
        self.total += other.total
        self.sketch.merge(other.sketch)
        return self

    def extract(self) -> CountStats | None:
        if self.min is None or self.max is None or self.sketch.is_empty():
            return None
        return CountStats(
            min=self.min, max=self.max, mean=self.total / self.sketch.n, quantiles=_quantiles(self.sketch)
        )


@dataclass
class CountsPart:
    """A stretch of a batch: lists per stored kind, and a table of their lengths."""

    kinds: dict[str, int]
    lengths: np.ndarray  # distinct list lengths (int64, any order)
    counts: np.ndarray  # how many lists have each


class CountsAccumulator(_Sketched):
    """Presence, stored kinds, empty lists and the number of values per record.

    Buffers: `float_counts`, `int64_counts`, `bytes_counts`, `unset_counts` take the length of
    each record's list, by the kind it is stored as; a record is counted present (and of that
    kind) by being appended. With `per_step` (a SequenceExample's feature list) they take one
    length per time step instead, and `add_record` counts the record and its kind.
    """

    def __init__(self, per_step: bool = False) -> None:
        self.per_step = per_step
        self.float_counts: list[int] = []
        self.int64_counts: list[int] = []
        self.bytes_counts: list[int] = []
        self.unset_counts: list[int] = []
        self.parts: list[CountsPart] = []
        self.kinds: dict[str, int] = {}
        self.records_present = 0
        self.records_empty = 0  # records holding an empty list (not counted per_step)
        self.values = CountHistogram()

    def buffers(self) -> dict[str, list[int]]:
        return {
            "float": self.float_counts,
            "int64": self.int64_counts,
            "bytes": self.bytes_counts,
            "unset": self.unset_counts,
        }

    def add(self, kind: str, count: int) -> None:
        """One record's list (one step's, per_step) of `count` values stored as `kind`."""
        getattr(self, f"{kind}_counts").append(count)

    def add_record(self, kind: str) -> None:
        """per_step: one record holding this feature list; `kind` is its first step's."""
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.records_present += 1

    def buffered(self) -> int:
        return sum(map(len, (self.float_counts, self.int64_counts, self.bytes_counts, self.unset_counts)))

    def seal(self) -> dict[str, np.ndarray]:
        """Turn the buffers into a part; returns their lengths by kind (the kinds that had any),
        in record order, for the order family."""
        batch = {}
        for kind, buffer in self.buffers().items():
            if buffer:
                batch[kind] = np.asarray(buffer, dtype=np.int64)
                buffer.clear()
        if batch:
            arrays = list(batch.values())
            lengths, counts = table(np.concatenate(arrays) if len(arrays) > 1 else arrays[0])
            self.parts.append(CountsPart({k: len(v) for k, v in batch.items()}, lengths, counts))
        return batch

    def flush(self) -> None:
        """Fold the buffers and parts in."""
        self.seal()
        if not self.parts:
            return
        parts, self.parts = self.parts, []
        lengths, counts = merged_table([p.lengths for p in parts], [p.counts for p in parts])
        if not self.per_step:
            for part in parts:
                for kind, n in part.kinds.items():
                    self.kinds[kind] = self.kinds.get(kind, 0) + n
                    self.records_present += n
            self.records_empty += int(counts[lengths == 0].sum())
        self.values.add_table(lengths, counts)

    def merge(self, other: CountsAccumulator) -> CountsAccumulator:
        self.flush()
        other.flush()
        for kind, count in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + count
        self.records_present += other.records_present
        self.records_empty += other.records_empty
        self.values.merge(other.values)
        return self

    def kind(self) -> str:
        """The kind most records store (ties: the later name); 'unset' only when nothing else."""
        self.flush()
        kinds = self.kinds
        kind = max(kinds, key=lambda k: (kinds[k], k)) if kinds else "unset"
        if kind == "unset" and len(kinds) > 1:
            kind = max((k for k in kinds if k != "unset"), key=lambda k: (kinds[k], k))
        return kind

    def extract(self) -> CountStats | None:
        """Values per record (per step, per_step)."""
        self.flush()
        return self.values.extract()


class SequenceLengthAccumulator(_Sketched):
    """Time steps per feature list, and how many records hold an empty one.

    Buffer: `steps` takes one step count per record; parts: `parts`, tables of them."""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.parts: list[tuple[np.ndarray, np.ndarray]] = []  # (step counts, records), any order
        self.lengths = CountHistogram()
        self.records_empty = 0

    def add(self, steps: int) -> None:
        self.steps.append(steps)

    def seal(self) -> None:
        if self.steps:
            self.parts.append(table(np.asarray(self.steps, dtype=np.int64)))
            self.steps.clear()

    def flush(self) -> None:
        self.seal()
        if not self.parts:
            return
        parts, self.parts = self.parts, []
        steps, counts = merged_table([p[0] for p in parts], [p[1] for p in parts])
        self.lengths.add_table(steps, counts)
        self.records_empty += int(counts[steps == 0].sum())

    def merge(self, other: SequenceLengthAccumulator) -> SequenceLengthAccumulator:
        self.flush()
        other.flush()
        self.lengths.merge(other.lengths)
        self.records_empty += other.records_empty
        return self

    def extract(self) -> CountStats | None:
        self.flush()
        return self.lengths.extract()


@dataclass
class NumericPart:
    """A stretch of a batch's values of one kind. `sums` and `squares` are terms whose exact
    sums are the sums of the finite values and of their squares (each square rounded to
    float64, as NumPy's x * x): the values themselves, or the native core's exact partials,
    so a batch's sum is rounded once, however it was cut. The quantile sketch takes
    `values`/`counts` (every finite value of lists shorter than WIDE_LIST) and `sample` (of
    wide lists: each sampled value as drawn, repeats kept, of weight 2**SAMPLE_SHIFT: a
    multiset however the batch was cut, with no sort to build it); `registers` are the HLL
    registers of the wide lists' values."""

    count: int  # values, NaN and infinities included
    nan: int
    pos_inf: int
    neg_inf: int
    sums: np.ndarray  # float64 terms
    squares: np.ndarray  # float64 terms
    values: np.ndarray  # distinct finite values: float64 (-0.0 as 0.0) or int64; any order
    counts: np.ndarray  # int64
    zeros: int
    low: float  # the smallest finite value (+inf without one)
    high: float  # the largest (-inf without one)
    registers: np.ndarray | None = None
    sample: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float64))  # wide lists: sampled


@dataclass
class FloatBatch:
    """A batch's floats as the frequent values family reads them."""

    values: np.ndarray  # the distinct finite values of lists shorter than WIDE_LIST, any order
    special: tuple[bool, bool, bool]  # any NaN, +Inf, -Inf
    registers: list[np.ndarray]  # HLL registers of wide lists (whose values are sampled)
    low: float  # the smallest finite value (+inf without one)
    high: float


IntTable = tuple[np.ndarray, np.ndarray]  # values, counts

WIDE_LIST = 64  # float lists this long: their quantiles from a sample (as the native core's)
SAMPLE_SHIFT = 4  # 1 value in 16, each weighing 16
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_NO_SAMPLE = np.empty(0, dtype=np.float64)


def _extremes(finite: np.ndarray) -> tuple[int, float, float]:
    if not len(finite):
        return 0, math.inf, -math.inf
    return int((finite == 0).sum()), float(finite.min()), float(finite.max())


def float_part(values: np.ndarray) -> NumericPart:
    nan = np.isnan(values)
    posinf = np.isposinf(values)
    neginf = np.isneginf(values)
    finite = values[~(nan | posinf | neginf)]
    uniq, counts = table(finite + 0.0)
    nonfinite = int(nan.sum()), int(posinf.sum()), int(neginf.sum())
    return NumericPart(len(values), *nonfinite, finite, finite * finite, uniq, counts, *_extremes(finite))


def wide_part(lists: list[tuple[int, np.ndarray]]) -> NumericPart:
    """Wide float lists (WIDE_LIST values or more: embeddings, audio frames), each with its
    record's index in the file. Every value counts in the exact statistics and in the HLL
    registers; the quantile sketch takes a sample of 1 in 2**SAMPLE_SHIFT, each weighing as
    many, drawn by hashing (record index, position in the list): the native core draws the
    same. Statistics of a dataset with about n values per key then carry a rank error of
    about 1 / sqrt(n / 16) from the sample, beside the sketch's 1.5%: 0.4% at n = 1M."""
    values = np.concatenate([v for _, v in lists]).astype(np.float64)
    part = float_part(values)
    salts = mix64(np.asarray([i for i, _ in lists], dtype=np.int64).view(np.uint64))
    positions = np.concatenate([np.arange(len(v), dtype=np.uint64) for _, v in lists])
    salt = np.repeat(salts, [len(v) for _, v in lists])
    draws = mix64(salt + (positions // np.uint64(16) + np.uint64(1)) * _GOLDEN)  # 4 bits per position
    sampled = ((draws >> (np.uint64(4) * (positions % np.uint64(16)))) & np.uint64(15)) == 0
    part.sample = values[sampled & np.isfinite(values)] + 0.0
    part.values, part.counts = _NO_SAMPLE, np.empty(0, dtype=np.int64)
    registers = np.zeros(HLL_K, dtype=np.uint8)
    DistinctSketch.fold_into(mix64(float_bits(values)), registers)
    part.registers = registers
    return part


def int_part(values: np.ndarray) -> NumericPart:
    floats = values.astype(np.float64)
    uniq, counts = table(values)
    return NumericPart(
        len(values), 0, 0, 0, floats, floats * floats, uniq, counts, *int_extremes(uniq, counts)
    )


def int_extremes(uniq: np.ndarray, counts: np.ndarray) -> tuple[int, float, float]:
    """zeros, min and max (as float64) of an int64 table."""
    if not len(uniq):
        return 0, math.inf, -math.inf
    return int(counts[uniq == 0].sum()), float(uniq.min()), float(uniq.max())


class NumericAccumulator(_Sketched):
    """Count, min/max, mean/std (sums exactly rounded, as math.fsum), zeros, NaN and +-Inf,
    and a quantile sketch of the finite values (deterministic: see `quantiles`).

    Buffers: `floats` and `ints` take the values of float_list and int64_list records; parts:
    `float_parts`, `int_parts`."""

    def __init__(self) -> None:
        self.floats: list[float] = []
        self.ints: list[int] = []
        self.wide: list[tuple[int, np.ndarray]] = []  # wide float lists, with their record's index
        self.float_parts: list[NumericPart] = []
        self.int_parts: list[NumericPart] = []
        self.count = 0
        self.min = math.inf
        self.max = -math.inf
        # the exact sums of the finite values and of their squares, as Shewchuk's partials
        # (non-overlapping floats): mean and std do not depend on how records fall into batches
        # or parts, and a merge loses nothing
        self.sums: list[float] = []
        self.squares: list[float] = []
        self.zeros = 0
        self.nan = 0
        self.pos_inf = 0
        self.neg_inf = 0
        self.quantiles = QuantileSketch()

    def add(self, kind: str, values: Any) -> None:
        if kind == "float":
            self.floats.extend(values)
        elif kind == "int64":
            self.ints.extend(values)

    def seal(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Turn the buffers into parts; returns their values (float64, int64) in record order,
        for the order family."""
        floats = ints = None
        if self.floats:
            floats = np.asarray(self.floats, dtype=np.float64)
            self.floats.clear()
            self.float_parts.append(float_part(floats))
        if self.wide:
            self.float_parts.append(wide_part(self.wide))
            self.wide = []
        if self.ints:
            ints = np.asarray(self.ints, dtype=np.int64)
            self.ints.clear()
            self.int_parts.append(int_part(ints))
        return floats, ints

    def flush(self) -> tuple[FloatBatch | None, IntTable | None]:
        """Fold the buffers and parts in; returns what the frequent values family reads of
        the batch: its floats (`FloatBatch`) and its ints (distinct values, sorted, and
        counts), or None for a kind without values."""
        self.seal()
        floats = ints = None
        if self.float_parts:
            parts, self.float_parts = self.float_parts, []
            uniq, _counts = self._fold(parts, is_int=False)
            special = (
                any(p.nan for p in parts),
                any(p.pos_inf for p in parts),
                any(p.neg_inf for p in parts),
            )
            registers = [p.registers for p in parts if p.registers is not None]
            low, high = min(p.low for p in parts), max(p.high for p in parts)
            floats = FloatBatch(uniq, special, registers, low, high)
        if self.int_parts:
            parts, self.int_parts = self.int_parts, []
            ints = self._fold(parts, is_int=True)
        return floats, ints

    def _fold(self, parts: list[NumericPart], is_int: bool) -> tuple[np.ndarray, np.ndarray]:
        """Fold one kind's parts; returns its table: int64 values sorted, floats in any order."""
        uniq, counts = merged_table([p.values for p in parts], [p.counts for p in parts], ordered=is_int)
        self.count += sum(p.count for p in parts)
        self.nan += sum(p.nan for p in parts)
        self.pos_inf += sum(p.pos_inf for p in parts)
        self.neg_inf += sum(p.neg_inf for p in parts)
        low, high = min(p.low for p in parts), max(p.high for p in parts)
        if low <= high:  # any finite value
            self.min = min(self.min, low)
            self.max = max(self.max, high)
            self.sums = _partials([*self.sums, *_exact([p.sums for p in parts])])
            self.squares = _partials([*self.squares, *_exact([p.squares for p in parts])])
            self.zeros += sum(p.zeros for p in parts)
        if len(uniq):
            values, weights = as_float_table(uniq, counts) if is_int else (uniq, counts)
            self.quantiles.update_table(values, weights, ordered=is_int)
        samples = [p.sample for p in parts if len(p.sample)]
        if samples:  # after the table, in every path: a batch folds the same way however cut
            sample = np.concatenate(samples) if len(samples) > 1 else samples[0]
            weights = np.full(len(sample), 1 << SAMPLE_SHIFT, dtype=np.int64)
            self.quantiles.update_table(sample, weights, ordered=False)
        return uniq, counts

    def merge(self, other: NumericAccumulator) -> NumericAccumulator:
        self.flush()
        other.flush()
        self.count += other.count
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        self.sums = _partials(self.sums + other.sums)
        self.squares = _partials(self.squares + other.squares)
        self.zeros += other.zeros
        self.nan += other.nan
        self.pos_inf += other.pos_inf
        self.neg_inf += other.neg_inf
        self.quantiles.merge(other.quantiles)
        return self

    def extract(self) -> NumericStats | None:
        self.flush()
        if not self.count:
            return None
        finite = self.count - self.nan - self.pos_inf - self.neg_inf
        mean = math.fsum(self.sums) / finite if finite else None
        std = (
            math.sqrt(max(0.0, math.fsum(self.squares) / finite - mean * mean))
            if finite and mean is not None
            else None
        )
        return NumericStats(
            count=self.count,
            min=self.min if finite else None,
            max=self.max if finite else None,
            mean=mean,
            std=std,
            zeros=self.zeros,
            nan=self.nan,
            pos_inf=self.pos_inf,
            neg_inf=self.neg_inf,
            quantiles=_quantiles(self.quantiles),
        )


def _exact(terms: list[np.ndarray]) -> list[float]:
    """The exact sum of every term, as floats that add up to it: math.fsum's exactly rounded
    sum, then that of what it left out, until nothing is (two or three floats for float32
    values; math.fsum over a list: it iterates a list several times faster than an array)."""
    values = (np.concatenate(terms) if len(terms) > 1 else terms[0]).tolist()
    out: list[float] = []
    while total := math.fsum(itertools.chain(values, (-x for x in out))):
        out.append(total)
        if not math.isfinite(total):
            break
    return out


def _partials(values: list[float]) -> list[float]:
    """Shewchuk's non-overlapping partials of `values` (their exact sum; Python's msum
    recipe): a handful of floats, whatever was added."""
    partials: list[float] = []
    for x in values:
        i = 0
        for y in partials:
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo:
                partials[i] = lo
                i += 1
            x = hi
        partials[i:] = [x]
    return partials


_SPECIALS = (math.nan, math.inf, -math.inf)


class FrequentValuesAccumulator(_Sketched):
    """Distinct values (HLL: `distinct`), the most frequent int64 and bytes values (Misra-Gries
    summaries: `frequent_items`), and the one value every record holds, if so (exact, for
    TFD206). Keys of the frequent values are int64 values and bytes as latin-1 text (lossless).
    It is fed each batch's tables by the numeric and bytes families' flushes."""

    def __init__(self) -> None:
        self.distinct = DistinctSketch()
        self.ints = FrequentItems(np.int64)
        self.bytes = FrequentItems(object)
        self.single: str | None = None  # the one value seen so far (top-k key form)
        self.varies = False

    def add_floats(self, values: np.ndarray) -> None:
        """A batch of raw float values (NaN and infinities included)."""
        arr = np.asarray(values, dtype=np.float64)
        special = (bool(np.isnan(arr).any()), bool(np.isposinf(arr).any()), bool(np.isneginf(arr).any()))
        uniq = np.unique(arr[np.isfinite(arr)] + 0.0)
        self.add_float_table(uniq, special)

    def add_float_table(self, uniq: np.ndarray, special: tuple[bool, bool, bool]) -> None:
        """A batch's distinct finite floats (any order) and whether it held NaN, +Inf, -Inf."""
        low, high = (float(uniq.min()), float(uniq.max())) if len(uniq) else (math.inf, -math.inf)
        self.add_float_batch(FloatBatch(uniq, special, [], low, high))

    def add_float_batch(self, batch: FloatBatch) -> None:
        extra = [v for v, present in zip(_SPECIALS, batch.special) if present]
        uniq = batch.values
        self.distinct.add_floats(np.concatenate((uniq, extra)) if extra else uniq)
        for registers in batch.registers:
            self.distinct.add_registers(registers)
        finite = batch.low <= batch.high
        if not finite and not extra:
            return
        # one finite value or more (the table may hold a wide list's sample, values repeated)
        distinct = (2 if batch.low < batch.high else 1 if finite else 0) + len(extra)
        smallest = -math.inf if batch.special[2] else batch.low if finite else None
        first = smallest if smallest is not None else math.inf if batch.special[1] else math.nan
        self._note(distinct, repr(first))

    def add_ints(self, values: np.ndarray) -> None:
        """A batch of raw int64 values."""
        self.add_int_table(*table(np.asarray(values, dtype=np.int64)))

    def add_int_table(self, uniq: np.ndarray, counts: np.ndarray) -> None:
        """A batch's distinct int64 values (sorted) and their counts."""
        if not len(uniq):
            return
        self.distinct.add_ints(uniq)
        self.ints.update(uniq, counts, distinct=True)
        self._note(len(uniq), str(uniq[0]))

    def add_bytes(self, counter: Counter[bytes]) -> None:
        if not counter:
            return
        self.distinct.add_bytes(counter)
        keys = [value_key(value) for value in counter]
        counts = np.fromiter(counter.values(), dtype=np.int64)
        self.bytes.update(np.array(keys, dtype=object), counts, distinct=True)
        self._note(len(counter), keys[-1])

    def _note(self, distinct: int, first: str) -> None:
        """Track whether every value so far is one and the same."""
        if self.varies:
            return
        if distinct > 1:
            self.varies = True
        elif self.single is None:
            self.single = first
        elif self.single != first:
            self.varies = True

    def merge(self, other: FrequentValuesAccumulator) -> FrequentValuesAccumulator:
        self.distinct.merge(other.distinct)
        self.ints.merge(other.ints)
        self.bytes.merge(other.bytes)
        if other.varies:
            self.varies = True
        elif other.single is not None:
            self._note(1, other.single)
        return self

    def distinct_estimate(self) -> float:
        return round(self.distinct.estimate(), 1)

    def top_values(self, kind: str) -> tuple[tuple[str, int], ...]:
        """The TOP_K most frequent values of the feature's kind, shown for humans (none for
        float features)."""
        items = self.ints if kind == "int64" else self.bytes if kind == "bytes" else None
        top = items.top(TOP_K) if items is not None else []
        return tuple((display_value(v, kind), c) for v, c in top)

    def constant(self, kind: str) -> str | None:
        return display_value(self.single, kind) if not self.varies and self.single is not None else None


class BytesAccumulator:
    """Lengths of bytes values; for encoded images, their formats, shapes (from the header)
    and whether a sample of them decodes.

    Buffer: `values` takes the values of bytes_list records."""

    def __init__(self) -> None:
        self.values: list[bytes] = []
        self.parts: list[tuple[list[bytes], np.ndarray]] = []  # (distinct values first met first, counts)
        self.count = 0
        self.len_min: int | None = None
        self.len_max: int | None = None
        self.len_total = 0
        self.image_formats: dict[str, int] = {}
        self.image_shapes: dict[str, int] = {}
        self.image_shapes_other = 0
        self.image_unreadable = 0
        self.image_decoded = 0
        self.image_undecodable = 0

    def add(self, values: Any) -> None:
        self.values.extend(values)

    def seal(self) -> None:
        """Turn the buffer into a part: its values counted, in the order first met."""
        if self.values:
            counter = Counter(self.values)
            self.values.clear()
            self.parts.append(
                (list(counter), np.fromiter(counter.values(), dtype=np.int64, count=len(counter)))
            )

    def flush(self) -> Counter[bytes] | None:
        """Fold the buffer and parts in; returns the batch's values counted (first met
        first), for the frequent values family."""
        self.seal()
        if not self.parts:
            return None
        parts, self.parts = self.parts, []
        if len(parts) == 1:
            counter = Counter(dict(zip(parts[0][0], parts[0][1].tolist())))
        else:
            counter = Counter()
            for values, counts in parts:
                for value, count in zip(values, counts.tolist()):
                    counter[value] += count
        lengths = np.fromiter(map(len, counter), dtype=np.int64, count=len(counter))
        counts = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
        self.count += int(counts.sum())
        self.len_total += int(np.dot(lengths, counts))
        self.len_min = _min(self.len_min, int(lengths.min()))
        self.len_max = _max(self.len_max, int(lengths.max()))
        # most values of a feature that holds no images are told apart by their first byte
        for value in [v for v in counter if v and v[0] in IMAGE_FIRST_BYTES]:
            fmt = image_format(value)
            if fmt is None:
                continue
            count = counter[value]
            self.image_formats[fmt] = self.image_formats.get(fmt, 0) + count
            shape = image_shape(value)
            if shape is None:
                self.image_unreadable += count
                continue
            self._note_shape(shape_key(shape), count)
            if self.image_decoded < DECODE_SAMPLE:
                self.image_decoded += 1
                self.image_undecodable += not decodes(value)
        return counter

    def _note_shape(self, key: str, count: int) -> None:
        if key in self.image_shapes or len(self.image_shapes) < MAX_SHAPES:
            self.image_shapes[key] = self.image_shapes.get(key, 0) + count
        else:
            self.image_shapes_other += count

    def __getstate__(self) -> dict[str, Any]:
        self.flush()
        return dict(self.__dict__)

    def merge(self, other: BytesAccumulator) -> BytesAccumulator:
        self.flush()
        other.flush()
        self.count += other.count
        self.len_min = _min(self.len_min, other.len_min)
        self.len_max = _max(self.len_max, other.len_max)
        self.len_total += other.len_total
        for fmt, count in other.image_formats.items():
            self.image_formats[fmt] = self.image_formats.get(fmt, 0) + count
        for shape, count in other.image_shapes.items():
            self._note_shape(shape, count)
        self.image_shapes_other += other.image_shapes_other
        self.image_unreadable += other.image_unreadable
        self.image_decoded += other.image_decoded
        self.image_undecodable += other.image_undecodable
        return self

    def extract(self) -> BytesStats | None:
        self.flush()
        if not self.count:
            return None
        return BytesStats(
            count=self.count,
            min_length=self.len_min or 0,
            max_length=self.len_max or 0,
            mean_length=self.len_total / self.count,
            image_formats=dict(sorted(self.image_formats.items())),
            image_shapes=dict(sorted(self.image_shapes.items(), key=lambda kv: (-kv[1], kv[0]))),
            image_shapes_other=self.image_shapes_other,
            image_unreadable=self.image_unreadable,
            image_decoded=self.image_decoded,
            image_undecodable=self.image_undecodable,
        )


@dataclass
class OrderPart:
    """A stretch of a batch in record order: the kinds its lists are stored as, whether any is
    not one number, and its numbers' first and last values (float64), pairs, ups and downs."""

    kinds: frozenset[str]
    bad: bool
    first: float | None = None
    last: float | None = None
    pairs: int = 0
    up: int = 0
    down: int = 0


def order_part(
    counts: Mapping[str, np.ndarray], floats: np.ndarray | None, ints: np.ndarray | None
) -> OrderPart:
    """The part of sealed buffers: lengths by kind (`CountsAccumulator.seal`) and values
    (`NumericAccumulator.seal`)."""
    kinds = frozenset(counts)
    if len(counts) != 1:
        return OrderPart(kinds, bad=len(counts) > 1)
    kind = next(iter(counts))
    values = floats if kind == "float" else ints if kind == "int64" else None
    if values is None or not bool(np.all(counts[kind] == 1)):
        return OrderPart(kinds, bad=True)
    values = values.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):  # inf - inf and NaN steps: neither up nor down, no warning
        steps = np.diff(values)
    return OrderPart(
        kinds, False, float(values[0]), float(values[-1]), int(steps.size), int((steps > 0).sum()),
        int((steps < 0).sum()),
    )  # fmt: skip


class OrderAccumulator:
    """How a scalar numeric feature moves from record to record as stored: pairs of
    consecutive records compared, and how many go up and down. Mostly increasing means a time
    order (TFD404). Counted within one accumulator (one accumulator reads one file); a merge
    adds the counts, and pairs the records across the boundary where `other` reads on where
    self stopped (the parts of a file split across workers). Any batch that is not one
    number per record, all of one numeric kind, breaks it for good: no order to speak of.

    Parts: `parts` takes a batch's stretches in record order (`OrderPart`)."""

    def __init__(self) -> None:
        self.pairs = 0
        self.up = 0
        self.down = 0
        self.broken = False
        self.first: float | None = None
        self.last: float | None = None
        self.parts: list[OrderPart] = []

    def add(
        self, counts: Mapping[str, np.ndarray], floats: np.ndarray | None, ints: np.ndarray | None
    ) -> None:
        """A whole batch of records in stored order: their value counts by kind (as
        `CountsAccumulator.seal` returns them) and their values (as `NumericAccumulator.seal`)."""
        self.seal(counts, floats, ints)
        self.flush()

    def seal(
        self, counts: Mapping[str, np.ndarray], floats: np.ndarray | None, ints: np.ndarray | None
    ) -> None:
        if counts:
            self.parts.append(order_part(counts, floats, ints))

    def flush(self) -> None:
        """Fold the batch's parts in, in order."""
        parts, self.parts = self.parts, []
        if self.broken or not parts:
            return
        if len(frozenset().union(*(p.kinds for p in parts))) > 1 or any(p.bad for p in parts):
            self.broken = True
            return
        for part in parts:
            if part.first is None or part.last is None:
                continue
            if self.last is not None:
                self._pair(part.first)
            elif self.first is None:
                self.first = part.first
            self.pairs += part.pairs
            self.up += part.up
            self.down += part.down
            self.last = part.last

    def _pair(self, value: float) -> None:
        assert self.last is not None
        step = value - self.last
        self.pairs += 1
        self.up += step > 0
        self.down += step < 0

    def merge(self, other: OrderAccumulator, follows: bool = False) -> OrderAccumulator:
        self.flush()
        other.flush()
        if follows and not (self.broken or other.broken) and other.first is not None:
            if self.last is not None:
                self._pair(other.first)
            else:
                self.first = other.first
        if follows and other.last is not None:
            self.last = other.last
        self.pairs += other.pairs
        self.up += other.up
        self.down += other.down
        self.broken = self.broken or other.broken
        return self

    def extract(self) -> tuple[int, int, int]:
        """(pairs, increasing, decreasing); all zero once broken."""
        self.flush()
        return (0, 0, 0) if self.broken else (self.pairs, self.up, self.down)


LONG_VALUE = 1024  # bytes values longer than this are keyed by a prefix and a digest
_PREFIX = 256  # enough for the 60 characters shown, whatever their UTF-8 width
_DIGEST_MARK = "\x00\x00tfdoctor:blake2b-128:"
_DIGEST_KEY = _PREFIX + len(_DIGEST_MARK) + 32


def value_key(value: bytes) -> str:
    """The frequent-values key of a bytes value: the value as latin-1 text (lossless: every
    byte maps to one code point); for a long one (an image, a serialized tensor), its first
    bytes and a 128-bit digest, so the sketches never hold a copy of a large value (a 1 GB
    value was copied twice more, into a str and into the sketch) and equal values still meet."""
    if len(value) <= LONG_VALUE:
        return value.decode("latin-1")
    digest = hashlib.blake2b(value, digest_size=16).hexdigest()
    return value[:_PREFIX].decode("latin-1") + _DIGEST_MARK + digest


def display_value(raw: str, kind: str) -> str:
    """Render a top-k key (bytes are kept as latin-1 text) for humans and JSON."""
    if kind != "bytes":
        return raw
    long = len(raw) == _DIGEST_KEY and raw[_PREFIX:].startswith(_DIGEST_MARK)
    data = (raw[:_PREFIX] if long else raw).encode("latin-1")
    text = _utf8(data, trim=long)
    if text is not None and text.isprintable():
        return text if len(text) <= 60 and not long else text[:60] + "…"
    return repr(data[:40])[1:] + ("…" if long or len(data) > 40 else "")


def _utf8(data: bytes, trim: bool) -> str | None:
    """The text of UTF-8 bytes, or None; with `trim`, a prefix that may end inside a
    character (up to 3 bytes of it)."""
    for cut in range(4 if trim else 1):
        try:
            return data[: len(data) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _quantiles(sketch: QuantileSketch) -> dict[str, float]:
    if sketch.is_empty():
        return {}
    values = sketch.quantiles(QUANTILES[1:-1])
    out = {"min": sketch.min}
    out.update({f"q{int(q * 100):02d}": v for q, v in zip(QUANTILES[1:-1], values)})
    out["max"] = sketch.max
    return out


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)
