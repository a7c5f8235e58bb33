"""The two Rich consoles: results on stdout, diagnostics and progress on stderr."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from ateliers_cli.errors import AteliersError, Diagnostic, Report, Severity

if TYPE_CHECKING:
    from rich.progress import Progress

#: Control characters (ESC, BEL, backspace, carriage return…) and the invisible marks that turn
#: text around: a value or a file name that holds them must not clear the screen, rewrite a
#: line or hide a word. Tabs and line ends stay.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``), never obeyed."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _Console(Console):
    """A Rich console that never sends a control character it was given to the terminal.

    Every text Rich prints, table cells included, goes through ``render_str``; our own styles
    are markup, and Rich's escape codes are added after."""

    def render_str(self, text: str, **kwargs: Any) -> Any:
        return super().render_str(visible(text), **kwargs)


# emoji=False: a citizen's « :x: » or a column named « root:x:0 » is shown as written, not as ❌
out = _Console(highlight=False, emoji=False)
err = _Console(stderr=True, highlight=False, emoji=False)


def diagnostic_line(d: Diagnostic) -> str:
    return f"{d.location()}: {d.severity.label} : {d.message}"


def print_diagnostics(diags: Iterable[Diagnostic], console: Console | None = None) -> None:
    console = console or err
    for d in diags:
        style = "red" if d.severity is Severity.ERROR else "yellow"
        console.print(
            f"[bold]{escape(d.location())}[/bold]: [{style}]{d.severity.label}[/{style}] : {escape(d.message)}",
            soft_wrap=True,
        )
        if d.hint:
            console.print(f"    [dim]→ {escape(d.hint)}[/dim]", soft_wrap=True)


def print_check(report: Report, what: str, *, strict: bool = False, as_json: bool = False) -> int:
    """``check``'s report as the user sees it; returns the exit code (0 fine, 1 problems)."""
    failed = report.failed(strict)
    if as_json:
        import json

        out.print_json(json.dumps(report.to_dict(strict), ensure_ascii=False))
        return 1 if failed else 0
    print_diagnostics(report.diagnostics)
    if not report.diagnostics:
        out.print(f"[green]✓[/green] Aucun problème : {what}.", soft_wrap=True)
    elif failed:
        err.print(
            f"[red]✗[/red] {_summary_line(len(report.errors), len(report.warnings))}."
            + ("" if report.errors else " (--strict)")
        )
    else:
        err.print(
            f"[yellow]![/yellow] {_summary_line(0, len(report.warnings))} ; rien de bloquant (--strict les rendrait "
            "bloquants)."
        )
    return 1 if failed else 0


def _summary_line(n_err: int, n_warn: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n > 1 else ''}"

    return f"{plural(n_err, 'erreur')}, {plural(n_warn, 'avertissement')}"


def print_changes(created: Iterable[str], updated: Iterable[str], removed: Iterable[str]) -> None:
    """The files a command writes, one a line: « + » created, « ~ » updated, « - » removed."""
    for mark, style, paths in (("+", "green", created), ("~", "yellow", updated), ("-", "red", removed)):
        for rel in paths:
            out.print(f"  [{style}]{mark}[/{style}] {escape(rel)}", soft_wrap=True)


def report_error(exc: AteliersError) -> None:
    where = ""
    if exc.path:
        where = f"{exc.path}:{exc.line}: " if exc.line else f"{exc.path}: "
    err.print(f"[bold red]Erreur[/bold red] : {escape(where)}{escape(exc.message)}", soft_wrap=True)
    if exc.details:
        print_diagnostics(exc.details)
    if exc.hint:
        err.print(f"    [dim]→ {escape(exc.hint)}[/dim]", soft_wrap=True)


def report_interrupted() -> None:
    """Ctrl-C, said once: every writing command prepares its files beside the old ones."""
    err.print("[yellow]Interrompu.[/yellow] Rien n'a été écrit à moitié : relancez la commande.")


_AS_THE_PROGRAM = False  # set by run_guarded: the process is `ateliers`, not a test calling a command


def work_done() -> None:
    """The command's work is in place (or its outcome said): a Ctrl-C from now on is ignored.

    Pressed as « ✓ Site écrit … » is printed, it would otherwise say « Interrompu » over a finished
    job, or print Python's « Exception ignored … KeyboardInterrupt » while it shuts down. Called when
    a command ends, and by a long command as soon as its result is in place. Only when running as
    the program: a test calling a command keeps its own Ctrl-C.
    """
    if not _AS_THE_PROGRAM:
        return
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (KeyboardInterrupt, ValueError):  # pressed at this very moment; not the main thread
        pass


class _Progress:
    def __init__(self, progress: Progress | None, label: str) -> None:
        self._p = progress
        self._label = label
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._p is None:
            return
        if self._task is None:
            self._task = self._p.add_task(self._label, total=total)
        self._p.update(self._task, completed=done, total=total)


@contextlib.contextmanager
def progress(label: str, quiet: bool = False) -> Iterator[_Progress]:
    """A progress callback ``(done, total)``; a bar only on a terminal."""
    if quiet or not err.is_terminal:
        yield _Progress(None, label)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as p:
        yield _Progress(p, label)


def run_guarded(command: Callable[[], object], *, verbose: Callable[[], int] = lambda: 0) -> None:
    """Run a command as the user's last line of defence: never a Python traceback.

    Ctrl-C says nothing was half-written (exit 130); an unexpected exception is reported as
    « Erreur interne » with what to do (exit 3), its traceback only with ``-v``.
    """
    import sys

    global _AS_THE_PROGRAM
    _AS_THE_PROGRAM = True
    try:
        command()
    except KeyboardInterrupt:
        report_interrupted()
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if verbose():
            err.print_exception()
        # escaped, and made printable: this handler must not fail in its turn (a file name
        # that is not UTF-8 in the message would make printing raise)
        detail = f"{type(exc).__name__}: {exc}".encode("utf-8", "backslashreplace").decode("utf-8")
        err.print(
            f"[bold red]Erreur interne[/bold red] : {escape(detail)}\n"
            "    → c'est un défaut de l'outil, pas de votre dossier : signalez-le avec la commande "
            "lancée (relancez avec -v pour le détail technique).",
            soft_wrap=True,
        )
        sys.exit(3)
    finally:
        work_done()
