"""``init``, ``check``, ``status``, ``schema``: the commands a facilitator uses every day."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ateliers_cli.commands.common import consultation_root, handled, open_consultation, state
from ateliers_cli.console import out, print_check, print_diagnostics
from ateliers_cli.errors import Diagnostic

if TYPE_CHECKING:
    from ateliers_cli.check import Report

# The core is imported inside each command: « ateliers check » on an unchanged folder
# answers from the cache without loading the loader, the schema or the rules.


class OutputFormat(str, Enum):
    texte = "texte"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("init")(handled(init_cmd))
    app.command("check")(handled(check_cmd))
    app.command("status")(handled(status_cmd))
    app.command("schema")(handled(schema_cmd))
    app.command("aide")(handled(aide_cmd))


def init_cmd(
    dossier: Annotated[Path, typer.Argument(help="Dossier à créer.", show_default=False)],
    titre: Annotated[str, typer.Option(help="Titre de la consultation.")] = "Nouvelle consultation",
    collectivite: Annotated[str, typer.Option(help="Nom de la collectivité.")] = "Département du Nord",
    conseil: Annotated[str, typer.Option(help="Nom de l'assemblée délibérante.")] = "Conseil départemental du Nord",
    git: Annotated[bool, typer.Option("--git", help="Initialiser aussi un dépôt git.")] = False,
) -> None:
    """Crée une nouvelle consultation : tous les fichiers, avec des exemples commentés.

    Exemple : [cyan]ateliers init bien-vieillir --titre "Bien vieillir dans le Nord" --git[/cyan]
    """
    from ateliers_cli.scaffold import InitOptions, init

    files = init(dossier, InitOptions(titre=titre, collectivite=collectivite, conseil=conseil, git=git))
    out.print(f"[green]✓[/green] Consultation créée dans [bold]{escape(str(dossier))}[/bold] ({len(files)} fichiers).")
    if git:
        out.print("  Dépôt git initialisé, premier commit fait ; « prive/ » est exclu par .gitignore.")
    out.print(
        "  Ensuite : remplacez les exemples marqués « (à remplacer) » dans consultation.yaml et themes.yaml "
        "([cyan]ateliers check[/cyan] dit lesquels restent, [cyan]ateliers aide[/cyan] décrit chaque fichier), "
        "puis [cyan]ateliers status[/cyan] dit ce qui manque pour passer à l'étape suivante.",
        soft_wrap=False,
    )


def check_cmd(
    strict: Annotated[
        bool, typer.Option("--strict", help="Les avertissements font aussi échouer la vérification.")
    ] = False,
    format: Annotated[OutputFormat, typer.Option("--format", help="texte (par défaut) ou json.")] = OutputFormat.texte,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Relit tous les fichiers, sans le cache de .ateliers-cache/.")
    ] = False,
) -> None:
    """Vérifie tout le dossier : structure, liens, dates, données personnelles, étapes franchies.

    Chaque problème est donné sous la forme [bold]fichier:ligne: message[/bold], avec un conseil.
    Code de sortie : 0 si tout va bien, 1 s'il y a des problèmes, 2 en cas d'erreur d'usage.

    Exemple : [cyan]ateliers check --strict[/cyan]
    """
    report, what = _checked(not no_cache)
    raise typer.Exit(print_check(report, what, strict=strict, as_json=format is OutputFormat.json))


def _checked(use_cache: bool) -> tuple[Report, str]:
    """The report, and a one-line description of what was checked; from the cache when unchanged."""
    from ateliers_cli.check import report_of

    return report_of(consultation_root(), use_cache=use_cache, quiet=state.quiet)


def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Où en est la consultation : les sept étapes, les chiffres, ce qui bloque l'étape suivante.

    Exemple : [cyan]ateliers status[/cyan]
    """
    from ateliers_cli.check import check
    from ateliers_cli.status import status as compute_status

    loaded = open_consultation()
    c = loaded.consultation
    data = compute_status(c, check(loaded).diagnostics)  # the same rules as check and advance
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False, default=str))
        return
    out.print(f"[bold]{escape(c.titre)}[/bold] — {escape(c.collectivite.nom)}")
    for s in data["etapes"]:
        mark = {"franchie": "[green]✓[/green]", "en_cours": "[bold cyan]▶[/bold cyan]", "a_venir": "[dim]·[/dim]"}[
            s["etat"]
        ]
        label = f"[bold cyan]{s['libelle']}[/bold cyan]  ← étape en cours" if s["etat"] == "en_cours" else s["libelle"]
        out.print(f" {mark} {s['numero']}. {label}")
    if c.etape.value == "cloturee":
        out.print(" [green]✓[/green] La consultation est clôturée.")
    fig = data["chiffres"]
    table = Table(title="Chiffres", show_header=False, title_justify="left")
    table.add_column("", style="bold")
    table.add_column("")
    ct = fig["contributions"]
    table.add_row("Contributions", f"{ct['total']} (dont {ct['publiables']} publiables)")
    for label, key in (
        ("  par statut", "par_statut"),
        ("  par profil", "par_profil"),
        ("  par territoire", "par_territoire"),
        ("  par thème", "par_theme"),
    ):
        if ct[key]:
            table.add_row(label, ", ".join(f"{escape(str(k))} {v}" for k, v in ct[key].items()))
    a = fig["ateliers"]
    table.add_row("Thèmes", str(fig["themes"]))
    table.add_row(
        "Ateliers", f"{a['total']} : {_n(a['prevus'], 'prévu')}, {_n(a['tenus'], 'tenu')}, {_n(a['annules'], 'annulé')}"
    )
    table.add_row("Inscriptions", f"{a['inscrits']} inscrits, {a['liste_attente']} en liste d'attente")
    table.add_row("Propositions", str(fig["propositions"]))
    table.add_row("Regroupements", str(fig["regroupements"]))
    table.add_row("Orientations", str(fig["orientations"]))
    if fig["decisions"]:
        table.add_row("Décisions", ", ".join(f"{k} {v}" for k, v in fig["decisions"].items()))
    table.add_row("Restitutions", f"{_n(fig['restitutions']['tenues'], 'tenue')} sur {fig['restitutions']['total']}")
    out.print(table)
    if data["prochaine_etape"] is None:
        return
    blocking = [Diagnostic(b["fichier"], b["ligne"], b["message"], b["conseil"]) for b in data["bloquants"]]
    if blocking:
        out.print(f"[bold]Ce qui bloque le passage à l'étape suivante[/bold] ({len(blocking)}) :")
        print_diagnostics(blocking, out)
    else:
        out.print("[green]✓[/green] Tout est prêt : [cyan]ateliers advance[/cyan] peut passer à l'étape suivante.")


def _n(count: int, word: str) -> str:
    """« 1 annulé », « 2 annulés », « 0 prévu » (in French, 0 and 1 take the singular)."""
    return f"{count} {word}{'s' if count > 1 else ''}"


def schema_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Dossier où écrire les schémas.")] = Path("schemas"),
) -> None:
    """Écrit les schémas JSON de chaque sorte de fichier, pour qu'un éditeur valide et complète le YAML.

    Exemple : [cyan]ateliers schema --out schemas[/cyan]
    """
    from ateliers_cli.scaffold import write_schemas

    written = write_schemas(out_dir)
    for p in written:
        out.print(f"  {escape(str(p))}")
    out.print(f"[green]✓[/green] {len(written)} schémas écrits dans {escape(str(out_dir))}.")


def aide_cmd(
    sujet: Annotated[
        str | None,
        typer.Argument(
            help="Une sorte de fichier (atelier, restitution…) ou un nom de fichier ; rien : la liste.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """La référence du format : chaque clé de chaque sorte de fichier, son type, ses règles.

    Tirée des mêmes déclarations que la vérification : elle dit exactement ce que « check » accepte.

    Exemple : [cyan]ateliers aide atelier[/cyan] ou [cyan]ateliers aide restitutions/lille.yaml[/cyan]
    """
    from ateliers_cli.reference import reference, resolve, topics

    if sujet is None:
        out.print("[bold]Les fichiers d'une consultation[/bold] — [cyan]ateliers aide SUJET[/cyan] décrit chacun :")
        for kind, pattern, doc in topics():
            out.print(f"  [cyan]{kind:<13}[/cyan] {escape(pattern):<24} {escape(doc)}", soft_wrap=True)
        return
    out.print(escape(reference(resolve(sujet))), soft_wrap=True)
