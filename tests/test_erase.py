"""``ateliers erase``: the right to erasure, in the contribution, in prive/, and in everything generated."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ateliers_cli.model import ANONYMOUS_AUTHOR
from ateliers_cli.store.redaction import Person, scrub
from tests.conftest import run_cli

REGISTER = (
    "\ufeffid;nom;prenom;courriel;telephone;adresse;commune;code_postal\r\n"
    "C-0001;Vandenbussche;Jeanne;jeanne.v@example.org;06 12 34 56 78;12 rue des Lilas;Lille;59000\r\n"
    "C-0002;Verstraete;Roger;;;;Bergues;59380\r\n"
)
REGISTRATIONS = (
    "atelier;nom;prenom;courriel;commune;statut\n"
    "lille-1;VANDENBUSSCHE;Jeanne;;Lille;inscrit\n"
    "lille-1;Durand;Paul;paul@example.org;Lille;inscrit\n"
    "lille-2;Martin;Claude;jeanne.v@example.org;Lille;attente\n"
)
NAME_IN_TEXT = "\nJeanne Vandenbussche, jeanne.v@example.org, 06.12.34.56.78 — signé Jeanne M.\n"


def files(root: Path) -> dict[Path, bytes]:
    """Every file of the consultation (the check cache aside)."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".ateliers-cache" not in p.parts}


def prepare(root: Path, *, contact_in_text: bool = True) -> Path:
    """The example's C-0001 with an organisation, a comment, its author's names in its text, and prive/."""
    path = root / "contributions" / "C-0001.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "auteur: Jeanne M.\n",
        "auteur: Jeanne M.   # nom affiché\norganisation: Club des aînés de Wazemmes\n# commentaire à garder\n",
    )
    text = text.replace("titre: Juste parler à quelqu'un", "titre: Juste parler à quelqu'un, par Jeanne")
    text += NAME_IN_TEXT if contact_in_text else "\nJeanne Vandenbussche\n"
    path.write_text(text, encoding="utf-8")
    (root / "prive").mkdir(exist_ok=True)
    (root / "prive" / "contributeurs.csv").write_bytes(REGISTER.encode("utf-8"))
    (root / "prive" / "inscriptions.csv").write_text(REGISTRATIONS, encoding="utf-8")
    return path


def test_erase_removes_the_identity_and_keeps_the_text(example: Path) -> None:
    path = prepare(example)
    r = run_cli("-C", example, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    assert "Identité effacée de 1 contribution : C-0001." in r.stdout
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    assert f"auteur: {ANONYMOUS_AUTHOR} # nom affiché" in head
    assert "organisation" not in head
    assert "civilite" not in head  # the civility goes with the name
    assert "# commentaire à garder" in head, "les commentaires de l'en-tête sont gardés"
    assert "efface: 2026-11-18" in head
    assert "titre: Juste parler à quelqu'un, par [nom retiré]" in head
    assert body.startswith("Depuis que mon mari est parti il y a deux ans")  # the text is kept
    assert "[nom retiré], [courriel retiré], [téléphone retiré] — signé [nom retiré]" in body
    for gone in ("Jeanne", "Vandenbussche", "jeanne.v@", "06.12", "Club des aînés"):
        assert gone not in text, gone
    # key order and the rest of the header unchanged
    assert head.splitlines()[1:6] == [
        "id: C-0001",
        "date: 2025-09-15",
        "profil: habitant",
        "canal: formulaire",
        "territoire: lille",
    ]


def test_erase_cleans_prive_in_its_own_format(example: Path) -> None:
    prepare(example)
    r = run_cli("-C", example, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    register = (example / "prive" / "contributeurs.csv").read_bytes()
    assert register == (
        "\ufeffid;nom;prenom;courriel;telephone;adresse;commune;code_postal\r\nC-0002;Verstraete;Roger;;;;Bergues;59380\r\n"
    ).encode("utf-8")
    registrations = (example / "prive" / "inscriptions.csv").read_text(encoding="utf-8")
    assert (
        registrations
        == "atelier;nom;prenom;courriel;commune;statut\nlille-1;Durand;Paul;paul@example.org;Lille;inscrit\n"
    )
    assert "prive/contributeurs.csv : 1 ligne supprimée" in r.stdout
    assert "prive/inscriptions.csv : 2 inscriptions supprimées" in r.stdout


def test_check_confirms_nothing_remains(example: Path) -> None:
    prepare(example, contact_in_text=False)
    assert run_cli("-C", example, "erase", "C-0001").exit_code == 0
    r = run_cli("-C", example, "check")
    assert r.exit_code == 0, r.output


def test_check_flags_an_identity_come_back(example: Path) -> None:
    path = example / "contributions" / "C-0001.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("statut: analysee", "statut: analysee\nefface: 2026-11-02"),
        encoding="utf-8",
    )
    (example / "prive").mkdir()
    (example / "prive" / "contributeurs.csv").write_text(
        "id;nom;prenom\nC-0002;Verstraete;Roger\nC-0001;Vandenbussche;Jeanne\n", encoding="utf-8"
    )
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1
    assert (
        "contributions/C-0001.md:7: erreur : contribution effacée le 2026-11-02 dont l'auteur n'est pas « "
        f"{ANONYMOUS_AUTHOR} »"
        in r.stderr
    )
    assert (
        "prive/contributeurs.csv:3: erreur : la contribution C-0001 a été effacée le 2026-11-02 mais ses données "
        "personnelles sont encore là"
        in r.stderr
    )
    assert "relancez « ateliers erase C-0001 »" in r.stderr
    # and erase repairs it
    assert run_cli("-C", example, "erase", "C-0001").exit_code == 0
    assert run_cli("-C", example, "check").exit_code == 0
    assert "efface: 2026-11-02" in path.read_text(encoding="utf-8"), "la date du premier effacement est gardée"


def test_dry_run_writes_nothing(example: Path) -> None:
    prepare(example)
    before = files(example)
    r = run_cli("-C", example, "erase", "C-0001", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "Simulation" in r.stdout
    assert (
        "contributions/C-0001.md : auteur « Jeanne M. » → « Contribution anonymisée » ; organisation « Club des aînés "
        "de Wazemmes » retirée ; efface: 2026-11-18"
        in r.stdout
    )
    assert "retirés du titre et du texte : 3 noms, 1 courriel, 1 téléphone" in r.stdout
    assert files(example) == before


def test_second_erase_has_nothing_to_do(example: Path) -> None:
    prepare(example)
    assert run_cli("-C", example, "erase", "C-0001").exit_code == 0
    before = (example / "contributions" / "C-0001.md").read_bytes()
    r = run_cli("-C", example, "erase", "C-0001")
    assert r.exit_code == 0
    assert "Rien à effacer : cette contribution est déjà anonymisée." in r.stdout
    assert (example / "contributions" / "C-0001.md").read_bytes() == before


def test_erase_by_author(example: Path) -> None:
    prepare(example)
    r = run_cli("-C", example, "erase", "--auteur", "jeanne vandenbussche")
    assert r.exit_code == 0, r.output
    assert "C-0001" in r.stdout
    r = run_cli("-C", example, "erase", "--auteur", "Roger V.", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "contributions/C-0002.md : auteur « Roger V. »" in r.stdout


def test_unknown_id_or_author_is_a_french_error_and_writes_nothing(example: Path) -> None:
    prepare(example)
    before = files(example)
    r = run_cli("-C", example, "erase", "C-1")
    assert r.exit_code == 1
    assert "contribution « C-1 » introuvable : rien n'a été effacé" in r.stderr
    assert "vouliez-vous dire" in r.stderr
    r = run_cli("-C", example, "erase", "C-0001", "C-9999")
    assert r.exit_code == 1
    assert "C-9999" in r.stderr
    r = run_cli("-C", example, "erase", "--auteur", "Jeane M.")
    assert r.exit_code == 1
    assert "aucune contribution de « Jeane M. »" in r.stderr
    assert "vouliez-vous dire « Jeanne M. » ?" in r.stderr
    assert "Traceback" not in r.output
    assert files(example) == before


def test_without_arguments_is_a_usage_error(example: Path) -> None:
    r = run_cli("-C", example, "erase")
    assert r.exit_code == 2
    assert "indiquez l'identifiant d'une contribution" in r.stderr


def test_crlf_file_stays_crlf(example: Path) -> None:
    path = example / "contributions" / "C-0002.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert run_cli("-C", example, "erase", "C-0002").exit_code == 0
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert f"auteur: {ANONYMOUS_AUTHOR}".encode() in raw


def test_name_found_in_other_files_is_reported(example: Path) -> None:
    prepare(example)
    atelier = example / "ateliers" / "lille-1.yaml"
    atelier.write_text(
        atelier.read_text(encoding="utf-8") + "# Notes : Mme Vandenbussche a proposé le café du mardi.\n",
        encoding="utf-8",
    )
    r = run_cli("-C", example, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    line = len(atelier.read_text(encoding="utf-8").splitlines())
    assert f"ateliers/lille-1.yaml:{line}: avertissement : le nom « Vandenbussche » apparaît aussi ici" in r.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git absent")
def test_git_history_advice(example: Path) -> None:
    prepare(example, contact_in_text=False)
    git = ["git", "-C", str(example), "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (example / ".gitignore").write_text("prive/\n", encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    r = run_cli("-C", example, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    assert "git garde l'ancienne version dans son historique" in r.stderr
    assert "git filter-repo --replace-text" in r.stderr
    assert "git filter-repo --invert-paths --path contributions/C-0001.md" in r.stderr
    assert "chaque clone" in r.stderr
    assert "prive/" not in r.stderr.split("filter-repo --invert-paths")[1].split("\n")[0]


def test_scrub_names_whatever_their_case_and_accents() -> None:
    person = Person(
        nom="Lefèvre",
        prenom="Hélène",
        courriel="h.lefevre@example.org",
        telephone="+33 6 12 34 56 78",
        public=["Hélène L."],
    )
    s = scrub(
        "HELENE LEFEVRE écrit ; Mme Lefèvre-Durand ? Hélène. Contact : h.lefevre@example.org, 06 12 34 56 78. Hélèna "
        "reste.",
        person,
    )
    assert (
        s.text
        == "[nom retiré] écrit ; Mme [nom retiré]-Durand ? [nom retiré]. Contact : [courriel retiré], [téléphone "
        "retiré]. Hélèna reste."
    )
    assert (s.names, s.emails, s.phones) == (3, 1, 1)


# --- after erase, the name is nowhere in what is generated -------------------------------------------


def _texts(folder: Path) -> dict[str, str]:
    """Every file's text: Markdown, HTML, CSV, JSON, and the XML inside ODT and DOCX."""
    found: dict[str, str] = {}
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix in (".odt", ".docx"):
            with zipfile.ZipFile(p) as z:
                found[str(p)] = "".join(
                    z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")
                )
        elif p.suffix in (".md", ".html", ".csv", ".json", ".txt", ".xml", ".js"):
            found[str(p)] = p.read_text(encoding="utf-8", errors="replace")
    return found


@pytest.fixture(scope="module")
def _closed_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example walked through the seven stages once (``ateliers demo``), with its documents."""
    import os

    from ateliers_cli.demo import run_demo

    os.environ["SOURCE_DATE_EPOCH"], saved = "1795000000", os.environ.get("SOURCE_DATE_EPOCH")
    try:
        root = tmp_path_factory.mktemp("cloturee") / "demo"
        run_demo(root)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return root


@pytest.fixture
def advanced_example(_closed_example: Path, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(_closed_example, root, ignore=shutil.ignore_patterns(".ateliers*"))
    prepare(root, contact_in_text=False)
    return root


def test_after_erase_the_name_is_nowhere_in_export_and_documents(advanced_example: Path) -> None:
    """Re-renders the documents (and the export) of a closed consultation after an erasure."""
    root = advanced_example
    before = _texts(root / "documents")
    assert any("Jeanne M." in t for t in before.values()), "l'exemple cite bien Jeanne M. avant l'effacement"
    assert run_cli("-C", root, "export").exit_code == 0
    assert any("Jeanne M." in t for t in _texts(root / "export").values())

    r = run_cli("-C", root, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    assert "« ateliers render --etape toutes »" in r.stdout and "« ateliers export »" in r.stdout
    r = run_cli("-C", root, "render", "--etape", "toutes")
    assert r.exit_code == 0, r.output
    assert run_cli("-C", root, "export").exit_code == 0
    for folder in ("documents", "export", "contributions"):
        for path, text in _texts(root / folder).items():
            for needle in ("Jeanne", "Vandenbussche", "Club des aînés de Wazemmes"):
                assert needle not in text, f"{needle} encore dans {path}"
    assert ANONYMOUS_AUTHOR in (root / "export" / "contributions.csv").read_text(encoding="utf-8")
    assert run_cli("-C", root, "check").exit_code == 0


def test_after_erase_the_name_is_nowhere_on_the_site(advanced_example: Path) -> None:
    root = advanced_example
    r = run_cli("-C", root, "site")
    assert r.exit_code == 0, r.output
    assert any("Jeanne M." in t for t in _texts(root / "site").values()), (
        "le site cite bien Jeanne M. avant l'effacement"
    )
    r = run_cli("-C", root, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    assert "dans cet ordre : « ateliers render --etape toutes », « ateliers site »" in r.stdout
    assert run_cli("-C", root, "render", "--etape", "toutes").exit_code == 0  # the site publishes the documents
    r = run_cli("-C", root, "site")
    assert r.exit_code == 0, r.output
    for path, text in _texts(root / "site").items():
        for needle in ("Jeanne", "Vandenbussche", "Club des aînés de Wazemmes"):
            assert needle not in text, f"{needle} encore dans {path}"
