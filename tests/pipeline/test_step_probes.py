"""Per-step measurements in real TensorFlow: each `filter` and each `ignore_errors()` of a
chain is counted on its own input and reported with its own numbers, whatever comes before
or after it (one record per step index, never a single value overwritten per step)."""

from __future__ import annotations

from typing import Any

import tfdoctor
from tfdoctor.config import Config


def _audit(dataset: Any, code: str) -> Any:
    return tfdoctor.audit(dataset, batches=2, config=Config(select=(code,)))


def _keep_all(x: Any) -> Any:
    return x >= 0


def _keep_two(x: Any) -> Any:
    return x < 2


def test_two_filters_each_report_their_own_counts(tf: Any) -> None:
    chained = tf.data.Dataset.range(100).filter(_keep_all).filter(_keep_two)
    assert len(list(tf.data.Dataset.range(100).filter(_keep_all))) == 100  # TensorFlow: all kept
    assert len(list(chained)) == 2  # then 2 of those 100
    result = _audit(chained.batch(10), "TFD510")
    steps = {s.index: s.call() for s in result.pipeline.steps}
    assert steps[2] == "filter(_keep_all)" and steps[3] == "filter(_keep_two)"
    assert [(f.where.step, f.where.call, f.numbers["kept"], f.numbers["input"]) for f in result.findings] == [
        (3, "filter(_keep_two)", 2, 100)
    ]
    assert result.step_probes[2].elements_in == 100 and result.step_probes[2].elements_out == 100
    assert "`filter(_keep_two)` keeps 2 of 100 elements" in result.findings[0].message

    swapped = tf.data.Dataset.range(100).filter(_keep_two).filter(_keep_all)
    result = _audit(swapped.batch(10), "TFD510")
    assert [(f.where.step, f.where.call, f.numbers["kept"], f.numbers["input"]) for f in result.findings] == [
        (2, "filter(_keep_two)", 2, 100)
    ]
    assert result.step_probes[3].elements_in == 2 and result.step_probes[3].elements_out == 2


def _fails_every(tf: Any, n: int) -> Any:
    """A map that raises on every element divisible by n."""

    def fails(x: Any) -> Any:
        tf.debugging.assert_none_equal(x % n, tf.constant(0, tf.int64))
        return x

    return fails


def test_two_ignore_errors_each_report_their_own_counts(tf: Any) -> None:
    first = tf.data.Dataset.range(100).map(_fails_every(tf, 4)).ignore_errors()
    both = first.map(_fails_every(tf, 5)).ignore_errors()
    # TensorFlow: the first drops the 25 multiples of 4; of the 75 left, the second drops the
    # 15 multiples of 5 that are not multiples of 4
    assert len(list(first)) == 75 and len(list(both)) == 60
    result = _audit(both.batch(10), "TFD506")
    counts = [(f.where.step, f.numbers["dropped"], f.numbers["elements"]) for f in result.findings]
    assert counts == [(3, 25, 100), (5, 15, 75)]
    assert "drop 25 of 100 elements" in result.findings[0].message
    assert "drop 15 of 75 elements" in result.findings[1].message
