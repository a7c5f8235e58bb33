"""The frequent edits by command: a workshop held or cancelled, a commission's opinion, the vote."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def _changed(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b), after
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_workshop_held_changes_only_its_lines_and_keeps_comments(example: Path) -> None:
    path = example / "ateliers" / "lille-1.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "participants: 33", "# compté sur la feuille d'émargement\nparticipants: 33"
    )
    path.write_text(text, encoding="utf-8")
    r = run_cli("-C", example, "atelier", "tenu", "lille-1", "--participants", "35")
    assert r.exit_code == 0, r.output
    assert "atelier « lille-1 » tenu, 35 participants" in r.stdout
    assert _changed(text, path.read_text(encoding="utf-8")) == [("participants: 33", "participants: 35")]


def test_workshop_planned_then_held_then_cancelled(example: Path) -> None:
    path = example / "ateliers" / "cambrai-1.yaml"
    text = path.read_text(encoding="utf-8")
    planned = (
        "\n".join(line for line in text.splitlines() if not line.startswith("participants:")).replace(
            "statut: tenu", "statut: prevu"
        )
        + "\n"
    )
    path.write_text(planned, encoding="utf-8")
    assert run_cli("-C", example, "atelier", "tenu", "cambrai-1", "--participants", "28").exit_code == 0
    held = path.read_text(encoding="utf-8")
    lines = held.splitlines()
    assert "statut: tenu" in lines
    # the new key is placed where the schema puts it: after the registrations, before the facilitation
    assert (
        lines.index("participants: 28") == lines.index("animation: " + held.split("animation: ")[1].splitlines()[0]) - 1
    )
    r = run_cli("-C", example, "atelier", "annule", "cambrai-1", "--motif", "Salle inondée")
    assert r.exit_code == 0, r.output
    after = path.read_text(encoding="utf-8").splitlines()
    assert after[after.index("statut: annule") + 1] == "motif_annulation: Salle inondée"
    r = run_cli("-C", example, "atelier", "tenu", "lile-1", "--participants", "3")
    assert r.exit_code == 2 and "atelier « lile-1 » inconnu" in r.stderr and "« lille-1 »" in r.stderr


def test_commission_opinion_and_vote_keep_the_rest_of_the_deliberation(example: Path) -> None:
    path = example / "deliberation.yaml"
    text = path.read_text(encoding="utf-8")
    r = run_cli(
        "-C",
        example,
        "deliberation",
        "avis",
        "solidarites",
        "--avis",
        "favorable_avec_reserves",
        "--date",
        "16/06/2026",
    )
    assert r.exit_code == 0, r.output
    changed = _changed(text, path.read_text(encoding="utf-8"))
    assert changed == [
        ("    date: 2026-06-15", "    date: 2026-06-16"),
        ("    avis: favorable", "    avis: favorable_avec_reserves"),
    ]
    text = path.read_text(encoding="utf-8")
    r = run_cli(
        "-C",
        example,
        "deliberation",
        "vote",
        "--effectif",
        "82",
        "--presents",
        "74",
        "--representes",
        "5",
        "--pour",
        "65",
        "--contre",
        "8",
        "--abstention",
        "6",
    )
    assert r.exit_code == 0, r.output
    assert "6 abstentions, sur 79 votants" in r.stdout and "(s)" not in r.stdout
    assert _changed(text, path.read_text(encoding="utf-8")) == [
        ("  pour: 66", "  pour: 65"),
        ("  contre: 7", "  contre: 8"),
    ]
    assert run_cli("-C", example, "check", "--strict").exit_code == 0
    r = run_cli(
        "-C", example, "deliberation", "vote", "--effectif", "82", "--presents", "74", "--pour", "65", "--votants", "70"
    )
    assert r.exit_code == 2 and "votants (70) ≠ pour + contre + abstention (65)" in r.stderr
    r = run_cli("-C", example, "deliberation", "avis", "finances", "--avis", "favorable", "--date", "hier")
    assert r.exit_code == 2 and "« hier » n'est pas une date" in r.stderr


def test_first_opinion_in_the_commented_file_of_init(tmp_path: Path) -> None:
    root = tmp_path / "c"
    assert run_cli("init", root).exit_code == 0
    before = (root / "deliberation.yaml").read_text(encoding="utf-8")
    r = run_cli("-C", root, "deliberation", "avis", "solidarites", "--avis", "favorable", "--date", "2026-06-15")
    assert r.exit_code == 0, r.output
    after = (root / "deliberation.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # the commented example is kept above
    assert after[len(before):] == "avis:\n  - commission: solidarites\n    date: 2026-06-15\n    avis: favorable\n"
    r = run_cli("-C", root, "deliberation", "avis", "culture", "--avis", "favorable", "--date", "2026-06-15")
    assert r.exit_code == 2 and "commission « culture » inconnue" in r.stderr
