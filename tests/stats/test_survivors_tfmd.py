"""Statistics and schema as TensorFlow Metadata protos (stats/tfmd.py, stats/schema.py), every
field checked against values worked out by hand from the records the test builds. Uses only
tensorflow_metadata's protos (plain protobuf), no TensorFlow: these run under mutation."""

from __future__ import annotations

import math

import pytest
from conftest import add_records

from tfdoctor.proto.build import example, sequence_example
from tfdoctor.stats.dataset import DatasetAccumulator, DatasetStats
from tfdoctor.stats.schema import SEQUENCE_STRUCT, FeatureSchema, Schema, infer_schema, to_tfmd
from tfdoctor.stats.tfmd import _quantile_histogram, _rank, to_tfmd_statistics

pb = pytest.importorskip("tensorflow_metadata.proto.v0.statistics_pb2")
schema_pb2 = pytest.importorskip("tensorflow_metadata.proto.v0.schema_pb2")

# the ranks of min, q01, q25, q50, q75, q99, max
RANKS = [0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0]


def _stats(records: list[bytes]) -> DatasetStats:
    acc = DatasetAccumulator()
    add_records(acc, records)
    return acc.extract()


RECORDS = [
    example({"x": [1.0, 2.0], "s": b"a", "k": 0}),
    example({"x": [3.0], "s": b"a", "k": 5}),
    example({"x": [0.0, 4.0, 5.0], "s": b"bb", "k": 0}),
    example({"s": b"a", "k": 10, "e": ("float", []), "eb": ("bytes", [])}),
]


def _by_name(out: object) -> dict[str, object]:
    ds = out.datasets[0]  # type: ignore[attr-defined]
    return {"/".join(f.path.step): f for f in ds.features}


def _shares(count: float) -> list[float]:
    return [count * (hi - lo) for lo, hi in zip(RANKS, RANKS[1:])]


def test_numeric_feature_fields() -> None:
    out = to_tfmd_statistics(_stats(RECORDS))
    assert out.datasets[0].name == "tfdoctor" and out.datasets[0].num_examples == 4
    feats = _by_name(out)
    assert sorted(feats) == ["e", "eb", "k", "s", "x"]
    x = feats["x"]
    assert x.type == pb.FeatureNameStatistics.FLOAT
    num = x.num_stats
    c = num.common_stats
    # x: present in 3 of 4 records, 6 values, 1 to 3 a record
    assert (c.num_non_missing, c.num_missing, c.tot_num_values) == (3, 1, 6)
    assert (c.min_num_values, c.max_num_values, c.avg_num_values) == (1, 3, 2.0)
    assert [b.sample_count for b in c.num_values_histogram.buckets] == pytest.approx(_shares(3), abs=1e-12)
    values = [1.0, 2.0, 3.0, 0.0, 4.0, 5.0]
    mean = sum(values) / 6
    std = math.sqrt(sum(v * v for v in values) / 6 - mean * mean)
    assert num.num_zeros == 1
    assert (num.mean, num.min, num.max) == (2.5, 0.0, 5.0)
    assert num.std_dev == pytest.approx(std, rel=1e-12)
    assert num.median in (2.0, 2.5, 3.0)  # the sketch's q50 of 0..5
    (hist,) = num.histograms
    assert hist.type == pb.Histogram.QUANTILES
    assert [b.sample_count for b in hist.buckets] == pytest.approx(_shares(6), abs=1e-12)
    assert hist.buckets[0].low_value == 0.0 and hist.buckets[-1].high_value == 5.0
    k = feats["k"]
    assert k.type == pb.FeatureNameStatistics.INT
    assert (k.num_stats.num_zeros, k.num_stats.max, k.num_stats.mean) == (2, 10.0, 3.75)


def test_string_feature_fields() -> None:
    s = _by_name(to_tfmd_statistics(_stats(RECORDS)))["s"]
    assert s.type == pb.FeatureNameStatistics.STRING
    st = s.string_stats
    assert (st.common_stats.num_non_missing, st.common_stats.num_missing) == (4, 0)
    assert st.unique == 2 and st.avg_length == 1.25
    assert [(t.value, t.frequency) for t in st.top_values] == [("a", 3), ("bb", 1)]
    buckets = [(b.low_rank, b.high_rank, b.label, b.sample_count) for b in st.rank_histogram.buckets]
    assert buckets == [(0, 0, "a", 3), (1, 1, "bb", 1)]


def test_feature_without_values_is_a_bare_string() -> None:
    feats = _by_name(to_tfmd_statistics(_stats(RECORDS)))
    for name in ("e", "eb"):  # a float and a bytes feature with only empty lists
        e = feats[name]
        assert e.type == pb.FeatureNameStatistics.STRING
        assert not e.string_stats.top_values and e.string_stats.unique == 0
        assert e.string_stats.avg_length == 0.0
        c = e.string_stats.common_stats
        assert (c.num_non_missing, c.num_missing, c.tot_num_values) == (1, 3, 0)


def test_sequence_features_sit_under_the_struct() -> None:
    records = [sequence_example({"id": i}, {"tok": [[b"a"]] * (i + 1)}) for i in range(3)]
    feats = _by_name(to_tfmd_statistics(_stats(records), name="seq"))
    assert sorted(feats) == [f"{SEQUENCE_STRUCT}/tok", "id"]


def test_rank_of_quantile_keys() -> None:
    assert [_rank(k, i, 6) for i, k in enumerate(["min", "q01", "q25", "q50", "q75", "q99", "max"])] == RANKS
    assert _rank("p5", 2, 4) == 0.5  # another form: evenly spaced
    assert _rank("qx", 1, 4) == 0.25  # a q that is no number: evenly spaced
    assert _rank("p", 3, 0) == 3.0  # one key: index / 1


def test_quantile_histogram_of_other_keys() -> None:
    hist = _quantile_histogram(pb, {"a": 0.0, "b": 1.0, "c": 3.0}, 8)
    assert [(b.low_value, b.high_value, b.sample_count) for b in hist.buckets] == [
        (0.0, 1.0, 4.0),
        (1.0, 3.0, 4.0),
    ]


def _fs(name: str, section: str, dtype: str, **kw: object) -> FeatureSchema:
    base: dict[str, object] = dict(
        shape=None, min_values=1, max_values=2, presence=0.5, required=False, image=None, mixed_kinds=False
    )
    base.update(kw)
    return FeatureSchema(name=name, section=section, dtype=dtype, **base)  # type: ignore[arg-type]


def test_schema_to_tfmd() -> None:
    schema = Schema(
        "mixed",
        [
            _fs("a", "features", "int64", required=True, presence=1.0),
            _fs("b", "context", "float", presence=0.25),
            _fs("c", "features", "string", image="png", min_values=1, max_values=1),
            _fs("t", "sequence", "int64", min_values=0, max_values=7),
            _fs("u", "sequence", "weird"),
        ],
    )
    out = to_tfmd(schema)
    names = [f.name for f in out.feature]
    assert names == ["a", "b", "c", SEQUENCE_STRUCT]
    a, b, c, struct = out.feature
    assert (a.type, a.presence.min_fraction, a.presence.min_count) == (schema_pb2.INT, 1.0, 1)
    assert (a.value_count.min, a.value_count.max) == (1, 2)
    assert (b.type, b.presence.min_fraction) == (schema_pb2.FLOAT, 0.25)
    assert c.type == schema_pb2.BYTES and c.HasField("image_domain") and not a.HasField("image_domain")
    assert struct.type == schema_pb2.STRUCT
    inner = list(struct.struct_domain.feature)
    assert [(f.name, f.type, f.value_count.min, f.value_count.max) for f in inner] == [
        ("t", schema_pb2.INT, 0, 7),
        ("u", schema_pb2.BYTES, 1, 2),
    ]
    assert not inner[0].HasField("presence")


def test_required_takes_full_presence_in_tfmd() -> None:
    (f,) = to_tfmd(Schema("example", [_fs("a", "features", "int64", required=True, presence=0.5)])).feature
    assert f.presence.min_fraction == 1.0
    (g,) = to_tfmd(Schema("example", [_fs("a", "features", "int64", required=False, presence=0.5)])).feature
    assert g.presence.min_fraction == 0.5


def test_infer_schema_fields() -> None:
    records = [example({"a": 1, "img": b"\x89PNG\r\n\x1a\n" + b"\0" * 8}), example({"a": [1, 2]})]
    schema = infer_schema(_stats(records))
    assert schema.record_kind == "example"
    by = {f.name: f for f in schema.features}
    assert (by["a"].required, by["a"].presence, by["a"].min_values, by["a"].max_values) == (True, 1.0, 1, 2)
    assert (by["img"].required, by["img"].presence, by["img"].image) == (False, 0.5, "png")
    mixed = infer_schema(_stats([example({"a": 1}), sequence_example({"a": 1}, {"t": [[1]]})]))
    assert mixed.record_kind == "mixed"
    assert infer_schema(_stats([])).record_kind == "none"
    (one,) = infer_schema(_stats([example({"a": 1})])).features  # one record holding it: required
    assert (one.required, one.presence) == (True, 1.0)
