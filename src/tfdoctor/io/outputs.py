"""Writing a report file (`--stats-out`, `--schema-out`, `spec --out`) without clobbering inputs.

Every output goes through `write_output`:

- an output path that is one of the scan's inputs (the same file by `os.path.samefile`, so
  through a symlink or a hard link, or the same resolved path) is refused: `OutputError`;
- the bytes go to a temp file in the target's directory, then `os.replace` puts it in place,
  so an interrupted write leaves the old file (or none), never half a file;
- a symlink at the output path is replaced by the new file: the link itself is replaced, the
  file it pointed at is left as it was (nothing is written through a link);
- a missing directory, or a directory at the output path, is an `OutputError`, not a traceback;
- a URL (`gs://bucket/stats.pb`, any fsspec protocol but file://) is written through fsspec,
  in one upload that replaces the object whole when closed (object stores have no partial
  objects), and refused when it names one of the input URLs.

Nothing here prints: `write_output` says whether it replaced an existing file, callers say so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["OutputError", "check_output", "guarded_inputs", "local_inputs", "write_output"]


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


def guarded_inputs(urls: Iterable[str]) -> list[str | Path]:
    """The inputs an output must not replace: local files as paths, other URLs (gs://...)
    as they are."""
    listed = list(urls)
    return [*local_inputs(listed), *(url for url in listed if "://" in url and not url.startswith("file://"))]


def _same(target: Path, source: Path) -> bool:
    with contextlib.suppress(OSError):
        if os.path.samefile(target, source):
            return True
    resolved = os.path.realpath(target) == os.path.realpath(source)
    return resolved or os.path.abspath(target) == os.path.abspath(source)


def _remote(path: str | Path) -> str | None:
    """The URL of a non-local output (gs://, s3://, memory://...), normalised; None if local."""
    text = str(path)
    if "://" not in text or text.startswith("file://"):
        return None
    import fsspec

    try:
        fs, stripped = fsspec.core.url_to_fs(text)
    except (ValueError, ImportError) as exc:  # an unknown protocol, a backend not installed (gcsfs)
        raise OutputError(f"cannot write {text}: {exc}") from None
    return str(fs.unstrip_protocol(stripped))


def _check_remote(url: str, inputs: Iterable[str | Path], shown: str) -> None:
    for source in inputs:
        try:
            other = _remote(source)
        except OutputError:  # an input of a protocol fsspec does not know: not this output
            continue
        if other is not None and other == url:
            raise OutputError(f"refusing to write {shown}: it is the input {source}")


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The output path, if it may be written; `OutputError` if it is an input or has no directory."""
    remote = _remote(path)
    if remote is not None:
        _check_remote(remote, inputs, str(path))
        return Path(str(path))
    if str(path).startswith("file://"):
        path = str(path)[len("file://") :]
    target = Path(path)
    for source in inputs:
        if "://" in str(source):
            continue  # a remote input is never a local output
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
    remote = _remote(path)
    if remote is not None:
        return _write_remote(remote, data.encode() if isinstance(data, str) else data, inputs, str(path))
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


def _write_remote(url: str, payload: bytes, inputs: Iterable[str | Path], shown: str) -> bool:
    import fsspec

    _check_remote(url, inputs, shown)
    try:
        fs, stripped = fsspec.core.url_to_fs(url)
        existed = bool(fs.exists(stripped))
        with fs.open(stripped, "wb") as fh:  # the object appears whole when the upload closes
            fh.write(payload)
    except (OSError, ValueError, ImportError) as exc:  # no such bucket, no credentials, no backend
        raise OutputError(f"cannot write {shown}: {exc}") from None
    return existed
