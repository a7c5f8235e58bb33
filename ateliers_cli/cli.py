"""The ``ateliers`` command: global options, the command groups, the one error handler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ateliers_cli import __version__
from ateliers_cli.commands import (  # noqa: F401 - localise: Typer in French
    accountability,
    analysis,
    capture,
    contributions,
    correspondence,
    edits,
    followup,
    inscriptions,
    localise,
    process,
    project,
    publish,
)
from ateliers_cli.commands.common import state
from ateliers_cli.console import run_guarded

app = typer.Typer(
    name="ateliers",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Conduire des [bold]Ateliers Citoyens[/bold] : de l'appel à contributions à la "
    "restitution publique, avec un dossier de fichiers texte suivi par git.\n\n"
    "Commencez par [cyan]ateliers demo[/cyan] pour voir toute la démarche sur un exemple, "
    "ou [cyan]ateliers init ma-consultation[/cyan] pour créer la vôtre.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ateliers {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    directory: Annotated[
        Path,
        typer.Option(
            "-C", "--dossier", help="Dossier de la consultation (par défaut : le dossier courant).", show_default=False
        ),
    ] = Path("."),
    verbose: Annotated[
        int, typer.Option("-v", "--verbeux", count=True, help="Plus de détails (répétable : -vv).", show_default=False)
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("-q", "--silencieux", help="Seulement l'essentiel ; pas de barre de progression.")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Affiche la version et quitte."),
    ] = None,
) -> None:
    """Options communes à toutes les commandes."""
    state.directory = directory
    state.verbose = verbose
    state.quiet = quiet


project.register(app)
process.register(app)
accountability.register(app)
contributions.register(app)
inscriptions.register(app)
correspondence.register(app)
followup.register(app)
analysis.register(app)
capture.register(app)
edits.register(app)
publish.register(app)


def main() -> None:
    """Console entry point: never a Python traceback for the user."""
    run_guarded(app, verbose=lambda: state.verbose)
