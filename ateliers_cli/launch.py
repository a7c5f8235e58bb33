"""What runs when you type ``ateliers``: ``check`` straight away, everything else through the full command line.

``ateliers check`` is what a facilitator, an editor or a pre-commit hook runs most often,
and its report is usually in the cache (cache.py). Loading the command-line framework
(Typer, which brings pydantic, and every command's module) costs more than reading that
report, so ``main`` first looks whether the arguments are a plain ``check`` —
``[-C DOSSIER] [-q] check [--strict] [--format texte|json] [--no-cache]`` — and if so runs
it with the very functions the full command uses (:func:`ateliers_cli.check.report_of`,
which reads no file and imports no rule when the cached report still holds,
:func:`ateliers_cli.console.print_check`, the same error report and the same last line of
defence). Anything else — another command, ``--help``, ``-v``, an option it does not know —
goes to the full command line (cli.py), which does the rest, ``check`` included.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlainCheck:
    folder: Path = Path(".")
    quiet: bool = False
    strict: bool = False
    as_json: bool = False
    use_cache: bool = True


def plain_check(args: list[str]) -> PlainCheck | None:
    """The options of a plain ``check``; None for anything else (left to the full command line)."""
    folder, quiet = Path("."), False
    i = 0
    while i < len(args) and args[i] != "check":
        a = args[i]
        if a in ("-C", "--dossier") and i + 1 < len(args):
            folder = Path(args[i + 1])
            i += 2
        elif a.startswith("--dossier="):
            folder = Path(a.partition("=")[2])
            i += 1
        elif a in ("-q", "--silencieux"):
            quiet = True
            i += 1
        else:
            return None
    if i == len(args):
        return None
    strict, as_json, use_cache = False, False, True
    rest = args[i + 1 :]
    j = 0
    while j < len(rest):
        a = rest[j]
        if a == "--strict":
            strict = True
            j += 1
        elif a == "--no-cache":
            use_cache = False
            j += 1
        elif a == "--format" and j + 1 < len(rest) and rest[j + 1] in ("texte", "json"):
            as_json = rest[j + 1] == "json"
            j += 2
        elif a in ("--format=texte", "--format=json"):
            as_json = a.endswith("json")
            j += 1
        else:
            return None
    return PlainCheck(folder, quiet, strict, as_json, use_cache)


def run_check(plain: PlainCheck) -> int:
    """``check`` itself, as the full command runs it: the report, or the error that stops it."""
    from ateliers_cli.check import report_of
    from ateliers_cli.console import print_check, report_error
    from ateliers_cli.errors import AteliersError
    from ateliers_cli.fsutil import find_root

    try:
        report, what = report_of(find_root(plain.folder), use_cache=plain.use_cache, quiet=plain.quiet)
    except AteliersError as exc:
        report_error(exc)
        return exc.exit_code
    return print_check(report, what, strict=plain.strict, as_json=plain.as_json)


def main() -> None:
    plain = plain_check(sys.argv[1:])
    if plain is not None:
        from ateliers_cli.console import run_guarded

        def command() -> None:
            sys.exit(run_check(plain))

        run_guarded(command)
        return
    from ateliers_cli.cli import main as full_command_line

    full_command_line()
