"""TFD602, TFD605: image-like inputs on the wrong scale: still in [0, 255], or squeezed into a
tiny range."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.model import ModelFacts
from ...facts.pipeline import PipelineFacts
from ...findings import Severity, Where
from ..model._match import inputs_fed
from ..registry import Report, rule


@rule(
    "TFD602", "unnormalized-input", Severity.WARNING, requires=(PipelineFacts, BatchFacts), uses=(ModelFacts,)
)
def unnormalized_input(
    facts: PipelineFacts, probe: BatchFacts, model: ModelFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    """Image-like inputs in [0, 255] where a model expects about [0, 1] or [-1, 1].

    What it finds:
    Float image-like tensors (and, with the model, integer ones that feed it: Keras casts
    uint8 images to its float input unscaled) whose values reach above {unnormalized_above}
    and stay within [0, {unnormalized_max}] (`unnormalized-above`, `unnormalized-max`). Info
    where the model is not known: many models rescale their own inputs (Keras applications
    such as EfficientNet, object-detection feature extractors), so [0, 255] is often what they
    expect. With the model (`--model`, `audit(model=...)`): silent where the model input the
    tensor feeds is rescaled or normalized inside the model (a Rescaling or Normalization
    layer, an application's preprocess_input, `x / 255` written on the Input); where it is
    not, an error when the values reach the upper half of [0, {unnormalized_max}] (8-bit
    pixels), a warning below that.
    Why it hurts training:
    Activations and gradients come out 255 times too large: the loss explodes or the
    network saturates, unless the model rescales first (a Rescaling layer).
    Example:
    image = tf.cast(tf.io.decode_png(x), tf.float32)  # 0..255
    Fix:
    `image = tf.cast(image, tf.float32) / 255.0` (or a Rescaling(1/255) layer in the model).
    """
    fed = {f.tensor.path: f.target.name for f in inputs_fed(probe, model)} if model is not None else {}
    for t in probe.tensors:
        # integer images too where they feed the model: Keras casts them to its float input as they are
        judged = t.dtype.startswith("float") or (t.path in fed and t.dtype.startswith(("uint", "int")))
        if not (t.image_like and judged and t.max is not None and t.min is not None):
            continue
        if not (cfg.unnormalized_above < t.max <= cfg.unnormalized_max and t.min >= 0.0):
            continue
        if model is not None and model.rescales(fed.get(t.path)):
            continue  # the model rescales or normalizes this input itself
        if model is None:
            why = " Fine if the model rescales its inputs itself; the model is not known here."
        else:
            name = fed.get(t.path)
            why = (
                f" The model '{model.name}' does not rescale "
                + (f"its input '{name}'" if name else "its inputs")
                + " (no Rescaling or Normalization layer, no preprocess_input): its first layer gets "
                "values up to 255 times larger than it is built for; activations and gradients blow up "
                "or saturate."
            )
        yield Report(
            f"'{t.path}' images range {t.min:g} to {t.max:g} (mean {t.mean:.1f}).{why}",
            Where(tensor=t.path),
            {"min": t.min, "max": t.max, "mean": round(t.mean or 0.0, 4)},
            "image = tf.cast(image, tf.float32) / 255.0, unless the model starts with Rescaling"
            if model is None
            else "image = tf.cast(image, tf.float32) / 255.0 in the pipeline, or "
            "keras.layers.Rescaling(1 / 255) first in the model",
            _severity(model, t.max, cfg),
        )


def _severity(model: ModelFacts | None, high: float, cfg: Thresholds) -> Severity:
    if model is None:
        return Severity.INFO
    return Severity.ERROR if high > cfg.unnormalized_max / 2 else Severity.WARNING


@rule("TFD605", "collapsed-input-range", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def collapsed_input_range(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Image-like inputs squeezed into a tiny range (e.g. scaled to [0, 1] twice).

    What it finds:
    Float image-like tensors whose values all lie within [0, {collapsed_range_max}]
    (`collapsed-range-max`) but are not constant.
    Why it hurts training:
    The input differences are a few thousandths: the first layers see almost nothing, the
    model learns slowly or not at all.
    Example:
    image = tf.image.convert_image_dtype(x, tf.float32) / 255.0  # divided twice
    Fix:
    Scale once: convert_image_dtype already maps uint8 to [0, 1].
    """
    for t in probe.tensors:
        if t.image_like and t.dtype.startswith("float") and t.max is not None and t.min is not None:
            if t.min >= 0.0 and 0.0 < t.max <= cfg.collapsed_range_max and not t.constant:
                yield Report(
                    f"'{t.path}' images range {t.min:g} to {t.max:g}: scaled down twice?",
                    Where(tensor=t.path),
                    {"min": t.min, "max": t.max},
                    "Scale once to [0, 1]",
                )
