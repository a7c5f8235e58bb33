"""Sending e-mails through SMTP: settings from the environment, STARTTLS, throttled,
resumable, and a log in ``prive/`` so that no message is ever sent twice.

Settings (environment variables only — never a file of the consultation, which git keeps):

``ATELIERS_SMTP_HOTE``         the server (required)
``ATELIERS_SMTP_PORT``         587 by default (465 with ``ATELIERS_SMTP_TLS=ssl``)
``ATELIERS_SMTP_TLS``          ``starttls`` (default), ``ssl``, or ``aucun`` (a relay on this machine only)
``ATELIERS_SMTP_UTILISATEUR``  and ``ATELIERS_SMTP_MOT_DE_PASSE``: the login, when the server asks
``ATELIERS_SMTP_CA``           a certificate authority file to trust (an internal relay)
"""

from __future__ import annotations

import csv
import io
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ateliers_cli.correspondence.emails import MESSAGE_HEADER
from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.importers.util import plural

LOG_PATH = "prive/courrier/envois.csv"
LOG_COLUMNS = ("message", "envoye_le", "message_id")
_LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    tls: str  # starttls | ssl | aucun
    user: str
    password: str
    ca: str

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        host = env.get("ATELIERS_SMTP_HOTE", "").strip()
        if not host:
            raise UsageError(
                "aucun serveur d'envoi : la variable ATELIERS_SMTP_HOTE n'est pas définie",
                hint="définissez ATELIERS_SMTP_HOTE (et ATELIERS_SMTP_PORT, ATELIERS_SMTP_UTILISATEUR, "
                "ATELIERS_SMTP_MOT_DE_PASSE) ; "
                "les identifiants ne se mettent jamais dans le dossier de la consultation",
            )
        tls = env.get("ATELIERS_SMTP_TLS", "starttls").strip().lower() or "starttls"
        if tls not in ("starttls", "ssl", "aucun"):
            raise UsageError(f"ATELIERS_SMTP_TLS : « {tls} » inconnu", hint="starttls (par défaut), ssl ou aucun")
        raw_port = env.get("ATELIERS_SMTP_PORT", "").strip() or ("465" if tls == "ssl" else "587")
        if not raw_port.isdigit():
            raise UsageError(f"ATELIERS_SMTP_PORT : « {raw_port} » n'est pas un numéro de port", hint="par exemple 587")
        user = env.get("ATELIERS_SMTP_UTILISATEUR", "")
        password = env.get("ATELIERS_SMTP_MOT_DE_PASSE", "")
        if tls == "aucun" and host not in _LOCAL:
            raise UsageError(
                f"envoi sans chiffrement refusé vers « {host} »",
                hint="sans TLS, seul un relais sur cette machine (localhost) est accepté : ATELIERS_SMTP_TLS=starttls",
            )
        return cls(host, int(raw_port), tls, user, password, env.get("ATELIERS_SMTP_CA", "").strip())

    def context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.ca or None)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"ATELIERS_SMTP_CA : certificat illisible ({exc})", path=self.ca) from None


def read_log(root: Path) -> set[str]:
    """The ids of the messages already sent."""
    path = root / LOG_PATH
    if not path.is_file():
        return set()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AteliersError(
            f"journal des envois illisible : {exc}",
            path=LOG_PATH,
            hint="ne le supprimez pas : il empêche d'envoyer deux fois le même message",
        ) from None
    return {
        row["message"] for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=";") if row.get("message")
    }


FORMER_ID_NOTE = "(envoyé sous l'identifiant d'avant les clés de personne)"


def carry_over(root: Path, ids: list[str], when: str) -> None:
    """Messages the log lists under the id a log written before person keys gave them, noted
    under their id now: « courrier envoyer » never sends them again."""
    for message_id in ids:
        _append_log(root, message_id, when, FORMER_ID_NOTE)


def _append_log(root: Path, message_id: str, when: str, header_id: str) -> None:
    """One line per message sent, on disk before the next is sent: a run stopped anywhere resumes."""
    path = root / LOG_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    if new:
        w.writerow(LOG_COLUMNS)
    w.writerow((message_id, when, header_id))
    data = buf.getvalue().encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (b"\xef\xbb\xbf" if new else b"") + data)
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class SendReport:
    sent: int = 0
    already: int = 0
    left: int = 0  # not sent because of --limite
    refused: list[tuple[str, str]] = field(default_factory=list)  # (address, the server's answer)


def _connect(s: Settings) -> smtplib.SMTP:
    try:
        if s.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=60, context=s.context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=60)
        smtp.ehlo()
        if s.tls == "starttls":
            smtp.starttls(context=s.context())
            smtp.ehlo()
        if s.user:
            smtp.login(s.user, s.password)
        return smtp
    except smtplib.SMTPAuthenticationError:
        raise AteliersError(
            f"le serveur {s.host} refuse l'identifiant « {s.user} »",
            hint="vérifiez ATELIERS_SMTP_UTILISATEUR et ATELIERS_SMTP_MOT_DE_PASSE",
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise AteliersError(
            f"le serveur {s.host}:{s.port} ne propose pas STARTTLS", hint="essayez ATELIERS_SMTP_TLS=ssl et le port 465"
        ) from None
    except ssl.SSLError as exc:
        raise AteliersError(
            f"connexion chiffrée impossible avec {s.host}:{s.port} : {exc.reason or exc}",
            hint="certificat non reconnu ? ATELIERS_SMTP_CA=fichier.pem pour un relais interne",
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise AteliersError(
            f"connexion impossible au serveur {s.host}:{s.port} : {exc}",
            hint="vérifiez ATELIERS_SMTP_HOTE et ATELIERS_SMTP_PORT, et le réseau",
        ) from None


def send(
    root: Path,
    mails: Iterable[EmailMessage],
    settings: Settings,
    *,
    per_minute: float = 30,
    limit: int | None = None,
    when: Callable[[], str],
    on_sent: Callable[[EmailMessage], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send the messages not in the log yet, at most ``per_minute`` a minute, ``limit`` in all."""
    done = read_log(root)
    report = SendReport()
    todo = []
    for m in mails:
        if m[MESSAGE_HEADER] in done:
            report.already += 1
        else:
            todo.append(m)
    if limit is not None and len(todo) > limit:
        report.left = len(todo) - limit
        todo = todo[:limit]
    if not todo:
        return report
    pause = 60.0 / per_minute if per_minute > 0 else 0.0
    smtp = _connect(settings)
    try:
        for i, m in enumerate(todo):
            if i and pause:
                sleep(pause)
            try:
                refused = smtp.send_message(m)
            except smtplib.SMTPRecipientsRefused as exc:
                report.refused.extend(
                    (addr, f"{code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}")
                    for addr, (code, msg) in exc.recipients.items()
                )
                continue
            except smtplib.SMTPServerDisconnected:
                smtp = _connect(settings)  # a server that closes after N messages: once more
                refused = smtp.send_message(m)
            except (OSError, smtplib.SMTPException) as exc:
                raise AteliersError(
                    f"envoi interrompu après {plural(report.sent, 'message')} : {exc}",
                    hint="relancez la même commande : les messages déjà envoyés (journal prive/courrier/envois.csv) ne "
                    "le seront pas une seconde fois",
                ) from None
            if refused:
                report.refused.extend((addr, f"{code}") for addr, (code, _msg) in refused.items())
                continue
            _append_log(root, str(m[MESSAGE_HEADER]), when(), str(m["Message-ID"]))
            report.sent += 1
            if on_sent is not None:
                on_sent(m)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return report
