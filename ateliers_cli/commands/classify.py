"""``contributions classer``: classify contributions by their ids, without editing files."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ateliers_cli.commands.common import consultation_root, handled, open_consultation, state
from ateliers_cli.console import out
from ateliers_cli.errors import UsageError
from ateliers_cli.fsutil import lock, write_all


def register_classer(group: typer.Typer) -> None:
    """Add ``classer`` to the ``contributions`` group."""
    group.command("classer")(handled(classer_cmd))


def classer_cmd(
    ids: Annotated[
        list[str],
        typer.Argument(metavar="ID…", help="Les contributions à classer (C-0001 C-0002 …).", show_default=False),
    ],
    themes: Annotated[
        str,
        typer.Option(
            "--themes", metavar="A,B", help="Les thèmes (identifiants de themes.yaml, séparés par des virgules)."
        ),
    ] = "",
    statut: Annotated[
        str,
        typer.Option(
            "--statut", metavar="STATUT", help="analysee (par défaut avec --themes), hors_sujet, doublon ou nouvelle."
        ),
    ] = "",
    doublon_de: Annotated[
        str,
        typer.Option("--doublon-de", metavar="ID", help="Avec --statut doublon : la contribution dont c'est la copie."),
    ] = "",
    motif: Annotated[
        str,
        typer.Option(
            "--motif",
            metavar="TEXTE",
            help="Avec --statut hors_sujet : pourquoi (un texte, ou l'identifiant d'un motif de "
            "« motifs_hors_sujet »).",
        ),
    ] = "",
    redirection: Annotated[
        str,
        typer.Option(
            "--redirection", metavar="TEXTE", help="Avec --statut hors_sujet : vers qui son auteur peut se tourner."
        ),
    ] = "",
    ajouter: Annotated[
        bool, typer.Option("--ajouter", help="Ajouter ces thèmes à ceux qu'elles ont déjà, au lieu de les remplacer.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer ce qui changerait, sans rien écrire.")] = False,
) -> None:
    """Classe des contributions sans ouvrir leurs fichiers : thèmes, statut, doublon.

    Seules les lignes « themes », « statut » (et « doublon_de ») de chaque contribution changent ; les autres clés, leur
    ordre, les commentaires et le texte restent tels quels. Tout ou rien : une contribution ou un thème inconnu, et rien
    n'est écrit (tous les problèmes sont dits d'un coup). Les contributions classées servent ensuite d'exemples à
    [cyan]ateliers themes tag[/cyan].

    Exemples : [cyan]ateliers contributions classer C-0003 C-0011 --themes numerique,isolement[/cyan] ; [cyan]ateliers
    contributions classer C-0042 --statut hors_sujet[/cyan] ; [cyan]ateliers contributions classer C-0050 --statut
    doublon --doublon-de C-0049[/cyan]
    """
    from ateliers_cli.classification import Decision, classification_files, parse_theme_list, plan_classification

    chosen = parse_theme_list(themes)
    status = statut.strip() or ("analysee" if chosen or ajouter else "")
    if not status:
        raise UsageError(
            "rien à faire : donnez --themes, --statut, ou les deux",
            hint="par exemple --themes mobilite ou --statut hors_sujet",
        )
    if status in ("hors_sujet", "doublon", "nouvelle") and chosen:
        raise UsageError(
            f"--statut {status} ne va pas avec --themes",
            hint="une contribution hors sujet, doublon ou nouvelle n'a pas de thème",
        )
    decisions = [
        Decision(cid.strip(), chosen, status, doublon_de.strip(), add=ajouter, motif=motif, redirection=redirection)
        for cid in ids
        if cid.strip()
    ]
    root = consultation_root()
    with lock(root, "contributions classer"):
        c = open_consultation().consultation
        plan = plan_classification(c, decisions)
        if not dry_run:
            write_all(c.root, classification_files(c, plan))
    for change in plan.changes:
        (old_themes, old_statut, _), (new_themes, new_statut, new_doublon) = change.before, change.after
        was = f"{old_statut}{' : ' + ', '.join(old_themes) if old_themes else ''}"
        now = f"{new_statut}{' : ' + ', '.join(new_themes) if new_themes else ''}"
        now += f"{' de ' + new_doublon if new_doublon else ''}"
        out.print(f"  {escape(change.id)} : {escape(was)} → [bold]{escape(now)}[/bold]", soft_wrap=True)
    n = len(plan.changes)
    if dry_run:
        out.print(
            f"{n} contribution{'s' if n > 1 else ''} {'changeraient' if n > 1 else 'changerait'} (--dry-run : rien "
            "n'est écrit)."
        )
    elif n:
        out.print(f"[green]✓[/green] {n} contribution{'s' if n > 1 else ''} classée{'s' if n > 1 else ''}.")
    if plan.unchanged and not state.quiet:
        out.print(
            f"Déjà ainsi, inchangée{'s' if len(plan.unchanged) > 1 else ''} : {escape(', '.join(plan.unchanged))}.",
            soft_wrap=True,
        )
    if n and not dry_run:
        out.print(
            "  Ensuite : [cyan]ateliers themes tag[/cyan] apprend de ces classements pour suggérer les autres.",
            soft_wrap=True,
        )
