"""The command line as a user meets it: help in French with an example, README coverage, usage errors."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from ateliers_cli.cli import app
from ateliers_cli.commands.common import help_text
from tests.conftest import REPO, run_cli


def _commands() -> list[tuple[str, ...]]:
    import typer.main

    group = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            found.extend((name, s) for s in sub)
        else:
            found.append((name,))
    return found


def test_every_command_has_french_help_with_an_example() -> None:
    commands = _commands()
    assert len(commands) >= 7
    for words in commands:
        r = run_cli(*words, "--help")
        assert r.exit_code == 0, words
        assert "Exemple" in r.stdout, f"{' '.join(words)} : pas d'exemple dans l'aide"
        assert "Show this message" not in r.stdout


def test_a_paragraph_of_help_is_not_broken_where_the_source_wraps_it() -> None:
    """The site command's docstring wraps « Le texte d'une / contribution » in the source: one line in the help."""
    runner = CliRunner()
    r = runner.invoke(app, ["site", "--help"], terminal_width=300, env={"COLUMNS": "300"})
    assert r.exit_code == 0
    assert "Le texte d'une contribution n'est publié qu'avec l'accord de son auteur" in r.stdout
    assert help_text("Titre.\n\n    Une ligne\n    et la suite.\n\n    - un\n    - deux\n") == (
        "Titre.\n\nUne ligne et la suite.\n\n- un\n- deux"
    )


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for words in _commands():
        assert f"ateliers {' '.join(words)}" in readme, f"« ateliers {' '.join(words)} » absent du README"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert "ateliers demo" in blocks[0]
    assert "pytest" in blocks[1]
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").count("-m pytest") == 1


def test_usage_errors_are_french_and_exit_2() -> None:
    r = run_cli("check", "--stric")
    assert r.exit_code == 2
    assert "option inconnue : --stric ; vouliez-vous dire --strict ?" in r.output
    r = run_cli("chek")
    assert r.exit_code == 2
    assert "commande inconnue : « chek »" in r.output


def test_version() -> None:
    r = run_cli("--version")
    assert r.exit_code == 0
    assert r.stdout.startswith("ateliers ")


def test_pre_commit_hook_runs_check(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import re as _re
    import shutil

    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "ateliers-check")
    assert hook["entry"] == "ateliers" and hook["language"] == "python"
    pattern = _re.compile(hook["files"])
    assert pattern.search("contributions/C-0001.md") and pattern.search("consultation.yaml")
    assert not pattern.search("documents/1-appel/synthese.md") and not pattern.search("prive/contributeurs.csv")
    example = tmp_path / "c"
    shutil.copytree(REPO / "exemple_consultation", example)
    r = run_cli("-C", example, *hook["args"])
    assert r.exit_code == 0, r.output


def test_flags_show_no_value_and_refuse_one() -> None:
    r = run_cli("--help")
    assert r.exit_code == 0
    assert "<bool>" not in r.stdout and "<int>" not in r.stdout.split("--verbeux")[1].splitlines()[0]
    r = run_cli("advance", "--help")
    assert "<bool>" not in r.stdout
    r = run_cli("--silencieux", "true", "status")
    assert r.exit_code == 2
    assert "une option comme --silencieux ou --dry-run s'écrit seule, sans valeur" in r.output


def test_aide_prints_the_reference_from_the_schema() -> None:
    from ateliers_cli.schema import FILE_KINDS

    r = run_cli("aide")
    assert r.exit_code == 0
    for kind, (_obj, pattern) in FILE_KINDS.items():
        assert kind in r.stdout and pattern in r.stdout
    for topic in ("atelier", "ateliers", "ateliers/lille-1.yaml"):
        r = run_cli("aide", topic)
        assert r.exit_code == 0, r.output
        assert r.stdout.startswith("ateliers/*.yaml — Un atelier citoyen de coproduction.")
        # every key the validation knows, nested ones included, with its rules
        for key in (
            "capacite (obligatoire) : nombre entier (au moins 1)",
            "statut (obligatoire) : texte parmi : prevu, tenu, annule",
            "productions : liste de blocs",
            "      soutiens : nombre entier",
        ):
            assert key in r.stdout, key
    r = run_cli("aide", "restitution")
    assert "retours : liste de blocs (un retour)" in r.stdout
    r = run_cli("aide", "atelir")
    assert r.exit_code == 2
    assert "sujet d'aide inconnu : « atelir »" in r.stderr and "« atelier »" in r.stderr
