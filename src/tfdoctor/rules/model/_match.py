"""Which leaf of the batches Keras feeds to which model input, and which it compares with
which output, as `model.fit` takes a dataset's elements: `(x, y)` or `(x, y, sample_weight)`
tuples; x and y each one tensor, a dict (by input or output name) or a tuple (by position).
An element that is not a tuple is all x (no labels)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ...facts.batches import BatchFacts, TensorFacts
from ...facts.model import ModelFacts, OutputFacts, TensorSpecFacts

T = TypeVar("T", TensorSpecFacts, OutputFacts)
_TUPLE = re.compile(r"^\[(\d+)\](.*)$")


@dataclass(frozen=True)
class Fed(Generic[T]):
    """A leaf of the batches and the model input (or output) it meets."""

    tensor: TensorFacts
    target: T


def _part(batches: BatchFacts, position: int) -> dict[str, TensorFacts]:
    """The leaves under one position of a tuple element, by their path below it ("" for a
    plain tensor, ".name" for a dict key, "[i]" for a tuple position)."""
    out: dict[str, TensorFacts] = {}
    for t in batches.tensors:
        match = _TUPLE.match(t.path)
        if match and int(match.group(1)) == position:
            out[match.group(2)] = t
    return out


def _tupled(batches: BatchFacts) -> bool:
    return bool(batches.tensors) and all(_TUPLE.match(t.path) for t in batches.tensors)


def _pair(leaves: dict[str, TensorFacts], targets: Sequence[T]) -> list[Fed[T]]:
    if not leaves or not targets:
        return []
    if set(leaves) == {""}:
        return [Fed(leaves[""], targets[0])] if len(targets) == 1 else []
    by_name = {t.name: t for t in targets}
    out: list[Fed[T]] = []
    for key, tensor in leaves.items():
        position = _TUPLE.match(key)
        if key.startswith(".") and key[1:] in by_name:
            out.append(Fed(tensor, by_name[key[1:]]))
        elif key.startswith(".") and len(leaves) == len(targets) == 1:
            out.append(Fed(tensor, targets[0]))
        elif position and not position.group(2) and int(position.group(1)) < len(targets):
            out.append(Fed(tensor, targets[int(position.group(1))]))
    return out


def inputs_fed(batches: BatchFacts, model: ModelFacts) -> list[Fed[TensorSpecFacts]]:
    """Each model input with the leaf of the batches Keras gives it."""
    if _tupled(batches):
        return _pair(_part(batches, 0), model.inputs)
    leaves = {"" if t.path == "[0]" else f".{t.path}": t for t in batches.tensors}
    return _pair(leaves, model.inputs)


def labels_fed(batches: BatchFacts, model: ModelFacts) -> list[Fed[OutputFacts]]:
    """Each model output with the leaf of the batches Keras compares it with (the y of an
    (x, y) element)."""
    if not _tupled(batches):
        return []
    return _pair(_part(batches, 1), model.outputs)


def dims(shape: Sequence[int | None]) -> str:
    """A shape as Python writes a tuple: (None, 28, 28, 1), (32,)."""
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
