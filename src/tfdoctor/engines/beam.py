"""The Apache Beam engine: the same scan past one machine (Dataflow, Flink, Spark, or Beam's
local runners). One file, or one part of a large file (engines/split.py), per element, as
the local engines: `scan_file` runs inside a Beam `Map`, and the accumulators are combined
by `MergeInFileOrder`, a `CombineFn` that merges each file's parts and folds the files in
file order, so every engine computes the same statistics (some sketches are not
associative: a fold in another order would differ in their last digits).

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
from .file import Progress, ScanOptions, Span, scan_file
from .split import joined, plan


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


# A part's accumulator, tagged with its file's place in the file list and its own place in
# the file (a large file is read in parts: engines/split.py; others are one part).
Indexed = tuple[int, int, DatasetAccumulator]
# Each file and the parts it is read in, in file order.
Plans = Sequence[tuple[Source, Sequence[Span]]]


def _scan_indexed(item: tuple[int, int, Source, Span], options: ScanOptions) -> Indexed:
    index, part, source, span = item
    return index, part, scan_file(source, options, None, span)


def merge_in_file_order(options: ScanOptions, plans: Plans, parts: Iterable[Indexed]) -> DatasetAccumulator:
    """Each file's parts joined as one (`split.joined`: a file whose parts do not chain up is
    read again whole, here), then the left fold of the files in file order, as the local
    engines do."""
    by_file: dict[int, dict[int, DatasetAccumulator]] = {}
    for index, part, acc in parts:
        by_file.setdefault(index, {})[part] = acc
    total = DatasetAccumulator(label=options.label, reads=list(options.reads))
    for index in sorted(by_file):
        source, spans = plans[index]
        total.merge(joined(source, spans, [by_file[index][k] for k in range(len(spans))], options))
    return total


def merge_in_file_order_fn(options: ScanOptions, plans: Plans) -> Any:
    """A `beam.CombineFn` over (file index, part index, accumulator): it keeps the parts'
    accumulators (kilobytes each: statistics and sketches, not records) and merges them in
    file order at the end. Memory at the combining worker grows with the number of parts,
    not with the data."""
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
            return merge_in_file_order(options, plans, parts)

    return MergeInFileOrder()


def scan_transform(sources: Sequence[Source], options: ScanOptions) -> Any:
    """A `PTransform` from a pipeline's root to a one-element PCollection: the merged
    `DatasetAccumulator` of every source."""
    beam = beam_module()
    plans = [(source, plan(source, options)) for source in sources]
    parts = [(i, k, source, span) for i, (source, spans) in enumerate(plans) for k, span in enumerate(spans)]

    class ScanSources(beam.PTransform):  # type: ignore[misc,name-defined]
        def expand(self, root: Any) -> Any:
            return (
                root
                | "List the files" >> beam.Create(parts)
                | "Spread the files" >> beam.Reshuffle()  # one part per worker, not all on the first
                | "Scan each part" >> beam.Map(_scan_indexed, options)
                | "Merge in file order" >> beam.CombineGlobally(merge_in_file_order_fn(options, plans))
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
