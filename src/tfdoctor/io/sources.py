"""Turn what the user typed (paths, directories, globs, `name@N` shard specs, fsspec URLs)
into a list of files. fsspec does the file-system work, so gs://, s3:// and memory:// work
wherever the matching fsspec backend is installed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO

import fsspec

_SHARD_SPEC = re.compile(r"^(?P<base>.+)@(?P<count>\d+)$")
_GLOB_CHARS = set("*?[")


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


def _hidden(name: str) -> bool:
    # Hadoop/Beam markers (_SUCCESS) and dot files are not data.
    return name.startswith((".", "_"))


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
                files = sorted(
                    p
                    for p in fs.find(path)
                    if not any(_hidden(part) for part in p[len(path) :].split("/") if part)
                )
                if not files:
                    out.unmatched.append(pattern)
                for p in files:
                    add(fs, p, local)
            elif fs.isfile(path):
                add(fs, name if local else path, local)
            else:
                out.missing.append(name)
    return out


def _size(fs: fsspec.AbstractFileSystem, path: str) -> int | None:
    try:
        size = fs.size(path)
    except (OSError, NotImplementedError):
        return None
    return int(size) if size is not None else None


def open_raw(url: str) -> BinaryIO:
    return fsspec.open(url, "rb").open()  # type: ignore[no-any-return]
