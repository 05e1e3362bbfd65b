"""Specs read from JSON and TFMD schema files (spec/from_files.py): the features each file
declares, written out by hand, and each refusal's exact words with the file they name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfdoctor.facts.spec import FeatureSpec, ParseSpec
from tfdoctor.spec.from_files import from_json, from_schema_pbtxt
from tfdoctor.spec.model import SpecError

pytest.importorskip("tensorflow_metadata.proto.v0.schema_pb2")


def _json(tmp_path: Path, data: Any, name: str = "spec.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_json_spec_every_field(tmp_path: Path) -> None:
    path = _json(
        tmp_path,
        {
            "context": {
                "id": {"type": "fixed", "dtype": "int64", "shape": [], "default_value": 0},
                "tags": {"kind": "VarLen", "dtype": "string"},
            },
            "sequence": {
                "tok": {
                    "kind": "FixedLenSequenceFeature",
                    "dtype": "int64",
                    "shape": [2],
                    "allow_missing": True,
                },
            },
            "features": {
                "sp": {
                    "kind": "sparse",
                    "dtype": "float32",
                    "value_key": "v",
                    "index_key": ["i", "j"],
                    "shape": [4, 5],
                },
                "rg": {"kind": "ragged", "dtype": "int64", "value_key": "rv", "partition_keys": ["rl"]},
                "one": {
                    "kind": "sparse",
                    "dtype": "float32",
                    "value_key": "v1",
                    "index_key": "i1",
                    "shape": [3],
                },
            },
        },
    )
    spec = from_json(path)
    assert (spec.name, spec.call, spec.file) == ("spec.json", "json", str(path))
    assert spec.features == (
        FeatureSpec("id", "FixedLenFeature", "int64", "context", (), 0),
        FeatureSpec("tags", "VarLenFeature", "string", "context"),
        FeatureSpec("tok", "FixedLenSequenceFeature", "int64", "sequence", (2,), allow_missing=True),
        FeatureSpec(
            "sp", "SparseFeature", "float32", "features", (4, 5), value_key="v", index_keys=("i", "j")
        ),
        FeatureSpec("rg", "RaggedFeature", "int64", "features", value_key="rv", partition_keys=("rl",)),
        FeatureSpec("one", "SparseFeature", "float32", "features", (3,), value_key="v1", index_keys=("i1",)),
    )
    assert not spec.features[0].allow_missing


def test_json_spec_names_at_the_top(tmp_path: Path) -> None:
    spec = from_json(
        _json(tmp_path, {"x": {"kind": "FixedLenFeature", "dtype": "float32", "shape": [-1, 3]}})
    )
    assert spec.features == (FeatureSpec("x", "FixedLenFeature", "float32", "features", (-1, 3)),)


@pytest.mark.parametrize(
    "data,words",
    [
        ([1, 2], "a JSON spec is an object"),
        ({"features": {}}, "the spec holds no features"),
        ({"context": [1]}, "context: expected an object of features, got a list"),
        ({"features": {"x": 3}}, "features.x: expected an object, got 3"),
        ({"features": {"x": {"kind": "Dense", "dtype": "int64"}}}, "feature 'x': unknown kind 'Dense'"),
        ({"features": {"x": {"kind": "VarLenFeature"}}}, "features.x.dtype: missing (feature 'x' has no dtype)"),
        ({"features": {"x": {"type": 7, "dtype": "int64"}}}, "features.x.type: expected a string, got 7"),
        ({"features": {"x": {"kind": "FixedLenSequenceFeature", "dtype": "int64"}}}, "feature 'x': FixedLenSequenceFeature needs a shape"),
        ({"features": {"x": {"kind": "fixed", "dtype": "int64", "shape": [-2]}}}, "features.x.shape: expected a list of ints, got a list"),
        ({"features": {"x": {"kind": "fixed", "dtype": "int64", "shape": [1], "allow_missing": 1}}}, "features.x.allow_missing: expected true or false, got 1"),
        ({"features": {"x": {"kind": "sparse", "dtype": "int64", "value_key": 5}}}, "features.x.value_key: expected a string, got 5"),
        ({"features": {"x": {"kind": "ragged", "dtype": "int64", "partition_keys": "a"}}}, 'features.x.partition_keys: expected a list of strings, got "a"'),
        ({"features": {"x": {"kind": "sparse", "dtype": "int64", "index_key": [1]}}}, "features.x.index_key: expected a string or a list of strings, got a list"),
        ({"features": {"x": {"kind": "fixed", "dtype": "int64", "shape": [1], "default_value": {"a": 1}}}}, "features.x.default_value: expected a value or nested list of values, got an object"),
    ],
)  # fmt: skip
def test_json_spec_refusals(tmp_path: Path, data: Any, words: str) -> None:
    path = _json(tmp_path, data)
    with pytest.raises(SpecError) as err:
        from_json(path)
    assert err.value.file == str(path)
    assert err.value.reason.startswith(words)
    assert str(err.value) == f"{path}: {err.value.reason}"


def test_shown_values_cut_at_forty_characters(tmp_path: Path) -> None:
    forty = "x" * 38  # with its quotes: 40 characters, shown whole
    with pytest.raises(SpecError) as err:
        from_json(_json(tmp_path, {"features": {"x": {"type": 1, "kind": 2, "dtype": "int64"}}}))
    assert err.value.reason == "features.x.kind: expected a string, got 2"
    with pytest.raises(SpecError) as err:
        from_json(_json(tmp_path, {"features": {"x": forty}}))
    assert err.value.reason == f'features.x: expected an object, got "{forty}"'
    with pytest.raises(SpecError) as err:
        from_json(_json(tmp_path, {"features": {"x": forty + "y"}}))
    assert err.value.reason == f'features.x: expected an object, got "{forty[:36]}...'


def test_nested_default_at_the_depth_limit(tmp_path: Path) -> None:
    deep: Any = 0
    for _ in range(32):
        deep = [deep]
    ok = from_json(
        _json(
            tmp_path,
            {"features": {"x": {"kind": "fixed", "dtype": "int64", "shape": [1], "default_value": deep}}},
        )
    )
    assert ok.features[0].default == deep
    with pytest.raises(SpecError, match="default_value: expected a value or nested list"):
        from_json(
            _json(
                tmp_path,
                {
                    "features": {
                        "x": {"kind": "fixed", "dtype": "int64", "shape": [1], "default_value": [deep]}
                    }
                },
            )
        )


def test_unreadable_json(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    with pytest.raises(SpecError) as err:
        from_json(missing)
    assert err.value.file == str(missing) and err.value.reason.startswith("cannot read: ")


def test_schema_json_as_tfdoctor_writes_it(tmp_path: Path) -> None:
    data = {
        "record_kind": "sequence_example",
        "features": [
            {"name": "id", "section": "features", "dtype": "int64", "shape": [], "required": True},
            {"name": "opt", "dtype": "float", "shape": [2], "required": False},
            {"name": "tok", "section": "sequence", "dtype": "bytes", "shape": [3]},
            {"name": "var", "section": "sequence", "dtype": "weird", "shape": None},
        ],
    }
    path = _json(tmp_path, data, "schema.json")
    spec = from_json(path)
    assert spec == ParseSpec(
        (
            FeatureSpec("id", "FixedLenFeature", "int64", "context", ()),
            FeatureSpec("opt", "VarLenFeature", "float32", "context"),
            FeatureSpec("tok", "FixedLenSequenceFeature", "string", "sequence", (3,)),
            FeatureSpec("var", "VarLenFeature", "string", "sequence"),
        ),
        name="schema.json",
        call="schema",
        file=str(path),
    )
    plain = from_json(
        _json(
            tmp_path, {"record_kind": "example", "features": [{"name": "a", "dtype": "int64", "shape": [1]}]}
        )
    )
    assert plain.features == (FeatureSpec("a", "FixedLenFeature", "int64", "features", (1,)),)


@pytest.mark.parametrize(
    "feature,words",
    [
        ({"dtype": "int64"}, "features[0].name: missing"),
        ({"name": 3}, "features[0].name: expected a string, got 3"),
        ({"name": "a", "dtype": 3}, "features[0].dtype: expected a string, got 3"),
        ({"name": "a", "shape": "x"}, 'features[0].shape: expected a list of ints, got "x"'),
        ({"name": "a", "required": 1}, "features[0].required: expected true or false, got 1"),
        (
            {"name": "a", "section": "other"},
            'features[0].section: expected "features", "context" or "sequence", got "other"',
        ),
    ],
)
def test_schema_json_refusals(tmp_path: Path, feature: dict[str, Any], words: str) -> None:
    path = _json(tmp_path, {"record_kind": "example", "features": [feature]})
    with pytest.raises(SpecError) as err:
        from_json(path)
    assert (err.value.reason, err.value.file) == (words, str(path))
    empty = _json(tmp_path, {"record_kind": "example", "features": []}, "empty.json")
    with pytest.raises(SpecError) as err:
        from_json(empty)
    assert (err.value.reason, err.value.file) == ("the schema declares no features", str(empty))


PBTXT = """
feature { name: "a" type: INT value_count { min: 1 max: 1 } presence { min_fraction: 1.0 } }
feature { name: "b" type: FLOAT value_count { min: 3 max: 3 } presence { min_fraction: 1.0 } }
feature { name: "c" type: BYTES value_count { min: 1 max: 4 } }
feature { name: "d" type: INT shape { dim { size: 2 } dim { size: 5 } } }
feature { name: "e" type: FLOAT value_count { min: 2 max: 2 } presence { min_fraction: 0.5 } }
feature { name: "sv" type: FLOAT }
feature { name: "si" type: INT }
sparse_feature {
  name: "sp" dense_shape { dim { size: 10 } }
  index_feature { name: "si" } value_feature { name: "sv" }
}
"""


def test_schema_pbtxt(tmp_path: Path) -> None:
    path = tmp_path / "schema.pbtxt"
    path.write_text(PBTXT)
    spec = from_schema_pbtxt(path)
    assert (spec.name, spec.call, spec.file) == ("schema.pbtxt", "schema", str(path))
    assert spec.features == (
        FeatureSpec("a", "FixedLenFeature", "int64", "features", ()),
        FeatureSpec("b", "FixedLenFeature", "float32", "features", (3,)),
        FeatureSpec("c", "VarLenFeature", "string", "features"),
        FeatureSpec("d", "FixedLenFeature", "int64", "features", (2, 5)),
        FeatureSpec("e", "VarLenFeature", "float32", "features"),  # not in every record
        FeatureSpec("sp", "SparseFeature", "float32", shape=(10,), value_key="sv", index_keys=("si",)),
    )


def test_schema_pbtxt_sequence_struct(tmp_path: Path) -> None:
    path = tmp_path / "seq.pbtxt"
    path.write_text(
        'feature { name: "id" type: INT value_count { min: 1 max: 1 } presence { min_fraction: 1.0 } }\n'
        'feature { name: "##SEQUENCE##" type: STRUCT struct_domain {\n'
        '  feature { name: "tok" type: INT value_count { min: 1 max: 1 } }\n'
        '  feature { name: "emb" type: FLOAT shape { dim { size: 4 } } }\n'
        '  feature { name: "txt" type: BYTES value_count { min: 0 max: 3 } }\n'
        "} }\n"
    )
    assert from_schema_pbtxt(path).features == (
        FeatureSpec("id", "FixedLenFeature", "int64", "context", ()),
        FeatureSpec("tok", "FixedLenSequenceFeature", "int64", "sequence", ()),
        FeatureSpec("emb", "FixedLenSequenceFeature", "float32", "sequence", (4,)),
        FeatureSpec("txt", "VarLenFeature", "string", "sequence"),
    )


def test_schema_pbtxt_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "none.pbtxt"
    with pytest.raises(SpecError) as err:
        from_schema_pbtxt(missing)
    assert err.value.file == str(missing) and err.value.reason.startswith("cannot read: ")


def test_sparse_value_dtype_from_its_feature(tmp_path: Path) -> None:
    path = tmp_path / "sparse.pbtxt"
    path.write_text(
        'feature { name: "v" }\n'  # no type: taken as bytes
        'sparse_feature { name: "a" index_feature { name: "i" } value_feature { name: "v" } }\n'
        'sparse_feature { name: "b" index_feature { name: "j" } value_feature { name: "w" } }\n'  # not declared
    )
    assert from_schema_pbtxt(path).features == (
        FeatureSpec("a", "SparseFeature", "string", value_key="v", index_keys=("i",)),
        FeatureSpec("b", "SparseFeature", "float32", value_key="w", index_keys=("j",)),
    )
