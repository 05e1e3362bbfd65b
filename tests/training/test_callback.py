"""DoctorCallback on real Keras training: each TFD8xx rule fires on a planted fault and
stays silent on its fixed twin; the data cause found by the audit is named beside the
symptom; a healthy CNN reports nothing of warning or above."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest
from keras_cases import codes, data, fit

from tfdoctor.findings import Severity

pytestmark = pytest.mark.tensorflow


@pytest.fixture(scope="module")
def keras(tf: Any) -> Any:
    return pytest.importorskip("keras")


def test_blank_images_flat_loss_and_constant_predictions_name_the_constant_tensor(
    tf: Any, keras: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tfdoctor"):
        callback, history = fit(tf, keras, data(constant=True))
    found = {f.code: f for f in callback.findings}
    assert {"TFD801", "TFD803"} <= set(found)
    flat = found["TFD801"]
    assert flat.severity is Severity.ERROR and flat.numbers["moved"] <= 0.01
    assert max(history.history["loss"]) - min(history.history["loss"]) < 0.01  # it really did not move
    # the symptom, then the data cause the audit found: the blank image tensor
    assert "Likely data cause: TFD601 constant-tensor (batch tensor '[0]')" in flat.message
    assert flat.numbers["data_causes"][0] == "TFD601"
    assert found["TFD803"].numbers["spread"] == 0.0 and "TFD601" in found["TFD803"].numbers["data_causes"]
    assert callback.audit_result is not None
    assert any(r.message.startswith("TFD801 flat-loss") for r in caplog.records)


def test_the_fixed_twin_learns_and_is_silent(tf: Any, keras: Any) -> None:
    callback, history = fit(tf, keras, data())
    assert callback.findings == []
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    assert callback.audit_result is None  # nothing fired: no audit was run


def test_learning_rate_zero_moves_no_weight(tf: Any, keras: Any) -> None:
    callback, _ = fit(tf, keras, data(), learning_rate=0.0, epochs=2)
    (f,) = [f for f in callback.findings if f.code == "TFD802"]
    assert f.severity is Severity.ERROR and f.numbers["layers"] == 2 and f.numbers["largest_ratio"] == 0.0
    assert "data_causes" not in f.numbers  # no data fault explains a zero learning rate


def test_frozen_model_has_no_trainable_weights(tf: Any, keras: Any) -> None:
    from keras_cases import CONFIG, dataset, model

    from tfdoctor.keras import DoctorCallback

    train = dataset(tf, data())
    m = model(keras)
    m.trainable = False
    m.compile("adam", "sparse_categorical_crossentropy")
    callback = DoctorCallback(train, config=CONFIG)
    m.fit(train, epochs=1, verbose=0, callbacks=[callback])
    assert [f.code for f in callback.findings if f.code == "TFD802"] == ["TFD802"]
    assert "no trainable weights" in callback.findings[0].message


def test_labels_apart_from_the_inputs_stay_at_the_majority_rate(tf: Any, keras: Any) -> None:
    callback, history = fit(tf, keras, data(majority=0.9), epochs=5)
    (f,) = [f for f in callback.findings if f.code == "TFD804"]
    assert f.severity is Severity.WARNING and f.numbers["majority_rate"] > 0.85
    # always class 0: one fixed rate, the share of class 0 in the whole dataset
    assert history.history["accuracy"][-3:] == [float(np.mean(data(majority=0.9)[1] == 0))] * 3
    # the twin: the same imbalanced labels, told by the images: accuracy climbs past the rate
    callback, history = fit(tf, keras, data(majority=0.9, signal=True), epochs=5)
    assert codes(callback.findings) == {}
    assert history.history["accuracy"][-1] > callback.facts().majority_rate + 0.05


def test_an_inf_input_turns_the_loss_nan_at_its_batch(tf: Any, keras: Any) -> None:
    callback, history = fit(tf, keras, data(inf_batch=1), epochs=2)
    assert np.isnan(history.history["loss"][0])
    (f,) = callback.findings
    assert f.code == "TFD805"
    assert (f.numbers["step"], f.numbers["epoch"], f.numbers["batch"]) == (2, 1, 1)
    assert "Likely data cause: TFD603 non-finite-batch (batch tensor '[0]')" in f.message
    assert codes(fit(tf, keras, data(), epochs=2)[0].findings) == {}


def test_blank_validation_images_leave_validation_stuck(tf: Any, keras: Any) -> None:
    callback, history = fit(tf, keras, data(), validation=data(1, constant=True), epochs=4)
    (f,) = callback.findings
    assert (f.code, f.severity) == ("TFD806", Severity.WARNING)
    assert f.message.count("Likely data cause: validation data: TFD601 constant-tensor") == 1
    assert f.numbers["val_accuracy_fixed"] and "val_accuracy stayed at" in f.message
    # every blank image gets the same class: validation accuracy never moves while training learns
    assert len(set(history.history["val_accuracy"])) == 1
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]
    # the twin: validation data built like the training data
    callback, history = fit(tf, keras, data(), validation=data(1), epochs=4)
    assert callback.findings == []
    assert history.history["val_loss"][-1] < 0.8 * history.history["val_loss"][0]


def test_stop_on_error_stops_training(tf: Any, keras: Any) -> None:
    callback, history = fit(tf, keras, data(constant=True), epochs=6, stop_on="error")
    assert len(history.history["loss"]) < 6
    assert callback.findings[0].severity is Severity.ERROR


def test_a_healthy_cnn_reports_nothing_of_warning_or_above(tf: Any, keras: Any) -> None:
    callback, history = fit(tf, keras, data(), epochs=5, cnn=True)
    assert [f for f in callback.findings if f.severity >= Severity.WARNING] == []
    assert history.history["accuracy"][-1] > 0.6
    facts = callback.facts()
    assert facts.steps == 5 * 32 and len(facts.loss) == 16 and len(facts.spread) == 16
    assert all(len(u.ratios) == 16 and min(u.ratios) > 0 for u in facts.updates)
