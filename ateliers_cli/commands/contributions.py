"""``contributions import``, ``contributions add``, ``contributions list``."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.prompt import Prompt
from rich.table import Table

from ateliers_cli.commands.analysis import register_doublons
from ateliers_cli.commands.classify import register_classer
from ateliers_cli.commands.common import (
    DryRunOption,
    MappingFileOption,
    SheetOption,
    consultation_root,
    handled,
    open_consultation,
    state,
)
from ateliers_cli.console import err, out, print_diagnostics, progress
from ateliers_cli.errors import AteliersError, Diagnostic, UsageError, error, warning
from ateliers_cli.fsutil import lock
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.mapping import CONTRIBUTION_FIELDS
from ateliers_cli.importers.util import plural

if TYPE_CHECKING:
    from ateliers_cli.importers.contributions import ImportOptions, ImportPlan, Issue

# The importers, the store and the schema are imported by the commands that use them:
# every « ateliers » command starts faster for it (see bench/run.py).

contributions_app = typer.Typer(
    name="contributions",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Les contributions : importer un export, en saisir une à la main, les lister.\n\n"
    "Exemple : [cyan]ateliers contributions import export-decidim.csv --dry-run[/cyan]",
)


def register(app: typer.Typer) -> None:
    app.add_typer(contributions_app, name="contributions")
    contributions_app.command("import")(handled(import_cmd))
    contributions_app.command("add")(handled(add_cmd))
    contributions_app.command("list")(handled(list_cmd))
    register_doublons(contributions_app)  # « contributions doublons » lives with the analysis commands
    register_classer(contributions_app)  # « contributions classer »: commands/classify.py


_FIELDS_HELP = ", ".join(CONTRIBUTION_FIELDS)

#: Warnings of one kind shown in full before they are only counted.
SHOWN_PER_KIND = 5


def import_cmd(
    fichier: Annotated[
        Path, typer.Argument(help="Export à importer : CSV, XLSX, XLS, ODS ou JSON.", show_default=False)
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", metavar="CHAMP=COLONNE", help=f"Colonne d'un champ (répétable). Champs : {_FIELDS_HELP}."
        ),
    ] = None,
    mapping: MappingFileOption = None,
    profil: Annotated[
        str | None, typer.Option("--profil", help="Profil quand le fichier n'en dit rien (par défaut : habitant).")
    ] = None,
    canal: Annotated[
        str | None,
        typer.Option("--canal", help="Canal (par défaut : plateforme pour un export de plateforme, formulaire sinon)."),
    ] = None,
    territoire: Annotated[
        str | None,
        typer.Option("--territoire", metavar="ID", help="Territoire des lignes qui n'en donnent pas, ou pas un connu."),
    ] = None,
    communes: Annotated[
        Path | None,
        typer.Option(
            "--communes",
            metavar="FICHIER",
            help="Table commune / code_postal / territoire, en plus de consultation.yaml.",
        ),
    ] = None,
    feuille: SheetOption = None,
    dry_run: DryRunOption = False,
    apercu: Annotated[
        int, typer.Option("--apercu", metavar="N", help="Avec --dry-run : nombre de contributions montrées.")
    ] = 3,
    update: Annotated[
        bool, typer.Option("--update", help="Met à jour les contributions dont la ligne a changé dans l'export.")
    ] = False,
) -> None:
    """Importe les contributions d'un export : formulaire, tableur, Decidim, Grand Débat.

    Le format est reconnu (CSV « ; » ou « , », UTF-8 ou Windows-1252, XLSX, XLS, ODS, JSON) ; les exports Decidim et
    Grand Débat sont compris d'eux-mêmes ; pour un autre fichier, indiquez les colonnes avec [bold]--map texte="Votre
    contribution" --map date=Date[/bold] ou un fichier [bold]--mapping[/bold]. Une ligne devient un fichier
    contributions/C-….md ; les colonnes personnelles (nom, courriel, téléphone, adresse) vont dans
    prive/contributeurs.csv. Réimporter le même fichier n'ajoute rien. Une ligne refusée est signalée avec son numéro ;
    le code de sortie est alors 1.

    Exemple : [cyan]ateliers contributions import formulaire.csv --map texte="Votre contribution" --dry-run[/cyan]
    """
    from ateliers_cli.importers.contributions import ImportOptions, apply_import

    options = ImportOptions(
        maps=list(map_ or []),
        mapping_file=mapping,
        profil=profil,
        canal=canal,
        territoire=territoire,
        communes=communes,
        sheet=feuille,
        update=update,
    )
    root = consultation_root()
    if dry_run:
        plan = _plan(fichier, options)
    else:
        with lock(root, "contributions import"):
            plan = _plan(fichier, options)
            with progress("Écriture des contributions", state.quiet) as cb:
                apply_import(root, plan, cb)
    _report(plan, dry_run, apercu)
    if plan.rejected:
        raise typer.Exit(1)


def _plan(fichier: Path, options: ImportOptions) -> ImportPlan:
    from ateliers_cli.importers.contributions import plan_import

    loaded = open_consultation()
    with progress("Analyse des lignes", state.quiet) as cb:
        return plan_import(loaded.consultation, fichier, options, shown=str(fichier), progress=cb)


def _report(plan: ImportPlan, dry_run: bool, apercu: int) -> None:
    from ateliers_cli.store.paths import CONTRIBUTORS as PRIVATE_PATH

    t = plan.table
    out.print(
        f"[bold]{escape(t.name)}[/bold] : {escape(t.description)}, {len(t.rows)} ligne{'s' if len(t.rows) > 1 else ''}."
    )
    if plan.format:
        out.print(f"Format reconnu : {escape(plan.format.label)}.")
    if not state.quiet:
        table = Table(show_header=True, header_style="bold", title_justify="left", box=None, padding=(0, 2, 0, 0))
        table.add_column("champ")
        table.add_column("colonnes du fichier")
        table.add_column("selon", style="dim")
        for name in CONTRIBUTION_FIELDS:
            cols = plan.mapping.columns.get(name)
            if cols:
                shown = ", ".join(f"« {c} »" for c in cols[:4]) + (
                    f" … ({len(cols)} colonnes)" if len(cols) > 4 else ""
                )
                private = " [dim](privé)[/dim]" if CONTRIBUTION_FIELDS[name].private else ""
                table.add_row(escape(name) + private, escape(shown), escape(plan.mapping.origin.get(name, "")))
        out.print(table)
        if plan.private_columns:
            out.print(
                "Colonnes personnelles, gardées dans "
                + PRIVATE_PATH
                + " : "
                + escape(", ".join(f"« {c} »" for c in plan.private_columns))
                + "."
            )
        if plan.ignored_columns:
            out.print(
                "[dim]Colonnes non reprises : "
                + escape(", ".join(f"« {c} »" for c in plan.ignored_columns))
                + ".[/dim]"
            )
        if plan.categories:
            listing = ", ".join(f"{k} ({v})" for k, v in plan.categories.most_common(10)) + (
                " …" if len(plan.categories) > 10 else ""
            )
            column = plan.format.category_columns[0] if plan.format and plan.format.category_columns else "COLONNE"
            out.print(
                f"[dim]Catégories de la plateforme non reprises : {escape(listing)}. Pour les reprendre comme thèmes : "
                f"--map themes={escape(column)} (rapprochées des titres de themes.yaml ; « valeurs: themes: » dans un "
                "fichier --mapping pour les autres).[/dim]",
                soft_wrap=True,
            )
        if plan.theme_matches:
            listing = ", ".join(
                f"« {cat} » → {', '.join(ids)} ({n})" for (cat, ids), n in plan.theme_matches.most_common(10)
            ) + (" …" if len(plan.theme_matches) > 10 else "")
            out.print(f"Catégories reprises comme thèmes (statut analysee) : {escape(listing)}.", soft_wrap=True)
        if plan.unmatched_categories:
            for problem, n in plan.unmatched_categories.most_common():
                out.print(
                    f"[yellow]![/yellow] {escape(problem)} : {n} contribution{'s' if n > 1 else ''} "
                    f"importée{'s' if n > 1 else ''} sans thème.",
                    soft_wrap=True,
                )
            out.print(
                "  Traduisez ces catégories dans un fichier --mapping : « valeurs: themes: {Nom de la catégorie: "
                "id-du-theme} ».",
                soft_wrap=True,
            )
        for note in plan.notes:
            out.print(f"[yellow]![/yellow] {escape(note)}")
    if dry_run and apercu > 0:
        for p in plan.to_write[:apercu]:
            out.rule(f"{p.rel} (ligne {p.line})", style="dim")
            lines = p.content.splitlines()
            out.print(escape("\n".join(lines[:25])), soft_wrap=True, highlight=False)
            if len(lines) > 25:
                out.print(f"[dim]… ({len(lines) - 25} lignes de plus)[/dim]")
        if plan.to_write:
            out.rule(style="dim")
    diags: list[Diagnostic] = []
    for issue in plan.rejected:
        diags.append(error(t.name, issue.line, f"ligne rejetée : {issue.message}", issue.hint, issue.kind))
    for issue in plan.skipped:
        diags.append(warning(t.name, issue.line, f"ligne ignorée : {issue.message}", "", issue.kind))
    for k in plan.changed:
        hint = (
            ""
            if k.updated
            else "relancez avec --update pour mettre la contribution à jour (thèmes et statut sont gardés)"
        )
        what = "mise à jour" if k.updated else "non réécrite"
        diags.append(
            warning(t.name, k.line, f"ligne modifiée depuis son import ({k.cle}, {k.id}) : {what}", hint, "modifiee")
        )
    diags.extend(_grouped(t.name, plan.warnings))
    print_diagnostics(diags)
    s = plan.summary()
    parts = [
        f"{s['importees']} importée{'s' if s['importees'] > 1 else ''}",
        f"{s['inchangees']} inchangée{'s' if s['inchangees'] > 1 else ''}",
        f"{s['modifiees']} modifiée{'s' if s['modifiees'] > 1 else ''}"
        + (f" ({plural(s['mises_a_jour'], 'mise à jour', 'mises à jour')})" if s["mises_a_jour"] else ""),
        f"{s['rejetees']} rejetée{'s' if s['rejetees'] > 1 else ''}",
    ]
    if s["ignorees"]:
        parts.append(f"{s['ignorees']} ignorée{'s' if s['ignorees'] > 1 else ''}")
    mark = "[red]✗[/red]" if plan.rejected else "[green]✓[/green]"
    suffix = " [bold](simulation : rien n'a été écrit)[/bold]" if dry_run else ""
    out.print(f"{mark} {', '.join(parts)}.{suffix}")
    if plan.new and not dry_run:
        out.print(
            f"  {plan.new[0].id} à {plan.new[-1].id} dans contributions/ ; ensuite : [cyan]ateliers themes tag[/cyan] "
            "pour l'aide au classement."
        )


def _grouped(path: str, issues: list[Issue]) -> list[Diagnostic]:
    """Warnings of one kind: the first few in full, then a count."""
    by_kind: dict[str, list[Issue]] = defaultdict(list)
    for i in issues:
        by_kind[i.kind].append(i)
    diags: list[Diagnostic] = []
    for kind, items in by_kind.items():
        for i in items[:SHOWN_PER_KIND]:
            diags.append(warning(path, i.line, i.message, i.hint, kind))
        if len(items) > SHOWN_PER_KIND:
            diags.append(
                warning(path, 0, f"… et {len(items) - SHOWN_PER_KIND} autres avertissements du même type", "", kind)
            )
    return diags


# --- add -------------------------------------------------------------------------


class _Prompt(Prompt):
    illegal_choice_message = "[prompt.invalid.choice]Choisissez une des valeurs proposées."
    validate_error_message = "[prompt.invalid]Valeur invalide."


def interactive() -> bool:
    """Whether we may ask questions: stdin is a terminal."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(label: str, choices: list[str] | None = None) -> str:
    return str(_Prompt.ask(label, console=err, choices=choices))


def edit_in_editor(initial: str = "") -> str:
    """Open $VISUAL or $EDITOR on a temporary file; its text once the editor is closed."""
    editor = (
        os.environ.get("VISUAL")
        or os.environ.get("EDITOR")
        or ("notepad" if os.name == "nt" else ("nano" if shutil.which("nano") else "vi"))
    )
    fd, name = tempfile.mkstemp(prefix="contribution-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(initial)
        try:
            result = subprocess.run([*shlex.split(editor), name], check=False)
        except OSError as exc:
            raise AteliersError(
                f"impossible de lancer l'éditeur « {editor} » : {exc.strerror or exc}",
                hint="réglez la variable EDITOR, par exemple : export EDITOR=nano",
            ) from None
        if result.returncode != 0:
            raise AteliersError(
                f"l'éditeur « {editor} » s'est terminé en erreur (code {result.returncode}) : rien n'est enregistré"
            )
        return Path(name).read_text(encoding="utf-8")
    finally:
        Path(name).unlink(missing_ok=True)


def add_cmd(
    texte: Annotated[
        str | None, typer.Option("--texte", help="Le texte (« - » : le lire sur l'entrée standard).")
    ] = None,
    editor: Annotated[bool, typer.Option("--editor", help="Écrire le texte dans l'éditeur ($EDITOR).")] = False,
    profil: Annotated[str | None, typer.Option("--profil", help="habitant, citoyen ou partenaire.")] = None,
    canal: Annotated[
        str | None,
        typer.Option("--canal", help="courrier, reunion, courriel, telephone, formulaire, plateforme, autre."),
    ] = None,
    territoire: Annotated[
        str | None,
        typer.Option(
            "--territoire", metavar="ID", help="Territoire (déduit de --commune ou --code-postal si possible)."
        ),
    ] = None,
    auteur: Annotated[
        str | None, typer.Option("--auteur", help="Nom public ou pseudonyme ; pour un partenaire, l'organisation.")
    ] = None,
    organisation: Annotated[str, typer.Option("--organisation", help="Organisation, pour un partenaire.")] = "",
    civilite: Annotated[
        str,
        typer.Option(
            "--civilite",
            help="madame ou monsieur, quand la lettre le dit : accorde le profil (« habitante », « habitant »).",
        ),
    ] = "",
    titre: Annotated[str, typer.Option("--titre", help="Titre court.")] = "",
    date: Annotated[str | None, typer.Option("--date", help="Date de réception (par défaut : aujourd'hui).")] = None,
    publication: Annotated[
        bool, typer.Option("--publication/--sans-publication", help="Consentement à être cité publiquement.")
    ] = False,
    theme: Annotated[
        list[str] | None, typer.Option("--theme", help="Thème (répétable) : la contribution est alors « analysee ».")
    ] = None,
    nom: Annotated[str, typer.Option("--nom", help="Nom (gardé dans prive/).")] = "",
    prenom: Annotated[str, typer.Option("--prenom", help="Prénom (gardé dans prive/).")] = "",
    courriel: Annotated[str, typer.Option("--courriel", help="Adresse électronique (gardée dans prive/).")] = "",
    telephone: Annotated[str, typer.Option("--telephone", help="Téléphone (gardé dans prive/).")] = "",
    adresse: Annotated[str, typer.Option("--adresse", help="Adresse postale (gardée dans prive/).")] = "",
    commune: Annotated[
        str, typer.Option("--commune", help="Commune (gardée dans prive/ ; sert à trouver le territoire).")
    ] = "",
    code_postal: Annotated[
        str, typer.Option("--code-postal", help="Code postal (gardé dans prive/ ; sert à trouver le territoire).")
    ] = "",
) -> None:
    """Saisit une contribution à la main : un courrier, des notes de réunion, un appel.

    Les valeurs manquantes sont demandées quand la commande est lancée dans un terminal ; [bold]--editor[/bold] ouvre
    l'éditeur pour le texte. Nom, courriel, téléphone et adresse vont dans prive/contributeurs.csv, jamais dans la
    contribution.

    Exemple : [cyan]ateliers contributions add --canal courrier --profil habitant --auteur "Mme D." --commune Roubaix
    --editor[/cyan]
    """
    from ateliers_cli import clock, schema
    from ateliers_cli.importers.contributions import DATE_FORMATS_HINT, civilite_of, parse_date
    from ateliers_cli.importers.territories import TerritoryIndex
    from ateliers_cli.store.contributions import NewContribution, prepare_new, write_new
    from ateliers_cli.store.paths import CONTRIBUTORS as PRIVATE_PATH

    root = consultation_root()
    with lock(root, "contributions add"):
        c = open_consultation().consultation
        ask = interactive()
        missing: list[str] = []

        if texte == "-":
            texte = sys.stdin.read()
        elif texte is None and editor:
            texte = edit_in_editor()
        if texte is None:
            if ask:
                texte = (
                    edit_in_editor()
                    if (os.environ.get("VISUAL") or os.environ.get("EDITOR"))
                    else _ask("Texte de la contribution")
                )
            else:
                missing.append("--texte")

        def need(value: str | None, option: str, label: str, choices: list[str] | None = None) -> str:
            if value:
                return value
            if ask:
                return _ask(label, choices)
            missing.append(option)
            return ""

        profil = need(profil, "--profil", "Profil", list(schema.PROFILS))
        canal = need(canal, "--canal", "Canal", list(schema.CANAUX))
        if not territoire:
            index = TerritoryIndex(c)
            res = index.resolve("", commune, code_postal)
            territoire = res.territoire or index.single or None
            if not territoire and res.problem:
                err.print(f"[yellow]![/yellow] {escape(res.problem)}")
        territoire = need(territoire, "--territoire", "Territoire", list(c.territoires))
        auteur = need(auteur, "--auteur", "Auteur (nom public ou pseudonyme)")
        if missing:
            raise UsageError(
                ("valeur manquante : " if len(missing) == 1 else "valeurs manquantes : ") + ", ".join(missing),
                hint="donnez-les en options (pas de terminal pour les demander) ; le texte peut venir de --texte - "
                "(entrée standard) ou de --editor",
            )
        when = clock.today()
        if date:
            parsed = parse_date(date)
            if parsed is None:
                raise UsageError(f"--date « {date} » illisible", hint=DATE_FORMATS_HINT)
            when = parsed
        civ = civilite_of(civilite)
        if civilite.strip() and not civ:
            raise UsageError(
                f"--civilite « {civilite} » : ni madame ni monsieur",
                hint="écrivez --civilite madame ou --civilite monsieur, ou ne la donnez pas",
            )
        new = NewContribution(
            civilite=civ,
            texte=texte or "",
            profil=profil,
            canal=canal,
            territoire=territoire,
            auteur=auteur,
            date=when,
            organisation=organisation,
            titre=titre,
            publication=publication,
            themes=list(theme or []),
            private={
                "nom": nom, "prenom": prenom, "courriel": courriel, "telephone": telephone,
                "adresse": adresse, "commune": commune, "code_postal": code_postal,
            },
        )
        prepared = prepare_new(c, new)
        write_new(c.root, prepared)
    for w in prepared.warnings:
        err.print(f"[yellow]![/yellow] {escape(w)}")
    out.print(f"[green]✓[/green] Contribution [bold]{prepared.id}[/bold] enregistrée : {prepared.rel}")
    if prepared.private:
        out.print(f"  Coordonnées gardées dans {PRIVATE_PATH} (jamais publiées).")


# --- list --------------------------------------------------------------------------


def list_cmd(
    statut: Annotated[str | None, typer.Option("--statut", help="nouvelle, analysee, hors_sujet ou doublon.")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Identifiant d'un thème.")] = None,
    territoire: Annotated[str | None, typer.Option("--territoire", help="Identifiant d'un territoire.")] = None,
    profil: Annotated[str | None, typer.Option("--profil", help="habitant, citoyen ou partenaire.")] = None,
    canal: Annotated[str | None, typer.Option("--canal", help="Canal d'arrivée.")] = None,
    texte: Annotated[
        str | None,
        typer.Option(
            "--texte",
            help="Mot ou expression cherché dans le titre, l'auteur et le texte (sans tenir compte des accents ni des "
            "majuscules).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON, pour les scripts.")] = False,
) -> None:
    """Liste les contributions, filtrées par statut, thème, territoire, profil, canal ou texte.

    Exemple : [cyan]ateliers contributions list --statut nouvelle --territoire lille --texte "aidant"[/cyan]
    """
    from ateliers_cli import schema
    from ateliers_cli.store.contributions import Filters, select
    from ateliers_cli.store.contributions import as_json as contribution_json

    loaded = open_consultation()
    c = loaded.consultation
    for option, value, known in (
        ("--statut", statut, schema.STATUTS_CONTRIBUTION),
        ("--profil", profil, schema.PROFILS),
        ("--canal", canal, schema.CANAUX),
        ("--theme", theme, list(c.themes)),
        ("--territoire", territoire, list(c.territoires)),
    ):
        if value is not None and value not in known:
            raise UsageError(
                f"{option} « {value} » inconnu", hint=did_you_mean(value, known) or "valeurs : " + ", ".join(known)
            )
    found = select(c.contributions.values(), Filters(statut, theme, territoire, profil, canal, texte))
    if as_json:
        out.print_json(json.dumps([contribution_json(ct) for ct in found], ensure_ascii=False))
        return
    n_errors = sum(1 for d in loaded.diagnostics if d.is_error)
    if n_errors:
        err.print(
            f"[yellow]![/yellow] {plural(n_errors, 'problème')} dans le dossier : lancez [cyan]ateliers check[/cyan]."
        )
    if not found:
        out.print(f"Aucune contribution ne correspond (sur {len(c.contributions)}).")
        return
    # on a narrow terminal the id, date and excerpt matter most: the rest gives way
    wide = out.width >= 140
    with_themes = any(ct.themes for ct in found)
    columns = [
        "id",
        "date",
        *(["profil", "canal"] if wide else []),
        "territoire",
        "statut",
        *(["thèmes"] if with_themes else []),
        "auteur",
        "extrait",
    ]
    table = Table(show_lines=False, header_style="bold")
    for col in columns:
        if col == "extrait":
            table.add_column(col, overflow="fold", ratio=1, min_width=16)
        elif col in ("id", "date"):
            table.add_column(col, no_wrap=True, min_width=10 if col == "date" else max(len(ct.id) for ct in found))
        else:
            table.add_column(col, overflow="ellipsis", no_wrap=True, max_width=18 if col == "auteur" else 16)
    for ct in found:
        extrait = ct.titre or " ".join(ct.texte.split())
        if len(extrait) > 80:
            extrait = extrait[:79] + "…"
        values = {
            "id": ct.id,
            "date": ct.date.isoformat() if ct.date else "",
            "profil": ct.profil,
            "canal": ct.canal,
            "territoire": escape(ct.territoire),
            "statut": ct.statut + (f" ({ct.doublon_de})" if ct.doublon_de else ""),
            "thèmes": escape(", ".join(ct.themes)),
            "auteur": escape(ct.auteur),
            "extrait": escape(extrait),
        }
        table.add_row(*(values[col] for col in columns))
    out.print(table)
    out.print(f"{len(found)} contribution{'s' if len(found) > 1 else ''} sur {len(c.contributions)}.")

