"""Writing generated documents without ever losing a hand edit.

The tool keeps the fingerprint (sha256) of every file it writes in a manifest:
``documents/.empreintes.json`` for public documents, ``prive/.empreintes.json``
for private ones (attendance sheets). A file whose content no longer matches
its fingerprint was edited by hand: it is never overwritten silently. With
``force``, the edited version is kept beside it (``nom.modifie.md``) first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ateliers_cli.documents import OutputFile
from ateliers_cli.errors import AteliersError
from ateliers_cli.render.french import pluriel
from ateliers_cli.store import paths

MANIFESTS = {True: "documents/.empreintes.json", False: paths.MANIFEST}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(root: Path, public: bool) -> dict[str, str]:
    path = root / MANIFESTS[public]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise AteliersError(
            f"registre des documents illisible : {exc}",
            path=MANIFESTS[public],
            hint="supprimez ce fichier : les documents modifiés à la main ne seront alors plus protégés "
            "jusqu'au prochain rendu",
        ) from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _manifest_bytes(entries: dict[str, str]) -> bytes:
    return (json.dumps(dict(sorted(entries.items())), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@dataclass
class WritePlan:
    """What writing a set of documents would do, computed before anything is written."""

    writes: dict[str, bytes] = field(default_factory=dict)  # path -> content (documents and manifests)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # edited by hand, would be overwritten
    kept_aside: dict[str, str] = field(default_factory=dict)  # with force: edited file -> where it is kept
    deletes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> dict[str, bytes | None]:
        out: dict[str, bytes | None] = dict(self.writes)
        for rel in self.deletes:
            out[rel] = None
        return out

    @property
    def touched(self) -> int:
        return len(self.created) + len(self.updated) + len(self.removed)


def _aside_name(root: Path, rel: str) -> str:
    p = Path(rel)
    candidate = p.with_name(f"{p.stem}.modifie{p.suffix}")
    n = 2
    while (root / candidate).exists():
        candidate = p.with_name(f"{p.stem}.modifie-{n}{p.suffix}")
        n += 1
    return candidate.as_posix()


def plan_writes(
    root: Path,
    files: Iterable[OutputFile],
    *,
    force: bool = False,
    owned_prefixes: Iterable[str] = (),
) -> WritePlan:
    """Plan writing ``files``; files previously written under ``owned_prefixes`` and no longer
    produced are removed (unless edited by hand)."""
    plan = WritePlan()
    manifests = {pub: read_manifest(root, pub) for pub in (True, False)}
    new_manifests = {pub: dict(m) for pub, m in manifests.items()}
    produced: set[str] = set()
    for f in files:
        produced.add(f.path)
        target = root / f.path
        new_hash = sha256(f.content)
        manifest = manifests[f.public]
        new_manifests[f.public][f.path] = new_hash
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            plan.writes[f.path] = f.content
            plan.created.append(f.path)
            continue
        except OSError as exc:  # a name too long for the disk, a folder where the file goes…
            from ateliers_cli.yamlio import os_reason

            raise AteliersError(
                f"écriture impossible ({os_reason(exc)}) : rien n'a été modifié",
                path=f.path,
                hint="un identifiant trop long ? raccourcissez-le (nom du fichier et « id: »)",
            ) from None
        current_hash = sha256(current)
        if current_hash == new_hash:
            plan.unchanged.append(f.path)
            continue
        recorded = manifest.get(f.path)
        if recorded is not None and recorded != current_hash:
            if not force:
                plan.conflicts.append(f.path)
                continue
            aside = _aside_name(root, f.path)
            plan.writes[aside] = current
            plan.kept_aside[f.path] = aside
        elif recorded is None and not force:
            # a file we never wrote stands where a document goes: it is someone's
            plan.conflicts.append(f.path)
            continue
        elif recorded is None:
            aside = _aside_name(root, f.path)
            plan.writes[aside] = current
            plan.kept_aside[f.path] = aside
        plan.writes[f.path] = f.content
        plan.updated.append(f.path)
    prefixes = tuple(owned_prefixes)
    if prefixes:
        for pub, manifest in manifests.items():
            for rel, recorded in manifest.items():
                if rel in produced or not rel.startswith(prefixes):
                    continue
                target = root / rel
                if not target.exists():
                    new_manifests[pub].pop(rel, None)
                    continue
                if sha256(target.read_bytes()) == recorded:
                    plan.deletes.append(rel)
                    plan.removed.append(rel)
                    new_manifests[pub].pop(rel, None)
    if plan.conflicts:
        return plan
    for pub in (True, False):
        if new_manifests[pub] != manifests[pub]:
            plan.writes[MANIFESTS[pub]] = _manifest_bytes(new_manifests[pub])
    return plan


def conflict_error(plan: WritePlan) -> AteliersError:
    listing = ", ".join(plan.conflicts[:5]) + (" …" if len(plan.conflicts) > 5 else "")
    return AteliersError(
        f"{pluriel(len(plan.conflicts), 'document modifié', 'documents modifiés')} à la main depuis leur dernière "
        f"écriture par l'outil : {listing}",
        hint="rien n'a été écrit. Reportez vos modifications dans les données ou dans un gabarit "
        "(templates/), ou relancez avec --force : la version modifiée sera gardée à côté (.modifie)",
    )
