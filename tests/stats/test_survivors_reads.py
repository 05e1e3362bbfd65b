"""A parse spec's reads checked against SequenceExample feature lists, Example features and
ragged partitions (stats/reads.py): every tally worked out by hand from the records built here."""

from __future__ import annotations

from typing import Any

from conftest import add_records

from tfdoctor.facts.reads import Read
from tfdoctor.proto.build import example, sequence_example
from tfdoctor.stats.dataset import DatasetAccumulator


def _tallies(records: list[bytes], reads: list[Read], file: str = "f") -> dict[str, Any]:
    acc = DatasetAccumulator(reads=reads)
    add_records(acc, records, file)
    return {t.read.key: t for t in acc.extract().reads}


TOK = Read("tok", section="sequence", kind="int64", count=1)
FREE = Read("free", section="sequence")  # no kind, no count: only presence is checked


def test_sequence_reads_tally_each_problem_once() -> None:
    records = [
        sequence_example({"id": 0}, {"tok": [[1], [2]], "free": [[b"a"]]}),  # fine
        sequence_example({"id": 1}, {"free": [[1.0]]}),  # tok missing
        sequence_example({"id": 2}, {"tok": [[1], [1, 2], [1, 2, 3]], "free": [[1]]}),  # 2 values: count
        sequence_example({"id": 3}, {"tok": [[b"a"], [1.5]], "free": [[b"x"]]}),  # bytes: kind
        sequence_example({"id": 4}, {"tok": [[1], [2.0]]}),  # a float step: kind; free missing
    ]
    t = _tallies(records, [TOK, FREE])
    tok = t["tok"]
    assert (tok.records, tok.present) == (5, 4)
    assert tok.problems == {"missing": 1, "count": 1, "kind:bytes": 1, "kind:float": 1}
    assert tok.bad_counts == {2: 1}
    assert tok.examples == {
        "missing": (("f", 1),),
        "count": (("f", 2),),
        "kind:bytes": (("f", 3),),
        "kind:float": (("f", 4),),
    }
    free = t["free"]
    assert (free.records, free.present, free.problems) == (5, 4, {"missing": 1})
    assert free.examples == {"missing": (("f", 4),)}


def test_sequence_reads_silent_when_every_step_fits() -> None:
    records = [sequence_example({"id": i}, {"tok": [[i], [i + 1]], "free": [[b"a", b"b"]]}) for i in range(3)]
    t = _tallies(records, [TOK, FREE])
    assert (t["tok"].records, t["tok"].present, t["tok"].problems, t["tok"].bad_counts) == (3, 3, {}, {})
    assert (t["free"].present, t["free"].problems) == (3, {})


def test_sequence_read_multiple_of() -> None:
    read = Read("tok", section="sequence", kind="int64", multiple_of=2)
    records = [
        sequence_example({}, {"tok": [[1, 2], [3, 4, 5]]}),
        sequence_example({}, {"tok": [[1, 2, 3, 4]]}),
    ]
    tok = _tallies(records, [read])["tok"]
    assert (tok.present, tok.problems, tok.bad_counts) == (2, {"count": 1}, {3: 1})
    assert tok.examples == {"count": (("f", 0),)}


SPLITS = Read("splits", kind="int64", partition="RowSplits", pair="vals")
VALS = Read("vals", kind="float")
LENS = Read("lens", kind="int64", partition="RowLengths", pair="vals")
IDX = Read("idx", kind="int64", bound=10, pair="sv")
SV = Read("sv", kind="float")


def test_ragged_partitions_and_sparse_pairs() -> None:
    f4 = [0.5, 1.5, 2.5, 3.5]
    records = [
        # fine: splits end at 4, lengths sum to 4, 4 values; 2 indices in [0, 10) for 2 values
        example({"splits": [0, 2, 4], "lens": [3, 1], "vals": f4, "idx": [0, 9], "sv": [1.0, 2.0]}),
        # splits end at 1, lengths sum to 3, for 2 values; 3 indices for 2 values
        example({"splits": [0, 1], "lens": [1, 2], "vals": [1.0, 2.0], "idx": [1, 2, 3], "sv": [1.0, 2.0]}),
        # no values at all: both partitions and the index list account for values that are not there
        example({"splits": [0, 2], "lens": [2], "idx": [4]}),
        # an index out of range (10 is not below the bound)
        example({"splits": [0, 1], "lens": [1], "vals": [1.0], "idx": [3, 10], "sv": [1.0, 2.0]}),
    ]
    t = _tallies(records, [SPLITS, VALS, LENS, IDX, SV], file="g")
    assert (t["splits"].problems, t["splits"].bad_counts) == ({"partition": 2}, {1: 1, 2: 1})
    assert t["splits"].examples == {"partition": (("g", 1), ("g", 2))}
    assert (t["lens"].problems, t["lens"].bad_counts) == ({"partition": 2}, {3: 1, 2: 1})
    assert (t["idx"].problems, t["idx"].bad_counts) == ({"pair": 2, "range": 1}, {3: 1, 1: 1})
    assert t["idx"].examples == {"pair": (("g", 1), ("g", 2)), "range": (("g", 3),)}
    assert (t["vals"].problems, t["vals"].present, t["vals"].records) == ({"missing": 1}, 3, 4)
    assert t["sv"].examples == {"missing": (("g", 2),)}


def test_partition_that_matches_is_silent() -> None:
    records = [example({"splits": [0, 3], "lens": [1, 1, 1], "vals": [1.0, 2.0, 3.0]}) for _ in range(3)]
    t = _tallies(records, [SPLITS, VALS, LENS])
    assert {k: (v.present, v.problems) for k, v in t.items()} == {
        "splits": (3, {}),
        "vals": (3, {}),
        "lens": (3, {}),
    }


def test_counting_goes_on_after_an_extract() -> None:
    """Extract settles the hot loop's counters; the accumulator keeps counting after it."""
    acc = DatasetAccumulator(reads=[VALS])
    add_records(acc, [example({"vals": [1.0]}), example({"other": 1})])
    (first,) = acc.extract().reads
    assert (first.records, first.present, first.problems) == (2, 1, {"missing": 1})
    add_records(acc, [example({"other": 2}), example({"vals": [2.0]})], start=2)
    (second,) = acc.extract().reads
    assert (second.records, second.present, second.problems) == (4, 2, {"missing": 2})
    assert second.examples == {"missing": (("f", 1), ("f", 2))}
