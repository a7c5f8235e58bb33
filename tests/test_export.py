"""``ateliers export``: open data as CSV and JSON, a README of the columns, the SCDL row."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ateliers_cli.export import build_export
from ateliers_cli.export.csvsafe import defuse
from ateliers_cli.export.opendata import build_tables
from ateliers_cli.load import load
from ateliers_cli.model import ANONYMOUS_AUTHOR
from tests.conftest import run_cli

TABLES = (
    "contributions", "themes", "territoires", "ateliers", "forums", "propositions", "regroupements",
    "orientations", "decisions", "avis", "amendements", "restitutions", "retours", "etapes",
)
SCDL_COLUMNS = [
    "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE", "DELIB_MATIERE_NOM", "DELIB_OBJET",
    "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID", "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE",
    "VOTE_ABSTENTION", "DELIB_URL",
]
FORMULA = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "UTF-8 sans BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=","))


def export(root: Path, *args: str) -> Path:
    out = root.parent / "donnees"
    r = run_cli("-C", root, "export", "--out", out, *args)
    assert r.exit_code == 0, r.output
    return out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# --- what is written ------------------------------------------------------------------------------


def test_every_table_in_csv_and_json_with_the_readme(example: Path) -> None:
    out = export(example)
    names = {p.name for p in out.iterdir()}
    for t in TABLES:
        assert {f"{t}.csv", f"{t}.json"} <= names, t
        rows = read_csv(out / f"{t}.csv")
        data = json.loads((out / f"{t}.json").read_text(encoding="utf-8"))
        assert len(rows) == len(data), t
        if data:
            assert list(rows[0]) == list(data[0]), f"{t} : mêmes colonnes en CSV et en JSON"
    assert {"deliberations-scdl.csv", "deliberations-scdl.json", "README.md"} <= names
    assert len(read_csv(out / "contributions.csv")) == 148
    assert b"\r\n" in (out / "themes.csv").read_bytes()


def test_contributions_columns_and_consent(example: Path) -> None:
    out = export(example)
    rows = {r["id"]: r for r in read_csv(out / "contributions.csv")}
    assert list(next(iter(rows.values()))) == [
        "id",
        "date",
        "profil",
        "canal",
        "territoire",
        "territoire_nom",
        "statut",
        "doublon_de",
        "themes",
        "propositions",
        "orientations_nourries",
        "a_nourri_une_orientation_retenue",
        "publication",
        "anonymisee",
        "auteur",
        "organisation",
        "titre",
        "texte",
    ]
    c1 = rows["C-0001"]
    assert (c1["auteur"], c1["titre"], c1["publication"], c1["anonymisee"]) == (
        "Jeanne M.",
        "Juste parler à quelqu'un",
        "true",
        "false",
    )
    assert c1["texte"].startswith("Depuis que mon mari est parti")
    assert c1["propositions"] == "P-LIL1-01" and c1["territoire_nom"] == "Lille"
    c = load(example).consultation
    private = [ct for ct in c.contributions.values() if not ct.publication]
    assert private, "l'exemple a des contributions sans consentement"
    for ct in private:
        row = rows[ct.id]
        assert row["publication"] == "false"
        assert row["auteur"] == row["texte"] == row["titre"] == row["organisation"] == ""
        assert ct.texte.strip()[:40] not in (out / "contributions.json").read_text(encoding="utf-8")


def test_erased_contribution_keeps_no_identity_in_export(example: Path) -> None:
    path = example / "contributions/C-0001.md"
    edit(path, "auteur: Jeanne M.", f"auteur: {ANONYMOUS_AUTHOR}\nefface: 2026-11-02")
    out = export(example)
    row = next(r for r in read_csv(out / "contributions.csv") if r["id"] == "C-0001")
    assert (row["auteur"], row["anonymisee"], row["titre"], row["texte"]) == (ANONYMOUS_AUTHOR, "true", "", "")
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "Jeanne M." not in everything
    assert "Wazemmes" not in everything  # the text is not published after erasure


def test_contact_details_left_in_a_text_are_never_published(
    make_tree: Callable[[dict[str, str | bytes]], Path],
) -> None:
    root = make_tree({})
    edit(
        root / "contributions/C-0001.md",
        "Je vis seule",
        "Écrivez-moi : jeanne@example.org ou 06 12 34 56 78. Je vis seule",
    )
    r = run_cli("-C", root, "export", "--out", root.parent / "donnees")
    assert r.exit_code == 0, r.output
    assert re.search(r"\d+ erreurs? de lecture", r.stdout) and "ateliers check" in r.stdout
    (row,) = read_csv(root.parent / "donnees" / "contributions.csv")
    assert row["texte"].startswith("Écrivez-moi : [courriel retiré] ou [téléphone retiré]. Je vis seule")


def test_proposition_regroupement_orientation_decision_rows(example: Path) -> None:
    out = export(example)
    props = {r["id"]: r for r in read_csv(out / "propositions.csv")}
    assert props["P-LIL1-01"]["regroupement"] == "G-01"
    assert props["P-LIL1-01"]["contributions"] == "C-0037 | C-0055 | C-0001"
    groups = {r["id"]: r for r in read_csv(out / "regroupements.csv")}
    assert groups["G-01"]["orientations"] == "O-01"
    decisions = {r["orientation"]: r for r in read_csv(out / "decisions.csv")}
    assert decisions["O-09"]["decision"] == "non_retenue" and decisions["O-09"]["motif"]
    assert decisions["O-01"]["deliberation"] == "DCD-2026-0412"
    etapes = read_csv(out / "etapes.csv")
    assert [e["etape"] for e in etapes] == [
        "appel",
        "lancement",
        "ateliers",
        "synthese",
        "rapport",
        "adoption",
        "restitution",
    ]
    assert etapes[0]["etat"] == "en_cours"
    props_json = json.loads((out / "propositions.json").read_text(encoding="utf-8"))
    assert next(p for p in props_json if p["id"] == "P-LIL1-01")["contributions"] == ["C-0037", "C-0055", "C-0001"]


def test_readme_describes_every_column_and_the_licence(example: Path) -> None:
    out = export(example)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "Licence Ouverte / Open Licence version 2.0" in readme
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in readme
    assert (
        "Département du Nord — consultation « Bien vieillir dans le Nord », données mises à jour le 2026-11-18"
        in readme
    )
    for t in TABLES:
        assert f"## `{t}.csv`" in readme, t
        header = next(csv.reader(io.StringIO((out / f"{t}.csv").read_text(encoding="utf-8"))))
        for column in header:
            assert f"| `{column}` |" in readme, f"{t}.{column} non décrite"
    for column in SCDL_COLUMNS:
        assert f"| `{column}` |" in readme
    assert "scdl/deliberations" in readme


def test_second_export_writes_nothing(example: Path) -> None:
    out = export(example)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = run_cli("-C", example, "export", "--out", out)
    assert r.exit_code == 0
    assert "aucun fichier modifié" in r.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_default_folder_and_dry_run(example: Path) -> None:
    r = run_cli("-C", example, "export", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "Simulation" in r.stdout and "+ contributions.csv" in r.stdout
    assert not (example / "export").exists()
    r = run_cli("-C", example, "export")
    assert r.exit_code == 0, r.output
    assert (example / "export" / "contributions.csv").is_file()


def test_refuses_a_folder_that_is_not_an_export(example: Path, tmp_path: Path) -> None:
    other = tmp_path / "mes-documents"
    other.mkdir()
    (other / "rapport.odt").write_bytes(b"precious")
    r = run_cli("-C", example, "export", "--out", other)
    assert r.exit_code == 1
    assert "n'est pas vide et ne contient pas un export d'ateliers" in r.stderr
    assert [p.name for p in other.iterdir()] == ["rapport.odt"]
    r = run_cli("-C", example, "export", "--out", example)
    assert r.exit_code == 1
    assert "est celui de la consultation" in r.stderr


def test_stale_scdl_file_is_removed_when_the_seance_goes(example: Path) -> None:
    out = export(example)
    text = (example / "deliberation.yaml").read_text(encoding="utf-8")
    start, end = text.index("seance:"), text.index("vote:")
    (example / "deliberation.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    r = run_cli("-C", example, "export", "--out", out)
    assert r.exit_code == 0, r.output
    assert "- deliberations-scdl.csv" in r.stdout
    assert not (out / "deliberations-scdl.csv").exists()
    assert "pas encore de ligne SCDL" in r.stdout


def test_early_consultation_exports_without_deliberation(make_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    root = make_tree({})
    out = export(root)
    assert not (out / "deliberations-scdl.csv").exists()
    assert "Pas encore de délibération" in (out / "README.md").read_text(encoding="utf-8")
    assert read_csv(out / "decisions.csv") == []
    assert (out / "decisions.csv").read_text(encoding="utf-8").startswith("orientation,orientation_titre,decision")


# --- SCDL -----------------------------------------------------------------------------------------


def validate_scdl(row: dict[str, str]) -> list[str]:
    """The rules of schema scdl/deliberations 2.1.5 (Validata's checks), written independently of the tool."""
    actes1 = {
        "commande publique",
        "urbanisme",
        "domaine et patrimoine",
        "fonction publique",
        "institutions et vie politique",
        "libertes publiques et pouvoirs de police",
        "finances locales",
        "domaines de competences par themes",
        "autres domaines de competences",
    }
    ranges = {"1": 7, "2": 3, "3": 6, "4": 5, "5": 8, "6": 5, "7": 10, "8": 9, "9": 4}
    bad = []
    for required in (
        "COLL_NOM",
        "COLL_SIRET",
        "DELIB_ID",
        "DELIB_DATE",
        "DELIB_MATIERE_CODE",
        "DELIB_MATIERE_NOM",
        "DELIB_OBJET",
    ):
        if not row[required]:
            bad.append(f"{required} vide")
    if not re.fullmatch(r"\d{14}", row["COLL_SIRET"]):
        bad.append("COLL_SIRET")
    for col in ("DELIB_DATE", "PREF_DATE"):
        if row[col] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[col]):
            bad.append(col)
    m = re.fullmatch(r"(\d)\.(\d{1,2})", row["DELIB_MATIERE_CODE"])
    if not m or not 1 <= int(m.group(2)) <= ranges.get(m.group(1), 0):
        bad.append("DELIB_MATIERE_CODE")
    prefix, _, rest = row["DELIB_MATIERE_NOM"].partition("/")
    import unicodedata

    folded = "".join(ch for ch in unicodedata.normalize("NFD", prefix.lower()) if not unicodedata.combining(ch))
    if folded not in actes1 or not rest or rest.startswith(" ") or prefix.endswith(" "):
        bad.append("DELIB_MATIERE_NOM")
    if row["BUDGET_ANNEE"] and not re.fullmatch(r"\d{4}(/\d{4})?", row["BUDGET_ANNEE"]):
        bad.append("BUDGET_ANNEE")
    if bool(row["BUDGET_ANNEE"]) != bool(row["BUDGET_NOM"]):
        bad.append("BUDGET cohérence")
    if row["PREF_DATE"] and row["PREF_DATE"] < row["DELIB_DATE"]:
        bad.append("PREF_DATE")
    votes = [row[c] for c in ("VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION")]
    if all(votes):
        eff, reel, pour, contre, abst = map(int, votes)
        if reel != pour + contre + abst:
            bad.append("VOTE_REEL somme")
        if reel > eff:
            bad.append("VOTE_REEL > VOTE_EFFECTIF")
    if row["DELIB_URL"] and not re.match(r"https?://", row["DELIB_URL"]):
        bad.append("DELIB_URL")
    return bad


def test_scdl_row_has_the_schema_columns_and_passes_its_rules(example: Path) -> None:
    out = export(example)
    raw = (out / "deliberations-scdl.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(raw)))
    assert header == SCDL_COLUMNS
    (row,) = read_csv(out / "deliberations-scdl.csv")
    assert validate_scdl(row) == []
    assert row == {
        "COLL_NOM": "Département du Nord",
        "COLL_SIRET": "22590001800014",
        "DELIB_ID": "DCD-2026-0412",
        "DELIB_DATE": "2026-06-29",
        "DELIB_MATIERE_CODE": "8.2",
        "DELIB_MATIERE_NOM": "domaines de compétences par thèmes/aide sociale",
        "DELIB_OBJET": "Adoption de la politique départementale « Bien vieillir dans le Nord » issue des Ateliers "
        "Citoyens",
        "BUDGET_ANNEE": "",
        "BUDGET_NOM": "",
        "PREF_ID": "",
        "PREF_DATE": "",
        "VOTE_EFFECTIF": "82",
        "VOTE_REEL": "79",
        "VOTE_POUR": "66",
        "VOTE_CONTRE": "7",
        "VOTE_ABSTENTION": "6",
        "DELIB_URL": "",
    }
    (data,) = json.loads((out / "deliberations-scdl.json").read_text(encoding="utf-8"))
    assert list(data) == SCDL_COLUMNS and data["VOTE_REEL"] == 79


def test_a_siret_failing_its_check_digit_is_flagged_not_refused(example: Path) -> None:
    edit(example / "consultation.yaml", 'siret: "22590001800014"', 'siret: "22590001800015"')
    r = run_cli("-C", example, "export", "--out", example.parent / "donnees")
    assert r.exit_code == 0, r.output
    assert "le SIRET « 22590001800015 » de consultation.yaml ne passe pas la clé de contrôle (Luhn)" in r.stdout
    edit(example / "consultation.yaml", 'siret: "22590001800015"', 'siret: "22590001800014"')
    r = run_cli("-C", example, "export", "--out", example.parent / "donnees")
    assert "Luhn" not in r.stdout


def test_optional_scdl_fields_from_the_seance(example: Path) -> None:
    edit(
        example / "deliberation.yaml",
        "  rapporteur: Martine Desreumaux\n",
        "  rapporteur: Martine Desreumaux\n  url: https://lenord.fr/deliberations/DCD-2026-0412.pdf\n  prefecture: "
        "PREF059\n"
        '  prefecture_date: 2026-07-02\n  budget_annee: "2027/2028"\n  budget_nom: Budget principal\n  '
        'matiere_code: "8.2.1"\n'.replace(
            '  matiere_code: "8.2.1"\n', ""
        ),
    )
    (row,) = read_csv(export(example) / "deliberations-scdl.csv")
    assert validate_scdl(row) == []
    assert (row["DELIB_URL"], row["PREF_ID"], row["PREF_DATE"], row["BUDGET_ANNEE"], row["BUDGET_NOM"]) == (
        "https://lenord.fr/deliberations/DCD-2026-0412.pdf", "PREF059", "2026-07-02", "2027/2028", "Budget principal",
    )


def test_deeper_actes_code_is_published_at_level_two(example: Path) -> None:
    edit(example / "deliberation.yaml", 'matiere_code: "8.2"', 'matiere_code: "8.2.3"')
    (row,) = read_csv(export(example) / "deliberations-scdl.csv")
    assert row["DELIB_MATIERE_CODE"] == "8.2"


@pytest.mark.parametrize(
    ("file", "old", "new", "needle", "message"),
    [
        (
            "consultation.yaml",
            'siret: "22590001800014"',
            'siret: "2259000170001"',
            "siret:",
            "COLL_SIRET : « siret » dans la collectivité : « 2259000170001 » n'est pas valide",
        ),
        (
            "consultation.yaml",
            'siret: "22590001800014"',
            "siret: 22590001800014",
            "siret:",
            "COLL_SIRET : « siret » dans la collectivité doit être écrit entre guillemets",
        ),
        (
            "consultation.yaml",
            '  siret: "22590001800014"\n',
            "",
            "collectivite:",
            "COLL_SIRET : le SIRET de la collectivité manque",
        ),
        (
            "deliberation.yaml",
            "  votants: 79",
            "  votants: 80",
            "votants:",
            "VOTE_REEL : 80 votants, mais pour + contre + abstention = 66 + 7 + 6 = 79",
        ),
        (
            "deliberation.yaml",
            "  effectif: 82",
            "  effectif: 70",
            "votants:",
            "VOTE_REEL : 79 votants pour 70 membres en exercice",
        ),
        (
            "deliberation.yaml",
            'matiere_code: "8.2"',
            'matiere_code: "8.12"',
            "matiere_code:",
            "code de matière ACTES « 8.12 » inconnu",
        ),
        (
            "deliberation.yaml",
            "matiere_nom: Aide sociale",
            "matiere_nom: Voirie",
            "matiere_nom:",
            "la matière « Voirie » ne correspond pas au code ACTES 8.2",
        ),
        (
            "deliberation.yaml",
            "  rapporteur: Martine Desreumaux",
            '  rapporteur: X\n  budget_annee: "27"\n  budget_nom: B',
            "budget_annee:",
            "BUDGET_ANNEE : « 27 » n'est ni une année",
        ),
        (
            "deliberation.yaml",
            "  rapporteur: Martine Desreumaux",
            '  rapporteur: X\n  budget_annee: "2028/2027"\n  budget_nom: B',
            "budget_annee:",
            "intervalle « 2028/2027 » à l'envers",
        ),
        (
            "deliberation.yaml",
            "  rapporteur: Martine Desreumaux",
            "  rapporteur: X\n  budget_nom: Budget principal",
            "budget_nom:",
            "« budget_nom » est renseigné sans « budget_annee »",
        ),
        (
            "deliberation.yaml",
            "  rapporteur: Martine Desreumaux",
            "  rapporteur: X\n  prefecture_date: 2026-06-01",
            "prefecture_date:",
            "PREF_DATE : enregistrement en préfecture le 2026-06-01, avant la séance du 2026-06-29",
        ),
        (
            "deliberation.yaml",
            "  rapporteur: Martine Desreumaux",
            "  rapporteur: X\n  prefecture: Préfecture du Nord",
            "prefecture:",
            "PREF_ID : « Préfecture du Nord » n'est pas un identifiant",
        ),
    ],
)
def test_invalid_scdl_row_is_refused_with_its_line(
    example: Path, file: str, old: str, new: str, needle: str, message: str
) -> None:
    edit(example / file, old, new)
    out = example.parent / "donnees"
    r = run_cli("-C", example, "export", "--out", out)
    assert r.exit_code == 1, r.output
    assert "ne respecte pas le schéma SCDL « Délibérations »" in r.stderr
    assert "rien n'est écrit" in r.stderr
    assert message in r.stderr
    assert f"{file}:{line_of(example / file, needle)}:" in r.stderr
    assert "Traceback" not in r.output
    assert not out.exists(), "rien n'est écrit quand la ligne SCDL est invalide"


def test_every_scdl_problem_at_once(example: Path) -> None:
    edit(example / "consultation.yaml", 'siret: "22590001800014"', 'siret: "123"')
    edit(example / "deliberation.yaml", "  votants: 79", "  votants: 90")
    r = run_cli("-C", example, "export")
    assert r.exit_code == 1
    assert "(3 problèmes)" in r.stderr  # the SIRET, the sum, votants > effectif
    assert "COLL_SIRET" in r.stderr and "VOTE_REEL" in r.stderr


# --- formula injection ----------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","clic")',
    "+33-1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]
# Values checked by the tool (identifiers, enumerations, the SCDL's coded fields) cannot be hostile.
CONTROLLED = {
    "id", "path", "ref", "theme", "themes", "territoire", "atelier", "orientation", "commission", "commissions",
    "restitution", "contributions", "propositions", "regroupements", "doublon_de", "statut", "profil", "canal",
    "nature", "decision", "avis", "siret", "matiere_code", "matiere_nom", "budget_annee", "budget_nom", "prefecture",
    "url", "de", "vers", "commit",
}


def _poison(obj: Any, counter: list[int], seen: set[int]) -> None:
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        for v in obj.values():
            _poison(v, counter, seen)
        return
    if isinstance(obj, list):
        for v in obj:
            _poison(v, counter, seen)
        return
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name == "lines" or (
            f.name in CONTROLLED
            and (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)))
        ):
            continue
        if isinstance(value, str):
            counter[0] += 1
            setattr(obj, f.name, HOSTILE[counter[0] % len(HOSTILE)] + value)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            counter[0] += 1
            setattr(obj, f.name, [HOSTILE[(counter[0] + i) % len(HOSTILE)] + v for i, v in enumerate(value)])
        else:
            _poison(value, counter, seen)


def test_no_csv_cell_can_start_a_formula(example: Path) -> None:
    c = load(example).consultation
    for ct in c.contributions.values():
        ct.publication = True  # every text published, so every text is tested
    counter = [0]
    _poison(c, counter, set())
    assert counter[0] > 1000
    files, _, _ = build_export(c)
    cells = defused = 0
    for name, data in files.items():
        if not name.endswith(".csv"):
            continue
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        for row in rows[1:]:
            for value in row:
                cells += 1
                assert not value or value[0] not in FORMULA, f"{name} : cellule dangereuse {value[:30]!r}"
                defused += value[:1] == "'" and value[1:2] in FORMULA
    assert cells > 4000
    assert defused > 1000, "les valeurs hostiles arrivent bien dans les CSV"
    contributions = {
        r["id"]: r for r in csv.DictReader(io.StringIO(files["contributions.csv"].decode("utf-8"), newline=""))
    }
    assert contributions["C-0001"]["titre"].startswith("'") and contributions["C-0001"]["titre"][1] in FORMULA
    scdl = next(csv.DictReader(io.StringIO(files["deliberations-scdl.csv"].decode("utf-8"), newline="")))
    assert scdl["DELIB_OBJET"].startswith("'") and scdl["COLL_NOM"].startswith("'")
    # the JSON gives the values as they are
    data = json.loads(files["contributions.json"])
    assert data[0]["titre"][0] in FORMULA


def test_hostile_contribution_through_the_cli(make_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    root = make_tree({})
    edit(
        root / "contributions/C-0001.md",
        "publication: true",
        'publication: true\ntitre: "=HYPERLINK(\\"http://x\\")"\norganisation: "@evil"',
    )
    edit(root / "contributions/C-0001.md", "auteur: Jeanne M.", 'auteur: "-1+1"')
    path = root / "contributions/C-0001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Je vis seule", "+Je vis seule"), encoding="utf-8")
    out = export(root)
    (row,) = read_csv(out / "contributions.csv")
    assert row["titre"] == "'=HYPERLINK(\"http://x\")"
    assert row["organisation"] == "'@evil"
    assert row["auteur"] == "'-1+1"
    assert row["texte"].startswith("'+Je vis seule")


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@1", "\t1", "\r1", "\uff1d1"])
def test_defuse(value: str) -> None:
    assert defuse(value) == "'" + value
    assert defuse("a" + value) == "a" + value
    assert defuse("") == ""


def test_tables_of_an_empty_consultation() -> None:
    from ateliers_cli.model import Consultation

    tables = build_tables(Consultation())
    assert [t.name for t in tables] == list(TABLES)
    assert all(t.rows == [] or t.name == "etapes" for t in tables)
