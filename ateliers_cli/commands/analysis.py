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


def register_doublons(group: typer.Typer) -> None:
    """Add ``doublons`` to the ``contributions`` group (owned by commands/contributions.py)."""
    group.command("doublons")(handled(doublons_cmd))


def _num(x: float) -> str:
    """« 0,82 »: a score the French way."""
    return f"{x:.2f}".replace(".", ",")


def _load() -> LoadResult:
    loaded = open_consultation()
    n_errors = sum(1 for d in loaded.diagnostics if d.is_error)
    if n_errors and not state.quiet:
        err.print(
            f"[yellow]![/yellow] {n_errors} problème(s) dans le dossier : les fichiers illisibles sont laissés de côté ; "
            "lancez [cyan]ateliers check[/cyan].",
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


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n < 2 else (plural or word + 's')}"


# --- themes suggest ---------------------------------------------------------------------


def suggest_cmd(
    nombre: Annotated[int | None, typer.Option("--nombre", "-k", metavar="K", help="Nombre de thèmes voulus (par défaut : choisi entre 3 et 12 d'après les textes).", show_default=False)] = None,
    out_file: Annotated[Path | None, typer.Option("--out", metavar="FICHIER", help=f"Où écrire le projet de thèmes (par défaut : {DEFAULT_DRAFT} dans la consultation). Jamais themes.yaml.", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier s'il existe déjà.")] = False,
    graine: Annotated[int, typer.Option("--graine", help="Graine du tirage (le même résultat à chaque fois ; en changer donne un autre découpage).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts (le projet est écrit quand même).")] = False,
) -> None:
    """Propose des thèmes à partir des textes des contributions, et en écrit un projet de themes.yaml.

    Les textes sont ramenés à leurs mots significatifs (minuscules, sans accents, sans mots vides, racines françaises), pondérés (TF-IDF) et regroupés (k-moyennes, déterministe : les mêmes textes donnent les mêmes thèmes). Pour chaque thème candidat : ses mots-clés et ses trois contributions les plus représentatives. Les doublons et les hors-sujet sont laissés de côté.

    Le projet est écrit à côté de themes.yaml, jamais dedans : relisez-le, renommez, fusionnez, puis reportez dans themes.yaml ce que vous gardez.

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
        reps = "\n".join(f"[bold]{cid}[/bold] « {escape(plan.excerpts.get(cid, ''))} »" for cid in cand.representative_ids)
        table.add_row(escape(cand.id), escape(cand.titre), str(cand.size), escape(", ".join(cand.mots_cles)), reps)
    out.print(table)
    left = f" ({_plural(plan.n_left_out, 'contribution')} laissée{'s' if plan.n_left_out > 1 else ''} de côté : doublons, hors sujet ou sans texte)" if plan.n_left_out else ""
    out.print(f"{_plural(len(plan.candidates), 'thème candidat', 'thèmes candidats')} tirés de {_plural(plan.n_texts, 'contribution')}{left}.", soft_wrap=True)
    verb = "remplacé" if plan.overwrite else "écrit"
    out.print(f"[green]✓[/green] Projet {verb} : [bold]{escape(shown)}[/bold] — à relire : titres, descriptions, nature, commissions ; themes.yaml n'est pas modifié.", soft_wrap=True)
    out.print("  Ensuite : reportez les thèmes retenus dans themes.yaml, puis [cyan]ateliers themes tag[/cyan].", soft_wrap=True)


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
    "Le score mêle les mots-clés du thème trouvés dans le texte (60 % : 1 mot-clé vaut 0,5, 2 valent 0,75, 3 valent 0,875) "
    "et la ressemblance du texte avec le titre, la description et la question du thème (40 %). "
    "À 0,5, il faut en pratique deux mots-clés, ou un mot-clé et un vocabulaire proche ; un thème sans mots_cles "
    "ne dépasse pas 0,4. Plus haut, moins d'erreurs mais plus de contributions à classer à la main."
)


def tag_cmd(
    seuil: Annotated[str, typer.Option("--seuil", metavar="SCORE", help=_SEUIL_HELP)] = "0,5",
    apply: Annotated[bool, typer.Option("--apply", help="Écrire les thèmes au-dessus du seuil (statut « analysee ») ; tout ou rien.")] = False,
    toutes: Annotated[bool, typer.Option("--toutes", help="Montrer aussi les suggestions pour les contributions déjà traitées (jamais modifiées).")] = False,
    max_themes: Annotated[int, typer.Option("--max", metavar="N", help="Au plus N thèmes par contribution.")] = 3,
    lignes: Annotated[int, typer.Option("--lignes", metavar="N", help="Lignes du tableau affichées (0 : toutes) ; --json donne tout.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Suggère des thèmes pour chaque contribution pas encore analysée (statut « nouvelle »).

    Pour chaque contribution : les thèmes les mieux notés, avec leur score et les mots du texte qui les justifient (les mots_cles de themes.yaml, retrouvés au pluriel, au féminin ou sans accents). Rien n'est écrit sans [bold]--apply[/bold] ; avec, les thèmes au-dessus du seuil sont écrits (« themes: […] », « statut: analysee ») et le reste des fichiers n'est pas touché. Ce qui reste à classer à la main est listé à la fin.

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
            f"Aucune contribution à analyser : les {plan.n_contributions} ont déjà un statut (analysee, hors_sujet ou doublon).",
            soft_wrap=True,
        )
        out.print("  [cyan]ateliers themes tag --toutes[/cyan] montre tout de même les suggestions.", soft_wrap=True)
        return
    shown = plan.rows if lignes == 0 else plan.rows[:lignes]
    table = Table(header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("thèmes suggérés (score)")
    table.add_column("mots trouvés")
    table.add_column("suite")
    for row in shown:
        themes = "\n".join(
            (f"{escape(s.theme_id)} {_num(s.score)}" if s.score >= plan.threshold else f"[dim]{escape(s.theme_id)} {_num(s.score)}[/dim]")
            for s in row.suggestions
        )
        words = "\n".join(escape(", ".join(s.matched or s.shared_words[:3])) or "—" for s in row.suggestions)
        if row.state == "a_ecrire":
            suite = f"[green]{'→' if not applied else '✓'} {escape(', '.join(row.chosen))}[/green]"
        elif row.state == "rapport":
            suite = f"[dim]{escape(row.statut)}{' : ' + escape(', '.join(row.current)) if row.current else ''}[/dim]"
        else:
            suite = f"[yellow]{_STATE_LABEL[row.state]}[/yellow]"
        table.add_row(row.id, themes or "—", words or "—", suite)
    out.print(table)
    if len(shown) < len(plan.rows):
        out.print(f"[dim]… et {len(plan.rows) - len(shown)} autres lignes (--lignes 0 pour tout afficher, --json pour les scripts).[/dim]")
    n_write = plan.count("a_ecrire")
    n_new = len(plan.rows) - plan.count("rapport")
    seuil = f"{plan.threshold:g}".replace(".", ",")
    if not n_new:
        out.print("Aucune contribution « nouvelle » : ces suggestions sont pour information, rien n'est écrit.", soft_wrap=True)
        return
    if applied:
        out.print(f"[green]✓[/green] {_plural(n_write, 'contribution classée', 'contributions classées')} (statut analysee) sur {n_new} nouvelle{'s' if n_new > 1 else ''}, au seuil {seuil}.", soft_wrap=True)
    else:
        out.print(f"{_plural(n_write, 'contribution', 'contributions')} sur {n_new} nouvelle{'s' if n_new > 1 else ''} {'serait classée' if n_write < 2 else 'seraient classées'} au seuil {seuil} : relancez avec [cyan]--apply[/cyan] pour l'écrire.", soft_wrap=True)
    by_hand = plan.by_hand
    if by_hand:
        parts = [
            f"{plan.count('sous_le_seuil')} sous le seuil",
            f"{plan.count('aucun_theme')} sans thème suggéré",
            f"{plan.count('sans_texte')} sans texte",
        ]
        detail = ", ".join(p for p in parts if not p.startswith("0 "))
        out.print(f"[yellow]À classer à la main : {len(by_hand)}[/yellow] ({detail}) : {escape(ids_preview([r.id for r in by_hand], 20))}", soft_wrap=True)
        out.print("  [cyan]ateliers contributions list --statut nouvelle[/cyan] les montre ; un seuil plus bas en classe davantage, avec plus d'erreurs.", soft_wrap=True)
    elif n_new:
        out.print("Rien ne reste à classer à la main." if applied else "Rien ne resterait à classer à la main.")


# --- contributions doublons -------------------------------------------------------------

_RESEND_NOTE = (
    "Un renvoi, c'est la même personne (même courriel ou téléphone dans prive/, à défaut même nom et même territoire) qui réécrit autrement ce qu'elle avait envoyé "
    "(« je renvoie mon message au cas où ») : la plupart des mots significatifs de l'un se retrouvent dans l'autre. "
    "Relisez les deux textes, puis marquez-les avec --apply-renvois, ou à la main (statut: doublon, doublon_de)."
)
_CAMPAIGN_NOTE = (
    "Une campagne, c'est le même texte envoyé par plusieurs personnes différentes (une pétition, un appel relayé) : "
    "c'est une participation légitime, chacune compte. Ses membres sont signalés ici, pas marqués doublons "
    "(sauf avec --apply-campagnes). Un doublon, c'est une même personne qui renvoie son texte, ou deux textes quasi identiques."
)


def doublons_cmd(
    seuil: Annotated[str, typer.Option("--seuil", metavar="SIMILARITE", help="Part de suites de trois mots communes à partir de laquelle deux textes sont des copies (entre 0 exclu et 1 ; 1 : identiques aux accents, majuscules et ponctuation près).")] = "0,8",
    apply: Annotated[bool, typer.Option("--apply", help="Marquer « statut: doublon » et « doublon_de: <original> » les membres des groupes « doublon » ; tout ou rien.")] = False,
    apply_campagnes: Annotated[bool, typer.Option("--apply-campagnes", help="Marquer aussi les membres des campagnes (implique --apply).")] = False,
    apply_renvois: Annotated[bool, typer.Option("--apply-renvois", help="Marquer aussi les renvois reformulés (même personne, mêmes mots ; implique --apply).")] = False,
    lignes: Annotated[int, typer.Option("--lignes", metavar="N", help="Groupes affichés (0 : tous) ; --json donne tout.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Trouve les quasi-doublons et les campagnes de copier-coller parmi les contributions.

    Les textes sont comparés par leurs suites de trois mots (sans accents ni ponctuation). Un groupe est un [bold]doublon[/bold] quand il compte deux textes, ou que tous viennent du même auteur ; une [bold]campagne[/bold] quand le même texte vient d'au moins trois personnes différentes ; un [bold]renvoi[/bold] quand la même personne (même courriel, téléphone, ou nom et commune dans prive/ ; à défaut même nom public et même territoire) a réécrit autrement ce qu'elle avait envoyé (la plupart de ses mots significatifs s'y retrouvent). L'original est le plus ancien. Avec [bold]--apply[/bold], les autres membres des doublons sont marqués « statut: doublon », « doublon_de: <original> » ; l'original n'est jamais marqué, une contribution déjà marquée doublon n'est pas touchée, les campagnes et les renvois sont seulement signalés (--apply-campagnes, --apply-renvois pour les marquer aussi).

    Exemple : [cyan]ateliers contributions doublons --seuil 0,7[/cyan] puis [cyan]ateliers contributions doublons --apply[/cyan]
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
                plan = plan_doublons(c, threshold=threshold, campaigns=apply_campagnes, resends=apply_renvois, progress=cb)
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
                parts.append(f"[green]{len(g.marks)} {verb}{'s' if len(g.marks) > 1 else ''}[/green] doublon_de {escape(next(iter(g.marks.values())))}")
            if g.skipped:
                reasons = sorted(set(g.skipped.values()))
                parts.append(f"[dim]{len(g.skipped)} laissée{'s' if len(g.skipped) > 1 else ''} : {escape('; '.join(reasons[:2]))}[/dim]")
            suite = "\n".join(parts) or "—"
        table.add_row(g.group.kind, g.group.original, escape(_members(g)), _num(g.group.similarity), suite)
    out.print(table)
    if len(shown) < len(plan.groups):
        out.print(f"[dim]… et {len(plan.groups) - len(shown)} autres groupes (--lignes 0 pour tout afficher, --json pour les scripts).[/dim]")
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
        out.print(f"[green]✓[/green] {_plural(n_marks, 'contribution marquée', 'contributions marquées')} doublon (statut doublon, doublon_de l'original).", soft_wrap=True)
    elif n_marks:
        out.print(f"{_plural(n_marks, 'contribution')} {'serait marquée' if n_marks < 2 else 'seraient marquées'} doublon : relancez avec [cyan]--apply[/cyan] pour l'écrire.", soft_wrap=True)
    else:
        out.print("Rien à marquer.")
