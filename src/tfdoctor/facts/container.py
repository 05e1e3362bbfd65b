"""`Facts`: whichever facts a flow knows, in one value. A rule declares the kinds it
requires and runs once for each combination of them that is known (once per parse spec, for
the spec rules); the kinds it merely uses are passed as None where unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from .batches import BatchFacts
from .compare import ComparedBatches, ComparedStats
from .dataset import DatasetStats
from .model import ModelFacts
from .pipeline import PipelineFacts
from .run import AuditRun
from .spec import SpecFacts
from .training import TrainingFacts

T = TypeVar("T")


@dataclass(frozen=True)
class Facts:
    dataset: DatasetStats | None = None  # a scan of the data (`scan`, `check`)
    specs: tuple[SpecFacts, ...] = ()  # the parse specs judged, each with the data it parses
    pipeline: PipelineFacts | None = None  # an audited tf.data pipeline
    batches: BatchFacts | None = None  # what its batches hold, as probed
    model: ModelFacts | None = None
    training: TrainingFacts | None = None
    run: AuditRun | None = None  # how the child process that ran the user's code ended
    compared: ComparedStats | None = None  # training and evaluation data side by side (`compare`)
    compared_batches: ComparedBatches | None = None  # a training and an evaluation pipeline's batches

    def all(self, kind: type[T]) -> tuple[T, ...]:
        """Every known fact of this kind (none, one, or one per spec)."""
        values: tuple[Any, ...] = (
            self.dataset,
            self.pipeline,
            self.batches,
            self.model,
            self.training,
            self.run,
            self.compared,
            self.compared_batches,
        )
        found = tuple(v for v in (*values, *self.specs) if isinstance(v, kind))
        return found

    def first(self, kind: type[T]) -> T | None:
        found = self.all(kind)
        return found[0] if found else None


KINDS = (
    DatasetStats,
    SpecFacts,
    PipelineFacts,
    BatchFacts,
    ModelFacts,
    TrainingFacts,
    AuditRun,
    ComparedStats,
    ComparedBatches,
)
