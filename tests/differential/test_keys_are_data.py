"""Feature keys are data: every key TensorFlow's parse ops read is a feature, not a sign of
another message type (issue 15, item 6). Each class of key is checked against TensorFlow."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import DecodeError
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.proto.decode import key_name, key_problem
from tfdoctor.proto.wire import Example

KEYS = {
    "tab": b"a\tb",
    "newline": b"a\nb",
    "esc": b"a\x1bb",
    "nul": b"a\x00b",
    "empty": b"",
    "long": b"k" * 10_000,
    "non-ascii": "é中😀".encode(),
    "invalid-utf8": b"a\xffb",
}


def _field(number: int, data: bytes) -> bytes:
    """A length-delimited protobuf field (lengths here stay below 2**14)."""
    size = len(data)
    length = bytes([size]) if size < 0x80 else bytes([size & 0x7F | 0x80, size >> 7])
    return bytes([number << 3 | 2]) + length + data


def _record(key: bytes, value: int) -> bytes:
    """An Example as TensorFlow's C++ writes it: each map entry holds its key field even when
    the key is empty (an entry with no key field, or no value, fails `tf.io.parse_example`)."""
    entries = b""
    for k, v in ((key, value), (b"label", value % 2)):
        feature = _field(3, _field(1, bytes([v])))  # int64_list, packed
        entries += _field(1, _field(1, k) + _field(2, feature))
    return _field(1, entries)


@pytest.mark.parametrize("which", list(KEYS))
def test_key_tensorflow_parses_is_a_feature(tf: Any, tmp_path: Path, which: str) -> None:
    key = KEYS[which]
    records = [_record(key, i) for i in range(20)]
    # TensorFlow: the parse op reads the key whatever its bytes (measured, TF 2.21)
    name: Any = key.decode("utf-8") if which != "invalid-utf8" else key
    parsed = tf.io.parse_example(records, {name: tf.io.FixedLenFeature([], tf.int64)})
    assert parsed[name].numpy().tolist() == list(range(20))
    # only the Python proto class refuses a key that is not UTF-8 (proto3 `string`)
    if which == "invalid-utf8":
        with pytest.raises(DecodeError):
            tf.train.Example.FromString(records[0])
    else:
        assert set(tf.train.Example.FromString(records[0]).features.feature) == {"label", name}
    # tfdoctor: every record is an Example, the key a feature
    assert key_problem(key) is None
    path = tmp_path / "keys.tfrecord"
    write_tfrecord(path, records)
    result = tfdoctor.scan(str(path))
    assert result.stats.records == 20
    assert "TFD104" not in [f.code for f in result.findings]
    feature = result.stats.feature(key_name(key))
    assert feature is not None and feature.records_present == 20 and feature.kind == "int64"


def test_invalid_utf8_key_is_named_with_escapes() -> None:
    assert key_name(b"a\xffb") == "a\\xffb"
    assert key_name("é".encode()) == "é"


def test_key_that_is_a_nested_entry_shows_another_message() -> None:
    """An ExampleListWithContext read as an Example: each nested Example's entry (key + Feature)
    lands where a key goes."""
    inner = Example.FromString(example({"document": b"some text"}))
    nested = inner.features.feature[0].SerializeToString()
    problem = key_problem(nested)
    assert problem is not None and "ExampleListWithContext" in problem and "b'document'" in problem
    # a key that starts with a newline but is no entry is data
    assert key_problem(b"\nheading") is None
    assert key_problem(b"\n") is None
    assert key_problem(b"\n\x03abc") is None  # an entry's key without a Feature


def test_elwc_record_still_not_example(tmp_path: Path) -> None:
    context = example({"query": b"what"})
    docs = [example({"document": b"text", "relevance": 1}) for _ in range(3)]
    # ExampleListWithContext: examples = 1 (repeated Example), context = 2 (Example)
    payload = (
        b"".join(b"\x0a" + bytes([len(d)]) + d for d in docs) + b"\x12" + bytes([len(context)]) + context
    )
    path = tmp_path / "elwc.tfrecord"
    write_tfrecord(path, [payload] * 5)
    result = tfdoctor.scan(str(path))
    [finding] = [f for f in result.findings if f.code == "TFD104"]
    assert finding.numbers["not_example"] == finding.numbers["records"] == 5


def test_control_characters_escaped_in_terminal_exact_in_json(tmp_path: Path) -> None:
    key = "a\tb\x1bc"
    path = tmp_path / "ctl.tfrecord"
    write_tfrecord(path, [example({key: i, "label": i % 2}) for i in range(20)])
    runner = CliRunner()
    res = runner.invoke(app, ["scan", str(path), "--json", "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert key in [f["name"] for f in data["features"]]
    res = runner.invoke(app, ["scan", str(path), "--fail-on", "never"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\\x1bc" in res.output


def test_generated_spec_quotes_keys_and_reads_them(tf: Any, tmp_path: Path) -> None:
    keys = [KEYS[w].decode() for w in ("tab", "newline", "esc", "nul", "non-ascii")]
    records = [_record(k.encode(), i) for k in keys for i in range(10)]
    path = tmp_path / "keys.tfrecord"
    write_tfrecord(path, records)
    code = tfdoctor.scan(str(path)).parse_function()
    ast.parse(code)
    namespace: dict[str, Any] = {}
    exec(compile(code, "generated_spec.py", "exec"), namespace)
    assert set(keys) <= set(namespace["FEATURES"])
    parsed = tf.io.parse_single_example(records[3], namespace["FEATURES"])
    for k in keys[:1]:
        values = parsed[k]
        dense = tf.sparse.to_dense(values) if isinstance(values, tf.SparseTensor) else values
        assert dense.numpy().ravel().tolist() == [3]
