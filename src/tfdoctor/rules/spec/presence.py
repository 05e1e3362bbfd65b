"""TFD201, TFD204, TFD205: keys the spec reads that the data lacks (or fills with a default), and
stored keys the spec never reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.spec import (
    SpecFacts,
    feature_line,
    infer_feature_spec,
)
from ...findings import Fix, Severity, Where
from .._text import fraction, share
from ..registry import Report, rule
from ._reads import (
    _describe_default,
    _first_text,
    _key_stats,
    _keys,
    _locations,
    _reads,
    _records,
    _renamed,
    _stored,
    _where,
    closest_key,
    fits,
)


@rule("TFD201", "missing-feature", Severity.ERROR, requires=(SpecFacts,), uses=(BatchFacts,))
def missing_feature(facts: SpecFacts, batches: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """A key the spec reads is absent from the data: a typo, or a feature never written.

    What it finds:
    Spec keys that no record holds (with the closest stored key of a kind and value count
    the entry can read: "did you mean 'image'?"), and keys some records lack where the spec
    has no default for them. An error where it shows why training fails: the key is the
    label, a stored key of a compatible kind is a near match (a typo), or the spec reads it
    as FixedLen with no default (parsing fails). A key read with a default, or as
    VarLen/Ragged, that no record holds is info: optional keys (`image/object/area`,
    `image/object/difficult`) are often never written, and the parser fills or empties them
    as asked. A key present in records but never holding a value is a warning.
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
    labels = {stats.label, stats.label_requested, batches.label_path if batches is not None else None}
    # a stored key the spec reads under its own entry is the typo of another entry only where
    # the two differ by a slip of the keys ('wordz' beside 'words'), not by a path segment
    read_keys = {(r.section, r.key) for _f, r, _v in _reads(spec)}
    for f, read, is_value in _reads(spec):
        total = _records(stats, read)
        if total == 0:
            continue
        tally = facts.tally(read)
        stored = _stored(stats, read)
        if stored is None:
            hollow = _key_stats(stats, read)  # the key is there, holding no value list
            candidates = [
                k
                for k in _keys(stats, read.section, read)
                if (read.section, k) not in read_keys or _slip(read.key, k)
            ]
            guess = None if hollow else closest_key(read.key, candidates)
            is_label = is_value and (read.key in labels or f.name in labels)
            severity: Severity | None = None  # an error: parsing fails, a typo, the label
            optional = not (hollow or guess or is_label)  # nothing shows that the key was meant
            if f.kind == "FixedLenFeature" and f.default is not None and is_value:
                effect = f"{_describe_default(f.default)} silently fills all {total:,} records"
                if optional:
                    effect = f"never present: {_describe_default(f.default)} fills all {total:,} records"
                    severity = Severity.INFO
                elif hollow and not is_label:
                    severity = Severity.WARNING  # written without values: a constant input, nothing fails
            elif f.kind in ("FixedLenFeature",) or (
                f.kind == "FixedLenSequenceFeature" and read.section == "sequence" and not f.allow_missing
            ):
                effect = "parsing fails at the first record ('required but could not be found')"
            else:
                effect = f"every record parses to an empty {f.kind} value, silently"
                if hollow and not is_label:
                    severity = Severity.WARNING  # written without values: nothing made up, nothing fails
                elif optional:
                    effect = f"always empty: {f.kind} parses an empty value in every record"
                    severity = Severity.INFO
            if is_label:
                effect += ", and it is the label"
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
                else Fix(
                    "Nothing to do if the key is optional; otherwise fix the writer so it stores it, "
                    "or drop the entry from the spec."
                )
                if severity == Severity.INFO
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


@rule("TFD204", "default-masks-missing", Severity.WARNING, requires=(SpecFacts,))
def default_masks_missing(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """Records lack a feature and `default_value` silently fills them in.

    What it finds:
    FixedLenFeatures with a default_value whose key some records lack (or hold as a Feature
    with no value list, which the parser treats the same), with how many records get the
    default. An error where the feature looks like the label and at least
    `default-label-error-fraction` ({default_label_error_fraction}) of the records get the default.
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
            severity=Severity.ERROR
            if stored.label_like and tally.missing / total >= cfg.default_label_error_fraction
            else None,
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
        meant = [f for f, read in missing_keys if read.section == section and fits(read, stored)
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


def _slip(a: str, b: str) -> bool:
    """Whether two keys differ by at most two typed characters, with the same path segments:
    'wordz'/'words' yes; 'image/object/class/label'/'image/class/label' no."""
    if a.count("/") != b.count("/") or abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))  # Levenshtein distance, row by row: the keys are short
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 2
