"""Suppression, every form on real scans, checks and audits: `--ignore CODE:FEATURE`,
`per-feature-ignores` in pyproject, and `# tfdoctor: ignore[...]` comments on spec entries,
parse calls and pipeline steps. Suppressed findings are not counted, never fail the run, and
are listed with what suppressed them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.config import FeatureIgnore, config_from_table, split_ignores
from tfdoctor.facts.pipeline import Pipeline, Step
from tfdoctor.findings import Finding, Severity, Where
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.suppress import PythonSource, comments, feature_names, suppress

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml of ours is picked up


def _data(folder: Path, records: int = 64) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "train.tfrecord"
    write_tfrecord(
        path,
        [
            example({"x": float(i), "label": i % 2, "is_real_example": 1, "image/format": b"png"})
            for i in range(records)
        ],
    )
    return path


def _codes(report: dict[str, Any], key: str = "findings") -> list[tuple[str, Any]]:
    return sorted((f["code"], f["where"].get("feature") or f["where"].get("step")) for f in report[key])


# --- the pieces, on plain data --------------------------------------------------------------


def test_ignore_comments_are_read_from_comments_only() -> None:
    source = (
        "a = 1  # tfdoctor: ignore[TFD503]\n"
        "b = 2  # noqa: E501  # TFDoctor: Ignore[tfd503, TFD9]\n"
        "c = 3  # tfdoctor: ignore\n"
        'd = "# tfdoctor: ignore[TFD101]"\n'
        "e = 4  # tfdoctor: ignored is not the word\n"
    )
    found = comments(source, "train.py")
    assert {line: c.codes for line, c in found.items()} == {1: ("TFD503",), 2: ("TFD503", "TFD9"), 3: ()}
    assert found[2].covers("TFD902") and not found[1].covers("TFD502") and found[3].covers("TFD101")
    assert found[1].describe() == "# tfdoctor: ignore[TFD503] (train.py:1)"
    assert found[3].describe() == "# tfdoctor: ignore (train.py:3)"


def test_ignore_option_splits_codes_and_features() -> None:
    codes, features = split_ignores(["TFD106,TFD601:is_real_example", "tfd2:sequence:frames"])
    assert codes == ("TFD106",)
    assert features == (
        FeatureIgnore("is_real_example", ("TFD601",), "--ignore TFD601:is_real_example"),
        FeatureIgnore("sequence:frames", ("TFD2",), "--ignore tfd2:sequence:frames"),
    )
    for bad in ("TFD601:", ":label"):
        with pytest.raises(ValueError, match="CODE:FEATURE"):
            split_ignores([bad])


def test_per_feature_ignores_in_pyproject() -> None:
    config = config_from_table(
        {
            "per-feature-ignores": {"is_real_example": ["TFD601"], "image/format": "tfd206"},
            "ignore": ["TFD106"],
        }
    )
    assert config.ignore == ("TFD106",)
    assert config.feature_ignores == (
        FeatureIgnore("is_real_example", ("TFD601",), 'per-feature-ignores "is_real_example" = ["TFD601"]'),
        FeatureIgnore("image/format", ("TFD206",), 'per-feature-ignores "image/format" = ["TFD206"]'),
    )
    for bad in ({"per-feature-ignores": ["TFD601"]}, {"per-feature-ignores": {"label": [1]}}):
        with pytest.raises(ValueError):
            config_from_table(bad)


def test_feature_names_a_finding_is_matched_by() -> None:
    assert feature_names(Where(feature="label")) == {"label"}
    assert feature_names(Where(feature="sequence:frames")) == {"sequence:frames", "frames"}
    assert feature_names(Where(tensor="is_real_example")) == {"is_real_example"}
    assert feature_names(Where(tensor="[0].is_real_example")) == {"[0].is_real_example", "is_real_example"}
    assert feature_names(Where(tensor="[1]")) == {"[1]"}
    assert feature_names(Where(step=3, call="batch(1)")) == set()


def test_suppress_keeps_the_rest_in_order() -> None:
    findings = [
        Finding("TFD206", "constant-feature", Severity.WARNING, "m", Where(feature="image/format")),
        Finding("TFD206", "constant-feature", Severity.WARNING, "m", Where(feature="label")),
        Finding("TFD601", "constant-tensor", Severity.ERROR, "m", Where(tensor="[0].image/format")),
    ]
    config = config_from_table({"per-feature-ignores": {"image/format": ["TFD2"]}})
    kept, suppressed = suppress(findings, config)
    assert kept == findings[1:]
    assert [(s.finding, s.by) for s in suppressed] == [
        (findings[0], 'per-feature-ignores "image/format" = ["TFD2"]')
    ]
    assert suppressed[0].to_json()["by"] == 'per-feature-ignores "image/format" = ["TFD2"]'
    assert suppressed[0].to_json()["where"] == {"feature": "image/format"}


STEPS_SOURCE = """
import tensorflow as tf

def make(path):
    ds = tf.data.TFRecordDataset(path)
    ds = ds.map(augment).map(parse)  # tfdoctor: ignore[TFD902]
    ds = ds.batch(8)  # tfdoctor: ignore[TFD501]
    ds = (ds.shuffle(10)
          .batch(2))  # tfdoctor: ignore[TFD503]
    return ds.prefetch(1)

def make_eval(path):
    return tf.data.TFRecordDataset(path).map(parse).batch(64).prefetch(1)
"""

PIPELINE = Pipeline(
    (
        Step(1, "TFRecordDatasetV2", "read"),
        Step(2, "MapDataset", "map", function="parse"),
        Step(3, "BatchDatasetV2", "batch", {"batch_size": 8}),
        Step(4, "ShuffleDatasetV3", "shuffle", {"buffer_size": 10}),
        Step(5, "BatchDatasetV2", "batch", {"batch_size": 2}),
        Step(6, "PrefetchDataset", "prefetch", {"buffer_size": 1}),
    )
)


def test_steps_are_found_in_the_function_that_built_them() -> None:
    source = PythonSource("train.py", STEPS_SOURCE)
    # in make(): one call for each, and the two batch calls in chain order
    assert source.steps(PIPELINE, "make") == {
        1: (5, 5),
        2: (6, 6),
        3: (7, 7),
        4: (8, 9),
        5: (8, 9),
        6: (10, 10),
    }
    # the whole file: two calls each of TFRecordDataset, map(parse) and prefetch(1) for one
    # step each are ambiguous; the batches are told apart by their literal sizes
    assert source.steps(PIPELINE) == {3: (7, 7), 4: (8, 9), 5: (8, 9)}


def test_a_step_the_source_cannot_tell_apart_has_no_line() -> None:
    text = "def make(ds, a, b):\n    x = ds.shuffle(a)\n    y = ds.shuffle(b)  # tfdoctor: ignore\n"
    pipeline = Pipeline((Step(1, "ShuffleDatasetV3", "shuffle", {"buffer_size": 7}),))
    assert PythonSource("train.py", text).steps(pipeline) == {}
    finding = Finding(
        "TFD502", "small-shuffle-buffer", Severity.WARNING, "m", Where(step=1, call="shuffle(7)")
    )
    kept, suppressed = suppress(
        [finding],
        tfdoctor.Config(),
        sources={"train.py": text},
        pipeline=pipeline,
        pipeline_source="train.py",
    )
    assert kept == [finding] and suppressed == []


def test_step_comments_suppress_only_their_codes() -> None:
    findings = [
        Finding("TFD902", "serial-map", Severity.INFO, "m", Where(step=2, call="map(parse)")),
        Finding("TFD501", "no-shuffle", Severity.WARNING, "m", Where(step=3, call="batch(8)")),
        Finding("TFD504", "tiny-batch", Severity.WARNING, "m", Where(step=3, call="batch(8)")),
        Finding("TFD503", "shuffle-after-batch", Severity.WARNING, "m", Where(step=4, call="shuffle(10)")),
        Finding("TFD901", "no-prefetch", Severity.INFO, "m", Where(step=6, call="prefetch(1)")),
    ]
    kept, suppressed = suppress(
        findings,
        tfdoctor.Config(),
        sources={"/src/train.py": STEPS_SOURCE},
        pipeline=PIPELINE,
        pipeline_source="/src/train.py",
        function="make",
    )
    assert [f.code for f in kept] == ["TFD504", "TFD901"]
    assert [(s.finding.code, s.by) for s in suppressed] == [
        ("TFD902", "# tfdoctor: ignore[TFD902] (train.py:6)"),
        ("TFD501", "# tfdoctor: ignore[TFD501] (train.py:7)"),
        ("TFD503", "# tfdoctor: ignore[TFD503] (train.py:9)"),  # a continuation line of the statement
    ]


# --- scans and checks -----------------------------------------------------------------------


def test_scan_ignore_feature_on_the_command_line(tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    res = runner.invoke(app, ["scan", str(data), "--json", "--fail-on", "info"])
    assert res.exit_code == 1
    assert _codes(json.loads(res.stdout)) == [("TFD206", "image/format"), ("TFD206", "is_real_example")]

    res = runner.invoke(
        app,
        ["scan", str(data), "--json", "--fail-on", "info", "--ignore", "TFD206:is_real_example",
         "--ignore", "TFD2:image/format"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output  # suppressed findings do not fail --fail-on
    report = json.loads(res.stdout)
    assert report["findings"] == [] and report["summary"]["findings"] == {"error": 0, "warning": 0, "info": 0}
    assert [(s["code"], s["where"], s["by"]) for s in report["suppressed"]] == [
        ("TFD206", {"feature": "image/format"}, "--ignore TFD2:image/format"),
        ("TFD206", {"feature": "is_real_example"}, "--ignore TFD206:is_real_example"),
    ]
    assert report["schema_version"] == 2  # a pure addition

    res = runner.invoke(app, ["scan", str(data), "--fail-on", "info", "--ignore", "TFD206:is_real_example"])
    assert res.exit_code == 1  # image/format is still reported
    assert "1 finding suppressed" in res.stdout and "image/format" in res.stdout

    res = runner.invoke(app, ["scan", str(data), "--ignore", "TFD206:"])
    assert res.exit_code == 2 and "CODE:FEATURE" in res.output


def test_scan_per_feature_ignores_in_pyproject(tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.tfdoctor]\nignore = ["TFD106"]\n'
        'per-feature-ignores = { is_real_example = ["TFD206"], "image/format" = ["TFD206"] }\n'
    )
    res = runner.invoke(app, ["scan", str(data), "--json", "--fail-on", "info"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["findings"] == []
    assert [s["by"] for s in report["suppressed"]] == [
        'per-feature-ignores "image/format" = ["TFD206"]',
        'per-feature-ignores "is_real_example" = ["TFD206"]',
    ]
    # --ignore CODE:FEATURE adds to them; plain codes on the command line replace `ignore` only
    res = runner.invoke(app, ["scan", str(data), "--json", "--ignore", "TFD9", "--ignore", "TFD206:label"])
    assert len(json.loads(res.stdout)["suppressed"]) == 2
    # the Python API reads the same configuration
    result = tfdoctor.scan(str(data))
    assert result.findings == [] and len(result.suppressed) == 2 and not result.failed(Severity.INFO)


SPEC_SOURCE = """import tensorflow as tf

FEATURES = {
    "x": tf.io.FixedLenFeature([], tf.float32),
    "lable": tf.io.FixedLenFeature(
        [], tf.int64, default_value=0,
    ),  # tfdoctor: ignore[TFD201]
    "is_real_example": tf.io.FixedLenFeature([], tf.int64),  # tfdoctor: ignore[TFD9]
}


def parse(record):
    return tf.io.parse_single_example(  # tfdoctor: ignore[TFD205]
        record, FEATURES
    )


def parse_eval(record):
    return tf.io.parse_single_example(record, {"labels": tf.io.FixedLenFeature([], tf.int64)})  # tfdoctor: ignore
"""


def test_check_honours_comments_on_spec_entries_and_parse_calls(tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    spec = tmp_path / "src" / "train.py"  # away from the working directory: specs name it train.py
    spec.parent.mkdir()
    spec.write_text(SPEC_SOURCE)
    res = runner.invoke(
        app,
        [
            "check",
            str(data),
            "--spec",
            str(spec),
            "--json",
            "--ignore",
            "TFD206:image/format,TFD206:is_real_example",
        ],
    )
    report = json.loads(res.stdout)
    assert _codes(report) == [], report["findings"]
    by = sorted(
        (s["code"], s["where"].get("spec"), s["where"].get("feature"), s["by"]) for s in report["suppressed"]
    )
    assert by == [
        ("TFD201", "train.py:13 parse (entry at line 5)", "lable", "# tfdoctor: ignore[TFD201] (train.py:7)"),
        ("TFD201", "train.py:19 parse_eval", "labels", "# tfdoctor: ignore (train.py:19)"),
        ("TFD205", "train.py:13 parse", "image/format", "# tfdoctor: ignore[TFD205] (train.py:13)"),
        ("TFD205", "train.py:13 parse", "label", "# tfdoctor: ignore[TFD205] (train.py:13)"),
        ("TFD205", "train.py:19 parse_eval", "image/format", "# tfdoctor: ignore (train.py:19)"),
        ("TFD205", "train.py:19 parse_eval", "is_real_example", "# tfdoctor: ignore (train.py:19)"),
        ("TFD205", "train.py:19 parse_eval", "label", "# tfdoctor: ignore (train.py:19)"),
        ("TFD205", "train.py:19 parse_eval", "x", "# tfdoctor: ignore (train.py:19)"),
        ("TFD206", None, "image/format", "--ignore TFD206:image/format"),
        ("TFD206", None, "is_real_example", "--ignore TFD206:is_real_example"),
    ]
    assert res.exit_code == 0, res.output

    # without the comments every one of them is reported
    plain = tmp_path / "plain" / "train.py"
    plain.parent.mkdir()
    plain.write_text(SPEC_SOURCE.replace("# tfdoctor:", "# note:"))
    result = tfdoctor.check_spec(str(data), spec=str(plain))
    assert result.suppressed == [] and len(result.findings) == len(by) and result.failed()


# --- an audit of a pipeline built from a source file ----------------------------------------

PIPELINE_SOURCE = """
import tensorflow as tf

FEATURES = {
    "x": tf.io.FixedLenFeature([], tf.float32),
    "label": tf.io.FixedLenFeature([], tf.int64),
    "is_real_example": tf.io.FixedLenFeature([], tf.int64),
}


def parse(record):
    return tf.io.parse_single_example(record, FEATURES)


def make(path):
    ds = tf.data.TFRecordDataset(path).map(parse)  # tfdoctor: ignore[TFD902,TFD205]
    ds = ds.batch(
        8,  # tfdoctor: ignore[TFD501]
    )
    ds = ds.shuffle(10)  # tfdoctor: ignore
    return ds.prefetch(1)


def make_eval(path):
    return tf.data.TFRecordDataset(path).map(parse).batch(64)
"""


def test_pipeline_honours_step_comments_and_feature_ignores(tf: Any, tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    script = tmp_path / "train.py"
    script.write_text(PIPELINE_SOURCE)
    args = ["pipeline", f"{script}:make", "--arg", f"path={data}", "--batches", "4"]
    res = runner.invoke(app, [*args, "--json", "--fail-on", "info"])
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    assert sorted((s["code"], s["where"], s["by"]) for s in report["suppressed"]) == [
        (
            "TFD205",
            {"spec": "`map(parse)` (step 2)", "feature": "image/format"},
            "# tfdoctor: ignore[TFD902,TFD205] (train.py:16)",
        ),
        ("TFD501", {"step": 3, "call": "batch(8)"}, "# tfdoctor: ignore[TFD501] (train.py:18)"),
        ("TFD503", {"step": 4, "call": "shuffle(10)"}, "# tfdoctor: ignore (train.py:20)"),
        ("TFD902", {"step": 2, "call": "map(parse)"}, "# tfdoctor: ignore[TFD902,TFD205] (train.py:16)"),
    ]
    assert [(f["code"], f["where"]) for f in report["findings"]] == [
        ("TFD601", {"tensor": "is_real_example"})
    ]

    res = runner.invoke(app, [*args, "--fail-on", "info", "--ignore", "TFD601:is_real_example"])
    assert res.exit_code == 0, res.output
    assert "5 findings suppressed" in res.stdout and "No findings." in res.stdout

    # the Python API takes the source the same way; without it no comment applies
    from tfdoctor.pipeline.load import build

    dataset = build(f"{script}:make", {"path": str(data)})
    audited = tfdoctor.audit(dataset, batches=0, source=f"{script}:make")
    assert sorted(s.finding.code for s in audited.suppressed) == ["TFD205", "TFD501", "TFD503", "TFD902"]
    assert len(tfdoctor.audit(dataset, batches=0).suppressed) == 0
