"""Helpers the image rules share: the image sizes the scan read from the headers, and where
batching fails."""

from __future__ import annotations

from collections.abc import Iterator

from ...facts.dataset import DatasetStats
from ...facts.pipeline import PipelineFacts
from ...findings import Where
from .._pipeline import where


def _shapes(stats: DatasetStats) -> Iterator[tuple[str, dict[tuple[int, int, int], int], int]]:
    for f in stats.features:
        if f.bytes is None or not f.bytes.image_shapes:
            continue
        shapes = {tuple(int(d) for d in key.split("x")): n for key, n in f.bytes.image_shapes.items()}
        yield f.path, shapes, f.bytes.image_shapes_other  # type: ignore[misc]


def _listing(counts: dict[str, int], other: int = 0) -> str:
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    text = ", ".join(f"{k} in {n:,}" for k, n in top[:5])
    rest = sum(n for _, n in top[5:]) + other
    return text + (f" and {rest:,} more" if rest else "")


def _first_batch(facts: PipelineFacts) -> Where:
    """The first batch step, where batching fails."""
    batch = next(iter(facts.pipeline.of("batch", "padded_batch")), None)
    return where(batch) if batch is not None else Where(call="batch")
