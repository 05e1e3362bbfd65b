"""Read a Keras 3 model into `ModelFacts`: its inputs, the layers that rescale them, its
outputs with their final activation, and the compiled loss and metrics. Reads what the model
has: a model that is not compiled has no loss, one that is not built has no input shapes, a
subclassed model has no graph to walk (its layers are still searched for preprocessing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..facts.model import ModelFacts, OutputFacts, Preprocessing, TensorSpecFacts

# Layers an activation passes through unchanged on its way to the output: the activation
# before them is the output's.
_TRANSPARENT = {
    "Reshape", "Flatten", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "GaussianDropout", "AlphaDropout", "GaussianNoise", "Identity", "Permute", "Cropping1D",
    "Cropping2D", "Cropping3D", "Squeeze", "ExpandDims", "Cast",
}  # fmt: skip
# Activation layers and ops, by class: the activation they apply.
_ACTIVATION_CLASSES = {"Softmax": "softmax", "Sigmoid": "sigmoid", "ReLU": "relu",
                       "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu",
                       "LogSoftmax": "log_softmax", "Tanh": "tanh"}  # fmt: skip
# Ops written on an input tensor (`x / 255.0`, preprocess_input called on a keras.Input) that rescale it
_ARITHMETIC = {"TrueDivide", "Divide", "Multiply", "Subtract", "Add"}
# A loss name Keras resolves to another function (keras.losses.get would do it; these are the
# aliases seen in code)
_LOSS_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "bce": "binary_crossentropy",
                 "cce": "categorical_crossentropy", "scce": "sparse_categorical_crossentropy",
                 "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
                 "kld": "kl_divergence", "huber_loss": "huber"}  # fmt: skip


def model_facts(model: Any) -> ModelFacts:
    """What `model` (a keras.Model: functional, Sequential or subclassed; compiled or not)
    expects of its data. Never raises on a model it cannot fully read: what it could not read
    is in `notes`."""
    try:
        return _read(model)
    except Exception as exc:  # a model of another make: judged on nothing, and said so
        name = str(getattr(model, "name", type(model).__name__))
        return ModelFacts(name, notes=(f"could not read the model: {type(exc).__name__}: {exc}",))


def _read(model: Any) -> ModelFacts:
    notes: list[str] = []
    inputs = _inputs(model, notes)
    outputs = _outputs(model, notes)
    losses = _losses(model, [o.name for o in outputs])
    if losses and outputs:
        outputs = [_with_loss(o, losses.get(o.name) or losses.get("")) for o in outputs]
    return ModelFacts(
        name=str(getattr(model, "name", type(model).__name__)),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        preprocessing=tuple(_preprocessing(model)),
        compiled=bool(getattr(model, "compiled", False)) and getattr(model, "loss", None) is not None,
        loss=_loss_text(getattr(model, "loss", None)),
        metrics=tuple(_metrics(model)),
        notes=tuple(notes),
    )


# -- inputs and outputs ----------------------------------------------------------------------


def _graph(model: Any) -> bool:
    """Whether the model has a graph of layers to walk (functional, or a built Sequential)."""
    try:
        return bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        return False


def _named(struct: Any, tensors: list[Any]) -> list[tuple[str, Any]]:
    """(name, tensor) in the order Keras takes them: a dict's keys where the model was built
    with dicts (Keras maps dict elements by them), else the names of the Input layers (the
    tensor of an unnamed `keras.Input` is only "keras_tensor_12"; its layer is "input_layer")."""
    if isinstance(struct, dict):
        return [(str(k), v) for k, v in struct.items()]
    return [(_input_name(t, i), t) for i, t in enumerate(tensors)]


def _input_name(tensor: Any, index: int) -> str:
    history = getattr(tensor, "_keras_history", None)
    name = getattr(getattr(history, "operation", None), "name", None) or getattr(tensor, "name", None)
    return str(name or f"input_{index}")


def _shape(tensor: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _inputs(model: Any, notes: list[str]) -> list[TensorSpecFacts]:
    if not _graph(model):
        notes.append(_no_graph(model))
        return []
    named = _input_pairs(model)
    return [TensorSpecFacts(name, _shape(t), str(t.dtype)) for name, t in named]


def _no_graph(model: Any) -> str:
    if not getattr(model, "built", False):
        return "the model is not built (no Input and never called): its input and output shapes are unknown"
    return f"{type(model).__name__} is a subclassed model: its inputs and outputs are not read"


def _outputs(model: Any, notes: list[str]) -> list[OutputFacts]:
    if _graph(model):
        struct = getattr(model, "_outputs_struct", None)
        if isinstance(struct, dict):
            named = _named(struct, [])
        else:
            names = list(getattr(model, "output_names", None) or [])
            named = [
                (names[i] if i < len(names) else _producer(t)[0].name, t) for i, t in enumerate(model.outputs)
            ]
        return [_output(name, t) for name, t in named]
    last = _last_layer(model)
    if last is None:
        return []
    units = getattr(last, "units", None)
    activation = _activation_of(last)
    if units is None and not activation:
        return []
    return [OutputFacts(last.name, (None, int(units)) if units else (), layer=last.name,
                        activation=activation, activation_layer=last.name if activation else "")]  # fmt: skip


def _last_layer(model: Any) -> Any:
    """The last layer of a Sequential (a subclassed model's call order is not known)."""
    if type(model).__name__ != "Sequential":
        return None
    layers = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ != "InputLayer"]
    while layers and type(layers[-1]).__name__ in _TRANSPARENT:
        layers.pop()
    return layers[-1] if layers else None


def _producer(tensor: Any) -> tuple[Any, int]:
    history = tensor._keras_history
    return history.operation, history.node_index


def _output(name: str, tensor: Any) -> OutputFacts:
    op, node_index = _producer(tensor)
    layer = op.name
    activation, activation_layer = "", ""
    for _ in range(50):  # back through layers that pass the activation on
        activation = _activation_of(op)
        if activation or type(op).__name__ not in _TRANSPARENT:
            activation_layer = op.name if activation else ""
            break
        parents = _parents(op, node_index)
        if len(parents) != 1:
            break
        op, node_index = parents[0]
    return OutputFacts(name, _shape(tensor), str(tensor.dtype), layer, activation, activation_layer)


def _activation_of(op: Any) -> str:
    """The activation a layer or op applies last; "" where it applies none it is known for."""
    kind = type(op).__name__
    axis = getattr(op, "axis", -1)
    if kind == "Softmax" and axis not in (-1, [-1], (-1,)):  # over another axis than the units
        return f"softmax(axis={axis})"
    if kind in _ACTIVATION_CLASSES:
        return _ACTIVATION_CLASSES[kind]
    activation = getattr(op, "activation", None)
    if callable(activation):
        return str(getattr(activation, "__name__", "")).removesuffix("_activation")
    if isinstance(activation, str):
        return activation
    return ""


def _parents(op: Any, node_index: int) -> list[tuple[Any, int]]:
    """The ops (and their node) whose outputs feed this op's call `node_index`."""
    nodes = getattr(op, "_inbound_nodes", [])
    if node_index >= len(nodes):
        return []
    return [_producer(t) for t in nodes[node_index].input_tensors if hasattr(t, "_keras_history")]


# -- preprocessing -----------------------------------------------------------------------------


def _input_pairs(model: Any) -> list[tuple[str, Any]]:
    return _named(getattr(model, "_inputs_struct", None), list(model.inputs))


def _preprocessing(model: Any) -> Iterator[Preprocessing]:
    """Layers that rescale or normalize inputs, anywhere in the model (nested models too),
    each with the model inputs it is applied to where the graph tells."""
    if _graph(model):
        yield from _graph_preprocessing(model, {id(t): name for name, t in _input_pairs(model)}, None)
        return
    for layer in _all_layers(model):
        found = _as_preprocessing(layer, ())
        if found is not None:
            yield found


def _graph_preprocessing(
    model: Any, names: dict[int, str], outer: tuple[str, ...] | None
) -> Iterator[Preprocessing]:
    """`names`: model input tensor id -> input name; `outer`: for a nested model, the outer
    model's inputs that reach it (its own inputs are not the user's)."""
    for op in _operations(model):
        kind = type(op).__name__
        if kind == "InputLayer":
            continue
        reached = outer if outer is not None else _inputs_upstream(op, names)
        if kind in _ARITHMETIC:
            if _on_input(op):
                yield Preprocessing(op.name, "arithmetic", reached, kind)
            continue
        if _graph(op):  # a nested model: its preprocessing applies to what reaches it
            yield from _graph_preprocessing(op, {}, reached)
            continue
        if hasattr(op, "_flatten_layers") and not _graph(op):
            for inner in _all_layers(op):
                found = _as_preprocessing(inner, reached)
                if found is not None:
                    yield found
        found = _as_preprocessing(op, reached)
        if found is not None:
            yield found


def _operations(model: Any) -> list[Any]:
    """The layers and ops of a model's graph (a Sequential keeps its graph in `_functional`)."""
    found = getattr(model, "operations", None)
    if found is None:
        found = getattr(getattr(model, "_functional", None), "operations", None)
    return list(found if found is not None else getattr(model, "layers", []))


def _all_layers(model: Any) -> list[Any]:
    try:
        return list(model._flatten_layers(include_self=False, recursive=True))
    except Exception:  # a layer of another make
        return list(getattr(model, "layers", []))


def _as_preprocessing(layer: Any, inputs: tuple[str, ...]) -> Preprocessing | None:
    kind = type(layer).__name__
    if kind == "Rescaling":
        scale, offset = getattr(layer, "scale", None), getattr(layer, "offset", None)
        return Preprocessing(layer.name, kind, inputs, f"scale {_num(scale)}, offset {_num(offset)}")
    if kind == "Normalization":
        return Preprocessing(layer.name, kind, inputs)
    if kind == "Lambda":
        function = getattr(layer, "function", None)
        name = str(getattr(function, "__name__", ""))
        module = str(getattr(function, "__module__", ""))
        if "preprocess" in name or ".applications." in module:
            return Preprocessing(layer.name, "preprocess_input", inputs, f"{module}.{name}".strip("."))
    return None


def _num(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _on_input(op: Any) -> bool:
    """An arithmetic op on one tensor (the other operand a constant) that comes from an input
    through such ops and casts only: `x / 255`, `(x - mean) / std` on a keras.Input; not a
    residual `Add` of a layer's output, nor the sum of two inputs."""
    current, index = op, 0
    for _ in range(20):
        parents = _parents(current, index)
        if len(parents) != 1:
            return False
        current, index = parents[0]
        kind = type(current).__name__
        if kind == "InputLayer":
            return True
        if kind not in _ARITHMETIC and kind != "Cast":
            return False
    return False


def _inputs_upstream(op: Any, names: dict[int, str]) -> tuple[str, ...]:
    """The model inputs that reach `op` (by the graph), in the model's order."""
    found: set[str] = set()
    stack, seen = [t for node in getattr(op, "_inbound_nodes", [])[:1] for t in node.input_tensors], set()
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen or not hasattr(tensor, "_keras_history"):
            continue
        seen.add(id(tensor))
        if id(tensor) in names:
            found.add(names[id(tensor)])
            continue
        parent, index = _producer(tensor)
        nodes = getattr(parent, "_inbound_nodes", [])
        if index < len(nodes):
            stack += list(nodes[index].input_tensors)
    return tuple(n for n in names.values() if n in found)


# -- loss and metrics --------------------------------------------------------------------------


def _loss_name(loss: Any) -> tuple[str | None, bool | None]:
    """A loss's canonical function name (class instances by the function they wrap) and its
    from_logits; (None, None) for no loss."""
    if loss is None:
        return None, None
    if isinstance(loss, str):
        name = _LOSS_ALIASES.get(loss, loss)
        try:
            import keras

            name = str(getattr(keras.losses.get(loss), "__name__", name))
        except Exception:  # a name Keras does not know (it would refuse it at compile)
            pass
        return name, False if "crossentropy" in name else None
    fn = getattr(loss, "fn", None)  # a LossFunctionWrapper: CategoricalCrossentropy(from_logits=True)
    kwargs = getattr(loss, "_fn_kwargs", None)
    if callable(fn):
        from_logits = kwargs.get("from_logits") if isinstance(kwargs, dict) else None
        logits = None if from_logits is None else bool(from_logits)
        return str(getattr(fn, "__name__", type(loss).__name__)), logits
    if callable(loss) and hasattr(loss, "__name__"):  # a function: defaults apply
        name = str(loss.__name__)
        return name, False if "crossentropy" in name else None
    config = _config(loss)
    from_logits = config.get("from_logits")
    return type(loss).__name__, None if from_logits is None else bool(from_logits)


def _config(obj: Any) -> dict[str, Any]:
    try:
        config = obj.get_config()
    except Exception:
        return {}
    return config if isinstance(config, dict) else {}


def _losses(model: Any, output_names: list[str]) -> dict[str, tuple[str | None, bool | None]]:
    """Output name -> (loss, from_logits); key "" for one loss shared by every output."""
    loss = getattr(model, "loss", None)
    if loss is None:
        return {}
    if isinstance(loss, dict):
        return {str(k): _loss_name(v) for k, v in loss.items()}
    if isinstance(loss, (list, tuple)):
        return {name: _loss_name(v) for name, v in zip(output_names, loss)}
    return {"": _loss_name(loss)}


def _with_loss(output: OutputFacts, loss: tuple[str | None, bool | None] | None) -> OutputFacts:
    if loss is None:
        return output
    return replace(output, loss=loss[0], from_logits=loss[1])


def _loss_text(loss: Any) -> str | None:
    if loss is None:
        return None
    if isinstance(loss, dict):
        return ", ".join(f"{k}: {_loss_text(v)}" for k, v in loss.items())
    if isinstance(loss, (list, tuple)):
        return ", ".join(str(_loss_text(v)) for v in loss)
    name, from_logits = _loss_name(loss)
    return f"{name}(from_logits=True)" if from_logits else str(name)


def _metrics(model: Any) -> list[str]:
    try:
        given = model.get_compile_config().get("metrics") if getattr(model, "compiled", False) else None
    except Exception:  # a compile config that does not serialize (custom objects)
        given = None
    out: list[str] = []
    for metric in given if isinstance(given, (list, tuple)) else [given] if given else []:
        if isinstance(metric, dict) and "class_name" in metric:
            config = metric.get("config")
            out.append(
                str(
                    config.get("name")
                    if isinstance(config, dict) and config.get("name")
                    else metric["class_name"]
                )
            )
        elif isinstance(metric, (list, tuple, dict)):  # per output
            out += [str(m) for m in (metric.values() if isinstance(metric, dict) else metric)]
        else:
            out.append(str(metric))
    return out
