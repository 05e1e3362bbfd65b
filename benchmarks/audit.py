"""Benchmark `tfdoctor.audit` on a pipeline over ~1 GB of TFRecords, against pulling the same
batches straight from tf.data, in the same process run.

    python benchmarks/audit.py [--gb 1.0] [--batches 20] [--dir DIR]

The data: 8 shards of 128 KB records (random bytes + a label). The pipeline:
TFRecordDataset(files) -> map(parse: decode_raw + reshape) -> shuffle(256) -> batch(16) -> prefetch.
The baseline pulls `--batches` batches from a freshly built copy; TensorFlow's own reader is
also timed over all the bytes, for scale. No num_parallel_reads: on 2-core machines it makes
tf.data slower (measured here).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tfdoctor.io.writer import write_tfrecord  # noqa: E402
from tfdoctor.proto.build import example  # noqa: E402

SHARDS = 8
RECORD_BYTES = 128 * 1024


def make(folder: Path, gb: float) -> list[str]:
    per = int(gb * 1e9 / RECORD_BYTES / SHARDS)
    paths = []
    for s in range(SHARDS):
        path = folder / f"big-{s:05d}-of-{SHARDS:05d}"
        write_tfrecord(path, (example({"data": os.urandom(RECORD_BYTES), "label": (s * per + i) % 10})
                              for i in range(per)))  # fmt: skip
        paths.append(str(path))
    return paths


def build(tf, files):  # type: ignore[no-untyped-def]
    spec = {"data": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}

    def parse(serialized):  # type: ignore[no-untyped-def]
        ex = tf.io.parse_single_example(serialized, spec)
        return tf.reshape(tf.io.decode_raw(ex["data"], tf.uint8), [128, 1024]), ex["label"]

    return tf.data.TFRecordDataset(files).map(parse).shuffle(256).batch(16).prefetch(1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="tfdoctor-audit-"))
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    files = make(folder, args.gb)
    size = sum(Path(f).stat().st_size for f in files)
    print(f"cores: {os.cpu_count()}; {size / 1e9:.2f} GB in {len(files)} shards, written in "
          f"{time.perf_counter() - start:.1f}s")  # fmt: skip

    import tensorflow as tf

    import tfdoctor

    for _ in range(2):  # warm up TensorFlow and the page cache, both ways
        list(build(tf, files).take(2))
    start = time.perf_counter()
    for _ in tf.data.TFRecordDataset(files).batch(64):
        pass
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in build(tf, files).take(args.batches):
        pass
    pull_s = time.perf_counter() - start
    start = time.perf_counter()
    result = tfdoctor.audit(build(tf, files), batches=args.batches, config=tfdoctor.Config())
    audit_s = time.perf_counter() - start
    assert result.probe is not None and result.probe.batches == args.batches
    print(
        f"TF TFRecordDataset read of all {size / 1e9:.2f} GB: {read_s:.2f}s ({size / 1e6 / read_s:,.0f} MB/s)"
    )
    print(f"tf.data, pull {args.batches} batches:           {pull_s:.2f}s")
    print(f"tfdoctor.audit, {args.batches} batches:         {audit_s:.2f}s  ({result.source_note}; "
          f"probe {result.probe.seconds:.2f}s)")  # fmt: skip
    print(f"audit overhead over pulling the batches:   {audit_s - pull_s:+.2f}s ({audit_s / pull_s:.2f}x)")
    print("findings:", sorted({f.code for f in result.findings}))


if __name__ == "__main__":
    main()
