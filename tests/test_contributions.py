"""``contributions add`` and ``contributions list``, and how a contribution is written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ateliers_cli import schema
from ateliers_cli.store.contributions import check_rendered, next_ids
from ateliers_cli.store.front_matter import render
from ateliers_cli.yamlio import parse_front_matter
from tests.importing import TWO_TERRITORIES, cli, contribution_files, diagnostics_of, new_consultation, write_bytes


@pytest.fixture
def two(tmp_path: Path) -> Path:
    return new_consultation(tmp_path, TWO_TERRITORIES)


def private_rows(root: Path) -> dict[str, dict[str, str]]:
    text = (root / "prive" / "contributeurs.csv").read_text(encoding="utf-8-sig")
    return {r["id"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}


# --- add -------------------------------------------------------------------------------


def test_add_a_letter_with_flags(two: Path) -> None:
    r = cli(
        "-C", two, "contributions", "add",
        "--texte", "Madame, Monsieur,\n\nJe souhaite vous dire que…",
        "--canal", "courrier", "--profil", "habitant", "--auteur", "Mme D.",
        "--commune", "Sin-le-Noble", "--date", "15/01/2026",
        "--nom", "Durand", "--prenom", "Odette", "--telephone", "03 27 00 00 00", "--adresse", "3 rue des Lilas",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Contribution C-0001 enregistrée : contributions/C-0001.md" in r.stdout
    text = (two / "contributions" / "C-0001.md").read_text(encoding="utf-8")
    assert text.startswith(
        "---\nid: C-0001\ndate: 2026-01-15\nprofil: habitant\ncanal: courrier\nterritoire: douai\nauteur: Mme D.\n"
    )
    assert (
        "publication: false\nthemes: []\nstatut: nouvelle\n---\nMadame, Monsieur,\n\nJe souhaite vous dire que…\n"
        in text
    )
    for secret in ("Durand", "Odette", "03 27", "Lilas", "Sin-le-Noble"):
        assert secret not in text
    row = private_rows(two)["C-0001"]
    assert (row["nom"], row["prenom"], row["telephone"], row["adresse"], row["commune"]) == (
        "Durand",
        "Odette",
        "03 27 00 00 00",
        "3 rue des Lilas",
        "Sin-le-Noble",
    )
    assert diagnostics_of(two) == []


def test_add_continues_the_numbering_and_takes_themes(two: Path) -> None:
    export = write_bytes(two.parent / "f.csv", b"texte;commune\nUn;Lille\nDeux;Douai\n")
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    r = cli(
        "-C", two, "contributions", "add", "--texte", "Notes de la réunion du 12.", "--canal", "reunion",
        "--profil", "partenaire", "--auteur", "CCAS de Douai", "--territoire", "douai", "--theme", "theme-exemple",
        "--publication", "--titre", "Réunion : les aidants",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    text = (two / "contributions" / "C-0003.md").read_text(encoding="utf-8")
    assert "themes: [theme-exemple]\nstatut: analysee\n" in text
    assert "publication: true\n" in text
    assert "titre: 'Réunion : les aidants'\n" in text
    assert not (two / "prive" / "contributeurs.csv").exists() or "C-0003" not in private_rows(two)
    assert diagnostics_of(two) == []


def test_add_text_from_stdin_and_contact_details_taken_out(two: Path) -> None:
    r = cli(
        "-C", two, "contributions", "add", "--texte", "-", "--canal", "courriel", "--profil", "citoyen",
        "--auteur", "Paul", "--territoire", "lille",
        input="Bonjour,\nrappelez-moi au 06 11 22 33 44 ou paul@example.org.\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    text = (two / "contributions" / "C-0001.md").read_text(encoding="utf-8")
    assert "[téléphone retiré]" in text and "[courriel retiré]" in text and "06 11" not in text
    assert "adresse électronique retirée du champ « texte »" in r.stderr
    assert "numéro de téléphone retiré du champ « texte »" in r.stderr
    row = private_rows(two)["C-0001"]
    assert row["telephone"] == "06 11 22 33 44" and row["courriel"] == "paul@example.org"
    assert diagnostics_of(two) == []


def test_add_with_the_editor(two: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = tmp_path / "editeur.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'w', encoding='utf-8').write('Texte écrit dans l’éditeur.\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    r = cli(
        "-C",
        two,
        "contributions",
        "add",
        "--editor",
        "--canal",
        "courrier",
        "--profil",
        "habitant",
        "--auteur",
        "A.",
        "--territoire",
        "lille",
    )
    assert r.exit_code == 0, r.output
    assert "Texte écrit dans l’éditeur." in (two / "contributions" / "C-0001.md").read_text(encoding="utf-8")


def test_add_prompts_when_interactive(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ateliers_cli.commands import contributions as cmd

    monkeypatch.setattr(cmd, "interactive", lambda: True)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    r = cli("-C", two, "contributions", "add", input="Une idée dite au téléphone.\nhabitant\ntelephone\ndouai\nM. K.\n")
    assert r.exit_code == 0, r.output
    text = (two / "contributions" / "C-0001.md").read_text(encoding="utf-8")
    assert "canal: telephone\nterritoire: douai\nauteur: M. K.\n" in text
    assert text.endswith("---\nUne idée dite au téléphone.\n")


def test_add_without_a_terminal_lists_what_is_missing(two: Path) -> None:
    r = cli("-C", two, "contributions", "add", "--texte", "Un texte")
    assert r.exit_code == 2
    assert "valeurs manquantes : --profil, --canal, --territoire, --auteur" in r.stderr
    assert contribution_files(two) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--territoire", "lile"], "--territoire « lile » : territoire inconnu"),
        (["--territoire", "lille", "--profil", "habitante"], "--profil « habitante » : profil inconnu"),
        (["--territoire", "lille", "--theme", "isolement"], "--theme « isolement » : thème inconnu"),
        (["--territoire", "lille", "--date", "31/02/2026"], "--date « 31/02/2026 » illisible"),
    ],
)
def test_add_refuses_bad_values(two: Path, args: list[str], message: str) -> None:
    base = {"--texte": "Un texte", "--canal": "courrier", "--profil": "habitant", "--auteur": "A."}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for kv in base.items() for x in kv]
    r = cli("-C", two, "contributions", "add", *flat)
    assert r.exit_code == 2
    assert message in r.stderr
    assert "Traceback" not in r.output
    assert contribution_files(two) == []


# --- list ------------------------------------------------------------------------------------


@pytest.fixture
def listed(two: Path) -> Path:
    export = write_bytes(
        two.parent / "f.csv",
        "texte;commune;profil\nL'Église est trop loin;Lille;habitant\nDes bus à Douai;Douai;partenaire\nUn "
        "[lien] étrange;Lille;citoyen\n".encode(),
    )
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    c3 = two / "contributions" / "C-0003.md"
    c3.write_text(
        c3.read_text(encoding="utf-8")
        .replace("themes: []", "themes: [theme-exemple]")
        .replace("statut: nouvelle", "statut: analysee"),
        encoding="utf-8",
    )
    return two


def test_list_table_and_filters(listed: Path) -> None:
    r = cli("-C", listed, "contributions", "list")
    assert r.exit_code == 0, r.output
    assert all(cid in r.stdout for cid in ("C-0001", "C-0002", "C-0003"))
    assert "[lien]" in r.stdout  # user text escaped, not taken as markup
    assert "3 contributions sur 3." in r.stdout
    r = cli("-C", listed, "contributions", "list", "--territoire", "lille", "--statut", "nouvelle")
    assert "C-0001" in r.stdout and "C-0002" not in r.stdout and "C-0003" not in r.stdout
    r = cli("-C", listed, "contributions", "list", "--texte", "eglise")  # accents and case ignored
    assert "C-0001" in r.stdout and "1 contribution sur 3." in r.stdout
    r = cli("-C", listed, "contributions", "list", "--theme", "theme-exemple")
    assert "C-0003" in r.stdout and "C-0001" not in r.stdout
    r = cli("-C", listed, "contributions", "list", "--profil", "partenaire")
    assert "C-0002" in r.stdout and "C-0001" not in r.stdout
    r = cli("-C", listed, "contributions", "list", "--texte", "introuvable")
    assert "Aucune contribution ne correspond (sur 3)." in r.stdout


def test_list_json(listed: Path) -> None:
    r = cli("-C", listed, "contributions", "list", "--json", "--territoire", "lille")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [d["id"] for d in data] == ["C-0001", "C-0003"]
    assert data[0]["texte"] == "L'Église est trop loin"
    assert data[1]["themes"] == ["theme-exemple"] and data[1]["statut"] == "analysee"
    assert set(data[0]) >= {
        "id",
        "date",
        "profil",
        "canal",
        "territoire",
        "auteur",
        "publication",
        "themes",
        "statut",
        "titre",
        "texte",
        "fichier",
    }


def test_list_unknown_filter_value(listed: Path) -> None:
    r = cli("-C", listed, "contributions", "list", "--statut", "analysée")
    assert r.exit_code == 2
    assert "vouliez-vous dire « analysee » ?" in r.stderr


# --- the file format ------------------------------------------------------------------------


def test_next_ids() -> None:
    assert next_ids([], 2) == ["C-0001", "C-0002"]
    assert next_ids(["C-0009", "C-LIL-3", "C-0002"], 1) == ["C-0010"]
    assert next_ids(["C-9999"], 2) == ["C-10000", "C-10001"]


single_line = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(auteur=single_line, titre=single_line, texte=texts, cle=single_line)
def test_written_contributions_read_back_identical(auteur: str, titre: str, texte: str, cle: str) -> None:
    """Whatever the public typed, the file we write parses back to the same values."""
    texte = texte.strip("\n") or "x"
    meta = {
        "id": "C-0001",
        "date": dt.date(2026, 1, 12),
        "profil": "habitant",
        "canal": "plateforme",
        "territoire": "lille",
        "auteur": auteur,
        "publication": False,
        "themes": [],
        "statut": "nouvelle",
        "titre": titre,
        "source": {"fichier": "export.csv", "ligne": 2, "cle": cle, "empreinte": "abc"},
    }
    content = render(meta, texte)
    loaded = parse_front_matter(content, "contributions/C-0001.md")
    assert loaded.ok and not loaded.diagnostics
    clean, diags = schema.validate(loaded.data, schema.CONTRIBUTION, "contributions/C-0001.md")
    assert [d for d in diags if d.is_error] == []
    assert clean["auteur"] == auteur and clean["titre"] == titre and clean["source"]["cle"] == cle
    assert list(loaded.data) == [
        "id",
        "date",
        "profil",
        "canal",
        "territoire",
        "auteur",
        "publication",
        "themes",
        "statut",
        "titre",
        "source",
    ]
    assert loaded.body.strip("\n") == texte.strip("\n") or loaded.body.strip() == texte.strip()
    assert [d for d in check_rendered(content, "contributions/C-0001.md") if d.code != "donnee-personnelle"] == []
