"""The probe finds the label tensor as Keras takes it: the second element of `(features, y)`,
also where the features are a dict, and by name in a dict element."""

from __future__ import annotations

from typing import Any

import numpy as np

import tfdoctor
from tfdoctor.config import Config


def test_the_label_of_dict_features_and_a_label_tuple(tf: Any) -> None:
    labels = np.repeat(np.arange(4), 25)  # sorted: every batch of 10 holds one or two classes
    features = {"x": np.arange(100, dtype=np.float32), "y_pos": np.ones(100, np.float32)}
    result = tfdoctor.audit(
        tf.data.Dataset.from_tensor_slices((features, labels)).batch(10), batches=5, config=Config()
    )
    assert result.batches is not None and result.batches.label_path == "[1]"
    assert result.batches.label_classes == 2 and len(result.batches.label_majority) == 5


def test_the_label_named_in_a_dict_element(tf: Any) -> None:
    element = {"image/encoded": np.zeros((20, 2), np.float32), "label_ids": np.arange(20) % 2}
    result = tfdoctor.audit(tf.data.Dataset.from_tensor_slices(element).batch(5), batches=2, config=Config())
    assert result.batches is not None and result.batches.label_path == "label_ids"
