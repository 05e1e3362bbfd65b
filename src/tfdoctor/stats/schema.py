"""Schema inferred from statistics: dtype, fixed shape or variable length, presence.
Written as JSON or as a TensorFlow Metadata Schema (what TFDV and TFX read)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..facts.dataset import FeatureStats
from ..facts.spec import PARSE_DTYPES, infer_feature_spec
from .dataset import DatasetStats

SEQUENCE_STRUCT = "##SEQUENCE##"  # how TFX names the struct that holds sequence features


@dataclass(frozen=True)
class FeatureSchema:
    name: str
    section: str
    dtype: str  # int64 / float / bytes (what tf.io.parse_example takes: int64, float32, string)
    shape: list[int] | None  # fixed shape ([] for one value per record); None: variable length
    min_values: int
    max_values: int
    presence: float  # fraction of records that hold the feature
    required: bool
    image: str | None  # encoded image format, when the bytes are images
    mixed_kinds: bool  # stored as different kinds in different records


@dataclass(frozen=True)
class Schema:
    record_kind: str  # example / sequence_example / mixed / none
    features: list[FeatureSchema]

    def to_json(self) -> dict[str, Any]:
        return {"record_kind": self.record_kind, "features": [asdict(f) for f in self.features]}


def _feature_schema(f: FeatureStats) -> FeatureSchema:
    vc = f.value_count
    lo, hi = (vc.min, vc.max) if vc else (0, 0)
    required = f.total_records > 0 and f.records_present == f.total_records
    # fixed or variable: what `tfdoctor spec` writes and the spec rules suggest, decided once
    spec = infer_feature_spec(f)
    fixed = spec.kind in ("FixedLenFeature", "FixedLenSequenceFeature")
    shape = [d for d in spec.shape or () if d is not None] if fixed else None
    image = None
    if f.bytes and f.is_image:
        image = max(f.bytes.image_formats, key=lambda k: f.bytes.image_formats[k])  # type: ignore[union-attr]
    stored = [k for k in f.kinds if k != "unset"]
    return FeatureSchema(
        name=f.name,
        section=f.section,
        dtype=PARSE_DTYPES[spec.dtype],
        shape=shape,
        min_values=lo,
        max_values=hi,
        presence=round(f.records_present / f.total_records, 6) if f.total_records else 0.0,
        required=required,
        image=image,
        mixed_kinds=len(stored) > 1,
    )


def infer_schema(stats: DatasetStats) -> Schema:
    kinds = [k for k, n in stats.record_kinds.items() if n]
    record_kind = kinds[0] if len(kinds) == 1 else ("mixed" if kinds else "none")
    return Schema(record_kind, [_feature_schema(f) for f in stats.features])


_TFMD_TYPES = {"int64": "INT", "float": "FLOAT", "bytes": "BYTES"}


def to_tfmd(schema: Schema) -> Any:
    """A `tensorflow_metadata.proto.v0.schema_pb2.Schema`, like TFX SchemaGen writes."""
    from tensorflow_metadata.proto.v0 import schema_pb2

    out = schema_pb2.Schema()
    struct = None
    for f in schema.features:
        if f.section == "sequence":
            if struct is None:
                struct = out.feature.add(name=SEQUENCE_STRUCT, type=schema_pb2.STRUCT)
            target = struct.struct_domain.feature.add()
        else:
            target = out.feature.add()
        target.name = f.name
        target.type = schema_pb2.FeatureType.Value(_TFMD_TYPES.get(f.dtype, "BYTES"))
        target.value_count.min = f.min_values
        target.value_count.max = f.max_values
        if f.section != "sequence":
            target.presence.min_fraction = 1.0 if f.required else f.presence
            target.presence.min_count = 1
        if f.image:
            target.image_domain.SetInParent()
    return out


def to_pbtxt(schema: Schema) -> str:
    from google.protobuf import text_format

    return str(text_format.MessageToString(to_tfmd(schema)))
