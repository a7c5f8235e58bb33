"""The project documents itself: what its code and docs refer to is in the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTSIDE = "PRODUCT" + ".md"  # a contract of the team, not shipped: never referred to


def _shipped() -> list[Path]:
    files = [REPO / "README.md", REPO / "CHANGELOG.md", REPO / "pyproject.toml"]
    for folder in ("ateliers_cli", "docs", "tests", "templates"):
        files += [
            p for p in (REPO / folder).rglob("*") if p.is_file() and p.suffix in (".py", ".md", ".j2", ".toml", ".txt")
        ]
    return files


def test_no_reference_to_a_document_the_project_does_not_contain() -> None:
    offenders = [
        str(p.relative_to(REPO)) for p in _shipped() if OUTSIDE in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert offenders == []


def test_every_docs_file_named_in_the_code_and_docs_exists() -> None:
    named = set()
    for p in _shipped():
        named |= set(re.findall(r"\bdocs/[\w.-]+\.md\b", p.read_text(encoding="utf-8", errors="replace")))
        if p.parent.name == "docs":
            named |= {f"docs/{m}" for m in re.findall(r"\]\(([\w.-]+\.md)", p.read_text(encoding="utf-8"))}
    assert "docs/etapes.md" in named
    assert sorted(n for n in named if not (REPO / n).is_file()) == []


def test_typer_is_bounded_below_the_next_version_we_have_not_tried() -> None:
    """commands/localise.py patches Typer's internals: a new Typer is tried before it is allowed."""
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    typer = next(d for d in deps if re.match(r"typer\b", d))
    assert re.search(r"<\s*\d", typer), typer
