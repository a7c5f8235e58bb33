"""``ateliers saisie``: spreadsheet templates filled like a facilitator would, imported as YAML."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import EXAMPLE, run_cli


def fill(
    path: Path, fiche: dict[str, dict[str, Any]] | None = None, tables: dict[str, list[dict[str, Any]]] | None = None
) -> None:
    """Fill a template as a person would in Excel: the fiche's « valeur » column, table rows.

    In the sheets the template prefills (one row per theme, proposition, commission or
    orientation), a row whose first cell matches completes that row; others are added.
    """
    wb = openpyxl.load_workbook(path)
    for name, values in (fiche or {}).items():
        ws = wb[name]
        rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
        for key, value in values.items():
            ws.cell(rows[key], 2).value = value
    for name, items in (tables or {}).items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        prefilled = (
            name == "Productions"
            or header[0] in ("proposition", "commission", "orientation")
            and name != "Amendements"
            and name != "Retours"
        )
        existing = (
            {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value} if prefilled else {}
        )
        for item in items:
            first = item.get(header[0])
            r = existing.get(first) if first is not None else None
            if r is None:
                r = ws.max_row + 1
                if prefilled:
                    existing[first] = r
            for key, value in item.items():
                ws.cell(r, header.index(key) + 1).value = value
    wb.save(path)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


# --- the example, through every template, comes back byte for byte ------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_every_file_of_the_example_round_trips_through_its_template(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    jobs = [("atelier", p.stem) for p in sorted((root / "ateliers").glob("*.yaml"))]
    jobs += [("restitution", p.stem) for p in sorted((root / "restitutions").glob("*.yaml"))]
    jobs += [(k, "") for k in ("lancement", "synthese", "orientations", "deliberation")]
    if fmt == "ods":
        jobs = jobs[:1] + jobs[-5:]  # ODS is slower to read: one of each kind
    for kind, ident in jobs:
        book = tmp_path / f"{kind}-{ident}.{fmt}"
        r = run_cli("-C", root, "saisie", "modele", kind, *([ident] if ident else []), "--out", book, "--format", fmt)
        assert r.exit_code == 0, r.output
        r = run_cli("-C", root, "saisie", "import", book)
        assert r.exit_code == 0, r.output
    for path in sorted(EXAMPLE.rglob("*.yaml")):
        rel = path.relative_to(EXAMPLE)
        assert (root / rel).read_bytes() == path.read_bytes(), rel


def test_the_template_has_drop_down_lists_of_the_consultation(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    book = tmp_path / "s.xlsx"
    assert run_cli("-C", root, "saisie", "modele", "synthese", "--out", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["À propos", "Forum", "Regroupements", "Propositions", "listes"]
    assert wb["listes"].sheet_state == "hidden"
    lists = {
        wb["listes"].cell(1, c).value: [wb["listes"].cell(r, c).value for r in range(2, wb["listes"].max_row + 1)]
        for c in range(1, 7)
    }
    assert "P-LIL1-01" in lists["propositions"] and "solidarites" in lists["commissions"]
    ws = wb["Propositions"]
    formulas = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert formulas["A2:A201"].startswith("listes!$D$2")  # the propositions
    assert formulas["D2:D201"] == "Regroupements!$A$2:$A$201"  # the groups of the same workbook
    forum = {str(dv.sqref): dv.formula1 for dv in wb["Forum"].data_validations.dataValidation}
    assert '"prevu,tenu"' in forum.values()
    # prefilled: every proposition of the workshops, with its current group
    rows = {ws.cell(r, 1).value: ws.cell(r, 4).value for r in range(2, ws.max_row + 1)}
    assert rows["P-LIL1-01"] == "G-01" and len(rows) == 66


def test_libreoffice_opens_the_ods_template_and_its_save_imports(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None or not list(Path(soffice).resolve().parent.glob("libsclo.so")):
        pytest.skip("LibreOffice Calc absent (apt-get install libreoffice-calc-nogui ; .ci/run l'installe)")
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    book = tmp_path / "r.ods"
    assert (
        run_cli("-C", root, "saisie", "modele", "restitution", "lille", "--out", book, "--format", "ods").exit_code == 0
    )
    out = tmp_path / "converti"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    wb = openpyxl.load_workbook(out / "r.xlsx")
    assert wb.sheetnames == ["À propos", "Restitution", "Retours", "listes"]
    assert any(dv.formula1 and "listes" in dv.formula1 for dv in wb["Retours"].data_validations.dataValidation)
    before = (root / "restitutions" / "lille.yaml").read_bytes()
    r = run_cli("-C", root, "saisie", "import", out / "r.xlsx")
    assert r.exit_code == 0, r.output
    assert (root / "restitutions" / "lille.yaml").read_bytes() == before


def test_every_wrong_cell_is_reported_as_file_sheet_line_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    book = tmp_path / "a.xlsx"
    assert run_cli("-C", root, "saisie", "modele", "atelier", "lille-1", "--out", book).exit_code == 0
    fill(
        book,
        fiche={"Atelier": {"capacite": "quarante", "statut": "fini", "date": "le 10 janvier", "territoire": "lile"}},
        tables={
            "Propositions": [
                {"theme": "isolement", "id": "P-DOU1-01", "titre": "Déjà prise", "description": "x"},
                {"theme": "isolement", "titre": "Sans description"},
            ]
        },
    )
    before = (root / "ateliers" / "lille-1.yaml").read_bytes()
    r = run_cli("-C", root, "saisie", "import", book)
    assert r.exit_code == 1
    for expected in (
        f"{book}:Atelier:4: erreur : « territoire » : « lile » inconnu de la consultation",
        "vouliez-vous dire « lille » ?",
        f"{book}:Atelier:5: erreur : « date » : « le 10 janvier » n'est pas une date",
        f"{book}:Atelier:10: erreur : « capacite » : « quarante » n'est pas un nombre",
        f"{book}:Atelier:12: erreur : « statut » : valeur « fini » inconnue",
        (f"{book}:Propositions:10: erreur : l'identifiant « P-DOU1-01 » est déjà celui d'une proposition de l'atelier "
        "« douai-1 »"),
        f"{book}:Propositions:11: erreur : « description » est obligatoire",
        "rien n'est écrit",
    ):
        assert expected in r.stderr, expected
    assert (root / "ateliers" / "lille-1.yaml").read_bytes() == before
    r = run_cli("-C", root, "saisie", "import", EXAMPLE / "consultation.yaml")
    assert r.exit_code == 1 and "ce n'est pas un classeur XLSX ou ODS" in r.stderr


def test_an_edit_keeps_comments_and_keys_the_template_does_not_hold(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    path = root / "ateliers" / "cambrai-1.yaml"
    path.write_text(
        "# Atelier préparé avec le CCAS\n" + path.read_text(encoding="utf-8").replace("capacite: ", "capacite: ", 1),
        encoding="utf-8",
    )
    book = tmp_path / "a.xlsx"
    assert run_cli("-C", root, "saisie", "modele", "atelier", "cambrai-1", "--out", book).exit_code == 0
    fill(book, fiche={"Atelier": {"participants": 31}})
    before = path.read_text(encoding="utf-8").splitlines()
    r = run_cli("-C", root, "saisie", "import", book)
    assert r.exit_code == 0, r.output
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1] == "participants: 31"
    assert after[0] == "# Atelier préparé avec le CCAS"
    assert any(
        line.startswith("  besoins:") for line in after
    )  # written by « inscriptions import », not by the template


# --- the bar: a new consultation through the seven stages, captured in spreadsheets -------------------

CONSULTATION = """\
id: mobilites-rurales
titre: Mobilités dans les territoires ruraux du Nord
description: |
  Le Département invite les habitants des villages à dire comment ils se déplacent,
  ce qui leur manque, et à construire avec lui sa politique de mobilité rurale.
collectivite:
  nom: Département du Nord
  conseil: Conseil départemental du Nord
  siret: "22590001800014"
  tribunal_administratif: Tribunal administratif de Lille
site_public:
  directeur_publication: Le président du Conseil départemental du Nord
  hebergeur: Département du Nord
  hebergeur_adresse: 51 rue Gustave Delory, 59047 Lille Cedex
  hebergeur_telephone: 03 59 73 59 59
  contact_donnees: Délégué à la protection des données, 51 rue Gustave Delory, 59047 Lille Cedex
rapport: {numero: DMOB/2026/012, rapporteur: Paul Martin}
territoires:
  - id: avesnes
    nom: Avesnes-sur-Helpe
    population: 226000
    communes: [Avesnes-sur-Helpe, Fourmies, Maubeuge]
  - id: cambrai
    nom: Cambrai
    population: 161000
    communes: [Cambrai, Caudry, Le Cateau-Cambrésis]
commissions:
  - id: mobilites
    nom: Commission Mobilités et routes
calendrier:
  appel: {debut: 2026-01-05, fin: 2026-02-27}
  lancement: {debut: 2026-03-07, fin: 2026-03-07}
  ateliers: {debut: 2026-03-14, fin: 2026-04-11}
  synthese: {debut: 2026-05-16, fin: 2026-05-16}
  rapport: {debut: 2026-05-18, fin: 2026-06-12}
  adoption: {debut: 2026-06-15, fin: 2026-06-26}
  restitution: {debut: 2026-09-01, fin: 2026-09-30}
etape: appel
historique: []
"""

THEMES = """\
themes:
  - id: transport-demande
    titre: Le transport à la demande
    nature: question_de_fond
    question: Comment aller au marché, chez le médecin, sans voiture ?
    mots_cles: [transport, bus, navette, demande]
    commissions: [mobilites]
  - id: covoiturage
    titre: Le covoiturage entre voisins
    nature: question_de_fond
    question: Comment partager les trajets du quotidien ?
    mots_cles: [covoiturage, voiture, partager, trajets]
    commissions: [mobilites]
"""

CONTRIBUTIONS = """\
texte;commune;date;auteur;publication
Il n'y a plus de bus le samedi, une navette à la demande nous sauverait.;Fourmies;2026-01-12;Jeanne M.;oui
Le transport à la demande devrait aller jusqu'au marché de Maubeuge.;Maubeuge;2026-01-14;Paul D.;oui
Le covoiturage entre voisins pour partager les trajets vers l'usine.;Caudry;2026-01-20;Nadia K.;oui
Sans voiture on ne peut rien faire : organiser le covoiturage pour les trajets.;Cambrai;2026-02-02;Luc B.;non
Merci au Département d'avoir ouvert cette consultation.;Le Cateau-Cambrésis;2026-02-10;Anne P.;oui
"""


def test_a_new_consultation_through_seven_stages_with_spreadsheets_only(tmp_path: Path) -> None:
    root = tmp_path / "mobilites"
    r = run_cli("init", root, "--git", "--titre", "Mobilités dans les territoires ruraux du Nord")
    assert r.exit_code == 0, r.output
    _git(root, "config", "user.name", "Claire Animatrice")
    _git(root, "config", "user.email", "claire@example.invalid")
    # the only YAML written by hand
    (root / "consultation.yaml").write_text(CONSULTATION, encoding="utf-8")
    (root / "themes.yaml").write_text(THEMES, encoding="utf-8")
    hand_written = len(CONSULTATION.splitlines()) + len(THEMES.splitlines())
    assert hand_written < 100

    def run(*args: str | Path) -> str:
        result = run_cli("-C", root, *args)
        assert result.exit_code == 0, f"ateliers {' '.join(map(str, args))}\n{result.output}"
        return result.stdout

    def strict_then_advance() -> None:
        run("check", "--strict")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "saisie")
        run("advance", "--commit")
        run("check", "--strict")

    def template(kind: str, ident: str = "") -> Path:
        book = tmp_path / f"{kind}{'-' + ident if ident else ''}.xlsx"
        run("saisie", "modele", kind, *([ident] if ident else []), "--out", book)
        return book

    # 1. call for contributions: an export imported, classified by keywords
    export = tmp_path / "formulaire.csv"
    export.write_text(CONTRIBUTIONS, encoding="utf-8")
    run("contributions", "import", export)
    out = run("themes", "tag", "--apply")
    assert "C-0005" in out  # left to classify by hand: no keyword in it
    run(
        "contributions",
        "classer",
        "C-0005",
        "--statut",
        "hors_sujet",
        "--motif",
        "Une question d'impôt local, hors du champ de la consultation",
        "--redirection",
        "Le service des impôts de Cambrai",
    )
    book = template("lancement")
    fill(
        book, fiche={"Forum": {"date": "07/03/2026 10:00", "lieu": "Maison du Département, Cambrai", "statut": "prevu"}}
    )
    run("saisie", "import", book)
    for ident, territoire, lieu, day in (
        ("avesnes-1", "avesnes", "Salle des fêtes de Fourmies", "14/03/2026 09:30"),
        ("cambrai-1", "cambrai", "Centre social de Caudry", "21/03/2026 09:30"),
    ):
        book = template("atelier", ident)
        fill(
            book,
            fiche={
                "Atelier": {
                    "titre": f"Atelier de {lieu}",
                    "territoire": territoire,
                    "date": day,
                    "lieu": lieu,
                    "capacite": 30,
                    "themes": "transport-demande, covoiturage",
                    "statut": "prevu",
                }
            },
        )
        run("saisie", "import", book)
    strict_then_advance()

    # 2. launch forum held; registrations counted
    book = template("lancement")
    fill(book, fiche={"Forum": {"statut": "tenu", "participants": 85, "inscriptions_ouvertes": "oui"}})
    run("saisie", "import", book)
    for ident in ("avesnes-1", "cambrai-1"):
        book = template("atelier", ident)
        fill(book, fiche={"Atelier": {"inscriptions.inscrits": 24, "inscriptions.liste_attente": 0}})
        run("saisie", "import", book)
    strict_then_advance()

    # 3. workshops held (by command), then productions and propositions typed in the room
    for ident, contribs in (("avesnes-1", "C-0001, C-0002"), ("cambrai-1", "C-0003, C-0004")):
        run("atelier", "tenu", ident, "--participants", "22")
        book = template("atelier", ident)
        fill(
            book,
            tables={
                "Productions": [
                    {
                        "theme": "transport-demande",
                        "reflexions": "Les villages n'ont plus de bus le samedi.\nLe marché est à 15 km.",
                    },
                    {"theme": "covoiturage", "reflexions": "Beaucoup font déjà du covoiturage informel."},
                ],
                "Propositions": [
                    {
                        "theme": "transport-demande",
                        "titre": "Une navette à la demande le samedi",
                        "description": "Réservée la veille par téléphone.",
                        "contributions": contribs,
                        "soutiens": 18,
                    },
                    {
                        "theme": "covoiturage",
                        "titre": "Une plateforme de covoiturage par canton",
                        "description": "Avec des points de rendez-vous sûrs.",
                        "soutiens": 12,
                    },
                ],
            },
        )
        out = run("saisie", "import", book)
        assert "2 propositions" in out
    strict_then_advance()

    # 4. synthesis forum: groups, and each proposition put in one
    book = template("synthese")
    fill(
        book,
        fiche={
            "Forum": {
                "date": "16/05/2026 09:30",
                "lieu": "Hôtel du Département, Lille",
                "statut": "tenu",
                "participants": 60,
            }
        },
        tables={
            "Regroupements": [
                {"id": "G-01", "titre": "Se déplacer sans voiture", "description": "Navettes à la demande."},
                {"id": "G-02", "titre": "Partager ses trajets", "description": "Covoiturage organisé."},
            ],
            "Propositions": [
                {"proposition": "P-AVESNES1-01", "regroupement": "G-01"},
                {"proposition": "P-CAMBRAI1-01", "regroupement": "G-01"},
                {"proposition": "P-AVESNES1-02", "regroupement": "G-02"},
                {"proposition": "P-CAMBRAI1-02", "regroupement": "G-02"},
            ],
        },
    )
    run("saisie", "import", book)
    strict_then_advance()

    # 5. the report's orientations
    book = template("orientations")
    fill(
        book,
        tables={
            "Orientations": [
                {
                    "id": "O-01",
                    "titre": "Un transport à la demande dans chaque canton rural",
                    "texte": "Le Département finance une navette à la demande.",
                    "regroupements": "G-01",
                    "commissions": "mobilites",
                },
                {
                    "id": "O-02",
                    "titre": "Encourager le covoiturage de proximité",
                    "texte": "Des aires et une plateforme départementale.",
                    "regroupements": "G-02",
                    "commissions": "mobilites",
                },
            ]
        },
    )
    run("saisie", "import", book)
    strict_then_advance()

    # 6. the commission's opinion and the vote by command; the sitting and the decisions in the template
    run("deliberation", "avis", "mobilites", "--avis", "favorable", "--date", "15/06/2026")
    run(
        "deliberation",
        "vote",
        "--effectif",
        "82",
        "--presents",
        "70",
        "--representes",
        "8",
        "--pour",
        "70",
        "--contre",
        "2",
        "--abstention",
        "6",
    )
    book = template("deliberation")
    fill(
        book,
        fiche={
            "Séance et vote": {
                "seance.numero": "DCD-2026-061",
                "seance.date": "26/06/2026",
                "seance.president": "Le Président du Conseil départemental",
                "seance.objet": "Politique départementale de mobilité rurale",
                "seance.matiere_code": "8.2",
            }
        },
        tables={
            "Décisions": [
                {"orientation": "O-01", "decision": "adoptee"},
                {"orientation": "O-02", "decision": "adoptee"},
            ]
        },
    )
    run("saisie", "import", book)
    text = (root / "deliberation.yaml").read_text(encoding="utf-8")
    assert "avis: favorable" in text and "votants: 78" in text  # kept by the template, which held them
    strict_then_advance()

    # 7. a public meeting in each territory, with what was said
    for ident, lieu in (("avesnes", "Mairie de Fourmies"), ("cambrai", "Mairie de Caudry")):
        book = template("restitution", ident)
        fill(
            book,
            fiche={
                "Restitution": {
                    "territoire": ident,
                    "date": "17/09/2026 18:30",
                    "lieu": lieu,
                    "statut": "tenu",
                    "participants": 40,
                }
            },
            tables={
                "Retours": [
                    {"orientation": "O-01", "texte": "Les habitants demandent la navette aussi le mercredi."},
                    {"texte": "Satisfaction générale."},
                ]
            },
        )
        run("saisie", "import", book)
    strict_then_advance()

    assert "etape: cloturee" in (root / "consultation.yaml").read_text(encoding="utf-8")
    tags = _git(root, "tag").split()
    assert len(tags) == 7
    # every YAML file other than the two written by hand was written by the tool
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        if (
            rel in ("consultation.yaml", "themes.yaml")
            or rel.startswith(("documents/", "schemas/"))
            or path.name.startswith("_")
        ):
            continue
        text = path.read_text(encoding="utf-8")
        assert "Écrit par « ateliers saisie import »" in text or rel in (
            "orientations.yaml",
            "deliberation.yaml",
            "forums/lancement.yaml",
            "forums/synthese.yaml",
            "reponses.yaml",
            "suivi.yaml",
        ), rel  # reponses.yaml : the optional answer templates, left as init wrote them


def test_a_forged_identifier_never_names_a_path_and_a_formula_stays_text(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root)
    book = tmp_path / "r.xlsx"
    assert run_cli("-C", root, "saisie", "modele", "restitution", "lille", "--out", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["À propos"]["B2"] = "../../../tmp/evasion"
    wb.save(book)
    r = run_cli("-C", root, "saisie", "import", book)
    assert r.exit_code == 1
    assert f"{book}:À propos: identifiant « ../../../tmp/evasion » invalide" in r.stderr
    assert not (tmp_path / "tmp").exists() and not Path("/tmp/evasion.yaml").exists()
    # a text that looks like a formula is kept as text, both ways
    assert run_cli("-C", root, "saisie", "modele", "restitution", "lille", "--out", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    cell = wb["Retours"].cell(6, 2, '=HYPERLINK("http://x")')
    cell.data_type = "s"  # typed as text (« '= » in a spreadsheet)
    wb.save(book)
    r = run_cli("-C", root, "saisie", "import", book)
    assert r.exit_code == 0, r.output
    assert '- texte: =HYPERLINK("http://x")' in (root / "restitutions" / "lille.yaml").read_text(encoding="utf-8")
    r = run_cli("-C", root, "saisie", "modele", "restitution", "lille", "--out", book)
    assert openpyxl.load_workbook(book)["Retours"].cell(6, 2).data_type == "s"
    r = run_cli("-C", root, "saisie", "import", book, "--json")
    assert '"inchange": true' in r.stdout
