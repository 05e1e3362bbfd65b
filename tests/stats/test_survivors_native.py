"""Read tallies through the native core's block path (`ReadsAccumulator.add_block`), worked
out from the records written here and compared with the pure-Python path's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdoctor import native
from tfdoctor.engines.file import ScanOptions, scan_file
from tfdoctor.facts.reads import MAX_EXAMPLES, Read
from tfdoctor.io.sources import Source
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

SPLITS = Read("splits", kind="int64", partition="RowSplits", pair="vals")
LENS = Read("lens", kind="int64", partition="RowLengths", pair="vals")
VALS = Read("vals", kind="float")


def _tallies(
    path: Path, reads: tuple[Read, ...]
) -> dict[str, tuple[int, int, dict[str, int], dict[int, int]]]:
    acc = scan_file(Source(url=str(path), size=path.stat().st_size), ScanOptions(reads=reads))
    return {t.read.key: (t.records, t.present, t.problems, t.bad_counts) for t in acc.extract().reads}


@pytest.mark.parametrize("flag", ["1", "0"])
def test_partition_key_absent_from_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    if flag == "1" and not native.available():
        pytest.skip("native core not built")
    monkeypatch.setenv("TFDOCTOR_NATIVE", flag)
    path = tmp_path / "r.tfrecord"
    n = 20
    write_tfrecord(path, [example({"vals": [1.0, 2.0]}) for _ in range(n)])
    t = _tallies(path, (SPLITS, LENS, VALS))
    assert t == {
        "splits": (n, 0, {"missing": n}, {}),
        "lens": (n, 0, {"missing": n}, {}),
        "vals": (n, n, {}, {}),
    }
    acc = scan_file(Source(url=str(path), size=path.stat().st_size), ScanOptions(reads=(SPLITS,)))
    (tally,) = acc.extract().reads
    assert tally.examples == {"missing": tuple((str(path), i) for i in range(MAX_EXAMPLES))}


@pytest.mark.parametrize("flag", ["1", "0"])
def test_partition_key_in_some_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str) -> None:
    if flag == "1" and not native.available():
        pytest.skip("native core not built")
    monkeypatch.setenv("TFDOCTOR_NATIVE", flag)
    path = tmp_path / "s.tfrecord"
    records = [
        example({"vals": [1.0, 2.0, 3.0], "splits": [0, 1, 3], "lens": [2, 1]}),  # fine
        example({"vals": [1.0]}),  # no partitions
        example({"vals": [1.0], "splits": [0, 2], "lens": [3]}),  # splits 2, lengths 3: 1 value
        example({"splits": [0, 1], "lens": [1]}),  # 1 row of 1 value: none there
    ]
    write_tfrecord(path, records)
    t = _tallies(path, (SPLITS, LENS, VALS))
    assert t == {
        "splits": (4, 3, {"missing": 1, "partition": 2}, {2: 1, 1: 1}),
        "lens": (4, 3, {"missing": 1, "partition": 2}, {3: 1, 1: 1}),
        "vals": (4, 3, {"missing": 1}, {}),
    }


@pytest.mark.parametrize("flag", ["1", "0"])
def test_label_lists_of_two_values_are_not_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    """`add` takes a record's label only where it holds one value; the core's fast path (every
    record one value) must not take lists of two."""
    if flag == "1" and not native.available():
        pytest.skip("native core not built")
    monkeypatch.setenv("TFDOCTOR_NATIVE", flag)
    path = tmp_path / "l.tfrecord"
    write_tfrecord(path, [example({"label": [i % 3, 1], "x": 1.0}) for i in range(12)])
    pairs = scan_file(Source(url=str(path), size=path.stat().st_size), ScanOptions()).extract()
    assert (pairs.label_orders["label"].records, pairs.label_orders["label"].classes) == (0, {})
    write_tfrecord(path, [example({"label": i % 3, "x": 1.0}) for i in range(12)])
    ones = scan_file(Source(url=str(path), size=path.stat().st_size), ScanOptions()).extract()
    assert ones.label_orders["label"].classes == {"0": 4, "1": 4, "2": 4}
    assert ones.label_orders["label"].runs == 12
