"""TFD2xx rules that judge a parse spec against the data it parses, on hand-made statistics
and per-key tallies (what TensorFlow's parser would do is tested in tests/test_spec_rules.py)."""

from __future__ import annotations

from facts_builders import check, counts, dataset, feature, one, spec, spec_facts, tally

from tfdoctor.facts import FeatureSpec
from tfdoctor.findings import Severity, Where

SPEC = "train.py:12 parse_fn"
FIRST = [("a.tfrecord", 7), ("a.tfrecord", 9), ("b.tfrecord", 0)]
FIRST_TEXT = ["a.tfrecord#7", "a.tfrecord#9", "b.tfrecord#0"]


def fixed(name: str, dtype: str, shape: tuple[int, ...] = (), default: object = None) -> FeatureSpec:
    return FeatureSpec(name, "FixedLenFeature", dtype, shape=shape, default=default)


def varlen(name: str, dtype: str) -> FeatureSpec:
    return FeatureSpec(name, "VarLenFeature", dtype)


def at(name: str, first: tuple[str, int] | None = None) -> Where:
    """Where a spec finding points: the entry, and the first record concerned."""
    file, record = first if first else (None, None)
    return Where(spec=SPEC, feature=name, file=file, record=record)


IMAGE = feature("image", "bytes")
LABEL = feature("label", label_like=True)


# ---------------------------------------------------------------------------------------------
# TFD201 missing-feature


def test_tfd201_fires_on_a_misspelt_key_and_names_the_stored_one() -> None:
    entry = fixed("imaeg", "string")
    facts = spec_facts(
        spec(entry, fixed("label", "int64")), dataset(IMAGE, LABEL), tally(entry, problems={"missing": 100})
    )
    f = one(check("TFD201", facts))
    assert (f.code, f.severity) == ("TFD201", Severity.ERROR)
    assert f.where == at("imaeg")
    assert f.numbers == {"records": 100, "missing": 100, "closest": "image", "parse_fails": True}
    assert f.fix is not None and "'image': tf.io.FixedLenFeature([], tf.string)," in f.fix.text


def test_tfd201_a_default_fills_the_missing_key_silently_but_it_is_still_an_error() -> None:
    entry = fixed("imaeg", "string", default=b"")
    f = one(check("TFD201", spec_facts(spec(entry), dataset(IMAGE), tally(entry, problems={"missing": 100}))))
    assert f.severity == Severity.ERROR
    assert f.numbers == {"records": 100, "missing": 100, "closest": "image", "parse_fails": False}


def test_tfd201_silent_when_the_spec_reads_the_stored_key() -> None:
    entry = fixed("image", "string")
    assert check("TFD201", spec_facts(spec(entry), dataset(IMAGE, LABEL), tally(entry))) == []


def test_tfd201_a_key_that_never_holds_values_read_as_varlen_is_a_warning() -> None:
    hollow = feature("boxes", "unset", with_values=0, kinds={"unset": 100})
    entry = varlen("boxes", "float32")
    f = one(
        check(
            "TFD201", spec_facts(spec(entry), dataset(hollow, LABEL), tally(entry, problems={"missing": 100}))
        )
    )
    assert (f.code, f.severity) == ("TFD201", Severity.WARNING)
    assert f.where == at("boxes")
    assert f.numbers == {"records": 100, "missing": 100, "closest": None, "parse_fails": False}


def test_tfd201_fires_on_records_that_lack_a_key_with_no_default() -> None:
    age = feature("age", "float", present=97)
    entry = fixed("age", "float32")
    facts = spec_facts(
        spec(entry), dataset(age), tally(entry, problems={"missing": 3}, first={"missing": FIRST})
    )
    f = one(check("TFD201", facts))
    assert f.severity == Severity.ERROR
    assert f.where == at("age", FIRST[0])
    assert f.numbers == {
        "records": 100,
        "missing": 3,
        "fraction": 0.03,
        "first_records": FIRST_TEXT,
        "parse_fails": True,
    }


def test_tfd201_silent_on_records_that_lack_a_key_read_as_varlen_or_with_a_default() -> None:
    age = feature("age", "float", present=97)
    for entry in (varlen("age", "float32"), fixed("age", "float32", default=0.0)):
        facts = spec_facts(spec(entry), dataset(age), tally(entry, problems={"missing": 3}))
        assert check("TFD201", facts) == []


# ---------------------------------------------------------------------------------------------
# TFD202 dtype-mismatch


def test_tfd202_fires_on_a_dtype_the_parser_cannot_take() -> None:
    entry = fixed("label", "int32")
    f = one(check("TFD202", spec_facts(spec(entry), dataset(LABEL), tally(entry))))
    assert (f.code, f.severity) == ("TFD202", Severity.ERROR)
    assert f.where == at("label")
    assert f.numbers == {"dtype": "int32", "parse_fails": True}
    assert f.fix is not None and "tf.io.FixedLenFeature([], tf.int64)" in f.fix.text


def test_tfd202_fires_on_a_stored_kind_other_than_the_dtype_reads() -> None:
    entry = fixed("label", "float32")
    t = tally(entry, problems={"kind:int64": 100}, first={"kind:int64": FIRST})
    f = one(check("TFD202", spec_facts(spec(entry), dataset(LABEL), t)))
    assert f.where == at("label", FIRST[0])
    assert f.numbers == {
        "records": 100,
        "mismatched": 100,
        "fraction": 1.0,
        "stored_kinds": {"int64": 100},
        "first_records": FIRST_TEXT,
        "parse_fails": True,
    }


def test_tfd202_counts_the_records_stored_as_another_kind() -> None:
    entry = fixed("x", "float32")
    t = tally(entry, problems={"kind:int64": 5}, first={"kind:int64": FIRST[:1]})
    f = one(check("TFD202", spec_facts(spec(entry), dataset(feature("x", "float")), t)))
    assert (f.numbers["mismatched"], f.numbers["records"], f.numbers["fraction"]) == (5, 100, 0.05)


def test_tfd202_silent_when_the_dtype_reads_the_stored_kind() -> None:
    entry = fixed("label", "int64")
    assert check("TFD202", spec_facts(spec(entry), dataset(LABEL), tally(entry))) == []


# ---------------------------------------------------------------------------------------------
# TFD203 shape-mismatch


PIXELS = feature("pixels", "float", values=counts(784))


def test_tfd203_fires_when_every_record_holds_another_count_than_the_shape() -> None:
    entry = fixed("pixels", "float32")
    t = tally(entry, problems={"count": 100}, bad_counts={784: 100}, first={"count": FIRST})
    f = one(check("TFD203", spec_facts(spec(entry), dataset(PIXELS), t)))
    assert (f.code, f.severity) == ("TFD203", Severity.ERROR)
    assert f.where == at("pixels", FIRST[0])
    assert f.numbers == {
        "records": 100,
        "mismatched": 100,
        "fraction": 1.0,
        "stored_values": 784,
        "spec_values": 1,
        "parse_fails": True,
    }


def test_tfd203_silent_when_the_shape_holds_the_stored_count() -> None:
    for shape in ((784,), (28, 28, 1)):
        entry = fixed("pixels", "float32", shape)
        assert check("TFD203", spec_facts(spec(entry), dataset(PIXELS), tally(entry))) == []


def test_tfd203_fires_on_a_default_that_does_not_fill_the_shape() -> None:
    entry = fixed("xy", "float32", (2,), default=[0.0])
    xy = feature("xy", "float", values=counts(2))
    f = one(check("TFD203", spec_facts(spec(entry), dataset(xy), tally(entry))))
    assert f.where == at("xy")
    assert f.numbers == {"shape_values": 2, "default_values": 1, "parse_fails": False}
    missing = spec_facts(
        spec(entry),
        dataset(feature("xy", "float", present=90, values=counts(2))),
        tally(entry, problems={"missing": 10}),
    )
    assert one(check("TFD203", missing)).numbers["parse_fails"] is True  # records lacking it use it


def test_tfd203_silent_on_a_default_that_fills_the_shape() -> None:
    entry = fixed("xy", "float32", (2,), default=[0.0, 0.0])
    xy = feature("xy", "float", present=90, values=counts(2))
    assert check("TFD203", spec_facts(spec(entry), dataset(xy), tally(entry, problems={"missing": 10}))) == []


# ---------------------------------------------------------------------------------------------
# TFD204 default-masks-missing


def test_tfd204_fires_on_records_a_default_fills() -> None:
    entry = fixed("age", "float32", default=0.0)
    age = feature("age", "float", present=70)
    t = tally(entry, problems={"missing": 30}, first={"missing": FIRST})
    f = one(check("TFD204", spec_facts(spec(entry), dataset(age), t)))
    assert (f.code, f.severity) == ("TFD204", Severity.WARNING)
    assert f.where == at("age", FIRST[0])
    assert f.numbers == {
        "records": 100,
        "defaulted": 30,
        "fraction": 0.3,
        "first_records": FIRST_TEXT,
        "parse_fails": False,
    }


def test_tfd204_a_defaulted_label_is_an_error() -> None:
    entry = fixed("label", "int64", default=0)
    label = feature("label", present=70, label_like=True)
    f = one(check("TFD204", spec_facts(spec(entry), dataset(label), tally(entry, problems={"missing": 30}))))
    assert (f.code, f.severity) == ("TFD204", Severity.ERROR)
    assert f.numbers["defaulted"] == 30


def test_tfd204_silent_when_every_record_holds_the_key() -> None:
    entry = fixed("age", "float32", default=0.0)
    assert check("TFD204", spec_facts(spec(entry), dataset(feature("age", "float")), tally(entry))) == []


def test_tfd204_silent_when_no_record_holds_the_key() -> None:
    entry = fixed("age", "float32", default=0.0)  # absent everywhere: TFD201's
    facts = spec_facts(spec(entry), dataset(feature("x", "float")), tally(entry, problems={"missing": 100}))
    assert check("TFD204", facts) == []


# ---------------------------------------------------------------------------------------------
# TFD205 unused-feature


def test_tfd205_fires_on_the_stored_label_the_spec_misspells() -> None:
    entries = (fixed("image", "string"), fixed("labels", "int64", default=0))
    f = one(check("TFD205", spec_facts(spec(*entries), dataset(IMAGE, LABEL))))
    assert (f.code, f.severity) == ("TFD205", Severity.INFO)
    assert f.where == Where(spec=SPEC, feature="label")
    assert f.numbers == {"records_present": 100, "records": 100, "parse_fails": False}
    assert "'labels'" in f.message
    assert f.fix is not None and "'label': tf.io.FixedLenFeature([], tf.int64)," in f.fix.text


def test_tfd205_fires_on_a_feature_nothing_reads() -> None:
    ident = feature("id", present=60)
    f = one(check("TFD205", spec_facts(spec(fixed("image", "string")), dataset(IMAGE, ident))))
    assert f.where == Where(spec=SPEC, feature="id")
    assert f.numbers == {"records_present": 60, "records": 100, "parse_fails": False}


def test_tfd205_silent_when_every_stored_feature_is_read() -> None:
    hollow = feature("note", "unset", with_values=0, kinds={"unset": 100})  # holds nothing to read
    entries = (fixed("image", "string"), fixed("label", "int64"))
    assert check("TFD205", spec_facts(spec(*entries), dataset(IMAGE, LABEL, hollow))) == []


# ---------------------------------------------------------------------------------------------
# TFD209 variable-length


def test_tfd209_fires_when_counts_vary_under_a_fixed_length() -> None:
    tokens = feature("tokens", values=counts(1, 12, median=5))
    entry = fixed("tokens", "int64", (3,))
    t = tally(entry, problems={"count": 80}, bad_counts={1: 30, 12: 50}, first={"count": FIRST})
    f = one(check("TFD209", spec_facts(spec(entry), dataset(tokens), t)))
    assert (f.code, f.severity) == ("TFD209", Severity.ERROR)
    assert f.where == at("tokens", FIRST[0])
    assert f.numbers == {
        "records": 100,
        "mismatched": 80,
        "fraction": 0.8,
        "min_values": 1,
        "max_values": 12,
        "first_records": FIRST_TEXT,
        "parse_fails": True,
    }


def test_tfd209_silent_when_read_as_variable_length() -> None:
    tokens = feature("tokens", values=counts(1, 12))
    entry = varlen("tokens", "int64")
    assert check("TFD209", spec_facts(spec(entry), dataset(tokens), tally(entry))) == []


def test_tfd209_silent_on_one_stored_count() -> None:
    entry = fixed("pixels", "float32")  # one count, the wrong one: TFD203's
    t = tally(entry, problems={"count": 100}, bad_counts={784: 100})
    assert check("TFD209", spec_facts(spec(entry), dataset(PIXELS), t)) == []
