"""TFD501, TFD502, TFD503, TFD508, TFD509: whether (and how well) examples are shuffled before
they are batched, judged from the pipeline's chain, from how the files store their labels
where tfdoctor can scan them, and from the labels the probed batches hold."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import BatchFacts
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Severity, Where
from .._pipeline import where
from ..registry import Report, rule
from ._steps import _last_merge, _record_steps, _shuffled


def _sortedness(facts: PipelineFacts) -> tuple[float, str] | None:
    order = facts.sources.label_order if facts.sources is not None else None
    if order is None or not order.records:
        return None
    return order.sortedness, order.feature


@rule("TFD501", "no-shuffle", Severity.WARNING, requires=(PipelineFacts,), uses=(BatchFacts,))
def no_shuffle(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """No shuffle of the examples before they are batched.

    What it finds:
    A pipeline that batches records in the order they are stored: no `shuffle` between the
    read and the first `batch` (a shuffle of the file names alone does not mix examples).
    An error when the files store the labels sorted (`sorted-labels`: a sortedness of at least
    {sorted_labels}).
    Why it hurts training:
    Each batch holds neighbours from the files. Where the files are sorted or grouped by label,
    a batch holds one class, the gradient swings from class to class and the loss does not
    settle; even in random order, every epoch sees the same batches.
    Example:
    tf.data.TFRecordDataset(files).map(parse).batch(32)
    Fix:
    Shuffle examples before batching: `.map(parse).shuffle(10_000).batch(32)`, with a
    buffer larger than the longest run of one label in the files.
    """
    pipeline = facts.pipeline
    batch = next((s for s in _record_steps(facts, "batch", "padded_batch")), None)
    if batch is None:
        return
    if _shuffled(pipeline.steps, batch.index):
        return
    order = _sortedness(facts)
    sorted_labels = order is not None and order[0] >= cfg.sorted_labels
    mixed = sorted_labels and _mixed_by_interleave(facts, probe, batch, cfg)
    mixer = _mixer(facts, batch)
    mixes = "the interleave" if mixer is None or mixer.kind == "interleave" else f"`{mixer.call()}`"
    merge = _last_merge(pipeline.steps, batch.index)
    shuffles = [s for s in pipeline.steps if s.kind == "shuffle" and s.index < batch.index]
    shuffles += [s for b in merge.branches for s in b if s.kind == "shuffle"] if merge is not None else []
    detail = ""
    partial = merge is not None and merge.kind in ("zip", "concatenate", "sample", "choose") and shuffles
    if merge is not None and partial:  # shuffles that reach only part of the examples
        detail = f" `{merge.call()}` ({pipeline.where(merge)}) takes " + (
            "its inputs one after another: shuffles inside them do not mix them."
            if merge.kind == "concatenate"
            else "inputs that are not all shuffled: some examples arrive in stored order."
        )
    if order is not None:
        detail += (
            f" The files store '{order[1]}' sorted (sortedness {order[0]:.2f}, 0 = random order), "
            f"but {mixes} mixes them: the batches are mixed, yet the same every epoch."
            if mixed
            else f" The files store '{order[1]}' sorted (sortedness {order[0]:.2f}, 0 = random order): "
            "most batches hold a single class."
            if sorted_labels
            else f" The files store '{order[1]}' in mixed order (sortedness {order[0]:.2f})."
        )
    shuffle = Step(0, "ShuffleDatasetV3", "shuffle", {"buffer_size": 10_000})
    yield Report(
        f"No shuffle before `{batch.call()}` ({pipeline.where(batch)}): batches hold records in "
        f"stored order.{detail}",
        where(batch),
        {"sortedness": round(order[0], 4) if order else None},
        f"Shuffle examples before batching: {pipeline.moved(shuffle, batch)}",
        severity=Severity.ERROR if sorted_labels and not mixed else None,
    )


@rule("TFD502", "small-shuffle-buffer", Severity.WARNING, requires=(PipelineFacts,), uses=(BatchFacts,))
def small_shuffle_buffer(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """A shuffle buffer too small for how the data is ordered.

    What it finds:
    `shuffle(buffer_size)` with a buffer shorter than the longest run of one label as the
    files store it (measured by the scan, where the labels' sortedness is at least
    `shuffle-sortedness`, {shuffle_sortedness}), or no larger than one batch. A buffer no larger
    than a batch is a warning where the files store the labels in runs (that sortedness) or
    the buffer is tiny (at most `tiny-shuffle-buffer`, {tiny_shuffle_buffer} records); over
    files in random order (or an order not scanned) it is info: the stored order already
    mixes the classes, and a buffer of a batch or two still varies the batches each epoch.
    Why it hurts training:
    `shuffle` only mixes within its buffer. Over label-sorted data a small buffer yields
    batches of one or two classes, just as with no shuffle at all.
    Example:
    files sorted by label, runs of 5,000 records: `.shuffle(100).batch(32)`
    Fix:
    A buffer larger than the longest label run (ideally the whole dataset, if it fits in
    memory), or shuffle the files and interleave many of them before a smaller buffer.
    """
    batch = next((s for s in _record_steps(facts, "batch", "padded_batch")), None)
    order = facts.sources.label_order if facts.sources is not None else None
    for step in _record_steps(facts, "shuffle"):
        buffer = step.args.get("buffer_size")
        if not isinstance(buffer, int) or buffer < 0:
            continue
        if (
            order is not None
            and order.records
            and buffer < order.longest_run
            and order.sortedness >= cfg.shuffle_sortedness
            and not _feeds_mixer(facts, step)
        ):
            if _mixed_by_interleave(facts, probe, step, cfg):
                continue
            yield Report(
                f"`{step.call()}` mixes {buffer:,} records at a time, but the files store runs of one "
                f"'{order.feature}' up to {order.longest_run:,} long ({order.runs:,} runs in "
                f"{order.records:,} records): batches stay near single-class.",
                where(step),
                {"buffer_size": buffer, "longest_run": order.longest_run, "runs": order.runs},
                f"shuffle({min(order.records, max(order.longest_run * 2, 10_000)):,}) or more; "
                "or shuffle the file list and interleave more files first",
            )
        elif batch is not None and batch.index > step.index:
            size = batch.args.get("batch_size")
            if isinstance(size, int) and buffer <= size:
                sortedness = order.sortedness if order is not None and order.records else None
                ordered = sortedness is not None and sortedness >= cfg.shuffle_sortedness
                tiny = buffer <= cfg.tiny_shuffle_buffer
                if ordered and order is not None:
                    why = (
                        f" The files store '{order.feature}' in runs (sortedness {sortedness:.2f}, "
                        "0 = random order): batches stay near the stored order."
                    )
                elif tiny:
                    why = " Each epoch's batches hold nearly the same records."
                elif sortedness is not None:
                    why = f" The files store the labels in mixed order (sortedness {sortedness:.2f})."
                else:
                    why = ""
                yield Report(
                    f"`{step.call()}` holds no more records than one `{batch.call()}`: it barely mixes them."
                    + why,
                    where(step),
                    {"buffer_size": buffer, "batch_size": size},
                    f"shuffle({max(10_000, size * 100):,}) or more",
                    severity=None if ordered or tiny else Severity.INFO,
                )


def _mixed_by_interleave(
    facts: PipelineFacts, probe: BatchFacts | None, shuffle: Step, cfg: Thresholds
) -> bool:
    """Whether an interleave over several files (or sample_from_datasets / choose_from_datasets
    over several inputs) before the shuffle already mixes the stored runs, as the probe
    measured: runs within one file then no longer reach the batches."""
    interleaved = _mixer(facts, shuffle) is not None
    if not interleaved or probe is None or len(probe.label_majority) < cfg.label_majority_min_batches:
        return False
    return probe.mean_majority < cfg.label_majority_fraction  # type: ignore[operator]


def _mixer(facts: PipelineFacts, before: Step) -> Step | None:
    """The last step before this one that mixes the records of several files or inputs."""
    return next(
        (
            s
            for s in reversed(facts.pipeline.steps)
            if s.index < before.index
            and (
                (s.kind == "interleave" and s.reads_files and s.args.get("cycle_length") != 1)
                or s.kind in ("sample", "choose")
            )
        ),
        None,
    )


def _feeds_mixer(facts: PipelineFacts, shuffle: Step) -> bool:
    """A shuffle of one input of sample_from_datasets / choose_from_datasets: the label runs
    of the files are broken up by the mixing of the inputs, not by this buffer."""
    return any(s.kind in ("sample", "choose") and s.index > shuffle.index for s in facts.pipeline.steps)


@rule("TFD503", "shuffle-after-batch", Severity.WARNING, requires=(PipelineFacts,))
def shuffle_after_batch(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """A shuffle after batch shuffles whole batches, not examples.

    What it finds:
    `shuffle` placed after `batch` (with no `unbatch` between).
    Why it hurts training:
    The batches keep the same members every epoch, in stored order; only their order
    changes. With sorted data every batch stays single-class.
    Example:
    .map(parse).batch(32).shuffle(1000)
    Fix:
    Move the shuffle before the batch: `.map(parse).shuffle(10_000).batch(32)`.
    """
    pipeline = facts.pipeline
    for shuffle in _record_steps(facts, "shuffle"):
        batches = [s for s in pipeline.of("batch", "padded_batch") if s.index < shuffle.index]
        if not batches:
            continue
        batch = batches[-1]
        if any(batch.index < s.index < shuffle.index for s in pipeline.of("unbatch")):
            continue
        yield Report(
            f"`{shuffle.call()}` is {pipeline.where(shuffle)}, after `{batch.call()}` at step {batch.index}: "
            "it shuffles whole batches; each batch keeps the same examples every epoch.",
            where(shuffle),
            {"shuffle_step": shuffle.index, "batch_step": batch.index},
            f"Shuffle before batching: {pipeline.moved(shuffle, batch)}",
        )


@rule("TFD508", "single-class-batches", Severity.WARNING, requires=(PipelineFacts, BatchFacts))
def single_class_batches(facts: PipelineFacts, probe: BatchFacts, cfg: Thresholds) -> Iterator[Report]:
    """Measured: batches dominated by one label.

    What it finds:
    Probed batches in which the most common label holds on average at least the
    `label-majority-fraction` ({label_majority_fraction}), while the batches together hold several classes.
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
    if mean >= cfg.label_majority_fraction and len(probe.label_majority) >= cfg.label_majority_min_batches:
        single = sum(1 for m in probe.label_majority if m >= 0.999)
        yield Report(
            f"In {len(probe.label_majority)} probed batches the largest class holds {mean:.0%} of each "
            f"batch on average ({single} batches hold one class only), though the batches together "
            f"hold {probe.label_classes} classes.",
            Where(tensor=probe.label_path or "label"),
            {"batches": len(probe.label_majority), "mean_majority": round(mean, 4), "single_class": single},
            "Shuffle examples before batching, with a buffer larger than the longest label run",
        )


@rule("TFD509", "no-reshuffle", Severity.INFO, requires=(PipelineFacts,))
def no_reshuffle(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """shuffle(..., reshuffle_each_iteration=False): one order for every epoch.

    What it finds:
    A shuffle that keeps the order of its first epoch.
    Why it hurts training:
    Every epoch sees the same batches in the same order; fine for a fixed validation split,
    a loss of randomness for training.
    Example:
    .shuffle(10_000, reshuffle_each_iteration=False)
    Fix:
    Drop the argument (True is the default) for training data.
    """
    for step in _record_steps(facts, "shuffle"):
        if step.args.get("reshuffle_each_iteration") is False:
            yield Report(
                f"`{step.call()}` keeps its first order for every epoch.",
                where(step),
                {"buffer_size": step.args.get("buffer_size")},
                f"shuffle({step.args.get('buffer_size')})",
            )
