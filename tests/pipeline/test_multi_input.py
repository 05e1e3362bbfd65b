"""Datasets of several inputs read from their graph: every input of zip, concatenate,
sample_from_datasets, choose_from_datasets and of a source of datasets
(`from_tensor_slices([a, b])`, `from_tensors(a)`) is a chain of its own with its files and
shuffles; `from_generator` is one step; maps TensorFlow inserts itself are marked, not the
user's. Element counts per step are checked against what TensorFlow yields, through the
Python object of each step."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import one_label_per_file

import tfdoctor
from tfdoctor.facts.pipeline import Pipeline, Step
from tfdoctor.pipeline.probe import python_steps

CLASSES, PER_CLASS = 3, 12


@pytest.fixture(scope="module")
def class_files(tmp_path_factory: Any) -> list[str]:
    """One file per class (the way per-class pipelines store them)."""
    return one_label_per_file(tmp_path_factory.mktemp("classes"), CLASSES, PER_CLASS)


def _counts_match(tf: Any, ds: Any, result: tfdoctor.AuditResult) -> int:
    """Every count predicted for a step that has a Python object is what that object yields;
    returns how many were compared."""
    objects = python_steps(ds, result.pipeline)
    compared = 0
    for index, predicted in result.elements.items():
        if predicted is None or predicted < 0 or index not in objects:
            continue
        assert predicted == sum(1 for _ in objects[index]), (index, result.elements)
        compared += 1
    return compared


def test_sample_from_datasets_reads_every_input(tf: Any, class_files: list[str]) -> None:
    inputs = [tf.data.TFRecordDataset(f).shuffle(PER_CLASS) for f in class_files]
    ds = tf.data.Dataset.sample_from_datasets(inputs, seed=1).batch(4)
    result = tfdoctor.audit(ds, batches=0)
    pipeline = result.pipeline
    # the main chain goes through the first data input, not through the selector TensorFlow builds
    assert [(s.kind, s.op) for s in pipeline.steps] == [
        ("read", "TFRecordDataset"), ("shuffle", "ShuffleDatasetV3"),
        ("sample", "DirectedInterleaveDataset"), ("batch", "BatchDatasetV2"),
    ]  # fmt: skip
    sample = pipeline.steps[2]
    assert [[s.call() for s in b] for b in sample.branches] == [
        [f"TFRecordDataset({class_files[k]!r})", f"shuffle({PER_CLASS})"] for k in (1, 2)
    ]
    assert sample.call() == "sample_from_datasets(3 datasets)"
    assert pipeline.chain() == (
        "Dataset.sample_from_datasets(["
        + ", ".join(f"TFRecordDataset({f!r}).shuffle({PER_CLASS})" for f in class_files)
        + "]).batch(4)"
    )
    assert pipeline.files() == class_files  # every input's files, scanned by the audit
    assert result.source_note.startswith("scanned every record of 3 file(s)")
    # records of all files are not what the first input's read yields: no count carried there
    assert result.elements[1] is None
    assert sum(1 for _ in ds.unbatch()) == CLASSES * PER_CLASS


def test_choose_from_datasets_keeps_its_choices(tf: Any, class_files: list[str]) -> None:
    choice = tf.data.Dataset.range(CLASSES).repeat(PER_CLASS)
    ds = tf.data.Dataset.choose_from_datasets([tf.data.TFRecordDataset(f) for f in class_files], choice)
    result = tfdoctor.audit(ds.batch(CLASSES), batches=0)
    step = result.pipeline.steps[1]
    assert (step.kind, step.args["choice"]) == ("choose", f"range(...).repeat({PER_CLASS})")
    assert len(step.branches) == CLASSES - 1 and result.pipeline.files() == class_files
    assert result.pipeline.chain() == (
        "Dataset.choose_from_datasets(["
        + ", ".join(f"TFRecordDataset({f!r})" for f in class_files)
        + f"], range(...).repeat({PER_CLASS})).batch(3)"
    )
    assert sum(1 for _ in ds) == CLASSES * PER_CLASS


def test_concatenate_reads_both_inputs(tf: Any, class_files: list[str]) -> None:
    first, second = tf.data.TFRecordDataset(class_files[0]), tf.data.TFRecordDataset(class_files[1:])
    ds = first.concatenate(second.shuffle(5)).batch(5)
    result = tfdoctor.audit(ds, batches=0)
    step = result.pipeline.steps[1]
    assert (step.kind, step.call()) == ("concatenate", "concatenate(2 datasets)")
    assert [s.call() for s in step.branches[0]] == ["TFRecordDataset([2 files])", "shuffle(5)"]
    assert result.pipeline.chain() == (
        f"TFRecordDataset({class_files[0]!r}).concatenate(TFRecordDataset([2 files]).shuffle(5)).batch(5)"
    )
    assert result.pipeline.files() == class_files
    assert _counts_match(tf, ds, result) >= 0


def test_zip_counts_carry_the_records_only_where_one_read_holds_them_all(
    tf: Any, class_files: list[str]
) -> None:
    """The files' record count belongs to the step that reads every file: the first read of a
    zip of two reads holds only part of them."""
    first, second = (tf.data.TFRecordDataset(f) for f in class_files[:2])
    ds = tf.data.Dataset.zip((first, second)).batch(2)
    result = tfdoctor.audit(ds, batches=0)
    assert result.pipeline.files() == class_files[:2] and result.elements[1] is None
    assert _counts_match(tf, ds, result) >= 0 and sum(1 for _ in ds) == PER_CLASS // 2
    numbered = tf.data.Dataset.zip((first, tf.data.Dataset.range(5))).batch(2)
    result = tfdoctor.audit(numbered, batches=0)  # the range reads no file: the read holds them all
    assert result.elements[1] == PER_CLASS and _counts_match(tf, numbered, result) >= 1


def test_interleave_over_a_source_of_datasets(tf: Any, class_files: list[str]) -> None:
    inputs = [tf.data.TFRecordDataset(f).shuffle(PER_CLASS) for f in class_files]
    ds = tf.data.Dataset.from_tensor_slices(inputs).interleave(lambda d: d, cycle_length=CLASSES).batch(4)
    result = tfdoctor.audit(ds, batches=0)
    source, interleave = result.pipeline.steps[:2]
    assert (source.kind, source.call(), len(source.branches)) == (
        "source",
        "from_tensor_slices([3 datasets])",
        3,
    )
    assert interleave.reads_files and result.pipeline.record_start == 2  # it yields the records
    assert result.pipeline.files() == class_files
    assert result.pipeline.chain().startswith(
        f"Dataset.from_tensor_slices([TFRecordDataset({class_files[0]!r}).shuffle({PER_CLASS}), "
    )
    assert result.elements == {1: CLASSES, 2: CLASSES * PER_CLASS, 3: CLASSES * PER_CLASS // 4}
    assert _counts_match(tf, ds, result) == 3

    held = tf.data.Dataset.from_tensors(tf.data.TFRecordDataset(class_files[0])).flat_map(lambda d: d)
    result = tfdoctor.audit(held, batches=0)
    assert (
        result.pipeline.chain()
        == f"Dataset.from_tensors(TFRecordDataset({class_files[0]!r})).flat_map(lambda)"
    )
    assert (
        result.pipeline.steps[0].call() == "from_tensors(dataset)"
        and result.pipeline.files() == class_files[:1]
    )
    assert result.elements[2] == PER_CLASS == sum(1 for _ in held)


def test_from_generator_is_one_step(tf: Any) -> None:
    def rows() -> Any:
        for i in range(10):
            yield float(i), i % 2

    spec = (tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.int32))
    ds = tf.data.Dataset.from_generator(rows, output_signature=spec).map(lambda x, y: (x * 2, y)).batch(4)
    result = tfdoctor.audit(ds, batches=2)
    first = result.pipeline.steps[0]
    assert (first.kind, first.function, first.call()) == ("generator", "rows", "from_generator(rows)")
    assert result.pipeline.chain() == "from_generator(rows).map(lambda).batch(4)"
    assert result.source_note == "no file names in the pipeline's graph" and result.batches is not None
    assert result.batches.batches == 2  # probed as any other source
    assert _counts_match(tf, ds, result) >= 0


def test_maps_tensorflow_inserts_are_not_the_users(tf: Any) -> None:
    unbatched = tf.data.Dataset.range(12).batch(4).unbatch().batch(3)
    result = tfdoctor.audit(unbatched, batches=0)
    inserted = [s for s in result.pipeline.steps if s.inserted]
    assert [(s.kind, s.function) for s in inserted] == [("map", "normalize")]  # unbatch's own map
    assert result.pipeline.chain() == "range(...).batch(4).unbatch().batch(3)"
    assert not [f for f in result.findings if f.code == "TFD902"]

    ragged = tf.data.Dataset.range(1, 6).map(lambda n: tf.range(n)).ragged_batch(2)
    result = tfdoctor.audit(ragged, batches=0)
    maps = [(s.function, s.inserted) for s in result.pipeline.of("map")]
    assert maps == [("lambda", False), ("lambda", True)]  # the user's, then ragged_batch's
    assert [f.where.step for f in result.findings if f.code == "TFD902"] == [2]
    assert result.pipeline.chain() == "range(...).map(lambda).batch(2)"

    # a TensorFlow function the user maps with is the user's step
    read = tf.data.Dataset.from_tensor_slices(["a"]).map(tf.io.read_file)
    assert [s.inserted for s in tfdoctor.audit(read, batches=0).pipeline.of("map")] == [False]


def test_python_steps_follow_the_main_input(tf: Any, class_files: list[str]) -> None:
    inputs = [tf.data.TFRecordDataset(f).map(lambda s: s) for f in class_files]
    ds = tf.data.Dataset.sample_from_datasets(inputs, stop_on_empty_dataset=True).take(5)
    result = tfdoctor.audit(ds, batches=0)
    objects = python_steps(ds, result.pipeline)
    assert sorted(objects) == [1, 2, 3, 4]  # read, map, sample, take: through data input 1
    assert result.pipeline.steps[2].args["stop_on_empty_dataset"] is True


def test_chain_text_of_fused_halves() -> None:
    """Hand-built: the two halves of a fused op side by side are written as the call the user
    wrote; apart (a fix that moves a step between them) each is its own call."""
    fused = "map_and_batch(parse, 32)"
    read = Step(1, "TFRecordDataset", "read", files=("a", "b"), reads_files=True)
    mapped = Step(2, "MapAndBatchDataset", "map", {"num_parallel_calls": 32}, "parse", fused=fused)
    batch = Step(3, "MapAndBatchDataset", "batch", {"batch_size": 32, "drop_remainder": False}, fused=fused)
    again = [
        Step(4, "MapAndBatchDataset", "map", {}, "parse", fused=fused),
        Step(5, "MapAndBatchDataset", "batch", {"batch_size": 32}, fused=fused),
    ]
    pipeline = Pipeline((read, mapped, batch, *again))
    assert pipeline.chain() == (
        "TFRecordDataset([2 files]).apply(map_and_batch(parse, 32)).apply(map_and_batch(parse, 32))"
    )
    shuffle = Step(0, "ShuffleDatasetV3", "shuffle", {"buffer_size": 100})
    assert pipeline.moved(shuffle, batch).startswith(
        "TFRecordDataset([2 files]).map(parse, num_parallel_calls=32).shuffle(100).batch(32)"
    )
    assert pipeline.chain([batch, mapped]) == "batch(32).map(parse, num_parallel_calls=32)"


def test_chain_an_interleave_builds_per_file(tf: Any, class_files: list[str]) -> None:
    def per_file(name: Any) -> Any:
        return tf.data.TFRecordDataset(name).shuffle(5).map(lambda r: r).repeat(2)

    ds = tf.data.Dataset.from_tensor_slices(class_files).interleave(per_file, cycle_length=2)
    result = tfdoctor.audit(ds, batches=0)
    step = result.pipeline.steps[1]
    assert (step.kind, step.reads_files, result.pipeline.record_start) == ("interleave", True, 2)
    assert [[s.call() for s in b] for b in step.branches] == [
        ["TFRecordDataset(...)", "shuffle(5)", "map(lambda)", "repeat(2)"]
    ]
    assert result.elements[1] == CLASSES and sum(1 for _ in ds) == 2 * CLASSES * PER_CLASS
    # a plain read per file, and the batches a window's flat_map builds, are no chain of their own
    plain = tf.data.Dataset.from_tensor_slices(class_files).interleave(tf.data.TFRecordDataset)
    assert not tfdoctor.audit(plain, batches=0).pipeline.steps[1].branches
    windows = tf.data.Dataset.range(10).window(3, shift=1, drop_remainder=True).flat_map(lambda w: w.batch(3))
    assert not tfdoctor.audit(windows, batches=0).pipeline.steps[2].branches
