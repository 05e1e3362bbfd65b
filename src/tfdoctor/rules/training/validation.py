"""TFD806: validation that does not move while training improves."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.training import TrainingFacts
from ...findings import Severity
from ..registry import Report, rule
from ._common import accuracy_name, epoch_series, finite, moved, where

_SAME_ACCURACY = 1e-4  # an accuracy that varies less than this over the epochs is one fixed rate


@rule("TFD806", "validation-stuck", Severity.WARNING, requires=(TrainingFacts,))
def validation_stuck(facts: TrainingFacts, cfg: Thresholds) -> Iterator[Report]:
    """Training loss falls while validation loss and metrics do not move.

    What it finds:
    Over at least {val_stuck_epochs} epochs (`val-stuck-epochs`), the training loss fell by
    {train_improved_fraction} or more (`train-improved-fraction`) from the first epoch while
    the validation loss stayed within {val_stuck_tolerance} (`val-stuck-tolerance`) of its
    first value, or the validation accuracy stayed at one fixed rate (the same class
    predicted for every validation input). Overfitting is not this: there the validation
    loss rises and its accuracy moves.
    Why it hurts training:
    What the model learns does not reach the validation data: it is read or parsed
    differently (another parse spec, no normalization, a feature missing), or its labels do
    not match its inputs. Early stopping and model selection on it are then meaningless.
    Example:
    train = files.map(parse).map(normalize); val = val_files.map(parse)  # not normalized
    Fix:
    Build the validation pipeline with the same function as training (without the
    augmentation) and audit both (`tfdoctor pipeline`); compare their batches.
    """
    pairs = [
        (e.epoch, e.metrics["loss"], e.metrics["val_loss"])
        for e in facts.epochs
        if "loss" in e.metrics and "val_loss" in e.metrics
    ]
    if len(pairs) < max(cfg.val_stuck_epochs, 2) or facts.non_finite is not None:
        return
    train = [t for _, t, _ in pairs]
    val = [v for _, _, v in pairs]
    if not (finite(train) and finite(val)) or train[0] <= 0:
        return
    fell = (train[0] - train[-1]) / train[0]
    val_moved = moved(val[1:], val[0])
    metric = accuracy_name(facts, "val_")
    accuracy = [v for _, v in epoch_series(facts, metric)][-len(pairs) :] if metric else []
    fixed = len(accuracy) == len(pairs) and max(accuracy) - min(accuracy) <= _SAME_ACCURACY
    if fell < cfg.train_improved_fraction or not (val_moved <= cfg.val_stuck_tolerance or fixed):
        return
    if val_moved <= cfg.val_stuck_tolerance:
        what = f"val_loss stayed at {val[0]:.4g} (within {val_moved:.2%})"
        what += f"; {metric} {min(accuracy):.3f} to {max(accuracy):.3f}" if accuracy else ""
    else:
        what = f"{metric} stayed at {accuracy[-1]:.4f} (val_loss {val[0]:.4g} to {val[-1]:.4g})"
    yield Report(
        f"over {len(pairs)} epochs the training loss fell {fell:.0%} ({train[0]:.4g} to {train[-1]:.4g}) "
        f"while {what}: the validation data or its "
        "pipeline differs from training",
        where(facts),
        {
            "epochs": len(pairs),
            "train_fell": fell,
            "val_moved": val_moved,
            "val_loss": val[-1],
            "val_accuracy_fixed": fixed,
        },
        "Build the validation dataset with the training parse/preprocess functions and compare "
        "their batches (tfdoctor pipeline)",
    )
