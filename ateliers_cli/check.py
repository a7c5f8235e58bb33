"""``ateliers check``: every problem of a consultation, in one run.

Light to import (the rules and the loader are imported when a folder is actually read):
``report_of`` answers from the cache without them, which is what makes a repeated
``check`` nearly free (launch.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ateliers_cli.clock import today
from ateliers_cli.errors import Diagnostic, Report, Severity
from ateliers_cli.stages import Stage

if TYPE_CHECKING:
    from ateliers_cli.load import LoadResult
    from ateliers_cli.model import Consultation


def passed_gates(c: Consultation) -> list[Diagnostic]:
    """The conditions of the stages already passed must still hold."""
    from ateliers_cli.gates import GATES

    found: list[Diagnostic] = []
    day = today()
    for stage in Stage.process():
        if stage.number >= c.etape.number:
            break
        for d in GATES[stage](c, day):
            found.append(
                Diagnostic(
                    d.path,
                    d.line,
                    f"{d.message} (condition de sortie de l'étape « {stage.value} », déjà franchie)",
                    d.hint,
                    d.severity,
                    d.code,
                )
            )
    return found


def open_data_rules(loaded: LoadResult) -> list[Diagnostic]:
    """The rules ``export`` and ``site`` enforce on the deliberation's open-data row (the SCDL
    schema « Délibérations »), found here as soon as the séance is written, not at the very end."""
    from ateliers_cli.export import scdl

    c = loaded.consultation
    if not scdl.published(c):
        return []
    told = {(d.path, d.line) for d in loaded.diagnostics if d.is_error}  # already said by the loader
    return [d for d in scdl.problems(c, loaded.diagnostics) if (d.path, d.line) not in told]


def check(loaded: LoadResult) -> Report:
    """All the problems of a loaded consultation, sorted by file and line."""
    from ateliers_cli.answers import check_answers
    from ateliers_cli.checks.dates import check_dates
    from ateliers_cli.checks.erasure import check_erasure
    from ateliers_cli.checks.followup import check_followup
    from ateliers_cli.checks.institution import check_institution
    from ateliers_cli.checks.links import check_links
    from ateliers_cli.checks.merge_markers import scan_folders
    from ateliers_cli.checks.provenance import check_provenance
    from ateliers_cli.checks.rules import check_rules
    from ateliers_cli.checks.versioning import check_versioning

    c = loaded.consultation
    diags = list(loaded.diagnostics)
    diags += check_links(c)
    diags += check_followup(c)
    diags += check_rules(c)
    diags += check_dates(c)
    diags += check_erasure(c)
    diags += check_answers(c)
    diags += check_institution(c)
    diags += check_provenance(c)
    diags += passed_gates(c)
    diags += check_versioning(c.root)
    diags += open_data_rules(loaded)
    diags += scan_folders(c.root)  # the data load reads is scanned as it is read
    # the order of Diagnostic (path, line, message, hint, severity), with a key: far faster
    ordered = sorted(set(diags), key=lambda d: (d.path, d.line, d.message, d.hint, d.severity))
    return Report(_at_most_per_file(ordered))


#: Beyond this many problems in one file, the rest is counted, not listed: a pasted
#: spreadsheet of 100 000 unknown keys must not take minutes to print.
MAX_PER_FILE = 100


def _at_most_per_file(diags: list[Diagnostic]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    i = 0
    while i < len(diags):
        j = i
        while j < len(diags) and diags[j].path == diags[i].path:
            j += 1
        out += diags[i : min(j, i + MAX_PER_FILE)]
        rest = diags[i + MAX_PER_FILE : j]
        if rest:
            n_err = sum(d.is_error for d in rest)
            out.append(
                Diagnostic(
                    diags[i].path,
                    0,
                    f"… et {len(rest)} autres problèmes dans ce fichier ({n_err} erreurs, {len(rest) - n_err} "
                    f"avertissements) : seuls les {MAX_PER_FILE} premiers sont affichés",
                    "corrigez ceux-ci, puis relancez « ateliers check »",
                    Severity.ERROR if n_err else Severity.WARNING,
                    "trop-de-problemes",
                )
            )
        i = j
    return out


def _pluriel(n: int, one: str, many: str) -> str:
    return f"{n} {one if abs(n) < 2 else many}"


def report_of(root: Path, *, use_cache: bool = True, quiet: bool = False) -> tuple[Report, str]:
    """``check``'s report and a one-line description of what was checked.

    From the cache when no file changed; otherwise every file is read (each unchanged
    contribution from the per-file cache unless ``use_cache`` is false) and the report
    stored for next time.
    """
    from ateliers_cli import cache

    key, racy = cache.check_key(root)
    if use_cache and not racy:
        hit: tuple[Report, str] | None = cache.cached_report(root, key)
        if hit is not None:
            return with_outputs(root, hit[0]), hit[1]
    from ateliers_cli.console import progress
    from ateliers_cli.load import load

    with progress("Lecture des contributions", quiet) as cb:
        loaded = load(root, progress=cb, cache=use_cache)
    report = check(loaded)
    c = loaded.consultation
    what = (
        f"{_pluriel(len(c.contributions), 'contribution', 'contributions')}, "
        f"{_pluriel(len(c.themes), 'thème', 'thèmes')}, "
        f"{_pluriel(len(c.ateliers), 'atelier', 'ateliers')} vérifiés (étape « {c.etape.value} »)"
    )
    if use_cache and not racy:
        cache.store_report(root, key, (report, what))
    return with_outputs(root, report), what


def with_outputs(root: Path, report: Report) -> Report:
    """The report and, never from the cache, the outputs that still hold an erased identity."""
    from ateliers_cli.store.paths import ERASURES

    if not (root / ERASURES).is_file():
        return report
    from ateliers_cli.checks.erasure import erased_in_outputs

    stale = erased_in_outputs(root)
    if not stale:
        return report
    return Report(
        sorted(set(report.diagnostics) | set(stale), key=lambda d: (d.path, d.line, d.message, d.hint, d.severity))
    )
