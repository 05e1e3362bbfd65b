"""The batch probe: pull a bounded number of batches from the pipeline and measure what they
hold. Bounded by batches, seconds and bytes; an error while pulling is caught and kept (it
is often the finding: a reshape that cannot hold the data).

Also, where the pipeline holds them: how many elements `ignore_errors()` drops and a
`filter` keeps (counted on the step's own input), and whether a random map or a cache
really repeats itself across two iterations.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .model import Pipeline, Step

IMAGE_MIN_SIDE = 8  # a rank-3/4 tensor with sides at least this and 1, 3 or 4 channels is image-like


@dataclass
class TensorFacts:
    """One leaf of the batches (a tuple position or a dict key), over every probed batch."""

    path: str
    dtype: str
    shape: list[int | None]  # of the first batch
    values: int = 0
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    nan: int = 0
    inf: int = 0
    constant: bool = True  # every element of every batch equal to the first
    image_like: bool = False
    images: int = 0
    blank_images: int = 0  # images with one value everywhere (all zero, failed decode)
    distinct_first: int = 0  # distinct values in the first batch (for labels)


@dataclass
class AugmentFacts:
    """One tensor before and after a random map, over the first elements of each."""

    step: int
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


@dataclass
class PaddingFacts:
    """How much of the batches of one padded_batch step is padding, per tensor."""

    step: int
    path: str
    batches: int
    mean: float  # share of the batch's values that are padding, averaged over batches
    max: float


@dataclass
class ProbeFacts:
    batches: int = 0
    elements: int = 0
    seconds: float = 0.0
    bytes: int = 0
    stopped: str = ""  # why the probe stopped early: "error", "time", "memory", "end"
    error: str | None = None  # the error that stopped the pipeline, first line
    error_type: str | None = None
    tensors: list[TensorFacts] = field(default_factory=list)
    label_path: str | None = None
    label_majority: list[float] = field(default_factory=list)  # per batch: share of its largest class
    label_classes: int = 0
    repeated_batches: int = 0  # batches identical to an earlier one
    epochs_identical: bool | None = None  # cache after a random map: a second pass repeats the first
    seeded_repeat: bool | None = None  # a random map yields the same values on a second pass
    elements_before_errors: int | None = None  # elements the ignore_errors() input tried
    dropped_by_errors: int | None = None
    first_error: str | None = None
    filter_in: int | None = None
    filter_out: int | None = None
    augment: list[AugmentFacts] = field(default_factory=list)
    padding: list[PaddingFacts] = field(default_factory=list)

    @property
    def mean_majority(self) -> float | None:
        """The largest class's share of a probed batch, on average; None without labels."""
        return sum(self.label_majority) / len(self.label_majority) if self.label_majority else None


def _leaves(element: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(element, dict):
        out = []
        for key in element:
            out += _leaves(element[key], f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
        return out
    if isinstance(element, (tuple, list)):
        out = []
        for i, item in enumerate(element):
            out += _leaves(item, f"{prefix}[{i}]")
        return out
    return [(prefix or "[0]", element)]


def _numpy(value: Any) -> np.ndarray | None:
    if hasattr(value, "values") and hasattr(value, "dense_shape"):  # SparseTensor
        value = value.values
    if hasattr(value, "flat_values"):  # RaggedTensor
        value = value.flat_values
    try:
        return np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except Exception:  # a leaf that does not convert: skipped
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^\{\{function_node [^}]*\}\}\s*", "", text)
    # "Error in user-defined function passed to MapDataset:2 transformation with iterator:
    # Iterator::Root::...::Map: <the error>": keep where (the map) and the error itself
    match = re.match(
        r"Error in user-defined function passed to (\w+):\d+ transformation with iterator: \S+: (.*)", text
    )
    if match:
        text = f"{match.group(2)} (in a {match.group(1)} function)"
    return text[:400]


_LABEL_KEYS = ("label", "labels", "target", "targets", "y", "class", "class_id")


def _label_path(paths: list[str], label: str | None) -> str | None:
    if label is not None:
        return label if label in paths else None
    for key in _LABEL_KEYS:
        if key in paths:
            return key
    if "[1]" in paths and "[0]" in paths:  # (features, label) tuples, as Keras takes them
        return "[1]"
    return None


def _label_ids(arr: np.ndarray) -> np.ndarray | None:
    """Class per element: integer labels, or the argmax of one-hot rows."""
    if arr.ndim == 2 and arr.shape[1] > 1:
        return np.asarray(arr.argmax(axis=1))
    if arr.ndim >= 1 and arr.size == arr.shape[0]:
        flat = arr.reshape(-1)
        if np.issubdtype(flat.dtype, np.integer) or np.issubdtype(flat.dtype, np.bool_):
            return flat
        if (
            np.issubdtype(flat.dtype, np.floating)
            and np.all(np.isfinite(flat))
            and np.all(flat == np.round(flat))
        ):
            return flat
    return None


def _image_like(arr: np.ndarray) -> bool:
    if arr.ndim == 4:
        return arr.shape[3] in (1, 3, 4) and min(arr.shape[1:3]) >= IMAGE_MIN_SIDE
    return False


class _Tensors:
    def __init__(self) -> None:
        self.facts: dict[str, TensorFacts] = {}
        self.first: dict[str, bytes] = {}
        self.totals: dict[str, float] = {}

    def add(self, path: str, arr: np.ndarray) -> None:
        facts = self.facts.get(path)
        if facts is None:
            facts = self.facts[path] = TensorFacts(path, str(arr.dtype), list(arr.shape))
            facts.image_like = _image_like(arr)
        numeric = np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
        facts.values += int(arr.size)
        if arr.size == 0:
            return
        first_element = arr[0] if arr.ndim else arr
        key = first_element.tobytes() if hasattr(first_element, "tobytes") else repr(first_element).encode()
        if path not in self.first:
            self.first[path] = key
            if arr.ndim:
                facts.distinct_first = len({a.tobytes() if hasattr(a, "tobytes") else repr(a) for a in arr})
        if facts.constant:
            if arr.ndim == 0 or arr.dtype == object:
                same = key == self.first[path] and (
                    arr.ndim == 0 or all(repr(a) == repr(arr[0]) for a in arr)
                )
            else:
                same = key == self.first[path] and bool(np.all(arr == arr[0]) if arr.ndim else True)
            facts.constant = bool(same)
        if not numeric:
            return
        values = arr.astype(np.float64, copy=False)
        finite = np.isfinite(values)
        facts.nan += int(np.isnan(values).sum())
        facts.inf += int(np.isinf(values).sum())
        good = values[finite]
        if good.size:
            lo, hi = float(good.min()), float(good.max())
            facts.min = lo if facts.min is None else min(facts.min, lo)
            facts.max = hi if facts.max is None else max(facts.max, hi)
            self.totals[path] = self.totals.get(path, 0.0) + float(good.sum())
            count = self.totals.get(path + "#n", 0.0) + good.size
            self.totals[path + "#n"] = count
            facts.mean = self.totals[path] / count
        if facts.image_like and arr.ndim == 4:
            flat = values.reshape(arr.shape[0], -1)
            facts.images += arr.shape[0]
            facts.blank_images += int(np.sum(flat.max(axis=1) == flat.min(axis=1)))


def probe(
    dataset: Any,
    pipeline: Pipeline,
    *,
    batches: int = 20,
    seconds: float = 30.0,
    max_bytes: int = 512 * 2**20,
    label: str | None = None,
    count_limit: int = 100_000,
    objects: dict[int, Any] | None = None,
) -> ProbeFacts:
    """Pull up to `batches` batches (and no more than the time and byte caps allow)."""
    facts = ProbeFacts()
    tensors = _Tensors()
    seen: set[str] = set()
    labels: Counter[Any] = Counter()
    start = time.perf_counter()
    objects = objects if objects is not None else python_steps(dataset, pipeline)
    # Counts before anything else: a pass that reaches the end of a cache() fills it (even a
    # partial pull, when a shuffle buffer upstream reads ahead), and every later pass reads
    # the cache: the errors and the filtered-out elements before it are never met again.
    _step_checks(facts, objects, pipeline, ("ignore_errors", "filter"), count_limit, seconds)
    iterator = iter(dataset)
    while facts.batches < batches:
        try:
            element = next(iterator)
        except StopIteration:
            facts.stopped = "end"
            break
        except Exception as exc:  # the pipeline's own error is a fact, not a crash
            facts.error, facts.error_type, facts.stopped = _first_line(exc), type(exc).__name__, "error"
            break
        converted = [(p, _numpy(v)) for p, v in _leaves(element)]
        leaves: list[tuple[str, np.ndarray]] = [(p, a) for p, a in converted if a is not None]
        if facts.label_path is None and facts.batches == 0:
            facts.label_path = _label_path([p for p, _ in leaves], label)
        digest = hashlib.blake2b(digest_size=16)
        for path, arr in leaves:
            tensors.add(path, arr)
            facts.bytes += int(arr.nbytes)
            digest.update(path.encode())
            digest.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
            if path == facts.label_path:
                ids = _label_ids(arr)
                if ids is not None and ids.size:
                    counts = Counter(ids.tolist())
                    labels.update(counts)
                    facts.label_majority.append(max(counts.values()) / ids.size)
        batch_key = digest.hexdigest()
        if batch_key in seen:
            facts.repeated_batches += 1
        seen.add(batch_key)
        facts.batches += 1
        first = leaves[0][1] if leaves else None
        facts.elements += int(first.shape[0]) if first is not None and first.ndim else 1
        if time.perf_counter() - start > seconds:
            facts.stopped = "time"
            break
        if facts.bytes > max_bytes:
            facts.stopped = "memory"
            break
    facts.tensors = list(tensors.facts.values())
    facts.label_classes = len(labels)
    del iterator  # a live iterator holds a half-written cache(): end it before more passes
    _step_checks(facts, objects, pipeline, ("map", "cache", "padded_batch"), count_limit, seconds)
    facts.seconds = round(time.perf_counter() - start, 3)
    return facts


# -- checks on single steps, through the Python dataset objects of the chain --------------


def python_steps(dataset: Any, pipeline: Pipeline) -> dict[int, Any]:
    """Step index -> the Python dataset object that ends at that step. Found by walking
    `_input_dataset` and counting each object's own chain (transparent ops are skipped in
    both, so the counts agree)."""
    from .graph import read_pipeline

    out: dict[int, Any] = {}
    current = dataset
    guard = 0
    while current is not None and guard < 200:
        guard += 1
        try:
            length = len(read_pipeline(current).steps)
        except Exception:
            break
        out.setdefault(length, current)
        current = getattr(current, "_input_dataset", None)
    return out


def _count(dataset: Any, limit: int, deadline: float) -> tuple[int, int, str | None]:
    """Elements yielded and errors raised by iterating, continuing past each error."""
    yielded = errors = 0
    first: str | None = None
    iterator = iter(dataset)
    while yielded + errors < limit and time.perf_counter() < deadline:
        try:
            next(iterator)
            yielded += 1
        except StopIteration:
            break
        except Exception as exc:
            errors += 1
            first = first or _first_line(exc)
            if errors > 1000 and yielded == 0:
                break
    return yielded, errors, first


def _hashes(dataset: Any, limit: int, deadline: float = float("inf")) -> list[str] | None:
    """A digest per element of one pass (up to `limit`); None when the time ran out first."""
    out = []
    for i, element in enumerate(dataset):
        if i >= limit:
            break
        if time.perf_counter() > deadline:
            return None
        digest = hashlib.blake2b(digest_size=16)
        for path, value in _leaves(element):
            arr = _numpy(value)
            digest.update(path.encode())
            if arr is not None:
                digest.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
        out.append(digest.hexdigest())
    return out


def _step_checks(
    facts: ProbeFacts,
    objects: dict[int, Any],
    pipeline: Pipeline,
    kinds: tuple[str, ...],
    limit: int,
    seconds: float,
) -> None:
    wanted = [s for s in pipeline.steps if s.kind in kinds and (s.kind != "map" or s.random)]
    deadline = time.perf_counter() + seconds
    for step in wanted:
        obj = objects.get(step.index)
        # count one pass: before any repeat() upstream of the step
        repeats = [s.index for s in pipeline.of("repeat") if s.index < step.index]
        source = objects.get((min(repeats) if repeats else step.index) - 1)
        try:
            _check_step(facts, step, obj, source, limit, deadline, pipeline)
        except Exception:  # a step that cannot be re-run alone is left unmeasured
            continue


def _check_step(
    facts: ProbeFacts, step: Step, obj: Any, source: Any, limit: int, deadline: float, pipeline: Pipeline
) -> None:
    if step.kind == "ignore_errors" and source is not None:
        yielded, errors, first = _count(source, limit, deadline)
        facts.elements_before_errors, facts.dropped_by_errors = yielded + errors, errors
        facts.first_error = first
    elif step.kind == "filter" and obj is not None and source is not None:
        n_in, _, _ = _count(source, limit, deadline)
        if n_in < limit:  # the whole input was counted: the comparison is exact
            n_out, _, _ = _count(obj, limit, deadline)
            facts.filter_in, facts.filter_out = n_in, n_out
    elif (
        step.kind == "cache"
        and obj is not None
        and any(s.random and s.index < step.index for s in pipeline.steps)
    ):
        one_pass = _hashes(obj, limit, deadline)
        if one_pass is not None and len(one_pass) < limit:  # a complete pass filled the cache
            again = _hashes(obj, limit, deadline)
            facts.epochs_identical = None if again is None else again == one_pass
    elif step.kind == "padded_batch" and source is not None:
        size = step.args.get("batch_size")
        if isinstance(size, int) and size > 0:
            facts.padding += _padding(step.index, source, size)
    elif step.kind == "map" and obj is not None and source is not None:
        facts.augment += _augment_facts(step.index, source, obj)
    if step.kind == "map" and obj is not None and facts.seeded_repeat is None:
        if any(s.kind in ("shuffle", "cache") and s.index < step.index for s in pipeline.steps):
            return  # the input order or values change between passes: no clean comparison
        one_pass = _hashes(obj, 64, deadline)
        again = _hashes(obj, 64, deadline) if one_pass else None
        facts.seeded_repeat = None if not one_pass or again is None else again == one_pass


AUGMENT_ELEMENTS = 32


def _float_leaves(dataset: Any, limit: int) -> dict[str, list[np.ndarray]]:
    out: dict[str, list[np.ndarray]] = {}
    for i, element in enumerate(dataset):
        if i >= limit:
            break
        for path, value in _leaves(element):
            arr = _numpy(value)
            if arr is not None and arr.ndim >= 2 and np.issubdtype(arr.dtype, np.number):
                out.setdefault(path, []).append(arr.astype(np.float64))
    return out


def _summary(arrays: list[np.ndarray]) -> tuple[float, float, float, float]:
    stacked = np.stack([a.reshape(-1) for a in arrays]) if len({a.size for a in arrays}) == 1 else None
    flat = np.concatenate([a.reshape(-1) for a in arrays])
    finite = flat[np.isfinite(flat)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if stacked is not None:
        constant = float(np.mean(stacked.max(axis=1) == stacked.min(axis=1)))
    else:
        constant = float(np.mean([a.max() == a.min() for a in arrays]))
    clipped = float(np.mean((finite == lo) | (finite == hi))) if finite.size and hi > lo else 1.0
    return lo, hi, constant, clipped


def _augment_facts(index: int, before_ds: Any, after_ds: Any) -> list[AugmentFacts]:
    """Image-like tensors before and after a random map (the first elements of each; a map
    yields one element per input, so the two samples are alike even when not aligned)."""
    before = _float_leaves(before_ds, AUGMENT_ELEMENTS)
    after = _float_leaves(after_ds, AUGMENT_ELEMENTS)
    out = []
    for path in sorted(set(before) & set(after)):
        b_lo, b_hi, b_const, b_clip = _summary(before[path])
        a_lo, a_hi, a_const, a_clip = _summary(after[path])
        out.append(
            AugmentFacts(index, path, min(len(before[path]), len(after[path])), b_lo, b_hi, a_lo, a_hi,
                         b_const, a_const, b_clip, a_clip)
        )  # fmt: skip
    return out


_BATCH_SHAPES = (
    re.compile(r"Cannot batch tensors with different shapes in component \d+\. First element had shape "
               r"\[([\d,]*)\] and element \d+ had shape \[([\d,]*)\]"),
    re.compile(r"Cannot add tensor to the batch: number of elements does not match\. "
               r"Shapes are: \[tensor\]: \[([\d,]*)\], \[batch\]: \[([\d,]*)\]"),
)  # fmt: skip


def batch_shapes(error: str | None) -> tuple[list[int], list[int]] | None:
    """The two element shapes a batch error names (TensorFlow words it two ways)."""
    for pattern in _BATCH_SHAPES:
        match = pattern.search(error or "")
        if match:
            a, b = ([int(d) for d in g.split(",") if d] for g in match.groups())
            return a, b
    return None


PADDING_BATCHES = 8


def _padding(index: int, source: Any, size: int) -> list[PaddingFacts]:
    """Group the padded_batch's input as it does (consecutive elements) and measure, per
    tensor, how much of each padded batch is padding."""
    shapes: dict[str, list[tuple[int, ...]]] = {}
    for i, element in enumerate(source):
        if i >= size * PADDING_BATCHES:
            break
        for path, value in _leaves(element):
            arr = _numpy(value)
            if arr is not None and arr.ndim >= 1:
                shapes.setdefault(path, []).append(tuple(arr.shape))
    out = []
    for path, elements in shapes.items():
        fractions = []
        for start in range(0, len(elements), size):
            group = elements[start : start + size]
            if len({len(s) for s in group}) != 1:
                continue
            padded = [max(dims) for dims in zip(*group)]
            total = len(group) * int(np.prod(padded))
            if total:
                fractions.append(1.0 - sum(int(np.prod(s)) for s in group) / total)
        if fractions and max(fractions) > 0:
            out.append(
                PaddingFacts(index, path, len(fractions), float(np.mean(fractions)), float(max(fractions)))
            )
    return out
