"""Which names look like a label: one list, used to guess the label feature of a scan and the
label tensor of a pipeline's batches.

Users name labels many ways: `label`, `labels`, `label_ids` (BERT), `y`, `target(s)`,
`class(es)`, `*_label`, `groundtruth_classes` (object detection), `image/class/label` (the
TF-Slim and TPU image datasets). A name that only mentions a label-ish word elsewhere
(`image/class/text`, `label_map_path`...) is not one: the guess drives the label rules
(TFD208, TFD501, TFD502, TFD508), so a wrong guess makes false alarms."""

from __future__ import annotations

import re

# Exact names, likeliest first (the index is the priority).
LABEL_NAMES = (
    "label", "labels", "label_id", "label_ids", "target", "targets", "class", "classes", "y",
    "category", "category_id", "class_id", "class_ids", "class_index", "label_index", "species",
)  # fmt: skip
# The words a compound name ends with to be a label: `next_sentence_labels`, `image/class/label`.
LABEL_WORDS = (
    "label", "labels", "label_id", "label_ids", "class", "classes", "target", "targets", "class_id",
)  # fmt: skip
# Prefixes of ground truth in detection pipelines: `groundtruth_classes`, `gt_labels`.
_GROUND_TRUTH = ("groundtruth_", "ground_truth_", "gt_")
_SEPARATORS = re.compile(r"[/_.\-:]")
# Words that say a name is about the label, not the label: `label_map`, `class_text`, `label_names`.
_NOT_LABEL = frozenset(
    {"text", "name", "names", "map", "path", "file", "weight", "weights", "mask", "count", "num", "smoothing"}
)


def label_priority(name: str) -> int | None:
    """Lower is a likelier label; None: the name does not look like a label. An exact name
    ranks by LABEL_NAMES; a compound name after every exact one, shallower paths first
    (`image/class/label` before `image/object/class/label`, which labels each box)."""
    lower = name.lower()
    if lower in LABEL_NAMES:
        return LABEL_NAMES.index(lower)
    words = [w for w in _SEPARATORS.split(lower) if w]
    if not words or _NOT_LABEL.intersection(words):
        return None
    depth = lower.count("/")
    rank = len(LABEL_NAMES) + depth
    for prefix in _GROUND_TRUTH:
        if lower.startswith(prefix) and lower[len(prefix) :] in LABEL_NAMES:
            return rank
    if any(lower.endswith(sep + word) for word in LABEL_WORDS for sep in "/_"):
        return rank
    if words[0] == "label":  # label_ids2, label_v2
        return rank + 1
    return None


def label_path(paths: list[str], requested: str | None = None) -> str | None:
    """The leaf of a batch that holds the label, among the probe's leaf paths (`image`,
    `[0]`, `[1]`, `[0].image`, `[1].label`): the one requested; in `(x, y)` or
    `(x, y, sample_weight)` tuples, as Keras takes them, `y` (or its leaf named likeliest a
    label, or its only leaf); else the leaf whose own name looks likeliest a label, top-level
    names before nested ones."""
    if requested is not None:
        return requested if requested in paths else None
    tops = {m.group(1) for p in paths if (m := re.match(r"\[(\d+)\]", p))}
    if {"0", "1"} <= tops and len(tops) <= 3:
        if "[1]" in paths:
            return "[1]"
        under = [p for p in paths if p.startswith(("[1].", "[1]["))]
        return _named(under) or (under[0] if len(under) == 1 else None)
    return _named(paths)


def _named(paths: list[str]) -> str | None:
    """The path whose last name looks likeliest a label, shallowest first."""
    named = []
    for i, path in enumerate(paths):
        leaf = re.sub(r"(\[\d+\])+$", "", path).rsplit(".", 1)[-1]
        priority = label_priority(leaf) if leaf and "[" not in leaf else None
        if priority is not None:
            named.append((path.count(".") + path.count("["), priority, i, path))
    return min(named)[3] if named else None
