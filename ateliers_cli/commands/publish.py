"""``site``: the public website of the consultation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ateliers_cli.commands.common import consultation_root, handled, open_consultation, state
from ateliers_cli.console import out, progress, work_done
from ateliers_cli.fsutil import lock


def register(app: typer.Typer) -> None:
    app.command("site")(handled(site_cmd))


def site_cmd(
    sortie: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Dossier du site (par défaut : site/ dans la consultation).", show_default=False
        ),
    ] = None,
) -> None:
    """Construit le site public de la consultation : démarche, thèmes, ateliers, contributions, documents.

    Un dossier de pages statiques, à ouvrir tel quel ou à publier sur n'importe quel serveur. Le texte d'une
    contribution n'est publié qu'avec l'accord de son auteur ; rien de prive/.

    Le site est construit à côté puis mis en place d'un coup : une construction interrompue laisse l'ancien site intact.

    Exemple : [cyan]ateliers site[/cyan] puis ouvrez [bold]site/index.html[/bold]
    """
    from ateliers_cli.site import build_site
    from ateliers_cli.store import outputs

    root = consultation_root()
    if sortie is None:
        target = root / "site"
    else:
        target = sortie if sortie.is_absolute() else (state.directory / sortie).absolute()
    with lock(root, "ateliers site"):
        loaded = open_consultation()
        with progress("Pages des contributions", state.quiet) as cb:
            result = build_site(loaded, target, progress=cb)
        outputs.record(root, "site", target)
        work_done()  # the new site is in place: a Ctrl-C now would only misreport it
    shown = target.relative_to(root) if target.is_relative_to(root) else target
    out.print(
        f"[green]✓[/green] Site écrit dans [bold]{escape(str(shown))}/[/bold] : {result.pages} pages, "
        f"{result.fichiers} fichiers. Ouvrez {escape(str(shown / 'index.html'))}."
    )
