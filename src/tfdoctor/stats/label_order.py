"""How the label is ordered as stored: runs of equal labels, as a mergeable accumulator.

A label-sorted file has as many runs as classes; a shuffled one about
`1 + (n - 1) * (1 - sum p_i^2)`. Accumulators keep one segment per contiguous stretch of
records (file, first record index), so shards, pool workers or Beam bundles can be merged in
any order and adjacent segments still join exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..facts.dataset import LabelOrder

MAX_CLASSES = 1000  # beyond this the label is not categorical; stop counting classes


@dataclass(frozen=True)
class Segment:
    file: str
    start: int  # record index of the first record
    end: int  # record index of the last record
    first: str
    last: str
    runs: int
    longest: int
    lead: int  # length of the first run
    trail: int  # length of the last run
    count: int

    def joined(self, nxt: Segment) -> Segment:
        """Self followed directly by nxt (nxt.start == self.end + 1)."""
        same = self.last == nxt.first
        bridge = self.trail + nxt.lead if same else 0
        return Segment(
            file=self.file,
            start=self.start,
            end=nxt.end,
            first=self.first,
            last=nxt.last,
            runs=self.runs + nxt.runs - (1 if same else 0),
            longest=max(self.longest, nxt.longest, bridge),
            lead=self.count + nxt.lead if same and self.runs == 1 else self.lead,
            trail=nxt.count + self.trail if same and nxt.runs == 1 else nxt.trail,
            count=self.count + nxt.count,
        )


def _expected_runs(n: int, same: float) -> float:
    """Runs in a random order of n labels, where `same` is the chance two labels are equal."""
    return 1 + (n - 1) * (1 - same) if n > 1 else float(n)


class LabelOrderAccumulator:
    def __init__(self, feature: str) -> None:
        self.feature = feature
        self.segments: list[Segment] = []
        self.classes: dict[str, int] | None = {}
        self._open: dict[str, list] = {}  # type: ignore[type-arg]  # the segment being extended, per file

    def add(self, file: str, index: int, value: str) -> None:
        if self.classes is not None:
            self.classes[value] = self.classes.get(value, 0) + 1
            if len(self.classes) > MAX_CLASSES:
                self.classes = None
        # The open segment is a plain list (start, end, first, last, runs, longest, lead,
        # trail, count): this runs once per record, where a dataclass copy would dominate.
        seg = self._open.get(file)
        if seg is not None and index == seg[1] + 1:
            seg[1] = index
            seg[8] += 1
            if value == seg[3]:
                seg[7] += 1
                if seg[7] > seg[5]:
                    seg[5] = seg[7]
                if seg[4] == 1:
                    seg[6] += 1
            else:
                seg[3] = value
                seg[4] += 1
                seg[7] = 1
            return
        if seg is not None:
            self.segments.append(Segment(file, *seg))
        self._open[file] = [index, index, value, value, 1, 1, 1, 1, 1]

    def add_many(self, file: str, indices: np.ndarray, values: np.ndarray | Sequence[bytes]) -> None:
        """Labels of many records at once, in record order (`indices` increasing): NumPy
        numbers or bytes. The same as `add` per record, with its text (str of the number,
        bytes as latin-1), in a few array operations: the native core's labels."""
        if not len(indices):
            return
        raw = np.asarray(values) if not isinstance(values, np.ndarray) else values
        if raw.dtype.kind == "S":  # bytes: NumPy would strip trailing NULs
            raw = np.array(list(values), dtype=object)
        floats = raw.dtype.kind == "f"
        if floats:  # by bit pattern: np.unique takes -0.0 for 0.0, whose texts differ
            raw = raw.astype(np.float64).view(np.int64)
        uniq, inverse = np.unique(raw, return_inverse=True)
        texts = [_text(v) for v in (uniq.view(np.float64) if floats else uniq).tolist()]
        number: dict[str, int] = {}
        ids = np.asarray([number.setdefault(t, len(number)) for t in texts], dtype=np.int64)[inverse.ravel()]
        names = list(number)
        if self.classes is not None:
            for tid, count in enumerate(np.bincount(ids, minlength=len(names)).tolist()):
                if count:
                    self.classes[names[tid]] = self.classes.get(names[tid], 0) + count
            if len(self.classes) > MAX_CLASSES:
                self.classes = None
        cuts = np.flatnonzero(np.diff(indices) != 1) + 1
        for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(indices)]):
            self._add_stretch(file, int(indices[a]), ids[a:b], names)

    def _add_stretch(self, file: str, start: int, ids: np.ndarray, names: list[str]) -> None:
        """Consecutive records from `start`, as text ids: joined to the open segment as `add`
        would extend it one record at a time."""
        n = len(ids)
        starts = np.concatenate(([0], np.flatnonzero(ids[1:] != ids[:-1]) + 1))
        lengths = np.diff(np.concatenate((starts, [n])))
        first, last = names[int(ids[0])], names[int(ids[-1])]
        runs, longest, lead, trail = len(starts), int(lengths.max()), int(lengths[0]), int(lengths[-1])
        seg = self._open.get(file)
        if seg is not None and start == seg[1] + 1:
            same = seg[3] == first
            bridge = seg[7] + lead if same else 0
            seg[5] = max(seg[5], longest, bridge)
            seg[6] = seg[8] + lead if same and seg[4] == 1 else seg[6]
            seg[7] = n + seg[7] if same and runs == 1 else trail
            seg[4] = seg[4] + runs - (1 if same else 0)
            seg[1] = start + n - 1
            seg[3] = last
            seg[8] += n
            return
        if seg is not None:
            self.segments.append(Segment(file, *seg))
        self._open[file] = [start, start + n - 1, first, last, runs, longest, lead, trail, n]

    def _close(self) -> None:
        self.segments.extend(Segment(file, *seg) for file, seg in self._open.items())
        self._open.clear()
        self.segments.sort(key=lambda s: (s.file, s.start))
        joined: list[Segment] = []
        for seg in self.segments:
            if joined and joined[-1].file == seg.file and joined[-1].end + 1 == seg.start:
                joined[-1] = joined[-1].joined(seg)
            else:
                joined.append(seg)
        self.segments = joined

    def shift_records(self, file: str, delta: int) -> None:
        """The segments of `file` moved by `delta` records (see `FileAccumulator.shift_records`)."""
        self._close()
        self.segments = [
            dataclasses.replace(s, start=s.start + delta, end=s.end + delta) if s.file == file else s
            for s in self.segments
        ]

    def merge(self, other: LabelOrderAccumulator) -> LabelOrderAccumulator:
        self._close()
        other._close()
        self.segments.extend(other.segments)
        if self.classes is None or other.classes is None:
            self.classes = None
        else:
            for value, count in other.classes.items():
                self.classes[value] = self.classes.get(value, 0) + count
            if len(self.classes) > MAX_CLASSES:
                self.classes = None
        self._close()
        return self

    def __getstate__(self) -> dict[str, object]:
        self._close()
        return dict(self.__dict__)

    def extract(self) -> LabelOrder:
        self._close()
        n = sum(s.count for s in self.segments)
        runs = sum(s.runs for s in self.segments)
        expected = float(runs)
        per_file: dict[str, tuple[int, int, float]] = {}
        if self.classes is not None and n > 1:
            same = sum(c * (c - 1) for c in self.classes.values()) / (n * (n - 1))
            expected = _expected_runs(n, same)
            for seg in self.segments:
                count, seg_runs, _ = per_file.get(seg.file, (0, 0, 0.0))
                per_file[seg.file] = (count + seg.count, seg_runs + seg.runs, 0.0)
            per_file = {
                url: (count, seg_runs, round(_expected_runs(count, same), 1))
                for url, (count, seg_runs, _) in per_file.items()
            }
        classes = None if self.classes is None else dict(sorted(self.classes.items(), key=_class_key))
        return LabelOrder(
            feature=self.feature,
            records=n,
            classes=classes,
            runs=runs,
            expected_runs=round(expected, 1),
            longest_run=max((s.longest for s in self.segments), default=0),
            files=per_file,
        )


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _class_key(item: tuple[str, int]) -> tuple[int, float | str]:
    try:
        return (0, float(item[0]))
    except ValueError:
        return (1, item[0])
