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


#: The tool's own files: its lock, its recovery journal, its caches. Never a user's change,
#: never committed, whether the consultation's .gitignore names them or not.
OWN_FILES = (".ateliers.lock", ".ateliers-journal", ".ateliers-cache")


def is_own_file(path: str) -> bool:
    """Whether ``path`` (as git prints it) is one of the tool's own files (:data:`OWN_FILES`,
    or a temporary file of a write in progress)."""
    from ateliers_cli.journal import is_staging_name

    parts = path.strip('"').split("/")
    return any(p in OWN_FILES for p in parts) or is_staging_name(parts[-1])


def dirty_files(root: Path) -> list[str]:
    """Changed, staged or untracked files under ``root`` (ignored files and the tool's own excluded)."""
    result = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".", check=False)
    if result.returncode != 0:
        return []
    names = [line[3:].split(" -> ")[-1] for line in result.stdout.splitlines() if line.strip()]
    return [name for name in names if not is_own_file(name)]


def tracked_files(root: Path, folder: str) -> list[str]:
    """The files under ``folder`` of ``root`` that git tracks, relative to ``root`` (none outside
    a repository). Cheap when there is no repository: git is not even started."""
    if find_git_dir(root) is None or not available():
        return []
    result = _git(root, "ls-files", "-z", "--full-name", "--", folder, check=False)
    if result.returncode != 0:
        return []
    prefix = repo_prefix(root)
    return sorted(name[len(prefix) :] for name in result.stdout.split("\0") if name.startswith(prefix) and name)


def repo_prefix(root: Path) -> str:
    """Where ``root`` is inside its repository (« » at its top, « consultations/nord/ » below)."""
    return _git(root, "rev-parse", "--show-prefix", check=False).stdout.strip()


def find_git_dir(root: Path) -> Path | None:
    """The git folder of the repository holding ``root`` (its ``.git``, or where a ``.git`` file
    points, for a worktree), found without starting git; None outside a repository."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            try:
                line = dot.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if line.startswith("gitdir:"):
                target = Path(line[len("gitdir:") :].strip())
                return target if target.is_absolute() else folder / target
            return None
    return None


def merge_in_progress(root: Path) -> list[str]:
    """The files an unfinished merge left in conflict; ``["(fusion en cours)"]`` when a merge
    is under way with all its conflicts settled but not yet committed; [] otherwise."""
    unmerged = _git(root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
    if unmerged:
        return sorted(set(unmerged))
    if _git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0:
        return ["(fusion en cours)"]
    return []


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
    """Refuse to commit when prive/ would be committed with its personal data: not ignored,
    or already tracked (a .gitignore does not apply to a tracked file)."""
    tracked = tracked_files(root, "prive")
    if tracked:
        listing = ", ".join(tracked[:5]) + (" …" if len(tracked) > 5 else "")
        raise AteliersError(
            f"des données personnelles sont enregistrées dans git ({listing}) : le commit y ajouterait "
            "les nouvelles ; rien n'a été écrit",
            path=tracked[0],
            hint="retirez-les du dépôt sans les effacer du disque (« git rm -r --cached prive », puis "
            "« git commit »), vérifiez que .gitignore contient « prive/ », puis relancez ; « ateliers check » "
            "explique comment les purger de l'historique",
        )
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
        # the tool's own files, when the .gitignore does not name them: taken back out of the commit
        _git(root, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", *OWN_FILES)
        _git(root, "commit", "-q", "--allow-empty", "-m", message)
        _git(root, "tag", "-a", tag, "-m", tag_message)
    except subprocess.CalledProcessError as exc:
        raise AteliersError(
            f"git a refusé l'enregistrement : {exc.stderr.strip() or exc}",
            hint="les fichiers sont écrits ; corrigez le problème git (identité : git config user.name / user.email), "
            "puis faites le commit à la main",
        ) from None
    return _git(root, "rev-parse", "HEAD").stdout.strip()
