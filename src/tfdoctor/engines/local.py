"""The local engines: every file in this process, or one file per task in a process pool.
Each task returns a `DatasetAccumulator` for its file; the engine merges them in file order."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from ..io.sources import Source
from ..stats.dataset import DatasetAccumulator
from .file import Progress, ScanOptions, scan_file


class InProcessEngine:
    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        total = DatasetAccumulator(label=options.label, reads=list(options.reads))
        for source in sources:
            total.merge(scan_file(source, options, progress))
        return total


@dataclass(frozen=True)
class ProcessPoolEngine:
    workers: int

    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        results: dict[str, DatasetAccumulator] = {}
        # Forking a process that has imported TensorFlow (a notebook) can deadlock on TF's
        # threads: start clean interpreters then.
        context = multiprocessing.get_context("spawn" if "tensorflow" in sys.modules else None)
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            futures = {pool.submit(scan_file, s, options): s for s in sources}
            for future in as_completed(futures):
                source = futures[future]
                results[source.url] = future.result()
                if progress is not None:
                    facts = results[source.url].files[source.url]
                    progress(source.url, facts.stream_bytes, facts.records, True)
        total = DatasetAccumulator(label=options.label, reads=list(options.reads))
        for source in sources:  # merge in file order: the result must not depend on timing
            total.merge(results[source.url])
        return total


def local_engine(workers: int | None, files: int) -> InProcessEngine | ProcessPoolEngine:
    """workers=None: one process per CPU when there are several files."""
    if workers is None:
        workers = min(files, os.cpu_count() or 1)
    return ProcessPoolEngine(workers) if workers > 1 and files > 1 else InProcessEngine()


__all__ = ["InProcessEngine", "ProcessPoolEngine", "local_engine"]
