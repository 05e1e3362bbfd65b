"""The Apache Beam engine (DirectRunner on local files): the same statistics and findings as
the local engines, from `tfdoctor.scan(engine=BeamEngine())`, the CLI's `--runner beam`, and
the `ScanTFRecords` / `CheckSpec` transforms composed into a user's own Beam pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.engines.local import InProcessEngine
from tfdoctor.facts.spec import FeatureSpec, ParseSpec
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def _shards(folder: Path) -> list[str]:
    """Three label-sorted shards with a float feature long enough to compact its sketches,
    and one corrupt record in the second shard."""
    paths = []
    for k in range(3):
        records = [
            example({"label": k, "x": float((i * 7919 + k) % 1000), "tag": b"t%d" % (i % 5)})
            for i in range(600)
        ]
        path = folder / f"part-{k}-of-3.tfrecord"
        write_tfrecord(path, records)
        paths.append(str(path))
    data = bytearray(Path(paths[1]).read_bytes())
    data[100] ^= 0xFF  # a payload byte of the second record: its CRC fails
    Path(paths[1]).write_bytes(bytes(data))
    return paths


def test_beam_gives_the_local_result(beam: Any, tmp_path: Path) -> None:
    from tfdoctor.engines.beam import BeamEngine

    paths = _shards(tmp_path)
    local = tfdoctor.scan(paths, engine=InProcessEngine(), config=tfdoctor.Config(), label="label").to_json()
    beamed = tfdoctor.scan(paths, engine=BeamEngine(), config=tfdoctor.Config(), label="label").to_json()
    assert beamed == local
    assert local["summary"]["records"] == 1799  # one record lost to the corrupt frame
    assert {"TFD101"} <= {f["code"] for f in local["findings"]}


def test_the_cli_runner_beam(beam: Any, tmp_path: Path) -> None:
    paths = _shards(tmp_path)
    runner = CliRunner()
    local = runner.invoke(app, ["scan", *paths, "--json", "--label", "label"])
    beamed = runner.invoke(
        app,
        [
            "scan",
            *paths,
            "--json",
            "--label",
            "label",
            "--runner",
            "beam",
            "--beam-option",
            "runner=DirectRunner",
        ],
    )
    assert beamed.exit_code == local.exit_code == 1  # the corrupt record is an error
    assert json.loads(beamed.stdout) == json.loads(local.stdout)
    wrong = runner.invoke(app, ["scan", *paths, "--beam-option", "runner=DirectRunner"])
    assert wrong.exit_code == 2 and "--beam-option needs --runner beam" in wrong.output
    bad = runner.invoke(app, ["scan", *paths, "--runner", "beam", "--beam-option", "DirectRunner"])
    assert bad.exit_code == 2 and "use key=value" in bad.output


def test_scan_transforms_compose_with_the_users_pipeline(beam: Any, tmp_path: Path) -> None:
    from apache_beam.testing.util import assert_that, equal_to

    from tfdoctor.beam import CheckSpec, ScanTFRecords

    paths = _shards(tmp_path)
    # the spec reads `x` as int64 (it is stored as float) and a key no record has: TFD2xx findings
    spec = ParseSpec(
        (
            FeatureSpec("x", "FixedLenFeature", "int64", shape=()),
            FeatureSpec("weight", "FixedLenFeature", "float32", shape=()),
        ),
        name="train.py:12 parse",
    )
    expected = tfdoctor.scan(paths, engine=InProcessEngine(), config=tfdoctor.Config(), label="label")
    checked = tfdoctor.check_spec(paths, spec=spec, engine=InProcessEngine(), config=tfdoctor.Config())
    assert {"TFD201", "TFD202"} <= {f.code for f in checked.findings}
    with beam.Pipeline() as pipeline:
        scanned = pipeline | "scan" >> ScanTFRecords(paths, label="label", config=tfdoctor.Config())
        summary = scanned | "summarise" >> beam.Map(
            lambda r: (r.stats.records, sorted({f.code for f in r.findings}))
        )
        assert_that(summary, equal_to([(1799, sorted({f.code for f in expected.findings}))]), label="scan")
        judged = pipeline | "check" >> CheckSpec(paths, spec=spec, config=tfdoctor.Config())
        codes = judged | "codes" >> beam.Map(lambda r: json.dumps(r.to_json()["findings"], sort_keys=True))
        assert_that(
            codes, equal_to([json.dumps(checked.to_json()["findings"], sort_keys=True)]), label="spec"
        )


def test_without_beam_the_cli_says_how_to_install_it(tmp_path: Path, monkeypatch: Any) -> None:
    import sys

    paths = _shards(tmp_path)
    monkeypatch.setitem(sys.modules, "apache_beam", None)  # as if not installed: the import raises
    res = CliRunner().invoke(app, ["scan", *paths, "--runner", "beam"])
    assert res.exit_code == 2 and 'pip install "tfdoctor[beam]"' in " ".join(res.output.split())
