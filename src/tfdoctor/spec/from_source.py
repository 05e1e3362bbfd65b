"""Specs read from a Python source file with `ast`, without running it.

A training script may download data, start a job or delete files when run; its parse spec
is nearly always written from literals (a dict of `tf.io.FixedLenFeature(...)`), so tfdoctor
evaluates only what a spec is built from (see `_source_eval`): every parse call is read on its
own, and one that cannot be read is listed, with its line and why, while the others are
checked. An entry whose shape (or default) needs running code keeps its presence and dtype
checks; a note says what was left unknown and which `--spec-arg NAME=VALUE` would give it.
A conditional expression (and an `if` on a value the file does not fix) yields one spec per
branch, named "(if labeled)" / "(else)".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..facts.spec import KINDS, FeatureSpec, ParseSpec, UnreadDefault, normalise_dtype
from ._source_eval import Budget, DType, Evaluator, Feature, Fork, Partition, Unknown, Unreadable, unknown_in
from ._source_scope import PARSE_CALLS, ParseCall, SourceFile, last_name
from .model import SpecError

_MAX_VARIANTS = 16  # specs read from one parse call, one per combination of open branches


@dataclass
class SourceSpecs:
    """What a spec argument yields: the specs read; the parse calls not checked, each with its
    file, line and why; notes on what was checked only in part or assumed; and the datasets a
    `file.py:function` built, whose specs are read from their graphs."""

    specs: list[ParseSpec]
    skipped: list[str]
    notes: list[str] = field(default_factory=list)
    datasets: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Variant:
    labels: tuple[str, ...]
    spec: ParseSpec | None
    notes: tuple[str, ...] = ()
    error: tuple[int | None, str] | None = None


def _hint(names: tuple[str, ...]) -> str:
    return f"; --spec-arg {names[0]}=... gives it" if names else ""


def _line(node: ast.AST) -> int | None:
    return getattr(node, "lineno", None)


class _Reader:
    def __init__(
        self, tree: ast.Module, source: str, label: str, spec_args: Mapping[str, Any], path: str | None = None
    ) -> None:
        self.source = source
        self.lines = _split_lines(source)  # once: ast.get_source_segment splits per call
        self.label = label  # how specs and notes name the file
        self.path = path or label  # the file as the user named it: where CI annotations point
        self.file = SourceFile(tree)
        self.eval = Evaluator(self.file, self._text, spec_args)

    def _text(self, node: ast.AST) -> str:
        text = _segment(self.lines, node) if hasattr(node, "lineno") else None
        if text is None:
            try:
                text = ast.unparse(node)
            except Exception:  # a node made up here: say what it is
                text = type(node).__name__
        text = " ".join(text.split())
        return text if len(text) <= 80 else text[:77] + "..."

    def specs(self) -> SourceSpecs:
        specs: list[ParseSpec] = []
        skipped: list[str] = []
        notes: list[str] = []
        used: set[int] = set()  # ids of the expressions passed to a parse call
        for pc in self.file.calls:
            used |= {
                id(arg)
                for pos, kw in PARSE_CALLS[pc.function].values()
                if (arg := _argument(pc.call, pos, kw))
            }
            name = f"{self.label}:{pc.call.lineno} {pc.scope.name}"
            title = f"{pc.function} in {pc.scope.name}"
            self._read(partial(self._call_spec, pc), name, title, pc.call.lineno, specs, skipped, notes)
        for name, assigns in self.file.module.assigns.items():
            line, expr = assigns[-1].line, assigns[-1].value
            if id(expr) in used | self.eval.used or not _looks_like_spec(expr):
                continue
            lower = name.lower()
            section = "sequence" if "sequence" in lower else ("context" if "context" in lower else "features")
            load = ast.copy_location(ast.Name(name, ast.Load()), expr)
            build = partial(self._named_spec, load, section, line)
            self._read(build, f"{self.label}:{line} {name}", name, line, specs, skipped, notes)
        for name in self.eval.spec_args:
            if name not in self.eval.args_read:
                notes.append(f"--spec-arg {name}: no spec in {self.label} reads a value of that name")
        return SourceSpecs(_dedupe(specs), list(dict.fromkeys(skipped)), list(dict.fromkeys(notes)))

    def _read(
        self,
        build: Callable[[], tuple[ParseSpec, list[str]]],
        name: str,
        title: str,
        line: int,
        specs: list[ParseSpec],
        skipped: list[str],
        notes: list[str],
    ) -> None:
        """Read one spec in every combination of the branches it passes through."""
        variants, truncated = self._variants(build)
        read = _dedupe(
            [replace(v.spec, name=name + _labels(v.labels)) for v in variants if v.spec is not None]
        )
        if len(read) == 1:
            read = [replace(read[0], name=name)]
        specs += read
        for v in variants:
            notes += v.notes
            if v.error is not None:
                at, why = v.error
                labels = _labels(v.labels) if read or len(variants) > 1 else ""
                skipped.append(f"{self.label}:{at or line}: {title}{labels} is not checked: {why}")
        if truncated:
            notes.append(
                f"{self.label}:{line}: {title} passes through more than {_MAX_VARIANTS} combinations of "
                "branches (conditions, call sites): the first ones are read"
            )

    def _variants(self, build: Callable[[], tuple[ParseSpec, list[str]]]) -> tuple[list[_Variant], bool]:
        queue: list[dict[Hashable, tuple[int, str]]] = [{}]
        out: list[_Variant] = []
        truncated = False
        while queue:
            choices = queue.pop(0)
            self.eval.reset(choices)
            labels = tuple(label for _, label in choices.values())
            try:
                spec, notes = build()
            except Fork as fork:
                options = list(enumerate(fork.labels))
                room = max(1, _MAX_VARIANTS - len(out) - len(queue))
                if len(options) > room:
                    options, truncated = options[:room], True
                queue += [{**choices, fork.key: option} for option in options]
                continue
            except Unreadable as exc:
                out.append(_Variant(labels, None, error=(_line(exc.node), exc.why + _hint(exc.names))))
                continue
            except SpecError as exc:
                out.append(_Variant(labels, None, error=(exc.line, exc.reason)))
                continue
            except Budget as exc:
                out.append(_Variant(labels, None, error=(_line(exc.node), exc.why)))
                continue
            except (RecursionError, MemoryError) as exc:
                why = "nested too deep" if isinstance(exc, RecursionError) else "too large"
                out.append(_Variant(labels, None, error=(None, f"it is {why} to evaluate")))
                continue
            assumed = [f"{self.label}:{at}: {what}" for at, what in self.eval.notes]
            if self.eval.defaults:
                listed = ", ".join(self.eval.defaults.values())
                run_with = "--spec-arg NAME=VALUE reads the value you run with"
                assumed.append(f"{self.label}:{spec.line}: read with {listed}; {run_with}")
            out.append(_Variant(labels, spec, tuple(notes + assumed)))
        return out, truncated

    def _call_spec(self, pc: ParseCall) -> tuple[ParseSpec, list[str]]:
        sections: dict[str, Any] = {}
        for section, (pos, kw) in PARSE_CALLS[pc.function].items():
            arg = _argument(pc.call, pos, kw)
            if arg is not None:
                sections[section] = self.eval.value(arg, pc.scope, pc.call.lineno)
        if not sections:
            raise Unreadable(pc.call, f"{pc.function} is called without a features argument")
        return self._spec(sections, pc.function, pc.call.lineno)

    def _named_spec(self, load: ast.Name, section: str, line: int) -> tuple[ParseSpec, list[str]]:
        """A module-level dict of feature configs that no parse call here reads: a spec module
        (`FEATURES = {...}`) the training script imports."""
        return self._spec({section: self.eval.value(load, self.file.module, 10**9)}, None, line)

    def _spec(self, sections: dict[str, Any], call: str | None, line: int) -> tuple[ParseSpec, list[str]]:
        entries: list[FeatureSpec] = []
        gaps: dict[tuple[str, str, tuple[str, ...]], list[tuple[str, int]]] = {}
        for section, mapping in sections.items():
            if isinstance(mapping, Unknown):
                raise Unreadable(mapping.node, mapping.why)
            if not isinstance(mapping, dict):
                raise SpecError(f"the {section} argument is {type(mapping).__name__}, not a dict", line=line)
            for key, config in mapping.items():
                if not isinstance(key, str):
                    raise SpecError(f"feature key {key!r} is not a string", line=line)
                unknown = unknown_in(config)  # also inside a list: its repr is no message
                if unknown is not None:
                    raise Unreadable(unknown.node, f"the entry {key!r}: {unknown.why}", unknown.names)
                if not isinstance(config, Feature):
                    raise SpecError(f"feature {key!r} is {config!r}, not a tf.io feature config", line=line)
                entry, unknowns = _feature_spec(key, config, section)
                entries.append(entry)
                for what, u in unknowns:
                    gaps.setdefault((what, u.why, u.names), []).append((key, config.line))
        notes = []
        for (what, why, names), keys in gaps.items():
            listed = ", ".join(repr(k) for k, _ in keys)
            checks = "its presence and dtype are" if len(keys) == 1 else "their presence and dtype are"
            at = f"{self.label}:{keys[0][1]}"
            notes.append(f"{at}: {what} of {listed} is not checked ({checks}): {why}{_hint(names)}")
        return ParseSpec(tuple(entries), call=call, file=self.path, line=line), notes


def _split_lines(source: str) -> list[bytes]:
    """The source's lines as ast counts them (column offsets are UTF-8 byte offsets)."""
    return [line.encode("utf-8") for line in re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", source) if line]


def _segment(lines: list[bytes], node: ast.AST) -> str | None:
    """`ast.get_source_segment` over lines split once."""
    try:
        first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined, operator]
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    except AttributeError:
        return None
    if end is None or last is None or not 0 <= first <= last < len(lines):
        return None
    if first == last:
        return lines[first][start:end].decode("utf-8", "replace")
    parts = [lines[first][start:], *lines[first + 1 : last], lines[last][:end]]
    return b"".join(parts).decode("utf-8", "replace")


def _labels(labels: tuple[str, ...]) -> str:
    return f" ({', '.join(labels)})" if labels else ""


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
    elif isinstance(expr, ast.Call) and last_name(expr.func) == "dict":
        values = [k.value for k in expr.keywords]
    else:
        return False
    calls = [v for v in values if isinstance(v, ast.Call)]
    return bool(values) and len(calls) == len(values) and all(last_name(c.func) in KINDS for c in calls)


def _dtype(value: Any, where: str) -> str:
    if isinstance(value, DType):
        return value.name
    if isinstance(value, str):
        return normalise_dtype(value)
    raise SpecError(f"{where}: dtype {value!r} is not a dtype")


def _shape(value: Any, where: str) -> tuple[tuple[int | None, ...] | None, Unknown | None]:
    """A shape, with None for each dimension only running the file would give (and why)."""
    if value is None:
        return None, None
    if isinstance(value, Unknown):
        return None, value
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,), None
    if isinstance(value, (list, tuple)):
        dims: list[int | None] = []
        unknown = None
        for d in value:
            if isinstance(d, Unknown):
                dims.append(None)
                unknown = unknown or d
            elif d is None or (isinstance(d, int) and not isinstance(d, bool)):
                dims.append(d)
            else:
                raise SpecError(f"{where}: shape {value!r} is not a list of integers")
        return tuple(dims), unknown
    raise SpecError(f"{where}: shape {value!r} is not a list of integers")


def _known(value: Any, what: str, key: str) -> Any:
    u = unknown_in(value)
    if u is not None:
        raise Unreadable(u.node, f"{what} of {key!r} is not known: {u.why}", u.names)
    return value


def _feature_spec(key: str, f: Feature, section: str) -> tuple[FeatureSpec, list[tuple[str, Unknown]]]:
    """The entry, and what of it is unknown: (what, why) for a shape or a default_value."""
    where = f"feature {key!r}"
    a = f.args
    if "dtype" not in a:
        raise SpecError(f"{where}: {f.kind} without a dtype", line=f.line)
    dtype = _dtype(_known(a["dtype"], "the dtype", key), where)
    gaps: list[tuple[str, Unknown]] = []
    if f.kind in ("FixedLenFeature", "FixedLenSequenceFeature"):
        if "shape" not in a:
            raise SpecError(f"{where}: {f.kind} without a shape", line=f.line)
        shape, unknown = _shape(a["shape"], where)
        if unknown is not None:
            gaps.append(("the shape", unknown))
        default = a.get("default_value")
        unknown = unknown_in(default)
        if unknown is not None:
            default = UnreadDefault(f.texts["default_value"])
            gaps.append(("the default_value", unknown))
        return FeatureSpec(
            key, f.kind, dtype, section, shape, default,
            allow_missing=bool(_known(a.get("allow_missing", False), "allow_missing", key)), line=f.line,
        ), gaps  # fmt: skip
    if f.kind == "VarLenFeature":
        return FeatureSpec(key, f.kind, dtype, section, line=f.line), gaps
    if f.kind == "SparseFeature":
        index = _known(a.get("index_key"), "the index_key", key)
        index_keys = (index,) if isinstance(index, str) else tuple(index or ())
        size, unknown = _shape(a.get("size"), where)
        if unknown is not None:
            gaps.append(("the size", unknown))
        return FeatureSpec(
            key, f.kind, dtype, section, size, value_key=_known(a.get("value_key"), "the value_key", key),
            index_keys=index_keys, line=f.line,
        ), gaps  # fmt: skip
    partitions = _known(a.get("partitions"), "the partitions", key) or []
    keys = tuple(p.key for p in partitions if isinstance(p, Partition) and p.key)
    last = partitions[-1] if partitions and isinstance(partitions[-1], Partition) else None
    return FeatureSpec(
        key, f.kind, dtype, section, value_key=_known(a.get("value_key"), "the value_key", key),
        partition_keys=keys, inner_partition=last.kind if last is not None and last.key else None,
        line=f.line,
    ), gaps  # fmt: skip


def _dedupe(specs: list[ParseSpec]) -> list[ParseSpec]:
    """One spec used by several calls is checked once, named by its first use."""
    seen: set[str] = set()
    out: list[ParseSpec] = []
    for spec in specs:
        key = repr([replace(f, line=None) for f in spec.features])  # defaults may be lists: not hashable
        if key not in seen:
            seen.add(key)
            out.append(spec)
    return out


def read_source(
    path: str | Path, label: str | None = None, spec_args: Mapping[str, Any] | None = None
) -> SourceSpecs:
    """Every parse spec in a Python file, read without running it. `spec_args` gives values
    for names the file leaves open (parameters without a default, flags, `self.x`)."""
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
    except (RecursionError, MemoryError) as exc:  # Python's own parser, on very deep expressions
        why = "nested too deep" if isinstance(exc, RecursionError) else "too large"
        raise SpecError(
            f"Python cannot parse it: an expression is {why}", str(path), _deepest(source)
        ) from None
    except ValueError as exc:  # null bytes
        raise SpecError(f"not valid Python: {exc}", str(path)) from None
    try:
        return _Reader(tree, source, label, spec_args or {}, str(path)).specs()
    except (RecursionError, MemoryError) as exc:
        why = "nested too deep" if isinstance(exc, RecursionError) else "too large"
        raise SpecError(f"tfdoctor cannot read it: it is {why}", str(path)) from None


def _deepest(source: str) -> int | None:
    """The line of the longest line: where a very deep expression most likely is."""
    lines = source.splitlines()
    return max(range(len(lines)), key=lambda i: len(lines[i])) + 1 if lines else None
