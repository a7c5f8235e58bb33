"""E-mails as standard files: one ``.eml`` (RFC 5322) per message, and one mbox of them all."""

from __future__ import annotations

import datetime as dt
import hashlib
import mailbox
import tempfile
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from ateliers_cli.errors import UsageError

#: The header that names the message in the send log (moment, subject, pseudonymous person key).
MESSAGE_HEADER = "X-Ateliers-Message"


def check_sender(sender: str) -> str:
    """The sender as given (« Service participation <participation@lenord.fr> »), checked."""
    _name, addr = parseaddr(sender)
    if not addr or "@" not in addr or addr.startswith("@") or addr.endswith("@"):
        raise UsageError(
            f"adresse d'expédition invalide : « {sender} »",
            hint='par exemple --de "Participation citoyenne <participation@exemple.fr>" (ou la variable '
            'ATELIERS_COURRIER_DE)',
        )
    return sender


def build(
    message_id: str, sender: str, to_name: str, to_addr: str, subject: str, body: str, stamp: object, ics: bytes | None
) -> EmailMessage:
    """One e-mail: plain French text, and the meeting's invitation attached when there is one."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = formataddr((to_name, to_addr)) if to_name else to_addr
    msg["Subject"] = subject
    msg["Date"] = format_datetime(stamp)  # type: ignore[arg-type]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "ateliers.invalid"
    msg["Message-ID"] = f"<{hashlib.sha256(message_id.encode('utf-8')).hexdigest()[:32]}@{domain}>"
    msg[MESSAGE_HEADER] = message_id
    msg["Content-Language"] = "fr"
    msg.set_content(body)
    if ics is not None:
        msg.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="invitation.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return msg


def mbox_bytes(messages: list[EmailMessage], stamp: dt.datetime | None = None) -> bytes:
    """All the messages as one mbox file (the format every mail program imports); each « From »
    line dated ``stamp`` (the messages' date), so that the same messages give the same file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "courriels.mbox"
        box = mailbox.mbox(str(path), create=True)
        try:
            box.lock()
            for m in messages:
                entry = mailbox.mboxMessage(m)
                if stamp is not None:
                    entry.set_from("MAILER-DAEMON", stamp.astimezone(dt.UTC).timetuple())
                box.add(entry)
            box.flush()
        finally:
            box.unlock()
            box.close()
        return path.read_bytes()
