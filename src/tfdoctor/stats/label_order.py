"""How the label is ordered as stored: runs of equal labels, as a mergeable accumulator.

A label-sorted file has as many runs as classes; a shuffled one about
`1 + (n - 1) * (1 - sum p_i^2)`. Accumulators keep one segment per contiguous stretch of
records (file, first record index), so shards, pool workers or Beam bundles can be merged in
any order and adjacent segments still join exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _class_key(item: tuple[str, int]) -> tuple[int, float | str]:
    try:
        return (0, float(item[0]))
    except ValueError:
        return (1, item[0])
