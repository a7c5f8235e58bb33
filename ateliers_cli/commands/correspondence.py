"""``courrier preparer`` / ``envoyer`` / ``refus``: messages to the people who took part."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ateliers_cli.commands.common import consultation_root, handled, open_consultation
from ateliers_cli.console import err, out
from ateliers_cli.fsutil import lock
from ateliers_cli.importers.util import plural
from ateliers_cli.store import paths

if TYPE_CHECKING:
    from pathlib import Path

    from ateliers_cli.correspondence.outbox import Outbox

MOMENTS_HELP = (
    "Le moment : confirmation (inscription à un atelier), place-liberee (sortie de la liste d'attente), restitution "
    "(invitation à la réunion de son territoire), devenir (ce qu'est devenue sa contribution, après le vote), "
    "avancement (les actions issues des orientations qu'elle a nourries, d'après suivi.yaml)."
)

courrier_app = typer.Typer(
    name="courrier",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Écrire aux personnes qui ont participé et accepté d'être recontactées : courriels (avec invitation .ics), "
    "lettres (PDF pour enveloppe à fenêtre), liste de SMS.\n\n"
    "Exemple : [cyan]ateliers courrier preparer confirmation --dry-run[/cyan]",
)


def register(app: typer.Typer) -> None:
    app.add_typer(courrier_app, name="courrier")
    courrier_app.command("preparer")(handled(prepare_cmd))
    courrier_app.command("envoyer")(handled(send_cmd))
    courrier_app.command("refus")(handled(refuse_cmd))


def _moment(value: str):  # type: ignore[no-untyped-def]
    from ateliers_cli.correspondence.moments import KNOWN, Moment
    from ateliers_cli.errors import UsageError
    from ateliers_cli.hints import did_you_mean

    try:
        m = Moment(value)
    except ValueError:
        m = None
    if m is None or m not in KNOWN:
        names = [x.value for x in KNOWN]
        raise UsageError(
            f"moment « {value} » inconnu", hint=(did_you_mean(value, names) or "") + " ; moments : " + ", ".join(names)
        )
    return m


def _sender(de: str | None, required: bool) -> str:
    from ateliers_cli.correspondence.emails import check_sender
    from ateliers_cli.errors import UsageError

    value = de or os.environ.get("ATELIERS_COURRIER_DE", "")
    if not value:
        if not required:
            return "expediteur-a-preciser@invalid.invalid"
        raise UsageError(
            "adresse d'expédition manquante",
            hint="--de \"Participation citoyenne <participation@exemple.fr>\", ou la variable ATELIERS_COURRIER_DE",
        )
    return check_sender(value)


def _summary(box: Outbox, sent: set[str]) -> None:
    from ateliers_cli.correspondence.moments import MOMENT_LABELS
    from ateliers_cli.correspondence.outbox import describe_counts
    from ateliers_cli.correspondence.recipients import Channel

    people = box.people
    out.print(f"[bold]Courrier « {box.moment.value} »[/bold] : {MOMENT_LABELS[box.moment]}.")
    out.print(f"{plural(len(box.composed), 'message')} — " + ", ".join(describe_counts(box)) + ".")
    if not box.composed:
        err.print(
            "[yellow]![/yellow] Personne à qui écrire pour ce moment : les coordonnées et l'accord d'être recontacté "
            f"viennent de {paths.CONTRIBUTORS} et de {paths.REGISTRATIONS}, remplis par "
            "[cyan]ateliers contributions import[/cyan] et [cyan]ateliers inscriptions import[/cyan].",
            soft_wrap=True,
        )
    already = sum(1 for x in box.composed if x.message.sent_in(sent))
    if already:
        out.print(f"Déjà envoyés par courriel auparavant (jamais renvoyés) : {already}.")
    if people is not None and (people.refused or people.erased):
        out.print(
            "[dim]Écartées : "
            + plural(
                people.refused,
                "personne qui a refusé d'être recontactée",
                "personnes qui ont refusé d'être recontactées",
            )
            + ", "
            + plural(people.erased, "contribution effacée", "contributions effacées")
            + ".[/dim]"
        )
    nobody = box.by_channel(Channel.AUCUN)
    if nobody:
        err.print(
            f"[yellow]![/yellow] {plural(len(nobody), 'personne')} sans adresse électronique, postale ni portable : "
            + ("rien ne peut lui être envoyé." if len(nobody) == 1 else "rien ne peut leur être envoyé.")
        )


def _samples(box: Outbox) -> None:
    from ateliers_cli.correspondence.recipients import CHANNEL_LABELS, Channel

    for ch in (Channel.COURRIEL, Channel.LETTRE, Channel.SMS):
        first = next(iter(box.by_channel(ch)), None)
        if first is None:
            continue
        out.print(f"\n[bold]Exemple ({CHANNEL_LABELS[ch]}), pour {escape(first.message.person.display)} :[/bold]")
        if ch == Channel.SMS:
            out.print(escape(first.sms), markup=False)
        else:
            out.print(f"Objet : {escape(first.subject)}")
            out.print(escape(first.body.rstrip()))
            if first.ics is not None:
                out.print("[dim](avec l'invitation invitation.ics)[/dim]")


def _carry_over(root: Path, box: Outbox, sent: set[str]) -> set[str]:
    """The log, with the messages it lists under their former id noted under their id now."""
    from ateliers_cli.clock import now
    from ateliers_cli.correspondence.sending import carry_over

    former = [x.message.id for x in box.composed if x.message.id not in sent and x.message.sent_in(sent)]
    if former:
        carry_over(root, former, now().isoformat(timespec="seconds"))
    return sent | set(former)


def prepare_cmd(
    moment: Annotated[str, typer.Argument(help=MOMENTS_HELP, show_default=False)],
    de: Annotated[
        str | None,
        typer.Option("--de", metavar="ADRESSE", help="L'expéditeur des courriels (sinon ATELIERS_COURRIER_DE)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Les nombres par canal et un exemple de chaque message, sans rien écrire.")
    ] = False,
) -> None:
    """Prépare les messages d'un moment, un par personne : courriels (.eml, mbox, invitation .ics), lettres PDF (une par
    lettre et une pour l'impression), liste de SMS.

    Écrits dans prive/courrier/<moment>/ : courriels/NNNN.eml et courriels.mbox, lettres/NNNN.pdf et lettres.pdf,
    sms.csv, et liste.csv (qui reçoit quoi, par quel canal, déjà envoyé ou non). Seules les personnes qui ont accepté
    d'être recontactées reçoivent un message (une confirmation d'inscription est envoyée sauf refus) ; jamais une
    personne effacée ni une adresse de prive/courrier/refus.csv. Les textes viennent de
    templates/courrier/<moment>.txt.j2 et .sms.j2, que la consultation peut remplacer.

    Exemple : [cyan]ateliers courrier preparer devenir --de "Participation <participation@lenord.fr>"[/cyan]
    """
    from ateliers_cli.correspondence.outbox import compose, prepare_files
    from ateliers_cli.correspondence.sending import read_log
    from ateliers_cli.fsutil import write_all

    m = _moment(moment)
    root = consultation_root()
    sender = _sender(de, required=False)
    c = open_consultation().consultation
    box = compose(c, m)
    sent = read_log(root)
    _summary(box, sent)
    if dry_run:
        _samples(box)
        out.print("\n[bold](simulation : rien n'a été écrit)[/bold]")
        return
    with lock(root, "courrier preparer"):
        sent = _carry_over(root, box, sent)
        files = prepare_files(c, box, sender, sent)
        folder = f"prive/courrier/{m.value}"
        old = root / folder
        stale = (
            [str(p.relative_to(root)) for p in old.rglob("*") if p.is_file() and str(p.relative_to(root)) not in files]
            if old.is_dir()
            else []
        )
        write_all(root, {**files, **dict.fromkeys(stale)})
    out.print(
        f"[green]✓[/green] {plural(len(files), 'fichier écrit', 'fichiers écrits')} dans {folder}/ (liste.csv : qui "
        "reçoit quoi)."
    )
    if box.composed and not de and not os.environ.get("ATELIERS_COURRIER_DE"):
        err.print(
            "[yellow]![/yellow] expéditeur non précisé : les courriels portent une adresse à remplacer (--de ou "
            "ATELIERS_COURRIER_DE)."
        )
    out.print(
        f"Pour envoyer les courriels : [cyan]ateliers courrier envoyer {m.value} --de ADRESSE[/cyan] (serveur : "
        "variables ATELIERS_SMTP_*)."
    )


def send_cmd(
    moment: Annotated[str, typer.Argument(help=MOMENTS_HELP, show_default=False)],
    de: Annotated[
        str | None, typer.Option("--de", metavar="ADRESSE", help="L'expéditeur (sinon ATELIERS_COURRIER_DE).")
    ] = None,
    cadence: Annotated[
        float, typer.Option("--cadence", metavar="N", help="Au plus N courriels par minute (0 : sans attendre).")
    ] = 30,
    limite: Annotated[
        int | None,
        typer.Option(
            "--limite", metavar="N", help="Au plus N courriels cette fois ; la suite à la prochaine commande."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Ce qui serait envoyé, sans rien envoyer.")] = False,
) -> None:
    """Envoie par SMTP les courriels d'un moment qui ne l'ont pas encore été (journal prive/courrier/envois.csv).

    Le serveur vient des variables d'environnement, jamais du dossier : ATELIERS_SMTP_HOTE, ATELIERS_SMTP_PORT (587),
    ATELIERS_SMTP_TLS (starttls, ssl ou aucun pour un relais local), ATELIERS_SMTP_UTILISATEUR,
    ATELIERS_SMTP_MOT_DE_PASSE, ATELIERS_SMTP_CA. Chaque message envoyé est noté aussitôt : une commande interrompue se
    relance sans rien envoyer deux fois. Les lettres et les SMS se préparent avec « ateliers courrier preparer ».

    Exemple : [cyan]ATELIERS_SMTP_HOTE=smtp.exemple.fr ateliers courrier envoyer confirmation --de
    participation@exemple.fr --cadence 20[/cyan]
    """
    from ateliers_cli.clock import now
    from ateliers_cli.correspondence.outbox import compose, email_of
    from ateliers_cli.correspondence.recipients import Channel
    from ateliers_cli.correspondence.sending import Settings, read_log, send
    from ateliers_cli.errors import UsageError

    m = _moment(moment)
    if limite is not None and limite < 0 or cadence < 0:
        raise UsageError("--limite et --cadence ne peuvent pas être négatifs")
    root = consultation_root()
    sender = _sender(de, required=not dry_run)
    settings = None if dry_run else Settings.from_environment()
    c = open_consultation().consultation
    box = compose(c, m)
    stamp = box.stamp or now()
    mails = [email_of(x, sender, stamp) for x in box.by_channel(Channel.COURRIEL)]
    if dry_run:
        sent = read_log(root)
        _summary(box, sent)
        todo = sum(1 for x in box.by_channel(Channel.COURRIEL) if not x.message.sent_in(sent))
        out.print(
            f"{plural(todo, 'courriel serait envoyé', 'courriels seraient envoyés')}. [bold](simulation : rien n'a été "
            "envoyé)[/bold]"
        )
        return
    assert settings is not None
    with lock(root, "courrier envoyer"):
        _carry_over(root, box, read_log(root))
        report = send(
            root, mails, settings, per_minute=cadence, limit=limite, when=lambda: now().isoformat(timespec="seconds")
        )
    out.print(
        f"[green]✓[/green] {plural(report.sent, 'courriel envoyé', 'courriels envoyés')} ; "
        + plural(report.already, "déjà envoyé auparavant, pas renvoyé", "déjà envoyés auparavant, pas renvoyés")
        + "."
    )
    if report.left:
        out.print(
            (f"{report.left} reste à envoyer" if report.left == 1 else f"{report.left} restent à envoyer")
            + " : relancez la même commande."
        )
    for addr, why in report.refused:
        err.print(
            f"[yellow]![/yellow] {escape(addr)} refusée par le serveur ({escape(why)}) : non notée comme envoyée."
        )
    others = len(box.composed) - len(mails)
    if others:
        out.print(
            f"{plural(others, 'personne')} sans courriel : lettres et SMS avec [cyan]ateliers courrier preparer "
            f"{m.value}[/cyan]."
        )


def refuse_cmd(
    adresse: Annotated[
        str, typer.Argument(help="L'adresse électronique ou le téléphone de la personne.", show_default=False)
    ],
) -> None:
    """Note qu'une personne ne veut plus recevoir de message : plus aucun courrier ne lui sera préparé ni envoyé.

    L'adresse est gardée dans prive/courrier/refus.csv (jamais publié).

    Exemple : [cyan]ateliers courrier refus jeanne@example.org[/cyan]
    """
    from ateliers_cli.correspondence.recipients import add_refusal

    root = consultation_root()
    with lock(root, "courrier refus"):
        added = add_refusal(root, adresse)
    if added:
        out.print(
            f"[green]✓[/green] {escape(adresse)} : plus aucun message ne sera préparé ni envoyé "
            "(prive/courrier/refus.csv)."
        )
    else:
        out.print(f"{escape(adresse)} était déjà dans prive/courrier/refus.csv : rien n'a changé.")
