"""The values the source reader (spec/_source_eval.py) computes without running the file,
compared with what Python computes for the same expression: each expression is written as a
`default_value` (kept as the reader evaluates it), and the expected value is Python's own
`eval` of it, with tuples and sets as the lists the reader keeps them as. Budgets and
failures: the note's exact words."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tfdoctor.facts.spec import FeatureSpec, UnreadDefault
from tfdoctor.spec.from_source import SourceSpecs, read_source

# module constants every expression may read; plain Python, so `eval` sees them too
PRELUDE = """
A = 3
W = 5
NAMES = ["rgb", "audio"]
SIZES = {"rgb": 4, "audio": 2}
BIG = [[0] * 100] * 4000
HUGE = 680564733841876926926749214863536422912
EDGE = 170141183460469231731687303715884105727


class C:
    X = 7
    Y = X + 1


class D(C):
    Z = 2
"""

EXPRESSIONS = [
    # arithmetic, unary, boolean operators, comparisons
    "2 + 3 * 4 - 1", "7 // 2", "7 % 3", "2 ** 10", "7 / 2", "1 | 6", "-A", "+A", "not 0", "not A", "~W",
    "0 or 5", "3 and 0", "3 and 4", "'' or 'x'", "1 and 2 and 3", "0 or '' or 7", "0 or ''", "A and 0 or W",
    "1 < 2 < 3", "1 < 3 < 2", "3 < 1 < 5", "2 == 2", "2 != 2", "1 <= 1", "2 >= 3", "2 > 1", "'a' in 'abc'",
    "'z' not in ['a']", "'a' not in ['a']", "None is None", "A is not None", "A == 3 == 3.0",
    # f-strings and formatting
    "f'{A:04d}-{W}'", "f'{\"x\"!r}{4!s}{\"é\"!a}'", "f'{A:{W}}|'", "f'k_{A + 1}_{NAMES[0]}'", "f'{2.5:.2f}'",
    "f''", "f'{\"é\"}{\"é\"!s}'", "'{}-{}'.format(A, W)", "'%s'", "'é'",
    # conditional expressions on known values
    "1 if A > 2 else 2", "1 if A > 3 else 2", "[1] if NAMES else []",
    # literals, starred, subscripts and slices
    "[*[1, 2], 3]", "(1, *'ab')", "[*NAMES, *()]", "{1, 2}", "{**SIZES, 'x': 1}", "{'a': 1, **{'a': 2}}",
    "[1, 2, 3][1]", "[1, 2, 3][-1]", "[1, 2, 3, 4][1:3]", "[1, 2, 3, 4][::2]", "'abcdef'[1:5:2]", "'abc'[:-1]",
    "[1, 2, 3][A - 2:]", "SIZES['rgb']", "NAMES[-1][0]", "(1, 2)[0]", "{'a': [1, 2]}['a'][1]",
    # names: module constants, class attributes (inherited too)
    "A", "NAMES", "SIZES", "C.X", "C.Y", "D.X", "D.Z", "EDGE + 1", "EDGE | 1", "(2 ** 62) * (2 ** 64)",
    "2 ** 64", "3 ** 40", "1 ** 1000", "2 ** -1", "(-1) ** 99", "[0] * 10000", "10000 * [0]", "'ab' * 5000",
    "[[0] * 10] * 100", "len([[0] * 100] * 4926)", "max(1, 20000)", "EDGE + 1 + 1", "len([c for c in 'ab' * 5000])", "len(('a' * 999).replace('b', 'x' * 998))", "'a' * 10 + 'b'", "[1] + [2]", "BIG[0][:3]",
    # comprehensions: filters, tuple targets, nesting, dict iteration
    "[i * 2 for i in range(6) if i % 2]", "{k: v for k, v in zip('ab', [1, 2])}", "[x for x in 'abc']",
    "[a + b for a in [1, 2] for b in [10, 20] if a != 2 or b != 20]", "[k for k in SIZES]",
    "[[i, j] for (i, j) in enumerate('xy')]", "{n: SIZES[n] * A for n in NAMES if SIZES[n] > 2}",
    "list(x * x for x in range(3))", "{s for s in [1, 3]}", "[y for [x, y] in [[1, 2], [3, 4]]]",
    "[i for i in range(5) if i > 0 if i < 4]", "{f'{n}_len': len(n) for n in NAMES}",
    # builtins
    "len([1, 2, 3])", "len('abcd')", "len(SIZES)", "list(range(2, 8, 2))", "list(range(3))", "range(4)",
    "tuple('ab')", "tuple(SIZES)", "list(SIZES)", "sorted(SIZES)", "set([1, 2, 1])", "set('aab')", "sorted([3, 1, 2], reverse=True)",
    "list(reversed([1, 2]))", "reversed(SIZES)", "min(3, 1, 2)", "max([4, 9])", "sum([1, 2, 3])", "abs(-3)", "int('12')",
    "float(2)", "str(5)", "bool(0)", "bool([1])", "round(2.567, 2)", "dict(a=1, b=2)", "dict([('a', 1)])",
    "dict(SIZES, c=3)", "list(zip([1, 2], 'ab'))", "list(enumerate('ab', start=1))", "zip(NAMES, [1, 2])",
    "enumerate(NAMES)", "list()", "dict()", "tuple()",
    # methods of str, dict, list
    "'a{}'.format(1)", "'a{x}'.format(x=W)", "'AbC'.lower()", "'abc'.upper()", "' x '.strip()", "'xxaxx'.lstrip('x')",
    "'axx'.rstrip('x')", "'ab'.replace('a', 'c')", "'abc'.startswith('a')", "'abc'.endswith('b')",
    "'-'.join(['a', 'b'])", "'a b'.split()", "'a,b'.split(',')", "'ab cd'.title()", "SIZES.get('rgb')",
    "SIZES.get('x', 5)", "SIZES.get('x')", "list(SIZES.keys())", "SIZES.keys()", "SIZES.values()", "SIZES.items()",
    "SIZES.copy()", "NAMES.copy()", "[1, 2, 1].count(1)", "NAMES.index('audio')", "'x'.join(NAMES).upper()",
]  # fmt: skip


def _plain(value: Any) -> Any:
    """Python's value as the reader keeps it: tuples, sets and dict views as lists."""
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple, range, zip, enumerate, type({}.keys()), type({}.values()),
                          type({}.items()), type(reversed([])), type(reversed({})))):  # fmt: skip
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _held(value: Any) -> Any:
    """The reader's value with its tuples (zip's and enumerate's items) as lists; anything else
    (a set, an iterator) left as it is, to differ from Python's list."""
    if isinstance(value, (list, tuple)):
        return [_held(v) for v in value]
    if isinstance(value, dict):
        return {k: _held(v) for k, v in value.items()}
    return value


def _python(expr: str) -> Any:
    scope: dict[str, Any] = {}
    exec(PRELUDE, scope)
    return _plain(eval(expr, scope))


def _read(tmp_path: Path, body: str, spec_args: dict[str, Any] | None = None) -> tuple[Path, SourceSpecs]:
    path = tmp_path / "train.py"
    path.write_text("import numpy as np\nimport tensorflow as tf\n" + textwrap.dedent(body))
    return path, read_source(path, spec_args=spec_args)


def _defaults(tmp_path: Path, expressions: list[str]) -> tuple[list[Any], list[str]]:
    entries = "".join(
        f"    'k{i}': tf.io.FixedLenFeature([], tf.int64, default_value={e}),\n"
        for i, e in enumerate(expressions)
    )
    _, found = _read(tmp_path, PRELUDE + "SPEC = {\n" + entries + "}\n")
    assert found.skipped == []
    [spec] = found.specs
    assert [f.name for f in spec.features] == [f"k{i}" for i in range(len(expressions))]
    return [f.default for f in spec.features], found.notes


def _notes(first: int, whys: list[str | None]) -> list[str]:
    """The notes on unread defaults 'k0', 'k1'... from line `first` on: one per distinct why."""
    grouped: dict[str, list[int]] = {}
    for i, why in enumerate(whys):
        if why is not None:
            grouped.setdefault(why, []).append(i)
    return [
        f"train.py:{first + keys[0]}: the default_value of {', '.join(repr(f'k{i}') for i in keys)} is not checked "
        f"({'its' if len(keys) == 1 else 'their'} presence and dtype are): {why}"
        for why, keys in grouped.items()
    ]


def test_values_are_pythons(tmp_path: Path) -> None:
    got, notes = _defaults(tmp_path, EXPRESSIONS)
    assert notes == []
    wanted = [_python(e) for e in EXPRESSIONS]
    assert [(e, _held(g)) for e, g in zip(EXPRESSIONS, got)] == list(zip(EXPRESSIONS, wanted))
    # the kinds too: True is not 1, 1.0 is not 1
    # the kinds too, all the way down: True is not 1, 1.0 is not 1
    assert [(e, repr(_held(g))) for e, g in zip(EXPRESSIONS, got)] == [
        (e, repr(w)) for e, w in zip(EXPRESSIONS, wanted)
    ]


# expression -> why the reader leaves it unknown (the note's words after the entry), and the hint
UNREAD = {
    "1 / 0": '`1 / 0` fails: ZeroDivisionError: division by zero',
    "[1][5]": '`[1][5]` fails: IndexError: list index out of range',
    "SIZES['x']": "`SIZES['x']` fails: KeyError: 'x'",
    "int('a')": "`int('a')` fails: ValueError: invalid literal for int() with base 10: 'a'",
    "-'a'": "`-'a'` fails: TypeError: bad operand type for unary -: 'str'",
    "1 < 'a'": "`1 < 'a'` fails: TypeError: '<' not supported between instances of 'int' and 'str'",
    "2 ** 65": '`2 ** 65` is too large to evaluate',
    "3 ** 41": '`3 ** 41` is too large to evaluate',
    "(-2) ** 65": '`(-2) ** 65` is too large to evaluate',
    "(2 ** 63) * (2 ** 64)": '`(2 ** 63) * (2 ** 64)` is too large to evaluate',
    "HUGE + 1": '`HUGE + 1` is too large to evaluate',
    "HUGE - 1": '`HUGE - 1` is too large to evaluate',
    "1 | HUGE * 2": '`HUGE * 2` is too large to evaluate',
    "[0] * 10001": '`[0] * 10001` is too large to evaluate',
    "10001 * [0]": '`10001 * [0]` is too large to evaluate',
    "'ab' * 5001": "`'ab' * 5001` is too large to evaluate",
    "[[0] * 100] * 5000": "`[[0] * 100] * 5000` is too large to evaluate",
    "('a' * 999).replace('b', 'x' * 999)": "`('a' * 999).replace('b', 'x' * 999)` is too large to evaluate",
    "BIG + BIG": '`BIG + BIG` is too large to evaluate',
    "f'{A:>99999}'": "`f'{A:>99999}'` is too large to evaluate",
    "'{:99999}'.format(A)": "`'{:99999}'.format(A)` is too large to evaluate",
    "'-'.join(BIG[0] * 3)": "`'-'.join(BIG[0] * 3)` fails: TypeError: sequence item 0: expected str instance, int found",
    "str(BIG)": '`str(BIG)` is too large to evaluate',
    "list(range(10001))": '`range(10001)` is too long to evaluate',
    "list(range(0, 10**6, 2))": '`range(0, 10**6, 2)` is too long to evaluate',
    "range(1, 2, 0)": '`range(1, 2, 0)` fails: ValueError: range() arg 3 must not be zero',
    "[x for x in range(10001)]": 'the loop over `range(10001)`: `range(10001)` is too long to evaluate',
    "[c for c in 'ab' * 5000 + 'c']": "the loop over `'ab' * 5000 + 'c'` is too long to evaluate",
    "[x for x in A]": '`A` is not a list tfdoctor can loop over',
    "[x for x in unknown]": "the loop over `unknown`: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "[x for x in [1] if x > unknown]": "the condition `x > unknown` is not known: 'unknown' is not given a value in this file",
    "[x for (x, y) in [1]]": 'cannot unpack 1 into `(x, y)`',
    "[x for x.y in [1]]": 'the loop target `x.y` is not a name',
    "{k: 1 for k in [unknown]}": "the key `k` is not known: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "{unknown: 1 for k in [1]}": "the key `unknown` is not known: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "{k: 1 for k in [[1]]}": "`{k: 1 for k in [[1]]}` fails: TypeError: unhashable type: 'list'",
    "{unknown: 1}": "the key `unknown` is not known: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "{[1]: 1}": 'the key `[1]` is not a string',
    "{**A}": '`A` is not a literal tfdoctor can read without running the file',
    "[*A]": '`*A` is not a literal tfdoctor can read without running the file',
    "[*unknown]": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "C.NOPE": 'C.NOPE is not set in this file; --spec-arg NOPE=... gives it',
    "os.sep": '`os.sep` is not a value tfdoctor can read without running the file; --spec-arg sep=... gives it',
    "unknown[0]": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "[1][unknown]": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "[1][unknown:]": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "lambda: 1": '`lambda: 1` is not a literal tfdoctor can read without running the file',
    "open('x')": "`open('x')` is a call tfdoctor does not run",
    "len(*NAMES)": '`len(*NAMES)` passes arguments with * or **',
    "dict(**SIZES)": '`dict(**SIZES)` passes arguments with * or **',
    "len(unknown)": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "'a'.format(unknown)": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "NAMES.pop()": '`NAMES.pop()` is a call tfdoctor does not run',
    "1 + unknown": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "unknown + 1": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "-unknown": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "unknown < 1": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "1 < 2 < unknown": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "f'{unknown}'": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "f'{A:{unknown}}'": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "0 or unknown": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "unknown and 0": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "[[1, unknown]]": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
}  # fmt: skip


def test_unread_values_say_why(tmp_path: Path) -> None:
    expressions = list(UNREAD)
    got, notes = _defaults(tmp_path, expressions)
    assert got == [UnreadDefault(e) for e in expressions]
    wanted = _notes(PRELUDE.count("\n") + 4, list(UNREAD.values()))  # from the line of 'k0'
    assert notes == wanted


def test_unknown_shape_dimensions_and_keys(tmp_path: Path) -> None:
    path, found = _read(
        tmp_path,
        """
        N = 4
        SPEC = {
            "a": tf.io.FixedLenFeature([N, unknown], tf.int64),
            "b": tf.io.FixedLenFeature(unknown, tf.int64),
            "c": tf.io.FixedLenFeature((N,), tf.int64),
            "d": tf.io.FixedLenFeature(N, tf.int64),
            "e": tf.io.FixedLenFeature([None, 2], tf.int64),
        }
        """,
    )
    [spec] = found.specs
    assert [(f.name, f.shape) for f in spec.features] == [
        ("a", (4, None)), ("b", None), ("c", (4,)), ("d", (4,)), ("e", (None, 2)),
    ]  # fmt: skip
    assert found.notes == [
        "train.py:6: the shape of 'a', 'b' is not checked (their presence and dtype are): 'unknown' is not given "
        "a value in this file; --spec-arg unknown=... gives it"
    ]
    _, given = _read(tmp_path, path.read_text().split("\n", 2)[2], {"unknown": 3})
    assert [(f.name, f.shape) for f in given.specs[0].features][:2] == [("a", (4, 3)), ("b", (3,))]
    assert given.notes == []


@pytest.mark.parametrize(
    ("shape", "why"),
    [
        ("'ab'", "feature 'x': shape 'ab' is not a list of integers"),
        ("[1.5]", "feature 'x': shape [1.5] is not a list of integers"),
        ("[True]", "feature 'x': shape [True] is not a list of integers"),
        ("True", "feature 'x': shape True is not a list of integers"),
    ],
)
def test_shapes_refused(tmp_path: Path, shape: str, why: str) -> None:
    _, found = _read(tmp_path, f"SPEC = {{'x': tf.io.FixedLenFeature({shape}, tf.int64)}}\n")
    assert (found.specs, found.skipped) == ([], [f"train.py:3: SPEC is not checked: {why}"])


def test_entry_lines_and_kinds(tmp_path: Path) -> None:
    path, found = _read(
        tmp_path,
        """
        SPEC = {
            "s": tf.io.SparseFeature(["i", "j"], "v", tf.float32, [3, unknown]),
            "r": tf.io.RaggedFeature(tf.int64, "rv", [tf.io.RaggedFeature.UniformRowLength(2),
                                                     tf.io.RaggedFeature.RowSplits(key="rs")]),
            "u": tf.io.RaggedFeature(dtype=tf.string, partitions=[tf.io.RaggedFeature.RowLengths("rl"),
                                                                  tf.io.RaggedFeature.UniformRowLength(3)]),
            "q": tf.io.FixedLenSequenceFeature([2], tf.float32, True, [0.0, 1.0]),
            "v": tf.io.VarLenFeature("float"),
            "w": tf.io.SparseFeature(index_key="i", value_key="v", dtype=tf.int64, size=5),
        }
        """,
    )
    [spec] = found.specs
    assert spec.features == (
        FeatureSpec("s", "SparseFeature", "float32", "features", (3, None), value_key="v", index_keys=("i", "j"),
                    line=5),
        FeatureSpec("r", "RaggedFeature", "int64", "features", value_key="rv", partition_keys=("rs",),
                    inner_partition="RowSplits", line=6),
        FeatureSpec("u", "RaggedFeature", "string", "features", partition_keys=("rl",), line=8),
        FeatureSpec("q", "FixedLenSequenceFeature", "float32", "features", (2,), [0.0, 1.0], allow_missing=True,
                    line=10),
        FeatureSpec("v", "VarLenFeature", "float32", "features", line=11),
        FeatureSpec("w", "SparseFeature", "int64", "features", (5,), value_key="v", index_keys=("i",), line=12),
    )  # fmt: skip
    assert found.notes == [
        "train.py:5: the size of 's' is not checked (its presence and dtype are): 'unknown' is not given a value in "
        "this file; --spec-arg unknown=... gives it"
    ]


# tf.* / np.* defaults -> the value `.numpy().tolist()` (or `.tolist()`) gives; proved against
# TensorFlow and NumPy in test_tensor_defaults_are_tensorflows
TENSORS = {
    "tf.zeros([], dtype=tf.int64)": 0,
    "tf.zeros([2])": [0.0, 0.0],
    "tf.zeros(2)": [0.0, 0.0],
    "tf.zeros([2, 0])": [[], []],
    "tf.zeros([1, 2], tf.dtypes.int64)": [[0, 0]],
    "tf.zeros([2], dtype=tf.as_dtype('int64'))": [0, 0],
    "tf.zeros(tf.TensorShape([2]), 'int64')": [0, 0],
    "tf.ones([2], tf.int64)": [1, 1],
    "tf.ones((2,), 'float64')": [1.0, 1.0],
    "tf.fill([2], 7)": [7, 7],
    "tf.fill(dims=[2], value=0.1)": [0.10000000149011612, 0.10000000149011612],
    "tf.constant(0.1)": 0.10000000149011612,
    "tf.constant('a')": b"a",
    "tf.constant(b'a', tf.string)": b"a",
    "tf.constant('a', dtype=tf.string)": b"a",
    "tf.constant([1, 2], tf.int64)": [1, 2],
    "tf.constant(3, shape=[2])": [3, 3],
    "tf.constant(1.5, tf.float64)": 1.5,
    "tf.constant(2, tf.float32)": 2.0,
    "tf.constant([False, True], tf.bool)": [False, True],
    "tf.constant(0, dtype='int64')": 0,
    "tf.constant(7, tf.uint8)": 7,
    "tf.convert_to_tensor([1.5, 0.1])": [1.5, 0.10000000149011612],
    "tf.constant([[1, 2]], tf.float32)": [[1.0, 2.0]],
    "tf.constant(1, tf.float16)": 1.0,
    "tf.constant(1, tf.bfloat16)": 1.0,
    "np.zeros(2)": [0.0, 0.0],
    "np.ones([2], np.int64)": [1, 1],
    "np.full([2], 3)": [3, 3],
    "np.full([2], 0.1, np.float32)": [0.10000000149011612, 0.10000000149011612],
    "np.array([1, 2], np.float32)": [1.0, 2.0],
    "np.asarray('a')": "a",
    "np.array(0.1)": 0.1,
    "numpy.array([1.5])": [1.5],
    "np.int64(-1)": -1,
    "np.float32(0.1)": 0.10000000149011612,
    "np.float64(2)": 2.0,
    "np.int32('3')": 3,
    "np.uint8(True)": 1,
}  # fmt: skip

UNREAD_TENSORS = {
    "tf.zeros([unknown])": "`tf.zeros([unknown])`: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "tf.zeros(unknown)": "`tf.zeros(unknown)`: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "tf.constant(0, dtype=unknown)": "`tf.constant(0, dtype=unknown)`: 'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "tf.zeros(*NAMES)": "`tf.zeros(*NAMES)`: `tf.zeros(*NAMES)` passes arguments with * or **",
    "tf.zeros([-1])": "`tf.zeros([-1])` has no shape tfdoctor can read",
    "tf.zeros('a')": "`tf.zeros('a')` has no shape tfdoctor can read",
    "tf.zeros([1.5])": "`tf.zeros([1.5])` has no shape tfdoctor can read",
    "tf.zeros([10001])": "`tf.zeros([10001])` is too large to evaluate",
    "tf.zeros([100, 101])": "`tf.zeros([100, 101])` is too large to evaluate",
    "tf.ones([10000])[:0]": None,
    "np.int64(unknown)": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "np.int64([unknown])": "'unknown' is not given a value in this file; --spec-arg unknown=... gives it",
    "np.int64('a')": "`np.int64('a')` fails: ValueError: invalid literal for int() with base 10: 'a'",
    "np.int64(1, 2)": "`np.int64(1, 2)` is a call tfdoctor does not run",
    "tf.int64(1)": "`tf.int64(1)` is a call tfdoctor does not run",
    "tf.random.uniform([2])": "`tf.random.uniform([2])` is a call tfdoctor does not run",
}  # fmt: skip


def test_tensor_defaults(tmp_path: Path) -> None:
    got, notes = _defaults(tmp_path, list(TENSORS))
    assert notes == []
    assert [(e, repr(g)) for e, g in zip(TENSORS, got)] == [(e, repr(w)) for e, w in TENSORS.items()]


def test_tensor_defaults_are_tensorflows(tf: Any) -> None:
    import numpy as np

    from tfdoctor.spec.from_python import _plain as held

    for expr, wanted in TENSORS.items():
        value = held(eval(expr, {"tf": tf, "np": np, "numpy": np}))
        assert (expr, repr(value)) == (expr, repr(wanted))


def test_unread_tensor_defaults(tmp_path: Path) -> None:
    expressions = list(UNREAD_TENSORS)
    got, notes = _defaults(tmp_path, ["[0]", *expressions])
    assert got[1:] == [UnreadDefault(e) if why else [] for e, why in UNREAD_TENSORS.items()]
    assert notes == _notes(PRELUDE.count("\n") + 4, [None, *UNREAD_TENSORS.values()])


def test_unread_entries_are_skipped_at_their_line(tmp_path: Path) -> None:
    """An entry only running the file would give: its call is skipped, at the line of what
    is unknown (here the line below the call)."""
    unread = {e: why for e, why in {**UNREAD, **UNREAD_TENSORS}.items() if why}
    calls = "".join(
        f"def p{i}(r):\n    return tf.io.parse_single_example(\n        r, {{'a': {e}}})\n"
        for i, e in enumerate(unread)
    )
    _, found = _read(tmp_path, PRELUDE + calls)
    first = PRELUDE.count("\n") + 5  # the line of p0's entry
    assert found.skipped == [
        f"train.py:{first + 3 * i}: parse_single_example in p{i} is not checked: the entry 'a': {why}"
        for i, why in enumerate(unread.values())
    ]
    assert (found.specs, found.notes) == ([], [])
