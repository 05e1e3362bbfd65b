"""Writing a report file (`--stats-out`, `--schema-out`, `spec --out`) without clobbering inputs.

Every output goes through `write_output`:

- an output path that is one of the scan's inputs (the same file by `os.path.samefile`, so
  through a symlink or a hard link, or the same resolved path) is refused: `OutputError`;
- the bytes go to a temp file in the target's directory, then `os.replace` puts it in place,
  so an interrupted write leaves the old file (or none), never half a file;
- a symlink at the output path is replaced by the new file: the link itself is replaced, the
  file it pointed at is left as it was (nothing is written through a link);
- a missing directory, or a directory at the output path, is an `OutputError`, not a traceback.

Nothing here prints: `write_output` says whether it replaced an existing file, callers say so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["OutputError", "check_output", "local_inputs", "write_output"]


class OutputError(ValueError):
    """An output that cannot or must not be written; the message names the path(s)."""


def local_inputs(urls: Iterable[str]) -> list[Path]:
    """The local files among input URLs and patterns (`file://` stripped; other schemes left out)."""
    out: list[Path] = []
    for url in urls:
        if url.startswith("file://"):
            url = url[len("file://") :]
        elif "://" in url:
            continue
        out.append(Path(url))
    return out


def _same(target: Path, source: Path) -> bool:
    with contextlib.suppress(OSError):
        if os.path.samefile(target, source):
            return True
    resolved = os.path.realpath(target) == os.path.realpath(source)
    return resolved or os.path.abspath(target) == os.path.abspath(source)


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The output path, if it may be written; `OutputError` if it is an input or has no directory."""
    target = Path(path)
    for source in inputs:
        if _same(target, Path(source)):
            raise OutputError(f"refusing to write {target}: it is the input {source}")
    if target.is_dir() and not target.is_symlink():
        raise OutputError(f"cannot write {target}: it is a directory")
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: the directory {parent} does not exist")
    return target


def _mode(target: Path) -> int:
    if target.is_file() and not target.is_symlink():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_output(path: str | Path, data: bytes | str, inputs: Iterable[str | Path] = ()) -> bool:
    """Write `data` to `path` atomically (see the module doc); True if it replaced a file."""
    target = check_output(path, inputs)
    existed = os.path.lexists(target)
    payload = data.encode() if isinstance(data, str) else data
    try:
        mode = _mode(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return existed
