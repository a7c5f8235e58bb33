"""After the vote: suivi.yaml checked like every file, the yearly report (Markdown, ODT, DOCX,
PDF), the timeline per orientation on the site, the open-data tables, the « avancement » mail."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import shutil
from pathlib import Path

import pytest

from tests.importing import cli

SUIVI = """\
# Suivi de la mise en œuvre, après la délibération
actions:
  - id: A-01
    orientation: O-01
    titre: Réseaux de voisins vigilants dans chaque arrondissement
    service: Direction de l'autonomie
    budget: 250000
    statut: en_cours
    jalons:
      - {date: 2026-09-01, titre: Appel à projets lancé auprès des CCAS, fait: true}
      - {date: 2026-10-15, titre: Premiers réseaux constitués, fait: true}
      - {date: 2027-03-31, titre: Un réseau dans chaque arrondissement}
    indicateurs:
      - indicateur: Nombre de communes dotées d'un réseau de voisins vigilants
        unite: communes
        cible: 120
        valeurs:
          - {date: 2026-09-30, valeur: 12}
          - {date: 2026-11-01, valeur: 31}
    retours: [lille]
  - id: A-02
    orientation: O-02
    titre: Haltes-répit itinérantes
    service: Direction de l'autonomie
    statut: prevue
    jalons:
      - {date: 2027-01-15, titre: Choix des communes desservies}
"""


@pytest.fixture(scope="module")
def _closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    from ateliers_cli.demo import run_demo

    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1795000000"
    try:
        root = tmp_path_factory.mktemp("suivi") / "demo"
        run_demo(root)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return root


@pytest.fixture
def demo(_closed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(_closed, root, symlinks=True)
    (root / "suivi.yaml").write_text(SUIVI, encoding="utf-8")
    return root


def _plain(text: str) -> str:
    """French typography (non-breaking spaces, curly apostrophes) back to plain characters."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'").replace("&#39;", "'")


def test_check_validates_the_follow_up(demo: Path) -> None:
    r = cli("-C", demo, "check")
    assert r.exit_code == 0, r.output
    bad = (
        SUIVI.replace("orientation: O-02", "orientation: O-99")
        .replace(
            "indicateur: Nombre de communes dotées d'un réseau de voisins vigilants",
            "indicateur: Nombre de communes dotées d'un réseau",
        )
        .replace("statut: prevue", "statut: abandonnee")
        .replace("{date: 2026-11-01, valeur: 31}", "{date: 2027-11-01, valeur: 31}")
    )
    bad += "  - id: A-03\n    orientation: O-01\n    titre: Sans service\n    statut: fini\n    retours: [lile]\n"
    (demo / "suivi.yaml").write_text(bad, encoding="utf-8")
    r = cli("-C", demo, "check")
    assert r.exit_code == 1
    err = r.stdout + r.stderr
    assert "suivi.yaml:22: erreur : orientation « O-99 » inconnu" in err
    assert (
        "suivi.yaml:14: erreur : « Nombre de communes dotées d'un réseau » n'est pas un indicateur de l'orientation « "
        "O-01 »"
        in err
    )
    assert "vouliez-vous dire « Nombre de communes dotées d'un réseau de voisins vigilants » ?" in err
    assert "suivi.yaml:25: erreur : action « A-02 » abandonnée sans motif" in err
    assert (
        "suivi.yaml:19: erreur : valeur de « Nombre de communes dotées d'un réseau » datée du 2027-11-01, dans le futur"
        in err
    )
    assert (
        "suivi.yaml:32: erreur : réunion de restitution « lile » inconnu" in err
        and "vouliez-vous dire « lille » ?" in err
    )
    assert "suivi.yaml:28: erreur : clé « service » manquante dans une action" in err
    assert "suivi.yaml:31: erreur : « statut » dans une action : valeur « fini » inconnue" in err


def test_yearly_report_in_four_formats(demo: Path) -> None:
    r = cli("-C", demo, "suivi", "rapport", "--annee", "2026")
    assert r.exit_code == 0, r.output
    md = _plain((demo / "suivi" / "rapport-2026.md").read_text(encoding="utf-8"))
    assert md.startswith("# Suivi de la politique « Bien vieillir dans le Nord » — 2026")
    assert "## Faire de chaque commune un territoire attentif à l'isolement (O-01)" in md
    assert "### Réseaux de voisins vigilants dans chaque arrondissement (A-01)" in md
    assert "- Service pilote : Direction de l'autonomie" in md and "- Statut : en cours" in md
    assert "| 01/11/2026 | 31 communes |" in md or "31 communes" in md
    assert "Appel à projets lancé auprès des CCAS" in md
    assert "À venir : Un réseau dans chaque arrondissement" in md
    assert "L'association Bon Voisinage de Fives" in md  # the feedback of the Lille restitution
    assert "Orientations adoptées sans action encore décrite" in md
    from pypdf import PdfReader

    pdf = _plain("".join(p.extract_text() for p in PdfReader(str(demo / "suivi" / "rapport-2026.pdf")).pages))
    assert "Réseaux de voisins vigilants" in pdf and "Direction de l" in pdf
    import docx

    text = _plain("\n".join(p.text for p in docx.Document(str(demo / "suivi" / "rapport-2026.docx")).paragraphs))
    assert "Haltes-répit itinérantes (A-02)" in text
    assert (demo / "suivi" / "rapport-2026.odt").read_bytes()[:2] == b"PK"
    r = cli("-C", demo, "suivi", "rapport", "--annee", "2026")
    assert "rien n'a changé" in r.stdout
    # a later render never removes the report
    assert cli("-C", demo, "render").exit_code == 0
    assert (demo / "suivi" / "rapport-2026.pdf").exists()


def test_site_timeline_and_open_data(demo: Path, tmp_path: Path) -> None:
    r = cli("-C", demo, "site", "--out", tmp_path / "site")
    assert r.exit_code == 0, r.output
    page = _plain((tmp_path / "site" / "politique.html").read_text(encoding="utf-8"))
    assert "Sa mise en œuvre" in page
    block = page[page.index('id="suivi-O-01"') :]
    block = block[: block.index("</section>")]
    assert block.index("mardi 1er septembre 2026") < block.index("15 octobre 2026") < block.index("31 mars 2027")
    assert "Appel à projets lancé auprès des CCAS" in block and "(prévu)" in block
    assert "31\u00a0communes" in block or "31 communes" in block
    r = cli("-C", demo, "export", "--out", tmp_path / "donnees")
    assert r.exit_code == 0, r.output
    actions = list(
        csv.DictReader(io.StringIO((tmp_path / "donnees" / "suivi-actions.csv").read_text(encoding="utf-8-sig")))
    )
    by_id = {a["action"]: a for a in actions}
    assert (
        by_id["A-01"]["statut"] == "en_cours"
        and by_id["A-01"]["jalons_faits"] == "2"
        and by_id["A-01"]["prochain_jalon"] == "Un réseau dans chaque arrondissement"
    )
    mesures = (tmp_path / "donnees" / "suivi-mesures.csv").read_text(encoding="utf-8-sig")
    assert "2026-11-01" in mesures and "31" in mesures
    assert "suivi-actions" in (tmp_path / "donnees" / "README.md").read_text(encoding="utf-8")


def test_contributors_are_told_of_progress(demo: Path) -> None:
    (demo / "prive").mkdir(exist_ok=True)
    (demo / "prive" / "contributeurs.csv").write_text(
        "id;nom;prenom;courriel;contact\r\nC-0037;Martin;Anne;anne@example.org;oui\r\nC-0038;Petit;Luc;luc@example.org;non\r\n",
        encoding="utf-8",
    )
    r = cli("-C", demo, "courrier", "preparer", "avancement", "--de", "participation@nord.example")
    assert r.exit_code == 0, r.output
    emls = sorted((demo / "prive" / "courrier" / "avancement" / "courriels").glob("*.eml"))
    assert len(emls) == 1
    m = email.message_from_bytes(emls[0].read_bytes(), policy=email.policy.default)
    assert "anne@example.org" in str(m["To"])
    body = str(m.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "Réseaux de voisins vigilants dans chaque arrondissement (Direction de l'autonomie) : en cours." in body
    assert "Prochaine étape : Un réseau dans chaque arrondissement, prévue le mercredi 31 mars 2027." in body
    assert "Nombre de communes dotées d'un réseau de voisins vigilants : 31 communes" in body
