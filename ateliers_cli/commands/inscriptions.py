"""``inscriptions import``: registrations for the workshops."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ateliers_cli.commands.common import (
    DryRunOption,
    MappingFileOption,
    SheetOption,
    consultation_root,
    handled,
    open_consultation,
)
from ateliers_cli.console import err, out, print_diagnostics
from ateliers_cli.errors import error, warning
from ateliers_cli.fsutil import lock
from ateliers_cli.importers.mapping import INSCRIPTION_FIELDS as FIELDS
from ateliers_cli.importers.util import plural

if TYPE_CHECKING:
    from ateliers_cli.inscriptions import InscriptionsPlan

inscriptions_app = typer.Typer(
    name="inscriptions",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Les inscriptions aux ateliers : places, liste d'attente, besoins, feuilles d'émargement.\n\n"
    "Exemple : [cyan]ateliers inscriptions import inscriptions.xlsx --dry-run[/cyan]",
)


def register(app: typer.Typer) -> None:
    app.add_typer(inscriptions_app, name="inscriptions")
    inscriptions_app.command("import")(handled(import_cmd))
    inscriptions_app.command("annuler")(handled(cancel_cmd))
    inscriptions_app.command("absent")(handled(absent_cmd))


def import_cmd(
    fichier: Annotated[
        Path, typer.Argument(help="Export des inscriptions : CSV, XLSX, XLS, ODS ou JSON.", show_default=False)
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", metavar="CHAMP=COLONNE", help="Colonne d'un champ (répétable). Champs : " + ", ".join(FIELDS) + "."
        ),
    ] = None,
    mapping: MappingFileOption = None,
    atelier: Annotated[
        str | None,
        typer.Option(
            "--atelier",
            metavar="ID",
            help="Atelier de toutes les lignes qui n'en choisissent pas (un formulaire par atelier).",
        ),
    ] = None,
    feuille: SheetOption = None,
    dry_run: DryRunOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Réécrit aussi les feuilles d'émargement modifiées à la main (gardées à côté en .modifie.html).",
        ),
    ] = False,
    debordement: Annotated[
        bool,
        typer.Option(
            "--debordement",
            help="Quand tous les choix d'une personne sont complets, la place dans un autre atelier de son territoire "
            "qui a de la place (elle est alors à prévenir), plutôt qu'en liste d'attente.",
        ),
    ] = False,
) -> None:
    """Importe les inscriptions aux ateliers : places dans la limite de la capacité, puis liste d'attente.

    Les places sont attribuées dans l'ordre d'inscription, au premier des choix classés de chaque personne (« lille-1,
    lille-2 », ou une colonne par choix) qui a de la place ; une personne qui choisit un territoire plutôt qu'un atelier
    va au premier atelier du territoire qui a de la place. Une place donnée n'est jamais reprise : une inscription déjà
    enregistrée garde sa place d'un import à l'autre, et une place libérée va à la première personne en attente, listée
    « à prévenir ». Les nombres (inscrits, liste d'attente, besoins PMR, LSF, garde d'enfants) sont écrits dans
    ateliers/*.yaml ; les noms seulement dans prive/ : prive/inscriptions.csv, les feuilles d'émargement
    prive/emargement/<atelier>.html et les besoins par atelier dans prive/besoins.md. Réimporter le même fichier ne
    change rien.

    Exemple : [cyan]ateliers inscriptions import inscriptions.csv --map atelier="Atelier choisi"[/cyan]
    """
    from ateliers_cli.inscriptions import apply_inscriptions, plan_inscriptions

    root = consultation_root()
    options = {
        "shown": str(fichier),
        "maps": list(map_ or []),
        "mapping_file": mapping,
        "atelier": atelier,
        "sheet": feuille,
        "force": force,
        "overflow": debordement,
    }
    if dry_run:
        plan = plan_inscriptions(open_consultation().consultation, fichier, **options)  # type: ignore[arg-type]
    else:
        with lock(root, "inscriptions import"):
            c = open_consultation().consultation
            plan = plan_inscriptions(c, fichier, **options)  # type: ignore[arg-type]
            apply_inscriptions(root, plan)
    _report(plan, dry_run)
    if plan.rejected:
        raise typer.Exit(1)


def _report(plan: InscriptionsPlan, dry_run: bool) -> None:
    from ateliers_cli.store.paths import NEEDS as NEEDS_PATH
    from ateliers_cli.store.paths import REGISTRATIONS as PRIVATE_PATH
    from ateliers_cli.store.paths import SHEETS_DIR

    t = plan.table
    out.print(
        f"[bold]{escape(t.name)}[/bold] : {escape(t.description)}, {len(t.rows)} ligne{'s' if len(t.rows) > 1 else ''}."
    )
    used = ", ".join(f"{name} ← " + " + ".join(f"« {c} »" for c in cols) for name, cols in plan.mapping.columns.items())
    out.print(f"[dim]Colonnes : {escape(used)}[/dim]")
    table = Table(header_style="bold", title="Inscriptions par atelier", title_justify="left")
    for col, just in (
        ("atelier", "left"),
        ("places", "right"),
        ("inscrits", "right"),
        ("attente", "right"),
        ("PMR", "right"),
        ("LSF", "right"),
        ("garde", "right"),
        ("autre", "right"),
        ("", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for aid, k in sorted(plan.counts.items()):
        cap = plan.capacities.get(aid, 0)
        alert = ""
        if k.pmr and plan.accessible.get(aid) is False:
            alert = "[red]lieu non accessible PMR ![/red]"
        elif k.liste_attente:
            alert = "[yellow]complet[/yellow]"
        table.add_row(
            escape(aid),
            str(cap),
            str(k.inscrits),
            str(k.liste_attente),
            str(k.pmr),
            str(k.lsf),
            str(k.garde_enfants),
            str(k.autre),
            alert,
        )
    out.print(table)
    diags = [error(t.name, i.line, f"ligne rejetée : {i.message}", i.hint) for i in plan.rejected]
    diags += [warning(t.name, i.line, i.message) for i in plan.duplicates]
    print_diagnostics(diags)
    for w in plan.warnings:
        err.print(f"[yellow]![/yellow] {escape(w)}")
    for rel in plan.kept:
        err.print(
            f"[yellow]![/yellow] {escape(rel)} a été modifiée à la main : gardée telle quelle (--force pour la "
            "réécrire, l'ancienne version est alors gardée à côté)."
        )
    n_written = len(plan.files)
    mark = "[red]✗[/red]" if plan.rejected else "[green]✓[/green]"
    summary = (
        f"{mark} {plan.from_file} inscription{'s' if plan.from_file > 1 else ''} "
        f"lue{'s' if plan.from_file > 1 else ''}, "
        f"{len(plan.rejected)} rejetée{'s' if len(plan.rejected) > 1 else ''}, {len(plan.duplicates)} en double ; "
    )
    if dry_run:
        summary += (
            f"{plural(n_written, 'fichier serait écrit', 'fichiers seraient écrits')} [bold](simulation : rien n'a été "
            "écrit)[/bold]."
        )
    elif n_written:
        summary += f"{plural(n_written, 'fichier écrit', 'fichiers écrits')}."
    else:
        summary += "rien n'a changé."
    out.print(summary)
    if not dry_run and n_written:
        out.print(
            f"  Noms et contacts : {PRIVATE_PATH} ; feuilles d'émargement : {SHEETS_DIR}/ ; besoins : {NEEDS_PATH}."
        )
    _to_tell(plan, dry_run)


def _to_tell(plan: InscriptionsPlan, dry_run: bool) -> None:
    """The people whose place changed: promoted from the waiting list, placed elsewhere."""
    if not (plan.promoted or plan.overflowed):
        return
    verb = "seraient" if dry_run else "sont"
    out.print(f"[bold]À prévenir[/bold] ({len(plan.promoted) + len(plan.overflowed)}) :")
    for r in plan.promoted:
        out.print(
            f"  • {escape(r.display)} ({escape(r.key)}) : une place s'est libérée dans l'atelier « {escape(r.atelier)} "
            f"», {verb} inscrit·e"
        )
    for r in plan.overflowed:
        out.print(
            f"  • {escape(r.display)} ({escape(r.key)}) : ses choix étaient complets, {verb} placé·e dans l'atelier « "
            f"{escape(r.atelier)} » du même territoire"
        )
    if not dry_run:
        out.print(
            "  Pour les prévenir : [cyan]ateliers courrier preparer place-liberee[/cyan] (puis [cyan]ateliers courrier "
            "envoyer place-liberee[/cyan])."
        )


def _change(qui: str, atelier: str | None, dry_run: bool, statut: str) -> None:
    from ateliers_cli.inscriptions import STATUT_LABELS, Statut, apply_inscriptions, plan_change

    root = consultation_root()
    wanted = Statut(statut)
    if dry_run:
        change = plan_change(open_consultation().consultation, qui, wanted, atelier=atelier)
    else:
        with lock(root, f"inscriptions {'annuler' if wanted == Statut.ANNULE else 'absent'}"):
            change = plan_change(open_consultation().consultation, qui, wanted, atelier=atelier)
            apply_inscriptions(root, change.plan)
    for r in change.changed:
        out.print(
            f"[green]✓[/green] {escape(r.display)} ({escape(r.key)}), atelier « {escape(r.atelier)} » : "
            f"{STATUT_LABELS[wanted]}."
        )
    for w in change.plan.warnings:
        err.print(f"[yellow]![/yellow] {escape(w)}")
    _to_tell(change.plan, dry_run)
    if dry_run:
        out.print("[bold](simulation : rien n'a été écrit)[/bold]")
    elif wanted == Statut.ANNULE and not change.plan.promoted:
        out.print("Personne n'attendait : la place reste libre.")


def cancel_cmd(
    qui: Annotated[
        str,
        typer.Argument(
            help="L'adresse électronique, le téléphone, « NOM Prénom » ou la référence « fichier#clé » de "
            "prive/inscriptions.csv.",
            show_default=False,
        ),
    ],
    atelier: Annotated[
        str | None, typer.Option("--atelier", metavar="ID", help="Seulement l'inscription à cet atelier.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montre ce qui changerait, sans rien écrire.")] = False,
) -> None:
    """Annule une inscription : la place libérée va à la première personne en attente, listée « à prévenir ».

    Les comptes de ateliers/*.yaml, prive/inscriptions.csv (statut « annule », date), les feuilles d'émargement et
    prive/besoins.md sont mis à jour. Un import suivant garde l'annulation.

    Exemple : [cyan]ateliers inscriptions annuler jeanne@example.org[/cyan]
    """
    _change(qui, atelier, dry_run, "annule")


def absent_cmd(
    qui: Annotated[
        str,
        typer.Argument(
            help="L'adresse électronique, le téléphone, « NOM Prénom » ou la référence « fichier#clé ».",
            show_default=False,
        ),
    ],
    atelier: Annotated[
        str | None, typer.Option("--atelier", metavar="ID", help="Seulement l'inscription à cet atelier.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montre ce qui changerait, sans rien écrire.")] = False,
) -> None:
    """Note qu'une personne inscrite n'est pas venue (sa place reste comptée parmi les inscrits).

    Exemple : [cyan]ateliers inscriptions absent "DUPONT Jeanne" --atelier lille-1[/cyan]
    """
    _change(qui, atelier, dry_run, "absent")
