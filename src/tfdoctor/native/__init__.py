"""The optional native scan core (`_core.c`): TFRecord framing, both CRC32C checks,
Example and SequenceExample decoding and the statistics' tables in one C pass over a block
of bytes. `pip install .` builds it where a C compiler is found; without it, or with
TFDOCTOR_NATIVE=0, scans run the pure-Python path. Both fold the same batches into the same
accumulators: the same statistics, bit for bit."""

from __future__ import annotations

import os
from types import ModuleType

_core: ModuleType | None
try:
    from . import _core
except ImportError:  # not built (no compiler at install time): the pure-Python path
    _core = None


def available() -> bool:
    """Whether the extension was built and imports."""
    return _core is not None


def enabled() -> bool:
    """Whether scans use it: built, and not switched off with TFDOCTOR_NATIVE=0."""
    return _core is not None and os.environ.get("TFDOCTOR_NATIVE", "1") != "0"


def describe() -> str:
    """One line for `tfdoctor --version`."""
    if _core is None:
        return "scan core: pure Python (native core not built)"
    if not enabled():
        return "scan core: pure Python (TFDOCTOR_NATIVE=0; native core built)"
    return f"scan core: native (CRC32C: {_core.CRC})"
