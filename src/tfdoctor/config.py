"""Configuration: which rules run, the exit threshold, and every numeric threshold a rule
uses. Read from `[tool.tfdoctor]` in pyproject.toml; CLI flags override it."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .findings import Severity


@dataclass(frozen=True)
class Thresholds:
    # TFD106: the largest shard holds this many times the median shard's records
    unbalanced_shard_ratio: float = 4.0
    # TFD204: an error where the label is filled by its default_value in at least this fraction of records
    default_label_error_fraction: float = 0.1
    # TFD206: ignore features seen in fewer records than this (one record is always constant)
    constant_min_records: int = 10
    # TFD208 (and TFD508, per probed batch): the most common class holds at least this fraction of labels
    label_majority_fraction: float = 0.9
    # TFD208: a class with fewer than this fraction of the records is "nearly missing"
    label_rare_fraction: float = 0.001
    # TFD208: labels with more distinct values than this are not treated as classes
    label_max_classes: int = 1000
    # TFD211: a categorical feature drifts where the L-infinity distance of its value shares is above this...
    drift_linf: float = 0.1
    # TFD211: ...and above this many standard errors of the difference samples of these sizes show by chance
    drift_sigmas: float = 4.0
    # TFD211: a numeric feature drifts where the Jensen-Shannon divergence of its histograms is above this...
    drift_js: float = 0.1
    # TFD211: ...and both splits hold at least this many of its values
    drift_min_values: int = 100
    # TFD212: a class absent from one split is missing (not chance) where a random sample of that split's
    # size would leave it out with a probability under this
    label_absent_chance: float = 0.01
    # TFD213: the feature is empty in at least this fraction of the records that have it
    empty_feature_fraction: float = 0.95
    # TFD304: a decode's channels= converts more than this fraction of the stored images
    decode_converted_fraction: float = 0.5
    # TFD305: at least this fraction of the images in a batch tensor hold one value everywhere
    blank_image_fraction: float = 0.1
    # TFD403: an augmentation makes at least this fraction of the elements constant...
    augment_constant_after: float = 0.5
    # TFD403: ...where under this fraction of them were constant before it
    augment_constant_before: float = 0.1
    # TFD403: an augmentation pushes at least this fraction of the values to the range's ends...
    augment_clipped_after: float = 0.5
    # TFD403: ...where under this fraction of them were there before it
    augment_clipped_before: float = 0.2
    # TFD403: values leave the input's range by more than this many times its width
    augment_range_spans: float = 2.0
    # TFD501: labels count as stored sorted from this sortedness (0 random order, 1 sorted)
    sorted_labels: float = 0.5
    # TFD502: a buffer shorter than the longest label run is too small from this label sortedness
    shuffle_sortedness: float = 0.1
    # TFD504: a batch of at most this many elements is tiny
    tiny_batch_size: int = 2
    # TFD505: a take/skip/shard that leaves less than this fraction of the records, then repeat()
    truncated_fraction: float = 0.5
    # TFD505: without a record count, take(n) with n at most this many elements is a tiny subset
    truncated_elements: int = 1000
    # TFD508 (and TFD501/502, on an interleave): the probed batches' label majority counts from this
    # many batches
    label_majority_min_batches: int = 2
    # TFD510: a filter that keeps under this fraction of its input
    filter_kept_fraction: float = 0.5
    # TFD513: an epoch of at most this many gradient steps is too few
    few_steps_per_epoch: int = 4
    # TFD601: a tensor counts as constant from this many probed batches...
    constant_min_batches: int = 2
    # TFD601: ...of at least this many elements each, on average
    constant_min_batch_size: int = 2
    # TFD602: float image-like inputs, none negative, whose largest value is above this...
    unnormalized_above: float = 2.0
    # TFD602: ...and at most this (the pixel range)
    unnormalized_max: float = 255.0
    # TFD605: float image-like inputs, none negative and not constant, all at most this (1/128)
    collapsed_range_max: float = 0.0078125
    # TFD606: batches whose padding is at least this fraction of their values
    padding_fraction: float = 0.5
    # TFD306: a bytes feature is judged as raw array bytes from this many values, all of one length
    raw_bytes_min_values: int = 10
    # TFD306: the smallest height and width a raw array's bytes are read as
    raw_bytes_min_side: int = 8
    # TFD208: with more classes than this, missing and rare classes are a label set's long tail (info)
    label_many_classes: int = 100
    # TFD502: a shuffle buffer of at most this many records is tiny whatever the stored order
    tiny_shuffle_buffer: int = 16
    # TFD517: no batch within the time cap is a warning where a shuffle buffer this large may still be filling
    stopped_fill_buffer: int = 10_000
    # TFD801: the loss is judged once training ran this many steps...
    flat_loss_steps: int = 200
    # TFD801: ...or this many epochs, where only epoch means are known (a TensorBoard log)...
    flat_loss_epochs: int = 3
    # TFD801: ...and is flat when no later mean moved this fraction away from the first
    flat_loss_tolerance: float = 0.01
    # TFD802, TFD803: the callback measures weight updates and predictions every this many steps
    watch_steps: int = 50
    # TFD802, TFD803: a symptom counts when it holds in this many windows in a row
    watch_windows: int = 2
    # TFD802: weights whose change over a window is at most this fraction of their norm did not move
    update_ratio_min: float = 1e-9
    # TFD803: predictions on the probe batch whose spread across its inputs is at most this
    # (relative to their scale) are constant
    prediction_spread_min: float = 1e-6
    # TFD804: accuracy at most this above the majority-class rate (or two standard errors of that
    # rate as estimated from the probed labels, if more)...
    chance_margin: float = 0.01
    # TFD804: ...in each of the last this many epochs
    chance_epochs: int = 3
    # TFD806: validation is judged over this many epochs...
    val_stuck_epochs: int = 3
    # TFD806: ...where the training loss fell by at least this fraction...
    train_improved_fraction: float = 0.1
    # TFD806: ...and the validation loss moved by at most this fraction
    val_stuck_tolerance: float = 0.01


@dataclass(frozen=True)
class FeatureIgnore:
    """Findings of these codes (or prefixes) about one feature or batch tensor are suppressed."""

    feature: str
    codes: tuple[str, ...]
    origin: str  # as the user wrote it, for the report: "--ignore TFD601:is_real_example"


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # codes or prefixes; empty: all rules
    ignore: tuple[str, ...] = ()
    feature_ignores: tuple[FeatureIgnore, ...] = ()  # `--ignore CODE:FEATURE`, per-feature-ignores
    fail_on: Severity | None = Severity.ERROR  # None: never fail
    severity: dict[str, Severity] = field(default_factory=dict)  # per-code overrides
    thresholds: Thresholds = field(default_factory=Thresholds)

    def enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parse_fail_on(text: str) -> Severity | None:
    return None if text.strip().lower() == "never" else Severity.parse(text)


def _codes(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"[tool.tfdoctor] {key} must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def split_ignores(values: list[str]) -> tuple[tuple[str, ...], tuple[FeatureIgnore, ...]]:
    """`--ignore` values, comma-separated: codes or prefixes, and CODE:FEATURE pairs."""
    codes: list[str] = []
    features: list[FeatureIgnore] = []
    for item in (c.strip() for v in values for c in v.split(",")):
        code, sep, feature = item.partition(":")
        if sep and (not code.strip() or not feature):
            raise ValueError(f"--ignore {item!r}: use CODE or CODE:FEATURE")
        if sep:
            features.append(FeatureIgnore(feature, (code.strip().upper(),), f"--ignore {item}"))
        elif item:
            codes.append(item.upper())
    return tuple(codes), tuple(features)


def load_config(start: Path | None = None) -> Config:
    """The `[tool.tfdoctor]` table of the nearest pyproject.toml (cwd upwards), or defaults."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            with candidate.open("rb") as fh:
                data = tomllib.load(fh)
            table = data.get("tool", {}).get("tfdoctor")
            if table is not None:
                return config_from_table(table, str(candidate))
            break
    return Config()


def config_from_table(table: dict[str, Any], origin: str = "[tool.tfdoctor]") -> Config:
    known = {f.name for f in fields(Thresholds)}
    threshold_values: dict[str, Any] = {}
    cfg: dict[str, Any] = {}
    for key, value in table.items():
        norm = key.replace("-", "_")
        if norm == "select":
            cfg["select"] = _codes(value, key)
        elif norm == "ignore":
            cfg["ignore"] = _codes(value, key)
        elif norm == "per_feature_ignores":
            if not isinstance(value, dict):
                raise ValueError(f"{origin}: {key} must be a table of feature = [codes]")
            cfg["feature_ignores"] = tuple(
                FeatureIgnore(str(feature), codes, f"{key} {json.dumps(str(feature))} = {json.dumps(codes)}")
                for feature, codes in ((f, _codes(v, key)) for f, v in value.items())
            )
        elif norm == "fail_on":
            cfg["fail_on"] = parse_fail_on(str(value))
        elif norm == "severity":
            cfg["severity"] = {k.upper(): Severity.parse(str(v)) for k, v in dict(value).items()}
        elif norm == "thresholds":
            for tkey, tvalue in dict(value).items():
                tnorm = tkey.replace("-", "_")
                if tnorm not in known:
                    raise ValueError(f"{origin}: unknown threshold {tkey!r}; known: {sorted(known)}")
                threshold_values[tnorm] = tvalue
        else:
            raise ValueError(f"{origin}: unknown key {key!r}")
    return Config(thresholds=Thresholds(**threshold_values), **cfg)
