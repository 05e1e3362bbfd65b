"""The rule unit tests: each starts its wording-snapshot count afresh (facts_builders.check)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from facts_builders import _calls


@pytest.fixture(autouse=True)
def _wording_calls_start_at_zero() -> Iterator[None]:
    # a test's n-th check() is its n-th snapshot entry, even where a test runs twice in one
    # process (mutmut runs the same tests again in forks of a process that already ran them)
    _calls.clear()
    yield
