"""`DoctorCallback`: watches `model.fit` at low cost and says why the model does not learn.

Per step it keeps only the loss Keras already reports (each batch's own loss, recovered from
the epoch's running mean). Every `watch_steps` steps it measures how far each layer's
weights moved and how much the predictions on a fixed probe batch differ across its inputs;
at each epoch's end it keeps the epoch's metrics. The TFD8xx rules judge these facts; when
one fires, the dataset given to the callback is audited once and its findings (a constant
label, NaN inputs...) are named beside the symptom.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ..config import Config, load_config
from ..facts.training import Curve, EpochFacts, LayerUpdates, NonFinite, TrainingFacts
from ..findings import Finding, Severity
from . import measures
from .flow import judge
from .summaries import SummaryWriter, tensorboard_installed

log = logging.getLogger("tfdoctor")

# the data findings that explain a training symptom best, first
_CAUSES = {
    "TFD801": ("TFD601", "TFD204", "TFD607", "TFD605", "TFD305", "TFD2"),
    "TFD802": (),
    "TFD803": ("TFD601", "TFD602", "TFD605", "TFD204", "TFD305", "TFD2"),
    "TFD804": ("TFD208", "TFD508", "TFD601", "TFD204", "TFD502"),
    "TFD805": ("TFD603", "TFD207", "TFD602"),
    "TFD806": ("TFD6", "TFD2", "TFD3"),
}
_MAX_CAUSES = 2
PROBE_INPUTS = 16  # inputs of the probe batch predicted every window


class DoctorCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """Watch `model.fit` and report TFD801-TFD806 with their likely data cause.

    `train_ds`: the dataset given to `fit` (its first batches are the probe batch and the
    label counts; it is audited when a rule fires). `validation_data`: audited too when
    validation is stuck (TFD806). `log_dir`: the TensorBoard log directory of the run; the
    measures and findings go to `<log_dir>/tfdoctor`. `stop_on`: "error" or "warning" stops
    training at the first finding that severe. Findings go to the `tfdoctor` logger and to
    `findings`.
    """

    def __init__(
        self,
        train_ds: Any = None,
        validation_data: Any = None,
        log_dir: str | Path | None = None,
        stop_on: str | Severity | None = None,
        *,
        config: Config | None = None,
        probe_batches: int = 10,
        audit_batches: int = 3,
        audit_seconds: float = 10.0,
    ) -> None:
        super().__init__()
        self.train_ds = train_ds
        self.validation_data = validation_data
        self.log_dir = None if log_dir is None else Path(log_dir)
        self.stop_on = Severity.parse(stop_on) if isinstance(stop_on, str) else stop_on
        self.config = config if config is not None else load_config()
        self.probe_batches = probe_batches
        self.audit_batches = audit_batches
        self.audit_seconds = audit_seconds
        self.findings: list[Finding] = []
        self.audit_result: Any = None  # tfdoctor.AuditResult of train_ds, once a rule fired
        self.validation_audit: Any = None
        self.notes: list[str] = []  # what could not be measured, and why
        self.seconds = 0.0  # time spent in this callback
        self._reset()

    # -- state -----------------------------------------------------------------------
    def _reset(self) -> None:
        self._step = 0
        self._epoch = 0
        self._epoch_batches = 0  # batches of this epoch seen, and their running mean loss
        self._epoch_mean = 0.0
        self._window_loss = 0.0
        self._window_batches = 0
        self._window_start = 0
        self._loss = ([], [])  # type: tuple[list[int], list[float]]
        self._spread = ([], [])  # type: tuple[list[int], list[float]]
        self._epochs: list[EpochFacts] = []
        self._ratios: dict[str, list[float]] = {}
        self._watched: list[tuple[str, Any, np.ndarray | None]] = []  # layer, variable, sample
        self._before: list[np.ndarray] = []
        self._probe: Any = None
        self._predict: Any = None
        self._probe_size = 0
        self._labels: tuple[float, int, float, int] | None = None
        self._trainable: int | None = None
        self._non_finite: NonFinite | None = None
        self._last_finite: float | None = None
        self._reported: set[tuple[str, str | None]] = set()
        self._audited = False
        self._writer: SummaryWriter | None = None

    def facts(self) -> TrainingFacts:
        """What training did so far, as the rules read it."""
        majority, classes, _, probed = self._labels if self._labels else (None, None, 0.0, 0)
        return TrainingFacts(
            source=None,
            steps=self._step,
            window=self.config.thresholds.watch_steps,
            loss=Curve(tuple(self._loss[0]), tuple(self._loss[1])),
            epochs=tuple(self._epochs),
            updates=tuple(LayerUpdates(layer, tuple(r)) for layer, r in self._ratios.items()),
            trainable_weights=self._trainable,
            spread=Curve(tuple(self._spread[0]), tuple(self._spread[1])),
            probe_size=self._probe_size,
            majority_rate=majority,
            labels_probed=probed,
            classes=classes,
            non_finite=self._non_finite,
        )

    # -- Keras hooks -----------------------------------------------------------------
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        start = time.perf_counter()
        self._reset()
        self._take_probe()
        self._compile_predict()
        self._watch_weights()
        if self.log_dir is not None:
            self._open_writer()
        self.seconds += time.perf_counter() - start

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch + 1
        self._epoch_batches = 0
        self._epoch_mean = 0.0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get("loss")
        if value is None:
            return
        start = time.perf_counter()
        mean = float(value)
        seen = batch + 1
        count = max(1, seen - self._epoch_batches)  # more than one with steps_per_execution
        own = (seen * mean - self._epoch_batches * self._epoch_mean) / count
        self._step += count
        self._epoch_batches, self._epoch_mean = seen, mean
        if not math.isfinite(mean):
            if self._non_finite is None:
                self._non_finite = NonFinite(self._step, self._epoch, batch, mean, self._last_finite)
                self._judge()
        else:
            self._last_finite = own
            self._window_loss += own * count
            self._window_batches += count
        if self._step - self._window_start >= self.config.thresholds.watch_steps:
            self._end_window()
        self.seconds += time.perf_counter() - start

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        start = time.perf_counter()
        metrics = {k: float(v) for k, v in (logs or {}).items() if isinstance(v, (int, float, np.number))}
        self._epochs.append(EpochFacts(epoch + 1, metrics))
        self._judge()
        self.seconds += time.perf_counter() - start

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        start = time.perf_counter()
        if self._window_batches and not self._loss[0]:
            self._end_window()  # a run shorter than one window still has a loss curve
        self._judge()
        if self._writer is not None:
            self._writer.close()
        self.seconds += time.perf_counter() - start

    # -- measuring -------------------------------------------------------------------
    def _take_probe(self) -> None:
        """The first batches of the dataset: the probe batch's inputs and the label counts."""
        if self.train_ds is None or not hasattr(self.train_ds, "take"):
            self.notes.append("no tf.data.Dataset given: predictions and label rates are not watched")
            return
        labels: list[np.ndarray] = []
        try:
            for element in self.train_ds.take(self.probe_batches):
                x, y = (element[0], element[1]) if isinstance(element, (tuple, list)) else (element, None)
                if self._probe is None:
                    self._probe = x
                if y is not None and not isinstance(y, (dict, tuple, list)):
                    labels.append(np.asarray(y))
        except Exception as exc:  # the pipeline fails: fit will say so itself
            self.notes.append(f"could not read the probe batches: {type(exc).__name__}: {exc}")
            return
        if self._probe is not None:
            # a few inputs show a spread as well as many, at a fraction of a forward pass's cost
            self._probe = keras.tree.map_structure(lambda t: t[:PROBE_INPUTS], self._probe)
            leaves = keras.tree.flatten(self._probe)
            self._probe_size = int(leaves[0].shape[0]) if leaves and len(leaves[0].shape) else 0
        self._labels = measures.label_rates(labels)

    def _compile_predict(self) -> None:
        """The model's forward pass on the probe, traced once where the backend is TensorFlow
        (an eager Keras call costs more in Python than in arithmetic on a small batch)."""
        model = self.model
        self._predict = lambda x: model(x, training=False)
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            self._predict = tf.function(self._predict, reduce_retracing=True)

    def _watch_weights(self) -> None:
        variables = list(self.model.trainable_variables)
        self._trainable = sum(int(np.prod(v.shape)) for v in variables)
        self._watched = []
        for i, v in enumerate(variables):
            parts = str(getattr(v, "path", v.name)).split("/")
            layer = parts[-2] if len(parts) >= 2 else parts[0]
            self._watched.append((layer, v, measures.sample_index(int(np.prod(v.shape)), i)))
            self._ratios.setdefault(layer, [])
        self._before = self._weights()

    def _weights(self) -> list[np.ndarray]:
        out = []
        for _, v, index in self._watched:
            if index is None:
                out.append(np.array(v.numpy()).reshape(-1))
            else:  # a large variable: only its sample leaves the device
                out.append(
                    keras.ops.convert_to_numpy(keras.ops.take(keras.ops.reshape(v.value, (-1,)), index))
                )
        return out

    def _end_window(self) -> None:
        step = self._step
        if self._window_batches:
            self._loss[0].append(step)
            self._loss[1].append(self._window_loss / self._window_batches)
        self._window_loss, self._window_batches, self._window_start = 0.0, 0, step
        after = self._weights()
        by_layer: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        for (layer, _, _), old, new in zip(self._watched, self._before, after):
            pair = by_layer.setdefault(layer, ([], []))
            pair[0].append(old)
            pair[1].append(new)
        for layer, (olds, news) in by_layer.items():
            self._ratios[layer].append(measures.ratio(olds, news))
        total = measures.ratio(self._before, after) if after else 0.0
        self._before = after
        measured = None
        if self._probe is not None and self._probe_size >= 2:
            outputs = self._predict(self._probe)
            measured = measures.spread([keras.ops.convert_to_numpy(o) for o in keras.tree.flatten(outputs)])
            if measured is not None:
                self._spread[0].append(step)
                self._spread[1].append(measured)
        if self._writer is not None:
            values = {"tfdoctor/update_ratio": total}
            if self._loss[0] and self._loss[0][-1] == step:
                values["tfdoctor/window_loss"] = self._loss[1][-1]
            if measured is not None:
                values["tfdoctor/prediction_spread"] = measured
            values["tfdoctor/non_finite_loss"] = 0.0 if self._non_finite is None else 1.0
            self._writer.scalars(step, values)
        self._judge()

    def _open_writer(self) -> None:
        assert self.log_dir is not None
        if not tensorboard_installed():
            message = (
                "TensorBoard is not installed: tfdoctor still writes its measures and findings to "
                f"{self.log_dir / 'tfdoctor'}; `pip install tfdoctor[keras]` to view them"
            )
            log.info(message)
            self.notes.append(message)
        try:
            self._writer = SummaryWriter(self.log_dir / "tfdoctor")
        except Exception as exc:  # an unwritable folder must not stop training
            self.notes.append(f"cannot write summaries to {self.log_dir}: {type(exc).__name__}: {exc}")
            log.warning(self.notes[-1])
            return
        if self._labels is not None:
            majority, classes, entropy, _ = self._labels
            self._writer.scalars(
                0,
                {
                    "tfdoctor/label_majority_rate": majority,
                    "tfdoctor/label_classes": float(classes),
                    "tfdoctor/label_entropy": entropy,
                },
            )

    # -- judging ---------------------------------------------------------------------
    def _judge(self) -> None:
        found, errors = judge(self.facts(), self.config)
        for error in errors:
            key = (error.code, "error")
            if key not in self._reported:
                self._reported.add(key)
                log.error("tfdoctor rule %s failed to run: %s", error.code, error.error)
        fresh = [f for f in found if (f.code, f.where.layer) not in self._reported]
        for f in fresh:
            self._reported.add((f.code, f.where.layer))
            f = self._with_cause(f) if f.severity >= Severity.WARNING else f
            self.findings.append(f)
            level = {Severity.ERROR: logging.ERROR, Severity.WARNING: logging.WARNING}.get(
                f.severity, logging.INFO
            )
            log.log(level, "%s %s: %s", f.code, f.name, f.message)
            if self._writer is not None:
                self._writer.text(self._step, "tfdoctor/findings", _markdown(f))
                self._writer.flush()
            if self.stop_on is not None and f.severity >= self.stop_on and self.model is not None:
                self.model.stop_training = True

    def _audit(self) -> None:
        from ..api import audit

        self._audited = True
        for name, dataset in (("train_ds", self.train_ds), ("validation_data", self.validation_data)):
            if dataset is None or not hasattr(dataset, "take"):
                continue
            try:
                result = audit(
                    dataset, batches=self.audit_batches, seconds=self.audit_seconds, config=self.config
                )
            except Exception as exc:  # an audit that fails must not stop training
                self.notes.append(f"could not audit {name}: {type(exc).__name__}: {exc}")
                continue
            if name == "train_ds":
                self.audit_result = result
            else:
                self.validation_audit = result

    def _with_cause(self, finding: Finding) -> Finding:
        """The finding, with the audit's most telling data findings named beside it."""
        prefer = _CAUSES.get(finding.code, ())
        if not prefer:
            return finding  # no data fault explains it (TFD802: the optimizer or the graph)
        if not self._audited:
            self._audit()
        audits = [("", self.audit_result)]
        if finding.code == "TFD806":  # the validation data is the suspect
            audits.insert(0, ("validation data: ", self.validation_audit))
        causes: list[tuple[str, Finding]] = []
        for label, result in audits:
            if result is None:
                continue
            ranked = [(_rank(f.code, prefer), f) for f in result.findings if f.severity >= Severity.WARNING]
            related = sorted(
                ((r, f) for r, f in ranked if r is not None), key=lambda p: (p[0], -p[1].severity)
            )
            causes += [(label, f) for _, f in related]
        if not causes:
            return finding
        chosen = causes[:_MAX_CAUSES]
        text = "; ".join(f"{label}{_cause(c)}" for label, c in chosen)
        numbers = {**finding.numbers, "data_causes": [c.code for _, c in chosen]}
        return replace(finding, message=f"{finding.message}. Likely data cause: {text}.", numbers=numbers)


def _rank(code: str, prefer: tuple[str, ...]) -> int | None:
    return next((i for i, p in enumerate(prefer) if code.startswith(p)), None)


def _cause(f: Finding) -> str:
    where = f.where.describe()
    return f"{f.code} {f.name}" + (f" ({where})" if where else "") + f": {f.message.rstrip('. ')}"


def _markdown(f: Finding) -> str:
    where = f.where.describe()
    text = f"**{f.severity.label} {f.code} {f.name}**" + (f" ({where})" if where else "") + f"\n\n{f.message}"
    return text + (f"\n\nfix: {f.fix.text}" if f.fix is not None else "")
