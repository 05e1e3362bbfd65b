"""A parse spec as plain data: what `tf.io.parse_example` and friends are asked to read, and
how it renders as Python. Every way a spec reaches tfdoctor (TensorFlow objects, a source file
read by AST, a TFMD schema, JSON) ends up as a `ParseSpec`, so the rules see one shape."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .dataset import DatasetStats, FeatureStats
from .reads import Read, ReadTally

KINDS = ("FixedLenFeature", "VarLenFeature", "RaggedFeature", "SparseFeature", "FixedLenSequenceFeature")

# The dtypes the parse ops take, and the stored list each reads. Anything else fails when
# the op is built ("Value for attr 'Tdense' of int32 is not in the list of allowed values").
PARSE_DTYPES = {"int64": "int64", "float32": "float", "string": "bytes"}
_DTYPE_ALIASES = {
    "float": "float32", "double": "float64", "str": "string", "bytes": "string", "half": "float16",
    "tf.string": "string", "int": "int64",
}  # fmt: skip
TF_DTYPE_FOR_KIND = {"int64": "int64", "float": "float32", "bytes": "string"}


def normalise_dtype(name: str) -> str:
    """A dtype as TensorFlow names it (`tf.float32.name`): 'float32', 'string', 'int32'..."""
    name = name.strip()
    for prefix in ("tf.dtypes.", "tf.", "dtypes.", "np.", "numpy."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return _DTYPE_ALIASES.get(name, name)


class UnreadDefault:
    """A default_value written as code tfdoctor does not run: the entry has a default, whose
    value is shown as written."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnreadDefault) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


@dataclass(frozen=True)
class FeatureSpec:
    """One entry of a features dict: output name -> a tf.io feature config."""

    name: str
    kind: str  # one of KINDS
    dtype: str  # TensorFlow's name: int64, float32, string (or one the parser rejects)
    section: str = "features"  # features (parse_example), context or sequence (parse_sequence_example)
    shape: tuple[int | None, ...] | None = None  # FixedLen / FixedLenSequence / Sparse shape
    default: Any = None  # None: no default_value (as in TensorFlow)
    allow_missing: bool = False
    value_key: str | None = None  # the data key holding the values; None: the name
    index_keys: tuple[str, ...] = ()  # SparseFeature's index keys
    partition_keys: tuple[str, ...] = ()  # RaggedFeature's row-partition keys
    inner_partition: str | None = None  # the innermost partition's kind (RowLengths...), where keyed
    line: int | None = None  # where the entry is written, for specs read from source

    @property
    def key(self) -> str:
        return self.value_key or self.name

    @property
    def stored_kind(self) -> str | None:
        """The stored list this dtype reads (int64 / float / bytes); None: parse rejects it."""
        return PARSE_DTYPES.get(self.dtype)

    @property
    def fixed_count(self) -> int | None:
        """Values per record a FixedLenFeature demands (per step for a sequence feature)."""
        if self.kind not in ("FixedLenFeature", "FixedLenSequenceFeature") or self.shape is None:
            return None
        if any(d is None or d < 0 for d in self.shape):
            return None
        return math.prod(self.shape)  # type: ignore[arg-type]

    @property
    def keys(self) -> tuple[str, ...]:
        """Every data key this entry reads."""
        return (self.key, *self.index_keys, *self.partition_keys)

    def reads(self) -> list[Read]:
        section = "sequence" if self.section == "sequence" else "features"
        kind = self.stored_kind
        if self.kind == "FixedLenFeature":
            main = Read(self.key, section, kind, count=self.fixed_count)
        elif self.kind == "FixedLenSequenceFeature":
            count = self.fixed_count
            main = (
                Read(self.key, section, kind, count=count)
                if section == "sequence"
                else Read(self.key, section, kind, multiple_of=count if count and count > 1 else None)
            )
        else:
            main = Read(self.key, section, kind)
        sizes = list(self.shape or ()) if self.kind == "SparseFeature" else []
        extra = [
            Read(k, section, "int64", pair=self.key, bound=sizes[i] if i < len(sizes) and sizes[i] else None)
            for i, k in enumerate(self.index_keys)
        ]
        inner = self.inner_partition if self.inner_partition in ("RowLengths", "RowSplits") else None
        extra += [
            Read(k, section, "int64", pair=self.key, partition=inner)
            if inner and i == len(self.partition_keys) - 1
            else Read(k, section, "int64")
            for i, k in enumerate(self.partition_keys)
        ]
        return [main, *extra]


@dataclass(frozen=True)
class ParseSpec:
    """The features dict(s) given to one parse call."""

    features: tuple[FeatureSpec, ...]
    name: str = "spec"  # how findings name it: "train.py:12 parse_fn"
    call: str | None = None  # parse_example / parse_single_example / parse_sequence_example ...
    file: str | None = None
    line: int | None = None

    @property
    def sequence(self) -> bool:
        return any(f.section in ("context", "sequence") for f in self.features)

    def reads(self) -> list[Read]:
        return list(dict.fromkeys(r for f in self.features for r in f.reads()))

    def keys(self) -> set[tuple[str, str]]:
        """(section, key) for every data key read; section 'features' covers context too."""
        return {
            ("sequence" if f.section == "sequence" else "features", k) for f in self.features for k in f.keys
        }


def _literal(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"  # float('nan'), float('-inf'): Python source that reads back
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return f"{value:.1f}"
    return repr(value)


def _shape(shape: Sequence[int | None] | None) -> str:
    return "[" + ", ".join("None" if d is None else str(d) for d in (shape or ())) + "]"


def feature_call(f: FeatureSpec) -> str:
    """The constructor call: `tf.io.FixedLenFeature([], tf.int64, default_value=0)`."""
    dtype = f"tf.{f.dtype}"
    if f.kind == "FixedLenFeature":
        default = "" if f.default is None else f", default_value={_literal(f.default)}"
        return f"tf.io.FixedLenFeature({_shape(f.shape)}, {dtype}{default})"
    if f.kind == "FixedLenSequenceFeature":
        extra = ", allow_missing=True" if f.allow_missing else ""
        if f.default is not None:
            extra += f", default_value={_literal(f.default)}"
        return f"tf.io.FixedLenSequenceFeature({_shape(f.shape)}, {dtype}{extra})"
    if f.kind == "VarLenFeature":
        return f"tf.io.VarLenFeature({dtype})"
    if f.kind == "SparseFeature":
        index = f.index_keys[0] if len(f.index_keys) == 1 else list(f.index_keys)
        size = (f.shape or (0,))[0] if len(f.shape or ()) == 1 else list(f.shape or ())
        return f"tf.io.SparseFeature({index!r}, {f.key!r}, {dtype}, {size})"
    value_key = f", value_key={f.value_key!r}" if f.value_key and f.value_key != f.name else ""
    return f"tf.io.RaggedFeature({dtype}{value_key})"


def feature_line(f: FeatureSpec) -> str:
    return f"{f.name!r}: {feature_call(f)},"


def infer_feature_spec(
    f: FeatureStats, section: str | None = None, fill_missing: bool = False
) -> FeatureSpec:
    """The entry that reads this stored feature without error and without defaults. Where
    some records lack it, a VarLenFeature keeps that visible (an empty value); with
    fill_missing, a FixedLenFeature whose default_value fills those records instead.
    The one place fixed shape vs variable length is decided: `tfdoctor spec`, the spec rules'
    fixes and the inferred schema all take it from here."""
    section = section or f.section
    dtype = TF_DTYPE_FOR_KIND.get(f.kind, "string")
    vc = f.value_count
    # No value in any record is no shape: FixedLenFeature([0]) calls a Feature with no list
    # set "required but could not be found", FixedLenSequenceFeature([0]) kills TensorFlow
    # (SIGFPE); VarLenFeature reads both as empty.
    same_count = vc is not None and vc.min == vc.max and vc.min > 0
    if section == "sequence":
        if same_count and f.records_present == f.total_records:
            shape = () if vc.min == 1 else (vc.min,)  # type: ignore[union-attr]
            return FeatureSpec(f.name, "FixedLenSequenceFeature", dtype, section, shape)
        return FeatureSpec(f.name, "VarLenFeature", dtype, section)
    optional = f.records_present < f.total_records
    if same_count and f.records_with_values == f.records_present and (fill_missing or not optional):
        shape = () if vc.min == 1 else (vc.min,)  # type: ignore[union-attr]
        default = None
        if optional:
            zero = {"int64": 0, "float32": 0.0, "string": b""}[dtype]
            default = zero if not shape else [zero] * shape[0]
        return FeatureSpec(f.name, "FixedLenFeature", dtype, section, shape, default)
    return FeatureSpec(f.name, "VarLenFeature", dtype, section)


@dataclass(frozen=True)
class SpecFacts:
    """What the TFD2xx spec rules judge: one spec, the scan of the data it parses, and how
    every record fits each key it reads."""

    spec: ParseSpec
    data: DatasetStats

    def tally(self, read: Read) -> ReadTally:
        return self.data.tally(read)
