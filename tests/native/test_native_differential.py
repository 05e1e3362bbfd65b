"""The native scan core against the pure-Python path: the same scan JSON, byte for byte.

Every test scans the same files twice, with TFDOCTOR_NATIVE=1 and =0. Without the extension
built both runs take the Python path and the tests still pass (they then prove nothing about
C, and `test_native_is_built_here` says so where a build is expected).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfdoctor
from tfdoctor import native
from tfdoctor.engines.file import ScanOptions, scan_file
from tfdoctor.io.sources import Source
from tfdoctor.io.tfrecord import frame
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example, sequence_example

needs_native = pytest.mark.skipif(not native.available(), reason="native core not built")


def _scan_json(paths: list[Path], native_on: bool, **kw: object) -> str:
    old = os.environ.get("TFDOCTOR_NATIVE")
    os.environ["TFDOCTOR_NATIVE"] = "1" if native_on else "0"
    try:
        result = tfdoctor.scan([str(p) for p in paths], workers=1, **kw)  # type: ignore[arg-type]
    finally:
        if old is None:
            del os.environ["TFDOCTOR_NATIVE"]
        else:
            os.environ["TFDOCTOR_NATIVE"] = old
    return json.dumps(result.to_json(), sort_keys=True, default=str)


def assert_same(paths: list[Path], **kw: object) -> str:
    fast = _scan_json(paths, True, **kw)
    slow = _scan_json(paths, False, **kw)
    assert fast == slow
    return fast


def tabular(rng: random.Random, i: int) -> bytes:
    return example(
        {
            "label": rng.randrange(10),
            "age": rng.uniform(0, 100),
            "income": rng.lognormvariate(10, 1),
            "clicks": rng.randrange(1000),
            "user_id": i - 5000,  # negative int64: ten-byte varints
            "country": rng.choice([b"us", b"de", b"fr"]),
            "embedding": [rng.random() for _ in range(4)],
            "tags": ("int64", [rng.randrange(50) for _ in range(rng.randint(0, 3))]),
            "weird": float("nan") if i % 97 == 0 else float("inf") if i % 89 == 0 else 0.0,
        }
    )


def tokens(rng: random.Random, i: int) -> bytes:
    n = rng.randint(8, 256)
    return example({"input_ids": [rng.randrange(30000) for _ in range(n)], "label": rng.randrange(2)})


def images(rng: random.Random, i: int) -> bytes:
    png = b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(10, 3000))
    return example({"image": png, "label": rng.choice([b"cat", b"dog"]), "format": b"png"})


def mixed(rng: random.Random, i: int) -> bytes:
    """Missing keys, empty lists of every kind, kinds that change, unset features."""
    feats: dict[str, object] = {}
    if rng.random() < 0.7:
        feats["sometimes"] = rng.random()
    feats["empty"] = rng.choice([("float", []), ("int64", []), ("bytes", [])])
    feats["shifty"] = rng.choice([1, 2.5, b"x", [1, 2], ("int64", [])])
    feats["class"] = rng.randrange(3)
    if rng.random() < 0.1:
        return sequence_example({"class": 1}, {"steps": [[1, 2], [3]], "words": [[b"a"], [b"b", b"c"]]})
    return example(feats)


def _write(tmp_path: Path, name: str, make, n: int, seed: int = 0, **kw: str) -> Path:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    path = tmp_path / name
    write_tfrecord(path, (make(rng, i) for i in range(n)), **kw)
    return path


@pytest.mark.parametrize("make", [tabular, tokens, images, mixed])
def test_same_statistics(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    # 9,000 records: two flushes of 4,096 and a remainder, and quantile sketches past their
    # exact bound, so batch boundaries would show if they differed
    path = _write(tmp_path, f"{make.__name__}.tfrecord", make, 9000)
    assert '"records": 9000' in assert_same([path]) or make is mixed


def test_same_statistics_compressed(tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"t.{c}", tabular, 3000, compression=c) for c in ("gzip", "zlib")]
    assert_same(paths)


def test_limits_and_several_files(tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"p{i}", mixed, 5000, seed=i) for i in range(2)]
    assert_same(paths)
    assert_same(paths, max_records_per_file=4500)
    assert_same(paths, max_records_per_file=1)


def test_unusual_encodings_fall_back(tmp_path: Path) -> None:
    """Wire forms TensorFlow does not write but protobuf reads: unpacked lists, a repeated
    oneof, a Features message twice, unknown fields, a non-minimal length, keys that are
    serialized entries, an empty payload, another message type."""
    entry = b"\x0a\x01k\x12\x05\x1a\x03\x0a\x01\x07"  # key "k", int64_list packed [7]
    payloads = [
        b"\x0a" + bytes([len(entry)]) + entry,
        b"\x0a\x0c\x0a\x0a\x0a\x01k\x12\x05\x1a\x03\x08\x07",  # unpacked int64
        b"\x0a\x0e\x0a\x0c\x0a\x01f\x12\x07\x12\x05\x0d\x00\x00\x80\x3f",  # unpacked float
        b"\x0a" + bytes([len(entry)]) + entry + b"\x0a" + bytes([len(entry)]) + entry,  # twice
        b"\x0a\x0d\x0a\x0b\x0a\x01k\x12\x06\x1a\x04\x0a\x82\x00\x07",  # a non-minimal length
        b"",  # an empty Example
        b"\x0a\x05\x0a\x03\x0a\x01k",  # an entry with a key and no value
        b"\x0a\x02\x0a\x00",  # an empty entry
        b"\x0a\x09\x0a\x07\x12\x05\x1a\x03\x0a\x01\x07",  # a value and no key
        b"\x0a\x0c\x0a\x0a\x12\x05\x1a\x03\x0a\x01\x07\x0a\x01k",  # value before key
        b"\x0a\x06\x0a\x04\x0a\x00\x12\x00",  # empty key, empty value
        b"\x0a\x10\x0a\x0e\x0a\x01k\x12\x09\x1a\x03\x0a\x01\x07\x0a\x02\x0a\x00",  # two oneofs
        b"\x18\x01",  # an unknown top-level field
        b"\x0a\x0c\x0a\x0a\x0a\x01k\x12\x05\x1a\x03\x0a\x01\x07\x20\x01"[:14],
        example({"\n\x01k\x12\x00": 1}),  # a key that is a serialized entry
        example({"ok": 1, "\n\x01k\x12\x00": 2}),
        bytes(range(256)),
    ]
    path = tmp_path / "odd.tfrecord"
    write_tfrecord(path, [p for p in payloads for _ in range(3)])
    assert_same([path])


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        how = rng.randrange(3)
        at = rng.randrange(len(buf))
        if how == 0:
            buf[at] ^= 1 << rng.randrange(8)
        elif how == 1:
            buf[at:at] = rng.randbytes(rng.randint(1, 40))  # garbage between or inside records
        else:
            del buf[at : at + rng.randint(1, 60)]
    return bytes(buf)


@pytest.mark.parametrize("seed", range(6))
def test_corrupted_files(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    clean = b"".join(frame(mixed(rng, i)) for i in range(400))
    path = tmp_path / "bad.tfrecord"
    path.write_bytes(_corrupt(clean, rng))
    assert_same([path])
    cut = tmp_path / "cut.tfrecord"
    cut.write_bytes(clean[: rng.randrange(len(clean))])
    assert_same([cut])
    gz = tmp_path / "cut.gz"
    gz.write_bytes(gzip.compress(clean)[: rng.randrange(20, 4000)])
    assert_same([gz])


def test_large_records_between_small_ones(tmp_path: Path) -> None:
    """Records larger than the block (read apart, as TFRecordReader reads them), a corrupt
    one, and one cut by the end of the file."""
    rng = random.Random(1)
    big = [example({"blob": rng.randbytes(3 << 20), "label": i}) for i in range(3)]
    small = [tabular(rng, i) for i in range(50)]
    data = b"".join(frame(p) for p in small + big[:2] + small + big[2:])
    path = tmp_path / "big.tfrecord"
    path.write_bytes(data)
    assert_same([path])
    bad = bytearray(data)
    bad[len(data) - (3 << 20)] ^= 0x40  # inside the last large payload
    path.write_bytes(bytes(bad))
    assert_same([path])
    path.write_bytes(data[: -(1 << 20)])
    assert_same([path])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    seed=st.integers(0, 2**32 - 1),
    flips=st.lists(st.integers(0, 10**6), max_size=6),
    cut=st.integers(0, 10**6),
)
def test_fuzz_bit_flips_and_truncations(
    tmp_path_factory: pytest.TempPathFactory, seed: int, flips: list[int], cut: int
) -> None:
    rng = random.Random(seed)
    data = bytearray(b"".join(frame(mixed(rng, i)) for i in range(rng.randint(1, 60))))
    for f in flips:
        data[f % len(data)] ^= 1 << (f % 8)
    data = data[: len(data) - cut % (len(data) + 1) // 2]
    path = tmp_path_factory.mktemp("fuzz") / "f.tfrecord"
    path.write_bytes(bytes(data))
    assert_same([path])


# -- the core on its own ------------------------------------------------------------------


@needs_native
@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), start=st.integers(0, 50))
def test_core_never_crashes_on_random_bytes(data: bytes, start: int) -> None:
    from tfdoctor.native import _core

    decoder = _core.Decoder()
    decoder.register(b"k", True, True)
    framed = frame(data) + data  # one valid frame around random bytes (a payload to decode), then noise
    start = min(start, len(framed))
    stop, pos, n, info, offsets, lengths, columns, _seq, _kinds = decoder.run(
        framed, start, 100, 1 << 40, 1 << 31
    )
    assert start <= pos <= len(framed)
    assert len(offsets) == len(lengths) == 8 * n
    assert isinstance(decoder.drain(), list) and decoder.drain() == []  # drained once, then empty


_VALUES = st.one_of(
    st.tuples(st.just("float"), st.lists(st.floats(width=32), max_size=70)),
    st.tuples(st.just("int64"), st.lists(st.integers(-(2**63), 2**63 - 1), max_size=70)),
    st.tuples(st.just("bytes"), st.lists(st.binary(max_size=20), max_size=5)),
)
_EXAMPLES = st.dictionaries(st.sampled_from(["a", "b", "label", "k"]), _VALUES, max_size=4).map(
    lambda feats: example({k: (kind, list(v)) for k, (kind, v) in feats.items()})
)


@needs_native
@settings(max_examples=200, deadline=None)
@given(payload=st.one_of(st.binary(max_size=300), _EXAMPLES))
def test_core_decodes_or_hands_back_like_protobuf(payload: bytes) -> None:
    """A payload the core accepts is an Example protobuf reads with the same values (random
    bytes, and real Examples with every kind, wide float lists among them)."""
    from tfdoctor.native import _core
    from tfdoctor.proto.decode import parse

    decoder = _core.Decoder()
    keys: list[bytes] = []
    framed = frame(payload)
    while True:
        stop, pos, n, info, _o, _l, columns, sequences, _kinds = decoder.run(framed, 0, 1, 1 << 40, 1 << 31)
        if stop != _core.NEWKEY:
            break
        assert isinstance(info, tuple)
        keys.append(info[1])
        decoder.register(info[1], True, True, info[0])
    assert isinstance(decoder.drain(), list)
    if not n:
        assert stop == _core.FALLBACK
        return
    message = parse(payload)
    assert not isinstance(message, str) and message.HasField("feature_lists") == bool(sequences)
    if sequences:
        return  # feature lists: their statistics only (test_same_statistics and the fuzzers)
    got = []
    for key_id, kinds, counts, _recs, floats, ints, blobs in columns:
        got.append((keys[key_id], kinds, counts, floats, ints, blobs or []))
    want: dict[bytes, list] = {}  # type: ignore[type-arg]
    for entry in message.context.feature:
        which = entry.value.WhichOneof("kind")
        values = list(getattr(entry.value, which).value) if which else []
        want.setdefault(entry.key, []).append((which, values))
    names = {0: "float_list", 1: "int64_list", 2: "bytes_list", 3: None}
    for key, kinds, counts, floats, ints, blobs in got:
        seen = want.pop(key)
        assert [names[k] for k in kinds] == [w for w, _ in seen]
        assert list(struct.unpack(f"<{len(counts) // 8}q", counts)) == [len(v) for _, v in seen]
        flat = [v for _, vs in seen for v in vs]
        decoded = (
            list(struct.unpack(f"<{len(floats) // 4}f", floats))
            + list(struct.unpack(f"<{len(ints) // 8}q", ints))
            + list(blobs)
        )
        assert sorted(map(repr, decoded)) == sorted(map(repr, flat))
    assert not want


@needs_native
def test_crc_matches_the_reader() -> None:
    from tfdoctor.io.tfrecord import masked_crc
    from tfdoctor.native import _core

    rng = random.Random(3)
    for n in (0, 1, 7, 8, 9, 63, 64, 1000, 100_003):
        data = rng.randbytes(n)
        assert _core.masked_crc(data) == masked_crc(data)
    assert _core.CRC in ("sse4.2", "table")


def test_block_reads_like_the_reader() -> None:
    from tfdoctor.io import tfrecord

    if native.available():
        from tfdoctor.native.scan import CHUNK_BYTES

        assert CHUNK_BYTES == tfrecord._CHUNK_BYTES


def test_switch_and_version_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFDOCTOR_NATIVE", "0")
    assert not native.enabled()
    assert "pure Python" in native.describe()
    monkeypatch.setenv("TFDOCTOR_NATIVE", "1")
    assert native.enabled() == native.available()
    assert native.describe().startswith("scan core: native") == native.available()


def test_scan_file_directly_same_accumulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "d.tfrecord", mixed, 2000)
    source = Source(url=str(path), size=path.stat().st_size)
    results = []
    for flag in ("1", "0"):
        monkeypatch.setenv("TFDOCTOR_NATIVE", flag)
        acc = scan_file(source, ScanOptions())
        results.append(repr(acc.extract()))
    assert results[0] == results[1]


def test_native_is_built_here() -> None:
    """Where CI builds the extension (TFDOCTOR_EXPECT_NATIVE=1), it must import."""
    if os.environ.get("TFDOCTOR_EXPECT_NATIVE") == "1":
        assert native.available()


@needs_native
def test_scan_takes_the_native_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tfdoctor.native import scan as native_scan

    calls = []
    real = native_scan.scan_stream
    monkeypatch.setattr(native_scan, "scan_stream", lambda *a, **k: calls.append(1) or real(*a, **k))
    path = _write(tmp_path, "n.tfrecord", tabular, 10)
    monkeypatch.setenv("TFDOCTOR_NATIVE", "1")
    tfdoctor.scan(str(path), workers=1)
    assert calls == [1]
    monkeypatch.setenv("TFDOCTOR_NATIVE", "0")
    tfdoctor.scan(str(path), workers=1)
    assert calls == [1]


def test_version_says_which_core(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from tfdoctor.cli import app

    monkeypatch.setenv("TFDOCTOR_NATIVE", "0")
    out = CliRunner().invoke(app, ["--version"]).output
    assert "scan core: pure Python" in out


def _real_files() -> list[str]:
    from conftest import REALDATA

    if not REALDATA.is_dir():
        return []
    return sorted(
        str(p.relative_to(REALDATA)) for p in REALDATA.rglob("*") if p.is_file() and p.name != "README.md"
    )


@pytest.mark.realdata
@pytest.mark.parametrize("name", _real_files() or ["(none)"])
def test_real_files(realdata: Path, name: str) -> None:
    """Every file under ../shared/realdata (TFRecords of other projects, plain and GZIP, and
    the files beside them), scanned both ways."""
    assert_same([realdata / name])


def _edge_floats(rng: random.Random) -> list[float]:
    """float32 values that stress exact sums and tables: subnormals, -0.0, the largest
    float32, NaN and infinities, repeats (counts above one), mixed signs and magnitudes."""
    pool = [
        0.0, -0.0, 1.0, -1.0, 1.401298464324817e-45, -1.1754942106924411e-38, 3.4028234663852886e38,
        -3.4028234663852886e38, 0.1, 1e-30, 1e30, float("nan"), float("inf"), float("-inf"),
    ]  # fmt: skip
    return [
        rng.choice(pool) if rng.random() < 0.5 else rng.uniform(-1e6, 1e6) for _ in range(rng.randint(0, 6))
    ]


def _edge_ints(rng: random.Random) -> list[int]:
    """int64 values past 2**26 (squares inexact in float64), past 2**53 (values inexact) and
    at both ends of the range; small ones repeat (the dense table), others hash."""
    pool = [0, 1, -1, 2**26 + 1, -(2**26) - 3, 2**53 + 1, -(2**53) - 1, 2**63 - 1, -(2**63), 65535, 65536]
    return [
        rng.choice(pool) if rng.random() < 0.5 else rng.randrange(-(10**12), 10**12)
        for _ in range(rng.randint(0, 6))
    ]


def edge_values(rng: random.Random, i: int) -> bytes:
    feats: dict[str, object] = {
        "f": ("float", _edge_floats(rng)),
        "i": ("int64", _edge_ints(rng)),
        "label": rng.choice([0.5, -0.0, 0.0, float("nan"), 1e-45]) if i % 5 else rng.choice([1, 2]),
        "ordered": float(i // 3) if i % 101 else float("nan"),
    }
    if i % 7 == 0:
        feats["f"] = ("int64", [i])  # the kind changes within a batch
    return example(feats)


def test_same_statistics_on_edge_values(tmp_path: Path) -> None:
    """Exact sums (mean, std), tables, zeros, order and labels agree bit for bit on values
    that take every branch of the core's tables and exact sums."""
    path = _write(tmp_path, "edges.tfrecord", edge_values, 9000, seed=3)
    out = json.loads(assert_same([path]))
    f = next(x for x in out["features"] if x["name"] == "f")
    assert f["numeric"]["nan"] > 0 and f["numeric"]["pos_inf"] > 0 and f["numeric"]["zeros"] > 0


def _split_floats(key: bytes, values: list[float]) -> bytes:
    """An Example whose float list is written as two packed runs: protobuf reads it, the core
    hands it back (a wide list must be one run)."""
    half = len(values) // 2
    runs = b"".join(
        b"\x0a" + _varint(4 * len(part)) + struct.pack(f"<{len(part)}f", *part)
        for part in (values[:half], values[half:])
    )
    feature = b"\x12" + _varint(len(runs)) + runs
    entry = b"\x0a" + _varint(len(key)) + key + b"\x12" + _varint(len(feature)) + feature
    features = b"\x0a" + _varint(len(entry)) + entry
    return b"\x0a" + _varint(len(features)) + features


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def vectors(rng: random.Random, i: int) -> bytes:
    """Wide float lists (64 values or more: sampled for the quantiles) beside one of 63 (not),
    with NaN, infinities, zeros, subnormals and the largest floats; now and then a SequenceExample, and a wide list written in
    two runs that protobuf reads (the core's and protobuf's parts of one batch fold as one)."""
    if i % 50 == 7:
        return sequence_example({"label": 1}, {"frames": [[0.5, 1.5]]})
    if i % 50 == 21:
        return _split_floats(b"embedding", [rng.gauss(0, 1) for _ in range(128)])
    n = rng.choice([63, 64, 65, 256])
    values = [rng.gauss(0, 1) for _ in range(n)]
    values[rng.randrange(n)] = rng.choice(
        [0.0, float("nan"), float("inf"), -float("inf"), -0.0, 3.0, 1e-45, -2e-39, 3.4e38, -3.4e38]
    )
    if i % 1000 == 33:  # all in one binade with the largest mantissa: the sum bins at their widest
        values = [16777215.0 * (-1) ** j for j in range(n)]
    return example({"embedding": values, "label": rng.randrange(3)})


def test_same_statistics_on_wide_vectors(tmp_path: Path) -> None:
    """Wide lists: exact counts and sums over every value, the same sampled quantiles and
    HLL registers whichever path reads a record."""
    path = _write(tmp_path, "vectors.tfrecord", vectors, 9000, seed=4)
    out = json.loads(assert_same([path]))
    emb = next(x for x in out["features"] if x["name"] == "embedding")
    assert emb["numeric"]["nan"] > 0 and emb["numeric"]["zeros"] > 0
    assert (
        abs(emb["numeric"]["quantiles"]["q50"]) < 0.05
        and abs(emb["numeric"]["quantiles"]["q99"] - 2.33) < 0.1
    )


def test_wide_sums_exact_past_the_staged_bins(tmp_path: Path) -> None:
    """The core adds wide values in 64-bit bins first and folds them into 128-bit ones every
    2**15 values: 1,100 records of 256 values of the largest float32 mantissa (squares near
    2**48), about 70,000 additions to one bin of each of the 4 banks, would overflow a 64-bit
    bin. The sums stay exact: mean and std as the Python path's math.fsum gives them."""
    big = [16777215.0 * 2.0**100] * 192 + [-16777215.0 * 2.0**100] * 64
    path = _write(tmp_path, "big.tfrecord", lambda rng, i: example({"embedding": big}), 1100)
    out = json.loads(assert_same([path]))
    numeric = next(x for x in out["features"] if x["name"] == "embedding")["numeric"]
    assert numeric["mean"] == 16777215.0 * 2.0**100 / 2 and numeric["count"] == 1100 * 256


def _check_json(paths: list[Path], native_on: bool, spec: object) -> str:
    old = os.environ.get("TFDOCTOR_NATIVE")
    os.environ["TFDOCTOR_NATIVE"] = "1" if native_on else "0"
    try:
        result = tfdoctor.check_spec([str(p) for p in paths], spec=spec, workers=1)  # type: ignore[arg-type]
    finally:
        if old is None:
            del os.environ["TFDOCTOR_NATIVE"]
        else:
            os.environ["TFDOCTOR_NATIVE"] = old
    return json.dumps(result.to_json(), sort_keys=True, default=str)


def checked(rng: random.Random, i: int) -> bytes:
    """Records that break a spec every way a read is tallied: missing keys, another kind, a
    value count the shape cannot take (and many distinct bad counts), sparse indexes out of
    range or not matching their values, ragged row lengths and splits that do not add up;
    now and then a SequenceExample (the Python path, in the same file)."""
    if i % 97 == 5:
        return sequence_example({"label": 1}, {"frames": [[0.5, 1.5]]})
    n = rng.choice([0, 1, 2, 3, 3, 3, rng.randrange(40)])
    feats: dict[str, object] = {"label": rng.randrange(3)}
    if rng.random() < 0.9:
        feats["dense"] = rng.choice(
            [[rng.random() for _ in range(3)], [1, 2, 3], [b"x"] * 3, ("float", [0.5] * n)]
        )
    values = [rng.random() for _ in range(n)]
    feats["sp_value"] = ("float", values)
    feats["sp_index"] = ("int64", [rng.randrange(-1, 12) for _ in range(n + rng.choice([0, 0, 1]))])
    lengths = [rng.randrange(3) for _ in range(rng.randrange(4))]
    feats["rag_value"] = ("int64", list(range(sum(lengths) + rng.choice([0, 0, 1]))))
    feats["rag_len"] = ("int64", lengths)
    splits = [0, *sorted(rng.randrange(5) for _ in range(rng.randrange(3)))]
    feats["rs_value"] = ("bytes", [b"v"] * (splits[-1] + rng.choice([0, 0, 2])))
    feats["rs_split"] = ("int64", splits)
    feats["seq"] = ("float", [1.0] * rng.choice([4, 8, 6]))
    return example(feats)


def test_same_check_tallies(tmp_path: Path) -> None:
    """`check` through the native core (per-key tallies in array operations) gives what the
    Python path's per-record checks give: every problem, count and example record."""
    from tfdoctor.facts.spec import FeatureSpec, ParseSpec

    spec = ParseSpec(
        (
            FeatureSpec("dense", "FixedLenFeature", "float32", shape=(3,)),
            FeatureSpec("missing_key", "FixedLenFeature", "int64", shape=()),
            FeatureSpec("label", "FixedLenFeature", "int64", shape=()),
            FeatureSpec("sp", "SparseFeature", "float32", shape=(10,), value_key="sp_value", index_keys=("sp_index",)),
            FeatureSpec(
                "rag", "RaggedFeature", "int64", value_key="rag_value", partition_keys=("rag_len",),
                inner_partition="RowLengths",
            ),
            FeatureSpec(
                "rs", "RaggedFeature", "string", value_key="rs_value", partition_keys=("rs_split",),
                inner_partition="RowSplits",
            ),
            FeatureSpec("seq", "FixedLenSequenceFeature", "float32", shape=(4,), allow_missing=True),
        )
    )  # fmt: skip
    path = _write(tmp_path, "checked.tfrecord", checked, 9000, seed=5)
    fast, slow = _check_json([path], True, spec), _check_json([path], False, spec)
    assert fast == slow
    codes = [f["code"] for f in json.loads(fast)["findings"] if f["code"].startswith("TFD20")]
    # missing (2), another kind, out of range, not a multiple, pair, splits, lengths, count
    assert sorted(codes) == [
        "TFD201",
        "TFD201",
        "TFD202",
        *["TFD203"] * 5,
        "TFD206",
        "TFD206",
        "TFD206",
        "TFD209",
    ]


def sequences(rng: random.Random, i: int) -> bytes:
    """SequenceExamples the core decodes itself: feature lists of every kind, empty lists,
    lists without steps, steps without a value list (unset), kinds changing between steps,
    steps of 64 floats and more (never sampled: not an Example's wide list), context labels;
    and Examples whose features share the context's key names, in the same file."""
    from tfdoctor.proto.build import SequenceExample, _set

    if i % 11 == 0:
        return example({"label": rng.randrange(3), "frames": [0.5, 1.5]})
    msg = SequenceExample()
    context = {"label": rng.randrange(3), "video_id": f"v{rng.randrange(500)}".encode()}
    for name, value in context.items():
        entry = msg.context.feature.add()
        entry.key = name.encode()
        _set(entry.value, value)
    msg.feature_lists.SetInParent()
    for name in rng.sample(["rgb", "audio", "tokens", "mixed", "none"], rng.randint(0, 5)):
        entry = msg.feature_lists.feature_list.add()
        entry.key = name.encode()
        entry.value.SetInParent()
        for _ in range(rng.choice([0, 1, 3, 30])):
            step = entry.value.feature.add()
            if name == "rgb":
                _set(step, ("float", [rng.gauss(0, 1) for _ in range(rng.choice([4, 64, 100]))]))
            elif name == "audio":
                _set(step, ("bytes", [rng.randbytes(rng.randrange(1, 40))]))
            elif name == "tokens":
                _set(step, ("int64", [rng.randrange(-5, 70000) for _ in range(rng.randrange(0, 4))]))
            elif name == "mixed":
                _set(step, rng.choice([1, 2.5, b"x", ("float", [float("nan"), 0.0])]))
            # "none": steps that hold no value list
    return bytes(msg.SerializeToString())


def checked_sequences(rng: random.Random, i: int) -> bytes:
    """`sequences`, and now and then a feature list of 40 steps of many value counts and a
    kind that changes at some step (more distinct (kind, count) pairs than the core lists)."""
    from tfdoctor.proto.build import sequence_example

    if i % 13 == 1:
        switch = rng.randrange(40)
        steps = [
            ("float" if at == switch and rng.random() < 0.5 else "int64", list(range(rng.randrange(26))))
            for at in range(40)
        ]
        return sequence_example({"label": 1, "video_id": b"v"}, {"many": steps})
    return sequences(rng, i)


def test_same_check_tallies_on_sequence_examples(tmp_path: Path) -> None:
    """`check` with a parse_sequence_example spec through the core (feature-list reads from
    its list and step entries, in array operations) gives what the Python path's step-by-step
    checks give: records, present, every problem, bad count and example record; contexts and
    the features of Examples in the same file checked by the context reads alike."""
    from tfdoctor.facts.spec import FeatureSpec, ParseSpec

    context = [("label", "int64", ()), ("video_id", "string", ()), ("absent_context", "float32", ())]
    steps = [
        ("rgb", "float32", (4,)), ("audio", "string", ()), ("tokens", "int64", (2,)), ("mixed", "float32", (2,)),
        ("none", "string", ()), ("absent", "float32", ()),
    ]  # fmt: skip
    spec = ParseSpec(
        tuple(FeatureSpec(k, "FixedLenFeature", d, "context", shape=sh) for k, d, sh in context)
        + tuple(FeatureSpec(k, "FixedLenSequenceFeature", d, "sequence", shape=sh) for k, d, sh in steps)
        # any value count: a step of another kind, often past the 16 pairs the core lists, is refused
        + (FeatureSpec("many", "VarLenFeature", "int64", "sequence"),),
        call="parse_sequence_example",
    )
    path = _write(tmp_path, "checked_sequences.tfrecord", checked_sequences, 9000, seed=9)
    old = os.environ.get("TFDOCTOR_NATIVE")
    try:
        tallies = {}
        for native_on in ("1", "0"):
            os.environ["TFDOCTOR_NATIVE"] = native_on
            tallies[native_on] = tfdoctor.check_spec([str(path)], spec=spec, workers=1).stats.reads
    finally:
        if old is None:
            del os.environ["TFDOCTOR_NATIVE"]
        else:
            os.environ["TFDOCTOR_NATIVE"] = old
    assert tallies["1"] == tallies["0"]
    by_key = {t.read.key: t for t in tallies["1"]}
    assert by_key["absent"].problems == {"missing": by_key["absent"].records}
    assert (
        set(by_key["many"].problems) == {"missing", "kind:float"}
        and by_key["many"].problems["kind:float"] > 100
    )
    assert by_key["none"].problems["count"] and by_key["mixed"].problems.keys() >= {
        "kind:int64",
        "kind:bytes",
    }
    assert _check_json([path], True, spec) == _check_json([path], False, spec)


def test_same_statistics_on_sequence_examples(tmp_path: Path) -> None:
    """Feature lists and contexts through the core: the same statistics as protobuf's path,
    across flushes (9,000 records)."""
    path = _write(tmp_path, "sequences.tfrecord", sequences, 9000, seed=7)
    out = json.loads(assert_same([path]))
    kinds = {(f["section"], f["name"]) for f in out["features"]}
    assert {("sequence", "rgb"), ("sequence", "none"), ("context", "label"), ("features", "label")} <= kinds
