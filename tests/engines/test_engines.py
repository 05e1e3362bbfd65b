"""The engine seam: every engine runs `scan_file` per file and merges, so the result does
not depend on the engine, the process, or the order the files are merged in."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tfdoctor
from tfdoctor.engines.base import Engine
from tfdoctor.engines.file import Progress, ScanOptions, scan_file
from tfdoctor.engines.local import InProcessEngine, ProcessPoolEngine, local_engine
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
