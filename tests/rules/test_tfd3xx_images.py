"""TFD3xx on hand-made facts: image sizes and channels as the scan reads them from headers,
undecodable images, and the errors and blank images the pipeline probe saw."""

from __future__ import annotations

from collections.abc import Sequence

from facts_builders import (
    PLAIN,
    StepSpec,
    batch_facts,
    check,
    dataset,
    feature,
    image_tensor,
    images,
    one,
    pipeline_facts,
)

from tfdoctor.facts import BatchFacts, BytesStats, DatasetStats, Facts, StepProbe
from tfdoctor.findings import Severity, Where

RESHAPE_ERROR = "Input to reshape is a tensor with 3072 values, but the requested shape has 784"
BATCH_SIZES_ERROR = (
    "Cannot batch tensors with different shapes in component 0. First element had shape "
    "[28,28,1] and element 3 had shape [32,32,1]."
)
BATCH_CHANNELS_ERROR = (
    "Cannot batch tensors with different shapes in component 0. First element had shape "
    "[28,28,1] and element 5 had shape [28,28,3]."
)
ENSURE_ERROR = "Shape of tensor x [32,32,1] is not compatible with expected shape [28,28,1]."

# read, map(decode) holding a Reshape, batch, prefetch
DECODE = [
    ("read", {}),
    ("map", {"function": "decode", "ops": ("DecodePng", "EnsureShape", "Reshape")}),
    ("batch", {"batch_size": 32}),
    ("prefetch", {"buffer_size": -1}),
]


def scan_of(image: BytesStats) -> DatasetStats:
    return dataset(feature("image", "bytes", image=image), feature("label"))


def audit(
    description: Sequence[StepSpec] = DECODE,
    batches: BatchFacts | None = None,
    sources: DatasetStats | None = None,
    probes: tuple[StepProbe, ...] = (),
) -> Facts:
    return Facts(pipeline=pipeline_facts(description, sources=sources, probes=probes), batches=batches)


# ---------------------------------------------------------------------------------------------
# TFD301 mixed-image-sizes


def test_tfd301_fires_on_images_of_two_sizes() -> None:
    f = one(check("TFD301", Facts(dataset=scan_of(images({"28x28x1": 90, "32x32x1": 10})))))
    assert (f.code, f.severity) == ("TFD301", Severity.INFO)  # no pipeline known: its audit judges
    assert f.where == Where(feature="image")
    assert f.numbers == {"sizes": {"28x28": 90, "32x32": 10}, "other": 0, "images": 100}
    assert f.fix is not None and "tf.image.resize(image, [28, 28])" in f.fix.text


def test_tfd301_counts_the_shapes_beyond_those_kept() -> None:
    f = one(check("TFD301", Facts(dataset=scan_of(images({"28x28x1": 90}, other=4)))))
    assert f.numbers == {"sizes": {"28x28": 90}, "other": 4, "images": 94}


def test_tfd301_silent_on_one_size_even_with_other_channels() -> None:
    assert check("TFD301", Facts(dataset=scan_of(images({"28x28x1": 90, "28x28x3": 10})))) == []


# ---------------------------------------------------------------------------------------------
# TFD302 reshape-mismatch


def test_tfd302_fires_on_the_reshape_error_at_the_map_that_reshapes() -> None:
    probe = batch_facts(batches=3, error=RESHAPE_ERROR, stopped="error")
    f = one(check("TFD302", audit(batches=probe, sources=scan_of(images({"28x28x1": 90, "32x32x3": 10})))))
    assert (f.code, f.severity) == ("TFD302", Severity.ERROR)
    assert f.where == Where(step=2, call="map(decode)")
    assert f.numbers == {"values": 3072, "shape_values": 784, "batches_before_error": 3}
    assert "32x32x3 in 10" in f.message  # the sizes the files store


def test_tfd302_fires_on_a_reshape_error_ignore_errors_hides() -> None:
    description = [*DECODE[:2], ("ignore_errors", {}), *DECODE[2:]]
    hidden = StepProbe(3, elements_in=100, errors_dropped=10, first_error=RESHAPE_ERROR)
    f = one(check("TFD302", audit(description, batch_facts(batches=3), probes=(hidden,))))
    assert f.where == Where(step=2, call="map(decode)")
    assert "ignore_errors() hides" in f.message


def test_tfd302_fires_on_images_of_two_sizes_in_one_batch() -> None:
    f = one(check("TFD302", audit(batches=batch_facts(batches=0, error=BATCH_SIZES_ERROR, stopped="error"))))
    assert f.where == Where(step=3, call="batch(32)")
    assert f.numbers == {"sizes": ["28x28", "32x32"]}


def test_tfd302_fires_on_an_ensure_shape_error() -> None:
    f = one(check("TFD302", audit(batches=batch_facts(batches=0, error=ENSURE_ERROR, stopped="error"))))
    assert f.where == Where(step=2, call="map(decode)")
    assert f.numbers == {"shape": "32,32,1", "expected": "28,28,1"}


def test_tfd302_silent_without_an_error_or_on_a_channel_only_batch_error() -> None:
    assert check("TFD302", audit(batches=batch_facts(image_tensor()))) == []
    channels = batch_facts(batches=0, error=BATCH_CHANNELS_ERROR, stopped="error")
    assert check("TFD302", audit(batches=channels)) == []  # TFD304's


# ---------------------------------------------------------------------------------------------
# TFD303 undecodable-image


def test_tfd303_fires_on_images_whose_header_or_decode_fails() -> None:
    bad = images({"28x28x1": 98}, unreadable=2, decoded=20, undecodable=1)
    f = one(check("TFD303", Facts(dataset=scan_of(bad))))
    assert (f.code, f.severity) == ("TFD303", Severity.ERROR)
    assert f.where == Where(feature="image")
    assert f.numbers == {"unreadable": 2, "sample_decoded": 20, "sample_failed": 1, "images": 100}


def test_tfd303_silent_on_images_that_decode() -> None:
    assert check("TFD303", Facts(dataset=scan_of(images({"28x28x1": 100}, decoded=20)))) == []


def test_tfd303_silent_where_a_few_non_image_values_start_like_an_image_by_chance() -> None:
    """YouTube-8M frames: 2,410 quantized uint8 rows of random bytes, one starting with 'BM'."""
    frames = BytesStats(count=2410, min_length=32, max_length=32, mean_length=32.0,
                        image_formats={"bmp": 1}, image_unreadable=1)  # fmt: skip
    assert check("TFD303", Facts(dataset=scan_of(frames))) == []


def test_tfd303_fires_on_the_decode_error_the_pipeline_raises() -> None:
    probe = batch_facts(batches=2, error="Invalid PNG data, size 1234", stopped="error")
    f = one(check("TFD303", audit(batches=probe)))
    assert f.where == Where()
    assert f.numbers == {"batches_before_error": 2}


def test_tfd303_in_a_pipeline_judges_the_files_it_reads() -> None:
    found = check(
        "TFD303", audit(batches=batch_facts(), sources=scan_of(images({"28x28x1": 99}, unreadable=1)))
    )
    assert one(found).where == Where(feature="image")


def test_tfd303_silent_on_a_pipeline_error_that_is_no_decode_error() -> None:
    probe = batch_facts(batches=2, error=RESHAPE_ERROR, stopped="error")
    assert check("TFD303", audit(batches=probe, sources=scan_of(images({"28x28x1": 100})))) == []


# ---------------------------------------------------------------------------------------------
# TFD304 channel-mismatch


def test_tfd304_fires_on_gray_and_color_images_in_one_feature() -> None:
    f = one(check("TFD304", Facts(dataset=scan_of(images({"28x28x3": 98, "28x28x1": 2})))))
    assert (f.code, f.severity) == ("TFD304", Severity.WARNING)
    assert f.where == Where(feature="image")
    assert f.numbers == {"channels": {"3": 98, "1": 2}}
    assert f.fix is not None and "channels=3" in f.fix.text


def test_tfd304_silent_on_one_channel_count() -> None:
    assert check("TFD304", Facts(dataset=scan_of(images({"28x28x3": 98, "32x32x3": 2})))) == []


def test_tfd304_fires_on_a_batch_error_between_channel_counts() -> None:
    f = one(
        check("TFD304", audit(batches=batch_facts(batches=0, error=BATCH_CHANNELS_ERROR, stopped="error")))
    )
    assert f.where == Where(step=3, call="batch(32)")
    assert f.numbers == {"channels": [1, 3]}


def test_tfd304_fires_on_a_decode_that_converts_most_stored_images() -> None:
    description = [
        ("read", {}),
        ("map", {"function": "decode", "decode_channels": (1,)}),
        ("batch", {"batch_size": 32}),
    ]
    rgb = scan_of(images({"28x28x3": 90, "28x28x1": 10}))
    f = one(check("TFD304", audit(description, batch_facts(), sources=rgb)))
    assert f.where == Where(step=2, call="map(decode)")
    assert f.numbers == {"channels": 1, "stored": {"3": 90, "1": 10}}


def test_tfd304_silent_on_a_decode_to_what_most_images_store() -> None:
    description = [
        ("read", {}),
        ("map", {"function": "decode", "decode_channels": (3,)}),
        ("batch", {"batch_size": 32}),
    ]
    rgb = scan_of(images({"28x28x3": 100}))
    assert check("TFD304", audit(description, batch_facts(), sources=rgb)) == []


# ---------------------------------------------------------------------------------------------
# TFD305 blank-images (at least 10% of the images)


def test_tfd305_fires_when_a_tenth_of_the_images_are_blank() -> None:
    probe = batch_facts(image_tensor(images=100, blank_images=10))
    f = one(check("TFD305", audit(PLAIN, probe)))
    assert (f.code, f.severity) == ("TFD305", Severity.WARNING)
    assert f.where == Where(tensor="image")
    assert f.numbers == {"blank": 10, "images": 100}


def test_tfd305_silent_just_under_a_tenth() -> None:
    assert check("TFD305", audit(PLAIN, batch_facts(image_tensor(images=100, blank_images=9)))) == []
