"""Load the user's Keras model: a saved `.keras` / `.h5` file, or `train.py:make_model` /
`package.module:make_model` called with keyword arguments. Building a model runs the user's
code, by design (as building a pipeline does)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ..pipeline.load import import_file

SAVED = (".keras", ".h5", ".hdf5")


class ModelError(ValueError):
    """The model could not be loaded or built: says what and where."""


def load_model(target: str, kwargs: dict[str, Any]) -> Any:
    """A keras.Model from `target`: a saved file (`kwargs` go to `keras.models.load_model`,
    e.g. `{"safe_mode": False}`), or `file.py:function` / `package.module:function` (called
    with `kwargs`; it may also name a model object). Raises ModelError saying what failed."""
    if target.lower().endswith(SAVED):
        return _load_saved(target, kwargs)
    module_name, sep, attr = target.rpartition(":")
    if not sep or not attr or not module_name:
        raise ModelError(
            f"{target!r}: use a saved model (.keras, .h5), file.py:function or package.module:function"
        )
    module = _import(module_name)
    found = getattr(module, attr, None)
    if found is None:
        raise ModelError(f"{module_name} has no attribute {attr!r}")
    try:
        model = found(**kwargs) if callable(found) and not _is_model(found) else found
    except Exception as exc:
        raise ModelError(f"{target}({', '.join(kwargs)}) raised {type(exc).__name__}: {exc}") from None
    if not _is_model(model):
        raise ModelError(f"{target} returned {type(model).__name__}, not a keras.Model")
    return model


def _is_model(obj: Any) -> bool:
    try:
        import keras
    except ImportError:  # pragma: no cover - Keras comes with TensorFlow
        return False
    return isinstance(obj, keras.Model)


def _load_saved(target: str, kwargs: dict[str, Any]) -> Any:
    path = Path(target)
    if not path.is_file():
        raise ModelError(f"{target}: no such file")
    import keras

    try:
        return keras.models.load_model(str(path), **kwargs)
    except Exception as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        hint = ""
        if "safe_mode" in str(exc):
            hint = (
                " (Keras will not run the code of a Lambda layer read from a file: give "
                "file.py:make_model that builds the model instead, or trust the file with safe_mode=False)"
            )
        raise ModelError(f"{target}: Keras could not load it: {type(exc).__name__}: {text}{hint}") from None


def _import(module_name: str) -> Any:
    if not module_name.endswith(".py"):
        try:
            return importlib.import_module(module_name)
        except Exception as exc:
            raise ModelError(f"{module_name}: cannot import: {type(exc).__name__}: {exc}") from None
    path = Path(module_name)
    if not path.is_file():
        raise ModelError(f"{module_name}: no such file")
    try:
        return import_file(path)  # the pipeline's own file, when both are there, is not run twice
    except Exception as exc:
        raise ModelError(f"{module_name}: importing it raised {type(exc).__name__}: {exc}") from None
