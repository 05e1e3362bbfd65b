"""A saved statistics file read back as a side of a comparison: a TFMD
DatasetFeatureStatisticsList, binary (as `tfdoctor scan --stats-out` and TFDV's
`write_stats_binary` write it, or TFDV's TFRecord of one such proto) or text (.pbtxt).
tensorflow_metadata is imported only here, only when a file is read."""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

from ..facts.compare import Bucket, Histogram
from ..facts.dataset import BytesStats, CountStats, DatasetStats, FeatureStats, NumericStats
from ..facts.files import FileFacts
from ..facts.inputs import InputFacts
from ..io.tfrecord import masked_crc
from ..labels import label_priority
from ..stats.schema import SEQUENCE_STRUCT

SUFFIXES = (".pb", ".binpb", ".pbtxt", ".textproto", ".stats")
MAX_BYTES = 1 << 30  # a statistics file larger than this is not one


class StatisticsError(ValueError):
    """The file is not a statistics file that can be read."""


def is_statistics_file(path: str) -> bool:
    """A side given as one local file named like a saved protocol buffer (not TFRecord data)."""
    return path.lower().endswith(SUFFIXES) and Path(path).is_file()


def load_statistics(
    path: str, label: str | None = None
) -> tuple[DatasetStats, dict[str, Histogram], list[str]]:
    """The statistics of the file's first dataset, the numeric histograms it stored (by
    feature path), and notes on what could not be read from it. StatisticsError where the
    file cannot be read or parsed."""
    from google.protobuf import text_format
    from google.protobuf.message import DecodeError
    from tensorflow_metadata.proto.v0 import statistics_pb2 as pb

    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise StatisticsError(f"{path}: {size:,} bytes is too large for a statistics file")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StatisticsError(f"{path}: {exc.strerror or exc}") from None
    out = pb.DatasetFeatureStatisticsList()
    try:
        if path.lower().endswith((".pbtxt", ".textproto")):
            text_format.Parse(data.decode("utf-8"), out)
        else:
            out.ParseFromString(_unframed(data))
    except (DecodeError, text_format.ParseError, UnicodeDecodeError, RecursionError) as exc:
        raise StatisticsError(f"{path}: not a DatasetFeatureStatisticsList: {exc}") from None
    if not out.datasets:
        raise StatisticsError(f"{path}: a DatasetFeatureStatisticsList with no dataset")
    notes = []
    if len(out.datasets) > 1:
        notes.append(
            f"{path}: {len(out.datasets)} datasets (slices); the first, '{out.datasets[0].name}', compared"
        )
    return (*_dataset(pb, out.datasets[0], path, label), notes)


def _unframed(data: bytes) -> bytes:
    """The payload of a TFRecord file of one record (TFDV writes statistics so), else the data."""
    if len(data) < 16:
        return data
    (length,) = struct.unpack("<Q", data[:8])
    (length_crc,) = struct.unpack("<I", data[8:12])
    if masked_crc(data[:8]) != length_crc or 12 + length + 4 > len(data):
        return data
    payload = data[12 : 12 + length]
    (payload_crc,) = struct.unpack("<I", data[12 + length : 16 + length])
    return payload if masked_crc(payload) == payload_crc else data


def _dataset(pb: Any, ds: Any, path: str, label: str | None) -> tuple[DatasetStats, dict[str, Histogram]]:
    records = int(ds.num_examples) or int(round(ds.weighted_num_examples))
    features: list[FeatureStats] = []
    histograms: dict[str, Histogram] = {}
    for fs in ds.features:
        steps = list(fs.path.step) if fs.HasField("path") else [fs.name]
        if not steps or fs.type == pb.FeatureNameStatistics.STRUCT:
            continue
        section = "sequence" if len(steps) == 2 and steps[0] == SEQUENCE_STRUCT else "features"
        name = steps[-1] if section == "sequence" else "/".join(steps) if len(steps) > 1 else steps[0]
        feature, hist = _feature(pb, fs, name, section, records)
        features.append(feature)
        if hist is not None:
            histograms[feature.path] = hist
    guessed = label if label is not None else _guess_label(features)
    stats = DatasetStats(
        records=records,
        record_kinds={"example": records},
        features=tuple(features),
        files=(FileFacts(url=path, records=records, examples=records, size=Path(path).stat().st_size),),
        label_orders={},
        label=guessed,
        label_requested=label,
        inputs=InputFacts((path,)),
    )
    return stats, histograms


def _guess_label(features: list[FeatureStats]) -> str | None:
    ranked = [
        (p, f.name) for f in features if f.section != "sequence" and (p := label_priority(f.name)) is not None
    ]
    return min(ranked)[1] if ranked else None


def _common(s: Any) -> Any:
    """The CommonStatistics of a feature's statistics, whichever kind."""
    which = s.WhichOneof("stats")
    return getattr(s, which).common_stats if which in ("num_stats", "string_stats", "bytes_stats") else None


def _feature(
    pb: Any, fs: Any, name: str, section: str, records: int
) -> tuple[FeatureStats, Histogram | None]:
    common = _common(fs)
    present = int(common.num_non_missing) if common is not None else 0
    missing = int(common.num_missing) if common is not None else 0
    total = present + missing if common is not None and present + missing else records
    values = int(common.tot_num_values) if common is not None else 0
    counts = None
    if common is not None and present:
        counts = CountStats(
            min=int(common.min_num_values),
            max=int(common.max_num_values),
            mean=float(common.avg_num_values),
            quantiles={},
        )
        values = values or int(round(common.avg_num_values * present))
    kind = {
        pb.FeatureNameStatistics.INT: "int64",
        pb.FeatureNameStatistics.FLOAT: "float",
        pb.FeatureNameStatistics.STRING: "bytes",
        pb.FeatureNameStatistics.BYTES: "bytes",
    }.get(fs.type, "unset")
    numeric = None
    hist = None
    top: tuple[tuple[str, int], ...] = ()
    distinct = 0.0
    bytes_stats = None
    which = fs.WhichOneof("stats")
    if which == "num_stats":
        n = fs.num_stats
        hist = _histogram(pb, n.histograms)
        numeric = NumericStats(
            count=values,
            min=float(n.min),
            max=float(n.max),
            mean=float(n.mean),
            std=float(n.std_dev),
            zeros=int(n.num_zeros),
            nan=int(hist.nan) if hist is not None else 0,
            pos_inf=0,
            neg_inf=0,
            quantiles={},
        )
    elif which == "string_stats":
        s = fs.string_stats
        distinct = float(s.unique)
        ranked = [(b.label, int(round(b.sample_count))) for b in s.rank_histogram.buckets]
        listed = [(v.value, int(round(v.frequency))) for v in s.top_values]
        top = tuple(sorted(ranked if len(ranked) >= len(listed) else listed, key=lambda vc: -vc[1]))
        bytes_stats = BytesStats(
            count=values, min_length=0, max_length=0, mean_length=float(s.avg_length), image_formats={}
        )
    constant = top[0][0] if len(top) == 1 and distinct <= 1 else None
    feature = FeatureStats(
        name=name,
        section=section,
        kind=kind,
        kinds={kind: present},
        records_present=present,
        records_with_values=present,
        total_values=values,
        value_count=counts,
        numeric=numeric,
        bytes=bytes_stats,
        distinct_estimate=distinct,
        top_values=top,
        constant_value=constant,
        total_records=total,
    )
    return feature, hist


def _histogram(pb: Any, histograms: Any) -> Histogram | None:
    """The stored histogram drift is measured on: QUANTILES where there is one (robust to
    outliers), else STANDARD."""
    by_type = {h.type: h for h in histograms if h.buckets}
    chosen = by_type.get(pb.Histogram.QUANTILES) or by_type.get(pb.Histogram.STANDARD)
    if chosen is None:
        return None
    buckets = tuple(
        Bucket(float(b.low_value), float(b.high_value), float(b.sample_count))
        for b in chosen.buckets
        if not (math.isnan(b.low_value) or math.isnan(b.high_value))
    )
    return Histogram(buckets, float(chosen.num_nan))
