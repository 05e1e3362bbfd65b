"""Rule branches that survived scripts/mutation on the second fixed sample (mutants numbered
..5, issue 16), after the tests for the first (..0) were in: padded batches where the code
names batch, a merge by choose_from_datasets, seeds and cycle lengths, sequence sections,
keys read through value_key, constant counts before varying ones, outputs named by their
layer, training logs with NaN. Each firing case with its silent twin; the wording snapshot
compares message and fix."""

from __future__ import annotations

import math
from dataclasses import replace

from facts_builders import (
    PLAIN,
    audit,
    batch,
    batch_facts,
    check,
    counts,
    dataset,
    feature,
    images,
    label_order,
    numbers,
    one,
    pipeline_facts,
    shuffle,
    spec,
    spec_facts,
    tally,
    tensor,
    tfrecord,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import CountStats, DatasetStats, Facts, FeatureSpec, RandomOp, StepProbe
from tfdoctor.facts.model import ModelFacts, OutputFacts, TensorSpecFacts
from tfdoctor.facts.training import Curve, EpochFacts, NonFinite, TrainingFacts
from tfdoctor.findings import Severity, Where
from tfdoctor.rules._text import share
from tfdoctor.rules.compare._drift import js_divergence, linf_distance
from tfdoctor.rules.registry import Rule, fill

READ = ("read", {})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})
SPEC = "train.py:12 parse_fn"


def fixed(name: str, dtype: str, shape: tuple[int, ...] = (), **fields: object) -> FeatureSpec:
    return FeatureSpec(name, "FixedLenFeature", dtype, shape=shape, **fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Helpers of the registry and the texts


def test_share_of_nothing() -> None:
    assert share(0, 0) == "0 of 0 records (0.0%)"


def test_fill_writes_a_whole_float_without_its_point() -> None:
    assert fill("{drift_linf}", Thresholds(drift_linf=2.0)) == "2"
    assert fill("{drift_linf}", Thresholds(drift_linf=0.1)) == "0.1"


def test_sections_keep_a_line_ending_in_a_colon_that_is_no_heading() -> None:
    doc = "Summary.\n\nExample:\nfor x in ds:\n    pass\nFix:\nnothing\n"
    assert Rule("TFD998", "scratch", Severity.INFO, (), doc).sections() == {
        "Example": "for x in ds:\n    pass",
        "Fix": "nothing",
    }


def test_linf_distance_of_two_empty_sides_and_the_empty_histogram_message() -> None:
    assert linf_distance({}, {}) == ("", 0.0)
    from tfdoctor.facts.compare import Bucket, Histogram

    try:
        js_divergence(Histogram((Bucket(0, 1, 0.0),), 0.0), Histogram((Bucket(0, 1, 1.0),), 0.0))
    except ValueError as exc:
        assert str(exc) == "cannot normalise an empty histogram"
    else:  # pragma: no cover - the test fails here
        raise AssertionError("no ValueError")


# ---------------------------------------------------------------------------------------------
# TFD5xx: padded batches, choose_from_datasets, cycle_length=1, skips, probes


def test_tfd501_a_padded_batch_with_no_shuffle_before_it() -> None:
    f = one(check("TFD501", audit(READ, PARSE, batch(32, "padded_batch"))))
    assert f.where == Where(step=3, call="padded_batch(32)")


def test_tfd501_a_choose_from_datasets_of_inputs_not_all_shuffled() -> None:
    files = [
        ("source", {"files": ("a", "b")}),
        shuffle(2),
        ("interleave", {"reads_files": True, "cycle_length": 2}),
    ]
    choose = ("choose", {"op": "DirectedInterleaveDataset", "branches": [[READ]]})
    f = one(check("TFD501", audit(*files, choose, batch(32))))
    assert "takes inputs that are not all shuffled: some examples arrive in stored order." in f.message


def test_tfd501_an_interleave_of_one_file_at_a_time_mixes_nothing() -> None:
    sorted_labels = label_order({"0": 500, "1": 500})
    sources = dataset(feature("label", records=1000), order=sorted_labels)
    mixed = batch_facts(label_majority=(0.55,) * 8, label_classes=2)
    one_at_a_time = ("interleave", {"reads_files": True, "cycle_length": 1})
    f = one(
        check(
            "TFD501", audit(("source", {}), one_at_a_time, PARSE, batch(32), sources=sources, batches=mixed)
        )
    )
    assert f.severity == Severity.ERROR


def test_tfd502_a_shuffle_feeding_sample_from_datasets_is_not_judged_on_the_runs() -> None:
    runs = label_order({"0": 5_000, "1": 5_000}, runs=4, longest_run=2_500)
    sources = dataset(feature("label", records=10_000), order=runs)
    sample = ("sample", {"op": "DirectedInterleaveDataset", "branches": [[READ]]})
    assert check("TFD502", audit(READ, shuffle(100), sample, batch(32), sources=sources)) == []
    assert len(check("TFD502", audit(READ, shuffle(100), batch(32), sources=sources))) == 1


def test_tfd504_a_batch_size_of_zero_is_not_tiny() -> None:
    assert check("TFD504", audit(READ, batch(0))) == []
    assert one(check("TFD504", audit(READ, batch(1)))).where == Where(step=2, call="batch(1)")


def test_tfd513_a_padded_batch_measured_by_the_probe() -> None:
    probe = batch_facts(batches=3, stopped="end")
    f = one(check("TFD513", audit(READ, PARSE, batch(32, "padded_batch"), batches=probe)))
    assert f.where == Where(step=3, call="padded_batch(32)")


def test_tfd506_after_a_padded_batch_counts_batches() -> None:
    probe = StepProbe(4, elements_in=20, errors_dropped=1)
    f = one(
        check("TFD506", audit(READ, PARSE, batch(32, "padded_batch"), ("ignore_errors", {}), probes=[probe]))
    )
    assert "drop 1 of 20 batches" in f.message


def test_tfd511_a_skip_after_a_shuffle() -> None:
    f = one(check("TFD511", audit(READ, shuffle(1000), ("skip", {"count": 100}), batch(32))))
    assert f.numbers == {"shuffle_step": 2, "split_step": 3}


def test_tfd505_a_take_of_no_count_is_not_judged() -> None:
    assert check("TFD505", audit(READ, ("take", {}), ("repeat", {"count": -1}), records=1_000)) == []


def test_tfd510_the_fraction_kept_to_six_places() -> None:
    probes = [StepProbe(step=2, elements_in=300, elements_out=1)]
    f = one(check("TFD510", audit(READ, ("filter", {"function": "keep"}), probes=probes)))
    assert f.numbers == {"kept": 1, "input": 300, "fraction": 0.003333}


def test_tfd516_ignore_errors_that_dropped_an_unknown_number() -> None:
    probes = [StepProbe(3, first_error="Something odd happened")]
    f = one(check("TFD516", audit(READ, PARSE, ("ignore_errors", {}), batch(32), probes=probes)))
    assert f.message.startswith(
        "`ignore_errors()` (step 3 of 4) drops the elements that raise: Something odd"
    )


def test_tfd508_two_classes_and_no_label_path() -> None:
    probe = batch_facts(label_majority=(1.0,) * 8, label_classes=2)
    f = one(check("TFD508", audit(READ, PARSE, batch(32), batches=probe)))
    assert f.where == Where(tensor="label")
    assert f.numbers == {"batches": 8, "mean_majority": 1.0, "single_class": 8}


def test_tfd402_a_filter_with_a_seeded_random_op() -> None:
    seeded = RandomOp("RandomUniform", "keep", fixed=True, seed="op seed 42")
    f = one(
        check("TFD402", audit(READ, ("filter", {"function": "keep", "random_ops": (seeded,)}), batch(32)))
    )
    assert f.where == Where(step=2, call="filter(keep)")


# ---------------------------------------------------------------------------------------------
# TFD1xx in a pipeline


def files(*facts: object, records: int = 0) -> DatasetStats:
    return dataset(records=records, files=facts)  # type: ignore[arg-type]


def test_tfd103_an_error_at_byte_0_of_an_uncompressed_file_is_no_compression_mismatch() -> None:
    probe = batch_facts(batches=0, stopped="error", error="corrupted record at 0")
    assert (
        check(
            "TFD103",
            audit(
                READ, PARSE, batch(32), sources=files(tfrecord("a.tfrecord", 10), records=10), batches=probe
            ),
        )
        == []
    )


def test_tfd103_zlib_bytes_read_as_plain() -> None:
    zl = tfrecord("train.tfrecord", 10, compression_detected="zlib")
    read = ("read", {"compression_type": ""})
    f = one(check("TFD103", audit(read, PARSE, batch(32), sources=files(zl, records=10))))
    assert f.fix is not None and f.fix.text == "Pass compression_type='ZLIB' to tf.data.TFRecordDataset."


def test_tfd102_a_truncated_record_the_scan_did_not_reach() -> None:
    probe = batch_facts(batches=2, stopped="error", error="truncated record at 297' failed")
    f = one(
        check(
            "TFD102",
            audit(
                READ, PARSE, batch(32), sources=files(tfrecord("a.tfrecord", 10), records=10), batches=probe
            ),
        )
    )
    assert f.numbers == {"offset": 297, "batches_before_error": 2}


def test_tfd105_files_with_no_records_and_a_probe_that_ended_say_it_once() -> None:
    empty = batch_facts(batches=0, elements=0, stopped="end")
    found = check(
        "TFD105", audit(READ, PARSE, batch(32), sources=files(tfrecord("train.tfrecord", 0)), batches=empty)
    )
    assert [f.numbers for f in found] == [{"files": 1, "records": 0, "batches": 0}]


# ---------------------------------------------------------------------------------------------
# TFD2xx: sequence keys, value_key, FixedLenSequence rows, constant counts, several entries


def test_tfd201_a_misspelt_sequence_key_names_the_stored_one() -> None:
    entry = FeatureSpec("framez", "VarLenFeature", "int64", section="sequence")
    data = dataset(feature("frames", section="sequence"), sequence_examples=100)
    f = one(check("TFD201", spec_facts(spec(entry), data, tally(entry, problems={"missing": 100}))))
    assert f.numbers["closest"] == "frames"


def test_tfd201_a_missing_sequence_key_read_as_fixed_length_fails() -> None:
    entry = FeatureSpec("frames", "FixedLenSequenceFeature", "int64", section="sequence", shape=(2,))
    data = dataset(feature("audio", "float", section="sequence"), sequence_examples=100)
    f = one(check("TFD201", spec_facts(spec(entry), data, tally(entry, problems={"missing": 100}))))
    assert f.numbers == {"records": 100, "missing": 100, "closest": None, "parse_fails": True}


def test_tfd201_rows_wider_than_every_stored_count_are_no_guess() -> None:
    entry = FeatureSpec("xyzz", "FixedLenSequenceFeature", "float32", shape=(3,), allow_missing=True)
    data = dataset(feature("xyz", "float", values=counts(1, 2)))
    f = one(check("TFD201", spec_facts(spec(entry), data, tally(entry, problems={"missing": 100}))))
    assert f.numbers["closest"] is None


def test_tfd201_keys_alike_only_in_their_shared_parts_are_no_guess() -> None:
    entry = fixed("img/obj/ab", "int64")
    f = one(
        check(
            "TFD201",
            spec_facts(spec(entry), dataset(feature("img/obj/cd")), tally(entry, problems={"missing": 100})),
        )
    )
    assert f.numbers["closest"] is None


def test_tfd201_a_misspelt_value_key_is_renamed_in_the_fix() -> None:
    entry = FeatureSpec("image", "FixedLenFeature", "string", value_key="imaeg")
    data = dataset(feature("image", "bytes"))
    f = one(check("TFD201", spec_facts(spec(entry), data, tally(entry, problems={"missing": 100}))))
    assert (
        f.fix is not None
        and f.fix.text == "Read the stored key: 'image': tf.io.FixedLenFeature([], tf.string),"
    )


def test_tfd201_a_key_missing_from_the_one_record() -> None:
    entry = fixed("weight", "float32")
    data = dataset(feature("x", records=1))
    assert (
        one(
            check("TFD201", spec_facts(spec(entry), data, tally(entry, records=1, problems={"missing": 1})))
        ).numbers["records"]
        == 1
    )


def test_tfd202_a_float64_entry_over_stored_floats() -> None:
    entry = fixed("x", "float64")
    f = one(check("TFD202", spec_facts(spec(entry), dataset(feature("x", "float")), tally(entry))))
    assert f.fix is not None and f.fix.text.startswith("'x': tf.io.FixedLenFeature([], tf.float32),")


def test_tfd202_an_entry_after_one_that_reads_its_kind() -> None:
    a, x = fixed("a", "int64"), fixed("x", "float32")
    t = tally(x, problems={"kind:int64": 5})
    f = one(
        check("TFD202", spec_facts(spec(a, x), dataset(feature("a"), feature("x", "float")), tally(a), t))
    )
    assert f.where.feature == "x"


def test_tfd203_a_shape_after_a_sparse_feature() -> None:
    sparse = FeatureSpec("sp", "SparseFeature", "float32", shape=(10,), value_key="vals", index_keys=("idx",))
    pixels = fixed("pixels", "float32")
    data = dataset(feature("vals", "float"), feature("idx"), feature("pixels", "float", values=counts(784)))
    t = tally(pixels, problems={"count": 100}, bad_counts={784: 100})
    found = check("TFD203", spec_facts(spec(sparse, pixels), data, tally(sparse.reads()[1]), t))
    assert [f.where.feature for f in found] == ["pixels"]


def test_tfd209_silent_without_a_record_of_another_count() -> None:
    entry = fixed("tokens", "int64", (3,))
    assert (
        check(
            "TFD209", spec_facts(spec(entry), dataset(feature("tokens", values=counts(1, 12))), tally(entry))
        )
        == []
    )


def test_tfd209_an_entry_after_one_of_a_single_stored_count_and_no_median() -> None:
    pixels, tokens = fixed("pixels", "float32"), fixed("tokens", "int64", (3,))
    spread = CountStats(min=1, max=12, mean=6.5, quantiles={})
    data = dataset(feature("pixels", "float", values=counts(784)), feature("tokens", values=spread))
    t1 = tally(pixels, problems={"count": 100}, bad_counts={784: 100})
    t2 = tally(tokens, problems={"count": 80}, bad_counts={1: 80})
    f = one(check("TFD209", spec_facts(spec(pixels, tokens), data, t1, t2)))
    assert f.message.startswith("'tokens' holds 1 to 12 values per record, but")


def test_tfd205_an_unread_sequence_feature_and_features_after_an_unset_one() -> None:
    entry = FeatureSpec("frames", "VarLenFeature", "int64", section="sequence")
    data = dataset(
        feature("frames", section="sequence"),
        feature("audio", "float", section="sequence"),
        sequence_examples=100,
    )
    f = one(check("TFD205", spec_facts(spec(entry), data)))
    assert f.where == Where(spec=SPEC, feature="sequence:audio")
    hollow = feature("note", "unset", with_values=0, kinds={"unset": 100})
    f = one(
        check(
            "TFD205",
            spec_facts(
                spec(fixed("image", "string")), dataset(hollow, feature("image", "bytes"), feature("id"))
            ),
        )
    )
    assert f.where == Where(spec=SPEC, feature="id")


def test_tfd205_a_stored_key_the_spec_reads_is_not_the_missing_one() -> None:
    data = dataset(feature("label"), feature("labels"))
    f = one(check("TFD205", spec_facts(spec(fixed("labels", "int64")), data)))
    assert f.message == "'label' (int64, in 100 of 100 records) is never read by the spec."


def test_tfd206_a_constant_feature_after_a_varying_one() -> None:
    f = one(check("TFD206", Facts(dataset=dataset(feature("a"), feature("c", records=100, constant="0")))))
    assert f.where.feature == "c"


# ---------------------------------------------------------------------------------------------
# TFD7xx: dict inputs by name, unbatched elements, dtypes, labels named by layer


IMAGE_IN = TensorSpecFacts("image", (None, 28, 28, 1), "float32")


def output(
    name: str = "probs", units: int = 10, activation: str = "softmax", loss: str | None = None, **kw: object
) -> OutputFacts:
    fields: dict[str, object] = {"layer": name, "activation_layer": name} | kw
    return OutputFacts(name, (None, units), activation=activation, loss=loss, **fields)  # type: ignore[arg-type]


def model(*outputs: OutputFacts, inputs: tuple[TensorSpecFacts, ...] = (IMAGE_IN,)) -> ModelFacts:
    outs = outputs or (output(loss="sparse_categorical_crossentropy"),)
    return ModelFacts("cnn", inputs=inputs, outputs=outs, compiled=any(o.loss for o in outs))


def fed(m: ModelFacts, *tensors: object, pipeline: object = None) -> Facts:
    return Facts(pipeline=pipeline or pipeline_facts(PLAIN), batches=batch_facts(*tensors), model=m)  # type: ignore[arg-type]


def test_tfd701_dict_leaves_meet_inputs_by_name() -> None:
    two = (TensorSpecFacts("a", (None, 4), "float32"), TensorSpecFacts("b", (None, 8), "float32"))
    f = one(check("TFD701", fed(model(inputs=two), tensor("a", shape=(32, 5)), tensor("b", shape=(32, 8)))))
    assert f.where == Where(tensor="a", layer="a")
    other = (TensorSpecFacts("x", (None, 4), "float32"), TensorSpecFacts("y", (None, 8), "float32"))
    assert (
        check("TFD701", fed(model(inputs=other), tensor("a", shape=(32, 5)), tensor("b", shape=(32, 8))))
        == []
    )


def test_tfd701_unbatched_elements_of_the_input_rank_need_another_shape() -> None:
    unbatched = pipeline_facts([READ, PARSE])
    f = one(
        check(
            "TFD701",
            fed(
                model(),
                tensor("[0]", shape=(32, 28, 28, 3)),
                tensor("[1]", "int64"),
                pipeline=unbatched,
            ),
        )
    )
    assert f.fix is not None and f.fix.text.startswith("Make the pipeline yield (None, 28, 28, 1)")


def test_tfd702_str_is_a_string_and_half_a_float() -> None:
    f = one(check("TFD702", fed(model(), tensor("[0]", "str", (32, 28, 28, 1)), tensor("[1]", "int64"))))
    assert f.severity == Severity.ERROR
    assert check("TFD702", fed(model(), tensor("[0]", "half", (32, 28, 28, 1)), tensor("[1]", "int64"))) == []


def ids(high: float, shape: tuple[int, ...] = (32,), integral: bool = True, dtype: str = "int64") -> object:
    return tensor("[1]", dtype, shape, min=0.0, max=high, integral=integral)


def test_tfd704_float_labels_and_rows_of_values_are_no_class_ids() -> None:
    images_in = tensor("[0]", shape=(32, 28, 28, 1))
    assert check("TFD704", fed(model(), images_in, ids(12.5, integral=False, dtype="float32"))) == []
    assert check("TFD704", fed(model(), images_in, ids(12, shape=(32, 10)))) == []
    f = one(check("TFD704", fed(model(), images_in, ids(12, shape=(32, 1)))))
    assert f.numbers["max"] == 12


def test_tfd704_named_by_the_output_layer_and_a_single_sparse_unit_is_not_judged() -> None:
    images_in = tensor("[0]", shape=(32, 28, 28, 1))
    by_layer = model(
        output("probs", loss="sparse_categorical_crossentropy", activation_layer=None, layer="dense_1")
    )
    assert one(check("TFD704", fed(by_layer, images_in, ids(12)))).where == Where(
        tensor="[1]", layer="dense_1"
    )
    single = model(output("p", units=1, loss="sparse_categorical_crossentropy"))
    assert check("TFD704", fed(single, images_in, ids(1))) == []


# ---------------------------------------------------------------------------------------------
# TFD21x: kinds that differ, images on one side, an unset feature, sequence counts


def values(name: str, kept: dict[str, int], kind: str = "bytes") -> object:
    total = sum(kept.values())
    f = feature(name, kind, records=total)
    return replace(f, top_values=tuple(kept.items()), total_values=total, distinct_estimate=len(kept))


def spread(name: str, low: float, high: float, kind: str = "float") -> object:
    step = (high - low) / 100
    q = {"min": low, "q25": low + 25 * step, "q50": low + 50 * step, "q75": low + 75 * step, "max": high}
    return feature(
        name, kind, records=1000, numeric=replace(numbers(count=1000, low=low, high=high), quantiles=q)
    )


def compared(train: object, evals: object) -> Facts:
    from tfdoctor.facts import ComparedStats

    return Facts(compared=ComparedStats(dataset(train), dataset(evals)))  # type: ignore[arg-type]


def test_tfd211_features_of_another_kind_are_tfd210s() -> None:
    assert check("TFD211", compared(spread("x", 0, 1), spread("x", 100, 200, "int64"))) == []


def test_tfd211_encoded_images_on_one_side_are_no_categorical_values() -> None:
    img = replace(values("img", {"a": 50, "b": 50}), bytes=images({"28x28x1": 100}))
    assert check("TFD211", compared(img, values("img", {"c": 100}))) == []


def test_tfd211_a_constant_training_side_and_a_ratio_near_one_255th() -> None:
    f = one(check("TFD211", compared(spread("x", 5, 5), spread("x", 0, 10))))
    assert "scale" not in f.numbers
    near = one(check("TFD211", compared(spread("x", 0, 1000), spread("x", 0, 4.3))))
    assert near.numbers["scale"] == 0.0043


def test_tfd210_an_unset_feature_and_no_rename_of_another_kind() -> None:
    unset = feature("note", "unset", with_values=0, kinds={"unset": 100})
    note = check("TFD210", compared(unset, feature("other_label")))[0]
    assert note.message.startswith("'note' (no values) is in the training data")
    train = dataset(feature("label"), feature("weight", "float"))
    evals = dataset(feature("label"), feature("tag", "bytes"))
    from tfdoctor.facts import ComparedStats

    found = check("TFD210", Facts(compared=ComparedStats(train, evals)))
    assert [f.numbers for f in found] == [
        {"train_records": 100, "eval_records": 0},
        {"train_records": 0, "eval_records": 100},
    ]


def test_tfd210_sequence_counts_are_not_fixed_lengths() -> None:
    a = feature("frames", section="sequence", values=counts(3))
    b = feature("frames", section="sequence", values=counts(1, 5))
    assert check("TFD210", compared(a, b)) == []


def test_tfd210_lists_three_new_sizes() -> None:
    train = feature("image", "bytes", image=images({"28x28x1": 100}))
    evals = feature(
        "image", "bytes", image=images({"32x32x1": 40, "48x48x1": 30, "64x64x1": 20, "96x96x1": 10})
    )
    f = one(check("TFD210", compared(train, evals)))
    assert "32x32 (40), 48x48 (30), 64x64 (20)" in f.message and "96x96" not in f.message


# ---------------------------------------------------------------------------------------------
# TFD301 and TFD601 on the scan and the probe


def test_tfd301_sizes_summed_over_channels() -> None:
    scan = dataset(feature("image", "bytes", image=images({"28x28x1": 60, "28x28x3": 20, "32x32x1": 20})))
    assert one(check("TFD301", Facts(dataset=scan))).numbers["sizes"] == {"28x28": 80, "32x32": 20}


def test_tfd301_a_slice_alone_is_no_resize_and_a_later_ensure_shape_is_named() -> None:
    scan = dataset(feature("image", "bytes", image=images({"28x28x1": 60, "32x32x1": 40})))
    sliced = ("map", {"function": "decode", "ops": ("DecodePng", "Slice")})
    f = one(check("TFD301", audit(READ, sliced, batch(32), sources=scan)))
    assert (f.severity, f.where.step) == (Severity.WARNING, 2)
    ensure = ("map", {"function": "fix", "ops": ("EnsureShape",)})
    f = one(
        check(
            "TFD301",
            audit(
                READ, ("map", {"function": "decode", "ops": ("DecodePng",)}), ensure, batch(32), sources=scan
            ),
        )
    )
    assert f.where.step == 3


def test_tfd601_a_nested_leaf_named_by_its_last_part() -> None:
    flag = tensor("[0].meta.flag", "int64", (32,), constant=True, min=1.0, max=1.0, mean=1.0)
    sources = dataset(feature("flag", constant="1"))
    facts = Facts(
        pipeline=pipeline_facts(PLAIN, sources=sources), batches=batch_facts(flag, tensor("[1]", "int64"))
    )
    assert one(check("TFD601", facts)).severity == Severity.INFO


# ---------------------------------------------------------------------------------------------
# TFD8xx: two windows, no last finite loss, a fixed accuracy, NaN validation


def epochs(**series: list[float]) -> tuple[EpochFacts, ...]:
    n = len(next(iter(series.values())))
    return tuple(EpochFacts(e + 1, {k: v[e] for k, v in series.items()}) for e in range(n))


def test_tfd801_two_windows_are_enough() -> None:
    facts = TrainingFacts(steps=40, window=20, loss=Curve((20, 40), (2.0, 2.0)))
    assert (
        one(check("TFD801", Facts(training=facts), Thresholds(watch_steps=20, flat_loss_steps=40))).numbers[
            "steps"
        ]
        == 40
    )


def test_tfd805_without_a_finite_loss_before() -> None:
    facts = TrainingFacts(epochs=epochs(loss=[math.nan]), non_finite=NonFinite(None, 1, None, math.nan))
    assert one(check("TFD805", Facts(training=facts))).message.startswith(
        "the loss became nan at epoch 1: every"
    )


def test_tfd804_the_last_accuracy_of_a_fixed_rate() -> None:
    facts = TrainingFacts(epochs=epochs(loss=[0.4, 0.35, 0.3], accuracy=[0.9, 0.90002, 0.90005]))
    assert one(check("TFD804", Facts(training=facts))).numbers["accuracy"] == 0.90005


def test_tfd806_silent_on_a_nan_validation_loss_and_the_range_of_a_moving_one() -> None:
    nan = TrainingFacts(epochs=epochs(loss=[1.4, 1.2, 1.0], val_loss=[1.3, math.nan, 1.3]))
    assert check("TFD806", Facts(training=nan)) == []
    fixed_rate = TrainingFacts(
        epochs=epochs(loss=[1.4, 1.2, 1.0], val_loss=[1.0, 0.5, 0.9], val_accuracy=[0.5, 0.5, 0.5])
    )
    f = one(check("TFD806", Facts(training=fixed_rate)))
    assert "(val_loss 1 to 0.9)" in f.message
