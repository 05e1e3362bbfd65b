"""TFD401, TFD404, TFD601, TFD602, TFD607 branches that mutants bent without a test noticing
(scripts/mutation on tests/rules, issue 16): a random interleave before a cache, a window as
the last step, integer images fed to the model, a shape vector after a tensor of another rank,
one-hot offsets and batches of sequences. Each firing case with its silent twin; the wording
snapshot compares message and fix."""

from __future__ import annotations

from dataclasses import replace

from facts_builders import (
    PLAIN,
    batch_facts,
    check,
    dataset,
    feature,
    image_tensor,
    numbers,
    one,
    pipeline_facts,
    tensor,
)

from tfdoctor.facts import Facts, ModelFacts, RandomOp
from tfdoctor.facts.model import TensorSpecFacts
from tfdoctor.facts.pipeline import OneHot
from tfdoctor.findings import Severity, Where

READ = ("read", {})
PARSE = ("map", {"function": "parse", "num_parallel_calls": -1})
FLIP = RandomOp("RandomUniform", "augment", fixed=False)


def audit(*description: object) -> Facts:
    return Facts(pipeline=pipeline_facts(description))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# TFD401 cache-after-augmentation, TFD404 broken-time-order


def test_tfd401_a_random_interleave_before_the_cache() -> None:
    mixed = ("interleave", {"function": "augment", "random_ops": (FLIP,)})
    f = one(check("TFD401", audit(READ, mixed, ("cache", {}), ("batch", {"batch_size": 32}))))
    assert f.numbers == {"cache_step": 3, "random_step": 2, "random_ops": ["RandomUniform"]}
    assert check("TFD401", audit(READ, ("cache", {}), mixed, ("batch", {"batch_size": 32}))) == []


def test_tfd404_a_shuffle_before_a_window_that_ends_the_pipeline() -> None:
    """An explicit window is evidence of sequences on its own, with nothing after it."""
    shuffle = ("shuffle", {"buffer_size": 1000})
    f = one(check("TFD404", audit(READ, PARSE, shuffle, ("window", {"size": 10}))))
    assert f.where == Where(step=3, call="shuffle(1000)")
    assert f.numbers == {"shuffle_step": 3, "window_step": 4}


# ---------------------------------------------------------------------------------------------
# TFD602 unnormalized-input: integer images fed to the model


def test_tfd602_signed_integer_images_the_model_takes() -> None:
    images = replace(image_tensor("[0]", low=0.0, high=255.0, dtype="int32"), shape=(32, 28, 28, 1))
    model = ModelFacts("cnn", inputs=(TensorSpecFacts("image", (None, 28, 28, 1), "float32"),))
    facts = Facts(
        pipeline=pipeline_facts(PLAIN), batches=batch_facts(images, tensor("[1]", "int64")), model=model
    )
    f = one(check("TFD602", facts))
    assert (f.severity, f.where) == (Severity.ERROR, Where(tensor="[0]"))
    assert check("TFD602", replace(facts, model=None)) == []  # not known to feed a float input


# ---------------------------------------------------------------------------------------------
# TFD601 constant-tensor: a shape vector found after a tensor of another rank


def test_tfd601_a_shape_tensor_after_a_scalar_tensor() -> None:
    label = tensor("label", "int64", (32,))
    image = tensor("image", shape=(32, 300, 300, 3), image_like=True)
    shape = tensor("true_image_shape", "int32", (32, 3), constant=True, min=3.0, max=300.0, mean=201.0)
    facts = Facts(pipeline=pipeline_facts(PLAIN), batches=batch_facts(label, image, shape))
    f = one(check("TFD601", facts))
    assert (f.severity, f.where) == (Severity.INFO, Where(tensor="true_image_shape"))
    assert "the shape of 'image'" in f.message


# ---------------------------------------------------------------------------------------------
# TFD607 label-outside-one-hot: an offset added, batches of sequences


def one_hot_facts(hot: OneHot, *tensors: object) -> Facts:
    label = feature("label", numeric=numbers(count=90, low=0, high=3))
    top = (("0", 30), ("1", 20), ("2", 20), ("3", 20))
    sources = dataset(replace(label, top_values=top), label="label")
    facts = pipeline_facts(
        [READ, ("map", {"function": "parse"}), ("batch", {"batch_size": 32})], sources=sources
    )
    parse = replace(facts.pipeline.steps[1], one_hots=(hot,))
    steps = (facts.pipeline.steps[0], parse, facts.pipeline.steps[2])
    pipeline = replace(facts, pipeline=replace(facts.pipeline, steps=steps))
    return Facts(pipeline=pipeline, batches=batch_facts(*tensors) if tensors else None)  # type: ignore[arg-type]


def test_tfd607_a_label_plus_one() -> None:
    f = one(check("TFD607", one_hot_facts(OneHot(4, "label", offset=1))))
    assert "tf.one_hot(label + 1, 4)" in f.message
    assert f.numbers == {"depth": 4, "offset": 1, "min": 0, "max": 3, "outside": 20}  # stored 3 -> index 4


def test_tfd607_zero_rows_of_one_hot_sequences_confirm_the_graph() -> None:
    rows = tensor("[1]", "float32", (32, 5, 3), zero_rows=20, one_hot_rows=140)
    found = check("TFD607", one_hot_facts(OneHot(3, "label"), rows))
    assert [f.where for f in found] == [Where(feature="label", step=2, call="map(parse)", tensor="[1]")]
