"""The user's pipeline code run in a watched child process (`tfdoctor pipeline`): `parent`
starts and watches it, `child` is what runs there."""

from .parent import AuditRequest, audit_in_child, default_memory_limit

__all__ = ["AuditRequest", "audit_in_child", "default_memory_limit"]
