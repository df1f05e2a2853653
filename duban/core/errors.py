"""Errors and problems.

Errors in the clerk's data are *values* (:class:`Problem`), collected and
reported all at once.  Exceptions are for misuse and the environment only,
under one :class:`DubanError`; the CLI turns them into exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class DubanError(Exception):
    """An action was refused or the environment failed (exit 1)."""

    exit_code = 1


class UsageError(DubanError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else "警告: "
        return f"{self.path}:{self.line}: {tag}{self.message}"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message, "severity": self.severity}
