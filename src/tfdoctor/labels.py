"""Which names look like a label: one list, used to guess the label feature of a scan and the
label tensor of a pipeline's batches."""

from __future__ import annotations

LABEL_NAMES = (
    "label", "labels", "target", "targets", "class", "classes", "y", "category",
    "class_id", "label_id", "species",
)  # fmt: skip
LABEL_SUFFIXES = ("_label", "/label", "_class", "/class", "_target", "_labels")


def label_priority(name: str) -> int | None:
    """Lower is a likelier label; None: the name does not look like a label."""
    lower = name.lower()
    if lower in LABEL_NAMES:
        return LABEL_NAMES.index(lower)
    if lower.endswith(LABEL_SUFFIXES) or lower.startswith("label"):
        return len(LABEL_NAMES)
    return None
