"""The README's first hour, run as written: a fresh virtual environment, then the quick start."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _blocks(readme: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL)


def _commands(block: str) -> list[str]:
    """The commands of a README block, without their trailing « # comment »."""
    return [
        re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip() and not line.startswith("#")
    ]


def test_readme_first_hour_in_a_fresh_venv_reaches_status(tmp_path: Path) -> None:
    """The first set-up command, the activation line, then the quick start up to « ateliers status »:
    never « command not found ». A real venv and a real « pip install . » (about a minute)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = _blocks(readme)
    install = _commands(blocks[0])[0]
    assert install == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/ateliers demo"
    start = readme.index("## Démarrage rapide")
    activate = next(c for b in _blocks(readme[start:]) for c in _commands(b) if c.startswith("source "))
    quick = next(b for b in _blocks(readme[start:]) if "ateliers status" in b)
    steps = []
    for command in _commands(quick):
        steps.append(command)
        if command == "ateliers status":
            break
    project = tmp_path / "projet"
    shutil.copytree(
        REPO,
        project,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "*.egg-info", "build", "demo-consultation", "__pycache__", ".ateliers*"
        ),
    )
    python = Path(sys.executable).resolve()
    script = "\n".join(["set -e", install.replace("python3", str(python), 1), activate, *steps])
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"  # no « ateliers » from elsewhere
    env.setdefault("GIT_AUTHOR_NAME", "Claire Animatrice")
    env.setdefault("GIT_AUTHOR_EMAIL", "claire@example.invalid")
    env.setdefault("GIT_COMMITTER_NAME", "Claire Animatrice")
    env.setdefault("GIT_COMMITTER_EMAIL", "claire@example.invalid")
    r = subprocess.run(
        ["bash", "-c", script], check=False, cwd=project, env=env, capture_output=True, text=True, timeout=1200
    )
    output = r.stdout + r.stderr
    assert "command not found" not in output and "commande introuvable" not in output, output
    assert r.returncode == 0, output
    assert "Consultation créée dans ma-consultation" in r.stdout
    assert "La consultation est clôturée." in r.stdout  # the example, through the seven stages by the set-up command
    assert "1. Appel à contributions  ← étape en cours" in r.stdout  # « ateliers status » of the new one
    assert (project / "ma-consultation" / ".git").is_dir()
