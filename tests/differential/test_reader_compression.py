"""The compression a TFRecordDataset declares, read from the graph (the reader sits inside the
flat_map TensorFlow builds for `TFRecordDataset(files)`), against the bytes: TFD103 without
pulling a single batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tfdoctor
from tfdoctor.config import Config
from tfdoctor.pipeline.graph import read_pipeline


def _gzip_shards(tf: Any, folder: Path) -> list[str]:
    paths = []
    for k in range(2):
        path = folder / f"train-{k}.tfrecord.gz"
        with tf.io.TFRecordWriter(str(path), "GZIP") as writer:
            for _ in range(20):
                writer.write(tf.train.Example().SerializeToString())
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("declared", [None, "GZIP", "ZLIB", ""])
def test_the_read_step_carries_its_compression_type(tf: Any, tmp_path: Path, declared: str | None) -> None:
    files = _gzip_shards(tf, tmp_path)
    kwargs = {} if declared is None else {"compression_type": declared}
    steps = read_pipeline(tf.data.TFRecordDataset(files, **kwargs).batch(4)).steps
    assert steps[0].kind == "read" and steps[0].args["compression_type"] == (declared or "")


def test_gzip_files_read_as_plain_are_tfd103_without_a_probe(tf: Any, tmp_path: Path) -> None:
    files = _gzip_shards(tf, tmp_path)
    with pytest.raises(tf.errors.DataLossError):  # TensorFlow: corrupted record at 0
        list(tf.data.TFRecordDataset(files))
    result = tfdoctor.audit(
        tf.data.TFRecordDataset(files).batch(4), batches=0, config=Config(select=("TFD103",))
    )
    assert [(f.where.step, f.where.file, f.numbers) for f in result.findings] == [
        (1, path, {"declared": "none", "detected": "gzip"}) for path in files
    ]  # one per file, each named
    right = tf.data.TFRecordDataset(files, compression_type="GZIP").batch(4)
    assert len(list(right)) == 10  # 40 records read
    assert tfdoctor.audit(right, batches=0, config=Config(select=("TFD103",))).findings == []
