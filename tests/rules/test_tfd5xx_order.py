"""TFD5xx on hand-made pipelines: shuffling, batching, repetition, and what the probe measured
at single steps (filters, ignore_errors)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from facts_builders import (
    StepSpec,
    audit,
    batch,
    batch_facts,
    check,
    dataset,
    feature,
    label_order,
    one,
    shuffle,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import DatasetStats, Facts, LabelOrder, StepProbe
from tfdoctor.findings import Severity, Where

READ = ("read", {})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})
PREFETCH = ("prefetch", {"buffer_size": -1})
REPEAT = ("repeat", {"count": -1})


def labels_stored(order: LabelOrder) -> DatasetStats:
    """A scan of the files a pipeline reads, with the label stored in this order."""
    return dataset(feature("label", records=order.records), order=order)


SORTED = label_order({"0": 500, "1": 500})  # one run per class
MIXED = label_order({"0": 500, "1": 500}, runs=501, longest_run=9)  # as many runs as random order
# Files shuffled by name, then read by an interleave: steps up to 3 act on file names.
FILES = [
    ("source", {"files": ("a.tfrecord", "b.tfrecord", "c.tfrecord", "d.tfrecord")}),
    shuffle(4),
    ("interleave", {"reads_files": True, "cycle_length": 4, "num_parallel_calls": -1}),
]


def test_label_orders_built_here_are_what_they_claim() -> None:
    assert (SORTED.sortedness, MIXED.sortedness) == (1.0, 0.0)


# ---------------------------------------------------------------------------------------------
# TFD501 no-shuffle (threshold: sorted_labels 0.5)


def test_tfd501_fires_on_a_batch_with_no_shuffle_before_it() -> None:
    f = one(check("TFD501", audit(READ, PARSE, batch(32), PREFETCH)))
    assert (f.code, f.severity) == ("TFD501", Severity.WARNING)
    assert f.where == Where(step=3, call="batch(32)")
    assert f.numbers == {"sortedness": None}
    assert f.fix is not None and ".shuffle(10000).batch(32)" in f.fix.text


def test_tfd501_silent_with_a_shuffle_before_the_batch() -> None:
    assert check("TFD501", audit(READ, PARSE, shuffle(10_000), batch(32), PREFETCH)) == []


def test_tfd501_silent_without_a_batch() -> None:
    assert check("TFD501", audit(READ, PARSE, PREFETCH)) == []


def test_tfd501_a_shuffle_of_file_names_alone_does_not_count() -> None:
    f = one(check("TFD501", audit(*FILES, PARSE, batch(32))))
    assert f.where == Where(step=5, call="batch(32)")


def test_tfd501_is_an_error_over_sorted_labels() -> None:
    f = one(check("TFD501", audit(READ, PARSE, batch(32), sources=labels_stored(SORTED))))
    assert f.severity == Severity.ERROR
    assert f.numbers == {"sortedness": 1.0}


def test_tfd501_stays_a_warning_over_labels_in_mixed_order() -> None:
    f = one(check("TFD501", audit(READ, PARSE, batch(32), sources=labels_stored(MIXED))))
    assert (f.severity, f.numbers) == (Severity.WARNING, {"sortedness": 0.0})


def test_tfd501_sorted_from_the_threshold_on() -> None:
    at = label_order({"0": 25, "1": 25}, runs=14)
    below = label_order({"0": 25, "1": 25}, runs=15)
    assert (at.sortedness, round(below.sortedness, 4)) == (0.5, 0.4583)
    chain = (READ, PARSE, batch(8))
    assert one(check("TFD501", audit(*chain, sources=labels_stored(at)))).severity == Severity.ERROR
    assert one(check("TFD501", audit(*chain, sources=labels_stored(below)))).severity == Severity.WARNING
    custom = Thresholds(sorted_labels=0.45)
    assert (
        one(check("TFD501", audit(*chain, sources=labels_stored(below)), custom)).severity == Severity.ERROR
    )


def test_tfd501_sorted_files_mixed_by_an_interleave_are_a_warning() -> None:
    mixed_batches = batch_facts(label_majority=(0.5, 0.6), label_classes=2, label_path="label")
    facts = audit(*FILES, PARSE, batch(32), sources=labels_stored(SORTED), batches=mixed_batches)
    f = one(check("TFD501", facts))
    assert (f.severity, f.numbers) == (Severity.WARNING, {"sortedness": 1.0})
    assert "the interleave mixes them" in f.message
    one_class = batch_facts(label_majority=(1.0, 1.0), label_classes=2, label_path="label")
    facts = audit(*FILES, PARSE, batch(32), sources=labels_stored(SORTED), batches=one_class)
    assert one(check("TFD501", facts)).severity == Severity.ERROR


# ---------------------------------------------------------------------------------------------
# TFD502 small-shuffle-buffer


def test_tfd502_fires_on_a_buffer_shorter_than_the_longest_label_run() -> None:
    f = one(check("TFD502", audit(READ, PARSE, shuffle(499), batch(32), sources=labels_stored(SORTED))))
    assert (f.code, f.severity) == ("TFD502", Severity.WARNING)
    assert f.where == Where(step=3, call="shuffle(499)")
    assert f.numbers == {"buffer_size": 499, "longest_run": 500, "runs": 2}


def test_tfd502_silent_on_a_buffer_as_long_as_the_longest_run() -> None:
    assert check("TFD502", audit(READ, PARSE, shuffle(500), batch(32), sources=labels_stored(SORTED))) == []


def test_tfd502_fires_on_a_buffer_no_larger_than_one_batch() -> None:
    f = one(check("TFD502", audit(READ, PARSE, shuffle(32), batch(32))))
    assert f.where == Where(step=3, call="shuffle(32)")
    assert f.numbers == {"buffer_size": 32, "batch_size": 32}


def test_tfd502_silent_on_a_buffer_larger_than_one_batch() -> None:
    assert check("TFD502", audit(READ, PARSE, shuffle(33), batch(32))) == []


def test_tfd502_silent_when_an_interleave_already_mixes_the_runs() -> None:
    mixed_batches = batch_facts(label_majority=(0.5, 0.6), label_classes=2, label_path="label")
    facts = audit(
        *FILES, PARSE, shuffle(100), batch(32), sources=labels_stored(SORTED), batches=mixed_batches
    )
    assert check("TFD502", facts) == []


# ---------------------------------------------------------------------------------------------
# TFD503 shuffle-after-batch


def test_tfd503_fires_on_a_shuffle_of_batches() -> None:
    f = one(check("TFD503", audit(READ, PARSE, batch(32), shuffle(100), PREFETCH)))
    assert (f.code, f.severity) == ("TFD503", Severity.WARNING)
    assert f.where == Where(step=4, call="shuffle(100)")
    assert f.numbers == {"shuffle_step": 4, "batch_step": 3}


def test_tfd503_silent_on_a_shuffle_of_examples() -> None:
    assert check("TFD503", audit(READ, PARSE, shuffle(100), batch(32))) == []
    assert check("TFD503", audit(READ, PARSE, batch(32), ("unbatch", {}), shuffle(100), batch(32))) == []


# ---------------------------------------------------------------------------------------------
# TFD504 tiny-batch (threshold: tiny_batch_size 2)


@pytest.mark.parametrize("size", [1, 2])
def test_tfd504_fires_on_a_batch_at_most_the_threshold(size: int) -> None:
    f = one(check("TFD504", audit(READ, PARSE, shuffle(100), batch(size))))
    assert (f.code, f.severity) == ("TFD504", Severity.WARNING)
    assert f.where == Where(step=4, call=f"batch({size})")
    assert f.numbers == {"batch_size": size}


def test_tfd504_silent_just_past_the_threshold() -> None:
    assert check("TFD504", audit(READ, PARSE, shuffle(100), batch(3))) == []


def test_tfd504_judges_padded_batches_too() -> None:
    f = one(check("TFD504", audit(READ, PARSE, ("padded_batch", {"batch_size": 2}))))
    assert f.where == Where(step=3, call="padded_batch(2)")


def test_tfd504_follows_the_configured_size() -> None:
    facts = audit(READ, PARSE, shuffle(100), batch(8))
    assert check("TFD504", facts) == []
    assert one(check("TFD504", facts, Thresholds(tiny_batch_size=8))).numbers == {"batch_size": 8}


# ---------------------------------------------------------------------------------------------
# TFD505 truncated-dataset (thresholds: truncated_fraction 0.5, truncated_elements 1000)


def _take(n: int, records: int | None = None) -> Facts:
    return audit(READ, PARSE, ("take", {"count": n}), REPEAT, shuffle(100), batch(32), records=records)


def test_tfd505_fires_on_a_take_that_repeat_cycles() -> None:
    f = one(check("TFD505", _take(100)))
    assert (f.code, f.severity) == ("TFD505", Severity.ERROR)
    assert f.where == Where(step=3, call="take(100)")
    assert f.numbers == {"records_kept": 100, "records": None, "fraction": None}


def test_tfd505_without_a_record_count_takes_up_to_the_element_threshold_are_small() -> None:
    assert one(check("TFD505", _take(1000))).numbers["records_kept"] == 1000
    assert check("TFD505", _take(1001)) == []
    assert check("TFD505", _take(1000), Thresholds(truncated_elements=999)) == []


def test_tfd505_with_a_record_count_fires_under_the_fraction() -> None:
    f = one(check("TFD505", _take(499, records=1000)))
    assert f.numbers == {"records_kept": 499, "records": 1000, "fraction": 0.499}
    assert check("TFD505", _take(500, records=1000)) == []  # half is not under half
    custom = one(check("TFD505", _take(500, records=1000), Thresholds(truncated_fraction=0.6)))
    assert custom.numbers["fraction"] == 0.5


def test_tfd505_fires_on_a_shard_or_skip_that_leaves_a_small_part() -> None:
    shard = audit(READ, ("shard", {"num_shards": 3, "index": 0}), REPEAT, batch(32), records=900)
    f = one(check("TFD505", shard))
    assert f.where == Where(step=2, call="shard(3, 0)")
    assert f.numbers == {"records_kept": 300, "records": 900, "fraction": round(1 / 3, 6)}
    skip = audit(READ, ("skip", {"count": 600}), REPEAT, batch(32), records=1000)
    assert one(check("TFD505", skip)).numbers == {"records_kept": 400, "records": 1000, "fraction": 0.4}


def test_tfd505_silent_on_a_shard_that_keeps_half() -> None:
    shard = audit(READ, ("shard", {"num_shards": 2, "index": 0}), REPEAT, batch(32), records=900)
    assert check("TFD505", shard) == []


def test_tfd505_silent_without_a_repeat_after_the_take() -> None:
    assert check("TFD505", audit(READ, PARSE, ("take", {"count": 100}), batch(32))) == []
    assert check("TFD505", audit(READ, PARSE, REPEAT, batch(32), ("take", {"count": 100}))) == []


def test_tfd505_take_of_batches_counts_the_elements_they_hold() -> None:
    """take(n) after batch(b) keeps n * b elements: 100 batches of 32 are 3,200, above the
    1,000-element edge; 31 batches of 32 are 992, below it."""
    facts = audit(READ, PARSE, shuffle(1000), batch(32), ("take", {"count": 100}), REPEAT)
    assert check("TFD505", facts) == []
    facts = audit(READ, PARSE, shuffle(1000), batch(32), ("take", {"count": 31}), REPEAT)
    assert one(check("TFD505", facts)).numbers["records_kept"] == 992


# ---------------------------------------------------------------------------------------------
# TFD506 swallowed-errors


def test_tfd506_fires_on_ignore_errors_with_what_the_probe_saw_it_drop() -> None:
    probe = StepProbe(3, elements_in=100, errors_dropped=10, first_error="Feature: label is required")
    f = one(check("TFD506", audit(READ, PARSE, ("ignore_errors", {}), batch(32), probes=[probe])))
    assert (f.code, f.severity) == ("TFD506", Severity.ERROR)
    assert f.where == Where(step=3, call="ignore_errors()")
    assert f.numbers == {"dropped": 10, "elements": 100}
    assert "drop 10 of 100 elements" in f.message and "Feature: label is required" in f.message


def test_tfd506_two_ignore_errors_each_report_their_own_counts() -> None:
    probes = [
        StepProbe(3, elements_in=100, errors_dropped=10, first_error="parse failed"),
        StepProbe(5, elements_in=90, errors_dropped=45, first_error="decode failed"),
    ]
    description = (
        READ,
        PARSE,
        ("ignore_errors", {}),
        ("map", {"function": "decode"}),
        ("ignore_errors", {}),
        batch(32),
    )
    found = check("TFD506", audit(*description, probes=probes))
    assert [(f.where, f.numbers) for f in found] == [
        (Where(step=3, call="ignore_errors()"), {"dropped": 10, "elements": 100}),
        (Where(step=5, call="ignore_errors()"), {"dropped": 45, "elements": 90}),
    ]
    assert "drop 10 of 100" in found[0].message and "parse failed" in found[0].message
    assert "drop 45 of 90" in found[1].message and "decode failed" in found[1].message


def test_tfd506_after_a_batch_counts_batches() -> None:
    probe = StepProbe(4, elements_in=20, errors_dropped=1)
    f = one(check("TFD506", audit(READ, PARSE, batch(32), ("ignore_errors", {}), probes=[probe])))
    assert "drop 1 of 20 batches" in f.message


def test_tfd506_fires_unmeasured_with_no_counts() -> None:
    f = one(check("TFD506", audit(READ, PARSE, ("ignore_errors", {}), batch(32))))
    assert f.numbers == {"dropped": None, "elements": None}


def test_tfd506_silent_without_ignore_errors() -> None:
    assert check("TFD506", audit(READ, PARSE, batch(32))) == []


# ---------------------------------------------------------------------------------------------
# TFD507 repeat-before-shuffle


def test_tfd507_fires_on_a_repeat_before_the_shuffle() -> None:
    f = one(check("TFD507", audit(READ, PARSE, REPEAT, shuffle(10_000), batch(32))))
    assert (f.code, f.severity) == ("TFD507", Severity.INFO)
    assert f.where == Where(step=3, call="repeat()")
    assert f.numbers == {"repeat_step": 3, "shuffle_step": 4}


def test_tfd507_silent_on_a_shuffle_before_the_repeat_or_a_single_pass() -> None:
    assert check("TFD507", audit(READ, PARSE, shuffle(10_000), REPEAT, batch(32))) == []
    assert check("TFD507", audit(READ, PARSE, ("repeat", {"count": 1}), shuffle(10_000), batch(32))) == []


# ---------------------------------------------------------------------------------------------
# TFD508 single-class-batches (threshold: label_majority_fraction 0.9)


def _majority(*shares: float, classes: int = 10) -> Facts:
    probe = batch_facts(label_majority=shares, label_classes=classes, label_path="label", batches=len(shares))
    return audit(READ, PARSE, shuffle(100), batch(32), batches=probe)


def test_tfd508_fires_when_the_mean_majority_reaches_the_fraction() -> None:
    f = one(check("TFD508", _majority(1.0, 1.0, 0.7)))
    assert (f.code, f.severity) == ("TFD508", Severity.WARNING)
    assert f.where == Where(tensor="label")
    assert f.numbers == {"batches": 3, "mean_majority": 0.9, "single_class": 2}


def test_tfd508_silent_just_below_the_fraction() -> None:
    assert check("TFD508", _majority(0.9, 0.88)) == []


def test_tfd508_follows_the_configured_fraction() -> None:
    f = one(check("TFD508", _majority(0.9, 0.88), Thresholds(label_majority_fraction=0.85)))
    assert f.numbers == {"batches": 2, "mean_majority": 0.89, "single_class": 0}


def test_tfd508_silent_on_one_class_overall_or_one_batch() -> None:
    assert check("TFD508", _majority(1.0, 1.0, classes=1)) == []
    assert check("TFD508", _majority(1.0)) == []


# ---------------------------------------------------------------------------------------------
# TFD509 no-reshuffle


def test_tfd509_fires_on_reshuffle_each_iteration_false() -> None:
    f = one(check("TFD509", audit(READ, PARSE, shuffle(1000, reshuffle_each_iteration=False), batch(32))))
    assert (f.code, f.severity) == ("TFD509", Severity.INFO)
    assert f.where == Where(step=3, call="shuffle(1000, reshuffle_each_iteration=False)")
    assert f.numbers == {"buffer_size": 1000}


def test_tfd509_silent_on_a_reshuffling_shuffle() -> None:
    assert check("TFD509", audit(READ, PARSE, shuffle(1000, reshuffle_each_iteration=True), batch(32))) == []


# ---------------------------------------------------------------------------------------------
# TFD510 filter-drops-most (under half kept)


def _filters(*measured: tuple[str, int, int]) -> Facts:
    """read, map, then one filter per (predicate, elements in, elements out), then batch."""
    description = [READ, PARSE, *(("filter", {"function": name}) for name, _, _ in measured), batch(32)]
    probes = [
        StepProbe(3 + i, elements_in=n_in, elements_out=n_out) for i, (_, n_in, n_out) in enumerate(measured)
    ]
    return audit(*description, probes=probes)


def test_tfd510_two_filters_only_the_one_that_drops_reports() -> None:
    f = one(check("TFD510", _filters(("keep_all", 100, 100), ("keep_two", 100, 2))))
    assert (f.code, f.severity) == ("TFD510", Severity.WARNING)
    assert f.where == Where(step=4, call="filter(keep_two)")
    assert f.numbers == {"kept": 2, "input": 100, "fraction": 0.02}
    assert "keeps 2 of 100" in f.message


def test_tfd510_two_filters_in_the_other_order() -> None:
    f = one(check("TFD510", _filters(("keep_two", 100, 2), ("keep_all", 2, 2))))
    assert f.where == Where(step=3, call="filter(keep_two)")
    assert f.numbers == {"kept": 2, "input": 100, "fraction": 0.02}
    assert "keeps 2 of 100" in f.message


def test_tfd510_a_filter_that_keeps_nothing_is_an_error() -> None:
    f = one(check("TFD510", _filters(("y_gt_5", 100, 0))))
    assert f.severity == Severity.ERROR
    assert f.numbers == {"kept": 0, "input": 100, "fraction": 0.0}


def test_tfd510_half_kept_is_not_most_dropped() -> None:
    assert check("TFD510", _filters(("half", 100, 50))) == []
    assert one(check("TFD510", _filters(("under_half", 100, 49)))).numbers["kept"] == 49


def test_tfd510_silent_where_the_filter_was_not_measured() -> None:
    assert check("TFD510", audit(READ, PARSE, ("filter", {"function": "keep"}), batch(32))) == []


# ---------------------------------------------------------------------------------------------
# TFD511 split-after-shuffle


def test_tfd511_fires_on_a_take_after_a_reshuffling_shuffle() -> None:
    f = one(check("TFD511", audit(READ, PARSE, shuffle(10_000), ("take", {"count": 1000}), batch(32))))
    assert (f.code, f.severity) == ("TFD511", Severity.ERROR)
    assert f.where == Where(step=4, call="take(1000)")
    assert f.numbers == {"shuffle_step": 3, "split_step": 4}


def test_tfd511_silent_on_a_split_before_the_shuffle_or_a_fixed_order() -> None:
    assert check("TFD511", audit(READ, PARSE, ("skip", {"count": 1000}), shuffle(10_000), batch(32))) == []
    fixed = shuffle(10_000, reshuffle_each_iteration=False)
    assert check("TFD511", audit(READ, PARSE, fixed, ("skip", {"count": 1000}), batch(32))) == []


def test_tfd511_silent_on_a_take_of_batches() -> None:
    assert check("TFD511", audit(READ, PARSE, shuffle(10_000), batch(32), ("take", {"count": 100}))) == []


# ---------------------------------------------------------------------------------------------
# TFD512 cache-after-shuffle


def test_tfd512_fires_on_a_cache_after_the_shuffle() -> None:
    f = one(check("TFD512", audit(READ, PARSE, shuffle(10_000), batch(32), ("cache", {}))))
    assert (f.code, f.severity) == ("TFD512", Severity.WARNING)
    assert f.where == Where(step=5, call="cache()")
    assert f.numbers == {"cache_step": 5, "shuffle_step": 3}


def test_tfd512_fires_on_a_cache_after_shuffled_batches() -> None:
    f = one(check("TFD512", audit(READ, PARSE, batch(32), shuffle(100), ("cache", {}))))
    assert f.where == Where(step=5, call="cache()")
    assert f.numbers == {"cache_step": 5, "shuffle_step": 4}


def test_tfd512_silent_on_a_cache_before_the_shuffle() -> None:
    assert check("TFD512", audit(READ, PARSE, ("cache", {}), shuffle(10_000), batch(32))) == []


def test_tfd512_silent_after_a_shuffle_of_file_names_alone() -> None:
    assert check("TFD512", audit(*FILES, PARSE, ("cache", {}), shuffle(10_000), batch(32))) == []


# ---------------------------------------------------------------------------------------------
# TFD513 few-steps-per-epoch (threshold: few_steps_per_epoch 4)


def _epoch(elements: int, size: int = 32, **args: object) -> Facts:
    return audit(READ, PARSE, batch(size, **args), PREFETCH, counts={2: elements})


def test_tfd513_fires_on_an_epoch_of_as_many_steps_as_the_threshold() -> None:
    f = one(check("TFD513", _epoch(128)))
    assert (f.code, f.severity) == ("TFD513", Severity.WARNING)
    assert f.where == Where(step=3, call="batch(32)")
    assert f.numbers == {"elements": 128, "batch_size": 32, "steps_per_epoch": 4}


def test_tfd513_silent_one_step_past_the_threshold() -> None:
    assert check("TFD513", _epoch(129)) == []  # 5 steps, the last one partial


def test_tfd513_drop_remainder_drops_the_partial_step() -> None:
    f = one(check("TFD513", _epoch(159, drop_remainder=True)))
    assert f.numbers == {"elements": 159, "batch_size": 32, "steps_per_epoch": 4}
    assert check("TFD513", _epoch(159)) == []


def test_tfd513_the_whole_dataset_in_one_batch() -> None:
    f = one(check("TFD513", _epoch(1000, size=1000)))
    assert f.numbers["steps_per_epoch"] == 1
    assert "whole dataset in one batch" in f.message


def test_tfd513_follows_the_configured_steps() -> None:
    assert (
        one(check("TFD513", _epoch(129), Thresholds(few_steps_per_epoch=5))).numbers["steps_per_epoch"] == 5
    )


def _measured_epoch(batches: int, *extra: StepSpec) -> Facts:
    probe = batch_facts(batches=batches, elements=batches * 25, stopped="end")
    return audit(READ, PARSE, batch(32), *extra, batches=probe)


def test_tfd513_without_counts_from_a_probe_that_reached_the_end() -> None:
    f = one(check("TFD513", _measured_epoch(4)))
    assert f.where == Where(step=3, call="batch(32)")
    assert f.numbers == {"elements": 100, "batch_size": 32, "steps_per_epoch": 4}
    assert check("TFD513", _measured_epoch(5)) == []
    assert check("TFD513", _measured_epoch(4, REPEAT)) == []  # a repeat never ends the epoch


# ---------------------------------------------------------------------------------------------
# TFD514 remainder-drops-all


def _remainder(elements: int, size: int = 256, *before: StepSpec, **args: object) -> Facts:
    description = (READ, *before, batch(size, **args))
    return audit(*description, counts={len(description) - 1: elements})


def test_tfd514_fires_when_an_epoch_does_not_fill_one_batch() -> None:
    f = one(check("TFD514", _remainder(255, 256, drop_remainder=True)))
    assert (f.code, f.severity) == ("TFD514", Severity.ERROR)
    assert f.where == Where(step=2, call="batch(256, drop_remainder=True)")
    assert f.numbers == {"elements": 255, "batch_size": 256}


def test_tfd514_silent_when_an_epoch_fills_one_batch_or_keeps_the_remainder() -> None:
    assert check("TFD514", _remainder(256, 256, drop_remainder=True)) == []
    assert check("TFD514", _remainder(255, 256, drop_remainder=False)) == []


def test_tfd514_per_shard() -> None:
    f = one(
        check("TFD514", _remainder(125, 256, ("shard", {"num_shards": 8, "index": 0}), drop_remainder=True))
    )
    assert f.where == Where(step=3, call="batch(256, drop_remainder=True)")
    assert "per shard (`shard(8, 0)`)" in f.message


def test_tfd514_without_counts_from_a_probe_that_pulled_no_batch() -> None:
    empty = batch_facts(batches=0, elements=0, stopped="end")
    f = one(check("TFD514", audit(READ, batch(256, drop_remainder=True), batches=empty)))
    assert f.numbers == {"elements": None, "batch_size": 256}
    full = batch_facts(batches=3, stopped="end")
    assert check("TFD514", audit(READ, batch(256, drop_remainder=True), batches=full)) == []


# ---------------------------------------------------------------------------------------------
# TFD515 shuffled-zip-inputs


def _zip(main: Sequence[StepSpec], other: Sequence[StepSpec]) -> Facts:
    return audit(*main, ("zip", {"branches": [list(other)]}), batch(32))


IMAGES = ("source", {})
LABELS = ("source", {})


def test_tfd515_fires_on_one_input_shuffled_on_its_own() -> None:
    f = one(check("TFD515", _zip([IMAGES], [LABELS, shuffle(1000)])))
    assert (f.code, f.severity) == ("TFD515", Severity.ERROR)
    assert f.where == Where(step=2, call="zip(2 datasets)")
    assert f.numbers == {"inputs": 2, "shuffled_inputs": [2]}
    assert one(check("TFD515", _zip([IMAGES, shuffle(1000)], [LABELS]))).numbers["shuffled_inputs"] == [1]


def test_tfd515_fires_on_inputs_shuffled_independently() -> None:
    f = one(check("TFD515", _zip([IMAGES, shuffle(1000)], [LABELS, shuffle(1000)])))
    assert f.numbers == {"inputs": 2, "shuffled_inputs": [1, 2]}


def test_tfd515_silent_on_inputs_shuffled_alike() -> None:
    alike = shuffle(1000, seed=7, seed2=3)
    assert check("TFD515", _zip([IMAGES, alike], [LABELS, alike])) == []


def test_tfd515_silent_on_a_shuffle_of_the_pairs() -> None:
    facts = audit(IMAGES, ("zip", {"branches": [[LABELS]]}), shuffle(1000), batch(32))
    assert check("TFD515", facts) == []
