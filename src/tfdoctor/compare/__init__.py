"""`tfdoctor compare TRAIN EVAL`: the training data against the evaluation data."""

from .flow import CompareResult, Drift, Side, compare_batches, compare_flow, drift_table
from .load import StatisticsError, is_statistics_file, load_statistics

__all__ = [
    "CompareResult",
    "Drift",
    "Side",
    "StatisticsError",
    "compare_batches",
    "compare_flow",
    "drift_table",
    "is_statistics_file",
    "load_statistics",
]
