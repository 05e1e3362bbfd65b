"""Label order (stats/label_order.py) against runs counted by hand: segments joined across
merges and across `add_many` stretches, class limits, the expected runs of a shuffled order."""

from __future__ import annotations

import numpy as np

from tfdoctor.stats.label_order import MAX_CLASSES, LabelOrderAccumulator


def _truth(labels: list[str]) -> tuple[int, int]:
    """(runs, longest run) of a label sequence, counted one label at a time."""
    runs, longest, current = 0, 0, 0
    for i, v in enumerate(labels):
        current = current + 1 if i and labels[i - 1] == v else 1
        runs += current == 1
        longest = max(longest, current)
    return runs, longest


def _check(acc: LabelOrderAccumulator, labels: list[str]) -> None:
    out = acc.extract()
    assert (out.runs, out.longest_run) == _truth(labels)
    assert out.records == len(labels)


def _many(acc: LabelOrderAccumulator, start: int, labels: str) -> None:
    acc.add_many("f", np.arange(start, start + len(labels), dtype=np.int64), [c.encode() for c in labels])


def test_lead_of_a_joined_segment_counts_in_a_later_join() -> None:
    labels = list("xaaaab")
    parts = []
    for a, b in [(0, 2), (2, 4), (4, 6)]:
        acc = LabelOrderAccumulator("label")
        for i in range(a, b):
            acc.add("f", i, labels[i])
        parts.append(acc)
    later = parts[1].merge(parts[2])  # a,a + a,b: its first run is 3 long
    whole = parts[0].merge(later)  # x,a + that: a run of 4
    _check(whole, labels)
    assert whole.extract().longest_run == 4


def test_stretches_join_the_open_segment() -> None:
    cases = [
        ["aa", "aab"],  # the run spans the stretch boundary: bridge
        ["aaaa", "ab"],  # the earlier part holds the longest run
        ["ba", "aa", "a"],  # the trail of a segment of several runs grows
        ["ab", "bbb", "c"],
    ]
    for stretches in cases:
        acc = LabelOrderAccumulator("label")
        start = 0
        for s in stretches:
            _many(acc, start, s)
            start += len(s)
        _check(acc, list("".join(stretches)))


def test_lead_of_stretched_segment_counts_in_a_merge() -> None:
    for first, later in [("aa", ["aa", "bb"]), ("aa", ["aa", "aa", "b"]), ("a", ["ab", "bb"])]:
        head = LabelOrderAccumulator("label")
        _many(head, 0, first)
        tail = LabelOrderAccumulator("label")
        start = len(first)
        for s in later:
            _many(tail, start, s)
            start += len(s)
        _check(head.merge(tail), list(first + "".join(later)))


def test_expected_runs_of_a_shuffled_order() -> None:
    acc = LabelOrderAccumulator("label")
    for i, v in enumerate("aabb"):
        acc.add("f", i, v)
    out = acc.extract()
    # chance two of the 4 labels are equal: (2*1 + 2*1) / (4*3) = 1/3; runs 1 + 3 * 2/3
    assert (out.runs, out.expected_runs, out.classes) == (2, 3.0, {"a": 2, "b": 2})
    three = LabelOrderAccumulator("label")
    for i, v in enumerate("aab"):
        three.add("g", i, v)
    # (2*1) / (3*2) = 1/3: 1 + 2 * 2/3 = 2.333..., kept to one decimal per file
    assert three.extract().files == {"g": (3, 2, 2.3)}
    assert three.extract().expected_runs == 2.3


def test_one_record_and_none() -> None:
    one = LabelOrderAccumulator("label")
    one.add("f", 0, "a")
    out = one.extract()
    assert (out.records, out.runs, out.expected_runs, out.longest_run, out.files) == (1, 1, 1.0, 1, {})
    empty = LabelOrderAccumulator("label").extract()
    assert (empty.records, empty.runs, empty.longest_run, empty.expected_runs) == (0, 0, 0, 0.0)


def test_class_limit() -> None:
    at = LabelOrderAccumulator("label")
    for i in range(MAX_CLASSES):
        at.add("f", i, str(i))
    assert at.extract().classes is not None and len(at.extract().classes or {}) == MAX_CLASSES
    over = LabelOrderAccumulator("label")
    for i in range(MAX_CLASSES + 1):
        over.add("f", i, str(i))
    assert over.extract().classes is None
    many_at = LabelOrderAccumulator("label")
    many_at.add_many("f", np.arange(MAX_CLASSES, dtype=np.int64), np.arange(MAX_CLASSES, dtype=np.int64))
    assert len(many_at.extract().classes or {}) == MAX_CLASSES
    many_over = LabelOrderAccumulator("label")
    n = MAX_CLASSES + 1
    many_over.add_many("f", np.arange(n, dtype=np.int64), np.arange(n, dtype=np.int64))
    assert many_over.extract().classes is None
