"""TFD105 in an audited pipeline: names that match nothing or do not exist, files that hold no
records, and a pipeline the probe found empty, with the step that empties it (an empty list
of files, a filter that drops all, a drop_remainder batch larger than the data, a step that
TensorFlow counts zero elements after)."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import MISSING_FILE_ERROR, BatchFacts
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Fix, Where
from .._pipeline import pipeline_error
from .._text import listing
from ..registry import Report, also
from .inputs import empty_input


@also("TFD105", requires=(PipelineFacts,), uses=(BatchFacts,))
def empty_pipeline(facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds) -> Iterator[Report]:
    """The inputs of an audited pipeline: names that match nothing or do not exist, files
    that hold no records, and a pipeline the probe found empty, with why."""
    read = _read_step(facts)
    sources = facts.sources
    if sources is not None:
        for report in empty_input(sources, cfg):
            if report.numbers.get("records") == 0:  # every file scanned is empty: say what it does
                report = _no_records(facts, batches, report, read)
            yield report
        if any(f.read_error is None for f in sources.files) and sources.records == 0:
            return  # the files hold no records: that is why the pipeline is empty
    error, hidden = pipeline_error(facts, batches)
    missing = MISSING_FILE_ERROR.search(error or "")
    if missing:
        name = missing.group(1) or missing.group(2)
        if sources is None or name not in (*sources.inputs.missing, *sources.inputs.unmatched):
            hides = "`ignore_errors()` drops it" if hidden else "the pipeline fails"
            yield Report(
                f"{name} does not exist (or the pattern matches no file): {hides} ({error}).",
                Where(file=name, step=read.index if read else None, call=read.call() if read else None),
                {"files": 0},
                Fix("Correct the path or pattern; list the folder to see the real names."),
            )
        return
    why = why_empty(facts, batches) if _yields_nothing(facts, batches) else None
    if why is not None:
        yield why


def _read_step(facts: PipelineFacts) -> Step | None:
    """The step that turns file names into records."""
    start = facts.pipeline.record_start
    return facts.pipeline.step(start) if start else None


def _probe_words(batches: BatchFacts | None) -> str:
    """What the probe saw of an empty pipeline, for messages."""
    if batches is None or batches.batches:
        return ""
    if batches.stopped == "time":
        waited = f", {batches.stopped_while}" if batches.stopped_while else ""
        return f"the probe got no batch in {batches.seconds:.1f}s: it stopped on time{waited}"
    if batches.stopped == "end":
        return "the probe pulled no batch: the pipeline ended at once"
    return ""


def _no_records(
    facts: PipelineFacts, batches: BatchFacts | None, report: Report, read: Step | None
) -> Report:
    """The scan's report of files with no records, saying what the pipeline does with them."""
    files = [f.url for f in facts.sources.files if f.read_error is None] if facts.sources else []
    reader = f"`{read.call()}` ({facts.pipeline.where(read)})" if read is not None else "the pipeline"
    text = f"The {len(files):,} file(s) {reader} reads hold no records ({listing(files, 3)})"
    repeat = next(iter(facts.pipeline.of("repeat")), None)
    seen = _probe_words(batches)
    if repeat is not None and batches is not None and batches.stopped == "time" and not batches.batches:
        text += f": `{repeat.call()}` ({facts.pipeline.where(repeat)}) over them never yields an element"
        text += f"; {seen}" if seen else ""
    elif seen:
        text += f": the pipeline yields nothing ({seen})"
    where = report.where
    if read is not None:
        where = Where(file=where.file, step=read.index, call=read.call())
    return Report(text + ".", where, {**report.numbers, "batches": _pulled(batches)}, report.fix)


def _pulled(batches: BatchFacts | None) -> int | None:
    return batches.batches if batches is not None else None


def _yields_nothing(facts: PipelineFacts, batches: BatchFacts | None) -> bool:
    """The probe found no batch (at the end of the data, or on time) without an error, or
    TensorFlow's own count of the last step is zero."""
    last = facts.pipeline.steps[-1].index if facts.pipeline.steps else None
    if last is not None and facts.counts.get(last) == 0:
        return True
    return (
        batches is not None
        and not batches.batches
        and batches.error is None
        and batches.stopped in ("end", "time")
    )


def why_empty(facts: PipelineFacts, batches: BatchFacts | None) -> Report | None:
    """Which step empties the pipeline: an empty file list, a filter that drops all, a batch
    with drop_remainder larger than the data, a step TensorFlow counts zero elements after."""
    pipeline = facts.pipeline
    seen = _probe_words(batches)
    tail = f" ({seen})" if seen else ""
    numbers = {"batches": _pulled(batches)}
    ended = batches is not None and batches.stopped == "end"  # not only slow: the data ran out
    zero = next((s for s in pipeline.steps if facts.counts.get(s.index) == 0), None)
    if zero is not None and pipeline.record_start and zero.index < pipeline.record_start:
        read = pipeline.step(pipeline.record_start)
        reader = f"`{read.call()}` ({pipeline.where(read)})" if read is not None else "the read"
        return Report(
            f"The list of files is empty: `{zero.call()}` ({pipeline.where(zero)}) holds no file name, "
            f"so {reader} reads no record and the pipeline yields nothing{tail}. A glob that matched "
            "nothing (`tf.io.gfile.glob`, `glob.glob`) gives this, without an error.",
            _where(zero),
            {**numbers, "files": 0},
            Fix(
                "Check the pattern the file list comes from (list the folder); tf.data.Dataset.list_files"
                "(pattern) raises where it matches nothing."
            ),
        )
    for step in pipeline.of("filter"):
        measured = facts.probe(step)
        if measured.elements_in and measured.elements_out == 0:
            return Report(
                f"`{step.call()}` ({pipeline.where(step)}) drops all {measured.elements_in:,} elements of "
                f"its input (TFD510): the pipeline yields nothing{tail}.",
                _where(step),
                {**numbers, "kept": 0, "input": measured.elements_in},
                Fix("Check the predicate against the stored values and dtypes (`tfdoctor scan`)."),
            )
    for step in pipeline.of("batch", "padded_batch"):
        size, before = step.args.get("batch_size"), facts.counts.get(step.index - 1)
        if (
            step.args.get("drop_remainder")
            and isinstance(size, int)
            and (0 <= before < size if before is not None else ended)
        ):
            got = f"{before:,} elements" if before is not None else "fewer elements than that"
            return Report(
                f"`{step.call()}` ({pipeline.where(step)}) needs {size:,} elements and an epoch brings "
                f"{got}: drop_remainder=True drops the only, incomplete batch (TFD514){tail}.",
                _where(step),
                {**numbers, "batch_size": size, "elements": before},
                Fix("A smaller batch, or drop_remainder=False."),
            )
    if zero is not None:
        before = facts.counts.get(zero.index - 1)
        had = f" of the {before:,} before it" if before else ""
        return Report(
            f"`{zero.call()}` ({pipeline.where(zero)}) leaves no element{had}: the pipeline yields "
            f"nothing{tail}.",
            _where(zero),
            {**numbers, "elements": 0},
            Fix(f"Check the arguments of `{zero.call()}` against the size of the data."),
        )
    if ended:
        return Report(
            "The pipeline yields no element at all: the probe's first pull met the end of the data, and "
            "no step shows why (the files are not reachable from here, or a source yields nothing).",
            Where(),
            numbers,
            Fix("Iterate the dataset by hand (`next(iter(ds))`) and check its source."),
        )
    return None


def _where(step: Step) -> Where:
    return Where(step=step.index, call=step.call())
