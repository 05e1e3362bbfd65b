"""Benchmark `tfdoctor scan` against TensorFlow's own C++ reader, in the same process run.

    python benchmarks/scan.py [--records 1000000] [--tokens N] [--vectors N] [--images 20000]
                              [--workers N] [--dir DIR] [--skip-python]

Datasets: (1) tabular Examples, 12 scalar and short-list features, 8 shards; (2) token ids,
8-256 int64 per record and a label, 8 shards (--tokens, default records / 4); (3) wide float
vectors, 256 float32 per record and a label, 8 shards (--vectors, default records / 10);
(4) image Examples (JPEG and PNG, 64x64), 4 shards; (5) the tabular records as one large
file (read in 32 MiB parts by all the workers: engines/split.py). For each it times:
  - tfdoctor scan (full statistics, findings), one process and a process pool over shards,
    with the native core (when built) and on the pure-Python path (TFDOCTOR_NATIVE=0);
  - tfdoctor check: the same scan plus the tallies of a parse spec that reads every feature;
  - plain framing + CRC: tfdoctor's reader, and tf.data.TFRecordDataset alone;
  - TensorFlow's path: TFRecordDataset -> batch(1024) -> parse_example(full spec), iterated.
TensorFlow's baseline runs WITHOUT num_parallel_reads: on 2-core machines it makes tf.data
5-40x slower (measured here). tfdoctor runs before TensorFlow is imported, so its process
pool can fork.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tfdoctor.io.tfrecord import Record, TFRecordReader  # noqa: E402
from tfdoctor.io.writer import write_tfrecord  # noqa: E402
from tfdoctor.proto.build import example  # noqa: E402

TABULAR_SHARDS = 8
IMAGE_SHARDS = 4


def tabular_record(rng: random.Random, i: int) -> bytes:
    return example(
        {
            "label": rng.randrange(10),
            "age": rng.uniform(0, 100),
            "income": rng.lognormvariate(10, 1),
            "score": rng.random(),
            "height": rng.gauss(170, 10),
            "weight": rng.gauss(70, 12),
            "clicks": rng.randrange(1000),
            "user_id": i,
            "country": rng.choice([b"us", b"de", b"fr", b"in", b"br", b"jp"]),
            "device": rng.choice([b"ios", b"android", b"web"]),
            "embedding": [rng.random() for _ in range(4)],
            "tags": [rng.randrange(50) for _ in range(rng.randint(1, 3))],
        }
    )


TABULAR_SPEC = {
    "label": ("int64", []),
    "age": ("float", []),
    "income": ("float", []),
    "score": ("float", []),
    "height": ("float", []),
    "weight": ("float", []),
    "clicks": ("int64", []),
    "user_id": ("int64", []),
    "country": ("bytes", []),
    "device": ("bytes", []),
    "embedding": ("float", [4]),
    "tags": ("int64", None),
}
TOKEN_SPEC = {"input_ids": ("int64", None), "label": ("int64", [])}
VECTOR_SPEC = {"embedding": ("float", [256]), "label": ("int64", [])}
IMAGE_SPEC = {"image": ("bytes", []), "label": ("int64", []), "format": ("bytes", [])}


def make_tabular(folder: Path, n: int) -> list[Path]:
    rng = random.Random(0)
    per = n // TABULAR_SHARDS
    paths = []
    for s in range(TABULAR_SHARDS):
        path = folder / f"tab-{s:05d}-of-{TABULAR_SHARDS:05d}"
        write_tfrecord(path, (tabular_record(rng, s * per + i) for i in range(per)))
        paths.append(path)
    return paths


def make_tokens(folder: Path, n: int) -> list[Path]:
    rng = random.Random(2)
    per = n // TABULAR_SHARDS
    paths = []
    for s in range(TABULAR_SHARDS):
        path = folder / f"tok-{s:05d}-of-{TABULAR_SHARDS:05d}"
        write_tfrecord(
            path,
            (
                example(
                    {
                        "input_ids": [rng.randrange(32000) for _ in range(rng.randint(8, 256))],
                        "label": rng.randrange(2),
                    }
                )
                for _ in range(per)
            ),
        )
        paths.append(path)
    return paths


def make_vectors(folder: Path, n: int) -> list[Path]:
    """Wide float vectors: 256 float32 per record (an embedding) and a label."""
    import numpy as np

    rng = np.random.default_rng(3)
    per = n // TABULAR_SHARDS
    paths = []
    for s in range(TABULAR_SHARDS):
        path = folder / f"vec-{s:05d}-of-{TABULAR_SHARDS:05d}"
        block = rng.standard_normal((per, 256)).astype(np.float32).tolist()
        labels = rng.integers(0, 10, per).tolist()
        write_tfrecord(path, (example({"embedding": v, "label": y}) for v, y in zip(block, labels)))
        paths.append(path)
    return paths


def make_images(folder: Path, n: int) -> list[Path]:
    from PIL import Image

    rng = random.Random(1)
    encoded = []
    for k in range(64):
        img = Image.frombytes("RGB", (64, 64), bytes(rng.randrange(256) for _ in range(64 * 64 * 3)))
        buf = io.BytesIO()
        fmt = "JPEG" if k % 2 else "PNG"
        img.save(buf, format=fmt)
        encoded.append((buf.getvalue(), fmt.lower().encode()))
    per = n // IMAGE_SHARDS
    paths = []
    for s in range(IMAGE_SHARDS):
        path = folder / f"img-{s:05d}-of-{IMAGE_SHARDS:05d}"
        recs = []
        for i in range(per):
            data, fmt = encoded[(s * per + i) % len(encoded)]
            recs.append(example({"image": data, "label": rng.randrange(10), "format": fmt}))
        write_tfrecord(path, recs)
        paths.append(path)
    return paths


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def our_framing(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        with p.open("rb") as fh:
            for item in TFRecordReader(fh):
                n += isinstance(item, Record)
    return n


def run_tfdoctor(paths: list[Path], workers: int, native: bool = True) -> int:
    import tfdoctor

    os.environ["TFDOCTOR_NATIVE"] = "1" if native else "0"  # read per file, inherited by the pool

    result = tfdoctor.scan([str(p) for p in paths], workers=workers, config=tfdoctor.Config())
    return result.stats.records


def run_check(paths: list[Path], workers: int, spec: dict[str, tuple[str, list[int] | None]]) -> int:
    import tfdoctor
    from tfdoctor.facts.spec import FeatureSpec, ParseSpec

    dtypes = {"int64": "int64", "float": "float32", "bytes": "string"}
    parse_spec = ParseSpec(
        tuple(
            FeatureSpec(k, "FixedLenFeature" if shape is not None else "VarLenFeature", dtypes[d],
                        shape=tuple(shape) if shape is not None else None)
            for k, (d, shape) in spec.items()
        )
    )  # fmt: skip
    result = tfdoctor.check_spec(
        [str(p) for p in paths], spec=parse_spec, workers=workers, config=tfdoctor.Config()
    )
    assert not [f for f in result.findings if f.where.spec], "the benchmark spec fits its data"
    return result.stats.records


def tf_spec(tf, spec):  # type: ignore[no-untyped-def]
    dtypes = {"int64": tf.int64, "float": tf.float32, "bytes": tf.string}
    return {
        k: tf.io.FixedLenFeature(shape, dtypes[d]) if shape is not None else tf.io.VarLenFeature(dtypes[d])
        for k, (d, shape) in spec.items()
    }


def tf_parse(tf, paths: list[Path], spec) -> int:  # type: ignore[no-untyped-def]
    features = tf_spec(tf, spec)
    ds = tf.data.TFRecordDataset([str(p) for p in paths]).batch(1024)
    ds = ds.map(lambda b: tf.io.parse_example(b, features))
    n = 0
    for batch in ds:
        n += (
            int(next(iter(batch.values())).shape[0])
            if not hasattr(next(iter(batch.values())), "dense_shape")
            else 0
        )
    return n


def tf_read_only(tf, paths: list[Path]) -> int:  # type: ignore[no-untyped-def]
    n = 0
    for _ in tf.data.TFRecordDataset([str(p) for p in paths]).batch(1024):
        n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--tokens", type=int, default=None)
    parser.add_argument("--vectors", type=int, default=None)
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--skip-python", action="store_true", help="leave out the pure-Python path")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="tfdoctor-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, data in {folder}")
    t, tab = timed(lambda: make_tabular(folder, args.records))
    print(f"generated {args.records:,} tabular records in {t:.1f}s")
    n_tokens = args.tokens if args.tokens is not None else args.records // 4
    t, tok = timed(lambda: make_tokens(folder, n_tokens))
    print(f"generated {n_tokens:,} token records in {t:.1f}s")
    n_vectors = args.vectors if args.vectors is not None else args.records // 10
    t, vec = timed(lambda: make_vectors(folder, n_vectors))
    print(f"generated {n_vectors:,} vector records in {t:.1f}s")
    t, img = timed(lambda: make_images(folder, args.images))
    print(f"generated {args.images:,} image records in {t:.1f}s")
    one = folder / "tab-one-file"
    with one.open("wb") as out:
        for path in tab:
            out.write(path.read_bytes())
    from tfdoctor import native

    print(native.describe())
    datasets = {
        "tabular": (tab, TABULAR_SPEC),
        "tokens": (tok, TOKEN_SPEC),
        "vectors": (vec, VECTOR_SPEC),
        "images": (img, IMAGE_SPEC),
        "tabular, one file": ([one], TABULAR_SPEC),
    }
    rows: dict[str, dict[str, float]] = {}
    # tfdoctor first: TensorFlow is not imported yet, so the pool forks cheaply.
    for name, (paths, spec) in datasets.items():
        size = sum(p.stat().st_size for p in paths)
        r: dict[str, float] = {"bytes": size}
        r["framing_s"], r["records"] = timed(lambda: our_framing(paths))
        r["scan1_s"], n1 = timed(lambda: run_tfdoctor(paths, 1))
        r["scanN_s"], nn = timed(lambda: run_tfdoctor(paths, args.workers))
        r["checkN_s"], nc = timed(lambda: run_check(paths, args.workers, spec))
        n1p = nnp = n1
        if not args.skip_python:
            r["scan1_py_s"], n1p = timed(lambda: run_tfdoctor(paths, 1, native=False))
            r["scanN_py_s"], nnp = timed(lambda: run_tfdoctor(paths, args.workers, native=False))
        assert n1 == n1p == nn == nnp == nc == r["records"], (n1, n1p, nn, nnp, nc, r["records"])
        rows[name] = r
    rss_tfdoctor = peak_rss_mb()
    rss_children = peak_rss_mb(resource.RUSAGE_CHILDREN)
    import tensorflow as tf

    for name, (paths, spec) in datasets.items():
        r = rows[name]
        r["tf_read_s"], _ = timed(lambda: tf_read_only(tf, paths))
        r["tf_parse_s"], _ = timed(lambda: tf_parse(tf, paths, spec))
    print(
        f"\npeak RSS: tfdoctor (in-process) {rss_tfdoctor:,.0f} MB, a pool worker {rss_children:,.0f} MB, "
        f"after TensorFlow {peak_rss_mb():,.0f} MB"
    )
    for name, r in rows.items():
        n, mb = r["records"], r["bytes"] / 1e6
        print(f"\n== {name}: {int(n):,} records, {mb:,.1f} MB ==")
        for label, key in [
            ("tfdoctor framing+CRC (1 proc)", "framing_s"),
            ("tf.data TFRecordDataset read", "tf_read_s"),
            ("tfdoctor scan native, 1 process", "scan1_s"),
            ("tfdoctor scan Python, 1 process", "scan1_py_s"),
            (f"tfdoctor scan native, {args.workers} processes", "scanN_s"),
            (f"tfdoctor scan Python, {args.workers} processes", "scanN_py_s"),
            (f"tfdoctor check, {args.workers} processes", "checkN_s"),
            ("tf.data read+batch+parse_example", "tf_parse_s"),
        ]:
            if key not in r:
                continue
            s = r[key]
            print(f"  {label:<36} {s:7.2f}s {n / s:12,.0f} rec/s {mb / s:8.1f} MB/s")
        print(
            f"  ratio scan({args.workers} proc) / TF parse throughput: {r['tf_parse_s'] / r['scanN_s']:.2f}x"
        )
        print(f"  ratio scan(1 proc) / TF parse throughput:  {r['tf_parse_s'] / r['scan1_s']:.2f}x")
        if "scan1_py_s" in r:
            print(
                f"  Python path, same ratios: {r['tf_parse_s'] / r['scanN_py_s']:.2f}x "
                f"({args.workers} proc), "
                f"{r['tf_parse_s'] / r['scan1_py_s']:.2f}x (1 proc); "
                f"native / Python: {r['scan1_py_s'] / r['scan1_s']:.2f}x (1 proc)"
            )
        print(f"  ratio check({args.workers} proc) / TF parse: {r['tf_parse_s'] / r['checkN_s']:.2f}x")
        print(f"  check / scan time ({args.workers} proc):          {r['checkN_s'] / r['scanN_s']:.2f}x")
        print(f"  ratio framing+CRC / TF read throughput:    {r['tf_read_s'] / r['framing_s']:.2f}x")


if __name__ == "__main__":
    main()
