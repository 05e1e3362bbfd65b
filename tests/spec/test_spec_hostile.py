"""Hostile spec inputs: every one ends in findings or an exit-2 SpecError naming the file (and
the line where there is one), never a traceback, a hang or gigabytes; a large spec is read in
time linear in its size; `--json` output is strict JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.facts.dataset import DatasetStats
from tfdoctor.facts.reads import Read, ReadTally
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.spec.from_source import read_source
from tfdoctor.spec.load import load_specs
from tfdoctor.spec.model import SpecError

runner = CliRunner()
HEAD = "import tensorflow as tf\n"
X = "'x': tf.io.FixedLenFeature([2], tf.float32)"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    write_tfrecord(folder / "a.tfrecord", [example({"label": i % 3, "x": [1.0, 2.0]}) for i in range(20)])
    return folder


def _check(data: Path, spec: Path, *extra: str) -> Any:
    result = runner.invoke(app, ["check", str(data), "--spec", str(spec), *extra])
    # a traceback is an exception other than the exit the CLI chose
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_recursive_function_is_not_checked(data: Path, tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        "rec.py",
        HEAD + "def f(n):\n    return f(n)\nSPEC = {'x': tf.io.FixedLenFeature([f(2)], tf.float32)}\n",
    )
    result = _check(data, spec)
    assert result.exit_code == 0
    assert "rec.py:4: the shape of 'x' is not checked" in " ".join(result.output.split())


def test_recursive_spec_function_is_a_spec_error(data: Path, tmp_path: Path) -> None:
    text = HEAD + "def f(n):\n    return {**f(n), " + X + "}\ntf.io.parse_example(s, f(1))\n"
    result = _check(data, _write(tmp_path, "rec2.py", text))
    assert result.exit_code == 2
    assert "rec2.py:3: parse_example in <module> is not checked" in " ".join(result.output.split())


@pytest.mark.parametrize("expr", ["1+" * 5000 + "1", "(" * 5000 + "2" + ")" * 5000, "-" * 100_000 + "1"])
def test_deep_expression_is_a_spec_error_with_its_line(data: Path, tmp_path: Path, expr: str) -> None:
    spec = _write(
        tmp_path, "deep.py", HEAD + f"SPEC = {{'x': tf.io.FixedLenFeature([{expr}], tf.float32)}}\n"
    )
    result = _check(data, spec)
    assert result.exit_code == 2
    assert "deep.py:2:" in " ".join(result.output.split())
    with pytest.raises(SpecError) as info:
        load_specs(str(spec))
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("shape", "default"),
    [
        ("10**10**10", "0.0"),  # would hang computing it
        ("2**100", "0.0"),  # past 2**64
        ("a", "0.0"),  # a = 10**60 ** ... : each step past the budget
        ("2", "[1]*10**8"),  # 10**8 elements
        ("2", "[[1]*10**4]*10**4"),  # 10**8 through nesting
        ("2", "[0.0]*(2**62)"),
        ("len(t)", "0.0"),  # f-string of width 10**9
    ],
)
def test_budgets_leave_a_value_unchecked(data: Path, tmp_path: Path, shape: str, default: str) -> None:
    text = (
        HEAD
        + "a = 10**60\na = a**60\na = a**60\n"
        + "t = f'{1:>999999999}'\n"
        + f"SPEC = {{'x': tf.io.FixedLenFeature([{shape}], tf.float32, default_value={default}), "
        + "'label': tf.io.FixedLenFeature([], tf.int64)}\n"
    )
    spec = _write(tmp_path, "big.py", text)
    start = time.perf_counter()
    result = _check(data, spec)
    assert time.perf_counter() - start < 20
    assert result.exit_code in (0, 1), result.output  # 1: a finding on the rest of the entry
    assert "is not checked" in result.output and "too large" in " ".join(result.output.split())
    if shape == "2":  # the stored count: a default nobody could read is no shape mismatch
        assert result.exit_code == 0 and "TFD203" not in result.output, result.output


def test_exponential_evaluation_is_stopped(data: Path, tmp_path: Path) -> None:
    """`s = s + s` forty times: 2**40 evaluations of the first line, stopped by the budget."""
    text = HEAD + "s = 'ab'\n" + "s = s + s\n" * 40 + "SPEC = {s: tf.io.FixedLenFeature([2], tf.float32)}\n"
    start = time.perf_counter()
    result = _check(data, _write(tmp_path, "exp.py", text))
    assert time.perf_counter() - start < 30
    assert result.exit_code == 2
    assert "SPEC is not checked: evaluating it takes more than 1,000,000 steps" in " ".join(
        result.output.split()
    )


def test_step_budget(data: Path, tmp_path: Path) -> None:
    """10**4 * 10**4 loop iterations: stopped, with the line and why."""
    text = (
        HEAD
        + "r = list(range(10000))\nSPEC = {f'k{i}_{j}': tf.io.FixedLenFeature([], tf.int64) for i in r for j in r}\n"
    )
    start = time.perf_counter()
    result = _check(data, _write(tmp_path, "steps.py", text))
    assert time.perf_counter() - start < 30
    assert result.exit_code == 2
    assert "steps.py:3: SPEC is not checked" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deep"),
        ('{"features":' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}", "nested too deep"),
        ('{"features": [{"dtype": "float32"}]}', "features: expected an object of features, got a list"),
        ('{"record_kind": "example", "features": [{"dtype": "float"}]}', "features[0].name: missing"),
        (
            '{"features": {"x": {"dtype": "float32", "shape": "x"}}}',
            'features.x.shape: expected a list of ints, got "x"',
        ),
        ('{"features": {"x": {"dtype": 5, "shape": [2]}}}', "features.x.dtype: expected a string, got 5"),
        (
            '{"features": {"x": {"kind": "SparseFeature", "dtype": "float32", "index_key": 5, "value_key": "x"}}}',
            "features.x.index_key: expected a string or a list of strings, got 5",
        ),
        (
            '{"features": {"x": {"dtype": "float32", "shape": [2], "allow_missing": "yes"}}}',
            "features.x.allow_missing",
        ),
        (
            '{"features": {"x": {"dtype": "float32", "shape": [], "default_value": '
            + "[" * 50
            + "]" * 50
            + "}}}",
            "features.x.default_value",
        ),
    ],
)
def test_json_spec_errors_name_the_field(data: Path, tmp_path: Path, text: str, message: str) -> None:
    spec = _write(tmp_path, "spec.json", text)
    result = _check(data, spec)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_specs(str(spec))


def test_deep_pbtxt_is_a_spec_error(data: Path, tmp_path: Path) -> None:
    text = "feature { name: 'y' " + "struct_domain { feature { name: 'z' " * 5000 + "}}" * 5000 + "}\n"
    result = _check(data, _write(tmp_path, "schema.pbtxt", text))
    assert result.exit_code == 2
    assert "schema.pbtxt: not a TFMD Schema tfdoctor can read: nested too deep" in " ".join(
        result.output.split()
    )


def _big_spec(tmp_path: Path, keys: int) -> Path:
    entries = "".join(
        f"    'k{i}': tf.io.FixedLenFeature([], tf.int64, default_value=0),\n" for i in range(keys)
    )
    return _write(tmp_path, f"big{keys}.py", HEAD + "SPEC = {\n" + entries + "    " + X + ",\n}\n")


def test_large_spec_is_read_and_checked(data: Path, tmp_path: Path) -> None:
    """5,000 keys: read (was quadratic: ast.get_source_segment split the file per node) and
    checked (was quadratic: a linear search per key in the tally). The growth with the spec's
    size is measured by benchmarks/spec_reader.py, not here; the bound only catches a hang."""
    start = time.perf_counter()
    result = _check(data, _big_spec(tmp_path, 5000))
    assert time.perf_counter() - start < 120
    assert result.exit_code in (0, 1)
    assert "big5000.py:2 SPEC: 5001 feature(s)" in " ".join(result.output.split())


def test_tally_is_a_lookup() -> None:
    def stats(n: int) -> DatasetStats:
        reads = tuple(ReadTally(Read(f"k{i}"), records=i) for i in range(n))
        return DatasetStats(0, {}, (), (), {}, reads=reads)

    def lookups(n: int) -> float:
        s = stats(n)
        start = time.perf_counter()
        for i in range(n):
            assert s.tally(Read(f"k{i}")).records == i
        return time.perf_counter() - start

    assert stats(3).tally(Read("other")) == ReadTally(Read("other"))
    small, large = lookups(5000), lookups(20000)
    assert large < 10 * small + 0.05, (small, large)  # linear: 4x; quadratic: 16x


def test_nan_default_in_strict_json(data: Path, tmp_path: Path) -> None:
    text = (
        HEAD
        + "SPEC = {"
        + X
        + ", 'label': tf.io.FixedLenFeature([], tf.float32, default_value=float('nan')),"
        + " 'y': tf.io.FixedLenFeature([], tf.float32, default_value=-float('inf'))}\n"
    )
    result = _check(data, _write(tmp_path, "nan.py", text), "--json")

    def reject(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    report = json.loads(result.output, parse_constant=reject)
    defaults = {f["name"]: f["default"] for s in report["specs"] for f in s["features"]}
    assert defaults["label"] == "NaN" and defaults["y"] == "-Infinity"


# -- fuzzing: random expression trees in a spec's shape and default --

_LEAVES = st.sampled_from(
    ["0", "1", "2", "-1", "10", "64", "10**6", "1.5", "float('nan')", "'ab'", "[1]", "[]", "None", "True",
     "n", "f(2)", "g()", "range(5)", "{'a': 1}", "s"]
)  # fmt: skip
_BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "|", "==", "<", " and ", " or ", " in "])


def _exprs() -> st.SearchStrategy[str]:
    return st.recursive(
        _LEAVES,
        lambda inner: st.one_of(
            st.tuples(inner, _BINARY, inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            inner.map(lambda e: f"[{e}]"),
            inner.map(lambda e: f"-({e})"),
            st.tuples(inner, inner).map(lambda t: f"[{t[0]}] * ({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
            inner.map(lambda e: f"len({e})"),
            inner.map(lambda e: f"f({e})"),
            inner.map(lambda e: f"[v for v in range({e})]"),
            inner.map(lambda e: f"str({e}).join(['a', 'b'])"),
            inner.map(lambda e: f"f'{{{e}}}'"),
        ),
        max_leaves=12,
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(shape=_exprs(), default=_exprs())
def test_fuzz_reader_returns_or_raises_spec_error(
    tmp_path_factory: pytest.TempPathFactory, shape: str, default: str
) -> None:
    text = (
        HEAD
        + "n = 3\ns = 'xyz' * 3\n"
        + "def f(k):\n    return f(k - 1) if k else [k]\n"
        + "def g():\n    return g()\n"
        + f"SPEC = {{'x': tf.io.FixedLenFeature([{shape}], tf.float32, default_value={default})}}\n"
        + f"tf.io.parse_example(s, {{'y': tf.io.FixedLenFeature({shape}, tf.int64, default_value={default})}})\n"
    )
    path = tmp_path_factory.mktemp("fuzz") / "spec.py"
    path.write_text(text)
    try:
        found = read_source(path)
    except SpecError:
        return
    assert isinstance(found.specs, list) and isinstance(found.skipped, list)


def test_a_non_finite_default_is_rendered_not_a_crash(tmp_path: Path) -> None:
    """A NaN default used to crash the rules that print the spec entry (a rule error)."""
    import math

    import tfdoctor
    from tfdoctor.facts.spec import FeatureSpec, ParseSpec, feature_call
    from tfdoctor.io.writer import write_tfrecord
    from tfdoctor.proto.build import example

    entry = FeatureSpec("x", "FixedLenFeature", "float32", shape=(), default=float("nan"))
    assert feature_call(entry) == "tf.io.FixedLenFeature([], tf.float32, default_value=float('nan'))"
    assert math.isnan(eval("float('nan')"))  # the rendered default is Python that reads back
    path = tmp_path / "d.tfrecord"
    write_tfrecord(path, [example({"x": 1.0} if i % 2 else {"y": 1.0}) for i in range(20)])
    result = tfdoctor.check_spec(str(path), spec=ParseSpec((entry,)), config=tfdoctor.Config())
    assert result.rule_errors == [] and "TFD204" in {f.code for f in result.findings}
