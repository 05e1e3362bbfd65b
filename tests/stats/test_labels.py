"""One label guess: the scan's label feature and the probe's label tensor come from the same
list of names (`tfdoctor.labels`)."""

from __future__ import annotations

import pytest

from tfdoctor.labels import label_path
from tfdoctor.proto.build import example
from tfdoctor.proto.decode import parse
from tfdoctor.stats.dataset import DatasetAccumulator


def _scan_label(names: list[str]) -> str | None:
    acc = DatasetAccumulator()
    facts = acc.file("f")
    for i in range(20):
        msg = parse(example({name: i % 3 for name in names}))
        assert not isinstance(msg, str)
        acc.add(msg, facts, i)
    return acc.extract().label


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["x", "label"], "label"),
        (["x", "species"], "species"),
        (["y", "target"], "target"),  # the earlier name in the list wins
        (["x", "Class"], "Class"),
        (["x", "country_label"], "country_label"),
        (["x", "height"], None),
    ],
)
def test_scan_and_probe_guess_the_same_label(names: list[str], expected: str | None) -> None:
    assert _scan_label(names) == expected
    assert label_path(names, None) == expected


def test_probe_paths() -> None:
    """The probe's paths (`tfdoctor.pipeline.probe` calls `label_path`)."""
    assert label_path(["[0]", "[1]"], None) == "[1]"  # (features, label) tuples
    assert label_path(["[0].image", "[0].x", "[1]"], None) == "[1]"  # (dict features, label)
    assert label_path(["[0].label", "[0].x"], None) == "[0].label"  # a 1-tuple of a dict: by name
    assert label_path(["x", "label"], "x") == "x" and label_path(["x"], "label") is None
