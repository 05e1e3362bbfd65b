"""tfdoctor: finds out why a model trained from TFRecord files through tf.data does not learn."""

from ._version import __version__
from .api import AuditResult, CompareResult, ScanResult, audit, check_spec, compare, compare_audits, scan
from .config import Config, Thresholds, load_config
from .findings import Finding, Fix, RuleError, Severity, Where
from .flows import Interrupted
from .spec.model import SpecError

__all__ = [
    "AuditResult",
    "CompareResult",
    "Config",
    "Finding",
    "Fix",
    "Interrupted",
    "RuleError",
    "ScanResult",
    "Severity",
    "SpecError",
    "Thresholds",
    "Where",
    "__version__",
    "audit",
    "check_spec",
    "compare",
    "compare_audits",
    "load_config",
    "scan",
]
