"""One file read in parts by several workers (engines/split.py) gives what reading it whole
gives: every count, sum, record index, problem, label run and record-to-record pair, on the
native and the pure-Python path, in this process and in a pool; only the quantile sketches,
folded in other batches, may differ within their error. Corruption at and across the part
boundaries stays exact, and a frame stored inside a record (which a part entering mid-record
takes for a frame) makes the file be read whole again."""

from __future__ import annotations

import dataclasses
import random
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import tfdoctor
from tfdoctor.engines.file import WHOLE, Progress, ScanOptions, Span, scan_file
from tfdoctor.engines.local import InProcessEngine, ProcessPoolEngine
from tfdoctor.engines.split import merge_parts, plan
from tfdoctor.facts.spec import FeatureSpec, ParseSpec
from tfdoctor.io.sources import Source
from tfdoctor.io.tfrecord import masked_crc
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example
from tfdoctor.stats.dataset import DatasetAccumulator

PART = 4096  # bytes per part in these tests (32 MiB by default)


class InParts:
    """An engine reading each file in parts of `split` bytes (the default is 32 MiB)."""

    def __init__(self, inner: Any, split: int | None) -> None:
        self.inner, self.split = inner, split

    def scan(
        self, sources: Sequence[Source], options: ScanOptions, progress: Progress | None = None
    ) -> DatasetAccumulator:
        return self.inner.scan(sources, dataclasses.replace(options, split_bytes=self.split), progress)


def frame(payload: bytes) -> bytes:
    head = struct.pack("<Q", len(payload))
    return head + struct.pack("<I", masked_crc(head)) + payload + struct.pack("<I", masked_crc(payload))


def record(rng: random.Random, i: int) -> bytes:
    if i % 211 == 5:
        return b"\xff\xfe not a protocol buffer"
    features: dict[str, Any] = {
        "label": i // 400,  # sorted: label runs cross the part boundaries
        "x": rng.random(),
        "emb": [rng.gauss(0, 1) for _ in range(70)],  # a wide list: sampled by record index
        "name": rng.choice([b"a", b"b", b"c"]),
    }
    if i % 97:
        features["t"] = float(i)  # time order, with gaps
    return example(features)


def corrupted(path: Path, size: int) -> int:
    """Frames broken at and across part boundaries: the frame starting at or after some
    boundaries gets its data broken, the frame across some others its header; how many."""
    data = bytearray(path.read_bytes())
    starts, at = [], 0
    while at < len(data):
        starts.append(at)
        at += 16 + struct.unpack_from("<Q", data, at)[0]
    spans = plan(Source(str(path), size), ScanOptions(split_bytes=PART))
    broken = set()
    for k, span in enumerate(spans[1:], 1):
        if k % 5 == 1:  # the frame a part would begin with: its data
            broken.add(first := next(s for s in starts if s >= span.start))
            data[first + 12] ^= 0x40
        elif k % 5 == 3:  # a frame across the boundary: its header
            broken.add(before := max(s for s in starts if s < span.start))
            data[before + 9] ^= 0x01
    path.write_bytes(bytes(data))
    return len(broken)


def without_quantiles(value: Any, leave: tuple[str, ...] = ("quantiles", "inputs")) -> Any:
    """Statistics as plain data, less what depends on how records fall into batches: the
    quantile sketches (mean and std do not: the sums are kept exact)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: without_quantiles(v, leave) for k, v in value.items() if k not in leave}
    if isinstance(value, (list, tuple)):
        return [without_quantiles(v, leave) for v in value]
    return value


@pytest.fixture(scope="module")
def broken_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("split") / "one.tfrecord"
    rng = random.Random(7)
    write_tfrecord(path, (record(rng, i) for i in range(3000)))
    return path, corrupted(path, path.stat().st_size)


SPEC = ParseSpec(
    (
        FeatureSpec("label", "FixedLenFeature", "int64", shape=()),
        FeatureSpec("t", "FixedLenFeature", "float32", shape=()),  # missing every 97th record
        FeatureSpec("name", "FixedLenFeature", "int64", shape=()),  # another kind everywhere
    )
)


@pytest.mark.parametrize("native", ["1", "0"])
def test_parts_add_up_to_the_whole_file(
    broken_file: tuple[Path, int], native: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, broken = broken_file
    monkeypatch.setenv("TFDOCTOR_NATIVE", native)
    source, options = Source(str(data), data.stat().st_size), ScanOptions(split_bytes=PART)
    spans = plan(source, options)
    assert len(spans) > 50 and spans[0].start == 0 and spans[-1].end is None
    # each part ends where the next begins (no part is read again whole)
    assert merge_parts(source, spans, [scan_file(source, options, None, span) for span in spans]) is not None
    whole = tfdoctor.check_spec([str(data)], spec=SPEC, engine=InParts(InProcessEngine(), None))
    parts = tfdoctor.check_spec([str(data)], spec=SPEC, engine=InParts(InProcessEngine(), PART))
    stats = whole.stats
    facts = stats.files[0]
    assert (
        broken > 20 and facts.records == 3000 - broken and stats.records == facts.records - facts.not_example
    )
    # the breaks are there, at the boundaries, with their record indices
    assert sum(facts.problem_counts.values()) == broken and facts.problems[0].record > 0
    assert facts.not_example > 10
    assert stats.label_orders["label"].longest_run > 30  # runs end at the records that are not read
    t = next(f for f in stats.features if f.name == "t")
    assert t.order_pairs > 2500 and t.order_increasing == t.order_pairs
    assert without_quantiles(parts.stats) == without_quantiles(stats)
    assert [f.to_json() for f in parts.findings] == [f.to_json() for f in whole.findings]


def test_a_pool_reads_the_parts_as_this_process_does(broken_file: tuple[Path, int]) -> None:
    data = broken_file[0]
    here = tfdoctor.scan([str(data)], engine=InParts(InProcessEngine(), PART))
    pool = tfdoctor.scan([str(data)], engine=InParts(ProcessPoolEngine(2), PART))
    assert pool.stats == here.stats  # quantiles too: the same parts, merged in the same order


def test_a_frame_inside_a_record_makes_the_file_read_whole(tmp_path: Path) -> None:
    """Each record stores a whole TFRecord frame in a bytes feature: a part entering such a
    record mid-way resynchronises onto the stored frame, so it does not begin where the part
    before it ended; the merge sees that and the file is read whole."""
    inner = frame(example({"label": 9, "x": 0.5}))
    path = tmp_path / "nested.tfrecord"
    write_tfrecord(path, (example({"label": i % 3, "blob": inner * 40}) for i in range(300)))
    source = Source(str(path), path.stat().st_size)
    options = ScanOptions(split_bytes=PART)
    spans = plan(source, options)
    assert len(spans) > 3
    parts = [scan_file(source, options, None, span) for span in spans]
    assert merge_parts(source, spans, parts) is None
    whole = tfdoctor.scan([str(path)], engine=InParts(InProcessEngine(), None))
    split = tfdoctor.scan([str(path)], engine=InParts(InProcessEngine(), PART))
    assert split.stats == whole.stats and split.stats.records == 300


def test_what_is_not_split(tmp_path: Path) -> None:
    path = tmp_path / "data.tfrecord.gz"
    write_tfrecord(path, (example({"x": float(i)}) for i in range(3000)), compression="gzip")
    size = path.stat().st_size
    assert size >= 2 * PART
    split = ScanOptions(split_bytes=PART)
    assert plan(Source(str(path), size), split) == [WHOLE]  # a compressed stream
    plain = tmp_path / "data.tfrecord"
    write_tfrecord(plain, (example({"x": float(i)}) for i in range(3000)))
    source = Source(str(plain), plain.stat().st_size)
    assert len(plan(source, split)) == source.size // PART  # parts of at least PART bytes
    assert plan(source, dataclasses.replace(split, max_records_per_file=10)) == [WHOLE]
    assert plan(source, dataclasses.replace(split, split_bytes=source.size // 2 + 1)) == [WHOLE]
    assert plan(Source(str(plain), None), split) == [WHOLE]  # size unknown
    assert plan(source, ScanOptions()) == [WHOLE]  # 32 MiB parts: a small file is read whole
    assert plan(source, split)[1] == Span(
        source.size // (source.size // PART), 2 * source.size // (source.size // PART)
    )


def test_beam_reads_the_parts_as_the_local_engines_do(beam: Any, broken_file: tuple[Path, int]) -> None:
    """One element per part; the combiner merges each file's parts: the local result, to the
    last digit (the same parts, merged in the same order)."""
    from tfdoctor.engines.beam import BeamEngine

    data = broken_file[0]
    here = tfdoctor.check_spec([str(data)], spec=SPEC, engine=InParts(InProcessEngine(), PART))
    on_beam = tfdoctor.check_spec([str(data)], spec=SPEC, engine=InParts(BeamEngine(), PART))
    assert on_beam.stats == here.stats and here.stats.records > 2800


@pytest.mark.realdata
def test_real_files_read_in_parts(realdata: Path) -> None:
    """Every file under ../shared/realdata of 4 KB or more (TFRecords of other projects, GZIP
    ones, and the other files beside them: event logs, other protos, LFS pointers), read in
    five parts and whole: the same statistics but for the sketches past their exact range
    (quantiles, and top values past 1,024 distinct ones: token ids here)."""
    leave = ("quantiles", "inputs", "top_values")
    files = [p for p in sorted(realdata.rglob("*")) if p.is_file() and p.stat().st_size >= 4096]
    assert len(files) > 10
    split_files = 0
    for path in files:
        size = path.stat().st_size
        split_files += len(plan(Source(str(path), size), ScanOptions(split_bytes=size // 5))) > 1
        whole = tfdoctor.scan([str(path)], engine=InParts(InProcessEngine(), None))
        parts = tfdoctor.scan([str(path)], engine=InParts(InProcessEngine(), size // 5))
        assert without_quantiles(parts.stats, leave) == without_quantiles(whole.stats, leave), path
        assert [f.to_json() for f in parts.findings] == [f.to_json() for f in whole.findings], path
    assert split_files > 10
