"""Specs from files that are data, not code: a TFMD `schema.pbtxt` (as TFDV and TFX write
it, and as `tfdoctor spec --format pbtxt` writes it) and a JSON spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..facts.spec import KINDS, TF_DTYPE_FOR_KIND, FeatureSpec, ParseSpec, normalise_dtype
from .model import SpecError

SEQUENCE_STRUCT = "##SEQUENCE##"
_TFMD_DTYPES = {"INT": "int64", "FLOAT": "float32", "BYTES": "string"}
_SHORT_KINDS = {
    "fixed": "FixedLenFeature", "fixedlen": "FixedLenFeature", "varlen": "VarLenFeature",
    "var": "VarLenFeature", "ragged": "RaggedFeature", "sparse": "SparseFeature",
    "fixedlensequence": "FixedLenSequenceFeature", "sequence": "FixedLenSequenceFeature",
}  # fmt: skip


def from_schema_pbtxt(path: str | Path) -> ParseSpec:
    """The feature spec TFX derives from a TFMD schema: a fixed `shape`, or a value count
    with min == max in every record, is a FixedLenFeature; anything else a VarLenFeature;
    `sparse_feature` entries are SparseFeatures."""
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read: {exc}", str(path)) from None
    schema = schema_pb2.Schema()
    try:
        text_format.Parse(text, schema)
    except text_format.ParseError as exc:
        raise SpecError(f"not a TFMD Schema in text format: {exc}", str(path), exc.GetLine()) from None
    except (RecursionError, MemoryError):
        raise SpecError("not a TFMD Schema tfdoctor can read: nested too deep", str(path)) from None
    entries: list[FeatureSpec] = []
    sequence = any(f.name == SEQUENCE_STRUCT for f in schema.feature)
    sparse_parts = {name for sf in schema.sparse_feature for name in _sparse_keys(sf)}
    for feature in schema.feature:
        if feature.name == SEQUENCE_STRUCT:
            for inner in feature.struct_domain.feature:
                entries.append(_tfmd_feature(inner, "sequence", path))
        elif feature.name not in sparse_parts:
            entries.append(_tfmd_feature(feature, "context" if sequence else "features", path))
    for sf in schema.sparse_feature:
        index_keys = tuple(i.name for i in sf.index_feature)
        dtype = next(
            (_TFMD_DTYPES.get(schema_pb2.FeatureType.Name(f.type), "string")
             for f in schema.feature if f.name == sf.value_feature.name),
            "float32",
        )  # fmt: skip
        shape = tuple(d.size for d in sf.dense_shape.dim) if sf.HasField("dense_shape") else None
        entries.append(
            FeatureSpec(sf.name, "SparseFeature", dtype, shape=shape, value_key=sf.value_feature.name,
                        index_keys=index_keys)
        )  # fmt: skip
    if not entries:
        raise SpecError("the schema declares no features", str(path))
    return ParseSpec(tuple(entries), name=path.name, call="schema", file=str(path))


def _sparse_keys(sf: Any) -> list[str]:
    return [sf.value_feature.name, *(i.name for i in sf.index_feature)]


def _tfmd_feature(feature: Any, section: str, path: Path) -> FeatureSpec:
    from tensorflow_metadata.proto.v0 import schema_pb2

    type_name = schema_pb2.FeatureType.Name(feature.type)
    if type_name not in _TFMD_DTYPES:
        why = f"feature {feature.name!r} has type {type_name}, which tf.Example cannot hold"
        raise SpecError(why, str(path))
    dtype = _TFMD_DTYPES[type_name]
    required = feature.presence.min_fraction >= 1.0 or section == "sequence"
    if feature.HasField("shape"):
        shape = tuple(d.size for d in feature.shape.dim)
        kind = "FixedLenSequenceFeature" if section == "sequence" else "FixedLenFeature"
        return FeatureSpec(feature.name, kind, dtype, section, shape)
    vc = feature.value_count
    if feature.HasField("value_count") and vc.min == vc.max and vc.min > 0 and required:
        shape = () if vc.min == 1 else (vc.min,)
        kind = "FixedLenSequenceFeature" if section == "sequence" else "FixedLenFeature"
        return FeatureSpec(feature.name, kind, dtype, section, shape)
    return FeatureSpec(feature.name, "VarLenFeature", dtype, section)


def from_json(path: str | Path) -> ParseSpec:
    """A JSON spec: {"features": {name: {"kind", "dtype", "shape", "default_value"}}} (or
    "context"/"sequence" for a SequenceExample, or the names at the top level), or the schema
    JSON `tfdoctor spec --format json` writes."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read: {exc}", str(path)) from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"not valid JSON: {exc.msg}", str(path), exc.lineno) from None
    except (RecursionError, MemoryError):
        raise SpecError("not a JSON spec tfdoctor can read: nested too deep", str(path)) from None
    if not isinstance(data, dict):
        raise SpecError("a JSON spec is an object", str(path))
    if "record_kind" in data and isinstance(data.get("features"), list):
        return _from_schema_json(data, path)
    sections = {k: v for k, v in data.items() if k in ("features", "context", "sequence")}
    if not sections:
        sections = {"features": data}
    entries: list[FeatureSpec] = []
    for section, mapping in sections.items():
        if not isinstance(mapping, dict):
            raise SpecError(f"{section}: expected an object of features, got {_shown(mapping)}", str(path))
        for name, config in mapping.items():
            entries.append(_json_feature(name, config, section, path))
    if not entries:
        raise SpecError("the spec holds no features", str(path))
    return ParseSpec(tuple(entries), name=path.name, call="json", file=str(path))


def _shown(value: Any) -> str:
    """A JSON value as a message shows it: short, and a type name for a container."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field(config: dict[str, Any], key: str, where: str, path: Path, want: str, ok: Any, default: Any) -> Any:
    """config[key] when `ok(value)`; a SpecError naming the field's path otherwise."""
    value = config.get(key, default)
    if value is not default and not ok(value):
        raise SpecError(f"{where}.{key}: expected {want}, got {_shown(value)}", str(path))
    return value


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_strs(v: Any) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _is_shape(v: Any) -> bool:
    return isinstance(v, list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and -1 <= d < 2**63) for d in v
    )


def _depth(v: Any, limit: int = 32) -> bool:
    """Whether a default_value nests lists no deeper than `limit` (and holds only scalars)."""
    stack = [(v, 0)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, list):
            if d >= limit:
                return False
            stack.extend((y, d + 1) for y in x)
        elif isinstance(x, dict):
            return False
    return True


def _json_feature(name: str, config: Any, section: str, path: Path) -> FeatureSpec:
    where = f"{section}.{name}"
    if not isinstance(config, dict):
        raise SpecError(f"{where}: expected an object, got {_shown(config)}", str(path))
    raw_kind = str(
        _field(config, "kind", where, path, "a string", _is_str, None)
        or _field(config, "type", where, path, "a string", _is_str, "FixedLenFeature")
    )
    kind = _SHORT_KINDS.get(raw_kind.lower().replace("_", "").replace("feature", ""), raw_kind)
    if kind not in KINDS:
        raise SpecError(f"feature {name!r}: unknown kind {raw_kind!r} (one of {', '.join(KINDS)})", str(path))
    if "dtype" not in config:
        raise SpecError(f"{where}.dtype: missing (feature {name!r} has no dtype)", str(path))
    _field(config, "dtype", where, path, "a string", _is_str, None)
    shape = _field(config, "shape", where, path, "a list of ints", lambda v: v is None or _is_shape(v), None)
    if kind in ("FixedLenFeature", "FixedLenSequenceFeature") and shape is None:
        raise SpecError(f"feature {name!r}: {kind} needs a shape", str(path))
    if shape is not None and not (
        isinstance(shape, list) and all(d is None or isinstance(d, int) for d in shape)
    ):
        raise SpecError(f"feature {name!r}: shape {shape!r} is not a list of integers", str(path))
    _field(config, "default_value", where, path, "a value or nested list of values", _depth, None)
    _field(config, "allow_missing", where, path, "true or false", lambda v: isinstance(v, bool), None)
    _field(config, "value_key", where, path, "a string", lambda v: v is None or _is_str(v), None)
    _field(
        config,
        "partition_keys",
        where,
        path,
        "a list of strings",
        lambda v: isinstance(v, list) and _is_strs(v),
        None,
    )
    index = _field(config, "index_key", where, path, "a string or a list of strings", _is_strs, ())
    return FeatureSpec(
        name, kind, normalise_dtype(str(config["dtype"])), section,
        tuple(shape) if shape is not None else None, config.get("default_value"),
        allow_missing=bool(config.get("allow_missing", False)), value_key=config.get("value_key"),
        index_keys=(index,) if isinstance(index, str) else tuple(index),
        partition_keys=tuple(config.get("partition_keys", ())),
    )  # fmt: skip


def _from_schema_json(data: dict[str, Any], path: Path) -> ParseSpec:
    sequence = data.get("record_kind") == "sequence_example"
    entries: list[FeatureSpec] = []
    for i, f in enumerate(data["features"]):
        where = f"features[{i}]"
        if not isinstance(f, dict):
            raise SpecError(f"{where}: expected an object, got {_shown(f)}", str(path))
        if "name" not in f:
            raise SpecError(f"{where}.name: missing", str(path))
        _field(f, "name", where, path, "a string", _is_str, None)
        _field(f, "dtype", where, path, "a string", _is_str, None)
        _field(f, "section", where, path, '"features", "context" or "sequence"',
               lambda v: v in ("features", "context", "sequence"), None)  # fmt: skip
        _field(f, "shape", where, path, "a list of ints", lambda v: v is None or _is_shape(v), None)
        _field(f, "required", where, path, "true or false", lambda v: isinstance(v, bool), None)
        dtype = TF_DTYPE_FOR_KIND.get(str(f.get("dtype")), "string")
        section = f.get("section", "features")
        if section == "features" and sequence:
            section = "context"
        shape = f.get("shape")
        if shape is not None and f.get("required", True):
            kind = "FixedLenSequenceFeature" if section == "sequence" else "FixedLenFeature"
            entries.append(FeatureSpec(f["name"], kind, dtype, section, tuple(shape)))
        else:
            entries.append(FeatureSpec(f["name"], "VarLenFeature", dtype, section))
    if not entries:
        raise SpecError("the schema declares no features", str(path))
    return ParseSpec(tuple(entries), name=path.name, call="schema", file=str(path))
