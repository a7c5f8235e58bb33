"""Helpers for the import tests: a consultation made with « ateliers init », the CLI, real data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ateliers_cli.cli import app
from ateliers_cli.load import load
from ateliers_cli.yamledit import edit_file

#: The real platform exports, when this checkout sits beside them.
SHARED_DATA = next(
    (p for p in (Path(__file__).resolve().parents[2] / "shared" / "data", Path("/work/shared/data")) if p.is_dir()),
    None,
)

TWO_TERRITORIES = [
    {
        "id": "lille",
        "nom": "Lille",
        "population": 1267099,
        "communes": ["Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq"],
        "codes_postaux": ["59000", "59100", "59200"],
    },
    {
        "id": "douai",
        "nom": "Douai",
        "population": 245007,
        "communes": ["Douai", "Sin-le-Noble"],
        "codes_postaux": ["59500"],
    },
]


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: str | Path, input: str | None = None) -> Run:
    result = CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def new_consultation(
    tmp_path: Path, territoires: list[dict[str, Any]] | None = None, name: str = "consultation"
) -> Path:
    """A consultation created by « ateliers init », with the given territories."""
    root = tmp_path / name
    r = cli("init", root)
    assert r.exit_code == 0, r.output
    if territoires is not None:

        def change(data: Any) -> None:
            data["territoires"] = territoires

        (root / "consultation.yaml").write_text(edit_file(root / "consultation.yaml", change), encoding="utf-8")
    return root


def contribution_files(root: Path) -> list[Path]:
    return sorted((root / "contributions").glob("C-*.md"))


def diagnostics_of(root: Path, prefix: str = "contributions/") -> list[Any]:
    """The loader's diagnostics about files under ``prefix``."""
    return [d for d in load(root).diagnostics if d.path.startswith(prefix)]


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def snapshot(root: Path, folder: str) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / folder).rglob("*")) if p.is_file()}
