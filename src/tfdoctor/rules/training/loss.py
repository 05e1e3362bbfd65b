"""TFD801, TFD805: a loss that never moves, and one that turns NaN or Inf."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.training import TrainingFacts
from ...findings import Severity
from ..registry import Report, rule
from ._common import epoch_series, finite, moved, where


@rule("TFD801", "flat-loss", Severity.ERROR, requires=(TrainingFacts,))
def flat_loss(facts: TrainingFacts, cfg: Thresholds) -> Iterator[Report]:
    """The training loss does not move from the start of training.

    What it finds:
    After at least {flat_loss_steps} steps (`flat-loss-steps`), the mean loss of every watch
    window lies within {flat_loss_tolerance} (`flat-loss-tolerance`, a fraction) of the first
    window's; from a TensorBoard log that holds only epoch means, the same over
    {flat_loss_epochs} epochs or more (`flat-loss-epochs`), from the second epoch where there
    are more (the first epoch's mean holds the fall from the random initial weights to the
    labels' base rate). A loss that fell and then levelled off is a model that learned: it
    is not reported.
    Why it hurts training:
    Nothing is learned: the inputs carry no information about the labels (a feature filled
    by its parse default, images decoded blank, labels shuffled apart from their inputs), or
    no gradient reaches the weights (learning rate 0, frozen layers). The epochs run and the
    time is spent.
    Example:
    features = {"image": tf.io.FixedLenFeature([784], tf.float32, default_value=[0.0] * 784)}
    # the key is "img" in the files: every image is the default, the loss stays at ln(10)
    Fix:
    Look at what the batches hold (`tfdoctor pipeline`; the callback audits the dataset and
    names the data cause beside this finding), then the learning rate and `trainable`.
    """
    if facts.non_finite is not None:
        return  # TFD805 says it
    if facts.window and len(facts.loss) >= 2 and facts.steps >= cfg.flat_loss_steps:
        values, unit, count = facts.loss.values, "steps", facts.steps
        first = f"{values[0]:.4g} over the first {facts.window} steps"
    else:
        series = epoch_series(facts, "loss")
        if len(series) > max(cfg.flat_loss_epochs, 2):
            series = series[1:]  # the first epoch's mean holds the fall from the random start
        if len(series) < max(cfg.flat_loss_epochs, 2):
            return
        values, unit, count = tuple(v for _, v in series), "epochs", len(series)
        first = f"{values[0]:.4g} in epoch {series[0][0]}"
    if not finite(values):
        return
    change = moved(values[1:], values[0])
    if change <= cfg.flat_loss_tolerance:
        yield Report(
            f"the loss did not move in {count:,} {unit}: {first}, {values[-1]:.4g} at the end, "
            f"never more than {change:.2%} away (the model learns nothing)",
            where(facts),
            {unit: count, "first": values[0], "last": values[-1], "moved": change},
            "Check what the batches hold (a constant input or label), the learning rate and "
            "which layers are trainable",
        )


@rule("TFD805", "non-finite-loss", Severity.ERROR, requires=(TrainingFacts,))
def non_finite_loss(facts: TrainingFacts, cfg: Thresholds) -> Iterator[Report]:
    """The loss becomes NaN or Inf.

    What it finds:
    The first step whose training loss is NaN or Inf: its epoch and its batch. The callback
    then audits the dataset, and names the inputs that held NaN/Inf or extreme values.
    Why it hurts training:
    One NaN gradient makes every weight NaN: from that step on the model predicts NaN and
    learns nothing, yet `fit` runs on unless `TerminateOnNaN` stops it.
    Example:
    A feature with NaN in some records (a failed division upstream), an unnormalized input
    in the thousands, `log(0)` in a custom loss, a learning rate too high.
    Fix:
    Find the records (`tfdoctor scan` counts NaN and Inf per feature, TFD207), clean or
    filter them (`dataset.filter(lambda x, y: tf.reduce_all(tf.math.is_finite(x)))`); scale
    the inputs; lower the learning rate or clip gradients (`clipnorm=1.0`).
    """
    bad = facts.non_finite
    if bad is None:
        return
    at = f"epoch {bad.epoch}" + (f", batch {bad.batch}" if bad.batch is not None else "")
    at = f"step {bad.step:,} ({at})" if bad.step is not None else at
    before = f"; it was {bad.last_finite:.4g} before" if bad.last_finite is not None else ""
    yield Report(
        f"the loss became {bad.value} at {at}{before}: every weight it updated is now NaN",
        where(facts, epoch=bad.epoch),
        {"step": bad.step, "epoch": bad.epoch, "batch": bad.batch, "last_finite": bad.last_finite},
        "Find the NaN/Inf inputs (tfdoctor scan, TFD207), scale the inputs, lower the learning rate "
        "or clip gradients (clipnorm=1.0)",
    )
