"""Helpers the parse-spec rules share: the stored statistics behind a read of the spec, and where
the first records it fails on are.

The facts are a `SpecFacts`: the spec, the scan's statistics, and exact per-key tallies of
the records that TensorFlow's parser would fill with a default or fail on. What each rule
predicts about TensorFlow is checked against real `tf.io.parse_example` in
tests/differential/test_spec_rules.py."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ...facts.dataset import DatasetStats, FeatureStats
from ...facts.reads import Read, ReadTally
from ...facts.spec import (
    FeatureSpec,
    ParseSpec,
)
from ...findings import Where


def _key_stats(stats: DatasetStats, read: Read) -> FeatureStats | None:
    """Statistics of the stored key a read looks at, where any record has the key."""
    return stats.feature(read.key, "sequence") if read.section == "sequence" else stats.stored(read.key)


def _stored(stats: DatasetStats, read: Read) -> FeatureStats | None:
    """The stored feature a read looks at; None where no record ever holds a value for it."""
    found = _key_stats(stats, read)
    return found if found is not None and found.kind != "unset" else None


def _records(stats: DatasetStats, read: Read) -> int:
    """Records a read applies to: every record for field-1 reads, SequenceExamples for lists."""
    return stats.record_kinds.get("sequence_example", 0) if read.section == "sequence" else stats.records


def _reads(spec: ParseSpec) -> Iterator[tuple[FeatureSpec, Read, bool]]:
    """(entry, read, is the entry's value key) for every key the spec reads."""
    for f in spec.features:
        for i, read in enumerate(f.reads()):
            yield f, read, i == 0


def _locations(tally: ReadTally, *problems: str) -> list[str]:
    return [f"{url}#{index}" for url, index in tally.first(*problems)]


def _where(spec: ParseSpec, f: FeatureSpec, tally: ReadTally | None = None, *problems: str) -> Where:
    first = tally.first(*problems) if tally is not None and problems else []
    url, index = first[0] if first else (None, None)
    return Where(file=url, record=index, feature=f.name, spec=_spec_place(spec, f))


def _spec_place(spec: ParseSpec, f: FeatureSpec) -> str:
    if f.line is not None and f.line != spec.line:
        return f"{spec.name} (entry at line {f.line})"
    return spec.name


def _first_text(tally: ReadTally, *problems: str) -> str:
    first = tally.first(*problems)
    return f"record {first[0][1]:,} of {first[0][0]}" if first else "the first such record"


def _keys(stats: DatasetStats, section: str, read: Read | None = None) -> list[str]:
    """Stored keys of a section that hold values; with a read, only those it could take: the
    same stored kind, and value counts its entry accepts (a float key is never the typo of a
    bytes one)."""
    sections = ("sequence",) if section == "sequence" else ("features", "context")
    return [
        f.name
        for f in stats.features
        if f.section in sections and f.kind != "unset" and (read is None or fits(read, f))
    ]


def fits(read: Read, stored: FeatureStats) -> bool:
    """Whether the stored feature could be what this read meant: its stored kind is the one
    the read takes, and its values per record can fit the entry (some records hold a FixedLen
    shape's count; a FixedLenSequenceFeature's rows fit in them)."""
    if stored.kind == "unset" or (read.kind is not None and stored.kind != read.kind):
        return False
    counts = stored.value_count
    if read.count is not None:  # some records hold that count: a shape error is another finding
        return counts is not None and counts.min <= read.count <= counts.max
    if read.multiple_of:
        return counts is not None and counts.max >= read.multiple_of
    return True


def closest_key(key: str, candidates: list[str]) -> str | None:
    """The stored key a misspelt spec key most likely meant ('imaeg' -> 'image'). Keys that
    share their leading path parts must also be alike in the parts that differ:
    'image/object/area' is no typo of 'image/object/bbox/xmin'."""
    lower = {c.lower(): c for c in candidates}
    for variant in (key.lower(), key.lower().rstrip("s"), key.lower() + "s"):
        if variant in lower and lower[variant] != key:
            return lower[variant]
    if "/" not in key:  # 'label' for 'image/class/label': the stored key's last part, shallowest first
        leaf = sorted((c.count("/"), c) for c in candidates if c.lower().rsplit("/", 1)[-1] == key.lower())
        if leaf:
            return leaf[0][1]
    alike = [c for c in candidates if _alike(_tail(key, c), _tail(c, key))]
    found = difflib.get_close_matches(key, alike, n=1, cutoff=0.6)
    return found[0] if found else None


def _tail(key: str, other: str) -> str:
    """`key` without the leading '/'-separated parts it shares with `other`."""
    parts, others = key.split("/"), other.split("/")
    shared = 0
    while shared < min(len(parts), len(others)) - 1 and parts[shared] == others[shared]:
        shared += 1
    return "/".join(parts[shared:])


def _alike(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.6


def _zero(dtype: str) -> str:
    return {"float32": "0.0", "string": 'b""'}.get(dtype, "0")


def _describe_default(value: Any) -> str:
    return f"default_value={value!r}"


def _renamed(f: FeatureSpec, key: str) -> FeatureSpec:
    return replace(f, value_key=key) if f.value_key else replace(f, name=key)


def _count_text(counts: dict[int, int]) -> str:
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{n:,} record{'s' * (n != 1)} with {c} value{'s' * (c != 1)}" for c, n in top)
