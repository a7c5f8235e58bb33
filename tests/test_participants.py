"""Participants counted once: a person who came to two workshops is one participant, a person
marked absent is none; without a register of who came, a total over several workshops is not
stated — in the délibération, the report, the adoption, the workbook, the review and the home page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ateliers_cli.documents import build_stage_documents
from ateliers_cli.load import load
from ateliers_cli.site.build import build_site
from ateliers_cli.stages import Stage
from tests.importing import cli, write_bytes
from tests.test_documents import WHEN, copy_example, walked_through

NBSP = "\u00a0"

#: Sam came to two workshops; Bruno had a place at Douai and did not come.
REGISTRATIONS = (
    "Nom;Prénom;E-mail;Atelier\r\n"
    "Arnaud;Alice;alice@example.org;douai-1\r\n"
    "Bernard;Bruno;bruno@example.org;douai-1\r\n"
    "Carpentier;Chloé;chloe@example.org;douai-1\r\n"
    "Sow;Sam;sam@example.org;douai-1\r\n"
    "Sow;Sam;sam@example.org;lille-1\r\n"
    "Dufour;Denis;denis@example.org;lille-1\r\n"
)


def _headcount(root: Path, atelier: str, n: int) -> None:
    path = root / "ateliers" / f"{atelier}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^participants: \d+$", f"participants: {n}", text), encoding="utf-8")


def _documents(root: Path) -> dict[str, str]:
    c = walked_through(root)
    stages = (Stage.ATELIERS, Stage.RAPPORT, Stage.ADOPTION, Stage.RESTITUTION)
    files = [f for s in stages for f in build_stage_documents(c, s, WHEN[s]) if f.kind == "md"]
    return {Path(f.path).stem: " ".join(f.content.decode("utf-8").replace(NBSP, " ").split()) for f in files}


def _home(root: Path) -> str:
    build_site(load(root), root / "site")
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace(NBSP, " ").split())


def _held_headcounts(root: Path) -> dict[str, int]:
    out = {}
    for p in sorted((root / "ateliers").glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        if data.get("statut") == "tenu":
            out[data["id"]] = data["participants"]
    return out


def test_a_person_at_two_workshops_is_one_participant_and_the_absent_none(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "c")
    export = write_bytes(tmp_path / "inscriptions.csv", REGISTRATIONS.encode("utf-8"))
    r = cli("-C", root, "inscriptions", "import", export)
    assert r.exit_code == 0, r.output
    r = cli("-C", root, "inscriptions", "absent", "bruno@example.org")
    assert r.exit_code == 0, r.output
    # what the attendance sheets counted: at Douai Alice, Chloé and Sam; at Lille-1 Sam and Denis
    _headcount(root, "douai-1", 3)
    _headcount(root, "lille-1", 2)
    counts = _held_headcounts(root)
    naive = sum(counts.values())
    others = naive - counts["douai-1"] - counts["lille-1"]  # nobody registered: people present without registration
    once = 4 + others  # Alice, Chloé, Sam, Denis — and those who came without registering
    assert once == naive - 1

    docs = _documents(root)
    delib = docs["deliberation"]
    assert f"réunissant {once} participants et produisant" in delib
    assert f"{naive} participants" not in delib
    assert f", {once} participants, " in docs["rapport-orientations"]
    assert f"9 ateliers réunissant {once} participants" in docs["politique-adoptee"]
    assert f"{once} participants au total" in docs["cahier-des-productions"]
    bilan = docs["bilan-de-la-demarche"]
    assert f"| {once} participants ; 9 ateliers tenus" in bilan
    assert "| Ateliers citoyens | " + str(once) + " |" in bilan
    # per territory too: Lille held two workshops, its own register and headcounts give its number
    lille = counts["lille-1"] + counts["lille-2"]
    assert re.search(rf"\| Lille \| [^|]+\|[^|]+\|[^|]+\|[^|]+\|[^|]+\| {lille} \(", bilan)
    assert f"{once} participants" in _home(root)
    status = json.loads(cli("-C", root, "status", "--json").stdout)
    assert status["chiffres"]["ateliers"]["participants"] == once


def test_without_a_register_no_total_is_stated(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "c")
    counts = _held_headcounts(root)
    naive = str(sum(counts.values()))
    docs = _documents(root)
    assert "réunissant" not in docs["deliberation"] and naive not in docs["deliberation"]
    assert "produisant 66 propositions" in docs["deliberation"]
    for name in ("rapport-orientations", "politique-adoptee", "cahier-des-productions", "bilan-de-la-demarche"):
        assert f"{naive} participants" not in docs[name], name
    # one meeting's headcount is stated; their sum (a person at two meetings counted twice) is not
    assert "307" not in docs["bilan-de-la-demarche"]
    assert "| 27 | 38 (" in docs["bilan-de-la-demarche"]  # Douai: one workshop, one meeting
    assert "27 participants pour 31 inscrits" in docs["cahier-des-productions"]  # one workshop's own count
    home = _home(root)
    assert f"{naive} participants" not in home and "participant" not in home.split("ateliers tenus")[1][:40]
    status = json.loads(cli("-C", root, "status", "--json").stdout)
    assert status["chiffres"]["ateliers"]["participants"] is None


def test_absent_people_not_marked_leave_the_total_unstated(tmp_path: Path) -> None:
    """The sheet counted 2 at Douai, the register has 3 people there with a place: someone did not
    come and was not marked absent; who is unknown, so the total is not stated."""
    root = copy_example(tmp_path / "c")
    export = write_bytes(tmp_path / "inscriptions.csv", REGISTRATIONS.encode("utf-8"))
    assert cli("-C", root, "inscriptions", "import", export).exit_code == 0
    _headcount(root, "douai-1", 2)
    docs = _documents(root)
    assert "réunissant" not in docs["deliberation"]
