"""Thumbnails for the HTML report: a few decoded images of each label, for each image
feature, so a wrong label, a black frame or a channel swap shows at a glance.

Taken at render time from the first records of the report's files, not kept by the scan: the
scan's memory stays bounded by its statistics, and a saved JSON report gets thumbnails too
where its files can still be read. Bounded in every direction (records, bytes, pixels,
images), and silent on anything it cannot read: a thumbnail is an illustration, never a
finding. Each is a small PNG as a `data:` URI, which the page's Content-Security-Policy
allows (and nothing else)."""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Mapping
from typing import Any

from ..io.compression import SNIFF_BYTES, decompressed, sniff
from ..io.sources import open_raw
from ..io.tfrecord import Record, TFRecordReader
from ..proto.wire import Example

MAX_RECORDS = 2_000  # records read in all
MAX_BYTES = 64 << 20  # record bytes read in all
MAX_FEATURES = 3
MAX_LABELS = 10
PER_LABEL = 4
SIZE = 64  # pixels, the longer side
MAX_PIXELS = 4096 * 4096  # an image larger than this is not decoded (a decompression bomb)
NO_LABEL = "(no label)"


def thumbnails(report: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """feature -> label value -> up to PER_LABEL data: URIs, for the image features of a scan
    report whose files can be read; {} where none can."""
    features = [
        str(f.get("path") or f.get("name"))
        for f in report.get("features") or []
        if isinstance(f, Mapping) and ((f.get("bytes") or {}).get("image_formats"))
    ][:MAX_FEATURES]
    if not features:
        return {}
    summary = report.get("summary") or {}
    label = summary.get("label") or ((report.get("label_order") or {}).get("feature"))
    wanted = set(features)
    found: dict[str, dict[str, list[str]]] = {name: {} for name in features}
    budget = {"records": MAX_RECORDS, "bytes": MAX_BYTES}
    for file in report.get("files") or []:
        url = file.get("url") if isinstance(file, Mapping) else None
        if not isinstance(url, str) or budget["records"] <= 0 or _full(found):
            break
        with contextlib.suppress(Exception):  # an unreadable file gives no thumbnails, nothing else
            _read(url, label, wanted, found, budget)
    return {name: dict(sorted(labels.items(), key=_label_order)) for name, labels in found.items() if labels}


def _label_order(item: tuple[str, list[str]]) -> tuple[int, float, str]:
    """Numeric labels in numeric order (2 before 10), then the rest by text."""
    try:
        return 0, float(item[0]), item[0]
    except ValueError:
        return 1, 0.0, item[0]


def _full(found: dict[str, dict[str, list[str]]]) -> bool:
    return all(
        len(labels) >= MAX_LABELS and all(len(v) >= PER_LABEL for v in labels.values())
        for labels in found.values()
    )


def _read(
    url: str,
    label: str | None,
    wanted: set[str],
    found: dict[str, dict[str, list[str]]],
    budget: dict[str, int],
) -> None:
    with open_raw(url) as raw:
        head = raw.read(SNIFF_BYTES)
        raw.seek(0)
        for item in TFRecordReader(decompressed(raw, sniff(head))):
            if not isinstance(item, Record):
                continue
            budget["records"] -= 1
            budget["bytes"] -= len(item.payload)
            if budget["records"] < 0 or budget["bytes"] < 0:
                return
            _add(item.payload, label, wanted, found)
            if _full(found):
                return


def _add(payload: bytes, label: str | None, wanted: set[str], found: dict[str, dict[str, list[str]]]) -> None:
    try:
        example = Example.FromString(payload)
    except Exception:  # not an Example: nothing to show
        return
    values: dict[str, Any] = {}
    for entry in example.features.feature:
        key = entry.key.decode("utf-8", "backslashreplace")
        values[key] = entry.value
    shown = _label_text(values.get(label)) if label else NO_LABEL
    for name in wanted:
        feature = values.get(name)
        if feature is None or feature.WhichOneof("kind") != "bytes_list" or not feature.bytes_list.value:
            continue
        per_label = found[name]
        if shown not in per_label and len(per_label) >= MAX_LABELS:
            continue
        if len(per_label.get(shown, ())) < PER_LABEL:
            uri = thumbnail(feature.bytes_list.value[0])
            if uri is not None:  # a label is listed only with an image to show
                per_label.setdefault(shown, []).append(uri)


def _label_text(feature: Any) -> str:
    if feature is None:
        return NO_LABEL
    kind = feature.WhichOneof("kind")
    values = list(getattr(feature, kind).value)[:3] if kind else []
    if not values:
        return NO_LABEL
    shown = [v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else f"{v:g}" for v in values]
    return ", ".join(shown)


def thumbnail(data: bytes) -> str | None:
    """A PNG data: URI of the image, its longer side SIZE pixels; None if Pillow cannot read it."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.draft("RGB", (SIZE, SIZE))  # JPEG: decode at a reduced scale
            shown = image.convert("RGB" if image.mode not in ("L", "I;16", "I") else "L")
            shown.thumbnail((SIZE, SIZE))
            out = io.BytesIO()
            shown.save(out, format="PNG")
    except Exception:  # truncated, unknown format, a decoder error: no thumbnail
        return None
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


__all__ = ["thumbnail", "thumbnails"]
