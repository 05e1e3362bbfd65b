"""`model_facts` on real Keras 3 models: functional, Sequential (built or not), subclassed,
nested applications; the preprocessing each input gets; the final activation of each output
and the compiled loss with its from_logits."""

from __future__ import annotations

from typing import Any

from tfdoctor.facts.model import ModelFacts, OutputFacts, Preprocessing, TensorSpecFacts
from tfdoctor.model.read import model_facts


def test_a_functional_model_with_rescaling_and_a_separate_softmax(tf: Any) -> None:
    import keras

    image = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Rescaling(1 / 255)(image)
    x = keras.layers.Flatten()(keras.layers.Conv2D(4, 3)(x))
    x = keras.layers.Dense(10, name="logits")(x)
    probs = keras.layers.Dropout(0.1)(keras.layers.Softmax(name="probs")(x))  # passes the softmax on
    model = keras.Model(image, probs, name="cnn")
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    facts = model_facts(model)
    assert facts.name == "cnn" and facts.compiled and facts.notes == ()
    assert facts.inputs == (TensorSpecFacts("image", (None, 28, 28, 1), "float32"),)
    assert facts.preprocessing == (
        Preprocessing(model.layers[1].name, "Rescaling", ("image",), "scale 0.00392157, offset 0"),
    )
    (out,) = facts.outputs
    assert (out.shape, out.units, out.activation, out.activation_layer) == (
        (None, 10),
        10,
        "softmax",
        "probs",
    )
    assert (out.loss, out.from_logits) == ("sparse_categorical_crossentropy", True)
    assert facts.loss == "sparse_categorical_crossentropy(from_logits=True)"
    assert facts.metrics == ("accuracy",)


def test_losses_by_string_alias_function_and_class_per_output(tf: Any) -> None:
    import keras

    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    h = keras.layers.Concatenate()([a, b])
    model = keras.Model(
        [a, b], [keras.layers.Dense(1, activation="sigmoid", name="p")(h), keras.layers.Dense(2, name="r")(h)]
    )
    model.compile(loss={"p": "bce", "r": keras.losses.mean_squared_error})
    outs = {o.name: o for o in model_facts(model).outputs}
    assert (outs["p"].loss, outs["p"].from_logits, outs["p"].activation) == (
        "binary_crossentropy",
        False,
        "sigmoid",
    )
    assert (outs["r"].loss, outs["r"].from_logits, outs["r"].activation) == (
        "mean_squared_error",
        None,
        "linear",
    )
    model.compile(loss=["categorical_crossentropy", keras.losses.Huber()])
    outs = {o.name: o for o in model_facts(model).outputs}
    assert (outs["p"].loss, outs["r"].loss) == ("categorical_crossentropy", "huber")


def test_preprocessing_is_attributed_to_the_input_it_rescales(tf: Any) -> None:
    """`x / 255` on one input, a Normalization on the other (inputs in a dict Keras flattens in
    another order than written); an application's preprocess_input called on an Input, or
    wrapped in a Lambda; the Rescaling a keras.applications model holds."""
    import keras

    image, tab = keras.Input((32, 32, 3), name="image"), keras.Input((5,), name="tab")
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(2, 3)(image / 255.0))
    t = keras.layers.Normalization(mean=0.0, variance=1.0)(tab)
    model = keras.Model(
        {"tab": tab, "image": image}, keras.layers.Dense(1)(keras.layers.Concatenate()([x, t]))
    )
    facts = model_facts(model)
    assert [(p.kind, p.inputs) for p in facts.preprocessing] == [
        ("arithmetic", ("image",)),
        ("Normalization", ("tab",)),
    ]
    assert facts.rescales("image") and facts.rescales("tab")

    applied = keras.applications.mobilenet_v2.preprocess_input(image)  # ops on the symbolic tensor
    on_input = keras.Model(image, keras.layers.Dense(2)(keras.layers.Flatten()(applied)))
    assert {p.kind for p in model_facts(on_input).preprocessing} == {"arithmetic"}

    wrapped = keras.layers.Lambda(keras.applications.resnet50.preprocess_input)(image)
    in_lambda = keras.Model(image, keras.layers.Dense(2)(keras.layers.Flatten()(wrapped)))
    (found,) = model_facts(in_lambda).preprocessing
    assert (found.kind, found.inputs) == ("preprocess_input", ("image",))
    assert found.detail.endswith("preprocess_input") and "applications" in found.detail

    base = keras.applications.MobileNetV3Small(include_top=False, weights=None, input_shape=(32, 32, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(base(image))
    nested = keras.Model(image, keras.layers.Dense(3, activation="softmax")(pooled))
    assert [(p.kind, p.inputs) for p in model_facts(nested).preprocessing] == [("Rescaling", ("image",))]


def test_a_residual_add_is_not_preprocessing(tf: Any) -> None:
    import keras

    x = keras.Input((8,), name="x")
    h = keras.layers.Dense(8)(x)
    model = keras.Model(x, keras.layers.Dense(1)(h + keras.layers.Dense(8)(h)))
    assert model_facts(model).preprocessing == ()


def test_models_without_a_graph_are_judged_on_what_they_have(tf: Any) -> None:
    """A Sequential with no Input: the last layer's units and activation, no input shapes. A
    subclassed model: its layers are searched for preprocessing, nothing else is guessed."""
    import keras

    unbuilt = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Dense(1, activation="softmax")])
    facts = model_facts(unbuilt)
    assert facts.inputs == () and not facts.compiled and facts.loss is None
    assert facts.outputs == (OutputFacts(unbuilt.layers[-1].name, (None, 1), layer=unbuilt.layers[-1].name,
                                         activation="softmax", activation_layer=unbuilt.layers[-1].name),)  # fmt: skip
    assert [p.kind for p in facts.preprocessing] == ["Rescaling"]
    assert "not built" in facts.notes[0]

    class Sub(keras.Model):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.norm = keras.layers.Rescaling(1 / 127.5, offset=-1)
            self.out = keras.layers.Dense(2, activation="softmax")

        def call(self, x: Any) -> Any:
            return self.out(self.norm(x))

    sub = Sub()
    sub(keras.ops.zeros((1, 4)))
    facts = model_facts(sub)
    assert (facts.inputs, facts.outputs) == ((), ()) and [p.kind for p in facts.preprocessing] == [
        "Rescaling"
    ]
    assert "subclassed" in facts.notes[0]


def test_something_that_is_not_a_model_gives_a_note_not_a_traceback() -> None:
    facts = model_facts(object())
    assert isinstance(facts, ModelFacts) and facts.outputs == () and facts.notes


def test_a_sequential_and_a_sequential_block_inside_a_model(tf: Any) -> None:
    """Sequential models keep their graph apart (no `operations`); a Sequential preprocessing
    block (augmentation, then Rescaling) inside a functional model is the usual way to write it."""
    import keras

    plain = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])  # fmt: skip
    facts = model_facts(plain)
    assert [(p.kind, p.inputs) for p in facts.preprocessing] == [("Rescaling", (facts.inputs[0].name,))]
    assert facts.inputs[0].shape == (None, 8, 8, 3) and facts.outputs[0].activation == "softmax"

    block = keras.Sequential([keras.layers.RandomFlip(), keras.layers.Rescaling(1 / 255)])
    image = keras.Input((8, 8, 3), name="image")
    model = keras.Model(image, keras.layers.Dense(2)(keras.layers.Flatten()(block(image))))
    assert [(p.kind, p.inputs) for p in model_facts(model).preprocessing] == [("Rescaling", ("image",))]


def test_a_softmax_over_another_axis_is_not_the_units_softmax(tf: Any) -> None:
    """Attention weights: a softmax over the steps of (batch, steps, 1) is not a softmax over one
    unit (TFD706 stays silent on it)."""
    import keras

    from tfdoctor.config import Config
    from tfdoctor.facts import Facts
    from tfdoctor.rules import run_rules

    steps = keras.Input((10, 4), name="steps")
    weights = keras.layers.Softmax(axis=1, name="attention")(keras.layers.Dense(1)(steps))
    facts = model_facts(keras.Model(steps, weights))
    assert facts.outputs[0].activation == "softmax(axis=1)" and facts.outputs[0].units == 1
    assert run_rules(Facts(model=facts), Config(select=("TFD706",))) == ([], [])


def test_arithmetic_counts_as_preprocessing_only_on_an_input_and_a_constant(tf: Any) -> None:
    """`(cast(x) - 127.5) / 127.5` on an Input rescales it; `Add()([x, dense(x)])` (a residual
    from the input) and the sum of two inputs do not."""
    import keras

    x = keras.Input((4,), name="x")
    scaled = (keras.ops.cast(x, "float32") - 127.5) / 127.5
    model = keras.Model(x, keras.layers.Dense(1)(scaled))
    assert {(p.kind, p.inputs) for p in model_facts(model).preprocessing} == {("arithmetic", ("x",))}
    residual = keras.Model(x, keras.layers.Dense(1)(keras.layers.Add()([x, keras.layers.Dense(4)(x)])))
    assert model_facts(residual).preprocessing == ()
    y = keras.Input((4,), name="y")
    summed = keras.Model([x, y], keras.layers.Dense(1)(x + y))
    assert model_facts(summed).preprocessing == ()
