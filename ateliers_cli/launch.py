"""What runs when you type ``ateliers``: a repeated ``check`` answered at once, else the full command line.

``ateliers check`` on an unchanged folder is what a facilitator, an editor or a pre-commit
hook runs most often, and its report is in the cache (cache.py). Loading the command-line
framework (Typer, which brings pydantic) costs more than reading that report, so ``main``
first looks whether the arguments are a plain ``check`` — ``[-C DOSSIER] [-q] check
[--strict] [--format texte|json]`` — whose report is cached for the folder as it is now,
today. If so it prints it with the very function the full command uses
(:func:`ateliers_cli.console.print_check`). Anything else — another command or option,
``--no-cache``, ``--help``, no cache, a changed file, a file too recent to trust — goes to
the full command line (cli.py), which does the same lookup and everything else.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _plain_check(args: list[str]) -> tuple[Path, bool, bool] | None:
    """(folder, strict, json) when ``args`` is a plain ``check``; None for anything else."""
    folder = Path(".")
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
            i += 1
        else:
            return None
    if i == len(args):
        return None
    strict, as_json = False, False
    rest = args[i + 1 :]
    j = 0
    while j < len(rest):
        a = rest[j]
        if a == "--strict":
            strict = True
            j += 1
        elif a == "--format" and j + 1 < len(rest) and rest[j + 1] in ("texte", "json"):
            as_json = rest[j + 1] == "json"
            j += 2
        elif a in ("--format=texte", "--format=json"):
            as_json = a.endswith("json")
            j += 1
        else:
            return None
    return folder, strict, as_json


def cached_check(args: list[str]) -> int | None:
    """The exit code of ``check`` answered from the cache, or None to run the full command."""
    plain = _plain_check(args)
    if plain is None:
        return None
    folder, strict, as_json = plain
    try:
        from ateliers_cli import cache
        from ateliers_cli.clock import today
        from ateliers_cli.fsutil import find_root

        root = find_root(folder)
        key, racy = cache.snapshot(root)
        if racy:
            return None
        hit = cache.cached_report(root, f"{key}:{today().isoformat()}")
    except Exception:  # noqa: BLE001 - whatever it is, the full command reports it properly
        return None
    if hit is None:
        return None
    from ateliers_cli.console import print_check

    report, what = hit
    return print_check(report, what, strict=strict, as_json=as_json)


def main() -> None:
    code = cached_check(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from ateliers_cli.cli import main as full_command_line

    full_command_line()
