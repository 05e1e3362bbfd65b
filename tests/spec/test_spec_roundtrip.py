"""`tfdoctor spec` writes a parse function; TensorFlow parses every record with it, without
error and without defaults, and `tfdoctor check` with it (read back from the file by AST)
reports nothing of warning or above about the spec. On every real file and on generated
Example and SequenceExample data with every feature kind."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.findings import Severity
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example, sequence_example
from tfdoctor.spec.from_python import from_objects
from tfdoctor.spec.from_source import read_source
from tfdoctor.spec.load import load_specs

runner = CliRunner()


def _round_trip(tf: Any, path: Path, tmp_path: Path) -> int:
    """Write the spec for path, parse every record with it in TensorFlow; returns records parsed."""
    result = tfdoctor.scan(str(path))
    code = result.parse_function()
    assert "default_value=" not in "\n".join(
        line for line in code.splitlines() if not line.strip().startswith("#")
    )
    namespace: dict[str, Any] = {}
    exec(compile(code, "generated_spec.py", "exec"), namespace)  # our own generated code
    compression = {"gzip": "GZIP", "zlib": "ZLIB"}.get(result.stats.files[0].compression, "")
    parsed = 0
    for _ in tf.data.TFRecordDataset(str(path), compression_type=compression).map(namespace["parse"]):
        parsed += 1
    # the file tfdoctor writes is read back by the AST reader as the same spec TensorFlow built
    spec_file = tmp_path / "generated_spec.py"
    spec_file.write_text(code)
    from_file = read_source(spec_file).specs
    if "FEATURES" in namespace:
        built = from_objects(namespace["FEATURES"])
    else:
        built = from_objects(
            context_features=namespace["CONTEXT_FEATURES"], sequence_features=namespace["SEQUENCE_FEATURES"]
        )
    assert len(from_file) == 1
    assert [replace(f, line=None) for f in from_file[0].features] == list(built.features)
    checked = tfdoctor.check_spec(str(path), spec=str(spec_file))
    about_spec = [f for f in checked.findings if f.where.spec and f.severity >= Severity.WARNING]
    assert about_spec == [], [(f.code, f.message) for f in about_spec]
    return parsed


def _png(h: int, w: int, mode: str) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (w, h), color=0).save(out, "PNG")
    return out.getvalue()


def test_round_trip_generated_examples_every_kind(tf: Any, tmp_path: Path) -> None:
    records = []
    for i in range(300):
        features: dict[str, Any] = {
            "label": i % 3,
            "weights": [0.5 * i, 1.0, 2.0],
            "name": f"r{i}".encode(),
            "tokens": list(range(i % 6)) if i % 6 else ("int64", []),  # 0 to 5 values: typed empty lists too
            "image": _png(6, 5, "RGB"),
            "gray_or_rgb": _png(4, 4, "L" if i % 2 else "RGB"),  # mixed channels
            "sizes": _png(3 + i % 3, 3, "RGB"),  # mixed sizes
            "never": None,  # a Feature with no value list
        }
        if i % 4:
            features["optional"] = 1.5 * i
        records.append(example(features))
    path = tmp_path / "ex.tfrecord"
    write_tfrecord(path, records)
    assert _round_trip(tf, path, tmp_path) == 300
    code = tfdoctor.scan(str(path)).parse_function()
    assert "tf.io.decode_png(parsed['image'], channels=3)" in code
    assert "tf.ensure_shape(image, [6, 5, 3])" in code
    assert "tf.image.resize(image, [" in code and "channels=3" in code
    assert "'optional': tf.io.VarLenFeature(tf.float32)" in code
    assert "optional: missing in 75 of 300 records" in code


def test_round_trip_generated_sequence_examples(tf: Any, tmp_path: Path) -> None:
    records = []
    for i in range(120):
        context: dict[str, Any] = {"id": i, "lang": b"en"}
        if i % 5:
            context["score"] = 0.1 * i
        sequence = {
            "frames": [[0.1, 0.2]] * (1 + i % 4),  # 2 values per step, 1-4 steps
            "words": [[b"w"] * (1 + k % 3) for k in range(i % 3 + 1)],  # varying per step
        }
        if i % 7:
            sequence["optional_steps"] = [[1]] * 2
        records.append(sequence_example(context, sequence))
    path = tmp_path / "seq.tfrecord"
    write_tfrecord(path, records)
    assert _round_trip(tf, path, tmp_path) == 120


@pytest.mark.realdata
def test_round_trip_every_real_file(tf: Any, realdata: Path, tmp_path: Path) -> None:
    checked = 0
    for path in sorted(
        p for p in realdata.rglob("*") if p.is_file() and p.suffix not in (".md", ".txt", ".pbtxt")
    ):
        stats = tfdoctor.scan(str(path)).stats
        if stats.records == 0 or stats.files[0].not_example:
            continue  # not Examples (events, ELWC), empty or not TFRecord: nothing to parse
        assert _round_trip(tf, path, tmp_path) == stats.records, path
        checked += 1
    assert checked >= 25


@pytest.mark.realdata
def test_tfx_schemas_as_specs(realdata: Path) -> None:
    base = realdata / "tfx/tfx/components/testdata"
    penguin = tfdoctor.check_spec(
        str(base / "penguin/data/Split-train"), spec=str(base / "penguin/schema/schema.pbtxt")
    )
    assert [f for f in penguin.findings if f.where.spec] == []
    spec = load_specs(str(base / "schema_gen/schema.pbtxt")).specs[0]
    assert {f.name: f.kind for f in spec.features}["trip_start_hour"] == "FixedLenFeature"
    taxi = tfdoctor.check_spec(str(base / "csv_example_gen/Split-train"), spec=spec)
    about_spec = [(f.code, f.severity, f.where.feature) for f in taxi.findings if f.where.spec]
    # TFX wrote an empty Feature for every empty CSV cell of this column
    assert about_spec == [("TFD201", Severity.WARNING, "pickup_census_tract")]


def test_spec_command_formats(tmp_path: Path) -> None:
    path = tmp_path / "d.tfrecord"
    write_tfrecord(path, [example({"label": i % 2, "x": [1.0, 2.0]}) for i in range(10)])
    res = runner.invoke(app, ["spec", str(path)])
    assert res.exit_code == 0 and "'x': tf.io.FixedLenFeature([2], tf.float32)," in res.stdout
    res = runner.invoke(app, ["spec", str(path), "--format", "pbtxt", "--out", str(tmp_path / "s.pbtxt")])
    assert res.exit_code == 0
    res = runner.invoke(app, ["spec", str(path), "--format", "json", "--out", str(tmp_path / "s.json")])
    assert res.exit_code == 0
    for written in ("s.pbtxt", "s.json"):  # the schema read back as a spec fits the data
        again = tfdoctor.check_spec(str(path), spec=str(tmp_path / written))
        assert [f for f in again.findings if f.where.spec and f.severity >= Severity.WARNING] == []
        assert {(f.name, f.kind, f.shape) for f in again.specs[0].features} == {
            ("label", "FixedLenFeature", ()), ("x", "FixedLenFeature", (2,))
        }  # fmt: skip
    assert runner.invoke(app, ["spec", str(tmp_path / "nothing*.tfrecord")]).exit_code == 2


def test_written_spec_is_safe_with_hostile_feature_names(tf: Any, tmp_path: Path) -> None:
    """Feature names are untrusted: a name holding quotes and code must stay a string. (Names
    with control characters are data too: tests/differential/test_keys_are_data.py.)"""
    marker = tmp_path / "pwned"
    evil = "x' + open(" + repr(str(marker)) + ", 'w').write('1') + '\u2028#\"\"\""
    records = [example({evil: i, "label": i % 2, evil + "_never": None}) for i in range(10)]
    path = tmp_path / "evil.tfrecord"
    write_tfrecord(path, records)
    code = tfdoctor.scan(str(path)).parse_function()
    namespace: dict[str, Any] = {}
    exec(compile(code, "generated_spec.py", "exec"), namespace)
    assert not marker.exists()
    assert evil in namespace["FEATURES"]
    parsed = tf.io.parse_single_example(records[3], namespace["FEATURES"])
    assert int(parsed[evil]) == 3
