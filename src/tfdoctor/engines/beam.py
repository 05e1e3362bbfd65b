"""The Apache Beam engine: the same scan past one machine (Dataflow, Flink, Spark, or Beam's
local runners). One file per element, as the local engines: `scan_file` runs inside a Beam
`Map`, and the per-file accumulators are combined by `MergeInFileOrder`, a `CombineFn` that
folds them in file order, so every engine computes the same statistics (some sketches are
not associative: a fold in another order would differ in their last digits).

Beam is imported lazily (`pip install "tfdoctor[beam]"`); nothing else in tfdoctor needs it.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..io.sources import Source
from ..stats.dataset import DatasetAccumulator
from .file import Progress, ScanOptions, scan_file


class BeamMissing(ImportError):
    """Apache Beam is not installed."""


def beam_module() -> Any:
    try:
        import apache_beam
    except ImportError as exc:
        raise BeamMissing(
            'the Beam engine needs Apache Beam: pip install "tfdoctor[beam]" (or apache-beam)'
        ) from exc
    return apache_beam


# A file's accumulator, tagged with its place in the file list.
Indexed = tuple[int, DatasetAccumulator]


def _scan_indexed(item: tuple[int, Source], options: ScanOptions) -> Indexed:
    index, source = item
    return index, scan_file(source, options)


def merge_in_file_order(
    label: str | None, reads: Sequence[Any], parts: Iterable[Indexed]
) -> DatasetAccumulator:
    """The left fold of the per-file accumulators in file order, as the local engines do."""
    total = DatasetAccumulator(label=label, reads=list(reads))
    for _, part in sorted(parts, key=lambda indexed: indexed[0]):
        total.merge(part)
    return total


def merge_in_file_order_fn(options: ScanOptions) -> Any:
    """A `beam.CombineFn` over (index, accumulator) pairs: it keeps the per-file accumulators
    (kilobytes each: statistics and sketches, not records) and folds them in file order at the
    end. Memory at the combining worker grows with the number of files, not with the data."""
    beam = beam_module()

    class MergeInFileOrder(beam.CombineFn):  # type: ignore[misc,name-defined]
        def create_accumulator(self) -> list[Indexed]:
            return []

        def add_input(self, parts: list[Indexed], part: Indexed) -> list[Indexed]:
            parts.append(part)
            return parts

        def merge_accumulators(self, many: Iterable[list[Indexed]]) -> list[Indexed]:
            return [part for parts in many for part in parts]

        def extract_output(self, parts: list[Indexed]) -> DatasetAccumulator:
            return merge_in_file_order(options.label, options.reads, parts)

    return MergeInFileOrder()


def scan_transform(sources: Sequence[Source], options: ScanOptions) -> Any:
    """A `PTransform` from a pipeline's root to a one-element PCollection: the merged
    `DatasetAccumulator` of every source."""
    beam = beam_module()
    indexed = list(enumerate(sources))

    class ScanSources(beam.PTransform):  # type: ignore[misc,name-defined]
        def expand(self, root: Any) -> Any:
            return (
                root
                | "List the files" >> beam.Create(indexed)
                | "Spread the files" >> beam.Reshuffle()  # one file per worker, not all on the first
                | "Scan each file" >> beam.Map(_scan_indexed, options)
                | "Merge in file order" >> beam.CombineGlobally(merge_in_file_order_fn(options))
            )

    return ScanSources()


@dataclass(frozen=True)
class BeamEngine:
    """Runs the scan as a Beam pipeline and reads the merged statistics back in this process.
    `options`: Beam's pipeline options as flags without dashes (`runner=DataflowRunner`,
    `project=...`, `region=...`, `temp_location=gs://...`); DirectRunner where no runner is
    given. The merged statistics travel back through `temp_location` (a local temporary
    folder where none is given), written by Beam's own filesystems, so gs:// works."""

    options: dict[str, str] = field(default_factory=dict)

    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        beam = beam_module()
        from apache_beam.io.filesystems import FileSystems
        from apache_beam.options.pipeline_options import PipelineOptions

        flags = dict(self.options)
        flags.setdefault("runner", "DirectRunner")
        folder = flags.get("temp_location") or tempfile.mkdtemp(prefix="tfdoctor-beam-")
        target = FileSystems.join(folder, f"tfdoctor-scan-{uuid.uuid4().hex}.pickle")

        def write(merged: DatasetAccumulator) -> None:
            with FileSystems.create(target) as out:
                out.write(pickle.dumps(merged))

        pipeline_options = PipelineOptions([f"--{key}={value}" for key, value in flags.items()])
        with beam.Pipeline(options=pipeline_options) as pipeline:
            _ = pipeline | "Scan" >> scan_transform(sources, options) | "Keep the result" >> beam.Map(write)
        try:
            with FileSystems.open(target) as stream:
                merged: DatasetAccumulator = pickle.loads(stream.read())  # written by the pipeline above
        finally:
            FileSystems.delete([target])
            if "temp_location" not in self.options:
                os.rmdir(folder)
        if progress is not None:
            for source in sources:
                facts = merged.files.get(source.url)
                if facts is not None:
                    progress(source.url, facts.stream_bytes, facts.records, True)
        return merged


__all__ = ["BeamEngine", "BeamMissing", "merge_in_file_order", "scan_transform"]
