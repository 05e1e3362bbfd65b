"""TFD210: the training and evaluation data are not stored alike: a feature in one only, a
kind or a value count that differs, images of other sizes or channels."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.compare import ComparedStats
from ...facts.dataset import FeatureStats
from ...findings import Severity, Where
from ..registry import Report, rule


@rule("TFD210", "train-eval-schema-skew", Severity.ERROR, requires=(ComparedStats,))
def train_eval_schema_skew(facts: ComparedStats, cfg: Thresholds) -> Iterator[Report]:
    """A feature present in one split only, or a dtype/shape that differs between splits.

    What it finds:
    Features the training data holds and the evaluation data does not (an error: the parse
    spec that reads one split fails on the other, or fills defaults; a feature of the same
    kind and size stored only in the evaluation data is named as the likely rename), a
    stored kind (int64 / float / bytes) that differs (an error), a fixed number of values
    per record in training that the evaluation records do not hold (an error), and encoded
    images of sizes or channels the training images never had (a warning where the training
    images all have one size or channel count, info where they were mixed already: the
    pipeline must resize them then). Features only the evaluation data holds, not read by
    anything trained on the training data, are info. Between the batches of a training and
    an evaluation pipeline (`compare_audits`): a tensor in one only or an element shape that
    differs (another image size) is an error, another dtype a warning.
    Why it hurts training:
    The evaluation pipeline reuses the training pipeline: a missing key or another dtype
    fails the parse, a default silently replaces every value, images of another size fail a
    fixed reshape or reach the model at another scale. Validation metrics then say nothing
    about the model, or stay flat while training improves.
    Example:
    train: image 28x28x1, 'pixels_mean' float; eval: image 64x64x1, 'pixel_mean' float.
    Fix:
    Write both splits with one export script; resize images to one size in the pipeline
    (`tf.image.resize`) and decode with a fixed `channels=`.
    """
    train = {f.path: f for f in facts.train.features}
    evals = {f.path: f for f in facts.eval.features}
    train_only = [f for p, f in train.items() if p not in evals]
    eval_only = [f for p, f in evals.items() if p not in train]
    renamed = _renames(train_only, eval_only)
    for f in train_only:
        other = renamed.get(f.path)
        hint = (
            f" The evaluation data holds '{other.path}' of the same kind and size: renamed?" if other else ""
        )
        yield Report(
            f"'{f.path}' ({_kind(f)}) is in the training data ({f.records_present:,} of "
            f"{f.total_records:,} records) and in no evaluation record: a parse spec that reads it "
            f"fails on the evaluation data or fills its default_value into every record.{hint}",
            Where(feature=f.path),
            {"train_records": f.records_present, "eval_records": 0}
            | ({"renamed_to": other.path} if other else {}),
            f"write '{f.path}' into the evaluation data" + (f" (not '{other.path}')" if other else ""),
        )
    paired = {o.path for o in renamed.values()}
    for f in eval_only:
        if f.path in paired:
            continue
        yield Report(
            f"'{f.path}' ({_kind(f)}) is in the evaluation data only ({f.records_present:,} of "
            f"{f.total_records:,} records): nothing trained on the training data reads it.",
            Where(feature=f.path),
            {"train_records": 0, "eval_records": f.records_present},
            "drop it from the evaluation data, or add it to the training data if the model should read it",
            Severity.INFO,
        )
    for path, t in train.items():
        e = evals.get(path)
        if e is None:
            continue
        yield from _kinds(t, e)
        yield from _value_counts(t, e)
        yield from _images(t, e)


def _kind(f: FeatureStats) -> str:
    return f.kind if f.kind != "unset" else "no values"


def _renames(train_only: list[FeatureStats], eval_only: list[FeatureStats]) -> dict[str, FeatureStats]:
    """Train-only feature -> the eval-only feature most like it in name among those of the
    same section, kind and values per record (each eval feature paired once)."""
    out: dict[str, FeatureStats] = {}
    left = list(eval_only)
    for t in train_only:
        alike = [e for e in left if e.section == t.section and e.kind == t.kind and _size(e) == _size(t)]
        if not alike:
            continue
        best = max(alike, key=lambda e: difflib.SequenceMatcher(None, t.name, e.name).ratio())
        out[t.path] = best
        left.remove(best)
    return out


def _size(f: FeatureStats) -> tuple[int, int] | None:
    return (f.value_count.min, f.value_count.max) if f.value_count is not None else None


def _kinds(t: FeatureStats, e: FeatureStats) -> Iterator[Report]:
    if t.kind == e.kind or "unset" in (t.kind, e.kind):
        return
    yield Report(
        f"'{t.path}' is stored as {t.kind} in the training data and as {e.kind} in the evaluation "
        f"data: a parse spec with the training dtype fails on the evaluation records.",
        Where(feature=t.path),
        {"train_kind": t.kind, "eval_kind": e.kind},
        f"store '{t.path}' as {t.kind} in both splits",
    )


def _value_counts(t: FeatureStats, e: FeatureStats) -> Iterator[Report]:
    """A fixed count in training (what a FixedLenFeature shape takes) that evaluation breaks."""
    tc, ec = t.value_count, e.value_count
    if t.section == "sequence" or tc is None or ec is None or t.kind != e.kind or tc.min != tc.max:
        return
    if ec.min == ec.max == tc.min:
        return
    held = f"{ec.min:,}" if ec.min == ec.max else f"{ec.min:,} to {ec.max:,}"
    yield Report(
        f"'{t.path}' holds {tc.min:,} value(s) in every training record and {held} in the evaluation "
        f"records: a FixedLenFeature([{tc.min}]) that parses the training data fails on them.",
        Where(feature=t.path),
        {"train_values": tc.min, "eval_min_values": ec.min, "eval_max_values": ec.max},
        f"write {tc.min} value(s) of '{t.path}' per evaluation record, as in training",
    )


def _shape_parts(key: str) -> tuple[str, str]:
    """The size and channels of a shape key: "28x28x1" -> ("28x28", "1")."""
    h, _, rest = key.partition("x")
    w, _, c = rest.partition("x")
    return f"{h}x{w}", c


def _images(t: FeatureStats, e: FeatureStats) -> Iterator[Report]:
    if t.bytes is None or e.bytes is None or not (t.is_image and e.is_image):
        return
    t_sizes = {_shape_parts(k)[0] for k in t.bytes.image_shapes}
    t_channels = {_shape_parts(k)[1] for k in t.bytes.image_shapes}
    new_sizes: dict[str, int] = {}
    new_channels: dict[str, int] = {}
    for key, n in e.bytes.image_shapes.items():
        size, channels = _shape_parts(key)
        if size not in t_sizes:
            new_sizes[size] = new_sizes.get(size, 0) + n
        if channels not in t_channels:
            new_channels[channels] = new_channels.get(channels, 0) + n
    if not t_sizes or not (new_sizes or new_channels):
        return
    images = sum(e.bytes.image_shapes.values()) + e.bytes.image_shapes_other
    parts = []
    if new_sizes:
        listed = ", ".join(f"{s} ({n:,})" for s, n in list(new_sizes.items())[:3])
        parts.append(f"sizes the training images never have: {listed}")
    if new_channels:
        listed = ", ".join(f"{c} channel(s) ({n:,})" for c, n in new_channels.items())
        parts.append(f"other channels: {listed}")
    mixed = len(t_sizes) > 1 if new_sizes else len(t_channels) > 1
    trained = ", ".join(sorted(t.bytes.image_shapes, key=lambda k: -t.bytes.image_shapes[k])[:3])  # type: ignore[union-attr]
    why = (
        " The training images are of several sizes already, so the pipeline must resize them."
        if mixed
        else " A fixed reshape or model input built for the training images fails on them, or a resize "
        "shows the model its objects at another scale."
    )
    yield Report(
        f"'{t.path}': of {images:,} evaluation images, "
        + "; ".join(parts)
        + f" (training: {trained})."
        + why,
        Where(feature=t.path),
        {
            "train_shapes": dict(t.bytes.image_shapes),
            "eval_shapes": dict(e.bytes.image_shapes),
            "eval_images_other_size": sum(new_sizes.values()),
            "eval_images_other_channels": sum(new_channels.values()),
        },
        "resize to the training size (tf.image.resize) and decode with a fixed channels= in both pipelines",
        Severity.INFO if mixed else Severity.WARNING,
    )
