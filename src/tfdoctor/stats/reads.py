"""How every record fits the keys a parse spec reads: exact counts of records where a key is
missing, stored as another kind, or holds a value count the spec cannot take, with the first
few records of each. Mergeable like every other accumulator, and filled in the scan's single
pass, so `tfdoctor check` reads the data once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..facts.reads import MAX_EXAMPLES, Read, ReadTally

MAX_COUNTS = 32  # distinct bad value counts kept per read

_KIND_OF_FIELD = {"float_list": "float", "int64_list": "int64", "bytes_list": "bytes"}


@dataclass
class TallyAccumulator:
    """What the scan saw for one Read, as it is counted."""

    read: Read
    records: int = 0  # records checked
    present: int = 0  # records where the key holds a typed value list
    problems: dict[str, int] = field(default_factory=dict)  # "missing", "kind:int64", "count" -> records
    bad_counts: dict[int, int] = field(default_factory=dict)  # value count -> records, for "count"
    examples: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # problem -> (file, record)

    def note(self, name: str, url: str, index: int, value_count: int | None = None) -> None:
        self.problems[name] = self.problems.get(name, 0) + 1
        if value_count is not None and (value_count in self.bad_counts or len(self.bad_counts) < MAX_COUNTS):
            self.bad_counts[value_count] = self.bad_counts.get(value_count, 0) + 1
        examples = self.examples.setdefault(name, [])
        if len(examples) < MAX_EXAMPLES:
            examples.append((url, index))

    def note_many(
        self, name: str, url: str, indices: np.ndarray, value_counts: np.ndarray | None = None
    ) -> None:
        """`note` for many records at once, in record order (the same tallies and examples)."""
        if not len(indices):
            return
        self.problems[name] = self.problems.get(name, 0) + len(indices)
        if value_counts is not None:
            uniq, first, totals = np.unique(value_counts, return_index=True, return_counts=True)
            for at in np.argsort(first, kind="stable").tolist():  # distinct counts, first met first
                count = int(uniq[at])
                if count in self.bad_counts or len(self.bad_counts) < MAX_COUNTS:
                    self.bad_counts[count] = self.bad_counts.get(count, 0) + int(totals[at])
        examples = self.examples.setdefault(name, [])
        room = MAX_EXAMPLES - len(examples)
        if room > 0:
            examples.extend((url, int(i)) for i in indices[:room].tolist())

    def merge(self, other: TallyAccumulator) -> TallyAccumulator:
        self.records += other.records
        self.present += other.present
        for name, n in other.problems.items():
            self.problems[name] = self.problems.get(name, 0) + n
        for count, n in other.bad_counts.items():
            if count in self.bad_counts or len(self.bad_counts) < MAX_COUNTS:
                self.bad_counts[count] = self.bad_counts.get(count, 0) + n
        for name, locs in other.examples.items():
            self.examples[name] = sorted(set(self.examples.get(name, [])) | set(locs))[:MAX_EXAMPLES]
        return self

    def extract(self) -> ReadTally:
        return ReadTally(
            self.read,
            self.records,
            self.present,
            dict(self.problems),
            dict(self.bad_counts),
            {name: tuple(locs) for name, locs in self.examples.items()},
        )


_FIELD_OF_KIND = {kind: field_name for field_name, kind in _KIND_OF_FIELD.items()}


class _FieldCheck:
    """A field-1 read made ready for the scan's hot loop, where the feature's kind and value
    count are already known: no second look at the protobuf message."""

    __slots__ = (
        "bound",
        "count",
        "kind",
        "missing",
        "multiple",
        "n",
        "partition",
        "partner",
        "seen",
        "tally",
    )

    def __init__(self, tally: TallyAccumulator) -> None:
        read = tally.read
        self.tally = tally
        self.kind = _FIELD_OF_KIND.get(read.kind or "")  # "float_list"...; None: no kind check
        self.count = read.count
        self.multiple = read.multiple_of or 0
        self.seen = -1  # the last record (since the last settle) that held the key
        self.missing = 0  # records without it since the last settle
        self.bound = read.bound
        self.partition = read.partition
        self.n = 0  # its value count in the record that last held it
        self.partner: _FieldCheck | None = None  # the check of `read.pair`, set by the accumulator


class ReadsAccumulator:
    """Tallies for a set of Reads. Field-1 reads are checked from the scan's own loop (`check`
    for each feature a record holds, `end_record` once per record); feature-list reads with
    `add_sequences`."""

    def __init__(self, reads: list[Read]) -> None:
        self.reads = list(dict.fromkeys(reads))
        self.tallies = {r: TallyAccumulator(r) for r in self.reads}
        self._prepare()

    def _prepare(self) -> None:
        self._seq = [r for r in self.reads if r.section == "sequence"]
        self._checks: dict[str, list[_FieldCheck]] = {}
        for read in self.reads:
            if read.section != "sequence":
                self._checks.setdefault(read.key, []).append(_FieldCheck(self.tallies[read]))
        self._all = [c for checks in self._checks.values() for c in checks]
        self._paired = []
        for c in self._all:
            pair = c.tally.read.pair
            if pair is not None and self._checks.get(pair):
                c.partner = self._checks[pair][0]
                self._paired.append(c)
        self._record = 0  # field-1 records since the last settle

    def checks_for(self, key: str) -> list[_FieldCheck]:
        return self._checks.get(key, [])

    def check(self, checks: list[_FieldCheck], which: str | None, values: Any, url: str, index: int) -> None:
        """One feature of the current record: its oneof field (None: no value list) and values."""
        if which is None:
            return  # a Feature with no value list: missing, as TensorFlow's parser treats it
        record = self._record
        n = len(values)
        for c in checks:
            c.seen = record
            c.n = n
            if c.partition is not None and n and which == "int64_list":
                # the values a row partition accounts for: the sum of row lengths, the last split
                c.n = sum(values) if c.partition == "RowLengths" else values[-1]
            if c.kind is not None and which != c.kind:
                c.tally.note("kind:" + _KIND_OF_FIELD[which], url, index)
            elif (c.count is not None and n != c.count) or (c.multiple and n % c.multiple):
                c.tally.note("count", url, index, n)
            elif c.bound is not None and n and (min(values) < 0 or max(values) >= c.bound):
                c.tally.note("range", url, index)

    def end_record(self, url: str, index: int) -> None:
        record = self._record
        for c in self._all:
            if c.seen != record:
                c.missing += 1
                c.tally.note("missing", url, index)
        for c in self._paired:  # SparseFeature indices, RaggedFeature partitions: one per value
            partner = c.partner
            if c.seen != record:
                continue
            values = partner.n if partner.seen == record else 0  # type: ignore[union-attr]
            if c.n != values:
                c.tally.note("partition" if c.partition else "pair", url, index, c.n)
        self._record = record + 1

    def add_block(self, records: int, columns: Mapping[str, Any], url: str, first: int) -> None:
        """`records` consecutive records from index `first`, decoded by the native core: the
        same tallies as `check` and `end_record` per record, in array operations. `columns`:
        per key with checks held in the block, its entries as the core lists them (kind code
        per entry: 0 float, 1 int64, 2 bytes, 3 no value list; value count; record number in
        the block; int64 values, flat)."""
        if not self._all:
            return
        entry_n: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for key, checks in self._checks.items():
            n = np.full(records, -1, dtype=np.int64)  # value count per record; -1: not held
            kinds = np.full(records, 3, dtype=np.uint8)
            part = np.full(records, -1, dtype=np.int64)  # a partition's row total, per record
            cols = columns.get(key)
            if cols is not None:
                codes, counts, recs, ints = cols
                held = codes != 3
                n[recs[held]] = counts[held]
                kinds[recs[held]] = codes[held]
                if any(c.partition is not None for c in checks):
                    part = _partition_totals(records, codes, counts, recs, ints, checks)
            entry_n[key] = (n, kinds, part)
        indices = first + np.arange(records, dtype=np.int64)
        per_check: dict[int, np.ndarray] = {}
        for key, checks in self._checks.items():
            n, kinds, part = entry_n[key]
            present = n >= 0
            for c in checks:
                tally = c.tally
                missing = ~present
                c.missing += int(missing.sum())
                tally.note_many("missing", url, indices[missing])
                bad_kind = (
                    present & (kinds != _CODE[c.kind]) if c.kind is not None else np.zeros(records, bool)
                )
                for code in np.unique(kinds[bad_kind]).tolist():
                    tally.note_many("kind:" + _KINDS[code], url, indices[bad_kind & (kinds == code)])
                rest = present & ~bad_kind
                bad_count = _bad_counts(n, c.count, c.multiple) & rest
                tally.note_many("count", url, indices[bad_count], n[bad_count])
                if c.bound is not None:
                    lows, highs = _int_ranges(records, columns.get(key))
                    bad_range = rest & ~bad_count & (n > 0) & ((lows < 0) | (highs >= c.bound))
                    tally.note_many("range", url, indices[bad_range])
                seen_n = n.copy()
                if c.partition is not None:
                    use = present & (kinds == 1) & (n > 0)
                    seen_n[use] = part[use]
                per_check[id(c)] = seen_n
        for c in self._paired:
            mine = per_check[id(c)]
            partner = per_check[id(c.partner)]
            held = mine >= 0
            values = np.where(partner >= 0, partner, 0)
            bad = held & (mine != values)
            c.tally.note_many("partition" if c.partition else "pair", url, indices[bad], mine[bad])
        for c in self._all:
            c.seen = -1
        self._record += records

    def _settle(self) -> None:
        """Fold the hot loop's counters into the tallies (before a merge or an extract)."""
        for c in self._all:
            c.tally.records += self._record
            c.tally.present += self._record - c.missing
            c.missing, c.seen = 0, -1
        self._record = 0

    def reads_steps(self, key: str) -> bool:
        """Whether a feature-list read checks `key`'s steps."""
        return any(read.key == key for read in self._seq)

    def add_sequence_block(
        self, is_sequence: np.ndarray, columns: Mapping[str, Any], url: str, first: int
    ) -> None:
        """`add_sequences` for the SequenceExamples of a block the native core decoded
        (`is_sequence`: one flag per record of the block), in array operations. `columns`: per
        feature list a read checks, held in the block, its entries as the core lists them (kind
        code, count, record number in the block): for each record holding it, a list entry
        (code 4, count: its steps) and then its steps' (kind, value count) pairs in step
        order, each pair the first time it comes, so the first pair a read refuses is the
        first step it refuses."""
        if not self._seq:
            return
        records = len(is_sequence)
        indices = first + np.arange(records, dtype=np.int64)
        for read in self._seq:
            tally = self.tallies[read]
            tally.records += int(is_sequence.sum())
            present = np.zeros(records, dtype=bool)
            cols = columns.get(read.key)
            if cols is not None:
                codes, counts, recs = cols
                present[recs[codes == _LIST]] = True
            missing = is_sequence & ~present
            tally.present += int(present.sum())
            tally.note_many("missing", url, indices[missing])
            if cols is None:
                continue
            steps = codes != _LIST
            codes, counts, recs = codes[steps], counts[steps], recs[steps]
            typed = codes < 3  # a step with no value list has no kind, and no values
            bad_kind = np.zeros(len(codes), dtype=bool)
            if read.kind is not None:
                bad_kind = typed & (codes != _KINDS.index(read.kind))
            n = np.where(typed, counts, 0)
            bad = bad_kind | _bad_counts(n, read.count, read.multiple_of)
            # each record's first refused step: its kind if that is wrong, else its count
            at = np.flatnonzero(bad)
            firsts = at[np.unique(recs[at], return_index=True)[1]] if len(at) else at
            kind_first = firsts[bad_kind[firsts]]
            for code in np.unique(codes[kind_first]).tolist():
                which = kind_first[codes[kind_first] == code]
                tally.note_many("kind:" + _KINDS[code], url, indices[recs[which]])
            count_first = firsts[~bad_kind[firsts]]
            tally.note_many("count", url, indices[recs[count_first]], n[count_first])

    def add_sequences(self, feature_lists: dict[str, Any], url: str, index: int) -> None:
        tallies = self.tallies
        for read in self._seq:
            tally = tallies[read]
            tally.records += 1
            feature_list = feature_lists.get(read.key)
            if feature_list is None:
                tally.note("missing", url, index)
                continue
            tally.present += 1
            for step in feature_list.feature:
                which = step.WhichOneof("kind")
                step_kind = _KIND_OF_FIELD.get(which or "")
                if step_kind is not None and read.kind is not None and step_kind != read.kind:
                    tally.note("kind:" + step_kind, url, index)
                    break
                n = len(getattr(step, which).value) if which else 0
                if _bad_count(read, n):
                    tally.note("count", url, index, n)
                    break

    def merge(self, other: ReadsAccumulator) -> ReadsAccumulator:
        self._settle()
        other._settle()
        for read, tally in other.tallies.items():
            mine = self.tallies.get(read)
            if mine is None:
                self.reads.append(read)
                self.tallies[read] = tally
            else:
                mine.merge(tally)
        self._prepare()
        return self

    def shift_records(self, url: str, delta: int) -> None:
        """The example records of `url` moved by `delta` (see `FileAccumulator.shift_records`)."""
        self._settle()
        for tally in self.tallies.values():
            for name, locs in tally.examples.items():
                tally.examples[name] = [(u, i + delta if u == url else i) for u, i in locs]

    def extract(self) -> tuple[ReadTally, ...]:
        self._settle()
        return tuple(self.tallies[r].extract() for r in self.reads)


_CODE = {"float_list": 0, "int64_list": 1, "bytes_list": 2}
_LIST = 4  # the native core's column entry for a feature list (see add_sequence_block)
_KINDS = ("float", "int64", "bytes")


def _int_entries(codes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The int64 entries (a mask) and where each one's values start in the flat int64 values."""
    ints = codes == 1
    starts = np.concatenate(([0], np.cumsum(counts[ints])[:-1])) if ints.any() else np.zeros(0, np.int64)
    return ints, starts.astype(np.int64)


def _partition_totals(
    records: int, codes: np.ndarray, counts: np.ndarray, recs: np.ndarray, ints: np.ndarray, checks: list[Any]
) -> np.ndarray:
    """Per record, the values a row partition accounts for (the sum of row lengths, or the last
    split), as `check` computes it; -1 where not an int64 list with values."""
    out = np.full(records, -1, dtype=np.int64)
    mask, starts = _int_entries(codes, counts)
    sizes = counts[mask]
    full = sizes > 0
    if not full.any():
        return out
    kind = next(c.partition for c in checks if c.partition is not None)
    if kind == "RowLengths":
        totals = _segment_sums(ints, starts[full], sizes[full])
    else:
        totals = ints[starts[full] + sizes[full] - 1]
    out[recs[mask][full]] = totals
    return out


def _segment_sums(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    cumulative = np.concatenate(([0], np.cumsum(values)))
    return cumulative[starts + sizes] - cumulative[starts]


def _int_ranges(records: int, cols: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per record, the smallest and largest int64 value the key holds (0 where none)."""
    lows = np.zeros(records, dtype=np.int64)
    highs = np.zeros(records, dtype=np.int64)
    if cols is None:
        return lows, highs
    codes, counts, recs, ints = cols
    mask, starts = _int_entries(codes, counts)
    sizes = counts[mask]
    full = sizes > 0
    if full.any():
        lows[recs[mask][full]] = np.minimum.reduceat(ints, starts[full])
        highs[recs[mask][full]] = np.maximum.reduceat(ints, starts[full])
    return lows, highs


def _bad_count(read: Read, n: int) -> bool:
    if read.count is not None and n != read.count:
        return True
    return bool(read.multiple_of) and n % read.multiple_of != 0  # type: ignore[operator]


def _bad_counts(n: np.ndarray, count: int | None, multiple: int | None) -> np.ndarray:
    """`_bad_count` over an array of value counts: the counts a shape cannot take."""
    bad = n != count if count is not None else np.zeros(len(n), dtype=bool)
    return bad | (n % multiple != 0) if multiple else bad


__all__ = ["ReadsAccumulator", "TallyAccumulator"]
