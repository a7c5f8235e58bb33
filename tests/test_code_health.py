"""The code stays lintable and typed: ruff (its default rules and lines of at most 120 characters) and mypy.

Both are in the « test » extra, so the suite and CI run them; a finding fails the test with ruff's or mypy's
own report (file:line: rule).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(module: str) -> list[str]:
    try:
        __import__(module)
    except ImportError:
        pytest.skip(f"{module} n'est pas installé (pip install '.[test]')")
    return [sys.executable, "-m", module]


def test_ruff_finds_nothing() -> None:
    cmd = _tool("ruff")
    r = subprocess.run([*cmd, "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_lines_are_at_most_120_characters() -> None:
    cmd = _tool("ruff")
    r = subprocess.run([*cmd, "check", "--no-cache", "--select", "E501", "--output-format", "concise", "."],
                       cwd=ROOT, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_finds_nothing(tmp_path: Path) -> None:
    cmd = _tool("mypy")
    r = subprocess.run([*cmd, "--cache-dir", str(tmp_path / "mypy"), "ateliers_cli"], cwd=ROOT,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_line_rule_is_switched_on() -> None:
    """The E501 test above passes only on selected rules: the configuration must select it."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'extend-select = ["E501"]' in text and "line-length = 120" in text
