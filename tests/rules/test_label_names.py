"""The label guess (tfdoctor.labels) finds labels as users name them, and takes nothing else
for one: it drives TFD208, TFD501, TFD502 and TFD508, so a wrong guess makes false alarms."""

from __future__ import annotations

import pytest

from tfdoctor.labels import label_path, label_priority

REAL_LABELS = [
    "label", "labels", "label_ids", "label_id", "y", "target", "targets", "class", "classes",
    "class_id", "category_id", "fine_label", "coarse_label", "next_sentence_labels", "sentiment_label",
    "groundtruth_classes", "gt_labels", "image/class/label", "image/object/class/label", "Label",
]  # fmt: skip
NOT_LABELS = [
    "image/format", "image/colorspace", "image/class/text", "image/object/class/text", "difficult",
    "image/object/difficult", "is_real_example", "input_ids", "input_mask", "segment_ids",
    "label_map_path", "label_smoothing", "label_weights", "groundtruth_boxes", "image/encoded",
    "image/object/bbox/xmin", "x", "image", "labelled", "classifier_output", "num_classes",
]  # fmt: skip


@pytest.mark.parametrize("name", REAL_LABELS)
def test_common_label_names_are_found(name: str) -> None:
    assert label_priority(name) is not None


@pytest.mark.parametrize("name", NOT_LABELS)
def test_names_that_are_no_label_are_not_taken(name: str) -> None:
    assert label_priority(name) is None


def test_exact_names_rank_before_compound_ones_and_shallow_before_deep() -> None:
    names = ["image/object/class/label", "image/class/label", "class_label", "label"]
    ranked = sorted(names, key=lambda name: label_priority(name) or 0)
    assert ranked == ["label", "class_label", "image/class/label", "image/object/class/label"]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["[0]", "[1]"], "[1]"),  # (x, y)
        (["[0].image", "[0].size", "[1]"], "[1]"),  # ({...}, y)
        (["[0]", "[1]", "[2]"], "[1]"),  # (x, y, sample_weight)
        (["[0].image", "[1].groundtruth_boxes", "[1].groundtruth_classes"], "[1].groundtruth_classes"),
        (["[0].image", "[1].out"], "[1].out"),  # y is a dict of one tensor
        (["input_ids", "input_mask", "label_ids", "is_real_example"], "label_ids"),  # BERT's features
        (["image/encoded", "image/class/label", "image/object/class/label"], "image/class/label"),
        (["image", "label"], "label"),
        (["image", "size"], None),
        (["image/format", "image/encoded"], None),
    ],
)
def test_label_path_in_batches(paths: list[str], expected: str | None) -> None:
    assert label_path(paths) == expected


def test_label_path_takes_the_requested_leaf_only_if_there() -> None:
    assert label_path(["[0]", "[1]", "target"], "target") == "target"
    assert label_path(["[0]", "[1]"], "target") is None
