"""tfdoctor: finds out why a model trained from TFRecord files through tf.data does not learn."""

__version__ = "0.1.0"

from .api import AuditResult, ScanResult, audit, check_spec, scan  # noqa: E402
from .config import Config, Thresholds, load_config  # noqa: E402
from .findings import Finding, Fix, RuleError, Severity, Where  # noqa: E402
from .spec.model import SpecError  # noqa: E402

__all__ = [
    "AuditResult",
    "Config",
    "Finding",
    "Fix",
    "RuleError",
    "ScanResult",
    "Severity",
    "Thresholds",
    "Where",
    "SpecError",
    "__version__",
    "audit",
    "check_spec",
    "load_config",
    "scan",
]
