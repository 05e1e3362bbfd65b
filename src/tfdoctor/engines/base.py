"""The engine interface: where a scan runs. An engine takes the sources and the scan options
and returns one merged `DatasetAccumulator`; every engine runs `engines.file.scan_file` per
file and merges in file order, so every engine computes the same statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..io.sources import Source
from ..stats.dataset import DatasetAccumulator
from .file import Progress, ScanOptions


class ScanInterrupted(KeyboardInterrupt):
    """Ctrl-C during a scan: carries what the files finished before it hold, so the caller
    can still report them, marked partial. A KeyboardInterrupt, so code that does not know
    it still stops."""

    def __init__(self, scanned: DatasetAccumulator, files_done: int, files: int) -> None:
        super().__init__(f"interrupted after {files_done:,} of {files:,} file(s)")
        self.scanned, self.files_done, self.files = scanned, files_done, files


class Engine(Protocol):
    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator: ...
