"""Diagnostics and the single error type.

Validation never raises for user data: it returns :class:`Diagnostic` objects.
:class:`AteliersError` is for what stops a command (a usage error, a refused
write); the CLI reports it in one place.
"""

from __future__ import annotations

import enum
import errno
import os
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


_ERRNO_FR = {
    errno.ENOENT: "il n'existe pas (lien symbolique vers un fichier absent ?)",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.EACCES: "accès refusé (droits du fichier)",
    errno.EPERM: "opération non permise (fichier protégé ?)",
    errno.ELOOP: "lien symbolique qui tourne en rond",
    errno.ENAMETOOLONG: "nom trop long",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EEXIST: "un fichier de ce nom existe déjà",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EROFS: "disque en lecture seule",
    errno.EFBIG: "fichier trop grand pour le système",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EBUSY: "fichier occupé par un autre programme",
    errno.ETXTBSY: "fichier occupé par un autre programme",
    errno.EXDEV: "déplacement impossible d'un disque à l'autre",
}

_ERRNO_HINTS = {
    errno.ENOSPC: "libérez de la place sur le disque, puis relancez la commande",
    errno.EDQUOT: "libérez de la place (ou demandez un quota plus grand), puis relancez la commande",
    errno.EROFS: "ce disque ne s'écrit pas : travaillez dans une copie du dossier, sur un disque où vous pouvez écrire",
    errno.EACCES: "vérifiez les droits du dossier et de ses fichiers (ls -l), ou demandez l'accès en écriture",
    errno.EPERM: "un fichier protégé contre toute modification ? (lsattr le montre, chattr -i le retire) ; vérifiez "
    "aussi les droits",
    errno.EFBIG: "un fichier dépasse la taille permise (limite du système, ou « ulimit -f ») : levez la limite, puis "
    "relancez",
    errno.EIO: "le disque est peut-être défaillant : copiez le dossier ailleurs et relancez la commande",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in French (the system's message is in English)."""
    return _ERRNO_FR.get(exc.errno or 0, f"erreur du système (code {exc.errno})")


def os_hint(exc: OSError) -> str:
    """What to do about an error of the system, in French."""
    return _ERRNO_HINTS.get(exc.errno or 0, "relancez la commande ; si le problème revient, vérifiez le disque")


def os_error(exc: OSError, root: Path | None = None) -> AteliersError:
    """An error of the system that no part of a command foresaw, as the user should read it.

    Writing commands prepare their files beside the old ones and swap them in at the end: what
    failed before leaves the old files; a swap cut short is finished by the next command."""
    name = (
        exc.filename
        if isinstance(exc.filename, str)
        else (os.fsdecode(exc.filename) if isinstance(exc.filename, bytes) else "")
    )
    if name and root is not None:
        try:
            name = Path(name).resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return AteliersError(
        f"opération impossible : {os_reason(exc)}",
        path=name or None,
        hint=os_hint(exc) + " ; une écriture interrompue est terminée ou annulée par la commande suivante",
    )
