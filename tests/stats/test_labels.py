"""One label guess: the scan's label feature and the probe's label tensor come from the same
list of names (`tfdoctor.labels`)."""

from __future__ import annotations

import pytest

from tfdoctor.labels import label_priority
from tfdoctor.pipeline.probe import _label_path
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
    assert _label_path(names, None) == expected


def test_probe_paths() -> None:
    assert _label_path(["[0]", "[1]"], None) == "[1]"  # (features, label) tuples
    assert _label_path(["[0].label", "[0].x"], None) is None  # a key inside the features
    assert _label_path(["[0]", "[1]", "label"], None) == "label"
    assert _label_path(["x", "label"], "x") == "x" and _label_path(["x"], "label") is None


def test_priority_order() -> None:
    assert label_priority("label") == 0 and label_priority("LABELS") == 1
    assert label_priority("image/class") is not None and label_priority("classifier") is None


@pytest.mark.parametrize("files", [1, 2])
def test_a_label_is_in_nearly_every_record(files: int) -> None:
    """A label-like name held by a third of the records is not guessed to be the label, however
    many files (and so merges and flushes) the scan made."""
    total = DatasetAccumulator()
    for k in range(files):
        acc = DatasetAccumulator()
        facts = acc.file(f"f{k}")
        for i in range(30):
            msg = parse(example({"x": float(i), **({"label": i % 2} if i % 3 == 0 else {})}))
            assert not isinstance(msg, str)
            acc.add(msg, facts, i)
        total.merge(acc)
    assert total.extract().label is None
