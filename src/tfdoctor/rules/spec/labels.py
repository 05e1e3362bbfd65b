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
    {label_majority_fraction}) of the records, or integer classes between 0 and the largest label
    never appear.

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
