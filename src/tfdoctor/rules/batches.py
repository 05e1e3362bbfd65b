"""TFD3xx/5xx/6xx rules measured by the batch probe: what the batches really hold, and the
error the pipeline really raises."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..config import Thresholds
from ..facts.batches import BatchFacts, batch_shapes
from ..facts.pipeline import PipelineFacts
from ..findings import Severity, Where
from ._pipeline import pipeline_error, where
from .registry import Report, rule

_RESHAPE = re.compile(r"Input to reshape is a tensor with (\d+) values, but the requested shape has (\d+)")
_ENSURE = re.compile(r"Shape of tensor \S+ \[([\d,]*)\] is not compatible with expected shape \[([\d,-]*)\]")


def _stored_sizes(facts: PipelineFacts) -> str:
    """Image sizes the scan found in the files, for messages."""
    if facts.sources is None:
        return ""
    parts = []
    for f in facts.sources.features:
        if f.bytes is not None and f.bytes.image_shapes:
            shapes = ", ".join(f"{k} in {n:,}" for k, n in list(f.bytes.image_shapes.items())[:4])
            parts.append(f"'{f.name}' stores {shapes}")
    return "; ".join(parts)


@rule("TFD302", "reshape-mismatch", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def reshape_mismatch(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """A reshape or fixed shape in the pipeline that cannot hold the actual element count.

    What it finds:
    The probe's batches stop with TensorFlow's own reshape error; the message says how many
    values arrived, how many the shape holds, and the image sizes the files really store.
    Why it hurts training:
    The pipeline fails as soon as it meets an element of another size, which may be far
    into an epoch; with `ignore_errors()` those elements vanish silently instead.
    Example:
    .map(lambda x: tf.reshape(tf.io.decode_png(x), [28, 28, 1]))  # some images are 32x32x3
    Fix:
    Resize instead of reshaping (`tf.image.resize(image, [28, 28])`, `channels=` on the
    decode), or fix the data so every image has one size.
    """
    error, hidden = pipeline_error(facts, probe)
    shapes = batch_shapes(error)
    if shapes is not None and len(shapes[0]) == 3 and shapes[0][:2] != shapes[1][:2]:
        stored = _stored_sizes(facts)
        a, b = ("x".join(map(str, s[:2])) for s in shapes)
        yield Report(
            f"Batching fails: images of {a} and {b} meet in one batch ({error})."
            + (f" The files: {stored}." if stored else ""),
            _first_batch(facts),
            {"sizes": [a, b]},
            f"tf.image.resize(image, [{_common_size(facts)}]) before batching",
        )
        return
    ensure = _ENSURE.search(error) if error else None
    if ensure is not None:
        stored = _stored_sizes(facts)
        yield Report(
            f"An element of shape [{ensure.group(1)}] meets `ensure_shape([{ensure.group(2)}])` ({error})."
            + (f" The files: {stored}." if stored else ""),
            _map_with(facts, "EnsureShape") or Where(call="ensure_shape"),
            {"shape": ensure.group(1), "expected": ensure.group(2)},
            f"tf.image.resize(image, [{_common_size(facts)}]) before ensure_shape",
        )
        return
    match = _RESHAPE.search(error) if error else None
    if match is None:
        return
    got, want = int(match.group(1)), int(match.group(2))
    stored = _stored_sizes(facts)
    when = "ignore_errors() hides that" if hidden else f"the pipeline fails after {probe.batches} batch(es)"
    yield Report(
        f"An element holds {got:,} values but the reshape wants {want:,}: {when} ({error})."
        + (f" The files: {stored}." if stored else ""),
        _map_with(facts, "Reshape") or Where(),
        {"values": got, "shape_values": want, "batches_before_error": probe.batches},
        f"tf.image.resize(image, [{_common_size(facts)}]) after decoding with a fixed channels=..., "
        "instead of tf.reshape",
    )


def _map_with(facts: PipelineFacts, op: str) -> Where | None:
    """The first map whose function holds this op."""
    step = next((s for s in facts.pipeline.of("map") if op in s.ops), None)
    return where(step) if step is not None else None


def _first_batch(facts: PipelineFacts) -> Where:
    """The first batch step, where batching fails."""
    batch = next(iter(facts.pipeline.of("batch", "padded_batch")), None)
    return where(batch) if batch is not None else Where(call="batch")


def _common_size(facts: PipelineFacts) -> str:
    counts: dict[str, int] = {}
    for f in facts.sources.features if facts.sources is not None else []:
        for key, n in (f.bytes.image_shapes if f.bytes is not None else {}).items():
            h, w, _c = key.split("x")
            counts[f"{h}, {w}"] = counts.get(f"{h}, {w}", 0) + n
    return max(counts, key=lambda k: counts[k]) if counts else "H, W"


@rule("TFD305", "blank-images", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def blank_images(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Batches hold all-zero or constant images.

    What it finds:
    Image-like tensors (rank 4, 1/3/4 channels) in which at least 10% of the images hold a
    single value everywhere.
    Why it hurts training:
    A blank image carries no signal but still has a label: the model learns the label
    frequencies. Usually a failed decode, a default value or an augmentation that wipes it.
    Example:
    a default of b'' decoded as a blank image; a random crop that lands in padding
    Fix:
    Find where they come from (the feature's default, the decode, the augmentation) and
    fix it, or filter blank images out.
    """
    for t in probe.tensors:
        if t.image_like and t.images and t.blank_images * 10 >= t.images:
            yield Report(
                f"{t.blank_images:,} of {t.images:,} images in '{t.path}' hold one value everywhere.",
                Where(tensor=t.path),
                {"blank": t.blank_images, "images": t.images},
                "Check the decode and any default_value for the image feature",
            )


@rule("TFD508", "single-class-batches", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def single_class_batches(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Measured: batches dominated by one label.

    What it finds:
    Probed batches in which the most common label holds on average at least the
    label-majority fraction (0.9), while the batches together hold several classes.
    Why it hurts training:
    Each step pushes the model toward one class and the next step toward another: the loss
    oscillates and the model learns the order instead of the classes.
    Example:
    label-sorted files read with no (or a tiny) shuffle
    Fix:
    Shuffle examples with a buffer larger than the label runs, interleave many files.
    """
    mean = probe.mean_majority
    if mean is None or probe.label_classes < 2:
        return
    if mean >= cfg.label_majority_fraction and len(probe.label_majority) >= 2:
        single = sum(1 for m in probe.label_majority if m >= 0.999)
        yield Report(
            f"In {len(probe.label_majority)} probed batches the largest class holds {mean:.0%} of each "
            f"batch on average ({single} batches hold one class only), though the batches together "
            f"hold {probe.label_classes} classes.",
            Where(tensor=probe.label_path or "label"),
            {"batches": len(probe.label_majority), "mean_majority": round(mean, 4), "single_class": single},
            "Shuffle examples before batching, with a buffer larger than the longest label run",
        )


@rule("TFD510", "filter-drops-most", Severity.WARNING, requires=(PipelineFacts,))
def filter_drops_most(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """A filter drops most (or all) elements.

    What it finds:
    A `filter` that keeps under half of its input, counted by the probe on the whole input
    (where it is small enough to count).
    Why it hurts training:
    A predicate with a wrong comparison (a label that is int64 compared with a string, a
    threshold on the wrong scale) silently throws away most of the data, or all of it.
    Example:
    .filter(lambda x, y: y > 5)  # labels are 0..4: nothing is kept
    Fix:
    Check the predicate on a few elements; count what it keeps.
    """
    for step in facts.pipeline.of("filter"):
        measured = facts.probe(step)
        n_in, n_out = measured.elements_in, measured.elements_out
        if not n_in or n_out is None:
            continue
        kept = n_out / n_in
        if kept < 0.5:
            yield Report(
                f"`{step.call()}` keeps {n_out:,} of {n_in:,} elements ({kept:.1%}).",
                where(step),
                {"kept": n_out, "input": n_in, "fraction": round(kept, 6)},
                "Check the predicate: compare with the stored values and dtypes (`tfdoctor scan`)",
                severity=Severity.ERROR if n_out == 0 else None,
            )


@rule("TFD601", "constant-tensor", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def constant_tensor(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """A feature or label tensor never changes across batches.

    What it finds:
    A leaf of the batches that holds the same value in every element of every probed batch
    (at least 2 batches, at least 2 elements each).
    Why it hurts training:
    A constant input is ignored; a constant label teaches one class. Usually a default_value
    filling a missing key, a failed decode, or a map that returns the wrong tensor.
    Example:
    features = {'labels': tf.io.FixedLenFeature([], tf.int64, default_value=0)}  # key is 'label'
    Fix:
    Find where the value comes from (`tfdoctor check` for the spec) and fix it.
    """
    if probe.batches < 2 or probe.elements < 2 * probe.batches:
        return
    for t in probe.tensors:
        if t.constant and t.values:
            value = f" ({t.min:g})" if t.min is not None and t.min == t.max else ""
            label = " It is the label." if t.path == probe.label_path else ""
            yield Report(
                f"'{t.path}' holds the same value{value} in every element of {probe.batches} batches.{label}",
                Where(tensor=t.path),
                {"batches": probe.batches, "elements": probe.elements},
                "Check the parse spec (`tfdoctor check`) and the map function that produces it",
            )


@rule("TFD602", "unnormalized-input", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def unnormalized_input(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Image-like inputs in [0, 255] where a model expects about [0, 1] or [-1, 1].

    What it finds:
    Float image-like tensors whose values reach above 2 and stay within [0, 255].
    Why it hurts training:
    Activations and gradients come out 255 times too large: the loss explodes or the
    network saturates, unless the model rescales first (a Rescaling layer).
    Example:
    image = tf.cast(tf.io.decode_png(x), tf.float32)  # 0..255
    Fix:
    `image = tf.cast(image, tf.float32) / 255.0` (or a Rescaling(1/255) layer in the model).
    """
    for t in probe.tensors:
        if t.image_like and t.dtype.startswith("float") and t.max is not None and t.min is not None:
            if 2.0 < t.max <= 255.0 and t.min >= 0.0:
                yield Report(
                    f"'{t.path}' images range {t.min:g} to {t.max:g} (mean {t.mean:.1f}).",
                    Where(tensor=t.path),
                    {"min": t.min, "max": t.max, "mean": round(t.mean or 0.0, 4)},
                    "image = tf.cast(image, tf.float32) / 255.0, unless the model starts with Rescaling",
                )


@rule("TFD603", "non-finite-batch", Severity.ERROR, requires=(PipelineFacts, BatchFacts))
def non_finite_batch(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """NaN or Inf in a batch.

    What it finds:
    NaN or ±Inf values in any probed batch, per tensor.
    Why it hurts training:
    One NaN in an input makes the loss NaN, and the weights NaN after the next update.
    Example:
    a log of 0 in the map function; NaN stored in the data (TFD207)
    Fix:
    Replace non-finite values in the map (`tf.where(tf.math.is_finite(x), x, 0.0)`) or fix
    the data.
    """
    for t in probe.tensors:
        if t.nan or t.inf:
            yield Report(
                f"'{t.path}' holds {t.nan:,} NaN and {t.inf:,} ±Inf among {t.values:,} values.",
                Where(tensor=t.path),
                {"nan": t.nan, "inf": t.inf, "values": t.values},
                "tf.where(tf.math.is_finite(x), x, tf.zeros_like(x)) in the map, or fix the data",
            )


@rule("TFD604", "repeated-batches", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def repeated_batches(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Identical batches across steps.

    What it finds:
    Probed batches identical to an earlier probed batch.
    Why it hurts training:
    The model sees the same few examples again and again: a `take(n).repeat()` with a tiny
    n, a `cache` of one batch, or a `repeat` before `batch` on a tiny source.
    Example:
    ds.take(1).repeat()
    Fix:
    Find the step that truncates or repeats (see TFD505) and remove it.
    """
    if probe.repeated_batches:
        yield Report(
            f"{probe.repeated_batches} of {probe.batches} probed batches repeat an earlier one.",
            Where(),
            {"repeated": probe.repeated_batches, "batches": probe.batches},
            "Remove the take/cache/repeat that cycles a few elements",
        )


@rule("TFD605", "collapsed-input-range", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def collapsed_input_range(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Image-like inputs squeezed into a tiny range (e.g. scaled to [0, 1] twice).

    What it finds:
    Float image-like tensors whose values all lie within [0, 1/128] but are not constant.
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
            if t.min >= 0.0 and 0.0 < t.max <= 1 / 128 and not t.constant:
                yield Report(
                    f"'{t.path}' images range {t.min:g} to {t.max:g}: scaled down twice?",
                    Where(tensor=t.path),
                    {"min": t.min, "max": t.max},
                    "Scale once to [0, 1]",
                )


@rule("TFD606", "padding-heavy-batches", Severity.INFO, requires=(PipelineFacts,))
def padding_heavy_batches(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Measured: padded batches that are mostly padding.

    What it finds:
    `padded_batch` batches in which, on average, at least `padding-fraction` (half) of the
    values are padding, because sequences of very different lengths meet in one batch.
    Why it hurts training:
    The padding costs compute like real data, and where the model does not mask it (a
    pooling or loss over every position) it swamps the signal with zeros.
    Example:
    sequences of 5 to 500 steps: `.padded_batch(32)` pads every batch to its longest sequence
    Fix:
    Group by length: `.bucket_by_sequence_length(...)` (tf.data) or sort within a large
    shuffle buffer; mask the padding in the model (`mask_zero=True`, `Masking`).
    """
    for step in facts.pipeline.of("padded_batch"):
        for p in facts.probe(step).padding:
            if p.mean < cfg.padding_fraction:
                continue
            yield Report(
                f"In {p.batches} probed batches of `{step.call()}`, "
                f"{p.mean:.0%} of '{p.path}' is padding on average (up to {p.max:.0%}).",
                where(step),
                {"batches": p.batches, "mean_padding": round(p.mean, 4), "max_padding": round(p.max, 4)},
                "bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes)",
            )
