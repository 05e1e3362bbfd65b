"""Decide whether a payload is a tf.train.Example or SequenceExample, and parse it.

Both messages share field 1 (`features` / `context`), so every payload is parsed as a
SequenceExample: field 2 (`feature_lists`) present means SequenceExample. Protobuf keeps
fields it does not know instead of rejecting them, so a TensorBoard event or another proto
"parses" as an empty Example; unknown fields are what give them away.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError
from google.protobuf.unknown_fields import UnknownFieldSet

from .wire import FeatureEntry, SequenceExample

_parse = SequenceExample.FromString
_parse_entry = FeatureEntry.FromString

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
