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
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..facts.batches import BatchFacts, TensorFacts
from ..facts.pipeline import AugmentFacts, PaddingFacts, Pipeline, Step, StepProbe
from ..labels import label_path

IMAGE_MIN_SIDE = 8  # a rank-3/4 tensor with sides at least this and 1, 3 or 4 channels is image-like


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


def _composite(value: Any) -> bool:
    """A SparseTensor or RaggedTensor: `_numpy` measures its flat values."""
    return (hasattr(value, "values") and hasattr(value, "dense_shape")) or hasattr(value, "flat_values")


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
    text = re.sub(r"\s*\[Op:\w+\]( name: \S*)?$", "", text)
    return text[:400]


def _error_op(exc: BaseException) -> str | None:
    """The op an error names (`[[{{node assert_less/Assert/AssertGuard/Assert}}]]`: Assert),
    to find the step whose function holds it."""
    nodes = [n for n in re.findall(r"\{\{node ([^}]+)\}\}", str(exc)) if n != "IteratorGetNext"]
    return re.sub(r"_\d+$", "", nodes[0].split("/")[-1]) if nodes else None


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
    """The TensorFacts of every leaf, updated batch by batch (a batch is a new frozen value)."""

    def __init__(self) -> None:
        self.facts: dict[str, TensorFacts] = {}
        self.first: dict[str, bytes] = {}
        self.totals: dict[str, tuple[float, int]] = {}  # sum and count of the finite values

    def add(self, path: str, arr: np.ndarray) -> None:
        facts = self.facts.get(path)
        if facts is None:
            facts = TensorFacts(path, str(arr.dtype), tuple(arr.shape), image_like=_image_like(arr))
        self.facts[path] = replace(
            facts, values=facts.values + int(arr.size), **self._measured(facts, path, arr)
        )

    def _measured(self, facts: TensorFacts, path: str, arr: np.ndarray) -> dict[str, Any]:
        """What this batch changes, beyond the count of values."""
        if arr.size == 0:
            return {}
        out: dict[str, Any] = {}
        first_element = arr[0] if arr.ndim else arr
        key = first_element.tobytes() if hasattr(first_element, "tobytes") else repr(first_element).encode()
        if path not in self.first:
            self.first[path] = key
            if arr.ndim:
                out["distinct_first"] = len({a.tobytes() if hasattr(a, "tobytes") else repr(a) for a in arr})
        if facts.constant:
            if arr.ndim == 0 or arr.dtype == object:
                same = key == self.first[path] and (
                    arr.ndim == 0 or all(repr(a) == repr(arr[0]) for a in arr)
                )
            else:
                same = key == self.first[path] and bool(np.all(arr == arr[0]) if arr.ndim else True)
            out["constant"] = bool(same)
        if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
            return out
        values = arr.astype(np.float64, copy=False)
        finite = np.isfinite(values)
        out["nan"] = facts.nan + int(np.isnan(values).sum())
        out["inf"] = facts.inf + int(np.isinf(values).sum())
        good = values[finite]
        if good.size:
            lo, hi = float(good.min()), float(good.max())
            out["min"] = lo if facts.min is None else min(facts.min, lo)
            out["max"] = hi if facts.max is None else max(facts.max, hi)
            total, count = self.totals.get(path, (0.0, 0))
            total, count = total + float(good.sum()), count + int(good.size)
            self.totals[path] = (total, count)
            out["mean"] = total / count
        if not facts.image_like and (facts.values == 0 or facts.integral):
            whole = bool(np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.bool_))
            out["integral"] = whole or bool(good.size and np.all(good == np.round(good)))
        one_hot_so_far = facts.values == 0 or facts.one_hot_rows + facts.zero_rows > 0
        if arr.ndim >= 2 and arr.shape[-1] >= 2 and not facts.image_like and one_hot_so_far:
            rows = values.reshape(-1, arr.shape[-1])  # TFD607: one-hot rows, and all-zero ones
            sums = rows.sum(axis=1)
            if bool(np.all((rows == 0) | (rows == 1))) and bool(np.all(sums <= 1)):
                zero = int(np.sum(sums == 0))
                out["zero_rows"] = facts.zero_rows + zero
                out["one_hot_rows"] = facts.one_hot_rows + rows.shape[0] - zero
            else:  # a batch that is not one-hot: the tensor is not one
                out["zero_rows"] = out["one_hot_rows"] = 0
        if facts.image_like and arr.ndim == 4:
            flat = values.reshape(arr.shape[0], -1)
            out["images"] = facts.images + arr.shape[0]
            out["blank_images"] = facts.blank_images + int(np.sum(flat.max(axis=1) == flat.min(axis=1)))
        return out


# The time cap holds for all of the probe; where the pipeline has steps to measure alone, the
# counts before the batches get this share of it and the checks after them this share.
EARLY_SHARE = 0.25
LATER_SHARE = 0.25


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
) -> tuple[BatchFacts, dict[int, StepProbe]]:
    """Pull up to `batches` batches (and no more than the time and byte caps allow); measure
    single steps on their own inputs. Returns what the batches hold and, per step index,
    what was measured there. Everything runs under one deadline, `seconds` from now: each
    pull runs in a thread that is cancelled and abandoned when the time is up, so a batch
    that takes minutes, or a pipeline that never yields, cannot hold the probe."""
    start = time.perf_counter()
    deadline = start + seconds
    objects = objects if objects is not None else python_steps(dataset, pipeline)
    early, later = ("ignore_errors", "filter"), ("map", "cache", "padded_batch")
    early_share = EARLY_SHARE if _wanted(pipeline, early) else 0.0
    later_share = LATER_SHARE if _wanted(pipeline, later) else 0.0
    # Counts before anything else: a pass that reaches the end of a cache() fills it (even a
    # partial pull, when a shuffle buffer upstream reads ahead), and every later pass reads
    # the cache: the errors and the filtered-out elements before it are never met again.
    steps = _step_checks(objects, pipeline, early, count_limit, start + seconds * early_share)
    batch_bytes = _batch_bytes(dataset, pipeline)
    limit, memory_note = batches, ""
    if batch_bytes and batch_bytes * batches > max_bytes:
        limit = max_bytes // batch_bytes
        memory_note = (
            f"a batch holds {batch_bytes / 2**20:,.1f} MiB (its element_spec): {limit} fit the "
            f"{max_bytes / 2**20:,.0f} MiB cap"
        )
    measured = _Batches(label, max_bytes)
    outcome = _Outcome("done")
    if limit > 0:
        outcome = _drive(dataset, deadline - seconds * later_share, measured.add, until=limit)
    stopped, stopped_while = _stopped(outcome, measured, limit < batches, memory_note, batches)
    error = outcome.error if outcome.stopped == "error" else None
    after = _step_checks(objects, pipeline, later, count_limit, deadline)
    for index, step_probe in after.items():  # one record per step (no step is in both groups)
        steps[index] = step_probe
    facts = BatchFacts(
        batches=measured.pulled,
        elements=measured.elements,
        seconds=round(time.perf_counter() - start, 3),
        bytes=measured.size,
        stopped=stopped,
        error=_first_line(error) if error is not None else None,
        error_type=type(error).__name__ if error is not None else None,
        tensors=tuple(measured.tensors.facts.values()),
        label_path=measured.label_path,
        label_majority=tuple(measured.majority),
        label_classes=len(measured.labels),
        repeated_batches=measured.repeated,
        stopped_while=stopped_while,
        seconds_limit=seconds,
        error_op=_error_op(error) if error is not None else None,
    )
    return facts, dict(sorted(steps.items()))


def _stopped(
    outcome: _Outcome, measured: _Batches, memory_limited: bool, memory_note: str, batches: int
) -> tuple[str, str]:
    """Why the batches stopped ("" when all asked for came) and what the probe was doing then."""
    if outcome.stopped in ("end", "error"):
        return outcome.stopped, ""
    if outcome.stopped == "time":
        waited = time.perf_counter() - measured.last
        return "time", f"waiting {waited:.1f}s for batch {measured.pulled + 1}"
    if measured.over_bytes:
        return "memory", f"{measured.size / 2**20:,.0f} MiB in {measured.pulled} batch(es)"
    if memory_limited and measured.pulled < batches:
        return "memory", memory_note
    return "", ""


class _Batches:
    """What the probed batches hold, batch by batch; `add` says whether to pull another."""

    def __init__(self, label: str | None, max_bytes: int) -> None:
        self.tensors = _Tensors()
        self.seen: set[str] = set()
        self.labels: Counter[Any] = Counter()
        self.majority: list[float] = []
        self.pulled = self.elements = self.size = self.repeated = 0
        self.label, self.max_bytes = label, max_bytes
        self.label_path: str | None = None
        self.composite: set[str] = set()  # leaves that are ragged or sparse tensors
        self.last = time.perf_counter()  # when the last batch came (or the pulling began)
        self.over_bytes = False

    def add(self, element: Any) -> bool:
        converted = [(p, _numpy(v)) for p, v in _leaves(element)]
        leaves: list[tuple[str, np.ndarray]] = [(p, a) for p, a in converted if a is not None]
        if self.label_path is None and self.pulled == 0:
            self.label_path = label_path([p for p, _ in leaves], self.label)
            self.composite = {p for p, v in _leaves(element) if _composite(v)}
        digest = hashlib.blake2b(digest_size=16)
        for path, arr in leaves:
            self.tensors.add(path, arr)
            self.size += int(arr.nbytes)
            digest.update(path.encode())
            digest.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
            if path == self.label_path:
                ids = _label_ids(arr)
                if ids is not None and ids.size:
                    counts = Counter(ids.tolist())
                    self.labels.update(counts)
                    self.majority.append(max(counts.values()) / ids.size)
        for path in self.composite & set(self.tensors.facts):  # its shape is of the flat values
            self.tensors.facts[path] = replace(self.tensors.facts[path], composite=True)
        batch_key = digest.hexdigest()
        if batch_key in self.seen:
            self.repeated += 1
        self.seen.add(batch_key)
        self.pulled += 1
        first = leaves[0][1] if leaves else None
        self.elements += int(first.shape[0]) if first is not None and first.ndim else 1
        self.last = time.perf_counter()
        self.over_bytes = self.size > self.max_bytes
        return not self.over_bytes


def _batch_bytes(dataset: Any, pipeline: Pipeline) -> int | None:
    """Bytes of one batch, where the element_spec tells (every shape known but the batch
    dimension, which the last batch step gives; no strings); None otherwise."""
    batch = next(reversed(pipeline.of("batch", "padded_batch")), None)
    size = batch.args.get("batch_size") if batch is not None else None
    total = 0
    try:
        import tensorflow as tf

        for spec in tf.nest.flatten(dataset.element_spec):
            dims = spec.shape.as_list()
            if dims and dims[0] is None and isinstance(size, int) and size > 0:
                dims[0] = size
            if any(d is None for d in dims) or spec.dtype == tf.string:
                return None
            total += int(np.prod(dims, dtype=np.int64)) * spec.dtype.size
    except Exception:  # a spec without shape or dtype (a nested dataset, an optional)
        return None
    return total


def _wanted(pipeline: Pipeline, kinds: tuple[str, ...]) -> list[Step]:
    """The steps of these kinds that are measured alone (a map only where it is random)."""
    return [s for s in pipeline.steps if s.kind in kinds and (s.kind != "map" or s.random)]


# -- pulling under a deadline ---------------------------------------------------------------


@dataclass
class _Outcome:
    stopped: str = ""  # "done" (the caller had enough), "end", "error", "time"
    error: BaseException | None = None
    seconds: float = 0.0


_GRACE = 0.05  # seconds past the deadline the caller waits for an element already in measuring


def _drive(
    dataset: Any,
    deadline: float,
    on_element: Callable[[Any], bool],
    *,
    until: int | None = None,
    on_error: Callable[[BaseException], bool] | None = None,
) -> _Outcome:
    """Iterate `dataset` in a daemon thread, handing each element to `on_element` (which says
    whether to go on) and each error to `on_error` (whether to go past it; stop by default),
    until `until` elements came, the dataset ends or raises, or `deadline` (perf_counter)
    passes. Then the pull in flight is cancelled and the thread abandoned: one element that
    takes minutes (a huge batch, a filter that never matches after a repeat()) cannot hold
    the caller, nor, the thread being a daemon, the interpreter's exit."""
    start = time.perf_counter()
    lock = threading.Lock()
    finished = threading.Event()
    outcome = _Outcome()
    abandoned = False
    cancels: list[Callable[[], None]] = []
    failures: list[Exception] = []  # a callback that raised: tfdoctor's own bug, raised here

    def call(callback: Callable[[Any], bool], value: Any) -> bool:
        try:
            return callback(value)
        except Exception as exc:
            failures.append(exc)
            return False

    def finish(stopped: str, error: BaseException | None = None) -> None:
        with lock:
            if not outcome.stopped:
                outcome.stopped, outcome.error = stopped, error

    def work() -> None:
        iterator = pull = element = None
        came = 0
        try:
            iterator = iter(dataset)
            pull, cancel = _cancellable_next(iterator)
            cancels.append(cancel)
            while until is None or came < until:
                if time.perf_counter() >= deadline:
                    finish("time")
                    return
                try:
                    element = pull()
                except StopIteration:
                    finish("end")
                    return
                except Exception as exc:  # the pipeline's own error is a fact, not a crash
                    with lock:
                        go_on = not abandoned and on_error is not None and call(on_error, exc)
                    if not go_on:
                        finish("done" if failures else "error", None if failures else exc)
                        return
                    continue
                with lock:
                    if abandoned:
                        return
                    came += 1
                    go_on = call(on_element, element)
                if not go_on:
                    break
            finish("done")
        except Exception as exc:  # the iterator could not be made
            finish("error", exc)
        finally:
            # end the iterator here: a live one holds a half-written cache() for later passes
            iterator = pull = element = None
            finished.set()

    threading.Thread(target=work, name="tfdoctor-probe", daemon=True).start()
    wait = None if deadline == float("inf") else max(0.0, deadline - time.perf_counter()) + _GRACE
    finished.wait(wait)
    with lock:
        if not outcome.stopped:
            abandoned = True
            outcome.stopped = "time"
    if abandoned:
        for cancel in cancels:
            cancel()
    if failures:
        raise failures[0]
    outcome.seconds = time.perf_counter() - start
    return outcome


def _cancellable_next(iterator: Any) -> tuple[Callable[[], Any], Callable[[], None]]:
    """`next()` on an eager tf.data iterator, and a function that cancels the one in flight
    from another thread (TensorFlow's CancellationManager ends an IteratorGetNext). Without
    it, an abandoned pull of `repeat().filter(<never true>)` spins in C++ for the rest of the
    process. Private TensorFlow API: where it is missing, plain `next()`, abandoned only."""
    try:
        import tensorflow as tf
        from tensorflow.python.data.util import structure
        from tensorflow.python.eager import cancellation, context, execute

        manager = cancellation.CancellationManager()
        types = [execute.make_type(t, "output_types") for t in iterator._flat_output_types]
        shapes = [execute.make_shape(s, "output_shapes") for s in iterator._flat_output_shapes]
        resource, spec, ctx = iterator._iterator_resource, iterator.element_spec, context.context()
    except Exception:  # another TensorFlow, or not an eager iterator

        def plain() -> Any:
            return next(iterator)

        return plain, lambda: None
    attrs = ("output_types", types, "output_shapes", shapes)

    def pull() -> Any:
        try:
            flat = execute.execute_with_cancellation(
                "IteratorGetNext", len(types), [resource], attrs, ctx, manager
            )
        except tf.errors.OutOfRangeError:
            raise StopIteration from None
        return structure.from_compatible_tensor_list(spec, flat)

    return pull, manager.start_cancel


# -- checks on single steps, through the Python dataset objects of the chain --------------


def python_steps(dataset: Any, pipeline: Pipeline) -> dict[int, Any]:
    """Step index -> the Python dataset object that ends at that step. Found by walking each
    object's main input (as the graph's chain goes: the first data input of
    sample_from_datasets, not its selector) and counting each object's own chain (transparent
    ops are skipped in both, so the counts agree).

    A fused op is one object for two logical steps: it ends the second (the batch of
    map_and_batch, the repeat of shuffle_and_repeat), and the first has none, so the
    single-step checks skip it (its map cannot be run without the batch) and its element
    count is carried from its input."""
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
        current = _main_input(current)
    return out


def _main_input(obj: Any) -> Any:
    """The input dataset an object's chain goes on through, None at a source."""
    data = getattr(obj, "_data_inputs", None)  # sample/choose_from_datasets: the selector is apart
    if data:
        return data[0]
    found = getattr(obj, "_input_dataset", None)
    if found is not None:
        return found
    try:
        inputs = obj._inputs()  # zip, concatenate, the TF 1 DatasetV1Adapter
    except Exception:  # an object of another make: the walk ends here
        return None
    return inputs[0] if inputs else None


@dataclass
class _Counted:
    yielded: int = 0
    errors: int = 0
    first: str | None = None  # the first error, first line
    complete: bool = False  # the pass ended (not the limit, not the time)
    seconds: float = 0.0


def _count(dataset: Any, limit: int, deadline: float) -> _Counted:
    """Elements yielded and errors raised by iterating, continuing past each error (up to
    `limit` of both, and until the deadline)."""
    counted = _Counted()

    def element(_: Any) -> bool:
        counted.yielded += 1
        return counted.yielded + counted.errors < limit

    def error(exc: BaseException) -> bool:
        counted.errors += 1
        counted.first = counted.first or _first_line(exc)
        hopeless = counted.errors > 1000 and not counted.yielded
        return counted.yielded + counted.errors < limit and not hopeless

    outcome = _drive(dataset, deadline, element, on_error=error)
    counted.complete, counted.seconds = outcome.stopped == "end", outcome.seconds
    return counted


def _hashes(dataset: Any, limit: int, deadline: float = float("inf")) -> list[str] | None:
    """A digest per element of one pass (up to `limit`); None when the time ran out first."""
    out: list[str] = []

    def element(value: Any) -> bool:
        digest = hashlib.blake2b(digest_size=16)
        for path, leaf in _leaves(value):
            arr = _numpy(leaf)
            digest.update(path.encode())
            if arr is not None:
                digest.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
        out.append(digest.hexdigest())
        return True

    outcome = _drive(dataset, deadline, element, until=limit)
    if outcome.error is not None:
        raise outcome.error
    return None if outcome.stopped == "time" else list(out)


SAMPLE_BYTES = 32 << 20  # a sample of elements for a single-step check holds at most this


def _first_elements(
    dataset: Any, limit: int, deadline: float, max_bytes: int = SAMPLE_BYTES
) -> list[list[tuple[str, np.ndarray]]]:
    """The leaves of the first `limit` elements, as arrays (fewer where the time runs out,
    the dataset ends, or they hold `max_bytes`: a sample of huge images stays small)."""
    out: list[list[tuple[str, np.ndarray]]] = []
    held = 0

    def element(value: Any) -> bool:
        nonlocal held
        leaves = [(path, arr) for path, leaf in _leaves(value) if (arr := _numpy(leaf)) is not None]
        out.append(leaves)
        held += sum(int(arr.nbytes) for _, arr in leaves)
        return held < max_bytes

    outcome = _drive(dataset, deadline, element, until=limit)
    if outcome.error is not None:
        raise outcome.error
    return list(out)


def _step_checks(
    objects: dict[int, Any],
    pipeline: Pipeline,
    kinds: tuple[str, ...],
    limit: int,
    deadline: float,
) -> dict[int, StepProbe]:
    """Run each step of these kinds on its own input, until the deadline: what it measures,
    by step index."""
    out: dict[int, StepProbe] = {}
    for step in _wanted(pipeline, kinds):
        obj = objects.get(step.index)
        # count one pass: before any repeat() upstream of the step
        repeats = [s.index for s in pipeline.of("repeat") if s.index < step.index]
        source = objects.get((min(repeats) if repeats else step.index) - 1)
        try:
            measured = _check_step(step, obj, source, limit, deadline, pipeline)
        except Exception:  # a step that cannot be re-run alone is left unmeasured
            continue
        if measured != StepProbe(step.index):
            out[step.index] = measured
    return out


def _check_step(
    step: Step, obj: Any, source: Any, limit: int, deadline: float, pipeline: Pipeline
) -> StepProbe:
    measured = StepProbe(step.index)
    if step.kind == "ignore_errors" and source is not None:
        counted = _count(source, limit, deadline)
        measured = replace(
            measured,
            elements_in=counted.yielded + counted.errors,
            errors_dropped=counted.errors,
            first_error=counted.first,
        )
    elif step.kind == "filter" and obj is not None and source is not None:
        before = _count(source, limit, deadline)
        if before.complete:  # the whole input was counted: the comparison is exact
            after = _count(obj, limit, deadline)
            kept = _kept(after, before, limit, any(s.index < step.index for s in pipeline.of("repeat")))
            if kept is not None:
                measured = replace(measured, elements_in=before.yielded, elements_out=kept)
    elif (
        step.kind == "cache"
        and obj is not None
        and any(s.random and s.index < step.index for s in pipeline.steps)
    ):
        one_pass = _hashes(obj, limit, deadline)
        if one_pass is not None and len(one_pass) < limit:  # a complete pass filled the cache
            again = _hashes(obj, limit, deadline)
            measured = replace(measured, epochs_identical=None if again is None else again == one_pass)
    elif step.kind == "padded_batch" and source is not None:
        size = step.args.get("batch_size")
        if isinstance(size, int) and size > 0:
            measured = replace(measured, padding=_padding(source, size, deadline))
    elif step.kind == "map" and obj is not None and source is not None:
        measured = replace(measured, augment=_augment_facts(source, obj, deadline))
    if step.kind == "map" and obj is not None:
        if any(s.kind in ("shuffle", "cache") and s.index < step.index for s in pipeline.steps):
            return measured  # the input order or values change between passes: no clean comparison
        one_pass = _hashes(obj, 64, deadline)
        again = _hashes(obj, 64, deadline) if one_pass else None
        identical = None if not one_pass or again is None else again == one_pass
        measured = replace(measured, passes_identical=identical)
    return measured


def _kept(after: _Counted, before: _Counted, limit: int, repeated: bool) -> int | None:
    """Elements a filter kept of its input's one pass; None where the count says nothing.
    After a repeat() the filter's input never ends: where it ran for several passes' time
    (each took `before.seconds`) and kept nothing, it keeps nothing (repeat().filter(f)
    with f never true yields no element, ever: it spins)."""
    if after.complete or after.yielded + after.errors >= limit:
        return after.yielded
    if repeated and after.yielded == 0 and after.seconds >= 2 * before.seconds:
        return 0
    return None


AUGMENT_ELEMENTS = 32


def _float_leaves(dataset: Any, limit: int, deadline: float) -> dict[str, list[np.ndarray]]:
    out: dict[str, list[np.ndarray]] = {}
    for leaves in _first_elements(dataset, limit, deadline):
        for path, arr in leaves:
            if arr.ndim >= 2 and np.issubdtype(arr.dtype, np.number):
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


def _augment_facts(before_ds: Any, after_ds: Any, deadline: float) -> tuple[AugmentFacts, ...]:
    """Image-like tensors before and after a random map (the first elements of each; a map
    yields one element per input, so the two samples are alike even when not aligned)."""
    before = _float_leaves(before_ds, AUGMENT_ELEMENTS, deadline)
    after = _float_leaves(after_ds, AUGMENT_ELEMENTS, deadline)
    out = []
    for path in sorted(set(before) & set(after)):
        b_lo, b_hi, b_const, b_clip = _summary(before[path])
        a_lo, a_hi, a_const, a_clip = _summary(after[path])
        out.append(
            AugmentFacts(path, min(len(before[path]), len(after[path])), b_lo, b_hi, a_lo, a_hi,
                         b_const, a_const, b_clip, a_clip)
        )  # fmt: skip
    return tuple(out)


PADDING_BATCHES = 8


def _padding(source: Any, size: int, deadline: float) -> tuple[PaddingFacts, ...]:
    """Group the padded_batch's input as it does (consecutive elements) and measure, per
    tensor, how much of each padded batch is padding."""
    shapes: dict[str, list[tuple[int, ...]]] = {}
    for leaves in _first_elements(source, size * PADDING_BATCHES, deadline):
        for path, arr in leaves:
            if arr.ndim >= 1:
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
            out.append(PaddingFacts(path, len(fractions), float(np.mean(fractions)), float(max(fractions))))
    return tuple(out)
