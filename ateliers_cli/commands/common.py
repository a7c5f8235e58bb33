"""What every command shares: the global options, opening the consultation, error handling."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ateliers_cli.console import progress, report_error, report_interrupted, work_done
from ateliers_cli.errors import AteliersError, os_error

if TYPE_CHECKING:
    from ateliers_cli.load import LoadResult

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    directory: Path = Path(".")
    verbose: int = 0
    quiet: bool = False


state = State()

#: Options that several commands take, in the same words.
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Montre ce qui serait écrit, sans rien écrire.")]
SheetOption = Annotated[
    str | None, typer.Option("--feuille", help="Feuille d'un classeur (nom ou numéro ; par défaut la première).")
]
MappingFileOption = Annotated[
    Path | None,
    typer.Option("--mapping", metavar="FICHIER", help="Fichier YAML de correspondance (colonnes, valeurs, defauts)."),
]


def help_text(doc: str | None) -> str | None:
    """A command's docstring as its help shows it: the lines of each paragraph joined into one.

    Typer's rich help keeps every line break of a docstring, so a paragraph wrapped to the width of the
    source would be printed with its breaks. A paragraph that starts with ``\\b`` or holds a list
    (lines starting with « - » or « • ») keeps its lines.
    """
    if not doc:
        return doc
    paragraphs = []
    for para in inspect.cleandoc(doc).split("\n\n"):
        lines = para.splitlines()
        keep = para.startswith("\b") or any(line.lstrip().startswith(("- ", "• ")) for line in lines)
        paragraphs.append(para if keep else " ".join(line.strip() for line in lines))
    return "\n\n".join(paragraphs)


def handled(fn: F) -> F:
    """Turn an :class:`AteliersError` into a French message and its exit code (and give its help, see
    :func:`help_text`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AteliersError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # what no part of the command foresaw: a full disk, a read-only folder…
            report_error(os_error(exc, state.directory))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:  # Typer would exit 130 without a word
            report_interrupted()
            raise typer.Exit(130) from None
        finally:
            work_done()

    wrapper.__doc__ = help_text(fn.__doc__)
    return wrapper  # type: ignore[return-value]


def consultation_root() -> Path:
    from ateliers_cli.fsutil import find_root

    return find_root(state.directory)


def open_consultation(*, cache: bool = True) -> LoadResult:
    from ateliers_cli.load import load

    root = consultation_root()
    with progress("Lecture des contributions", state.quiet) as cb:
        return load(root, progress=cb, cache=cache)
