"""TFD306 raw-tensor-bytes and TFD607 label-outside-one-hot on hand-made facts: raw array
bytes as the scan measures them (one length, no image header, not text) and the decodes of a
pipeline; the one_hot ops of a pipeline against the label values scanned, and the all-zero
rows of one-hot tensors in the probed batches.

(Named test_tfd*.py so that test_rule_runs finds the checks of both codes here.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from facts_builders import (
    batch_facts,
    check,
    dataset,
    feature,
    images,
    numbers,
    one,
    pipeline_facts,
    spec,
    tensor,
)

from tfdoctor.config import Thresholds
from tfdoctor.facts import BatchFacts, BytesStats, DatasetStats, Facts, FeatureSpec, FeatureStats
from tfdoctor.facts.pipeline import Decode, OneHot
from tfdoctor.findings import Severity, Where


def raw(name: str = "pixels", length: int = 784, count: int = 100, **fields: object) -> FeatureStats:
    """A bytes feature of `count` values of `length` bytes each, none with an image header."""
    stats = BytesStats(
        count=count, min_length=length, max_length=length, mean_length=float(length), image_formats={}
    )
    return replace(feature(name, "bytes", records=count, image=stats), **fields)  # type: ignore[arg-type]


def scan(*features: FeatureStats) -> Facts:
    return Facts(dataset=dataset(*features, feature("label")))


def audit(
    sources: DatasetStats | None,
    decodes: Sequence[Decode] = (),
    one_hots: Sequence[OneHot] = (),
    reads: Sequence[str] = ("pixels",),
    batches: BatchFacts | None = None,
) -> Facts:
    """read, map(parse) parsing `reads` (strings) and holding these decodes and one-hots, batch."""
    facts = pipeline_facts(
        [("read", {}), ("map", {"function": "parse"}), ("batch", {"batch_size": 32})], sources=sources
    )
    entries = tuple(FeatureSpec(k, "FixedLenFeature", "string") for k in reads)
    parse = replace(facts.pipeline.steps[1], decodes=tuple(decodes), one_hots=tuple(one_hots),
                    parse_specs=(spec(*entries),) if entries else ())  # fmt: skip
    steps = (facts.pipeline.steps[0], parse, facts.pipeline.steps[2])
    return Facts(pipeline=replace(facts, pipeline=replace(facts.pipeline, steps=steps)), batches=batches)


MAP = Where(feature="pixels", step=2, call="map(parse)")
FLOAT_224 = 224 * 224 * 3 * 4


# ---------------------------------------------------------------------------------------------
# TFD306 raw-tensor-bytes: the scan


def test_tfd306_scan_reads_784_bytes_as_uint8_28x28x1_an_info() -> None:
    f = one(check("TFD306", scan(raw())))
    assert (f.severity, f.where) == (Severity.INFO, Where(feature="pixels"))
    assert f.numbers == {
        "length": 784, "values": 100, "likeliest": "uint8 28x28x1",
        "readings": ["uint8 28x28x1", "float32 14x14x1", "uint8 14x14x4"],
    }  # fmt: skip
    assert (
        f.fix is not None
        and f.fix.text == "Decode with tf.reshape(tf.io.decode_raw(x, tf.uint8), [28, 28, 1])"
    )


def test_tfd306_scan_prefers_float32_224x224x3_over_its_uint8_twin() -> None:
    f = one(check("TFD306", scan(raw(length=FLOAT_224))))
    assert f.numbers["likeliest"] == "float32 224x224x3" and "uint8 448x448x3" in f.numbers["readings"]
    assert "602,112 bytes each with no image header, likeliest float32 224x224x3" in f.message


def test_tfd306_scan_warns_where_the_records_claim_an_encoded_image() -> None:
    named = one(check("TFD306", scan(raw("image/encoded", FLOAT_224))))
    assert named.severity == Severity.WARNING and "name it as an encoded image" in named.message
    fmt = feature("image/format", "bytes", constant="jpeg")
    fmt = replace(fmt, top_values=(("jpeg", 100),))
    beside = one(check("TFD306", scan(raw("image/raw", FLOAT_224), fmt)))
    assert beside.severity == Severity.WARNING
    elsewhere = feature("video/format", "bytes", constant="jpeg")  # another prefix: says nothing of it
    assert one(check("TFD306", scan(raw("image/raw", FLOAT_224), elsewhere))).severity == Severity.INFO


def test_tfd306_scan_silent_on_images_text_mixed_lengths_and_lengths_that_do_not_factor() -> None:
    assert check("TFD306", scan(feature("image", "bytes", image=images({"28x28x1": 100})))) == []
    digest = raw(
        "sha256", 64, top_values=(("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1),)
    )
    assert check("TFD306", scan(digest)) == []  # 64 = 8x8x1, but text
    assert check("TFD306", scan(raw(top_values=(("'\\x00\\x01\\x02…'", 1),)))) != []  # shown escaped: bytes
    stats = BytesStats(count=100, min_length=700, max_length=784, mean_length=750.0, image_formats={})
    assert check("TFD306", scan(feature("pixels", "bytes", image=stats))) == []
    assert check("TFD306", scan(raw(length=1000))) == []  # no H x W x C reading
    assert check("TFD306", scan(raw(length=7 * 7))) == []  # uint8 7x7x1: sides under 8
    assert check("TFD306", scan(raw(count=9))) == []  # fewer values than raw-bytes-min-values


def test_tfd306_thresholds_configure_the_values_and_the_smallest_side() -> None:
    assert check("TFD306", scan(raw(count=9)), Thresholds(raw_bytes_min_values=5)) != []
    assert check("TFD306", scan(raw()), Thresholds(raw_bytes_min_side=29)) == []
    assert one(check("TFD306", scan(raw(length=7 * 7 * 4)))).numbers["readings"] == ["uint8 14x14x1"]
    small = one(check("TFD306", scan(raw(length=7 * 7 * 4)), Thresholds(raw_bytes_min_side=7)))
    assert small.numbers["readings"] == ["float32 7x7x1", "uint8 14x14x1", "uint8 7x7x4"]


# ---------------------------------------------------------------------------------------------
# TFD306 raw-tensor-bytes: the pipeline


def test_tfd306_raw_bytes_decoded_as_an_image_is_an_error() -> None:
    facts = audit(dataset(raw(length=FLOAT_224)), [Decode("DecodeJpeg", "pixels")])
    f = one(check("TFD306", facts))
    assert (f.severity, f.where) == (Severity.ERROR, MAP)
    assert f.numbers == {
        "length": FLOAT_224,
        "op": "DecodeJpeg",
        "likeliest": "float32 224x224x3",
        "pipeline_failed": False,
    }
    assert "with `tf.io.decode_jpeg`" in f.message and "fails on every record" in f.message
    assert f.fix is not None and f.fix.text.startswith(
        "tf.reshape(tf.io.decode_raw(x, tf.float32), [224, 224, 3])"
    )


def test_tfd306_an_untraced_image_decode_is_a_warning_until_the_pipeline_fails_decoding() -> None:
    decodes = [Decode("DecodePng")]
    f = one(check("TFD306", audit(dataset(raw()), decodes)))
    assert f.severity == Severity.WARNING and "the only bytes it parses are 'pixels'" in f.message
    failed = batch_facts(batches=0, error="Unknown image file format. One of JPEG, PNG, GIF, BMP required.")
    confirmed = one(check("TFD306", audit(dataset(raw()), decodes, batches=failed)))
    assert confirmed.severity == Severity.ERROR and confirmed.numbers["pipeline_failed"] is True


def test_tfd306_silent_where_the_image_decode_may_read_an_encoded_image() -> None:
    both = dataset(raw(), feature("image", "bytes", image=images({"28x28x1": 100})))
    assert check("TFD306", audit(both, [Decode("DecodePng")], reads=("pixels", "image"))) == []
    assert check("TFD306", audit(both, [Decode("DecodePng", "image")], reads=("pixels", "image"))) == []
    assert (
        check("TFD306", audit(dataset(raw()), [Decode("DecodePng")], reads=())) == []
    )  # parses nothing known


def test_tfd306_decode_raw_at_the_written_dtype_and_shape_is_silent() -> None:
    sources = dataset(raw(length=FLOAT_224))
    for decode in (
        Decode("DecodeRaw", "pixels", "float32", (224, 224, 3)),
        Decode("DecodeRaw", "pixels", "float32", (-1, 224, 3)),
        Decode("DecodeRaw", "pixels", "uint8", (448, 448, 3)),  # the same length: cannot tell
        Decode("DecodeRaw", "pixels", "float64"),  # divides, no reshape seen
    ):
        assert check("TFD306", audit(sources, [decode])) == [], decode
    assert check("TFD306", audit(None, [Decode("DecodePng", "pixels")])) == []  # no scan of the files


def test_tfd306_decode_raw_at_another_dtype_or_shape_is_an_error() -> None:
    sources = dataset(raw(length=FLOAT_224))
    f = one(check("TFD306", audit(sources, [Decode("DecodeRaw", "pixels", "uint8", (224, 224, 3))])))
    assert (f.severity, f.where) == (Severity.ERROR, MAP)
    assert f.numbers == {
        "length": FLOAT_224,
        "dtype": "uint8",
        "shape": [224, 224, 3],
        "likeliest": "float32 224x224x3",
    }
    assert "it gives 602,112 values, reshaped to [224, 224, 3] (150,528 values)" in f.message
    rows = one(check("TFD306", audit(sources, [Decode("DecodeRaw", "pixels", "float32", (-1, 225, 3))])))
    assert "values in rows of that size" in rows.message
    odd = dataset(raw(length=27 * 27))  # uint8 27x27x1: not a whole number of float32s
    bad = one(check("TFD306", audit(odd, [Decode("DecodeRaw", "pixels", "float32")])))
    assert "729 bytes are not a whole number of 4-byte items" in bad.message


def test_tfd306_an_untraced_decode_raw_is_a_warning_unless_the_error_shows_it() -> None:
    sources = dataset(raw(length=FLOAT_224))
    wrong = [Decode("DecodeRaw", None, "uint8", (224, 224, 3))]
    assert one(check("TFD306", audit(sources, wrong))).severity == Severity.WARNING
    error = "Input to reshape is a tensor with 602112 values, but the requested shape has 150528"
    shown = one(check("TFD306", audit(sources, wrong, batches=batch_facts(batches=0, error=error))))
    assert shown.severity == Severity.ERROR
    two = dataset(raw(length=FLOAT_224), raw("depth", length=FLOAT_224))  # which one it decodes: unknown
    assert check("TFD306", audit(two, wrong, reads=("pixels", "depth"))) == []


# ---------------------------------------------------------------------------------------------
# TFD607 label-outside-one-hot


def labels(low: int, high: int, top: Sequence[tuple[str, int]] = ()) -> DatasetStats:
    """A scan whose label holds `low`..`high` over 90 values; `top`: its counted values."""
    label = feature("label", numeric=numbers(count=90, low=low, high=high))
    return dataset(replace(label, top_values=tuple(top)), label="label")


ONE_TO_THREE = labels(1, 3, [("1", 30), ("2", 30), ("3", 30)])
PARSE = Where(feature="label", step=2, call="map(parse)")


def test_tfd607_labels_1_to_3_with_depth_3_is_an_error() -> None:
    f = one(check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(3, "label")])))
    assert (f.severity, f.where) == (Severity.ERROR, PARSE)
    assert f.numbers == {"depth": 3, "offset": 0, "min": 1, "max": 3, "outside": 30}
    assert "values from 1 to 3: labels outside [0, 3) (30 of 90 values) become all-zero targets" in f.message
    assert f.fix is not None and f.fix.text == "The labels count from 1: tf.one_hot(label - 1, 3)"


def test_tfd607_silent_where_the_depth_covers_the_labels() -> None:
    assert check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(3, "label", -1)])) == []
    assert check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(4, "label")])) == []
    assert check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(None, "label")])) == []  # depth unknown
    assert check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(3, "label", None)])) == []  # indices computed
    assert check("TFD607", audit(None, one_hots=[OneHot(3, "label")])) == []  # no scan, no batches


def test_tfd607_the_fix_follows_the_labels() -> None:
    more = one(check("TFD607", audit(labels(0, 3), one_hots=[OneHot(3, "label")])))
    assert more.fix is not None and more.fix.text == "tf.one_hot(label, 4), and 4 output units"
    assert more.numbers["outside"] is None  # the top values do not hold every value
    shifted = one(check("TFD607", audit(labels(0, 2), one_hots=[OneHot(3, "label", -1)])))
    assert "(`tf.one_hot(label - 1, 3)`)" in shifted.message
    assert (
        shifted.fix is not None
        and shifted.fix.text == "Filter out or remap the labels below 1 before tf.one_hot"
    )


def test_tfd607_indices_from_an_earlier_step_are_the_scans_label_a_warning_until_the_batches_show_it() -> (
    None
):
    f = one(check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(3)])))
    assert f.severity == Severity.WARNING and "taken to be the label 'label'" in f.message
    zero = tensor("[1]", "float32", (32, 3), zero_rows=30, one_hot_rows=60)
    confirmed = one(check("TFD607", audit(ONE_TO_THREE, one_hots=[OneHot(3)], batches=batch_facts(zero))))
    assert (confirmed.severity, confirmed.where) == (Severity.ERROR, replace(PARSE, tensor="[1]"))
    assert (confirmed.numbers["zero_rows"], confirmed.numbers["rows"]) == (30, 90)


def test_tfd607_all_zero_rows_in_the_batches_alone() -> None:
    zero = tensor("[1]", "float32", (32, 3), zero_rows=5, one_hot_rows=155)
    made = one(check("TFD607", audit(None, one_hots=[OneHot(3)], batches=batch_facts(zero))))
    assert (made.severity, made.where) == (Severity.ERROR, Where(tensor="[1]"))
    assert made.numbers == {"zero_rows": 5, "rows": 160, "depth": 3}
    assert "5 of 160 rows of the one-hot tensor '[1]'" in made.message
    elsewhere = one(check("TFD607", audit(None, batches=batch_facts(zero))))  # no one_hot in the pipeline
    assert elsewhere.severity == Severity.WARNING and "examples with no class" in elsewhere.message


def test_tfd607_silent_on_batches_without_all_zero_one_hot_rows() -> None:
    for t in (
        tensor("[1]", "float32", (32, 3), zero_rows=0, one_hot_rows=160),
        tensor("[1]", "float32", (32, 3), zero_rows=0, one_hot_rows=0),  # not one-hot
    ):
        assert check("TFD607", audit(None, one_hots=[OneHot(3)], batches=batch_facts(t))) == []


def test_tfd607_zero_rows_of_a_one_hot_whose_labels_all_fit_are_padding() -> None:
    """Object detection: 1-based classes, `tf.one_hot(classes - 1, 3)`, then the per-box tensor
    padded to a static count: the padded rows are all zeros by design."""
    padding = tensor("groundtruth_classes", "float32", (32, 4, 3), zero_rows=40, one_hot_rows=88)
    fits = audit(ONE_TO_THREE, one_hots=[OneHot(3, "label", -1)], batches=batch_facts(padding))
    assert check("TFD607", fits) == []
    unknown = audit(None, one_hots=[OneHot(3, "label", -1)], batches=batch_facts(padding))
    assert one(check("TFD607", unknown)).severity == Severity.ERROR  # no scan: nothing shows the labels fit
    facts = unknown.pipeline
    assert facts is not None
    parse = replace(facts.pipeline.steps[1], ops=("OneHot", "PadV2"))
    padded = replace(facts, pipeline=replace(facts.pipeline, steps=(facts.pipeline.steps[0], parse,
                                                                     facts.pipeline.steps[2])))  # fmt: skip
    f = one(check("TFD607", replace(unknown, pipeline=padded)))
    assert (
        f.severity == Severity.INFO
        and "may be padding" in f.message
        and f.where == Where(tensor="groundtruth_classes")
    )
