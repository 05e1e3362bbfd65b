"""How reading and checking a parse spec grows with its size: a spec file of N keys read by
AST (never run) and checked against a small dataset, for N = 1,250 .. 10,000. Linear growth
doubles the time with N; the reader was quadratic before (ast.get_source_segment split the
file per node; the tally was a linear search per key). No TensorFlow path does this, so no
ratio to TensorFlow is printed here.

    python benchmarks/spec_reader.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import tfdoctor
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.spec.from_source import read_source


def _spec(folder: Path, keys: int) -> Path:
    entries = "".join(
        f"    'k{i}': tf.io.FixedLenFeature([], tf.int64, default_value=0),\n" for i in range(keys)
    )
    path = folder / f"spec{keys}.py"
    path.write_text("import tensorflow as tf\nSPEC = {\n" + entries + "}\n")
    return path


def _best(run: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "data.tfrecord"
        write_tfrecord(data, [example({"k0": i, "k1": i}) for i in range(50)])
        previous = None
        print(f"{'keys':>6} {'read s':>8} {'check s':>8} {'x previous':>10}")
        for keys in (1250, 2500, 5000, 10000):
            spec = _spec(folder, keys)
            read = _best(lambda: read_source(spec))
            check = _best(lambda: tfdoctor.check_spec(str(data), spec=str(spec), config=tfdoctor.Config()), 1)
            growth = f"{check / previous:10.2f}" if previous else f"{'':>10}"
            print(f"{keys:>6} {read:8.3f} {check:8.3f} {growth}")
            previous = check


if __name__ == "__main__":
    main()
