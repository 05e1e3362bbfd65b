"""A tf.data pipeline as plain data: its chain of steps (source first), what each step was
given, the random ops inside its functions, and what the probe measured at single steps.
Read from the dataset's own graph by `pipeline.graph`, measured by `pipeline.probe`; judged
by the TFD3xx-TFD6xx and TFD9xx rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .dataset import DatasetStats
from .spec import ParseSpec


@dataclass(frozen=True)
class RandomOp:
    """A random op inside a step's function."""

    op: str  # RandomUniform, StatelessRandomUniformV2, ...
    function: str
    fixed: bool  # repeats the same values every epoch (a seed set, or a constant stateless seed)
    seed: str = ""  # how it is seeded, in words


@dataclass(frozen=True)
class Decode:
    """An image or raw decode inside a step's function (TFD306)."""

    op: str  # DecodePng, DecodeJpeg, DecodeImage, DecodeBmp, DecodeRaw
    feature: str | None = None  # the parsed feature it decodes, where traced inside the function
    dtype: str = ""  # DecodeRaw: its out_type (float32, uint8...)
    shape: tuple[int, ...] | None = None  # DecodeRaw: the constant shape it is reshaped to (-1 kept)


@dataclass(frozen=True)
class OneHot:
    """A `tf.one_hot` inside a step's function (TFD607)."""

    depth: int | None  # None: computed at run time
    feature: str | None = None  # the parsed feature its indices come from, where traced inside the function
    offset: int | None = 0  # a constant added on the way (`label - 1`: -1); None: indices computed otherwise


@dataclass(frozen=True)
class Step:
    """One dataset op of the chain."""

    index: int  # 1-based, source first
    op: str  # the TensorFlow op, e.g. ShuffleDatasetV3 (its name may change across versions)
    kind: str  # source, read, map, filter, shuffle, batch, padded_batch, cache, take, skip, shard,
    #            repeat, prefetch, interleave, flat_map, ignore_errors, window, unbatch, zip,
    #            concatenate, sample, choose, generator, other
    args: dict[str, Any] = field(default_factory=dict)
    function: str | None = None  # the user function's name (map, filter, interleave)
    random_ops: tuple[RandomOp, ...] = ()
    reads_files: bool = False  # turns file names into records (a TFRecordDataset inside)
    files: tuple[str, ...] = ()  # file names or patterns it reads, where constant
    ops: tuple[str, ...] = ()  # every op inside its functions (Reshape, DecodePng...), sorted
    parse_specs: tuple[ParseSpec, ...] = ()  # the parse ops inside its functions
    decode_channels: tuple[int, ...] = ()  # `channels=` of the image decode ops inside (0: as stored)
    branches: tuple[tuple[Step, ...], ...] = ()  # zip, concatenate, sample, choose: the chains of its
    #   other inputs; a source of datasets (`from_tensor_slices([a, b])`): every input; source first
    decodes: tuple[Decode, ...] = ()  # the image and raw decodes inside its functions
    one_hots: tuple[OneHot, ...] = ()  # the tf.one_hot ops inside its functions
    fused: str = ""  # a logical step of a fused op, which the user wrote as `map_and_batch(parse, 32)`
    inserted: bool = False  # added by TensorFlow itself (the map inside unbatch()), not the user's step

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
        if self.kind in ("sample", "choose", "concatenate"):
            return f"{_MULTI_NAMES[self.kind]}({1 + len(self.branches)} datasets)"
        if self.kind == "generator":
            return f"from_generator({self.function or 'fn'})"
        if self.kind == "source" and self.branches:
            held = f"[{len(self.branches)} datasets]" if self.op == "TensorSliceDataset" else "dataset"
            return f"{_SOURCE_NAMES.get(self.op, self.op)}({held})"
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
    "TensorDataset": "from_tensors",
}
_MULTI_NAMES = {
    "sample": "sample_from_datasets",
    "choose": "choose_from_datasets",
    "concatenate": "concatenate",
}


def _fused_pair(first: Step | None, second: Step | None) -> bool:
    """Whether these are the two halves of one fused op, side by side: map_and_batch (map,
    batch) or shuffle_and_repeat (shuffle, repeat)."""
    return (
        first is not None
        and second is not None
        and bool(first.fused)
        and (first.kind, second.kind) in (("map", "batch"), ("shuffle", "repeat"))
        and first.fused == second.fused
        and first.op == second.op
        and second.index == first.index + 1
    )


@dataclass(frozen=True)
class Pipeline:
    """The main chain of a dataset (following each step's first input dataset)."""

    steps: tuple[Step, ...]
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

    def every_step(self) -> list[Step]:
        """The chain's steps, then those of every input of its multi-input steps (zip,
        concatenate, sample_from_datasets, choose_from_datasets, a source of datasets) and of
        the chains an interleave builds, breadth first."""
        out: list[Step] = []
        stack = list(self.steps)
        while stack:
            step = stack.pop(0)
            out.append(step)
            for branch in step.branches:
                stack.extend(branch)
        return out

    def files(self) -> list[str]:
        """File names read by the chain and by every input of its multi-input steps."""
        return [name for step in self.every_step() for name in step.files]

    def chain(self, steps: Sequence[Step] | None = None) -> str:
        """`TFRecordDataset(...).map(parse).shuffle(1000).batch(32)`, for messages and fixes.
        Steps TensorFlow inserted itself are left out; the two logical steps of a fused op,
        where both are there side by side, are shown as the one call the user wrote."""
        text = ""
        given = steps if steps is not None else self.steps
        shown = [s for s in given if s.kind != "other" and not s.inserted]
        second_half = -1
        for i, step in enumerate(shown):
            if i == second_half:
                continue  # written with the first half of its fused op
            inputs = [self.chain(list(branch)) for branch in step.branches]
            if _fused_pair(step, shown[i + 1] if i + 1 < len(shown) else None):
                second_half = i + 1
                text = f"{text}.apply({step.fused})" if text else step.fused
            elif step.kind == "zip":
                text = f"Dataset.zip(({', '.join([text, *inputs])}))"
            elif step.kind in ("sample", "choose"):
                choice = f", {step.args['choice']}" if step.args.get("choice") else ""
                text = f"Dataset.{_MULTI_NAMES[step.kind]}([{', '.join([text, *inputs])}]{choice})"
            elif step.kind == "concatenate" and inputs:
                text = f"{text}.concatenate({inputs[0]})"
            elif step.kind == "source" and step.branches:
                held = f"[{', '.join(inputs)}]" if step.op == "TensorSliceDataset" else inputs[0]
                text = f"Dataset.{_SOURCE_NAMES.get(step.op, step.op)}({held})"
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

    def step(self, index: int) -> Step | None:
        return next((s for s in self.steps if s.index == index), None)


@dataclass(frozen=True)
class AugmentFacts:
    """One tensor before and after a random map, over the first elements of each."""

    path: str
    elements: int
    before_min: float
    before_max: float
    after_min: float
    after_max: float
    before_constant: float  # share of elements with one value everywhere
    after_constant: float
    before_clipped: float  # share of values at the range's ends
    after_clipped: float


@dataclass(frozen=True)
class PaddingFacts:
    """How much of the batches of one padded_batch step is padding, for one tensor."""

    path: str
    batches: int
    mean: float  # share of the batch's values that are padding, averaged over batches
    max: float


@dataclass(frozen=True)
class StepProbe:
    """What the probe measured by running one step on its own input. Every field is None (or
    empty) where it was not measured: the step is of another kind, or could not be re-run."""

    step: int  # the step's index
    elements_in: int | None = None  # elements its input yielded, one pass (filter, ignore_errors)
    elements_out: int | None = None  # elements the step yielded on that input (filter)
    errors_dropped: int | None = None  # errors its input raised, which ignore_errors() drops
    first_error: str | None = None  # the first of those, first line
    epochs_identical: bool | None = None  # a cache after a random map: a second pass repeats the first
    passes_identical: bool | None = None  # a random map: a second pass yields the same values
    augment: tuple[AugmentFacts, ...] = ()  # a random map: tensors before and after it
    padding: tuple[PaddingFacts, ...] = ()  # a padded_batch: its padding, per tensor


@dataclass(frozen=True)
class PipelineFacts:
    """What the pipeline rules judge: the chain, the scan of the files it reads (where
    tfdoctor can reach them), and what the probe measured at single steps."""

    pipeline: Pipeline
    sources: DatasetStats | None = None  # a bounded scan of the files the pipeline reads
    records: int | None = None  # records in those files, where every record was counted
    counts: dict[int, int | None] = field(default_factory=dict)  # step -> elements per epoch (-1 infinite)
    probes: dict[int, StepProbe] = field(default_factory=dict)  # step -> what the probe measured there

    def probe(self, step: Step) -> StepProbe:
        """What was measured at this step (an empty record where nothing was)."""
        return self.probes.get(step.index) or StepProbe(step.index)
