"""tf.train.Example and SequenceExample message classes, built at import from a descriptor
declared here, in a descriptor pool of our own.

Not protoc output, on purpose: gencode from a current protoc validates the protobuf runtime
on import (`ValidateProtobufRuntimeVersion`) and so pins it to at least its own version,
which locks tfdoctor out of Apache Beam (`protobuf<7`) and TFX environments (4.x, 5.x).
A descriptor built with `descriptor_pb2` and turned into classes by `message_factory` works
the same with every runtime from 4.25 through 7.x, on the same C (upb) backend. Our own pool
and package (`tfdoctor_wire`) keep the classes apart from TensorFlow's `tensorflow.Example`
in the same process.

The messages are wire-compatible with tensorflow/core/example/{example,feature}.proto (same
field numbers and wire types; a test compares them with TensorFlow's own descriptors), with
one difference: TensorFlow's `map<string, Feature> feature = 1` is declared here as the
repeated entry message it is on the wire (key = 1, value = 2), with the key as `bytes`, so
a key that is not UTF-8, which TensorFlow's parser reads, is kept instead of failing the
record."""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "tfdoctor_wire"

_F = descriptor_pb2.FieldDescriptorProto
_REPEATED, _OPTIONAL = _F.LABEL_REPEATED, _F.LABEL_OPTIONAL

# message -> its fields: (name, number, type, label, message type, oneof index)
_MESSAGES: dict[str, list[tuple[str, int, int, int, str | None, int | None]]] = {
    "BytesList": [("value", 1, _F.TYPE_BYTES, _REPEATED, None, None)],
    "FloatList": [("value", 1, _F.TYPE_FLOAT, _REPEATED, None, None)],  # packed: proto3's default
    "Int64List": [("value", 1, _F.TYPE_INT64, _REPEATED, None, None)],
    "Feature": [  # oneof kind
        ("bytes_list", 1, _F.TYPE_MESSAGE, _OPTIONAL, "BytesList", 0),
        ("float_list", 2, _F.TYPE_MESSAGE, _OPTIONAL, "FloatList", 0),
        ("int64_list", 3, _F.TYPE_MESSAGE, _OPTIONAL, "Int64List", 0),
    ],
    "FeatureEntry": [
        ("key", 1, _F.TYPE_BYTES, _OPTIONAL, None, None),
        ("value", 2, _F.TYPE_MESSAGE, _OPTIONAL, "Feature", None),
    ],
    "Features": [("feature", 1, _F.TYPE_MESSAGE, _REPEATED, "FeatureEntry", None)],
    "FeatureList": [("feature", 1, _F.TYPE_MESSAGE, _REPEATED, "Feature", None)],
    "FeatureListEntry": [
        ("key", 1, _F.TYPE_BYTES, _OPTIONAL, None, None),
        ("value", 2, _F.TYPE_MESSAGE, _OPTIONAL, "FeatureList", None),
    ],
    "FeatureLists": [("feature_list", 1, _F.TYPE_MESSAGE, _REPEATED, "FeatureListEntry", None)],
    "Example": [("features", 1, _F.TYPE_MESSAGE, _OPTIONAL, "Features", None)],
    "SequenceExample": [
        ("context", 1, _F.TYPE_MESSAGE, _OPTIONAL, "Features", None),
        ("feature_lists", 2, _F.TYPE_MESSAGE, _OPTIONAL, "FeatureLists", None),
    ],
}


def file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """The descriptor of our example.proto, as a message."""
    file = descriptor_pb2.FileDescriptorProto(
        name="tfdoctor_wire/example.proto", package=PACKAGE, syntax="proto3"
    )
    for name, fields in _MESSAGES.items():
        message = file.message_type.add(name=name)
        for field_name, number, kind, label, type_name, oneof in fields:
            field = message.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name is not None:
                field.type_name = f".{PACKAGE}.{type_name}"
            if oneof is not None:
                field.oneof_index = oneof
        if any(f[5] is not None for f in fields):
            message.oneof_decl.add(name="kind")
    return file


def _classes() -> dict[str, Any]:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_descriptor())
    make = getattr(message_factory, "GetMessageClass", None)  # protobuf >= 4.22
    if make is None:  # pragma: no cover - older runtimes than the supported range
        make = message_factory.MessageFactory(pool).GetPrototype
    return {name: make(pool.FindMessageTypeByName(f"{PACKAGE}.{name}")) for name in _MESSAGES}


_built = _classes()
BytesList = _built["BytesList"]
FloatList = _built["FloatList"]
Int64List = _built["Int64List"]
Feature = _built["Feature"]
FeatureEntry = _built["FeatureEntry"]
Features = _built["Features"]
FeatureList = _built["FeatureList"]
FeatureListEntry = _built["FeatureListEntry"]
FeatureLists = _built["FeatureLists"]
Example = _built["Example"]
SequenceExample = _built["SequenceExample"]
