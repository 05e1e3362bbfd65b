"""A feature that holds one value everywhere is reported with that value (TFD206), signs of
infinities included, and no NumPy warning reaches the user's console on the way (inf - inf
in the record-to-record order)."""

from __future__ import annotations

import warnings

from conftest import add_records

from tfdoctor.proto.build import example
from tfdoctor.stats.dataset import DatasetAccumulator


def _constant(values: list[float]) -> str | None:
    acc = DatasetAccumulator()
    add_records(acc, [example({"x": v}) for v in values])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = acc.extract()
    return next(f for f in stats.features if f.name == "x").constant_value


def test_an_infinity_everywhere_keeps_its_sign() -> None:
    assert _constant([float("-inf")] * 3) == "-inf"
    assert _constant([float("inf")] * 3) == "inf"
    assert _constant([float("-inf"), float("inf")]) is None
