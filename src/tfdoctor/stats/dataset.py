"""Dataset statistics: per-feature accumulators, label order and file facts, merged as one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..facts.dataset import DatasetStats, LabelOrder
from ..facts.inputs import InputFacts
from ..labels import label_priority
from ..proto.decode import key_name, key_problem, no_value
from .families import WIDE_LIST
from .feature import FLUSH_AT, FeatureAccumulator
from .files import FileAccumulator
from .label_order import LabelOrderAccumulator
from .reads import Read, ReadsAccumulator

SECTION_ORDER = {"features": 0, "context": 1, "sequence": 2}
NATIVE_SECTIONS = ("features", "context", "sequence")  # the native core's key sections, by number


class DatasetAccumulator:
    def __init__(self, label: str | None = None, reads: list[Read] | None = None) -> None:
        self.label = label  # the user's --label; None: guess from names
        self.reads = ReadsAccumulator(reads) if reads else None
        self.records = 0
        self._since_flush = 0
        self.record_kinds: dict[str, int] = {}
        self.features: dict[tuple[str, str], FeatureAccumulator] = {}
        self.labels: dict[str, LabelOrderAccumulator] = {}
        self.files: dict[str, FileAccumulator] = {}
        # per key bytes: (name, problem); cached so each distinct key is checked once
        self._keys: dict[bytes, tuple[str, str | None]] = {}
        # per section, key bytes -> its accumulator: the hot loop's one lookup per feature
        self._by_key: dict[str, dict[bytes, FeatureAccumulator]] = {"features": {}, "context": {}}
        # while the native core reads a file: hands what it holds to the features (`flush`)
        self.native_drain: Callable[[], None] | None = None

    def _key(self, key: bytes) -> tuple[str, str | None]:
        hit = self._keys.get(key)
        if hit is None:
            problem = key_problem(key)
            hit = (key_name(key), problem)
            self._keys[key] = hit
        return hit

    def _feature(self, section: str, name: str) -> FeatureAccumulator:
        acc = self.features.get((section, name))
        if acc is None:
            acc = self.features[(section, name)] = FeatureAccumulator(name, section)
            if self.reads is not None and section != "sequence":
                acc.checks = self.reads.checks_for(name)
            if section != "sequence" and self._is_label(name):
                self.labels.setdefault(name, LabelOrderAccumulator(name))
        return acc

    def add(self, message: Any, file: FileAccumulator, index: int) -> str | None:
        """Add one parsed record. Returns why it is not an Example (and adds nothing) or None."""
        is_sequence = message.HasField("feature_lists")
        entries = message.context.feature
        seq_entries = message.feature_lists.feature_list if is_sequence else ()
        section = "context" if is_sequence else "features"
        by_key = self._by_key[section]
        # A key seen before has its accumulator and passed the key check: one lookup. A new
        # key is checked (and the record refused whole if the key shows another message type).
        found: list[tuple[FeatureAccumulator, Any, str | None]] = []
        for entry in entries:
            key = entry.key
            acc = by_key.get(key)
            if acc is None:
                name, problem = self._key(key)
                if problem:
                    return problem
                acc = by_key[key] = self._feature(section, name)
            value = entry.value
            which = value.WhichOneof("kind")
            if which is None and not entry.HasField("value"):
                return no_value(section, key)
            found.append((acc, value, which))
        for entry in seq_entries:
            problem = self._key(entry.key)[1]
            if problem:
                return problem
            if not entry.HasField("value"):
                return no_value("feature_lists", entry.key)
        kind_name = "sequence_example" if is_sequence else "example"
        self.records += 1
        self.record_kinds[kind_name] = self.record_kinds.get(kind_name, 0) + 1
        if is_sequence:
            file.sequence_examples += 1
        else:
            file.examples += 1
        features, labels, keys, reads = self.features, self.labels, self._keys, self.reads
        for acc, value, which in found:
            # FeatureAccumulator.add, inlined into the families' buffers: this loop is the
            # scan's hot path (~1 us a feature).
            if which == "float_list":
                values: Any = value.float_list.value
                acc.counts.float_counts.append(len(values))
                if len(values) < WIDE_LIST:
                    acc.numeric.floats.extend(values)
                else:  # sampled for the quantiles, by record and position (`families.wide_part`)
                    acc.numeric.wide.append((index, np.asarray(values, dtype=np.float32)))
            elif which == "int64_list":
                values = value.int64_list.value
                acc.counts.int64_counts.append(len(values))
                acc.numeric.ints.extend(values)
            elif which == "bytes_list":
                values = value.bytes_list.value
                acc.counts.bytes_counts.append(len(values))
                acc.bytes.values.extend(values)
            else:
                values = ()
                acc.counts.unset_counts.append(0)
            if acc.checks:
                reads.check(acc.checks, which, values, file.url, index)  # type: ignore[union-attr]
            if acc.name in labels and len(values) == 1:
                label = values[0]
                text = label.decode("latin-1") if isinstance(label, bytes) else str(label)
                labels[acc.name].add(file.url, index, text)
        if reads is not None:
            reads.end_record(file.url, index)
            if is_sequence:
                reads.add_sequences({keys[e.key][0]: e.value for e in seq_entries}, file.url, index)
        for entry in seq_entries:
            name = self._keys[entry.key][0]
            acc = features.get(("sequence", name)) or self._feature("sequence", name)
            steps = []
            for step in entry.value.feature:
                which = step.WhichOneof("kind")
                if which == "float_list":
                    steps.append(("float", step.float_list.value))
                elif which == "int64_list":
                    steps.append(("int64", step.int64_list.value))
                elif which == "bytes_list":
                    steps.append(("bytes", step.bytes_list.value))
                else:
                    steps.append(("unset", ()))
            acc.add_sequence(steps, index)
        self._since_flush += 1  # after the whole record, its feature lists too (as the native core)
        if self._since_flush >= FLUSH_AT:
            self.flush()
        return None

    def native_key(self, key: bytes, section: int = 0) -> tuple[bool, int]:
        """For the native core: whether the key (of an Example's features, a SequenceExample's
        context or its feature lists: `NATIVE_SECTIONS`) passes `add`'s check, and what of it
        is wanted record by record: 1 its entries and values (a label), 2 its entries and
        int64 values (a key a parse spec reads: kinds, counts, indexes, row partitions), 0
        nothing (statistics only)."""
        name, problem = self._key(key)
        if problem is not None:
            return False, 0
        if NATIVE_SECTIONS[section] == "sequence":
            return True, 2 if self.reads is not None and self.reads.reads_steps(name) else 0
        if self._is_label(name):
            return True, 1
        return True, 2 if self.reads is not None and self.reads.checks_for(name) else 0

    def _is_label(self, name: str) -> bool:
        return name == self.label or label_priority(name) is not None

    def _native_feature(self, section_key: tuple[int, bytes]) -> FeatureAccumulator:
        section, key = NATIVE_SECTIONS[section_key[0]], section_key[1]
        if section == "sequence":
            name = self._key(key)[0]
            return self.features.get(("sequence", name)) or self._feature("sequence", name)
        by_key = self._by_key[section]
        acc = by_key.get(key)
        if acc is None:
            acc = by_key[key] = self._feature(section, self._key(key)[0])
        return acc

    def add_columns(
        self,
        records: int,
        columns: list[Any],
        file: FileAccumulator,
        first_index: int,
        sequences: int = 0,
        record_kinds: bytes = b"",
    ) -> None:
        """Add `records` Examples decoded by the native core (`tfdoctor.native`), every key
        already registered through `native_key`. Their statistics come in `add_drained`;
        here: per key, (key, kind code per entry (u8: 0 float, 1 int64, 2 bytes, 3 unset),
        value count per entry (i64), record number in the block per entry (i32), float32
        values, int64 values, bytes values or None), the first five None except for labels.
        Bytes values reach the same buffer `add` fills, in the same order. `sequences` of the
        records are SequenceExamples, those whose byte in `record_kinds` is 1 (a parse spec's
        feature-list reads are tallied from their entries: `ReadsAccumulator.add_sequence_block`)."""
        labels, reads = self.labels, self.reads
        checked: dict[str, Any] = {}
        steps: dict[str, Any] = {}
        for key, kind_b, count_b, rec_b, float_b, int_b, blobs in columns:
            acc = self._native_feature(key)
            if blobs:
                acc.bytes.values.extend(blobs)
            if kind_b is None:
                continue
            codes = np.frombuffer(kind_b, dtype=np.uint8)
            counts = np.frombuffer(count_b, dtype=np.int64)
            if acc.section == "sequence":
                steps[acc.name] = (codes, counts, np.frombuffer(rec_b, dtype=np.int32).astype(np.int64))
                continue
            if acc.checks:
                block_recs = np.frombuffer(rec_b, dtype=np.int32).astype(np.int64)
                ints = np.frombuffer(int_b, dtype=np.int64)
                cols: tuple[np.ndarray, ...] = (codes, counts, block_recs, ints)
                held = checked.get(acc.name)
                if held is not None:  # an Example's feature and a SequenceExample's context: one read
                    cols = tuple(np.concatenate((a, b)) for a, b in zip(held, cols))
                checked[acc.name] = cols
            if acc.name not in labels:
                continue
            recs = np.frombuffer(rec_b, dtype=np.int32).astype(np.int64) + first_index
            values: tuple[Any, ...] = (
                np.frombuffer(float_b, dtype=np.float32),
                np.frombuffer(int_b, dtype=np.int64),
                blobs or [],
            )
            lab, first = labels[acc.name], int(codes[0])
            if first < 3 and bool((codes == first).all()) and bool((counts == 1).all()):  # the usual case
                lab.add_many(file.url, recs, values[first])
                continue
            at = [0, 0, 0, 0]  # one label per record with one value, as `add` does
            values = (values[0].tolist(), values[1].tolist(), values[2])  # Python numbers: str() as `add`'s
            for code, count, rec in zip(codes.tolist(), counts.tolist(), recs.tolist()):
                if count == 1:
                    label = values[code][at[code]]
                    lab.add(
                        file.url, rec, label.decode("latin-1") if isinstance(label, bytes) else str(label)
                    )
                at[code] += count
        if reads is not None:
            reads.add_block(records, checked, file.url, first_index)
            if sequences:
                is_sequence = np.frombuffer(record_kinds, dtype=np.uint8).astype(bool)
                reads.add_sequence_block(is_sequence, steps, file.url, first_index)
        self.records += records
        for kind, n in (("example", records - sequences), ("sequence_example", sequences)):
            if n:
                self.record_kinds[kind] = self.record_kinds.get(kind, 0) + n
        file.examples += records - sequences
        file.sequence_examples += sequences
        self._since_flush += records
        if self._since_flush >= FLUSH_AT:
            self.flush()

    def add_drained(self, drained: list[Any], keys: list[tuple[int, bytes]]) -> None:
        """The native core's statistics since its last drain (`Decoder.drain`), as parts of
        the features' current batches (see `families.py`)."""
        for key_id, *parts in drained:
            acc = self._native_feature(keys[key_id])
            acc.seal()
            acc.add_parts(*parts)

    def flush(self) -> None:
        """Fold every feature's buffers into its statistics (every FLUSH_AT records, and
        sooner after large records: see `engines.file`), after what the native core holds."""
        if self.native_drain is not None:
            self.native_drain()
        self._since_flush = 0
        for acc in self.features.values():
            acc.flush()

    def file(self, url: str, size: int | None = None) -> FileAccumulator:
        facts = self.files.get(url)
        if facts is None:
            facts = self.files[url] = FileAccumulator(url=url, size=size)
        return facts

    def merge(self, other: DatasetAccumulator, follows: bool = False) -> DatasetAccumulator:
        """Fold `other` in; `follows`: other read the part of a file right after self's (a
        file split across workers: record order pairs across the boundary)."""
        self.records += other.records
        for kind, count in other.record_kinds.items():
            self.record_kinds[kind] = self.record_kinds.get(kind, 0) + count
        for key, acc in other.features.items():
            mine = self.features.get(key)
            self.features[key] = acc if mine is None else mine.merge(acc, follows)
        for name, lab in other.labels.items():
            mine_l = self.labels.get(name)
            self.labels[name] = lab if mine_l is None else mine_l.merge(lab)
        for url, facts in other.files.items():
            mine_f = self.files.get(url)
            self.files[url] = facts if mine_f is None else mine_f.merge(facts)
        if other.reads is not None:
            self.reads = other.reads if self.reads is None else self.reads.merge(other.reads)
        if self.reads is not None:  # accumulators taken from `other` check against our reads
            for (section, name), acc in self.features.items():
                acc.checks = self.reads.checks_for(name) if section != "sequence" else ()
        self._keys.update(other._keys)
        return self

    def shift_records(self, url: str, delta: int) -> None:
        """Every record index of `url` moved by `delta`: a part of a split file numbers its
        records from a provisional base until the parts before it are counted."""
        if url in self.files:
            self.files[url].shift_records(delta)
        for labels in self.labels.values():
            labels.shift_records(url, delta)
        if self.reads is not None:
            self.reads.shift_records(url, delta)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_keys"] = {}
        state["_by_key"] = {"features": {}, "context": {}}  # rebuilt from `features` on use
        state["native_drain"] = None
        return state

    def extract(self, inputs: InputFacts | None = None) -> DatasetStats:
        label = self.label
        totals = {
            "features": self.record_kinds.get("example", 0),
            "context": self.record_kinds.get("sequence_example", 0),
            "sequence": self.record_kinds.get("sequence_example", 0),
        }
        for acc in self.features.values():
            acc.flush()  # records are counted present when flushed, and the label guess counts them
        orders = {name: acc.extract() for name, acc in sorted(self.labels.items())}
        chosen = choose_label(label, self.features, orders)
        features = tuple(
            acc.extract(totals[section], label_like=(name == chosen))
            for (section, name), acc in sorted(
                self.features.items(), key=lambda kv: (SECTION_ORDER[kv[0][0]], kv[0][1])
            )
        )
        return DatasetStats(
            records=self.records,
            record_kinds=dict(sorted(self.record_kinds.items())),
            features=features,
            files=tuple(self.files[u].extract() for u in sorted(self.files)),
            label_orders=orders,
            label=chosen,
            label_requested=label,
            inputs=inputs if inputs is not None else InputFacts(),
            reads=self.reads.extract() if self.reads is not None else (),
        )


def choose_label(
    requested: str | None,
    features: dict[tuple[str, str], FeatureAccumulator],
    orders: dict[str, LabelOrder],
) -> str | None:
    if requested is not None:
        present = any(name == requested for _section, name in features)
        return requested if present else None
    candidates = []
    for name, order in orders.items():
        if order.records * 2 < max((acc.counts.records_present for acc in features.values()), default=0):
            continue  # a label is in (nearly) every record
        priority = label_priority(name)
        if priority is not None and order.records:
            candidates.append((priority, -order.records, name))
    return min(candidates)[2] if candidates else None
