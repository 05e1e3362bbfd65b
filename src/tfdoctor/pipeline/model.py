"""A tf.data pipeline as plain data: its chain of steps (source first), what each step was
given, and the random ops inside its functions. Read from the dataset's own graph by
`pipeline.graph`; judged by the TFD4xx/5xx/9xx rules; no TensorFlow needed to hold it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RandomOp:
    """A random op inside a step's function."""

    op: str  # RandomUniform, StatelessRandomUniformV2, ...
    function: str
    fixed: bool  # repeats the same values every epoch (a seed set, or a constant stateless seed)
    seed: str = ""  # how it is seeded, in words


@dataclass(frozen=True)
class Step:
    """One dataset op of the chain."""

    index: int  # 1-based, source first
    op: str  # the TensorFlow op, e.g. ShuffleDatasetV3 (its name may change across versions)
    kind: str  # source, read, map, filter, shuffle, batch, padded_batch, cache, take, skip, shard,
    #            repeat, prefetch, interleave, flat_map, ignore_errors, window, unbatch, other
    args: dict[str, Any] = field(default_factory=dict)
    function: str | None = None  # the user function's name (map, filter, interleave)
    random_ops: tuple[RandomOp, ...] = ()
    reads_files: bool = False  # turns file names into records (a TFRecordDataset inside)
    files: tuple[str, ...] = ()  # file names or patterns it reads, where constant
    ops: tuple[str, ...] = ()  # every op inside its functions (Reshape, DecodePng...), sorted
    parse_specs: tuple[Any, ...] = ()  # ParseSpecs of the parse ops inside its functions
    decode_channels: tuple[int, ...] = ()  # `channels=` of the image decode ops inside (0: as stored)
    branches: tuple[tuple[Step, ...], ...] = ()  # zip: the chains of its other inputs, source first

    @property
    def random(self) -> bool:
        return bool(self.random_ops)

    def call(self) -> str:
        """How the user wrote it, as near as the graph tells: `shuffle(buffer_size=100)`."""
        a = self.args
        if self.kind == "shuffle":
            extra = "" if a.get("reshuffle_each_iteration", True) else ", reshuffle_each_iteration=False"
            return f"shuffle({a.get('buffer_size', '?')}{extra})"
        if self.kind in ("batch", "padded_batch"):
            extra = ", drop_remainder=True" if a.get("drop_remainder") else ""
            return f"{self.kind}({a.get('batch_size', '?')}{extra})"
        if self.kind in ("map", "filter", "interleave", "flat_map"):
            inner = self.function or "fn"
            parallel = a.get("num_parallel_calls")
            if parallel is not None:
                inner += f", num_parallel_calls={'AUTOTUNE' if parallel == -1 else parallel}"
            return f"{self.kind}({inner})"
        if self.kind in ("take", "skip", "repeat"):
            count = a.get("count")
            return (
                f"{self.kind}()" if count in (None, -1) and self.kind == "repeat" else f"{self.kind}({count})"
            )
        if self.kind == "shard":
            return f"shard({a.get('num_shards')}, {a.get('index')})"
        if self.kind == "prefetch":
            size = a.get("buffer_size")
            return f"prefetch({'AUTOTUNE' if size == -1 else size})"
        if self.kind == "cache":
            return f"cache({a['filename']!r})" if a.get("filename") else "cache()"
        if self.kind == "ignore_errors":
            return "ignore_errors()"
        if self.kind == "zip":
            return f"zip({1 + len(self.branches)} datasets)"
        if self.kind == "window":
            return f"window({a.get('size')}, shift={a.get('shift')})"
        if self.kind in ("source", "read"):
            name = _SOURCE_NAMES.get(self.op, self.op)
            if self.files:
                shown = repr(self.files[0]) if len(self.files) == 1 else f"[{len(self.files)} files]"
                return f"{name}({shown})"
            return f"{name}(...)"
        return f"{self.kind}()" if self.kind != "other" else self.op


_SOURCE_NAMES = {
    "TensorSliceDataset": "from_tensor_slices",
    "TFRecordDatasetV2": "TFRecordDataset",
    "RangeDataset": "range",
    "GeneratorDataset": "from_generator",
}


@dataclass
class Pipeline:
    """The main chain of a dataset (following each step's first input dataset)."""

    steps: list[Step]
    element_spec: str = ""
    cardinality: int | None = None  # elements per epoch; None: unknown; -1: infinite

    def first(self, kind: str, after: int = 0) -> Step | None:
        return next((s for s in self.steps if s.kind == kind and s.index > after), None)

    def of(self, *kinds: str) -> list[Step]:
        return [s for s in self.steps if s.kind in kinds]

    @property
    def record_start(self) -> int:
        """Index of the step that turns file names into records (0: none found). Steps up to
        it act on file names: a shuffle there shuffles files, not examples."""
        return max((s.index for s in self.steps if s.reads_files), default=0)

    def files(self) -> list[str]:
        """File names read by the chain and by the other inputs of any zip."""
        out: list[str] = []
        stack = list(self.steps)
        while stack:
            step = stack.pop(0)
            out += step.files
            for branch in step.branches:
                stack.extend(branch)
        return out

    def chain(self, steps: list[Step] | None = None) -> str:
        """`TFRecordDataset(...).map(parse).shuffle(1000).batch(32)`, for messages and fixes."""
        text = ""
        for step in steps if steps is not None else self.steps:
            if step.kind == "other":
                continue
            if step.kind == "zip":
                inputs = [text, *(self.chain(list(branch)) for branch in step.branches)]
                text = f"Dataset.zip(({', '.join(inputs)}))"
            else:
                text = f"{text}.{step.call()}" if text else step.call()
        return text

    def moved(self, step: Step, before: Step) -> str:
        """The chain with `step` moved to just before `before`."""
        rest = [s for s in self.steps if s.index != step.index]
        at = next(i for i, s in enumerate(rest) if s.index == before.index)
        return self.chain([*rest[:at], step, *rest[at:]])

    def moved_after(self, step: Step, after: Step) -> str:
        """The chain with `step` moved to just after `after`."""
        rest = [s for s in self.steps if s.index != step.index]
        at = next(i for i, s in enumerate(rest) if s.index == after.index)
        return self.chain([*rest[: at + 1], step, *rest[at + 1 :]])

    def without(self, step: Step) -> str:
        return self.chain([s for s in self.steps if s.index != step.index])

    def where(self, step: Step) -> str:
        """`shuffle(100)` is step 5 of 8."""
        return f"step {step.index} of {len(self.steps)}"


@dataclass
class PipelineFacts:
    """What the TFD3xx-6xx/9xx pipeline rules judge: the chain, the scan of the files it
    reads (where tfdoctor can reach them), and what the batch probe measured."""

    pipeline: Pipeline
    sources: Any = None  # DatasetStats of the files the pipeline reads, or None
    probe: Any = None  # ProbeFacts, or None when batches were not pulled
    records: int | None = None  # records in those files, where every record was counted
    counts: dict[int, int | None] = field(default_factory=dict)  # step -> elements per epoch (-1 infinite)
