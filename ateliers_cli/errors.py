"""Diagnostics and the single error type.

Validation never raises for user data: it returns :class:`Diagnostic` objects.
:class:`AteliersError` is for what stops a command (a usage error, a refused
write); the CLI reports it in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Severity(enum.IntEnum):
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return "avertissement" if self is Severity.WARNING else "erreur"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in a consultation, pointing at a file and a line."""

    path: str  # relative to the consultation folder, with "/" separators
    line: int  # 1-based; 0 when the problem concerns the whole file or folder
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    code: str = field(default="", compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict[str, object]:
        return {
            "fichier": self.path,
            "ligne": self.line,
            "gravite": self.severity.label,
            "code": self.code,
            "message": self.message,
            "conseil": self.hint,
        }


def error(path: str, line: int, message: str, hint: str = "", code: str = "") -> Diagnostic:
    return Diagnostic(path, line, message, hint, Severity.ERROR, code)


def warning(path: str, line: int, message: str, hint: str = "", code: str = "") -> Diagnostic:
    return Diagnostic(path, line, message, hint, Severity.WARNING, code)


@dataclass
class Report:
    """What ``check`` found: every diagnostic, sorted by file and line."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def to_dict(self, strict: bool = False) -> dict[str, object]:
        return {
            "ok": not self.failed(strict),
            "erreurs": len(self.errors),
            "avertissements": len(self.warnings),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


class AteliersError(Exception):
    """A problem that stops a command; reported by the CLI as ``path:line: message``."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int = 0,
        hint: str = "",
        details: list[Diagnostic] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.details = details or []


class UsageError(AteliersError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2
