"""Suppression: the findings a user asked not to see, after the rules ran (rules never know).

By feature: `--ignore TFD601:is_real_example` or `per-feature-ignores` in pyproject match a
finding whose `where.feature` is that feature (a SequenceExample list also without its
`sequence:` prefix), or whose `where.tensor` is that batch tensor or ends with it
(`[0].is_real_example`).

Inline, like `# noqa`: `# tfdoctor: ignore[TFD503]` (several codes or prefixes
comma-separated; bare `# tfdoctor: ignore` for every code) in the user's Python source:
- on a spec entry (`"label": tf.io.FixedLenFeature(...)`, any line of that entry) for the
  findings about that entry, or on the statement of the parse call for every finding of that
  spec;
- on the statement that builds a pipeline step. Steps are read from the dataset's graph and
  carry no line: the step is found in the source by its call (`.shuffle(`, `.batch(`,
  `TFRecordDataset(`, `map_and_batch(`...), narrowed by its function's name (`map(parse)`),
  by the calls inside the function that built the dataset, and by a literal first argument
  (`shuffle(100)`). Steps and calls of one kind are paired in source order when they are as
  many; a step that stays ambiguous, or is built by code the file does not hold, has no
  line, and no comment applies to it. A comment anywhere in a statement spanning several
  lines applies to every step that statement builds.

Pure: the findings, the configuration and the text of the user's source files in; the kept
and the suppressed findings out."""

from __future__ import annotations

import ast
import bisect
import builtins
import io
import re
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath
from typing import Any

from .config import Config
from .facts.pipeline import Pipeline, Step
from .facts.spec import ParseSpec
from .findings import Finding, Where

_COMMENT = re.compile(r"#\s*tfdoctor:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
# ops whose Python spelling is not the op's name
_SOURCE_CALLS = {
    "TensorSliceDataset": "from_tensor_slices", "TensorDataset": "from_tensors", "RangeDataset": "range",
    "GeneratorDataset": "from_generator", "TFRecordDatasetV2": "TFRecordDataset",
    "FixedLengthRecordDatasetV2": "FixedLengthRecordDataset",
}  # fmt: skip
_KIND_CALLS = {"interleave": ("interleave", "parallel_interleave")}
_FIRST_ARG = {  # the step argument a literal first argument of its call shows
    "shuffle": "buffer_size", "batch": "batch_size", "padded_batch": "batch_size", "take": "count",
    "skip": "count", "repeat": "count", "shard": "num_shards", "prefetch": "buffer_size", "window": "size",
}  # fmt: skip
_BUILTINS = frozenset(dir(builtins))
Span = tuple[int, int]  # first and last line


@dataclass(frozen=True)
class Suppressed:
    """A finding the user suppressed, and what suppressed it."""

    finding: Finding
    by: str  # "--ignore TFD601:is_real_example", "# tfdoctor: ignore[TFD503] (train.py:14)"

    def to_json(self) -> dict[str, Any]:
        return {**self.finding.to_json(), "by": self.by}


@dataclass(frozen=True)
class Comment:
    """One `# tfdoctor: ignore[...]` comment."""

    file: str
    line: int
    codes: tuple[str, ...]  # codes or prefixes; empty: every code

    def covers(self, code: str) -> bool:
        return not self.codes or any(code.startswith(c) for c in self.codes)

    def describe(self) -> str:
        what = f"ignore[{','.join(self.codes)}]" if self.codes else "ignore"
        return f"# tfdoctor: {what} ({PurePath(self.file).name}:{self.line})"


def comments(text: str, file: str) -> dict[int, Comment]:
    """The ignore comments of a Python source by line: comments only, never text in strings."""
    try:
        found = [
            (tok.start[0], tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):  # not Python tokenize can read: every `#` on a line
        found = [(i, line[line.index("#") :]) for i, line in enumerate(text.splitlines(), 1) if "#" in line]
    out: dict[int, Comment] = {}
    for line, comment in found:
        match = _COMMENT.search(comment)
        if match:
            codes = tuple(c.strip().upper() for c in (match["codes"] or "").split(",") if c.strip())
            out[line] = Comment(file, line, codes)
    return out


@dataclass(frozen=True)
class _Call:
    name: str  # the called name: `shuffle` in `ds.shuffle(100)`
    position: tuple[int, int]  # where that name is written: calls in source order
    node: ast.Call
    span: Span  # the simple statement holding the call


class PythonSource:
    """One of the user's Python files: its ignore comments, statements and calls."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.comments = comments(text, path)
        self._comment_lines = sorted(self.comments)  # to find those in a span without walking it
        try:
            self.tree: ast.Module | None = ast.parse(text)
        except SyntaxError:
            self.tree = None
        self._simple = (
            [  # simple statements (not def, if, for...: those hold others)
                n for n in ast.walk(self.tree) if isinstance(n, ast.stmt) and not hasattr(n, "body")
            ]
            if self.tree is not None
            else []
        )

    def comment(self, span: Span, code: str) -> Comment | None:
        """The first comment on these lines that covers the code."""
        lines = self._comment_lines
        for line in lines[bisect.bisect_left(lines, span[0]) : bisect.bisect_right(lines, span[1])]:
            found = self.comments[line]
            if found.covers(code):
                return found
        return None

    def statement(self, line: int) -> Span:
        """The lines of the simple statement that starts on or spans this line."""
        return self._statement_at.get(line, (line, line))

    def entry(self, line: int) -> Span:
        """The lines of the spec entry written from this line: a `key: value` pair of a dict, a
        keyword argument (`dict(label=...)`), or a statement (`spec["label"] = ...`)."""
        return self._entry_from.get(line, (line, line))

    @cached_property
    def _statement_at(self) -> dict[int, Span]:
        """Line -> the shortest simple statement spanning it: one pass, so a spec of thousands
        of entries is looked up in linear time."""
        out: dict[int, Span] = {}
        for stmt in self._simple:
            span = (stmt.lineno, stmt.end_lineno or stmt.lineno)
            for line in range(span[0], span[1] + 1):
                held = out.get(line)
                if held is None or span[1] - span[0] < held[1] - held[0]:
                    out[line] = span
        return out

    @cached_property
    def _entry_from(self) -> dict[int, Span]:
        """Line -> the shortest entry starting on it."""
        out: dict[int, Span] = {}
        for span in self._entries:
            held = out.get(span[0])
            if held is None or span[1] - span[0] < held[1] - held[0]:
                out[span[0]] = span
        return out

    @cached_property
    def _entries(self) -> list[Span]:
        spans = [(s.lineno, s.end_lineno or s.lineno) for s in self._simple]
        for node in ast.walk(self.tree) if self.tree is not None else ():
            if isinstance(node, ast.Dict):
                spans += [
                    (k.lineno, v.end_lineno or v.lineno)
                    for k, v in zip(node.keys, node.values)
                    if k is not None
                ]
            elif isinstance(node, ast.keyword):
                spans.append((node.lineno, node.end_lineno or node.lineno))
        return spans

    def _calls(self) -> list[_Call]:
        out: list[_Call] = []
        for stmt in self._simple:
            span = (stmt.lineno, stmt.end_lineno or stmt.lineno)
            for node in ast.walk(stmt):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Attribute):
                    position = (func.end_lineno or func.lineno, func.end_col_offset or 0)
                    out.append(_Call(func.attr, position, node, span))
                elif isinstance(func, ast.Name) and func.id not in _BUILTINS:
                    out.append(_Call(func.id, (func.lineno, func.col_offset), node, span))
        return sorted(out, key=lambda c: c.position)

    def steps(self, pipeline: Pipeline, function: str | None = None) -> dict[int, Span]:
        """The statement that builds each step, where the source shows it unambiguously."""
        calls = self._calls()
        scope = self._inside(function)
        groups: dict[tuple[int, ...], tuple[list[_Call], list[Step]]] = {}
        for step in pipeline.steps:
            found = _candidates(step, calls, scope)
            groups.setdefault(tuple(id(c) for c in found), (found, []))[1].append(step)
        out: dict[int, Span] = {}
        for found, steps in groups.values():
            if found and len(found) == len(steps):
                out.update((s.index, c.span) for s, c in zip(steps, found))
                continue
            for step in steps:
                literal = [c for c in found if _literal_first_arg(step, c.node)]
                if len(literal) == 1:
                    out[step.index] = literal[0].span
        return out

    def _inside(self, function: str | None) -> set[int]:
        """ids of the nodes inside the function that built the dataset."""
        if self.tree is None or not function:
            return set()
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function:
                return {id(n) for n in ast.walk(node)}
        return set()


def _op_call(step: Step) -> str:
    """How a dataset op is called in Python: `MapAndBatchDataset` -> `map_and_batch`."""
    op = step.op
    if step.kind in ("source", "read"):
        return _SOURCE_CALLS.get(op, re.sub(r"V\d+$", "", op))
    stem = re.sub(r"(Dataset)?(V\d+)?$", "", op)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def _candidates(step: Step, calls: list[_Call], scope: set[int]) -> list[_Call]:
    names = {_op_call(step), *_KIND_CALLS.get(step.kind, ())}
    if step.kind not in ("source", "read", "other"):
        names.add(step.kind)
    found = [c for c in calls if c.name in names]
    if step.function == "lambda":
        found = [c for c in found if any(isinstance(a, ast.Lambda) for a in _arguments(c.node))] or found
    elif step.function and step.kind not in ("source", "read"):
        found = [c for c in found if _mentions(c.node, step.function)] or found
    return [c for c in found if id(c.node) in scope] or found


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


def _mentions(call: ast.Call, name: str) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id == name) or (isinstance(n, ast.Attribute) and n.attr == name)
        for arg in _arguments(call)
        for n in ast.walk(arg)
    )


def _literal_first_arg(step: Step, call: ast.Call) -> bool:
    key = _FIRST_ARG.get(step.kind)
    if key is None or key not in step.args:
        return False
    given = next((k.value for k in call.keywords if k.arg == key), call.args[0] if call.args else None)
    return isinstance(given, ast.Constant) and given.value == step.args[key]


def feature_names(where: Where) -> set[str]:
    """The names a per-feature ignore matches a finding by."""
    names: set[str] = set()
    if where.feature is not None:
        section, sep, name = where.feature.partition(":")
        names |= {where.feature, name} if sep and section in ("sequence", "context") else {where.feature}
    if where.tensor is not None:
        last = re.sub(r"(\[\d+\])+$", "", where.tensor.rsplit(".", 1)[-1])
        names |= {where.tensor, last} if last else {where.tensor}
    return names


def suppress(
    findings: Sequence[Finding],
    config: Config,
    *,
    specs: Sequence[ParseSpec] = (),
    sources: Mapping[str, str] | None = None,
    pipeline: Pipeline | None = None,
    pipeline_source: str | None = None,
    function: str | None = None,
) -> tuple[list[Finding], list[Suppressed]]:
    """Split findings into those reported and those the user suppressed.

    `sources`: path -> text of the user's Python files (the spec files read from source, the
    file that built the pipeline); `pipeline_source` is the one of them that built
    `pipeline`, by `function`."""
    parsed = {path: PythonSource(path, text) for path, text in (sources or {}).items()}
    built = parsed.get(pipeline_source) if pipeline_source is not None else None
    step_spans = built.steps(pipeline, function) if built is not None and pipeline is not None else {}
    spec_steps = {p.name: s.index for s in (pipeline.steps if pipeline else ()) for p in s.parse_specs}
    entry_lines = [_entry_lines(spec) for spec in specs]  # once, not per finding: linear in the spec
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        by = _by_feature(finding, config)
        if by is None:
            by = _by_spec_comment(finding, specs, entry_lines, parsed)
        if by is None and built is not None:
            step = (
                finding.where.step
                if finding.where.step is not None
                else spec_steps.get(finding.where.spec or "")
            )
            span = step_spans.get(step) if step is not None else None
            found = built.comment(span, finding.code) if span is not None else None
            by = found.describe() if found is not None else None
        if by is None:
            kept.append(finding)
        else:
            suppressed.append(Suppressed(finding, by))
    return kept, suppressed


def _by_feature(finding: Finding, config: Config) -> str | None:
    if not config.feature_ignores:
        return None
    names = feature_names(finding.where)
    for rule in config.feature_ignores:
        if rule.feature in names and any(finding.code.startswith(c) for c in rule.codes):
            return rule.origin
    return None


def _entry_lines(spec: ParseSpec) -> dict[str, list[int]]:
    """Entry name -> the lines its entries are written on."""
    out: dict[str, list[int]] = {}
    for f in spec.features:
        if f.line is not None:
            out.setdefault(f.name, []).append(f.line)
    return out


def _by_spec_comment(
    finding: Finding,
    specs: Sequence[ParseSpec],
    entry_lines: Sequence[dict[str, list[int]]],
    parsed: Mapping[str, PythonSource],
) -> str | None:
    named = finding.where.spec
    if named is None:
        return None
    for spec, lines in zip(specs, entry_lines):
        if spec.file is None or (named != spec.name and not named.startswith(f"{spec.name} (")):
            continue
        source = _source_for(spec.file, parsed)
        if source is None:
            continue
        spans = [source.entry(line) for line in lines.get(finding.where.feature or "", [])]
        if spec.line is not None:
            spans.append(source.statement(spec.line))
        for span in spans:
            found = source.comment(span, finding.code)
            if found is not None:
                return found.describe()
    return None


def _source_for(file: str, parsed: Mapping[str, PythonSource]) -> PythonSource | None:
    """The source a spec names: by its path, or by its file name (specs read from source are
    named by file name) where one file of that name was given."""
    if file in parsed:
        return parsed[file]
    same = [s for path, s in parsed.items() if PurePath(path).name == PurePath(file).name]
    return same[0] if len(same) == 1 else None
