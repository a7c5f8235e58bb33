"""The little of git that ``advance`` needs: is the tree clean, who is the user, commit and tag."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from pathlib import Path

from ateliers_cli.errors import AteliersError


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C")
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=check, env=env)


def available() -> bool:
    return shutil.which("git") is not None


def is_repo(root: Path) -> bool:
    if not available():
        return False
    result = _git(root, "rev-parse", "--is-inside-work-tree", check=False)
    return result.returncode == 0 and result.stdout.strip() == "true"


def is_tracked(root: Path, rel: str) -> bool:
    """Whether git tracks the file ``rel`` of ``root`` (False outside a repository, or without git)."""
    if not available():
        return False
    return _git(root, "ls-files", "--error-unmatch", "--", rel, check=False).returncode == 0


def dirty_files(root: Path) -> list[str]:
    """Changed, staged or untracked files under ``root`` (ignored files excluded)."""
    result = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".", check=False)
    if result.returncode != 0:
        return []
    return [line[3:] for line in result.stdout.splitlines() if line.strip()]


def user_name(root: Path) -> str:
    if available():
        result = _git(root, "config", "user.name", check=False)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "inconnu"


def tag_commit(root: Path, tag: str) -> str:
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}", check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def check_private_ignored(root: Path) -> None:
    """Refuse to commit when prive/ would be committed with its personal data."""
    if _git(root, "check-ignore", "-q", "prive/x", check=False).returncode != 0:
        raise AteliersError(
            "le dossier prive/ n'est pas ignoré par git : ses données personnelles seraient enregistrées",
            path=".gitignore",
            hint="ajoutez une ligne « prive/ » au fichier .gitignore de la consultation, puis relancez",
        )


def commit_and_tag(root: Path, message: str, tag: str, tag_message: str) -> str:
    """Commit everything under ``root`` except ``prive/``, tag it; return the commit id."""
    if tag_commit(root, tag):
        raise AteliersError(
            f"l'étiquette git « {tag} » existe déjà",
            hint=f"supprimez-la si elle est de trop (git tag -d {tag}), puis relancez",
        )
    check_private_ignored(root)
    try:
        _git(root, "add", "-A", "--", ".")
        _git(root, "commit", "-q", "--allow-empty", "-m", message)
        _git(root, "tag", "-a", tag, "-m", tag_message)
    except subprocess.CalledProcessError as exc:
        raise AteliersError(
            f"git a refusé l'enregistrement : {exc.stderr.strip() or exc}",
            hint="les fichiers sont écrits ; corrigez le problème git (identité : git config user.name / user.email), puis faites le commit à la main",
        ) from None
    return _git(root, "rev-parse", "HEAD").stdout.strip()
