"""The scan's progress line: rate, bytes of the total and time left, once the scan is listed."""

from __future__ import annotations

import io
import time
from pathlib import Path

from rich.console import Console

import tfdoctor
from tfdoctor.cli import _ScanProgress
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def test_the_line_shows_rate_share_and_time_left() -> None:
    shown = _ScanProgress(Console(file=io.StringIO(), force_terminal=True, width=200))
    shown.expect(40_000_000, 4)
    shown._start = time.perf_counter() - 2.0  # two seconds in: the line is shown
    shown("a.tfrecord", 10_000_000, 50_000, False)
    (task,) = shown._progress.tasks
    assert task.total == 4
    assert "50,000 records · " in task.description and "10 of 40 MB · about " in task.description
    seconds = float(task.description.rsplit("about ", 1)[1].split(" s left")[0].replace(",", ""))
    assert 5.0 <= seconds <= 7.0  # 30 MB left at about 5 MB/s
    shown.stop()


def test_a_scan_tells_the_progress_what_it_will_read(tmp_path: Path) -> None:
    paths = []
    for k in range(3):
        path = tmp_path / f"p{k}.tfrecord"
        write_tfrecord(path, [example({"x": float(i)}) for i in range(10)])
        paths.append(str(path))
    told: list[tuple[int | None, int]] = []

    class Listening:
        def expect(self, total: int | None, files: int) -> None:
            told.append((total, files))

        def __call__(self, url: str, nbytes: int, records: int, done: bool) -> None:
            pass

    tfdoctor.scan(paths, progress=Listening(), config=tfdoctor.Config(), workers=1)
    assert told == [(sum(Path(p).stat().st_size for p in paths), 3)]
