"""Wording helpers shared by rules: counts with their share, short lists."""

from __future__ import annotations

from collections.abc import Iterable


def share(part: int, whole: int, noun: str = "records") -> str:
    """'412 of 60,000 records (0.7%)'."""
    pct = 100.0 * part / whole if whole else 0.0
    return f"{part:,} of {whole:,} {noun} ({pct:.1f}%)"


def listing(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


def fraction(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0
