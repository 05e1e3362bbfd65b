"""Two datasets side by side, as `tfdoctor compare TRAIN EVAL` judges them (TFD210-TFD212),
and the batches of a training and an evaluation pipeline side by side.
Each side is a scan's statistics or statistics read back from a saved TFMD file; a file's
numeric histograms are kept as stored, since a scan's quantiles cannot be recovered from
them. Plain, frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field

from .batches import BatchFacts
from .dataset import DatasetStats, FeatureStats


@dataclass(frozen=True)
class Bucket:
    """Values from `low` to `high` (a point where they are equal), `count` of them."""

    low: float
    high: float
    count: float


@dataclass(frozen=True)
class Histogram:
    """A numeric feature's distribution: buckets in order, with NaN counted apart."""

    buckets: tuple[Bucket, ...]
    nan: float = 0.0

    @property
    def total(self) -> float:
        return sum(b.count for b in self.buckets) + self.nan


@dataclass(frozen=True)
class ComparedStats:
    """The training data and the evaluation data. `*_histograms`: feature path -> the numeric
    histogram a statistics file stored (a scanned side has none: its quantiles are used)."""

    train: DatasetStats
    eval: DatasetStats
    train_histograms: dict[str, Histogram] = field(default_factory=dict)
    eval_histograms: dict[str, Histogram] = field(default_factory=dict)
    label: str | None = None  # the label feature both sides are judged on

    def pairs(self) -> list[tuple[FeatureStats | None, FeatureStats | None]]:
        """(train feature, eval feature) for every feature path in either, train's order first."""
        train = {f.path: f for f in self.train.features}
        evals = {f.path: f for f in self.eval.features}
        paths = list(dict.fromkeys([*train, *evals]))
        return [(train.get(p), evals.get(p)) for p in paths]

    @property
    def label_feature(self) -> str | None:
        return self.label or self.train.label or self.eval.label


@dataclass(frozen=True)
class ComparedBatches:
    """What the training pipeline's and the evaluation pipeline's batches hold, as probed."""

    train: BatchFacts
    eval: BatchFacts
