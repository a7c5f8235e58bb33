"""``trace``, ``export``, ``erase``: what became of what citizens said, open data, the right to erasure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.tree import Tree

from ateliers_cli.commands.common import DryRunOption, consultation_root, handled, open_consultation, state
from ateliers_cli.console import err, out, print_changes, print_diagnostics
from ateliers_cli.fsutil import lock
from ateliers_cli.render.french import pluriel as _pluriel

# The core of each command is imported inside it, so that other commands start fast.


def register(app: typer.Typer) -> None:
    app.command("trace")(handled(trace_cmd))
    app.command("export")(handled(export_cmd))
    app.command("erase")(handled(erase_cmd))


# --- trace ----------------------------------------------------------------------------------


def _short(text: str, width: int = 110) -> str:
    """One line of a Markdown text, shortened, escaped for Rich."""
    line = " ".join((text or "").split())
    if len(line) > width:
        line = line[: width - 1].rstrip() + "…"
    return escape(line)


def _fr_date(iso: str | None) -> str:
    if not iso:
        return ""
    day = iso[:10].split("-")
    text = f"{day[2]}/{day[1]}/{day[0]}" if len(day) == 3 else iso
    if len(iso) > 10:
        text += f" à {iso[11:13]} h {iso[14:16]}"
    return text


_STATUTS = {"analysee": "analysée", "nouvelle": "nouvelle", "hors_sujet": "hors sujet", "doublon": "doublon"}
_DECISION_STYLE = {"adoptee": "green", "amendee": "green", "non_retenue": "red"}


def _none(tree: Tree, text: str) -> None:
    tree.add(f"[dim]{escape(text)}[/dim]")


def _orientation_node(parent: Tree, o: dict[str, Any], *, label: str = "Orientation") -> Tree:
    node = parent.add(f"[bold]{label} {escape(o['id'])}[/bold] — {escape(o['titre'])}")
    style = _DECISION_STYLE.get(o.get("decision") or "", "yellow")
    decision = f"[{style}]{escape(o['decision_libelle'])}[/{style}]"
    if o.get("motif"):
        decision += f" — {_short(o['motif'])}"
    dec_node = node.add(f"Décision de l'assemblée : {decision}")
    if o.get("texte_amende"):
        dec_node.add(f"[dim]texte adopté :[/dim] {_short(o['texte_amende'])}")
    for am in o.get("amendements", []):
        node.add(f"Amendement de la commission {escape(am['commission'])} : {_short(am['texte'])}")
    for r in o.get("retours", []):
        node.add(f"Restitution {escape(r['restitution'])} : {_short(r['texte'])}")
    return node


def _proposition_node(parent: Tree, p: dict[str, Any]) -> None:
    node = parent.add(
        f"[bold]{escape(p['id'])}[/bold] — {escape(p['titre'])} [dim](atelier {escape(p['atelier'])}, thème "
        f"{escape(p['theme'])})[/dim]"
    )
    _proposition_chain(node, p)


def _proposition_chain(node: Tree, p: dict[str, Any]) -> None:
    """Below a proposition: set aside, or its regroupement and what became of it."""
    if p.get("ecartee"):
        node.add(f"[yellow]Écartée au forum de synthèse[/yellow] : {_short(p['ecartee'])}")
        return
    g = p.get("regroupement")
    if g is None:
        _none(node, "pas encore regroupée au forum de synthèse")
        return
    gnode = node.add(f"Regroupement [bold]{escape(g['id'])}[/bold] — {escape(g['titre'])}")
    if p.get("regroupement_ecarte"):
        gnode.add(f"[yellow]Regroupement non repris dans le rapport[/yellow] : {_short(p['regroupement_ecarte'])}")
    elif not p.get("orientations"):
        _none(gnode, "pas encore d'orientation")
    for o in p.get("orientations", []):
        _orientation_node(gnode, o)


def _contribution_tree(d: dict[str, Any]) -> Tree:
    title = f"[bold]Contribution {escape(d['id'])}[/bold]"
    if d.get("titre"):
        title += f" — « {escape(d['titre'])} »"
    facts = [
        d.get("auteur") or "",
        d.get("profil") or "",
        d.get("territoire") or "",
        _fr_date(d.get("date")),
        _STATUTS.get(d["statut"], d["statut"]),
    ]
    title += f"\n[dim]{escape(' · '.join(f for f in facts if f))}[/dim]\n{escape(d['resume'])}"
    tree = Tree(title)
    if d.get("efface"):
        tree.add(f"[dim]identité effacée le {_fr_date(d['efface'])}[/dim]")
    if d.get("original"):
        orig = tree.add(f"Doublon de {escape(d['original']['id'])}, suivie à sa place :")
        orig.add(_contribution_tree(d["original"]))
        return tree
    themes = tree.add("Thèmes")
    for t in d["themes"]:
        themes.add(f"{escape(t['id'])} — {escape(t['titre'])}")
    if not d["themes"]:
        _none(themes, "aucun thème")
    ateliers = tree.add("Ateliers qui ont travaillé ses thèmes")
    for a in d["ateliers"]:
        ateliers.add(f"{escape(a['id'])} — {escape(a['titre'])} [dim]({escape(a['statut'])})[/dim]")
    if not d["ateliers"]:
        _none(ateliers, "aucun atelier")
    props = tree.add("Propositions qui la citent")
    for p in d["propositions"]:
        _proposition_node(props, p)
    if not d["propositions"]:
        _none(props, "aucune proposition ne la cite")
    others = d["orientations_liees_par_theme"]
    if others:
        by_theme = tree.add("Orientations liées par le thème seulement (aucune proposition qui la cite n'y mène)")
        for o in others:
            _orientation_node(by_theme, o)
    restitutions = tree.add("Restitutions dans son territoire")
    for r in d["restitutions"]:
        when = f", le {_fr_date(r['date'])}" if r.get("date") else ""
        restitutions.add(
            f"{escape(r['id'])} — {escape(r['lieu'] or '')}{escape(when)} [dim]({escape(r['statut'])})[/dim]"
        )
    if not d["restitutions"]:
        _none(restitutions, "aucune restitution prévue")
    return tree


def _proposition_tree(d: dict[str, Any]) -> Tree:
    tree = Tree(
        f"[bold]Proposition {escape(d['id'])}[/bold] — {escape(d['titre'])}\n[dim]atelier {escape(d['atelier'])} · "
        f"thème {escape(d['theme'])} · {_pluriel(d.get('soutiens', 0), 'soutien', 'soutiens')}[/dim]"
    )
    sources = tree.add("Contributions dont elle s'inspire")
    for ct in d["contributions"]:
        sources.add(f"{escape(ct['id'])}" + (f" — {escape(ct['auteur'])}" if ct.get("auteur") else ""))
    if not d["contributions"]:
        _none(sources, "aucune contribution citée")
    _proposition_chain(tree, d)
    return tree


def _regroupement_tree(d: dict[str, Any]) -> Tree:
    tree = Tree(f"[bold]Regroupement {escape(d['id'])}[/bold] — {escape(d['titre'])}")
    props = tree.add("Propositions regroupées")
    for p in d["propositions"]:
        props.add(f"{escape(p['id'])} — {escape(p['titre'])} [dim](atelier {escape(p['atelier'])})[/dim]")
    contribs = tree.add(f"Contributions à la source : {len(d['contributions'])}")
    if d["contributions"]:
        contribs.add(escape(", ".join(d["contributions"])))
    if d.get("ecarte"):
        tree.add(f"[yellow]Non repris dans le rapport[/yellow] : {_short(d['ecarte'])}")
    for o in d["orientations"]:
        _orientation_node(tree, o)
    if not d["orientations"] and not d.get("ecarte"):
        _none(tree, "pas encore d'orientation")
    return tree


def _orientation_tree(d: dict[str, Any]) -> Tree:
    tree = Tree(
        f"[bold]Orientation {escape(d['id'])}[/bold] — {escape(d['titre'])}\n[dim]commissions : "
        f"{escape(', '.join(d['commissions']) or 'aucune')}[/dim]"
    )
    sources = tree.add("Sources")
    for g in d["regroupements"]:
        sources.add(f"Regroupement {escape(g['id'])} — {escape(g['titre'])}")
    for p in d["propositions"]:
        sources.add(f"Proposition {escape(p['id'])} — {escape(p['titre'])} [dim](atelier {escape(p['atelier'])})[/dim]")
    sources.add(
        _pluriel(len(d["contributions"]), "contribution citée", "contributions citées")
        + (f" : {escape(', '.join(d['contributions']))}" if d["contributions"] else "")
    )
    _orientation_node(tree, d, label="Devenir de l'orientation")
    return tree


_TREES = {
    "contribution": _contribution_tree,
    "proposition": _proposition_tree,
    "regroupement": _regroupement_tree,
    "orientation": _orientation_tree,
}


def trace_cmd(
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Identifiant d'une contribution (C-…), d'une proposition (P-…), d'un regroupement (G-…) ou d'une "
            "orientation (O-…).",
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Montre la chaîne de traçabilité : contribution → thèmes → ateliers → propositions →
    regroupements → orientations → décision de l'assemblée → restitutions.

    Exemple : [cyan]ateliers trace C-0001[/cyan]
    """
    from ateliers_cli.trace import trace

    data = trace(open_consultation().consultation, ident)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out.print(_TREES[data["type"]](data))


# --- export ---------------------------------------------------------------------------------


def export_cmd(
    dossier: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Dossier où écrire les fichiers (par défaut : export/ dans la consultation).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Écrit les données ouvertes : CSV et JSON de tout ce qui est public, un README des colonnes
    (Licence Ouverte 2.0), et la délibération au format SCDL « Délibérations ».

    Les textes des contributions n'y figurent qu'avec le consentement de leur auteur, jamais après
    un effacement. Rien n'est écrit si la ligne SCDL ne respecte pas le schéma national.

    Exemple : [cyan]ateliers export --out donnees-ouvertes[/cyan]
    """
    from ateliers_cli.export import apply_export, plan_export
    from ateliers_cli.store import outputs

    root = consultation_root()
    # like git -C, a relative --out is taken from the -C folder
    target = (
        root / "export"
        if dossier is None
        else (dossier if dossier.is_absolute() else (state.directory / dossier).absolute())
    )
    with lock(root, "ateliers export"):
        loaded = open_consultation()
        plan = plan_export(loaded.consultation, target, loaded.diagnostics)
        if not dry_run:
            apply_export(plan)
            outputs.record(root, "export", target)
    errors = sum(d.is_error for d in loaded.diagnostics)
    if errors:
        plan.notes.append(
            f"la consultation a {_pluriel(errors, 'erreur', 'erreurs')} de lecture : les valeurs en cause manquent à "
            "l'export ; voyez « ateliers check »"
        )
    if dry_run:
        out.print("[yellow]Simulation[/yellow] (--dry-run) : rien n'est écrit.")
    print_changes(plan.created, plan.updated, plan.removed)
    for note in plan.notes:
        out.print(f"  [dim]{escape(note)}[/dim]")
    if not (plan.created or plan.updated or plan.removed):
        out.print(f"[green]✓[/green] Données ouvertes à jour dans {escape(str(target))} : aucun fichier modifié.")
    else:
        tail = "simulation : rien n'est écrit" if dry_run else "rien n'est écrit à moitié"
        out.print(
            f"[green]✓[/green] {plan.rows} lignes dans {len(plan.files)} fichiers ; "
            f"{_pluriel(len(plan.created), 'créé', 'créés')}, "
            f"{len(plan.updated)} mis à jour, {_pluriel(len(plan.removed), 'retiré', 'retirés')} — {tail}. Dossier : "
            f"{escape(str(target))}"
        )


# --- erase ----------------------------------------------------------------------------------


def erase_cmd(
    ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="ID…", help="Identifiants des contributions (C-…).", show_default=False),
    ] = None,
    auteur: Annotated[
        str | None,
        typer.Option(
            "--auteur",
            help="Efface la personne : toutes ses contributions et inscriptions (nom public, prénom et nom, ou "
            "courriel du registre privé).",
            show_default=False,
        ),
    ] = None,
    personne: Annotated[
        str | None,
        typer.Option(
            "--personne",
            help="Efface la personne de cette clé (colonne « personne » de prive/contributeurs.csv ou de "
            "prive/inscriptions.csv), même si elle n'a fait que s'inscrire.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Montre ce qui changerait, sans rien écrire.")] = False,
) -> None:
    """Droit à l'effacement : retire l'identité d'un contributeur partout, garde son texte.

    Par contribution (ses identifiants) ou par personne (--auteur, --personne : toutes ses
    contributions et inscriptions ; un nom porté par plusieurs personnes est refusé). L'auteur
    devient « Contribution anonymisée », l'organisation est retirée, le nom, les courriels et les
    téléphones sont ôtés du titre, du texte et des commentaires de l'en-tête ; ses lignes de
    prive/contributeurs.csv et de prive/inscriptions.csv sont supprimées ; prive/effacements.csv
    garde de quoi l'écarter des imports suivants (des empreintes, jamais son nom). Documents, site
    et données ouvertes déjà produits sont régénérés aussitôt. Tout ou rien.

    Exemple : [cyan]ateliers erase C-0042 --dry-run[/cyan] puis [cyan]ateliers erase C-0042[/cyan]
    """
    from ateliers_cli.erase import apply_erase, plan_erase, regenerate
    from ateliers_cli.errors import UsageError

    if not ids and not auteur and not personne:
        raise UsageError(
            "indiquez l'identifiant d'une contribution (C-…), --auteur « Nom » ou --personne pers-…",
            hint="exemple : ateliers erase C-0042",
        )
    root = consultation_root()
    regenerated = None
    if dry_run:
        plan = plan_erase(open_consultation(), ids or [], auteur=auteur, personne=personne)
    else:
        with lock(root, "ateliers erase"):
            plan = plan_erase(open_consultation(), ids or [], auteur=auteur, personne=personne)
            apply_erase(plan)
            if plan.changes:
                regenerated = regenerate(root, plan.outputs)
    if dry_run:
        out.print("[yellow]Simulation[/yellow] (--dry-run) : rien n'est écrit.")
    for line in plan.describe():
        out.print(f"  {escape(line)}", soft_wrap=True)
    if plan.warnings:
        print_diagnostics(plan.warnings)
    if not plan.changes:
        out.print(
            "[green]✓[/green] Rien à effacer : "
            + (
                "ces contributions sont déjà anonymisées."
                if len(plan.ids) > 1
                else "cette contribution est déjà anonymisée."
            )
        )
        return
    if dry_run:
        if plan.outputs:
            out.print("  → seraient régénérés ensuite : " + escape(", ".join(plan.outputs)), soft_wrap=True)
        return
    if plan.registrant:
        out.print(
            f"[green]✓[/green] Personne {escape(plan.registrant)} effacée : "
            f"{_pluriel(plan.registrant_rows, 'inscription supprimée', 'inscriptions supprimées')}, aucune "
            "contribution."
        )
    else:
        out.print(
            f"[green]✓[/green] Identité effacée de {_pluriel(len(plan.ids), 'contribution', 'contributions')} : "
            f"{escape(', '.join(plan.ids))}."
        )
    if regenerated is not None:
        for line in regenerated.done:
            out.print(f"  [green]✓[/green] régénéré : {escape(line)}", soft_wrap=True)
        for line in regenerated.failed:
            err.print(f"[red]✗[/red] non régénéré : {escape(line)}", soft_wrap=True)
        if regenerated.failed:
            err.print(
                "  « ateliers check » signale les fichiers qui gardent l'ancienne identité tant qu'ils ne sont pas "
                "régénérés.",
                soft_wrap=True,
            )
    for line in plan.next_steps():
        out.print(f"  → {escape(line)}", soft_wrap=True)
    if plan.git_paths:
        err.print("[yellow]Attention : git garde l'ancienne version dans son historique.[/yellow]", soft_wrap=True)
        for line in plan.git_advice():
            err.print(f"  {escape(line)}", soft_wrap=True)
    if regenerated is not None and regenerated.failed:
        raise typer.Exit(1)
