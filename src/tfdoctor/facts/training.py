"""What training did: the loss, the weights' updates, the predictions on a fixed probe batch
and the per-epoch metrics. Filled by the Keras callback (`tfdoctor.keras.DoctorCallback`)
while a model trains, or read back from a TensorBoard log (`tfdoctor training LOGDIR`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Curve:
    """A measure over training: its values at the global steps (or epochs) they were taken."""

    steps: tuple[int, ...] = ()
    values: tuple[float, ...] = ()

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class EpochFacts:
    """The metrics Keras reports at the end of one epoch, by Keras' names (`loss`,
    `accuracy`, `val_loss`...). `epoch` counts from 1, as Keras prints it."""

    epoch: int
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LayerUpdates:
    """How far one layer's trainable weights moved in each watch window: the norm of the
    change over the window divided by the norm of the weights (0: they did not move)."""

    layer: str
    ratios: tuple[float, ...] = ()


@dataclass(frozen=True)
class NonFinite:
    """The first step whose loss was NaN or Inf."""

    step: int | None  # global step, counting from 1; None: only epochs were logged
    epoch: int  # from 1
    batch: int | None  # the batch's index within its epoch, from 0; None: only epochs were logged
    value: float
    last_finite: float | None = None  # the loss just before


@dataclass(frozen=True)
class TrainingFacts:
    """What training did. `source` names a TensorBoard run read back (None: the callback
    watched a live `fit`). Windows are `window` steps long; a measure that was not taken is
    empty (a log holds no weights or predictions)."""

    source: str | None = None
    steps: int = 0  # gradient steps seen
    window: int = 0  # steps per watch window; 0: none
    loss: Curve = field(default_factory=Curve)  # the mean training loss of each window
    epochs: tuple[EpochFacts, ...] = ()
    updates: tuple[LayerUpdates, ...] = ()  # per layer with trainable weights, one ratio per window
    trainable_weights: int | None = None  # trainable parameters in all; None: not known
    spread: Curve = field(default_factory=Curve)  # spread of the predictions on the probe batch per window
    probe_size: int = 0  # inputs in the probe batch
    majority_rate: float | None = None  # the most common label's share of the probed batches
    labels_probed: int = 0  # labels counted for it
    classes: int | None = None  # distinct labels in the probed batches
    non_finite: NonFinite | None = None
