"""The parse function `tfdoctor spec` writes (spec/render.py): features present but never
holding a value are listed in a comment, by repr (a newline in a name cannot end the comment);
a name held as often by Examples as by SequenceExamples' context is written once, from the
Example's statistics (listed first)."""

from __future__ import annotations

from test_survivors_render import VERSION, _stats

from tfdoctor.proto.build import example, sequence_example
from tfdoctor.spec.render import parse_function


def test_features_never_holding_a_value_are_listed() -> None:
    text = parse_function(_stats([example({"x": None, "a\nb": None, "y": 1})] * 2))
    assert text.splitlines()[:8] == [
        f"# Parse spec written by tfdoctor {VERSION} from 1 file(s): 2 Examples.",
        "# Every record parses with it and no value is made up: there is no default_value.",
        "# Left out, never holding a value: 'a\\nb', 'x'",
        "import tensorflow as tf",
        "",
        "FEATURES = {",
        "    # int64; 1 value; the label",
        "    'y': tf.io.FixedLenFeature([], tf.int64),",
    ]


def test_a_tie_between_example_and_context_keeps_the_examples() -> None:
    records = [sequence_example({"k": 0.5}, {"s": [[1]]})] * 2 + [example({"k": 1})] * 2
    assert parse_function(_stats(records)).splitlines()[4:8] == [
        "CONTEXT_FEATURES = {",
        "    # int64; 1 value",
        "    'k': tf.io.FixedLenFeature([], tf.int64),",
        "}",
    ]
