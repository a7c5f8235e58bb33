"""``advance``, ``render``, ``demo``: moving the consultation on and writing its documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.padding import Padding

from ateliers_cli.commands.common import consultation_root, handled, open_consultation, state
from ateliers_cli.console import out, print_changes, print_diagnostics
from ateliers_cli.fsutil import lock
from ateliers_cli.render.french import pluriel

if TYPE_CHECKING:
    from ateliers_cli.advance import Transition

# The document engine (Jinja2, Babel, office formats) is imported by the commands
# that need it, so that « check » and « status » start fast.


def register(app: typer.Typer) -> None:
    app.command("advance")(handled(advance_cmd))
    app.command("render")(handled(render_cmd))
    app.command("demo")(handled(demo_cmd))


def _print_transition(t: Transition, *, dry_run: bool) -> None:
    verb = "passerait" if dry_run else "passe"
    out.print(
        f"[bold]{escape(t.de.label)}[/bold] → [bold cyan]{escape(t.vers.label)}[/bold cyan] ({verb} le "
        f"{t.when:%d/%m/%Y à %H:%M}, par {escape(t.par)})"
    )
    plan = t.writes
    created, updated = set(plan.created), set(plan.updated)
    for d in t.documents:
        state_ = "nouveau" if d.path in created else ("mis à jour" if d.path in updated else "inchangé")
        out.print(
            f"  {'[dim](privé)[/dim] ' if not d.public else ''}{escape(d.path)}  [dim]{escape(d.title)} — "
            f"{state_}[/dim]"
        )
    for edited, aside in plan.kept_aside.items():
        out.print(f"  [yellow]version modifiée à la main de {escape(edited)} gardée dans {escape(aside)}[/yellow]")
    out.print(f"  consultation.yaml : étape « {t.vers.value} », passage inscrit dans l'historique")
    if t.commit:
        out.print(f"  git : un commit et l'étiquette « {t.tag} »")
    print_diagnostics(t.remarques)


def advance_cmd(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Montre tout ce qui serait fait, sans rien écrire.")
    ] = False,
    commit: Annotated[
        bool, typer.Option("--commit", help="Enregistre le passage dans git : un commit et une étiquette etape-N-nom.")
    ] = False,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Accepte des modifications non enregistrées dans git.")
    ] = False,
    par: Annotated[
        str | None, typer.Option("--par", help="Qui fait avancer la consultation (par défaut : git config user.name).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Remplace les documents modifiés à la main (la version modifiée est gardée à côté)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Passe à l'étape suivante : vérifie ses conditions, écrit ses documents, inscrit le passage.

    Tout ou rien : si une condition manque, rien n'est écrit et la liste de ce qui manque est donnée.

    Exemple : [cyan]ateliers advance --dry-run[/cyan] puis [cyan]ateliers advance --commit[/cyan]
    """
    from ateliers_cli.advance import apply, plan_advance

    root = consultation_root()
    if dry_run:
        from ateliers_cli.advance import GateClosed

        try:
            t = plan_advance(root, par=par, allow_dirty=allow_dirty, commit=commit, force=force, dry_run=True)
        except GateClosed as exc:
            if not as_json:
                raise
            refused = {
                "simulation": True,
                "pret": False,
                "message": exc.message,
                "refus": [d.to_dict() for d in exc.details],
            }
            out.print_json(json.dumps(refused, ensure_ascii=False))
            raise typer.Exit(1) from None
        if as_json:
            out.print_json(json.dumps(t.summary() | {"simulation": True, "pret": True}, ensure_ascii=False))
            return
        out.print("[yellow]Simulation[/yellow] (--dry-run) : rien n'est écrit.")
        _print_transition(t, dry_run=True)
        return
    with lock(root, "ateliers advance"):
        t = plan_advance(root, par=par, allow_dirty=allow_dirty, commit=commit, force=force)
        commit_id = apply(t)
    if as_json:
        out.print_json(json.dumps(t.summary() | {"commit_id": commit_id or None}, ensure_ascii=False))
        return
    _print_transition(t, dry_run=False)
    out.print(
        f"[green]✓[/green] La consultation est à l'étape « {escape(t.vers.label)} »."
        + (f" Commit {commit_id[:10]}." if commit_id else "")
    )


def render_cmd(
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Remplace les documents modifiés à la main (la version modifiée est gardée à côté)."
        ),
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montre ce qui changerait, sans rien écrire.")] = False,
    etape: Annotated[
        list[str] | None,
        typer.Option(
            "--etape",
            metavar="ÉTAPE",
            help="Réécrit les documents de cette étape passée (appel, lancement, ateliers, synthese, rapport, "
            "adoption, restitution, ou « toutes ») ; répétable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Écrit les documents manquants des étapes franchies ; ne réécrit ceux d'une étape passée que sur demande.

    Les documents d'une étape passée sont ce qui a été remis : un simple « render » ne les
    réécrit pas, il dit lesquels les données changeraient. « --etape appel » (répétable, ou
    « --etape toutes ») les réécrit. Un document modifié à la main n'est jamais écrasé sans --force.
    Rien n'est jamais supprimé sous prive/.

    Exemple : [cyan]ateliers render[/cyan], puis [cyan]ateliers render --etape appel[/cyan]
    """
    from ateliers_cli.render_all import apply_render, plan_render, stages_named
    from ateliers_cli.store import outputs

    stages = stages_named(etape or [])
    root = consultation_root()
    with lock(root, "ateliers render"):
        loaded = open_consultation()
        result = plan_render(loaded, force=force, stages=stages)
        if not dry_run:
            apply_render(root, result)
            outputs.record(root, "documents", root / "documents")
    plan = result.plan
    verb = "serait" if dry_run else "est"
    print_changes(plan.created, plan.updated, plan.removed)
    for edited, aside in plan.kept_aside.items():
        out.print(f"  [yellow]version modifiée à la main de {escape(edited)} gardée dans {escape(aside)}[/yellow]")
    if not plan.touched:
        out.print(
            f"[green]✓[/green] {pluriel(len(result.documents), 'document', 'documents')} ; aucun fichier modifié."
        )
    else:
        out.print(
            f"[green]✓[/green] {pluriel(len(result.documents), 'document', 'documents')} ; "
            f"{pluriel(len(plan.created), 'créé', 'créés')}, "
            f"{len(plan.updated)} mis à jour, {pluriel(len(plan.removed), 'retiré', 'retirés')} — rien n'{verb} écrit "
            "à moitié."
        )
    if result.kept:
        n = sum(len(v) for v in result.kept.values())
        out.print(
            f"[yellow]![/yellow] {pluriel(n, 'document', 'documents')} d'étapes passées "
            f"{'changerait' if n == 1 else 'changeraient'} avec les données actuelles ; "
            "gardés tels qu'ils ont été remis :"
        )
        for stage, paths in result.kept.items():
            out.print(f"  {escape(stage.label)} ({stage.value}) :")
            for path in paths:
                out.print(f"    {escape(path)}", soft_wrap=True)
        options = " ".join(f"--etape {s.value}" for s in result.kept)
        out.print(f"  → pour les réécrire : « ateliers render {options} »", soft_wrap=True)


def demo_cmd(
    dossier: Annotated[Path, typer.Argument(help="Dossier de travail à créer.")] = Path("demo-consultation"),
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON : chaque étape et ses documents.")] = False,
) -> None:
    """Copie l'exemple « Bien vieillir dans le Nord » et le fait passer par les sept étapes.

    Affiche ce que chaque étape a produit et où. Le dossier ne doit pas exister.

    Exemple : [cyan]ateliers demo[/cyan] puis [cyan]ateliers -C demo-consultation status[/cyan]
    """
    from ateliers_cli.demo import run_demo

    target = dossier if dossier.is_absolute() else (state.directory / dossier)
    if not as_json:
        out.print(f"Copie de l'exemple dans [bold]{escape(str(target))}[/bold], puis les sept étapes…")

    def step(t: Transition) -> None:
        if not state.quiet and not as_json:
            out.print(
                f"  [green]✓[/green] {t.de.number}. {escape(t.de.label)} : "
                f"{pluriel(len(t.documents), 'fichier', 'fichiers')}"
            )

    steps = run_demo(target, step)
    if as_json:
        out.print_json(json.dumps({"dossier": str(target), "etapes": [t.summary() for t in steps]}, ensure_ascii=False))
        return
    # A list, not a table: a path squeezed into a narrow column would be cut mid-word; here
    # each path starts its own line, and only the titles wrap (between words).
    out.print("[bold]Ce que chaque étape a produit[/bold] (chemins sans extension, puis les formats) :")
    for t in steps:
        out.print(f"[bold]{t.de.number}. {escape(t.de.label)}[/bold]")
        by_title: dict[str, dict[str, list[str]]] = {}
        for d in t.documents:
            stem, _, ext = d.path.rpartition(".")
            by_title.setdefault(d.title, {}).setdefault(stem, []).append(ext)
        for title, stems in by_title.items():
            names = list(stems)
            found = {e for exts in stems.values() for e in exts}
            formats = ", ".join(e for e in ("md", "html", "odt", "docx", "pdf") if e in found)
            more = f" [dim]… et {pluriel(len(names) - 1, 'autre', 'autres')}[/dim]" if len(names) > 1 else ""
            out.print(f"  {escape(names[0])}{more}", soft_wrap=True)
            out.print(Padding(f"{escape(title)} [dim]({formats})[/dim]", (0, 0, 0, 6)))
    out.print(
        "[green]✓[/green] La consultation de démonstration est clôturée. Ouvrez "
        f"[bold]{escape(str(target / 'documents'))}[/bold] pour lire les documents."
    )
