"""Where the tool keeps contributions and personal data, relative to the consultation.

Everything under ``prive/`` stays out of git (``.gitignore``) and out of every output.
Light to import: the cache and the checks read these names without the rest.
"""

from __future__ import annotations

CONTRIBUTIONS_DIR = "contributions"
PRIVATE_DIR = "prive"
#: The tool's caches (parsed files, check report, office files): deleted by erase.
CACHE_DIR = ".ateliers-cache"
#: Generated outputs, by kind, where they go unless --out says otherwise.
OUTPUT_DIRS = {"documents": "documents", "site": "site", "export": "export"}

#: Personal details of the contributors, one row per contribution that has any.
CONTRIBUTORS = "prive/contributeurs.csv"
#: Registrations for the workshops (names, contacts, needs).
REGISTRATIONS = "prive/inscriptions.csv"
#: Needs per workshop, for the organisers.
NEEDS = "prive/besoins.md"
#: Attendance sheets, one per workshop.
SHEETS_DIR = "prive/emargement"
#: Keyed hashes of the erased (identifiers, public names, records): later imports skip them.
ERASURES = "prive/effacements.csv"
#: Where the site and the export were generated, when not in their default folder (--out).
OUTPUTS = "prive/.sorties.json"
#: Checksums of the private files the tool wrote (an edited sheet is never overwritten silently).
MANIFEST = "prive/.empreintes.json"


def contribution_path(cid: str) -> str:
    """``contributions/<id>.md``."""
    return f"{CONTRIBUTIONS_DIR}/{cid}.md"
