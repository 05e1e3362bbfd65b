"""Decide whether a payload is a tf.train.Example or SequenceExample, and parse it.

Both messages share field 1 (`features` / `context`), so every payload is parsed as a
SequenceExample: field 2 (`feature_lists`) present means SequenceExample. Protobuf keeps
fields it does not know instead of rejecting them, so a TensorBoard event or another proto
"parses" as an empty Example; unknown fields are what give them away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from google.protobuf.message import DecodeError
from google.protobuf.unknown_fields import UnknownFieldSet

from .wire import FeatureEntry, SequenceExample

_parse = SequenceExample.FromString
_parse_entry = FeatureEntry.FromString

_WIRE_TYPES = {0: "varint", 1: "64-bit", 2: "length-delimited", 5: "32-bit"}
# A map entry is field 1, length-delimited: 0x0A, its length, its fields. One whose first
# field is the value (0x12), or an empty one (length 0), is how an entry with no key looks; other
# bytes match too (0.5% of ordinary records): a cheap test before the exact walk. An entry that
# holds only a key is found by `DatasetAccumulator.add` (its value field is absent).
_SUSPECT = re.compile(rb"\x0a(?:\x00|[\x80-\xff]{0,4}[\x00-\x7f]\x12)")
_PARSER_FAILS = (
    "TensorFlow's parse ops fail on the whole record ('Could not parse example input'), "
    "though protobuf reads it"
)


def parse(payload: bytes) -> SequenceExample | str:
    """The parsed message, or a sentence saying why it is not an Example."""
    try:
        message = _parse(payload)
    except DecodeError as exc:
        return f"protobuf cannot parse it as tf.train.Example ({exc})"
    if _SUSPECT.search(payload):  # rare in whole records: then the exact walk
        problem = entry_problem(payload)
        if problem:
            return problem
    unknown = UnknownFieldSet(message)
    if len(unknown):
        fields = sorted({(f.field_number, _WIRE_TYPES.get(f.wire_type, str(f.wire_type))) for f in unknown})
        listed = ", ".join(f"field {n} ({w})" for n, w in fields[:4])
        return f"it holds fields tf.train.Example does not define: {listed}"
    return message


def key_problem(key: bytes) -> str | None:
    """Why a feature key shows the payload is some other message read as an Example, or None.

    Keys are data. TensorFlow's parse ops (`tf.io.parse_example`, `parse_single_example`,
    `parse_sequence_example`) take any bytes as a key: tab, newline, ESC, NUL, the empty key,
    10,000 characters, bytes that are not UTF-8 (only `tf.train.Example.FromString` refuses
    those). So no key is refused for what it holds; one is refused when it is itself a whole
    serialized map entry (a key and a Feature): that is where an ExampleListWithContext, read
    as an Example, puts the entries of each Example it nests.
    """
    if not key or key[0] != 0x0A:  # a map entry starts with field 1 (key), length-delimited
        return None
    try:
        entry = _parse_entry(key)
    except DecodeError:
        return None
    if not entry.key or not entry.HasField("value") or len(UnknownFieldSet(entry)):
        return None
    return (
        f"feature key {key[:40]!r} is itself a serialized feature entry "
        f"(key {entry.key[:40]!r} and a Feature): the payload looks like another message type "
        "(e.g. ExampleListWithContext) read as an Example"
    )


def key_name(key: bytes) -> str:
    """The feature name of a key: its UTF-8 text; bytes that are not UTF-8 as \\xNN escapes."""
    return key.decode("utf-8", "backslashreplace")


def no_value(section: str, key: bytes) -> str:
    return f"a {section} map entry (key {key[:40]!r}) has no value: {_PARSER_FAILS}"


def entry_problem(payload: bytes) -> str | None:
    """Why TensorFlow's parser refuses a record that protobuf reads: a map entry of
    `features` (or `feature_lists`) that is not exactly one key and one value (measured, TF
    2.21: no key, no value, a key or value twice each fail `parse_example`,
    `parse_single_example` and `parse_sequence_example`; an empty key or an empty value
    does not). None when every entry is whole (or the bytes do not walk: protobuf judged
    those)."""
    try:
        for number, wire, start, end in _fields(payload, 0, len(payload)):
            if wire != 2 or number not in (1, 2):
                continue
            section = "features" if number == 1 else "feature_lists"
            for inner, inner_wire, s, e in _fields(payload, start, end):
                if inner != 1 or inner_wire != 2:
                    continue
                fields = [n for n, _w, _s, _e in _fields(payload, s, e)]
                if sorted(fields) == [1, 2]:
                    continue
                if 1 not in fields:
                    what = "has no key"
                elif 2 not in fields:
                    what = "has no value"
                else:
                    what = f"holds fields {fields}, not one key and one value"
                return f"a {section} map entry {what}: {_PARSER_FAILS}"
    except ValueError:
        return None
    return None


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("bad varint")
        byte = buf[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value start, value end) of each field in buf[start:end]."""
    i = start
    while i < end:
        tag, i = _varint(buf, i)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            _, j = _varint(buf, i)
        elif wire == 1:
            j = i + 8
        elif wire == 5:
            j = i + 4
        elif wire == 2:
            size, i = _varint(buf, i)
            j = i + size
        else:
            raise ValueError("group")
        if j > end:
            raise ValueError("field past its message")
        yield number, wire, i, j
        i = j
