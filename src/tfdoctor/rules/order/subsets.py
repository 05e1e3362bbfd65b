"""TFD505, TFD506, TFD510, TFD511: steps that leave training a subset of the records: a
truncation that repeat() cycles, errors swallowed, a filter that drops most, a split that
changes every epoch."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts
from ...findings import Severity
from .._pipeline import records, where
from ..registry import Report, rule
from ._steps import _record_steps


@rule("TFD505", "truncated-dataset", Severity.ERROR, requires=(PipelineFacts,))
def truncated_dataset(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """A take/skip/shard leaves a small subset that repeat() cycles forever.

    What it finds:
    `take(n)`, `skip(n)` or `shard(k, i)` before `repeat()`, where what is left is under
    `truncated-fraction` ({truncated_fraction}) of the records (or n is at most
    {truncated_elements} elements, `truncated-elements`, when the record count is unknown).
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
        # without a record count: take(n) after batch(b) keeps n * b elements
        small = (
            fraction < cfg.truncated_fraction
            if fraction is not None
            else (step.kind == "take" and left is not None and left <= cfg.truncated_elements)
        )
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


@rule("TFD510", "filter-drops-most", Severity.WARNING, requires=(PipelineFacts,))
def filter_drops_most(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """A filter drops most (or all) elements.

    What it finds:
    A `filter` that keeps under `filter-kept-fraction` ({filter_kept_fraction}) of its input,
    counted by the probe on the whole input (where it is small enough to count).
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
        if kept < cfg.filter_kept_fraction:
            yield Report(
                f"`{step.call()}` keeps {n_out:,} of {n_in:,} elements ({kept:.1%}).",
                where(step),
                {"kept": n_out, "input": n_in, "fraction": round(kept, 6)},
                "Check the predicate: compare with the stored values and dtypes (`tfdoctor scan`)",
                severity=Severity.ERROR if n_out == 0 else None,
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
