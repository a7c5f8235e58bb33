"""One source record, one contribution: the same row imported twice is reported.

The importer recognises a record it has already imported (by the source's own id, else
by its content), whatever the file's name. Two facilitators who imported the same export
on two branches each made a contribution of it: after the merge, this rule finds them.
"""

from __future__ import annotations

from ateliers_cli.errors import Diagnostic, warning
from ateliers_cli.model import Consultation


def identities(source: dict[str, object] | None) -> list[str]:
    """The identities a contribution's source is recognised by (as the importer does)."""
    if not source:
        return []
    out = []
    if source.get("origine") and source.get("cle"):
        out.append(f"cle:{source['origine']}:{source.get('colonnes') or ''}:{source['cle']}")
    if source.get("empreinte"):
        out.append(f"empreinte:{source['empreinte']}")
    return out


def check_provenance(c: Consultation) -> list[Diagnostic]:
    first: dict[str, str] = {}
    found: list[Diagnostic] = []
    for ct in sorted(c.contributions.values(), key=lambda ct: ct.path):
        if ct.statut == "doublon":
            continue
        for identity in identities(ct.source):
            other = first.setdefault(identity, ct.id)
            if other != ct.id:
                found.append(
                    warning(
                        ct.path,
                        ct.line_of("source"),
                        f"la même ligne de la source que {other} (importée deux fois, sans doute sur deux branches)",
                        f"gardez-en une : marquez celle-ci « statut: doublon », « doublon_de: {other} », ou "
                        "supprimez-la",
                        "source-en-double",
                    )
                )
                break
    return found
