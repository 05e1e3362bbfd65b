"""`--sample`: a uniform, seeded sample of records across every shard, with the estimates
within their error on data of known distribution, a label-sorted shard still detected,
corruption inside the windows reported at its exact offset and no false problem where a
window enters mid-record."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.engines.sample import Sample, SampleError, parse_sample
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

SHARDS, PER_SHARD, SORTED = 8, 5000, 3


def _dataset(folder: Path) -> list[str]:
    """8 shards of Examples {label: 4 classes uniform, x: normal(10, 2)}; shard 3 sorted by label."""
    rng = random.Random(11)
    paths = []
    for k in range(SHARDS):
        labels = [rng.randrange(4) for _ in range(PER_SHARD)]
        if k == SORTED:
            labels.sort()
        path = folder / f"part-{k}.tfrecord"
        write_tfrecord(path, [example({"label": label, "x": rng.gauss(10.0, 2.0)}) for label in labels])
        paths.append(str(path))
    return paths


def test_parse_sample() -> None:
    assert parse_sample("1%") == Sample(fraction=0.01)
    assert parse_sample(" 0.5 % ") == Sample(fraction=0.005)
    assert parse_sample("100000") == Sample(records=100_000)
    assert parse_sample("1_000") == Sample(records=1000)
    for bad in ("0%", "101%", "abc", "-5", "0", "1e3"):
        with pytest.raises(SampleError):
            parse_sample(bad)


def test_a_sample_estimates_within_its_error_and_sees_the_sorted_shard(tmp_path: Path) -> None:
    paths = _dataset(tmp_path)
    result = tfdoctor.scan(paths, label="label", sample="2%", workers=1, config=tfdoctor.Config())
    report = result.to_json()
    total = SHARDS * PER_SHARD
    sample = report["summary"]["sample"]
    read = sample["records_read"]
    assert 0.015 * total <= read <= 0.04 * total and read == result.stats.records
    assert abs(sample["estimated_records"] - total) <= 0.01 * total  # equal-sized records: near exact
    x = next(f for f in report["features"] if f["name"] == "x")["numeric"]
    assert abs(x["mean"] - 10.0) < 4 * 2.0 / read**0.5 and abs(x["std"] - 2.0) < 0.15
    # label shares: a cluster sample; the sorted shard (1/8 of the data) gives windows of one label,
    # which can shift a share by up to about 1/8 * 3/4 beyond a simple random sample's 3 sigma
    shares = {k: v / read for k, v in report["label_order"]["classes"].items()}
    bound = 0.75 / SHARDS + 3 * (0.25 * 0.75 / read) ** 0.5
    assert all(abs(share - 0.25) < bound for share in shares.values()), (shares, bound)
    runs = {Path(url).name: counts for url, counts in report["label_order"]["files"].items()}
    for name, (_records, seen, expected) in runs.items():
        if name == f"part-{SORTED}.tfrecord":
            assert seen / expected < 0.1, (name, seen, expected)  # sorted: a handful of runs
        else:
            assert seen / expected > 0.7, (name, seen, expected)  # shuffled: about as many as expected
    again = tfdoctor.scan(paths, label="label", sample="2%", workers=1, config=tfdoctor.Config()).to_json()
    assert again == report  # seeded: the same sample every run
    full = tfdoctor.scan(paths, label="label", workers=1, config=tfdoctor.Config()).to_json()
    assert full["summary"]["sample"] is None and full["summary"]["records"] == total


def test_a_record_count_sample_and_compressed_files(tmp_path: Path) -> None:
    paths = _dataset(tmp_path)
    counted = tfdoctor.scan(paths, sample="2000", workers=1, config=tfdoctor.Config()).to_json()
    assert 1800 <= counted["summary"]["sample"]["records_read"] <= 3000  # records of varying size: about
    gz = tmp_path / "gz" / "part.tfrecord.gz"
    gz.parent.mkdir()
    write_tfrecord(gz, [example({"x": float(i)}) for i in range(500)], compression="gzip")
    whole = tfdoctor.scan([str(gz)], sample="1%", config=tfdoctor.Config()).to_json()
    assert whole["summary"]["records"] == 500 and whole["summary"]["sample"] is None  # read whole


def test_corruption_in_a_window_is_exact_and_window_entries_are_not_problems(tmp_path: Path) -> None:
    records = [example({"x": float(i), "pad": b"p" * (i % 37)}) for i in range(5000)]
    path = tmp_path / "one.tfrecord"
    write_tfrecord(path, records)
    data = bytearray(path.read_bytes())
    offset = sum(len(r) + 16 for r in records[:10])  # record 10: inside the head window
    data[offset + 12 + 3] ^= 0xFF  # a payload byte: its data CRC fails
    path.write_bytes(bytes(data))
    result = tfdoctor.scan([str(path)], sample="5%", config=tfdoctor.Config())
    (facts,) = result.stats.files
    assert facts.problem_counts == {"corrupt-data": 1}, (
        facts.problem_counts
    )  # windows entered mid-record: none
    (full,) = tfdoctor.scan([str(path)], config=tfdoctor.Config()).stats.files
    assert [p.offset for p in facts.problems] == [
        p.offset for p in full.problems
    ]  # the offset a full scan gives
    (corrupt,) = [f for f in result.findings if f.code == "TFD101"]
    assert (
        "These are in the sampled windows (" in corrupt.message
        and "the file may hold more" in corrupt.message
    )


def test_the_cli_says_the_figures_are_estimates(tmp_path: Path) -> None:
    paths = _dataset(tmp_path)
    res = CliRunner().invoke(app, ["scan", *paths, "--sample", "1%", "--workers", "1"])
    text = " ".join(res.output.split())
    assert res.exit_code == 0 and "Sample: " in text and "every figure below is an estimate from them" in text
    res = CliRunner().invoke(app, ["scan", *paths, "--sample", "1%", "--json"])
    assert json.loads(res.stdout)["summary"]["sample"]["files_sampled"] == SHARDS
    bad = CliRunner().invoke(app, ["scan", *paths, "--sample", "lots"])
    assert bad.exit_code == 2 and "give a percentage" in bad.output
