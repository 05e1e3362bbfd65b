"""The engine interface: where a scan runs. An engine takes the sources and the scan options
and returns one merged `DatasetAccumulator`; every engine runs `engines.file.scan_file` per
file and merges in file order, so every engine computes the same statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..io.sources import Source
from ..stats.dataset import DatasetAccumulator
from .file import Progress, ScanOptions


class Engine(Protocol):
    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator: ...
