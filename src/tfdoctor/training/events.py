"""TensorBoard event files, read without TensorFlow or TensorBoard.

An event file is a TFRecord file of `tensorflow.Event` protos. Only the few fields a
training curve needs are decoded, straight from the protobuf wire format: the step, and
each summary value's tag, plugin (from its metadata, written with the first value of a
tag), and number or text (`simple_value`, or a scalar `TensorProto`). Anything else is
skipped by its wire type, so unknown or newer fields never break the reader.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..io.tfrecord import Record, TFRecordReader

_DT_FLOAT, _DT_DOUBLE, _DT_INT32, _DT_STRING, _DT_INT64, _DT_HALF = 1, 2, 3, 7, 9, 19


class WireError(ValueError):
    """Bytes that are not a well-formed protobuf message."""


@dataclass(frozen=True)
class Value:
    """One summary value: a number (scalars) or a text, at a step."""

    step: int
    tag: str
    number: float | None = None
    text: str | None = None
    plugin: str | None = None  # from the value's metadata; only the first value of a tag has it


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise WireError("truncated or overlong varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of a message: ints for varint/fixed, bytes otherwise."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            if pos + 8 > len(data):
                raise WireError("truncated fixed64")
            value, pos = struct.unpack_from("<Q", data, pos)[0], pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise WireError("truncated length-delimited field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            if pos + 4 > len(data):
                raise WireError("truncated fixed32")
            value, pos = struct.unpack_from("<I", data, pos)[0], pos + 4
        else:
            raise WireError(f"wire type {wire} (groups are not used by Event)")
        yield number, wire, value


def _f32(bits: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", bits))[0])


def _f64(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", bits))[0])


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _tensor(data: bytes) -> tuple[float | None, str | None]:
    """A scalar TensorProto's number or text (None, None for anything else)."""
    dtype, content = 0, b""
    numbers: list[float] = []
    strings: list[bytes] = []
    for number, wire, value in fields(data):
        if number == 1 and isinstance(value, int):
            dtype = value
        elif number == 4 and isinstance(value, bytes):
            content = value
        elif number in (5, 6) and isinstance(value, bytes):  # packed float_val / double_val
            size, fmt = (4, "<f") if number == 5 else (8, "<d")
            numbers += [x for (x,) in struct.iter_unpack(fmt, value[: len(value) // size * size])]
        elif number == 5 and isinstance(value, int) and wire == 5:
            numbers.append(_f32(value))
        elif number == 6 and isinstance(value, int) and wire == 1:
            numbers.append(_f64(value))
        elif number in (7, 10, 13) and isinstance(value, bytes):  # packed int_val, int64_val, half_val
            pos = 0
            while pos < len(value):
                item, pos = _varint(value, pos)
                numbers.append(float(_signed(item)))
        elif number in (7, 10, 13) and isinstance(value, int):
            numbers.append(float(_signed(value)))
        elif number == 8 and isinstance(value, bytes):
            strings.append(value)
    if dtype == _DT_STRING:
        text = strings[0] if strings else None
        return None, None if text is None else text.decode("utf-8", "replace")
    if content:
        formats = {_DT_FLOAT: "<f", _DT_DOUBLE: "<d", _DT_INT32: "<i", _DT_INT64: "<q", _DT_HALF: "<e"}
        number_format = formats.get(dtype)
        if number_format is not None and len(content) == struct.calcsize(number_format):
            return float(struct.unpack(number_format, content)[0]), None
        return None, None
    if dtype == _DT_HALF and numbers:  # half_val holds the bits as int32
        return float(struct.unpack("<e", struct.pack("<H", int(numbers[0]) & 0xFFFF))[0]), None
    return (numbers[0], None) if len(numbers) == 1 else (None, None)


def _plugin(metadata: bytes) -> str | None:
    for number, _, value in fields(metadata):
        if number == 1 and isinstance(value, bytes):  # plugin_data
            for inner, _, name in fields(value):
                if inner == 1 and isinstance(name, bytes):
                    return name.decode("utf-8", "replace")
    return None


def _value(step: int, data: bytes) -> Value | None:
    tag, number, text, plugin = "", None, None, None
    for field, wire, value in fields(data):
        if field == 1 and isinstance(value, bytes):
            tag = value.decode("utf-8", "replace")
        elif field == 2 and wire == 5 and isinstance(value, int):
            number = _f32(value)
        elif field == 8 and isinstance(value, bytes):
            number, text = _tensor(value)
        elif field == 9 and isinstance(value, bytes):
            plugin = _plugin(value)
    if number is None and text is None:
        return None  # an image, a histogram, a graph: not a curve
    return Value(step, tag, number, text, plugin)


def event_values(payload: bytes) -> list[Value]:
    """The scalar and text values of one serialized Event."""
    step = 0
    summaries: list[bytes] = []
    for number, _, value in fields(payload):
        if number == 2 and isinstance(value, int):
            step = _signed(value)
        elif number == 5 and isinstance(value, bytes):
            summaries.append(value)
    out: list[Value] = []
    for summary in summaries:
        for number, _, value in fields(summary):
            if number == 1 and isinstance(value, bytes):
                found = _value(step, value)
                if found is not None:
                    out.append(found)
    return out


@dataclass(frozen=True)
class EventFile:
    path: Path
    values: tuple[Value, ...]
    problems: tuple[str, ...]  # framing or decoding problems: the values read before them stay


def read_event_file(path: Path) -> EventFile:
    """Every scalar and text value of one event file, in file order. A file still being
    written ends inside a record: that is no problem."""
    values: list[Value] = []
    problems: list[str] = []
    try:
        with open(path, "rb") as fh:
            for item in TFRecordReader(fh):
                if not isinstance(item, Record):
                    if item.kind.value != "truncated":
                        problems.append(f"byte {item.offset:,}: {item.detail}")
                    continue
                try:
                    values += event_values(item.payload)
                except WireError as exc:
                    problems.append(f"record {item.index:,}: not an Event ({exc})")
    except OSError as exc:
        problems.append(f"cannot read: {exc.strerror or exc}")
    return EventFile(path, tuple(values), tuple(problems))
