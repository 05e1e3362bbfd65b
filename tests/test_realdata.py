"""Scans of the real files under ../shared/realdata (written by others), against the
record counts and features TensorFlow 2.21 reads in them (../shared/realdata/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import tf_read

import tfdoctor

pytestmark = pytest.mark.realdata

TITANIC = "cabin_id cabin_type embarked fare gender parch pass_id pclass sibsp ticket"
TAXI = (
    "company dropoff_census_tract dropoff_community_area dropoff_latitude dropoff_longitude fare "
    "payment_type pickup_census_tract pickup_community_area pickup_latitude pickup_longitude"
)
CASES = [
    (
        "detext/test/detext/resources/train/binary_classification/tfrecord/test.tfrecord",
        2,
        "example",
        "dense_ftrs doc_title label query shallow_tower_sparse_ftrs_indices0 shallow_tower_sparse_ftrs_values "
        "sparse_ftrs_indices0 sparse_ftrs_values user_headline",
    ),
    (
        "detext/test/detext/resources/train/classification/tfrecord/test.tfrecord",
        1,
        "example",
        "dense_ftrs label query_text sparse_ftrs_idx sparse_ftrs_val user_headline",
    ),
    (
        "detext/test/detext/resources/train/multitask/tfrecord/test.tfrecord",
        50,
        "example",
        "doc_field1 doc_field2 label query task_id wide_ftrs",
    ),
    (
        "detext/test/smart_compose/resources/train/dataset/tfrecord/test.tfrecord",
        40,
        "example",
        "query user_input",
    ),
    (
        "lingvo/lingvo/tasks/mt/testdata/wmt14_ende_wpm_32k_test.tfrecord",
        100,
        "example",
        "example_index natural_order source_id source_padding source_word target_id target_label "
        "target_padding target_weight target_word",
    ),
    (
        "tensorflow-recorder/tfrecorder/test_data/sample_tfrecords/train-00000-of-00001.tfrecord.gz",
        2,
        "example",
        "image image_channels image_height image_name image_width label split",
    ),
    ("tf-kaggle-titanic/test.tfrecord", 418, "example", TITANIC),
    ("tf-kaggle-titanic/train.tfrecord", 891, "example", TITANIC + " label"),
    (
        "tfx/tfx/components/testdata/csv_example_gen/Split-eval/data_tfrecord-00000-of-00012.gz",
        424,
        "example",
        TAXI,
    ),
    (
        "tfx/tfx/components/testdata/penguin/data/Split-train/data_tfrecord-00000-of-00001.gz",
        234,
        "example",
        "body_mass_g culmen_depth_mm culmen_length_mm flipper_length_mm species",
    ),
    (
        "tfx/tfx/components/testdata/tfrecord_sequence/Split-eval/data_tfrecord_eval.gz",
        4500,
        "sequence_example",
        "f i sequence:s",
    ),
    ("tfx/tfx/examples/mnist/data/mnist.tfrecord", 1000, "example", "image_class image_floats"),
    (
        "tfx/tfx/examples/tfjs_next_page_prediction/data/data.tfrecord.gz",
        100,
        "example",
        "cur_page label session_index",
    ),
    (
        "transform/examples/testdata/sequence_example/data_tfrecord.gz",
        3,
        "sequence_example",
        "float_feature int_feature sequence:int_feature sequence:string_feature",
    ),
]


@pytest.mark.parametrize("rel,records,kind,features", CASES, ids=[c[0].split("/")[-1] for c in CASES])
def test_real_file_scans_as_tensorflow_reads_it(
    realdata: Path, tf: Any, rel: str, records: int, kind: str, features: str
) -> None:
    path = realdata / rel
    result = tfdoctor.scan(str(path), workers=1)
    stats = result.stats
    assert stats.records == records
    assert stats.record_kinds == {kind: records}
    names = {f.path for f in stats.features}
    assert set(features.split()) <= names
    tf_records, error = tf_read(tf, path, "GZIP" if rel.endswith(".gz") else "")
    assert error is None and len(tf_records) == records
    assert not [f for f in result.findings if f.code.startswith("TFD10")]


def test_event_log_is_not_example(realdata: Path) -> None:
    result = tfdoctor.scan(str(realdata / "lingvo/lingvo/core/ops/testdata/events.out.tfevents.test"))
    [finding] = [f for f in result.findings if f.code == "TFD104"]
    assert finding.numbers["not_example"] == 361 and finding.numbers["records"] == 361
    assert result.stats.records == 0


@pytest.mark.parametrize(
    "rel",
    [
        "ranking/tensorflow_ranking/examples/data/train_elwc.tfrecord",
        "ranking/tensorflow_ranking/examples/data/train_numerical_elwc.tfrecord",
        "ranking/tensorflow_ranking/extension/testdata/tfrbert_elwc_train.tfrecord",
        "lingvo/lingvo/tasks/mt/testdata/en_fr.tfrecord",
    ],
)
def test_other_protos_are_not_example(realdata: Path, rel: str) -> None:
    result = tfdoctor.scan(str(realdata / rel))
    codes = [f.code for f in result.findings]
    assert "TFD104" in codes
    finding = next(f for f in result.findings if f.code == "TFD104")
    assert finding.numbers["not_example"] == finding.numbers["records"] > 0


def test_git_lfs_pointer_is_not_tfrecord(realdata: Path) -> None:
    result = tfdoctor.scan(str(realdata / "richhf-18k/dev.tfrecord"))
    [finding] = [f for f in result.findings if f.code == "TFD103"]
    assert "Git LFS pointer" in finding.message and finding.where.offset == 0


def test_empty_file_is_zero_records(realdata: Path) -> None:
    path = (
        realdata / "tensorflow-recorder/tfrecorder/test_data/sample_tfrecords/discarded-data-00000-of-00001"
    )
    result = tfdoctor.scan(str(path))
    assert result.stats.records == 0
    assert [f.code for f in result.findings] == ["TFD105"]


def test_taxi_features_present_but_empty(realdata: Path) -> None:
    result = tfdoctor.scan(str(realdata / "tfx/tfx/components/testdata/csv_example_gen/Split-train"))
    f = result.stats.feature("pickup_census_tract")
    assert f is not None and f.kind == "unset" and f.records_with_values == 0
    [finding] = [x for x in result.findings if x.code == "TFD213"]
    assert finding.where.feature == "pickup_census_tract"
    assert finding.numbers == {"empty": 826, "present": 826, "fraction": 1.0, "unset": 826, "empty_list": 0}


def test_titanic_fare_nan_found(realdata: Path, tf: Any) -> None:
    path = realdata / "tf-kaggle-titanic/test.tfrecord"
    result = tfdoctor.scan(str(path))
    [finding] = [f for f in result.findings if f.code == "TFD207"]
    parsed = tf.io.parse_example(
        tf.constant(tf_read(tf, path)[0]), {"fare": tf.io.VarLenFeature(tf.float32)}
    )["fare"].values.numpy()
    import numpy as np

    assert finding.numbers["nan"] == int(np.isnan(parsed).sum()) > 0


def test_whole_folder_with_mixed_files(realdata: Path) -> None:
    """A directory of mixed files: the TFRecord files are scanned, the schema.pbtxt beside them is
    listed as skipped (not a finding); named, it is judged (TFD103)."""
    result = tfdoctor.scan(str(realdata / "tensorflow-recorder"), workers=2)
    assert result.stats.records == 6
    assert {f.code for f in result.findings} == {"TFD106"}  # one empty shard
    assert [Path(p).name for p in result.stats.inputs.skipped] == ["schema.pbtxt"]
    named = next((realdata / "tensorflow-recorder").rglob("schema.pbtxt"))
    assert {f.code for f in tfdoctor.scan(str(named), workers=1).findings} == {"TFD103", "TFD105"}
