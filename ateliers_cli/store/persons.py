"""A person is a key, not a display name.

Each contributor and each registrant gets a pseudonymous key, kept in ``prive/`` beside
their details (column ``personne``). It is derived from what identifies them, in this
order: the e-mail address (case aside), the phone number (``+33 6…`` is ``06…``), the
first and last name with the commune. Rows that share any of these with a person already
known get that person's key: the same person across rows, files and channels is one key.

The key is an HMAC of the identifier under a secret that never lives in the consultation
folder, so that neither ``prive/contributeurs.csv`` nor the erasure register
(``prive/effacements.csv``) lets anyone check a guess (« was jeanne@… a contributor? was
she erased? ») by hashing it — the files of ``prive/`` get copied, attached, backed up.
The secret is, in this order:

1. the environment variable ``ATELIERS_CLE_PERSONNES`` (any text; a team of facilitators
   sets the same one on every computer so that keys agree between their clones);
2. the file ``ateliers/cle-personnes`` of the user's configuration folder
   (``$XDG_CONFIG_HOME``, by default ``~/.config``), created at first use, readable by the
   user only. Copy it to a colleague's computer to share keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ateliers_cli.errors import AteliersError
from ateliers_cli.importers.util import fold
from ateliers_cli.store import paths
from ateliers_cli.store.private import ContributorRegister, read_dicts

ENV_SECRET = "ATELIERS_CLE_PERSONNES"
KEY_PREFIX = "pers-"

_SECRET: tuple[tuple[str, str], bytes] | None = None


def secret_path() -> Path:
    """Where the secret is kept when the environment does not give it."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "ateliers" / "cle-personnes"


def secret() -> bytes:
    """The secret of the person keys (see the module's documentation)."""
    global _SECRET
    given = os.environ.get(ENV_SECRET, "")
    if given:
        return given.encode("utf-8")
    # read once a run: what decides where the file is (not its Path, costly for 100 000 rows)
    where = (os.environ.get("XDG_CONFIG_HOME", ""), os.environ.get("HOME", ""))
    if _SECRET is not None and _SECRET[0] == where:
        return _SECRET[1]
    path = secret_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32) + "\n")
        value = path.read_bytes().strip()
    except (OSError, RuntimeError) as exc:
        raise AteliersError(
            f"clé des personnes introuvable et impossible à créer ({path}) : {getattr(exc, 'strerror', None) or exc}",
            hint=f"donnez-la dans la variable d'environnement {ENV_SECRET} (la même pour toute l'équipe), ou rendez ce "
            "dossier accessible en écriture",
        ) from None
    if len(value) < 16:
        raise AteliersError(
            f"clé des personnes trop courte dans {path}",
            hint="supprimez ce fichier (une nouvelle clé sera créée) ou recopiez celle d'un collègue ; ou utilisez "
            f"{ENV_SECRET}",
        )
    _SECRET = (where, value)
    return value


_KEYED: tuple[bytes, Any] | None = None  # the secret, and HMAC-SHA256 ready with it


def keyed(value: str, key: bytes | None = None) -> str:
    """A keyed hash of ``value``: 20 base32 characters (100 bits), lower case.
    ``key``: the :func:`secret`, when the caller holds it already."""
    global _KEYED
    key = key if key is not None else secret()
    if _KEYED is None or _KEYED[0] != key:
        _KEYED = (key, hmac.new(key, digestmod=hashlib.sha256))
    mac = _KEYED[1].copy()
    mac.update(value.encode("utf-8"))
    # base32, not hex: a run of hex digits can look like a phone number to the personal data check.
    # Its first 20 characters are those of the first 15 bytes (base32 codes 5 bytes at a time).
    return base64.b32encode(mac.digest()[:15]).decode("ascii")[:20].lower()


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 6 else ""


def identifiers(details: Mapping[str, str]) -> list[str]:
    """What identifies a person in a row of personal details, most reliable first."""
    out: list[str] = []
    email = (details.get("courriel") or "").strip().casefold()
    if "@" in email:
        out.append("courriel:" + email)
    phone = _phone(details.get("telephone") or "")
    if phone:
        out.append("telephone:" + phone)
    nom, prenom = fold(details.get("nom") or ""), fold(details.get("prenom") or "")
    where = fold(details.get("commune") or "") or fold(details.get("code_postal") or "")
    if nom and where:
        out.append(f"nom:{prenom} {nom}|{where}".replace(": ", ":"))
    return out


def key_of(identifier: str, key: bytes | None = None) -> str:
    return KEY_PREFIX + keyed(identifier, key)[:12]


class PersonIndex:
    """Keys of the persons known so far, by the keyed hash of each of their identifiers."""

    def __init__(self) -> None:
        self.by_identifier: dict[str, str] = {}
        self._secret: bytes | None = None  # read at the first key, once for all the rows

    def _keyed(self, ident: str) -> str:
        if self._secret is None:
            self._secret = secret()
        return keyed(ident, self._secret)

    def add(self, key: str, details: Mapping[str, str]) -> None:
        for ident in identifiers(details):
            self.by_identifier.setdefault(self._keyed(ident), key)

    def key(self, details: Mapping[str, str], fallback: str = "") -> str:
        """The person's key: the one already given to any of their identifiers, else a new one.

        Without any identifier, the key comes from ``fallback`` (the row's own source
        identity): a person nobody can recognise is a person of their own."""
        idents = identifiers(details)
        hashed = [self._keyed(i) for i in idents]
        for h in hashed:
            if h in self.by_identifier:
                key = self.by_identifier[h]
                break
        else:
            if not idents and not fallback:
                return ""
            key = KEY_PREFIX + (hashed[0] if hashed else self._keyed("source:" + fallback))[:12]
        for h in hashed:
            self.by_identifier.setdefault(h, key)
        return key


def person_index(root: Path, register: ContributorRegister) -> PersonIndex:
    """The persons known from both registers; a contributor row without its key gets one."""
    index = PersonIndex()
    registrations = read_dicts(root, paths.REGISTRATIONS)
    for row in [*register.rows.values(), *registrations]:
        if row.get("personne"):
            index.add(row["personne"], row)
    for cid, row in register.rows.items():
        if not row.get("personne"):
            row["personne"] = index.key(row, fallback=f"contribution:{cid}")
    for row in registrations:
        if not row.get("personne"):
            index.key(row)
    return index


def person_keys(root: Path) -> dict[str, str]:
    """Contribution id → the key of its author, for the contributions whose author is in prive/."""
    register = ContributorRegister(root)
    if not register.rows:
        return {}
    person_index(root, register)  # gives a key to the rows written before keys existed
    return {cid: row["personne"] for cid, row in register.rows.items() if row.get("personne")}
