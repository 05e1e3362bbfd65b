"""Specs read from a Python source file with `ast`, without running it.

A training script may download data, start a job or delete files when run; its parse spec
is nearly always literal (a dict of `tf.io.FixedLenFeature(...)`), so tfdoctor evaluates only
that: dict literals, `dict(...)`, comprehensions over literal key lists, names assigned in the
enclosing function or module, `spec['k'] = ...` and `spec.update(...)`, constant arithmetic for
shapes, and dtypes by name. Anything else is reported as unreadable, naming the line.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..facts.spec import KINDS, FeatureSpec, ParseSpec, normalise_dtype
from .model import SpecError

# parse function -> (positional index, keyword) of each features argument, by section
_PARSE_CALLS: dict[str, dict[str, tuple[int, str]]] = {
    "parse_example": {"features": (1, "features")},
    "parse_single_example": {"features": (1, "features")},
    "parse_example_dataset": {"features": (0, "features")},
    "parse_sequence_example": {"context": (1, "context_features"), "sequence": (2, "sequence_features")},
    "parse_single_sequence_example": {
        "context": (1, "context_features"),
        "sequence": (2, "sequence_features"),
    },
}
# positional parameters of each feature config, as TensorFlow declares them
_PARAMS = {
    "FixedLenFeature": ("shape", "dtype", "default_value"),
    "VarLenFeature": ("dtype",),
    "FixedLenSequenceFeature": ("shape", "dtype", "allow_missing", "default_value"),
    "SparseFeature": ("index_key", "value_key", "dtype", "size", "already_sorted"),
    "RaggedFeature": ("dtype", "value_key", "partitions", "row_splits_dtype", "validate"),
}
_PARTITIONS = ("RowSplits", "RowLengths", "RowStarts", "RowLimits", "ValueRowIds", "UniformRowLength")
_DTYPE_NAMES = {
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
    "float64", "bfloat16", "double", "half", "string", "bool", "complex64", "complex128",
}  # fmt: skip
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}


class _Unreadable(Exception):
    def __init__(self, node: ast.AST, why: str) -> None:
        super().__init__(why)
        self.node, self.why = node, why


@dataclass(frozen=True)
class _DType:
    name: str


@dataclass(frozen=True)
class _Feature:
    """A feature config call, evaluated: kind and keyword arguments."""

    kind: str
    args: dict[str, Any]
    line: int


@dataclass(frozen=True)
class _Partition:
    kind: str
    key: str | None


@dataclass
class _Scope:
    name: str  # function name, or "<module>"
    parent: _Scope | None
    assigns: dict[str, list[tuple[int, ast.expr]]] = field(default_factory=dict)
    # name -> [(line, key expr or None for update(), value expr)]
    updates: dict[str, list[tuple[int, ast.expr | None, ast.expr]]] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)


@dataclass
class SourceSpecs:
    """What a source file yields: the specs read, and why any parse call was skipped."""

    specs: list[ParseSpec]
    skipped: list[str]


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return "?"


class _Reader:
    def __init__(self, tree: ast.Module, source: str, label: str, path: str) -> None:
        self.source = source
        self.label = label  # how specs are named: the file name
        self.path = path  # how errors name the file
        self._used: set[int] = set()  # ids of assigned expressions a parse call's spec reads
        self.module = _Scope("<module>", None)
        self.calls: list[tuple[ast.Call, _Scope, str]] = []
        self._scopes: dict[int, _Scope] = {}  # id(function node) -> its scope
        self._collect(tree.body, self.module)

    # -- collecting scopes and parse calls (nothing is run) --
    def _collect(self, body: list[ast.stmt], scope: _Scope) -> None:
        for stmt in body:
            for node in _walk_same_scope(stmt):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    scope.functions.setdefault(node.name, node)
                    inner = self._scopes[id(node)] = _Scope(node.name, scope)
                    self._collect(node.body, inner)
                elif isinstance(node, ast.ClassDef):
                    self._collect(node.body, _Scope(node.name, scope))
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        self._note_assign(scope, target, node.value, node.lineno)
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    self._note_assign(scope, node.target, node.value, node.lineno)
                elif isinstance(node, ast.Call):
                    func_name = _last_name(node.func)
                    if func_name in _PARSE_CALLS:
                        self.calls.append((node, scope, func_name))
                    elif func_name == "partial" and node.args and _last_name(node.args[0]) in _PARSE_CALLS:
                        # functools.partial(tf.io.parse_single_example, features=SPEC): the
                        # records come later, so the arguments shift by one
                        bound = _last_name(node.args[0]) or ""
                        shifted = [] if bound == "parse_example_dataset" else [ast.Constant(None)]
                        call = ast.Call(node.args[0], [*shifted, *node.args[1:]], node.keywords)
                        ast.copy_location(call, node)
                        self.calls.append((call, scope, bound))
                    elif (
                        func_name == "update"
                        and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name)
                    ):
                        for arg in node.args[:1]:
                            scope.updates.setdefault(node.func.value.id, []).append((node.lineno, None, arg))

    def _note_assign(self, scope: _Scope, target: ast.expr, value: ast.expr, line: int) -> None:
        if isinstance(target, ast.Name):
            scope.assigns.setdefault(target.id, []).append((line, value))
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            scope.updates.setdefault(target.value.id, []).append((line, target.slice, value))
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            for t, v in zip(target.elts, value.elts):
                self._note_assign(scope, t, v, line)

    # -- evaluating the few expressions a spec is written with --
    def _lookup(self, name: str, scope: _Scope, line: int) -> tuple[ast.expr, _Scope, int]:
        current: _Scope | None = scope
        while current is not None:
            assigns = current.assigns.get(name)
            if assigns:
                before = [a for a in assigns if a[0] < line]
                # a module constant may be defined below the function that uses it
                chosen = before[-1] if before else (assigns[0] if current is not scope else None)
                if chosen is not None:
                    return chosen[1], current, chosen[0]
            current = current.parent
        raise _Unreadable(ast.Name(id=name), f"'{name}' is not assigned a literal value in this file")

    def value(self, node: ast.expr, scope: _Scope, line: int) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out: list[Any] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    out.extend(self.value(elt.value, scope, line))
                else:
                    out.append(self.value(elt, scope, line))
            return out
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.value(node.operand, scope, line)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self.value(node.left, scope, line), self.value(node.right, scope, line)
            if isinstance(left, (int, float, str, list)) and isinstance(right, (int, float, str, list)):
                return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Dict):
            return self._dict(node, scope, line)
        if isinstance(node, ast.DictComp):
            return self._dict_comp(node, scope, line)
        if isinstance(node, ast.Attribute):
            if node.attr in _DTYPE_NAMES:  # tf.int64, tf.dtypes.float32, np.int32
                return _DType(normalise_dtype(node.attr))
        if isinstance(node, ast.Name):
            if node.id in _DTYPE_NAMES:  # from tensorflow import int64
                return _DType(normalise_dtype(node.id))
            if node.id in ("None", "True", "False"):
                return {"None": None, "True": True, "False": False}[node.id]
            expr, where, at = self._lookup(node.id, scope, line)
            self._used.add(id(expr))
            base = self.value(expr, where, at)
            return self._apply_updates(base, node.id, where, at, line if where is scope else 10**9)
        if isinstance(node, ast.Call):
            return self._call(node, scope, line)
        why = f"`{self._text(node)}` is not a literal tfdoctor can read without running the file"
        raise _Unreadable(node, why)

    def _apply_updates(self, base: Any, name: str, scope: _Scope, after: int, before: int) -> Any:
        if not isinstance(base, dict):
            return base
        base = dict(base)
        for at, key, val in scope.updates.get(name, []):
            if after < at < before:
                if key is None:
                    base.update(self.value(val, scope, at))
                else:
                    base[self.value(key, scope, at)] = self.value(val, scope, at)
        return base

    def _dict(self, node: ast.Dict, scope: _Scope, line: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, val in zip(node.keys, node.values):
            if key is None:  # {**base, ...}
                out.update(self.value(val, scope, line))
            else:
                out[self.value(key, scope, line)] = self.value(val, scope, line)
        return out

    def _dict_comp(self, node: ast.DictComp, scope: _Scope, line: int) -> dict[Any, Any]:
        if len(node.generators) != 1 or node.generators[0].ifs:
            raise _Unreadable(node, "a dict comprehension with filters or several loops")
        gen = node.generators[0]
        if not isinstance(gen.target, ast.Name):
            raise _Unreadable(node, "a dict comprehension that unpacks its loop variable")
        keys = self.value(gen.iter, scope, line)
        if isinstance(keys, dict):
            keys = list(keys)
        inner = _Scope("<comprehension>", scope)
        out: dict[Any, Any] = {}
        for item in keys:
            inner.assigns[gen.target.id] = [(0, ast.Constant(item))]
            out[self.value(node.key, inner, line)] = self.value(node.value, inner, line)
        return out

    def _call(self, node: ast.Call, scope: _Scope, line: int) -> Any:
        name = _last_name(node.func)
        if name in KINDS:
            return self._feature(name, node, scope, line)
        if name in _PARTITIONS:
            args = [self.value(a, scope, line) for a in node.args]
            kwargs = {k.arg: self.value(k.value, scope, line) for k in node.keywords if k.arg}
            key = kwargs.get("key", args[0] if args and name != "UniformRowLength" else None)
            return _Partition(name, key)
        if name == "dict" and isinstance(node.func, ast.Name):
            out: dict[Any, Any] = {}
            for arg in node.args:
                out.update(self.value(arg, scope, line))
            for kw in node.keywords:
                if kw.arg is None:
                    out.update(self.value(kw.value, scope, line))
                else:
                    out[kw.arg] = self.value(kw.value, scope, line)
            return out
        if name in ("list", "tuple") and isinstance(node.func, ast.Name) and len(node.args) == 1:
            return list(self.value(node.args[0], scope, line))
        if name == "TensorShape" and len(node.args) == 1:
            return self.value(node.args[0], scope, line)
        if name == "as_dtype" and len(node.args) == 1:
            return _DType(normalise_dtype(str(self.value(node.args[0], scope, line))))
        if isinstance(node.func, ast.Name) and not node.args and not node.keywords:
            func = self._function(node.func.id, scope)
            if func is not None:  # def feature_spec(): return {...}
                return self._returned(func, scope)
        raise _Unreadable(node, f"`{self._text(node)}` is a call tfdoctor does not run")

    def _function(self, name: str, scope: _Scope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        current: _Scope | None = scope
        while current is not None:
            if name in current.functions:
                return current.functions[name]
            current = current.parent
        return None

    def _returned(self, func: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope) -> Any:
        returns = [n for n in _walk_same_scope_body(func.body) if isinstance(n, ast.Return) and n.value]
        if len(returns) != 1 or func.args.args:
            raise _Unreadable(func, f"function {func.name}() is not a single literal return")
        inner = self._scopes[id(func)]
        ret = returns[0]
        assert ret.value is not None
        return self.value(ret.value, inner, ret.lineno)

    def _feature(self, kind: str, node: ast.Call, scope: _Scope, line: int) -> _Feature:
        params = _PARAMS[kind]
        args: dict[str, Any] = {}
        if len(node.args) > len(params):
            raise _Unreadable(node, f"{kind} takes at most {len(params)} positional arguments")
        for pname, arg in zip(params, node.args):
            args[pname] = self.value(arg, scope, line)
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in params:
                raise _Unreadable(node, f"{kind} has no argument {kw.arg!r}")
            args[kw.arg] = self.value(kw.value, scope, line)
        return _Feature(kind, args, node.lineno)

    def _text(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or type(node).__name__
        text = " ".join(text.split())
        return text if len(text) <= 80 else text[:77] + "..."

    # -- from evaluated dicts to ParseSpecs --
    def specs(self) -> SourceSpecs:
        specs: list[ParseSpec] = []
        skipped: list[str] = []
        used: set[int] = set()  # ids of dict expressions passed to a parse call
        for call, scope, func_name in self.calls:
            where = f"{self.label}:{call.lineno} {scope.name}"
            sections: dict[str, Any] = {}
            try:
                for section, (pos, kw) in _PARSE_CALLS[func_name].items():
                    arg = _argument(call, pos, kw)
                    if arg is None:
                        continue
                    used.add(id(arg))
                    sections[section] = self.value(arg, scope, call.lineno)
                if not sections:
                    raise _Unreadable(call, f"{func_name} is called without a features argument")
                specs.append(self._spec(sections, where, func_name, call.lineno))
            except _Unreadable as exc:
                line = getattr(exc.node, "lineno", call.lineno)
                skipped.append(f"{self.label}:{line}: {func_name} in {scope.name}: {exc.why}")
            except SpecError as exc:
                raise SpecError(exc.reason, self.path, call.lineno) from None
        specs.extend(self._named_dicts(used | self._used))
        return SourceSpecs(_dedupe(specs), skipped)

    def _named_dicts(self, used: set[int]) -> Iterator[ParseSpec]:
        """Module-level dicts of feature configs that no parse call here uses: a spec module
        (`FEATURES = {...}`) imported by the training script."""
        for name, assigns in self.module.assigns.items():
            line, expr = assigns[-1]
            if id(expr) in used or not _looks_like_spec(expr):
                continue
            try:
                base = self.value(expr, self.module, line)
                value = self._apply_updates(base, name, self.module, line, 10**9)
            except _Unreadable:
                continue
            lower = name.lower()
            section = "sequence" if "sequence" in lower else ("context" if "context" in lower else "features")
            try:
                yield self._spec({section: value}, f"{self.label}:{line} {name}", None, line)
            except SpecError as exc:
                raise SpecError(exc.reason, self.path, line) from None

    def _spec(self, sections: dict[str, Any], name: str, call: str | None, line: int) -> ParseSpec:
        entries: list[FeatureSpec] = []
        for section, mapping in sections.items():
            if not isinstance(mapping, dict):
                raise SpecError(f"the {section} argument is {type(mapping).__name__}, not a dict")
            for key, config in mapping.items():
                if not isinstance(key, str):
                    raise SpecError(f"feature key {key!r} is not a string")
                if not isinstance(config, _Feature):
                    raise SpecError(f"feature {key!r} is {config!r}, not a tf.io feature config")
                entries.append(_to_feature_spec(key, config, section))
        return ParseSpec(tuple(entries), name=name, call=call, file=self.label, line=line)


def _argument(call: ast.Call, pos: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > pos and not any(isinstance(a, ast.Starred) for a in call.args[: pos + 1]):
        return call.args[pos]
    return None


def _looks_like_spec(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Dict):
        values = expr.values
    elif isinstance(expr, ast.DictComp):
        values = [expr.value]
    elif isinstance(expr, ast.Call) and _last_name(expr.func) == "dict":
        values = [k.value for k in expr.keywords]
    else:
        return False
    calls = [v for v in values if isinstance(v, ast.Call)]
    return bool(values) and len(calls) == len(values) and all(_last_name(c.func) in KINDS for c in calls)


def _walk_same_scope(stmt: ast.stmt) -> Iterator[ast.AST]:
    """Nodes of a statement, not descending into nested functions or classes (yielded, not
    entered: the caller collects them as scopes of their own)."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _walk_same_scope_body(body: list[ast.stmt]) -> Iterator[ast.AST]:
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield from _walk_same_scope(stmt)


def _dtype(value: Any, where: str) -> str:
    if isinstance(value, _DType):
        return value.name
    if isinstance(value, str):
        return normalise_dtype(value)
    raise SpecError(f"{where}: dtype {value!r} is not a dtype")


def _shape(value: Any, where: str) -> tuple[int | None, ...] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return (value,)
    if isinstance(value, list) and all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    raise SpecError(f"{where}: shape {value!r} is not a list of integers")


def _to_feature_spec(key: str, f: _Feature, section: str) -> FeatureSpec:
    where = f"feature {key!r}"
    a = f.args
    if "dtype" not in a:
        raise SpecError(f"{where}: {f.kind} without a dtype")
    dtype = _dtype(a["dtype"], where)
    if f.kind in ("FixedLenFeature", "FixedLenSequenceFeature"):
        if "shape" not in a:
            raise SpecError(f"{where}: {f.kind} without a shape")
        return FeatureSpec(
            key, f.kind, dtype, section, _shape(a["shape"], where), a.get("default_value"),
            allow_missing=bool(a.get("allow_missing", False)), line=f.line,
        )  # fmt: skip
    if f.kind == "VarLenFeature":
        return FeatureSpec(key, f.kind, dtype, section, line=f.line)
    if f.kind == "SparseFeature":
        index = a.get("index_key")
        index_keys = (index,) if isinstance(index, str) else tuple(index or ())
        size = a.get("size")
        return FeatureSpec(
            key, f.kind, dtype, section, _shape(size, where), value_key=a.get("value_key"),
            index_keys=index_keys, line=f.line,
        )  # fmt: skip
    partitions = a.get("partitions") or []
    keys = tuple(p.key for p in partitions if isinstance(p, _Partition) and p.key)
    last = partitions[-1] if partitions and isinstance(partitions[-1], _Partition) else None
    return FeatureSpec(
        key, f.kind, dtype, section, value_key=a.get("value_key"), partition_keys=keys,
        inner_partition=last.kind if last is not None and last.key else None, line=f.line,
    )  # fmt: skip


def _dedupe(specs: list[ParseSpec]) -> list[ParseSpec]:
    """One spec used by several calls is checked once, named by its first use."""
    seen: dict[str, int] = {}
    out: list[ParseSpec] = []
    for spec in specs:
        key = repr([replace(f, line=None) for f in spec.features])  # defaults may be lists: not hashable
        if key in seen:
            continue
        seen[key] = len(out)
        out.append(spec)
    return out


def read_source(path: str | Path, label: str | None = None) -> SourceSpecs:
    """Every parse spec in a Python file, read without running it."""
    path = Path(path)
    label = label or path.name
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read: {exc}", str(path)) from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise SpecError(f"not valid Python: {exc.msg}", str(path), exc.lineno) from None
    return _Reader(tree, source, label, str(path)).specs()
