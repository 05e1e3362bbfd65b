"""TFD2xx rules that judge the data alone (no parse spec needed): constant, non-finite,
imbalanced and empty features."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Thresholds
from ..facts.dataset import DatasetStats
from ..findings import Fix, Severity, Where
from ._text import fraction, listing, share
from .registry import Report, rule


@rule("TFD206", "constant-feature", Severity.WARNING, requires=(DatasetStats,))
def constant_feature(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A feature (often the label) that has one value in every record.

    What it finds:
    A feature whose every stored value is the same, across at least
    `constant_min_records` records (default 10). Checked exactly, not from a sketch.

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
    for f in facts.features:
        if f.constant_value is None or f.records_present < cfg.constant_min_records:
            continue
        is_label = f.name == facts.label
        role = "the label " if is_label else ""
        yield Report(
            f"{role}'{f.path}' has the single value {f.constant_value!r} in all "
            f"{f.records_with_values:,} records that hold it"
            + (f" (of {f.total_records:,})" if f.records_present < f.total_records else "")
            + (": the model can only learn a constant." if is_label else "."),
            Where(feature=f.path),
            {"records": f.records_with_values, "value": f.constant_value, "is_label": is_label},
            Fix(
                "Check the writer: a constant usually means a default or a failed join was "
                "written. Drop the feature if it is constant by design."
            ),
        )


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


def _as_int(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


@rule("TFD208", "label-imbalance", Severity.WARNING, requires=(DatasetStats,))
def label_imbalance(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """One class dominates the label, or classes are missing.

    What it finds:
    In the label feature (guessed from names like `label`, `target`, `class`, or set with
    `--label`): the most common class holds at least `label_majority_fraction` (default
    90%) of the records, or integer classes between 0 and the largest label never appear.

    Why it hurts training:
    A model that always predicts the majority class reaches the majority rate in accuracy
    and looks like it learned; with a missing class the output unit for it is never
    trained, and a split that lacks classes cannot evaluate them.

    Example:
    `label` is 0 in 97% of 100,000 records; or labels 0..9 with no record of class 7.

    Fix:
    Re-balance (resample, `tf.data.Dataset.rejection_resample`, class weights in `fit`),
    and check the export for classes lost along the way.
    """
    order = facts.label_order
    if order is None or order.classes is None or len(order.classes) < 2:
        return
    classes = order.classes
    if len(classes) > cfg.label_max_classes:
        return
    feature = facts.feature(order.feature)
    if feature is not None and feature.kind == "float":
        if any(_as_int(v) is None for v in classes):
            return  # a regression target, not classes
    total = sum(classes.values())
    top, top_count = max(classes.items(), key=lambda kv: kv[1])
    if top_count / total >= cfg.label_majority_fraction:
        yield Report(
            f"class {top!r} of label '{order.feature}' holds {share(top_count, total)} across "
            f"{len(classes)} classes.",
            Where(feature=order.feature),
            {
                "class": top,
                "count": top_count,
                "records": total,
                "fraction": fraction(top_count, total),
                "classes": len(classes),
            },
            Fix(
                "Resample to balance classes (`Dataset.rejection_resample`) or pass "
                "`class_weight` to `model.fit`; judge the model by per-class metrics."
            ),
        )
    ints = [_as_int(v) for v in classes]
    if all(i is not None and i >= 0 for i in ints):
        present = {i for i in ints if i is not None}
        highest = max(present)
        missing = [i for i in range(highest + 1) if i not in present]
        if missing and highest < cfg.label_max_classes:
            yield Report(
                f"label '{order.feature}' takes values 0..{highest} but never "
                f"{listing([str(m) for m in missing], 8)} ({len(missing)} of {highest + 1} "
                "classes missing).",
                Where(feature=order.feature),
                {"missing": missing[:100], "missing_count": len(missing), "max_label": highest},
                Fix("Check the export for lost classes, or re-number the labels to be contiguous."),
            )
        rare = [(v, c) for v, c in classes.items() if c / total < cfg.label_rare_fraction]
        if rare:
            yield Report(
                f"label '{order.feature}': {len(rare)} class(es) hold under "
                f"{cfg.label_rare_fraction:.1%} of the records each: "
                f"{listing([f'{v!r} ({c:,})' for v, c in rare], 5)}.",
                Where(feature=order.feature),
                {"rare": dict(rare[:100]), "records": total},
                Fix("Collect more data for these classes, oversample them, or merge them."),
            )


@rule("TFD213", "empty-feature", Severity.WARNING, requires=(DatasetStats,))
def empty_feature(facts: DatasetStats, cfg: Thresholds) -> Iterator[Report]:
    """A feature that is present but holds no values in (nearly) every record.

    What it finds:
    A key that appears in records with an empty (or unset) value list in at least
    `empty_feature_fraction` (default 95%) of the records that have it: boxes never
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
