"""A spec from live TensorFlow objects (`tf.io.FixedLenFeature(...)` and friends).

Read by duck typing (class name and namedtuple fields), so this module never imports
TensorFlow: the objects come from the user's process, which already has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts.spec import KINDS, FeatureSpec, ParseSpec, normalise_dtype
from .model import SpecError

_PARTITION_KINDS = ("RowSplits", "RowLengths", "RowStarts", "RowLimits", "ValueRowIds", "UniformRowLength")


def _dtype(value: Any) -> str:
    return normalise_dtype(getattr(value, "name", None) or str(value))


def _plain(value: Any) -> Any:
    """A default value as plain Python (lists, numbers, bytes), whatever TF or NumPy gave."""
    if value is None:
        return None
    for attr in ("numpy", "tolist"):
        if hasattr(value, attr) and callable(getattr(value, attr)):
            value = getattr(value, attr)()
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _shape(value: Any) -> tuple[int | None, ...] | None:
    if value is None:
        return None
    if hasattr(value, "as_list"):  # tf.TensorShape
        value = value.as_list()
    if isinstance(value, int):
        return (value,)
    try:
        return tuple(None if d is None else int(d) for d in value)
    except (TypeError, ValueError):  # not iterable, or a dimension int() refuses ('a')
        raise SpecError(f"shape {value!r} is not a list of integers") from None


def feature_spec(name: str, config: Any, section: str = "features", line: int | None = None) -> FeatureSpec:
    """One `tf.io.*Feature` object (or anything with the same class name and fields)."""
    kind = type(config).__name__
    if kind not in KINDS:
        raise SpecError(f"feature {name!r}: {kind} is not a tf.io feature config (one of {', '.join(KINDS)})")
    if kind == "FixedLenFeature":
        return FeatureSpec(
            name, kind, _dtype(config.dtype), section, _shape(config.shape), _plain(config.default_value),
            line=line,
        )  # fmt: skip
    if kind == "FixedLenSequenceFeature":
        return FeatureSpec(
            name, kind, _dtype(config.dtype), section, _shape(config.shape), _plain(config.default_value),
            allow_missing=bool(config.allow_missing), line=line,
        )  # fmt: skip
    if kind == "VarLenFeature":
        return FeatureSpec(name, kind, _dtype(config.dtype), section, line=line)
    if kind == "SparseFeature":
        index = config.index_key
        index_keys = (index,) if isinstance(index, str) else tuple(index)
        size = config.size
        shape = (size,) if isinstance(size, int) else tuple(size)
        return FeatureSpec(
            name, kind, _dtype(config.dtype), section, shape,
            value_key=config.value_key, index_keys=index_keys, line=line,
        )  # fmt: skip
    partitions = tuple(getattr(p, "key", None) for p in (config.partitions or ()))
    last = (config.partitions or ())[-1:] if config.partitions else ()
    inner = type(last[0]).__name__ if last and getattr(last[0], "key", None) else None
    for p in config.partitions or ():
        if type(p).__name__ not in _PARTITION_KINDS:
            raise SpecError(f"feature {name!r}: unknown RaggedFeature partition {p!r}")
    return FeatureSpec(
        name, kind, _dtype(config.dtype), section,
        value_key=config.value_key, partition_keys=tuple(k for k in partitions if k), inner_partition=inner,
        line=line,
    )  # fmt: skip


def from_objects(
    features: Mapping[str, Any] | None = None,
    *,
    context_features: Mapping[str, Any] | None = None,
    sequence_features: Mapping[str, Any] | None = None,
    name: str = "features dict",
) -> ParseSpec:
    """A ParseSpec from the dict(s) a user passes to `tf.io.parse_example` (features) or
    `tf.io.parse_sequence_example` (context_features, sequence_features)."""
    if features is not None and (context_features or sequence_features):
        raise SpecError("give either features (Example) or context/sequence features (SequenceExample)")
    entries: list[FeatureSpec] = []
    sections = (("features", features), ("context", context_features), ("sequence", sequence_features))
    for section, mapping in sections:
        for key, config in (mapping or {}).items():
            entries.append(feature_spec(str(key), config, section))
    if not entries:
        raise SpecError("the spec holds no features")
    call = "parse_sequence_example" if features is None else "parse_example"
    return ParseSpec(tuple(entries), name=name, call=call)
