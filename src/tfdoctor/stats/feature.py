"""Per-feature statistics as a mergeable accumulator, composed of one accumulator per
statistic family (`families.py`).

Adding a record only appends protobuf values to the families' buffers (the cheapest thing a
per-record loop can do); every `FLUSH_AT` records the buffers (and the parts the native core
tabulated) are folded into NumPy arrays and sketches in bulk. One flush hands each batch's
tables to every family that reads them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..facts.dataset import FeatureStats
from .families import (
    KINDS,
    WIDE_LIST,
    BytesAccumulator,
    CountsAccumulator,
    CountsPart,
    FrequentValuesAccumulator,
    NumericAccumulator,
    NumericPart,
    OrderAccumulator,
    OrderPart,
    SequenceLengthAccumulator,
    int_extremes,
)

FLUSH_AT = 4096


def step_key(index: int, step: int) -> int:
    """The sample's key of a feature list's step (the native core's `(index << 20) + step`)."""
    return (index << 20) + step


class FeatureAccumulator:
    """Statistics of one feature. Picklable and small.

    A record's list reaches the families as `add` does it: its length appended to
    `counts.<kind>_counts` and its values to `numeric.floats` / `numeric.ints` /
    `bytes.values` (see the buffer contract in `families.py`). `DatasetAccumulator.add`
    does the same inline, for speed.
    """

    def __init__(self, name: str, section: str) -> None:
        self.name = name
        self.section = section
        self.counts = CountsAccumulator(per_step=section == "sequence")
        self.numeric = NumericAccumulator()
        self.bytes = BytesAccumulator()
        self.frequent = FrequentValuesAccumulator()
        self.order = OrderAccumulator()  # fed for flat features only
        self.steps = SequenceLengthAccumulator() if section == "sequence" else None
        self.checks: Any = ()  # a parse spec's reads of this key (ReadsAccumulator._FieldCheck)

    # -- add ---------------------------------------------------------------------------
    def add(self, kind: str, values: Any) -> None:
        """One record's values (a protobuf repeated field or any sequence)."""
        self._add_values(kind, values)
        if self.counts.buffered() >= FLUSH_AT:
            self.flush()

    def add_sequence(self, steps: list[tuple[str, Any]], index: int | None = None) -> None:
        """One record's feature list: (kind, values) per time step. With the record's index in
        its file, a step of WIDE_LIST floats or more is sampled for the quantiles as an
        Example's wide list is (`families.wide_part`), keyed by (record, step)."""
        assert self.steps is not None, "add_sequence on a feature outside feature_lists"
        self.counts.add_record(steps[0][0] if steps else "unset")
        self.steps.add(len(steps))
        for at, (step_kind, values) in enumerate(steps):
            if index is not None and step_kind == "float" and len(values) >= WIDE_LIST:
                self.counts.add("float", len(values))
                self.numeric.wide.append((step_key(index, at), np.asarray(values, dtype=np.float32)))
            else:
                self._add_values(step_kind, values)
        if len(self.steps.steps) >= FLUSH_AT:
            self.flush()

    def _add_values(self, kind: str, values: Any) -> None:
        self.counts.add(kind, len(values))
        if kind == "bytes":
            self.bytes.add(values)
        else:
            self.numeric.add(kind, values)

    # -- flush -------------------------------------------------------------------------
    def seal(self) -> None:
        """Turn the buffers into parts (see `families.py`): before the native core adds parts
        of its own, so the batch's stretches stay in record order."""
        counts = self.counts.seal()
        floats, ints = self.numeric.seal()
        self.bytes.seal()
        if self.steps is None:
            self.order.seal(counts, floats, ints)
        else:
            self.steps.seal()

    def add_parts(
        self, kinds: Any, lengths: Any, floats: Any, ints: Any, order: Any, blobs: Any, steps: Any
    ) -> None:
        """A stretch of the batch tabulated by the native core (`Decoder.drain`'s layout). A
        feature list's kinds count records (by their first step's kind, as `add_record`),
        its lengths count steps, and `steps` tabulates steps per record."""
        if self.steps is not None:
            for kind, n in zip(KINDS, kinds):
                if n:
                    self.counts.kinds[kind] = self.counts.kinds.get(kind, 0) + n
                    self.counts.records_present += n
            if steps[0]:
                self.steps.parts.append(
                    (np.frombuffer(steps[0], dtype=np.int64), np.frombuffer(steps[1], dtype=np.int64))
                )
        self.counts.parts.append(
            CountsPart(
                {kind: n for kind, n in zip(KINDS, kinds) if n},
                np.frombuffer(lengths[0], dtype=np.int64),
                np.frombuffer(lengths[1], dtype=np.int64),
            )
        )
        count, nan, pos_inf, neg_inf, (values, counts), sums, squares, zeros, low, high, sample, hll = floats
        if count:
            values, counts = np.frombuffer(values), np.frombuffer(counts, dtype=np.int64)
            registers = None if hll is None else np.frombuffer(hll, dtype=np.uint8)
            self.numeric.float_parts.append(
                NumericPart(
                    count, nan, pos_inf, neg_inf, np.frombuffer(sums), np.frombuffer(squares), values, counts,
                    zeros, low, high, registers, np.frombuffer(sample),
                )
            )  # fmt: skip
        count, (values, counts), sums, squares = ints
        if count:
            values, counts = np.frombuffer(values, dtype=np.int64), np.frombuffer(counts, dtype=np.int64)
            self.numeric.int_parts.append(
                NumericPart(
                    count, 0, 0, 0, np.frombuffer(sums), np.frombuffer(squares), values, counts,
                    *int_extremes(values, counts),
                )
            )  # fmt: skip
        values, counts = blobs
        if values:
            self.bytes.parts.append((values, np.frombuffer(counts, dtype=np.int64)))
        mask, bad, have, first, last, pairs, up, down = order
        if self.steps is None:
            self.order.parts.append(
                OrderPart(
                    frozenset(kind for bit, kind in enumerate(KINDS) if mask >> bit & 1), bool(bad),
                    first if have else None, last if have else None, pairs, up, down,
                )
            )  # fmt: skip

    def flush(self) -> None:
        self.seal()
        self.counts.flush()
        floats, ints = self.numeric.flush()
        if self.steps is None:
            self.order.flush()
        else:
            self.steps.flush()
        if floats is not None:
            self.frequent.add_float_batch(floats)
        if ints is not None:
            self.frequent.add_int_table(*ints)
        raw = self.bytes.flush()
        if raw:
            self.frequent.add_bytes(raw)

    # -- merge -------------------------------------------------------------------------
    def merge(self, other: FeatureAccumulator, follows: bool = False) -> FeatureAccumulator:
        """Fold `other` into self (both flushed first) and return self; `follows`: other's
        records come right after self's in one file (the parts of a split file)."""
        self.flush()
        other.flush()
        self.counts.merge(other.counts)
        self.numeric.merge(other.numeric)
        self.bytes.merge(other.bytes)
        self.frequent.merge(other.frequent)
        self.order.merge(other.order, follows)
        if self.steps is not None and other.steps is not None:
            self.steps.merge(other.steps)
        return self

    def __getstate__(self) -> dict[str, Any]:
        self.flush()  # before the families pickle themselves: a flush feeds several of them
        return dict(self.__dict__)

    # -- extract -----------------------------------------------------------------------
    def extract(self, total_records: int, label_like: bool = False) -> FeatureStats:
        self.flush()
        kind = self.counts.kind()
        counts = self.counts
        empty = counts.records_empty if self.steps is None else self.steps.records_empty
        pairs, increasing, decreasing = self.order.extract()
        return FeatureStats(
            name=self.name,
            section=self.section,
            kind=kind,
            kinds=dict(sorted(counts.kinds.items())),
            records_present=counts.records_present,
            records_with_values=counts.records_present - empty,
            total_values=counts.values.total,
            value_count=counts.extract(),
            numeric=self.numeric.extract(),
            bytes=self.bytes.extract(),
            distinct_estimate=self.frequent.distinct_estimate(),
            top_values=self.frequent.top_values(kind),
            constant_value=self.frequent.constant(kind),
            sequence_length=self.steps.extract() if self.steps is not None else None,
            total_records=total_records,
            label_like=label_like,
            order_pairs=pairs,
            order_increasing=increasing,
            order_decreasing=decreasing,
        )
