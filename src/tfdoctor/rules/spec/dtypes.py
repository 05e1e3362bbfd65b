"""TFD202: a spec dtype the parser cannot take, or that differs from the stored kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ...config import Thresholds
from ...facts.spec import (
    TF_DTYPE_FOR_KIND,
    SpecFacts,
    feature_line,
)
from ...findings import Fix, Severity
from .._text import fraction
from ..registry import Report, rule
from ._reads import (
    _first_text,
    _locations,
    _reads,
    _stored,
    _where,
)


@rule("TFD202", "dtype-mismatch", Severity.ERROR, requires=(SpecFacts,))
def dtype_mismatch(facts: SpecFacts, cfg: Thresholds) -> Iterator[Report]:
    """The spec's dtype differs from the stored kind, or is one the parser cannot take.

    What it finds:
    Entries whose dtype is not int64, float32 or string (tf.int32, tf.uint8, tf.float64...),
    and records whose stored list (int64_list / float_list / bytes_list) differs from the
    one the dtype reads, e.g. labels stored as int64 read as tf.float32.
    Why it hurts training:
    TensorFlow refuses other dtypes when the parse op is built ("Value for attr 'Tdense' of
    int32 is not in the list of allowed values"), and a kind mismatch fails at the first such
    record ("Data types don't match. Data type: int64 but expected type: float"), often only
    once the pipeline reaches it.
    Example:
    features = {'label': tf.io.FixedLenFeature([], tf.int32)}
    Fix:
    Read the stored kind (tf.int64 for int64_list, tf.float32 for float_list, tf.string for
    bytes_list) and cast afterwards: tf.cast(parsed['label'], tf.int32).
    """
    stats, spec = facts.data, facts.spec
    for f, read, is_value in _reads(spec):
        stored = _stored(stats, read)
        if is_value and f.stored_kind is None:
            target = TF_DTYPE_FOR_KIND.get(stored.kind, "int64") if stored else "int64"
            fixed = replace(f, dtype=target)
            yield Report(
                f"'{f.name}' is read as tf.{f.dtype}, which the parser cannot take (only int64, "
                "float32 and string): TensorFlow fails when the parse op is built.",
                _where(spec, f),
                {"dtype": f.dtype, "parse_fails": True},
                Fix(f"{feature_line(fixed)}  then tf.cast(parsed[{f.name!r}], tf.{f.dtype})"),
            )
            continue
        tally = facts.tally(read)
        wrong = tally.kind_problems()
        if not wrong or read.kind is None:
            continue
        total_wrong = sum(wrong.values())
        kinds = ", ".join(f"{kind} in {n:,}" for kind, n in sorted(wrong.items(), key=lambda kv: -kv[1]))
        want = TF_DTYPE_FOR_KIND[read.kind]
        problems = [f"kind:{k}" for k in wrong]
        top = max(wrong, key=lambda k: wrong[k])
        fix_text = (
            f"Read what is stored: {feature_line(replace(f, dtype=TF_DTYPE_FOR_KIND[top]))}"
            f"  then tf.cast(parsed[{f.name!r}], tf.{want})"
            if is_value
            else f"Store '{read.key}' as int64 (it holds indices or row partitions)."
        )
        if tally.present > total_wrong:
            fix_text += f"; or rewrite the {total_wrong:,} records stored as {top} so every record agrees"
        yield Report(
            f"'{read.key}' is read as tf.{want} ({read.kind}_list) but stored as {kinds} of "
            f"{tally.present:,} records holding it: parsing fails at {_first_text(tally, *problems)} "
            "('Data types don't match').",
            _where(spec, f, tally, *problems),
            {
                "records": tally.present,
                "mismatched": total_wrong,
                "fraction": fraction(total_wrong, tally.present),
                "stored_kinds": dict(wrong),
                "first_records": _locations(tally, *problems),
                "parse_fails": True,
            },
            Fix(fix_text),
        )
