"""What a Python source file holds, collected with `ast` and never run: its scopes (module,
classes, functions) with their assignments, the entries added to dicts and lists afterwards
(`spec[k] = ...`, `spec.update(...)`, `names.append(...)`) with the `for` / `if` statements
around them, the call sites of the file's own functions, absl / tf.flags definitions, and the
parse calls whose specs tfdoctor reads."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

# parse function (or decoder class) -> (positional index, keyword) of each features argument
PARSE_CALLS: dict[str, dict[str, tuple[int, str]]] = {
    "parse_example": {"features": (1, "features")},
    "parse_single_example": {"features": (1, "features")},
    "parse_example_dataset": {"features": (0, "features")},
    "parse_sequence_example": {"context": (1, "context_features"), "sequence": (2, "sequence_features")},
    "parse_single_sequence_example": {
        "context": (1, "context_features"),
        "sequence": (2, "sequence_features"),
    },
    # tf.contrib.slim's decoders (object detection, TF-Slim datasets) parse with these dicts
    "TFExampleDecoder": {"features": (0, "keys_to_features")},
    "TFSequenceExampleDecoder": {
        "context": (0, "keys_to_context_features"),
        "sequence": (1, "keys_to_sequence_features"),
    },
}
_UPDATE_METHODS = ("update", "pop", "setdefault", "append", "extend")
Function = ast.FunctionDef | ast.AsyncFunctionDef


def last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


@dataclass(frozen=True)
class Control:
    """A `for`, `while` or `if` statement around a statement; for an `if`, which branch."""

    node: ast.For | ast.AsyncFor | ast.While | ast.If
    branch: bool = True

    def encloses(self, line: int) -> bool:
        body = self.node.body if self.branch else self.node.orelse
        return bool(body) and body[0].lineno <= line <= (body[-1].end_lineno or body[-1].lineno)


@dataclass(frozen=True)
class Assign:
    line: int
    value: ast.expr
    controls: tuple[Control, ...]


@dataclass(frozen=True)
class Update:
    """`target[key] = value` (set), `target.update(...)`, `.pop(key)` / `del target[key]`
    (delete), `.setdefault(key, value)`, `.append(value)`, `.extend(value)`."""

    line: int
    op: str
    key: ast.expr | None
    value: ast.expr | None
    keywords: tuple[ast.keyword, ...]
    controls: tuple[Control, ...]


@dataclass(frozen=True)
class Return:
    node: ast.Return
    controls: tuple[Control, ...]


@dataclass(eq=False)
class Scope:
    """A module, class or function body; or `bindings`: the known values of loop and
    comprehension variables while one iteration is evaluated."""

    name: str
    parent: Scope | None
    kind: str  # module, class, function, bindings
    node: ast.AST | None = None
    assigns: dict[str, list[Assign]] = field(default_factory=dict)  # "name" or "self.attr"
    updates: dict[str, list[Update]] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, Scope] = field(default_factory=dict)
    returns: list[Return] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def real(self) -> Scope:
        scope = self
        while scope.kind == "bindings" and scope.parent is not None:
            scope = scope.parent
        return scope

    def self_name(self) -> str | None:
        """The first parameter of a method (`self`), None for anything else."""
        node = self.node
        if self.kind != "function" or self.parent is None or self.parent.kind != "class":
            return None
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        if any(last_name(d) == "staticmethod" for d in node.decorator_list):
            return None
        params = [*node.args.posonlyargs, *node.args.args]
        return params[0].arg if params else None


@dataclass(frozen=True)
class ParseCall:
    call: ast.Call
    scope: Scope
    function: str  # a key of PARSE_CALLS


class SourceFile:
    """Everything tfdoctor reads from one file, collected in one walk."""

    def __init__(self, tree: ast.Module) -> None:
        self.module = Scope("<module>", None, "module", tree)
        self.calls: list[ParseCall] = []
        self.scopes: dict[int, Scope] = {}  # id(def or class node) -> its scope
        self.call_sites: dict[str, list[tuple[ast.Call, Scope]]] = {}  # called name -> calls
        self.flags: dict[str, ast.expr] = {}  # flag name -> the default of its DEFINE_*
        self._collect(tree.body, self.module, ())

    def _collect(self, body: list[ast.stmt], scope: Scope, controls: tuple[Control, ...]) -> None:
        for stmt in body:
            self._statement(stmt, scope, controls)

    def _statement(self, stmt: ast.stmt, scope: Scope, controls: tuple[Control, ...]) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.functions.setdefault(stmt.name, stmt)
            inner = self.scopes[id(stmt)] = Scope(stmt.name, scope, "function", stmt)
            defaults = [*stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d is not None)]
            for expr in [*defaults, *stmt.decorator_list]:
                self._expression(expr, scope, controls)
            self._collect(stmt.body, inner, ())
        elif isinstance(stmt, ast.ClassDef):
            inner = self.scopes[id(stmt)] = Scope(stmt.name, scope, "class", stmt)
            scope.classes[stmt.name] = inner
            self._collect(stmt.body, inner, ())
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            self._expression(stmt.iter if not isinstance(stmt, ast.While) else stmt.test, scope, controls)
            self._collect(stmt.body, scope, (*controls, Control(stmt)))
            self._collect(stmt.orelse, scope, controls)
        elif isinstance(stmt, ast.If):
            self._expression(stmt.test, scope, controls)
            self._collect(stmt.body, scope, (*controls, Control(stmt, True)))
            self._collect(stmt.orelse, scope, (*controls, Control(stmt, False)))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self._expression(item.context_expr, scope, controls)
            self._collect(stmt.body, scope, controls)
        elif type(stmt).__name__ in ("Try", "TryStar"):
            body, orelse, final = (getattr(stmt, f) for f in ("body", "orelse", "finalbody"))
            handlers = [s for h in getattr(stmt, "handlers", []) for s in h.body]
            self._collect([*body, *handlers, *orelse, *final], scope, controls)
        elif isinstance(stmt, ast.Match):
            self._expression(stmt.subject, scope, controls)
            for case in stmt.cases:
                self._collect(case.body, scope, controls)
        else:
            self._simple(stmt, scope, controls)
            self._expression(stmt, scope, controls)

    def _simple(self, stmt: ast.stmt, scope: Scope, controls: tuple[Control, ...]) -> None:
        line = stmt.lineno
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._target(target, stmt.value, scope, line, controls)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._target(stmt.target, stmt.value, scope, line, controls)
        elif isinstance(stmt, ast.AugAssign):
            key = self.target_key(stmt.target, scope)
            if key is not None:  # x += [...]: x is x (as assigned before) + [...]
                load = ast.copy_location(_as_load(stmt.target), stmt.target)
                value = ast.copy_location(ast.BinOp(load, stmt.op, stmt.value), stmt)
                scope.assigns.setdefault(key, []).append(Assign(line, value, controls))
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Subscript):
                    key = self.target_key(target.value, scope)
                    if key is not None:
                        update = Update(line, "delete", target.slice, None, (), controls)
                        scope.updates.setdefault(key, []).append(update)
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            scope.returns.append(Return(stmt, controls))

    def target_key(self, target: ast.expr, scope: Scope) -> str | None:
        """How assignments to `target` are filed: "name", or "self.attr" inside a method."""
        if isinstance(target, ast.Name):
            return target.id
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            method = method_of(scope, target.value.id)
            if method is not None:
                return f"self.{target.attr}"
        return None

    def _target(
        self, target: ast.expr, value: ast.expr, scope: Scope, line: int, controls: tuple[Control, ...]
    ) -> None:
        key = self.target_key(target, scope)
        if key is not None:
            scope.assigns.setdefault(key, []).append(Assign(line, value, controls))
        elif isinstance(target, ast.Subscript):
            owner = self.target_key(target.value, scope)
            if owner is not None:
                scope.updates.setdefault(owner, []).append(
                    Update(line, "set", target.slice, value, (), controls)
                )
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
            for t, v in zip(target.elts, value.elts):
                self._target(t, v, scope, line, controls)

    def _expression(self, node: ast.AST, scope: Scope, controls: tuple[Control, ...]) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                self._call(sub, scope, controls)

    def _call(self, node: ast.Call, scope: Scope, controls: tuple[Control, ...]) -> None:
        name = last_name(node.func)
        if name is None:
            return
        self.call_sites.setdefault(name, []).append((node, scope))
        if name in PARSE_CALLS:
            self.calls.append(ParseCall(node, scope, name))
        elif name == "partial" and node.args and last_name(node.args[0]) in PARSE_CALLS:
            # functools.partial(tf.io.parse_single_example, features=SPEC): the records come
            # later, so the arguments shift by one
            bound = last_name(node.args[0]) or ""
            shifted = [] if bound in ("parse_example_dataset", "TFExampleDecoder") else [ast.Constant(None)]
            call = ast.copy_location(ast.Call(node.args[0], [*shifted, *node.args[1:]], node.keywords), node)
            self.calls.append(ParseCall(call, scope, bound))
        elif name.startswith("DEFINE_") and node.args:
            flag = node.args[0]
            default = node.args[1] if len(node.args) > 1 else _keyword(node, "default")
            if isinstance(flag, ast.Constant) and isinstance(flag.value, str) and default is not None:
                self.flags.setdefault(flag.value, default)
        elif name in _UPDATE_METHODS and isinstance(node.func, ast.Attribute):
            owner = self.target_key(node.func.value, scope)
            if owner is None:
                return
            line = node.lineno
            if name == "update":
                arg = node.args[0] if node.args else None
                update = Update(line, "update", None, arg, tuple(node.keywords), controls)
            elif name == "pop" and node.args:
                update = Update(line, "delete", node.args[0], None, (), controls)
            elif name == "setdefault" and len(node.args) == 2:
                update = Update(line, "setdefault", node.args[0], node.args[1], (), controls)
            elif name in ("append", "extend") and len(node.args) == 1:
                update = Update(line, name, None, node.args[0], (), controls)
            else:
                return
            scope.updates.setdefault(owner, []).append(update)

    def function(self, name: str, scope: Scope) -> Function | None:
        """The function a bare name calls from `scope`, where the file defines it."""
        current: Scope | None = scope.real()
        while current is not None:
            if name in current.functions and current.kind != "class":
                return current.functions[name]
            current = current.parent
        return None

    def class_scope(self, name: str, scope: Scope) -> Scope | None:
        current: Scope | None = scope.real()
        while current is not None:
            if name in current.classes:
                return current.classes[name]
            current = current.parent
        return None


def method_of(scope: Scope, name: str) -> Scope | None:
    """The method whose `self` a bare `name` is, from `scope` (a method, or a function or
    lambda nested in one)."""
    current: Scope | None = scope.real()
    while current is not None and current.kind == "function":
        if current.self_name() is not None:
            return current if current.self_name() == name else None
        current = current.parent
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _as_load(target: ast.expr) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Load())
    assert isinstance(target, ast.Attribute)
    return ast.Attribute(target.value, target.attr, ast.Load())
