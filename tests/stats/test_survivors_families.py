"""Statistic families, files and images (stats/families.py, files.py, images.py, distinct.py):
small cases whose every number is worked out by hand, each with its silent twin."""

from __future__ import annotations

import hashlib
import io
import random
from collections import Counter

import numpy as np
from PIL import Image

from tfdoctor.facts.files import Problem
from tfdoctor.stats.distinct import mix64
from tfdoctor.stats.families import (
    _DIGEST_MARK,
    _PREFIX,
    BytesAccumulator,
    CountHistogram,
    CountsAccumulator,
    FrequentValuesAccumulator,
    OrderPart,
    display_value,
    order_part,
    value_key,
)
from tfdoctor.stats.files import FileAccumulator
from tfdoctor.stats.images import image_format, image_shape

M64 = (1 << 64) - 1


def _splitmix_finaliser(x: int) -> int:
    """SplitMix64's finaliser (Steele, Lea, Flood 2014), in Python integers."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def test_mix64_is_splitmix64s_finaliser() -> None:
    xs = [0, 1, 2, 12345, 1 << 63, M64, 0x0123456789ABCDEF]
    out = mix64(np.asarray(xs, dtype=np.uint64)).tolist()
    assert out == [_splitmix_finaliser(x) for x in xs]


def test_long_values_keyed_by_prefix_and_digest() -> None:
    value = b"a" * 2000
    key = value_key(value)
    assert key == "a" * _PREFIX + _DIGEST_MARK + hashlib.blake2b(value, digest_size=16).hexdigest()
    assert display_value(key, "bytes") == "a" * 60 + "…"
    assert value_key(b"a" * 1024) == "a" * 1024  # not long: the value itself
    assert display_value("a" * 60, "bytes") == "a" * 60  # short printable text: as it is


def test_long_value_cut_inside_a_character() -> None:
    # the 256-byte prefix ends on the first byte of "é" (2 bytes): the text is read without it
    value = b"a" * 255 + "é".encode() * 1000
    assert display_value(value_key(value), "bytes") == "a" * 60 + "…"
    # cut after a whole character: every byte of the prefix is text
    whole = "é".encode() * 1000
    assert display_value(value_key(whole), "bytes") == "é" * 60 + "…"


def test_unprintable_values_shown_as_bytes() -> None:
    assert display_value(b"\x00\x01".decode("latin-1"), "bytes") == "'\\x00\\x01'"
    forty_one = (b"\x00" * 41).decode("latin-1")
    assert display_value(forty_one, "bytes") == "'" + "\\x00" * 40 + "'…"
    assert display_value("7", "int64") == "7"


def test_count_histogram_min_and_max_over_batches() -> None:
    h = CountHistogram()
    for batch in ([5, 6], [2], [9, 3]):
        h.add(np.asarray(batch, dtype=np.int64))
    out = h.extract()
    assert out is not None and (out.min, out.max) == (2, 9)
    assert h.total == 5 + 6 + 2 + 9 + 3


def test_kind_most_records_store() -> None:
    c = CountsAccumulator(per_step=True)
    for kind, n in (("unset", 5), ("float", 2), ("int64", 1)):
        for _ in range(n):
            c.add_record(kind)
    assert c.kind() == "float"  # unset is the most, but something else is stored
    assert CountsAccumulator().kind() == "unset"
    tie = CountsAccumulator(per_step=True)
    for kind in ("float", "bytes"):
        tie.add_record(kind)
    assert tie.kind() == "float"  # a tie: the later name


def test_only_special_floats_are_one_constant() -> None:
    nan = FrequentValuesAccumulator()
    for _ in range(2):
        nan.add_float_table(np.zeros(0), (True, False, False))
    assert (nan.varies, nan.constant("float")) == (False, "nan")
    inf = FrequentValuesAccumulator()
    inf.add_float_table(np.zeros(0), (False, True, False))
    assert inf.constant("float") == "inf"
    both = FrequentValuesAccumulator()
    both.add_float_table(np.zeros(0), (True, True, False))
    assert both.varies and both.constant("float") is None


def test_bytes_with_trailing_nuls_stay_apart() -> None:
    f = FrequentValuesAccumulator()
    f.add_bytes(Counter({b"a": 3, b"a\x00": 2, b"a\x00\x00": 1}))
    assert f.top_values("bytes") == (("a", 3), ("'a\\x00'", 2), ("'a\\x00\\x00'", 1))


def test_order_part_counts_ups_and_downs() -> None:
    ones = np.ones(5, dtype=np.int64)
    part = order_part({"int64": ones}, None, np.asarray([5, 3, 3, 7, 8], dtype=np.int64))
    assert part == OrderPart(frozenset({"int64"}), False, 5.0, 8.0, 4, 2, 1)
    floats = order_part({"float": ones[:3]}, np.asarray([1.0, 0.5, 0.5]), None)
    assert floats == OrderPart(frozenset({"float"}), False, 1.0, 0.5, 2, 0, 1)
    assert order_part({"int64": np.asarray([1, 2])}, None, np.asarray([1, 2, 3])).bad
    two = order_part({"int64": ones[:1], "float": ones[:1]}, np.ones(1), np.ones(1, dtype=np.int64))
    assert two == OrderPart(frozenset({"int64", "float"}), True)


def _png(mode: str, size: tuple[int, int], **save: object) -> bytes:
    rnd = random.Random(f"{mode}{size}{save}")  # distinct pixels: a fresh digest per image
    img = Image.new(mode, size)
    img.putdata([rnd.randrange(2) for _ in range(size[0] * size[1])])
    out = io.BytesIO()
    img.save(out, format="PNG", **save)
    return out.getvalue()


def test_image_shapes_by_mode() -> None:
    assert image_shape(_png("L", (3, 2))) == (2, 3, 1)
    assert image_shape(_png("P", (4, 5))) == (5, 4, 3)  # a palette: RGB
    assert image_shape(_png("P", (4, 6), transparency=0)) == (6, 4, 4)  # with transparency: RGBA
    assert image_shape(_png("1", (7, 3))) == (3, 7, 1)
    assert image_shape(b"\x89PNG\r\n\x1a\nnot an image") is None


def test_webp_by_its_riff_header() -> None:
    assert image_format(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_format(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None


def test_bytes_accumulator_over_parts_and_merges() -> None:
    good = _png("L", (2, 2))
    big = _png("L", (40, 40))
    broken = big[: len(big) // 2]  # header intact, data cut: a shape but no decode
    a = BytesAccumulator()
    a.add([b"xy", good])
    a.seal()
    a.add([b"xy", b"z", broken])
    stats = a.extract()
    assert stats is not None
    assert (stats.count, stats.min_length, stats.max_length) == (5, 1, max(len(good), len(broken)))
    assert stats.mean_length == (2 + len(good) + 2 + 1 + len(broken)) / 5
    assert (stats.image_formats, stats.image_decoded, stats.image_undecodable) == ({"png": 2}, 2, 1)
    b = BytesAccumulator()
    b.add([_png("L", (3, 3))])
    merged = a.merge(b).extract()
    assert merged is not None
    assert (merged.count, merged.image_decoded, merged.image_undecodable) == (6, 3, 1)
    assert merged.image_shapes == {"2x2x1": 1, "40x40x1": 1, "3x3x1": 1}


def test_file_accumulator_merge_keeps_problems_by_offset() -> None:
    a = FileAccumulator("u", size=100)
    a.records, a.examples = 4, 3
    a.add_problem(Problem("crc", 50, 3, 10, "x"))
    b = FileAccumulator("u")
    b.records = 2
    b.add_problem(Problem("crc", 20, 1, 5, "y"))
    b.add_problem(Problem("length", 30, 2, 7, "z"))
    facts = a.merge(b).extract()
    assert facts.problem_counts == {"crc": 2, "length": 1}
    assert [p.offset for p in facts.problems] == [20, 30, 50]
    assert (facts.bytes_skipped, facts.records, facts.examples, facts.size) == (22, 6, 3, 100)
    assert FileAccumulator("v").extract().problems == ()
