"""Build the user's dataset: `train.py:make_dataset` or `pkg.module:make_dataset`, called
with `--arg key=value` keyword arguments. This runs the user's code, by design: a pipeline
only exists once its function has built it."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any


class PipelineError(ValueError):
    """The pipeline could not be built: says what and where."""


def parse_args(pairs: list[str]) -> dict[str, Any]:
    """`k=v` pairs; values are Python literals where they parse as one (32, 0.5, True,
    'x', [1, 2]), strings otherwise."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise PipelineError(f"--arg {pair!r}: use key=value")
        try:
            out[key.strip()] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            out[key.strip()] = raw
    return out


def build(target: str, kwargs: dict[str, Any]) -> Any:
    """Import the module and call the function; returns what it returns (a tf.data.Dataset)."""
    module_name, sep, attr = target.rpartition(":")
    if not sep or not attr:
        raise PipelineError(f"{target!r}: use file.py:function or package.module:function")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise PipelineError(f"{module_name}: no such file")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise PipelineError(f"{module_name}: cannot import")
        module = importlib.util.module_from_spec(spec)
        # registered like any import: AutoGraph looks functions' modules up in sys.modules
        sys.modules[spec.name] = module
        sys.path.insert(0, str(path.parent.resolve()))
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PipelineError(f"{module_name}: importing it raised {type(exc).__name__}: {exc}") from None
        finally:
            sys.path.remove(str(path.parent.resolve()))
    else:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise PipelineError(f"{module_name}: cannot import: {type(exc).__name__}: {exc}") from None
    func = getattr(module, attr, None)
    if func is None:
        raise PipelineError(f"{module_name} has no attribute {attr!r}")
    try:
        dataset = func(**kwargs) if callable(func) else func
    except Exception as exc:
        raise PipelineError(f"{target}({', '.join(kwargs)}) raised {type(exc).__name__}: {exc}") from None
    if not hasattr(dataset, "_as_serialized_graph"):
        raise PipelineError(f"{target} returned {type(dataset).__name__}, not a tf.data.Dataset")
    return dataset
