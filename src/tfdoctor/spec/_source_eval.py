"""The few expressions a parse spec is written with, evaluated from a collected `SourceFile`
and never run: literals and arithmetic; names assigned in the enclosing function, class or
module, with the entries added to them afterwards (also in `for` loops and `if` branches);
function parameters, bound by `--spec-arg`, by the file's own calls of that function, or by
their defaults; `self.x` set in `__init__`; absl / tf.flags defaults; comprehensions; the
file's own functions returning a spec; `tf.zeros` / `tf.constant` / `np.int64` defaults.

A value only running the file would give is an `Unknown` (where, why, and the names that
would bind it), not an error: an entry whose shape is unknown is still checked for presence
and dtype. A choice the file leaves open (a conditional expression, an `if` on an unknown
value, several call sites) raises `Fork`; the reader then evaluates every branch.
"""

from __future__ import annotations

import ast
import builtins
import math
import operator
import re
import struct
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..facts.spec import KINDS, normalise_dtype
from ._source_scope import Control, Function, Scope, SourceFile, Update, last_name, method_of

# positional parameters of each feature config, as TensorFlow declares them
PARAMS = {
    "FixedLenFeature": ("shape", "dtype", "default_value"),
    "VarLenFeature": ("dtype",),
    "FixedLenSequenceFeature": ("shape", "dtype", "allow_missing", "default_value"),
    "SparseFeature": ("index_key", "value_key", "dtype", "size", "already_sorted"),
    "RaggedFeature": ("dtype", "value_key", "partitions", "row_splits_dtype", "validate"),
}
PARTITIONS = ("RowSplits", "RowLengths", "RowStarts", "RowLimits", "ValueRowIds", "UniformRowLength")
DTYPE_NAMES = {
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
    "float64", "bfloat16", "double", "half", "string", "bool", "complex64", "complex128",
}  # fmt: skip
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow, ast.BitOr: operator.or_,
}  # fmt: skip
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}  # fmt: skip
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
_BUILTINS = {
    "dict", "list", "tuple", "set", "len", "range", "zip", "enumerate", "sorted", "reversed", "min", "max",
    "sum", "abs", "int", "float", "str", "bool", "round",
}  # fmt: skip
_METHODS: dict[type, set[str]] = {
    str: {"format", "lower", "upper", "strip", "lstrip", "rstrip", "replace", "startswith", "endswith",
          "join", "split", "title"},
    dict: {"get", "keys", "values", "items", "copy"},
    list: {"copy", "index", "count"},
}  # fmt: skip
# tf.* / np.* constructors of a default_value -> their parameters
_TENSORS = {
    "zeros": ("shape", "dtype"), "ones": ("shape", "dtype"), "fill": ("dims", "value"),
    "full": ("shape", "fill_value", "dtype"), "constant": ("value", "dtype", "shape"),
    "convert_to_tensor": ("value", "dtype"), "array": ("value", "dtype"), "asarray": ("value", "dtype"),
}  # fmt: skip
_NUMPY = ("np", "numpy", "onp")
_TENSORFLOW = ("tf", "tensorflow")
_MAX_ITEMS = 10_000  # loop iterations and tensor elements evaluated
_MAX_DEPTH = 12  # nested calls of the file's own functions
_MAX_NESTING = 120  # expressions evaluated inside one another
_MAX_ELEMENTS = 10**6  # elements (and characters) of one value, counted through nesting
_MAX_BITS = 128  # bits of an integer: a shape or a default needs no more
_MAX_STEPS = 1_000_000  # expressions evaluated for one spec
_MAX_SECONDS = 10.0  # time spent evaluating one spec
_MISSING = object()
_WIDE = re.compile(r"\d{5,}")  # a format width or precision of 10,000 characters or more


@dataclass(frozen=True)
class Unknown:
    """A value only running the file would give: where, why, and the names that would bind it."""

    node: ast.AST
    why: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class DType:
    name: str


@dataclass(frozen=True)
class Feature:
    """A feature config call, evaluated: its kind, its arguments by name, and their source."""

    kind: str
    args: dict[str, Any]
    texts: dict[str, str]
    line: int


@dataclass(frozen=True)
class Partition:
    kind: str
    key: Any


class Fork(Exception):
    """A choice the file leaves open: each label names one branch."""

    def __init__(self, key: Hashable, labels: list[str]) -> None:
        super().__init__(key)
        self.key, self.labels = key, labels


class Unreadable(Exception):
    def __init__(self, node: ast.AST, why: str, names: tuple[str, ...] = ()) -> None:
        super().__init__(why)
        self.node, self.why, self.names = node, why, names


class Budget(Exception):
    """One spec takes more evaluation than tfdoctor spends on it: it is not checked."""

    def __init__(self, node: ast.AST, why: str) -> None:
        super().__init__(why)
        self.node, self.why = node, why


def size(value: Any, cap: int = _MAX_ELEMENTS) -> int:
    """Elements in a value, through nesting (a string counts its characters); stops counting
    past `cap`."""
    total, stack = 0, [value]
    while stack and total <= cap:
        v = stack.pop()
        if isinstance(v, (str, bytes)):
            total += len(v)
        elif isinstance(v, (list, tuple, set)):
            total += len(v) + 1
            stack.extend(v)
        elif isinstance(v, dict):
            total += len(v) + 1
            stack.extend(v.keys())
            stack.extend(v.values())
        else:
            total += 1
    return total


class _Stop(Exception):
    """Ends the evaluation of a loop or an update: `unknown` is why."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.why)
        self.unknown = unknown


def unknown_in(value: Any) -> Unknown | None:
    """The first Unknown inside a value (through lists, tuples and dicts); None when known."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (list, tuple)):
        return next((u for u in map(unknown_in, value) if u is not None), None)
    if isinstance(value, dict):
        return next((u for u in map(unknown_in, [*value.keys(), *value.values()]) if u is not None), None)
    return None


def _bits(value: Any) -> float:
    """log2 of an integer's magnitude (0 for anything else)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0.0
    return float(abs(value).bit_length())


def _too_large(op: ast.operator, left: Any, right: Any) -> bool:
    """Whether `left op right` would exceed the budgets: an integer past 2**64 from `**`
    (past _MAX_BITS from `*`), a sequence past _MAX_ITEMS items from `*` or _MAX_ELEMENTS
    from `+`."""
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    sized = (str, bytes, list, tuple)
    if isinstance(op, ast.Pow):
        if ints and right > 0 and abs(left) > 1:
            return right * math.log2(abs(left)) > 64
        return False
    if isinstance(op, ast.Mult):
        if ints:
            return _bits(left) + _bits(right) > _MAX_BITS
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(times, int):
                if times * len(seq) > _MAX_ITEMS or times * size(seq) > _MAX_ELEMENTS:
                    return True
        return False
    if isinstance(op, ast.Add) and isinstance(left, sized) and isinstance(right, sized):
        return size(left) + size(right) > _MAX_ELEMENTS
    if isinstance(op, (ast.Add, ast.Sub, ast.BitOr)) and ints:
        return max(_bits(left), _bits(right)) > _MAX_BITS
    return False


def _param_names(func: Function) -> list[str]:
    a = func.args
    names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    return names + [p.arg for p in (a.vararg, a.kwarg) if p is not None]


def _default_expr(func: Function, name: str) -> ast.expr | None:
    a = func.args
    positional = [p.arg for p in (*a.posonlyargs, *a.args)]
    if name in positional:
        index = positional.index(name) - (len(positional) - len(a.defaults))
        return a.defaults[index] if index >= 0 else None
    kwonly = [p.arg for p in a.kwonlyargs]
    return a.kw_defaults[kwonly.index(name)] if name in kwonly else None


_STARRED = ast.Starred(ast.Constant(None), ast.Load())


def _argument(func: Function, call: ast.Call, name: str, offset: int) -> ast.expr | None:
    """The expression `call` passes for parameter `name` (offset 1: a method called through its
    instance); _STARRED where * or ** may hold it; None where the call leaves it to its default."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    positional = [p.arg for p in (*func.args.posonlyargs, *func.args.args)]
    if name in positional and positional.index(name) - offset >= 0:
        pos = positional.index(name) - offset
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                return _STARRED
            if i == pos:
                return arg
    if any(kw.arg is None for kw in call.keywords):
        return _STARRED
    return None


def _format(value: Any, spec: str, conversion: int) -> str:
    if conversion == 115:  # !s
        value = str(value)
    elif conversion == 114:  # !r
        value = repr(value)
    elif conversion == 97:  # !a
        value = ascii(value)
    return format(value, spec)


def _float32(x: float) -> float:
    return float(struct.unpack("f", struct.pack("f", x))[0])


def _cast(value: Any, dtype: str | None, tensorflow: bool) -> Any:
    """Python values as TensorFlow (or NumPy) would hold and `.tolist()` give them back."""
    if isinstance(value, list):
        return [_cast(v, dtype, tensorflow) for v in value]
    if dtype is None:  # inferred, as tf.constant / np.array do
        if isinstance(value, float) and tensorflow:
            return _float32(value)
        if isinstance(value, str) and tensorflow:
            return value.encode()
        return value
    if dtype.startswith(("int", "uint")):
        return int(value)
    if dtype in ("float32", "float16", "bfloat16"):
        return _float32(float(value))
    if dtype == "float64":
        return float(value)
    if dtype == "bool":
        return bool(value)
    if dtype == "string":
        return value.encode() if isinstance(value, str) else value
    return value


def _filled(shape: list[int], value: Any) -> Any:
    if not shape:
        return value
    return [_filled(shape[1:], value) for _ in range(shape[0])]


class Evaluator:
    def __init__(
        self, file: SourceFile, text: Callable[[ast.AST], str], spec_args: Mapping[str, Any]
    ) -> None:
        self.file = file
        self.text = text
        self.spec_args = dict(spec_args)
        self.args_read: set[str] = set()  # spec_args some spec reads
        self.used: set[int] = set()  # ids of assigned expressions some spec reads
        self.reset({})

    def reset(self, choices: dict[Hashable, tuple[int, str]]) -> None:
        """Start one evaluation, with these branches chosen."""
        self.choices = choices
        self.notes: list[tuple[int, str]] = []  # (line, what was assumed)
        self._soft: list[str] = []  # names whose default (a parameter's, a flag's) was used
        self.defaults: dict[str, str] = {}  # name -> "128 (the flag's default)", as read
        self._frames: dict[int, list[dict[str, Any]]] = {}  # id(function) -> arguments of the calls evaluated
        self._resolving: set[tuple[int, str]] = set()
        self._depth = 0
        self._nesting = 0
        self._steps = 0
        self._deadline = time.monotonic() + _MAX_SECONDS

    def _note_default(self, name: str, value: Any, source: str) -> None:
        """Defaults that stand for a value the user may run with another (a flag, an argument)
        are listed; a default that is a spec itself is not."""
        plain = (int, float, str, bytes, bool)
        if isinstance(value, plain) or (isinstance(value, list) and all(isinstance(v, plain) for v in value)):
            text = repr(value)
            text = text if len(text) <= 40 else text[:37] + "..."
            self.defaults.setdefault(name, f"{name}={text} ({source})")

    def choose(self, key: Hashable, labels: list[str]) -> int:
        if len(labels) == 1:
            return 0
        if key in self.choices:
            return self.choices[key][0]
        raise Fork(key, labels)

    def _unknown(self, node: ast.AST, why: str | None = None, names: tuple[str, ...] = ()) -> Unknown:
        text = self.text(node)
        return Unknown(
            node, why or f"`{text}` is not a literal tfdoctor can read without running the file", names
        )

    # -- expressions --
    def value(self, node: ast.expr, scope: Scope, line: int) -> Any:
        """What `node` evaluates to in `scope` at `line`: a plain value, or an Unknown."""
        self._steps += 1
        if self._steps > _MAX_STEPS or (self._steps % 1024 == 0 and time.monotonic() > self._deadline):
            raise Budget(
                node, f"evaluating it takes more than {_MAX_STEPS:,} steps or {_MAX_SECONDS:g} seconds"
            )
        self._nesting += 1
        try:
            if self._nesting > _MAX_NESTING:  # names defined through each other
                return self._unknown(node, f"`{self.text(node)}` is defined in too many steps to follow")
            return self._value(node, scope, line)
        finally:
            self._nesting -= 1

    def _value(self, node: ast.expr, scope: Scope, line: int) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out: list[Any] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner = self.value(elt.value, scope, line)
                    if not isinstance(inner, (list, tuple, str, dict)):
                        return inner if isinstance(inner, Unknown) else self._unknown(elt)
                    out.extend(inner)
                else:
                    out.append(self.value(elt, scope, line))
            return self._sized(node, out)
        if isinstance(node, ast.JoinedStr):
            return self._sized(node, self._fstring(node, scope, line))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = self.value(node.operand, scope, line)
            if isinstance(operand, Unknown):
                return operand
            return self._compute(node, lambda: _UNARY[type(node.op)](operand))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return self._binop(node, scope, line)
        if isinstance(node, ast.BoolOp):
            result: Any = None
            for sub in node.values:
                result = self.value(sub, scope, line)
                if isinstance(result, Unknown) or (bool(result) == isinstance(node.op, ast.Or)):
                    return result
            return result
        if isinstance(node, ast.Compare):
            return self._compare(node, scope, line)
        if isinstance(node, ast.IfExp):
            return self._ifexp(node, scope, line)
        if isinstance(node, ast.Dict):
            return self._sized(node, self._dict(node, scope, line))
        if isinstance(node, (ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._sized(node, self._comprehension(node, scope, line))
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, line)
        if isinstance(node, ast.Name):
            return self._name(node, scope, line)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, line)
        if isinstance(node, ast.Call):
            return self._sized(node, self._call(node, scope, line))
        return self._unknown(node)

    def _sized(self, node: ast.AST, value: Any) -> Any:
        """A value larger than a spec needs is not kept: it is Unknown (too large)."""
        if isinstance(value, (list, tuple, dict, str, bytes)) and size(value) > _MAX_ELEMENTS:
            return self._unknown(node, f"`{self.text(node)}` is too large to evaluate")
        return value

    def _compute(self, node: ast.AST, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except Exception as exc:  # the file's own arithmetic fails: that is all we learn
            return self._unknown(node, f"`{self.text(node)}` fails: {type(exc).__name__}: {exc}")

    def _binop(self, node: ast.BinOp, scope: Scope, line: int) -> Any:
        left, right = self.value(node.left, scope, line), self.value(node.right, scope, line)
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if _too_large(node.op, left, right):  # judged before computing it
            return self._unknown(node, f"`{self.text(node)}` is too large to evaluate")
        return self._compute(node, lambda: _BINOPS[type(node.op)](left, right))

    def _compare(self, node: ast.Compare, scope: Scope, line: int) -> Any:
        left = self.value(node.left, scope, line)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator, scope, line)
            for side in (left, right):
                if unknown_in(side) is not None:
                    return unknown_in(side)
            result = self._compute(node, partial(_COMPARE[type(op)], left, right))
            if isinstance(result, Unknown) or not result:
                return result
            left = right
        return True

    def _fstring(self, node: ast.JoinedStr, scope: Scope, line: int) -> Any:
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
                continue
            assert isinstance(part, ast.FormattedValue)
            value = self.value(part.value, scope, line)
            spec = self.value(part.format_spec, scope, line) if part.format_spec is not None else ""
            for v in (value, spec):
                if isinstance(v, Unknown):
                    return v
            if isinstance(spec, str) and _WIDE.search(spec):
                return self._unknown(part, f"`{self.text(node)}` is too large to evaluate")
            formatted = self._compute(part, partial(_format, value, spec, part.conversion))
            if isinstance(formatted, Unknown):
                return formatted
            out.append(formatted)
        return "".join(out)

    def _ifexp(self, node: ast.IfExp, scope: Scope, line: int) -> Any:
        mark = len(self._soft)
        test = self.value(node.test, scope, line)
        if not isinstance(test, Unknown) and len(self._soft) == mark:
            return self.value(node.body if test else node.orelse, scope, line)
        # a conditional expression chooses between two specs: both are read, unless the file
        # or --spec-arg fixes the condition
        del self._soft[mark:]
        choice = self.choose(("ifexp", id(node)), [f"if {self.text(node.test)}", "else"])
        return self.value(node.body if choice == 0 else node.orelse, scope, line)

    def _dict(self, node: ast.Dict, scope: Scope, line: int) -> Any:
        out: dict[Any, Any] = {}
        for key, val in zip(node.keys, node.values):
            if key is None:  # {**base, ...}
                merged = self.value(val, scope, line)
                if not isinstance(merged, dict):
                    return merged if isinstance(merged, Unknown) else self._unknown(val)
                out.update(merged)
                continue
            k = self.value(key, scope, line)
            u = unknown_in(k)
            if u is not None:
                return Unknown(key, f"the key `{self.text(key)}` is not known: {u.why}", u.names)
            try:
                out[k] = self.value(val, scope, line)
            except TypeError:
                return self._unknown(key, f"the key `{self.text(key)}` is not a string")
        return out

    def _comprehension(
        self, node: ast.DictComp | ast.ListComp | ast.SetComp | ast.GeneratorExp, scope: Scope, line: int
    ) -> Any:
        items: list[Any] = []

        def run(index: int, where: Scope) -> None:
            if index == len(node.generators):
                if isinstance(node, ast.DictComp):
                    key = self.value(node.key, where, line)
                    u = unknown_in(key)
                    if u is not None:
                        raise _Stop(
                            Unknown(
                                node.key, f"the key `{self.text(node.key)}` is not known: {u.why}", u.names
                            )
                        )
                    items.append((key, self.value(node.value, where, line)))
                else:
                    items.append(self.value(node.elt, where, line))
                return
            gen = node.generators[index]
            for item in self._iterate(gen.iter, where, line):
                inner = Scope("<comprehension>", where, "bindings", gen)
                self._bind(gen.target, item, inner.values)
                conditions = [self.value(cond, inner, line) for cond in gen.ifs]
                for cond, value in zip(gen.ifs, conditions):
                    if isinstance(value, Unknown):
                        raise _Stop(
                            Unknown(cond, f"the condition `{self.text(cond)}` is not known: {value.why}")
                        )
                if all(conditions):
                    run(index + 1, inner)

        try:
            run(0, scope)
        except _Stop as stop:
            return stop.unknown
        if isinstance(node, ast.DictComp):
            return self._compute(node, lambda: dict(items))
        return items

    def _iterate(self, node: ast.expr, scope: Scope, line: int) -> list[Any]:
        items = self.value(node, scope, line)
        if isinstance(items, Unknown):
            raise _Stop(Unknown(items.node, f"the loop over `{self.text(node)}`: {items.why}", items.names))
        if isinstance(items, dict):
            items = list(items)
        if not isinstance(items, (list, tuple, str)):
            raise _Stop(self._unknown(node, f"`{self.text(node)}` is not a list tfdoctor can loop over"))
        if len(items) > _MAX_ITEMS:
            raise _Stop(self._unknown(node, f"the loop over `{self.text(node)}` is too long to evaluate"))
        return list(items)

    def _bind(self, target: ast.expr, item: Any, values: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            values[target.id] = item
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(item, Unknown):
                parts = [item] * len(target.elts)
            elif isinstance(item, (list, tuple)) and len(item) == len(target.elts):
                parts = list(item)
            else:
                raise _Stop(self._unknown(target, f"cannot unpack {item!r} into `{self.text(target)}`"))
            for t, v in zip(target.elts, parts):
                self._bind(t, v, values)
        else:
            raise _Stop(self._unknown(target, f"the loop target `{self.text(target)}` is not a name"))

    # -- names: loop variables, --spec-arg, assignments, parameters --
    def _name(self, node: ast.Name, scope: Scope, line: int) -> Any:
        name = node.id
        overlays: dict[int, Scope] = {}
        current = scope
        while current.kind == "bindings" and current.parent is not None:
            if name in current.values:
                return current.values[name]
            if current.node is not None:
                overlays[id(current.node)] = current
            current = current.parent
        if name in self.spec_args:
            self.args_read.add(name)
            return self.spec_args[name]
        real: Scope | None = current
        same = True
        while real is not None:
            found = self._assigned(name, real, line, same, overlays)
            if found is not _MISSING:
                return found
            if real.kind == "function" and name in _param_names(real.node):  # type: ignore[arg-type]
                return self._param(real, name, node)
            real, same = real.parent, False
        if name in DTYPE_NAMES:  # from tensorflow import int64
            return DType(normalise_dtype(name))
        return Unknown(node, f"'{name}' is not given a value in this file", (name,))

    def _assigned(self, key: str, scope: Scope, line: int, same: bool, overlays: dict[int, Scope]) -> Any:
        """The value `key` holds at `line` from its assignments in `scope` (and the entries added
        since), or _MISSING."""
        assigns = scope.assigns.get(key)
        if not assigns:
            return _MISSING
        # an enclosing scope's names hold what they hold once it has run (a function runs after its
        # module, a closure after its builder), as `updated` reads them; the scope's own, at `line`
        before = [a for a in assigns if a.line < line] if same else assigns
        for a in reversed(before):
            if not self._taken(a.controls, scope, line, overlays):
                continue
            where = self._loop_scope(a.controls, scope, overlays)
            self.used.add(id(a.value))
            base = self.value(a.value, where, a.line)
            return self.updated(base, key, scope, a.line, line if same else 10**9, overlays)
        return _MISSING

    def _taken(
        self, controls: tuple[Control, ...], scope: Scope, line: int, overlays: dict[int, Scope]
    ) -> bool:
        """Whether the `if` branches around a statement are taken (seen from `line`)."""
        for c in controls:
            if not isinstance(c.node, ast.If) or c.encloses(line):
                continue
            if Control(c.node, not c.branch).encloses(line):
                return False
            if self.branch(c.node, self._loop_scope(controls, scope, overlays)) != c.branch:
                return False
        return True

    @staticmethod
    def _loop_scope(controls: tuple[Control, ...], scope: Scope, overlays: dict[int, Scope]) -> Scope:
        for c in reversed(controls):
            if id(c.node) in overlays:
                return overlays[id(c.node)]
        return scope

    def branch(self, node: ast.If, scope: Scope) -> bool:
        """Which branch of an `if` statement runs. Where only a default (a parameter's, a flag's)
        decides it, the default is followed and noted; where nothing does, both are read."""
        mark = len(self._soft)
        test = self.value(node.test, scope, node.lineno)
        soft = list(dict.fromkeys(self._soft[mark:]))
        if isinstance(test, Unknown):
            return self.choose(("if", id(node)), [f"if {self.text(node.test)}", "else"]) == 0
        truth = bool(test)
        if soft:
            self.notes.append((
                node.lineno,
                f"`if {self.text(node.test)}:` is read as {truth}, from the default of {', '.join(soft)}; "
                f"--spec-arg {soft[0]}=... reads the other branch",
            ))  # fmt: skip
        return truth

    def updated(
        self, base: Any, key: str, scope: Scope, after: int, before: int, overlays: dict[int, Scope]
    ) -> Any:
        """`base` with the entries `scope` adds to `key` between two lines."""
        if not isinstance(base, (dict, list)):
            return base
        updates = [u for u in scope.updates.get(key, []) if after < u.line < before]
        if not updates:
            return base
        out: Any = dict(base) if isinstance(base, dict) else list(base)
        grown = [size(out)]  # elements so far: each update adds its value's
        try:
            for u in updates:
                for where in self._expand(u, scope, before, overlays):
                    self._apply(out, u, where, grown)
        except _Stop as stop:
            return stop.unknown
        return out

    def _expand(self, u: Update, scope: Scope, line: int, overlays: dict[int, Scope]) -> list[Scope]:
        """The scopes an update runs in: one per iteration of the loops around it, none where
        an `if` around it is not taken."""
        scopes = [scope]
        for c in u.controls:
            following: list[Scope] = []
            for where in scopes:
                if id(c.node) in overlays:  # read from inside this very loop: its current iteration
                    following.append(overlays[id(c.node)])
                elif isinstance(c.node, (ast.For, ast.AsyncFor)):
                    for item in self._iterate(c.node.iter, where, c.node.lineno):
                        inner = Scope("<loop>", where, "bindings", c.node)
                        self._bind(c.node.target, item, inner.values)
                        following.append(inner)
                elif isinstance(c.node, ast.If):
                    if c.encloses(line) or (
                        not Control(c.node, not c.branch).encloses(line)
                        and self.branch(c.node, where) == c.branch
                    ):
                        following.append(where)
                else:  # a while loop: its body once
                    following.append(where)
            if len(following) > _MAX_ITEMS:
                raise _Stop(self._unknown(c.node, f"the loops around line {u.line} run too long to evaluate"))
            scopes = following
        return scopes

    def _apply(self, out: Any, u: Update, where: Scope, grown: list[int]) -> None:
        def value(node: ast.expr) -> Any:
            got = self.value(node, where, u.line)
            grown[0] += size(got)
            if grown[0] > _MAX_ELEMENTS:
                raise _Stop(self._unknown(node, f"what line {u.line} adds grows too large to evaluate"))
            return got

        def known(node: ast.expr | None) -> Any:
            assert node is not None
            got = value(node)
            if isinstance(got, Unknown):
                raise _Stop(got)
            return got

        try:
            if u.op in ("set", "delete", "setdefault"):
                key = known(u.key)
                u_key = unknown_in(key)
                if u_key is not None:
                    raise _Stop(u_key)
                if u.op == "set":
                    out[key] = value(u.value) if u.value is not None else None
                elif u.op == "delete":
                    if isinstance(out, dict):
                        out.pop(key, None)
                    else:
                        del out[key]
                elif isinstance(out, dict):
                    out.setdefault(key, value(u.value) if u.value is not None else None)
            elif u.op == "update":
                if u.value is not None:
                    out.update(known(u.value))
                for kw in u.keywords:
                    got = known(kw.value) if kw.arg is None else value(kw.value)
                    out.update(got if kw.arg is None else {kw.arg: got})
            elif u.op == "append":
                out.append(value(u.value) if u.value is not None else None)
            elif u.op == "extend":
                out.extend(known(u.value))
        except (TypeError, KeyError, IndexError, ValueError, AttributeError) as exc:
            raise _Stop(
                self._unknown(u.key or u.value or ast.Constant(None), f"line {u.line} fails: {exc}")
            ) from None

    def _param(self, scope: Scope, name: str, node: ast.AST) -> Any:
        """A parameter: the argument of the call being evaluated; else of the file's own calls
        of the function (each call site is a branch); else its default."""
        func = scope.node
        assert isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
        frames = self._frames.get(id(func))
        if frames:
            if name in frames[-1]:
                return frames[-1][name]
            return self._default(scope, name, node)
        sites = self._call_sites(scope)
        if sites:
            labels = [f"called at line {call.lineno}" for call, _, _ in sites]
            call, caller, offset = sites[self.choose(("call", id(func)), labels)]
            expr = _argument(func, call, name, offset)
            if expr is _STARRED:
                return Unknown(
                    node, f"'{name}' is passed to {func.name}() with * or ** at line {call.lineno}", (name,)
                )
            if expr is not None:
                key = (id(func), name)
                if key in self._resolving:
                    return Unknown(node, f"'{name}' of {func.name}() is passed on recursively", (name,))
                self._resolving.add(key)
                try:
                    return self.value(expr, caller, call.lineno)
                finally:
                    self._resolving.discard(key)
        return self._default(scope, name, node)

    def _default(self, scope: Scope, name: str, node: ast.AST) -> Any:
        func = scope.node
        assert isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and scope.parent is not None
        default = _default_expr(func, name)
        if default is None:
            return Unknown(
                node, f"parameter '{name}' of {func.name}() is given no value in this file", (name,)
            )
        self._soft.append(name)
        value = self.value(default, scope.parent, func.lineno)
        self._note_default(name, value, f"the default of {func.name}()")
        return value

    def _call_sites(self, scope: Scope) -> list[tuple[ast.Call, Scope, int]]:
        """Where the file calls this function: (call, caller's scope, arguments to skip)."""
        func = scope.node
        assert isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and scope.parent is not None
        owner = scope.parent if scope.parent.kind == "class" else None
        offset = 1 if scope.self_name() is not None else 0
        out = []
        for call, caller in self.file.call_sites.get(func.name, []):
            if (
                isinstance(call.func, ast.Name)
                and owner is None
                and self.file.function(func.name, caller) is func
            ):
                out.append((call, caller, 0))
            elif isinstance(call.func, ast.Attribute) and owner is not None and func.name != "__init__":
                via = call.func.value
                method = method_of(caller, via.id) if isinstance(via, ast.Name) else None
                if (method is not None and method.parent is owner) or self._unique_method(func.name):
                    out.append((call, caller, offset))
        if owner is not None and func.name == "__init__":
            for call, caller in self.file.call_sites.get(owner.name, []):
                if isinstance(call.func, ast.Name) and self.file.class_scope(owner.name, caller) is owner:
                    out.append((call, caller, 1))
        return out

    def _unique_method(self, name: str) -> bool:
        owners = [s for s in self.file.scopes.values() if s.kind == "class" and name in s.functions]
        return len(owners) == 1

    # -- attributes: self.x, FLAGS.x, Class.X, tf.int64 --
    def _attribute(self, node: ast.Attribute, scope: Scope, line: int) -> Any:
        attr, base = node.attr, node.value
        if attr in self.spec_args:
            self.args_read.add(attr)
            return self.spec_args[attr]
        if isinstance(base, ast.Name):
            method = method_of(scope, base.id)
            if method is not None:
                return self._instance_attr(node, method, scope, line)
            owner = self.file.class_scope(base.id, scope)
            if owner is not None:
                found = self._class_attr(attr, owner)
                return (
                    found
                    if found is not _MISSING
                    else Unknown(node, f"{base.id}.{attr} is not set in this file", (attr,))
                )
        if last_name(base) == "FLAGS":
            default = self.file.flags.get(attr)
            if default is None:
                return Unknown(node, f"flag '{attr}' is not defined in this file", (attr,))
            self._soft.append(attr)
            value = self.value(default, self.file.module, 10**9)
            self._note_default(attr, value, "the flag's default")
            return value
        if attr in DTYPE_NAMES:  # tf.int64, tf.dtypes.float32, np.int32
            return DType(normalise_dtype(attr))
        return Unknown(
            node, f"`{self.text(node)}` is not a value tfdoctor can read without running the file", (attr,)
        )

    def _classes(self, owner: Scope) -> list[Scope]:
        """A class and its bases defined in this file, nearest first."""
        out, queue = [], [owner]
        while queue:
            cls = queue.pop(0)
            if cls in out:
                continue
            out.append(cls)
            assert isinstance(cls.node, ast.ClassDef) and cls.parent is not None
            for b in cls.node.bases:
                found = self.file.class_scope(b.id, cls.parent) if isinstance(b, ast.Name) else None
                if found is not None:
                    queue.append(found)
        return out

    def _class_attr(self, attr: str, owner: Scope) -> Any:
        for cls in self._classes(owner):
            found = self._assigned(attr, cls, 10**9, True, {})
            if found is not _MISSING:
                return found
        return _MISSING

    def _instance_attr(self, node: ast.Attribute, method: Scope, scope: Scope, line: int) -> Any:
        """`self.x`: set earlier in the method reading it, else in `__init__` (or another method)
        of its class or a base class, else a class attribute."""
        key = f"self.{node.attr}"
        found = self._assigned(key, method, line, True, {})
        if found is not _MISSING:
            return found
        assert method.parent is not None
        for cls in self._classes(method.parent):
            methods = sorted(cls.functions.values(), key=lambda f: (f.name != "__init__", f.lineno))
            for func in methods:
                other = self.file.scopes[id(func)]
                if other is method:
                    continue
                found = self._assigned(key, other, 10**9, True, {})
                if found is not _MISSING:
                    return self.updated(found, key, method, 0, line, {})
        found = self._class_attr(node.attr, method.parent)
        if found is not _MISSING:
            return self.updated(found, key, method, 0, line, {})
        return Unknown(node, f"self.{node.attr} is not set in this file", (node.attr,))

    def _subscript(self, node: ast.Subscript, scope: Scope, line: int) -> Any:
        base = self.value(node.value, scope, line)
        index: Any
        if isinstance(node.slice, ast.Slice):
            parts = [self.value(p, scope, line) if p is not None else None
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]  # fmt: skip
            bad = next((p for p in parts if isinstance(p, Unknown)), None)
            if bad is not None:
                return bad
            index = slice(*parts)
        else:
            index = self.value(node.slice, scope, line)
        if isinstance(index, Unknown):
            return index
        if isinstance(base, Unknown):
            if isinstance(index, str) and index in self.spec_args:  # params["seq_length"]
                self.args_read.add(index)
                return self.spec_args[index]
            return Unknown(node, base.why, (index,) if isinstance(index, str) else base.names)
        return self._compute(node, lambda: base[index])

    # -- calls --
    def _call(self, node: ast.Call, scope: Scope, line: int) -> Any:
        name = last_name(node.func)
        if name in KINDS:
            return self._feature(name, node, scope, line)
        if name in PARTITIONS:
            args = [self.value(a, scope, line) for a in node.args]
            kwargs = {k.arg: self.value(k.value, scope, line) for k in node.keywords if k.arg}
            return Partition(
                name, kwargs.get("key", args[0] if args and name != "UniformRowLength" else None)
            )
        if isinstance(node.func, ast.Name) and name is not None:
            func = self.file.function(name, scope)
            if func is not None:
                return self._call_function(func, node, scope, line, 0)
            if name in _BUILTINS:
                return self._builtin(name, node, scope, line)
        if name in ("TensorShape", "as_dtype") and len(node.args) == 1:
            value = self.value(node.args[0], scope, line)
            if name == "TensorShape" or isinstance(value, Unknown):
                return value
            return DType(value.name if isinstance(value, DType) else normalise_dtype(str(value)))
        if isinstance(node.func, ast.Attribute) and name is not None:
            base = node.func.value
            method = method_of(scope, base.id) if isinstance(base, ast.Name) else None
            if method is not None and method.parent is not None:
                for cls in self._classes(method.parent):
                    if name in cls.functions:
                        target = cls.functions[name]
                        offset = 1 if self.file.scopes[id(target)].self_name() is not None else 0
                        return self._call_function(target, node, scope, line, offset)
            root = _root(node.func)
            if root in _NUMPY + _TENSORFLOW:
                if name in _TENSORS:
                    return self._tensor(name, root in _TENSORFLOW, node, scope, line)
                if name in DTYPE_NAMES and root in _NUMPY and len(node.args) == 1:  # np.int64(0)
                    value = self.value(node.args[0], scope, line)
                    u = unknown_in(value)
                    return (
                        u
                        if u is not None
                        else self._compute(node, lambda: _cast(value, normalise_dtype(name), False))
                    )
            else:
                owner = self.value(base, scope, line)
                if type(owner) in _METHODS and name in _METHODS[type(owner)]:
                    return self._method(owner, name, node, scope, line)
        return Unknown(node, f"`{self.text(node)}` is a call tfdoctor does not run")

    def _arguments(
        self, node: ast.Call, scope: Scope, line: int
    ) -> tuple[list[Any], dict[str, Any]] | Unknown:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return self._unknown(node, f"`{self.text(node)}` passes arguments with * or **")
        args = [self.value(a, scope, line) for a in node.args]
        kwargs = {k.arg: self.value(k.value, scope, line) for k in node.keywords if k.arg is not None}
        bad = next((v for v in [*args, *kwargs.values()] if isinstance(v, Unknown)), None)
        return bad if bad is not None else (args, kwargs)

    def _call_function(self, func: Function, node: ast.Call, scope: Scope, line: int, offset: int) -> Any:
        """A function of this file called with known arguments: the value its first reached
        `return` gives."""
        fscope = self.file.scopes[id(func)]
        if self._depth >= _MAX_DEPTH:
            return self._unknown(node, f"`{self.text(node)}` nests calls too deep to follow")
        bound: dict[str, Any] = {}
        for param in _param_names(func):
            expr = _argument(func, node, param, offset)
            if expr is _STARRED:
                return self._unknown(node, f"`{self.text(node)}` passes arguments with * or **")
            if expr is not None:
                bound[param] = self.value(expr, scope, line)
        self._frames.setdefault(id(func), []).append(bound)
        self._depth += 1
        try:
            for ret in fscope.returns:
                if self._taken(ret.controls, fscope, -1, {}):
                    assert ret.node.value is not None
                    return self.value(ret.node.value, fscope, ret.node.lineno)
            return self._unknown(node, f"{func.name}() returns no value tfdoctor can read")
        finally:
            self._depth -= 1
            self._frames[id(func)].pop()

    def _builtin(self, name: str, node: ast.Call, scope: Scope, line: int) -> Any:
        got = self._arguments(node, scope, line)
        if isinstance(got, Unknown):
            return got
        args, kwargs = got
        if name in ("range",) and len(args) >= 1 and all(isinstance(a, int) for a in args):
            # `is True`: a range that fails (step 0) is left to fail below, with its own error
            if self._compute(node, lambda: len(range(*args)) > _MAX_ITEMS) is True:
                return self._unknown(node, f"`{self.text(node)}` is too long to evaluate")
        if name in ("list", "tuple", "sorted", "reversed", "set") and args and isinstance(args[0], dict):
            args[0] = list(args[0])
        run: dict[str, Callable[[], Any]] = {
            "dict": lambda: dict(*args, **kwargs),
            "list": lambda: list(*args),
            "tuple": lambda: list(*args),
            "set": lambda: list(dict.fromkeys(*args)),
            "len": lambda: len(*args),
            "range": lambda: list(range(*args)),
            "zip": lambda: [tuple(t) for t in zip(*args)],
            "enumerate": lambda: [(i, x) for i, x in enumerate(*args, **kwargs)],
            "sorted": lambda: sorted(*args, **kwargs),
            "reversed": lambda: list(reversed(*args)),
        }
        return self._compute(node, run.get(name) or (lambda: getattr(builtins, name)(*args, **kwargs)))

    def _method(self, owner: Any, name: str, node: ast.Call, scope: Scope, line: int) -> Any:
        got = self._arguments(node, scope, line)
        if isinstance(got, Unknown):
            return got
        args, kwargs = got
        bound = (size(owner) + 1) * (1 + sum(size(v) for v in [*args, *kwargs.values()]))
        if isinstance(owner, str) and (bound > _MAX_ELEMENTS or (name == "format" and _WIDE.search(owner))):
            return self._unknown(node, f"`{self.text(node)}` is too large to evaluate")
        result = self._compute(node, lambda: getattr(owner, name)(*args, **kwargs))
        if type(result).__name__ in ("dict_keys", "dict_values", "dict_items"):
            return [list(r) if isinstance(r, tuple) else r for r in result]
        return result

    def _tensor(self, name: str, tensorflow: bool, node: ast.Call, scope: Scope, line: int) -> Any:
        """tf.zeros([], dtype=tf.int64), tf.constant(0, tf.int64), np.zeros(3): the value
        `.numpy().tolist()` would give, as a default_value holds it."""
        got = self._arguments(node, scope, line)
        if isinstance(got, Unknown):
            return Unknown(got.node, f"`{self.text(node)}`: {got.why}", got.names)
        args, kwargs = got
        params = _TENSORS[name]
        given = dict(zip(params, args)) | {k: v for k, v in kwargs.items() if k in params}
        u = unknown_in(list(given.values()))
        if u is not None:
            return Unknown(u.node, f"`{self.text(node)}`: {u.why}", u.names)
        dtype = given.get("dtype")
        dtype_name = (
            dtype.name
            if isinstance(dtype, DType)
            else (normalise_dtype(dtype) if isinstance(dtype, str) else None)
        )
        if name in ("zeros", "ones", "fill", "full"):
            shape = given.get("shape", given.get("dims", []))
            fill = {"zeros": 0, "ones": 1}.get(name, given.get("value", given.get("fill_value")))
            if name in ("zeros", "ones") and dtype_name is None:
                dtype_name = "float32" if tensorflow else "float64"
            shape = [shape] if isinstance(shape, int) else shape
            if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
                return self._unknown(node, f"`{self.text(node)}` has no shape tfdoctor can read")
            size = 1
            for d in shape:
                size *= d
            if size > _MAX_ITEMS:
                return self._unknown(node, f"`{self.text(node)}` is too large to evaluate")
            data = _filled(shape, fill)
        else:
            data = given.get("value")
            shape = given.get("shape")
            if (
                isinstance(shape, list)
                and not isinstance(data, list)
                and all(isinstance(d, int) for d in shape)
            ):
                data = _filled(shape, data)
        return self._compute(node, lambda: _cast(data, dtype_name, tensorflow))

    def _feature(self, kind: str, node: ast.Call, scope: Scope, line: int) -> Any:
        params = PARAMS[kind]
        if len(node.args) > len(params):
            return self._unknown(node, f"{kind} takes at most {len(params)} positional arguments")
        args: dict[str, Any] = {}
        texts: dict[str, str] = {}
        for pname, arg in zip(params, node.args):
            args[pname], texts[pname] = self.value(arg, scope, line), self.text(arg)
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in params:
                return self._unknown(node, f"{kind} has no argument {kw.arg!r}")
            args[kw.arg], texts[kw.arg] = self.value(kw.value, scope, line), self.text(kw.value)
        return Feature(kind, args, texts, node.lineno)


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
