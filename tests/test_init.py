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
    ignored = subprocess.run(
        ["git", "-C", str(target), "check-ignore", "prive/x.csv"], check=False, capture_output=True, text=True
    )
    assert ignored.returncode == 0
    # --git leaves a first commit holding every file init wrote, and a clean tree
    log = subprocess.run(
        ["git", "-C", str(target), "log", "--format=%s"], check=True, capture_output=True, text=True
    ).stdout
    assert log.splitlines() == ["Nouvelle consultation : Bien vieillir : ensemble"]
    tracked = subprocess.run(
        ["git", "-C", str(target), "ls-files"], check=True, capture_output=True, text=True
    ).stdout.split()
    assert {
        "consultation.yaml",
        "themes.yaml",
        "ateliers/_exemple.yaml",
        "restitutions/_exemple.yaml",
        ".gitignore",
    } <= set(tracked)
    assert (
        subprocess.run(
            ["git", "-C", str(target), "status", "--porcelain"], check=True, capture_output=True, text=True
        ).stdout
        == ""
    )


def test_placeholders_left_fail_strict_check_and_every_gate(tmp_path: Path) -> None:
    target = tmp_path / "c"
    assert run_cli("init", target).exit_code == 0
    r = run_cli("-C", target, "check")
    assert r.exit_code == 0, r.output  # warnings only
    r = run_cli("-C", target, "check", "--strict")
    assert r.exit_code == 1
    expected = [
        ("consultation.yaml:9:", "« description »"),
        ("consultation.yaml:21:", "« nom » : « Premier arrondissement (à remplacer) »"),
        ("consultation.yaml:29:", "« nom » : « Commission Solidarités (à remplacer) »"),
        ("themes.yaml:7:", "« titre » : « Un premier thème (à remplacer) »"),
        ("themes.yaml:9:", "« description »"),
        ("themes.yaml:11:", "« question »"),
    ]
    lines = [line for line in r.stderr.splitlines() if "exemple écrit par « ateliers init »" in line]
    assert len(lines) == len(expected), r.stderr
    for (where, what), line in zip(expected, lines):
        assert line.startswith(f"{where} avertissement : {what}"), line
    # the same placeholders block the stage: status and advance list them as errors
    r = run_cli("-C", target, "status")
    assert "themes.yaml:7: erreur : « titre » : « Un premier thème (à remplacer) »" in r.output
    r = run_cli("-C", target, "advance", "--dry-run")
    assert r.exit_code == 1
    assert "consultation.yaml:21: erreur : « nom » : « Premier arrondissement (à remplacer) »" in r.stderr
    # replaced, they are gone; the commented examples of ateliers/ and restitutions/ are never read
    for rel in ("consultation.yaml", "themes.yaml"):
        path = target / rel
        path.write_text(
            path.read_text(encoding="utf-8").replace("(à remplacer) ", "").replace(" (à remplacer)", ""),
            encoding="utf-8",
        )
    r = run_cli("-C", target, "check", "--strict")
    assert r.exit_code == 0, r.output


def test_init_writes_a_commented_example_of_every_file_kind(tmp_path: Path) -> None:
    from ateliers_cli.schema import FILE_KINDS

    target = tmp_path / "c"
    assert run_cli("init", target).exit_code == 0
    examples = {
        "consultation": "consultation.yaml",
        "themes": "themes.yaml",
        "atelier": "ateliers/_exemple.yaml",
        "lancement": "forums/lancement.yaml",
        "synthese": "forums/synthese.yaml",
        "orientations": "orientations.yaml",
        "deliberation": "deliberation.yaml",
        "restitution": "restitutions/_exemple.yaml",
        "reponses": "reponses.yaml",
        "suivi": "suivi.yaml",
        "contribution": "contributions/_exemple.md",
    }
    assert set(examples) == set(FILE_KINDS)
    for kind, rel in examples.items():
        text = (target / rel).read_text(encoding="utf-8")
        assert f"ateliers aide {kind}" in text, rel
        assert "docs/format.md" not in text, rel
    # the commented examples are valid once uncommented (one « # » removed from each line, from « id: » on)
    import yaml

    from ateliers_cli.schema import validate

    for rel, kind in (("ateliers/_exemple.yaml", "atelier"), ("restitutions/_exemple.yaml", "restitution")):
        lines = (target / rel).read_text(encoding="utf-8").splitlines()
        start = lines.index(next(line for line in lines if line.startswith("# id:")))
        data = yaml.safe_load("\n".join(line[2:] for line in lines[start:]))
        _clean, diags = validate(data, FILE_KINDS[kind][0], rel)
        assert not diags, diags
    header = (target / "contributions/_exemple.md").read_text(encoding="utf-8").split("---\n")[1]
    _clean, diags = validate(yaml.safe_load(header), FILE_KINDS["contribution"][0], "contributions/_exemple.md")
    assert not diags, diags
    # none of the examples is read: the new consultation has no contribution, workshop or restitution
    r = run_cli("-C", target, "status", "--json")
    figures = json.loads(r.stdout)["chiffres"]
    assert (
        figures["contributions"]["total"] == 0
        and figures["ateliers"]["total"] == 0
        and figures["restitutions"]["total"] == 0
    )


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
        "reponses": ["reponses.yaml"],
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
