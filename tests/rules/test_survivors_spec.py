"""Parse-spec rule branches that mutants bent without a test noticing (scripts/mutation on
tests/rules, issue 16): sequence features, FixedLenSequenceFeature rows, RaggedFeature
partitions, SparseFeature index keys, keys read twice; each firing case with its silent twin,
findings compared whole (the wording snapshot compares message and fix)."""

from __future__ import annotations

from facts_builders import check, counts, dataset, feature, one, spec, spec_facts, tally

from tfdoctor.facts import FeatureSpec
from tfdoctor.findings import Severity, Where
from tfdoctor.rules.spec.presence import _slip

SPEC = "train.py:12 parse_fn"
FIRST = [("a.tfrecord", 7), ("a.tfrecord", 9)]
FIRST_TEXT = ["a.tfrecord#7", "a.tfrecord#9"]


def fixed(name: str, dtype: str, shape: tuple[int, ...] = (), default: object = None) -> FeatureSpec:
    return FeatureSpec(name, "FixedLenFeature", dtype, shape=shape, default=default)


def seq(name: str, dtype: str = "int64", shape: tuple[int, ...] = (2,), **fields: object) -> FeatureSpec:
    """A FixedLenSequenceFeature of the sequence section."""
    return FeatureSpec(name, "FixedLenSequenceFeature", dtype, section="sequence", shape=shape, **fields)  # type: ignore[arg-type]


def at(name: str, first: tuple[str, int] | None = None) -> Where:
    file, record = first if first else (None, None)
    return Where(spec=SPEC, feature=name, file=file, record=record)


# ---------------------------------------------------------------------------------------------
# TFD203 shape-mismatch: rows of a FixedLenSequenceFeature, steps, shapes of two axes, partitions


def test_tfd203_fires_on_counts_that_are_no_multiple_of_the_row() -> None:
    entry = FeatureSpec("xyz", "FixedLenSequenceFeature", "float32", shape=(3,), allow_missing=True)
    xyz = feature("xyz", "float", values=counts(3, 12))
    t = tally(entry, problems={"count": 40}, bad_counts={4: 25, 7: 15}, first={"count": FIRST})
    f = one(check("TFD203", spec_facts(spec(entry), dataset(xyz), t)))
    assert (f.severity, f.where) == (Severity.ERROR, at("xyz", FIRST[0]))
    assert f.numbers == {
        "records": 100,
        "mismatched": 40,
        "fraction": 0.4,
        "first_records": FIRST_TEXT,
        "parse_fails": True,
    }
    assert "(25 records with 4 values, 15 records with 7 values)" in f.message
    assert f.fix is not None and f.fix.text == "'xyz': tf.io.VarLenFeature(tf.float32),"
    assert check("TFD203", spec_facts(spec(entry), dataset(xyz), tally(entry))) == []


def test_tfd203_says_step_for_a_sequence_feature() -> None:
    entry = seq("frames")
    frames = feature("frames", section="sequence", values=counts(3))
    t = tally(entry, problems={"count": 100}, first={"count": FIRST})
    f = one(check("TFD203", spec_facts(spec(entry), dataset(frames, sequence_examples=100), t)))
    assert f.message.startswith("Every step of 'frames' holds 3 values but FixedLenSequenceFeature([2])")
    assert f.numbers == {
        "records": 100,
        "mismatched": 100,
        "fraction": 1.0,
        "stored_values": 3,
        "spec_values": 2,
        "parse_fails": True,
    }


def test_tfd203_fix_of_a_shape_of_two_axes_reshapes_and_of_one_axis_does_not() -> None:
    pixels = feature("pixels", "float", values=counts(784))
    t = {"problems": {"count": 100}, "bad_counts": {784: 100}}
    two = fixed("pixels", "float32", (28, 27))
    f = one(check("TFD203", spec_facts(spec(two), dataset(pixels), tally(two, **t))))  # type: ignore[arg-type]
    assert f.fix is not None and f.fix.text == (
        "'pixels': tf.io.FixedLenFeature([784], tf.float32),  then tf.reshape(parsed['pixels'], [28, 27]) "
        "only if that holds the same number of values"
    )
    flat = fixed("pixels", "float32", (700,))
    f = one(check("TFD203", spec_facts(spec(flat), dataset(pixels), tally(flat, **t))))  # type: ignore[arg-type]
    assert f.fix is not None and f.fix.text == "'pixels': tf.io.FixedLenFeature([784], tf.float32),"


def test_tfd203_a_string_default_that_does_not_fill_the_shape() -> None:
    entry = fixed("names", "string", (3,), default=[b""])
    names = feature("names", "bytes", values=counts(3))
    f = one(check("TFD203", spec_facts(spec(entry), dataset(names), tally(entry))))
    assert f.numbers == {"shape_values": 3, "default_values": 1, "parse_fails": False}
    assert f.fix is not None and f.fix.text == 'Give a default that fills the shape: default_value=[b""] * 3'


def ragged(partition: str) -> FeatureSpec:
    return FeatureSpec(
        "words", "RaggedFeature", "string", partition_keys=("lens",), inner_partition=partition
    )


def test_tfd203_fires_on_a_ragged_partition_that_misses_the_values() -> None:
    stored = dataset(feature("words", "bytes", values=counts(1, 9)), feature("lens", values=counts(1, 3)))
    for partition, what in (("RowLengths", "row lengths add up to"), ("RowSplits", "last row split is")):
        entry = ragged(partition)
        lens = entry.reads()[1]
        assert (lens.key, lens.partition) == ("lens", partition)
        t = tally(lens, problems={"partition": 4}, first={"partition": FIRST})
        f = one(check("TFD203", spec_facts(spec(entry), stored, t)))
        assert (f.severity, f.where) == (Severity.ERROR, at("words", FIRST[0]))
        assert f.numbers == {
            "records": 100,
            "mismatched": 4,
            "first_records": FIRST_TEXT,
            "parse_fails": False,
        }
        assert (
            f"the {what} another count than 'words' holds ('lens', {partition} of RaggedFeature" in f.message
        )
        assert "(validate=False, the default) from record 7 of a.tfrecord on." in f.message
        assert check("TFD203", spec_facts(spec(entry), stored, tally(lens))) == []


# ---------------------------------------------------------------------------------------------
# TFD209 variable-length: sequence features, an entry after a clean one


def test_tfd209_fires_on_a_sequence_feature_of_varying_counts() -> None:
    entry = seq("frames")
    frames = feature("frames", section="sequence", values=counts(1, 5, median=2))
    t = tally(entry, problems={"count": 60}, bad_counts={1: 40, 5: 20}, first={"count": FIRST})
    f = one(check("TFD209", spec_facts(spec(entry), dataset(frames, sequence_examples=100), t)))
    assert f.message.startswith(
        "'frames' holds 1 to 5 (median 2) values per step, but FixedLenSequenceFeature"
    )
    assert f.numbers == {
        "records": 100,
        "mismatched": 60,
        "fraction": 0.6,
        "min_values": 1,
        "max_values": 5,
        "first_records": FIRST_TEXT,
        "parse_fails": True,
    }


def test_tfd209_judges_every_entry_after_a_clean_one() -> None:
    clean, tokens = fixed("age", "float32"), fixed("tokens", "int64", (3,))
    data = dataset(feature("age", "float"), feature("tokens", values=counts(1, 12, median=5)))
    t = tally(tokens, problems={"count": 80}, bad_counts={1: 30, 12: 50}, first={"count": FIRST})
    f = one(check("TFD209", spec_facts(spec(clean, tokens), data, tally(clean), t)))
    assert f.where == at("tokens", FIRST[0])
    assert f.numbers["mismatched"] == 80


# ---------------------------------------------------------------------------------------------
# TFD202 dtype-mismatch: a key not stored, several stored kinds


def test_tfd202_a_dtype_the_parser_cannot_take_on_a_key_not_stored() -> None:
    entry = fixed("weight", "float64")
    f = one(check("TFD202", spec_facts(spec(entry), dataset(feature("x")), tally(entry))))
    assert f.fix is not None and f.fix.text == (
        "'weight': tf.io.FixedLenFeature([], tf.int64),  then tf.cast(parsed['weight'], tf.float64)"
    )


def test_tfd202_lists_every_stored_kind() -> None:
    entry = fixed("x", "float32")
    t = tally(entry, problems={"kind:int64": 5, "kind:bytes": 3}, first={"kind:int64": FIRST})
    f = one(check("TFD202", spec_facts(spec(entry), dataset(feature("x", "float")), t)))
    assert "but stored as int64 in 5, bytes in 3 of 100 records holding it" in f.message
    assert f.numbers["stored_kinds"] == {"int64": 5, "bytes": 3}


# ---------------------------------------------------------------------------------------------
# TFD201 missing-feature: guesses, index keys, sequence features, keys read twice


def test_tfd201_keeps_the_default_where_the_guessed_key_is_not_in_every_record() -> None:
    entry = fixed("agee", "float32", default=0.0)
    for present, line in ((90, "tf.io.FixedLenFeature([], tf.float32, default_value=0.0)"),
                          (100, "tf.io.FixedLenFeature([], tf.float32)")):  # fmt: skip
        age = feature("age", "float", present=present)
        f = one(
            check("TFD201", spec_facts(spec(entry), dataset(age), tally(entry, problems={"missing": 100})))
        )
        assert f.numbers == {"records": 100, "missing": 100, "closest": "age", "parse_fails": False}
        assert f.fix is not None and f.fix.text == f"Read the stored key: 'age': {line},"


def test_tfd201_a_misspelt_index_key_of_a_sparse_feature() -> None:
    entry = FeatureSpec("sp", "SparseFeature", "float32", shape=(10,), value_key="vals", index_keys=("indx",))
    data = dataset(feature("vals", "float"), feature("index"))
    f = one(
        check("TFD201", spec_facts(spec(entry), data, tally(entry.reads()[1], problems={"missing": 100})))
    )
    assert f.where == at("sp")
    assert f.numbers == {"records": 100, "missing": 100, "closest": "index", "parse_fails": False}
    assert f.fix is not None and f.fix.text == "Read 'index'."


def test_tfd201_the_closest_of_two_plural_keys() -> None:
    """'label' + 's' is stored: that key, not another one as close ('labelt')."""
    entry = fixed("label", "int64")
    data = dataset(feature("labels"), feature("labelt"))
    f = one(check("TFD201", spec_facts(spec(entry), data, tally(entry, problems={"missing": 100}))))
    assert f.numbers["closest"] == "labels"


def test_tfd201_a_key_that_is_the_start_of_a_stored_path() -> None:
    entry = fixed("image/class", "int64")
    data = dataset(feature("image/class/label"))
    f = one(check("TFD201", spec_facts(spec(entry), data, tally(entry, problems={"missing": 100}))))
    assert f.numbers["records"] == 100


def test_tfd201_a_key_read_by_two_entries_is_the_guess_only_for_a_slip() -> None:
    words, wordz = fixed("words", "int64"), fixed("wordz", "int64")
    data = dataset(feature("words"))
    f = one(check("TFD201", spec_facts(spec(words, wordz), data, tally(wordz, problems={"missing": 100}))))
    assert f.where == at("wordz")
    assert f.numbers["closest"] == "words"


def test_slip_is_a_levenshtein_distance_of_two() -> None:
    assert _slip("wordz", "words") and _slip("ab", "abcd") and _slip("abcd", "ab") and _slip("abc", "axy")
    assert not _slip("abc", "xyz") and not _slip("a/b", "ab") and not _slip("ab", "abcde")
    assert not _slip("xyzab", "qab")  # two deletions and a change: three


def test_tfd201_fires_on_steps_that_lack_a_sequence_feature() -> None:
    frames = feature("frames", section="sequence", present=90, values=counts(2))
    data = dataset(frames, sequence_examples=100)
    entry = seq("frames")
    t = tally(entry, problems={"missing": 10}, first={"missing": FIRST})
    f = one(check("TFD201", spec_facts(spec(entry), data, t)))
    assert (f.severity, f.where) == (Severity.ERROR, at("frames", FIRST[0]))
    assert f.numbers == {
        "records": 100,
        "missing": 10,
        "fraction": 0.1,
        "first_records": FIRST_TEXT,
        "parse_fails": True,
    }
    for silent in (
        seq("frames", allow_missing=True),
        FeatureSpec("frames", "VarLenFeature", "int64", "sequence"),
    ):
        assert check("TFD201", spec_facts(spec(silent), data, tally(silent, problems={"missing": 10}))) == []


# ---------------------------------------------------------------------------------------------
# TFD205 unused-feature: sequence specs, the label, a missing key that is not alike


def test_tfd205_a_sequence_spec_leaves_an_example_feature_unread() -> None:
    entry = seq("frames")
    data = dataset(
        feature("frames", section="sequence", values=counts(2)), feature("id"), sequence_examples=100
    )
    f = one(check("TFD205", spec_facts(spec(entry), data)))
    assert f.where == Where(spec=SPEC, feature="id")
    assert f.numbers == {"records_present": 100, "records": 100, "parse_fails": False}


def test_tfd205_silent_on_a_sequence_feature_the_spec_reads() -> None:
    entry = seq("frames")
    data = dataset(feature("frames", section="sequence", values=counts(2)), sequence_examples=100)
    assert check("TFD205", spec_facts(spec(entry), data)) == []


def test_tfd205_names_the_label_and_no_unlike_missing_key() -> None:
    entries = (fixed("image", "string"), fixed("zzz", "int64"))
    label = feature("label", label_like=True)
    f = one(check("TFD205", spec_facts(spec(*entries), dataset(feature("image", "bytes"), label))))
    assert (
        f.message
        == "'label' (int64, in 100 of 100 records) is never read by the spec. It looks like the label."
    )
    assert f.fix is not None and f.fix.text == "Read it: 'label': tf.io.FixedLenFeature([], tf.int64),"
