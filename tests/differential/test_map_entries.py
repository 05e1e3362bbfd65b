"""Map entries that are not one key and one value (issue 15): protobuf reads them (a missing
key is the empty key, a missing value an empty Feature), TensorFlow's parse ops fail on the
whole record. tfdoctor follows TensorFlow: such a record is not an Example (TFD104)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tfdoctor
from tfdoctor.io.writer import write_tfrecord


def _field(number: int, data: bytes) -> bytes:
    size = len(data)  # below 2**14 here
    length = bytes([size]) if size < 0x80 else bytes([size & 0x7F | 0x80, size >> 7])
    return bytes([number << 3 | 2]) + length + data


FEATURE = _field(3, _field(1, bytes([7])))  # int64_list [7]
LABEL = _field(1, _field(1, b"label") + _field(2, FEATURE))
# name: (entry bytes, TensorFlow parses the record). Not covered: an entry holding its key or
# value twice also fails TensorFlow's parser, and tfdoctor still reads it (protobuf keeps the
# last key and merges the values); no writer makes one, and finding it costs a walk of every record.
ENTRIES = {
    "whole": (_field(1, _field(1, b"x") + _field(2, FEATURE)), True),
    "empty key": (_field(1, _field(1, b"") + _field(2, FEATURE)), True),
    "empty value": (_field(1, _field(1, b"x") + _field(2, b"")), True),
    "no key": (_field(1, _field(2, FEATURE)), False),
    "no value": (_field(1, _field(1, b"x")), False),
    "empty entry": (_field(1, b""), False),
}


def _tf_parses(tf: Any, records: list[bytes], sequence: bool) -> bool:
    spec = {"label": tf.io.FixedLenFeature([], tf.int64)}
    try:
        if sequence:
            tf.io.parse_sequence_example(records, context_features=spec)
        else:
            tf.io.parse_example(records, spec)
    except tf.errors.InvalidArgumentError as exc:
        assert "Could not parse example input" in str(exc) or "parse" in str(exc).lower()
        return False
    return True


@pytest.fixture(autouse=True)
def _python_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python reader's decoding (the native core decodes small records itself)."""
    monkeypatch.setenv("TFDOCTOR_NATIVE", "0")


def _scanned(tmp_path: Path, records: list[bytes]) -> Any:
    path = tmp_path / "entries.tfrecord"
    write_tfrecord(path, records)
    return tfdoctor.scan(str(path))


@pytest.mark.parametrize("name", list(ENTRIES))
def test_features_entry(tf: Any, tmp_path: Path, name: str) -> None:
    entry, parses = ENTRIES[name]
    bad = _field(1, LABEL + entry)  # Example{features{label, entry}}
    records = [_field(1, LABEL)] * 3 + [bad]
    assert _tf_parses(tf, [bad], sequence=False) is parses
    assert _tf_parses(tf, [bad], sequence=True) is parses  # the context of a SequenceExample
    result = _scanned(tmp_path, records)
    assert result.stats.records == 4 - (not parses)
    refused = [f for f in result.findings if f.code == "TFD104"]
    if parses:
        assert refused == []
    else:
        [finding] = refused
        [sample] = result.stats.files[0].not_example_samples
        assert sample.record == 3 and "map entry" in sample.detail and "parse ops fail" in sample.detail


def test_value_before_key_is_read_as_parse_example_reads_it(tf: Any, tmp_path: Path) -> None:
    """Fields in either order: `parse_example` reads it (only the SequenceExample parser wants
    the key first); tfdoctor takes it as an Example."""
    entry = _field(1, _field(2, FEATURE) + _field(1, b"x"))
    record = _field(1, LABEL + entry)
    assert _tf_parses(tf, [record], sequence=False)
    assert not _tf_parses(tf, [record], sequence=True)
    result = _scanned(tmp_path, [record])
    assert result.stats.records == 1 and not [f for f in result.findings if f.code == "TFD104"]


@pytest.mark.parametrize("name", ["whole", "no key", "no value", "empty entry"])
def test_feature_lists_entry(tf: Any, tmp_path: Path, name: str) -> None:
    entry, parses = ENTRIES[name]
    if name != "whole":  # a FeatureList value: {feature: [FEATURE]}
        entry = entry.replace(_field(2, FEATURE), _field(2, _field(1, FEATURE)))
    else:
        entry = _field(1, _field(1, b"x") + _field(2, _field(1, FEATURE)))
    record = _field(1, LABEL) + _field(2, entry)  # SequenceExample{context, feature_lists}
    assert _tf_parses(tf, [record], sequence=True) is parses
    result = _scanned(tmp_path, [record] * 2)
    assert result.stats.records == (2 if parses else 0)
    assert bool([f for f in result.findings if f.code == "TFD104"]) is (not parses)
