"""Hostile data files through `tfdoctor scan --json`, each in a fresh interpreter: wall time,
peak RSS, exit code, records counted and the finding codes. Pass a source tree to compare
(a checkout of an older commit's `src`), e.g. for the before/after table of issue 15:

    git worktree add /tmp/before <commit>   # or: git archive <commit> src | tar -x -C /tmp/before
    python benchmarks/hostile_data.py /tmp/before/src src
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

# VmHWM (Linux): ru_maxrss would carry this parent's peak over fork and exec.
_RUN = """
import sys
sys.path.insert(0, sys.argv[1])
sys.argv = ["tfdoctor", "scan", *sys.argv[2:], "--json", "--workers", "1"]
from tfdoctor.cli import main
try:
    main()
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\nPEAK_KB {peak}\\n")
"""


def _frame(payload: bytes) -> bytes:
    from tfdoctor.io.tfrecord import frame

    return frame(payload)


def _example(features: dict[str, object]) -> bytes:
    from tfdoctor.proto.build import example

    return example(features)  # type: ignore[arg-type]


def _gzip(data: bytes) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    return z.compress(data) + z.flush()


def _records(n: int) -> bytes:
    rng = random.Random(1)
    return b"".join(_frame(_example({"x": rng.random(), "blob": rng.randbytes(2000)})) for _ in range(n))


def cut_gzip(folder: Path) -> Path:
    data = _gzip(_records(400))
    path = folder / "cut.tfrecord.gz"
    path.write_bytes(data[: len(data) * 3 // 4])
    return path


def gzip_bad_trailer(folder: Path) -> Path:
    data = bytearray(_gzip(_records(400)))
    data[-6] ^= 0x55
    path = folder / "trailer.tfrecord.gz"
    path.write_bytes(bytes(data))
    return path


def gzip_zero_padding(folder: Path) -> Path:
    path = folder / "padded.tfrecord.gz"
    path.write_bytes(_gzip(_records(400)) + bytes(512))
    return path


def plain_cut_in_header(folder: Path) -> Path:
    data = _records(400)
    path = folder / "cut-header.tfrecord"
    path.write_bytes(data + _frame(b"next")[:5])
    return path


def one_large_record(folder: Path) -> Path:
    path = folder / "large.tfrecord"
    path.write_bytes(_frame(_example({"blob": os.urandom(100 << 20), "label": 1})))
    return path


def wide_records(folder: Path) -> Path:
    rng = random.Random(2)
    path = folder / "wide.tfrecord"
    path.write_bytes(
        b"".join(_frame(_example({f"f{i:05d}": rng.random() for i in range(20_000)})) for _ in range(5))
    )
    return path


def repeating_garbage(folder: Path) -> Path:
    path = folder / "garbage.tfrecord"
    path.write_bytes(_records(10) + b"\x01\x00\x00\x00\x00\x00\x00\x00" * (1 << 20) + _records(10))
    return path


def keyless_entry(folder: Path) -> Path:
    def field(number: int, data: bytes) -> bytes:
        return bytes([number << 3 | 2, len(data)]) + data

    feature = field(3, field(1, b"\x07"))
    keyless = field(1, field(1, field(1, b"label") + field(2, feature)) + field(1, field(2, feature)))
    path = folder / "keyless.tfrecord"
    path.write_bytes(_records(10) + _frame(keyless))
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    "GZIP cut at 3/4": cut_gzip,
    "GZIP, corrupt trailer": gzip_bad_trailer,
    "GZIP + 512 zero bytes": gzip_zero_padding,
    "plain, ends 5 bytes into a header": plain_cut_in_header,
    "one 100 MB record": one_large_record,
    "20,000 features x 5 records": wide_records,
    "8 MB of 01 00 00 00 00 00 00 00": repeating_garbage,
    "a map entry without its key": keyless_entry,
}


def run(src: str, path: Path) -> dict[str, object]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _RUN, src, str(path)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_KB")]
    out: dict[str, object] = {"rc": proc.returncode, "s": round(seconds, 2)}
    out["peak_mb"] = round(int(peak[-1].split()[1]) / 1024) if peak else None
    try:
        report = json.loads(proc.stdout)
        out["records"] = report["summary"]["records"]
        out["codes"] = sorted({f"{f['code']}:{f['severity'][0]}" for f in report["findings"]})
    except (ValueError, KeyError):
        out["error"] = proc.stderr.strip().splitlines()[-3:]
    return out


def determinism(src: str, data: Path) -> int:
    """Distinct `scan --json` outputs over 4 runs of the same 36,000 float values."""
    rng = random.Random(3)
    data.mkdir()
    for k in range(3):
        records = [
            _example({"x": [rng.gauss(0, 1) for _ in range(4)], "label": rng.randint(0, 1)})
            for _ in range(3000)
        ]
        (data / f"part-{k}.tfrecord").write_bytes(b"".join(_frame(r) for r in records))
    outs = {
        subprocess.run([sys.executable, "-c", _RUN, src, str(data)], capture_output=True).stdout
        for _ in range(4)
    }
    return len(outs)


def main() -> None:
    trees = sys.argv[1:] or ["src"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {name: make(folder) for name, make in CASES.items()}
        for name, path in paths.items():
            print(name)
            for src in trees:
                print(f"  {src}: {run(src, path)}")
        for k, src in enumerate(trees):
            print(f"distinct JSON over 4 runs ({src}): {determinism(src, folder / f'det{k}')}")


if __name__ == "__main__":
    main()
