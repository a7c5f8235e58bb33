"""``ateliers courrier``: messages from the data, sent through a real SMTP server on 127.0.0.1
(aiosmtpd, STARTTLS with a test certificate authority, a login), then read back."""

from __future__ import annotations

import contextlib
import csv
import email
import email.policy
import hashlib
import io
import os
import shutil
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ateliers_cli.load import load
from tests.importing import cli, write_bytes

SENDER = "Participation citoyenne <participation@nord.example>"
USER, PASSWORD = "ateliers", "secret-de-test"


# --- a real SMTP server ------------------------------------------------------------------


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        self.messages.clear()
        self.envelopes.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Inbox, dict[str, str]]]:
    """An SMTP server on 127.0.0.1 that demands STARTTLS and a login, and keeps what it receives."""
    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    import ssl

    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535 itself

    inbox = _Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,

    )
    controller.start()
    env = {
        "ATELIERS_SMTP_HOTE": "127.0.0.1",
        "ATELIERS_SMTP_PORT": str(port),
        "ATELIERS_SMTP_UTILISATEUR": USER,
        "ATELIERS_SMTP_MOT_DE_PASSE": PASSWORD,
        "ATELIERS_SMTP_CA": str(ca_file),
    }
    try:
        yield inbox, env
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: tuple[_Inbox, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> _Inbox:
    inbox, env = smtp_server
    inbox.clear()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return inbox


# --- the demo, with people ---------------------------------------------------------------


@contextlib.contextmanager
def _clock() -> Iterator[None]:
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1795000000"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


@pytest.fixture(scope="module")
def _closed_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ateliers_cli.demo import run_demo

    root = tmp_path_factory.mktemp("courrier") / "demo"
    with _clock():
        run_demo(root)
    return root


PAPER = ("courrier", "telephone")
REFUSED = "C-0002"  # said « non » to being contacted again


def _contributors(root: Path) -> dict[str, dict[str, str]]:
    """A private register for the demo: e-mails for those who wrote online, postal addresses for
    those who wrote by post or phone; everyone agreed to be contacted but one."""
    c = load(root).consultation
    rows: dict[str, dict[str, str]] = {}
    for cid, ct in sorted(c.contributions.items()):
        n = cid[2:]
        row = {"id": cid, "nom": f"Nom{n}", "prenom": f"Prénom{n}", "contact": "non" if cid == REFUSED else "oui"}
        if ct.canal in PAPER:
            row |= {"adresse": f"{int(n)} rue des Tilleuls", "code_postal": "59000", "commune": "Lille"}
        else:
            row["courriel"] = f"{cid.lower()}@example.org"
        rows[cid] = row
    return rows


def _write_register(root: Path, rows: dict[str, dict[str, str]]) -> None:
    buf = io.StringIO(newline="")
    cols = [
        "id",
        "nom",
        "prenom",
        "courriel",
        "telephone",
        "adresse",
        "commune",
        "code_postal",
        "autres",
        "source",
        "contact",
    ]
    w = csv.DictWriter(buf, fieldnames=cols, delimiter=";", lineterminator="\r\n")
    w.writeheader()
    for row in rows.values():
        w.writerow(row)
    (root / "prive").mkdir(exist_ok=True)
    (root / "prive" / "contributeurs.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


REGISTRATIONS = (
    "Horodateur;Nom;Prénom;E-mail;Téléphone;Atelier choisi;J'accepte d'être recontacté·e\r\n"
    "02/01/2026 09:00;Arnaud;Alice;alice@example.org;;douai-1;oui\r\n"
    "02/01/2026 10:00;Bernard;Bruno;bruno@example.org;;douai-1;oui\r\n"
    "02/01/2026 11:00;Carpentier;Chloé;chloe@example.org;;douai-1;oui\r\n"
    "02/01/2026 12:00;Dufour;Denis;;06 11 22 33 44;douai-1;oui\r\n"
)


@pytest.fixture
def demo(_closed_demo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(_closed_demo, root, symlinks=True)
    douai = root / "ateliers" / "douai-1.yaml"
    text = douai.read_text(encoding="utf-8")
    import re

    douai.write_text(re.sub(r"(?m)^capacite: \d+", "capacite: 2", text), encoding="utf-8")
    _write_register(root, _contributors(root))
    export = write_bytes(tmp_path / "inscriptions.csv", REGISTRATIONS.encode("utf-8"))
    r = cli("-C", root, "inscriptions", "import", export)
    assert r.exit_code == 0, r.output
    return root


def _body(m: EmailMessage) -> str:
    part = m.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def _ics(m: EmailMessage) -> str | None:
    for part in m.iter_attachments():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    return None


# --- the tests ---------------------------------------------------------------------------


def test_registrations_confirmed_promoted_and_never_twice(demo: Path, smtp: _Inbox) -> None:
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 0, r.output
    assert "3 courriels envoyés ; 0 déjà envoyé auparavant" in r.stdout
    assert "1 personne sans courriel" in r.stdout  # Dufour: a mobile only, in the SMS list
    assert sorted(a for env in smtp.envelopes for a in env) == [
        "alice@example.org",
        "bruno@example.org",
        "chloe@example.org",
    ]
    alice = smtp.to("alice@example.org")[0]
    assert alice["From"] == SENDER
    assert "est confirmée" in str(alice["Subject"])
    body = _body(alice)
    assert body.startswith("Bonjour Alice Arnaud,\n")
    assert "Lieu : " in body and "invitation.ics" in body
    ics = _ics(alice)
    assert ics is not None and "BEGIN:VEVENT" in ics and "UID:atelier-douai-1@" in ics and "TZID=Europe/Paris" in ics
    chloe = smtp.to("chloe@example.org")[0]
    assert "liste d'attente" in str(chloe["Subject"]) and "au rang 1" in _body(chloe)
    assert _ics(chloe) is None  # no place yet: no invitation
    # a second run sends nothing new
    smtp.clear()
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0")
    assert "0 courriel envoyé ; 3 déjà envoyés auparavant" in r.stdout
    assert smtp.messages == []
    # Bruno cancels: Chloé, first waiting, gets the place and is told
    r = cli("-C", demo, "inscriptions", "annuler", "bruno@example.org")
    assert "À prévenir (1)" in r.stdout and "CARPENTIER Chloé" in r.stdout
    r = cli("-C", demo, "courrier", "envoyer", "place-liberee", "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 0, r.output
    assert [env for env in smtp.envelopes] == [["chloe@example.org"]]
    promoted = smtp.messages[0]
    assert "Une place s'est libérée" in str(promoted["Subject"]) and _ics(promoted) is not None
    r = cli("-C", demo, "courrier", "envoyer", "place-liberee", "--de", SENDER, "--cadence", "0")
    assert "0 courriel envoyé ; 1 déjà envoyé auparavant" in r.stdout
    # the log is private, and names no address
    log = (demo / "prive" / "courrier" / "envois.csv").read_text(encoding="utf-8-sig")
    assert len(log.strip().splitlines()) == 1 + 4 and "@" not in log.replace("@nord.example", "")


def test_fates_after_the_vote_by_mail_and_by_letter(demo: Path, smtp: _Inbox) -> None:
    c = load(demo).consultation
    erased = "C-0001"
    r = cli("-C", demo, "erase", erased)
    assert r.exit_code == 0, r.output
    r = cli("-C", demo, "courrier", "envoyer", "devenir", "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 0, r.output
    got = {a for env in smtp.envelopes for a in env}
    online = {cid for cid, ct in c.contributions.items() if ct.canal not in PAPER}
    expected = {f"{cid.lower()}@example.org" for cid in online} - {
        f"{REFUSED.lower()}@example.org",
        f"{erased.lower()}@example.org",
    }
    assert got == expected
    assert len(smtp.messages) == len(expected)  # one message per person
    # each to the right person: the message names that person's contribution and its fate
    one = smtp.to("c-0037@example.org")[0]
    body = _body(one)
    assert "Bonjour Prénom0037 Nom0037," in body
    assert "Contribution C-0037" in body and "Une proposition des ateliers s'appuie sur elle" in body
    assert "Faire de chaque commune un territoire attentif à l'isolement (O-01) : adoptée" in body
    assert "C-0038" not in body
    # again: nothing new
    smtp.clear()
    r = cli("-C", demo, "courrier", "envoyer", "devenir", "--de", SENDER, "--cadence", "0")
    assert smtp.messages == [] and "0 courriel envoyé" in r.stdout
    # letters for those who wrote by post or phone
    r = cli("-C", demo, "courrier", "preparer", "devenir", "--de", SENDER)
    assert r.exit_code == 0, r.output
    folder = demo / "prive" / "courrier" / "devenir"
    paper = sorted(cid for cid, ct in c.contributions.items() if ct.canal in PAPER and cid not in (REFUSED, erased))
    letters = sorted((folder / "lettres").glob("*.pdf"))
    assert len(letters) == len(paper) > 0
    from pypdf import PdfReader

    merged = PdfReader(str(folder / "lettres.pdf"))
    assert len(merged.pages) >= len(paper)
    texts = [PdfReader(str(p)).pages[0].extract_text() for p in letters]
    for cid in paper:  # one letter each, the address block as La Poste reads it
        n = cid[2:]
        mine = [t for t in texts if f"Prénom{n} NOM{n}\n{int(n)} rue des Tilleuls\n59000 LILLE" in t]
        assert len(mine) == 1, cid
        assert "Objet : Ce qu'est devenue votre contribution" in mine[0] and f"Contribution {cid}" in mine[0]
    assert "".join(p.extract_text() for p in merged.pages).count("59000 LILLE") == len(paper)
    mbox = (folder / "courriels.mbox").read_bytes()
    assert mbox.count(b"\nFrom ") + mbox.startswith(b"From ") == len(expected)
    emls = sorted((folder / "courriels").glob("*.eml"))
    assert len(emls) == len(expected)
    assert email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.default)["X-Ateliers-Message"].startswith(
        "devenir|"
    )
    listing = (folder / "liste.csv").read_text(encoding="utf-8-sig")
    assert listing.count(";oui;devenir|") == len(expected)  # already sent, said so
    # erasing someone takes the prepared messages that name them away
    other = min(online - {REFUSED, erased})
    r = cli("-C", demo, "erase", other)
    assert r.exit_code == 0, r.output
    assert "prive/courrier/ : les courriers préparés qui la nomment supprimés (devenir)" in r.stdout
    left = b"".join(p.read_bytes() for p in (demo / "prive" / "courrier").rglob("*") if p.is_file())
    assert f"{other.lower()}@example.org".encode() not in left
    r = cli("-C", demo, "courrier", "preparer", "devenir", "--de", SENDER)
    assert r.exit_code == 0, r.output
    assert f"{other.lower()}@example.org" not in (folder / "liste.csv").read_text(encoding="utf-8-sig")


def test_restitution_invitations_with_ics_and_sms_list(
    demo: Path, smtp: _Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 18 November 2026: the meeting is ahead
    meeting = demo / "restitutions" / "douai.yaml"
    text = meeting.read_text(encoding="utf-8")
    import re

    text = re.sub(r"(?m)^date: .*$", "date: 2026-12-10T18:30", text)
    meeting.write_text(re.sub(r"(?m)^statut: .*$", "statut: prevu", text), encoding="utf-8")
    r = cli("-C", demo, "courrier", "preparer", "restitution", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "courriels : " in r.stdout and "lettres : " in r.stdout and "SMS : 1" in r.stdout
    assert "Exemple (courriels)" in r.stdout and "Exemple (SMS), pour Denis Dufour" in r.stdout
    assert "simulation : rien n'a été écrit" in r.stdout
    assert not (demo / "prive" / "courrier" / "restitution").exists()
    r = cli("-C", demo, "courrier", "envoyer", "restitution", "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 0, r.output
    c = load(demo).consultation
    douai = {
        f"{cid.lower()}@example.org"
        for cid, ct in c.contributions.items()
        if ct.territoire == "douai" and ct.canal not in PAPER and cid != REFUSED
    }
    got = {a for env in smtp.envelopes for a in env}
    assert got == douai | {"alice@example.org", "bruno@example.org", "chloe@example.org"}
    ics = _ics(smtp.to("alice@example.org")[0])
    assert ics is not None and "DTSTART;TZID=Europe/Paris:20261210T183000" in ics
    r = cli("-C", demo, "courrier", "preparer", "restitution", "--de", SENDER)
    assert r.exit_code == 0, r.output
    sms = (demo / "prive" / "courrier" / "restitution" / "sms.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sms[0] == "telephone;message;reference"
    assert sms[1].startswith("0611223344;") and "réunion publique" in sms[1]


def test_opt_out_and_overridden_template(demo: Path, smtp: _Inbox) -> None:
    r = cli("-C", demo, "courrier", "refus", "alice@example.org")
    assert r.exit_code == 0 and "plus aucun message" in r.stdout
    (demo / "templates" / "courrier").mkdir(parents=True)
    (demo / "templates" / "courrier" / "confirmation.txt.j2").write_text(
        "Objet : Bienvenue, {{ personne.prenom }}\n\nÀ bientôt à {{ atelier.lieu }}.\n", encoding="utf-8"
    )
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 0, r.output
    assert {a for env in smtp.envelopes for a in env} == {"bruno@example.org", "chloe@example.org"}
    assert str(smtp.to("bruno@example.org")[0]["Subject"]) == "Bienvenue, Bruno"
    # a template that escapes the sandbox is refused, in French, and nothing is sent
    smtp.clear()
    (demo / "templates" / "courrier" / "place-liberee.txt.j2").write_text(
        "Objet : {{ ''.__class__.__mro__ }}\n", encoding="utf-8"
    )
    cli("-C", demo, "inscriptions", "annuler", "bruno@example.org")
    r = cli("-C", demo, "courrier", "envoyer", "place-liberee", "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 1 and "gabarit" in r.stderr and "Traceback" not in r.output
    assert smtp.messages == []


def test_nobody_to_write_to_is_explained(_closed_demo: Path, tmp_path: Path) -> None:
    """The example ships no personal data (prive/ is never in git): zero messages, and why."""
    root = tmp_path / "demo"
    shutil.copytree(_closed_demo, root, symlinks=True)
    r = cli("-C", root, "courrier", "preparer", "devenir", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "0 message — courriels : 0, lettres : 0, SMS : 0." in r.stdout
    assert "Personne à qui écrire pour ce moment" in r.stderr and "prive/contributeurs.csv" in r.stderr


def test_settings_come_from_the_environment_only(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in (
        "ATELIERS_SMTP_HOTE",
        "ATELIERS_SMTP_PORT",
        "ATELIERS_SMTP_UTILISATEUR",
        "ATELIERS_SMTP_MOT_DE_PASSE",
        "ATELIERS_SMTP_CA",
        "ATELIERS_SMTP_TLS",
    ):
        monkeypatch.delenv(k, raising=False)
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER)
    assert r.exit_code == 2 and "ATELIERS_SMTP_HOTE n'est pas définie" in r.stderr
    monkeypatch.setenv("ATELIERS_SMTP_HOTE", "smtp.example.org")
    monkeypatch.setenv("ATELIERS_SMTP_TLS", "aucun")
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER)
    assert r.exit_code == 2 and "envoi sans chiffrement refusé" in r.stderr
    r = cli("-C", demo, "courrier", "envoyer", "confirmation")
    assert r.exit_code == 2 and "adresse d'expédition manquante" in r.stderr
    r = cli("-C", demo, "courrier", "preparer", "devenr")
    assert r.exit_code == 2 and "moment « devenr » inconnu" in r.stderr and "devenir" in r.stderr


def test_wrong_password_is_said(demo: Path, smtp: _Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATELIERS_SMTP_MOT_DE_PASSE", "faux")
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER)
    assert r.exit_code == 1 and "refuse l'identifiant « ateliers »" in r.stderr
    assert smtp.messages == [] and not (demo / "prive" / "courrier" / "envois.csv").exists()


def test_a_log_written_before_person_keys_sends_nothing_twice(demo: Path, smtp: _Inbox) -> None:
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0")
    assert "3 courriels envoyés" in r.stdout, r.output
    log = demo / "prive" / "courrier" / "envois.csv"
    lines = log.read_text(encoding="utf-8-sig").splitlines()
    # each message is logged under the person's key, the one of prive/inscriptions.csv
    keys = {row["personne"] for row in csv.DictReader(io.StringIO(
        (demo / "prive" / "inscriptions.csv").read_text(encoding="utf-8-sig")), delimiter=";")}
    assert {line.split(";")[0].rsplit("|", 1)[1] for line in lines[1:]} <= keys
    # the same log as written before person keys: each person known by an unkeyed hash of their e-mail
    former = {}
    for m in smtp.messages:
        address = str(m["To"]).split("<")[-1].rstrip(">")
        new_id = str(m["X-Ateliers-Message"]).strip()
        unkeyed = hashlib.sha256(f"courriel:{address}".encode()).hexdigest()[:16]
        former[new_id] = new_id.rsplit("|", 1)[0] + "|" + unkeyed
    text = log.read_text(encoding="utf-8-sig")
    for new_id, old_id in former.items():
        text = text.replace(new_id, old_id)
    log.write_text(text, encoding="utf-8-sig")
    smtp.clear()
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0", "--dry-run")
    assert "0 courriel serait envoyé" in r.stdout, r.output
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0")
    assert "0 courriel envoyé ; 3 déjà envoyés auparavant" in r.stdout, r.output
    assert smtp.messages == []
    after = log.read_text(encoding="utf-8-sig")
    assert all(new_id in after for new_id in former) and after.count("avant les clés de personne") == 3, (after, former)


def test_resumable_with_a_limit(demo: Path, smtp: _Inbox) -> None:
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0", "--limite", "2")
    assert "2 courriels envoyés" in r.stdout and "1 reste à envoyer" in r.stdout
    r = cli("-C", demo, "courrier", "envoyer", "confirmation", "--de", SENDER, "--cadence", "0")
    assert "1 courriel envoyé ; 2 déjà envoyés auparavant" in r.stdout
    assert len(smtp.messages) == 3 and len({str(m["Message-ID"]) for m in smtp.messages}) == 3


# --- the whole loop, in one story on the demo --------------------------------------------


E2E_REGISTRATIONS = (
    "Horodateur;Nom;Prénom;E-mail;Téléphone;Ateliers choisis (par ordre de préférence);Besoins;"
    "J'accepte d'être recontacté·e\r\n"
    "02/01/2026 09:00;Arnaud;Alice;alice@example.org;;douai-1, lille-1;fauteuil roulant;oui\r\n"
    "02/01/2026 10:00;Bernard;Bruno;bruno@example.org;;douai-1;LSF;oui\r\n"
    "02/01/2026 11:00;Carpentier;Chloé;chloe@example.org;;1. douai-1 2. douai-1;garde d'enfants;oui\r\n"
    "02/01/2026 12:00;Dufour;Denis;;06 11 22 33 44;douai-1;;oui\r\n"
    "02/01/2026 13:00;Étienne;Émile;emile@example.org;;douai-1, lille-1;aucun;oui\r\n"
    "02/01/2026 14:00;Nom0001;Prénom0001;c-0001@example.org;;lille-1;;oui\r\n"  # erased before: ignored
    "02/01/2026 15:00;Nom0004;Prénom0004;c-0004@example.org;;lille-1;;oui\r\n"  # opted out: nothing
    "02/01/2026 16:00;Faure;Fanny;fanny@example.org;;lille-1;;non\r\n"  # refused: nothing
    "02/01/2026 17:00;Nom0005;Prénom0005;c-0005@example.org;;lille-1;;oui\r\n"  # also a contributor
)


def _cited_orientations(c: Any, cid: str) -> dict[str, str]:
    """Independently of the tool's tracing: the orientations reached from a contribution through
    the propositions that cite it, their groups and the vote, with the decision as the letter says it."""
    labels = {"adoptee": "adoptée", "amendee": "adoptée avec amendements", "non_retenue": "non retenue"}
    props = {p.id for p in c.propositions.values() if cid in p.contributions}
    groups = {g.id for g in c.regroupements.values() if props & set(g.propositions)}
    decisions = {d.orientation: d.decision for d in c.deliberation.decisions}
    return {o.id: labels[decisions[o.id]] for o in c.orientations.values() if groups & set(o.regroupements)}


def _pdftotext(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _envoyer(root: Path, moment: str) -> Any:
    r = cli("-C", root, "courrier", "envoyer", moment, "--de", SENDER, "--cadence", "0")
    assert r.exit_code == 0, r.output
    return r


def test_end_to_end_on_the_demo(
    _closed_demo: Path, tmp_path: Path, smtp: _Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15's bar in one story, on the demo led to its closure: confirmations, a cancellation
    and the promotion it brings, invitations with a calendar file, « devenir » messages after the
    vote — received by a real SMTP server, each to the right person, none to an erased person or
    one who opted out, nothing sent twice; letters in PDF and an SMS list for the others."""
    import re

    import icalendar

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 18 November 2026: after the vote
    root = tmp_path / "demo"
    shutil.copytree(_closed_demo, root, symlinks=True)
    douai = root / "ateliers" / "douai-1.yaml"
    douai.write_text(re.sub(r"(?m)^capacite: \d+", "capacite: 2", douai.read_text(encoding="utf-8")), encoding="utf-8")
    people = _contributors(root)
    people["C-0003"] |= {"courriel": "", "telephone": "06 98 76 54 32"}  # a mobile only: SMS
    people["C-0038"]["courriel"] = "c-0037@example.org"  # one person, two contributions
    _write_register(root, people)

    # the right to erasure first, and an opt-out: neither person ever gets anything
    r = cli("-C", root, "erase", "--auteur", "c-0001@example.org")
    assert r.exit_code == 0, r.output
    r = cli("-C", root, "courrier", "refus", "c-0004@example.org")
    assert r.exit_code == 0, r.output
    never = {"c-0001@example.org", "c-0004@example.org", "fanny@example.org", f"{REFUSED.lower()}@example.org"}

    # registrations, ranked choices and needs
    export = write_bytes(tmp_path / "inscriptions.csv", E2E_REGISTRATIONS.encode("utf-8"))
    r = cli("-C", root, "inscriptions", "import", export)
    assert r.exit_code == 0, r.output
    assert "personne effacée" in r.stderr  # C-0001's registration is not imported

    # 1. confirmations, to every registrant with consent
    r = _envoyer(root, "confirmation")
    got = sorted(a for env in smtp.envelopes for a in env)
    assert got == [
        "alice@example.org", "bruno@example.org", "c-0005@example.org", "chloe@example.org", "emile@example.org"
    ]
    assert not never & set(got)
    alice, emile = smtp.to("alice@example.org")[0], smtp.to("emile@example.org")[0]
    titles = {aid: a.titre for aid, a in load(root).consultation.ateliers.items()}
    assert f"« {titles['douai-1']} »" in _body(alice) and "(PMR)" in _body(alice)
    assert f"« {titles['lille-1']} »" in _body(emile)  # douai-1 full: his second choice
    chloe = smtp.to("chloe@example.org")[0]
    assert "liste d'attente" in str(chloe["Subject"]) and "au rang 1" in _body(chloe) and _ics(chloe) is None
    assert "1 personne sans courriel" in r.stdout  # Denis: a mobile only
    r = cli("-C", root, "courrier", "preparer", "confirmation", "--de", SENDER)
    assert r.exit_code == 0, r.output
    sms = (root / "prive" / "courrier" / "confirmation" / "sms.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(sms) == 2 and sms[1].startswith("0611223344;") and "liste d'attente (rang 2)" in sms[1]

    # 2. a cancellation promotes the first person waiting, listed « à prévenir », and told
    smtp.clear()
    r = cli("-C", root, "inscriptions", "annuler", "bruno@example.org")
    assert r.exit_code == 0, r.output
    assert "À prévenir (1)" in r.stdout and "CARPENTIER Chloé" in r.stdout and "DUFOUR" not in r.stdout
    _envoyer(root, "place-liberee")
    assert smtp.envelopes == [["chloe@example.org"]]
    promoted = smtp.messages[0]
    assert "Une place s'est libérée" in str(promoted["Subject"]) and "Atelier du Douaisis" in _body(promoted)
    cal = icalendar.Calendar.from_ical(_ics(promoted))
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2026-01-17T09:30:00+01:00"

    # 3. invitations to the restitution meeting of one's territory, with a valid .ics
    meeting = root / "restitutions" / "douai.yaml"
    text = re.sub(r"(?m)^date: .*$", "date: 2026-12-10T18:30", meeting.read_text(encoding="utf-8"))
    meeting.write_text(re.sub(r"(?m)^statut: .*$", "statut: prevu", text), encoding="utf-8")
    smtp.clear()
    _envoyer(root, "restitution")
    c = load(root).consultation
    douai_online = {
        row["courriel"] for cid, row in people.items()
        if c.contributions[cid].territoire == "douai" and row.get("courriel") and cid != REFUSED
    }
    got = sorted(a for env in smtp.envelopes for a in env)
    assert got == sorted(douai_online | {"alice@example.org", "chloe@example.org"})  # Bruno cancelled
    assert got.count("c-0005@example.org") == 1  # contributor and registrant: one invitation
    for m in smtp.messages:
        cal = icalendar.Calendar.from_ical(_ics(m))
        assert cal["method"] == "PUBLISH"
        (event,) = cal.walk("VEVENT")
        assert event.decoded("dtstart").isoformat() == "2026-12-10T18:30:00+01:00"
        assert str(event["location"]) == "Maison de la vie associative, Douai"
        assert str(event["uid"]).startswith("restitution-douai@")
        assert "réunion publique du jeudi 10 décembre 2026" in str(m["Subject"])

    # 4. « devenir » after the vote: each person told what became of *their* contributions
    smtp.clear()
    _envoyer(root, "devenir")
    paper = {cid for cid, ct in c.contributions.items() if ct.canal in PAPER}
    expected = {row["courriel"] for cid, row in people.items() if row.get("courriel")} - never
    got_list = [a for env in smtp.envelopes for a in env]
    assert sorted(got_list) == sorted(expected)  # one message per person
    by_person: dict[str, list[str]] = {}
    for cid, row in people.items():
        if row.get("courriel") and cid != "C-0001":
            by_person.setdefault(row["courriel"], []).append(cid)
    for m in smtp.messages:
        addr = str(m["To"]).split("<")[-1].rstrip(">")
        body = _body(m)
        mine = by_person[addr]
        assert re.findall(r"— Contribution (C-\d{4})", body) == sorted(mine), addr
        cited: dict[str, str] = {}
        for cid in mine:
            ct = c.contributions[cid]
            cited |= _cited_orientations(c, ct.doublon_de or cid)
        for oid, decision in cited.items():
            assert re.search(rf"\({oid}\) : {decision}\b", body), (addr, oid)
        if not cited and all(c.contributions[x].statut == "analysee" for x in mine):
            assert "Aucune proposition ne la cite directement" in body, addr
        others = set(re.findall(r"C-\d{4}", body)) - set(mine)
        assert not others - {c.contributions[x].doublon_de for x in mine}, addr
    two = smtp.to("c-0037@example.org")[0]
    assert "chacune de vos contributions" in _body(two)

    # 5. nothing new on a second run of every moment
    smtp.clear()
    for moment in ("confirmation", "place-liberee", "restitution", "devenir"):
        r = _envoyer(root, moment)
        assert "0 courriel envoyé" in r.stdout, (moment, r.stdout)
    assert smtp.messages == []

    # 6. letters for those who wrote by post or phone; SMS for a mobile only
    r = cli("-C", root, "courrier", "preparer", "devenir", "--de", SENDER)
    assert r.exit_code == 0, r.output
    folder = root / "prive" / "courrier" / "devenir"
    to_paper = sorted(paper - {REFUSED})
    letters = sorted((folder / "lettres").glob("*.pdf"))
    assert len(letters) == len(to_paper) > 0
    texts = [_pdftotext(p) for p in letters]
    for cid in to_paper:
        n = cid[2:]
        block = re.compile(rf"Prénom{n} NOM{n}\s*\n\s*{int(n)} rue des Tilleuls\s*\n\s*59000 LILLE\n")
        mine = [t for t in texts if block.search(t)]
        assert len(mine) == 1, cid
        letter = " ".join(mine[0].split())
        assert f"Contribution {cid}" in letter and "Objet : Ce qu'est devenue votre contribution" in letter
        for oid, decision in _cited_orientations(c, c.contributions[cid].doublon_de or cid).items():
            assert re.search(rf"\({oid}\) : {decision}\b", letter), (cid, oid)
        assert letter.count(c.collectivite.nom) == 2  # the sender's block, the signature: once each
    merged = _pdftotext(folder / "lettres.pdf")
    assert merged.count("59000 LILLE") == len(to_paper)
    assert merged.count("\f") >= len(to_paper) - 1  # each letter on its own pages
    sms = (folder / "sms.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sms[1:] and all(line.startswith("0698765432;") for line in sms[1:]) and len(sms) == 2

    # nowhere, by any channel, anything for the erased or opted-out person
    files = [p for p in (root / "prive" / "courrier").rglob("*") if p.is_file() and p.name != "refus.csv"]
    everything = "".join(_pdftotext(p) if p.suffix == ".pdf" else p.read_text(encoding="utf-8-sig") for p in files)
    for who in ("c-0001@example.org", "Prénom0001", "c-0004@example.org", "Prénom0004", "fanny@example.org", "Fanny"):
        assert who not in everything, who
