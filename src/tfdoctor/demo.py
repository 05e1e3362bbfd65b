"""The built-in demo dataset: three shards with planted faults, so `tfdoctor demo` shows
what tfdoctor finds in one command."""

from __future__ import annotations

import random
from pathlib import Path

from .io.tfrecord import HEADER_BYTES
from .io.writer import write_tfrecord
from .proto.build import example

RECORDS_PER_SHARD = 400
CLASSES = 5
CORRUPT_RECORD = 100  # in the third shard


def _record(rng: random.Random, label: int, index: int) -> bytes:
    age = float("nan") if index % 97 == 13 else rng.uniform(18, 90)
    return example(
        {
            "pixels": [rng.random() + label for _ in range(16)],
            "label": label,
            "age": age,
            "source": b"web",  # planted: constant in every record
            "boxes": ("float", []),  # planted: present, never filled
        }
    )


def write_demo(folder: str | Path, seed: int = 7) -> list[Path]:
    """Write the demo shards into folder; returns their paths."""
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"train-{i:05d}-of-00003.tfrecord" for i in range(3)]
    shuffled = [rng.randrange(CLASSES) for _ in range(RECORDS_PER_SHARD)]
    ordered = sorted(rng.randrange(CLASSES) for _ in range(RECORDS_PER_SHARD))  # planted: sorted
    third = [rng.randrange(CLASSES) for _ in range(RECORDS_PER_SHARD)]
    offset = 0
    for path, labels in zip(paths, (shuffled, ordered, third)):
        records = [_record(rng, label, offset + i) for i, label in enumerate(labels)]
        offset += len(labels)
        write_tfrecord(path, records)
    # planted: flip one byte inside the data of one record of the third shard
    data = bytearray(paths[2].read_bytes())
    pos = 0
    for _ in range(CORRUPT_RECORD):
        length = int.from_bytes(data[pos : pos + 8], "little")
        pos += HEADER_BYTES + length + 4
    data[pos + HEADER_BYTES + 5] ^= 0xFF
    paths[2].write_bytes(bytes(data))
    return paths
