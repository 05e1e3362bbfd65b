"""Apache Beam transforms, to compose tfdoctor's scan into a Beam pipeline of your own
(Dataflow, TFX components): each yields one `ScanResult`, the same as `tfdoctor.scan` and
`tfdoctor.check_spec` give for the same files.

    with beam.Pipeline(options=options) as p:
        results = p | tfdoctor.beam.ScanTFRecords("gs://bucket/train-*.tfrecord", label="label")
        results | beam.Map(lambda r: r.save_stats("gs://bucket/stats.pb"))

The files are listed when the pipeline is built (in this process), each file is scanned by
a worker, the statistics are merged in file order and judged by the rules. Needs
`pip install "tfdoctor[beam]"`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .config import Config, load_config
from .engines.beam import beam_module, scan_transform
from .facts.spec import ParseSpec
from .flows import judge_scan, scan_plan
from .io.compression import Compression
from .spec.from_python import from_objects
from .spec.load import load_specs
from .spec.model import SpecError


def ScanTFRecords(  # noqa: N802 - a PTransform, named like Beam's own (ReadFromTFRecord)
    patterns: str | Sequence[str],
    *,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    max_records_per_file: int | None = None,
) -> Any:
    """A PTransform from a pipeline's root to a one-element PCollection: the `ScanResult` of
    the TFRecord files the patterns name (paths, globs, `name@N`, fsspec URLs)."""
    return _judged(patterns, [], label, compression, config, max_records_per_file, ())


def CheckSpec(  # noqa: N802 - a PTransform, named like Beam's own
    patterns: str | Sequence[str],
    features: Mapping[str, Any] | None = None,
    *,
    spec: str | ParseSpec | Sequence[str | ParseSpec] | None = None,
    spec_args: Mapping[str, Any] | None = None,
    label: str | None = None,
    compression: str | Compression = Compression.AUTO,
    config: Config | None = None,
    max_records_per_file: int | None = None,
) -> Any:
    """As ScanTFRecords, with parse specs judged against the data (TFD2xx): `features` as
    given to `tf.io.parse_example`, or `spec=` a Python file (read, never run), a TFMD
    schema.pbtxt, a JSON spec or ParseSpec objects. Raises SpecError when building the
    pipeline if a spec cannot be read."""
    specs: list[ParseSpec] = [from_objects(features)] if features is not None else []
    notes: list[str] = []
    given = [spec] if isinstance(spec, (str, ParseSpec)) else list(spec or [])
    for item in given:
        if isinstance(item, ParseSpec):
            specs.append(item)
            continue
        found = load_specs(str(item), spec_args=spec_args)
        if found.datasets:
            raise SpecError(
                "a function returning a dataset is not read inside Beam: give the .py file", str(item)
            )
        specs += found.specs
        notes += found.skipped + found.notes
    if not specs:
        raise SpecError("no spec given: pass features=... or spec=")
    return _judged(patterns, specs, label, compression, config, max_records_per_file, tuple(notes))


def _judged(
    patterns: str | Sequence[str],
    specs: list[ParseSpec],
    label: str | None,
    compression: str | Compression,
    config: Config | None,
    max_records_per_file: int | None,
    notes: tuple[str, ...],
) -> Any:
    beam = beam_module()
    listed = [patterns] if isinstance(patterns, str) else list(patterns)
    judged_with = config if config is not None else load_config()

    class Judged(beam.PTransform):  # type: ignore[misc,name-defined]
        def expand(self, root: Any) -> Any:
            sources, options, inputs = scan_plan(
                listed,
                specs,
                label=label,
                compression=Compression(compression),
                max_records_per_file=max_records_per_file,
            )
            return (
                root
                | "Scan" >> scan_transform(sources, options)
                | "Judge"
                >> beam.Map(
                    lambda scanned: judge_scan(scanned, inputs, specs, config=judged_with, spec_notes=notes)
                )
            )

    return Judged()


__all__ = ["CheckSpec", "ScanTFRecords"]
