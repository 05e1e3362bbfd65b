"""The parse function `tfdoctor spec` writes (spec/render.py) for records built here: each
comment line checked by hand against the data (values per record, records missing a key, empty
lists, image format and HxWxC), and the code's structure for Examples and SequenceExamples."""

from __future__ import annotations

import io

from conftest import add_records
from PIL import Image

import tfdoctor
from tfdoctor.proto.build import example, sequence_example
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
    add_records(acc, records)
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


def _image(width: int, height: int, fmt: str) -> bytes:
    img = Image.new("L", (width, height))
    img.putdata([(i * 7) % 256 for i in range(width * height)])
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


# 6 Examples: img 5 PNG sizes (4 wide twice), the sixth a GIF (palette: 3 channels); mix int64
# in records 0-3, float in 4-5; opt in records 0, 2, 4 only
MIXED = f'''\
# Parse spec written by tfdoctor {VERSION} from 1 file(s): 6 Examples.
# Every record parses with it and no value is made up: there is no default_value.
import tensorflow as tf

FEATURES = {{
    # bytes; 1 value; GIF/PNG images (HxWxC 3x4x1, 3x5x1, 3x6x1, 3x7x1, ...)
    'img': tf.io.FixedLenFeature([], tf.string),
    # int64; WARNING stored as int64 in 4, float in 2 records: no spec reads both, rewrite the minority; 1 value
    'mix': tf.io.FixedLenFeature([], tf.int64),
    # int64; 1 value; optional: missing in 3 of 6 records; VarLen keeps that visible; to fill a default instead: tf.io.FixedLenFeature([], tf.int64, default_value=0)
    'opt': tf.io.VarLenFeature(tf.int64),
}}


def parse(serialized):
    """One serialized tf.train.Example -> a dict of tensors."""
    parsed = tf.io.parse_single_example(serialized, FEATURES)
    # images mix [1, 3] channels: channels=3 makes them all RGB
    image = tf.io.decode_image(parsed['img'], channels=3, expand_animations=False)
    # images come in 5 sizes (3x4, 3x5, 3x6, 3x7, ...): resize to the most common (float32)
    image = tf.image.resize(image, [3, 4])
    parsed['img'] = image
    parsed['opt'] = tf.sparse.to_dense(parsed['opt'])  # VarLen: sparse
    return parsed
'''


def test_parse_function_for_mixed_images_kinds_and_optional() -> None:
    sizes = [(4, 3), (4, 3), (5, 3), (6, 3), (7, 3), (8, 3)]
    records = []
    for i, (w, h) in enumerate(sizes):
        feats: dict[str, object] = {
            "img": _image(w, h, "GIF" if i == 5 else "PNG"),
            "mix": 1 if i < 4 else 2.5,
        }
        if i % 2 == 0:
            feats["opt"] = i
        records.append(example(feats))
    assert parse_function(_stats(records)).rstrip("\n") == MIXED.rstrip("\n")


def test_record_kinds_counted_in_the_header() -> None:
    records = [sequence_example({"c": 1}, {"t": [[1]]}), example({"e": 2}), example({"e": 3})]
    first = parse_function(_stats(records)).splitlines()[0]
    assert (
        first == f"# Parse spec written by tfdoctor {VERSION} from 1 file(s): 2 Examples, 1 SequenceExample."
    )
    one = parse_function(_stats([sequence_example({"c": 1}, {"t": [[1]]})]))
    assert "SEQUENCE_FEATURES = {" in one and "parse_single_sequence_example" in one


def test_shared_context_name_written_once() -> None:
    """An Example feature and a SequenceExample context feature of one name: one key of
    CONTEXT_FEATURES (parse_single_sequence_example reads both as context), the header in the
    singular for one record of a kind."""
    records = [sequence_example({"id": 1}, {"t": [[1]]}), example({"id": 2})]
    text = parse_function(_stats(records))
    assert text.count("'id': tf.io.FixedLenFeature") == 1
    assert "1 Example, 1 SequenceExample." in text.splitlines()[0]


def test_two_image_sizes_listed_whole() -> None:
    records = [example({"img": _image(4, 3, "PNG")}), example({"img": _image(5, 3, "PNG")})]
    lines = parse_function(_stats(records)).splitlines()
    assert "    # images come in 2 sizes (3x4, 3x5): resize to the most common (float32)" in lines
    assert "    image = tf.io.decode_png(parsed['img'], channels=1)" in lines
