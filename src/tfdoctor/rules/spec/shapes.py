"""TFD203, TFD209: fixed shapes against the value counts the records store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...config import Thresholds
from ...facts.reads import Read
from ...facts.spec import (
    FeatureSpec,
    SpecFacts,
    UnreadDefault,
    feature_call,
    feature_line,
    infer_feature_spec,
)
from ...findings import Fix, Severity
from .._text import fraction, share
from ..registry import Report, rule
from ._reads import (
    _count_text,
    _first_text,
    _locations,
    _reads,
    _stored,
    _where,
    _zero,
)


@rule("TFD203", "shape-mismatch", Severity.ERROR, requires=(SpecFacts,))
def shape_mismatch(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """A FixedLenFeature's shape disagrees with how many values every record stores.

    What it finds:
    Fixed shapes whose element count differs from the (constant) stored value count, e.g.
    `FixedLenFeature([], tf.float32)` over 784 stored pixels; FixedLenSequenceFeature rows
    that do not divide the stored values; a default_value that does not fit the shape; a
    SparseFeature whose index and value keys hold different counts, or indices outside its size;
    a RaggedFeature whose row lengths (or splits) do not account for its values.
    Why it hurts training:
    The parser reads exactly the shape's element count: every record fails ("Number of float
    values != expected. Values size: 784 but output shape: []"), or a default the shape
    cannot hold fails the first time a record needs it ("Input to reshape is a tensor with
    1 values, but the requested shape has 2").
    Example:
    features = {'pixels': tf.io.FixedLenFeature([], tf.float32)}  # 784 values stored
    Fix:
    Read the stored count (`FixedLenFeature([784], tf.float32)`), then tf.reshape to the
    layout the model wants ([28, 28, 1] holds the same 784 values).
    """
    stats, spec = facts.data, facts.spec
    for f, read, is_value in _reads(spec):
        if f.kind == "SparseFeature" and read.pair is not None:
            yield from _sparse_mismatch(facts, f, read)
            continue
        if f.kind == "RaggedFeature" and read.partition is not None:
            yield from _partition_mismatch(facts, f, read)
            continue
        if not is_value or f.kind not in ("FixedLenFeature", "FixedLenSequenceFeature"):
            continue
        want = f.fixed_count
        # a default written as code tfdoctor does not run has no size to compare
        if (
            f.kind == "FixedLenFeature"
            and f.default is not None
            and want is not None
            and not isinstance(f.default, UnreadDefault)
        ):
            size = len(f.default) if isinstance(f.default, list) else 1
            flat = f.default
            while isinstance(flat, list) and flat and isinstance(flat[0], list):
                flat = [v for row in flat for v in row]
                size = len(flat)
            if size != want and want != 1:
                yield Report(
                    f"'{f.name}' has shape {list(f.shape or ())} ({want} values) but its default_value holds "
                    f"{size}: every record that lacks the feature fails to parse.",
                    _where(spec, f),
                    # only records that lack the feature use the default
                    {
                        "shape_values": want,
                        "default_values": size,
                        "parse_fails": bool(facts.tally(read).missing),
                    },
                    Fix(f"Give a default that fills the shape: default_value=[{_zero(f.dtype)}] * {want}"),
                )
        stored = _stored(stats, read)
        tally = facts.tally(read)
        bad = tally.problem("count")
        if stored is None or not bad or stored.value_count is None:
            continue
        vc = stored.value_count
        constant = vc.min == vc.max and stored.records_with_values == stored.records_present
        if read.multiple_of:
            row = read.multiple_of
            yield Report(
                f"'{f.name}' is read as rows of {row} values (FixedLenSequenceFeature{list(f.shape or ())}) "
                f"but {bad:,} records hold a count that is not a multiple of {row} "
                f"({_count_text(tally.bad_counts)}): parsing fails at {_first_text(tally, 'count')}.",
                _where(spec, f, tally, "count"),
                {
                    "records": tally.present,
                    "mismatched": bad,
                    "fraction": fraction(bad, tally.present),
                    "first_records": _locations(tally, "count"),
                    "parse_fails": True,
                },
                Fix(f"{feature_line(infer_feature_spec(stored, f.section))}"),
            )
        elif constant:
            fixed = infer_feature_spec(stored, f.section)
            unit = "step" if read.section == "sequence" else "record"
            yield Report(
                f"Every {unit} of '{f.name}' holds {vc.min} value{'s' * (vc.min != 1)} but "
                f"{f.kind}({list(f.shape or ())}) reads {want}: all {bad:,} records fail to parse "
                f"('Number of {stored.kind} values != expected').",
                _where(spec, f, tally, "count"),
                {
                    "records": tally.present,
                    "mismatched": bad,
                    "fraction": fraction(bad, tally.present),
                    "stored_values": vc.min,
                    "spec_values": want,
                    "parse_fails": True,
                },
                Fix(f"{feature_line(fixed)}  then tf.reshape(parsed[{f.name!r}], {list(f.shape or ())}) "
                    "only if that holds the same number of values" if len(f.shape or ()) > 1
                    else feature_line(fixed)),
            )  # fmt: skip


def _problem_report(
    facts: SpecFacts, f: FeatureSpec, read: Read, problem: str, message: str, fix: str, fails: bool
) -> Iterator[Report]:
    """One finding for the records of one tally problem ("{share}" and "{first}" in the
    message are filled in), with the counts and first records."""
    tally = facts.tally(read)
    bad = tally.problem(problem)
    if bad:
        yield Report(
            # str.replace, not str.format: feature names are untrusted and may hold braces
            message.replace("{share}", share(bad, tally.present)).replace(
                "{first}", _first_text(tally, problem)
            ),
            _where(facts.spec, f, tally, problem),
            {
                "records": tally.present,
                "mismatched": bad,
                "first_records": _locations(tally, problem),
                "parse_fails": fails,
            },
            fix,
        )


def _sparse_mismatch(facts: SpecFacts, f: FeatureSpec, read: Read) -> Iterator[Report]:
    """A SparseFeature's index key against its value key: counts per record, index range."""
    yield from _problem_report(
        facts, f, read, "pair",
        f"'{read.key}' (the indices of SparseFeature '{f.name}') and '{read.pair}' (its values) hold "
        "different counts in {share}: parsing fails at {first} ('Dimensions ... are not compatible').",
        "Write one index per value in every record (or read both keys as VarLenFeatures)", True,
    )  # fmt: skip
    yield from _problem_report(
        facts, f, read, "range",
        f"'{read.key}' holds indices outside [0, {read.bound}) in {{share}}: the parse accepts them "
        "silently, and tf.sparse.to_dense fails later ({first}).",
        "A size that holds every index: " + feature_line(replace(f, shape=(_max_index(facts, read) + 1,))),
        False,
    )  # fmt: skip


def _partition_mismatch(facts: SpecFacts, f: FeatureSpec, read: Read) -> Iterator[Report]:
    """A RaggedFeature's innermost row partition that does not account for its values."""
    what = "row lengths add up to" if read.partition == "RowLengths" else "last row split is"
    yield from _problem_report(
        facts, f, read, "partition",
        f"In {{share}}, the {what} another count than '{read.pair}' holds ('{read.key}', "
        f"{read.partition} of RaggedFeature '{f.name}'): TensorFlow silently drops or regroups values "
        "(validate=False, the default) from {first} on.",
        "Fix the writer so the partition matches the values; validate=True makes the parse fail instead",
        False,
    )  # fmt: skip


def _max_index(facts: SpecFacts, read: Read) -> int:
    stored = _stored(facts.data, read)
    top = stored.numeric.max if stored is not None and stored.numeric is not None else None
    return int(top) if top is not None else (read.bound or 0)


@rule("TFD209", "variable-length", Severity.ERROR, requires=(SpecFacts,))
def variable_length(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """Value counts vary from record to record but the spec reads a fixed length.

    What it finds:
    FixedLenFeatures (and FixedLenSequenceFeatures in sequence features) over a feature
    whose stored value count varies, with how many records hold a count other than the
    shape's and the first of them.
    Why it hurts training:
    The parser fails at the first record with another count ("Number of int64 values !=
    expected. Values size: 2 but output shape: [3]"), which may be record 10,412 of an
    epoch: training dies hours in, or `ignore_errors()` silently drops those records.
    Example:
    features = {'tokens': tf.io.FixedLenFeature([3], tf.int64)}  # 1 to 12 tokens stored
    Fix:
    Read it as variable length (tf.io.VarLenFeature or tf.io.RaggedFeature) and pad or
    truncate on purpose (tf.sparse.to_dense, .to_tensor(shape=...), padded_batch).
    """
    stats, spec = facts.data, facts.spec
    for f, read, is_value in _reads(spec):
        if not is_value or f.kind not in ("FixedLenFeature", "FixedLenSequenceFeature") or read.multiple_of:
            continue
        stored = _stored(stats, read)
        tally = facts.tally(read)
        bad = tally.problem("count")
        if stored is None or not bad or stored.value_count is None:
            continue
        vc = stored.value_count
        if vc.min == vc.max and stored.records_with_values == stored.records_present:
            continue  # one stored count: TFD203
        median = vc.quantiles.get("q50")
        spread = f"{vc.min} to {vc.max}" + (f" (median {median:g})" if median is not None else "")
        unit = "steps" if read.section == "sequence" else "records"
        fixed = replace(f, kind="VarLenFeature", shape=None, default=None, allow_missing=False)
        yield Report(
            f"'{read.key}' holds {spread} values per {unit[:-1]}, but {f.kind}({list(f.shape or ())}) reads "
            f"{f.fixed_count}: {bad:,} of {tally.present:,} records hold another count "
            f"({_count_text(tally.bad_counts)}) and parsing fails at {_first_text(tally, 'count')}.",
            _where(spec, f, tally, "count"),
            {
                "records": tally.present,
                "mismatched": bad,
                "fraction": fraction(bad, tally.present),
                "min_values": vc.min,
                "max_values": vc.max,
                "first_records": _locations(tally, "count"),
                "parse_fails": True,
            },
            Fix(
                f"{feature_line(fixed)}  then tf.sparse.to_dense(parsed[{f.name!r}]) and pad or truncate "
                f"on purpose; or {feature_call(replace(fixed, kind='RaggedFeature'))}"
            ),
        )
