"""Decide whether a payload is a tf.train.Example or SequenceExample, and parse it.

Both messages share field 1 (`features` / `context`), so every payload is parsed as a
SequenceExample: field 2 (`feature_lists`) present means SequenceExample. Protobuf keeps
fields it does not know instead of rejecting them, so a TensorBoard event or another proto
"parses" as an empty Example; unknown fields are what give them away.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError
from google.protobuf.unknown_fields import UnknownFieldSet

from .tfdoctor_example_pb2 import SequenceExample

_parse = SequenceExample.FromString

_WIRE_TYPES = {0: "varint", 1: "64-bit", 2: "length-delimited", 5: "32-bit"}


def parse(payload: bytes) -> SequenceExample | str:
    """The parsed message, or a sentence saying why it is not an Example."""
    try:
        message = _parse(payload)
    except DecodeError as exc:
        return f"protobuf cannot parse it as tf.train.Example ({exc})"
    unknown = UnknownFieldSet(message)
    if len(unknown):
        fields = sorted({(f.field_number, _WIRE_TYPES.get(f.wire_type, str(f.wire_type))) for f in unknown})
        listed = ", ".join(f"field {n} ({w})" for n, w in fields[:4])
        return f"it holds fields tf.train.Example does not define: {listed}"
    return message


def key_problem(key: bytes) -> str | None:
    """Why a feature key shows the payload is some other message read as an Example."""
    try:
        text = key.decode("utf-8")
    except UnicodeDecodeError:
        return f"feature key {key[:40]!r} is not UTF-8 text"
    if any(ord(c) < 0x20 for c in text):
        return (
            f"feature key {text[:40]!r} holds control characters: the payload looks like "
            "another message type (e.g. ExampleListWithContext) read as an Example"
        )
    return None
