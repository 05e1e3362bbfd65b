"""One entry point for every form a spec comes in: `load_specs("train.py")` (read by AST, not
run), `"train.py:FEATURES"` or `"pkg.module:FEATURES"` (imported: runs that module, and only
when asked), `"train.py:make_dataset"` (imported and called: the dataset it builds is
returned, for its graph's parse ops to be read), `schema.pbtxt`, `spec.json`."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..facts.spec import ParseSpec
from .from_files import from_json, from_schema_pbtxt
from .from_python import from_objects
from .from_source import SourceSpecs, read_source
from .model import SpecError

_SCHEMA_SUFFIXES = (".pbtxt", ".textproto", ".prototxt")


def parse_bindings(pairs: list[str], option: str = "--spec-arg") -> dict[str, Any]:
    """`NAME=VALUE` pairs; a value is a Python literal where it parses as one (128, 0.5,
    True, 'x', [1, 2]), a string otherwise."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise SpecError(f"{option} {pair!r}: use NAME=VALUE")
        try:
            out[key.strip()] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            out[key.strip()] = raw
    return out


def load_specs(
    arg: str, *, spec_args: Mapping[str, Any] | None = None, call_args: Mapping[str, Any] | None = None
) -> SourceSpecs:
    """The specs a `--spec` argument names. Raises SpecError (what and where) when it cannot.

    `spec_args` gives values for names a .py file leaves open (read without running it);
    `call_args` are the keyword arguments `file.py:function` is called with."""
    path = Path(arg)
    if path.is_file() or ":" not in arg or (len(arg) > 1 and arg[1] == ":" and Path(arg[:2]).exists()):
        if not path.exists():
            raise SpecError("no such file", arg)
        suffix = path.suffix.lower()
        if suffix == ".py":
            found = read_source(path, spec_args=spec_args)
            if not found.specs:
                why = "; ".join(found.skipped) or "no tf.io.parse_* call and no dict of tf.io features"
                raise SpecError(f"no parse spec tfdoctor can read: {why}", arg)
            return found
        if suffix in _SCHEMA_SUFFIXES:
            return SourceSpecs([from_schema_pbtxt(path)], [])
        if suffix == ".json":
            return SourceSpecs([from_json(path)], [])
        raise SpecError("unknown spec format: use a .py file, module:ATTR, a schema .pbtxt or .json", arg)
    target, _, attr = arg.rpartition(":")
    value = _attribute(_import(target), attr, arg)
    called = callable(value) and not isinstance(value, dict)
    if called:
        value = _call(value, attr, arg, call_args or {})
        if hasattr(value, "_as_serialized_graph"):  # a tf.data.Dataset: its graph holds the specs
            return SourceSpecs([], [], datasets=[(arg, value)])
    elif call_args:
        raise SpecError(f"--arg is given, but {attr} is {type(value).__name__}, not a function", arg)
    return SourceSpecs([_from_value(value, attr, arg, called)], [])


def _import(target: str) -> Any:
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise SpecError("no such file", target)
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        if module_spec is None or module_spec.loader is None:
            raise SpecError("cannot import", target)
        module = importlib.util.module_from_spec(module_spec)
        sys.path.insert(0, str(path.parent.resolve()))
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:
            raise SpecError(f"importing it raised {type(exc).__name__}: {exc}", target) from None
        finally:
            sys.path.remove(str(path.parent.resolve()))
        return module
    try:
        return importlib.import_module(target)
    except Exception as exc:
        raise SpecError(f"cannot import module: {type(exc).__name__}: {exc}", target) from None


def _attribute(module: Any, attr: str, label: str) -> Any:
    value: Any = module
    for part in attr.split("."):
        if not hasattr(value, part):
            raise SpecError(f"has no attribute {attr!r}", label)
        value = getattr(value, part)
    return value


def _call(func: Any, attr: str, label: str, kwargs: Mapping[str, Any]) -> Any:
    """Call the user's function (this runs their code, as asked)."""
    try:
        return func(**kwargs)
    except Exception as exc:
        raise SpecError(f"{attr}({', '.join(kwargs)}) raised {type(exc).__name__}: {exc}", label) from None


def _from_value(value: Any, attr: str, label: str, called: bool) -> ParseSpec:
    try:
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return from_objects(context_features=value[0], sequence_features=value[1], name=label)
        if isinstance(value, dict):
            return from_objects(value, name=label)
    except SpecError as exc:
        raise SpecError(exc.reason, label) from None
    what = "returns" if called else "is"  # the function's result, or the attribute itself
    raise SpecError(
        f"{attr} {what} {type(value).__name__}: not a dict of tf.io feature configs, a (context, sequence) "
        "pair or a tf.data.Dataset",
        label,
    )
