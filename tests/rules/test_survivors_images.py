"""TFD301, TFD302, TFD304 branches in an audited pipeline that mutants bent without a test
noticing (scripts/mutation on tests/rules, issue 16): a crop-and-pad that resizes, a probe
that batched every record, the first batch before a padded_batch, errors with no reshaping
map or no batch step, channel counts summed over sizes. Each firing case with its silent twin;
the wording snapshot compares message and fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from facts_builders import StepSpec, batch_facts, check, dataset, feature, images, one, pipeline_facts, spec

from tfdoctor.facts import BatchFacts, BytesStats, DatasetStats, Facts, FeatureSpec
from tfdoctor.facts.pipeline import Decode
from tfdoctor.findings import Severity, Where

RESHAPE_ERROR = "Input to reshape is a tensor with 3072 values, but the requested shape has 784"
ENSURE_ERROR = "Shape of tensor x [32,32,1] is not compatible with expected shape [28,28,1]."
BATCH_SIZES_ERROR = (
    "Cannot batch tensors with different shapes in component 0. First element had shape "
    "[28,28,1] and element 3 had shape [32,32,1]."
)
READ = ("read", {})
BATCH = ("batch", {"batch_size": 32})


def decode(*ops: str, channels: tuple[int, ...] = ()) -> StepSpec:
    fields: dict[str, object] = {"function": "decode", "ops": ("DecodePng", *ops)}
    if channels:
        fields["decode_channels"] = channels
    return ("map", fields)


def scan_of(image: BytesStats) -> DatasetStats:
    return dataset(feature("image", "bytes", image=image), feature("label"))


SIZES = scan_of(images({"28x28x1": 60, "32x32x1": 40}))


def audit(
    description: Sequence[StepSpec], batches: BatchFacts | None = None, sources: DatasetStats | None = None
) -> Facts:
    return Facts(pipeline=pipeline_facts(description, sources=sources), batches=batches)


def failed(error: str) -> BatchFacts:
    return batch_facts(batches=0, error=error, stopped="error")


# ---------------------------------------------------------------------------------------------
# TFD301 mixed-image-sizes in a pipeline


def test_tfd301_a_crop_and_pad_brings_images_to_one_size() -> None:
    f = one(check("TFD301", audit([READ, decode("Slice", "PadV2"), BATCH], sources=SIZES)))
    assert (f.severity, f.where.step) == (Severity.INFO, 2)
    assert "resizes them before batching" in f.message


def test_tfd301_silent_where_the_probe_batched_every_record() -> None:
    description = [READ, decode(), BATCH]
    every = batch_facts(batches=3, stopped="end")
    assert check("TFD301", audit(description, every, SIZES)) == []
    f = one(check("TFD301", audit(description, None, SIZES)))  # no reshape step: the decode is named
    assert (f.severity, f.where.step) == (Severity.WARNING, 2)
    assert "`map(decode)` (step 2) decodes them without resizing before batching" in f.message


def test_tfd301_silent_where_the_batch_failed_on_the_sizes() -> None:
    assert check("TFD301", audit([READ, decode(), BATCH], failed(BATCH_SIZES_ERROR), SIZES)) == []


def test_tfd301_the_first_batch_counts_not_a_later_padded_batch() -> None:
    description = [READ, decode(), BATCH, ("unbatch", {}), ("padded_batch", {"batch_size": 32})]
    f = one(check("TFD301", audit(description, None, SIZES)))
    assert (f.severity, f.where.step) == (Severity.WARNING, 2)


# ---------------------------------------------------------------------------------------------
# TFD302 reshape-mismatch: the files' sizes, where no map reshapes, no batch step


def test_tfd302_names_four_stored_sizes_at_most() -> None:
    five = scan_of(images({"28x28x1": 50, "32x32x1": 20, "64x64x1": 10, "16x16x1": 10, "8x8x1": 10}))
    probe = batch_facts(batches=1, error=RESHAPE_ERROR, stopped="error")
    f = one(check("TFD302", audit([READ, decode("Reshape"), BATCH], probe, five)))
    assert f.message.endswith(
        "The files: 'image' stores 28x28x1 in 50, 32x32x1 in 20, 64x64x1 in 10, 16x16x1 in 10."
    )


def test_tfd302_an_ensure_shape_error_names_the_files_sizes_and_no_map() -> None:
    f = one(check("TFD302", audit([READ, decode(), BATCH], failed(ENSURE_ERROR), SIZES)))
    assert f.where == Where(call="ensure_shape")
    assert f.message.endswith("The files: 'image' stores 28x28x1 in 60, 32x32x1 in 40.")
    f = one(check("TFD302", audit([READ, decode(), BATCH], failed(RESHAPE_ERROR), SIZES)))
    assert f.where == Where()


def test_tfd302_a_batch_error_with_no_batch_step() -> None:
    f = one(check("TFD302", audit([READ, decode()], failed(BATCH_SIZES_ERROR))))
    assert f.where == Where(call="batch")


# ---------------------------------------------------------------------------------------------
# TFD304 channel-mismatch in a pipeline


MIXED = scan_of(images({"28x28x1": 60, "32x32x1": 20, "28x28x3": 20}))


def test_tfd304_channel_counts_summed_over_sizes_and_no_decode() -> None:
    f = one(check("TFD304", audit([READ, BATCH], None, MIXED)))
    assert (f.severity, f.where) == (Severity.INFO, Where(feature="image"))
    assert f.numbers == {"channels": {"1": 80, "3": 20}}


def test_tfd304_silent_on_a_decode_without_channels_where_every_record_was_batched() -> None:
    description = [READ, decode(channels=(0,)), BATCH]
    assert check("TFD304", audit(description, batch_facts(batches=3, stopped="end"), MIXED)) == []
    f = one(check("TFD304", audit(description, None, MIXED)))
    assert (f.severity, f.where) == (Severity.WARNING, Where(feature="image", step=2, call="map(decode)"))


def test_tfd304_three_channels_over_gray_images_converts_them() -> None:
    gray = scan_of(images({"28x28x1": 90, "28x28x3": 10}))
    f = one(check("TFD304", audit([READ, decode(channels=(3,)), BATCH], batch_facts(), gray)))
    assert "every image is converted, silently." in f.message
    assert f.numbers == {"channels": 3, "stored": {"1": 90, "3": 10}}


# ---------------------------------------------------------------------------------------------
# TFD306 raw-tensor-bytes: a reshape with a zero axis holds no values


def test_tfd306_decode_raw_reshaped_with_a_zero_axis() -> None:
    length = 28 * 28
    raw = BytesStats(
        count=100, min_length=length, max_length=length, mean_length=float(length), image_formats={}
    )
    sources = dataset(feature("pixels", "bytes", records=100, image=raw), feature("label"))
    facts = pipeline_facts([READ, ("map", {"function": "parse"}), BATCH], sources=sources)
    entries = (FeatureSpec("pixels", "FixedLenFeature", "string"),)
    parse = replace(
        facts.pipeline.steps[1],
        decodes=(Decode("DecodeRaw", "pixels", "uint8", (0, -1)),),
        parse_specs=(spec(*entries),),
    )
    steps = (facts.pipeline.steps[0], parse, facts.pipeline.steps[2])
    f = one(check("TFD306", Facts(pipeline=replace(facts, pipeline=replace(facts.pipeline, steps=steps)))))
    assert "it gives 784 values, reshaped to [0, -1] (values in rows of that size)" in f.message
