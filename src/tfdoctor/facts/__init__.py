"""Typed, frozen facts: what every layer produces and every rule reads. No TensorFlow here,
and no I/O: a rule is a pure function of these."""

from .batches import BatchFacts, TensorFacts, batch_shapes
from .compare import Bucket, ComparedBatches, ComparedStats, Histogram
from .container import KINDS, Facts
from .dataset import BytesStats, CountStats, DatasetStats, FeatureStats, LabelOrder, NumericStats
from .files import FileFacts, Problem
from .inputs import InputFacts
from .model import ModelFacts, TensorSpecFacts
from .pipeline import AugmentFacts, PaddingFacts, Pipeline, PipelineFacts, RandomOp, Step, StepProbe
from .reads import Read, ReadTally
from .spec import FeatureSpec, ParseSpec, SpecFacts
from .training import TrainingFacts

__all__ = [
    "KINDS", "AugmentFacts", "BatchFacts", "Bucket", "BytesStats", "ComparedBatches", "ComparedStats",
    "CountStats", "DatasetStats", "Facts", "FeatureSpec", "FeatureStats", "FileFacts", "Histogram",
    "InputFacts", "LabelOrder", "ModelFacts", "NumericStats",
    "PaddingFacts", "ParseSpec", "Pipeline", "PipelineFacts", "Problem", "RandomOp", "Read", "ReadTally",
    "SpecFacts", "Step", "StepProbe", "TensorFacts", "TensorSpecFacts", "TrainingFacts", "batch_shapes",
]  # fmt: skip
