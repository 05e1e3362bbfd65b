"""The local engines: every file in this process, or one file (or one part of a large file:
engines/split.py) per task in a process pool. Each task returns a `DatasetAccumulator`; the
engine merges them in file order."""

from __future__ import annotations

import ast
import multiprocessing
import os
import sys
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..io.sources import Source
from ..stats.dataset import DatasetAccumulator
from .base import ScanInterrupted
from .file import SPLIT_BYTES, Progress, ScanOptions, Span, scan_file
from .split import joined, plan, scan_source


class InProcessEngine:
    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        total = DatasetAccumulator(label=options.label, reads=list(options.reads))
        for done, source in enumerate(sources):
            try:
                part = scan_source(source, options, progress)
            except KeyboardInterrupt:  # the files before this one are whole: they are the report
                raise ScanInterrupted(total, done, len(sources)) from None
            total.merge(part)
        return total


@dataclass(frozen=True)
class ProcessPoolEngine:
    workers: int

    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        spans = {s.url: plan(s, options) for s in sources}
        if sum(len(parts) for parts in spans.values()) < 2:  # one compressed file, say: no pool to start
            return InProcessEngine().scan(sources, options, progress)
        results: dict[str, DatasetAccumulator] = {}
        # Forking a process that has imported TensorFlow (a notebook) can deadlock on TF's
        # threads: start clean interpreters then.
        context = multiprocessing.get_context("spawn" if "tensorflow" in sys.modules else None)
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        parts: dict[str, dict[Span, DatasetAccumulator]] = {s.url: {} for s in sources}
        try:
            futures = {
                pool.submit(scan_file, s, options, None, span): (s, span)
                for s in sources
                for span in spans[s.url]
            }
            for future in as_completed(futures):
                source, span = futures[future]
                done = parts[source.url]
                done[span] = future.result()
                if len(done) < len(spans[source.url]):
                    continue
                ordered = [done[sp] for sp in spans[source.url]]
                results[source.url] = joined(source, spans[source.url], ordered, options)
                if progress is not None:
                    facts = results[source.url].files[source.url]
                    progress(source.url, facts.stream_bytes, facts.records, True)
        except BrokenProcessPool as exc:
            # The workers could not start or died (a script whose top level a spawned worker
            # cannot run, a worker killed for memory): the files they did not finish are
            # scanned here, so the result is whole, and the user hears why it was slower.
            pool.shutdown(wait=False, cancel_futures=True)
            left = [s for s in sources if s.url not in results]
            warnings.warn(
                f"tfdoctor: the worker processes stopped ({exc}); scanning the {len(left)} file(s) they "
                "did not finish in this process",
                RuntimeWarning,
                stacklevel=2,
            )
            for source in left:
                results[source.url] = scan_source(source, options, progress)
            return _in_file_order(sources, results, options)
        except KeyboardInterrupt:
            # the workers got the same Ctrl-C (one process group): keep the files they finished
            pool.shutdown(wait=False, cancel_futures=True)
            raise ScanInterrupted(
                _in_file_order(sources, results, options), len(results), len(sources)
            ) from None
        pool.shutdown()
        return _in_file_order(sources, results, options)


def _in_file_order(
    sources: Sequence[Source], results: dict[str, DatasetAccumulator], options: ScanOptions
) -> DatasetAccumulator:
    """Merge in file order: the result must not depend on timing."""
    total = DatasetAccumulator(label=options.label, reads=list(options.reads))
    for source in sources:
        if source.url in results:
            total.merge(results[source.url])
    return total


POOL_MIN_BYTES = 8 << 20  # below this much data a pool costs more than it saves (measured below)


def local_engine(
    workers: int | None, files: int, total_bytes: int | None = None
) -> InProcessEngine | ProcessPoolEngine:
    """workers=None: one process per CPU when there are several files, or a file large
    enough to be read in parts (`SPLIT_BYTES`), holding at least `POOL_MIN_BYTES` (2,000
    one-record files: 1.9 s in a pool of 2, 1.15 s in this process), unless starting workers
    would re-run the caller's script (see `spawn_reruns_main`): then this process.
    `total_bytes` None (sizes unknown, remote files): as if large."""
    tasks = max(files, (total_bytes or 0) // SPLIT_BYTES)
    if workers is None:
        small = total_bytes is not None and total_bytes < POOL_MIN_BYTES
        workers = 1 if small or spawn_reruns_main() else min(tasks, os.cpu_count() or 1)
    return ProcessPoolEngine(workers) if workers > 1 and tasks > 1 else InProcessEngine()


def spawn_reruns_main() -> bool:
    """Whether a spawned worker would run the caller's script again, top-level code and all.

    With TensorFlow imported the pool must spawn (forking TF's threads can deadlock), and a
    spawned worker imports the `__main__` script: a training script without an
    `if __name__ == "__main__":` guard would start training again in every worker, then fail
    with multiprocessing's bootstrapping error. Notebooks, `python -c` and console scripts have
    no such file; a script with the guard is safe."""
    if "tensorflow" not in sys.modules:
        return False  # fork: nothing is imported again
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or getattr(main, "__spec__", None) is not None:
        return False  # interactive, -c, or -m (imported as a module, not run as a script file)
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return True
    return not any(isinstance(node, ast.If) and _is_main_guard(node.test) for node in tree.body)


def _is_main_guard(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, *test.comparators]
    names = any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides)
    return names and any(isinstance(x, ast.Constant) and x.value == "__main__" for x in sides)


__all__ = ["InProcessEngine", "ProcessPoolEngine", "local_engine", "spawn_reruns_main"]
