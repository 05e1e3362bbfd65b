"""The accumulators' side of reading one file in parts (engines/split.py), on hand-built
parts: record indices moved by a known amount, the boundary between two parts joined (label
runs, record-to-record order), and sums that stay exact however the values are cut up.
tests/engines/test_split.py checks the whole against real scans."""

from __future__ import annotations

import math

import numpy as np
from conftest import add_records

from tfdoctor.facts.files import Problem
from tfdoctor.facts.reads import Read
from tfdoctor.proto.build import example
from tfdoctor.stats.dataset import DatasetAccumulator
from tfdoctor.stats.families import NumericAccumulator, OrderAccumulator, float_part
from tfdoctor.stats.files import FileAccumulator
from tfdoctor.stats.label_order import LabelOrderAccumulator
from tfdoctor.stats.reads import ReadsAccumulator, TallyAccumulator


def test_a_files_problems_move_with_its_records() -> None:
    facts = FileAccumulator("f")
    facts.add_problem(Problem("corrupt", 100, 1000, 20, "data CRC"))
    facts.add_not_example(Problem("not-example", 300, 1002, 0, "not a proto"))
    facts.span_first, facts.span_next, facts.span_next_index = 100, 400, 1005
    facts.shift_records(-990)
    assert [p.record for p in facts.problems] == [10]
    assert [p.record for p in facts.not_example_samples] == [12]
    assert facts.problems[0] == Problem("corrupt", 100, 10, 20, "data CRC")  # nothing else moves
    first = FileAccumulator("f", span_first=0, span_next=100, span_next_index=10)
    first.merge(facts)
    assert (first.span_first, first.span_next, first.span_next_index) == (0, 400, 1005)


def test_label_runs_join_across_the_boundary() -> None:
    """Part one: records 0-5 labelled a a a b b b; part two, numbered from 1000 until moved:
    b b a. Joined, the b run crosses the boundary: runs a, b, a (3, not 4), longest 5."""
    one, two = LabelOrderAccumulator("label"), LabelOrderAccumulator("label")
    for i, value in enumerate("aaabbb"):
        one.add("f", i, value)
    for i, value in enumerate("bba"):
        two.add("f", 1000 + i, value)
    two.add("g", 7, "z")  # another file's records do not move
    two.shift_records("f", 6 - 1000)
    order = one.merge(two).extract()
    assert (order.records, order.runs, order.longest_run) == (10, 4, 5)
    assert order.files["f"][:2] == (9, 3) and order.files["g"][:2] == (1, 1)


def test_check_examples_move_with_their_file() -> None:
    read = Read("x", count=1)
    reads = ReadsAccumulator([read])
    reads.tallies[read].note("missing", "f", 1003)
    reads.tallies[read].note("missing", "g", 4)
    reads.shift_records("f", -1000)
    assert reads.tallies[read].examples == {"missing": [("f", 3), ("g", 4)]}
    assert isinstance(reads.tallies[read], TallyAccumulator)


def _order(values: list[float]) -> OrderAccumulator:
    """An accumulator fed one-number records, one batch each."""
    acc = OrderAccumulator()
    for v in values:
        acc.add({"float": np.array([1])}, np.array([v]), None)
    return acc


def test_order_pairs_across_the_boundary() -> None:
    """1 2 3 | 2 5: whole, 4 pairs (3 up, 1 down); the parts hold 2 and 1, the boundary pair
    (3, 2) is the down one. A part without values passes its neighbours' values on."""
    whole = _order([1, 2, 3, 2, 5]).extract()
    joined = _order([1, 2, 3]).merge(_order([2, 5]), follows=True).extract()
    assert joined == whole == (4, 3, 1)
    assert _order([1, 2, 3]).merge(_order([2, 5])).extract() == (3, 3, 0)  # two files: no pair
    gap = _order([1, 2]).merge(OrderAccumulator(), follows=True).merge(_order([0.5]), follows=True)
    assert gap.extract() == (2, 1, 1)
    empty_first = OrderAccumulator().merge(_order([4, 3]), follows=True)
    assert empty_first.merge(_order([9]), follows=True).extract() == (2, 1, 1)


def test_sums_stay_exact_however_the_values_are_cut() -> None:
    """1e16 + 1 + ... - 1e16: rounded at each part (the old way) the ones are lost."""
    values = [1e16, 1.0, 1.0, 1.0, -1e16, 0.5]
    whole = NumericAccumulator()
    whole.float_parts.append(float_part(np.asarray(values)))
    cut = NumericAccumulator()
    for chunk in ([1e16, 1.0], [1.0], [1.0, -1e16], [0.5]):
        part = NumericAccumulator()
        part.float_parts.append(float_part(np.asarray(chunk)))
        cut.merge(part)
    stats, whole_stats = cut.extract(), whole.extract()
    assert stats is not None and whole_stats is not None
    assert stats.mean == whole_stats.mean == 3.5 / 6
    assert stats.std == whole_stats.std
    exact_sq = math.fsum(v * v for v in values)
    assert stats.std == math.sqrt(max(0.0, exact_sq / 6 - (3.5 / 6) ** 2))


def test_a_broken_order_stays_broken_through_a_merge() -> None:
    """A part whose feature is stored as two kinds in one batch has no order to speak of:
    merged with a sound part, before or after it, the file has none either."""
    broken = OrderAccumulator()
    broken.add({"float": np.array([1]), "int64": np.array([1])}, np.array([1.0]), np.array([2]))
    assert broken.extract() == (0, 0, 0)
    assert _order([1, 2, 3]).merge(broken, follows=True).extract() == (0, 0, 0)
    assert broken.merge(_order([1, 2, 3]), follows=True).extract() == (0, 0, 0)


def _part(url: str, first: int, values: list[int | None], reads: list[Read]) -> DatasetAccumulator:
    """A part of `url` whose records hold `t` (None: a record without it), numbered from
    `first`, each parsed by protobuf as the scan parses it."""
    acc = DatasetAccumulator(reads=reads)
    add_records(acc, [example({"t": t} if t is not None else {"other": 1}) for t in values], url, first)
    acc.files[url].records = len(values)  # as the scan counts them
    return acc


def test_dataset_parts_pair_order_and_move_check_examples() -> None:
    """Two parts of one file, the second numbered from 1000 until moved: its check example
    (the record without `t`) moves to its place in the file, and the order pairs run on
    across the boundary (5, 6, 7 | 8, 9: 4 pairs up); two files merged plainly pair nothing
    across (3 pairs)."""
    reads = [Read("t", kind="int64", count=1)]
    one, two = _part("f", 0, [5, 6, 7], reads), _part("f", 1000, [8, None, 9], reads)
    two.shift_records("f", 3 - 1000)
    whole = one.merge(two, follows=True).extract()
    t = next(f for f in whole.features if f.name == "t")
    assert (t.order_pairs, t.order_increasing, t.order_decreasing) == (4, 4, 0)
    assert whole.reads[0].examples == {"missing": (("f", 4),)}
    apart = _part("f", 0, [5, 6, 7], reads).merge(_part("g", 0, [8, 9], reads)).extract()
    t = next(f for f in apart.features if f.name == "t")
    assert (t.order_pairs, t.order_increasing) == (3, 3)


def test_sampled_parts_keep_their_estimate() -> None:
    first, second = FileAccumulator("f", sampled=True), FileAccumulator("f", estimated_records=500)
    assert first.merge(second).estimated_records == 500
    assert FileAccumulator("f", estimated_records=7).merge(FileAccumulator("f")).estimated_records == 7


def test_an_empty_index_list_last_in_a_block_is_in_range() -> None:
    """A SparseFeature's index key holding an empty int64 list, as the block's last entry:
    nothing out of range, nothing read past the block's values."""
    index = Read("idx", kind="int64", bound=10, pair="val")
    reads = ReadsAccumulator([index, Read("val", kind="float")])
    codes = np.array([1, 1], dtype=np.uint8)  # int64 lists: [3, 12], then []
    counts = np.array([2, 0], dtype=np.int64)
    recs = np.array([0, 1], dtype=np.int64)
    ints = np.array([3, 12], dtype=np.int64)
    vals = (np.array([0, 0], dtype=np.uint8), np.array([2, 0]), recs, np.empty(0, dtype=np.int64))
    reads.add_block(2, {"idx": (codes, counts, recs, ints), "val": vals}, "f", 0)
    tally = reads.extract()[0]
    assert tally.problems == {"range": 1} and tally.examples == {"range": (("f", 0),)}
