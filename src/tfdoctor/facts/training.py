"""What training did (filled by the Keras callback and the TensorBoard log reader, issue 11)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TrainingFacts:
    """What training did, step by step (per epoch where only epochs are logged)."""

    steps: int = 0
    epochs: int = 0
    loss: tuple[float, ...] = ()  # per logged step
    val_loss: tuple[float, ...] = ()  # per epoch
    metrics: dict[str, tuple[float, ...]] = field(default_factory=dict)
