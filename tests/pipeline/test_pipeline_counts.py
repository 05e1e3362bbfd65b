"""Element counts per step (TensorFlow's cardinality or carried from the record count)
against what the pipeline really yields, on random chains over a real TFRecord file. TFD513
and TFD514 stand on these counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import tfdoctor
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

RECORDS = 37

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("take"), st.integers(0, 50)),
        st.tuples(st.just("skip"), st.integers(0, 50)),
        st.tuples(st.just("shard"), st.integers(1, 5), st.integers(0, 4)),
        st.tuples(st.just("batch"), st.integers(1, 12), st.booleans()),
        st.tuples(st.just("window"), st.integers(1, 6), st.integers(1, 4), st.booleans()),
        st.tuples(st.just("map")),
        st.tuples(st.just("shuffle")),
        st.tuples(st.just("repeat"), st.integers(1, 3)),
    ),
    max_size=5,
)


@pytest.fixture(scope="module")
def records(tmp_path_factory: Any) -> str:
    path = tmp_path_factory.mktemp("counts") / "r.tfrecord"
    write_tfrecord(path, [example({"x": float(i)}) for i in range(RECORDS)])
    return str(path)


def _build(tf: Any, path: str, steps: list[tuple[Any, ...]]) -> Any:
    ds = tf.data.TFRecordDataset(path)
    for step in steps:
        name = step[0]
        if name == "take":
            ds = ds.take(step[1])
        elif name == "skip":
            ds = ds.skip(step[1])
        elif name == "shard":
            ds = ds.shard(step[1], min(step[2], step[1] - 1))
        elif name == "batch":
            ds = ds.batch(step[1], drop_remainder=step[2])
        elif name == "window":
            size = step[1]
            ds = ds.window(size, shift=step[2], drop_remainder=step[3]).flat_map(lambda w, n=size: w.batch(n))
        elif name == "map":
            ds = ds.map(lambda x: x)
        elif name == "shuffle":
            ds = ds.shuffle(8)
        elif name == "repeat":
            ds = ds.repeat(step[1])
    return ds


def test_counts_match_what_tensorflow_yields(tf: Any, records: str) -> None:
    """Every predicted count is exact, and most chains get one: a predictor that answers
    None everywhere fails here (measured: 97 of 100 chains run, all 97 counted)."""
    seen: Counter[str] = Counter()

    @settings(max_examples=100, deadline=None)
    @given(steps=STEPS)
    def check(steps: list[tuple[Any, ...]]) -> None:
        ds = _build(tf, records, steps)
        result = tfdoctor.audit(ds, batches=0, config=tfdoctor.Config())
        predicted = result.elements.get(result.pipeline.steps[-1].index)
        try:
            actual = sum(1 for _ in ds)
        except tf.errors.InvalidArgumentError:
            seen["tensorflow cannot run it"] += 1  # a ragged last batch batched again
            return
        seen["known" if predicted is not None else "unknown"] += 1
        event(f"count known: {predicted is not None}")
        if predicted is not None:
            assert predicted == actual, (steps, result.elements)

    check()
    ran = seen["known"] + seen["unknown"]
    assert ran >= 0.9 * sum(seen.values()), seen
    assert seen["known"] >= 0.95 * ran, seen


def test_counts_are_known_for_the_usual_chain(tf: Any, records: str) -> None:
    ds = tf.data.TFRecordDataset(records).map(lambda x: x).shuffle(8).batch(5, drop_remainder=True)
    result = tfdoctor.audit(ds, batches=0)
    assert result.elements == {1: RECORDS, 2: RECORDS, 3: RECORDS, 4: RECORDS // 5}
