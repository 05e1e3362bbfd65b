"""The forms real training scripts write their parse specs in, read from source with `ast`
(never run) and compared with the dicts TensorFlow builds for the same code: conditional
dicts, function parameters (defaults, the file's own calls, --spec-arg), module and class
constants, flags, `self.x` set in `__init__`, comprehensions and loops over literal lists,
`tf.zeros` / `tf.constant` / `np.int64` defaults. A call that cannot be read is listed and
the others are checked; an entry whose shape needs running code keeps its other checks."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.facts.spec import FeatureSpec, ParseSpec, UnreadDefault
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example, sequence_example
from tfdoctor.spec.from_python import from_objects
from tfdoctor.spec.from_source import SourceSpecs, read_source
from tfdoctor.spec.load import load_specs, parse_bindings
from tfdoctor.spec.model import SpecError

runner = CliRunner()

# name -> (source, --spec-arg values, the dicts each spec is, as TensorFlow builds them, and
# the specs' names after "train.py:")
CASES: dict[str, tuple[str, dict[str, Any], Any, list[str]]] = {
    "conditional expression: both branches": (
        """
        import tensorflow as tf

        def parse(record, labeled):
            spec = {"x": tf.io.FixedLenFeature([2], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)} \\
                if labeled else {"x": tf.io.FixedLenFeature([2], tf.float32)}
            return tf.io.parse_single_example(record, spec)
        """,
        {},
        lambda tf: [
            {"x": tf.io.FixedLenFeature([2], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)},
            {"x": tf.io.FixedLenFeature([2], tf.float32)},
        ],
        ["7 parse (if labeled)", "7 parse (else)"],
    ),
    "conditional expression fixed by --spec-arg": (
        """
        import tensorflow as tf

        def parse(record, labeled):
            spec = {"x": tf.io.FixedLenFeature([2], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)} \\
                if labeled else {"x": tf.io.FixedLenFeature([2], tf.float32)}
            return tf.io.parse_single_example(record, spec)
        """,
        {"labeled": False},
        lambda tf: [{"x": tf.io.FixedLenFeature([2], tf.float32)}],
        ["7 parse"],
    ),
    "parameter default, module and class constants, arithmetic": (
        """
        import tensorflow as tf
        MAX_LEN = 16

        class Reader:
            DIM = 8

            def parse(self, record, seq_length=MAX_LEN * 2):
                return tf.io.parse_single_example(record, {
                    "ids": tf.io.FixedLenFeature([seq_length], tf.int64),
                    "emb": tf.io.FixedLenFeature([self.DIM + 1, Reader.DIM // 4], tf.float32),
                    "mask": tf.io.FixedLenFeature((MAX_LEN - 1,), tf.int64),
                })
        """,
        {},
        lambda tf: [{
            "ids": tf.io.FixedLenFeature([32], tf.int64),
            "emb": tf.io.FixedLenFeature([9, 2], tf.float32),
            "mask": tf.io.FixedLenFeature([15], tf.int64),
        }],
        ["9 parse"],
    ),
    "parameters bound by the file's own calls (one spec per distinct call)": (
        """
        import tensorflow as tf

        def make_parser(seq_length, with_label):
            def parse(record):
                spec = {"ids": tf.io.FixedLenFeature([seq_length], tf.int64)}
                if with_label:
                    spec["label"] = tf.io.FixedLenFeature([], tf.int64)
                return tf.io.parse_single_example(record, spec)
            return parse

        train = make_parser(seq_length=64, with_label=True)
        serve = make_parser(64, False)
        again = make_parser(64, with_label=True)
        """,
        {},
        lambda tf: [
            {"ids": tf.io.FixedLenFeature([64], tf.int64), "label": tf.io.FixedLenFeature([], tf.int64)},
            {"ids": tf.io.FixedLenFeature([64], tf.int64)},
        ],
        ["9 parse (called at line 12)", "9 parse (called at line 13)"],
    ),
    "parameter without a default, given by --spec-arg": (
        """
        import tensorflow as tf

        def input_fn_builder(input_files, max_seq_length, max_predictions_per_seq):
            def input_fn(params):
                name_to_features = {
                    "input_ids": tf.io.FixedLenFeature([max_seq_length], tf.int64),
                    "masked_lm_ids": tf.io.FixedLenFeature([max_predictions_per_seq], tf.int64),
                    "batch": tf.io.FixedLenFeature([params["batch_size"]], tf.int64),
                }
                return tf.data.TFRecordDataset(input_files).map(
                    lambda r: tf.io.parse_single_example(r, name_to_features))
            return input_fn
        """,
        {"max_seq_length": 128, "max_predictions_per_seq": 20, "batch_size": 4},
        lambda tf: [{
            "input_ids": tf.io.FixedLenFeature([128], tf.int64),
            "masked_lm_ids": tf.io.FixedLenFeature([20], tf.int64),
            "batch": tf.io.FixedLenFeature([4], tf.int64),
        }],
        ["12 input_fn"],
    ),
    "absl flags: their defaults": (
        """
        from absl import flags
        import tensorflow as tf

        FLAGS = flags.FLAGS
        flags.DEFINE_integer("max_seq_length", 128, "Sequence length.")
        flags.DEFINE_string("label_key", "label", "The label.")

        def parse(record):
            return tf.io.parse_single_example(record, {
                "ids": tf.io.FixedLenFeature([FLAGS.max_seq_length], tf.int64),
                FLAGS.label_key: tf.io.FixedLenFeature([], tf.int64),
            })
        """,
        {},
        lambda tf: [{"ids": tf.io.FixedLenFeature([128], tf.int64),
                     "label": tf.io.FixedLenFeature([], tf.int64)}],
        ["10 parse"],
    ),
    "tensor and numpy defaults": (
        """
        import numpy as np
        import tensorflow as tf
        SHAPE = [3]

        def parse(record):
            return tf.io.parse_single_example(record, {
                "a": tf.io.FixedLenFeature([], tf.int64, default_value=tf.zeros([], dtype=tf.int64)),
                "b": tf.io.FixedLenFeature([], tf.int64, default_value=tf.constant(0, tf.int64)),
                "c": tf.io.FixedLenFeature([], tf.int64, default_value=np.int64(-1)),
                "d": tf.io.FixedLenFeature(SHAPE, tf.float32, default_value=tf.zeros(SHAPE)),
                "e": tf.io.FixedLenFeature([], tf.string, default_value=tf.constant("")),
                "f": tf.io.FixedLenFeature([], tf.float32, default_value=tf.constant(0.1)),
                "g": tf.io.FixedLenFeature([2], tf.int64, default_value=[0] * 2),
                "h": tf.io.FixedLenFeature([2, 2], tf.float32, default_value=np.ones([2, 2], np.float32)),
            })
        """,
        {},
        lambda tf: [{
            "a": tf.io.FixedLenFeature([], tf.int64, default_value=tf.zeros([], dtype=tf.int64)),
            "b": tf.io.FixedLenFeature([], tf.int64, default_value=tf.constant(0, tf.int64)),
            "c": tf.io.FixedLenFeature([], tf.int64, default_value=__import__("numpy").int64(-1)),
            "d": tf.io.FixedLenFeature([3], tf.float32, default_value=tf.zeros([3])),
            "e": tf.io.FixedLenFeature([], tf.string, default_value=tf.constant("")),
            "f": tf.io.FixedLenFeature([], tf.float32, default_value=tf.constant(0.1)),
            "g": tf.io.FixedLenFeature([2], tf.int64, default_value=[0, 0]),
            "h": tf.io.FixedLenFeature([2, 2], tf.float32,
                                       default_value=__import__("numpy").ones([2, 2], "float32")),
        }],
        ["7 parse"],
    ),
    "TPU ResNet style: positional defaults, tuple shapes": (
        """
        import tensorflow as tf

        class ImageNetInput:
            def dataset_parser(self, value):
                keys_to_features = {
                    "image/encoded": tf.FixedLenFeature((), tf.string, ""),
                    "image/format": tf.FixedLenFeature((), tf.string, "jpeg"),
                    "image/class/label": tf.FixedLenFeature([], tf.int64, -1),
                    "image/object/bbox/xmin": tf.VarLenFeature(dtype=tf.float32),
                }
                parsed = tf.parse_single_example(value, keys_to_features)
                return parsed
        """,
        {},
        lambda tf: [{
            "image/encoded": tf.io.FixedLenFeature((), tf.string, ""),
            "image/format": tf.io.FixedLenFeature((), tf.string, "jpeg"),
            "image/class/label": tf.io.FixedLenFeature([], tf.int64, -1),
            "image/object/bbox/xmin": tf.io.VarLenFeature(dtype=tf.float32),
        }],
        ["12 dataset_parser"],
    ),
    "zip over two literal lists, f-string and format keys": (
        """
        import tensorflow as tf
        NAMES = ["rgb", "audio"]
        SIZES = [1024, 128]

        def parse(batch):
            spec = {name: tf.io.FixedLenFeature([size], tf.float32) for name, size in zip(NAMES, SIZES)}
            spec.update({f"distractor_{i}_len": tf.io.FixedLenFeature([], tf.int64) for i in range(2)})
            spec.update({"x_{}".format(k): tf.io.VarLenFeature(tf.int64) for k in ("a", "b") if k != "b"})
            return tf.io.parse_example(batch, spec)
        """,
        {},
        lambda tf: [{
            "rgb": tf.io.FixedLenFeature([1024], tf.float32), "audio": tf.io.FixedLenFeature([128], tf.float32),
            "distractor_0_len": tf.io.FixedLenFeature([], tf.int64),
            "distractor_1_len": tf.io.FixedLenFeature([], tf.int64),
            "x_a": tf.io.VarLenFeature(tf.int64),
        }],
        ["10 parse"],
    ),
    "self.x set in __init__: a loop and a comprehension over it": (
        """
        import tensorflow as tf

        class Reader:
            def __init__(self, feature_sizes=[1024, 128], feature_names=["mean_rgb", "mean_audio"]):
                self.feature_sizes = feature_sizes
                self.feature_names = feature_names

            def prepare(self, serialized):
                num_features = len(self.feature_names)
                feature_map = {"id": tf.io.FixedLenFeature([], tf.string)}
                for index in range(num_features):
                    feature_map[self.feature_names[index]] = tf.io.FixedLenFeature(
                        [self.feature_sizes[index]], tf.float32)
                return tf.io.parse_example(serialized, features=feature_map)

            def prepare_frames(self, serialized):
                return tf.io.parse_single_sequence_example(
                    serialized,
                    context_features={"id": tf.io.FixedLenFeature([], tf.string)},
                    sequence_features={name: tf.io.FixedLenSequenceFeature([], dtype=tf.string)
                                       for name in self.feature_names},
                )
        """,
        {},
        lambda tf: [
            {"id": tf.io.FixedLenFeature([], tf.string), "mean_rgb": tf.io.FixedLenFeature([1024], tf.float32),
             "mean_audio": tf.io.FixedLenFeature([128], tf.float32)},
            ({"id": tf.io.FixedLenFeature([], tf.string)},
             {"mean_rgb": tf.io.FixedLenSequenceFeature([], tf.string),
              "mean_audio": tf.io.FixedLenSequenceFeature([], tf.string)}),
        ],
        ["15 prepare", "18 prepare_frames"],
    ),
    "self.x = [...] literal, if statements on defaults, TFExampleDecoder": (
        """
        import tensorflow as tf
        from tf_slim import tfexample_decoder as slim_example_decoder

        class TfExampleDecoder:
            def __init__(self, load_masks=False, num_additional_channels=0):
                self.keys_to_features = {
                    "image/encoded": tf.io.FixedLenFeature((), tf.string, default_value=""),
                    "image/height": tf.io.FixedLenFeature((), tf.int64, default_value=1),
                    "image/object/class/label": tf.io.VarLenFeature(tf.int64),
                }
                if num_additional_channels > 0:
                    self.keys_to_features["image/additional_channels/encoded"] = tf.io.FixedLenFeature(
                        (num_additional_channels,), tf.string)
                if load_masks:
                    self.keys_to_features["image/object/mask"] = tf.io.VarLenFeature(tf.float32)
                else:
                    del self.keys_to_features["image/height"]

            def decode(self, serialized):
                decoder = slim_example_decoder.TFExampleDecoder(self.keys_to_features, {})
                return decoder.decode(serialized)
        """,
        {"num_additional_channels": 2},
        lambda tf: [{
            "image/encoded": tf.io.FixedLenFeature((), tf.string, default_value=""),
            "image/object/class/label": tf.io.VarLenFeature(tf.int64),
            "image/additional_channels/encoded": tf.io.FixedLenFeature((2,), tf.string),
        }],
        ["21 decode"],
    ),
    "function with arguments returning the spec, if statement on an argument": (
        """
        import tensorflow as tf

        def feature_spec(seq_length, training):
            spec = {"ids": tf.io.FixedLenFeature([seq_length], tf.int64)}
            if training:
                spec["label"] = tf.io.FixedLenFeature([], tf.int64)
            return spec

        def parse(record):
            return tf.io.parse_single_example(record, feature_spec(16, training=True))
        """,
        {},
        lambda tf: [{"ids": tf.io.FixedLenFeature([16], tf.int64), "label": tf.io.FixedLenFeature([], tf.int64)}],
        ["11 parse"],
    ),
    "if statement on an unknown value: both branches": (
        """
        import tensorflow as tf

        def parse(record, mode):
            if mode == tf.estimator.ModeKeys.TRAIN:
                spec = {"x": tf.io.FixedLenFeature([], tf.float32), "y": tf.io.FixedLenFeature([], tf.int64)}
            else:
                spec = {"x": tf.io.FixedLenFeature([], tf.float32)}
            return tf.io.parse_single_example(record, spec)
        """,
        {},
        lambda tf: [
            {"x": tf.io.FixedLenFeature([], tf.float32), "y": tf.io.FixedLenFeature([], tf.int64)},
            {"x": tf.io.FixedLenFeature([], tf.float32)},
        ],
        ["9 parse (if mode == tf.estimator.ModeKeys.TRAIN)", "9 parse (else)"],
    ),
}  # fmt: skip


def _normal(features: tuple[FeatureSpec, ...]) -> list[FeatureSpec]:
    return sorted((replace(f, line=None) for f in features), key=lambda f: (f.section, f.name))


def _wanted(tf: Any, expected: Any) -> list[list[FeatureSpec]]:
    out = []
    for item in expected(tf):
        if isinstance(item, tuple):
            out.append(_normal(from_objects(context_features=item[0], sequence_features=item[1]).features))
        else:
            out.append(_normal(from_objects(item).features))
    return out


def _write(tmp_path: Path, source: str, name: str = "train.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_form_read_from_source_matches_tensorflow(tf: Any, tmp_path: Path, case: str) -> None:
    source, spec_args, expected, names = CASES[case]
    found = read_source(_write(tmp_path, source), spec_args=spec_args)
    assert found.skipped == []
    assert [_normal(s.features) for s in found.specs] == _wanted(tf, expected)
    assert [s.name for s in found.specs] == [f"train.py:{n}" for n in names]
    assert not any(n.startswith("--spec-arg") for n in found.notes)  # every --spec-arg was read


def test_an_unknown_shape_keeps_presence_and_dtype_checks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        import tensorflow as tf

        def file_based_input_fn_builder(input_file, seq_length):
            name_to_features = {
                "input_ids": tf.io.FixedLenFeature([seq_length], tf.int64),
                "input_mask": tf.io.FixedLenFeature([seq_length], tf.int64,
                                                    default_value=tf.zeros([seq_length], tf.int64)),
                "label_ids": tf.io.FixedLenFeature([], tf.int64),
            }
            return tf.data.TFRecordDataset(input_file).map(
                lambda r: tf.io.parse_single_example(r, name_to_features))
        """,
    )
    found = read_source(path)
    assert found.skipped == []
    [spec] = found.specs
    assert [(f.name, f.shape, f.default) for f in spec.features] == [
        ("input_ids", (None,), None),
        ("input_mask", (None,), UnreadDefault("tf.zeros([seq_length], tf.int64)")),
        ("label_ids", (), None),
    ]
    assert found.notes == [
        "train.py:6: the shape of 'input_ids', 'input_mask' is not checked (their presence and dtype are): "
        "parameter 'seq_length' of file_based_input_fn_builder() is given no value in this file; "
        "--spec-arg seq_length=... gives it",
        "train.py:7: the default_value of 'input_mask' is not checked (its presence and dtype are): "
        "`tf.zeros([seq_length], tf.int64)`: parameter 'seq_length' of file_based_input_fn_builder() is given no value in this file; "
        "--spec-arg seq_length=... gives it",
    ]
    # checked against data: 'input_ids' is read as floats and 'label_ids' never written; the
    # unknown shape of 3 stored values is not called a mismatch
    data = tmp_path / "d.tfrecord"
    write_tfrecord(data, [example({"input_ids": [0.5, 1.5, 2.5], "input_mask": [1, 1, 0]}) for _ in range(4)])
    result = tfdoctor.check_spec(str(data), spec=str(path), config=tfdoctor.Config())
    codes = sorted((f.code, f.where.feature) for f in result.findings if f.where.spec)
    assert codes == [("TFD201", "label_ids"), ("TFD202", "input_ids")]
    assert result.spec_notes == found.notes
    bound = tfdoctor.check_spec(
        str(data), spec=str(path), spec_args={"seq_length": 2}, config=tfdoctor.Config()
    )
    assert ("TFD203", "input_mask") in {(f.code, f.where.feature) for f in bound.findings}
    assert bound.spec_notes == []


def test_unreadable_calls_are_listed_and_the_others_checked(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        import tensorflow as tf

        def from_config(config, record):
            return tf.io.parse_single_example(record, config.make_features())

        def odd(record):
            return tf.io.parse_single_example(record, {"a": tf.io.FixedLenFeature([], tf.int64), "b": 3})

        def parse(record):
            return tf.io.parse_single_example(record, {"x": tf.io.FixedLenFeature([], tf.int64)})
        """,
    )
    found = read_source(path)
    assert [s.name for s in found.specs] == ["train.py:11 parse"]
    assert found.skipped == [
        "train.py:5: parse_single_example in from_config is not checked: "
        "`config.make_features()` is a call tfdoctor does not run",
        "train.py:8: parse_single_example in odd is not checked: feature 'b' is 3, not a tf.io feature config",
    ]
    data = tmp_path / "d.tfrecord"
    write_tfrecord(data, [example({"x": 1}) for _ in range(3)])
    res = runner.invoke(app, ["check", str(data), "--spec", str(path)])
    assert res.exit_code == 0, res.output
    assert "info train.py:5: parse_single_example in from_config is not checked" in " ".join(
        res.output.split()
    )
    res = runner.invoke(app, ["check", str(data), "--spec", str(path), "--json"])
    assert json.loads(res.stdout)["spec_notes"] == found.skipped


def test_nothing_readable_is_exit_2_with_every_reason(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        import tensorflow as tf

        def parse(record, features):
            return tf.io.parse_single_example(record, features)
        """,
    )
    with pytest.raises(SpecError, match="parameter 'features' of parse\\(\\) is given no value in this file"):
        load_specs(str(path))
    data = tmp_path / "d.tfrecord"
    write_tfrecord(data, [example({"x": 1})])
    res = runner.invoke(app, ["check", str(data), "--spec", str(path)])
    assert res.exit_code == 2 and "train.py:5" in res.output


def test_spec_arg_on_the_command_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        import tensorflow as tf

        def builder(files, seq_length, use_label):
            spec = {"ids": tf.io.FixedLenFeature([seq_length], tf.int64)}
            if use_label:
                spec["label"] = tf.io.FixedLenFeature([], tf.int64)
            return tf.data.TFRecordDataset(files).map(lambda r: tf.io.parse_single_example(r, spec))
        """,
    )
    data = tmp_path / "d.tfrecord"
    write_tfrecord(data, [example({"ids": [1, 2, 3, 4], "label": 1}) for _ in range(5)])
    res = runner.invoke(
        app, ["check", str(data), "--spec", str(path), "--spec-arg", "seq_length=3", "--json"]
    )
    report = json.loads(res.stdout)
    assert res.exit_code == 1
    assert [s["name"] for s in report["specs"]] == [
        "train.py:8 builder (if use_label)",
        "train.py:8 builder (else)",
    ]
    assert {(f["code"], f["where"]["feature"]) for f in report["findings"]} >= {("TFD203", "ids")}
    res = runner.invoke(
        app,
        ["check", str(data), "--spec", str(path), "--spec-arg", "seq_length=4", "--spec-arg", "use_label=True",
         "--json"],
    )  # fmt: skip
    report = json.loads(res.stdout)
    assert res.exit_code == 0, res.output
    assert [s["name"] for s in report["specs"]] == ["train.py:8 builder"]
    assert [s["shape"] for s in report["specs"][0]["features"]] == [[4], []]
    assert report["spec_notes"] == []
    res = runner.invoke(app, ["check", str(data), "--spec", str(path), "--spec-arg", "seq_length"])
    assert res.exit_code == 2 and "NAME=VALUE" in res.output


def test_parse_bindings() -> None:
    assert parse_bindings(["n=128", "f=0.5", "b=True", "names=['a', 'b']", "s=text"]) == {
        "n": 128, "f": 0.5, "b": True, "names": ["a", "b"], "s": "text",
    }  # fmt: skip
    with pytest.raises(SpecError, match="--arg '1x=2': use NAME=VALUE"):
        parse_bindings(["1x=2"], "--arg")


def test_an_unused_spec_arg_is_noted(tmp_path: Path) -> None:
    path = _write(tmp_path, "import tensorflow as tf\nS = {'x': tf.io.FixedLenFeature([], tf.int64)}\n")
    found = read_source(path, spec_args={"seq_lenght": 3})
    assert found.notes == ["--spec-arg seq_lenght: no spec in train.py reads a value of that name"]


def test_branches_are_capped(tmp_path: Path) -> None:
    conditions = "\n".join(
        f"    if flag{i}:\n        spec['f{i}'] = tf.io.FixedLenFeature([], tf.int64)" for i in range(6)
    )
    params = ", ".join(f"flag{i}" for i in range(6))
    path = tmp_path / "train.py"
    path.write_text(
        f"import tensorflow as tf\ndef parse(r, {params}):\n    spec = {{}}\n{conditions}\n"
        "    return tf.io.parse_single_example(r, spec)\n"
    )
    found = read_source(path)
    assert len(found.specs) == 16
    assert found.notes == [
        "train.py:16: parse_single_example in parse passes through more than 16 combinations of branches "
        "(conditions, call sites): the first ones are read"
    ]


# A BERT-like and a YouTube-8M-like file, written here after the idioms of Google's BERT
# (run_classifier.py, run_pretraining.py) and YouTube-8M (readers.py): closures over builder
# parameters, flags, a parse helper called from a lambda, readers configured in __init__.
BERT_LIKE = """
import tensorflow as tf

flags = tf.flags
FLAGS = flags.FLAGS
flags.DEFINE_integer("max_seq_length", 8, "The maximum total input sequence length.")
flags.DEFINE_integer("max_predictions_per_seq", 3, "Maximum number of masked LM predictions.")


def file_based_input_fn_builder(input_file, seq_length, is_training, drop_remainder):
    name_to_features = {
        "input_ids": tf.FixedLenFeature([seq_length], tf.int64),
        "input_mask": tf.FixedLenFeature([seq_length], tf.int64),
        "segment_ids": tf.FixedLenFeature([seq_length], tf.int64),
        "label_ids": tf.FixedLenFeature([], tf.int64),
        "is_real_example": tf.FixedLenFeature([], tf.int64),
    }

    def _decode_record(record, name_to_features):
        example = tf.parse_single_example(record, name_to_features)
        for name in list(example.keys()):
            t = example[name]
            if t.dtype == tf.int64:
                t = tf.to_int32(t)
            example[name] = t
        return example

    def input_fn(params):
        d = tf.data.TFRecordDataset(input_file)
        if is_training:
            d = d.repeat().shuffle(buffer_size=100)
        return d.apply(tf.contrib.data.map_and_batch(
            lambda record: _decode_record(record, name_to_features),
            batch_size=params["batch_size"], drop_remainder=drop_remainder))

    return input_fn


def input_fn_builder(input_files, max_seq_length, max_predictions_per_seq, is_training, num_cpu_threads=4):
    def input_fn(params):
        name_to_features = {
            "input_ids": tf.FixedLenFeature([max_seq_length], tf.int64),
            "masked_lm_positions": tf.FixedLenFeature([max_predictions_per_seq], tf.int64),
            "masked_lm_weights": tf.FixedLenFeature([max_predictions_per_seq], tf.float32),
            "next_sentence_labels": tf.FixedLenFeature([1], tf.int64),
        }
        d = tf.data.TFRecordDataset(input_files)
        return d.map(lambda record: _decode_pretraining(record, name_to_features))

    return input_fn


def _decode_pretraining(record, name_to_features):
    return tf.parse_single_example(record, name_to_features)


def main(_):
    train_input_fn = file_based_input_fn_builder(
        input_file="train.tf_record", seq_length=FLAGS.max_seq_length, is_training=True, drop_remainder=True)
    eval_input_fn = file_based_input_fn_builder(
        input_file="eval.tf_record", seq_length=FLAGS.max_seq_length, is_training=False, drop_remainder=False)
    pretraining_fn = input_fn_builder(
        ["pretrain.tf_record"], FLAGS.max_seq_length, FLAGS.max_predictions_per_seq, is_training=True)
"""

YT8M_LIKE = """
import tensorflow as tf


class BaseReader(object):
    def prepare_reader(self, unused_filename_queue):
        raise NotImplementedError()


class AggregatedReader(BaseReader):
    def __init__(self, num_classes=10, feature_sizes=[4, 2], feature_names=["mean_rgb", "mean_audio"]):
        assert len(feature_names) == len(feature_sizes)
        self.num_classes = num_classes
        self.feature_sizes = feature_sizes
        self.feature_names = feature_names

    def prepare_serialized_examples(self, serialized_examples):
        num_features = len(self.feature_names)
        feature_map = {"id": tf.io.FixedLenFeature([], tf.string), "labels": tf.io.VarLenFeature(tf.int64)}
        for feature_index in range(num_features):
            feature_map[self.feature_names[feature_index]] = tf.io.FixedLenFeature(
                [self.feature_sizes[feature_index]], tf.float32)
        return tf.io.parse_example(serialized_examples, features=feature_map)


class FrameReader(BaseReader):
    def __init__(self, num_classes=10, feature_sizes=[4, 2], feature_names=["rgb", "audio"], max_frames=300,
                 segment_labels=False):
        self.num_classes = num_classes
        self.feature_sizes = feature_sizes
        self.feature_names = feature_names
        self.max_frames = max_frames
        self.segment_labels = segment_labels

    def prepare_serialized_examples(self, serialized_example):
        context_features = {"id": tf.io.FixedLenFeature([], tf.string)}
        if self.segment_labels:
            context_features.update({
                "segment_labels": tf.io.VarLenFeature(tf.float32),
                "segment_start_times": tf.io.VarLenFeature(tf.int64),
            })
        else:
            context_features.update({"labels": tf.io.VarLenFeature(tf.int64)})
        sequence_features = {
            feature_name: tf.io.FixedLenSequenceFeature([], dtype=tf.string)
            for feature_name in self.feature_names
        }
        contexts, features = tf.io.parse_single_sequence_example(
            serialized_example, context_features=context_features, sequence_features=sequence_features)
        return contexts, features
"""


def test_bert_like_file_is_read_fully(tf: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, BERT_LIKE, "run_classifier.py")
    found = read_source(path)
    assert found.skipped == []
    assert [s.name for s in found.specs] == [
        "run_classifier.py:20 _decode_record", "run_classifier.py:54 _decode_pretraining",
    ]  # fmt: skip
    assert [_normal(s.features) for s in found.specs] == _wanted(tf, lambda tf: [
        {"input_ids": tf.io.FixedLenFeature([8], tf.int64), "input_mask": tf.io.FixedLenFeature([8], tf.int64),
         "segment_ids": tf.io.FixedLenFeature([8], tf.int64), "label_ids": tf.io.FixedLenFeature([], tf.int64),
         "is_real_example": tf.io.FixedLenFeature([], tf.int64)},
        {"input_ids": tf.io.FixedLenFeature([8], tf.int64),
         "masked_lm_positions": tf.io.FixedLenFeature([3], tf.int64),
         "masked_lm_weights": tf.io.FixedLenFeature([3], tf.float32),
         "next_sentence_labels": tf.io.FixedLenFeature([1], tf.int64)},
    ])  # fmt: skip
    assert found.notes == [
        "run_classifier.py:20: read with max_seq_length=8 (the flag's default); "
        "--spec-arg NAME=VALUE reads the value you run with",
        "run_classifier.py:54: read with max_seq_length=8 (the flag's default), max_predictions_per_seq=3 "
        "(the flag's default); --spec-arg NAME=VALUE reads the value you run with",
    ]
    data = tmp_path / "train.tf_record"
    write_tfrecord(data, [
        example({"input_ids": list(range(8)), "input_mask": [1] * 8, "segment_ids": [0] * 8, "label_ids": i % 2,
                 "is_real_example": 1})
        for i in range(6)
    ])  # fmt: skip
    res = runner.invoke(
        app, ["check", str(data), "--spec", str(path), "--json", "--select", "TFD201,TFD202,TFD203,TFD209"]
    )
    report = json.loads(res.stdout)
    # the classifier spec fits; the pretraining spec reads keys this classifier data lacks
    assert {(f["code"], f["where"]["spec"]) for f in report["findings"]} == {
        ("TFD201", "run_classifier.py:54 _decode_pretraining (entry at line 43)"),
        ("TFD201", "run_classifier.py:54 _decode_pretraining (entry at line 44)"),
        ("TFD201", "run_classifier.py:54 _decode_pretraining (entry at line 45)"),
    }
    res = runner.invoke(
        app, ["check", str(data), "--spec", str(path), "--spec-arg", "max_seq_length=4", "--json", "--select",
              "TFD203"],
    )  # fmt: skip
    assert {f["where"]["feature"] for f in json.loads(res.stdout)["findings"]} == {
        "input_ids", "input_mask", "segment_ids",
    }  # fmt: skip


def test_yt8m_like_file_is_read_fully(tf: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, YT8M_LIKE, "readers.py")
    found = read_source(path)
    assert found.skipped == []
    assert [s.name for s in found.specs] == [
        "readers.py:23 prepare_serialized_examples", "readers.py:48 prepare_serialized_examples",
    ]  # fmt: skip
    assert [_normal(s.features) for s in found.specs] == _wanted(tf, lambda tf: [
        {"id": tf.io.FixedLenFeature([], tf.string), "labels": tf.io.VarLenFeature(tf.int64),
         "mean_rgb": tf.io.FixedLenFeature([4], tf.float32), "mean_audio": tf.io.FixedLenFeature([2], tf.float32)},
        ({"id": tf.io.FixedLenFeature([], tf.string), "labels": tf.io.VarLenFeature(tf.int64)},
         {"rgb": tf.io.FixedLenSequenceFeature([], tf.string),
          "audio": tf.io.FixedLenSequenceFeature([], tf.string)}),
    ])  # fmt: skip
    assert (
        "readers.py:37: `if self.segment_labels:` is read as False, from the default of segment_labels; "
        "--spec-arg segment_labels=... reads the other branch"
    ) in found.notes
    segments = read_source(path, spec_args={"segment_labels": True}).specs[1]
    assert [f.name for f in segments.features if f.section == "context"] == [
        "id", "segment_labels", "segment_start_times",
    ]  # fmt: skip
    frames = tmp_path / "frames.tfrecord"
    write_tfrecord(frames, [
        sequence_example({"id": b"v%d" % i, "labels": [1, 2]}, {"rgb": [b"\x01" * 4] * 3, "audio": [b"\x02" * 2] * 3})
        for i in range(4)
    ])  # fmt: skip
    result = tfdoctor.check_spec(str(frames), spec=str(path), config=tfdoctor.Config())
    by_spec = {(f.code, f.where.spec.split(" (")[0]) for f in result.findings if f.where.spec}
    # the frame reader's spec fits the SequenceExamples; the aggregated one finds no mean_* features
    assert not {s for s in by_spec if s[1].startswith("readers.py:48")}
    assert ("TFD201", "readers.py:23 prepare_serialized_examples") in by_spec


MAKE_DATASET = """
import tensorflow as tf

FEATURES = {"x": tf.io.FixedLenFeature([2], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64)}


def make_dataset(data, batch_size=4):
    ds = tf.data.TFRecordDataset([data]).map(lambda r: tf.io.parse_single_example(r, FEATURES))
    return ds.batch(batch_size)


def no_parse(data):
    return tf.data.TFRecordDataset([data])


def features():
    return {"x": tf.io.FixedLenFeature([2], tf.float32)}
"""


def test_spec_from_a_function_building_the_dataset(tf: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, MAKE_DATASET, "pipeline.py")
    data = tmp_path / "d.tfrecord"
    write_tfrecord(data, [example({"x": [0.5, 1.0, 2.0]}) for _ in range(5)])
    target = f"{path}:make_dataset"
    result = tfdoctor.check_spec(
        str(data), spec=target, call_args={"data": str(data)}, config=tfdoctor.Config()
    )
    [spec] = result.specs
    assert spec.name.startswith(f"{target} `map(")
    assert _normal(spec.features) == _normal(from_objects({
        "x": tf.io.FixedLenFeature([2], tf.float32), "label": tf.io.FixedLenFeature([], tf.int64),
    }).features)  # fmt: skip
    assert {(f.code, f.where.feature) for f in result.findings if f.where.spec} >= {
        ("TFD201", "label"), ("TFD203", "x"),
    }  # fmt: skip
    res = runner.invoke(app, ["check", str(data), "--spec", target, "--arg", f"data={str(data)!r}", "--json"])
    assert res.exit_code == 1, res.output
    assert [s["name"] for s in json.loads(res.stdout)["specs"]] == [spec.name]
    # a function returning a features dict is read as that dict
    assert isinstance(load_specs(f"{path}:features").specs[0], ParseSpec)
    res = runner.invoke(
        app, ["check", str(data), "--spec", f"{path}:no_parse", "--arg", f"data={str(data)!r}"]
    )
    assert res.exit_code == 2 and "holds no tf.io.parse_* op" in res.output
    res = runner.invoke(app, ["check", str(data), "--spec", target])
    assert res.exit_code == 2 and "make_dataset() raised TypeError" in res.output


def test_source_specs_from_other_formats_have_no_notes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"features": {"x": {"kind": "VarLenFeature", "dtype": "int64"}}}))
    found = load_specs(str(spec))
    assert isinstance(found, SourceSpecs) and found.notes == [] and found.datasets == []


def test_names_defined_through_each_other_end(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """
        import tensorflow as tf

        class Reader:
            def a(self):
                self.x = self.y

            def b(self):
                self.y = self.x

            def parse(self, record):
                return tf.io.parse_single_example(record, {"k": tf.io.FixedLenFeature([self.x], tf.int64)})

        def parse_each(record, spec):
            return tf.io.parse_single_example(record, spec)

        SPECS = [{f"k{i}": tf.io.FixedLenFeature([], tf.int64)} for i in range(20)]
        """
    )
    found = read_source(
        _write(tmp_path, source + "\n".join(f"parse_each(None, SPECS[{i}])" for i in range(20)))
    )
    assert [(f.name, f.shape) for f in found.specs[0].features] == [("k", (None,))]
    assert "is defined in too many steps to follow" in found.notes[0]
    assert len(found.specs) == 17  # the first 16 call sites of parse_each
    assert found.notes[-1].startswith(
        "train.py:15: parse_single_example in parse_each passes through more than 16"
    )
