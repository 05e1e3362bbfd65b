"""The source forms of tests/spec/test_spec_source.py and test_spec_source_forms.py, read
without TensorFlow: each spec read (name, call, line, and every entry with its line) and the
notes, written out here and compared whole, so that they run under mutation testing (which
runs no TensorFlow test). `test_expected_is_what_tensorflow_builds` proves the entries written
here are those TensorFlow builds from the same code."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import test_spec_source as plain
import test_spec_source_forms as forms

from tfdoctor.facts.spec import FeatureSpec, ParseSpec
from tfdoctor.spec.from_python import from_objects
from tfdoctor.spec.from_source import read_source


def F(name: str, kind: str, dtype: str, **fields: Any) -> FeatureSpec:  # noqa: N802
    return FeatureSpec(name, kind, dtype, **fields)


# case -> ([(name after "train.py:", call, line, entries)], notes)
EXPECTED: dict[str, tuple[list[tuple[str, str, int, tuple[FeatureSpec, ...]]], list[str]]] = {
    'inline': (
        [
            ('5 parse', 'parse_single_example', 5, (
                F('image', 'FixedLenFeature', 'string', shape=(), line=6),
                F('label', 'FixedLenFeature', 'int64', shape=(), default=-1, line=7),
            )),
        ],
        [],
    ),
    'local variable, keyword features=': (
        [
            ('9 parse', 'parse_example', 9, (
                F('x', 'FixedLenFeature', 'float32', shape=(28, 28, 1), line=6),
                F('tags', 'VarLenFeature', 'string', line=7),
            )),
        ],
        [],
    ),
    'module constant, compat.v1.io': (
        [
            ('7 parse', 'parse_example', 7, (
                F('age', 'FixedLenFeature', 'float32', shape=(1,), default=[0.0], line=4),
            )),
        ],
        [],
    ),
    'tf 1.x spellings': (
        [
            ('6 parse', 'parse_single_example', 6, (
                F('label', 'FixedLenFeature', 'int64', shape=(), line=5),
                F('ids', 'VarLenFeature', 'int64', line=5),
            )),
        ],
        [],
    ),
    'bare imported names, tf.dtypes': (
        [
            ('6 parse', 'parse_single_example', 6, (
                F('a', 'FixedLenFeature', 'int64', shape=(3,), line=7),
                F('b', 'VarLenFeature', 'float32', line=8),
            )),
        ],
        [],
    ),
    'dict() call, shape arithmetic on constants': (
        [
            ('11 parse', 'parse_single_example', 11, (
                F('image', 'FixedLenFeature', 'float32', shape=(3072,), line=8),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=9),
            )),
        ],
        [],
    ),
    'comprehension over a key list, ** merge': (
        [
            ('8 parse', 'parse_example', 8, (
                F('label', 'FixedLenFeature', 'int64', shape=(), line=4),
                F('fare', 'FixedLenFeature', 'float32', shape=(), default=0.0, line=7),
                F('age', 'FixedLenFeature', 'float32', shape=(), default=0.0, line=7),
            )),
        ],
        [],
    ),
    'item assignment and update()': (
        [
            ('8 parse', 'parse_single_example', 8, (
                F('image', 'FixedLenFeature', 'string', shape=(), line=6),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=7),
            )),
        ],
        [],
    ),
    'sequence example, keywords': (
        [
            ('11 parse', 'parse_single_sequence_example', 11, (
                F('length', 'FixedLenFeature', 'int64', section='context', shape=(), line=4),
                F('tokens', 'FixedLenSequenceFeature', 'int64', section='sequence', shape=(), line=6),
                F('frames', 'VarLenFeature', 'float32', section='sequence', line=7),
            )),
        ],
        [],
    ),
    'batched sequence example, positional': (
        [
            ('7 parse', 'parse_sequence_example', 7, (
                F('id', 'FixedLenFeature', 'string', section='context', shape=(), line=5),
                F('x', 'FixedLenSequenceFeature', 'float32', section='sequence', shape=(2,), allow_missing=True, line=6),
            )),
        ],
        [],
    ),
    'spec from a function, ragged and sparse, parse_example_dataset': (
        [
            ('12 make', 'parse_example_dataset', 12, (
                F('words', 'RaggedFeature', 'string', partition_keys=('lens',), inner_partition='RowLengths', line=6),
                F('sp', 'SparseFeature', 'float32', shape=(100,), value_key='val', index_keys=('idx',), line=7),
            )),
        ],
        [],
    ),
    'functools.partial in map': (
        [
            ('8 make', 'parse_single_example', 8, (
                F('label', 'FixedLenFeature', 'int64', shape=(), line=5),
            )),
        ],
        [],
    ),
    'lambda in map, method, two specs in one file': (
        [
            ('9 eval_parse', 'parse_single_example', 9, (
                F('label', 'FixedLenFeature', 'int64', shape=(), line=8),
                F('weight', 'FixedLenFeature', 'float32', shape=(), line=8),
            )),
            ('12 train', 'parse_single_example', 12, (
                F('label', 'FixedLenFeature', 'int64', shape=(), line=4),
            )),
        ],
        [],
    ),
    'conditional expression: both branches': (
        [
            ('7 parse (if labeled)', 'parse_single_example', 7, (
                F('x', 'FixedLenFeature', 'float32', shape=(2,), line=5),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=5),
            )),
            ('7 parse (else)', 'parse_single_example', 7, (
                F('x', 'FixedLenFeature', 'float32', shape=(2,), line=6),
            )),
        ],
        [],
    ),
    'conditional expression fixed by --spec-arg': (
        [
            ('7 parse', 'parse_single_example', 7, (
                F('x', 'FixedLenFeature', 'float32', shape=(2,), line=6),
            )),
        ],
        [],
    ),
    'parameter default, module and class constants, arithmetic': (
        [
            ('9 parse', 'parse_single_example', 9, (
                F('ids', 'FixedLenFeature', 'int64', shape=(32,), line=10),
                F('emb', 'FixedLenFeature', 'float32', shape=(9, 2), line=11),
                F('mask', 'FixedLenFeature', 'int64', shape=(15,), line=12),
            )),
        ],
        ['train.py:9: read with seq_length=32 (the default of parse()); --spec-arg NAME=VALUE reads the value you run with'],
    ),
    "parameters bound by the file's own calls (one spec per distinct call)": (
        [
            ('9 parse (called at line 12)', 'parse_single_example', 9, (
                F('ids', 'FixedLenFeature', 'int64', shape=(64,), line=6),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=8),
            )),
            ('9 parse (called at line 13)', 'parse_single_example', 9, (
                F('ids', 'FixedLenFeature', 'int64', shape=(64,), line=6),
            )),
        ],
        [],
    ),
    'parameter without a default, given by --spec-arg': (
        [
            ('12 input_fn', 'parse_single_example', 12, (
                F('input_ids', 'FixedLenFeature', 'int64', shape=(128,), line=7),
                F('masked_lm_ids', 'FixedLenFeature', 'int64', shape=(20,), line=8),
                F('batch', 'FixedLenFeature', 'int64', shape=(4,), line=9),
            )),
        ],
        [],
    ),
    'absl flags: their defaults': (
        [
            ('10 parse', 'parse_single_example', 10, (
                F('ids', 'FixedLenFeature', 'int64', shape=(128,), line=11),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=12),
            )),
        ],
        ["train.py:10: read with max_seq_length=128 (the flag's default), label_key='label' (the flag's default); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    'tensor and numpy defaults': (
        [
            ('7 parse', 'parse_single_example', 7, (
                F('a', 'FixedLenFeature', 'int64', shape=(), default=0, line=8),
                F('b', 'FixedLenFeature', 'int64', shape=(), default=0, line=9),
                F('c', 'FixedLenFeature', 'int64', shape=(), default=-1, line=10),
                F('d', 'FixedLenFeature', 'float32', shape=(3,), default=[0.0, 0.0, 0.0], line=11),
                F('e', 'FixedLenFeature', 'string', shape=(), default=b'', line=12),
                F('f', 'FixedLenFeature', 'float32', shape=(), default=0.10000000149011612, line=13),
                F('g', 'FixedLenFeature', 'int64', shape=(2,), default=[0, 0], line=14),
                F('h', 'FixedLenFeature', 'float32', shape=(2, 2), default=[[1.0, 1.0], [1.0, 1.0]], line=15),
            )),
        ],
        [],
    ),
    'TPU ResNet style: positional defaults, tuple shapes': (
        [
            ('12 dataset_parser', 'parse_single_example', 12, (
                F('image/encoded', 'FixedLenFeature', 'string', shape=(), default='', line=7),
                F('image/format', 'FixedLenFeature', 'string', shape=(), default='jpeg', line=8),
                F('image/class/label', 'FixedLenFeature', 'int64', shape=(), default=-1, line=9),
                F('image/object/bbox/xmin', 'VarLenFeature', 'float32', line=10),
            )),
        ],
        [],
    ),
    'zip over two literal lists, f-string and format keys': (
        [
            ('10 parse', 'parse_example', 10, (
                F('rgb', 'FixedLenFeature', 'float32', shape=(1024,), line=7),
                F('audio', 'FixedLenFeature', 'float32', shape=(128,), line=7),
                F('distractor_0_len', 'FixedLenFeature', 'int64', shape=(), line=8),
                F('distractor_1_len', 'FixedLenFeature', 'int64', shape=(), line=8),
                F('x_a', 'VarLenFeature', 'int64', line=9),
            )),
        ],
        [],
    ),
    'self.x set in __init__: a loop and a comprehension over it': (
        [
            ('15 prepare', 'parse_example', 15, (
                F('id', 'FixedLenFeature', 'string', shape=(), line=11),
                F('mean_rgb', 'FixedLenFeature', 'float32', shape=(1024,), line=13),
                F('mean_audio', 'FixedLenFeature', 'float32', shape=(128,), line=13),
            )),
            ('18 prepare_frames', 'parse_single_sequence_example', 18, (
                F('id', 'FixedLenFeature', 'string', section='context', shape=(), line=20),
                F('mean_rgb', 'FixedLenSequenceFeature', 'string', section='sequence', shape=(), line=21),
                F('mean_audio', 'FixedLenSequenceFeature', 'string', section='sequence', shape=(), line=21),
            )),
        ],
        ["train.py:15: read with feature_names=['mean_rgb', 'mean_audio'] (the default of __init__()), feature_sizes=[1024, 128] (the default of __init__()); --spec-arg NAME=VALUE reads the value you run with", "train.py:18: read with feature_names=['mean_rgb', 'mean_audio'] (the default of __init__()); --spec-arg NAME=VALUE reads the value you run with"],
    ),
    'self.x = [...] literal, if statements on defaults, TFExampleDecoder': (
        [
            ('21 decode', 'TFExampleDecoder', 21, (
                F('image/encoded', 'FixedLenFeature', 'string', shape=(), default='', line=8),
                F('image/object/class/label', 'VarLenFeature', 'int64', line=10),
                F('image/additional_channels/encoded', 'FixedLenFeature', 'string', shape=(2,), line=13),
            )),
        ],
        ['train.py:15: `if load_masks:` is read as False, from the default of load_masks; --spec-arg load_masks=... reads the other branch', 'train.py:21: read with load_masks=False (the default of __init__()); --spec-arg NAME=VALUE reads the value you run with'],
    ),
    'function with arguments returning the spec, if statement on an argument': (
        [
            ('11 parse', 'parse_single_example', 11, (
                F('ids', 'FixedLenFeature', 'int64', shape=(16,), line=5),
                F('label', 'FixedLenFeature', 'int64', shape=(), line=7),
            )),
        ],
        [],
    ),
    'if statement on an unknown value: both branches': (
        [
            ('9 parse (if mode == tf.estimator.ModeKeys.TRAIN)', 'parse_single_example', 9, (
                F('x', 'FixedLenFeature', 'float32', shape=(), line=6),
                F('y', 'FixedLenFeature', 'int64', shape=(), line=6),
            )),
            ('9 parse (else)', 'parse_single_example', 9, (
                F('x', 'FixedLenFeature', 'float32', shape=(), line=8),
            )),
        ],
        [],
    ),
}  # fmt: skip


def _source(case: str) -> tuple[str, dict[str, Any], Any]:
    if case in plain.CASES:
        source, tensorflow = plain.CASES[case]
        return source, {}, tensorflow
    source, spec_args, tensorflow, _ = forms.CASES[case]
    return source, spec_args, tensorflow


def test_every_case_has_its_expectation() -> None:
    assert sorted(EXPECTED) == sorted([*plain.CASES, *forms.CASES])


@pytest.mark.parametrize("case", list(EXPECTED))
def test_source_case_read_without_tensorflow(tmp_path: Path, case: str) -> None:
    source, spec_args, _ = _source(case)
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(source))
    found = read_source(path, spec_args=spec_args)
    specs, notes = EXPECTED[case]
    assert found.specs == [
        ParseSpec(features, name=f"train.py:{name}", call=call, file=str(path), line=line)
        for name, call, line, features in specs
    ]
    assert (found.skipped, found.notes, found.datasets) == ([], notes, [])


def _sorted(features: tuple[FeatureSpec, ...]) -> list[FeatureSpec]:
    return sorted((replace(f, line=None) for f in features), key=lambda f: (f.section, f.name))


@pytest.mark.parametrize("case", list(EXPECTED))
def test_expected_is_what_tensorflow_builds(tf: Any, case: str) -> None:
    _, _, tensorflow = _source(case)
    built = []
    for item in tensorflow(tf):
        pair = isinstance(item, tuple)
        spec = (
            from_objects(context_features=item[0], sequence_features=item[1]) if pair else from_objects(item)
        )
        built.append(_sorted(spec.features))
    assert [_sorted(features) for _, _, _, features in EXPECTED[case][0]] == built
