"""``saisie modele``, ``saisie import``: capture workshops, forums and restitutions in a spreadsheet."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ateliers_cli.commands.common import consultation_root, handled, open_consultation
from ateliers_cli.console import out, print_changes
from ateliers_cli.fsutil import lock

saisie_app = typer.Typer(
    name="saisie",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Saisir dans un tableur plutôt qu'en YAML : un modèle XLSX ou ODS par atelier, forum, rapport, "
    "délibération ou restitution, rempli en réunion, puis importé.\n\n"
    "Exemple : [cyan]ateliers saisie modele atelier lille-1[/cyan] puis [cyan]ateliers saisie import "
    "saisie-atelier-lille-1.xlsx[/cyan]",
)


class Format(str, Enum):
    xlsx = "xlsx"
    ods = "ods"


def register(app: typer.Typer) -> None:
    app.add_typer(saisie_app, name="saisie")
    saisie_app.command("modele")(handled(modele_cmd))
    saisie_app.command("import")(handled(import_cmd))


def modele_cmd(
    sorte: Annotated[
        str,
        typer.Argument(
            help="atelier, lancement, synthese, orientations, deliberation ou restitution.", show_default=False
        ),
    ],
    identifiant: Annotated[
        str | None,
        typer.Argument(
            help="Pour un atelier ou une restitution : son identifiant (le nom du fichier).", show_default=False
        ),
    ] = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Fichier à écrire (par défaut : saisie-SORTE[-ID].xlsx).", show_default=False),
    ] = None,
    format_: Annotated[
        Format, typer.Option("--format", help="xlsx (Excel, LibreOffice) ou ods (LibreOffice).")
    ] = Format.xlsx,
) -> None:
    """Écrit un modèle de saisie : un classeur prérempli, avec les identifiants de la consultation en listes
    déroulantes.

    Un atelier : sa fiche, une ligne par thème (réflexions), une ligne par proposition. Le forum de
    synthèse : les regroupements, et pour chaque proposition son regroupement ou son motif d'écart.
    La délibération : avis des commissions, séance, vote, décisions. Une restitution : la réunion et
    les retours. Le modèle reprend ce que le fichier contient déjà.

    Exemple : [cyan]ateliers saisie modele restitution lille --format ods[/cyan]
    """
    from ateliers_cli.capture.template import write_template

    c = open_consultation().consultation
    path, rel = write_template(c, sorte, identifiant or "", out_path, format_.value)
    out.print(f"[green]✓[/green] Modèle écrit : [bold]{escape(str(path))}[/bold] (pour {escape(rel)}).", soft_wrap=True)
    out.print(f"  Remplissez-le, puis : [cyan]ateliers saisie import {escape(str(path))}[/cyan]", soft_wrap=True)


def import_cmd(
    fichier: Annotated[Path, typer.Argument(help="Le modèle rempli (XLSX ou ODS).", show_default=False)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Montre le YAML qui serait écrit, sans rien écrire.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Importe un modèle de saisie rempli : écrit le fichier YAML, en gardant ses commentaires.

    Chaque case est vérifiée ; un problème est signalé [bold]fichier:feuille:ligne[/bold], tous en
    une fois, et rien n'est écrit tant qu'il en reste.

    Exemple : [cyan]ateliers saisie import saisie-atelier-lille-1.xlsx --dry-run[/cyan]
    """
    from ateliers_cli.capture.importing import apply_capture, plan_capture

    root = consultation_root()
    if dry_run:
        plan = plan_capture(open_consultation().consultation, fichier, str(fichier))
    else:
        with lock(root, "saisie import"):
            plan = plan_capture(open_consultation().consultation, fichier, str(fichier))
            apply_capture(root, plan)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "fichier": plan.rel,
                    "cree": plan.created,
                    "inchange": plan.unchanged,
                    "simulation": dry_run,
                    "comptes": plan.counts,
                },
                ensure_ascii=False,
            )
        )
        return
    if dry_run and not plan.unchanged:
        out.print(f"[yellow]Simulation[/yellow] (--dry-run) : {escape(plan.rel)} serait écrit ainsi :")
        out.print(escape(plan.text), soft_wrap=True)
    elif not dry_run and not plan.unchanged:
        print_changes([plan.rel] if plan.created else [], [] if plan.created else [plan.rel], [])
    counts = ", ".join(f"{n} {what}" for what, n in plan.counts.items())
    verb = "serait" if dry_run else "est"
    done = "déjà à jour : rien à écrire" if plan.unchanged else ("créé" if plan.created else "mis à jour")
    out.print(
        f"[green]✓[/green] {escape(plan.rel)} {verb if not plan.unchanged else 'est'} {done}"
        + (f" ({escape(counts)})" if counts else "")
        + ". Ensuite : [cyan]ateliers status[/cyan].",
        soft_wrap=True,
    )
