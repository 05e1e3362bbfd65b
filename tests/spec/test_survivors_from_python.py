"""Specs from tf.io feature objects (spec/from_python.py), without TensorFlow: from_python reads
them by duck typing (class name and namedtuple fields), so stand-ins with TensorFlow's class
names and fields give the same specs. `test_stand_ins_are_tensorflows_classes` proves the
stand-ins have exactly the real classes' fields and defaults, so they cannot drift."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
import pytest

from tfdoctor.facts.spec import FeatureSpec, ParseSpec
from tfdoctor.spec.from_python import feature_spec, from_objects
from tfdoctor.spec.model import SpecError


class DType:
    """tf.int64 and friends, as from_python reads them: by `.name`."""

    def __init__(self, name: str) -> None:
        self.name = name


class Tensor:
    """An eager tensor, as from_python reads a default: `.numpy()` (an ndarray)."""

    def __init__(self, value: Any, dtype: str) -> None:
        self.value = np.asarray(value, dtype=dtype)

    def numpy(self) -> Any:
        return self.value


class TensorShape:
    def __init__(self, dims: list[int | None]) -> None:
        self.dims = dims

    def as_list(self) -> list[int | None]:
        return list(self.dims)


INT64, FLOAT32, STRING, INT32 = DType("int64"), DType("float32"), DType("string"), DType("int32")
# TensorFlow's classes: their names, fields in order, and the defaults their constructors take
FixedLenFeature = namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"], defaults=[None])
VarLenFeature = namedtuple("VarLenFeature", ["dtype"])
SparseFeature = namedtuple(
    "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"], defaults=[False]
)
FixedLenSequenceFeature = namedtuple(
    "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"], defaults=[False, None]
)
RaggedFeature = namedtuple(
    "RaggedFeature",
    ["dtype", "value_key", "partitions", "row_splits_dtype", "validate"],
    defaults=[None, (), INT32, False],
)
PARTITIONS = {
    name: namedtuple(name, ["length" if name == "UniformRowLength" else "key"])
    for name in ("RowSplits", "RowLengths", "RowStarts", "RowLimits", "ValueRowIds", "UniformRowLength")
}


def test_stand_ins_are_tensorflows_classes(tf: Any) -> None:
    """Each real class built from its required arguments only: its other fields hold the
    stand-in's defaults."""
    required = {
        FixedLenFeature: [[], tf.int64], VarLenFeature: [tf.int64], SparseFeature: ["i", "v", tf.int64, 3],
        FixedLenSequenceFeature: [[], tf.int64], RaggedFeature: [tf.int64],
    }  # fmt: skip
    for stand_in, args in required.items():
        real = getattr(tf.io, stand_in.__name__)
        assert real._fields == stand_in._fields
        built = real(*args)
        defaults = {f: getattr(built, f) for f in real._fields[len(args) :]}
        assert {f: getattr(v, "name", v) for f, v in defaults.items()} == {
            f: getattr(v, "name", v) for f, v in stand_in._field_defaults.items()
        }
    for name, stand_in in PARTITIONS.items():
        assert getattr(tf.io.RaggedFeature, name)._fields == stand_in._fields
    assert (tf.int64.name, tf.float32.name, tf.string.name) == ("int64", "float32", "string")
    assert isinstance(tf.TensorShape([2, None]).as_list(), list)
    assert tf.constant([1, 2], tf.int64).numpy().tolist() == [1, 2]


def test_every_kind() -> None:
    spec = from_objects(
        {
            "fixed": FixedLenFeature([2], INT64, default_value=Tensor([3, 4], "int64")),
            "scalar": FixedLenFeature((), FLOAT32, 0.5),
            "var": VarLenFeature(STRING),
            "sparse": SparseFeature(["i", "j"], "v", FLOAT32, [4, 5]),
            "sparse1": SparseFeature("ix", "v", INT64, 7),
            "ragged": RaggedFeature(
                INT64, "rv", [PARTITIONS["UniformRowLength"](2), PARTITIONS["RowLengths"]("rl")]
            ),
            "flat": RaggedFeature(FLOAT32),
            "uniform": RaggedFeature(
                INT64, partitions=(PARTITIONS["RowSplits"]("rs"), PARTITIONS["UniformRowLength"](3))
            ),  # fmt: skip
        },
        name="mine",
    )
    assert spec == ParseSpec(
        (
            FeatureSpec("fixed", "FixedLenFeature", "int64", "features", (2,), [3, 4]),
            FeatureSpec("scalar", "FixedLenFeature", "float32", "features", (), 0.5),
            FeatureSpec("var", "VarLenFeature", "string", "features"),
            FeatureSpec("sparse", "SparseFeature", "float32", "features", (4, 5), value_key="v", index_keys=("i", "j")),
            FeatureSpec("sparse1", "SparseFeature", "int64", "features", (7,), value_key="v", index_keys=("ix",)),
            FeatureSpec("ragged", "RaggedFeature", "int64", "features", value_key="rv", partition_keys=("rl",),
                        inner_partition="RowLengths"),
            FeatureSpec("flat", "RaggedFeature", "float32", "features"),
            FeatureSpec("uniform", "RaggedFeature", "int64", "features", partition_keys=("rs",)),
        ),
        name="mine",
        call="parse_example",
    )  # fmt: skip


def test_sequence_sections_and_call() -> None:
    spec = from_objects(
        context_features={"id": FixedLenFeature([], STRING, b"")},
        sequence_features={
            "tok": FixedLenSequenceFeature(TensorShape([2, None]), INT64, allow_missing=1),
            "opt": FixedLenSequenceFeature([], FLOAT32, default_value=(0.0, (1.0, 2.0))),
        },
    )
    assert spec == ParseSpec(
        (
            FeatureSpec("id", "FixedLenFeature", "string", "context", (), b""),
            FeatureSpec("tok", "FixedLenSequenceFeature", "int64", "sequence", (2, None), allow_missing=True),
            FeatureSpec("opt", "FixedLenSequenceFeature", "float32", "sequence", (), [0.0, [1.0, 2.0]]),
        ),
        name="features dict",
        call="parse_sequence_example",
    )
    assert spec.features[1].allow_missing is True
    only_context = from_objects(context_features={"id": VarLenFeature(INT64)})
    assert (only_context.call, only_context.features[0].section) == ("parse_sequence_example", "context")
    ragged = from_objects(sequence_features={"r": RaggedFeature(INT64, "rv")}).features
    assert ragged == (FeatureSpec("r", "RaggedFeature", "int64", "sequence", value_key="rv"),)


def test_plain_defaults_and_dtypes() -> None:
    """Defaults come back as plain Python, whatever held them; a dtype written as a string or
    an object without `.name` is normalised from its text."""
    assert feature_spec("a", FixedLenFeature(3, "float", np.arange(3, dtype="int64"))) == FeatureSpec(
        "a", "FixedLenFeature", "float32", "features", (3,), [0, 1, 2]
    )
    assert feature_spec("b", FixedLenFeature([], "tf.int64", np.float32(0.5)), "context", line=7) == FeatureSpec(
        "b", "FixedLenFeature", "int64", "context", (), 0.5, line=7
    )  # fmt: skip
    plain = feature_spec("c", FixedLenFeature([], INT64, np.int64(4)))
    assert plain.default == 4 and type(plain.default) is int
    listed = feature_spec("d", FixedLenFeature([2], INT64, [np.int64(1), (2,)]))
    assert listed.default == [1, [2]] and type(listed.default[0]) is int
    assert feature_spec("e", VarLenFeature("string"), "sequence", line=3) == FeatureSpec(
        "e", "VarLenFeature", "string", "sequence", line=3
    )
    assert feature_spec("f", VarLenFeature(Spelled())).dtype == "float32"
    assert feature_spec("g", VarLenFeature(Spelled(""))).dtype == "float32"


class Spelled:
    """A dtype without a `.name` (or an empty one): read from its text."""

    def __init__(self, *name: str) -> None:
        if name:
            self.name = name[0]

    def __str__(self) -> str:
        return "tf.float32"


def test_line_is_kept_for_every_kind() -> None:
    configs = [
        FixedLenFeature([], INT64),
        FixedLenSequenceFeature([], INT64),
        VarLenFeature(INT64),
        SparseFeature("i", "v", INT64, 2),
        RaggedFeature(INT64),
    ]
    assert [feature_spec("x", c, line=9).line for c in configs] == [9] * 5


@pytest.mark.parametrize(
    ("features", "kwargs", "message"),
    [
        ({"x": {"dtype": "int64"}}, {}, "feature 'x': dict is not a tf.io feature config (one of FixedLenFeature, "
         "VarLenFeature, RaggedFeature, SparseFeature, FixedLenSequenceFeature)"),
        ({"x": FixedLenFeature("ab", INT64)}, {}, "shape 'ab' is not a list of integers"),
        ({"x": FixedLenFeature(object, INT64)}, {}, "shape <class 'object'> is not a list of integers"),
        ({"x": RaggedFeature(INT64, partitions=["rl"])}, {},
         "feature 'x': unknown RaggedFeature partition 'rl'"),
        ({}, {}, "the spec holds no features"),
        (None, {}, "the spec holds no features"),
        ({"x": VarLenFeature(INT64)}, {"context_features": {"c": VarLenFeature(INT64)}},
         "give either features (Example) or context/sequence features (SequenceExample)"),
        ({"x": VarLenFeature(INT64)}, {"sequence_features": {"s": VarLenFeature(INT64)}},
         "give either features (Example) or context/sequence features (SequenceExample)"),
    ],
)  # fmt: skip
def test_refusals(features: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as info:
        from_objects(features, **kwargs)
    assert str(info.value) == message and info.value.reason == message
    assert (info.value.file, info.value.line) == (None, None)


def test_empty_other_sections_are_allowed() -> None:
    spec = from_objects({"x": VarLenFeature(INT64)}, context_features={}, sequence_features=None)
    assert spec.call == "parse_example" and [f.name for f in spec.features] == ["x"]
    assert from_objects({1: VarLenFeature(INT64)}).features[0].name == "1"
