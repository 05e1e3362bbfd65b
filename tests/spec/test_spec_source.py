"""Parse specs read from source files with `ast`, never run, compared with what the same
dicts are when TensorFlow builds them."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tfdoctor.cli import app
from tfdoctor.facts.spec import FeatureSpec
from tfdoctor.spec.from_python import from_objects
from tfdoctor.spec.from_source import read_source
from tfdoctor.spec.load import load_specs
from tfdoctor.spec.model import SpecError

# (source, the features dicts each parse call receives, as TensorFlow would build them)
CASES: dict[str, tuple[str, Any]] = {
    "inline": (
        """
        import tensorflow as tf

        def parse(record):
            return tf.io.parse_single_example(record, {
                "image": tf.io.FixedLenFeature([], tf.string),
                "label": tf.io.FixedLenFeature([], tf.int64, default_value=-1),
            })
        """,
        lambda tf: [{"image": tf.io.FixedLenFeature([], tf.string),
                     "label": tf.io.FixedLenFeature([], tf.int64, default_value=-1)}],
    ),
    "local variable, keyword features=": (
        """
        import tensorflow as tf

        def parse(batch):
            feature_description = {
                "x": tf.io.FixedLenFeature((28, 28, 1), tf.float32),
                "tags": tf.io.VarLenFeature(tf.string),
            }
            return tf.io.parse_example(serialized=batch, features=feature_description)
        """,
        lambda tf: [{"x": tf.io.FixedLenFeature((28, 28, 1), tf.float32),
                     "tags": tf.io.VarLenFeature(tf.string)}],
    ),
    "module constant, compat.v1.io": (
        """
        import tensorflow as tf

        FEATURES = {"age": tf.io.FixedLenFeature([1], tf.float32, default_value=[0.0])}

        def parse(batch):
            return tf.compat.v1.io.parse_example(batch, FEATURES)
        """,
        lambda tf: [{"age": tf.io.FixedLenFeature([1], tf.float32, default_value=[0.0])}],
    ),
    "tf 1.x spellings": (
        """
        import tensorflow as tf

        def parse(record):
            spec = {"label": tf.FixedLenFeature([], tf.int64), "ids": tf.VarLenFeature(tf.int64)}
            return tf.compat.v1.parse_single_example(record, spec)
        """,
        lambda tf: [{"label": tf.io.FixedLenFeature([], tf.int64), "ids": tf.io.VarLenFeature(tf.int64)}],
    ),
    "bare imported names, tf.dtypes": (
        """
        from tensorflow.io import FixedLenFeature, VarLenFeature, parse_single_example
        import tensorflow as tf

        def parse(record):
            return parse_single_example(record, features={
                "a": FixedLenFeature(shape=[3], dtype=tf.dtypes.int64),
                "b": VarLenFeature(dtype=tf.dtypes.float32),
            })
        """,
        lambda tf: [{"a": tf.io.FixedLenFeature([3], tf.int64), "b": tf.io.VarLenFeature(tf.float32)}],
    ),
    "dict() call, shape arithmetic on constants": (
        """
        import tensorflow as tf
        IMG = 32
        CHANNELS = 3

        def parse(record):
            spec = dict(
                image=tf.io.FixedLenFeature([IMG * IMG * CHANNELS], tf.float32),
                label=tf.io.FixedLenFeature([], tf.int64),
            )
            return tf.io.parse_single_example(record, spec)
        """,
        lambda tf: [{"image": tf.io.FixedLenFeature([3072], tf.float32),
                     "label": tf.io.FixedLenFeature([], tf.int64)}],
    ),
    "comprehension over a key list, ** merge": (
        """
        import tensorflow as tf
        NUMERIC = ["fare", "age"]
        BASE = {"label": tf.io.FixedLenFeature([], tf.int64)}

        def parse(batch):
            spec = {**BASE, **{k: tf.io.FixedLenFeature([], tf.float32, default_value=0.0) for k in NUMERIC}}
            return tf.io.parse_example(batch, spec)
        """,
        lambda tf: [{"label": tf.io.FixedLenFeature([], tf.int64),
                     "fare": tf.io.FixedLenFeature([], tf.float32, default_value=0.0),
                     "age": tf.io.FixedLenFeature([], tf.float32, default_value=0.0)}],
    ),
    "item assignment and update()": (
        """
        import tensorflow as tf

        def parse(record):
            spec = {}
            spec["image"] = tf.io.FixedLenFeature([], tf.string)
            spec.update({"label": tf.io.FixedLenFeature([], tf.int64)})
            return tf.io.parse_single_example(record, spec)
        """,
        lambda tf: [{"image": tf.io.FixedLenFeature([], tf.string),
                     "label": tf.io.FixedLenFeature([], tf.int64)}],
    ),
    "sequence example, keywords": (
        """
        import tensorflow as tf

        CONTEXT = {"length": tf.io.FixedLenFeature([], tf.int64)}
        SEQUENCE = {
            "tokens": tf.io.FixedLenSequenceFeature([], tf.int64),
            "frames": tf.io.VarLenFeature(tf.float32),
        }

        def parse(record):
            return tf.io.parse_single_sequence_example(
                record, context_features=CONTEXT, sequence_features=SEQUENCE
            )
        """,
        lambda tf: [(
            {"length": tf.io.FixedLenFeature([], tf.int64)},
            {"tokens": tf.io.FixedLenSequenceFeature([], tf.int64), "frames": tf.io.VarLenFeature(tf.float32)},
        )],
    ),
    "batched sequence example, positional": (
        """
        import tensorflow as tf

        def parse(batch):
            ctx = {"id": tf.io.FixedLenFeature([], tf.string)}
            seq = {"x": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)}
            context, sequence, lengths = tf.io.parse_sequence_example(batch, ctx, seq)
            return context, sequence
        """,
        lambda tf: [(
            {"id": tf.io.FixedLenFeature([], tf.string)},
            {"x": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)},
        )],
    ),
    "spec from a function, ragged and sparse, parse_example_dataset": (
        """
        import tensorflow as tf

        def feature_spec():
            return {
                "words": tf.io.RaggedFeature(tf.string, partitions=[tf.io.RaggedFeature.RowLengths("lens")]),
                "sp": tf.io.SparseFeature(index_key="idx", value_key="val", dtype=tf.float32, size=100),
            }

        def make(files):
            ds = tf.data.TFRecordDataset(files).batch(8)
            return ds.apply(tf.data.experimental.parse_example_dataset(feature_spec()))
        """,
        lambda tf: [{
            "words": tf.io.RaggedFeature(tf.string, partitions=[tf.io.RaggedFeature.RowLengths("lens")]),
            "sp": tf.io.SparseFeature(index_key="idx", value_key="val", dtype=tf.float32, size=100),
        }],
    ),
    "functools.partial in map": (
        """
        import functools
        import tensorflow as tf

        SPEC = {"label": tf.io.FixedLenFeature([], tf.int64)}

        def make(files):
            return tf.data.TFRecordDataset(files).map(functools.partial(tf.io.parse_single_example, features=SPEC))
        """,
        lambda tf: [{"label": tf.io.FixedLenFeature([], tf.int64)}],
    ),
    "lambda in map, method, two specs in one file": (
        """
        import tensorflow as tf

        TRAIN = {"label": tf.io.FixedLenFeature([], tf.int64)}

        class Loader:
            def eval_parse(self, record):
                spec = {"label": tf.io.FixedLenFeature([], tf.int64), "weight": tf.io.FixedLenFeature([], tf.float32)}
                return tf.io.parse_single_example(record, spec)

        def train(ds):
            return ds.map(lambda r: tf.io.parse_single_example(r, TRAIN))
        """,
        lambda tf: [
            {"label": tf.io.FixedLenFeature([], tf.int64), "weight": tf.io.FixedLenFeature([], tf.float32)},
            {"label": tf.io.FixedLenFeature([], tf.int64)},
        ],
    ),
}  # fmt: skip


def _normal(features: tuple[FeatureSpec, ...]) -> list[FeatureSpec]:
    return sorted((replace(f, line=None) for f in features), key=lambda f: (f.section, f.name))


@pytest.mark.parametrize("case", list(CASES))
def test_spec_read_from_source_matches_tensorflow(tf: Any, tmp_path: Path, case: str) -> None:
    source, expected = CASES[case]
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(source))
    found = read_source(path)
    assert found.skipped == []
    wanted = []
    for item in expected(tf):
        if isinstance(item, tuple):
            wanted.append(from_objects(context_features=item[0], sequence_features=item[1]))
        else:
            wanted.append(from_objects(item))
    assert [_normal(s.features) for s in found.specs] == [_normal(w.features) for w in wanted]
    for spec in found.specs:  # named by file, line and function, entries by line
        assert spec.name.startswith("train.py:") and all(f.line for f in spec.features)


def test_specs_named_by_function_and_line(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(CASES["lambda in map, method, two specs in one file"][0]))
    names = [s.name for s in read_source(path).specs]
    assert names == ["train.py:9 eval_parse", "train.py:12 train"]


def test_a_harmful_file_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "train.py"
    path.write_text(
        textwrap.dedent(
            f"""
            import shutil, tensorflow as tf
            open({str(marker)!r}, "w").write("ran")
            shutil.rmtree({str(tmp_path)!r})
            raise SystemExit("never run me")

            def parse(r):
                return tf.io.parse_single_example(r, {{"x": tf.io.FixedLenFeature([], tf.int64)}})
            """
        )
    )
    specs = load_specs(str(path)).specs
    assert [f.name for f in specs[0].features] == ["x"]
    assert not marker.exists() and path.exists()


def test_unreadable_calls_are_named_and_others_still_read(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(
        textwrap.dedent(
            """
            import tensorflow as tf

            def from_flags(flags):
                return tf.io.parse_example(flags.data, make_spec(flags))

            def parse(r):
                return tf.io.parse_single_example(r, {"x": tf.io.FixedLenFeature([], tf.int64)})
            """
        )
    )
    found = read_source(path)
    assert len(found.specs) == 1
    assert found.skipped == [
        "train.py:5: parse_example in from_flags is not checked: `make_spec(flags)` is a call tfdoctor does not run"
    ]


@pytest.mark.parametrize(
    ("source", "line", "why"),
    [
        ("def f(:\n    pass\n", 1, "not valid Python"),
        ("import tensorflow as tf\nx = 1\ndef p(r):\n    return tf.io.parse_example(r, spec_from(r))\n", 4, "does not run"),
        ("import tensorflow as tf\nS = {'a': tf.io.FixedLenFeature([], tf.int64), 'b': 3}\n"
         "def p(r):\n    return tf.io.parse_example(r, S)\n", 4, "not a tf.io feature config"),
    ],
)  # fmt: skip
def test_unreadable_spec_is_an_error_with_file_and_line(
    tmp_path: Path, source: str, line: int, why: str
) -> None:
    path = tmp_path / "bad.py"
    path.write_text(source)
    with pytest.raises(SpecError) as info:
        load_specs(str(path))
    assert str(path) in str(info.value) and why in str(info.value)
    assert f":{line}" in str(info.value)
    data = tmp_path / "d.tfrecord"
    data.write_bytes(b"")
    res = CliRunner().invoke(app, ["check", str(data), "--spec", str(path)])
    assert res.exit_code == 2 and "cannot read the spec" in res.output


def test_module_attribute_is_imported_when_asked(tmp_path: Path, tf: Any, monkeypatch: Any) -> None:
    (tmp_path / "myspec.py").write_text(
        "import tensorflow as tf\nFEATURES = {'label': tf.io.FixedLenFeature([], tf.int64)}\n"
        "SEQ = ({'id': tf.io.FixedLenFeature([], tf.string)}, {'t': tf.io.VarLenFeature(tf.int64)})\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = load_specs("myspec:FEATURES").specs[0]
    assert [(f.name, f.dtype, f.shape) for f in spec.features] == [("label", "int64", ())]
    seq = load_specs(f"{tmp_path / 'myspec.py'}:SEQ").specs[0]
    assert [(f.name, f.section) for f in seq.features] == [("id", "context"), ("t", "sequence")]
    with pytest.raises(SpecError, match="has no attribute"):
        load_specs("myspec:NOPE")
