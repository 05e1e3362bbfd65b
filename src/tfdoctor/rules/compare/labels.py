"""TFD212: classes of the label that one split holds and the other does not."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.compare import ComparedStats
from ...findings import Severity, Where
from ..registry import Report, rule
from ._common import classes


@rule("TFD212", "label-set-mismatch", Severity.ERROR, requires=(ComparedStats,))
def label_set_mismatch(facts: ComparedStats, cfg: Thresholds) -> Iterator[Report]:
    """Labels present in one split and not the other.

    What it finds:
    Classes of the label (`--label`, or the feature named like one) that one split holds and
    the other never does, where each split's classes are known in full. A class only the
    evaluation data holds is an error: the model never saw it and cannot predict it. A class
    only the training data holds is a warning: evaluation never measures it. Either is info
    where chance explains it: a random sample of that split's size would leave a class that
    rare out with a probability of at least {label_absent_chance} (`label-absent-chance`).
    Why it hurts training:
    Evaluation on classes the model was not trained on counts as errors whatever it learns:
    validation accuracy stalls below what training reaches. Labels encoded differently per
    split (0..9 against 1..10, 'cat' against 'Cat') look the same way.
    Example:
    train labels 0..9; eval labels 0..8 and 10.
    Fix:
    Encode the labels with one mapping for both splits, and split one shuffled (or
    stratified) dataset so every class reaches both.
    """
    label = facts.label_feature
    train, evals = classes(facts.train, label), classes(facts.eval, label)
    if label is None or train is None or evals is None or not train or not evals:
        return
    n_train, n_eval = sum(train.values()), sum(evals.values())
    only_eval = {k: v for k, v in evals.items() if k not in train}
    only_train = {k: v for k, v in train.items() if k not in evals}
    for found, total, other, missing_from, severity in (
        (only_eval, n_eval, n_train, "training", Severity.ERROR),
        (only_train, n_train, n_eval, "evaluation", Severity.WARNING),
    ):
        if not found:
            continue
        share = sum(found.values()) / total
        chance = (1 - share) ** other  # all of them left out of a random sample of `other` records
        explained = chance >= cfg.label_absent_chance
        listed = ", ".join(repr(k) for k in list(found)[:10]) + (" ..." if len(found) > 10 else "")
        held = "evaluation" if missing_from == "training" else "training"
        why = (
            " The model never saw them and cannot predict them: every such record counts as an error."
            if missing_from == "training"
            else " Evaluation never measures them."
        )
        if explained:
            why += f" Chance alone would leave them out of {other:,} records with probability {chance:.2f}."
        yield Report(
            f"Label '{label}': {len(found):,} class(es) in the {held} data only: {listed} "
            f"({sum(found.values()):,} of {total:,} {held} records).{why}",
            Where(feature=label),
            {
                "classes": list(found),
                "records": sum(found.values()),
                f"{held}_records": total,
                f"{missing_from}_records": other,
                "chance": round(chance, 6),
            },
            "encode the labels with one mapping for both splits, and split one shuffled dataset",
            Severity.INFO if explained else severity,
        )
