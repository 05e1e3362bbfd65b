"""TFD208: the label's classes judged from the data alone: one class dominates, or classes are
missing or rare."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.dataset import DatasetStats
from ...findings import Fix, Severity, Where
from .._text import fraction, listing, share
from ..registry import Report, rule


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
    {label_majority_fraction}) of the records (a warning), or integer classes between 0 and the
    largest label never appear, or some classes hold under `label_rare_fraction`
    ({label_rare_fraction}) of the records each. Labels that start at 1 (0 kept for the
    background, as detection label maps do) do not count 0 as missing. With more than
    `label_many_classes` ({label_many_classes}) classes, missing and rare classes are the
    normal long tail of a large label set: info, not a warning, unless one class dominates.

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
    # a long tail of a large label set is its nature, not a fault: worth knowing only
    tail = Severity.INFO if len(classes) > cfg.label_many_classes else None
    many = f" (one of {len(classes):,} classes: a long tail is normal)" if tail else ""
    ints = [_as_int(v) for v in classes]
    if all(i is not None and i >= 0 for i in ints):
        present = {i for i in ints if i is not None}
        highest = max(present)
        first = 1 if 0 not in present and 1 in present else 0  # 1..N: 0 is the background
        missing = [i for i in range(first, highest + 1) if i not in present]
        if missing and highest < cfg.label_max_classes:
            yield Report(
                f"label '{order.feature}' takes values {first}..{highest} but never "
                f"{listing([str(m) for m in missing], 8)} ({len(missing)} of {highest + 1 - first} "
                f"classes missing){many}.",
                Where(feature=order.feature),
                {"missing": missing[:100], "missing_count": len(missing), "max_label": highest},
                Fix("Check the export for lost classes, or re-number the labels to be contiguous."),
                severity=tail,
            )
        rare = [(v, c) for v, c in classes.items() if c / total < cfg.label_rare_fraction]
        if rare:
            yield Report(
                f"label '{order.feature}': {len(rare)} class(es) hold under "
                f"{cfg.label_rare_fraction:.1%} of the records each: "
                f"{listing([f'{v!r} ({c:,})' for v, c in rare], 5)}{many}.",
                Where(feature=order.feature),
                {"rare": dict(rare[:100]), "records": total},
                Fix("Collect more data for these classes, oversample them, or merge them."),
                severity=tail,
            )
