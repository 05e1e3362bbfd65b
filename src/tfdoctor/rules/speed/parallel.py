"""TFD901-903: input pipeline speed (info). Slow input does not stop learning, but a GPU that
waits on the CPU makes every experiment longer."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts
from ...findings import Severity
from .._pipeline import where
from ..registry import Report, rule


@rule("TFD901", "no-prefetch", Severity.INFO, requires=(PipelineFacts,))
def no_prefetch(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """No prefetch at the end of the pipeline.

    What it finds:
    A pipeline whose last step is not `prefetch`.
    Why it hurts training:
    Without it the accelerator waits while the CPU prepares each next batch.
    Example:
    .shuffle(10_000).batch(32)
    Fix:
    End with `.prefetch(tf.data.AUTOTUNE)`.
    """
    steps = facts.pipeline.steps
    if steps and steps[-1].kind != "prefetch":
        yield Report(
            f"The pipeline ends with `{steps[-1].call()}`, not `prefetch`.",
            where(steps[-1]),
            {},
            f"{facts.pipeline.chain()}.prefetch(tf.data.AUTOTUNE)",
        )


@rule("TFD902", "serial-map", Severity.INFO, requires=(PipelineFacts,))
def serial_map(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """map() without num_parallel_calls runs on one core.

    What it finds:
    `map` steps with no `num_parallel_calls`.
    Why it hurts training:
    Parsing and decoding run element after element on one core.
    Example:
    .map(parse)
    Fix:
    `.map(parse, num_parallel_calls=tf.data.AUTOTUNE)` (order is kept unless you set
    `deterministic=False`).
    """
    for step in facts.pipeline.of("map"):
        if step.op == "MapDataset" and not step.inserted:  # not a map TensorFlow added itself
            yield Report(
                f"`{step.call()}` ({facts.pipeline.where(step)}) runs on one core.",
                where(step),
                {},
                f"map({step.function or 'fn'}, num_parallel_calls=tf.data.AUTOTUNE)",
            )


@rule("TFD903", "serial-read", Severity.INFO, requires=(PipelineFacts,))
def serial_read(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """Many shards read one after another.

    What it finds:
    A `TFRecordDataset` over several files with no interleave and no `num_parallel_reads`.
    Why it hurts training:
    Files are read one at a time: I/O latency (cloud storage above all) is paid serially,
    and records of one file arrive together, which the shuffle buffer must undo.
    Example:
    tf.data.TFRecordDataset(files)  # 256 shards
    Fix:
    `tf.data.TFRecordDataset(files, num_parallel_reads=tf.data.AUTOTUNE)` or
    `Dataset.from_tensor_slices(files).interleave(tf.data.TFRecordDataset, cycle_length=16,
    num_parallel_calls=tf.data.AUTOTUNE)`. (On 2-core machines parallel reads can be slower:
    measure.)
    """
    pipeline = facts.pipeline
    files = max((len(s.files) for s in pipeline.steps if s.kind in ("source", "read")), default=0)
    for step in pipeline.steps:
        serial = (step.kind == "flat_map" and step.reads_files) or (
            step.kind == "read" and len(step.files) > 1
        )
        if serial and files > 1:
            yield Report(
                f"`{step.call()}` reads {files} files one after another.",
                where(step),
                {"files": files},
                "tf.data.TFRecordDataset(files, num_parallel_reads=tf.data.AUTOTUNE)",
            )
