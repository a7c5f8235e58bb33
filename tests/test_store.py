"""Contributions on disk and personal data: one home (``ateliers_cli.store``).

The loader, ``erase`` and the in-place editors cut a file at the same place; the
private registers are read and written by one class; a path of ``prive/`` is
spelled once in the package.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ateliers_cli.store import front_matter
from ateliers_cli.store.paths import CONTRIBUTORS
from ateliers_cli.store.private import ContributorRegister
from ateliers_cli.yamlio import parse_front_matter
from tests.conftest import run_cli

PACKAGE = Path(__file__).resolve().parent.parent / "ateliers_cli"

HEADER = (
    "id: C-0001\ndate: 2026-01-05\nprofil: habitant\ncanal: courrier\nterritoire: lille\nauteur: Jeanne "
    "D.\npublication: true\nthemes: []\nstatut: nouvelle\n"
)


@pytest.mark.parametrize(
    "text",
    [
        f"---\n{HEADER}---\nLe texte.\n",
        f"\n\n---\n{HEADER}---\n\nLe texte.\n",
        f"\ufeff---\n{HEADER}---\nLe texte.\n",
        f"---\n{HEADER}---\nLe texte.\n".replace("\n", "\r\n"),
        f"---  \n{HEADER}----\nLe texte.",
    ],
)
def test_one_split_for_loading_and_editing(text: str) -> None:
    parts = front_matter.split(text)
    assert parts is not None and parts.closed
    assert parts.opening + parts.fm + parts.closing + parts.body == text
    loaded = parse_front_matter(text.lstrip("\ufeff"), "contributions/C-0001.md")
    assert loaded.ok and loaded.data["auteur"] == "Jeanne D."
    assert loaded.body.strip() == "Le texte."
    # the editor changes only the edited line, and the loader reads the edit back
    edited = front_matter.update_front_matter(text, {"statut": "analysee"})
    assert edited == text.replace("statut: nouvelle", "statut: analysee")
    assert parse_front_matter(edited.lstrip("\ufeff"), "x.md").data["statut"] == "analysee"
    # python-frontmatter, given the same cut, reads the same header and text
    post = front_matter.read_post(text)
    assert post["auteur"] == "Jeanne D." and post["themes"] == [] and post.content == "Le texte."


def test_split_reports_what_is_missing() -> None:
    assert front_matter.split("Pas d'en-tête\n---\n") is None
    unclosed = front_matter.split("---\nid: C-1\n")
    assert unclosed is not None and not unclosed.closed
    assert front_matter.read_post("Pas d'en-tête\n").metadata == {}
    loaded = parse_front_matter("---\nid: C-1\n", "contributions/C-1.md")
    assert [d.message for d in loaded.diagnostics] == [
        "en-tête YAML non fermé : la ligne « --- » qui le termine manque"
    ]


def test_a_path_of_prive_is_spelled_once() -> None:
    """The literal of each private register is in store/paths.py and nowhere else in the code."""
    literal = re.compile(r"""["'](prive/[\w./-]+)["']""")
    found: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for m in literal.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(m.group(1), []).append(path.relative_to(PACKAGE).as_posix())
    for rel in (
        "prive/contributeurs.csv",
        "prive/inscriptions.csv",
        "prive/besoins.md",
        "prive/.empreintes.json",
        "prive/emargement",
    ):
        assert found.get(rel) == ["store/paths.py"], (rel, found.get(rel))


def test_register_read_under_usual_names_and_written_in_its_dialect(tmp_path: Path) -> None:
    (tmp_path / "prive").mkdir()
    raw = "id,Nom,E-mail,remarque\nC-0001,Dupont,j@example.org,rappeler\nC-0002,'=Martin,,\n"
    (tmp_path / CONTRIBUTORS).write_bytes(raw.encode("cp1252"))
    register = ContributorRegister(tmp_path)
    assert register.get("C-0001") == {
        "id": "C-0001",
        "nom": "Dupont",
        "courriel": "j@example.org",
        "remarque": "rappeler",
    }
    assert register.get("C-0002")["nom"] == "=Martin"  # defused cell restored
    assert register.lines == {"C-0001": 2, "C-0002": 3}
    assert not register.changed
    register.remove(["C-0001"])
    assert register.to_bytes() == "id,Nom,E-mail,remarque\nC-0002,'=Martin,,\n".encode("cp1252")


def test_register_without_id_column_is_refused(tmp_path: Path) -> None:
    (tmp_path / "prive").mkdir()
    (tmp_path / CONTRIBUTORS).write_text("nom;courriel\nDupont;j@example.org\n", encoding="utf-8")
    with pytest.raises(Exception, match="sans colonne « id »"):
        ContributorRegister(tmp_path)


def test_import_refuses_a_register_without_ids_and_keeps_it(example: Path, tmp_path: Path) -> None:
    (example / "prive").mkdir(exist_ok=True)
    register = example / CONTRIBUTORS
    register.write_text("nom;courriel\nDupont;j@example.org\n", encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(
        "texte;commune;courriel\nUn texte assez long pour être une contribution.;Lille;a@example.org\n",
        encoding="utf-8",
    )
    r = run_cli("-C", example, "contributions", "import", export)
    assert r.exit_code == 1, r.output
    assert "prive/contributeurs.csv:1" in r.stderr and "sans colonne « id »" in r.stderr
    assert register.read_text(encoding="utf-8") == "nom;courriel\nDupont;j@example.org\n"


def test_a_change_keeps_each_files_permissions_and_gives_new_files_the_usual_ones(tmp_path: Path) -> None:
    import os
    import stat

    from ateliers_cli.fsutil import write_all

    mask = os.umask(0o022)
    os.umask(mask)
    (tmp_path / "prive").mkdir()
    kept = tmp_path / "prive" / "contributeurs.csv"
    kept.write_text("id\n", encoding="utf-8")
    kept.chmod(0o600)
    read_only = tmp_path / "reponses.yaml"
    read_only.write_text("a: 1\n", encoding="utf-8")
    read_only.chmod(0o444)
    write_all(
        tmp_path, {"prive/contributeurs.csv": "id\nC-0001\n", "reponses.yaml": "a: 2\n", "contributions/C-0001.md": "x"}
    )
    assert kept.read_text(encoding="utf-8") == "id\nC-0001\n" and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert read_only.read_text(encoding="utf-8") == "a: 2\n" and stat.S_IMODE(read_only.stat().st_mode) == 0o444
    new = tmp_path / "contributions" / "C-0001.md"
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask  # not a temporary file's 0600
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "C-0001.md",
        "contributeurs.csv",
        "contributions",
        "prive",
        "reponses.yaml",
    ]
