"""TFD206, TFD207, TFD213: features judged from the data alone (no parse spec needed): constant,
non-finite and empty features."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.dataset import DatasetStats, FeatureStats
from ...findings import Fix, Severity, Where
from .._text import fraction, share
from ..registry import Report, rule


@rule("TFD206", "constant-feature", Severity.WARNING, requires=(DatasetStats,))
def constant_feature(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A feature (often the label) that has one value in every record.

    What it finds:
    A feature whose every stored value is the same, across at least
    `constant_min_records` records (default {constant_min_records}). Checked exactly, not from a sketch.
    A warning for the label and for a number or an image a checked parse spec (or the
    audited pipeline's parse) reads; info for a constant nothing reads (a `difficult` flag
    that is always 0) and for a string that is not an image (`image/format`,
    `image/colorspace`), read or not: those are properties of the data, not inputs of the
    model.

    Why it hurts training:
    A constant input carries no information; a constant label means the model can only
    learn to output that constant, and the loss drops to zero at once or sits flat. It
    usually betrays a bug upstream: a default written for every record, a join that failed,
    a column read from the wrong place.

    Example:
    `label` is 0 in all 60,000 records because the export wrote the default.

    Fix:
    Fix the writer so the feature carries real values, or drop the feature from the spec.
    """
    read = {(t.read.section, t.read.key) for t in facts.reads}
    for f in facts.features:
        if f.constant_value is None or f.records_present < cfg.constant_min_records:
            continue
        is_label = f.name == facts.label
        is_read = ("sequence" if f.section == "sequence" else "features", f.name) in read
        role = "the label " if is_label else ""
        of = f" (of {f.total_records:,})" if f.records_present < f.total_records else ""
        # a string read beside the image (its format, colorspace, source) is metadata: a constant
        # one is the norm; a constant number or image read as an input carries nothing
        metadata = is_read and not is_label and f.kind == "bytes" and not f.is_image
        if is_label:
            effect = ": the model can only learn a constant."
        elif metadata:
            effect = ". The spec reads it, but a constant string is metadata (a format, a colorspace)."
        elif is_read:
            effect = "."
        elif facts.reads:
            effect = ". No checked parse spec reads it: a property of the data, not an input."
        else:
            effect = ". No parse spec was given to show that anything reads it."
        yield Report(
            f"{role}'{f.path}' {_constant_text(f)} in all {f.records_with_values:,} records that hold it"
            + of
            + effect,
            Where(feature=f.path),
            {"records": f.records_with_values, "value": f.constant_value, "is_label": is_label},
            Fix(
                "Check the writer: a constant usually means a default or a failed join was "
                "written. Drop the feature if it is constant by design."
            ),
            severity=None if is_label or (is_read and not metadata) else Severity.INFO,
        )


def _constant_text(f: FeatureStats) -> str:
    """How a constant reads: one value, the same short vector in every record, or (where the
    count per record varies) every value the same."""
    value = f.constant_value
    shown = repr(value) if f.kind == "bytes" else value
    counts = f.value_count
    if counts is None or counts.max <= 1:
        return f"has the single value {value!r}"
    if counts.min != counts.max:
        return f"holds {counts.min} to {counts.max} values per record and every value is {shown},"
    n = counts.max
    items = ", ".join([str(shown)] * min(n, 4)) + (", ..." if n > 4 else "")
    return f"holds the same {n:,} values [{items}]"


@rule("TFD207", "non-finite-values", Severity.WARNING, requires=(DatasetStats,))
def non_finite_values(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """NaN or Inf stored in a float feature.

    What it finds:
    Float features holding NaN, +Inf or -Inf values, with how many.

    Why it hurts training:
    One NaN in a batch makes the loss NaN; gradients follow and the weights become NaN.
    With `tf.debugging` off nothing says why; with some losses an Inf only saturates
    quietly.

    Example:
    `price` holds NaN where the source CSV had an empty cell.

    Fix:
    Replace non-finite values when writing the data (impute, or add an indicator feature),
    or filter them in the pipeline with `tf.math.is_finite`.
    """
    for f in facts.features:
        n = f.numeric
        if n is None:
            continue
        bad = n.nan + n.pos_inf + n.neg_inf
        if not bad:
            continue
        yield Report(
            f"'{f.path}' holds {n.nan:,} NaN, {n.pos_inf:,} +Inf and {n.neg_inf:,} -Inf: "
            f"{share(bad, n.count, 'values')}.",
            Where(feature=f.path),
            {
                "nan": n.nan,
                "pos_inf": n.pos_inf,
                "neg_inf": n.neg_inf,
                "values": n.count,
                "fraction": fraction(bad, n.count),
            },
            Fix(
                "Impute or drop non-finite values when writing the data, or in the pipeline: "
                "`tf.where(tf.math.is_finite(x), x, 0.0)`."
            ),
        )


@rule("TFD213", "empty-feature", Severity.WARNING, requires=(DatasetStats,))
def empty_feature(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A feature that is present but holds no values in (nearly) every record.

    What it finds:
    A key that appears in records with an empty (or unset) value list in at least
    `empty_feature_fraction` (default {empty_feature_fraction}) of the records that have it: boxes never
    written, a column that was always null.

    Why it hurts training:
    What TensorFlow does depends on how the value is empty. A Feature with no value list
    at all (kind unset) counts as missing: a `FixedLenFeature` with a `default_value`
    fills every such record with the default, silently. A typed but empty list makes a
    `FixedLenFeature` fail (`Number of values != expected`) even with a default. A
    `VarLenFeature` yields empty tensors. Either way the model gets no signal from it.

    Example:
    `image/object/bbox/xmin` is present in all 10,000 records with zero values.

    Fix:
    Fix the writer so the feature holds its values, or drop it from the spec.
    """
    for f in facts.features:
        if f.records_present == 0:
            continue
        empty = f.records_present - f.records_with_values
        if empty == 0 or empty / f.records_present < cfg.empty_feature_fraction:
            continue
        unset = f.kinds.get("unset", 0)
        typed = empty - unset
        how = []
        if unset:
            how.append(
                f"{unset:,} with no value list at all (a FixedLenFeature default_value "
                "would fill them silently)"
            )
        if typed:
            how.append(
                f"{typed:,} with an empty {f.kind} list (a FixedLenFeature fails on them, "
                "even with a default_value)"
            )
        yield Report(
            f"'{f.path}' is present in {f.records_present:,} records but empty in "
            f"{share(empty, f.records_present)}: {'; '.join(how)}.",
            Where(feature=f.path),
            {
                "empty": empty,
                "present": f.records_present,
                "fraction": fraction(empty, f.records_present),
                "unset": unset,
                "empty_list": typed,
            },
            Fix(
                "Fix the writer so the feature carries values, or drop it from the parse spec; "
                "read it with VarLenFeature/RaggedFeature if empties are legitimate."
            ),
        )
