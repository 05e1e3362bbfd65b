"""TFD5xx: shuffling, batching and repetition, judged from the pipeline's chain (and, where
tfdoctor can scan the files the pipeline reads, from how their labels are stored)."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import Thresholds
from ..facts.batches import BatchFacts
from ..facts.pipeline import PipelineFacts, Step
from ..findings import Severity
from ._pipeline import record_level, records, where
from .registry import Report, rule


def _record_steps(facts: PipelineFacts, *kinds: str) -> list[Step]:
    return [s for s in facts.pipeline.of(*kinds) if record_level(facts, s)]


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
    An error when the files store the labels sorted.
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
    if any(s.index < batch.index for s in _record_steps(facts, "shuffle")):
        return
    order = _sortedness(facts)
    sorted_labels = order is not None and order[0] >= cfg.sorted_labels
    mixed = sorted_labels and _mixed_by_interleave(facts, probe, batch, cfg)
    detail = ""
    if order is not None:
        detail = (
            f" The files store '{order[1]}' sorted (sortedness {order[0]:.2f}, 0 = random order), "
            "but the interleave mixes them: the batches are mixed, yet the same every epoch."
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
    files store it (measured by the scan), or no larger than one batch.
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
        if order is not None and order.records and buffer < order.longest_run and order.sortedness >= 0.1:
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
                yield Report(
                    f"`{step.call()}` holds no more records than one `{batch.call()}`: it barely mixes them.",
                    where(step),
                    {"buffer_size": buffer, "batch_size": size},
                    f"shuffle({max(10_000, size * 100):,}) or more",
                )


def _mixed_by_interleave(
    facts: PipelineFacts, probe: BatchFacts | None, shuffle: Step, cfg: Thresholds
) -> bool:
    """Whether an interleave over several files before the shuffle already mixes the stored
    runs, as the probe measured: runs within one file then no longer reach the batches."""
    interleaved = any(
        s.kind == "interleave"
        and s.reads_files
        and s.index < shuffle.index
        and s.args.get("cycle_length") != 1
        for s in facts.pipeline.steps
    )
    if not interleaved or probe is None or len(probe.label_majority) < 2:
        return False
    return probe.mean_majority < cfg.label_majority_fraction  # type: ignore[operator]


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


@rule("TFD504", "tiny-batch", Severity.WARNING, requires=(PipelineFacts,))
def tiny_batch(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Batch size 1 (or very small).

    What it finds:
    `batch(n)` with n at most `tiny-batch-size` (2).
    Why it hurts training:
    One example per step gives the noisiest gradient there is; BatchNormalization statistics
    over one example are meaningless, and each epoch takes as many steps as records.
    Example:
    .batch(1)
    Fix:
    A batch of 16 to 512 (scale the learning rate with it); use `batch(1)` only for inference.
    """
    for step in facts.pipeline.of("batch", "padded_batch"):
        size = step.args.get("batch_size")
        if isinstance(size, int) and 0 < size <= cfg.tiny_batch_size:
            yield Report(
                f"`{step.call()}` gives {size} example{'s' * (size != 1)} per gradient step.",
                where(step),
                {"batch_size": size},
                "batch(32) or larger, with a learning rate to match",
            )


@rule("TFD505", "truncated-dataset", Severity.ERROR, requires=(PipelineFacts,))
def truncated_dataset(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """A take/skip/shard leaves a small subset that repeat() cycles forever.

    What it finds:
    `take(n)`, `skip(n)` or `shard(k, i)` before `repeat()`, where what is left is under
    half the records (or n is at most 1,000 elements when the record count is unknown).
    Why it hurts training:
    Every epoch is the same small subset: the model memorises it, the training loss falls
    and nothing generalises; often a debugging `take` left in.
    Example:
    ds.take(100).repeat().batch(32)
    Fix:
    Remove the take (or put it after repeat, to cap the steps of one run).
    """
    pipeline = facts.pipeline
    total = records(facts)
    repeats = [
        s
        for s in pipeline.of("repeat")
        if s.args.get("count") in (-1, None) or (s.args.get("count") or 0) > 1
    ]
    for step in pipeline.of("take", "skip", "shard"):
        repeat = next((r for r in repeats if r.index > step.index), None)
        if repeat is None:
            continue
        batch = next((b for b in pipeline.of("batch", "padded_batch") if b.index < step.index), None)
        per = batch.args.get("batch_size") if batch is not None else 1
        per = per if isinstance(per, int) and per > 0 else 1
        count = step.args.get("count")
        left: int | None
        fraction: float | None
        if step.kind == "shard":
            shards = step.args.get("num_shards")
            if not isinstance(shards, int) or shards < 2:
                continue
            left = total // shards if total else None
            fraction = 1 / shards
        elif step.kind == "take":
            if not isinstance(count, int) or count < 0:
                continue
            left = min(total, count * per) if total else count * per
            fraction = left / total if total else None
        else:
            if not isinstance(count, int) or not total:
                continue
            left = max(0, total - count * per)
            fraction = left / total
        small = fraction < cfg.truncated_fraction if fraction is not None else (
            step.kind == "take" and (count or 0) <= cfg.truncated_elements
        )  # fmt: skip
        if not small:
            continue
        share = f" ({fraction:.1%} of {total:,} records)" if fraction is not None and total else ""
        kept = f"{left:,} records" if left is not None else f"1/{step.args.get('num_shards')} of the records"
        yield Report(
            f"`{step.call()}` ({pipeline.where(step)}) keeps {kept}{share}, and "
            f"`{repeat.call()}` at step {repeat.index} cycles them: every epoch is the same subset.",
            where(step),
            {
                "records_kept": left,
                "records": total,
                "fraction": round(fraction, 6) if fraction is not None else None,
            },
            f"Remove `{step.call()}`: {pipeline.without(step)}",
        )


@rule("TFD506", "swallowed-errors", Severity.ERROR, requires=(PipelineFacts,))
def swallowed_errors(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """`ignore_errors()` silently drops every element that fails.

    What it finds:
    An `ignore_errors()` step, with how many elements it drops as the probe measured them.
    Why it hurts training:
    A parse spec that fails on half the records, a reshape that fails on every odd image, a
    corrupt shard: training runs on what is left and says nothing. Half the data, or one
    class, can vanish.
    Example:
    .map(parse).ignore_errors().batch(32)
    Fix:
    Remove it and fix what fails (`tfdoctor check` for the spec, `tfdoctor scan` for corrupt
    records); where dropping is intended, filter explicitly and count.
    """
    for step in facts.pipeline.of("ignore_errors"):
        measured = facts.probe(step)
        dropped, seen = measured.errors_dropped, measured.elements_in
        counts = ""
        batched = any(b.index < step.index for b in facts.pipeline.of("batch", "padded_batch"))
        unit = "batches (a batch is dropped whole when one element fails)" if batched else "elements"
        if dropped is not None and seen:
            counts = (
                f" The probe saw it drop {dropped:,} of {seen:,} {unit} ({dropped / seen:.1%}) in one pass."
            )
            if measured.first_error:
                counts += f" The first error: {measured.first_error}"
        yield Report(
            f"`{step.call()}` ({facts.pipeline.where(step)}) drops every element that raises, "
            f"without a word.{counts}",
            where(step),
            {"dropped": dropped, "elements": seen},
            f"Remove it and fix the failing step: {facts.pipeline.without(step)}",
        )


@rule("TFD507", "repeat-before-shuffle", Severity.INFO, requires=(PipelineFacts,))
def repeat_before_shuffle(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """repeat() before shuffle(): epoch boundaries blur.

    What it finds:
    `repeat` placed before `shuffle`.
    Why it hurts training:
    The buffer mixes the end of one epoch with the start of the next: some records are seen
    twice before others once. Usually harmless, but per-epoch metrics stop meaning one pass.
    Example:
    .repeat().shuffle(10_000).batch(32)
    Fix:
    `.shuffle(10_000).repeat().batch(32)` (or let Keras handle epochs and drop repeat).
    """
    pipeline = facts.pipeline
    for shuffle in _record_steps(facts, "shuffle"):
        repeat = next(
            (r for r in pipeline.of("repeat") if r.index < shuffle.index and record_level(facts, r)), None
        )
        if repeat is None or repeat.args.get("count") in (0, 1):
            continue
        yield Report(
            f"`{repeat.call()}` (step {repeat.index}) comes before `{shuffle.call()}` "
            f"(step {shuffle.index}): the buffer mixes records of neighbouring epochs.",
            where(repeat),
            {"repeat_step": repeat.index, "shuffle_step": shuffle.index},
            f"Shuffle before repeating: {pipeline.moved_after(repeat, shuffle)}",
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


@rule("TFD511", "split-after-shuffle", Severity.ERROR, requires=(PipelineFacts,))
def split_after_shuffle(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """take/skip after a reshuffling shuffle: the split changes every epoch.

    What it finds:
    `take` or `skip` on examples after a `shuffle` that reshuffles each iteration, the way a
    train/validation split is often written.
    Why it hurts training:
    Each epoch reshuffles before splitting, so the "validation" records of one epoch are
    training records of the next: validation scores leak and look better than they are.
    Example:
    ds = ds.shuffle(10_000); train, val = ds.skip(1000), ds.take(1000)
    Fix:
    Split before shuffling (or shuffle with reshuffle_each_iteration=False, or split the
    files): `val = ds.take(1000); train = ds.skip(1000).shuffle(10_000)`.
    """
    pipeline = facts.pipeline
    for step in pipeline.of("take", "skip"):
        shuffles = [
            s for s in _record_steps(facts, "shuffle")
            if s.index < step.index and s.args.get("reshuffle_each_iteration", True)
        ]  # fmt: skip
        if not shuffles:
            continue
        shuffle = shuffles[-1]
        if any(b.index < step.index for b in pipeline.of("batch", "padded_batch")):
            continue  # a take on batches caps the steps of a run; not a split
        yield Report(
            f"`{step.call()}` ({pipeline.where(step)}) splits after `{shuffle.call()}` at step "
            f"{shuffle.index}, which reshuffles every epoch: the split holds different records each epoch.",
            where(step),
            {"shuffle_step": shuffle.index, "split_step": step.index},
            f"Split first, then shuffle: {pipeline.moved(step, shuffle)}",
        )


@rule("TFD512", "cache-after-shuffle", Severity.WARNING, requires=(PipelineFacts,))
def cache_after_shuffle(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """cache() after shuffle (or after shuffled batches) replays the first epoch's order.

    What it finds:
    A `cache` step after a record-level `shuffle`.
    Why it hurts training:
    The cache stores the first epoch's elements in the order they came and replays exactly
    that order every epoch after: the shuffle runs once.
    Example:
    .shuffle(10_000).batch(32).cache()
    Fix:
    Cache before shuffling: `.map(parse).cache().shuffle(10_000).batch(32)`.
    """
    pipeline = facts.pipeline
    for cache in pipeline.of("cache"):
        shuffle = next((s for s in _record_steps(facts, "shuffle") if s.index < cache.index), None)
        if shuffle is None:
            continue
        yield Report(
            f"`{cache.call()}` ({pipeline.where(cache)}) comes after `{shuffle.call()}` at step "
            f"{shuffle.index}: every epoch replays the first epoch's order.",
            where(cache),
            {"cache_step": cache.index, "shuffle_step": shuffle.index},
            f"Cache before shuffling: {pipeline.moved(cache, shuffle)}",
        )


def _batch_input(facts: PipelineFacts) -> tuple[Step, int] | None:
    """The first record-level batch and how many elements reach it per epoch, where known."""
    batch = next(iter(_record_steps(facts, "batch", "padded_batch")), None)
    if batch is None:
        return None
    before = facts.counts.get(batch.index - 1)
    if before is None or before < 0:
        return None
    return batch, before


@rule("TFD513", "few-steps-per-epoch", Severity.WARNING, requires=(PipelineFacts,), uses=(BatchFacts,))
def few_steps_per_epoch(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """A batch so large that an epoch is a handful of gradient steps.

    What it finds:
    A batch size that turns one epoch into at most `few-steps-per-epoch` (4) gradient steps,
    e.g. the whole dataset in one batch, from the record count of the files (or TensorFlow's
    own cardinality).
    Why it hurts training:
    Ten epochs of one batch are ten weight updates: the loss barely moves, and it looks as
    if the model cannot learn. Small datasets need small batches (or many more epochs).
    Example:
    ds.batch(len(records))  # 1 step per epoch
    Fix:
    A batch of 16 to 64 for small data, so that an epoch is tens of steps or more.
    """
    found = _batch_input(facts)
    if found is None:
        yield from _few_steps_measured(facts, probe, cfg)
        return
    batch, elements = found
    size = batch.args.get("batch_size")
    if not isinstance(size, int) or size <= 0 or elements == 0:
        return
    steps = elements // size if batch.args.get("drop_remainder") else -(-elements // size)
    if 0 < steps <= cfg.few_steps_per_epoch:
        whole = " (the whole dataset in one batch)" if size >= elements else ""
        better = max(1, min(64, elements // 32))
        yield Report(
            f"`{batch.call()}` over {elements:,} elements makes an epoch {steps} gradient step"
            f"{'s' * (steps != 1)}{whole}: ten epochs are {10 * steps} updates.",
            where(batch),
            {"elements": elements, "batch_size": size, "steps_per_epoch": steps},
            f"batch({better}) gives {-(-elements // better)} steps per epoch",
        )


def _few_steps_measured(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """Without an element count: the probe pulled a whole epoch in a handful of batches."""
    batches = facts.pipeline.of("batch", "padded_batch")
    if probe is None or probe.stopped != "end" or not batches or facts.pipeline.of("repeat"):
        return
    if 0 < probe.batches <= cfg.few_steps_per_epoch:
        batch = batches[-1]
        yield Report(
            f"The probe pulled the whole epoch in {probe.batches} batch(es) of `{batch.call()}` "
            f"({probe.elements:,} elements): ten epochs are {10 * probe.batches} updates.",
            where(batch),
            {
                "elements": probe.elements,
                "batch_size": batch.args.get("batch_size"),
                "steps_per_epoch": probe.batches,
            },
            "A smaller batch, so that an epoch is tens of steps or more",
        )


@rule("TFD514", "remainder-drops-all", Severity.ERROR, requires=(PipelineFacts,), uses=(BatchFacts,))
def remainder_drops_all(facts: PipelineFacts, probe: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """drop_remainder=True with a batch larger than the data: the epoch yields no batch.

    What it finds:
    `batch(n, drop_remainder=True)` where fewer than n elements reach the batch in an epoch
    (after a `shard`, per worker), so every epoch yields zero batches.
    Why it hurts training:
    `model.fit` runs its epochs over nothing: no step, no update, a loss that never moves or
    is never shown, and at most a warning about running out of data.
    Example:
    ds.shard(8, worker).batch(256, drop_remainder=True)  # 1,000 records: 125 per worker
    Fix:
    A smaller batch, or drop_remainder=False (keep it only where a fixed batch shape is
    required, e.g. TPUs, and then make sure each shard holds at least one batch).
    """
    for batch in facts.pipeline.of("batch", "padded_batch"):
        size = batch.args.get("batch_size")
        before = facts.counts.get(batch.index - 1)
        if before is None and batch.args.get("drop_remainder") and probe is not None:
            if probe.batches == 0 and probe.stopped == "end" and probe.error is None:
                yield Report(
                    f"The probe pulled no batch at all: `{batch.call()}` drops every incomplete batch, "
                    "and an epoch does not fill one.",
                    where(batch),
                    {"elements": None, "batch_size": size},
                    "A smaller batch, or drop_remainder=False",
                )
            continue
        if not batch.args.get("drop_remainder") or not isinstance(size, int) or before is None or before < 0:
            continue
        if before < size:
            shard = next((s for s in facts.pipeline.of("shard") if s.index < batch.index), None)
            per = f" per shard (`{shard.call()}`)" if shard is not None else ""
            seen = (
                " The probe pulled no batch at all."
                if probe is not None and probe.batches == 0 and probe.stopped == "end"
                else ""
            )
            yield Report(
                f"`{batch.call()}` needs {size:,} elements but an epoch brings {before:,}{per}: "
                f"every epoch yields zero batches.{seen}",
                where(batch),
                {"elements": before, "batch_size": size},
                f"batch({max(1, min(size, before // 2 or 1))}, drop_remainder=True), or drop_remainder=False",
            )


def _shuffles(steps: Iterator[Step] | list[Step] | tuple[Step, ...]) -> list[Step]:
    return [s for s in steps if s.kind == "shuffle"]


def _same_permutation(shuffles: list[Step]) -> bool:
    """Shuffles that reorder equal-length inputs alike: the same buffer and the same nonzero seeds."""
    keys = {
        (
            s.args.get("buffer_size"),
            s.args.get("seed"),
            s.args.get("seed2"),
            s.args.get("reshuffle_each_iteration"),
        )
        for s in shuffles
    }
    return len(keys) == 1 and any(next(iter(keys))[1:3])


@rule("TFD515", "shuffled-zip-inputs", Severity.ERROR, requires=(PipelineFacts,))
def shuffled_zip_inputs(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """The inputs of a zip are shuffled apart: element i of one no longer matches element i of another.

    What it finds:
    `Dataset.zip((a, b))` where `a` or `b` (say images and labels read separately) went
    through a shuffle of its own, unless every input is shuffled alike (same buffer, same
    fixed seeds).
    Why it hurts training:
    zip pairs elements by position. Shuffling one input (or both, independently) pairs each
    image with some other record's label: the labels become noise, the loss stays at chance,
    and nothing fails.
    Example:
    tf.data.Dataset.zip((images.shuffle(1000), labels))
    Fix:
    Zip first, then shuffle the pairs: `tf.data.Dataset.zip((images, labels)).shuffle(1000)`.
    """
    pipeline = facts.pipeline
    for step in pipeline.of("zip"):
        inputs = [[s for s in pipeline.steps if s.index < step.index], *(list(b) for b in step.branches)]
        shuffled = [_shuffles(chain) for chain in inputs]
        if not any(shuffled):
            continue
        if all(shuffled) and _same_permutation([s for group in shuffled for s in group]):
            continue
        which = [i + 1 for i, group in enumerate(shuffled) if group]
        first = next(group[0] for group in shuffled if group)
        yield Report(
            f"`{step.call()}` ({pipeline.where(step)}) pairs its inputs by position, but input "
            f"{', '.join(map(str, which))} of {len(inputs)} went through `{first.call()}` on its own: "
            "elements are paired with other records' elements.",
            where(step),
            {"inputs": len(inputs), "shuffled_inputs": which},
            f"Zip first, then shuffle the pairs: Dataset.zip((...)).shuffle({first.args.get('buffer_size')})",
        )
