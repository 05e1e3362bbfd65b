"""Turn what the user typed (paths, directories, globs, `name@N` shard specs, fsspec URLs)
into a list of files. fsspec does the file-system work, so gs://, s3:// and memory:// work
wherever the matching fsspec backend is installed.

A file the user names, or that their glob matches, is read whatever it holds (a file that is
not TFRecord is then TFD103). A directory is read for its TFRecord files only: those named
like TFRecord files, those whose first bytes are a TFRecord frame (or a GZIP/ZLIB stream
that starts with one), and empty files without an extension (empty shards). Its other
files (label maps, `_SUCCESS` markers, checksums, schemas) are listed as skipped, and so
are FIFOs, devices and sockets (or links to them), unopened: reading one would hang the scan
or never end. A special file the user names is an error, not a missing file."""

from __future__ import annotations

import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

import fsspec
from fsspec.implementations.local import LocalFileSystem

from .tfrecord import _CRC, HEADER_BYTES, masked_crc

_SHARD_SPEC = re.compile(r"^(?P<base>.+)@(?P<count>\d+)$")
_GLOB_CHARS = set("*?[")
# `.tfrecord`, `.tfrecords`, `.tfrec`, `.record(s)`, `-00000-of-00008` shards, each maybe compressed
_TFRECORD_NAME = re.compile(
    r"(\.(tfrecords?|tfrec|records?)|-\d+-of-\d+)(\.(tfrecords?|tfrec|records?))?(\.(gz|gzip|zlib|z))?$",
    re.IGNORECASE,
)
SNIFF_READ_BYTES = 4096  # enough compressed bytes to hold the first frame's header
MAX_SHARDS = 100_000  # a `name@N` spec above this is a typo, not a dataset


@dataclass(frozen=True)
class Source:
    url: str
    size: int | None


@dataclass
class Resolved:
    sources: list[Source] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # patterns that matched nothing
    missing: list[str] = field(default_factory=list)  # named files (or shards) that do not exist
    errors: list[tuple[str, str]] = field(default_factory=list)  # (pattern, why it cannot be read)
    skipped: list[str] = field(default_factory=list)  # files in a directory that are not TFRecord


def _hidden(name: str) -> bool:
    # Hadoop/Beam markers (_SUCCESS) and dot files are not data.
    return name.startswith((".", "_"))


def tfrecord_name(name: str) -> bool:
    """Whether a file name says TFRecord: an extension or a `-00000-of-00008` shard name."""
    return _TFRECORD_NAME.search(name) is not None


def tfrecord_head(head: bytes) -> bool:
    """Whether a file's first bytes are TFRecord: a frame header (length + its masked CRC32C),
    or a GZIP / ZLIB stream whose first decompressed bytes are one. A compressed stream that
    yields too few bytes to tell is taken as TFRecord (the reader judges it)."""
    if _frame_header(head):
        return True
    if head[:2] == b"\x1f\x8b":
        wbits = 31  # gzip
    elif len(head) >= 2 and head[0] & 0x0F == 8 and ((head[0] << 8) | head[1]) % 31 == 0:
        wbits = 15  # zlib
    else:
        return False
    inflate = zlib.decompressobj(wbits)
    try:
        inner = inflate.decompress(head, HEADER_BYTES)
    except zlib.error:
        return False
    if len(inner) < HEADER_BYTES:
        return not inflate.eof  # an empty stream holds no frame; a long first block: cannot tell
    return _frame_header(inner)


def _frame_header(head: bytes) -> bool:
    return len(head) >= HEADER_BYTES and masked_crc(head[:8]) == _CRC.unpack_from(head, 8)[0]


def _looks_tfrecord(fs: fsspec.AbstractFileSystem, path: str, name: str) -> bool:
    try:
        with fs.open(path, "rb") as fh:
            head = fh.read(SNIFF_READ_BYTES)
    except OSError:
        return True  # unreadable: read it, so the scan says why
    if not head:  # an empty shard (`part-00003`) is TFRecord with no records; `notes.txt` is not
        return "." not in name
    return tfrecord_head(head)


def resolve(patterns: list[str]) -> Resolved:
    out = Resolved()
    seen: set[str] = set()

    def add(fs: fsspec.AbstractFileSystem, path: str, local: bool) -> None:
        url = path if local else fs.unstrip_protocol(path)
        size = _size(fs, path)
        if url not in seen:
            seen.add(url)
            out.sources.append(Source(url, size))

    for pattern in patterns:
        shard = _SHARD_SPEC.match(pattern)
        if shard and not any(c in pattern for c in _GLOB_CHARS):
            base, count = shard["base"], int(shard["count"])
            if count > MAX_SHARDS:
                why = f"{count:,} shards is more than the {MAX_SHARDS:,} a `name@N` spec may name"
                out.errors.append((pattern, why))
                continue
            names = [f"{base}-{i:05d}-of-{count:05d}" for i in range(count)]
        else:
            names = [pattern]
        for name in names:
            try:
                fs, path = fsspec.core.url_to_fs(name)
            except (ImportError, ValueError) as exc:  # unknown protocol, backend not installed
                out.errors.append((name, str(exc)))
                continue
            local = "://" not in name
            if any(c in path for c in _GLOB_CHARS):
                matches = sorted(fs.glob(path))
                files = [m for m in matches if fs.isfile(m)]
                if not files:
                    out.unmatched.append(pattern)
                for m in files:
                    add(fs, m, local)
            elif fs.isdir(path):
                files, skipped = _directory(fs, path)
                if not files:
                    out.unmatched.append(pattern)
                for p in files:
                    add(fs, p, local)
                out.skipped += [p if local else fs.unstrip_protocol(p) for p in skipped]
            elif fs.isfile(path):
                add(fs, name if local else path, local)
            elif fs.exists(path):
                out.errors.append((name, _special(fs, path)))
            else:
                out.missing.append(name)
    return out


def _directory(fs: fsspec.AbstractFileSystem, path: str) -> tuple[list[str], list[str]]:
    """(TFRecord files, other files) under a directory. Hidden folders (`.git`, `_temporary`)
    are not entered; hidden files (`_SUCCESS`, `.DS_Store`) are skipped unread."""
    files: list[str] = []
    skipped: list[str] = []
    found = fs.find(path, detail=True)
    for p in sorted(found):
        parts = [part for part in p[len(path) :].split("/") if part]
        if not parts or any(_hidden(part) for part in parts[:-1]):
            continue
        if found[p].get("type", "file") != "file":  # a FIFO, device or socket: never opened
            skipped.append(p)
        elif not _hidden(parts[-1]) and (tfrecord_name(parts[-1]) or _looks_tfrecord(fs, p, parts[-1])):
            files.append(p)
        else:
            skipped.append(p)
    return files, skipped


def _special(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """Why a path that exists but is neither a file nor a directory is not read."""
    try:
        mode = os.stat(path).st_mode if isinstance(fs, LocalFileSystem) else 0
    except OSError:
        mode = 0
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    what = next((f" ({name})" for test, name in kinds if test(mode)), "")
    return f"not a regular file{what}: only regular files are read"


def _size(fs: fsspec.AbstractFileSystem, path: str) -> int | None:
    try:
        size = fs.size(path)
    except (OSError, NotImplementedError):
        return None
    return int(size) if size is not None else None


def open_raw(url: str) -> BinaryIO:
    return fsspec.open(url, "rb").open()  # type: ignore[no-any-return]
