"""``ateliers init``: a new consultation that ``check`` accepts, schemas for the editors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_cli


def test_init_then_check(tmp_path: Path) -> None:
    target = tmp_path / "bien-vieillir"
    r = run_cli("init", target, "--titre", "Bien vieillir : ensemble", "--git")
    assert r.exit_code == 0, r.output
    assert (target / ".gitignore").read_text(encoding="utf-8").startswith("# Données personnelles")
    assert "prive/" in (target / ".gitignore").read_text(encoding="utf-8")
    assert (target / ".git").is_dir()
    assert (target / "schemas" / "contribution.schema.json").is_file()
    text = (target / "consultation.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schemas/consultation.schema.json")
    assert 'titre: "Bien vieillir : ensemble"' in text
    r = run_cli("-C", target, "check", "--strict")
    assert r.exit_code == 0, r.output
    ignored = subprocess.run(["git", "-C", str(target), "check-ignore", "prive/x.csv"], check=False, capture_output=True, text=True)
    assert ignored.returncode == 0


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("à garder", encoding="utf-8")
    r = run_cli("init", tmp_path / "x")
    assert r.exit_code == 1
    assert "existe déjà et n'est pas vide" in r.output
    assert (tmp_path / "x" / "notes.txt").read_text(encoding="utf-8") == "à garder"


def test_schemas_accept_the_example(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    r = run_cli("schema", "--out", tmp_path / "s")
    assert r.exit_code == 0
    kinds = {
        "consultation": ["consultation.yaml"],
        "themes": ["themes.yaml"],
        "atelier": [str(p.relative_to(EXAMPLE)) for p in sorted((EXAMPLE / "ateliers").glob("*.yaml"))],
        "lancement": ["forums/lancement.yaml"],
        "synthese": ["forums/synthese.yaml"],
        "orientations": ["orientations.yaml"],
        "deliberation": ["deliberation.yaml"],
        "restitution": [str(p.relative_to(EXAMPLE)) for p in sorted((EXAMPLE / "restitutions").glob("*.yaml"))],
    }
    for kind, files in kinds.items():
        schema = json.loads((tmp_path / "s" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        for rel in files:
            data = json.loads(json.dumps(yaml.safe_load((EXAMPLE / rel).read_text(encoding="utf-8")), default=str))
            errors = list(validator.iter_errors(data))
            assert not errors, f"{rel}: {errors[0].message}"
    bad = {"id": "C-1", "profil": "robot"}
    schema = json.loads((tmp_path / "s" / "contribution.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
