"""Parse ops inside the other inputs of a multi-input dataset are judged against the files, as
those of the main chain are: a misspelt key in the second input of a zip is TFD201."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example


def test_a_typo_in_the_second_input_of_a_zip(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "d.tfrecord"
    write_tfrecord(path, [example({"image": float(i), "label": i % 2}) for i in range(30)])
    images = tf.data.TFRecordDataset(str(path)).map(
        lambda s: tf.io.parse_single_example(s, {"image": tf.io.FixedLenFeature([], tf.float32)})["image"]
    )
    typo = {"lable": tf.io.FixedLenFeature([], tf.int64, default_value=0)}
    labels = tf.data.TFRecordDataset(str(path)).map(lambda s: tf.io.parse_single_example(s, typo)["lable"])
    assert set(tf.data.Dataset.zip((images, labels)).map(lambda x, y: y).as_numpy_iterator()) == {0}  # TF
    result = tfdoctor.audit(
        tf.data.Dataset.zip((images, labels)).batch(10), batches=1, config=Config(select=("TFD201",))
    )
    [finding] = result.findings
    assert finding.where.feature == "lable" and finding.numbers["closest"] == "label"
    assert finding.where.spec is not None and "input 2 of `zip(2 datasets)`" in finding.where.spec
    fixed = {"label": tf.io.FixedLenFeature([], tf.int64)}
    good = tf.data.TFRecordDataset(str(path)).map(lambda s: tf.io.parse_single_example(s, fixed)["label"])
    clean = tfdoctor.audit(
        tf.data.Dataset.zip((images, good)).batch(10), batches=1, config=Config(select=("TFD201",))
    )
    assert clean.findings == []
