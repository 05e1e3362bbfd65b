"""TFD4xx on hand-made pipelines: augmentation frozen by a cache or a fixed seed, augmentation
that erases its input, and time order broken before the windows."""

from __future__ import annotations

from collections.abc import Sequence

from facts_builders import StepSpec, check, dataset, feature, one, pipeline_facts

from tfdoctor.facts import AugmentFacts, DatasetStats, Facts, RandomOp, StepProbe
from tfdoctor.findings import Severity, Where

FLIP = RandomOp("RandomUniform", "augment", fixed=False)
SEEDED = RandomOp("RandomUniformInt", "augment", fixed=True, seed="op seed 42")
READ_PARSE = [("read", {}), ("map", {"function": "parse", "num_parallel_calls": -1})]
AUGMENT = ("map", {"function": "augment", "num_parallel_calls": -1, "random_ops": (FLIP,)})
TAIL = [
    ("shuffle", {"buffer_size": 10_000}),
    ("batch", {"batch_size": 32}),
    ("prefetch", {"buffer_size": -1}),
]


def audit(
    description: Sequence[StepSpec], probes: tuple[StepProbe, ...] = (), sources: DatasetStats | None = None
) -> Facts:
    return Facts(pipeline=pipeline_facts(description, probes=probes, sources=sources))


# ---------------------------------------------------------------------------------------------
# TFD401 cache-after-augmentation


def test_tfd401_fires_on_a_cache_after_a_random_map() -> None:
    f = one(check("TFD401", audit([*READ_PARSE, AUGMENT, ("cache", {}), *TAIL])))
    assert (f.code, f.severity) == ("TFD401", Severity.ERROR)
    assert f.where == Where(step=4, call="cache()")
    assert f.numbers == {"cache_step": 4, "random_step": 3, "random_ops": ["RandomUniform"]}
    assert "confirmed" not in f.message


def test_tfd401_says_when_the_probe_saw_two_identical_epochs() -> None:
    probe = StepProbe(4, epochs_identical=True)
    f = one(check("TFD401", audit([*READ_PARSE, AUGMENT, ("cache", {}), *TAIL], (probe,))))
    assert "two epochs yielded identical batches" in f.message


def test_tfd401_silent_on_a_cache_before_the_random_map() -> None:
    assert check("TFD401", audit([*READ_PARSE, ("cache", {}), AUGMENT, *TAIL])) == []


def test_tfd401_silent_on_a_cache_after_maps_with_no_random_op() -> None:
    assert check("TFD401", audit([*READ_PARSE, ("cache", {}), *TAIL])) == []


# ---------------------------------------------------------------------------------------------
# TFD402 fixed-augmentation


def _seeded(*ops: RandomOp) -> list[StepSpec]:
    return [*READ_PARSE, ("map", {"function": "augment", "num_parallel_calls": -1, "random_ops": ops}), *TAIL]


def test_tfd402_fires_on_a_random_op_with_a_fixed_seed() -> None:
    f = one(check("TFD402", audit(_seeded(SEEDED, FLIP))))
    assert (f.code, f.severity) == ("TFD402", Severity.WARNING)
    assert f.where == Where(step=3, call="map(augment, num_parallel_calls=AUTOTUNE)")
    assert f.numbers == {"fixed_random_ops": 1, "random_ops": 2}
    assert "RandomUniformInt (op seed 42)" in f.message


def test_tfd402_says_when_the_probe_saw_two_identical_passes() -> None:
    f = one(check("TFD402", audit(_seeded(SEEDED), (StepProbe(3, passes_identical=True),))))
    assert "two passes yielded identical elements" in f.message


def test_tfd402_silent_on_unseeded_random_ops() -> None:
    assert check("TFD402", audit(_seeded(FLIP))) == []


# ---------------------------------------------------------------------------------------------
# TFD403 destructive-augmentation


def _augmented(path: str = "image", **changes: float) -> AugmentFacts:
    """An image tensor in [0, 1] before the random map, and after it as `changes` say."""
    values: dict[str, float] = {
        "before_min": 0.0,
        "before_max": 1.0,
        "after_min": 0.0,
        "after_max": 1.0,
        "before_constant": 0.0,
        "after_constant": 0.0,
        "before_clipped": 0.0,
        "after_clipped": 0.05,
    }
    values.update(changes)
    return AugmentFacts(path=path, elements=64, **values)  # type: ignore[arg-type]


def _measured(*augment: AugmentFacts) -> Facts:
    return audit([*READ_PARSE, AUGMENT, *TAIL], (StepProbe(3, augment=augment),))


def test_tfd403_fires_on_an_augmentation_that_makes_most_elements_constant() -> None:
    f = one(check("TFD403", _measured(_augmented(after_constant=0.75))))
    assert (f.code, f.severity) == ("TFD403", Severity.WARNING)
    assert f.where == Where(step=3, call="map(augment, num_parallel_calls=AUTOTUNE)")
    assert f.numbers == {
        "elements": 64,
        "before": [0.0, 1.0],
        "after": [0.0, 1.0],
        "after_constant": 0.75,
        "after_clipped": 0.05,
    }


def test_tfd403_fires_on_values_pushed_to_the_ends_of_the_range() -> None:
    f = one(check("TFD403", _measured(_augmented(after_clipped=0.9))))
    assert f.numbers["after_clipped"] == 0.9


def test_tfd403_fires_on_values_far_out_of_the_range_before() -> None:
    f = one(check("TFD403", _measured(_augmented(after_min=-100.0, after_max=101.0))))
    assert (f.numbers["before"], f.numbers["after"]) == ([0.0, 1.0], [-100.0, 101.0])


def test_tfd403_one_finding_per_erased_tensor() -> None:
    found = check("TFD403", _measured(_augmented("image"), _augmented("mask", after_constant=1.0)))
    f = one(found)
    assert "'mask'" in f.message and "'image'" not in f.message
    assert f.numbers["after_constant"] == 1.0


def test_tfd403_silent_on_an_augmentation_that_keeps_the_signal() -> None:
    assert check("TFD403", _measured(_augmented(after_min=-0.1, after_max=1.1, after_clipped=0.1))) == []


def test_tfd403_silent_where_nothing_was_measured() -> None:
    assert check("TFD403", audit([*READ_PARSE, AUGMENT, *TAIL])) == []


# ---------------------------------------------------------------------------------------------
# TFD404 broken-time-order

TIMESTAMPS = dataset(feature("timestamp", "float", order=(99, 99, 0)), feature("value", "float"))
WINDOW = [("window", {"size": 48, "shift": 1}), ("flat_map", {"function": "batch_window"})]


def test_tfd404_fires_on_a_shuffle_before_the_windows() -> None:
    description = [*READ_PARSE, ("shuffle", {"buffer_size": 1000}), *WINDOW, ("batch", {"batch_size": 32})]
    f = one(check("TFD404", audit(description, sources=TIMESTAMPS)))
    assert (f.code, f.severity) == ("TFD404", Severity.ERROR)
    assert f.where == Where(step=3, call="shuffle(1000)")
    assert f.numbers == {"shuffle_step": 3, "window_step": 4}
    assert "'timestamp' in increasing order" in f.message


def test_tfd404_silent_on_a_shuffle_of_the_windows() -> None:
    description = [*READ_PARSE, *WINDOW, ("shuffle", {"buffer_size": 1000}), ("batch", {"batch_size": 32})]
    assert check("TFD404", audit(description, sources=TIMESTAMPS)) == []


def test_tfd404_two_batches_are_sequences_only_over_time_ordered_data() -> None:
    description = [
        *READ_PARSE,
        ("shuffle", {"buffer_size": 1000}),
        ("batch", {"batch_size": 48}),
        ("batch", {"batch_size": 32}),
    ]
    f = one(check("TFD404", audit(description, sources=TIMESTAMPS)))
    assert f.numbers == {"shuffle_step": 3, "window_step": 4}
    unordered = dataset(feature("timestamp", "float", order=(99, 50, 49)))
    assert check("TFD404", audit(description, sources=unordered)) == []


def test_tfd404_fires_on_random_shuffle_inside_windows() -> None:
    shuffle_in = ("map", {"function": "jitter", "random_ops": (RandomOp("RandomShuffle", "jitter", False),)})
    f = one(check("TFD404", audit([*READ_PARSE, *WINDOW, shuffle_in], sources=TIMESTAMPS)))
    assert f.where == Where(step=5, call="map(jitter)")
    assert f.numbers == {"map_step": 5}


def test_tfd404_fires_on_random_shuffle_of_sequence_example_sequences() -> None:
    sequences = dataset(feature("frames", "float", section="sequence"), sequence_examples=100)
    shuffle_in = ("map", {"function": "jitter", "random_ops": (RandomOp("RandomShuffle", "jitter", False),)})
    f = one(check("TFD404", audit([*READ_PARSE, shuffle_in, *TAIL], sources=sequences)))
    assert f.where == Where(step=3, call="map(jitter)")


def test_tfd404_silent_on_random_ops_that_keep_the_order() -> None:
    assert check("TFD404", audit([*READ_PARSE, *WINDOW, AUGMENT], sources=TIMESTAMPS)) == []
