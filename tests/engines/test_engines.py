"""The engine seam: every engine runs `scan_file` per file and merges, so the result does
not depend on the engine, the process, or the order the files are merged in."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tfdoctor
from tfdoctor.engines.base import Engine
from tfdoctor.engines.file import Progress, ScanOptions, scan_file
from tfdoctor.engines.local import POOL_MIN_BYTES, InProcessEngine, ProcessPoolEngine, local_engine
from tfdoctor.io.sources import Source
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.stats.dataset import DatasetAccumulator


class ReversedEngine:
    """Merges the files last first: an engine (Beam, say) gives no order guarantee."""

    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        total = DatasetAccumulator(label=options.label, reads=list(options.reads))
        for source in reversed(list(sources)):
            total.merge(scan_file(source, options, progress))
        return total


def _shards(folder: Path) -> list[str]:
    paths = []
    for k in range(3):
        records = [
            example({"label": (i // 7 + k) % 3, "x": float(i * k), "tag": b"t%d" % (i % 5)})
            for i in range(40)
        ]
        path = folder / f"part-{k}.tfrecord"
        write_tfrecord(path, records)
        paths.append(str(path))
    return paths


def _json(result: Any) -> Any:
    return result.to_json()


def test_every_engine_gives_the_same_result(tmp_path: Path) -> None:
    paths = _shards(tmp_path)
    engines: list[Engine] = [InProcessEngine(), ProcessPoolEngine(2), ReversedEngine()]
    results = [_json(tfdoctor.scan(paths, engine=e, config=tfdoctor.Config())) for e in engines]
    assert results[0]["summary"]["records"] == 120 and results[0]["label_order"]["records"] == 120
    assert results[1] == results[0] and results[2] == results[0]


def test_local_engine_choice() -> None:
    assert isinstance(local_engine(None, 1), InProcessEngine)
    assert isinstance(local_engine(1, 8), InProcessEngine)
    assert local_engine(2, 8) == ProcessPoolEngine(2)
    # many small files: a pool costs more than it saves, unless asked for
    assert isinstance(local_engine(None, 2000, total_bytes=POOL_MIN_BYTES - 1), InProcessEngine)
    assert local_engine(2, 2000, total_bytes=1000) == ProcessPoolEngine(2)
    large = local_engine(None, 8, total_bytes=POOL_MIN_BYTES)
    assert isinstance(large, ProcessPoolEngine if (os.cpu_count() or 1) > 1 else InProcessEngine)


UNGUARDED = """\
import sys
import tensorflow as tf  # imported first, as in a training script: a pool would have to spawn
import tfdoctor

print("top-level code ran")
result = tfdoctor.scan(sys.argv[1:], config=tfdoctor.Config())
print("records", result.stats.records)
"""


def test_a_script_without_a_main_guard_is_not_run_again_by_workers(tf: Any, tmp_path: Path) -> None:
    """With TensorFlow imported, a process pool must spawn, and spawned workers import the
    caller's script: without `if __name__ == "__main__":` they would run it again (and fail
    with multiprocessing's bootstrapping error). The scan stays in this process instead."""
    import subprocess
    import sys

    script = tmp_path / "train.py"
    script.write_text(UNGUARDED)
    done = subprocess.run(
        [sys.executable, str(script), *_shards(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("top-level code ran") == 1 and "records 120" in done.stdout


def test_spawn_reruns_main_reads_the_guard(tmp_path: Path, monkeypatch: Any) -> None:
    import sys
    import types

    from tfdoctor.engines.local import spawn_reruns_main

    monkeypatch.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    for source, reruns in [
        ("import tfdoctor\ntfdoctor.scan('x')\n", True),
        ("def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n", False),
        ("if '__main__' == __name__:\n    pass\n", False),
    ]:
        script = tmp_path / "script.py"
        script.write_text(source)
        main = types.ModuleType("__main__")
        main.__file__ = str(script)
        main.__spec__ = None
        monkeypatch.setitem(sys.modules, "__main__", main)
        assert spawn_reruns_main() is reruns, source
        pooled = not reruns and (os.cpu_count() or 1) > 1
        assert isinstance(local_engine(None, 8), ProcessPoolEngine if pooled else InProcessEngine)
    monkeypatch.delitem(sys.modules, "tensorflow")
    assert spawn_reruns_main() is False  # no TensorFlow: the pool forks, nothing runs again
