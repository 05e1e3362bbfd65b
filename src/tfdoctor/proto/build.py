"""Build serialized Examples and SequenceExamples from plain Python values (no TensorFlow).

Values: a list of ints -> int64_list, of floats -> float_list, of bytes/str -> bytes_list;
a scalar is a one-element list; None is a present-but-unset Feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .wire import Example, Feature, SequenceExample

Value = Any


def _fill(feature: Feature, value: Value) -> None:
    if value is None:
        return
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values:
        raise ValueError("use a typed empty value: ('int64', []) / ('float', []) / ('bytes', [])")
    _fill_typed(feature, _kind_of(values[0]), values)


def _kind_of(v: Any) -> str:
    if isinstance(v, bool) or isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float"
    if isinstance(v, (bytes, str)):
        return "bytes"
    raise TypeError(f"cannot store {type(v).__name__} in a tf.train.Feature")


def _fill_typed(feature: Feature, kind: str, values: Sequence[Any]) -> None:
    if kind == "int64":
        feature.int64_list.SetInParent()
        feature.int64_list.value.extend(int(v) for v in values)
    elif kind == "float":
        feature.float_list.SetInParent()
        feature.float_list.value.extend(float(v) for v in values)
    else:
        feature.bytes_list.SetInParent()
        feature.bytes_list.value.extend(v.encode() if isinstance(v, str) else v for v in values)


def _set(feature: Feature, value: Value) -> None:
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("int64", "float", "bytes"):
        _fill_typed(feature, value[0], value[1])  # explicit kind, e.g. an empty list
    else:
        _fill(feature, value)


def example(features: Mapping[str, Value]) -> bytes:
    msg = Example()
    for name, value in features.items():
        entry = msg.features.feature.add()
        entry.key = name.encode()
        _set(entry.value, value)
        if value is None:
            entry.value.SetInParent()
    return bytes(msg.SerializeToString())


def sequence_example(context: Mapping[str, Value], sequence: Mapping[str, Sequence[Value]]) -> bytes:
    msg = SequenceExample()
    for name, value in context.items():
        entry = msg.context.feature.add()
        entry.key = name.encode()
        _set(entry.value, value)
    msg.feature_lists.SetInParent()
    for name, steps in sequence.items():
        entry = msg.feature_lists.feature_list.add()
        entry.key = name.encode()
        entry.value.SetInParent()
        for step in steps:
            _set(entry.value.feature.add(), step)
    return bytes(msg.SerializeToString())
