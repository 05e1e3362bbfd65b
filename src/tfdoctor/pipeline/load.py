"""Build the user's dataset: `train.py:make_dataset` or `pkg.module:make_dataset`, called
with `--arg key=value` keyword arguments. This runs the user's code, by design: a pipeline
only exists once its function has built it."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any


class PipelineError(ValueError):
    """The pipeline could not be built: says what and where (a target that names no file,
    function or dataset: a usage error)."""


class PipelineRaised(PipelineError):
    """The user's code raised (or exited) while importing its module or calling its function:
    a finding about their code, not a usage error. `phase` says which."""

    def __init__(self, message: str, phase: str, error_type: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.phase, self.error_type, self.exit_code = phase, error_type, exit_code


def _raised(phase: str, exc: BaseException) -> PipelineRaised:
    if isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) or exc.code is None else 1
        shown = exc.code if exc.code is not None else 0
        return PipelineRaised(f"{phase} called sys.exit({shown!r})", phase, "SystemExit", code or 0)
    return PipelineRaised(f"{phase} raised {type(exc).__name__}: {exc}", phase, type(exc).__name__)


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


def _check_call(target: str, func: Any, kwargs: dict[str, Any]) -> None:
    """A missing or unknown --arg is the command line's fault, not the function's: say so
    before calling it (a TypeError from inside the function is the function's)."""
    if not callable(func):
        return
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin without one: the call will tell
        return
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        wanted = [
            p.name for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        raise PipelineError(
            f"{target}: {exc}; it takes {', '.join(wanted) or 'no arguments'} "
            "(pass them with --arg key=value)"
        ) from None


_FILES: dict[Path, ModuleType] = {}  # the user's .py files imported in this process, by resolved path


def import_file(path: Path) -> ModuleType:
    """Import a user's .py file as a module, once per process: registered in sys.modules like
    any import (AutoGraph and Keras look functions' modules up there), its folder on sys.path
    while it runs. A second target in the same file (`--model train.py:make_model` beside
    `train.py:make_dataset`) gets the same module, not a second run of its top level.
    Exceptions (and SystemExit) of the file's own code propagate."""
    resolved = path.resolve()
    found = _FILES.get(resolved)
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    folder = str(resolved.parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
    _FILES[resolved] = module
    return module


def target_source(target: str) -> str | None:
    """`file.py:function` for the code a target names, for the `# tfdoctor: ignore[...]`
    comments on its steps: the file itself, or an imported module's file (None for a module
    not imported here)."""
    module, _, function = target.rpartition(":")
    path = module if module.endswith(".py") else getattr(sys.modules.get(module), "__file__", None)
    return f"{path}:{function}" if path else None


def build(target: str, kwargs: dict[str, Any], on_phase: Callable[[str], None] | None = None) -> Any:
    """Import the module and call the function; returns what it returns (a tf.data.Dataset).
    Raises PipelineRaised where the user's code raises or calls sys.exit (at import or in the
    function), PipelineError where the target names nothing usable. `on_phase` hears each
    phase as it starts, for a supervisor to say where a crash happened."""
    say = on_phase or (lambda phase: None)
    module_name, sep, attr = target.rpartition(":")
    if not sep or not attr:
        raise PipelineError(f"{target!r}: use file.py:function or package.module:function")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise PipelineError(f"{module_name}: no such file")
        phase = f"importing {module_name}"
        say(phase)
        try:
            module = import_file(path)
        except (Exception, SystemExit) as exc:
            raise _raised(phase, exc) from None
    else:
        phase = f"importing {module_name}"
        say(phase)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                raise PipelineError(f"{module_name}: no such module") from None
            raise _raised(phase, exc) from None
        except (Exception, SystemExit) as exc:
            raise _raised(phase, exc) from None
    func = getattr(module, attr, None)
    if func is None:
        raise PipelineError(f"{module_name} has no attribute {attr!r}")
    _check_call(target, func, kwargs)
    phase = f"calling {target}({', '.join(kwargs)})"
    say(phase)
    try:
        dataset = func(**kwargs) if callable(func) else func
    except (Exception, SystemExit) as exc:
        raise _raised(phase, exc) from None
    if not hasattr(dataset, "_as_serialized_graph"):
        raise PipelineError(f"{target} returned {type(dataset).__name__}, not a tf.data.Dataset")
    return dataset
