"""The shuffle rules over pipelines of several inputs, against real TensorFlow: a shuffle in
each input of sample_from_datasets (or of an interleave over a source of datasets) shuffles
the examples; a shuffle in some inputs only, or inside the inputs of a concatenate, does not.
What the rules claim is checked in the batches TensorFlow yields."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import one_label_per_file, parse_x_label

import tfdoctor
from tfdoctor.findings import Severity

CLASSES, PER_CLASS, BATCH = 4, 40, 8


@pytest.fixture(scope="module")
def class_files(tmp_path_factory: Any) -> list[str]:
    """One file per class: the records are stored sorted by label (runs of 40)."""
    return one_label_per_file(tmp_path_factory.mktemp("per_class"), CLASSES, PER_CLASS)


_parse = parse_x_label


def _finish(tf: Any, ds: Any) -> Any:
    return ds.map(_parse(tf), num_parallel_calls=2).batch(BATCH).prefetch(1)


def _found(result: tfdoctor.AuditResult, code: str) -> list[tuple[int | None, str | None, Severity]]:
    return [(f.where.step, f.where.call, f.severity) for f in result.findings if f.code == code]


def _warnings(result: tfdoctor.AuditResult) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in result.findings if f.severity >= Severity.WARNING]


def _first_xs(ds: Any, batches: int = 3) -> list[list[float]]:
    return [np.asarray(x).tolist() for x, _ in ds.take(batches)]


def test_per_class_shuffles_before_sample_from_datasets(tf: Any, class_files: list[str]) -> None:
    """The imbalanced-data tutorial's pipeline: each class shuffled and repeated, then sampled."""
    per_class = [tf.data.TFRecordDataset(f).shuffle(PER_CLASS).repeat() for f in class_files]
    good = _finish(tf, tf.data.Dataset.sample_from_datasets(per_class, seed=3))
    result = tfdoctor.audit(good, batches=4)
    assert not _warnings(result)
    assert result.pipeline.files() == class_files and result.sources is not None
    assert result.sources.label_order is not None and result.sources.label_order.sortedness > 0.9

    # its buggy twin: the same sampling over inputs in stored order
    bare = [tf.data.TFRecordDataset(f).repeat() for f in class_files]
    twin = _finish(tf, tf.data.Dataset.sample_from_datasets(bare, seed=3))
    result = tfdoctor.audit(twin, batches=0)
    assert _found(result, "TFD501") == [(5, f"batch({BATCH})", Severity.ERROR)]
    # TensorFlow: each class's records arrive in stored order, every epoch alike
    xs = [x for batch in _first_xs(twin, 6) for x in batch]
    assert sorted(set(xs))[:3] == [0.0, 1.0, 2.0]
    # with the probe: the batches are mixed (the sample mixes the classes), not single-class
    probed = next(f for f in tfdoctor.audit(twin, batches=6).findings if f.code == "TFD501")
    assert probed.severity == Severity.WARNING
    assert "`sample_from_datasets(4 datasets)` mixes them" in probed.message


def test_some_inputs_shuffled_is_no_shuffle(tf: Any, class_files: list[str]) -> None:
    inputs = [tf.data.TFRecordDataset(f) for f in class_files]
    inputs[1:] = [d.shuffle(PER_CLASS) for d in inputs[1:]]
    ds = _finish(tf, tf.data.Dataset.sample_from_datasets(inputs, seed=3))
    found = [f for f in tfdoctor.audit(ds, batches=0).findings if f.code == "TFD501"]
    assert [(f.where.step, f.severity) for f in found] == [(4, Severity.ERROR)]
    assert (
        "`sample_from_datasets(4 datasets)` (step 2 of 5) takes inputs that are not all shuffled"
        in found[0].message
    )


def test_shuffles_inside_concatenate_inputs_do_not_mix_them(tf: Any, class_files: list[str]) -> None:
    first = tf.data.TFRecordDataset(class_files[0]).shuffle(PER_CLASS)
    second = tf.data.TFRecordDataset(class_files[1]).shuffle(PER_CLASS)
    ds = _finish(tf, first.concatenate(second))
    result = tfdoctor.audit(ds, batches=0)
    found = [f for f in result.findings if f.code == "TFD501"]
    assert [(f.where.step, f.severity) for f in found] == [(5, Severity.ERROR)]
    assert "takes its inputs one after another" in found[0].message
    # TensorFlow: every batch of the first epoch's first half holds class 0 only
    assert all(set(np.asarray(y).tolist()) == {0} for _, y in ds.take(PER_CLASS // BATCH))
    stored = tf.data.TFRecordDataset(class_files[0]).concatenate(tf.data.TFRecordDataset(class_files[1]))
    assert not _found(tfdoctor.audit(_finish(tf, stored.shuffle(2 * PER_CLASS)), batches=0), "TFD501")


def test_source_of_shuffled_datasets_interleaved(tf: Any, class_files: list[str]) -> None:
    shuffled = [tf.data.TFRecordDataset(f).shuffle(PER_CLASS) for f in class_files]
    ds = _finish(
        tf, tf.data.Dataset.from_tensor_slices(shuffled).interleave(lambda d: d, cycle_length=CLASSES)
    )
    assert not _warnings(tfdoctor.audit(ds, batches=4))
    stored = [tf.data.TFRecordDataset(f) for f in class_files]
    twin = _finish(
        tf, tf.data.Dataset.from_tensor_slices(stored).interleave(lambda d: d, cycle_length=CLASSES)
    )
    assert _found(tfdoctor.audit(twin, batches=0), "TFD501") == [(4, f"batch({BATCH})", Severity.ERROR)]


def test_small_per_class_buffers_feed_the_sampling(tf: Any, class_files: list[str]) -> None:
    """A per-class buffer shorter than the class's run is no small-buffer finding: the runs are
    broken up by sample_from_datasets, each buffer shuffles one class. A buffer no larger than
    a batch still barely shuffles its class."""
    per_class = [tf.data.TFRecordDataset(f).shuffle(20).repeat() for f in class_files]
    result = tfdoctor.audit(_finish(tf, tf.data.Dataset.sample_from_datasets(per_class, seed=3)), batches=0)
    assert not _found(result, "TFD502") and not _found(result, "TFD501")
    # the same buffer over the merged, label-sorted stream is too small
    merged = _finish(tf, tf.data.TFRecordDataset(class_files).shuffle(20))
    assert _found(tfdoctor.audit(merged, batches=0), "TFD502") == [(2, "shuffle(20)", Severity.WARNING)]


def test_zip_of_inputs_shuffled_alike(tf: Any, class_files: list[str]) -> None:
    xs = tf.data.TFRecordDataset(class_files).shuffle(200, seed=5)
    ys = tf.data.TFRecordDataset(class_files).shuffle(200, seed=5)
    ds = tf.data.Dataset.zip((xs, ys)).map(lambda a, b: (_parse(tf)(a)[0], _parse(tf)(b)[1])).batch(BATCH)
    result = tfdoctor.audit(ds, batches=0)
    assert not _found(result, "TFD501") and not _found(result, "TFD515")


def test_chain_built_per_file_by_the_interleave(tf: Any, class_files: list[str]) -> None:
    """The per-class idiom without datasets in a list: one file per class, each shuffled and
    repeated inside the interleave's function, cycling over every class."""

    def per_file(name: Any) -> Any:
        return tf.data.TFRecordDataset(name).shuffle(PER_CLASS).repeat()

    files = tf.data.Dataset.from_tensor_slices(class_files)
    good = _finish(tf, files.interleave(per_file, cycle_length=CLASSES))
    result = tfdoctor.audit(good, batches=4)
    interleave = result.pipeline.steps[1]
    assert [[s.call() for s in b] for b in interleave.branches] == [
        ["TFRecordDataset(...)", f"shuffle({PER_CLASS})", "repeat()"]
    ]
    assert not _warnings(result)
    # TensorFlow: each batch holds every class (the cycle), each class in a new order every epoch
    assert all(len(set(np.asarray(y).tolist())) == CLASSES for _, y in good.take(4))

    def read(name: Any) -> Any:
        return tf.data.TFRecordDataset(name).repeat()

    twin = _finish(tf, files.interleave(read, cycle_length=CLASSES))
    assert _found(tfdoctor.audit(twin, batches=0), "TFD501") == [(4, f"batch({BATCH})", Severity.ERROR)]
