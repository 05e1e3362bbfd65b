"""Statistics as a TensorFlow Metadata DatasetFeatureStatisticsList, the format TFDV's
`load_statistics` and Facets read."""

from __future__ import annotations

from typing import Any

from ..facts.dataset import CountStats, FeatureStats
from .dataset import DatasetStats
from .schema import SEQUENCE_STRUCT


def _rank(key: str, index: int, last: int) -> float:
    """The rank a quantile key stands for ("min" 0, "q25" 0.25, "max" 1); keys of another form
    are taken as evenly spaced."""
    if key in ("min", "max"):
        return 0.0 if key == "min" else 1.0
    try:
        return float(key[1:]) / 100 if key.startswith("q") else index / max(1, last)
    except ValueError:
        return index / max(1, last)


def _quantile_histogram(stats_pb2: Any, quantiles: dict[str, float], count: float) -> Any:
    """Each bucket holds the values between its two quantiles' ranks (min to 1%: 1% of them),
    so TFDV's drift measures read the shares the quantiles stand for."""
    hist = stats_pb2.Histogram(type=stats_pb2.Histogram.QUANTILES)
    points = [(_rank(k, i, len(quantiles) - 1), v) for i, (k, v) in enumerate(quantiles.items())]
    for (r_lo, lo), (r_hi, hi) in zip(points, points[1:]):
        hist.buckets.add(low_value=lo, high_value=hi, sample_count=count * (r_hi - r_lo))
    return hist


def _common(stats_pb2: Any, f: FeatureStats, counts: CountStats | None) -> Any:
    common = stats_pb2.CommonStatistics(
        num_non_missing=f.records_present,
        num_missing=max(0, f.total_records - f.records_present),
        tot_num_values=f.total_values,
    )
    if counts is not None:
        common.min_num_values = counts.min
        common.max_num_values = counts.max
        common.avg_num_values = counts.mean
        common.num_values_histogram.CopyFrom(
            _quantile_histogram(stats_pb2, counts.quantiles, f.records_present)
        )
    return common


def to_tfmd_statistics(stats: DatasetStats, name: str = "tfdoctor") -> Any:
    from tensorflow_metadata.proto.v0 import statistics_pb2 as pb

    out = pb.DatasetFeatureStatisticsList()
    ds = out.datasets.add(name=name, num_examples=stats.records)
    for f in stats.features:
        fs = ds.features.add()
        steps = [SEQUENCE_STRUCT, f.name] if f.section == "sequence" else [f.name]
        fs.path.step.extend(steps)
        common = _common(pb, f, f.value_count)
        if f.kind in ("int64", "float") and f.numeric is not None:
            fs.type = pb.FeatureNameStatistics.INT if f.kind == "int64" else pb.FeatureNameStatistics.FLOAT
            n = f.numeric
            num = fs.num_stats
            num.common_stats.CopyFrom(common)
            num.num_zeros = n.zeros
            if n.mean is not None:
                num.mean = n.mean
                num.std_dev = n.std or 0.0
                num.min = n.min or 0.0
                num.max = n.max or 0.0
                num.median = n.quantiles.get("q50", 0.0)
            if n.quantiles:
                num.histograms.append(
                    _quantile_histogram(pb, n.quantiles, n.count - n.nan - n.pos_inf - n.neg_inf)
                )
        elif f.kind == "bytes" and f.bytes is not None:
            fs.type = pb.FeatureNameStatistics.STRING
            s = fs.string_stats
            s.common_stats.CopyFrom(common)
            s.unique = int(round(f.distinct_estimate))
            s.avg_length = f.bytes.mean_length
            for rank, (value, count) in enumerate(f.top_values):
                s.top_values.add(value=value, frequency=count)
                s.rank_histogram.buckets.add(low_rank=rank, high_rank=rank, label=value, sample_count=count)
        else:
            fs.type = pb.FeatureNameStatistics.STRING
            fs.string_stats.common_stats.CopyFrom(common)
    return out
