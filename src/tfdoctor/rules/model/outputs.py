"""TFD705, TFD706: the model's outputs against their loss: `from_logits` against the final
activation, and outputs that cannot learn."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.model import ModelFacts, OutputFacts
from ...findings import Severity, Where
from ..registry import Report, rule
from ._losses import CROSSENTROPY, SPARSE

PROBABILITIES = ("softmax", "sigmoid")


def _where(output: OutputFacts) -> Where:
    return Where(layer=output.activation_layer or output.layer or output.name)


@rule("TFD705", "logits-mismatch", Severity.WARNING, requires=(ModelFacts,))
def logits_mismatch(model: ModelFacts, cfg: Thresholds) -> Iterator[Report]:
    """`from_logits` disagrees with the output activation.

    What it finds:
    A crossentropy loss compiled with `from_logits=True` for an output that ends in softmax or
    sigmoid (probabilities, not logits); or with `from_logits=False` (the default) for an
    output that ends in no activation (`linear`: logits).
    Why it hurts training:
    With `from_logits=True` the loss applies softmax a second time: the probabilities are
    squashed towards uniform, gradients shrink and training crawls (Keras only warns).
    With `from_logits=False` on logits Keras clips raw scores to [1e-7, 1 - 1e-7] (and a
    categorical loss divides them by their sum): negative scores lose their gradient and
    the loss learns slowly or erratically.
    Example:
    Dense(10, activation="softmax") with SparseCategoricalCrossentropy(from_logits=True)
    Fix:
    Keep one softmax: drop the activation and keep `from_logits=True` (numerically the most
    stable), or keep the activation and use `from_logits=False`.
    """
    for output in model.outputs:
        if output.loss not in CROSSENTROPY or output.from_logits is None or not output.activation:
            continue
        if output.from_logits and output.activation in PROBABILITIES:
            yield Report(
                f"Output '{output.name}' ends in {output.activation} (layer '{output.activation_layer}') "
                f"but its loss {output.loss} is compiled with from_logits=True: the loss applies "
                f"{output.activation} a second time, squashing the predictions and shrinking the gradients.",
                _where(output),
                {"activation": output.activation, "from_logits": True},
                f"Remove the {output.activation} activation (keep from_logits=True), "
                "or use from_logits=False",
            )
        elif not output.from_logits and output.activation == "linear":
            yield Report(
                f"Output '{output.name}' has no activation (layer '{output.activation_layer}' is linear: it "
                f"gives logits) but its loss {output.loss} takes probabilities (from_logits=False): Keras "
                "clips the raw scores into (0, 1) and negative ones stop learning.",
                _where(output),
                {"activation": output.activation, "from_logits": False},
                f"Compile with {_loss_class(output.loss)}(from_logits=True), "
                "or add a softmax or sigmoid activation",
            )


def _loss_class(name: str | None) -> str:
    return "keras.losses." + "".join(part.capitalize() for part in (name or "").split("_"))


@rule("TFD706", "degenerate-output", Severity.ERROR, requires=(ModelFacts,))
def degenerate_output(model: ModelFacts, cfg: Thresholds) -> Iterator[Report]:
    """An output that cannot learn, e.g. softmax over one unit.

    What it finds:
    An output of one unit that ends in softmax (its value is always 1.0), or one unit
    compiled with a categorical crossentropy (the one class always holds all the
    probability: the loss is 0 on every example).
    Why it hurts training:
    Softmax normalizes over the units: over one unit it is exp(x) / exp(x) = 1 whatever the
    input, so the predictions never move. (Keras's TensorFlow backend still trains the logits
    under binary crossentropy, so the loss may fall while every prediction stays 1.0.) A
    categorical loss over one class is 0 from the first step: nothing to learn.
    Example:
    keras.layers.Dense(1, activation="softmax") with loss="binary_crossentropy"
    Fix:
    For two classes: one unit with `sigmoid` and binary crossentropy, or two units with
    softmax and sparse categorical crossentropy.
    """
    for output in model.outputs:
        if output.units != 1:
            continue
        categorical = (
            output.loss is not None
            and output.loss in CROSSENTROPY
            and (output.loss in SPARSE or output.loss.startswith("categorical"))
        )
        if output.activation == "softmax":
            why = "softmax over one unit is 1.0 whatever the input: the predictions never move"
        elif categorical:
            why = f"{output.loss} over one class is 0 for every example: there is nothing to learn"
        else:
            continue
        yield Report(
            f"Output '{output.name}' has one unit"
            + (
                f" ending in softmax (layer '{output.activation_layer}')"
                if output.activation == "softmax"
                else ""
            )
            + (f", compiled with {output.loss}" if output.loss else "")
            + f": {why}.",
            _where(output),
            {"units": 1, "activation": output.activation, "loss": output.loss},
            "Two classes: Dense(1, activation='sigmoid') with binary_crossentropy, or Dense(2, "
            "activation='softmax') with sparse_categorical_crossentropy",
        )
