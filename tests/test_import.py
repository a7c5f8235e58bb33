"""``ateliers contributions import``: the shapes real exports take, and every way they go wrong."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ateliers_cli.importers.readers import read_table
from tests.importing import (
    SHARED_DATA,
    TWO_TERRITORIES,
    cli,
    contribution_files,
    diagnostics_of,
    new_consultation,
    snapshot,
    write_bytes,
)

REPO = Path(__file__).resolve().parent.parent


def front(path: Path) -> dict[str, object]:
    import yaml

    text = path.read_text(encoding="utf-8")
    _, fm, _ = text.split("---\n", 2)
    return yaml.safe_load(fm)


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


# --- a French Excel form export -----------------------------------------------------

EXCEL_FORM = (
    "Horodateur;Nom;Prénom;E-mail;Téléphone;Commune;Code postal;Votre contribution;"
    "J'accepte que ma contribution soit publiée\r\n"
    '12/01/2026 10:02;Dupont;Jeanne;jeanne.dupont@example.org;06 12 34 56 78;Roubaix;59100;'
    '"Je vis seule depuis la mort de mon mari.\r\nLes journées sont longues ; l\'hiver surtout.";Oui\r\n'
    "13/01/2026;Martin;Paul;;;Sin-le-Noble;;\"Les bus ne passent plus le dimanche à Sin-le-Noble.\";Non\r\n"
    "14/01/2026;Lefèvre;Zoé;;;;59000;\"Il faudrait des bancs — et de l'ombre — près de l'église.\";\r\n"
)


@pytest.fixture
def two(tmp_path: Path) -> Path:
    return new_consultation(tmp_path, TWO_TERRITORIES)


def test_french_excel_csv_windows_1252_semicolons_multiline(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "formulaire.csv", EXCEL_FORM.encode("cp1252"))
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "Windows-1252" in r.stdout and "séparateur « ; »" in r.stdout
    assert "3 importées" in r.stdout
    files = contribution_files(two)
    assert [f.name for f in files] == ["C-0001.md", "C-0002.md", "C-0003.md"]
    first = front(files[0])
    assert first["date"] == dt.date(2026, 1, 12)
    assert first["territoire"] == "lille"  # Roubaix
    assert first["publication"] is True
    assert first["canal"] == "formulaire"
    assert first["statut"] == "nouvelle" and first["themes"] == []
    # provenance: the kind of source, the file's name and checksum, the row; no id column: no « cle »
    checksum = base64.b32encode(hashlib.sha256(export.read_bytes()).digest()).decode().rstrip("=").lower()
    assert first["source"] == {
        "origine": "formulaire",
        "colonnes": first["source"]["colonnes"],
        "fichier": "formulaire.csv",
        "somme": checksum,
        "ligne": 2,
        "empreinte": first["source"]["empreinte"],
    }
    # the multi-line field is one row: the next record starts on line 4
    assert front(files[1])["source"]["ligne"] == 4
    assert front(files[1])["territoire"] == "douai"  # Sin-le-Noble
    assert front(files[1])["publication"] is False
    assert front(files[2])["territoire"] == "lille"  # 59000
    assert front(files[2])["publication"] is False  # no answer is no consent
    assert "de l'ombre — près de l'église" in body(files[2])  # accents and dashes intact
    assert "Les journées sont longues" in body(files[0])
    # what we write loads back without a single diagnostic
    assert diagnostics_of(two) == []
    assert cli("-C", two, "check").exit_code == 0


def test_personal_columns_go_to_prive_only(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "formulaire.csv", EXCEL_FORM.encode("cp1252"))
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    public = "".join(f.read_text(encoding="utf-8") for f in contribution_files(two))
    for secret in ("Dupont", "Jeanne", "jeanne.dupont@example.org", "06 12 34 56 78", "Roubaix", "59100", "Lefèvre"):
        assert secret not in public
    raw = (two / "prive" / "contributeurs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # French Excel opens it as UTF-8
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")}
    assert rows["C-0001"]["nom"] == "Dupont"
    assert rows["C-0001"]["prenom"] == "Jeanne"
    assert rows["C-0001"]["courriel"] == "jeanne.dupont@example.org"
    assert rows["C-0001"]["telephone"] == "06 12 34 56 78"
    assert rows["C-0001"]["commune"] == "Roubaix"
    assert rows["C-0003"]["nom"] == "Lefèvre"
    assert ".gitignore" and "prive/" in (two / ".gitignore").read_text(encoding="utf-8")


def test_contact_details_in_a_text_are_taken_out(two: Path, tmp_path: Path) -> None:
    export = write_bytes(
        tmp_path / "f.csv",
        "texte;commune\nÉcrivez-moi à marie@example.org ou au 03 20 12 34 56.;Lille\n".encode(),
    )
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    text = body(contribution_files(two)[0])
    assert "[courriel retiré]" in text and "[téléphone retiré]" in text
    assert "marie@example.org" not in text
    assert "f.csv:2: avertissement : adresse électronique et numéro de téléphone retirés" in r.stderr
    assert "marie@example.org" in (two / "prive" / "contributeurs.csv").read_text(encoding="utf-8-sig")
    assert diagnostics_of(two) == []


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        ("\ufefftexte,commune\n\"Un, deux\",Lille\n".encode(), "UTF-8 avec BOM", "« , »"),
        ("texte\tcommune\nUne idée\tLille\n".encode(), "UTF-8", "tabulation"),
        ("texte;commune\nUne idée à Douai;Douai\n".encode("latin-1"), "ISO-8859-1", "« ; »"),
        ("texte;commune\nL’été, ça coûte 5 €;Douai\n".encode("cp1252"), "Windows-1252", "« ; »"),
        ("sep=;\ntexte;commune\nUne idée;Lille\n".encode(), "UTF-8", "« ; »"),
    ],
)
def test_encodings_and_delimiters_detected(
    two: Path, tmp_path: Path, data: bytes, encoding: str, delimiter: str
) -> None:
    export = write_bytes(tmp_path / "export.csv", data)
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert f"CSV, {encoding}, séparateur {delimiter}" in r.stdout.replace("\n", " ")
    files = contribution_files(two)
    assert len(files) == 1
    text = body(files[0])
    assert "idée" in text or "Un, deux" in text or "L’été, ça coûte 5 €" in text


def test_xlsx(two: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Réponses"
    ws.append(["N°", "Date de dépôt", "Votre contribution", "Code postal", "Nom"])
    ws.append([101, dt.datetime(2026, 2, 3, 9, 15), "Plus de bancs dans les parcs.", 59500, "Durand"])
    ws.append([102, dt.datetime(2026, 2, 4), "Une navette pour le marché.\nLe samedi.", "59100", "Petit"])
    wb.save(tmp_path / "reponses.xlsx")
    r = cli("-C", two, "contributions", "import", tmp_path / "reponses.xlsx", "--map", "texte=Votre contribution")
    assert r.exit_code == 0, r.output
    assert "XLSX, feuille « Réponses »" in r.stdout
    a, b = contribution_files(two)
    assert front(a)["date"] == dt.date(2026, 2, 3) and front(a)["territoire"] == "douai"
    assert front(a)["source"]["cle"] == "101" and front(a)["source"]["ligne"] == 2
    assert front(b)["territoire"] == "lille"
    assert "Durand" not in a.read_text(encoding="utf-8")


def _ods(path: Path, rows: list[list[object]], *, sheet: str = "Réponses") -> Path:
    """An ODS as LibreOffice Calc saves it: typed cells, header rows, blank rows repeated by the million."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableHeaderRows, TableRow
    from odf.text import LineBreak, P, S

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)

    def row_of(values: list[object]) -> TableRow:
        tr = TableRow()
        for v in values:
            if isinstance(v, dt.datetime):
                cell = TableCell(valuetype="date", datevalue=v.isoformat())
                cell.addElement(P(text=v.strftime("%d/%m/%Y %H:%M")))
            elif isinstance(v, (int, float)):
                cell = TableCell(valuetype="float", value=str(v))
                cell.addElement(P(text=str(v)))
            else:
                cell = TableCell(valuetype="string")
                for k, para in enumerate(str(v).split("\n")):
                    p = P(text=para.split("  ")[0])
                    if "  " in para:  # two spaces: text:s, as Calc writes them
                        p.addElement(S(c=2))
                        p.addText(para.split("  ", 1)[1])
                    if k == 0 and "|" in para:
                        p.addElement(LineBreak())
                    cell.addElement(p)
            tr.addElement(cell)
        tr.addElement(TableCell(numbercolumnsrepeated=1020))  # the empty rest of the row
        return tr

    header = TableHeaderRows()
    header.addElement(row_of(rows[0]))
    table.addElement(header)
    for values in rows[1:]:
        table.addElement(row_of(values))
    blank = TableRow(numberrowsrepeated=1048000)
    blank.addElement(TableCell(numbercolumnsrepeated=1024))
    table.addElement(blank)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def test_ods_as_libreoffice_saves_it(two: Path, tmp_path: Path) -> None:
    export = _ods(
        tmp_path / "reponses.ods",
        [
            ["N°", "Date de dépôt", "Votre contribution", "Code postal", "Nom"],
            [
                101,
                dt.datetime(2026, 2, 3, 9, 15),
                "Plus de bancs dans les parcs.\nEt de l'ombre, à Douai.",
                59500,
                "Durand",
            ],
            [102, dt.datetime(2026, 2, 4), "Une navette  pour le marché.", "59100", "Petit"],
        ],
    )
    r = cli("-C", two, "contributions", "import", export, "--map", "texte=Votre contribution")
    assert r.exit_code == 0, r.output
    # a million blank rows repeated, of 1 024 cells each, must not be unfolded: under a limit of
    # processor time and memory (not a clock), a reader that unfolded them is killed
    limited = _limited_import(two, export, "--map", "texte=Votre contribution", "--dry-run")
    assert limited.returncode == 0, f"code {limited.returncode} (tué par la limite ?)\n{limited.stderr[-2000:]}"
    assert "ODS, feuille « Réponses »" in r.stdout
    a, b = contribution_files(two)
    assert front(a)["date"] == dt.date(2026, 2, 3) and front(a)["territoire"] == "douai"
    assert front(a)["source"]["cle"] == "101" and front(a)["source"]["ligne"] == 2
    assert "Plus de bancs dans les parcs.\n\nEt de l'ombre, à Douai." in body(a)  # a paragraph a line of the cell
    assert front(b)["territoire"] == "lille" and "Une navette  pour le marché." in body(b)
    assert "Durand" not in a.read_text(encoding="utf-8")
    again = cli("-C", two, "contributions", "import", export, "--map", "texte=Votre contribution")
    assert again.exit_code == 0 and len(contribution_files(two)) == 2  # nothing new the second time


def test_damaged_ods_is_refused_in_french(two: Path, tmp_path: Path) -> None:
    import zipfile

    export = tmp_path / "abime.ods"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content pas fini")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "abime.ods" in r.output and "classeur ODS illisible" in r.output


def test_json_list_of_objects_with_nested_translations(two: Path, tmp_path: Path) -> None:
    data = [
        {
            "id": 7,
            "title": {"fr": "Des jardins partagés"},
            "body": {"fr": "<p>Dans chaque <strong>quartier</strong>.</p><p>Avec l'aide des écoles.</p>"},
            "author": {"name": "Collectif Fives"},
            "scope": {"name": {"fr": "Douai"}},
        },
        {
            "id": 8,
            "title": {"fr": "Un titre"},
            "body": {"fr": "Un texte"},
            "author": {"name": "Anne"},
            "scope": {"name": {"fr": "Lille"}},
        },
    ]
    export = write_bytes(tmp_path / "proposals.json", json.dumps(data, ensure_ascii=False, indent=2).encode())
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "Decidim" in r.stdout
    a, b = contribution_files(two)
    fa = front(a)
    assert fa["titre"] == "Des jardins partagés" and fa["auteur"] == "Collectif Fives" and fa["territoire"] == "douai"
    assert fa["source"]["ligne"] == 2  # the line where the object starts
    assert body(a).strip() == "Dans chaque quartier.\n\nAvec l'aide des écoles."
    starts = [i + 1 for i, line in enumerate(export.read_text(encoding="utf-8").split("\n")) if line == "  {"]
    assert front(b)["source"]["ligne"] == starts[1]


def test_json_syntax_error_has_its_line(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "bad.json", b'[\n {"texte": "a"},\n {"texte": "b"\n]\n')
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1
    assert f"{export}:4: JSON invalide" in r.stderr
    assert "Traceback" not in r.output


# --- platforms ------------------------------------------------------------------------

DECIDIM_OLD = (
    "id;category/id;category/name/en;category/name/fr;scope/id;scope/name/en;scope/name/fr;title;body;votes;comments;created_at;url;component/id;meeting_urls\n"
    '4521;3;Mobility;Mobilité;12;Lille;Lille;Des bus le dimanche;"Le dimanche, il n\'y a plus de bus.\n\nC\'est un '
    '""vrai"" problème.";12;3;2019-01-24 22:29:15 +0100;https://x/p/4521;5;\n'
    "4522;3;Mobility;Mobilité;13;Douai;Douai;Pistes cyclables;Plus de pistes à Douai.;4;0;2019-01-25 08:00:00 +0100;https://x/p/4522;5;\n"
)


def test_decidim_open_data_export(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "decidim.csv", DECIDIM_OLD.encode())
    dry = cli("-C", two, "contributions", "import", export, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Format reconnu : export de propositions Decidim" in dry.stdout
    assert "Mobilité (2)" in dry.stdout  # the category is reported, not kept
    assert "simulation" in dry.stdout and "contributions/C-0001.md" in dry.stdout
    assert contribution_files(two) == []
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    a, b = contribution_files(two)
    fa = front(a)
    assert fa["date"] == dt.date(2019, 1, 24)
    assert fa["canal"] == "plateforme"
    assert fa["auteur"] == "Contributeur·rice Decidim C-0001"  # unique in the consultation: it holds the id
    assert fa["territoire"] == "lille" and front(b)["territoire"] == "douai"
    assert fa["titre"] == "Des bus le dimanche"
    assert fa["source"]["cle"] == "4521"
    assert 'C\'est un "vrai" problème.' in body(a)
    assert diagnostics_of(two) == []


def test_grand_debat_export(two: Path, tmp_path: Path) -> None:
    header = (
        "id,reference,title,createdAt,publishedAt,updatedAt,trashed,trashedStatus,authorId,authorType,authorZipCode,Q1 "
        "- Quelles sont les priorités ?,Q2 - Que proposez-vous ?"
    )
    rows = [
        'abc1,1,Titre un,2019-01-22 10:12:13,,,false,,u1,Citoyen / Citoyenne,59000,"La santé, l\'école.",Des médecins.',
        ("abc2,2,Titre deux,2019-01-23 11:00:00,,,false,,u2,Organisation à but non lucratif,59500,,Une maison des "
        "associations."),
        "abc3,3,Titre trois,2019-01-23 12:00:00,,,true,MODERATED,u3,Citoyen / Citoyenne,59500,Supprimée,",
    ]
    export = write_bytes(tmp_path / "GRAND_DEBAT.csv", ("\n".join([header, *rows]) + "\n").encode("latin-1"))
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "Grand Débat" in r.stdout
    assert "2 importées" in r.stdout and "1 ignorée" in r.stdout
    a, b = contribution_files(two)
    assert (
        body(a).strip()
        == "## Quelles sont les priorités ?\n\nLa santé, l'école.\n\n## Que proposez-vous ?\n\nDes médecins."
    )
    assert front(a)["profil"] == "citoyen" and front(a)["territoire"] == "lille"
    assert front(b)["profil"] == "partenaire" and front(b)["territoire"] == "douai"
    assert front(b)["source"]["cle"] == "2"
    assert "## Que proposez-vous ?" in body(b) and "Quelles sont" not in body(b)


# --- mapping ----------------------------------------------------------------------------------

UNKNOWN_FORM = (
    "Quand;Votre message;Ville;Vous êtes\n02/03/2026;Un message;Douai;Association\n03/03/2026;Un "
    "autre;Lille;Particulier\n"
)


def test_unknown_format_needs_a_mapping(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", b"Quand;Message libre\n02/03/2026;Un message\n")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1
    assert f"{export}:1: format non reconnu" in r.stderr
    assert "--map texte=" in r.stderr
    assert "« Message libre »" in r.stderr
    assert "Traceback" not in r.output
    r = cli(
        "-C",
        two,
        "contributions",
        "import",
        export,
        "--map",
        "texte=message libre",
        "--map",
        "date=Quand",
        "--territoire",
        "douai",
    )
    assert r.exit_code == 0, r.output
    f = front(contribution_files(two)[0])
    assert f["date"] == dt.date(2026, 3, 2) and f["territoire"] == "douai"


def test_mapping_file(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", UNKNOWN_FORM.encode())
    mapping = tmp_path / "correspondance.yaml"
    mapping.write_text(
        "# Correspondance du formulaire papier saisi\ncolonnes:\n  texte: Votre message\n  date: Quand\n  commune: "
        "Ville\n  profil: Vous êtes\nvaleurs:\n  profil:\n    Particulier: citoyen\ndefauts:\n  canal: courrier\n",
        encoding="utf-8",
    )
    r = cli("-C", two, "contributions", "import", export, "--mapping", mapping)
    assert r.exit_code == 0, r.output
    a, b = contribution_files(two)
    assert front(a)["profil"] == "partenaire"  # « Association »: recognised
    assert front(b)["profil"] == "citoyen"  # translated by the mapping file
    assert front(a)["canal"] == "courrier"
    assert front(a)["territoire"] == "douai"


def test_mapping_file_problems_all_at_once_with_lines(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", UNKNOWN_FORM.encode())
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "colonnes:\n  texte: Votre mesage\n  datte: Quand\ndefauts:\n  profil: habitante\n", encoding="utf-8"
    )
    r = cli("-C", two, "contributions", "import", export, "--mapping", mapping)
    assert r.exit_code == 1
    err = r.stderr
    assert f"{mapping}:2: erreur : colonne « Votre mesage » absente de {export}" in err
    assert "vouliez-vous dire « Votre message » ?" in err
    assert f"{mapping}:3: erreur : champ « datte » inconnu" in err
    assert f"{mapping}:5: erreur : profil « habitante » inconnu" in err
    assert contribution_files(two) == []


def test_unknown_commune_says_how_to_add_it_not_a_distant_name(two: Path, tmp_path: Path) -> None:
    """« Wambrechies » is not « Orchies » misspelt: the hint says where to declare it."""
    text = (two / "consultation.yaml").read_text(encoding="utf-8")
    (two / "consultation.yaml").write_text(text.replace("communes: [", "communes: [Orchies, ", 1), encoding="utf-8")
    export = write_bytes(tmp_path / "f.csv", b"texte;commune\nUn texte;Wambrechies\n")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1
    assert "commune « Wambrechies » rattachée à aucun territoire" in r.stderr
    assert "ajoutez « Wambrechies » à la liste « communes » de son territoire dans consultation.yaml" in r.stderr
    assert "Orchies" not in r.stderr


def test_import_after_the_call_or_into_a_closed_consultation_warns(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", b"texte;territoire\nUn courrier en retard;lille\n")
    r = cli("-C", two, "contributions", "import", export, "--dry-run")
    assert r.exit_code == 0 and "arrivent en retard" not in r.output  # during the call: nothing to say
    path = two / "consultation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("etape: appel", "etape: synthese"), encoding="utf-8")
    r = cli("-C", two, "contributions", "import", export, "--dry-run")
    assert (
        "attention : l'appel à contributions est clos (étape en cours : « Forum départemental de synthèse »)"
        in r.stdout
    )
    path.write_text(path.read_text(encoding="utf-8").replace("etape: synthese", "etape: cloturee"), encoding="utf-8")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "attention : la consultation est clôturée" in r.stdout


def test_profile_that_cannot_be_mapped_is_reported(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", b"texte;commune;profil\nUn;Lille;Martien\nDeux;Lille;habitant\n")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1
    assert f"{export}:2: erreur : ligne rejetée : profil « Martien » non reconnu" in r.stderr
    assert len(contribution_files(two)) == 1


# --- territories ------------------------------------------------------------------------------


def test_unmappable_territory_is_reported_not_guessed(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", b"texte;commune\nUn texte;Lile\nDeux;Cambrai\nTrois;\n")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1
    assert f"{export}:2: erreur : ligne rejetée : commune « Lile » rattachée à aucun territoire" in r.stderr
    assert "ou est-ce « Lille » mal orthographiée ?" in r.stderr
    assert f"{export}:3: erreur : ligne rejetée : commune « Cambrai »" in r.stderr
    assert f"{export}:4: erreur : ligne rejetée : aucun territoire, commune ni code postal" in r.stderr
    assert "0 importée" in r.stdout and "3 rejetées" in r.stdout
    assert contribution_files(two) == []
    # a default territory turns the unknown ones into warnings
    r = cli("-C", two, "contributions", "import", export, "--territoire", "douai")
    assert r.exit_code == 0, r.output
    assert "rattachée à « douai » (territoire par défaut)" in r.stderr
    assert {front(f)["territoire"] for f in contribution_files(two)} == {"douai"}


def test_communes_table(two: Path, tmp_path: Path) -> None:
    table = write_bytes(
        tmp_path / "communes.csv",
        "commune;code_postal;territoire\nCuincy;59553;douai\nLambersart;59130;lille\n".encode("cp1252"),
    )
    export = write_bytes(tmp_path / "f.csv", b"texte;commune;code postal\nUn;Cuincy;\nDeux;;59130\n")
    r = cli("-C", two, "contributions", "import", export, "--communes", table)
    assert r.exit_code == 0, r.output
    a, b = contribution_files(two)
    assert front(a)["territoire"] == "douai" and front(b)["territoire"] == "lille"


def test_single_territory_takes_everything(tmp_path: Path) -> None:
    root = new_consultation(tmp_path)  # « ateliers init »: one territory
    export = write_bytes(tmp_path / "f.csv", "texte\nUne idée\n".encode())
    r = cli("-C", root, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert front(contribution_files(root)[0])["territoire"] == "arrondissement-1"
    assert "aucune colonne de date" in r.stdout


# --- re-import ----------------------------------------------------------------------------------


def test_reimport_adds_nothing_and_reports_changes(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "decidim.csv", DECIDIM_OLD.encode())
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    before = snapshot(two, "contributions")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0
    assert "0 importée, 2 inchangées, 0 modifiée, 0 rejetée" in r.stdout
    assert snapshot(two, "contributions") == before
    # the analysts' work, then a new export where one proposal was edited and one added
    c1 = two / "contributions" / "C-0001.md"
    c1.write_text(c1.read_text(encoding="utf-8").replace("statut: nouvelle", "statut: hors_sujet"), encoding="utf-8")
    edited = DECIDIM_OLD.replace("Plus de pistes à Douai.", "Plus de pistes cyclables à Douai.").replace(
        ";12;3;", ";99;7;"
    )
    edited += "4530;3;Mobility;Mobilité;12;Lille;Lille;Nouveau;Un nouveau texte.;0;0;2019-02-01 10:00:00 +0100;https://x/p/4530;5;\n"
    export.write_bytes(edited.encode())
    before = snapshot(two, "contributions")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "1 importée, 1 inchangée, 1 modifiée, 0 rejetée" in r.stdout  # votes changing is not a change
    assert (
        "decidim.csv:5: avertissement : ligne modifiée depuis son import (clé « 4522 », C-0002) : non réécrite"
        in r.stderr.replace(str(tmp_path) + "/", "")
    )
    assert snapshot(two, "contributions")["contributions/C-0002.md"] == before["contributions/C-0002.md"]
    assert front(two / "contributions" / "C-0003.md")["source"]["cle"] == "4530"
    # --update rewrites what came from the export and keeps the analysts' work
    c2 = two / "contributions" / "C-0002.md"
    c2.write_text(
        c2.read_text(encoding="utf-8")
        .replace("themes: []", "themes: [theme-exemple]")
        .replace("statut: nouvelle", "statut: analysee"),
        encoding="utf-8",
    )
    r = cli("-C", two, "contributions", "import", export, "--update")
    assert r.exit_code == 0, r.output
    assert "mise à jour" in r.stderr
    f2 = front(c2)
    assert f2["themes"] == ["theme-exemple"] and f2["statut"] == "analysee"
    assert "Plus de pistes cyclables à Douai." in body(c2)
    assert front(c1)["statut"] == "hors_sujet"
    assert "0 importée, 3 inchangées" in cli("-C", two, "contributions", "import", export).stdout
    assert diagnostics_of(two) == []


def test_numbering_continues(two: Path, tmp_path: Path) -> None:
    (two / "contributions" / "C-0041.md").write_text(
        "---\nid: C-0041\ndate: 2026-01-02\nprofil: habitant\ncanal: courrier\nterritoire: lille\nauteur: A.\n"
        "publication: false\nthemes: []\nstatut: nouvelle\n---\nUne lettre.\n",
        encoding="utf-8",
    )
    export = write_bytes(tmp_path / "f.csv", b"texte;commune\nUn;Lille\nDeux;Douai\n")
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    assert [f.name for f in contribution_files(two)] == ["C-0041.md", "C-0042.md", "C-0043.md"]


# --- bad input: a French « fichier:ligne: message », exit 1, never a traceback ---------------


@pytest.mark.parametrize(
    ("name", "content", "args", "expected"),
    [
        (
            "f.csv",
            "texte;commune\nUn;Lille\n",
            ["--map", "texte=Contribution"],
            "{f}:1: --map texte=… : colonne « Contribution » absente du fichier",
        ),
        ("f.csv", "", [], "{f}: fichier vide"),
        ("f.csv", "   \r\n", [], "{f}: fichier vide"),
        ("f.csv", "texte;commune\n", [], "{f}:1: aucune ligne de données"),
        ("f.pdf", "%PDF-1.4 binaire", [], "{f}: document PDF, pas un tableau"),
        ("f.dat", "\x00\x01\x02\x03", [], "{f}: format de fichier inconnu (fichier binaire)"),
        ("f.docx", "ceci n'est pas un tableau", [], "{f}: format de fichier inconnu (extension « .docx »)"),
        (
            "f.xlsx",
            "pas un classeur",
            [],
            "{f}: le fichier porte l'extension « .xlsx » mais ce n'est pas un classeur lisible",
        ),
        ("f.xls", "<html><table><tr><td>x</td></tr></table></html>", [], "{f}: ce fichier est une page HTML"),
        (
            "f.csv",
            'texte;commune\n"Un texte jamais fermé;Lille\nDeux;Lille\n',
            [],
            "{f}:2: guillemet ouvert jamais refermé",
        ),
        ("f.csv", "texte;commune\nUn;Lille\n", ["--map", "txte=texte"], "--map : champ « txte » inconnu"),
    ],
)
def test_bad_files(two: Path, tmp_path: Path, name: str, content: str, args: list[str], expected: str) -> None:
    export = write_bytes(tmp_path / name, content.encode("latin-1"))
    r = cli("-C", two, "contributions", "import", export, *args)
    assert r.exit_code in (1, 2)
    assert expected.format(f=export) in r.stderr.replace("\n", " "), r.stderr
    assert "Traceback" not in r.output
    assert contribution_files(two) == []


def test_unknown_field_is_a_usage_error(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "f.csv", b"texte;commune\nUn;Lille\n")
    r = cli("-C", two, "contributions", "import", export, "--map", "txte=texte")
    assert r.exit_code == 2
    assert "vouliez-vous dire « texte » ?" in r.stderr


def test_missing_and_unreadable_files(two: Path, tmp_path: Path) -> None:
    r = cli("-C", two, "contributions", "import", tmp_path / "absent.csv")
    assert r.exit_code == 1 and f"{tmp_path / 'absent.csv'}: fichier introuvable" in r.stderr
    r = cli("-C", two, "contributions", "import", tmp_path)
    assert r.exit_code == 1 and "c'est un dossier, pas un fichier" in r.stderr
    if os.geteuid() != 0:  # root reads anything
        locked = write_bytes(tmp_path / "locked.csv", b"texte\nUn\n")
        locked.chmod(0)
        r = cli("-C", two, "contributions", "import", locked)
        assert r.exit_code == 1 and "accès refusé" in r.stderr


def test_bad_rows_are_reported_and_the_rest_imported(two: Path, tmp_path: Path) -> None:
    export = write_bytes(
        tmp_path / "f.csv",
        (
            b"id;date;texte;commune\n"
            b"1;12/01/2026;Un bon texte;Lille\n"
            b"2;32/13/2026;Une mauvaise date;Lille\n"
            b"3;12/01/2026;;Lille\n"
            b"1;12/01/2026;Un doublon;Lille\n"
            b"4;12/01/2026;Trop de valeurs;Lille;en trop\n"
            b"5;;Sans date;Douai\n"
        ),
    )
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 1
    err = r.stderr
    assert f"{export}:3: erreur : ligne rejetée : date « 32/13/2026 » illisible" in err
    assert f"{export}:4: erreur : ligne rejetée : texte vide (colonne « texte »)" in err
    assert f"{export}:5: erreur : ligne rejetée : identifiant « 1 » en double (déjà ligne 2)" in err
    assert f"{export}:6: erreur : ligne rejetée : la ligne a 5 valeurs alors que l'en-tête annonce 4 colonnes" in err
    assert f"{export}:7: avertissement : 1 ligne sans date (ligne 7)" in err
    assert "2 importées, 0 inchangée, 0 modifiée, 4 rejetées" in r.stdout
    assert "Traceback" not in r.output
    assert front(contribution_files(two)[1])["date"] == dt.date(2026, 11, 18)  # today (SOURCE_DATE_EPOCH)


# --- interrupted import ---------------------------------------------------------------------------


def _limited_import(root: Path, export: Path, *options: str) -> subprocess.CompletedProcess[str]:
    def limits() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))  # the import takes about a second
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    command = [
        sys.executable,
        "-m",
        "ateliers_cli",
        "-q",
        "-C",
        str(root),
        "contributions",
        "import",
        str(export),
        *options,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, preexec_fn=limits, check=False)


def test_import_killed_halfway_leaves_complete_files_and_a_second_run_finishes(two: Path, tmp_path: Path) -> None:
    from tests.test_crash import KILL_AT

    n = 1000
    lines = ["id;texte;commune"] + [
        f"{i};Contribution numéro {i}, avec des accents : é à ç.;{'Lille' if i % 2 else 'Douai'}"
        for i in range(1, n + 1)
    ]
    export = write_bytes(tmp_path / "gros.csv", ("\n".join(lines) + "\n").encode())
    # killed just before its 300th rename, wherever that falls: never « too fast » to be caught
    env = {**os.environ, "PYTHONPATH": str(REPO), "ATELIERS_TUER_AU": "300"}
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AT, "-q", "-C", str(two), "contributions", "import", str(export)],
        capture_output=True, env=env, check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    done = contribution_files(two)
    assert (two / ".ateliers-journal").exists()  # killed during its renames
    assert 0 < len(done) < n
    # only complete files: every visible contribution loads without a diagnostic
    assert diagnostics_of(two) == []
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    # a batch killed during its renames is completed first (its journal), then the rest imported
    m = re.search(r"(\d+) importées?, (\d+) inchangées?, 0 modifiée, 0 rejetée", r.stdout)
    assert m is not None, r.stdout
    imported, unchanged = int(m.group(1)), int(m.group(2))
    assert imported + unchanged == n and unchanged >= len(done)
    files = contribution_files(two)
    assert [f.name for f in files] == [f"C-{i:04d}.md" for i in range(1, n + 1)]
    assert sorted(front(f)["source"]["cle"] for f in files) == sorted(str(i) for i in range(1, n + 1))
    assert not list(two.rglob(".*.tmp")) and not (two / ".ateliers-journal").exists()
    assert diagnostics_of(two) == []


# --- real exports (../shared/data), when present -------------------------------------------------

needs_data = pytest.mark.skipif(SHARED_DATA is None, reason="../shared/data absent")


@needs_data
def test_real_decidim_csv(tmp_path: Path) -> None:
    assert SHARED_DATA is not None
    root = new_consultation(tmp_path)
    export = SHARED_DATA / "decidim-consommer" / "subset_raw_data.csv"
    r = cli("-C", root, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "268 importées" in r.stdout
    files = contribution_files(root)
    assert len(files) == 268
    titles = {front(f)["titre"] for f in files}
    assert "Réglementer les tarifs des assurances auto" in titles
    assert "Instaurer un indicateur \"CO2 Score\"" in titles
    everything = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "ombrières solaires" in everything and "Ã" not in everything
    assert diagnostics_of(root) == []
    again = cli("-C", root, "contributions", "import", export)
    assert "0 importée, 268 inchangées" in again.stdout
    # the same rows as JSON are the same contributions: same keys, other file name
    table = read_table(SHARED_DATA / "decidim-consommer" / "subset_raw_data.json")
    assert len(table.rows) == 268 and table.columns == ["id", "category", "title", "body"]


@needs_data
def test_real_feamp_xls(tmp_path: Path) -> None:
    assert SHARED_DATA is not None
    root = new_consultation(tmp_path)
    r = cli("-C", root, "contributions", "import", SHARED_DATA / "decidim-feamp" / "subset_FEAMP.xls")
    assert r.exit_code == 0, r.output
    assert "408 importées" in r.stdout
    assert "XLS, feuille « Export »" in r.stdout
    files = contribution_files(root)
    assert len(files) == 408
    assert any("pêche illégale" in f.read_text(encoding="utf-8") for f in files)
    assert diagnostics_of(root) == []


def test_a_broken_earlier_import_is_not_imported_twice(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "decidim.csv", DECIDIM_OLD.encode())
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    c1 = two / "contributions" / "C-0001.md"
    c1.write_text(c1.read_text(encoding="utf-8").replace("statut: nouvelle", "statut: [nouvelle"), encoding="utf-8")
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    assert "contributions/C-0001.md est illisible" in r.stdout.replace("\n", " ")
    assert "0 importée, 2 inchangées" in r.stdout
    assert len(contribution_files(two)) == 2


def test_personal_details_without_their_contribution_are_dropped(two: Path, tmp_path: Path) -> None:
    (two / "prive").mkdir(exist_ok=True)
    (two / "prive" / "contributeurs.csv").write_text(
        "id;nom;courriel\nC-0007;Orphelin;o@example.org\n", encoding="utf-8"
    )
    export = write_bytes(tmp_path / "f.csv", b"texte;commune;nom\nUn;Lille;Dupont\n")
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    text = (two / "prive" / "contributeurs.csv").read_text(encoding="utf-8-sig")
    assert "Dupont" in text and "Orphelin" not in text


def test_decidim_recent_export_with_taxonomies(two: Path, tmp_path: Path) -> None:
    header = (
        "id,reference,title/fr,body/fr,taxonomies/id,taxonomies/name/fr,author/name,state,answer/fr,"
        "likes/total_count,published_at,created_at"
    )
    row = (
        '12,DEC-PROP-12,Un parc à Fives,"<p>Un parc, enfin.</p><ul><li>des arbres</li><li>des bancs</li></ul>",4,Cadre '
        'de vie,Collectif du Parc,accepted,,8,2025-03-01 10:00:00 UTC,2025-02-28 23:30:00 UTC'
    )
    export = write_bytes(tmp_path / "open-data-proposals.csv", (header + "\n" + row + "\n").encode())
    r = cli("-C", two, "contributions", "import", export, "--territoire", "lille", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "Cadre de vie (1)" in r.stdout
    assert cli("-C", two, "contributions", "import", export, "--territoire", "lille").exit_code == 0
    (c,) = contribution_files(two)
    f = front(c)
    assert f["titre"] == "Un parc à Fives" and f["auteur"] == "Collectif du Parc"
    assert f["date"] == dt.date(2025, 3, 1)  # 23 h 30 UTC is already the next day in Paris
    assert body(c).strip() == "Un parc, enfin.\n\n- des arbres\n\n- des bancs"
    assert diagnostics_of(two) == []


def test_civility_column_agrees_the_profile(example: Path, tmp_path: Path) -> None:
    """« Mme » / « M. » from the form: the contribution knows its civility, the quotes agree with it."""
    export = tmp_path / "formulaire.csv"
    export.write_text(
        "Civilité;Pseudo;Commune;Votre contribution;Consentement\n"
        "Mme;Odile P.;Lille;Je vis seule. Je voudrais que vous passiez me voir.;oui\n"
        "M.;Paul;Douai;Les transports sont rares.;oui\n"
        ";Camille;Lille;Rien à ajouter.;oui\n",
        encoding="utf-8",
    )
    from tests.conftest import run_cli

    r = run_cli("-C", example, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    heads = {}
    for path in (example / "contributions").glob("*.md"):
        text = path.read_text(encoding="utf-8")
        for name in ("Odile P.", "Paul", "Camille"):
            if f"auteur: {name}\n" in text:
                heads[name] = text.split("\n---\n", 1)[0]
    assert "civilite: madame" in heads["Odile P."]
    assert "civilite: monsieur" in heads["Paul"]
    assert "civilite" not in heads["Camille"]


def test_consent_to_be_contacted_goes_to_prive(two: Path, tmp_path: Path) -> None:
    export = write_bytes(
        tmp_path / "f.csv",
        "texte;courriel;commune;J'accepte d'être recontacté\nUne idée;a@example.org;Roubaix;oui\nUne "
        "autre;b@example.org;Roubaix;non\n".encode(),
    )
    r = cli("-C", two, "contributions", "import", export)
    assert r.exit_code == 0, r.output
    rows = list(
        csv.DictReader(
            io.StringIO((two / "prive" / "contributeurs.csv").read_text(encoding="utf-8-sig")), delimiter=";"
        )
    )
    assert [(x["courriel"], x["contact"]) for x in rows] == [("a@example.org", "oui"), ("b@example.org", "non")]
    public = "".join(f.read_text(encoding="utf-8") for f in contribution_files(two))
    assert "recontact" not in public and "publication: true" not in public
