"""What the user asked to read, and which of it could not be found or opened."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputFacts:
    patterns: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()  # patterns that matched no file
    missing: tuple[str, ...] = ()  # shards a `name@N` spec names that do not exist
    errors: tuple[tuple[str, str], ...] = ()  # (pattern, why it cannot be read)
    skipped: tuple[str, ...] = ()  # files in a named directory that are not TFRecord, left unread
