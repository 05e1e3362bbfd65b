"""TFD801-TFD806 on hand-built training facts: each fires on its symptom and stays silent on
the healthy twin (the callback tests in tests/training train real Keras models)."""

from __future__ import annotations

import math
from typing import Any

from facts_builders import check, one

from tfdoctor.config import Config, Thresholds
from tfdoctor.facts import Facts
from tfdoctor.facts.training import Curve, EpochFacts, LayerUpdates, NonFinite, TrainingFacts
from tfdoctor.findings import Severity, Where
from tfdoctor.rules.registry import run_rules

T = Thresholds(watch_steps=10, flat_loss_steps=40)


def t(facts: TrainingFacts) -> Facts:
    return Facts(training=facts)


def codes(facts: TrainingFacts, thresholds: Thresholds = T) -> list[str]:
    """Every training rule's codes on these facts: the other rules stay silent."""
    findings, errors = run_rules(t(facts), Config(thresholds=thresholds))
    assert errors == []
    return [f.code for f in findings]


def windows(values: list[float], **fields: Any) -> TrainingFacts:
    steps = tuple(10 * (i + 1) for i in range(len(values)))
    return TrainingFacts(steps=steps[-1], window=10, loss=Curve(steps, tuple(values)), **fields)


def epochs(**series: list[float]) -> tuple[EpochFacts, ...]:
    count = len(next(iter(series.values())))
    return tuple(EpochFacts(e + 1, {k: v[e] for k, v in series.items()}) for e in range(count))


# -- TFD801 flat-loss ---------------------------------------------------------------------
def test_flat_loss_over_the_watched_steps() -> None:
    f = one(check("TFD801", t(windows([1.386, 1.385, 1.387, 1.386])), T))
    assert (f.code, f.severity, f.numbers["steps"]) == ("TFD801", Severity.ERROR, 40)
    assert "did not move in 40 steps" in f.message and f.numbers["moved"] < 0.01


def test_flat_loss_waits_for_enough_steps_and_spares_a_loss_that_fell() -> None:
    assert codes(windows([1.386, 1.385, 1.387])) == []  # 30 steps < flat_loss_steps
    assert codes(windows([1.386, 0.9, 0.5, 0.5, 0.5])) == []  # learned, then levelled off


def test_flat_loss_from_epoch_means_of_a_log() -> None:
    facts = TrainingFacts(source="logs/run1", epochs=epochs(loss=[2.3026, 2.3025, 2.3026]))
    f = one(check("TFD801", t(facts), T))
    assert f.code == "TFD801" and f.where == Where(file="logs/run1", epoch=3) and f.numbers["epochs"] == 3
    assert codes(TrainingFacts(epochs=epochs(loss=[2.3, 1.9, 1.5]))) == []
    assert codes(TrainingFacts(epochs=epochs(loss=[2.3, 2.3]))) == []  # fewer than flat_loss_epochs


def test_flat_loss_leaves_out_the_first_epoch_when_there_are_more() -> None:
    """The first epoch's mean holds the fall from the random start to the base rate (ln 5)."""
    chance = TrainingFacts(epochs=epochs(loss=[1.699, 1.6277, 1.6203, 1.6154]))
    f = one(check("TFD801", t(chance), T))
    assert "in 3 epochs: 1.628 in epoch 2" in f.message
    assert codes(TrainingFacts(epochs=epochs(loss=[2.3, 1.6, 1.2, 0.9]))) == []


# -- TFD802 no-weight-updates -------------------------------------------------------------
def test_no_layer_moves() -> None:
    facts = windows([1.0, 0.9], updates=(LayerUpdates("dense", (0.0, 0.0)), LayerUpdates("out", (0.0, 0.0))))
    f = one(check("TFD802", t(facts), T))
    assert f.severity is Severity.ERROR and f.numbers["layers"] == 2 and f.where.layer is None


def test_one_stuck_layer_is_a_warning_naming_it() -> None:
    facts = windows(
        [1.0, 0.9], updates=(LayerUpdates("dense", (0.0, 0.0)), LayerUpdates("out", (1e-3, 2e-3)))
    )
    f = one(check("TFD802", t(facts), T))
    assert f.severity is Severity.WARNING and f.where.layer == "dense"


def test_moving_weights_and_no_trainable_weights() -> None:
    moving = windows([1.0, 0.9], updates=(LayerUpdates("dense", (1e-3, 0.0, 1e-4)),))
    assert "TFD802" not in codes(moving)  # one window without a change is not a stuck layer
    frozen = windows([1.0, 0.9], trainable_weights=0)
    f = one(check("TFD802", t(frozen), T))
    assert "no trainable weights" in f.message


# -- TFD803 constant-predictions ----------------------------------------------------------
def test_constant_predictions() -> None:
    same = windows([1.0, 0.9], spread=Curve((10, 20), (0.0, 0.0)), probe_size=16)
    f = one(check("TFD803", t(same), T))
    assert f.numbers == {"spread": 0.0, "probe_size": 16, "windows": 2}
    varied = windows([1.0, 0.9], spread=Curve((10, 20), (0.0, 0.2)), probe_size=16)
    assert "TFD803" not in codes(varied)
    single = windows([1.0, 0.9], spread=Curve((10, 20), (0.0, 0.0)), probe_size=1)
    assert "TFD803" not in codes(single)  # one input cannot show a spread


# -- TFD804 chance-accuracy ---------------------------------------------------------------
def test_accuracy_at_the_majority_rate() -> None:
    facts = TrainingFacts(
        epochs=epochs(loss=[0.4, 0.35, 0.33], accuracy=[0.89, 0.9, 0.905]), majority_rate=0.9
    )
    f = one(check("TFD804", t(facts), T))
    assert (f.code, f.severity, f.numbers["majority_rate"]) == ("TFD804", Severity.WARNING, 0.9)
    better = TrainingFacts(epochs=epochs(loss=[0.4, 0.3, 0.2], accuracy=[0.9, 0.93, 0.96]), majority_rate=0.9)
    assert codes(better) == []


def test_a_log_accuracy_fixed_at_one_rate() -> None:
    stuck = TrainingFacts(epochs=epochs(loss=[0.4, 0.35, 0.3], sparse_categorical_accuracy=[0.9, 0.9, 0.9]))
    f = one(check("TFD804", t(stuck), T))
    assert f.code == "TFD804" and "sparse_categorical_accuracy stays at 0.9000" in f.message
    perfect = TrainingFacts(epochs=epochs(loss=[0.1, 0.05, 0.01], accuracy=[1.0, 1.0, 1.0]))
    assert codes(perfect) == []


# -- TFD805 non-finite-loss ---------------------------------------------------------------
def test_non_finite_loss_names_the_batch() -> None:
    facts = windows([1.0], non_finite=NonFinite(37, 2, 4, math.nan, 1.25))
    f = one(check("TFD805", t(facts), T))
    assert f.code == "TFD805" and f.where.epoch == 2
    assert "the loss became nan at step 37 (epoch 2, batch 4); it was 1.25 before" in f.message
    assert codes(windows([1.0, 0.9])) == []


def test_non_finite_loss_from_epochs_only() -> None:
    facts = TrainingFacts(
        epochs=epochs(loss=[1.0, math.inf]), non_finite=NonFinite(None, 2, None, math.inf, 1.0)
    )
    f = one(check("TFD805", t(facts), T))
    assert "the loss became inf at epoch 2" in f.message


# -- TFD806 validation-stuck --------------------------------------------------------------
def test_validation_stuck_while_training_improves() -> None:
    facts = TrainingFacts(
        epochs=epochs(
            loss=[1.4, 1.2, 1.0], val_loss=[1.3863, 1.3870, 1.3866], val_accuracy=[0.25, 0.25, 0.25]
        )
    )
    f = one(check("TFD806", t(facts), T))
    assert (f.code, f.severity) == ("TFD806", Severity.WARNING)
    assert "val_accuracy 0.250 to 0.250" in f.message and round(f.numbers["train_fell"], 3) == 0.286


def test_validation_that_improves_or_overfits_is_silent() -> None:
    assert codes(TrainingFacts(epochs=epochs(loss=[1.4, 1.2, 1.0], val_loss=[1.3, 1.15, 1.0]))) == []
    assert codes(TrainingFacts(epochs=epochs(loss=[1.4, 1.0, 0.6], val_loss=[1.3, 1.4, 1.6]))) == []


def test_thresholds_come_from_the_config() -> None:
    facts = windows([1.386, 1.37, 1.36, 1.35])  # moved 2.6%
    assert codes(facts) == []
    loose = Thresholds(watch_steps=10, flat_loss_steps=40, flat_loss_tolerance=0.05)
    assert codes(facts, loose) == ["TFD801"]
