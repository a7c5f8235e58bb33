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
            d.append(
                error(
                    ct.path,
                    ct.line_of("auteur"),
                    f"contribution effacée le {ct.efface.isoformat()} dont l'auteur n'est pas « {ANONYMOUS_AUTHOR} »",
                    redo,
                    "effacement",
                )
            )
        if ct.organisation:
            d.append(
                error(
                    ct.path,
                    ct.line_of("organisation"),
                    f"contribution effacée le {ct.efface.isoformat()} qui garde son organisation",
                    redo,
                    "effacement",
                )
            )
        if ct.id in rows:
            d.append(
                error(
                    PRIVATE_CONTRIBUTORS,
                    rows[ct.id],
                    f"la contribution {ct.id} a été effacée le {ct.efface.isoformat()} mais ses données personnelles "
                    "sont encore là",
                    redo,
                    "effacement",
                )
            )
    return d


# --- outputs generated before an erasure --------------------------------------------------------

_TEXT_SUFFIXES = frozenset(
    {".html", ".htm", ".md", ".csv", ".json", ".txt", ".xml", ".svg", ".yaml", ".geojson", ".ics"}
)
_ZIP_SUFFIXES = frozenset({".odt", ".docx", ".ods", ".xlsx"})
_COMMANDS = {"documents": "ateliers render", "site": "ateliers site", "export": "ateliers export"}


def _mask(value: str) -> str:
    return value[:3] + "…" if len(value) > 4 else "…"


def _text_of(path: Path) -> str | None:
    """What a reader of ``path`` sees, as text; None for a format read as a whole (PDF…)."""
    import html
    import re
    import zipfile

    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        text = path.read_bytes().decode("utf-8", errors="replace")
        return html.unescape(text) if suffix in (".html", ".htm", ".xml", ".svg") else text
    if suffix in _ZIP_SUFFIXES:
        parts = []
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename.endswith(".xml") and info.file_size < 50_000_000:
                    parts.append(html.unescape(re.sub(r"<[^>]+>", " ", z.read(info).decode("utf-8", errors="replace"))))
        return "\n".join(parts)
    return None


def erased_in_outputs(root: Path) -> list[Diagnostic]:
    """Outputs and caches older than the last erasure that may still hold an erased identity.

    An output generated whole after the erasure (``render``, ``site``, ``export``, or
    ``erase`` itself, which regenerates them) is clean. Otherwise each file written
    before it is searched for the erased names, e-mails and phones (by their keyed
    hashes: prive/effacements.csv holds nothing else); a file that cannot be searched
    (PDF) or a cache is reported as stale."""
    import os
    import stat

    from ateliers_cli.store import outputs
    from ateliers_cli.store.erasures import Tombstone
    from ateliers_cli.store.paths import CACHE_DIR, ERASURES

    try:
        erased_at = (root / ERASURES).stat().st_mtime
        tombstone = Tombstone.read(root)
    except Exception:  # noqa: BLE001 - no register, or unreadable: the erasure rule is the importer's to report
        return []
    if not tombstone:
        return []
    day = tombstone.last
    generated = outputs.generated_at(root)
    places = {**outputs.places(root), "cache": root / CACHE_DIR}
    found: list[Diagnostic] = []
    for kind, folder in places.items():
        if not folder.is_dir() or folder.is_symlink():
            continue
        # generated whole after the erasure: a file is clean unless put there since (its ctime)
        regenerated = generated.get(kind, 0.0)
        if regenerated < erased_at:
            regenerated = 0.0
        redo = (
            f"régénérez-les : « {_COMMANDS[kind]} »"
            if kind in _COMMANDS
            else f"supprimez le dossier {CACHE_DIR} (ce n'est qu'un cache)"
        )
        for dirpath, _dirnames, filenames in os.walk(folder):
            for name in sorted(filenames):
                path = Path(dirpath) / name
                try:
                    st = path.lstat()
                    if (
                        stat.S_ISLNK(st.st_mode)
                        or st.st_mtime >= erased_at
                        or (regenerated and st.st_ctime <= regenerated)
                    ):
                        continue
                    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
                    text = None if kind == "cache" else _text_of(path)
                except (OSError, ValueError):
                    continue
                if text is None:
                    if name.startswith(".") and kind != "cache":
                        continue  # the tool's own registers (.empreintes.json…)
                    found.append(
                        error(
                            shown,
                            0,
                            f"produit avant l'effacement du {day} : peut encore contenir l'identité effacée",
                            redo,
                            "effacement-sortie",
                        )
                    )
                    continue
                hit = tombstone.found_in(text)
                if hit:
                    line = text.count("\n", 0, max(text.find(hit), 0)) + 1 if hit in text else 0
                    found.append(
                        error(
                            shown,
                            line,
                            f"contient encore l'identité d'une personne effacée le {day} (« {_mask(hit)} »)",
                            redo,
                            "effacement-sortie",
                        )
                    )
    return found
