"""TFD101-103 in an audited pipeline: the scan of the files it reads, the compression its read
steps declare (`compression_type`, read from the graph), and the error the probe met reading
them (a record that fails its checksum, a file cut short, bytes compressed otherwise than
read)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...config import Thresholds
from ...facts.batches import CORRUPT_RECORD_ERROR, INFLATE_ERROR, TRUNCATED_RECORD_ERROR, BatchFacts
from ...facts.files import FileFacts
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Fix, Where
from .._pipeline import pipeline_error
from ..registry import Report, also
from .records import _compression_advice, corrupt_record, not_tfrecord, truncated_file


def _reads(facts: PipelineFacts) -> list[tuple[Step, FileFacts]]:
    """Each scanned file with the read step that reads it (by name; every file where the
    step's names are unknown)."""
    if facts.sources is None:
        return []
    steps = [s for s in facts.pipeline.steps if s.reads_files]
    out = []
    for f in facts.sources.files:
        if f.read_error is not None or ("no-framing" in f.problem_counts and not f.records):
            continue  # not TFRecord at all (TFD103 says so): no compression to compare
        step = next((s for s in steps if f.url in s.files), steps[0] if len(steps) == 1 else None)
        if step is not None:
            out.append((step, f))
    return out


def _declared(step: Step) -> str | None:
    """The compression a read step declares (none / gzip / zlib), where the graph shows it."""
    value = step.args.get("compression_type")
    return _COMPRESSION_TYPES.get(value.upper()) if isinstance(value, str) else None


_COMPRESSION_TYPES = {"": "none", "GZIP": "gzip", "ZLIB": "zlib"}


def _wrong_compression(facts: PipelineFacts, error: str | None) -> list[tuple[Step, FileFacts, str]]:
    """Files read with a compression other than their bytes', with the step and what it
    declares: from the step's compression_type where the graph shows it, else from the
    error TensorFlow raises (GZIP/ZLIB bytes read as plain fail at byte 0)."""
    out = []
    for step, f in _reads(facts):
        declared = _declared(step)
        if declared is not None and declared != f.compression_detected:
            out.append((step, f, declared))
    if out or error is None:
        return out
    plain_fails = (match := CORRUPT_RECORD_ERROR.search(error)) is not None and match.group(1) == "0"
    for step, f in _reads(facts):
        if _declared(step) is None and plain_fails and f.compression_detected != "none":
            out.append((step, f, "none"))
    return out


def _compression_words(kind: str) -> str:
    return "uncompressed TFRecord" if kind == "none" else kind.upper()


@also("TFD103", requires=(PipelineFacts,), uses=(BatchFacts,))
def not_tfrecord_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    if facts.sources is not None:
        yield from not_tfrecord(facts.sources, cfg)
    error, hidden = pipeline_error(facts, batches)
    wrong = _wrong_compression(facts, error)
    raised = f"{batches.error_type}: {error}" if batches is not None and batches.error_type else error
    fails = (
        f"`ignore_errors()` drops the file ({error})" if hidden else f"TensorFlow fails at byte 0 ({raised})"
    )
    if not error:
        fails = "TensorFlow will fail at byte 0"
    for step, f, declared in wrong:
        given = step.args.get("compression_type")
        # the graph holds "" both for compression_type="" and for none given
        how = f"compression_type={given!r}" if isinstance(given, str) and given else "no compression_type"
        read_as, stored = _compression_words(declared), _compression_words(f.compression_detected)
        yield Report(
            f"`{step.call()}` ({facts.pipeline.where(step)}) reads {f.url} with {how} ({read_as}), "
            f"but its bytes are {stored}: {fails}.",
            Where(file=f.url, offset=0, step=step.index, call=step.call()),
            {"declared": declared, "detected": f.compression_detected},
            Fix(_compression_advice(f) + "."),
        )
    if not wrong and error and INFLATE_ERROR.search(error):
        # the read declares GZIP or ZLIB (only a decompressing read fails so): the bytes say which fits
        on_disk = sorted({f.compression_detected for _, f in _reads(facts)})
        kinds = " / ".join(_compression_words(k) for k in on_disk)
        bytes_are = f", but the files' bytes are {kinds}" if on_disk else ""
        yield Report(
            f"The pipeline fails decompressing its files ({error}): it reads them as GZIP or ZLIB"
            f"{bytes_are}, and the compression_type does not match them.",
            Where(),
            {"declared": None, "detected": on_disk[0] if len(on_disk) == 1 else None},
            Fix(
                (_compression_advice(_reads(facts)[0][1]) + ".")
                if len(on_disk) == 1
                else "Pass the compression_type the files were written with (`tfdoctor scan` detects it)."
            ),
        )


@also("TFD101", requires=(PipelineFacts,), uses=(BatchFacts,))
def corrupt_record_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    found = list(corrupt_record(facts.sources, cfg)) if facts.sources is not None else []
    yield from found
    error, hidden = pipeline_error(facts, batches)
    if found or _wrong_compression(facts, error):
        return
    yield from _met_at_offset(
        CORRUPT_RECORD_ERROR.search(error or ""), error, hidden, batches,
        "A record fails its checksum at byte {offset:,} of a file the pipeline reads: {fails} ({error}). "
        "The scan of the files did not reach it.",
        "Find the file with `tfdoctor scan` over the pipeline's files; re-copy or re-write it.",
    )  # fmt: skip


@also("TFD102", requires=(PipelineFacts,), uses=(BatchFacts,))
def truncated_file_in_pipeline(
    facts: PipelineFacts, batches: BatchFacts | None, cfg: Thresholds
) -> Iterator[Report]:
    found = list(truncated_file(facts.sources, cfg)) if facts.sources is not None else []
    yield from found
    error, hidden = pipeline_error(facts, batches)
    if found:
        return
    yield from _met_at_offset(
        TRUNCATED_RECORD_ERROR.search(error or ""), error, hidden, batches,
        "A file the pipeline reads ends inside a record at byte {offset:,}: {fails} ({error}). The scan "
        "of the files did not reach it.",
        "Find the file with `tfdoctor scan` over the pipeline's files; re-write or re-copy it.",
    )  # fmt: skip


def _met_at_offset(
    match: re.Match[str] | None,
    error: str | None,
    hidden: bool,
    batches: BatchFacts | None,
    message: str,
    fix: str,
) -> Iterator[Report]:
    """A framing error the pipeline met at a byte offset the scan of its files did not reach."""
    if match is None:
        return
    offset = int(match.group(1))
    fails = "`ignore_errors()` drops the rest of that file" if hidden else "the pipeline fails there"
    yield Report(
        message.format(offset=offset, fails=fails, error=error),
        Where(offset=offset),
        {"offset": offset, "batches_before_error": _pulled(batches)},
        Fix(fix),
    )


def _pulled(batches: BatchFacts | None) -> int | None:
    return batches.batches if batches is not None else None
