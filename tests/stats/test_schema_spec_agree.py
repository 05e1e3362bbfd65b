"""Fixed shape or variable length is decided once (`infer_feature_spec`): the schema
(`tfdoctor spec --format json/pbtxt`, `scan --schema-out`) and the parse function `tfdoctor
spec` writes agree on every feature, and TensorFlow parses the data with what they say. An
always-empty feature is the case they used to disagree on: a feature list whose steps hold no
value was a FixedLenSequenceFeature([0]) in the schema, which kills TensorFlow (SIGFPE)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.facts.spec import FeatureSpec
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example, sequence_example
from tfdoctor.spec.load import load_specs

runner = CliRunner()
N = 12


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of ours is picked up


def _examples() -> list[bytes]:
    out = []
    for i in range(N):
        feats: dict[str, Any] = {
            "empty": ("float", []),  # in every record, never a value
            "one": i,
            "three": [1.0, 2.0, float(i)],
            "var": list(range(i % 3)) or ("int64", []),
        }
        if i % 2:
            feats["opt"] = b"x"
        out.append(example(feats))
    return out


def _sequence_examples() -> list[bytes]:
    return [
        sequence_example(
            {"id": i, "empty_ctx": ("bytes", [])},
            {
                "pair": [[1.0, 2.0]] * (i % 3 + 1),  # 2 values a step
                "empty_steps": [("int64", [])] * (i % 2 + 1),  # steps, never a value
                "ragged": [[b"a"] * (s % 2 + 1) for s in range(i % 4)],
            },
        )
        for i in range(N)
    ]


EXPECTED = {
    "examples": {
        ("features", "empty"): ("VarLenFeature", "float32", None),
        ("features", "one"): ("FixedLenFeature", "int64", ()),
        ("features", "three"): ("FixedLenFeature", "float32", (3,)),
        ("features", "var"): ("VarLenFeature", "int64", None),
        ("features", "opt"): ("VarLenFeature", "string", None),
    },
    "sequence_examples": {
        ("context", "id"): ("FixedLenFeature", "int64", ()),
        ("context", "empty_ctx"): ("VarLenFeature", "string", None),
        ("sequence", "pair"): ("FixedLenSequenceFeature", "float32", (2,)),
        ("sequence", "empty_steps"): ("VarLenFeature", "int64", None),
        ("sequence", "ragged"): ("VarLenFeature", "string", None),
    },
}


def _entries(features: tuple[FeatureSpec, ...]) -> dict[tuple[str, str], tuple[str, str, Any]]:
    return {(f.section, f.name): (f.kind, f.dtype, f.shape) for f in features}


def _specs(data: Path, tmp_path: Path, formats: tuple[str, ...]) -> dict[str, tuple[FeatureSpec, ...]]:
    """The spec each output of `tfdoctor spec` amounts to, read back as tfdoctor reads specs."""
    out = {}
    for fmt in formats:
        target = tmp_path / f"spec.{'py' if fmt == 'python' else fmt}"
        res = runner.invoke(app, ["spec", str(data), "--format", fmt, "--out", str(target)])
        assert res.exit_code == 0, res.output
        (spec,) = load_specs(str(target)).specs
        out[fmt] = tuple(replace(f, line=None) for f in spec.features)
    return out


@pytest.mark.parametrize("kind", ["examples", "sequence_examples"])
def test_schema_and_spec_agree(kind: str, tmp_path: Path) -> None:
    data = tmp_path / f"{kind}.tfrecord"
    write_tfrecord(data, _examples() if kind == "examples" else _sequence_examples())
    specs = _specs(data, tmp_path, ("python", "json"))
    assert _entries(specs["python"]) == EXPECTED[kind]
    assert _entries(specs["json"]) == EXPECTED[kind]


@pytest.mark.tensorflow
@pytest.mark.parametrize("kind", ["examples", "sequence_examples"])
def test_what_is_inferred_parses_in_tensorflow(tf: Any, kind: str, tmp_path: Path) -> None:
    pytest.importorskip("tensorflow_metadata")
    records = _examples() if kind == "examples" else _sequence_examples()
    data = tmp_path / f"{kind}.tfrecord"
    write_tfrecord(data, records)
    specs = _specs(data, tmp_path, ("python", "json", "pbtxt"))
    assert _entries(specs["pbtxt"]) == _entries(specs["python"]) == EXPECTED[kind]
    for features in specs.values():
        # a zero dimension is refused here: FixedLenSequenceFeature([0]) would kill the run
        assert all(0 not in (f.shape or ()) for f in features)
        built = {section: {} for section in ("features", "context", "sequence")}
        for f in features:
            dtype = tf.as_dtype(f.dtype)
            if f.kind == "FixedLenFeature":
                built[f.section][f.name] = tf.io.FixedLenFeature(list(f.shape or ()), dtype)
            elif f.kind == "FixedLenSequenceFeature":
                built[f.section][f.name] = tf.io.FixedLenSequenceFeature(list(f.shape or ()), dtype)
            else:
                built[f.section][f.name] = tf.io.VarLenFeature(dtype)
        if kind == "examples":
            parsed = tf.io.parse_example(records, built["features"])
            assert parsed["three"].shape == (N, 3) and parsed["one"].shape == (N,)
        else:
            context, sequence, _lengths = tf.io.parse_sequence_example(
                records, context_features=built["context"], sequence_features=built["sequence"]
            )
            assert context["id"].shape == (N,) and sequence["pair"].shape == (N, 3, 2)
            assert sequence["empty_steps"].values.shape == (0,)
