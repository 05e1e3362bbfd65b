"""Thin helpers over Apache DataSketches: creation with our sizes, serialisation for pickling,
and merging. The sketches themselves are the library's. Quantiles are not among them: KLL
compacts at random and cannot be seeded from Python (see `quantiles.QuantileSketch`)."""

from __future__ import annotations

from typing import Any

import datasketches as ds

HLL_LG_K = 12  # ~1.6% relative error
TOP_LG_MAX = 7  # frequent items: up to 96 tracked values
HLL_TYPE = ds.tgt_hll_type.HLL_8


def new_hll() -> Any:
    return ds.hll_sketch(HLL_LG_K, HLL_TYPE)


def new_top() -> Any:
    return ds.frequent_strings_sketch(TOP_LG_MAX)


def merge_hll(a: Any, b: Any) -> Any:
    union = ds.hll_union(HLL_LG_K)
    union.update(a)
    union.update(b)
    return union.get_result(HLL_TYPE)


def dump(sketch: Any) -> bytes:
    if isinstance(sketch, ds.hll_sketch):
        return bytes(sketch.serialize_compact())
    return bytes(sketch.serialize())


_LOADERS = {
    "hll": ds.hll_sketch.deserialize,
    "top": ds.frequent_strings_sketch.deserialize,
}


def load(kind: str, data: bytes) -> Any:
    return _LOADERS[kind](data)


def top_items(sketch: Any, limit: int) -> list[tuple[str, int]]:
    """Most frequent items with their (upper-bound) counts; exact while fewer than ~96 distinct."""
    items = sketch.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_POSITIVES)
    items.sort(key=lambda t: (-t[1], t[0]))
    return [(item, int(est)) for item, est, _lo, _hi in items[:limit]]
