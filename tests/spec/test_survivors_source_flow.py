"""How the source reader (spec/_source_eval.py, _source_scope.py, from_source.py) follows a
file without running it: loops and the entries they add, `if` branches (taken, forked or
followed from a default, with the note saying so), parameters bound by --spec-arg, the file's
own calls or defaults, methods and `self` attributes, flags, module-level specs, and the
reason each unreadable call is skipped. Every spec, entry, line, skip and note written out
and compared whole; the values follow Python's semantics for the same code (worked out by
hand from it; the TensorFlow side of the forms is proved in test_survivors_source_cases.py).
Where the reader approximates, the expectation is the reader's: every `except` handler and
`case` body is read as run, a `while` body once, and the entries the two branches of one loop
add come in statement order (a, c, then bb), not iteration order."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tfdoctor.facts.spec import FeatureSpec, ParseSpec, UnreadDefault
from tfdoctor.spec.from_source import read_source


def F(name: str, kind: str, dtype: str, **fields: Any) -> FeatureSpec:  # noqa: N802
    return FeatureSpec(name, kind, dtype, **fields)


# name -> (the file after its two imports, --spec-arg values)
SOURCES: dict[str, tuple[str, dict[str, Any]]] = {
    "loops and updates": (
        """
BASE = {"id": tf.io.FixedLenFeature([], tf.string)}
NAMES = ["a", "b", "c"]
KEYS = []
KEYS.append("x")
KEYS.extend(["y", "z"])
KEYS += ["q"]


def parse(record):
    spec = dict(BASE)
    for i, name in enumerate(NAMES):
        if name != "b":
            spec[name] = tf.io.FixedLenFeature([i + 1], tf.int64)
        else:
            spec[name * 2] = tf.io.VarLenFeature(tf.int64)
    for key in KEYS:
        spec[key] = tf.io.VarLenFeature(tf.float32)
    spec.setdefault("id", tf.io.VarLenFeature(tf.int64))
    spec.setdefault("extra", tf.io.VarLenFeature(tf.float32))
    spec.update(more=tf.io.VarLenFeature(tf.string))
    spec.update({"u": tf.io.VarLenFeature(tf.int64)}, v=tf.io.VarLenFeature(tf.int64))
    spec.update(**{"w": tf.io.VarLenFeature(tf.int64)})
    del spec["more"]
    spec.pop("u")
    spec.pop("nope", None)
    while len(spec) < 12:
        spec["once"] = tf.io.VarLenFeature(tf.int64)
    return tf.io.parse_single_example(record, spec)
""",
        {},
    ),
    "names assigned in branches, elif, nested if": (
        """
MODE = "eval"


def parse(record, mode):
    if mode == "train":
        n = 2
    else:
        n = 3
    if MODE == "train":
        k = "t"
    elif MODE == "eval":
        k = "e"
        if n > 2:
            k = k + "3"
    else:
        k = "p"
    return tf.io.parse_single_example(record, {k: tf.io.FixedLenFeature([n], tf.int64)})
""",
        {},
    ),
    "a branch fixed by --spec-arg, a default followed and noted": (
        """
def parse(record, mode, width=4, extra=False):
    spec = {"x": tf.io.FixedLenFeature([width], tf.float32)}
    if mode == "train":
        spec["label"] = tf.io.FixedLenFeature([], tf.int64)
    if extra:
        spec["extra"] = tf.io.VarLenFeature(tf.int64)
    return tf.io.parse_single_example(record, spec)
""",
        {"mode": "train"},
    ),
    "conditional expression on a default: both read": (
        """
def parse(record, labeled=True):
    spec = {"x": tf.io.VarLenFeature(tf.int64), "y": tf.io.VarLenFeature(tf.int64)} if labeled else {"x": tf.io.VarLenFeature(tf.int64)}
    return tf.io.parse_single_example(record, spec)
""",
        {},
    ),
    "call sites: positional, keyword, default, method, __init__": (
        """
def make(width, name="x", *, kind=tf.int64):
    return {name: tf.io.FixedLenFeature([width], kind)}


def parse_a(record):
    return tf.io.parse_single_example(record, make(2))


def parse_b(record):
    return tf.io.parse_single_example(record, make(3, "y", kind=tf.float32))


class Reader:
    def __init__(self, size, names=("p", "q")):
        self.size = size
        self.names = names

    def spec(self, scale):
        return {n: tf.io.FixedLenFeature([self.size * scale], tf.int64) for n in self.names}

    def parse(self, record):
        return tf.io.parse_single_example(record, self.spec(2))


READER = Reader(5)
""",
        {},
    ),
    "parameters from the file's calls: starred, recursive, several sites": (
        """
def build(n):
    return tf.io.parse_single_example(None, {"x": tf.io.FixedLenFeature([n], tf.int64)})


def star(n):
    return tf.io.parse_single_example(None, {"s": tf.io.FixedLenFeature([n], tf.int64)})


def rec(n):
    rec(n)
    return tf.io.parse_single_example(None, {"r": tf.io.FixedLenFeature([n], tf.int64)})


ARGS = [4]
build(2)
build(n=3)
star(*ARGS)
""",
        {},
    ),
    "methods called through self, a unique method called through another name": (
        """
class Base:
    SCALE = 2

    def width(self):
        return self.SCALE * 3


class Reader(Base):
    def __init__(self):
        self.keys = ["a"]
        self.keys.append("b")

    def parse(self, record):
        return tf.io.parse_single_example(
            record, {k: tf.io.FixedLenFeature([self.width()], tf.int64) for k in self.keys})

    def parse_other(self, record, n):
        return tf.io.parse_single_example(record, {"o": tf.io.FixedLenFeature([n], tf.int64)})


def run(reader):
    reader.parse_other(None, 7)
""",
        {},
    ),
    "self attributes: set later in the method, in another method, unknown": (
        """
class Reader:
    WIDTH = 3

    def setup(self):
        self.height = 5

    def parse(self, record):
        self.width = self.WIDTH + 1
        return tf.io.parse_single_example(record, {
            "a": tf.io.FixedLenFeature([self.width, self.height], tf.int64),
            "b": tf.io.FixedLenFeature([self.depth], tf.int64),
        })
""",
        {},
    ),
    "flags: defaults by position and keyword, an undefined flag": (
        """
from absl import flags

FLAGS = flags.FLAGS
flags.DEFINE_integer("width", 3, "")
flags.DEFINE_integer("height", default=4, help="")
flags.DEFINE_string("name", None, "")


def parse(record):
    return tf.io.parse_single_example(record, {
        "x": tf.io.FixedLenFeature([FLAGS.width, FLAGS.height], tf.int64),
        "y": tf.io.FixedLenFeature([FLAGS.depth], tf.int64),
    })
""",
        {},
    ),
    "spec args through params[...] and config attributes": (
        """
def input_fn(params, config):
    return tf.io.parse_single_example(None, {
        "x": tf.io.FixedLenFeature([params["seq"], config.width], tf.int64),
        "y": tf.io.FixedLenFeature([params["other"]], tf.int64),
    })
""",
        {"seq": 8, "width": 2},
    ),
    "module specs: sections from their names, dict() and comprehensions": (
        """
CONTEXT_FEATURES = {"id": tf.io.FixedLenFeature([], tf.string)}
SEQUENCE_FEATURES = dict(tok=tf.io.FixedLenSequenceFeature([], tf.int64))
FEATURES = {k: tf.io.VarLenFeature(tf.int64) for k in ["a", "b"]}
NOT_A_SPEC = {"a": 1}
MIXED = {"a": tf.io.VarLenFeature(tf.int64), "b": make()}
EMPTY = {}
""",
        {},
    ),
    "refusals: each call's reason, the others still read": (
        """
def no_dtype(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.FixedLenFeature([])})


def no_shape(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.FixedLenFeature(dtype=tf.int64)})


def bad_dtype(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.VarLenFeature(3)})


def unknown_dtype(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.VarLenFeature(dtype)})


def too_many(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.VarLenFeature(tf.int64, 1)})


def bad_keyword(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.VarLenFeature(tf.int64, shape=[])})


def star_keyword(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.VarLenFeature(**KW)})


def int_key(r):
    return tf.io.parse_single_example(
        r, {1: tf.io.VarLenFeature(tf.int64)})


def not_a_dict(r):
    return tf.io.parse_single_example(
        r, [tf.io.VarLenFeature(tf.int64)])


def no_features(r):
    return tf.io.parse_single_example(r)


def unknown_entry(r):
    return tf.io.parse_single_example(
        r, {"a": make()})


def unknown_missing(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=flag)})


def unknown_index(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.SparseFeature(index, "v", tf.int64, 3)})


def unknown_value_key(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.RaggedFeature(tf.int64, value_key=vk)})


def unknown_partitions(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.RaggedFeature(tf.int64, partitions=parts)})


def returns_nothing():
    pass


def no_return(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.FixedLenFeature([returns_nothing()], tf.int64)})


def deep(n):
    return deep(n)


def too_deep(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.FixedLenFeature([deep(1)], tf.int64), "b": tf.io.VarLenFeature(tf.int64)})


def star_call(r):
    return tf.io.parse_single_example(
        r, {"a": tf.io.FixedLenFeature([deep(*ARGS)], tf.int64), "c": tf.io.VarLenFeature(tf.int64)})


def fine(r):
    return tf.io.parse_single_example(
        r, {"ok": tf.io.VarLenFeature(tf.int64)})
""",
        {},
    ),
    "statements: with, try, match, annotations, augmented and unpacking assignments, for-else": (
        """
def parse(record):
    with tf.name_scope("parse"):
        spec: dict = {"a": tf.io.VarLenFeature(tf.int64)}
    try:
        spec["b"] = tf.io.VarLenFeature(tf.int64)
    except ValueError:
        spec["c"] = tf.io.VarLenFeature(tf.int64)
    finally:
        spec["d"] = tf.io.VarLenFeature(tf.int64)
    match record:
        case None:
            spec["e"] = tf.io.VarLenFeature(tf.int64)
    width, (height, depth) = 2, (3, 4)
    n = 1
    n += width * height
    n *= depth
    for k in ["f"]:
        spec[k] = tf.io.FixedLenFeature([n], tf.int64)
    else:
        spec["g"] = tf.io.VarLenFeature(tf.int64)
    return tf.io.parse_single_example(record, spec)


class Reader:
    def __init__(self):
        self.n = 2
        self.n += 3
        self.spec = {}
        self.spec["h"] = tf.io.FixedLenFeature([self.n], tf.int64)

    def parse(self, record):
        return tf.io.parse_single_example(record, self.spec)
""",
        {},
    ),
    "partial and the slim decoders": (
        """
import functools
from functools import partial

A = {"a": tf.io.VarLenFeature(tf.int64)}
B = {"b": tf.io.VarLenFeature(tf.int64)}
C = {"c": tf.io.VarLenFeature(tf.int64)}
D = {"d": tf.io.VarLenFeature(tf.int64)}
E = ({"e": tf.io.VarLenFeature(tf.int64)}, {"s": tf.io.VarLenFeature(tf.float32)})


def make(files):
    ds = tf.data.TFRecordDataset(files)
    ds = ds.map(partial(tf.io.parse_single_example, features=A))
    ds = ds.map(functools.partial(tf.io.parse_example, features=B))
    ds = ds.apply(partial(tf.data.experimental.parse_example_dataset, C))
    ds = ds.map(partial(tf.io.parse_single_example))
    one = slim.TFExampleDecoder(D, {})
    two = partial(slim.TFExampleDecoder, D)
    three = slim.TFSequenceExampleDecoder(E[0], E[1], {}, {})
    return ds
""",
        {},
    ),
    "one branch readable, the other not": (
        """
def parse(record, mode):
    if mode:
        spec = {"a": tf.io.VarLenFeature(tf.int64)}
    else:
        spec = make_spec()
    return tf.io.parse_single_example(record, spec)


def neither(record, mode):
    spec = make_a() if mode else make_b()
    return tf.io.parse_single_example(record, spec)
""",
        {},
    ),
    "a name read before and after it is reassigned, a constant defined below its use": (
        """
def parse(record):
    spec = {"a": tf.io.FixedLenFeature([N], tf.int64)}
    first = tf.io.parse_single_example(record, spec)
    spec = {"b": tf.io.FixedLenFeature([N + 1], tf.int64)}
    return first, tf.io.parse_single_example(record, spec)


N = 2
N = 5
""",
        {},
    ),
    "nested functions and lambdas see their enclosing names": (
        """
def builder(width):
    names = ["x", "y"]

    def parse(record):
        return tf.io.parse_single_example(
            record, {n: tf.io.FixedLenFeature([width], tf.int64) for n in names})

    return lambda r: parse(r)


TRAIN = builder(3)
""",
        {},
    ),
    "a name assigned in a loop's body, entries added after a read, a name passed to a function": (
        """
NAMES = ["a", "b"]


def parse(record):
    spec = {}
    for name in NAMES:
        key = name + "_x"
        spec[key] = tf.io.VarLenFeature(tf.int64)
    first = tf.io.parse_single_example(record, spec)
    spec["late"] = tf.io.VarLenFeature(tf.int64)
    n = 4
    return first, tf.io.parse_single_example(record, make(n))


def make(width):
    return {"m": tf.io.FixedLenFeature([width], tf.int64)}
""",
        {},
    ),
    "parameters of two functions, each called twice": (
        """
def outer(n):
    def inner(m):
        return tf.io.parse_single_example(None, {"a": tf.io.FixedLenFeature([n, m], tf.int64)})

    inner(3)
    inner(4)


outer(1)
outer(2)
""",
        {},
    ),
    "self and class lists grown in the reading method": (
        """
class Reader:
    KEYS = ["a"]

    def __init__(self):
        self.names = ["x"]

    def parse(self, record):
        self.names.append("y")
        for k in ["b"]:
            self.KEYS.append(k)
        return tf.io.parse_single_example(record, {
            **{n: tf.io.VarLenFeature(tf.int64) for n in self.names},
            **{k: tf.io.VarLenFeature(tf.float32) for k in self.KEYS},
        })
""",
        {},
    ),
    "call sites through attributes": (
        """
class Inner:
    def parse_inner(self, record, n):
        return tf.io.parse_single_example(record, {"i": tf.io.FixedLenFeature([n], tf.int64)})


class Reader:
    def __init__(self, width):
        self.width = width

    def parse(self, record):
        return tf.io.parse_single_example(record, {"w": tf.io.FixedLenFeature([self.width], tf.int64)})


def run(holder):
    holder.inner.parse_inner(None, 6)


READER = Reader(2)
OTHER = lib.Reader(9)
""",
        {},
    ),
    "unknown entries, at their lines": (
        """
def returns_nothing():
    pass


def parse(record):
    return tf.io.parse_single_example(
        record, {"a": returns_nothing(),
                 "b": tf.io.VarLenFeature(tf.int64)})


def parse_given(record, given):
    return tf.io.parse_single_example(
        record, {"a": given})
""",
        {},
    ),
    "an update that fails": (
        """
NAMES = ["a"]
del NAMES[5]
SPEC = {n: tf.io.VarLenFeature(tf.int64) for n in NAMES}
""",
        {},
    ),
    "loops around an update: 10,000 iterations, not more": (
        """
SPEC = {"k": tf.io.VarLenFeature(tf.int64)}
for i in range(100):
    for j in range(100):
        SPEC.setdefault("k", tf.io.VarLenFeature(tf.float32))
BIG = {"k": tf.io.VarLenFeature(tf.int64)}
for i in range(100):
    for j in range(101):
        BIG.setdefault("k", tf.io.VarLenFeature(tf.float32))
""",
        {},
    ),
    "a parse call at module level, call sites in a default and a with statement": (
        """
K = 5
SPEC = {"m": tf.io.VarLenFeature(tf.int64)}
parsed = tf.io.parse_single_example(None, SPEC)


def width(n):
    return tf.io.parse_single_example(None, {"d": tf.io.FixedLenFeature([n], tf.int64)})


def user(x=width(K)):
    pass


with tf.device(width(K + 1)):
    pass
""",
        {},
    ),
    "the words quoting the source: long, on several lines, after non-ASCII": (
        """
def parse(record):
    return tf.io.parse_single_example(
        record, {"a": make(
            1,
            2)})


def parse_long(record):
    return tf.io.parse_single_example(record, {"b": make_a_feature_config_with_a_long_name(width=1, height=2, depth=3, channels=4, extra=5)})


def parse_accented(record):
    return tf.io.parse_single_example(record, {"é": tf.io.VarLenFeature(tf.int64), "ü": open("x")})
""",
        {},
    ),
    "a default bound where the function is defined; defaults noted whole up to 40 characters": (
        """
W = 3


def parse(record, width=W, key="k" * 2, name="abcdefghijklmnopqrstuvwxyzabcdefghijkl", other="abcdefghijklmnopqrstuvwxyzabcdefghijklm"):
    return tf.io.parse_single_example(record, {key: tf.io.FixedLenFeature([width], tf.int64),
                                               name: tf.io.VarLenFeature(tf.int64),
                                               other: tf.io.VarLenFeature(tf.int64)})


W = 4
""",
        {},
    ),
    "a name read in the else branch of the if that assigns it": (
        """
def parse(record, mode):
    spec = {"base": tf.io.VarLenFeature(tf.int64)}
    if mode:
        spec = {"a": tf.io.VarLenFeature(tf.int64)}
    else:
        return tf.io.parse_single_example(record, spec)
""",
        {},
    ),
    "a SparseFeature's unknown value_key, an unknown default given by position": (
        """
def parse(record):
    return tf.io.parse_single_example(
        record, {"a": tf.io.SparseFeature("i", vk, tf.int64, 3)})


def parse_default(record):
    return tf.io.parse_single_example(record, {"b": tf.io.FixedLenFeature([], tf.int64, make_default())})
""",
        {},
    ),
    "a flag defined with its name and default only": (
        """
flags.DEFINE_integer("width", 3)


def parse(record):
    return tf.io.parse_single_example(record, {"a": tf.io.FixedLenFeature([FLAGS.width], tf.int64)})
""",
        {},
    ),
    "one branch refused for its dtype, the other read": (
        """
def parse(record, mode):
    spec = {"a": tf.io.VarLenFeature(3)} if mode else {"b": tf.io.VarLenFeature(tf.int64)}
    return tf.io.parse_single_example(record, spec)
""",
        {},
    ),
    "staticmethods, a name passed on through two functions, __init__ first, file functions only by bare name": (
        """
W = 4
flags.DEFINE_integer("depth", W, "")


def width(i):
    return i + 1


def parse(record):
    return tf.io.parse_single_example(record, {
        **{f"k{i}": tf.io.FixedLenFeature([width(i)], tf.int64) for i in range(13)},
        "lib": tf.io.FixedLenFeature([lib.width(1)], tf.int64),
        "flag": tf.io.FixedLenFeature([FLAGS.depth], tf.int64),
    })


class Reader:
    def reset(self):
        self.n = 1

    def __init__(self):
        self.n = 2

    @staticmethod
    def parse_static(record, n):
        return tf.io.parse_single_example(record, {"s": tf.io.FixedLenFeature([n], tf.int64)})

    def parse(self, record):
        return tf.io.parse_single_example(record, {"m": tf.io.FixedLenFeature([self.n], tf.int64)})


def outer(n):
    return inner(n)


def inner(n):
    return tf.io.parse_single_example(None, {"i": tf.io.FixedLenFeature([n], tf.int64)})


Reader.parse_static(None, 3)
outer(5)
""",
        {},
    ),
    "entries merged from an unknown mapping": (
        """
def parse(record):
    spec = {"a": tf.io.VarLenFeature(tf.int64)}
    spec.update(**unknown)
    return tf.io.parse_single_example(record, spec)
""",
        {},
    ),
}

# name -> ([(name after "train.py:", call, line, entries)], skipped, notes)
EXPECTED: dict[str, tuple[list[tuple[str, str | None, int, tuple[FeatureSpec, ...]]], list[str], list[str]]] = {
    'loops and updates': (
        [
            ('30 parse', 'parse_single_example', 30, (
                F('id', 'FixedLenFeature', 'string', shape=(), line=3),
                F('a', 'FixedLenFeature', 'int64', shape=(1,), line=15),
                F('c', 'FixedLenFeature', 'int64', shape=(3,), line=15),
                F('bb', 'VarLenFeature', 'int64', line=17),
                F('x', 'VarLenFeature', 'float32', line=19),
                F('y', 'VarLenFeature', 'float32', line=19),
                F('z', 'VarLenFeature', 'float32', line=19),
                F('q', 'VarLenFeature', 'float32', line=19),
                F('extra', 'VarLenFeature', 'float32', line=21),
                F('v', 'VarLenFeature', 'int64', line=23),
                F('w', 'VarLenFeature', 'int64', line=24),
                F('once', 'VarLenFeature', 'int64', line=29),
            )),
        ],
        [],
        [],
    ),
    'names assigned in branches, elif, nested if': (
        [
            ('19 parse (if mode == "train")', 'parse_single_example', 19, (
                F('e', 'FixedLenFeature', 'int64', shape=(2,), line=19),
            )),
            ('19 parse (else)', 'parse_single_example', 19, (
                F('e3', 'FixedLenFeature', 'int64', shape=(3,), line=19),
            )),
        ],
        [],
        [],
    ),
    'a branch fixed by --spec-arg, a default followed and noted': (
        [
            ('9 parse', 'parse_single_example', 9, (
                F('x', 'FixedLenFeature', 'float32', shape=(4,), line=4),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=6),
            )),
        ],
        [],
        ['train.py:7: `if extra:` is read as False, from the default of extra; --spec-arg extra=... reads the other branch', 'train.py:9: read with width=4 (the default of parse()), extra=False (the default of parse()); --spec-arg NAME=VALUE reads the value you run with'],
    ),
    'conditional expression on a default: both read': (
        [
            ('5 parse (if labeled)', 'parse_single_example', 5, (
                F('x', 'VarLenFeature', 'int64', line=4),
                F('y', 'VarLenFeature', 'int64', line=4),
            )),
            ('5 parse (else)', 'parse_single_example', 5, (
                F('x', 'VarLenFeature', 'int64', line=4),
            )),
        ],
        [],
        ['train.py:5: read with labeled=True (the default of parse()); --spec-arg NAME=VALUE reads the value you run with'],
    ),
    'call sites: positional, keyword, default, method, __init__': (
        [
            ('8 parse_a', 'parse_single_example', 8, (
                F('x', 'FixedLenFeature', 'int64', shape=(2,), line=4),
            )),
            ('12 parse_b', 'parse_single_example', 12, (
                F('y', 'FixedLenFeature', 'float32', shape=(3,), line=4),
            )),
            ('24 parse', 'parse_single_example', 24, (
                F('p', 'FixedLenFeature', 'int64', shape=(10,), line=21),
                F('q', 'FixedLenFeature', 'int64', shape=(10,), line=21),
            )),
        ],
        [],
        ["train.py:8: read with name='x' (the default of make()); --spec-arg NAME=VALUE reads the value you run with", "train.py:24: read with names=['p', 'q'] (the default of __init__()); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    "parameters from the file's calls: starred, recursive, several sites": (
        [
            ('4 build (called at line 17)', 'parse_single_example', 4, (
                F('x', 'FixedLenFeature', 'int64', shape=(2,), line=4),
            )),
            ('4 build (called at line 18)', 'parse_single_example', 4, (
                F('x', 'FixedLenFeature', 'int64', shape=(3,), line=4),
            )),
            ('8 star', 'parse_single_example', 8, (
                F('s', 'FixedLenFeature', 'int64', shape=(None,), line=8),
            )),
            ('13 rec', 'parse_single_example', 13, (
                F('r', 'FixedLenFeature', 'int64', shape=(None,), line=13),
            )),
        ],
        [],
        ["train.py:8: the shape of 's' is not checked (its presence and dtype are): 'n' is passed to star() with * or ** at line 19; --spec-arg n=... gives it", "train.py:13: the shape of 'r' is not checked (its presence and dtype are): 'n' of rec() is passed on recursively; --spec-arg n=... gives it"],
    ),
    'methods called through self, a unique method called through another name': (
        [
            ('16 parse', 'parse_single_example', 16, (
                F('a', 'FixedLenFeature', 'int64', shape=(6,), line=17),
                F('b', 'FixedLenFeature', 'int64', shape=(6,), line=17),
            )),
            ('20 parse_other', 'parse_single_example', 20, (
                F('o', 'FixedLenFeature', 'int64', shape=(7,), line=20),
            )),
        ],
        [],
        [],
    ),
    'self attributes: set later in the method, in another method, unknown': (
        [
            ('11 parse', 'parse_single_example', 11, (
                F('a', 'FixedLenFeature', 'int64', shape=(4, 5), line=12),
                F('b', 'FixedLenFeature', 'int64', shape=(None,), line=13),
            )),
        ],
        [],
        ["train.py:13: the shape of 'b' is not checked (its presence and dtype are): self.depth is not set in this file; --spec-arg depth=... gives it"],
    ),
    'flags: defaults by position and keyword, an undefined flag': (
        [
            ('12 parse', 'parse_single_example', 12, (
                F('x', 'FixedLenFeature', 'int64', shape=(3, 4), line=13),
                F('y', 'FixedLenFeature', 'int64', shape=(None,), line=14),
            )),
        ],
        [],
        ["train.py:14: the shape of 'y' is not checked (its presence and dtype are): flag 'depth' is not defined in this file; --spec-arg depth=... gives it", "train.py:12: read with width=3 (the flag's default), height=4 (the flag's default); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    'spec args through params[...] and config attributes': (
        [
            ('4 input_fn', 'parse_single_example', 4, (
                F('x', 'FixedLenFeature', 'int64', shape=(8, 2), line=5),
                F('y', 'FixedLenFeature', 'int64', shape=(None,), line=6),
            )),
        ],
        [],
        ["train.py:6: the shape of 'y' is not checked (its presence and dtype are): parameter 'params' of input_fn() is given no value in this file; --spec-arg other=... gives it"],
    ),
    'module specs: sections from their names, dict() and comprehensions': (
        [
            ('3 CONTEXT_FEATURES', None, 3, (
                F('id', 'FixedLenFeature', 'string', section='context', shape=(), line=3),
            )),
            ('4 SEQUENCE_FEATURES', None, 4, (
                F('tok', 'FixedLenSequenceFeature', 'int64', section='sequence', shape=(), line=4),
            )),
            ('5 FEATURES', None, 5, (
                F('a', 'VarLenFeature', 'int64', line=5),
                F('b', 'VarLenFeature', 'int64', line=5),
            )),
        ],
        [],
        [],
    ),
    "refusals: each call's reason, the others still read": (
        [
            ('82 no_return', 'parse_single_example', 82, (
                F('a', 'FixedLenFeature', 'int64', shape=(None,), line=83),
            )),
            ('91 too_deep', 'parse_single_example', 91, (
                F('a', 'FixedLenFeature', 'int64', shape=(None,), line=92),
                F('b', 'VarLenFeature', 'int64', line=92),
            )),
            ('96 star_call', 'parse_single_example', 96, (
                F('a', 'FixedLenFeature', 'int64', shape=(None,), line=97),
                F('c', 'VarLenFeature', 'int64', line=97),
            )),
            ('101 fine', 'parse_single_example', 101, (
                F('ok', 'VarLenFeature', 'int64', line=102),
            )),
        ],
        ["train.py:5: parse_single_example in no_dtype is not checked: feature 'a': FixedLenFeature without a dtype", "train.py:10: parse_single_example in no_shape is not checked: feature 'a': FixedLenFeature without a shape", "train.py:14: parse_single_example in bad_dtype is not checked: feature 'a': dtype 3 is not a dtype", "train.py:20: parse_single_example in unknown_dtype is not checked: the dtype of 'a' is not known: 'dtype' is not given a value in this file; --spec-arg dtype=... gives it", "train.py:25: parse_single_example in too_many is not checked: the entry 'a': VarLenFeature takes at most 1 positional arguments", "train.py:30: parse_single_example in bad_keyword is not checked: the entry 'a': VarLenFeature has no argument 'shape'", "train.py:35: parse_single_example in star_keyword is not checked: the entry 'a': VarLenFeature has no argument None", 'train.py:39: parse_single_example in int_key is not checked: feature key 1 is not a string', 'train.py:44: parse_single_example in not_a_dict is not checked: the features argument is list, not a dict', 'train.py:49: parse_single_example in no_features is not checked: parse_single_example is called without a features argument', "train.py:54: parse_single_example in unknown_entry is not checked: the entry 'a': `make()` is a call tfdoctor does not run", "train.py:59: parse_single_example in unknown_missing is not checked: allow_missing of 'a' is not known: 'flag' is not given a value in this file; --spec-arg flag=... gives it", "train.py:64: parse_single_example in unknown_index is not checked: the index_key of 'a' is not known: 'index' is not given a value in this file; --spec-arg index=... gives it", "train.py:69: parse_single_example in unknown_value_key is not checked: the value_key of 'a' is not known: 'vk' is not given a value in this file; --spec-arg vk=... gives it", "train.py:74: parse_single_example in unknown_partitions is not checked: the partitions of 'a' is not known: 'parts' is not given a value in this file; --spec-arg parts=... gives it"],
        ["train.py:83: the shape of 'a' is not checked (its presence and dtype are): returns_nothing() returns no value tfdoctor can read", "train.py:92: the shape of 'a' is not checked (its presence and dtype are): `deep(n)` nests calls too deep to follow", "train.py:97: the shape of 'a' is not checked (its presence and dtype are): `deep(*ARGS)` passes arguments with * or **"],
    ),
    'statements: with, try, match, annotations, augmented and unpacking assignments, for-else': (
        [
            ('23 parse', 'parse_single_example', 23, (
                F('a', 'VarLenFeature', 'int64', line=5),
                F('b', 'VarLenFeature', 'int64', line=7),
                F('c', 'VarLenFeature', 'int64', line=9),
                F('d', 'VarLenFeature', 'int64', line=11),
                F('e', 'VarLenFeature', 'int64', line=14),
                F('f', 'FixedLenFeature', 'int64', shape=(28,), line=20),
                F('g', 'VarLenFeature', 'int64', line=22),
            )),
            ('34 parse', 'parse_single_example', 34, (
                F('h', 'FixedLenFeature', 'int64', shape=(5,), line=31),
            )),
        ],
        [],
        [],
    ),
    'partial and the slim decoders': (
        [
            ('15 make', 'parse_single_example', 15, (
                F('a', 'VarLenFeature', 'int64', line=6),
            )),
            ('16 make', 'parse_example', 16, (
                F('b', 'VarLenFeature', 'int64', line=7),
            )),
            ('17 make', 'parse_example_dataset', 17, (
                F('c', 'VarLenFeature', 'int64', line=8),
            )),
            ('19 make', 'TFExampleDecoder', 19, (
                F('d', 'VarLenFeature', 'int64', line=9),
            )),
            ('21 make', 'TFSequenceExampleDecoder', 21, (
                F('e', 'VarLenFeature', 'int64', section='context', line=10),
                F('s', 'VarLenFeature', 'float32', section='sequence', line=10),
            )),
        ],
        ['train.py:18: parse_single_example in make is not checked: parse_single_example is called without a features argument'],
        [],
    ),
    'one branch readable, the other not': (
        [
            ('8 parse', 'parse_single_example', 8, (
                F('a', 'VarLenFeature', 'int64', line=5),
            )),
        ],
        ['train.py:7: parse_single_example in parse (else) is not checked: `make_spec()` is a call tfdoctor does not run', 'train.py:12: parse_single_example in neither (if mode) is not checked: `make_a()` is a call tfdoctor does not run', 'train.py:12: parse_single_example in neither (else) is not checked: `make_b()` is a call tfdoctor does not run'],
        [],
    ),
    'a name read before and after it is reassigned, a constant defined below its use': (
        [
            ('5 parse', 'parse_single_example', 5, (
                F('a', 'FixedLenFeature', 'int64', shape=(5,), line=4),
            )),
            ('7 parse', 'parse_single_example', 7, (
                F('b', 'FixedLenFeature', 'int64', shape=(6,), line=6),
            )),
        ],
        [],
        [],
    ),
    'nested functions and lambdas see their enclosing names': (
        [
            ('7 parse', 'parse_single_example', 7, (
                F('x', 'FixedLenFeature', 'int64', shape=(3,), line=8),
                F('y', 'FixedLenFeature', 'int64', shape=(3,), line=8),
            )),
        ],
        [],
        [],
    ),
    "a name assigned in a loop's body, entries added after a read, a name passed to a function": (
        [
            ('11 parse', 'parse_single_example', 11, (
                F('a_x', 'VarLenFeature', 'int64', line=10),
                F('b_x', 'VarLenFeature', 'int64', line=10),
            )),
            ('14 parse', 'parse_single_example', 14, (
                F('m', 'FixedLenFeature', 'int64', shape=(4,), line=18),
            )),
        ],
        [],
        [],
    ),
    'parameters of two functions, each called twice': (
        [
            ('5 inner (called at line 11, called at line 7)', 'parse_single_example', 5, (
                F('a', 'FixedLenFeature', 'int64', shape=(1, 3), line=5),
            )),
            ('5 inner (called at line 11, called at line 8)', 'parse_single_example', 5, (
                F('a', 'FixedLenFeature', 'int64', shape=(1, 4), line=5),
            )),
            ('5 inner (called at line 12, called at line 7)', 'parse_single_example', 5, (
                F('a', 'FixedLenFeature', 'int64', shape=(2, 3), line=5),
            )),
            ('5 inner (called at line 12, called at line 8)', 'parse_single_example', 5, (
                F('a', 'FixedLenFeature', 'int64', shape=(2, 4), line=5),
            )),
        ],
        [],
        [],
    ),
    'self and class lists grown in the reading method': (
        [
            ('13 parse', 'parse_single_example', 13, (
                F('x', 'VarLenFeature', 'int64', line=14),
                F('y', 'VarLenFeature', 'int64', line=14),
                F('a', 'VarLenFeature', 'float32', line=15),
                F('b', 'VarLenFeature', 'float32', line=15),
            )),
        ],
        [],
        [],
    ),
    'call sites through attributes': (
        [
            ('5 parse_inner', 'parse_single_example', 5, (
                F('i', 'FixedLenFeature', 'int64', shape=(6,), line=5),
            )),
            ('13 parse', 'parse_single_example', 13, (
                F('w', 'FixedLenFeature', 'int64', shape=(2,), line=13),
            )),
        ],
        [],
        [],
    ),
    'unknown entries, at their lines': (
        [
        ],
        ["train.py:9: parse_single_example in parse is not checked: the entry 'a': returns_nothing() returns no value tfdoctor can read", "train.py:15: parse_single_example in parse_given is not checked: the entry 'a': parameter 'given' of parse_given() is given no value in this file; --spec-arg given=... gives it"],
        [],
    ),
    'an update that fails': (
        [
        ],
        ['train.py:4: SPEC is not checked: the loop over `NAMES`: line 4 fails: list assignment index out of range'],
        [],
    ),
    'loops around an update: 10,000 iterations, not more': (
        [
            ('3 SPEC', None, 3, (
                F('k', 'VarLenFeature', 'int64', line=3),
            )),
        ],
        ['train.py:9: BIG is not checked: the loops around line 10 run too long to evaluate'],
        [],
    ),
    'a parse call at module level, call sites in a default and a with statement': (
        [
            ('5 <module>', 'parse_single_example', 5, (
                F('m', 'VarLenFeature', 'int64', line=4),
            )),
            ('9 width (called at line 12)', 'parse_single_example', 9, (
                F('d', 'FixedLenFeature', 'int64', shape=(5,), line=9),
            )),
            ('9 width (called at line 16)', 'parse_single_example', 9, (
                F('d', 'FixedLenFeature', 'int64', shape=(6,), line=9),
            )),
        ],
        [],
        [],
    ),
    'the words quoting the source: long, on several lines, after non-ASCII': (
        [
        ],
        ["train.py:5: parse_single_example in parse is not checked: the entry 'a': `make( 1, 2)` is a call tfdoctor does not run", "train.py:11: parse_single_example in parse_long is not checked: the entry 'b': `make_a_feature_config_with_a_long_name(width=1, height=2, depth=3, channels=4...` is a call tfdoctor does not run", 'train.py:15: parse_single_example in parse_accented is not checked: the entry \'ü\': `open("x")` is a call tfdoctor does not run'],
        [],
    ),
    'a default bound where the function is defined; defaults noted whole up to 40 characters': (
        [
            ('7 parse', 'parse_single_example', 7, (
                F('kk', 'FixedLenFeature', 'int64', shape=(3,), line=7),
                F('abcdefghijklmnopqrstuvwxyzabcdefghijkl', 'VarLenFeature', 'int64', line=8),
                F('abcdefghijklmnopqrstuvwxyzabcdefghijklm', 'VarLenFeature', 'int64', line=9),
            )),
        ],
        [],
        ["train.py:7: read with key='kk' (the default of parse()), width=3 (the default of parse()), name='abcdefghijklmnopqrstuvwxyzabcdefghijkl' (the default of parse()), other='abcdefghijklmnopqrstuvwxyzabcdefghij... (the default of parse()); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    'a name read in the else branch of the if that assigns it': (
        [
            ('8 parse', 'parse_single_example', 8, (
                F('base', 'VarLenFeature', 'int64', line=4),
            )),
        ],
        [],
        [],
    ),
    "a SparseFeature's unknown value_key, an unknown default given by position": (
        [
            ('9 parse_default', 'parse_single_example', 9, (
                F('b', 'FixedLenFeature', 'int64', shape=(), default=UnreadDefault("make_default()"), line=9),
            )),
        ],
        ["train.py:5: parse_single_example in parse is not checked: the value_key of 'a' is not known: 'vk' is not given a value in this file; --spec-arg vk=... gives it"],
        ["train.py:9: the default_value of 'b' is not checked (its presence and dtype are): `make_default()` is a call tfdoctor does not run"],
    ),
    'a flag defined with its name and default only': (
        [
            ('7 parse', 'parse_single_example', 7, (
                F('a', 'FixedLenFeature', 'int64', shape=(3,), line=7),
            )),
        ],
        [],
        ["train.py:7: read with width=3 (the flag's default); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    'one branch refused for its dtype, the other read': (
        [
            ('5 parse', 'parse_single_example', 5, (
                F('b', 'VarLenFeature', 'int64', line=4),
            )),
        ],
        ["train.py:5: parse_single_example in parse (if mode) is not checked: feature 'a': dtype 3 is not a dtype"],
        [],
    ),
    'staticmethods, a name passed on through two functions, __init__ first, file functions only by bare name': (
        [
            ('12 parse', 'parse_single_example', 12, (
                F('k0', 'FixedLenFeature', 'int64', shape=(1,), line=13),
                F('k1', 'FixedLenFeature', 'int64', shape=(2,), line=13),
                F('k2', 'FixedLenFeature', 'int64', shape=(3,), line=13),
                F('k3', 'FixedLenFeature', 'int64', shape=(4,), line=13),
                F('k4', 'FixedLenFeature', 'int64', shape=(5,), line=13),
                F('k5', 'FixedLenFeature', 'int64', shape=(6,), line=13),
                F('k6', 'FixedLenFeature', 'int64', shape=(7,), line=13),
                F('k7', 'FixedLenFeature', 'int64', shape=(8,), line=13),
                F('k8', 'FixedLenFeature', 'int64', shape=(9,), line=13),
                F('k9', 'FixedLenFeature', 'int64', shape=(10,), line=13),
                F('k10', 'FixedLenFeature', 'int64', shape=(11,), line=13),
                F('k11', 'FixedLenFeature', 'int64', shape=(12,), line=13),
                F('k12', 'FixedLenFeature', 'int64', shape=(13,), line=13),
                F('lib', 'FixedLenFeature', 'int64', shape=(None,), line=14),
                F('flag', 'FixedLenFeature', 'int64', shape=(4,), line=15),
            )),
            ('28 parse_static', 'parse_single_example', 28, (
                F('s', 'FixedLenFeature', 'int64', shape=(3,), line=28),
            )),
            ('31 parse', 'parse_single_example', 31, (
                F('m', 'FixedLenFeature', 'int64', shape=(2,), line=31),
            )),
            ('39 inner', 'parse_single_example', 39, (
                F('i', 'FixedLenFeature', 'int64', shape=(5,), line=39),
            )),
        ],
        [],
        ["train.py:14: the shape of 'lib' is not checked (its presence and dtype are): `lib.width(1)` is a call tfdoctor does not run", "train.py:12: read with depth=4 (the flag's default); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    'entries merged from an unknown mapping': (
        [
        ],
        ["train.py:5: parse_single_example in parse is not checked: 'unknown' is not given a value in this file"],
        [],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(SOURCES))
def test_flow(tmp_path: Path, case: str) -> None:
    body, spec_args = SOURCES[case]
    path = tmp_path / "train.py"
    path.write_text("import numpy as np\nimport tensorflow as tf\n" + textwrap.dedent(body).lstrip("\n"))
    found = read_source(path, spec_args=spec_args)
    specs, skipped, notes = EXPECTED[case]
    assert found.specs == [
        ParseSpec(features, name=f"train.py:{name}", call=call, file=str(path), line=line)
        for name, call, line, features in specs
    ]
    assert (found.skipped, found.notes, found.datasets) == (skipped, notes, [])


def _read(tmp_path: Path, body: str) -> Any:
    path = tmp_path / "train.py"
    path.write_text("import numpy as np\nimport tensorflow as tf\n" + textwrap.dedent(body).lstrip("\n"))
    return read_source(path)


def test_names_defined_through_each_other(tmp_path: Path) -> None:
    """self.width set from self.height and self.height from self.width: followed 120 steps deep, then unknown,
    at the line where the 121st step is. Python's frame limit raised for the test: under mutation
    testing every function call is a few frames deeper, and RecursionError would come first."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        found = _read(
            tmp_path,
            """
        class Reader:
            def widen(self):
                self.width = self.height + 1

            def heighten(self):
                self.height = self.width - 1

            def parse(self, record):
                return tf.io.parse_single_example(
                    record, {"k": tf.io.FixedLenFeature([self.width], tf.int64),
                             "j": self.height})
        """,
        )
    finally:
        sys.setrecursionlimit(limit)
    assert (found.specs, found.notes) == ([], [])
    assert found.skipped == [
        "train.py:5: parse_single_example in parse is not checked: the entry 'j': `self.height + 1` is defined in too "
        "many steps to follow"
    ]


def test_the_clock_is_read_every_1024_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With each read of the clock 100 s after the last, a spec of fewer than 1024 steps is
    read, and one of more stops at step 1024 (the budget's 10 s are past by then)."""
    from tfdoctor.spec import _source_eval

    ticks = iter(range(0, 10**9, 100))
    monkeypatch.setattr(_source_eval, "time", SimpleNamespace(monotonic=lambda: next(ticks)))
    found = _read(
        tmp_path,
        """
        SMALL = {f"k{i}": tf.io.VarLenFeature(tf.int64) for i in range(10)}
        LARGE = {f"k{i}": tf.io.VarLenFeature(tf.int64) for i in range(300)}
        """,
    )
    assert [s.name for s in found.specs] == ["train.py:3 SMALL"]
    assert found.skipped == [
        "train.py:4: LARGE is not checked: evaluating it takes more than 1,000,000 steps or 10 seconds"
    ]
