"""How one large TFRecord file's scan scales with the workers reading its parts (engines/split.py).

    python benchmarks/split_scaling.py [--records 4000000] [--workers 1,2,4,8] [--dir DIR] [--tf]

Writes one uncompressed file of tabular Examples (the 12 features of benchmarks/scan.py;
50,000 distinct records repeated, which changes nothing for the reading), then times
`tfdoctor.scan` on it with each worker count (the file is read in 32 MiB parts whatever the
count, so every run computes the same statistics: the script checks they agree), and with
--tf TensorFlow's `TFRecordDataset -> batch(1024) -> parse_example` on one core's worth of
reading (without num_parallel_reads: one file), in the same process run, after tfdoctor (so
the pool forks before TensorFlow is imported).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan import TABULAR_SPEC, tabular_record, tf_parse  # noqa: E402

from tfdoctor.io.tfrecord import frame  # noqa: E402

DISTINCT = 50_000


def make_file(path: Path, records: int) -> None:
    rng = random.Random(0)
    block = b"".join(frame(tabular_record(rng, i)) for i in range(DISTINCT))
    with path.open("wb") as out:
        for _ in range(records // DISTINCT):
            out.write(block)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=4_000_000)
    parser.add_argument("--workers", default="1,2,4,8")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--tf", action="store_true", help="time TensorFlow's parse_example too")
    args = parser.parse_args()
    import tfdoctor
    from tfdoctor import native

    folder = args.dir or Path(tempfile.mkdtemp(prefix="tfdoctor-split-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "one.tfrecord"
    if not path.exists():
        start = time.perf_counter()
        make_file(path, args.records)
        print(f"wrote {path.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - start:.1f}s")
    size = path.stat().st_size
    print(f"cores: {os.cpu_count()}, {native.describe()}")
    baseline = None
    stats = None
    for workers in [int(w) for w in args.workers.split(",")]:
        start = time.perf_counter()
        result = tfdoctor.scan([str(path)], workers=workers, config=tfdoctor.Config())
        seconds = time.perf_counter() - start
        if stats is None:
            stats = result.stats
        assert result.stats == stats, "the same parts give the same statistics, whatever the workers"
        baseline = baseline or seconds
        records = result.stats.records
        print(
            f"  {workers:>2} worker(s): {seconds:6.2f}s {records / seconds:12,.0f} rec/s "
            f"{size / 1e6 / seconds:8.1f} MB/s  speed-up {baseline / seconds:4.2f}x"
        )
    if args.tf:
        import tensorflow as tf

        start = time.perf_counter()
        tf_parse(tf, [path], TABULAR_SPEC)
        seconds = time.perf_counter() - start
        print(f"  TensorFlow parse_example: {seconds:6.2f}s {size / 1e6 / seconds:8.1f} MB/s")


if __name__ == "__main__":
    main()
