"""Errors of the spec layer. The spec itself is plain data: `facts.spec`."""

from __future__ import annotations


class SpecError(ValueError):
    """A spec that cannot be read: says what and where (file and line)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(where + message)
        self.file, self.line, self.reason = file, line, message
