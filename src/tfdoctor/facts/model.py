"""What a Keras model expects of its data (read by `tfdoctor.model.read`): its inputs, the
layers that rescale them, its outputs with their final activation and compiled loss. Plain
data: no Keras object is kept, so rules judge it without TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TensorSpecFacts:
    """A model input: name, shape with the batch dimension (None: any size) and dtype."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str


@dataclass(frozen=True)
class OutputFacts:
    """A model output, its final activation and the loss compiled for it."""

    name: str
    shape: tuple[int | None, ...]  # with the batch dimension; None where unknown (not built)
    dtype: str = "float32"
    layer: str = ""  # the layer that makes it
    activation: str = ""  # softmax, sigmoid, linear, relu...; "" where it cannot be read
    activation_layer: str = ""  # the layer that applies that activation (a Dense, a Softmax)
    loss: str | None = None  # canonical function name where Keras knows it: sparse_categorical_crossentropy
    from_logits: bool | None = None  # None: the loss takes no such argument

    @property
    def units(self) -> int | None:
        """Size of the last axis (the classes of a classifier)."""
        return self.shape[-1] if self.shape else None


@dataclass(frozen=True)
class Preprocessing:
    """A layer (or op) inside the model that rescales or normalizes an input."""

    layer: str
    kind: str  # Rescaling, Normalization, preprocess_input, arithmetic (x / 255 written on the input)
    inputs: tuple[str, ...] = ()  # the model inputs it is applied to; () where that is not known
    detail: str = ""  # "scale 0.00392157, offset 0", "keras.applications.resnet"


@dataclass(frozen=True)
class ModelFacts:
    """What a Keras model expects of its data. A model that is not compiled has no loss; one
    that is not built has no input shapes: the rules judge what is known."""

    name: str
    inputs: tuple[TensorSpecFacts, ...] = ()
    outputs: tuple[OutputFacts, ...] = ()
    preprocessing: tuple[Preprocessing, ...] = ()
    compiled: bool = False
    loss: str | None = None  # the compiled loss as written (several: one per output, in `outputs`)
    metrics: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what could not be read, and why

    def rescales(self, input_name: str | None = None) -> bool:
        """Whether the model rescales or normalizes this input itself (any input when None)."""
        return any(input_name is None or not p.inputs or input_name in p.inputs for p in self.preprocessing)
