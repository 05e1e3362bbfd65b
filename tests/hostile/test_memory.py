"""Memory amplification (issue 15): a large record costs about two copies of itself at the
peak (its bytes, and protobuf's parse of them), not seven; many features cost a few KB each.
Measured in a fresh interpreter (peak RSS after the imports, so the bound is on the scan)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

# VmHWM, the peak RSS of this process image: ru_maxrss would carry the parent's peak over
# fork and exec (a pytest process with TensorFlow loaded), hiding the scan's own.
_PROBE = """
import json, os, sys
from tfdoctor.engines.file import ScanOptions, scan_file
from tfdoctor.facts.inputs import InputFacts
from tfdoctor.io.sources import Source

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

path = sys.argv[1]
before = peak()
stats = scan_file(Source(path, os.path.getsize(path)), ScanOptions()).extract(InputFacts())
print(json.dumps({"grew": peak() - before, "records": stats.records, "features": len(stats.features)}))
"""
pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")


def peak_growth(path: Path) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_a_large_record_costs_about_two_copies(tmp_path: Path) -> None:
    size = 64 << 20
    path = tmp_path / "big.tfrecord"
    write_tfrecord(path, [example({"blob": os.urandom(size), "label": 1})])
    seen = peak_growth(path)
    assert seen["records"] == 1
    # was ~7x (buffer join, a slice, the parse, the values, a latin-1 str and the top-values
    # sketch each held a copy); now the record's bytes and protobuf's copy, then the values
    assert seen["grew"] < 2.7 * size, seen["grew"] / size


def test_many_features_cost_a_few_kb_each(tmp_path: Path) -> None:
    features = 20_000
    path = tmp_path / "wide.tfrecord"
    write_tfrecord(path, [example({f"f{i:05d}": float(i + r) for i in range(features)}) for r in range(3)])
    seen = peak_growth(path)
    assert seen["features"] == features
    assert seen["grew"] / features < 12_000, seen["grew"] / features


@pytest.mark.parametrize("native_on", ["1", "0"])
def test_peak_memory_does_not_grow_with_the_data(tmp_path: Path, native_on: str) -> None:
    """Statistics are bounded accumulators (tables per flush, capped sketches, summaries):
    scanning twice the records (token ids of a 32,000-word vocabulary, labels, a wide float
    list) costs the same memory at the peak, on the native and the Python path."""
    import random

    rng = random.Random(6)
    records = [
        example(
            {
                "input_ids": [rng.randrange(32000) for _ in range(rng.randint(8, 128))],
                "emb": [rng.random() for _ in range(64)],
                "label": rng.randrange(5),
            }
        )
        for _ in range(20000)
    ]
    one, two = tmp_path / "one.tfrecord", tmp_path / "two.tfrecord"
    write_tfrecord(one, records)
    write_tfrecord(two, records + records[::-1])
    env = {**os.environ, "TFDOCTOR_NATIVE": native_on}
    grew = []
    for path in (one, two):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
            env=env,
        )
        grew.append(json.loads(out.stdout)["grew"])
    size = two.stat().st_size - one.stat().st_size  # the bytes the second file adds (about 10 MB)
    # measured: +0.5 MB (native), +2.5 MB (Python path, protobuf 4.25); holding the values
    # would cost several times the bytes (Python objects)
    assert grew[1] - grew[0] < 0.5 * size, (grew, size)
