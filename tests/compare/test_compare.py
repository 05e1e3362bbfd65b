"""`compare` end to end on real TFRecord files: a train/eval pair with planted skew, two
halves of one shuffled dataset, saved statistics files (ours and TFDV-style protos), and the
command line (exit codes, --json, --html, --select/--ignore/--fail-on, unreadable input)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from compare_pairs import planted_pair, shuffled_halves
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.findings import Severity
from tfdoctor.io.tfrecord import frame


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return planted_pair(tmp_path_factory.mktemp("planted"))


def named(result: tfdoctor.CompareResult) -> set[tuple[str, str | None, str]]:
    return {(f.code, f.where.feature, f.severity.label) for f in result.findings}


def test_planted_skew_names_each_with_its_code(planted: tuple[Path, Path]) -> None:
    result = tfdoctor.compare(str(planted[0]), str(planted[1]))
    assert named(result) == {
        ("TFD210", "pixels_mean", "error"),  # renamed 'pixel_mean' in eval
        ("TFD210", "image", "warning"),  # 64x64 against 28x28
        ("TFD211", "brightness", "warning"),  # scaled by 255 in eval
        ("TFD212", "label", "warning"),  # class 4 missing from eval
    }
    by_code = {(f.code, f.where.feature): f for f in result.findings}
    assert by_code["TFD210", "pixels_mean"].numbers["renamed_to"] == "pixel_mean"
    assert by_code["TFD210", "image"].numbers["eval_shapes"] == {"64x64x1": 300}
    assert by_code["TFD211", "brightness"].numbers["divergence"] == 1.0
    assert 240 < by_code["TFD211", "brightness"].numbers["scale"] < 270
    assert by_code["TFD212", "label"].numbers["classes"] == ["4"]
    assert result.failed()
    drift = {d.feature: d for d in result.drift}
    assert drift["source"].metric == "l_infinity" and drift["source"].value < 0.1
    assert drift["brightness"].metric == "jensen_shannon"


@pytest.mark.parametrize("seed", [5, 11])
def test_halves_of_one_shuffled_dataset_report_nothing_of_warning_or_above(tmp_path: Path, seed: int) -> None:
    a, b = shuffled_halves(tmp_path, seed=seed)
    result = tfdoctor.compare(str(a), str(b))
    assert [f for f in result.findings if f.severity >= Severity.WARNING] == []
    assert {d.feature for d in result.drift} == {"brightness", "label", "pixels_mean", "source"}
    assert all(d.value < 0.1 for d in result.drift)
    assert not result.failed()


def test_saved_statistics_files_compare_as_the_scans(planted: tuple[Path, Path], tmp_path: Path) -> None:
    paths = []
    for side, name in zip(planted, ("train.pb", "eval.pb")):
        tfdoctor.scan(str(side)).write_statistics(tmp_path / name)
        paths.append(str(tmp_path / name))
    scanned = tfdoctor.compare(str(planted[0]), str(planted[1]))
    saved = tfdoctor.compare(paths[0], paths[1])
    assert saved.train.source == saved.eval.source == "statistics"
    # image sizes and int64 classes are not in a TFMD statistics file: those need a scan
    assert named(saved) == {("TFD210", "pixels_mean", "error"), ("TFD211", "brightness", "warning")}
    assert any("TFD212" in note for note in saved.train.notes)
    # the saved QUANTILES histograms hold the shares between the quantiles: the same numbers
    numeric = {d.feature: d.value for d in scanned.drift if d.metric == "jensen_shannon"}
    assert {d.feature: d.value for d in saved.drift if d.metric == "jensen_shannon"} == pytest.approx(numeric)
    mixed = tfdoctor.compare(paths[0], str(planted[1]))  # a statistics file against a scan
    assert ("TFD211", "brightness", "warning") in named(mixed)


def _tfdv_style(pb: object, name: str, low: float, high: float, labels: dict[str, int]) -> object:
    """Statistics as TFDV writes them: a path per feature, STANDARD histograms of numeric
    features, a rank histogram of string ones."""
    out = pb.DatasetFeatureStatisticsList()  # type: ignore[attr-defined]
    records = sum(labels.values())
    ds = out.datasets.add(name=name, num_examples=records)
    x = ds.features.add(type=pb.FeatureNameStatistics.FLOAT)  # type: ignore[attr-defined]
    x.path.step.append("x")
    x.num_stats.common_stats.num_non_missing = records
    x.num_stats.common_stats.min_num_values = x.num_stats.common_stats.max_num_values = 1
    x.num_stats.common_stats.tot_num_values = records
    x.num_stats.min, x.num_stats.max = low, high
    hist = x.num_stats.histograms.add(type=pb.Histogram.STANDARD)  # type: ignore[attr-defined]
    width = (high - low) / 10
    for i in range(10):
        hist.buckets.add(
            low_value=low + i * width, high_value=low + (i + 1) * width, sample_count=records / 10
        )
    label = ds.features.add(type=pb.FeatureNameStatistics.STRING)  # type: ignore[attr-defined]
    label.path.step.append("label")
    label.string_stats.common_stats.num_non_missing = records
    label.string_stats.common_stats.min_num_values = label.string_stats.common_stats.max_num_values = 1
    label.string_stats.common_stats.tot_num_values = records
    label.string_stats.unique = len(labels)
    for rank, (value, count) in enumerate(labels.items()):
        label.string_stats.rank_histogram.buckets.add(
            low_rank=rank, high_rank=rank, label=value, sample_count=count
        )
    return out


def test_tfdv_style_statistics_text_and_tfrecord(tmp_path: Path) -> None:
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import statistics_pb2 as pb

    train = _tfdv_style(pb, "train", 0.0, 1.0, {"cat": 500, "dog": 500})
    evals = _tfdv_style(pb, "eval", 0.5, 1.5, {"cat": 200, "dog": 200, "bird": 100})
    (tmp_path / "train.pbtxt").write_text(text_format.MessageToString(train))  # type: ignore[arg-type]
    (tmp_path / "eval.pb").write_bytes(frame(evals.SerializeToString()))  # type: ignore[attr-defined]
    result = tfdoctor.compare(str(tmp_path / "train.pbtxt"), str(tmp_path / "eval.pb"))
    assert named(result) == {("TFD211", "x", "warning"), ("TFD212", "label", "error")}
    x = next(f for f in result.findings if f.code == "TFD211")
    # STANDARD buckets of 0.1 over [0, 1] and [0.5, 1.5]: half of each side's mass overlaps;
    # P = (0.5, 0.5, 0) and Q = (0, 0.5, 0.5) over [0, .5], [.5, 1], [1, 1.5]: JSD = 0.5
    assert x.numbers["divergence"] == pytest.approx(0.5)
    assert "histograms from the statistics files" in x.message


# --- the command line -------------------------------------------------------------------------

runner = CliRunner()


def test_cli_exit_codes_and_json(planted: tuple[Path, Path], tmp_path: Path) -> None:
    train, evals = str(planted[0]), str(planted[1])
    run = runner.invoke(app, ["compare", train, evals, "--json"])
    assert run.exit_code == 1, run.output
    report = json.loads(run.stdout)
    assert report["command"] == "compare" and report["summary"]["findings"] == {
        "error": 1,
        "warning": 3,
        "info": 0,
    }
    assert report["train"]["records"] == 600 and report["eval"]["image_shapes"] == {"image": {"64x64x1": 300}}
    assert report["train"]["label_classes"] == {"0": 115, "1": 122, "2": 119, "3": 119, "4": 125}
    assert {f["code"] for f in report["findings"]} == {"TFD210", "TFD211", "TFD212"}
    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert runner.invoke(app, ["compare", train, evals, "--fail-on", "never"]).exit_code == 0
    only = runner.invoke(app, ["compare", train, evals, "--json", "--select", "TFD211"])
    assert [f["code"] for f in json.loads(only.stdout)["findings"]] == ["TFD211"] and only.exit_code == 0
    ignored = runner.invoke(
        app, ["compare", train, evals, "--ignore", "TFD210,TFD212", "--fail-on", "warning"]
    )
    assert ignored.exit_code == 1 and "TFD211" in ignored.stdout and "TFD210" not in ignored.stdout
    a, b = shuffled_halves(tmp_path / "halves")
    clean = runner.invoke(app, ["compare", str(a), str(b)])
    assert clean.exit_code == 0 and "No findings." in clean.stdout and "Jensen-Shannon" in clean.stdout


def test_cli_html_page(planted: tuple[Path, Path], tmp_path: Path) -> None:
    page = tmp_path / "compare.html"
    run = runner.invoke(app, ["compare", str(planted[0]), str(planted[1]), "--html", str(page)])
    assert run.exit_code == 1, run.output
    html = page.read_text()
    assert "tfdoctor compare report" in html and "<script" not in html
    for code in ("TFD210", "TFD211", "TFD212"):
        assert f'id="rule-{code}"' in html
    assert "1 error(s)" in html


def test_cli_unreadable_inputs_are_usage_errors(planted: tuple[Path, Path], tmp_path: Path) -> None:
    bad = tmp_path / "eval.pb"
    bad.write_bytes(b"\xff\xff\xff not a proto")
    run = runner.invoke(app, ["compare", str(planted[0]), str(bad)])
    assert run.exit_code == 2 and "cannot read the statistics" in run.output
    missing = runner.invoke(app, ["compare", str(planted[0]), str(tmp_path / "nowhere" / "*.tfrecord")])
    assert missing.exit_code == 2 and "no evaluation records" in missing.output
