"""``atelier tenu``, ``atelier annule``, ``deliberation avis``, ``deliberation vote``: the frequent edits."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ateliers_cli.commands.common import consultation_root, handled, open_consultation
from ateliers_cli.console import out
from ateliers_cli.errors import UsageError
from ateliers_cli.fsutil import lock

atelier_app = typer.Typer(
    name="atelier",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Inscrire qu'un atelier s'est tenu (et combien étaient présents), ou qu'il est annulé.\n\n"
    "Exemple : [cyan]ateliers atelier tenu lille-1 --participants 33[/cyan]",
)
deliberation_app = typer.Typer(
    name="deliberation",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Inscrire l'avis d'une commission et le vote de l'assemblée dans deliberation.yaml.\n\n"
    "Exemple : [cyan]ateliers deliberation avis solidarites --avis favorable --date 2026-06-15[/cyan]",
)


def register(app: typer.Typer) -> None:
    app.add_typer(atelier_app, name="atelier")
    atelier_app.command("tenu")(handled(tenu_cmd))
    atelier_app.command("annule")(handled(annule_cmd))
    app.add_typer(deliberation_app, name="deliberation")
    deliberation_app.command("avis")(handled(avis_cmd))
    deliberation_app.command("vote")(handled(vote_cmd))


def _write(edit_of: object) -> None:
    """Plan under the lock, write atomically, say what changed and what to run next."""
    from ateliers_cli.fsutil import write_all

    root = consultation_root()
    with lock(root, "modification"):
        c = open_consultation().consultation
        edit = edit_of(c)  # type: ignore[operator]
        write_all(root, {edit.rel: edit.text})
    out.print(
        f"[green]✓[/green] {escape(edit.rel)} : {escape(edit.summary)}. Ensuite : [cyan]ateliers status[/cyan].",
        soft_wrap=True,
    )


def tenu_cmd(
    identifiant: Annotated[
        str, typer.Argument(help="L'atelier (nom de son fichier dans ateliers/).", show_default=False)
    ],
    participants: Annotated[
        int, typer.Option("--participants", help="Personnes présentes (feuille d'émargement).", show_default=False)
    ],
    animation: Annotated[str | None, typer.Option("--animation", help="Qui a animé.", show_default=False)] = None,
) -> None:
    """Inscrit qu'un atelier s'est tenu : « statut: tenu » et le nombre de participants, dans ateliers/ID.yaml.

    Le reste du fichier (commentaires, ordre des clés, productions) ne change pas.

    Exemple : [cyan]ateliers atelier tenu lille-1 --participants 33[/cyan]
    """
    from ateliers_cli.edits import atelier_tenu

    _write(lambda c: atelier_tenu(c, identifiant, participants, animation))


def annule_cmd(
    identifiant: Annotated[
        str, typer.Argument(help="L'atelier (nom de son fichier dans ateliers/).", show_default=False)
    ],
    motif: Annotated[str, typer.Option("--motif", help="Pourquoi il est annulé.", show_default=False)],
) -> None:
    """Inscrit qu'un atelier est annulé, avec son motif.

    Exemple : [cyan]ateliers atelier annule cambrai-2 --motif "Salle indisponible"[/cyan]
    """
    from ateliers_cli.edits import atelier_annule

    _write(lambda c: atelier_annule(c, identifiant, motif))


def _date(value: str, option: str) -> object:
    from ateliers_cli.importers.dates import DATE_FORMATS_HINT, parse_date

    parsed = parse_date(value)
    if parsed is None:
        raise UsageError(f"{option} : « {value} » n'est pas une date", hint=DATE_FORMATS_HINT)
    return parsed


def avis_cmd(
    commission: Annotated[
        str, typer.Argument(help="La commission (son identifiant dans consultation.yaml).", show_default=False)
    ],
    avis: Annotated[
        str, typer.Option("--avis", help="favorable, favorable_avec_reserves ou defavorable.", show_default=False)
    ],
    date: Annotated[
        str,
        typer.Option(
            "--date", help="Date de la réunion de la commission (2026-06-15 ou 15/06/2026).", show_default=False
        ),
    ],
    observations: Annotated[
        str | None, typer.Option("--observations", help="Ses observations.", show_default=False)
    ] = None,
) -> None:
    """Inscrit l'avis d'une commission dans deliberation.yaml (le remplace s'il y était ; ses amendements restent).

    Exemple : [cyan]ateliers deliberation avis solidarites --avis favorable --date 15/06/2026[/cyan]
    """
    from ateliers_cli.edits import avis as record

    day = _date(date, "--date")
    _write(lambda c: record(c, commission, avis, day, observations))  # type: ignore[arg-type]


def vote_cmd(
    effectif: Annotated[int, typer.Option("--effectif", help="Membres en exercice.", show_default=False, min=0)],
    presents: Annotated[int, typer.Option("--presents", help="Membres présents.", show_default=False, min=0)],
    pour: Annotated[int, typer.Option("--pour", help="Voix pour.", show_default=False, min=0)],
    contre: Annotated[int, typer.Option("--contre", help="Voix contre.", min=0)] = 0,
    abstention: Annotated[int, typer.Option("--abstention", help="Abstentions.", min=0)] = 0,
    representes: Annotated[int, typer.Option("--representes", help="Membres représentés (pouvoirs).", min=0)] = 0,
    votants: Annotated[
        int | None,
        typer.Option("--votants", help="Votants (par défaut : pour + contre + abstention).", show_default=False, min=0),
    ] = None,
) -> None:
    """Inscrit le vote de l'assemblée dans deliberation.yaml.

    [cyan]ateliers check[/cyan] vérifie ensuite le quorum et la cohérence des chiffres.

    Exemple : [cyan]ateliers deliberation vote --effectif 82 --presents 70 --representes 8 --pour 70 --contre 2
    --abstention 6[/cyan]
    """
    from ateliers_cli.edits import vote as record

    counts = {
        "effectif": effectif,
        "presents": presents,
        "representes": representes,
        "pour": pour,
        "contre": contre,
        "abstention": abstention,
    }
    if votants is not None:
        counts["votants"] = votants
    _write(lambda c: record(c, counts))
