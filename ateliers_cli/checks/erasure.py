"""An erased contribution keeps no identity: its author is anonymous, its private row is gone.

``ateliers erase`` does both; this rule catches a hand edit, a re-import or a restored
backup that brought the identity back. Only the ids of ``prive/contributeurs.csv`` are
read, never published.
"""

from __future__ import annotations

from pathlib import Path

from ateliers_cli.errors import Diagnostic, error
from ateliers_cli.model import ANONYMOUS_AUTHOR, Consultation
from ateliers_cli.store.paths import CONTRIBUTORS as PRIVATE_CONTRIBUTORS


def private_ids(root: Path) -> dict[str, int]:
    """Contribution id → line in prive/contributeurs.csv (empty when there is no such file)."""
    from ateliers_cli.store.private import ContributorRegister

    try:
        return ContributorRegister(root).lines
    except Exception:  # noqa: BLE001 - an unreadable register is the importer's to report
        return {}


def check_erasure(c: Consultation) -> list[Diagnostic]:
    erased = [ct for ct in c.contributions.values() if ct.efface is not None]
    if not erased:
        return []
    d: list[Diagnostic] = []
    rows = private_ids(c.root)
    for ct in erased:
        assert ct.efface is not None
        redo = f"relancez « ateliers erase {ct.id} », qui retire l'identité partout"
        if ct.auteur != ANONYMOUS_AUTHOR:
            d.append(error(ct.path, ct.line_of("auteur"), f"contribution effacée le {ct.efface.isoformat()} dont l'auteur n'est pas « {ANONYMOUS_AUTHOR} »", redo, "effacement"))
        if ct.organisation:
            d.append(error(ct.path, ct.line_of("organisation"), f"contribution effacée le {ct.efface.isoformat()} qui garde son organisation", redo, "effacement"))
        if ct.id in rows:
            d.append(
                error(PRIVATE_CONTRIBUTORS, rows[ct.id], f"la contribution {ct.id} a été effacée le {ct.efface.isoformat()} mais ses données personnelles sont encore là", redo, "effacement")
            )
    return d
