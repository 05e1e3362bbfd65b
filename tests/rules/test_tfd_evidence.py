"""Severity follows evidence (issue 10): correct public pipelines (BERT, TPU ResNet, object
detection decoders, Keras examples) must not get errors or warnings for conventions. Each
rule is an error or a warning only where the facts show the cause, and info (or silent) for
what is constant, optional or mixed by design. On hand-made facts, like the other modules
here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from facts_builders import (
    StepSpec,
    batch_facts,
    check,
    counts,
    dataset,
    feature,
    image_tensor,
    images,
    label_order,
    one,
    pipeline_facts,
    spec,
    spec_facts,
    tally,
    tensor,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import (
    BatchFacts,
    DatasetStats,
    Facts,
    FeatureSpec,
    FeatureStats,
    ParseSpec,
    Read,
    ReadTally,
)
from tfdoctor.findings import Severity, Where

SPEC = "train.py:12 parse_fn"


def fixed(name: str, dtype: str, shape: tuple[int, ...] = (), default: object = None) -> FeatureSpec:
    return FeatureSpec(name, "FixedLenFeature", dtype, shape=shape, default=default)


def varlen(name: str, dtype: str) -> FeatureSpec:
    return FeatureSpec(name, "VarLenFeature", dtype)


def at(name: str) -> Where:
    return Where(spec=SPEC, feature=name)


def audit(
    description: Sequence[StepSpec],
    batches: BatchFacts | None = None,
    sources: DatasetStats | None = None,
    records: int | None = None,
    parse: ParseSpec | None = None,
) -> Facts:
    """A pipeline of these steps; `parse` is the parse spec inside its step 2."""
    facts = pipeline_facts(description, sources=sources, records=records)
    if parse is not None:
        chain = tuple(replace(s, parse_specs=(parse,)) if s.index == 2 else s for s in facts.pipeline.steps)
        facts = replace(facts, pipeline=replace(facts.pipeline, steps=chain))
    return Facts(pipeline=facts, batches=batches)


# ---------------------------------------------------------------------------------------------
# TFD206 constant-feature: a warning for the label and for what a spec reads, else info


def scanned(*features: FeatureStats, label: str | None = None, reads: Sequence[str] = ()) -> Facts:
    """A scan whose checked specs read these keys (a tally per key, as the scan makes them)."""
    tallies = [ReadTally(Read(key, "features", None), records=100, present=100) for key in reads]
    return Facts(dataset=dataset(*features, label=label, reads=tallies))


FORMAT = feature("image/format", "bytes", constant="jpeg")
COLORSPACE = feature("image/colorspace", "bytes", constant="RGB")
DIFFICULT = feature("image/object/difficult", values=counts(0, 4), constant="0")


def test_tfd206_constants_nothing_reads_are_info() -> None:
    facts = scanned(FORMAT, COLORSPACE, DIFFICULT, feature("image/encoded", "bytes"), reads=["image/encoded"])
    found = {f.where.feature: f for f in check("TFD206", facts)}
    assert {name: f.severity for name, f in found.items()} == {
        "image/colorspace": Severity.INFO,
        "image/format": Severity.INFO,
        "image/object/difficult": Severity.INFO,
    }
    assert "No checked parse spec reads it" in found["image/format"].message


def test_tfd206_a_constant_number_the_spec_reads_is_a_warning() -> None:
    height = feature("image/height", constant="224")
    f = one(check("TFD206", scanned(height, reads=["image/height"])))
    assert (f.severity, f.where) == (Severity.WARNING, Where(feature="image/height"))
    assert f.numbers == {"records": 100, "value": "224", "is_label": False}
    assert f.message == "'image/height' has the single value '224' in all 100 records that hold it."


def test_tfd206_a_constant_string_the_spec_reads_is_metadata_info() -> None:
    """Object-detection and slim decoders read `image/format` to pick the decoder: it is 'jpeg'
    in every record of a JPEG dataset, by design."""
    f = one(check("TFD206", scanned(FORMAT, reads=["image/format"])))
    assert (f.severity, f.where) == (Severity.INFO, Where(feature="image/format"))
    assert "metadata" in f.message


def test_tfd206_a_constant_label_is_a_warning_whatever_reads_it() -> None:
    label = feature("label", constant="0")
    f = one(check("TFD206", scanned(label, feature("x", "float"), label="label", reads=["x"])))
    assert (f.severity, f.numbers["is_label"]) == (Severity.WARNING, True)
    assert "only learn a constant" in f.message


def test_tfd206_without_a_spec_a_constant_that_is_not_the_label_is_info() -> None:
    f = one(check("TFD206", scanned(FORMAT)))
    assert f.severity == Severity.INFO
    assert "No parse spec was given" in f.message


def test_tfd206_prints_a_constant_vector_as_the_vector() -> None:
    size = feature("size", values=counts(2), constant="192")
    f = one(check("TFD206", scanned(size, reads=["size"])))
    assert "the same 2 values [192, 192] in all 100 records" in f.message
    assert "single value" not in f.message
    long = feature("pad", values=counts(128), constant="0")
    assert "the same 128 values [0, 0, 0, 0, ...]" in one(check("TFD206", scanned(long))).message


def test_tfd206_where_the_count_varies_says_every_value() -> None:
    boxes = feature("flags", values=counts(1, 5), constant="7")
    f = one(check("TFD206", scanned(boxes)))
    assert "holds 1 to 5 values per record and every value is 7," in f.message


# ---------------------------------------------------------------------------------------------
# TFD601 constant-tensor: an error only where the cause shows


def probed(*tensors: object, label_path: str | None = None) -> BatchFacts:
    return batch_facts(*tensors, label_path=label_path)  # type: ignore[arg-type]


PARSE_DEFAULT = ParseSpec(
    (fixed("weight", "float32", default=1.0), fixed("note", "string", default=b"")), name="parse"
)
PIPELINE: list[StepSpec] = [("read", {}), ("map", {"function": "parse"}), ("batch", {"batch_size": 32})]


def test_tfd601_a_parse_default_is_a_cause_an_error() -> None:
    weight = tensor("weight", constant=True, min=1.0, max=1.0, mean=1.0)
    f = one(check("TFD601", audit(PIPELINE, probed(weight, image_tensor()), parse=PARSE_DEFAULT)))
    assert (f.severity, f.where) == (Severity.ERROR, Where(tensor="weight"))
    assert "default_value=1.0 of 'weight'" in f.message and "`map(parse)` (step 2)" in f.message


def test_tfd601_a_string_default_of_a_key_no_record_holds_is_an_error() -> None:
    note = tensor("note", "string", constant=True)
    sources = dataset(feature("weight", "float"))  # no record holds 'note'
    f = one(check("TFD601", audit(PIPELINE, probed(note), sources, parse=PARSE_DEFAULT)))
    assert f.severity == Severity.ERROR and "default_value=b'' of 'note'" in f.message


def test_tfd601_a_value_other_than_the_default_is_a_warning() -> None:
    weight = tensor("weight", constant=True, min=2.0, max=2.0, mean=2.0)
    f = one(check("TFD601", audit(PIPELINE, probed(weight), parse=PARSE_DEFAULT)))
    assert f.severity == Severity.WARNING
    assert f.message == "'weight' holds the same value (2) in every element of 5 batches."


def test_tfd601_all_zero_images_are_an_error() -> None:
    blank = image_tensor(low=0.0, high=0.0, constant=True, blank_images=160)
    f = one(check("TFD601", audit(PIPELINE, probed(blank))))
    assert f.severity == Severity.ERROR and "all-zero images" in f.message


def test_tfd601_a_shape_tensor_is_info() -> None:
    image = tensor("image", shape=(32, 300, 300, 3), image_like=True)
    shape = tensor("true_image_shape", "int32", (32, 3), constant=True, min=3.0, max=300.0, mean=201.0)
    spatial = tensor("original_size", "int64", (32, 2), constant=True, min=300.0, max=300.0, mean=300.0)
    found = {f.where.tensor: f for f in check("TFD601", audit(PIPELINE, probed(image, shape, spatial)))}
    assert {name: f.severity for name, f in found.items()} == {
        "original_size": Severity.INFO,
        "true_image_shape": Severity.INFO,
    }
    message = found["true_image_shape"].message
    assert "the shape of 'image'" in message and "(values 3 to 300)" in message


def test_tfd601_a_vector_that_is_no_shape_is_a_warning() -> None:
    image = tensor("image", shape=(32, 300, 300, 3), image_like=True)
    other = tensor("anchors", "int32", (32, 3), constant=True, min=3.0, max=299.0, mean=200.0)
    assert one(check("TFD601", audit(PIPELINE, probed(image, other)))).severity == Severity.WARNING


def test_tfd601_a_constant_the_files_store_is_info_naming_tfd206() -> None:
    flag = tensor("[0].is_real_example", "int64", constant=True, min=1.0, max=1.0, mean=1.0)
    sources = dataset(feature("is_real_example", constant="1"), feature("label_ids"))
    f = one(check("TFD601", audit(PIPELINE, probed(flag, tensor("[1]", "int64")), sources)))
    assert (f.severity, f.where) == (Severity.INFO, Where(tensor="[0].is_real_example"))
    assert "TFD206" in f.message and "'is_real_example'" in f.message


def test_tfd601_the_label_stays_an_error_even_when_the_files_store_it_constant() -> None:
    label = tensor("label", "int64", constant=True, min=0.0, max=0.0)
    sources = dataset(feature("label", constant="0"))
    f = one(check("TFD601", audit(PIPELINE, probed(label, label_path="label"), sources)))
    assert f.severity == Severity.ERROR and "It is the label" in f.message


# ---------------------------------------------------------------------------------------------
# TFD301 / TFD304 in a pipeline: info where the pipeline resizes and fixes channels= first

MIXED_SIZES = dataset(feature("image/encoded", "bytes", image=images({"375x500x3": 60, "333x500x3": 40})))
MIXED_CHANNELS = dataset(feature("image/encoded", "bytes", image=images({"224x224x3": 95, "224x224x1": 5})))


def decode_map(*ops: str, channels: int = 3) -> StepSpec:
    return ("map", {"function": "preprocess", "ops": ("DecodeJpeg", *ops), "decode_channels": (channels,)})


def test_tfd301_a_scan_with_no_pipeline_says_info() -> None:
    """Mixed sizes are normal in photo datasets; only the pipeline's audit shows whether they
    meet a reshape (a warning) or a resize (info)."""
    f = one(check("TFD301", Facts(dataset=MIXED_SIZES)))
    assert (f.severity, f.where) == (Severity.INFO, Where(feature="image/encoded"))
    assert "`tfdoctor pipeline` judges it" in f.message


def test_tfd301_a_pipeline_that_resizes_before_batching_is_info() -> None:
    for ops in (("ResizeBilinear",), ("ScaleAndTranslate",), ("CropAndResize",), ("Slice", "Pad")):
        description: list[StepSpec] = [("read", {}), decode_map(*ops), ("batch", {"batch_size": 32})]
        f = one(check("TFD301", audit(description, sources=MIXED_SIZES)))
        assert (f.severity, f.where) == (
            Severity.INFO,
            Where(feature="image/encoded", step=2, call="map(preprocess)"),
        ), ops
        assert f.numbers == {"sizes": {"375x500": 60, "333x500": 40}, "other": 0, "images": 100}
        assert "resizes them before batching" in f.message


def test_tfd301_a_reshape_without_a_resize_stays_a_warning() -> None:
    for op in ("Reshape", "EnsureShape"):
        description: list[StepSpec] = [("read", {}), decode_map(op), ("batch", {"batch_size": 32})]
        f = one(check("TFD301", audit(description, sources=MIXED_SIZES)))
        assert (f.severity, f.where.step) == (Severity.WARNING, 2)
        assert "without resizing" in f.message


def test_tfd301_a_resize_after_the_batch_does_not_count() -> None:
    description: list[StepSpec] = [
        ("read", {}),
        decode_map("Reshape"),
        ("batch", {"batch_size": 32}),
        decode_map("ResizeBilinear"),
    ]
    assert one(check("TFD301", audit(description, sources=MIXED_SIZES))).severity == Severity.WARNING


def test_tfd301_padded_batch_or_no_decode_is_info() -> None:
    padded: list[StepSpec] = [("read", {}), decode_map(), ("padded_batch", {"batch_size": 8})]
    assert one(check("TFD301", audit(padded, sources=MIXED_SIZES))).severity == Severity.INFO
    undecoded: list[StepSpec] = [("read", {}), ("map", {"function": "parse"}), ("batch", {"batch_size": 8})]
    f = one(check("TFD301", audit(undecoded, sources=MIXED_SIZES)))
    assert f.severity == Severity.INFO and "decodes no image" in f.message


def test_tfd301_silent_where_tfd302_explains_the_failure_or_every_record_batched() -> None:
    description: list[StepSpec] = [("read", {}), decode_map("Reshape"), ("batch", {"batch_size": 32})]
    failed = batch_facts(
        error="Input to reshape is a tensor with 3072 values, but the requested shape has 784"
    )
    assert check("TFD301", audit(description, failed, MIXED_SIZES)) == []
    every = batch_facts(batches=4, batch_size=25)  # 100 elements of the 100 records, no error
    assert check("TFD301", audit(description, every, MIXED_SIZES, records=100)) == []


def test_tfd304_a_scan_with_no_pipeline_says_warning() -> None:
    f = one(check("TFD304", Facts(dataset=MIXED_CHANNELS)))
    assert f.severity == Severity.WARNING and f.numbers == {"channels": {"3": 95, "1": 5}}


def test_tfd304_a_decode_that_fixes_channels_is_info() -> None:
    description: list[StepSpec] = [("read", {}), decode_map("ResizeBilinear"), ("batch", {"batch_size": 32})]
    f = one(check("TFD304", audit(description, sources=MIXED_CHANNELS)))
    assert (f.severity, f.where) == (
        Severity.INFO,
        Where(feature="image/encoded", step=2, call="map(preprocess)"),
    )
    assert "with channels=3" in f.message


def test_tfd304_a_decode_without_channels_stays_a_warning() -> None:
    description: list[StepSpec] = [
        ("read", {}),
        decode_map("ResizeBilinear", channels=0),
        ("batch", {"batch_size": 32}),
    ]
    f = one(check("TFD304", audit(description, sources=MIXED_CHANNELS)))
    assert (f.severity, f.where.step) == (Severity.WARNING, 2)
    assert "without `channels=`" in f.message


# ---------------------------------------------------------------------------------------------
# TFD201 missing-feature: optional keys are info, typos and required keys errors

DETECTION = dataset(
    feature("image/encoded", "bytes"),
    feature("image/object/bbox/xmin", "float", values=counts(0, 9)),
    feature("image/object/class/text", "bytes", values=counts(0, 9)),
    feature("image/object/class/label", values=counts(0, 9)),
)


def test_tfd201_an_optional_key_read_as_varlen_that_no_record_holds_is_info() -> None:
    area = varlen("image/object/area", "float32")
    f = one(check("TFD201", spec_facts(spec(area), DETECTION, tally(area, problems={"missing": 100}))))
    assert (f.severity, f.where) == (Severity.INFO, at("image/object/area"))
    assert f.numbers == {"records": 100, "missing": 100, "closest": None, "parse_fails": False}
    assert "always empty" in f.message and "Did you mean" not in f.message


def test_tfd201_an_optional_key_with_a_default_that_no_record_holds_is_info() -> None:
    difficult = fixed("image/object/difficult", "int64", default=0)
    t = tally(difficult, problems={"missing": 100})
    f = one(check("TFD201", spec_facts(spec(difficult), DETECTION, t)))
    assert f.severity == Severity.INFO
    assert "never present: default_value=0 fills all 100 records" in f.message


def test_tfd201_a_required_key_no_record_holds_is_an_error() -> None:
    source_id = fixed("image/source_id", "string")
    f = one(
        check("TFD201", spec_facts(spec(source_id), DETECTION, tally(source_id, problems={"missing": 100})))
    )
    assert f.severity == Severity.ERROR and f.numbers["parse_fails"] is True


def test_tfd201_the_label_with_a_default_is_an_error() -> None:
    label = fixed("label", "int64", default=0)
    data = dataset(feature("image", "bytes"))
    requested = replace(data, label_requested="label")  # --label label
    f = one(check("TFD201", spec_facts(spec(label), requested, tally(label, problems={"missing": 100}))))
    assert f.severity == Severity.ERROR and "it is the label" in f.message


def test_tfd201_the_label_the_probe_found_is_an_error() -> None:
    label = fixed("y", "string", default=b"none")
    facts = spec_facts(spec(label), dataset(feature("x", "bytes")), tally(label, problems={"missing": 100}))
    assert one(check("TFD201", facts)).severity == Severity.INFO
    with_probe = Facts(specs=facts.specs, batches=batch_facts(label_path="y"))
    assert one(check("TFD201", with_probe)).severity == Severity.ERROR


def test_tfd201_a_near_match_of_another_kind_is_no_typo() -> None:
    area = fixed("image/object/class/txt", "float32", default=0.0)  # the stored 'text' is bytes
    t = tally(area, problems={"missing": 100})
    f = one(check("TFD201", spec_facts(spec(area), DETECTION, t)))
    assert (f.severity, f.numbers["closest"]) == (Severity.INFO, None)


def test_tfd201_a_near_match_of_the_same_kind_is_a_typo_an_error() -> None:
    label = varlen("image/object/class/lable", "int64")
    f = one(check("TFD201", spec_facts(spec(label), DETECTION, tally(label, problems={"missing": 100}))))
    assert (f.severity, f.numbers["closest"]) == (Severity.ERROR, "image/object/class/label")
    assert "Did you mean 'image/object/class/label'?" in f.message


def test_tfd201_did_you_mean_needs_a_count_the_entry_can_read() -> None:
    size = fixed("sizes", "int64", (2,), default=[0, 0])
    data = dataset(feature("size", values=counts(3)))  # three values in every record
    f = one(check("TFD201", spec_facts(spec(size), data, tally(size, problems={"missing": 100}))))
    assert (f.severity, f.numbers["closest"]) == (Severity.INFO, None)
    fits = dataset(feature("size", values=counts(2)))
    assert (
        one(check("TFD201", spec_facts(spec(size), fits, tally(size, problems={"missing": 100})))).numbers[
            "closest"
        ]
        == "size"
    )


def test_tfd201_a_key_that_is_the_last_part_of_a_stored_key_is_proposed() -> None:
    label = fixed("label", "int64", default=0)
    data = dataset(feature("image/class/label"), feature("image/encoded", "bytes"))
    f = one(check("TFD201", spec_facts(spec(label), data, tally(label, problems={"missing": 100}))))
    assert (f.severity, f.numbers["closest"]) == (Severity.ERROR, "image/class/label")


# ---------------------------------------------------------------------------------------------
# TFD208 label-imbalance: conventions are not imbalance


def labels(classes: dict[str, int]) -> Facts:
    return Facts(dataset=dataset(feature("label", records=sum(classes.values())), order=label_order(classes)))


def test_tfd208_labels_from_1_keep_0_for_the_background() -> None:
    assert check("TFD208", labels({str(c): 100 for c in range(1, 21)})) == []
    f = one(check("TFD208", labels({str(c): 100 for c in (1, 2, 4, 5)})))
    assert (f.severity, f.numbers) == (Severity.WARNING, {"missing": [3], "missing_count": 1, "max_label": 5})
    assert "takes values 1..5 but never 3 (1 of 5 classes missing)" in f.message


def test_tfd208_labels_from_2_still_miss_0_and_1() -> None:
    f = one(check("TFD208", labels({"2": 100, "3": 100})))
    assert f.numbers["missing"] == [0, 1]


def test_tfd208_a_long_tail_of_a_large_label_set_is_info() -> None:
    classes = {str(c): 500 for c in range(150)} | {str(c): 1 for c in range(150, 200)}  # 50 rare, 0..199
    found = check("TFD208", labels(classes))
    assert [f.severity for f in found] == [Severity.INFO]
    assert len(found[0].numbers["rare"]) == 50 and "one of 200 classes" in found[0].message
    gaps = {str(c): 100 for c in range(0, 300, 2)}  # 150 classes, every odd one missing
    assert [f.severity for f in check("TFD208", labels(gaps))] == [Severity.INFO]


def test_tfd208_one_dominant_class_of_a_large_label_set_is_still_a_warning() -> None:
    classes = {str(c): 1 for c in range(1, 150)} | {"0": 20_000}
    found = check("TFD208", labels(classes))
    assert [(f.severity, f.numbers.get("class")) for f in found] == [
        (Severity.WARNING, "0"),
        (Severity.INFO, None),  # the rare tail
    ]


def test_tfd208_the_large_label_set_threshold_is_configured() -> None:
    classes = {str(c): 500 for c in range(150)} | {str(c): 1 for c in range(150, 200)}
    found = check("TFD208", labels(classes), Thresholds(label_many_classes=500))
    assert [f.severity for f in found] == [Severity.WARNING]


# ---------------------------------------------------------------------------------------------
# TFD502 small-shuffle-buffer: a buffer of one batch is a warning only over ordered files or
# when it is tiny

READ: StepSpec = ("read", {})
PARSE: StepSpec = ("map", {"function": "parse"})


def shuffled(buffer: int, size: int = 32) -> list[StepSpec]:
    return [READ, PARSE, ("shuffle", {"buffer_size": buffer}), ("batch", {"batch_size": size})]


def stored(order: object) -> DatasetStats:
    return dataset(feature("label", records=1000), order=order)  # type: ignore[arg-type]


RANDOM = label_order({"0": 500, "1": 500}, runs=501, longest_run=9)
RUNS = label_order({"0": 500, "1": 500}, runs=300, longest_run=20)  # sortedness 0.4, runs of 20


def test_tfd502_a_buffer_of_one_batch_over_files_in_random_order_is_info() -> None:
    f = one(check("TFD502", audit(shuffled(32), sources=stored(RANDOM))))
    assert (f.severity, f.where) == (Severity.INFO, Where(step=3, call="shuffle(32)"))
    assert f.numbers == {"buffer_size": 32, "batch_size": 32}
    assert "mixed order (sortedness 0.00)" in f.message


def test_tfd502_a_buffer_of_one_batch_over_an_unknown_order_is_info() -> None:
    assert one(check("TFD502", audit(shuffled(64, 64)))).severity == Severity.INFO


def test_tfd502_a_buffer_of_one_batch_over_ordered_files_is_a_warning() -> None:
    f = one(check("TFD502", audit(shuffled(32), sources=stored(RUNS))))  # buffer >= the runs of 20
    assert f.severity == Severity.WARNING and "in runs (sortedness 0.40" in f.message


def test_tfd502_a_tiny_buffer_is_a_warning_whatever_the_order() -> None:
    assert one(check("TFD502", audit(shuffled(16), sources=stored(RANDOM)))).severity == Severity.WARNING
    assert one(check("TFD502", audit(shuffled(17), sources=stored(RANDOM)))).severity == Severity.INFO
    configured = Thresholds(tiny_shuffle_buffer=17)
    assert one(check("TFD502", audit(shuffled(17)), configured)).severity == Severity.WARNING


def test_tfd201_a_stored_key_the_spec_reads_itself_is_no_typo() -> None:
    """TPU ResNet's parser reads 'image/class/label' and, optionally, 'image/object/class/label'
    (never written for ImageNet): the second is not a misspelling of the first."""
    stored = dataset(feature("image/encoded", "bytes"), feature("image/class/label"))
    label = fixed("image/class/label", "int64", default=-1)
    boxes = varlen("image/object/class/label", "int64")
    facts = spec_facts(spec(label, boxes), stored, tally(label), tally(boxes, problems={"missing": 100}))
    f = one(check("TFD201", facts))
    assert (f.severity, f.numbers["closest"], f.where.feature) == (
        Severity.INFO,
        None,
        "image/object/class/label",
    )
    alone = spec_facts(spec(boxes), stored, tally(boxes, problems={"missing": 100}))
    assert one(check("TFD201", alone)).numbers["closest"] == "image/class/label"  # read alone: a likely typo
