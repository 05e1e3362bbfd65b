"""A source file the reader cannot read at all (spec/from_source.py's read_source): each
SpecError's exact words, the file it names and the line, where Python gives one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tfdoctor.spec.from_source import read_source
from tfdoctor.spec.model import SpecError


def _refused(path: Path) -> SpecError:
    with pytest.raises(SpecError) as info:
        read_source(path)
    assert info.value.file == str(path)
    return info.value


def test_unreadable_files(tmp_path: Path) -> None:
    error = _refused(tmp_path)
    assert (str(error), error.line) == (
        f"{tmp_path}: cannot read: [Errno 21] Is a directory: '{tmp_path}'",
        None,
    )
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"x = 1\n\xff\n")
    error = _refused(binary)
    assert str(error) == (
        f"{binary}: cannot read: 'utf-8' codec can't decode byte 0xff in position 6: invalid start byte"
    )


def test_invalid_python_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text("x = 1\ny = (\nz = 2\n")
    with pytest.raises(SyntaxError) as python:
        ast.parse(path.read_text())
    error = _refused(path)
    assert (str(error), error.line) == (f"{path}:{python.value.lineno}: not valid Python: {python.value.msg}",
                                        python.value.lineno)  # fmt: skip


@pytest.mark.parametrize(
    ("expr", "why"),
    [("1+" * 5000 + "1", "nested too deep"), ("-" * 100_000 + "1", "too large")],
)
def test_python_cannot_parse_it(tmp_path: Path, expr: str, why: str) -> None:
    """Python's own parser gives up: the line named is the longest, where the expression is."""
    path = tmp_path / "deep.py"
    path.write_text(f"import tensorflow as tf\nx = 1\nSPEC = {expr}\ny = 2\n")
    error = _refused(path)
    assert (str(error), error.line) == (f"{path}:3: Python cannot parse it: an expression is {why}", 3)


SPEC = "import tensorflow as tf\nSPEC = {'x': tf.io.FixedLenFeature([2], tf.int64)}\n"


@pytest.mark.parametrize(("error", "why"), [(RecursionError, "nested too deep"), (MemoryError, "too large")])
def test_python_gives_up_while_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception], why: str
) -> None:
    """Python runs out of frames or memory while the file is collected: a SpecError naming the
    file (made to happen here: a file deep enough differs between Python builds)."""
    from tfdoctor.spec import from_source

    def give_up(tree: ast.Module) -> None:
        raise error()

    monkeypatch.setattr(from_source, "SourceFile", give_up)
    path = tmp_path / "spec.py"
    path.write_text(SPEC)
    error_raised = _refused(path)
    assert (str(error_raised), error_raised.line) == (f"{path}: tfdoctor cannot read it: it is {why}", None)


@pytest.mark.parametrize(("error", "why"), [(RecursionError, "nested too deep"), (MemoryError, "too large")])
def test_python_gives_up_while_evaluating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception], why: str
) -> None:
    """The same while one spec is evaluated: that spec is skipped, at its line, the file read."""
    from tfdoctor.spec import _source_eval

    def give_up(value: object, cap: int = 0) -> int:
        raise error()

    monkeypatch.setattr(_source_eval, "size", give_up)
    path = tmp_path / "spec.py"
    path.write_text(SPEC)
    found = read_source(path)
    assert (found.specs, found.notes) == ([], [])
    assert found.skipped == [f"spec.py:2: SPEC is not checked: it is {why} to evaluate"]
