"""Deterministic output (issue 15, item 7): the same files give byte-identical `scan --json`,
sketches included, on repeated runs and with one worker or a pool of two. The data is big
enough that every sketch leaves its exact mode (quantiles past 1,024 distinct values, HLL,
frequent items past their ~96 tracked values)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.stats.quantiles import EXACT_DISTINCT


def dataset(folder: Path) -> Path:
    rng = random.Random(7)
    for k in range(3):
        records = [
            example(
                {
                    "x": [rng.gauss(0.0, 1.0) for _ in range(4)],  # 12,000 distinct floats a file
                    "n": rng.randint(0, 10**6),
                    "tokens": [rng.randint(0, 5000) for _ in range(rng.randint(1, 20))],
                    "label": rng.randint(0, 1),
                }
            )
            for _ in range(3000)
        ]
        write_tfrecord(folder / f"part-{k}.tfrecord", records)
    return folder


def scan_json(folder: Path, *extra: str) -> str:
    res = CliRunner().invoke(app, ["scan", str(folder), "--json", *extra])
    assert res.exit_code in (0, 1), res.output
    return res.stdout


def test_same_data_same_json(tmp_path: Path) -> None:
    folder = dataset(tmp_path)
    first = scan_json(folder, "--workers", "1")
    assert scan_json(folder, "--workers", "1") == first
    assert scan_json(folder, "--workers", "2") == first  # a process pool: pickled, merged in file order
    features = {f["name"]: f for f in json.loads(first)["features"]}
    assert features["x"]["numeric"]["count"] == 36_000 > EXACT_DISTINCT
    assert abs(features["x"]["numeric"]["quantiles"]["q50"]) < 0.05
    assert features["label"]["numeric"]["quantiles"]["q50"] in (0.0, 1.0)
