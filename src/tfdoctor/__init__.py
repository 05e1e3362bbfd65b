"""tfdoctor: finds out why a model trained from TFRecord files through tf.data does not learn."""

from ._version import __version__
from .api import AuditResult, ScanResult, audit, check_spec, scan
from .config import Config, Thresholds, load_config
from .findings import Finding, Fix, RuleError, Severity, Where
from .flows import Interrupted
from .spec.model import SpecError

__all__ = [
    "AuditResult",
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
    "load_config",
    "scan",
]
