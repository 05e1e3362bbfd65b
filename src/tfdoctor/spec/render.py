"""Specs as Python source: one entry (`'image': tf.io.FixedLenFeature([], tf.string),`) for a
fix, and a whole commented parse function that matches the data (`tfdoctor spec`)."""

from __future__ import annotations

from .._version import __version__
from ..facts.dataset import DatasetStats, FeatureStats
from ..facts.spec import FeatureSpec, feature_call, feature_line, infer_feature_spec

_IMAGE_DECODERS = {"png": "decode_png", "jpeg": "decode_jpeg", "gif": "decode_gif", "bmp": "decode_bmp"}


def _describe(f: FeatureStats, spec: FeatureSpec) -> str:
    vc = f.value_count
    parts = [f.kind if f.kind != "unset" else "no values ever stored"]
    stored = {k: n for k, n in f.kinds.items() if k != "unset"}
    if len(stored) > 1:
        listed = ", ".join(f"{k} in {n:,}" for k, n in sorted(stored.items(), key=lambda kv: -kv[1]))
        parts.append(f"WARNING stored as {listed} records: no spec reads both, rewrite the minority")
    if vc is not None:
        parts.append(
            f"{vc.min} value{'s' * (vc.min != 1)}" if vc.min == vc.max else f"{vc.min} to {vc.max} values"
        )
    if f.section == "sequence" and f.sequence_length is not None:
        sl = f.sequence_length
        parts[-1] += " per step"
        parts.append(
            f"{sl.min} step{'s' * (sl.min != 1)}" if sl.min == sl.max else f"{sl.min} to {sl.max} steps"
        )
    missing = f.total_records - f.records_present
    if missing:
        parts.append(f"optional: missing in {missing:,} of {f.total_records:,} records")
        filled = infer_feature_spec(f, fill_missing=True)
        if filled.kind == "FixedLenFeature":
            parts.append(f"VarLen keeps that visible; to fill a default instead: {feature_call(filled)}")
    empty = f.records_present - f.records_with_values
    if empty:
        parts.append(f"an empty list in {empty:,} records")
    if spec.kind == "VarLenFeature" and f.section != "sequence" and not missing:
        parts.append("variable length")
    if f.bytes and f.is_image:
        formats = "/".join(k.upper() for k in f.bytes.image_formats)
        shapes = list(f.bytes.image_shapes)
        listed = ", ".join(shapes[:4]) + (", ..." if len(shapes) > 4 or f.bytes.image_shapes_other else "")
        parts.append(f"{formats} images" + (f" (HxWxC {listed})" if shapes else ""))
    if f.label_like:
        parts.append("the label")
    return "; ".join(parts)


def _image_lines(f: FeatureStats, target: str) -> list[str]:
    assert f.bytes is not None
    formats = f.bytes.image_formats
    decoder = _IMAGE_DECODERS.get(next(iter(formats))) if len(formats) == 1 else None
    shapes = [tuple(int(d) for d in key.split("x")) for key in f.bytes.image_shapes]
    sizes = list(dict.fromkeys((h, w) for h, w, _ in shapes))  # most common first
    channels = sorted({c for _, _, c in shapes})
    wanted = channels[0] if len(channels) == 1 else 3
    name = f.name
    lines = []
    if len(channels) > 1:
        lines.append(f"    # images mix {channels} channels: channels=3 makes them all RGB")
    if decoder in ("decode_png", "decode_jpeg"):
        lines.append(f"    image = tf.io.{decoder}({target}[{name!r}], channels={wanted})")
    else:
        lines.append(
            f"    image = tf.io.decode_image({target}[{name!r}], channels={wanted}, expand_animations=False)"
        )
    if len(sizes) == 1 and not f.bytes.image_shapes_other:
        h, w = sizes[0]
        lines.append(f"    image = tf.ensure_shape(image, [{h}, {w}, {wanted}])")
    elif sizes:
        h, w = sizes[0]
        listed = ", ".join(f"{a}x{b}" for a, b in sizes[:4]) + (", ..." if len(sizes) > 4 else "")
        lines.append(
            f"    # images come in {len(sizes)} sizes ({listed}): resize to the most common (float32)"
        )
        lines.append(f"    image = tf.image.resize(image, [{h}, {w}])")
    lines.append(f"    {target}[{name!r}] = image")
    return lines


def parse_function(stats: DatasetStats) -> str:
    """Ready-to-paste Python: the features dict(s) and a parse function for this data."""
    sequence = stats.record_kinds.get("sequence_example", 0) > 0
    flat = [f for f in stats.features if f.section != "sequence" and f.kind != "unset"]
    seq = [f for f in stats.features if f.section == "sequence" and f.kind != "unset"]
    if sequence:
        # parse_single_sequence_example reads an Example's features as context (the same
        # field): a name held both ways is one key of CONTEXT_FEATURES, the most held one's
        kept: dict[str, FeatureStats] = {}
        for f in flat:
            if f.name not in kept or f.records_present > kept[f.name].records_present:
                kept[f.name] = f
        flat = [f for f in flat if kept[f.name] is f]
    names = {"example": ("Example", "Examples"), "sequence_example": ("SequenceExample", "SequenceExamples")}
    kinds = ", ".join(
        f"{n:,} {names[k][n != 1] if k in names else k}" for k, n in stats.record_kinds.items() if n
    )
    out = [
        f"# Parse spec written by tfdoctor {__version__} from {len(stats.files)} file(s): "
        f"{kinds or 'no records'}.",
        "# Every record parses with it and no value is made up: there is no default_value.",
        "import tensorflow as tf",
        "",
    ]
    never = [f.name for f in stats.features if f.kind == "unset"]
    if never:
        # names are untrusted: repr() keeps a newline in a key from ending the comment
        out.insert(2, f"# Left out, never holding a value: {', '.join(map(repr, never))}")

    def block(var: str, features: list[FeatureStats]) -> None:
        out.append(f"{var} = {{")
        for f in features:
            spec = infer_feature_spec(f)
            out.append(f"    # {_describe(f, spec)}")
            out.append(f"    {feature_line(spec)}")
        out.append("}")
        out.append("")

    post: list[str] = []
    if sequence:
        block("CONTEXT_FEATURES", flat)
        block("SEQUENCE_FEATURES", seq)
        out += [
            "",
            "def parse(serialized):",
            '    """One serialized tf.train.SequenceExample -> (context, sequence) dicts of tensors."""',
            "    context, sequence = tf.io.parse_single_sequence_example(",
            "        serialized, context_features=CONTEXT_FEATURES, sequence_features=SEQUENCE_FEATURES",
            "    )",
        ]
        targets = [("context", flat), ("sequence", seq)]
        result = "context, sequence"
    else:
        block("FEATURES", flat)
        out += [
            "",
            "def parse(serialized):",
            '    """One serialized tf.train.Example -> a dict of tensors."""',
            "    parsed = tf.io.parse_single_example(serialized, FEATURES)",
        ]
        targets = [("parsed", flat)]
        result = "parsed"
    for target, features in targets:
        for f in features:
            spec = infer_feature_spec(f)
            if spec.kind == "VarLenFeature":
                post.append(
                    f"    {target}[{f.name!r}] = tf.sparse.to_dense({target}[{f.name!r}])  # VarLen: sparse"
                )
            elif f.bytes is not None and f.is_image and target != "sequence" and spec.shape == ():
                post += _image_lines(f, target)
    out += post
    out.append(f"    return {result}")
    return "\n".join(out) + "\n"
