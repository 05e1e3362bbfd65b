"""A TensorBoard log directory, read back as training facts: one `TrainingFacts` per
experiment (a folder with `train/` and `validation/` runs, as Keras' TensorBoard callback
writes them, or a single run folder)."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..facts.training import EpochFacts, NonFinite, TrainingFacts
from .events import Value, read_event_file

VALIDATION_RUNS = ("validation", "eval", "val")
OWN_RUN = "tfdoctor"  # what the callback writes: its measures and findings, not a curve of the model's
MAX_EVENT_FILES = 10_000


@dataclass(frozen=True)
class Experiment:
    """One experiment's runs and what they say."""

    path: str  # the experiment folder, as given (relative to the log directory's parent)
    runs: tuple[str, ...]  # the run folders read
    facts: TrainingFacts
    values: int  # scalar values read


@dataclass(frozen=True)
class LogRead:
    experiments: tuple[Experiment, ...]
    problems: tuple[str, ...]  # files that could not be read, or not wholly
    event_files: int


def event_files(logdir: Path) -> list[Path]:
    """Every TensorBoard event file under the folder (or the file itself), sorted."""
    if logdir.is_file():
        return [logdir]
    found: list[Path] = []
    for root, dirs, files in os.walk(logdir):
        dirs.sort()
        found += [Path(root) / f for f in sorted(files) if "tfevents" in f]
        if len(found) >= MAX_EVENT_FILES:
            break
    return found[:MAX_EVENT_FILES]


def _experiment_of(run: Path) -> Path:
    return run.parent if run.name in (*VALIDATION_RUNS, "train", OWN_RUN) else run


def read_logs(logdir: str | Path) -> LogRead:
    root = Path(logdir)
    files = event_files(root)
    problems: list[str] = []
    by_run: dict[Path, list[Value]] = defaultdict(list)
    for path in files:
        read = read_event_file(path)
        problems += [f"{path}: {p}" for p in read.problems]
        by_run[path.parent].extend(read.values)
    experiments: dict[Path, dict[Path, list[Value]]] = defaultdict(dict)
    for run, values in by_run.items():
        experiments[_experiment_of(run)][run] = values
    out = []
    for folder in sorted(experiments):
        runs = {r: v for r, v in experiments[folder].items() if r.name != OWN_RUN}
        if not runs:
            continue
        scalars = sum(1 for vs in runs.values() for v in vs if v.number is not None)
        if not scalars:
            continue  # no curve to judge (images only, or nothing readable)
        facts = _facts(str(folder), runs)
        out.append(Experiment(str(folder), tuple(str(r) for r in sorted(runs)), facts, scalars))
    return LogRead(tuple(out), tuple(problems), len(files))


def _series(values: list[Value], tag: str) -> list[tuple[int, float]]:
    """(step, value) of one scalar tag; a step logged twice (a restarted run) keeps the last."""
    found = {v.step: v.number for v in values if v.tag == tag and v.number is not None}
    return sorted(found.items())


def _facts(source: str, runs: dict[Path, list[Value]]) -> TrainingFacts:
    metrics: dict[int, dict[str, float]] = defaultdict(dict)
    batch_loss: list[tuple[int, float]] = []
    for run, values in runs.items():
        prefix = "val_" if run.name in VALIDATION_RUNS else ""
        tags = {v.tag for v in values if v.number is not None}
        for tag in sorted(t for t in tags if t.startswith("epoch_")):
            name = tag.removeprefix("epoch_")
            for step, value in _series(values, tag):
                metrics[step + 1][prefix + name] = value  # Keras logs epoch e (from 0) at step e
        if not prefix and "batch_loss" in tags:
            batch_loss = _series(values, "batch_loss")
    epochs = tuple(EpochFacts(e, metrics[e]) for e in sorted(metrics))
    return TrainingFacts(
        source=source,
        steps=batch_loss[-1][0] if batch_loss else 0,
        epochs=epochs,
        non_finite=_non_finite(epochs, batch_loss),
    )


def _non_finite(epochs: tuple[EpochFacts, ...], batch_loss: list[tuple[int, float]]) -> NonFinite | None:
    """The first non-finite loss: its step where batches were logged, else only its epoch."""
    bad_epoch = next(
        (e for e in epochs if "loss" in e.metrics and not math.isfinite(e.metrics["loss"])), None
    )
    before = [e.metrics["loss"] for e in epochs if "loss" in e.metrics and math.isfinite(e.metrics["loss"])]
    for i, (step, value) in enumerate(batch_loss):
        if not math.isfinite(value):
            last = batch_loss[i - 1][1] if i else None
            epoch = bad_epoch.epoch if bad_epoch is not None else (epochs[-1].epoch + 1 if epochs else 1)
            return NonFinite(step, epoch, None, value, last)
    if bad_epoch is not None:
        return NonFinite(
            None, bad_epoch.epoch, None, bad_epoch.metrics["loss"], before[-1] if before else None
        )
    return None
