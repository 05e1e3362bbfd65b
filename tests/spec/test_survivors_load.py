"""Every form `--spec` takes (spec/load.py), without TensorFlow: a .py file read by AST, a
schema or JSON file, `file.py:NAME` / `pkg.module:NAME` imported, `file.py:function` called.
The imported modules build their feature configs from the stand-ins of
test_survivors_from_python.py (TensorFlow's class names and fields, checked there against
TensorFlow); each refusal is compared with its exact words and the file it names."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tfdoctor.facts.spec import FeatureSpec, ParseSpec
from tfdoctor.spec.load import load_specs, parse_bindings
from tfdoctor.spec.model import SpecError

MODULE = """
from test_survivors_from_python import INT64, STRING, FixedLenFeature, VarLenFeature

FEATURES = {"label": FixedLenFeature([], INT64, -1)}
PAIR = ({"id": FixedLenFeature([], STRING)}, [])
PAIR_LIST = [{"id": FixedLenFeature([], STRING)}, {"tok": VarLenFeature(INT64)}]
BAD = {"x": {"dtype": "int64"}}
EMPTY = {}
NUMBER = 3
TRIPLE = (1, 2, 3)


class Holder:
    SPEC = {"h": VarLenFeature(INT64)}


def features(width=2):
    return {"x": FixedLenFeature([width], INT64)}


def number():
    return 3


def fails(width):
    raise RuntimeError(f"no data at {width}")


class Dataset:
    def _as_serialized_graph(self):
        return b""


def dataset():
    return Dataset()
"""

LABEL = FeatureSpec("label", "FixedLenFeature", "int64", "features", (), -1)


@pytest.fixture
def module(tmp_path: Path) -> Path:
    path = tmp_path / "survivors_load_spec.py"
    path.write_text(MODULE)
    return path


def _refused(arg: str, message: str, **kwargs: Any) -> None:
    with pytest.raises(SpecError) as info:
        load_specs(arg, **kwargs)
    assert str(info.value) == message


def test_parse_bindings() -> None:
    assert parse_bindings([" n =128", "f=0.5", "s=text", "e=", "t=(1, 'a')", "q=a=b"]) == {
        "n": 128, "f": 0.5, "s": "text", "e": "", "t": (1, "a"), "q": "a=b",
    }  # fmt: skip
    assert parse_bindings([]) == {}
    for pair in ("n", "=3", "1n=3", "a b=1"):
        with pytest.raises(SpecError) as info:
            parse_bindings([pair])
        assert str(info.value) == f"--spec-arg {pair!r}: use NAME=VALUE"
    with pytest.raises(SpecError, match=r"^--arg 'n': use NAME=VALUE$"):
        parse_bindings(["n"], "--arg")


def test_imported_attribute(module: Path) -> None:
    before = list(sys.path)
    arg = f"{module}:FEATURES"
    found = load_specs(arg)
    assert (found.specs, found.skipped, found.notes, found.datasets) == (
        [ParseSpec((LABEL,), name=arg, call="parse_example")], [], [], [],
    )  # fmt: skip
    assert sys.path == before  # the module's folder was on sys.path only while importing it
    holder = load_specs(f"{module}:Holder.SPEC").specs
    assert holder == [
        ParseSpec((FeatureSpec("h", "VarLenFeature", "int64"),), name=f"{module}:Holder.SPEC", call="parse_example")
    ]  # fmt: skip


@pytest.mark.parametrize("attr", ["PAIR", "PAIR_LIST"])
def test_context_and_sequence_pair(module: Path, attr: str) -> None:
    [spec] = load_specs(f"{module}:{attr}").specs
    features = [FeatureSpec("id", "FixedLenFeature", "string", "context", ())]
    if attr == "PAIR_LIST":
        features.append(FeatureSpec("tok", "VarLenFeature", "int64", "sequence"))
    assert spec == ParseSpec(tuple(features), name=f"{module}:{attr}", call="parse_sequence_example")


def test_module_by_dotted_name(module: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(module.parent))
    monkeypatch.delitem(sys.modules, "survivors_load_spec", raising=False)
    assert load_specs("survivors_load_spec:FEATURES").specs == [
        ParseSpec((LABEL,), name="survivors_load_spec:FEATURES", call="parse_example")
    ]
    _refused("survivors_load_spec:NOPE", "survivors_load_spec:NOPE: has no attribute 'NOPE'")
    _refused(
        "survivors_load_spec:Holder.NOPE", "survivors_load_spec:Holder.NOPE: has no attribute 'Holder.NOPE'"
    )
    _refused(
        "no_such_module_here:X",
        "no_such_module_here: cannot import module: ModuleNotFoundError: No module named 'no_such_module_here'",
    )


def test_functions_are_called(module: Path) -> None:
    [spec] = load_specs(f"{module}:features", call_args={"width": 5}).specs
    assert spec == ParseSpec(
        (FeatureSpec("x", "FixedLenFeature", "int64", "features", (5,)),), name=f"{module}:features",
        call="parse_example",
    )  # fmt: skip
    assert load_specs(f"{module}:features").specs[0].features[0].shape == (2,)
    found = load_specs(f"{module}:dataset")
    assert (found.specs, found.skipped) == ([], [])
    assert [(name, type(ds).__name__) for name, ds in found.datasets] == [(f"{module}:dataset", "Dataset")]
    _refused(f"{module}:fails", f"{module}:fails: fails() raised TypeError: fails() missing 1 required "
             "positional argument: 'width'")  # fmt: skip
    _refused(
        f"{module}:fails",
        f"{module}:fails: fails(width) raised RuntimeError: no data at 4",
        call_args={"width": 4},
    )
    _refused(
        f"{module}:number",
        f"{module}:number: number returns int: not a dict of tf.io feature configs, a (context, sequence) pair or "
        "a tf.data.Dataset",
    )


@pytest.mark.parametrize(
    ("attr", "call_args", "message"),
    [
        ("NUMBER", None, "NUMBER is int: not a dict of tf.io feature configs, a (context, sequence) pair or a "
         "tf.data.Dataset"),
        ("TRIPLE", None, "TRIPLE is tuple: not a dict of tf.io feature configs, a (context, sequence) pair or a "
         "tf.data.Dataset"),
        ("FEATURES", {"width": 3}, "--arg is given, but FEATURES is dict, not a function"),
        ("BAD", None, "feature 'x': dict is not a tf.io feature config (one of FixedLenFeature, VarLenFeature, "
         "RaggedFeature, SparseFeature, FixedLenSequenceFeature)"),
        ("EMPTY", None, "the spec holds no features"),
    ],
)  # fmt: skip
def test_values_refused(module: Path, attr: str, call_args: Any, message: str) -> None:
    with pytest.raises(SpecError) as info:
        load_specs(f"{module}:{attr}", call_args=call_args)
    assert (info.value.file, info.value.line, info.value.reason) == (f"{module}:{attr}", None, message)


def test_imported_files_refused(tmp_path: Path) -> None:
    raising = tmp_path / "raising.py"
    raising.write_text("raise KeyError('boom')\n")
    _refused(f"{raising}:X", f"{raising}: importing it raised KeyError: 'boom'")
    assert str(tmp_path) not in sys.path
    _refused(f"{tmp_path / 'absent.py'}:X", f"{tmp_path / 'absent.py'}: no such file")
    _refused(f"{tmp_path}/dir.py:X", f"{tmp_path}/dir.py: no such file")


def test_files_by_suffix(tmp_path: Path) -> None:
    spec = {"features": {"x": {"kind": "VarLenFeature", "dtype": "int64"}}}
    for name in ("spec.json", "SPEC.JSON"):
        (tmp_path / name).write_text(json.dumps(spec))
        found = load_specs(str(tmp_path / name))
        assert [f.name for s in found.specs for f in s.features] == ["x"]
        assert (found.skipped, found.notes, found.datasets) == ([], [], [])
    schema = 'feature { name: "n" type: INT int_domain { min: 0 max: 3 } }\n'
    for suffix in (".pbtxt", ".textproto", ".prototxt", ".PBTXT"):
        (tmp_path / f"schema{suffix}").write_text(schema)
        [one] = load_specs(str(tmp_path / f"schema{suffix}")).specs
        assert [(f.name, f.dtype) for f in one.features] == [("n", "int64")]
    (tmp_path / "spec.yaml").write_text("x: 1\n")
    _refused(
        str(tmp_path / "spec.yaml"),
        f"{tmp_path / 'spec.yaml'}: unknown spec format: use a .py file, module:ATTR, a schema .pbtxt or .json",
    )
    _refused(str(tmp_path / "missing.json"), f"{tmp_path / 'missing.json'}: no such file")


def test_source_files(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text("import tensorflow as tf\nS = {'x': tf.io.VarLenFeature(tf.int64)}\n")
    found = load_specs(str(path), spec_args={"n": 3})
    assert found.specs == [
        ParseSpec((FeatureSpec("x", "VarLenFeature", "int64", line=2),), name="train.py:2 S", file=str(path), line=2)
    ]  # fmt: skip
    assert found.notes == ["--spec-arg n: no spec in train.py reads a value of that name"]
    path.write_text("x = 1\n")
    _refused(
        str(path),
        f"{path}: no parse spec tfdoctor can read: no tf.io.parse_* call and no dict of tf.io features",
    )
    path.write_text(
        "import tensorflow as tf\ndef p(r, spec):\n    return tf.io.parse_example(r, spec)\n"
        "def q(r):\n    return tf.io.parse_example(r, make())\n"
    )
    _refused(
        str(path),
        f"{path}: no parse spec tfdoctor can read: train.py:3: parse_example in p is not checked: parameter 'spec' "
        "of p() is given no value in this file; train.py:5: parse_example in q is not "
        "checked: `make()` is a call tfdoctor does not run",
    )


def test_a_drive_letter_is_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`C:spec.py:X` on Windows: where `C:` exists, the argument is a path, not module:ATTR."""
    monkeypatch.chdir(tmp_path)
    _refused("C:spec.py:X", "C:spec.py: no such file")
    _refused("C:", "C: cannot import module: ModuleNotFoundError: No module named 'C'")
    (tmp_path / "C:").mkdir()
    _refused("C:spec.py:X", "C:spec.py:X: no such file")
    _refused("C:", "C:: unknown spec format: use a .py file, module:ATTR, a schema .pbtxt or .json")
    (tmp_path / "C:" / "spec.py").write_text("x = 1\n")
    _refused("C:/spec.py", "C:/spec.py: no parse spec tfdoctor can read: no tf.io.parse_* call and no dict of tf.io "
             "features")  # fmt: skip
