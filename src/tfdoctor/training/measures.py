"""The numbers the callback takes, as plain numpy: cheap enough to run every few dozen steps."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

SAMPLE = 1 << 16  # weights of a variable watched at most: a fixed sample of a larger one


def class_ids(labels: np.ndarray) -> np.ndarray | None:
    """Class ids of a batch of labels: sparse ints, one-hot/probability rows (argmax), or
    binary 0/1 floats; None for regression targets."""
    if labels.size == 0:
        return None
    if labels.ndim >= 2 and labels.shape[-1] > 1:
        return np.asarray(labels.reshape(-1, labels.shape[-1]).argmax(axis=-1))
    flat = labels.reshape(-1)
    if np.issubdtype(flat.dtype, np.integer) or np.issubdtype(flat.dtype, np.bool_):
        return flat.astype(np.int64)
    if (
        np.issubdtype(flat.dtype, np.floating)
        and np.all(np.isfinite(flat))
        and np.all(flat == np.round(flat))
    ):
        return flat.astype(np.int64)
    return None


def label_rates(batches: Sequence[np.ndarray]) -> tuple[float, int, float, int] | None:
    """(majority share, distinct classes, entropy in nats, labels counted) of the probed labels."""
    ids = [c for c in (class_ids(b) for b in batches) if c is not None]
    if not ids:
        return None
    values, counts = np.unique(np.concatenate(ids), return_counts=True)
    shares = counts / counts.sum()
    entropy = float(-(shares * np.log(shares)).sum())
    return float(shares.max()), int(len(values)), entropy, int(counts.sum())


def spread(outputs: Sequence[np.ndarray]) -> float | None:
    """How much the predictions differ across the batch: the largest standard deviation of
    an output unit across the inputs, relative to the outputs' scale (at least 1). None when
    the batch holds fewer than two inputs or a non-finite output."""
    found: list[float] = []
    for out in outputs:
        arr = np.asarray(out, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[0] < 2:
            continue
        if not np.all(np.isfinite(arr)):
            return None
        rows = arr.reshape(arr.shape[0], -1)
        scale = max(1.0, float(np.abs(rows).mean()))
        found.append(float(rows.std(axis=0).max()) / scale)
    return max(found) if found else None


def sample_index(size: int, seed: int) -> np.ndarray | None:
    """Which elements of a variable to watch: all (None) up to SAMPLE, else a fixed sample."""
    if size <= SAMPLE:
        return None
    return np.sort(np.random.default_rng(seed).choice(size, SAMPLE, replace=False))


def ratio(before: Sequence[np.ndarray], after: Sequence[np.ndarray]) -> float:
    """||after - before|| / ||after|| over a layer's watched weights (0 where nothing moved).
    Dot products of the flat float32 arrays: a few milliseconds for millions of weights."""
    change = norm = 0.0
    for a, b in zip(after, before):
        a32 = np.ravel(a).astype(np.float32, copy=False)
        d = a32 - np.ravel(b).astype(np.float32, copy=False)
        change += float(np.dot(d, d))
        norm += float(np.dot(a32, a32))
    return 0.0 if change == 0.0 else math.sqrt(change / max(norm, 1e-30))
