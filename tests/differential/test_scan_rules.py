"""Every rule fires on a failing case and stays silent on a correct one; what a rule
predicts about TensorFlow is checked against TensorFlow."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import REALDATA, tf_read

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.findings import Severity
from tfdoctor.io.tfrecord import frame
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.rules.registry import SECTIONS, all_rules


def _good(n: int = 200, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return [
        example({"x": [rng.random(), rng.random()], "label": rng.randrange(3), "id": i}) for i in range(n)
    ]


def _codes(result: tfdoctor.ScanResult) -> list[str]:
    return [f.code for f in result.findings]


def _scan(*paths: Path, **kw: Any) -> tfdoctor.ScanResult:
    return tfdoctor.scan([str(p) for p in paths], config=Config(), workers=1, **kw)


def test_correct_dataset_is_silent(tmp_path: Path) -> None:
    for i in range(3):
        write_tfrecord(tmp_path / f"train-{i}.tfrecord", _good(seed=i))
    result = _scan(tmp_path)
    assert result.findings == [] and result.rule_errors == []
    assert result.stats.records == 600 and result.stats.label == "label"


def test_tfd101_corrupt_record(tmp_path: Path, tf: Any) -> None:
    records = _good(50)
    data = bytearray(b"".join(frame(r) for r in records))
    at = sum(len(frame(r)) for r in records[:10])
    data[at + 20] ^= 1
    bad = tmp_path / "bad.tfrecord"
    bad.write_bytes(bytes(data))
    write_tfrecord(tmp_path / "good.tfrecord", _good(50, seed=1))
    result = _scan(tmp_path)
    [finding] = [f for f in result.findings if f.code == "TFD101"]
    assert finding.where.file == str(bad) and finding.where.record == 10
    assert finding.numbers["good_records"] == 49 and finding.numbers["bytes_skipped"] == len(
        frame(records[10])
    )
    assert result.stats.records == 99  # the other file and the rest of this one are still read
    _, error = tf_read(tf, bad)
    assert error is not None and f"corrupted record at {finding.where.offset}" in error


def test_tfd102_truncated(tmp_path: Path, tf: Any) -> None:
    path = tmp_path / "cut.tfrecord"
    data = b"".join(frame(r) for r in _good(20))
    path.write_bytes(data[:-30])
    result = _scan(path)
    [finding] = [f for f in result.findings if f.code == "TFD102"]
    records, error = tf_read(tf, path)
    assert finding.numbers["good_records"] == len(records) == 19
    assert error is not None and f"truncated record at {finding.where.offset}" in error
    write_tfrecord(path, _good(20))
    assert "TFD102" not in _codes(_scan(path))


def test_tfd103_compression_declared_wrong(tmp_path: Path, tf: Any) -> None:
    path = tmp_path / "data.tfrecord.gz"
    write_tfrecord(path, _good(20), "gzip")
    result = _scan(path, compression="none")
    [finding] = [f for f in result.findings if f.code == "TFD103"]
    assert finding.numbers == {"declared": "none", "detected": "gzip"}
    assert "compression_type='GZIP'" in finding.fix.text  # type: ignore[union-attr]
    assert result.stats.records == 20  # still scanned
    _, error = tf_read(tf, path)  # as predicted: TensorFlow fails at byte 0
    assert error is not None and "corrupted record at 0" in error
    assert "TFD103" not in _codes(_scan(path, compression="gzip"))
    assert "TFD103" not in _codes(_scan(path))


def test_tfd103_not_tfrecord(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b,c\n1,2,3\n")
    result = _scan(tmp_path / "notes.csv")
    [finding] = [f for f in result.findings if f.code == "TFD103"]
    assert "text" in finding.message and finding.severity is Severity.ERROR


def test_tfd104_not_example(tmp_path: Path) -> None:
    path = tmp_path / "events.tfrecord"
    # a TensorBoard Event: wall_time (field 1, double) and step (field 2, varint)
    event = b"\x09" + b"\x00" * 7 + b"\x40" + b"\x10\x05"
    write_tfrecord(path, [event] * 7 + _good(3))
    [finding] = [f for f in _scan(path).findings if f.code == "TFD104"]
    assert finding.numbers["not_example"] == 7 and finding.numbers["records"] == 10
    assert finding.where.record == 0
    write_tfrecord(path, _good(3))
    assert "TFD104" not in _codes(_scan(path))


def test_tfd105_empty_input(tmp_path: Path) -> None:
    result = _scan(tmp_path / "nothing-*.tfrecord")
    assert [(f.code, f.where.file) for f in result.findings] == [
        ("TFD105", str(tmp_path / "nothing-*.tfrecord"))
    ]
    result = tfdoctor.scan(str(tmp_path / "train@2"))
    assert [f.code for f in result.findings] == ["TFD105", "TFD105"]
    write_tfrecord(tmp_path / "train-00000-of-00002", _good(5))
    write_tfrecord(tmp_path / "train-00001-of-00002", _good(5))
    assert _codes(tfdoctor.scan(str(tmp_path / "train@2"))) == []
    write_tfrecord(tmp_path / "empty.tfrecord", [])
    assert _codes(_scan(tmp_path / "empty.tfrecord")) == ["TFD105"]


def test_tfd106_unbalanced_shards(tmp_path: Path) -> None:
    write_tfrecord(tmp_path / "a", _good(400))
    write_tfrecord(tmp_path / "b", _good(50))
    write_tfrecord(tmp_path / "c", _good(50))
    write_tfrecord(tmp_path / "d", [])
    findings = [f for f in _scan(tmp_path).findings if f.code == "TFD106"]
    empty = [f for f in findings if "empty_files" in f.numbers]
    ratio = [f for f in findings if "ratio" in f.numbers]
    assert len(findings) == 2 and empty[0].numbers["empty_files"] == 1
    assert ratio[0].numbers["ratio"] == 8.0 and ratio[0].severity is Severity.INFO
    for name in "abcd":
        write_tfrecord(tmp_path / name, _good(100))
    assert "TFD106" not in _codes(_scan(tmp_path))


def test_tfd206_constant_feature(tmp_path: Path) -> None:
    path = tmp_path / "c.tfrecord"
    write_tfrecord(path, [example({"label": 0, "source": b"web", "x": float(i)}) for i in range(30)])
    findings = [f for f in _scan(path).findings if f.code == "TFD206"]
    assert [(f.where.feature, f.numbers["is_label"]) for f in findings] == [
        ("label", True),
        ("source", False),
    ]
    assert "only learn a constant" in findings[0].message
    write_tfrecord(path, [example({"label": i % 2, "source": b"web%d" % i}) for i in range(30)])
    assert "TFD206" not in _codes(_scan(path))


def test_tfd207_non_finite(tmp_path: Path, tf: Any) -> None:
    path = tmp_path / "n.tfrecord"
    values = [1.0, float("nan"), float("inf"), 2.0, float("-inf"), float("nan")]
    write_tfrecord(path, [example({"x": v}) for v in values])
    [finding] = [f for f in _scan(path).findings if f.code == "TFD207"]
    assert (finding.numbers["nan"], finding.numbers["pos_inf"], finding.numbers["neg_inf"]) == (2, 1, 1)
    parsed = tf.io.parse_example(
        tf.constant(tf_read(tf, path)[0]), {"x": tf.io.FixedLenFeature([], tf.float32)}
    )
    assert int(tf.reduce_sum(tf.cast(~tf.math.is_finite(parsed["x"]), tf.int32))) == 4  # TF passes them on
    write_tfrecord(path, [example({"x": 1.0})])
    assert "TFD207" not in _codes(_scan(path))


def test_tfd208_label_imbalance(tmp_path: Path) -> None:
    path = tmp_path / "l.tfrecord"
    write_tfrecord(path, [example({"label": 0 if i % 20 else 1}) for i in range(1000)])
    [finding] = [f for f in _scan(path).findings if f.code == "TFD208"]
    assert finding.numbers["class"] == "0" and finding.numbers["count"] == 950
    write_tfrecord(path, [example({"label": [0, 1, 3][i % 3]}) for i in range(300)])
    [finding] = [f for f in _scan(path).findings if f.code == "TFD208"]
    assert finding.numbers["missing"] == [2]
    write_tfrecord(path, [example({"label": i % 4}) for i in range(300)])
    assert "TFD208" not in _codes(_scan(path))
    # a regression target is not judged as classes
    write_tfrecord(path, [example({"target": 0.5 if i % 20 else i / 7}) for i in range(300)])
    assert "TFD208" not in _codes(_scan(path))


def test_tfd213_empty_feature(tmp_path: Path, tf: Any) -> None:
    path = tmp_path / "e.tfrecord"
    write_tfrecord(path, [example({"boxes": ("float", []) if i % 2 else None, "id": i}) for i in range(40)])
    [finding] = [f for f in _scan(path).findings if f.code == "TFD213"]
    assert finding.numbers == {"empty": 40, "present": 40, "fraction": 1.0, "unset": 20, "empty_list": 20}
    # as the message says: an unset Feature gets the default silently...
    records = tf_read(tf, path)[0]
    spec = {"boxes": tf.io.FixedLenFeature([], tf.float32, default_value=-1.0)}
    parsed = tf.io.parse_example(tf.constant(records[0::2]), spec)
    assert parsed["boxes"].numpy().tolist() == [-1.0] * 20
    # ...and an empty typed list fails a FixedLenFeature even with a default
    with pytest.raises(tf.errors.InvalidArgumentError, match="Number of float values != expected"):
        tf.io.parse_example(tf.constant(records[1::2]), spec)
    write_tfrecord(path, [example({"boxes": [0.1, 0.2], "id": i}) for i in range(40)])
    assert "TFD213" not in _codes(_scan(path))


def test_select_ignore_and_fail_on(tmp_path: Path) -> None:
    path = tmp_path / "n.tfrecord"
    write_tfrecord(path, [example({"x": float("nan"), "label": 0}) for _ in range(20)])
    assert set(_codes(_scan(path))) == {"TFD206", "TFD207"}
    only = tfdoctor.scan(str(path), config=Config(select=("TFD207",)))
    assert _codes(only) == ["TFD207"]
    ignored = tfdoctor.scan(str(path), config=Config(ignore=("TFD2",)))
    assert _codes(ignored) == []
    assert not _scan(path).failed()
    assert tfdoctor.scan(str(path), config=Config(fail_on=Severity.WARNING)).failed()


def test_a_failing_rule_is_reported_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tfdoctor.rules import registry

    rule = registry.get_rule("TFD207")
    assert rule is not None

    def broken(facts: Any, cfg: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(
        registry.REGISTRY,
        "TFD207",
        registry.Rule(
            rule.code, rule.name, rule.severity, (replace(rule.judges[0], check=broken),), rule.doc
        ),
    )
    path = tmp_path / "n.tfrecord"
    write_tfrecord(path, [example({"x": float("nan")})])
    result = _scan(path)
    assert [e.code for e in result.rule_errors] == ["TFD207"]
    assert "ZeroDivisionError: boom" in result.rule_errors[0].error
    assert "TFD207" not in _codes(result)


def test_every_rule_is_documented() -> None:
    for rule in all_rules():
        sections = rule.sections()
        assert list(sections) == list(SECTIONS), rule.code
        assert all(sections.values()), rule.code


def test_rules_match_the_public_catalogue() -> None:
    catalogue = REALDATA.parent / "RULES.md"
    if not catalogue.is_file():
        pytest.skip("../shared/RULES.md not present")
    table = {}
    for line in catalogue.read_text().splitlines():
        m = re.match(r"\|\s*(TFD\d{3})\s*\|\s*([a-z0-9-]+)\s*\|\s*(error|warning|info)", line)
        if m:
            table[m.group(1)] = (m.group(2), m.group(3))
    for rule in all_rules():
        if rule.code in table:
            assert table[rule.code] == (rule.name, rule.severity.label), rule.code
            continue
        # a rule the catalogue does not list yet takes the next free code of its group
        group = [c for c in table if c[:4] == rule.code[:4]]
        assert group and rule.code > max(group), f"{rule.code}: not the next free code of its group"


def test_rule_docs_take_thresholds_from_config() -> None:
    from dataclasses import fields

    from tfdoctor.config import Thresholds
    from tfdoctor.rules.registry import PLACEHOLDER

    defaults = {f.name: float(f.default) for f in fields(Thresholds)}
    number = re.compile(r"(?<![\w.{])(\d[\d,]*(?:\.\d+)?)(%?)")
    for rule in all_rules():
        for name in PLACEHOLDER.findall(rule.doc):
            assert name in defaults, f"{rule.code}: {{{name}}} names no Thresholds field"
        filled = rule.summary + "\n".join(rule.sections().values())
        assert not [n for n in PLACEHOLDER.findall(filled) if n in defaults], rule.code
        # a threshold named in a doc is followed by its placeholder, never by a copy of its value
        for name, default in defaults.items():
            for spelling in {name, name.replace("_", "-")}:
                for m in re.finditer(re.escape(spelling), rule.doc):
                    near = rule.doc[m.end() : m.end() + 30]
                    for digits, pct in number.findall(near):
                        value = float(digits.replace(",", "")) / (100 if pct else 1)
                        assert value != default, (
                            f"{rule.code}: {spelling} followed by a copy of {digits}{pct}"
                        )


def test_rules_explain_prints_threshold_values() -> None:
    from typer.testing import CliRunner

    from tfdoctor.cli import app

    res = CliRunner().invoke(app, ["rules", "TFD208"])
    assert res.exit_code == 0
    assert "label_majority_fraction" in res.stdout and "0.9" in res.stdout
    assert "{" not in res.stdout
