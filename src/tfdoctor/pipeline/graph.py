"""Read a tf.data dataset's chain from its own serialized graph (`_as_serialized_graph`).

What is read, by TensorFlow op (TF 2.16-2.21 names; TensorFlow may rename them, which is why
they are listed here in one place):
- the chain: each dataset node's first input that is itself a dataset, from the `_Retval`
  (DirectedInterleaveDataset: its first data input, after the selector);
- fused ops as the logical steps they stand for (`_FUSED`): MapAndBatchDataset is a map and a
  batch, ShuffleAndRepeatDataset(V2) a shuffle and a repeat; every ParallelInterleaveDataset
  version (legacy included) is an interleave;
- the chain an interleave / flat_map function builds per element, where it reads files and
  does more than read (`lambda f: TFRecordDataset(f).shuffle(100).repeat()`), as that step's
  one branch;
- multi-input datasets: the other inputs of ZipDataset, ConcatenateDataset,
  DirectedInterleaveDataset (`sample_from_datasets` where its selector starts at a
  RandomDataset, else `choose_from_datasets`, whose choice chain is kept as text) and
  WeightedFlatMapDataset are read as chains of their own (`Step.branches`), and so are the
  datasets a TensorSliceDataset / TensorDataset holds (`from_tensor_slices([a, b])`);
- `from_generator` (a TensorDataset flat-mapped by a function holding a GeneratorDataset) as one
  `generator` step, named by the user's generator where the Python objects tell;
- maps and filters whose Python function TensorFlow wrote itself (the `normalize` map of
  `unbatch()`, the map inside `ragged_batch`) are marked `inserted`, found by matching the
  graph's function names with the functions the Python dataset objects hold;
- parameters: the `Const` inputs of each op, by position (`_PARAMS`), e.g. ShuffleDatasetV3
  (buffer_size, seed, seed2) and its `reshuffle_each_iteration` attr; BatchDatasetV2
  (batch_size, drop_remainder); the last input of ParallelMapDatasetV2 (num_parallel_calls);
- functions: the `f` / `predicate` attrs name a FunctionDef in the graph's library; nested
  functions (StatelessIf branches, PartitionedCall) are followed;
- random ops inside them: stateful ops (RandomUniform...) with their `seed`/`seed2` attrs
  (either nonzero: the same values every epoch, checked in tests), and stateless ops
  (StatelessRandom*) whose seed is built from constants only (also the same every epoch),
  unlike those fed by a generator (RngReadAndSkip), a variable or an argument;
- file names: string Consts feeding TensorSliceDataset / TFRecordDatasetV2, or the pattern
  of a MatchingFiles op (`Dataset.list_files`).
"""

from __future__ import annotations

import copy
import inspect
import re
from dataclasses import replace
from typing import Any

from ..facts.pipeline import Decode, OneHot, Pipeline, RandomOp, Step
from ..facts.spec import FeatureSpec, ParseSpec

_TRANSPARENT = {
    "ModelDataset", "OptionsDataset", "MaxIntraOpParallelismDataset", "PrivateThreadPoolDataset",
    "AssertCardinalityDataset", "DummyIterationCounter", "AssertNextDataset", "NonSerializableDataset",
    "ChooseFastestDataset", "ExperimentalChooseFastestDataset",  # inputs that are one dataset, tuned
}  # fmt: skip
_KINDS = {
    "ShuffleDataset": "shuffle", "ShuffleDatasetV2": "shuffle", "ShuffleDatasetV3": "shuffle",
    "BatchDataset": "batch", "BatchDatasetV2": "batch", "ParallelBatchDataset": "batch",
    "PaddedBatchDataset": "padded_batch", "PaddedBatchDatasetV2": "padded_batch",
    "MapDataset": "map", "ParallelMapDataset": "map", "ParallelMapDatasetV2": "map",
    "FilterDataset": "filter", "IgnoreErrorsDataset": "ignore_errors",
    "InterleaveDataset": "interleave", "ParallelInterleaveDataset": "interleave",
    "ParallelInterleaveDatasetV2": "interleave", "ParallelInterleaveDatasetV3": "interleave",
    "ParallelInterleaveDatasetV4": "interleave", "LegacyParallelInterleaveDatasetV2": "interleave",
    "ExperimentalParallelInterleaveDataset": "interleave",
    "MapAndBatchDataset": "map", "ExperimentalMapAndBatchDataset": "map",  # + batch: see _FUSED
    "ShuffleAndRepeatDataset": "shuffle", "ShuffleAndRepeatDatasetV2": "shuffle",  # + repeat
    "ConcatenateDataset": "concatenate", "DirectedInterleaveDataset": "sample",
    "ExperimentalDirectedInterleaveDataset": "sample", "WeightedFlatMapDataset": "sample",
    "RandomDataset": "source", "RandomDatasetV2": "source",
    "FlatMapDataset": "flat_map", "TakeDataset": "take", "SkipDataset": "skip", "ShardDataset": "shard",
    "RepeatDataset": "repeat", "PrefetchDataset": "prefetch", "CacheDataset": "cache",
    "CacheDatasetV2": "cache", "WindowDataset": "window", "UnbatchDataset": "unbatch",
    "TFRecordDataset": "read", "TFRecordDatasetV2": "read", "TextLineDataset": "read",
    "FixedLengthRecordDatasetV2": "read", "TensorSliceDataset": "source", "TensorDataset": "source",
    "RangeDataset": "source", "GeneratorDataset": "generator", "ZipDataset": "zip",
}  # fmt: skip
# fused op -> the logical steps it stands for: (kind, the parameters that step takes) each
_MAP_AND_BATCH = (("map", ("num_parallel_calls",)), ("batch", ("batch_size", "drop_remainder")))
_SHUFFLE_AND_REPEAT = (
    ("shuffle", ("buffer_size", "seed", "seed2", "reshuffle_each_iteration")),
    ("repeat", ("count",)),
)
_FUSED = {
    "MapAndBatchDataset": _MAP_AND_BATCH,
    "ExperimentalMapAndBatchDataset": _MAP_AND_BATCH,
    "ShuffleAndRepeatDataset": _SHUFFLE_AND_REPEAT,
    "ShuffleAndRepeatDatasetV2": _SHUFFLE_AND_REPEAT,
}
_SELECTED = ("DirectedInterleaveDataset", "ExperimentalDirectedInterleaveDataset")  # selector first
# op -> parameter names of the inputs after the input dataset, by position
_PARAMS = {
    "ShuffleDataset": ("buffer_size", "seed", "seed2"),
    "ShuffleDatasetV2": ("buffer_size",),
    "ShuffleDatasetV3": ("buffer_size", "seed", "seed2"),
    "BatchDataset": ("batch_size",),
    "BatchDatasetV2": ("batch_size", "drop_remainder"),
    "ParallelBatchDataset": ("batch_size", "num_parallel_calls", "drop_remainder"),
    "PaddedBatchDataset": ("batch_size",),
    "PaddedBatchDatasetV2": ("batch_size",),
    "TakeDataset": ("count",),
    "SkipDataset": ("count",),
    "RepeatDataset": ("count",),
    "ShardDataset": ("num_shards", "index"),
    "PrefetchDataset": ("buffer_size",),
    "CacheDataset": ("filename",),
    "CacheDatasetV2": ("filename",),
    "WindowDataset": ("size", "shift", "stride", "drop_remainder"),
    "ShuffleAndRepeatDataset": ("buffer_size", "seed", "seed2", "count"),
    "ShuffleAndRepeatDatasetV2": ("buffer_size", "seed", "seed2", "count"),
    "TFRecordDataset": ("compression_type", "buffer_size"),  # after the file names
    "TFRecordDatasetV2": ("compression_type", "buffer_size"),
}
# op -> parameter names of its last inputs (ops with captured arguments before them)
_TRAILING = {
    "ParallelMapDataset": ("num_parallel_calls",),
    "ParallelMapDatasetV2": ("num_parallel_calls",),
    "InterleaveDataset": ("cycle_length", "block_length"),
    "ParallelInterleaveDatasetV2": ("cycle_length", "block_length", "num_parallel_calls"),
    "ParallelInterleaveDatasetV3": ("cycle_length", "block_length", "num_parallel_calls"),
    "ParallelInterleaveDatasetV4": (
        "cycle_length", "block_length", "buffer_output_elements", "prefetch_input_elements",
        "num_parallel_calls",
    ),
    "PaddedBatchDatasetV2": ("drop_remainder",),
    "MapAndBatchDataset": ("batch_size", "num_parallel_calls", "drop_remainder"),
    "ExperimentalMapAndBatchDataset": ("batch_size", "num_parallel_calls", "drop_remainder"),
    "ParallelInterleaveDataset": (  # tf.data.experimental.parallel_interleave, TF 1
        "cycle_length", "block_length", "sloppy", "buffer_output_elements", "prefetch_input_elements",
    ),
    "ExperimentalParallelInterleaveDataset": (
        "cycle_length", "block_length", "sloppy", "buffer_output_elements", "prefetch_input_elements",
    ),
    "LegacyParallelInterleaveDatasetV2": (  # parallel_interleave, TFRecordDataset(num_parallel_reads=)
        "cycle_length", "block_length", "buffer_output_elements", "prefetch_input_elements",
    ),
}  # fmt: skip
_READERS = ("TFRecordDataset", "TFRecordDatasetV2")
_IMAGE_DECODERS = ("DecodePng", "DecodeJpeg", "DecodeImage", "DecodeBmp")  # attr `channels`
_STATEFUL_RANDOM = {
    "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal", "RandomShuffle",
    "Multinomial", "RandomGamma", "RandomPoisson", "RandomPoissonV2", "ParameterizedTruncatedNormal",
}  # fmt: skip
_STATELESS_HELPERS = {
    "StatelessRandomGetKeyCounter",
    "StatelessRandomGetAlg",
    "StatelessRandomGetKeyCounterAlg",
}
_VARYING_SOURCES = ("RngReadAndSkip", "RngSkip", "ReadVariableOp", "Stateful", "Random", "Iterator")
_FUNCTION_PREFIX = re.compile(
    r"^__inference_(?:Dataset_|tf_data_experimental_)?"
    r"(?:map_and_batch_|parallel_interleave_|map_|filter_|interleave_|flat_map_)?"
)


def _clean(name: str) -> str:
    return name.lstrip("^").split(":")[0]


def _function_label(raw: str) -> str:
    """The user's function name inside TensorFlow's: `__inference_Dataset_map_parse_58`."""
    label = re.sub(r"_\d+$", "", _FUNCTION_PREFIX.sub("", raw))
    return "lambda" if label in ("<lambda>", "lambda") else label


class _Graph:
    def __init__(self, graph_def: Any, tf: Any, python: dict[str, Any] | None = None) -> None:
        self.tf = tf
        self.python = python or {}  # graph function name -> the Python function it was traced from
        self.built = False  # a view of the nodes of a function that builds a dataset per element
        self.nodes = {n.name: n for n in graph_def.node}
        self.functions = {f.signature.name: f for f in graph_def.library.function}

    def const(self, name: str) -> Any:
        node = self.nodes.get(_clean(name))
        if node is None or node.op != "Const":
            return None
        tensor = node.attr["value"].tensor
        if tensor.dtype == self.tf.string.as_datatype_enum and tensor.tensor_content:
            return _packed_strings(tensor)
        try:
            value = self.tf.make_ndarray(tensor)
        except Exception:  # variants, resources: not a parameter tfdoctor reads
            return None
        if value.shape == ():
            item = value.item()
            return item.decode("utf-8", "replace") if isinstance(item, bytes) else item
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in value.ravel().tolist()]

    def is_dataset(self, name: str) -> bool:
        node = self.nodes.get(_clean(name))
        return node is not None and "Dataset" in node.op

    def functions_of(self, node: Any) -> list[str]:
        out = []
        for key in ("f", "predicate"):
            if key in node.attr and node.attr[key].func.name:
                out.append(node.attr[key].func.name)
        return out

    def reachable(self, names: list[str]) -> list[Any]:
        """FunctionDefs these names call, directly or through nested functions."""
        seen: dict[str, Any] = {}
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in seen or name not in self.functions:
                continue
            fdef = seen[name] = self.functions[name]
            for nd in fdef.node_def:
                for attr in nd.attr.values():
                    which = attr.WhichOneof("value")
                    if which == "func" and attr.func.name:
                        stack.append(attr.func.name)
                    elif which == "list":
                        stack.extend(f.name for f in attr.list.func)
        return list(seen.values())

    def random_ops(self, functions: list[str]) -> tuple[RandomOp, ...]:
        found: list[RandomOp] = []
        for fdef in self.reachable(functions):
            label = _function_label(fdef.signature.name)
            by_name = {nd.name: nd for nd in fdef.node_def}
            args = {a.name for a in fdef.signature.input_arg}
            for nd in fdef.node_def:
                if nd.op in _STATEFUL_RANDOM:
                    seed, seed2 = nd.attr["seed"].i, nd.attr["seed2"].i
                    fixed = bool(seed or seed2)
                    how = _seed_words(seed, seed2)
                    found.append(RandomOp(nd.op, label, fixed, how))
                elif nd.op.startswith("Stateless") and "Random" in nd.op and nd.op not in _STATELESS_HELPERS:
                    fixed = _only_constants(nd, by_name, args)
                    found.append(RandomOp(nd.op, label, fixed, "constant seed" if fixed else "seed varies"))
                elif nd.op.startswith("Stateful") and ("Uniform" in nd.op or "Normal" in nd.op):
                    found.append(RandomOp(nd.op, label, False, "tf.random.Generator"))
        return tuple(found)

    def parse_specs(self, functions: list[str], label: str) -> tuple[ParseSpec, ...]:
        """The features dict of each ParseExampleV2 op (what `tf.io.parse_example` and
        `parse_single_example` build): keys from its Const inputs, dtypes and shapes from its
        attrs, defaults from the Const (through Reshape/Identity) each dense default comes from."""
        specs = []
        for fdef in self.reachable(functions):
            by_name = {nd.name: nd for nd in fdef.node_def}
            for nd in fdef.node_def:
                spec = None
                if nd.op == "ParseExampleV2":
                    spec = self._parse_example_spec(nd, by_name, label)
                elif nd.op == "ParseSequenceExampleV2":
                    spec = self._parse_sequence_spec(nd, by_name, label)
                if spec is not None:
                    specs.append(spec)
        return tuple(specs)

    def _function_const(self, name: str, by_name: dict[str, Any]) -> Any:
        node = by_name.get(_clean(name))
        while node is not None and node.op in ("Reshape", "Identity") and node.input:
            node = by_name.get(_clean(node.input[0]))
        if node is None or node.op != "Const":
            return None
        try:
            value = self.tf.make_ndarray(node.attr["value"].tensor)
        except Exception:  # a constant tfdoctor cannot read: treated as unknown
            return None
        return value

    def _parse_example_spec(self, nd: Any, by_name: dict[str, Any], label: str) -> ParseSpec | None:
        inputs = [i for i in nd.input if not i.startswith("^")]
        if len(inputs) < 5:
            return None
        keys = [self._function_const(inputs[i], by_name) for i in (2, 3, 4)]
        if any(k is None for k in keys):
            return None  # keys computed at run time: nothing to check
        sparse, dense, ragged = ([_text(v) for v in k.ravel().tolist()] for k in keys)  # type: ignore[union-attr]
        as_dtype = self.tf.dtypes.as_dtype
        tdense = [as_dtype(t).name for t in nd.attr["Tdense"].list.type]
        shapes = [[d.size for d in s.dim] for s in nd.attr["dense_shapes"].list.shape]
        defaults = inputs[5 : 5 + len(dense)]
        entries: list[FeatureSpec] = []
        for key, dtype, shape, default_input in zip(dense, tdense, shapes, defaults):
            if shape and shape[0] == -1:  # FixedLenSequenceFeature: rows of shape[1:], padded
                entries.append(
                    FeatureSpec(
                        key, "FixedLenSequenceFeature", dtype, shape=tuple(shape[1:]), allow_missing=True
                    )
                )
                continue
            default = self._default(default_input, by_name)
            entries.append(FeatureSpec(key, "FixedLenFeature", dtype, shape=tuple(shape), default=default))
        entries += _variable(
            "features", sparse, [as_dtype(t).name for t in nd.attr["sparse_types"].list.type]
        )
        ragged_types = [as_dtype(t).name for t in nd.attr["ragged_value_types"].list.type]
        entries += _variable("features", ragged, ragged_types, "RaggedFeature")
        if not entries:
            return None
        return ParseSpec(tuple(entries), name=label, call="ParseExampleV2")

    def _default(self, name: str, by_name: dict[str, Any]) -> Any:
        """A dense default as plain Python; None where the op was given an empty one (none)."""
        value = self._function_const(name, by_name)
        if value is None or not value.size:
            return None
        return value.item() if value.size == 1 else value.ravel().tolist()

    def _keys(self, name: str, by_name: dict[str, Any]) -> list[str] | None:
        value = self._function_const(name, by_name)
        return None if value is None else [_text(v) for v in value.ravel().tolist()]

    def _parse_sequence_spec(self, nd: Any, by_name: dict[str, Any], label: str) -> ParseSpec | None:
        """ParseSequenceExampleV2 (`parse_sequence_example`, `parse_single_sequence_example`):
        inputs are serialized, debug_name, the six key lists, feature_list_dense_missing_assumed_empty,
        then the context dense defaults."""
        inputs = [i for i in nd.input if not i.startswith("^")]
        if len(inputs) < 9:
            return None
        keys: list[list[str]] = []
        for i in range(2, 8):
            found = self._keys(inputs[i], by_name)
            if found is None:
                return None  # keys computed at run time: nothing to check
            keys.append(found)
        c_sparse, c_dense, c_ragged, f_sparse, f_dense, f_ragged = keys
        missing_ok = self._function_const(inputs[8], by_name)
        allow = [bool(v) for v in missing_ok.ravel().tolist()] if missing_ok is not None else []
        as_dtype = self.tf.dtypes.as_dtype
        attr = nd.attr

        def types(name: str) -> list[str]:
            return [as_dtype(t).name for t in attr[name].list.type]

        def shapes(name: str) -> list[tuple[int, ...]]:
            return [tuple(d.size for d in s.dim) for s in attr[name].list.shape]

        entries: list[FeatureSpec] = []
        defaults = inputs[9 : 9 + len(c_dense)]
        for key, dtype, shape, default_input in zip(
            c_dense, types("Tcontext_dense"), shapes("context_dense_shapes"), defaults
        ):
            default = self._default(default_input, by_name)
            entries.append(FeatureSpec(key, "FixedLenFeature", dtype, "context", shape, default))
        entries += _variable("context", c_sparse, types("context_sparse_types"))
        entries += _variable("context", c_ragged, types("context_ragged_value_types"), "RaggedFeature")
        for i, (key, dtype, shape) in enumerate(
            zip(f_dense, types("feature_list_dense_types"), shapes("feature_list_dense_shapes"))
        ):
            missing = allow[i] if i < len(allow) else False
            entries.append(
                FeatureSpec(key, "FixedLenSequenceFeature", dtype, "sequence", shape, allow_missing=missing)
            )
        entries += _variable("sequence", f_sparse, types("feature_list_sparse_types"))
        entries += _variable("sequence", f_ragged, types("feature_list_ragged_value_types"), "RaggedFeature")
        return ParseSpec(tuple(entries), name=label, call="ParseSequenceExampleV2") if entries else None

    def values_of(self, functions: list[str]) -> tuple[tuple[Decode, ...], tuple[OneHot, ...]]:
        """The image and raw decodes and the OneHot ops inside these functions, with the
        constants they were given (DecodeRaw's `out_type` and the constant shape a Reshape
        gives its values, OneHot's depth) and the parsed feature each reads: its input traced
        back inside the function, through ops that keep the values (Identity, Cast, Reshape,
        Squeeze, ExpandDims, SparseToDense) and the addition of a constant, to the output of a
        ParseExampleV2 (its dense, sparse or ragged values, named by its key lists)."""
        keep = ("Identity", "Cast", "Reshape", "Squeeze", "ExpandDims", "StopGradient")
        parsed = {"sparse_values": 2, "dense_values": 3, "ragged_values": 4}  # -> input of its keys

        def scalar(ref: str, by_name: dict[str, Any]) -> int | None:
            value = self._function_const(ref, by_name)
            return int(value.item()) if value is not None and value.size == 1 else None

        def traced(ref: str, by_name: dict[str, Any], args: set[str]) -> tuple[str | None, int | None]:
            """The feature a tensor comes from (None: not a parse op's output in this
            function), and the constant added to it on the way (None: changed otherwise)."""
            offset = 0
            for _ in range(32):
                name, _sep, rest = ref.partition(":")
                if name in args:
                    return None, offset
                node = by_name.get(name)
                inputs = [i for i in node.input if not i.startswith("^")] if node is not None else []
                if node is None or not inputs:
                    return None, None
                if node.op == "ParseExampleV2":
                    arg, _sep, index = rest.partition(":")
                    keys = self._keys(inputs[parsed[arg]], by_name) if arg in parsed else None
                    at = int(index or 0)
                    return (keys[at] if keys is not None and at < len(keys) else None), offset
                if node.op in ("Sub", "Add", "AddV2") and len(inputs) == 2:
                    right, left = scalar(inputs[1], by_name), scalar(inputs[0], by_name)
                    if right is not None:
                        offset, ref = offset + (-right if node.op == "Sub" else right), inputs[0]
                    elif left is not None and node.op != "Sub":
                        offset, ref = offset + left, inputs[1]
                    else:
                        return None, None
                elif node.op in keep or (node.op == "SparseToDense" and len(inputs) > 2):
                    ref = inputs[2] if node.op == "SparseToDense" else inputs[0]
                else:
                    return None, None
            return None, None

        decodes: list[Decode] = []
        one_hots: list[OneHot] = []
        for fdef in self.reachable(functions):
            by_name = {nd.name: nd for nd in fdef.node_def}
            args = {a.name for a in fdef.signature.input_arg}
            for nd in fdef.node_def:
                inputs = [i for i in nd.input if not i.startswith("^")]
                if nd.op in _IMAGE_DECODERS and inputs:
                    decodes.append(Decode(nd.op, traced(inputs[0], by_name, args)[0]))
                elif nd.op == "DecodeRaw" and inputs:
                    shape: tuple[int, ...] | None = None
                    frontier = [nd.name]  # its values, followed to the first Reshape
                    while frontier and shape is None:
                        source = frontier.pop()
                        for use in fdef.node_def:
                            if not use.input or _clean(use.input[0]) != source:
                                continue
                            if use.op == "Reshape" and len(use.input) > 1:
                                target = self._function_const(use.input[1], by_name)
                                shape = None if target is None else tuple(int(d) for d in target.ravel())
                                break
                            if use.op in ("Identity", "Cast", "StopGradient"):
                                frontier.append(use.name)
                    dtype = self.tf.dtypes.as_dtype(nd.attr["out_type"].type).name
                    decodes.append(Decode(nd.op, traced(inputs[0], by_name, args)[0], dtype, shape))
                elif nd.op == "OneHot" and len(inputs) >= 2:
                    one_hots.append(OneHot(scalar(inputs[1], by_name), *traced(inputs[0], by_name, args)))
        return tuple(decodes), tuple(one_hots)

    def reads_files(self, node: Any) -> bool:
        if node.op in _READERS:
            return True
        return any(
            nd.op in _READERS for fdef in self.reachable(self.functions_of(node)) for nd in fdef.node_def
        )

    def reader_compression(self, functions: list[str]) -> str | None:
        """The `compression_type` of the TFRecordDataset built inside these functions (how
        `TFRecordDataset(files)` reads: a flat_map of one reader per file), where a constant:
        "" (none), "GZIP" or "ZLIB"."""
        for fdef in self.reachable(functions):
            by_name = {nd.name: nd for nd in fdef.node_def}
            for nd in fdef.node_def:
                inputs = [i for i in nd.input if not i.startswith("^")]
                if nd.op in _READERS and len(inputs) >= 2:
                    value = self._function_const(inputs[1], by_name)
                    if value is not None and value.shape == ():
                        return _text(value.item())
        return None

    def file_names(self, node: Any) -> tuple[str, ...]:
        if not node.input:
            return ()
        source = self.nodes.get(_clean(node.input[0]))
        if source is None:
            return ()
        if source.op == "MatchingFiles" and source.input:
            pattern = self.const(source.input[0])
            return tuple(pattern if isinstance(pattern, list) else [pattern]) if pattern else ()
        value = self.const(node.input[0])
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(value)
        return ()


def _variable(
    section: str, keys: list[str], dtypes: list[str], kind: str = "VarLenFeature"
) -> list[FeatureSpec]:
    return [FeatureSpec(k, kind, t, section) for k, t in zip(keys, dtypes)]


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _packed_strings(tensor: Any) -> list[str]:
    """A string tensor stored in `tensor_content`: the varint length of each element, then
    the bytes. Written out here because `tf.make_ndarray` raises on it ("cannot create an
    OBJECT array from memory buffer")."""
    data = tensor.tensor_content
    count = 1
    for dim in tensor.tensor_shape.dim:
        count *= dim.size
    lengths, pos = [], 0
    for _ in range(count):
        shift = length = 0
        while True:
            byte = data[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        lengths.append(length)
    out = []
    for length in lengths:
        out.append(data[pos : pos + length].decode("utf-8", "replace"))
        pos += length
    return out


_DEFAULT_GRAPH_SEED = 87654321  # what TF puts in `seed` when only an op seed is given


def _seed_words(seed: int, seed2: int) -> str:
    """How a stateful random op got its seeds, in the user's terms."""
    if not (seed or seed2):
        return "unseeded"
    if seed == _DEFAULT_GRAPH_SEED:
        return f"op seed={seed2}"
    return f"global seed {seed}, from tf.random.set_seed or keras.utils.set_random_seed"


def _only_constants(node: Any, by_name: dict[str, Any], args: set[str]) -> bool:
    """Whether a stateless op's inputs derive from constants only (a seed fixed in code)."""
    stack = [_clean(i) for i in node.input]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in args:
            return False
        nd = by_name.get(name)
        if nd is None:
            return False  # comes from outside the function
        if nd.op.startswith(_VARYING_SOURCES):
            return False
        stack.extend(_clean(i) for i in nd.input)
    return True


def _params(graph: _Graph, node: Any) -> dict[str, Any]:
    args: dict[str, Any] = {}
    data_inputs = [i for i in node.input if not i.startswith("^")]
    for name, inp in zip(_PARAMS.get(node.op, ()), data_inputs[1:]):
        args[name] = graph.const(inp)
    trailing = _TRAILING.get(node.op, ())
    if trailing and len(data_inputs) > len(trailing):
        for name, inp in zip(trailing, data_inputs[-len(trailing) :]):
            args[name] = graph.const(inp)
    if "reshuffle_each_iteration" in node.attr:
        args["reshuffle_each_iteration"] = bool(node.attr["reshuffle_each_iteration"].b)
    if _KINDS.get(node.op) == "interleave" and "deterministic" in node.attr:  # "default", "true", "false"
        args["deterministic"] = node.attr["deterministic"].s.decode()
    if _KINDS.get(node.op) == "interleave" and "sloppy" in node.attr:  # ParallelInterleaveDatasetV2
        args["sloppy"] = bool(node.attr["sloppy"].b)
    if node.op in _SELECTED and "stop_on_empty_dataset" in node.attr:
        args["stop_on_empty_dataset"] = bool(node.attr["stop_on_empty_dataset"].b)
    if node.op == "BatchDataset":
        args.setdefault("drop_remainder", False)
    return args


def _merge_reads(steps: list[Step], built: bool = False) -> list[Step]:
    """`TFRecordDataset(files)` over several files is built as
    `from_tensor_slices(files).flat_map(read_one_file)`: shown and counted as the one step
    the user wrote. In the chain a function builds (`built`), the file names are its argument."""
    if (
        len(steps) >= 2
        and steps[0].kind == "source"
        and (steps[0].files or (built and not steps[0].branches))
    ):
        read = steps[1]
        if read.kind == "flat_map" and read.reads_files:
            args = {k: v for k, v in read.args.items() if k == "compression_type"}
            merged = Step(1, "TFRecordDataset", "read", args, None, (), True, steps[0].files, read.ops)
            rest = [replace(s, index=s.index - 1) for s in steps[2:]]
            return [merged, *rest]
    return steps


def _dataset_inputs(graph: _Graph, node: Any) -> list[str]:
    return [_clean(i) for i in node.input if not i.startswith("^") and graph.is_dataset(i)]


def _main_input(graph: _Graph, node: Any) -> str | None:
    """The input the chain goes on through: the first input dataset (the first data input of
    a DirectedInterleave, after its selector); none for a source, even one holding datasets."""
    if _KINDS.get(node.op) in ("source", "generator"):
        return None
    inputs = _dataset_inputs(graph, node)
    if node.op in _SELECTED:
        inputs = inputs[1:]
    return inputs[0] if inputs else None


def _held_datasets(graph: _Graph, node: Any) -> list[str]:
    """The datasets a TensorDataset / TensorSliceDataset is made of (`from_tensors(ds)`,
    `from_tensor_slices([a, b])`, through the Pack that stacks them)."""
    held = []
    for inp in (i for i in node.input if not i.startswith("^")):
        source = graph.nodes.get(_clean(inp))
        if source is None:
            continue
        if graph.is_dataset(inp):
            held.append(_clean(inp))
        elif source.op == "Pack":
            held += [_clean(i) for i in source.input if not i.startswith("^") and graph.is_dataset(i)]
    return held


def _made_by_tensorflow(func: Any) -> bool:
    """A function TensorFlow (or Keras) wrote for itself, nested in its own code: the
    `normalize` map of `unbatch()`, the map inside `ragged_batch`. A TensorFlow op the user
    passes (`map(tf.io.read_file)`) is not nested and stays the user's."""
    if func is None:
        return False
    try:
        func = inspect.unwrap(func)
    except ValueError:  # a wrapper cycle: judged as it is
        pass
    func = getattr(func, "python_function", func)  # a tf.function
    module = getattr(func, "__module__", None) or ""
    qualname = getattr(func, "__qualname__", None) or ""
    return module.split(".")[0] in ("tensorflow", "keras", "tf_keras") and "<locals>" in qualname


def _generator_name(func: Any) -> str | None:
    """The user's generator behind `from_generator`: TensorFlow's flat_map function holds it
    (in a `_GeneratorState`, through closures)."""
    stack: list[Any] = [func]
    seen: set[int] = set()
    while stack and len(seen) < 64:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if type(item).__name__ == "_GeneratorState":
            generator = getattr(item, "_generator", None)
            name = getattr(generator, "__name__", None) or type(generator).__name__
            return "lambda" if name == "<lambda>" else name
        for cell in getattr(item, "__closure__", None) or ():
            try:
                stack.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
    return None


def _fused_call(step: Step) -> str:
    """The fused op as the user wrote it: `map_and_batch(parse, 32)`, `shuffle_and_repeat(1000)`."""
    a = step.args
    if "MapAndBatch" in step.op:
        size, parallel = a.get("batch_size"), a.get("num_parallel_calls")
        text = f"map_and_batch({step.function or 'fn'}, {size}"
        if parallel is not None and parallel != size:  # its default is batch_size calls
            text += f", num_parallel_calls={'AUTOTUNE' if parallel == -1 else parallel}"
        return text + (", drop_remainder=True)" if a.get("drop_remainder") else ")")
    count = a.get("count")
    return f"shuffle_and_repeat({a.get('buffer_size')}" + (
        ")" if count in (None, -1) else f", count={count})"
    )


def _unfuse(step: Step) -> list[Step]:
    """A fused op as its logical steps: the first keeps the functions (the map of
    map_and_batch), each takes its own parameters; both name the fused call."""
    (first_kind, first_args), (second_kind, second_args) = _FUSED[step.op]
    a, fused = step.args, _fused_call(step)
    first = replace(step, kind=first_kind, args={k: a[k] for k in first_args if k in a}, fused=fused)
    second = Step(0, step.op, second_kind, {k: a[k] for k in second_args if k in a}, fused=fused)
    return [first, second]


def _steps_of(graph: _Graph, node: Any, depth: int) -> list[Step]:
    """The logical steps of one dataset node (two for a fused op), indices left at 0."""
    functions = graph.functions_of(node)
    decodes, one_hots = graph.values_of(functions)
    kind = _KINDS.get(node.op, "other")
    reads = graph.reads_files(node)
    args = _params(graph, node)
    if reads and functions and "compression_type" not in args:
        compression = graph.reader_compression(functions)
        if compression is not None:
            args["compression_type"] = compression
    inner = graph.reachable(functions)
    function = ("TFRecordDataset" if reads else _function_label(functions[0])) if functions else None
    branches: tuple[tuple[Step, ...], ...] = ()
    if depth < 4 and kind in ("zip", "concatenate", "sample"):
        inputs = _dataset_inputs(graph, node)
        if node.op in _SELECTED and inputs:
            selector, inputs = _chain(graph, inputs[0], depth + 1), inputs[1:]
            if not any(s.op.startswith("RandomDataset") for s in selector):  # the user's choices
                kind, args["choice"] = "choose", Pipeline(tuple(selector)).chain()
        branches = tuple(tuple(_chain(graph, other, depth + 1)) for other in inputs[1:])
    elif depth < 4 and kind == "source":
        branches = tuple(tuple(_chain(graph, held, depth + 1)) for held in _held_datasets(graph, node))
    elif depth < 4 and kind in ("interleave", "flat_map") and functions:
        built = _built_chain(graph, functions[0], depth + 1)
        more = any(
            not (s.kind in ("source", "read") or (s.kind == "flat_map" and s.reads_files)) for s in built
        )
        if more and any(s.reads_files for s in built):  # a chain per file: its shuffles, maps, repeats
            branches = (tuple(built),)  # (not a window's batches, built from the element itself)
    if kind == "flat_map" and any(nd.op == "GeneratorDataset" for f in inner for nd in f.node_def):
        kind = "generator"  # Dataset.from_generator: TensorFlow's flat_map over one dummy element
        function = _generator_name(graph.python.get(functions[0])) or "fn"
    inserted = (
        kind in ("map", "filter") and bool(functions) and _made_by_tensorflow(graph.python.get(functions[0]))
    )
    step = Step(
        index=0,
        op=node.op,
        kind=kind,
        args=args,
        function=function,
        random_ops=graph.random_ops(functions),
        reads_files=reads,
        files=graph.file_names(node) if kind in ("source", "read") else (),
        ops=tuple(sorted({nd.op for f in inner for nd in f.node_def})),
        parse_specs=graph.parse_specs(functions, "parse op"),
        decode_channels=tuple(
            nd.attr["channels"].i for f in inner for nd in f.node_def if nd.op in _IMAGE_DECODERS
        ),
        branches=branches,
        decodes=decodes,
        one_hots=one_hots,
        inserted=inserted,
    )
    return _unfuse(step) if node.op in _FUSED else [step]


def _built_chain(graph: _Graph, function: str, depth: int) -> list[Step]:
    """The chain an interleave or flat_map function builds for each element it is given
    (`lambda f: tf.data.TFRecordDataset(f).shuffle(100)`), read from the function's own
    nodes: the dataset its return value comes from, through Identity."""
    fdef = graph.functions.get(function)
    if fdef is None or not fdef.ret:
        return []
    by_name = {nd.name: nd for nd in fdef.node_def}
    node = by_name.get(_clean(next(iter(fdef.ret.values()))))
    while node is not None and node.op == "Identity" and node.input:
        node = by_name.get(_clean(node.input[0]))
    if node is None or "Dataset" not in node.op:
        return []
    inner = copy.copy(graph)
    inner.nodes, inner.built = by_name, True
    return _chain(inner, node.name, depth)


def _merge_sources(steps: list[Step]) -> list[Step]:
    """`from_generator(gen)` is a dummy `from_tensors` flat-mapped by TensorFlow: one step.
    The first interleave or flat_map over a source of datasets yields their records: it reads
    files where they do."""
    if len(steps) >= 2 and steps[0].op == "TensorDataset" and not steps[0].branches:
        if steps[1].kind == "generator":
            steps = [replace(steps[1], index=1), *(replace(s, index=s.index - 1) for s in steps[2:])]
    if steps and steps[0].kind == "source" and any(s.reads_files for b in steps[0].branches for s in b):
        at = next((i for i, s in enumerate(steps) if s.kind in ("interleave", "flat_map")), None)
        if at is not None:
            steps[at] = replace(steps[at], reads_files=True)
    return steps


def _chain(graph: _Graph, start: str | None, depth: int = 0) -> list[Step]:
    """The steps that end at node `start`, source first, following each node's main input
    (`_main_input`); the other inputs of a multi-input node are read as branches of its step,
    each a chain of its own."""
    nodes: list[Any] = []
    current = start
    while current is not None and current in graph.nodes and len(nodes) < 1000:
        node = graph.nodes[current]
        nodes.append(node)
        current = _main_input(graph, node)
    steps: list[Step] = []
    for node in reversed([n for n in nodes if n.op not in _TRANSPARENT]):
        steps += [replace(s, index=len(steps) + i + 1) for i, s in enumerate(_steps_of(graph, node, depth))]
    steps = _merge_sources(_merge_reads(steps, built=graph.built))
    if not any(s.reads_files for s in steps):  # strings that are data, not file names
        steps = [replace(s, files=()) if s.kind == "source" else s for s in steps]
    return steps


def _python_functions(dataset: Any, tf: Any) -> dict[str, Any]:
    """Graph function name -> the Python function it was traced from, for every dataset
    object reachable from this one: its inputs, and the datasets it holds apart from them
    (the map inside `ragged_batch`)."""
    out: dict[str, Any] = {}
    stack: list[Any] = [dataset]
    seen: set[int] = set()
    while stack and len(seen) < 1000:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        try:
            wrappers, inputs = list(obj._functions()), list(obj._inputs())
        except Exception:  # an object of another make: nothing to learn from it
            continue
        for wrapper in wrappers:
            try:
                name = wrapper.function.name
            except Exception:  # a wrapper without a traced function
                continue
            out.setdefault(
                name.decode() if isinstance(name, bytes) else str(name), getattr(wrapper, "_func", None)
            )
        held = [v for v in getattr(obj, "__dict__", {}).values() if isinstance(v, tf.data.Dataset)]
        stack += [*inputs, *held]
    return out


def _named_specs(steps: list[Step], within: str = "") -> list[Step]:
    """Name each parse spec by the step that holds it, as findings show it: "`map(parse)`
    (step 2)", and in the inputs of a multi-input step "`map(parse)` (step 2 of input 2 of
    `zip(2 datasets)` at step 4)"."""
    out = []
    for s in steps:
        branches = tuple(
            tuple(_named_specs(list(branch), f" of input {j + 2} of `{s.call()}` at step {s.index}{within}"))
            for j, branch in enumerate(s.branches)
        )
        specs = tuple(replace(p, name=f"`{s.call()}` (step {s.index}{within})") for p in s.parse_specs)
        out.append(replace(s, parse_specs=specs, branches=branches))
    return out


def read_pipeline(dataset: Any) -> Pipeline:
    """The chain of a `tf.data.Dataset`, source first."""
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef.FromString(dataset._as_serialized_graph().numpy())
    graph = _Graph(graph_def, tf, _python_functions(dataset, tf))
    ret = next((n for n in graph_def.node if n.op == "_Retval"), None)
    steps = _chain(graph, _clean(ret.input[0]) if ret is not None and ret.input else None)
    steps = _named_specs(steps)
    try:
        cardinality: int | None = int(dataset.cardinality().numpy())
    except Exception:  # a dataset TensorFlow cannot count: unknown, like -2
        cardinality = None
    return Pipeline(
        tuple(steps), str(dataset.element_spec), None if cardinality in (None, -2) else cardinality
    )
