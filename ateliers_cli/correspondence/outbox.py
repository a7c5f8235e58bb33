"""One moment's messages, composed: the text of each from the templates, by channel.

``templates/courrier/<moment>.txt.j2`` gives the subject (its first line, « Objet : … ») and
the text of the e-mail and of the letter; ``templates/courrier/<moment>.sms.j2`` the SMS.
A consultation overrides either by a file of the same name in its own ``templates/``
(sandboxed, like every template: see docs/templates.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ateliers_cli.correspondence import emails, letters, sms
from ateliers_cli.correspondence.invitations import ics
from ateliers_cli.correspondence.moments import Message, Moment, messages
from ateliers_cli.correspondence.recipients import CHANNEL_LABELS, Channel, People, load_people
from ateliers_cli.errors import AteliersError
from ateliers_cli.model import Consultation

OUT_DIR = "prive/courrier"
SMS_MAX = 480  # three SMS: beyond that, the text is cut and says so


@dataclass
class Composed:
    message: Message
    channel: Channel
    subject: str
    body: str
    sms: str = ""
    ics: bytes | None = None

    @property
    def number(self) -> str:
        return ""


@dataclass
class Outbox:
    moment: Moment
    composed: list[Composed] = field(default_factory=list)
    people: People | None = None
    stamp: dt.datetime | None = None

    def by_channel(self, channel: Channel) -> list[Composed]:
        return [x for x in self.composed if x.channel == channel]

    def counts(self) -> dict[Channel, int]:
        return {ch: len(self.by_channel(ch)) for ch in Channel}


_SUBJECT = re.compile(r"^\s*Objet\s*:\s*(.+?)\s*$", re.IGNORECASE)


def _split_subject(text: str, name: str) -> tuple[str, str]:
    first, _, rest = text.lstrip("\n").partition("\n")
    m = _SUBJECT.match(first)
    if m is None:
        raise AteliersError(
            f"gabarit « {name} » : la première ligne doit être l'objet du message (« Objet : … »)",
            path=name,
            line=1,
            hint="commencez le gabarit par une ligne « Objet : … », puis une ligne vide, puis le texte",
        )
    body = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+$", "", rest, flags=re.MULTILINE)).strip("\n") + "\n"
    return m.group(1), body


def compose(c: Consultation, moment: Moment, *, stamp: dt.datetime | None = None) -> Outbox:
    """Every message of ``moment``, its text rendered, its channel chosen."""
    from ateliers_cli.clock import now
    from ateliers_cli.documents.templating import make_environment, render_template

    people = load_people(c)
    stamp = stamp or now()
    env = make_environment(c.root)
    box = Outbox(moment, people=people, stamp=stamp)
    text_name, sms_name = f"courrier/{moment.value}.txt.j2", f"courrier/{moment.value}.sms.j2"
    for m in messages(c, moment, people.people):
        channel = m.person.channel()
        subject, body = _split_subject(render_template(env, text_name, m.context), text_name)
        short = ""
        if channel == Channel.SMS:
            short = " ".join(render_template(env, sms_name, m.context).split())
            if len(short) > SMS_MAX:
                short = short[: SMS_MAX - 1].rstrip() + "…"
        invitation = ics(m.event, stamp) if m.event is not None else None
        box.composed.append(Composed(m, channel, subject, body, short, invitation))
    return box


def email_of(x: Composed, sender: str, stamp: dt.datetime) -> EmailMessage:
    p = x.message.person
    return emails.build(
        x.message.id, sender, p.display if (p.prenom or p.nom) else "", p.courriel, x.subject, x.body, stamp, x.ics
    )


def _letter_of(c: Consultation, x: Composed, stamp: dt.datetime) -> letters.Letter:
    from ateliers_cli.render import french

    p = x.message.person
    col = c.collectivite
    sender = [col.nom, *[line.strip() for line in col.adresse.replace(",", "\n").split("\n") if line.strip()]]
    signature = [col.signataire] if col.signataire else [col.nom]
    body = x.body.rstrip()
    head, _, last = body.rpartition("\n\n")
    if head and last.strip() == "\n".join(signature):  # the letter signs below, at its place
        body = head
    return letters.Letter(
        sender=[s for s in sender if s],
        address=letters.postal_block(p.prenom, p.nom, p.adresse, p.code_postal, p.commune),
        place_date=f"Le {french.date_longue(stamp.date())}",
        subject=f"Objet : {x.subject}",
        body=body,
        signature=signature,
    )


LIST_COLUMNS = (
    "numero",
    "canal",
    "destinataire",
    "courriel",
    "telephone",
    "adresse",
    "objet",
    "deja_envoye",
    "message",
)


def _list_csv(box: Outbox, sent: set[str]) -> bytes:
    """The recap of every message: who, by which channel, already sent or not (for the team)."""
    from ateliers_cli.store.private import dict_rows_bytes

    rows = []
    for i, x in enumerate(box.composed, 1):
        p = x.message.person
        address = " ".join(letters.postal_block("", "", p.adresse, p.code_postal, p.commune)) if p.postal_ready else ""
        values = (
            str(i),
            x.channel.value,
            p.display,
            p.courriel,
            p.telephone,
            address,
            x.subject,
            "oui" if x.message.sent_in(sent) else "non",
            x.message.id,
        )
        rows.append(dict(zip(LIST_COLUMNS, values, strict=True)))
    return dict_rows_bytes(LIST_COLUMNS, rows)


def prepare_files(c: Consultation, box: Outbox, sender: str, sent: set[str]) -> dict[str, bytes]:
    """The files of ``prive/courrier/<moment>/``: e-mails (.eml, mbox), letters (PDF), SMS (CSV), the list."""
    stamp = box.stamp or dt.datetime.now(dt.UTC)
    base = f"{OUT_DIR}/{box.moment.value}"
    files: dict[str, bytes] = {f"{base}/liste.csv": _list_csv(box, sent)}
    mails = [(i, email_of(x, sender, stamp)) for i, x in enumerate(box.composed, 1) if x.channel == Channel.COURRIEL]
    for i, msg in mails:
        files[f"{base}/courriels/{i:04d}.eml"] = bytes(msg)
    if mails:
        files[f"{base}/courriels.mbox"] = emails.mbox_bytes([m for _i, m in mails], stamp)
    paper = [(i, _letter_of(c, x, stamp)) for i, x in enumerate(box.composed, 1) if x.channel == Channel.LETTRE]
    title = f"{c.titre} — courrier « {box.moment.value} »"
    for i, letter in paper:
        files[f"{base}/lettres/{i:04d}.pdf"] = letters.letter_pdf(letter, title)
    if paper:
        files[f"{base}/lettres.pdf"] = letters.letters_pdf([x for _i, x in paper], title)
    texts = [
        (sms.national(x.message.person.telephone), x.sms, x.message.id)
        for x in box.composed
        if x.channel == Channel.SMS
    ]
    if texts:
        files[f"{base}/sms.csv"] = sms.sms_csv(texts)
    return files


def describe_counts(box: Outbox) -> list[str]:
    counts = box.counts()
    return [f"{CHANNEL_LABELS[ch]} : {counts[ch]}" for ch in Channel if counts[ch] or ch != Channel.AUCUN]


def prepared_about(root: Path, people: list[tuple[str, str, str, str]]) -> list[str]:
    """Every file of each ``prive/courrier/<moment>/`` folder whose list names one of ``people``
    (courriel, telephone, prenom, nom): for ``erase``, so that nothing prepared keeps them."""
    from ateliers_cli.correspondence.recipients import normalise_phone
    from ateliers_cli.importers.util import fold
    from ateliers_cli.store.private import read_dicts

    folder = root / OUT_DIR
    if not folder.is_dir():
        return []
    mails = {fold(m) for m, _t, _p, _n in people if m.strip()}
    phones = {normalise_phone(t) for _m, t, _p, _n in people if t.strip()}
    names = {fold(" ".join(x for x in (p, n) if x)) for _m, _t, p, n in people if p or n}
    out: list[str] = []
    for sub in sorted(folder.iterdir()):
        listing = sub / "liste.csv"
        if not sub.is_dir() or not listing.is_file():
            continue
        for row in read_dicts(root, listing.relative_to(root).as_posix()):
            if (
                fold(row.get("courriel", "")) in mails
                or (row.get("telephone") and normalise_phone(row["telephone"]) in phones)
                or fold(row.get("destinataire", "")) in names
            ):
                out += sorted(p.relative_to(root).as_posix() for p in sub.rglob("*") if p.is_file())
                break
    return out
