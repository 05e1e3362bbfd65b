"""Per-feature statistics as a mergeable accumulator.

`add` only appends protobuf values to Python lists (the cheapest thing a per-record loop can
do); every `FLUSH_AT` records the lists are folded into NumPy arrays and sketches in bulk.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..facts.dataset import BytesStats, CountStats, FeatureStats, NumericStats
from . import sketches
from .images import decodes, image_format, image_shape, shape_key

FLUSH_AT = 4096
TOP_K = 10
MAX_SHAPES = 64  # distinct image shapes kept per feature; the rest are counted
DECODE_SAMPLE = 16  # images fully decoded per feature in each accumulator (a sample, per file)
QUANTILES = (0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0)


def display_value(raw: str, kind: str) -> str:
    """Render a top-k key (bytes are kept as latin-1 text) for humans and JSON."""
    if kind != "bytes":
        return raw
    data = raw.encode("latin-1")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return repr(data[:40])[1:] + ("…" if len(data) > 40 else "")
    if text.isprintable():
        return text if len(text) <= 60 else text[:60] + "…"
    return repr(data[:40])[1:] + ("…" if len(data) > 40 else "")


@dataclass
class _Numbers:
    """Running numeric moments. Sums are exact-ish via math.fsum per flush."""

    count: int = 0
    min: float = math.inf
    max: float = -math.inf
    total: float = 0.0
    total_sq: float = 0.0
    zeros: int = 0
    nan: int = 0
    pos_inf: int = 0
    neg_inf: int = 0


class FeatureAccumulator:
    """Statistics of one feature. Picklable (sketches serialise themselves) and small."""

    def __init__(self, name: str, section: str) -> None:
        self.name = name
        self.section = section
        self.records_present = 0
        self.kinds: dict[str, int] = {}
        self.records_empty = 0
        self.total_values = 0
        self.vc_min: int | None = None
        self.vc_max: int | None = None
        self.vc_sketch = sketches.new_kll_ints()
        self.vc_exact: dict[int, int] | None = {}  # value count -> records, while few distinct
        self.steps_min: int | None = None
        self.steps_max: int | None = None
        self.steps_total = 0
        self.steps_sketch = sketches.new_kll_ints()
        self.steps_exact: dict[int, int] | None = {}
        self.numbers = _Numbers()
        self.quantiles = sketches.new_kll_doubles()
        self.distinct = sketches.new_hll()
        self.top = sketches.new_top()
        self.bytes_count = 0
        self.len_min: int | None = None
        self.len_max: int | None = None
        self.len_total = 0
        self.image_formats: dict[str, int] = {}
        self.image_shapes: dict[str, int] = {}
        self.image_shapes_other = 0
        self.image_unreadable = 0
        self.image_decoded = 0
        self.image_undecodable = 0
        self.order_pairs = 0  # consecutive records (both holding one number) compared
        self.order_up = 0
        self.order_down = 0
        self.order_broken = False
        self._order_last: float | None = None
        self._checks: Any = ()  # a parse spec's reads of this key (ReadsAccumulator._FieldCheck)
        self.single: str | None = None  # the one value seen so far (top-k key form)
        self.varies = False
        self._vc: list[int] = []
        self._steps: list[int] = []
        self._ints: list[int] = []
        self._floats: list[float] = []
        self._bytes: list[bytes] = []
        # Records per stored kind since the last flush. DatasetAccumulator.add inlines what
        # `add` does (append to the buffers, bump one of these) for speed: keep them in step.
        self._n_float = 0
        self._n_int64 = 0
        self._n_bytes = 0
        self._n_unset = 0

    # -- add ---------------------------------------------------------------------------
    def add(self, kind: str, values: Any) -> None:
        """One record's values (a protobuf repeated field or any sequence)."""
        self._count_kind(kind)
        self._add_values(kind, values)
        if len(self._vc) >= FLUSH_AT:
            self.flush()

    def add_sequence(self, steps: list[tuple[str, Any]]) -> None:
        """One record's feature list: (kind, values) per time step."""
        self._count_kind(steps[0][0] if steps else "unset")
        self._steps.append(len(steps))
        for step_kind, values in steps:
            self._add_values(step_kind, values)
        if len(self._steps) >= FLUSH_AT:
            self.flush()

    def _count_kind(self, kind: str) -> None:
        attr = f"_n_{kind}"
        setattr(self, attr, getattr(self, attr) + 1)

    def _add_values(self, kind: str, values: Any) -> None:
        self._vc.append(len(values))
        if kind == "float":
            self._floats.extend(values)
        elif kind == "int64":
            self._ints.extend(values)
        elif kind == "bytes":
            self._bytes.extend(values)

    # -- flush -------------------------------------------------------------------------
    def flush(self) -> None:
        for kind in ("float", "int64", "bytes", "unset"):
            attr = f"_n_{kind}"
            count = getattr(self, attr)
            if count:
                self.kinds[kind] = self.kinds.get(kind, 0) + count
                self.records_present += count
                setattr(self, attr, 0)
        if self._vc:
            counts = np.asarray(self._vc, dtype=np.int64)
            self._vc = []
            self._note_order(counts)
            self.total_values += int(counts.sum())
            self.vc_min = _min(self.vc_min, int(counts.min()))
            self.vc_max = _max(self.vc_max, int(counts.max()))
            self.vc_sketch.update(counts)
            self.vc_exact = _histogram(self.vc_exact, counts)
            if self.section != "sequence":
                self.records_empty += int((counts == 0).sum())
        if self._steps:
            steps = np.asarray(self._steps, dtype=np.int64)
            self._steps = []
            self.steps_total += int(steps.sum())
            self.steps_min = _min(self.steps_min, int(steps.min()))
            self.steps_max = _max(self.steps_max, int(steps.max()))
            self.steps_sketch.update(steps)
            self.steps_exact = _histogram(self.steps_exact, steps)
            self.records_empty += int((steps == 0).sum())
        if self._floats:
            self._flush_numbers(np.asarray(self._floats, dtype=np.float64), is_int=False)
            self._floats = []
        if self._ints:
            self._flush_numbers(np.asarray(self._ints, dtype=np.int64), is_int=True)
            self._ints = []
        if self._bytes:
            self._flush_bytes(self._bytes)
            self._bytes = []

    def _note_order(self, counts: np.ndarray) -> None:
        """How a scalar numeric feature moves from record to record as stored (within a file:
        one accumulator reads one file): mostly increasing means a time order (TFD404)."""
        if self.order_broken or self.section == "sequence":
            return
        buffered = self._floats if self._floats else self._ints
        if (self._floats and self._ints) or len(buffered) != len(counts) or not bool(np.all(counts == 1)):
            self.order_broken = True  # not one number per record: no order to speak of
            return
        values = np.asarray(buffered, dtype=np.float64)
        if self._order_last is not None:
            values = np.concatenate(([self._order_last], values))
        steps = np.diff(values)
        self.order_pairs += int(steps.size)
        self.order_up += int((steps > 0).sum())
        self.order_down += int((steps < 0).sum())
        self._order_last = float(values[-1]) if values.size else self._order_last

    def _note_values(self, distinct: int, first: str) -> None:
        """Track whether every value so far is one and the same (exact, for TFD206)."""
        if self.varies:
            return
        if distinct > 1:
            self.varies = True
        elif self.single is None:
            self.single = first
        elif self.single != first:
            self.varies = True

    def _flush_numbers(self, arr: np.ndarray, is_int: bool) -> None:
        n = self.numbers
        values = arr.astype(np.float64, copy=False)
        if is_int:
            finite = values
        else:
            nan = np.isnan(values)
            posinf = np.isposinf(values)
            neginf = np.isneginf(values)
            n.nan += int(nan.sum())
            n.pos_inf += int(posinf.sum())
            n.neg_inf += int(neginf.sum())
            finite = values[~(nan | posinf | neginf)]
        n.count += len(arr)
        if len(finite):
            n.min = min(n.min, float(finite.min()))
            n.max = max(n.max, float(finite.max()))
            n.total = math.fsum((n.total, math.fsum(finite)))
            n.total_sq = math.fsum((n.total_sq, math.fsum(finite * finite)))
            n.zeros += int((finite == 0).sum())
            self.quantiles.update(finite)
        if is_int:
            uniq, counts = np.unique(arr, return_counts=True)
            for value, count in zip(uniq.tolist(), counts.tolist()):
                self.top.update(str(value), count)
                self.distinct.update(value)
            self._note_values(len(uniq), str(uniq[0]))
        else:
            uniq = np.unique(values)  # NaNs collapse to one entry in NumPy >= 1.21
            for value in uniq.tolist():
                self.distinct.update(value)
            self._note_values(len(uniq), repr(float(uniq[0])))

    def _flush_bytes(self, values: list[bytes]) -> None:
        counter = Counter(values)
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        self.bytes_count += len(values)
        self.len_total += int(lengths.sum())
        self.len_min = _min(self.len_min, int(lengths.min()))
        self.len_max = _max(self.len_max, int(lengths.max()))
        key = ""
        for value, count in counter.items():
            key = value.decode("latin-1")  # lossless: every byte maps to one code point
            self.top.update(key, count)
            self.distinct.update(key)
            fmt = image_format(value)
            if fmt is not None:
                self.image_formats[fmt] = self.image_formats.get(fmt, 0) + count
                shape = image_shape(value)
                if shape is None:
                    self.image_unreadable += count
                else:
                    self._note_shape(shape_key(shape), count)
                    if self.image_decoded < DECODE_SAMPLE:
                        self.image_decoded += 1
                        self.image_undecodable += not decodes(value)
        self._note_values(len(counter), key)

    def _note_shape(self, key: str, count: int) -> None:
        if key in self.image_shapes or len(self.image_shapes) < MAX_SHAPES:
            self.image_shapes[key] = self.image_shapes.get(key, 0) + count
        else:
            self.image_shapes_other += count

    # -- merge -------------------------------------------------------------------------
    def merge(self, other: FeatureAccumulator) -> FeatureAccumulator:
        """Fold `other` into self (both flushed first) and return self."""
        self.flush()
        other.flush()
        self.records_present += other.records_present
        for kind, count in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + count
        self.records_empty += other.records_empty
        self.total_values += other.total_values
        self.vc_min = _min(self.vc_min, other.vc_min)
        self.vc_max = _max(self.vc_max, other.vc_max)
        self.vc_sketch.merge(other.vc_sketch)
        self.vc_exact = _merge_histograms(self.vc_exact, other.vc_exact)
        self.steps_min = _min(self.steps_min, other.steps_min)
        self.steps_max = _max(self.steps_max, other.steps_max)
        self.steps_total += other.steps_total
        self.steps_sketch.merge(other.steps_sketch)
        self.steps_exact = _merge_histograms(self.steps_exact, other.steps_exact)
        a, b = self.numbers, other.numbers
        a.count += b.count
        a.min = min(a.min, b.min)
        a.max = max(a.max, b.max)
        a.total = math.fsum((a.total, b.total))
        a.total_sq = math.fsum((a.total_sq, b.total_sq))
        a.zeros += b.zeros
        a.nan += b.nan
        a.pos_inf += b.pos_inf
        a.neg_inf += b.neg_inf
        self.quantiles.merge(other.quantiles)
        self.distinct = sketches.merge_hll(self.distinct, other.distinct)
        self.top.merge(other.top)
        self.bytes_count += other.bytes_count
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
        self.order_pairs += other.order_pairs
        self.order_up += other.order_up
        self.order_down += other.order_down
        self.order_broken = self.order_broken or other.order_broken
        if other.varies:
            self.varies = True
        elif other.single is not None:
            self._note_values(1, other.single)
        return self

    # -- pickling (sketch objects are not picklable; their bytes are) ------------------
    _SKETCHES = {
        "vc_sketch": "kll_ints",
        "steps_sketch": "kll_ints",
        "quantiles": "kll_doubles",
        "distinct": "hll",
        "top": "top",
    }

    def __getstate__(self) -> dict[str, Any]:
        self.flush()
        state = dict(self.__dict__)
        for attr in self._SKETCHES:
            state[attr] = sketches.dump(state[attr])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for attr, kind in self._SKETCHES.items():
            state[attr] = sketches.load(kind, state[attr])
        self.__dict__.update(state)

    # -- extract -----------------------------------------------------------------------
    def extract(self, total_records: int, label_like: bool = False) -> FeatureStats:
        self.flush()
        kind = max(self.kinds, key=lambda k: (self.kinds[k], k)) if self.kinds else "unset"
        if kind == "unset" and len(self.kinds) > 1:
            kind = max((k for k in self.kinds if k != "unset"), key=lambda k: (self.kinds[k], k))
        value_count = _count_stats(self.vc_min, self.vc_max, self.total_values, self.vc_sketch, self.vc_exact)
        n = self.numbers
        numeric = None
        if n.count:
            finite = n.count - n.nan - n.pos_inf - n.neg_inf
            mean = n.total / finite if finite else None
            std = (
                math.sqrt(max(0.0, n.total_sq / finite - mean * mean))
                if finite and mean is not None
                else None
            )
            numeric = NumericStats(
                count=n.count,
                min=n.min if finite else None,
                max=n.max if finite else None,
                mean=mean,
                std=std,
                zeros=n.zeros,
                nan=n.nan,
                pos_inf=n.pos_inf,
                neg_inf=n.neg_inf,
                quantiles=_quantiles(self.quantiles),
            )
        byte_stats = None
        if self.bytes_count:
            byte_stats = BytesStats(
                count=self.bytes_count,
                min_length=self.len_min or 0,
                max_length=self.len_max or 0,
                mean_length=self.len_total / self.bytes_count,
                image_formats=dict(sorted(self.image_formats.items())),
                image_shapes=dict(sorted(self.image_shapes.items(), key=lambda kv: (-kv[1], kv[0]))),
                image_shapes_other=self.image_shapes_other,
                image_unreadable=self.image_unreadable,
                image_decoded=self.image_decoded,
                image_undecodable=self.image_undecodable,
            )
        top = [] if kind == "float" else sketches.top_items(self.top, TOP_K)
        constant = None
        if not self.varies and self.single is not None:
            constant = display_value(self.single, kind)
        seq = None
        if self.section == "sequence":
            seq = _count_stats(
                self.steps_min, self.steps_max, self.steps_total, self.steps_sketch, self.steps_exact
            )
        return FeatureStats(
            name=self.name,
            section=self.section,
            kind=kind,
            kinds=dict(sorted(self.kinds.items())),
            records_present=self.records_present,
            records_with_values=self.records_present - self.records_empty,
            total_values=self.total_values,
            value_count=value_count,
            numeric=numeric,
            bytes=byte_stats,
            distinct_estimate=round(float(self.distinct.get_estimate()), 1),
            top_values=tuple((display_value(v, kind), c) for v, c in top),
            constant_value=constant,
            sequence_length=seq,
            total_records=total_records,
            label_like=label_like,
            order_pairs=0 if self.order_broken else self.order_pairs,
            order_increasing=0 if self.order_broken else self.order_up,
            order_decreasing=0 if self.order_broken else self.order_down,
        )


MAX_EXACT_COUNTS = 1024  # distinct value counts kept exactly; past that, the KLL sketch answers


def _histogram(hist: dict[int, int] | None, values: np.ndarray) -> dict[int, int] | None:
    """Exact counts of small integers (values per record, steps per sequence): their
    quantiles are then exact and the same on every run (KLL compaction is randomised)."""
    if hist is None:
        return None
    keys, counts = np.unique(values, return_counts=True)
    for key, count in zip(keys.tolist(), counts.tolist()):
        hist[key] = hist.get(key, 0) + count
    return hist if len(hist) <= MAX_EXACT_COUNTS else None


def _merge_histograms(a: dict[int, int] | None, b: dict[int, int] | None) -> dict[int, int] | None:
    if a is None or b is None:
        return None
    for key, count in b.items():
        a[key] = a.get(key, 0) + count
    return a if len(a) <= MAX_EXACT_COUNTS else None


def _exact_quantiles(hist: dict[int, int]) -> dict[str, float]:
    """Each quantile is the smallest value whose cumulative count reaches q of the total
    (KLL's inclusive rule)."""
    keys = sorted(hist)
    total = sum(hist.values())
    cumulative = np.cumsum([hist[k] for k in keys])
    out = {"min": float(keys[0])}
    for q in QUANTILES[1:-1]:
        index = int(np.searchsorted(cumulative, q * total, side="left"))
        out[f"q{int(q * 100):02d}"] = float(keys[min(index, len(keys) - 1)])
    out["max"] = float(keys[-1])
    return out


def _count_stats(
    lo: int | None, hi: int | None, total: int, sketch: Any, exact: dict[int, int] | None = None
) -> CountStats | None:
    if lo is None or hi is None or sketch.is_empty():
        return None
    quantiles = _exact_quantiles(exact) if exact else _quantiles(sketch)
    return CountStats(min=lo, max=hi, mean=total / sketch.n, quantiles=quantiles)


def _quantiles(sketch: Any) -> dict[str, float]:
    if sketch.is_empty():
        return {}
    values = sketch.get_quantiles(list(QUANTILES[1:-1]))
    out = {"min": float(sketch.get_min_value())}
    out.update({f"q{int(q * 100):02d}": float(v) for q, v in zip(QUANTILES[1:-1], values)})
    out["max"] = float(sketch.get_max_value())
    return out


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)
