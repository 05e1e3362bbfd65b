"""The callback's measures on plain arrays: class ids of each label encoding, label rates,
the predictions' spread and the weight-update ratio."""

from __future__ import annotations

import math

import numpy as np

from tfdoctor.training.measures import SAMPLE, class_ids, label_rates, ratio, sample_index, spread


def test_class_ids_of_sparse_one_hot_and_float_labels() -> None:
    assert class_ids(np.array([0, 2, 1])).tolist() == [0, 2, 1]
    assert class_ids(np.eye(3, dtype="float32")[[2, 0]]).tolist() == [2, 0]
    assert class_ids(np.array([[1.0], [0.0]])).tolist() == [1, 0]  # binary targets
    assert class_ids(np.array([0.5, 1.7])) is None  # regression
    assert class_ids(np.array([], dtype="int64")) is None


def test_label_rates() -> None:
    majority, classes, entropy, counted = label_rates([np.array([0, 0, 0]), np.array([0, 1, 1, 0, 0])])
    assert (majority, classes, counted) == (0.75, 2, 8)
    assert math.isclose(entropy, -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert label_rates([np.array([0.3, 0.9])]) is None


def test_spread_is_relative_and_needs_two_finite_rows() -> None:
    assert spread([np.full((4, 3), 0.25)]) == 0.0
    assert spread([np.array([[0.0, 1.0], [1.0, 0.0]])]) == 0.5
    assert spread([np.array([[1000.0], [1010.0]])]) == 5.0 / 1005.0  # relative to the outputs' scale
    assert spread([np.ones((1, 3))]) is None
    assert spread([np.array([[np.nan], [1.0]])]) is None


def test_ratio_and_sample() -> None:
    w = [np.ones(10, dtype="float32"), np.zeros(5, dtype="float32")]
    assert ratio(w, w) == 0.0
    moved = [w[0] + 0.1, w[1]]
    assert math.isclose(ratio(w, moved), math.sqrt(10 * 0.01 / (10 * 1.21)), rel_tol=1e-6)
    assert sample_index(SAMPLE, 0) is None
    index = sample_index(SAMPLE * 4, 1)
    assert index is not None and len(index) == SAMPLE and len(set(index.tolist())) == SAMPLE
    assert np.array_equal(index, sample_index(SAMPLE * 4, 1))  # fixed: the same weights every window
