"""``suivi rapport``: the yearly follow-up report to the assembly, from suivi.yaml."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ateliers_cli.commands.common import consultation_root, handled, open_consultation
from ateliers_cli.console import err, out
from ateliers_cli.fsutil import lock
from ateliers_cli.importers.util import plural

suivi_app = typer.Typer(
    name="suivi",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Après le vote : le suivi des actions qui mettent en œuvre les orientations adoptées (suivi.yaml).\n\n"
    "Exemple : [cyan]ateliers suivi rapport --annee 2027[/cyan]",
)


def register(app: typer.Typer) -> None:
    app.add_typer(suivi_app, name="suivi")
    suivi_app.command("rapport")(handled(report_cmd))


def report_cmd(
    annee: Annotated[
        int | None, typer.Option("--annee", metavar="AAAA", help="L'année du rapport (par défaut : l'année en cours).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Réécrit un rapport modifié à la main (l'ancien est gardé à côté en .modifie)."),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Ce qui serait écrit, sans rien écrire.")] = False,
) -> None:
    """Écrit le rapport annuel de suivi à l'assemblée : suivi/rapport-<année>.md, .odt, .docx et .pdf.

    Pour chaque orientation adoptée : ses actions (service, budget, statut et motif), les étapes de l'année et celles à
    venir, les valeurs de ses indicateurs au fil du temps, ce qu'en ont dit les réunions de restitution. Les données
    viennent de suivi.yaml, vérifié par « ateliers check ».

    Exemple : [cyan]ateliers suivi rapport --annee 2027[/cyan]
    """
    from ateliers_cli.clock import now
    from ateliers_cli.errors import AteliersError
    from ateliers_cli.followup import FILE, report_files
    from ateliers_cli.fsutil import write_all
    from ateliers_cli.writer import conflict_error, plan_writes

    root = consultation_root()
    year = annee or now().year
    loaded = open_consultation()
    c = loaded.consultation
    from ateliers_cli.checks.followup import check_followup

    problems = [d for d in [*loaded.diagnostics, *check_followup(c)] if d.path == FILE and d.is_error]
    if not (root / FILE).is_file():
        raise AteliersError(
            "aucun fichier suivi.yaml : il n'y a pas encore de suivi à rapporter",
            path=FILE,
            hint="décrivez les actions de chaque orientation adoptée dans suivi.yaml (voir docs/suivi.md)",
        )
    if problems:
        raise AteliersError(
            f"{FILE} a {plural(len(problems), 'problème')} : corrigez-le d'abord",
            path=FILE,
            line=problems[0].line,
            hint="lancez « ateliers check »",
        )
    with lock(root, "suivi rapport"):
        plan = plan_writes(root, report_files(c, year), force=force)
        if plan.conflicts:
            raise conflict_error(plan)
        if not dry_run and plan.writes:
            write_all(root, plan.changes)
    done = [rel for rel in plan.created + plan.updated]
    verb = "seraient écrits" if dry_run else "écrits"
    if done:
        out.print(
            f"[green]✓[/green] Rapport de suivi {year} : {plural(len(done), 'fichier')} {verb} — "
            + ", ".join(escape(x) for x in done)
        )
    else:
        out.print(f"Rapport de suivi {year} : rien n'a changé.")
    if not c.actions:
        err.print("[yellow]![/yellow] suivi.yaml ne décrit encore aucune action.")
    if dry_run:
        out.print("[bold](simulation : rien n'a été écrit)[/bold]")
