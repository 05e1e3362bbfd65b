"""Ctrl-C during a scan: a real SIGINT delivered to the scanning process at a known point
(after a given file). The scan stops, and the files finished before it are still reported,
marked partial: `tfdoctor.Interrupted` carries the result in the API, the CLI prints it and
exits 130 without writing statistics of a part as if they were the dataset's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import tfdoctor
from tfdoctor.engines.local import InProcessEngine, ProcessPoolEngine
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def _shards(folder: Path, count: int = 6) -> list[str]:
    paths = []
    for k in range(count):
        path = folder / f"part-{k}.tfrecord"
        write_tfrecord(path, [example({"label": k % 2, "x": float(i)}) for i in range(50)])
        paths.append(str(path))
    return paths


def _ctrl_c_after(files: int) -> Any:
    """A progress callback that presses Ctrl-C (SIGINT to this process) once `files` files are done."""
    done: list[str] = []

    def progress(url: str, nbytes: int, records: int, finished: bool) -> None:
        if finished:
            done.append(url)
            if len(done) == files:
                os.kill(os.getpid(), signal.SIGINT)

    return progress


def test_the_api_raises_interrupted_with_the_finished_files(tmp_path: Path) -> None:
    paths = _shards(tmp_path)
    with pytest.raises(tfdoctor.Interrupted) as stopped:
        tfdoctor.scan(paths, engine=InProcessEngine(), progress=_ctrl_c_after(3), config=tfdoctor.Config())
    result = stopped.value.result
    assert isinstance(stopped.value, KeyboardInterrupt)  # a script that does not catch it still stops
    # the third file was being finished when the signal came: two are whole
    assert result.partial.startswith("interrupted (Ctrl-C) after 2 of 6 file(s)")
    assert [f.url for f in result.stats.files] == paths[:2] and result.stats.records == 100
    assert result.to_json()["partial"] == result.partial
    complete = tfdoctor.scan(paths[:2], engine=InProcessEngine(), config=tfdoctor.Config())
    assert complete.partial == "" and complete.to_json()["partial"] is None


def test_a_pool_keeps_the_files_its_workers_finished(tmp_path: Path) -> None:
    paths = _shards(tmp_path, 8)
    with pytest.raises(tfdoctor.Interrupted) as stopped:
        tfdoctor.scan(paths, engine=ProcessPoolEngine(2), progress=_ctrl_c_after(1), config=tfdoctor.Config())
    result = stopped.value.result
    finished = len(result.stats.files)
    assert 1 <= finished < 8 and result.stats.records == 50 * finished
    assert result.partial.startswith(f"interrupted (Ctrl-C) after {finished} of 8 file(s)")


CLI = """
import os, signal, sys
import tfdoctor.engines.split as split  # the in-process engine reads each file through it

original, seen = split.scan_file, []

def scan_file(source, options, progress=None):
    seen.append(source.url)
    if len(seen) == 3:  # Ctrl-C as the third file starts
        os.kill(os.getpid(), signal.SIGINT)
    return original(source, options, progress)

split.scan_file = scan_file
from tfdoctor.cli import main
sys.argv = ["tfdoctor", *sys.argv[1:]]
main()
"""


def test_the_cli_reports_the_part_and_exits_130(tmp_path: Path) -> None:
    paths = _shards(tmp_path)
    stats = tmp_path / "stats.pb"
    done = subprocess.run(
        [sys.executable, "-c", CLI, "scan", *paths, "--workers", "1", "--json", "--stats-out", str(stats)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 130, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["partial"].startswith("interrupted (Ctrl-C) after 2 of 6 file(s)")
    assert report["summary"]["files"] == 2 and report["summary"]["records"] == 100
    assert not stats.exists() and "--stats-out/--schema-out not written" in done.stderr


BROKEN = """
import multiprocessing, sys, warnings
if multiprocessing.parent_process() is not None:
    sys.exit(3)  # a worker cannot run this script's top level (as a training script without a main guard)
from tfdoctor.engines.local import ProcessPoolEngine
import tfdoctor

multiprocessing.set_start_method("spawn")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = tfdoctor.scan(sys.argv[1:], engine=ProcessPoolEngine(2), config=tfdoctor.Config())
print(result.stats.records, len(result.stats.files))
print([str(w.message) for w in caught if "worker processes stopped" in str(w.message)])
"""


def test_a_pool_that_cannot_start_falls_back_to_this_process(tmp_path: Path) -> None:
    paths = _shards(tmp_path, 4)
    script = tmp_path / "train.py"  # a file: spawned workers import it as their __main__
    script.write_text(BROKEN)
    done = subprocess.run([sys.executable, str(script), *paths], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    counts, warned = done.stdout.splitlines()[-2:]
    assert counts == "200 4"  # every file scanned, in this process
    assert "scanning the 4 file(s) they did not finish in this process" in warned
