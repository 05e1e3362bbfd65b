"""Slots for the model and training layers (filled by `tfdoctor.model`, issue 11): what a
Keras model expects and what training did. Rules that need them declare them and stay idle
until a flow provides them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TensorSpecFacts:
    """A model input or output: name, shape (None: any size) and dtype."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str


@dataclass(frozen=True)
class ModelFacts:
    """What a Keras model expects of its data."""

    name: str
    inputs: tuple[TensorSpecFacts, ...] = ()
    outputs: tuple[TensorSpecFacts, ...] = ()
    output_activations: tuple[str, ...] = ()  # per output: softmax, sigmoid, linear...
    preprocessing: tuple[str, ...] = ()  # layers that rescale or normalise inputs, by class name
    loss: str | None = None  # the compiled loss, by class or function name
    from_logits: bool | None = None
    metrics: tuple[str, ...] = ()
