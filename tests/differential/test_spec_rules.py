"""TFD201-205, 209 against real TensorFlow: each buggy spec is run through
`tf.io.parse_example` / `parse_single_example`, TensorFlow does what the finding predicts
(silent default, error at the named record, wrong values), the finding has the right count,
and the fix it shows parses every record."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import tfdoctor
from tfdoctor.findings import Finding, Severity

N = 240  # records, split over two files of 120
MISSING_AGE = [i for i in range(N) if i % 7 == 3]
INT_SCORES = [i for i in range(N) if i % 50 == 17]


def _record(tf: Any, i: int) -> bytes:
    def ints(v: list[int]) -> Any:
        return tf.train.Feature(int64_list=tf.train.Int64List(value=v))

    def floats(v: list[float]) -> Any:
        return tf.train.Feature(float_list=tf.train.FloatList(value=v))

    image = tf.io.encode_png(tf.fill([4, 4, 1], tf.constant(i % 256, tf.uint8))).numpy()
    features = {
        "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[image])),
        "label": ints([i % 4]),
        "pixels": floats([i / 16.0] * 16),
        "tokens": ints(list(range(1 + i % 5))),
        "weight": ints([i]),
        "score": ints([i]) if i in INT_SCORES else floats([i / 2.0]),
    }
    if i not in MISSING_AGE:
        features["age"] = floats([20.0 + i % 50])
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def data(tf: Any, tmp_path_factory: Any) -> tuple[Path, list[bytes], list[str]]:
    """Two TFRecord files written by TensorFlow; the records in order; the file of each."""
    folder = tmp_path_factory.mktemp("specdata")
    records = [_record(tf, i) for i in range(N)]
    files = [folder / "part-0.tfrecord", folder / "part-1.tfrecord"]
    for k, path in enumerate(files):
        with tf.io.TFRecordWriter(str(path)) as writer:
            for rec in records[k * 120 : (k + 1) * 120]:
                writer.write(rec)
    return folder, records, [str(files[i // 120]) for i in range(N)]


def _first_failure(tf: Any, records: list[bytes], spec: dict[str, Any]) -> tuple[int | None, str]:
    """Parse record by record as a tf.data map would: the first that fails, and why."""
    for i, rec in enumerate(records):
        try:
            tf.io.parse_single_example(rec, spec)
        except (tf.errors.InvalidArgumentError, ValueError) as exc:
            return i, str(exc)
    return None, ""


def _only(result: tfdoctor.ScanResult, code: str, feature: str | None = None) -> Finding:
    found = [f for f in result.findings if f.code == code and (feature is None or f.where.feature == feature)]
    assert len(found) == 1, [(f.code, f.where.feature, f.message) for f in result.findings]
    return found[0]


def _fix_spec(tf: Any, finding: Finding) -> dict[str, Any]:
    """The spec line a fix shows, evaluated by Python with TensorFlow: it must be real code."""
    assert finding.fix is not None
    line = re.search(r"'[^']+': tf\.io\.\w+\(.*?\),", finding.fix.text)
    assert line, finding.fix.text
    return eval("{" + line.group(0) + "}", {"tf": tf})  # type: ignore[no-any-return]


def _spec_codes(result: tfdoctor.ScanResult, at_least: Severity = Severity.INFO) -> list[str]:
    return sorted(f.code for f in result.findings if f.where.spec and f.severity >= at_least)


def test_tfd201_typo_with_default_silently_fills_every_record(tf: Any, data: Any) -> None:
    folder, records, _ = data
    spec = {"imaeg": tf.io.FixedLenFeature([], tf.string, default_value=b"")}
    parsed = tf.io.parse_example(records, spec)
    assert set(parsed["imaeg"].numpy().tolist()) == {b""}  # TensorFlow: no error, all default
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD201")
    assert finding.numbers["missing"] == N and finding.numbers["closest"] == "image"
    assert "Did you mean 'image'?" in finding.message and finding.severity == Severity.ERROR
    fixed = _fix_spec(tf, finding)
    assert fixed["image"].default_value is None  # every record holds 'image': no default needed
    assert all(len(v) > 50 for v in tf.io.parse_example(records, fixed)["image"].numpy())
    assert _spec_codes(tfdoctor.check_spec(str(folder), fixed), Severity.WARNING) == []


def test_tfd201_partly_missing_without_default_fails_at_the_named_record(tf: Any, data: Any) -> None:
    folder, records, files = data
    spec = {"age": tf.io.FixedLenFeature([], tf.float32)}
    index, error = _first_failure(tf, records, spec)
    assert index == MISSING_AGE[0] and "required but could not be found" in error
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD201")
    assert finding.numbers["missing"] == len(MISSING_AGE)
    assert (finding.where.file, finding.where.record) == (files[index], index)
    assert finding.numbers["first_records"][0] == f"{files[index]}#{index}"
    fixed = _fix_spec(tf, finding)  # VarLen: empty where records lack it, no default
    assert _first_failure(tf, records, fixed)[0] is None
    assert _spec_codes(tfdoctor.check_spec(str(folder), fixed), Severity.WARNING) == []


def test_tfd202_dtype_the_parser_cannot_take(tf: Any, data: Any) -> None:
    folder, records, _ = data
    spec = {"label": tf.io.FixedLenFeature([], tf.int32)}
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError), match="int32"):
        tf.io.parse_example(records, spec)
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD202")
    assert "tf.int32" in finding.message and "tf.cast" in finding.fix.text  # type: ignore[union-attr]
    parsed = tf.io.parse_example(records, _fix_spec(tf, finding))
    assert parsed["label"].numpy().tolist() == [i % 4 for i in range(N)]


def test_tfd202_int_stored_where_float_is_read(tf: Any, data: Any) -> None:
    folder, records, files = data
    spec = {"weight": tf.io.FixedLenFeature([], tf.float32)}
    index, error = _first_failure(tf, records, spec)
    assert index == 0 and "Data types don't match" in error
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD202")
    assert finding.numbers["mismatched"] == N and finding.numbers["stored_kinds"] == {"int64": N}
    assert _first_failure(tf, records, _fix_spec(tf, finding))[0] is None


def test_tfd202_a_few_records_of_another_kind(tf: Any, data: Any) -> None:
    folder, records, files = data
    spec = {"score": tf.io.FixedLenFeature([], tf.float32)}
    index, error = _first_failure(tf, records, spec)
    assert index == INT_SCORES[0] and "Data types don't match" in error
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD202")
    assert finding.numbers["mismatched"] == len(INT_SCORES)
    assert (finding.where.file, finding.where.record) == (files[index], index)
    assert finding.numbers["first_records"] == [f"{files[i]}#{i % 120}" for i in INT_SCORES]


def test_tfd203_fixed_shape_over_a_stored_list(tf: Any, data: Any) -> None:
    folder, records, _ = data
    spec = {"pixels": tf.io.FixedLenFeature([], tf.float32)}
    with pytest.raises(tf.errors.InvalidArgumentError, match="Number of float values != expected"):
        tf.io.parse_example(records, spec)
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD203")
    assert finding.numbers == {
        "records": N, "mismatched": N, "fraction": 1.0, "stored_values": 16, "spec_values": 1, "parse_fails": True,
    }  # fmt: skip
    fixed = _fix_spec(tf, finding)
    assert tf.io.parse_example(records, fixed)["pixels"].shape == (N, 16)
    # the same 16 values in another layout is fine
    same = {"pixels": tf.io.FixedLenFeature([4, 4], tf.float32)}
    assert tf.io.parse_example(records, same)["pixels"].shape == (N, 4, 4)
    assert _spec_codes(tfdoctor.check_spec(str(folder), same), Severity.WARNING) == []


def test_tfd203_default_that_does_not_fit_the_shape(tf: Any, data: Any) -> None:
    folder, records, _ = data
    spec = {"age": tf.io.FixedLenFeature([2], tf.float32, default_value=0.0)}
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.parse_example(records[MISSING_AGE[0] : MISSING_AGE[0] + 1], spec)
    result = tfdoctor.check_spec(str(folder), spec)
    assert any(f.code == "TFD203" and "default_value holds 1" in f.message for f in result.findings)


def test_tfd204_counts_the_records_that_get_the_default(tf: Any, data: Any) -> None:
    folder, records, files = data
    spec = {"age": tf.io.FixedLenFeature([], tf.float32, default_value=-1.0)}
    parsed = tf.io.parse_example(records, spec)["age"].numpy().tolist()
    defaulted = [i for i, v in enumerate(parsed) if v == -1.0]
    assert defaulted == MISSING_AGE  # TensorFlow: no error, made-up values
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD204")
    assert finding.numbers["defaulted"] == len(defaulted) and finding.severity == Severity.WARNING
    assert (finding.where.file, finding.where.record) == (files[defaulted[0]], defaulted[0])
    fixed = _fix_spec(tf, finding)  # VarLen: missing stays visible
    parsed_fixed = tf.io.parse_example(records, fixed)["age"]
    assert parsed_fixed.values.shape[0] == N - len(MISSING_AGE)
    assert "TFD204" not in _spec_codes(tfdoctor.check_spec(str(folder), fixed))


def test_tfd205_unread_feature_that_looks_like_the_intended_one(tf: Any, data: Any) -> None:
    folder, records, _ = data
    spec = {
        "image": tf.io.FixedLenFeature([], tf.string),
        "labels": tf.io.FixedLenFeature([], tf.int64, default_value=0),
    }
    assert set(tf.io.parse_example(records, spec)["labels"].numpy().tolist()) == {0}  # a constant label
    result = tfdoctor.check_spec(str(folder), spec)
    assert _only(result, "TFD201").where.feature == "labels"
    unread = _only(result, "TFD205", "label")
    assert "reads 'labels' instead" in unread.message and unread.severity == Severity.INFO
    fixed = _fix_spec(tf, unread)
    assert tf.io.parse_example(records, fixed)["label"].numpy().tolist() == [i % 4 for i in range(N)]
    unread_names = {f.where.feature for f in result.findings if f.code == "TFD205"}
    assert unread_names == {"label", "age", "pixels", "score", "tokens", "weight"}


def test_tfd209_variable_counts_read_as_fixed(tf: Any, data: Any) -> None:
    folder, records, files = data
    spec = {"tokens": tf.io.FixedLenFeature([1], tf.int64)}
    index, _ = _first_failure(tf, records, spec)
    assert index == 1  # record 0 holds one token; record 1 holds two
    finding = _only(tfdoctor.check_spec(str(folder), spec), "TFD209")
    assert finding.numbers["mismatched"] == sum(1 for i in range(N) if i % 5 != 0)
    assert (finding.numbers["min_values"], finding.numbers["max_values"]) == (1, 5)
    assert (finding.where.file, finding.where.record) == (files[1], 1)
    assert "TFD203" not in _spec_codes(tfdoctor.check_spec(str(folder), spec))
    fixed = _fix_spec(tf, finding)
    assert tf.io.parse_example(records, fixed)["tokens"].values.shape[0] == sum(1 + i % 5 for i in range(N))


def test_sequence_example_specs(tf: Any, tmp_path: Path) -> None:
    def seq(i: int) -> bytes:
        s = tf.train.SequenceExample()
        s.context.feature["id"].int64_list.value.append(i)
        frames = s.feature_lists.feature_list["frames"]
        for _ in range(3):
            frames.feature.add().float_list.value.extend([0.5, 1.5])
        if i % 4:
            words = s.feature_lists.feature_list["words"]
            for k in range(1 + i % 3):
                words.feature.add().bytes_list.value.extend([b"w"] * (1 + k % 2))
        return s.SerializeToString()  # type: ignore[no-any-return]

    records = [seq(i) for i in range(40)]
    path = tmp_path / "seq.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for rec in records:
            writer.write(rec)
    context = {"id": tf.io.FixedLenFeature([], tf.int64)}
    bad_steps = {"frames": tf.io.FixedLenSequenceFeature([], tf.float32)}
    with pytest.raises(tf.errors.InvalidArgumentError, match="Number of values != expected"):
        tf.io.parse_single_sequence_example(records[0], context, bad_steps)
    result = tfdoctor.check_spec(str(path), context_features=context, sequence_features=bad_steps)
    finding = _only(result, "TFD203")
    assert finding.numbers["mismatched"] == 40 and finding.numbers["stored_values"] == 2
    fixed = _fix_spec(tf, finding)
    assert tf.io.parse_single_sequence_example(records[0], context, fixed)[1]["frames"].shape == (3, 2)

    missing_list = {
        "words": tf.io.VarLenFeature(tf.string),
        "wordz": tf.io.FixedLenSequenceFeature([], tf.string),
    }
    with pytest.raises(tf.errors.InvalidArgumentError, match="is required but could not be found"):
        tf.io.parse_single_sequence_example(records[1], context, missing_list)
    result = tfdoctor.check_spec(str(path), context_features=context, sequence_features=missing_list)
    assert _only(result, "TFD201").where.feature == "wordz"
    assert "Did you mean 'words'?" in _only(result, "TFD201").message
    assert _only(result, "TFD205").where.feature == "sequence:frames"

    varying = {"words": tf.io.FixedLenSequenceFeature([], tf.string, allow_missing=True)}
    index, _ = next(
        ((i, e) for i, r in enumerate(records) for e in [_seq_error(tf, r, context, varying)] if e),
        (None, ""),
    )
    finding = _only(
        tfdoctor.check_spec(str(path), context_features=context, sequence_features=varying), "TFD209"
    )
    assert finding.where.record == index


def _seq_error(tf: Any, record: bytes, context: Any, sequence: Any) -> str:
    try:
        tf.io.parse_single_sequence_example(record, context, sequence)
    except tf.errors.InvalidArgumentError as exc:
        return str(exc)
    return ""


def test_sparse_feature_index_and_value_counts(tf: Any, tmp_path: Path) -> None:
    def record(idx: list[int], val: list[float]) -> bytes:
        return tf_example_features(tf, {"idx": ("i", idx), "val": ("f", val)})

    good = [record([1, 2], [0.5, 0.6]) for _ in range(6)]
    records = [*good, record([1, 2, 3], [0.5, 0.6]), record([1, 12], [0.5, 0.6])]
    path = tmp_path / "sparse.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for rec in records:
            writer.write(rec)
    spec = {"sp": tf.io.SparseFeature("idx", "val", tf.float32, 10)}
    index, error = _first_failure(tf, records, spec)
    assert index == 6 and "are not compatible" in error  # TensorFlow: counts must agree
    parsed = tf.io.parse_single_example(records[7], spec)["sp"]  # an index of 12 with size 10: no error...
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.sparse.to_dense(parsed)  # ...until the tensor is used
    found = [f for f in tfdoctor.check_spec(str(path), spec).findings if f.code == "TFD203"]
    pair = next(f for f in found if "different counts" in f.message)
    outside = next(f for f in found if "outside [0, 10)" in f.message)
    assert pair.numbers["mismatched"] == 1 and pair.where.record == 6
    assert outside.numbers["mismatched"] == 1 and outside.where.record == 7
    assert "tf.io.SparseFeature('idx', 'val', tf.float32, 13)" in outside.fix.text  # type: ignore[union-attr]
    clean = tmp_path / "clean.tfrecord"
    with tf.io.TFRecordWriter(str(clean)) as writer:
        for rec in good:
            writer.write(rec)
    assert [
        f for f in tfdoctor.check_spec(str(clean), spec).findings if f.where.spec and f.code != "TFD205"
    ] == []


def tf_example_features(tf: Any, features: dict[str, tuple[str, list[Any]]]) -> bytes:
    feats = {}
    for name, (kind, values) in features.items():
        if kind == "i":
            feats[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
        else:
            feats[name] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()  # type: ignore[no-any-return]


def test_ragged_row_lengths_that_do_not_add_up(tf: Any, tmp_path: Path) -> None:
    records = [
        tf_example_features(tf, {"len": ("i", [1, 2]), "v": ("f", [1.0, 2.0, 3.0])}),  # fits
        tf_example_features(tf, {"len": ("i", [1, 1]), "v": ("f", [1.0, 2.0, 3.0])}),  # 3.0 is dropped
        tf_example_features(tf, {"len": ("i", [2, 2]), "v": ("f", [1.0, 2.0, 3.0])}),  # rows regrouped
    ]
    path = tmp_path / "ragged.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for rec in records:
            writer.write(rec)
    spec = {
        "r": tf.io.RaggedFeature(
            tf.float32, value_key="v", partitions=[tf.io.RaggedFeature.RowLengths("len")]
        )
    }
    parsed = [tf.io.parse_single_example(rec, spec)["r"].to_list() for rec in records]
    assert parsed == [[[1.0], [2.0, 3.0]], [[1.0], [2.0]], [[1.0, 2.0], [3.0]]]  # TensorFlow: no error at all
    finding = next(f for f in tfdoctor.check_spec(str(path), spec).findings if f.code == "TFD203")
    assert finding.numbers["mismatched"] == 2 and finding.where.record == 1
    assert "silently drops or regroups values" in finding.message


def test_feature_names_with_braces(tf: Any, tmp_path: Path) -> None:
    records = [tf_example_features(tf, {"{len}": ("i", [1, 1]), "v{0}": ("f", [1.0, 2.0, 3.0])})]
    path = tmp_path / "braces.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        writer.write(records[0])
    spec = {
        "r": tf.io.RaggedFeature(
            tf.float32, value_key="v{0}", partitions=[tf.io.RaggedFeature.RowLengths("{len}")]
        )
    }
    result = tfdoctor.check_spec(str(path), spec)
    assert result.rule_errors == []
    assert "'{len}', RowLengths" in next(f for f in result.findings if f.code == "TFD203").message
