"""TFD2xx rules that judge a parse spec against the data it parses.

The facts are a `SpecFacts`: the spec, the scan's statistics, and exact per-key tallies of
the records that TensorFlow's parser would fill with a default or fail on. What each rule
predicts about TensorFlow is checked against real `tf.io.parse_example` in tests/test_spec_rules.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..config import Thresholds
from ..facts.dataset import DatasetStats, FeatureStats
from ..facts.reads import Read, ReadTally
from ..facts.spec import (
    TF_DTYPE_FOR_KIND,
    FeatureSpec,
    ParseSpec,
    SpecFacts,
    feature_call,
    feature_line,
    infer_feature_spec,
)
from ..findings import Fix, Severity, Where
from ._text import fraction, share
from .registry import Report, rule


def _key_stats(stats: DatasetStats, read: Read) -> FeatureStats | None:
    """Statistics of the stored key a read looks at, where any record has the key."""
    return stats.feature(read.key, "sequence") if read.section == "sequence" else stats.stored(read.key)


def _stored(stats: DatasetStats, read: Read) -> FeatureStats | None:
    """The stored feature a read looks at; None where no record ever holds a value for it."""
    found = _key_stats(stats, read)
    return found if found is not None and found.kind != "unset" else None


def _records(stats: DatasetStats, read: Read) -> int:
    """Records a read applies to: every record for field-1 reads, SequenceExamples for lists."""
    return stats.record_kinds.get("sequence_example", 0) if read.section == "sequence" else stats.records


def _reads(spec: ParseSpec) -> Iterator[tuple[FeatureSpec, Read, bool]]:
    """(entry, read, is the entry's value key) for every key the spec reads."""
    for f in spec.features:
        for i, read in enumerate(f.reads()):
            yield f, read, i == 0


def _locations(tally: ReadTally, *problems: str) -> list[str]:
    return [f"{url}#{index}" for url, index in tally.first(*problems)]


def _where(spec: ParseSpec, f: FeatureSpec, tally: ReadTally | None = None, *problems: str) -> Where:
    first = tally.first(*problems) if tally is not None and problems else []
    url, index = first[0] if first else (None, None)
    return Where(file=url, record=index, feature=f.name, spec=_spec_place(spec, f))


def _spec_place(spec: ParseSpec, f: FeatureSpec) -> str:
    if f.line is not None and f.line != spec.line:
        return f"{spec.name} (entry at line {f.line})"
    return spec.name


def _first_text(tally: ReadTally, *problems: str) -> str:
    first = tally.first(*problems)
    return f"record {first[0][1]:,} of {first[0][0]}" if first else "the first such record"


def _keys(stats: DatasetStats, section: str) -> list[str]:
    sections = ("sequence",) if section == "sequence" else ("features", "context")
    return [f.name for f in stats.features if f.section in sections and f.kind != "unset"]


def closest_key(key: str, candidates: list[str]) -> str | None:
    """The stored key a misspelt spec key most likely meant ('imaeg' -> 'image')."""
    lower = {c.lower(): c for c in candidates}
    for variant in (key.lower(), key.lower().rstrip("s"), key.lower() + "s"):
        if variant in lower and lower[variant] != key:
            return lower[variant]
    found = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def _zero(dtype: str) -> str:
    return {"float32": "0.0", "string": 'b""'}.get(dtype, "0")


def _describe_default(value: Any) -> str:
    return f"default_value={value!r}"


def _renamed(f: FeatureSpec, key: str) -> FeatureSpec:
    return replace(f, value_key=key) if f.value_key else replace(f, name=key)


@rule("TFD201", "missing-feature", Severity.ERROR, requires=(SpecFacts,))
def missing_feature(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """A key the spec reads is absent from the data: a typo, or a feature never written.

    What it finds:
    Spec keys that no record holds (with the closest stored key: "did you mean 'image'?"),
    and keys some records lack where the spec has no default for them.
    Why it hurts training:
    With a `default_value`, TensorFlow fills every record with the default and says nothing:
    the model trains on a constant. A VarLenFeature parses to an empty tensor, just as
    silently. Without a default, `parse_example` fails at the first record that lacks the key
    ("Feature: imaeg (data type: string) is required but could not be found"), which may be
    deep into an epoch.
    Example:
    features = {'imaeg': tf.io.FixedLenFeature([], tf.string, default_value=b'')}
    Fix:
    Use the stored key ('image'). Where some records lack it on purpose, read it with
    VarLenFeature so a missing value stays visible, or filter those records out (a
    default_value would make their values up: TFD204).
    """
    stats, spec = facts.data, facts.spec
    for f, read, is_value in _reads(spec):
        total = _records(stats, read)
        if total == 0:
            continue
        tally = facts.tally(read)
        stored = _stored(stats, read)
        if stored is None:
            hollow = _key_stats(stats, read)  # the key is there, holding no value list
            guess = None if hollow else closest_key(read.key, _keys(stats, read.section))
            severity = None
            if f.kind == "FixedLenFeature" and f.default is not None and is_value:
                effect = f"{_describe_default(f.default)} silently fills all {total:,} records"
            elif f.kind in ("FixedLenFeature",) or (
                f.kind == "FixedLenSequenceFeature" and read.section == "sequence" and not f.allow_missing
            ):
                effect = "parsing fails at the first record ('required but could not be found')"
            else:
                effect = f"every record parses to an empty {f.kind} value, silently"
                severity = Severity.WARNING if hollow else None  # nothing made up, nothing fails
            if hollow:
                message = (
                    f"'{read.key}' is in {hollow.records_present:,} of {total:,} records but never holds a "
                    f"value (a Feature with no value list), which the parser treats as missing: {effect}."
                )
            else:
                message = f"'{read.key}' is in none of the {total:,} records: {effect}."
            fix = (
                Fix("Fix the writer so it stores values, or drop the entry from the spec.")
                if hollow
                else None
            )
            if guess is not None:
                message += f" Did you mean '{guess}'?"
                fixed = _renamed(f, guess) if is_value else f
                target = _key_stats(stats, replace(read, key=guess))
                if target is not None and target.records_present == target.total_records:
                    fixed = replace(fixed, default=None)  # every record holds the stored key
                fix = Fix(f"Read the stored key: {feature_line(fixed)}" if is_value else f"Read '{guess}'.")
            yield Report(
                message,
                _where(spec, f),
                {
                    "records": total,
                    "missing": total,
                    "closest": guess,
                    "parse_fails": effect.startswith("parsing"),
                },
                fix,
                severity,
            )
            continue
        missing = tally.missing
        fails = f.kind == "FixedLenFeature" and f.default is None
        fails = fails or (
            f.kind == "FixedLenSequenceFeature" and read.section == "sequence" and not f.allow_missing
        )
        if missing and fails and is_value:
            fixed = infer_feature_spec(stored, f.section)  # VarLen: where records lack it, nothing is made up
            yield Report(
                f"'{read.key}' is absent from {share(missing, total)} and the spec has no default: "
                f"parsing fails at {_first_text(tally, 'missing')} "
                "('required but could not be found').",
                _where(spec, f, tally, "missing"),
                {
                    "records": total,
                    "missing": missing,
                    "fraction": fraction(missing, total),
                    "first_records": _locations(tally, "missing"),
                    "parse_fails": True,
                },
                Fix(
                    f"Read it so a missing value stays visible (empty): {feature_line(fixed)}; or filter "
                    "out the records that lack it (a default_value would make their values up: TFD204)"
                ),
            )


@rule("TFD202", "dtype-mismatch", Severity.ERROR, requires=(SpecFacts,))
def dtype_mismatch(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """The spec's dtype differs from the stored kind, or is one the parser cannot take.

    What it finds:
    Entries whose dtype is not int64, float32 or string (tf.int32, tf.uint8, tf.float64...),
    and records whose stored list (int64_list / float_list / bytes_list) differs from the
    one the dtype reads, e.g. labels stored as int64 read as tf.float32.
    Why it hurts training:
    TensorFlow refuses other dtypes when the parse op is built ("Value for attr 'Tdense' of
    int32 is not in the list of allowed values"), and a kind mismatch fails at the first such
    record ("Data types don't match. Data type: int64 but expected type: float"), often only
    once the pipeline reaches it.
    Example:
    features = {'label': tf.io.FixedLenFeature([], tf.int32)}
    Fix:
    Read the stored kind (tf.int64 for int64_list, tf.float32 for float_list, tf.string for
    bytes_list) and cast afterwards: tf.cast(parsed['label'], tf.int32).
    """
    stats, spec = facts.data, facts.spec
    for f, read, is_value in _reads(spec):
        stored = _stored(stats, read)
        if is_value and f.stored_kind is None:
            target = TF_DTYPE_FOR_KIND.get(stored.kind, "int64") if stored else "int64"
            fixed = replace(f, dtype=target)
            yield Report(
                f"'{f.name}' is read as tf.{f.dtype}, which the parser cannot take (only int64, "
                "float32 and string): TensorFlow fails when the parse op is built.",
                _where(spec, f),
                {"dtype": f.dtype, "parse_fails": True},
                Fix(f"{feature_line(fixed)}  then tf.cast(parsed[{f.name!r}], tf.{f.dtype})"),
            )
            continue
        tally = facts.tally(read)
        wrong = tally.kind_problems()
        if not wrong or read.kind is None:
            continue
        total_wrong = sum(wrong.values())
        kinds = ", ".join(f"{kind} in {n:,}" for kind, n in sorted(wrong.items(), key=lambda kv: -kv[1]))
        want = TF_DTYPE_FOR_KIND[read.kind]
        problems = [f"kind:{k}" for k in wrong]
        top = max(wrong, key=lambda k: wrong[k])
        fix_text = (
            f"Read what is stored: {feature_line(replace(f, dtype=TF_DTYPE_FOR_KIND[top]))}"
            f"  then tf.cast(parsed[{f.name!r}], tf.{want})"
            if is_value
            else f"Store '{read.key}' as int64 (it holds indices or row partitions)."
        )
        if tally.present > total_wrong:
            fix_text += f"; or rewrite the {total_wrong:,} records stored as {top} so every record agrees"
        yield Report(
            f"'{read.key}' is read as tf.{want} ({read.kind}_list) but stored as {kinds} of "
            f"{tally.present:,} records holding it: parsing fails at {_first_text(tally, *problems)} "
            "('Data types don't match').",
            _where(spec, f, tally, *problems),
            {
                "records": tally.present,
                "mismatched": total_wrong,
                "fraction": fraction(total_wrong, tally.present),
                "stored_kinds": dict(wrong),
                "first_records": _locations(tally, *problems),
                "parse_fails": True,
            },
            Fix(fix_text),
        )


def _count_text(counts: dict[int, int]) -> str:
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{n:,} record{'s' * (n != 1)} with {c} value{'s' * (c != 1)}" for c, n in top)


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
        if f.kind == "FixedLenFeature" and f.default is not None and want is not None:
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


@rule("TFD204", "default-masks-missing", Severity.WARNING, requires=(SpecFacts,))
def default_masks_missing(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """Records lack a feature and `default_value` silently fills them in.

    What it finds:
    FixedLenFeatures with a default_value whose key some records lack (or hold as a Feature
    with no value list, which the parser treats the same), with how many records get the
    default.
    Why it hurts training:
    The parser gives no sign that a value was made up. A label defaulted to 0 teaches class
    0; an input defaulted to 0.0 is indistinguishable from a real zero.
    Example:
    features = {'age': tf.io.FixedLenFeature([], tf.float32, default_value=0.0)}  # 30% lack age
    Fix:
    Decide per feature: filter the records out, impute on purpose and add a "was missing"
    indicator, or read it with VarLenFeature so missing stays visible.
    """
    stats, spec = facts.data, facts.spec
    for f, read, is_value in _reads(spec):
        if not is_value or f.kind != "FixedLenFeature" or f.default is None:
            continue
        tally = facts.tally(read)
        stored = _stored(stats, read)
        if stored is None or not tally.missing:  # absent everywhere is TFD201's
            continue
        total = tally.records
        label = " It is the label: those records teach the default class." if stored.label_like else ""
        yield Report(
            f"{share(tally.missing, total)} lack '{read.key}'; "
            f"{_describe_default(f.default)} silently fills them.{label}",
            _where(spec, f, tally, "missing"),
            {
                "records": total,
                "defaulted": tally.missing,
                "fraction": round(tally.missing / total, 6),
                "first_records": _locations(tally, "missing"),
                "parse_fails": False,
            },
            Fix(
                "Filter the records that lack it, or keep missing visible: "
                f"{feature_line(replace(f, kind='VarLenFeature', shape=None, default=None))}"
            ),
            severity=Severity.ERROR if stored.label_like and tally.missing * 10 >= total else None,
        )


@rule("TFD205", "unused-feature", Severity.INFO, requires=(SpecFacts,))
def unused_feature(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """The data holds a feature the spec never reads, often the real label.

    What it finds:
    Stored features no spec entry reads. Where a spec key is missing from the data and a
    similar stored key goes unread ('labels' read, 'label' stored), that pairing is named.
    Why it hurts training:
    An unread feature costs only parse time, unless it is the one the model needed: a spec
    that reads 'labels' (defaulting to 0) while 'label' goes unread trains on a constant.
    Example:
    features = {'image': ..., 'labels': tf.io.FixedLenFeature([], tf.int64, default_value=0)}
    Fix:
    Read it (the line is given), or ignore TFD205 for features left out on purpose.
    """
    stats, spec = facts.data, facts.spec
    read_keys = spec.keys()
    missing_keys = [
        (f, read) for f, read, _ in _reads(spec) if _stored(stats, read) is None and _records(stats, read) > 0
    ]
    sections = ("features", "context", "sequence") if spec.sequence else ("features", "context")
    for stored in stats.features:
        if stored.section not in sections or stored.kind == "unset":
            continue
        section = "sequence" if stored.section == "sequence" else "features"
        if (section, stored.name) in read_keys:
            continue
        meant = [f for f, read in missing_keys if read.section == section
                 and closest_key(read.key, [stored.name]) == stored.name]  # fmt: skip
        present = f"{stored.records_present:,} of {stored.total_records:,} records"
        message = f"'{stored.path}' ({stored.kind}, in {present}) is never read by the spec."
        if meant:
            message += (
                f" The spec reads '{meant[0].key}' instead, which no record holds: "
                "this looks like the intended one."
            )
        elif stored.label_like:
            message += " It looks like the label."
        target_section = (
            stored.section if stored.section == "sequence" else ("context" if spec.sequence else "features")
        )
        entry = infer_feature_spec(stored, target_section)
        yield Report(
            message,
            Where(feature=stored.path, spec=spec.name),
            {
                "records_present": stored.records_present,
                "records": stored.total_records,
                "parse_fails": False,
            },
            Fix(
                f"Read it: {feature_line(entry)}"
                if not meant
                else f"Read the stored key: {feature_line(entry)}"
            ),
        )


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
