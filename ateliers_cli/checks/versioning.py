"""What git must not hold: the personal data of ``prive/``."""

from __future__ import annotations

from pathlib import Path

from ateliers_cli import gitrepo
from ateliers_cli.errors import Diagnostic, error


def check_versioning(root: Path) -> list[Diagnostic]:
    """Every file of ``prive/`` that git tracks, as an error saying how to take it out."""
    tracked = gitrepo.tracked_files(root, "prive")
    if not tracked:
        return []
    in_repo = gitrepo.repo_prefix(root) + "prive/"  # filter-repo names paths from the top of the repository
    return [
        error(
            rel,
            0,
            "ce fichier de données personnelles est enregistré dans git : chaque commit le publie "
            "à qui a une copie du dépôt",
            "retirez-le du dépôt sans l'effacer du disque : « git rm -r --cached prive » puis "
            "« git commit » ; ajoutez « prive/ » au .gitignore. Les versions déjà enregistrées restent "
            f"dans l'historique : pour les en purger, « git filter-repo --invert-paths --path {in_repo} » "
            "(ou BFG), puis faites remplacer toutes les copies du dépôt (voir docs/git.md)",
            "donnees-personnelles-versionnees",
        )
        for rel in tracked
    ]
