"""``ateliers inscriptions import``: places, waiting list, needs, attendance sheets, names only in prive/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ateliers_cli.load import load
from tests.importing import TWO_TERRITORIES, cli, new_consultation, snapshot, write_bytes

LILLE_1 = """\
# Premier atelier de Lille : salle à l'étage
id: lille-1
titre: Atelier de Lille — Fives
territoire: lille
date: 2026-04-04T14:00
fin: 2026-04-04T17:30
lieu: Maison Folie Moulins
accessible_pmr: false   # escaliers, pas d'ascenseur
capacite: 2
themes: [theme-exemple]
statut: prevu           # prevu | tenu | annule
animation: Service participation citoyenne
"""

LILLE_2 = """\
id: lille-2
titre: Atelier de Roubaix
territoire: lille
date: 2026-04-11T09:30
lieu: Maison des associations
capacite: 3
themes: [theme-exemple]
statut: prevu
inscriptions:
  inscrits: 0     # écrit par l'outil
  liste_attente: 0
  besoins: {pmr: 0, lsf: 0, garde_enfants: 0, autre: 0}
"""

DOUAI_1 = """\
id: douai-1
titre: Atelier de Douai
territoire: douai
date: 2026-04-18T14:00
lieu: Hôtel de ville
capacite: 10
themes: [theme-exemple]
statut: prevu
"""

DOUAI_2 = """\
id: douai-2
titre: Atelier de Sin-le-Noble
territoire: douai
date: 2026-04-25T14:00
lieu: Salle des fêtes
capacite: 10
themes: [theme-exemple]
statut: annule
motif_annulation: Salle indisponible
"""

FORM = (
    "Horodateur;Nom;Prénom;E-mail;Téléphone;Atelier choisi;Besoins particuliers;Autre besoin\r\n"
    "12/03/2026 10:00;Dupont;Jeanne;jeanne@example.org;;Atelier de Lille — Fives;Accès PMR;\r\n"
    "12/03/2026 09:00;Martin;Paul;paul@example.org;;lille-1;Interprète LSF, garde d'enfants;\r\n"
    "12/03/2026 11:00;<script>alert(1)</script>;Zoé;zoe@example.org;;lille-1;;régime sans sel\r\n"
    "13/03/2026 08:00;Durand;Ali;;06 12 34 56 78;Lille;;\r\n"
    "13/03/2026 09:00;Petit;Léa;lea@example.org;;Douai;aucun;\r\n"
    "14/03/2026;Inconnu;Bob;bob@example.org;;Cambrai;;\r\n"
    "14/03/2026;Dupont;Jeanne;jeanne@example.org;;Atelier de Lille — Fives;;\r\n"
    "15/03/2026;Morel;Eve;eve@example.org;;douai-2;;\r\n"
    "16/03/2026;Roux;Max;max@example.org;;lille-2;;\r\n"
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = new_consultation(tmp_path, TWO_TERRITORIES)
    for name, text in (("lille-1", LILLE_1), ("lille-2", LILLE_2), ("douai-1", DOUAI_1), ("douai-2", DOUAI_2)):
        (root / "ateliers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return write_bytes(tmp_path / "inscriptions.csv", FORM.encode("cp1252"))


def registry(root: Path) -> list[dict[str, str]]:
    text = (root / "prive" / "inscriptions.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_places_waiting_list_needs_and_counts(root: Path, form: Path) -> None:
    r = cli("-C", root, "inscriptions", "import", form)
    assert r.exit_code == 1  # two rows rejected
    assert f"{form}:7: erreur : ligne rejetée : atelier « Cambrai » introuvable" in r.stderr
    assert f"{form}:9: erreur : ligne rejetée : l'atelier « douai-2 » est annulé" in r.stderr
    assert f"{form}:8: avertissement : DUPONT Jeanne déjà inscrit·e ligne 2" in r.stderr
    c = load(root).consultation
    l1, l2, d1 = c.ateliers["lille-1"], c.ateliers["lille-2"], c.ateliers["douai-1"]
    # lille-1 holds 2: Martin (9 h) and Dupont (10 h); the script-kiddie (11 h) waits
    assert (l1.inscriptions.inscrits, l1.inscriptions.liste_attente) == (2, 1)
    b = l1.inscriptions.besoins
    assert (b.pmr, b.lsf, b.garde_enfants, b.autre) == (1, 1, 1, 0)
    # Durand chose « Lille », the territory: lille-1 is full, so lille-2
    assert (l2.inscriptions.inscrits, l2.inscriptions.liste_attente) == (2, 0)
    assert (d1.inscriptions.inscrits, d1.inscriptions.liste_attente) == (1, 0)
    assert c.ateliers["douai-2"].inscriptions is None  # cancelled: untouched
    rows = registry(root)
    by_name = {r["nom"]: r for r in rows}
    assert by_name["Martin"]["statut"] == "inscrit" and by_name["Martin"]["atelier"] == "lille-1"
    assert (
        by_name["<script>alert(1)</script>"]["statut"] == "attente"
        and by_name["<script>alert(1)</script>"]["rang"] == "1"
    )
    assert by_name["Durand"]["atelier"] == "lille-2" and by_name["Durand"]["territoire_choisi"] == "lille"
    assert by_name["Dupont"]["besoins"] == "PMR"
    assert "Bob" not in {r["prenom"] for r in rows}
    assert cli("-C", root, "check").exit_code == 0


def test_yaml_edited_in_place_comments_and_order_kept(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    text = (root / "ateliers" / "lille-1.yaml").read_text(encoding="utf-8")
    assert text == LILLE_1.replace(
        "statut: prevu           # prevu | tenu | annule\n",
        "statut: prevu           # prevu | tenu | annule\n"
        "inscriptions:\n  inscrits: 2\n  liste_attente: 1\n  besoins: {pmr: 1, lsf: 1, garde_enfants: 1, autre: 0}\n",
    )
    text2 = (root / "ateliers" / "lille-2.yaml").read_text(encoding="utf-8")
    assert "  inscrits: 2     # écrit par l'outil\n" in text2
    assert text2.endswith("  besoins: {pmr: 0, lsf: 0, garde_enfants: 0, autre: 0}\n")
    assert (root / "ateliers" / "douai-2.yaml").read_text(encoding="utf-8") == DOUAI_2


def test_names_only_in_prive(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    public = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.yaml")) + "".join(
        p.read_text(encoding="utf-8") for p in root.rglob("*.md") if "prive" not in p.parts
    )
    for name in ("Dupont", "Martin", "Durand", "jeanne@example.org", "06 12 34 56 78", "régime"):
        assert name not in public
    assert "prive/" in (root / ".gitignore").read_text(encoding="utf-8")


def test_attendance_sheets(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    sheet = (root / "prive" / "emargement" / "lille-1.html").read_text(encoding="utf-8")
    assert sheet.startswith("<!DOCTYPE html>\n<html lang=\"fr\">")
    assert "@media print" in sheet and "@page" in sheet
    assert "<th class=\"signature\" scope=\"col\">Signature</th>" in sheet
    assert "samedi 4 avril 2026 à 14\u00a0h – 17\u00a0h\u00a030" in sheet
    assert "<td>DUPONT</td><td>Jeanne</td><td class=\"besoins\">PMR</td>" in sheet
    assert "<td>MARTIN</td><td>Paul</td><td class=\"besoins\">LSF, garde d&#39;enfants</td>" in sheet
    assert "<script>" not in sheet and "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;" in sheet  # escaped, waiting list
    assert sheet.index("MARTIN") > sheet.index("DUPONT")  # alphabetical, for the door
    assert "Liste d&#39;attente" in sheet or "Liste d'attente" in sheet
    assert (root / "prive" / "emargement" / "douai-1.html").exists()
    assert not (root / "prive" / "emargement" / "douai-2.html").exists()


def test_attendance_sheet_template_is_the_consultations_and_sandboxed(root: Path, form: Path) -> None:
    """The sheet is made like every document: the consultation's override wins, in the sandbox."""
    override = root / "templates" / "prive" / "emargement.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text(
        "<h1>Feuille du Nord — {{ atelier.titre }}</h1>{% for p in inscrits %}<p>{{ p.nom }} {{ p.prenom }}</p>{% "
        "endfor %}\n",
        encoding="utf-8",
    )
    r = cli("-C", root, "inscriptions", "import", form)
    assert "Erreur" not in r.stderr.split("\n")[0], r.output
    sheet = (root / "prive" / "emargement" / "lille-1.html").read_text(encoding="utf-8")
    assert sheet.strip() == "<h1>Feuille du Nord — Atelier de Lille — Fives</h1><p>DUPONT Jeanne</p><p>MARTIN Paul</p>"
    override.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    (root / "prive" / "emargement" / "lille-1.html").unlink()
    r = cli("-C", root, "inscriptions", "import", form)
    assert r.exit_code == 1
    assert "templates/prive/emargement.html.j2:1:" in r.stderr and "bac à sable" in r.stderr
    assert "Erreur interne" not in r.output
    assert not (root / "prive" / "emargement" / "lille-1.html").exists()


def test_needs_summary_for_the_organisers(root: Path, form: Path) -> None:
    r = cli("-C", root, "inscriptions", "import", form)
    assert "lieu non accessible PMR" in r.stdout.replace("\n", " ") or "lieu non" in r.stdout
    needs = (root / "prive" / "besoins.md").read_text(encoding="utf-8")
    assert "## Atelier de Lille — Fives (lille-1)" in needs
    assert "- Accès PMR : 1 (DUPONT Jeanne) — **attention : le lieu n'est pas déclaré accessible" in needs
    assert "- Interprétation LSF : 1 (MARTIN Paul)" in needs
    assert "1. <SCRIPT>ALERT(1)</SCRIPT> Zoé (régime sans sel)" in needs


def test_reimport_is_idempotent(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    before = {**snapshot(root, "ateliers"), **snapshot(root, "prive")}
    r = cli("-C", root, "inscriptions", "import", form)
    assert "rien n'a changé" in r.stdout
    assert {**snapshot(root, "ateliers"), **snapshot(root, "prive")} == before


def test_a_second_source_never_takes_a_place_given(root: Path, form: Path, tmp_path: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    phone = write_bytes(tmp_path / "telephone.csv", b"date;nom;prenom;atelier\n12/03/2026 08:00;Bernard;Luc;lille-1\n")
    r = cli("-C", root, "inscriptions", "import", phone)
    assert r.exit_code == 0, r.output
    rows = {r["nom"]: r for r in registry(root)}
    # registered earlier than anyone, but imported after: the places given are kept, Bernard waits
    assert rows["Martin"]["statut"] == "inscrit"
    assert rows["Dupont"]["statut"] == "inscrit"
    assert rows["Bernard"]["statut"] == "attente" and rows["Bernard"]["rang"] == "2"
    c = load(root).consultation
    assert (c.ateliers["lille-1"].inscriptions.inscrits, c.ateliers["lille-1"].inscriptions.liste_attente) == (2, 2)
    # the first file again: nothing changes, the phone registration stays
    before = snapshot(root, "prive")
    cli("-C", root, "inscriptions", "import", form)
    assert snapshot(root, "prive") == before


def test_a_sheet_edited_by_hand_is_kept(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    sheet = root / "prive" / "emargement" / "lille-1.html"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("Maison Folie Moulins", "Salle B"), encoding="utf-8")
    more = FORM + "17/03/2026;Blanc;Ana;ana@example.org;;lille-1;;\r\n"
    form.write_bytes(more.encode("cp1252"))
    r = cli("-C", root, "inscriptions", "import", form)
    assert "prive/emargement/lille-1.html a été modifiée à la main" in r.stderr
    assert "Salle B" in sheet.read_text(encoding="utf-8")
    r = cli("-C", root, "inscriptions", "import", form, "--force")
    assert "Salle B" not in sheet.read_text(encoding="utf-8") and "BLANC" in sheet.read_text(encoding="utf-8")
    assert "Salle B" in (root / "prive" / "emargement" / "lille-1.modifie.html").read_text(encoding="utf-8")


def test_one_form_per_workshop(root: Path, tmp_path: Path) -> None:
    export = write_bytes(
        tmp_path / "f.csv", "nom;prénom;e-mail;besoin d'un accès PMR ?\nA;B;a@b.fr;oui\nC;D;c@d.fr;non\n".encode()
    )
    r = cli("-C", root, "inscriptions", "import", export)
    assert r.exit_code == 1
    assert f"{export}:1: aucune colonne ne dit quel atelier est choisi" in r.stderr
    assert "--atelier ID" in r.stderr
    r = cli("-C", root, "inscriptions", "import", export, "--atelier", "douai-1")
    assert r.exit_code == 0, r.output
    ins = load(root).consultation.ateliers["douai-1"].inscriptions
    assert (ins.inscrits, ins.besoins.pmr) == (2, 1)


def test_dry_run_writes_nothing(root: Path, form: Path) -> None:
    before = {**snapshot(root, "ateliers"), **snapshot(root, "prive")}
    r = cli("-C", root, "inscriptions", "import", form, "--dry-run")
    assert "simulation : rien n'a été écrit" in r.stdout
    assert {**snapshot(root, "ateliers"), **snapshot(root, "prive")} == before


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("", [], "{f}: fichier vide"),
        (
            "nom;atelier\nA;lille-1\n",
            ["--map", "atelier=Atelier choisi"],
            "{f}:1: --map atelier=… : colonne « Atelier choisi » absente du fichier",
        ),
        ("nom;atelier;date\nA;lille-1;le 3 mars\n", [], "{f}:2: erreur : ligne rejetée : date « le 3 mars » illisible"),
        ("nom;atelier\n;lille-1\n", [], "{f}:2: erreur : ligne rejetée : inscription sans nom ni contact"),
    ],
)
def test_bad_input(root: Path, tmp_path: Path, content: str, args: list[str], expected: str) -> None:
    export = write_bytes(tmp_path / "f.csv", content.encode())
    r = cli("-C", root, "inscriptions", "import", export, *args)
    assert r.exit_code == 1
    assert expected.format(f=export) in r.stderr
    assert "Traceback" not in r.output


RANKED = (
    "Horodateur;Nom;Prénom;E-mail;Vos choix d'atelier (par ordre de préférence)\r\n"
    "12/03/2026 09:00;Martin;Paul;paul@example.org;lille-1, lille-2\r\n"
    "12/03/2026 10:00;Dupont;Jeanne;jeanne@example.org;lille-1, lille-2\r\n"
    "12/03/2026 11:00;Roux;Max;max@example.org;1. lille-1 2. lille-2\r\n"
    "12/03/2026 12:00;Petit;Léa;lea@example.org;lille-1\r\n"
    "12/03/2026 13:00;Morel;Eve;eve@example.org;lille-1, cambrai-9\r\n"
)


def test_ranked_choices(root: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "voeux.csv", RANKED.encode())
    r = cli("-C", root, "inscriptions", "import", export)
    assert r.exit_code == 1
    assert (
        f"{export}:6: erreur : ligne rejetée : atelier « cambrai-9 » (dans « lille-1, cambrai-9 ») introuvable"
        in r.stderr
    )
    rows = {x["nom"]: x for x in registry(root)}
    assert (rows["Martin"]["atelier"], rows["Martin"]["statut"]) == ("lille-1", "inscrit")
    assert (rows["Dupont"]["atelier"], rows["Dupont"]["statut"]) == ("lille-1", "inscrit")
    # lille-1 (2 places) is full: Roux gets his second choice
    assert (rows["Roux"]["atelier"], rows["Roux"]["statut"], rows["Roux"]["voeux"]) == (
        "lille-2",
        "inscrit",
        "lille-1, lille-2",
    )
    # Petit chose lille-1 only: waiting list, unless overflow is asked for
    assert (rows["Petit"]["atelier"], rows["Petit"]["statut"], rows["Petit"]["rang"]) == ("lille-1", "attente", "1")


def test_overflow_to_another_workshop_of_the_territory(root: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "voeux.csv", RANKED.encode())
    r = cli("-C", root, "inscriptions", "import", export, "--debordement")
    rows = {x["nom"]: x for x in registry(root)}
    assert (rows["Petit"]["atelier"], rows["Petit"]["statut"]) == ("lille-2", "inscrit")
    assert "À prévenir (1)" in r.stdout and "PETIT Léa" in r.stdout and "« lille-2 » du même territoire" in r.stdout


def test_cancellation_promotes_the_first_waiting_and_reimport_keeps_it(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    r = cli("-C", root, "inscriptions", "annuler", "jeanne@example.org")
    assert r.exit_code == 0, r.output
    assert "DUPONT Jeanne" in r.stdout and "annulée" in r.stdout
    assert "À prévenir (1)" in r.stdout
    assert "une place s'est libérée dans l'atelier « lille-1 »" in r.stdout
    rows = {x["nom"]: x for x in registry(root)}
    assert rows["Dupont"]["statut"] == "annule" and rows["Dupont"]["annule_le"]
    kiddie = rows["<script>alert(1)</script>"]
    assert kiddie["statut"] == "inscrit" and kiddie["promu_le"] and kiddie["rang"] == ""
    ins = load(root).consultation.ateliers["lille-1"].inscriptions
    assert (ins.inscrits, ins.liste_attente, ins.besoins.pmr) == (2, 0, 0)
    # the same form again (Dupont still in it): nothing moves, nobody is promoted again
    before = {**snapshot(root, "ateliers"), **snapshot(root, "prive")}
    r = cli("-C", root, "inscriptions", "import", form)
    assert "À prévenir" not in r.stdout
    assert {**snapshot(root, "ateliers"), **snapshot(root, "prive")} == before
    # a no-show keeps counting as registered
    r = cli("-C", root, "inscriptions", "absent", "MARTIN Paul", "--atelier", "lille-1")
    assert r.exit_code == 0 and "absent·e" in r.stdout
    assert {x["nom"]: x for x in registry(root)}["Martin"]["statut"] == "absent"
    assert load(root).consultation.ateliers["lille-1"].inscriptions.inscrits == 2
    r = cli("-C", root, "inscriptions", "annuler", "personne@example.org")
    assert r.exit_code == 1 and "aucune inscription ne correspond à « personne@example.org »" in r.stderr


def test_a_row_gone_from_a_new_export_is_kept_and_said(root: Path, form: Path) -> None:
    cli("-C", root, "inscriptions", "import", form)
    form.write_bytes("\r\n".join(x for x in FORM.split("\r\n") if "Martin" not in x).encode("cp1252"))
    r = cli("-C", root, "inscriptions", "import", form)
    assert "MARTIN Paul n'est plus dans ce fichier : inscription gardée (inscrit·e)" in r.stderr
    assert "ateliers inscriptions annuler « inscriptions.csv#" in r.stderr
    assert {x["nom"]: x for x in registry(root)}["Martin"]["statut"] == "inscrit"
