"""TFD607: `tf.one_hot(label, depth)` of label values outside [0, depth): their targets are all
zeros. Judged on the OneHot ops of the graph against the label values the scan saw, and on
the all-zero rows of one-hot tensors in the probed batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...config import Thresholds
from ...facts.batches import BatchFacts, TensorFacts
from ...facts.pipeline import OneHot, PipelineFacts, Step
from ...findings import Severity, Where
from ..registry import Report, rule


@dataclass(frozen=True)
class _Outside:
    """A OneHot op whose indices, as the scan saw them, leave [0, depth)."""

    step: Step
    one_hot: OneHot
    feature: str
    low: int  # the smallest index it is given (the stored minimum plus the offset)
    high: int
    traced: bool  # the feature was traced to the op's indices (not taken to be the scan's label)
    outside: int | None  # values outside, where the scan counted every distinct value
    values: int  # values the scan saw


@rule("TFD607", "label-outside-one-hot", Severity.ERROR, requires=(PipelineFacts,), uses=(BatchFacts,))
def label_outside_one_hot(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    """`tf.one_hot(label, depth)` of labels outside [0, depth): those targets are all zeros.

    What it finds:
    A `tf.one_hot` in the pipeline whose depth (a constant in the graph) does not cover the
    label values the scan of the files saw (the feature its indices are parsed from, less
    any constant subtracted on the way, or the scan's label where the one-hot takes a tensor
    parsed in an earlier step: then a warning, unless the batches confirm it); and one-hot
    tensors in the probed batches with rows that are all zeros. An error where the graph
    traces the indices to the feature, or the probed batches show the all-zero rows of a
    one-hot the pipeline makes.
    Why it hurts training:
    `tf.one_hot` gives an all-zero row for an index outside [0, depth), silently: that
    example has no class. Categorical crossentropy of an all-zero target is 0, so the
    example adds nothing to the loss; the class never gets a target of its own, and
    accuracy counts it wrong. Typical: labels 1..N with depth N (the last class vanishes),
    or -1 for "unlabeled".
    Example:
    labels 1, 2, 3 stored; tf.one_hot(parsed['label'], 3)  # label 3 -> [0, 0, 0]
    Fix:
    Shift or remap the labels into [0, depth): `tf.one_hot(label - 1, 3)`, or a depth of the
    largest label plus one (and as many output units); filter out labels with no class.
    """
    zero = [t for t in (batches.tensors if batches is not None else ()) if t.zero_rows and t.one_hot_rows]
    explained: set[str] = set()
    for found in _outside(facts):
        confirming = [t for t in zero if t.shape and t.shape[-1] == found.one_hot.depth]
        explained.update(t.path for t in confirming)
        yield _graph_report(found, confirming)
    made = [h for s in facts.pipeline.steps for h in s.one_hots]
    fitting = _fitting_depths(facts)
    padded = _pads_after_one_hot(facts)
    for t in zero:
        if t.path in explained:
            continue
        depth = t.shape[-1] if t.shape else None
        if depth in fitting:
            continue  # every stored label fits that one-hot: the zero rows are padding, not labels
        match = [h for h in made if h.depth == depth or h.depth is None]
        if padded:  # rows padded with zeros after the one-hot: padding looks the same
            yield Report(
                f"{t.zero_rows:,} of {t.zero_rows + t.one_hot_rows:,} rows of the one-hot tensor "
                f"'{t.path}' in the probed batches are all zeros; the pipeline pads after the one-hot "
                f"({padded}), so they may be padding rather than labels outside [0, {depth}).",
                Where(tensor=t.path),
                {"zero_rows": t.zero_rows, "rows": t.zero_rows + t.one_hot_rows, "depth": depth},
                "If they are not padding, shift, remap or filter the labels before tf.one_hot",
                Severity.INFO,
            )
            continue
        rows = t.zero_rows + t.one_hot_rows
        yield Report(
            f"{t.zero_rows:,} of {rows:,} rows of the one-hot tensor '{t.path}' in the probed batches are "
            "all zeros: "
            + (
                f"`tf.one_hot` (depth {depth}) was given labels outside [0, {depth}): "
                if match
                else "examples with no class: "
            )
            + "their targets name no class, and categorical crossentropy gives them zero loss.",
            Where(tensor=t.path),
            {"zero_rows": t.zero_rows, "rows": rows, "depth": depth},
            "Find which labels fall outside [0, depth) and shift, remap or filter them before tf.one_hot",
            None if match else Severity.WARNING,
        )


def _fitting_depths(facts: PipelineFacts) -> set[int]:
    """Depths of the one-hots whose indices, as the scan saw the values they come from, all lie
    in [0, depth)."""
    stats = facts.sources
    out: set[int] = set()
    if stats is None:
        return out
    for step in facts.pipeline.steps:
        for one_hot in step.one_hots:
            name = one_hot.feature or stats.label
            stored = stats.stored(name) if name else None
            numeric = stored.numeric if stored is not None and stored.kind == "int64" else None
            if one_hot.depth is None or one_hot.offset is None or numeric is None:
                continue
            if numeric.min is None or numeric.max is None:
                continue
            low, high = int(numeric.min) + one_hot.offset, int(numeric.max) + one_hot.offset
            if low >= 0 and high < one_hot.depth:
                out.add(one_hot.depth)
    return out


def _pads_after_one_hot(facts: PipelineFacts) -> str:
    """The step that pads after the first one-hot (a Pad op in its function, or padded_batch);
    empty where none does."""
    first = next((s.index for s in facts.pipeline.steps if s.one_hots), None)
    if first is None:
        return ""
    for step in facts.pipeline.steps:
        if step.index >= first and (step.kind == "padded_batch" or {"Pad", "PadV2"} & set(step.ops)):
            return f"`{step.call()}`, step {step.index}"
    return ""


def _outside(facts: PipelineFacts) -> Iterator[_Outside]:
    """The OneHot ops whose indices, as the scan saw the values they come from, leave [0, depth)."""
    stats = facts.sources
    if stats is None:
        return
    for step in facts.pipeline.steps:
        for one_hot in step.one_hots:
            if one_hot.depth is None or one_hot.offset is None:
                continue
            name = one_hot.feature or stats.label
            stored = stats.stored(name) if name else None
            numeric = stored.numeric if stored is not None and stored.kind == "int64" else None
            if stored is None or numeric is None or numeric.min is None or numeric.max is None:
                continue
            low, high = int(numeric.min) + one_hot.offset, int(numeric.max) + one_hot.offset
            if low >= 0 and high < one_hot.depth:
                continue
            yield _Outside(
                step, one_hot, stored.path, low, high, one_hot.feature is not None,
                _count_outside(stored.top_values, numeric.count, one_hot), numeric.count,
            )  # fmt: skip


def _count_outside(top: tuple[tuple[str, int], ...], count: int, one_hot: OneHot) -> int | None:
    """Values outside [0, depth) after the offset, where the top values hold every value."""
    if sum(n for _v, n in top) != count or one_hot.depth is None or one_hot.offset is None:
        return None
    try:
        return sum(n for v, n in top if not 0 <= int(v) + one_hot.offset < one_hot.depth)
    except ValueError:  # a top value that is not an integer: not countable
        return None


def _graph_report(found: _Outside, confirming: list[TensorFacts]) -> Report:
    depth, offset = found.one_hot.depth or 0, found.one_hot.offset or 0
    shift = f" {'-' if offset < 0 else '+'} {abs(offset)}" if offset else ""
    call = f"tf.one_hot({found.feature}{shift}, {depth})"
    stored = f"{found.low - offset:,} to {found.high - offset:,}"
    source = (
        f"'{found.feature}'"
        if found.traced
        else f"a tensor from an earlier step (taken to be the label '{found.feature}')"
    )
    count = f" ({found.outside:,} of {found.values:,} values)" if found.outside else ""
    numbers: dict[str, Any] = {"depth": depth, "offset": offset, "min": found.low - offset,
                               "max": found.high - offset, "outside": found.outside}  # fmt: skip
    message = (
        f"`{found.step.call()}` one-hot encodes {source} with depth {depth} (`{call}`), but the scan sees "
        f"its values from {stored}: labels outside [0, {depth}){count} become all-zero targets "
        "(no class; categorical crossentropy gives them zero loss)."
    )
    if confirming:
        t = confirming[0]
        message += (
            f" The probed batches confirm it: {t.zero_rows:,} of {t.zero_rows + t.one_hot_rows:,} rows "
            f"of '{t.path}' are all zeros."
        )
        numbers.update(zero_rows=t.zero_rows, rows=t.zero_rows + t.one_hot_rows)
    if found.low - offset == 1 and found.high - offset == depth and offset == 0:
        fix = f"The labels count from 1: tf.one_hot({found.feature} - 1, {depth})"
    elif found.low >= 0:
        fix = f"tf.one_hot({found.feature}{shift}, {found.high + 1}), and {found.high + 1} output units"
    else:
        fix = f"Filter out or remap the labels below {-offset} before tf.one_hot"
    return Report(
        message,
        Where(
            feature=found.feature,
            step=found.step.index,
            call=found.step.call(),
            tensor=confirming[0].path if confirming else None,
        ),  # fmt: skip
        numbers,
        fix,
        None if found.traced or confirming else Severity.WARNING,
    )
