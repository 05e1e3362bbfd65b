"""The parse function `tfdoctor spec` writes (spec/render.py) for records built here: each
comment line checked by hand against the data (values per record, records missing a key, empty
lists, image format and HxWxC), and the code's structure for Examples and SequenceExamples."""

from __future__ import annotations

import io

from PIL import Image

import tfdoctor
from tfdoctor.proto.build import example, sequence_example
from tfdoctor.proto.decode import parse
from tfdoctor.spec.render import parse_function
from tfdoctor.stats.dataset import DatasetAccumulator, DatasetStats

VERSION = tfdoctor.__version__


def _png(width: int, height: int) -> bytes:
    img = Image.new("L", (width, height))
    img.putdata([(i * 7) % 256 for i in range(width * height)])
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _stats(records: list[bytes]) -> DatasetStats:
    acc = DatasetAccumulator()
    facts = acc.file("f")
    for i, rec in enumerate(records):
        msg = parse(rec)
        assert not isinstance(msg, str)
        acc.add(msg, facts, i)
    return acc.extract()


# 5 Examples: img a 4 wide, 3 high grey PNG in each; label 0/1; tags 0 to 2 values (empty in
# records 0 and 3, missing in record 4); never an empty float list in every record; x 2 floats
EXAMPLES = f'''\
# Parse spec written by tfdoctor {VERSION} from 1 file(s): 5 Examples.
# Every record parses with it and no value is made up: there is no default_value.
import tensorflow as tf

FEATURES = {{
    # bytes; 1 value; PNG images (HxWxC 3x4x1)
    'img': tf.io.FixedLenFeature([], tf.string),
    # int64; 1 value; the label
    'label': tf.io.FixedLenFeature([], tf.int64),
    # float; 0 values; an empty list in 5 records; variable length
    'never': tf.io.VarLenFeature(tf.float32),
    # bytes; 0 to 2 values; optional: missing in 1 of 5 records; an empty list in 2 records
    'tags': tf.io.VarLenFeature(tf.string),
    # float; 2 values
    'x': tf.io.FixedLenFeature([2], tf.float32),
}}


def parse(serialized):
    """One serialized tf.train.Example -> a dict of tensors."""
    parsed = tf.io.parse_single_example(serialized, FEATURES)
    image = tf.io.decode_png(parsed['img'], channels=1)
    image = tf.ensure_shape(image, [3, 4, 1])
    parsed['img'] = image
    parsed['never'] = tf.sparse.to_dense(parsed['never'])  # VarLen: sparse
    parsed['tags'] = tf.sparse.to_dense(parsed['tags'])  # VarLen: sparse
    return parsed
'''

# 3 SequenceExamples: id in the context; tok 1, 2, 3 steps of 1 int; emb 2 steps of 2 floats
SEQUENCES = f'''\
# Parse spec written by tfdoctor {VERSION} from 1 file(s): 3 SequenceExamples.
# Every record parses with it and no value is made up: there is no default_value.
import tensorflow as tf

CONTEXT_FEATURES = {{
    # int64; 1 value
    'id': tf.io.FixedLenFeature([], tf.int64),
}}

SEQUENCE_FEATURES = {{
    # float; 2 values per step; 2 steps
    'emb': tf.io.FixedLenSequenceFeature([2], tf.float32),
    # int64; 1 value per step; 1 to 3 steps
    'tok': tf.io.FixedLenSequenceFeature([], tf.int64),
}}


def parse(serialized):
    """One serialized tf.train.SequenceExample -> (context, sequence) dicts of tensors."""
    context, sequence = tf.io.parse_single_sequence_example(
        serialized, context_features=CONTEXT_FEATURES, sequence_features=SEQUENCE_FEATURES
    )
    return context, sequence
'''


def test_parse_function_for_examples() -> None:
    records = [
        example(
            {
                "label": i % 2,
                "img": _png(4, 3),
                "tags": [b"a"] * (i % 3) or ("bytes", []),
                "x": [1.0, 2.0],
                "never": ("float", []),
            }
        )
        for i in range(4)
    ]
    records.append(example({"label": 1, "img": _png(4, 3), "x": [1.0, 2.0], "never": ("float", [])}))
    assert parse_function(_stats(records)).rstrip("\n") == EXAMPLES.rstrip("\n")


def test_parse_function_for_sequence_examples() -> None:
    records = [
        sequence_example({"id": i}, {"tok": [[1]] * (i + 1), "emb": [[0.5, 0.5]] * 2}) for i in range(3)
    ]
    assert parse_function(_stats(records)).rstrip("\n") == SEQUENCES.rstrip("\n")
