"""tfdoctor's Example/SequenceExample classes (built at import, `proto.wire`) against
TensorFlow's own: same messages, field numbers and wire types, so every record TensorFlow
writes reads the same; and bytes round-trip both ways."""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor

from tfdoctor.proto import wire
from tfdoctor.proto.build import example

# TensorFlow's `map<string, Feature>` fields are repeated entry messages on the wire; ours
# declare the entries, with the key as bytes (the same wire type as string).
_WIRE_TYPE = {descriptor.FieldDescriptor.TYPE_STRING: descriptor.FieldDescriptor.TYPE_BYTES}


def _repeated(field: Any) -> bool:
    # protobuf 7 has `is_repeated` only; 4.25 has `label` only
    return bool(field.is_repeated) if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED


def _fields(message: Any) -> dict[str, tuple[int, int, bool]]:
    return {
        f.name: (f.number, _WIRE_TYPE.get(f.type, f.type), _repeated(f)) for f in message.DESCRIPTOR.fields
    }


def test_every_message_has_tensorflows_fields(tf: Any) -> None:
    ours = {
        name: getattr(wire, name)
        for name in (
            "BytesList",
            "FloatList",
            "Int64List",
            "Feature",
            "Features",
            "FeatureList",
            "FeatureLists",
            "Example",
            "SequenceExample",
        )
    }
    for name, message in ours.items():
        assert _fields(message) == _fields(getattr(tf.train, name)), name
    entries = {
        "FeatureEntry": tf.train.Features.DESCRIPTOR.fields_by_name["feature"].message_type,
        "FeatureListEntry": tf.train.FeatureLists.DESCRIPTOR.fields_by_name["feature_list"].message_type,
    }
    for name, theirs in entries.items():
        assert theirs.GetOptions().map_entry
        mine = getattr(wire, name).DESCRIPTOR
        assert (
            [(f.name, f.number) for f in mine.fields]
            == [(f.name, f.number) for f in theirs.fields]
            == [
                ("key", 1),
                ("value", 2),
            ]
        )
    assert wire.Feature.DESCRIPTOR.oneofs_by_name["kind"].fields == [
        wire.Feature.DESCRIPTOR.fields_by_name[n] for n in ("bytes_list", "float_list", "int64_list")
    ]


def test_bytes_round_trip_both_ways(tf: Any) -> None:
    record = example({"label": 3, "x": [0.5, -1.25], "name": b"a\xffb", "empty": ("float", [])})
    theirs = tf.train.Example.FromString(record)
    assert list(theirs.features.feature["x"].float_list.value) == [0.5, -1.25]
    assert theirs.features.feature["name"].bytes_list.value == [b"a\xffb"]
    assert theirs.features.feature["empty"].WhichOneof("kind") == "float_list"
    again = wire.Example.FromString(theirs.SerializeToString())
    assert {e.key: e.value.WhichOneof("kind") for e in again.features.feature} == {
        b"label": "int64_list",
        b"x": "float_list",
        b"name": "bytes_list",
        b"empty": "float_list",
    }
    sequence = tf.train.SequenceExample()
    sequence.context.feature["id"].int64_list.value.append(7)
    sequence.feature_lists.feature_list["tokens"].feature.add().int64_list.value.extend([1, 2])
    mine = wire.SequenceExample.FromString(sequence.SerializeToString())
    assert mine.SerializeToString(deterministic=True) == sequence.SerializeToString(deterministic=True)


def test_the_classes_live_in_a_pool_of_their_own() -> None:
    from google.protobuf import descriptor_pool

    assert wire.Example.DESCRIPTOR.full_name == "tfdoctor_wire.Example"
    try:
        descriptor_pool.Default().FindMessageTypeByName("tfdoctor_wire.Example")
    except KeyError:
        return
    raise AssertionError("tfdoctor's messages should not be in the default pool, beside TensorFlow's")
