"""``ateliers check``: every kind of bad input gives a French ``path:line: message``, exit 1, no traceback."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.conftest import GOOD_CONTRIBUTION, MINIMAL_CONSULTATION, run_cli


def contribution(**changes: object) -> str:
    """The good contribution with some front-matter lines replaced (None removes the key)."""
    lines = GOOD_CONTRIBUTION.splitlines()
    out = []
    for line in lines:
        key = line.split(":", 1)[0]
        if key in changes:
            value = changes.pop(key)
            if value is not None:
                out.append(f"{key}: {value}")
            continue
        out.append(line)
    text = "\n".join(out) + "\n"
    if changes:
        text = text.replace("---\nJe", "".join(f"{k}: {v}\n" for k, v in changes.items()) + "---\nJe", 1)
    return text


def check(root: Path, *args: str) -> tuple[int, str]:
    r = run_cli("-C", root, "check", *args)
    assert "Traceback" not in r.output
    return r.exit_code, r.output


def test_example_passes_strict(example: Path) -> None:
    code, output = check(example, "--strict")
    assert code == 0, output
    assert "Aucun problème" in output


def test_new_consultation_passes(new_consultation: Path) -> None:
    """Only warnings: the examples of init left in place (« --strict » fails on them, test_init)."""
    code, output = check(new_consultation)
    assert code == 0, output
    assert "erreur :" not in output


CASES = [
    # (name, files, expected location, expected words in the message)
    (
        "territoire inconnu",
        {"contributions/C-0001.md": contribution(territoire="lile")},
        "contributions/C-0001.md:6:",
        ["territoire « lile » inconnu", "vouliez-vous dire « lille »"],
    ),
    (
        "thème inconnu",
        {"contributions/C-0001.md": contribution(themes="[isolemnt]")},
        "contributions/C-0001.md:9:",
        ["thème « isolemnt » inconnu", "« isolement »"],
    ),
    (
        "profil hors liste",
        {"contributions/C-0001.md": contribution(profil="habitante")},
        "contributions/C-0001.md:4:",
        ["profil", "habitante", "« habitant »"],
    ),
    (
        "date impossible",
        {"contributions/C-0001.md": contribution(date="2026-02-30")},
        "contributions/C-0001.md:3:",
        ["2026-02-30", "n'existe pas"],
    ),
    (
        "booléen en texte",
        {"contributions/C-0001.md": contribution(publication="peut-être")},
        "contributions/C-0001.md:8:",
        ["publication", "true"],
    ),
    (
        "clé manquante",
        {"contributions/C-0001.md": contribution(auteur=None)},
        "contributions/C-0001.md:",
        ["clé « auteur » manquante"],
    ),
    (
        "id différent du fichier",
        {"contributions/C-0001.md": contribution(id="C-0002")},
        "contributions/C-0001.md:2:",
        ["diffère du nom du fichier"],
    ),
    (
        "doublon sans origine",
        {"contributions/C-0001.md": contribution(statut="doublon", themes="[]")},
        "contributions/C-0001.md:10:",
        ["doublon", "doublon_de"],
    ),
    (
        "doublon d'une contribution inconnue",
        {"contributions/C-0001.md": contribution(statut="doublon", doublon_de="C-0099")},
        "contributions/C-0001.md:11:",
        ["contribution « C-0099 » inconnu"],
    ),
    (
        "analysée sans thème",
        {"contributions/C-0001.md": contribution(themes="[]")},
        "contributions/C-0001.md:10:",
        ["sans thème"],
    ),
    (
        "courriel dans le texte",
        {"contributions/C-0001.md": GOOD_CONTRIBUTION + "Écrivez-moi : jeanne.martin@example.org\n"},
        "contributions/C-0001.md:13:",
        ["adresse électronique", "prive/"],
    ),
    (
        "téléphone dans le texte",
        {"contributions/C-0001.md": GOOD_CONTRIBUTION + "\nAppelez le 06 12 34 56 78 le soir.\n"},
        "contributions/C-0001.md:14:",
        ["téléphone"],
    ),
    (
        "sans en-tête",
        {"contributions/C-0001.md": "Bonjour, je voulais dire…\n"},
        "contributions/C-0001.md:1:",
        ["en-tête YAML absent"],
    ),
    (
        "en-tête non fermé",
        {"contributions/C-0001.md": "---\nid: C-0001\ndate: 2026-01-12\n"},
        "contributions/C-0001.md:1:",
        ["non fermé"],
    ),
    ("fichier vide", {"contributions/C-0001.md": ""}, "contributions/C-0001.md:", ["fichier vide"]),
    (
        "fichier binaire",
        {"contributions/C-0001.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        "contributions/C-0001.md:",
        ["binaire"],
    ),
    (
        "Windows-1252",
        {"contributions/C-0001.md": GOOD_CONTRIBUTION.replace("Je vis", "Âgée, je vis").encode("cp1252")},
        "contributions/C-0001.md:12:",
        ["pas en UTF-8", "Windows-1252", "iconv"],
    ),
    (
        "YAML invalide",
        {"themes.yaml": "themes:\n  - id: isolement\n    titre: Rompre: l'isolement\n"},
        "themes.yaml:3:",
        ["YAML invalide", "colonne"],
    ),
    ("tabulation", {"themes.yaml": "themes:\n\t- id: isolement\n"}, "themes.yaml:2:", ["YAML invalide"]),
    (
        "clé en double",
        {"contributions/C-0001.md": contribution(profil="habitant\nprofil: citoyen")},
        "contributions/C-0001.md:5:",
        ["apparaît deux fois", "ligne 4"],
    ),
    (
        "clé inconnue",
        {"contributions/C-0001.md": contribution(territorie="lille")},
        "contributions/C-0001.md:11:",
        ["clé inconnue « territorie »", "« territoire »"],
    ),
    ("mauvais type de liste", {"themes.yaml": "themes: isolement\n"}, "themes.yaml:1:", ["« themes »", "une liste"]),
    (
        "population en texte",
        {"consultation.yaml": MINIMAL_CONSULTATION.replace("1267099", "1 267 099 habitants")},
        "consultation.yaml:9:",
        ["population", "nombre entier"],
    ),
    (
        "étape inconnue",
        {"consultation.yaml": MINIMAL_CONSULTATION.replace("etape: appel", "etape: atelier")},
        "consultation.yaml:18:",
        ["atelier", "« ateliers »"],
    ),
    (
        "calendrier à l'envers",
        {
            "consultation.yaml": MINIMAL_CONSULTATION.replace(
                "{debut: 2026-01-05, fin: 2026-02-27}", "{debut: 2026-03-05, fin: 2026-02-27}"
            )
        },
        "consultation.yaml:",
        ["finit", "avant de commencer"],
    ),
    (
        "commission inconnue",
        {
            "themes.yaml": "themes:\n  - id: isolement\n    titre: T\n    nature: question_de_fond\n    commissions: "
            "[solidarite]\n"
        },
        "themes.yaml:5:",
        ["commission « solidarite » inconnu", "« solidarites »"],
    ),
    (
        "thème défini deux fois",
        {
            "themes.yaml": "themes:\n  - id: isolement\n    titre: A\n    nature: question_de_fond\n  - id: "
            "isolement\n    titre: B\n    nature: question_de_fond\n"
        },
        "themes.yaml:5:",
        ["défini deux fois"],
    ),
    (
        "bombe YAML",
        {
            "themes.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefghijklmn", "bcdefghijklmno")
            )
            + "themes: []\n"
        },
        "themes.yaml:",
        ["bombe YAML"],
    ),
    ("imbrication profonde", {"themes.yaml": "themes: " + "[" * 5000 + "]" * 5000 + "\n"}, "themes.yaml:", ["YAML"]),
    (
        "atelier sans lieu ni capacité",
        {
            "ateliers/lille-1.yaml": "id: lille-1\ntitre: Atelier\nterritoire: lille\ndate: 2026-04-04T14:00\nthemes: "
            "[isolement]\nstatut: prevu\n"
        },
        "ateliers/lille-1.yaml:1:",
        ["clé « lieu » manquante", "clé « capacite » manquante"],
    ),
    (
        "atelier annulé sans motif",
        {
            "ateliers/lille-1.yaml": "id: lille-1\ntitre: Atelier\nterritoire: lille\ndate: 2026-04-04T14:00\nlieu: "
            "Salle\ncapacite: 20\nthemes: [isolement]\nstatut: annule\n"
        },
        "ateliers/lille-1.yaml:8:",
        ["annulé sans motif"],
    ),
    (
        "vote incohérent",
        {
            "deliberation.yaml": "vote: {effectif: 82, presents: 30, representes: 2, votants: 40, pour: 30, contre: 5, "
            "abstention: 3}\n"
        },
        "deliberation.yaml:1:",
        ["votants (40) ≠", "quorum non atteint"],
    ),
    ("extension .yml", {"ateliers/lille-1.yml": "id: lille-1\n"}, "ateliers/lille-1.yml:", ["« .yaml »"]),
]


@pytest.mark.parametrize(("name", "files", "where", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(make_tree, name: str, files: dict, where: str, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    root = make_tree(files)
    code, output = check(root, "--strict")
    assert code == 1, output
    lines = [line for line in output.splitlines() if line.startswith(where)]
    assert lines, f"no diagnostic at {where!r} in:\n{output}"
    block = output[output.index(lines[0]) :]
    for w in words:
        assert w in block, f"{w!r} not in:\n{output}"


def test_crlf_and_bom_accepted(make_tree) -> None:  # type: ignore[no-untyped-def]
    crlf = ("\ufeff" + GOOD_CONTRIBUTION).replace("\n", "\r\n").encode("utf-8")
    root = make_tree({"contributions/C-0001.md": crlf})
    code, output = check(root, "--strict")
    assert code == 0, output


def test_huge_file_refused_without_reading(make_tree) -> None:  # type: ignore[no-untyped-def]
    root = make_tree({})
    path = root / "contributions/C-0002.md"
    with path.open("w", encoding="utf-8") as f:
        f.write(GOOD_CONTRIBUTION.replace("C-0001", "C-0002"))
        f.write("Un texte collé par erreur. " * 2_000_000)  # ~54 Mo
    code, output = check(root)
    assert code == 1
    assert "contributions/C-0002.md: erreur : fichier trop volumineux" in output


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlink_out_of_folder(make_tree, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_tree({})
    outside = tmp_path / "ailleurs.md"
    outside.write_text(GOOD_CONTRIBUTION.replace("C-0001", "C-0003"), encoding="utf-8")
    (root / "contributions/C-0003.md").symlink_to(outside)
    code, output = check(root)
    assert code == 1
    assert "contributions/C-0003.md: erreur : ce fichier est un lien symbolique" in output


def test_every_problem_in_one_run(make_tree) -> None:  # type: ignore[no-untyped-def]
    root = make_tree(
        {
            "contributions/C-0001.md": contribution(territoire="lile"),
            "contributions/C-0002.md": contribution(id="C-0002", profil="robot"),
            "themes.yaml": "themes:\n  - id: isolement\n    titre: x\n    nature: question\n",
        }
    )
    code, output = check(root)
    assert code == 1
    assert "contributions/C-0001.md:6:" in output
    assert "contributions/C-0002.md:4:" in output
    assert "themes.yaml:4:" in output
    assert "3 erreurs" in output or "erreurs" in output


def test_warnings_fail_only_with_strict(make_tree) -> None:  # type: ignore[no-untyped-def]
    root = make_tree({"contributions/C-0001.md": contribution(humeur="bonne")})
    code, output = check(root)
    assert code == 0, output
    assert "avertissement" in output
    code, _ = check(root, "--strict")
    assert code == 1


def test_json_format(make_tree) -> None:  # type: ignore[no-untyped-def]
    root = make_tree({"contributions/C-0001.md": contribution(territoire="lile")})
    r = run_cli("-C", root, "check", "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False
    d = data["diagnostics"][0]
    assert d == {
        "fichier": "contributions/C-0001.md",
        "ligne": 6,
        "gravite": "erreur",
        "code": "lien",
        "message": "territoire « lile » inconnu",
        "conseil": "vouliez-vous dire « lille » ?",
    }


def test_usage_error_exit_2(example: Path) -> None:
    r = run_cli("-C", example, "check", "--format", "xml")
    assert r.exit_code == 2


def test_not_a_consultation(tmp_path: Path) -> None:
    r = run_cli("-C", tmp_path, "check")
    assert r.exit_code == 1
    assert "consultation.yaml" in r.output and "ateliers init" in r.output
    assert "Traceback" not in r.output


def _settings(root: Path, old: str, new: str) -> None:
    path = root / "consultation.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_what_the_filed_documents_and_the_site_lack_is_reported(example: Path) -> None:
    """The settings the report, the deliberation and the site need: each gap said at once."""
    _settings(example, "etape: appel", "etape: adoption")
    _settings(example, "  tribunal_administratif: Tribunal administratif de Lille\n", "")
    _settings(example, "  hebergeur_telephone: 03 59 73 59 59\n", "")
    _settings(example, "  directeur_publication:", "  # directeur_publication:")
    _settings(example, '  couleur: "#00205b"', '  couleur: "#8899ff"')
    _settings(example, "  numero: DSOL/2026/041\n", "")
    _settings(example, "  logo: identite/logo.svg", "  logo: identite/absent.png")
    path = example / "consultation.yaml"
    hard = (
        "    Le Département fixera, dans les plans d'aide et dans ses relations avec les services d'aide et "
        "d'accompagnement à domicile, une durée minimale pour les interventions comportant une toilette, étendue "
        "ensuite aux autres actes essentiels de la vie quotidienne.\n"
    )
    path.write_text(
        re.sub(r"  facile_a_lire: \|\n(    .*\n|\n)*", "  facile_a_lire: |\n" + hard, path.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    orientations = example / "orientations.yaml"
    orientations.write_text(
        orientations.read_text(encoding="utf-8").replace("    cout_fonctionnement: 450000\n", "", 1), encoding="utf-8"
    )
    code, output = check(example)
    assert code == 1, output
    assert "la délibération ne peut pas indiquer les voies et délais de recours" in output
    assert (
        "les mentions légales du site sont incomplètes : il manque le directeur de la publication "
        "(directeur_publication), le téléphone de l'hébergeur (hebergeur_telephone)"
        in output
    )
    assert "contraste de 2,6:1 sur fond blanc" in output
    assert "la page de garde du rapport n'a pas de numéro" in output
    assert "logo introuvable" in output and "identite/absent.png" in output
    assert "orientation « O-07 » sans coût estimé, alors que d'autres en ont un" in output
    assert "le résumé « facile à lire » n'est pas facile à lire : score de lisibilité" in output
