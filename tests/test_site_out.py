"""``site --out DIR`` into a folder that holds other things (a web root): the tool keeps the list
of the files it wrote (``.ateliers-site``) and replaces or removes those only."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def _web_root(tmp_path: Path) -> Path:
    www = tmp_path / "www"
    return www


def _foreign(www: Path) -> dict[str, str]:
    """What the webmaster put there, besides the consultation's site."""
    files = {
        "portail.html": "<p>Portail du Département</p>\n",
        ".htaccess": "Options -Indexes\n",
        "intranet/index.html": "<p>Intranet</p>\n",
        "intranet/notes/reunion.txt": "ordre du jour\n",
        "documents/annexe-du-webmestre.pdf": "%PDF-1.4 annexe\n",  # inside a folder the site also has
    }
    for rel, text in files.items():
        (www / rel).parent.mkdir(parents=True, exist_ok=True)
        (www / rel).write_text(text, encoding="utf-8")
    return files


def test_republishing_keeps_the_files_the_tool_did_not_write(example: Path, tmp_path: Path) -> None:
    www = _web_root(tmp_path)
    r = run_cli("-C", example, "site", "--out", www)
    assert r.exit_code == 0, r.output
    manifest = (www / ".ateliers-site").read_text(encoding="utf-8")
    assert "index.html\n" in manifest and "contributions/C-0001.html\n" in manifest
    foreign = _foreign(www)
    (www / "intranet" / "lien").symlink_to("../portail.html")
    # a page the previous publication wrote and the next one will not: it must go
    (www / "contributions" / "C-9999.html").write_text("ancienne page\n", encoding="utf-8")
    with (www / ".ateliers-site").open("a", encoding="utf-8") as f:
        f.write("contributions/C-9999.html\n")

    r = run_cli("-C", example, "site", "--out", www)

    assert r.exit_code == 0, r.output
    for rel, text in foreign.items():
        assert (www / rel).read_text(encoding="utf-8") == text, rel
    assert (www / "intranet" / "lien").is_symlink()
    assert not (www / "contributions" / "C-9999.html").exists()
    assert (www / "index.html").is_file()
    listed = set((www / ".ateliers-site").read_text(encoding="utf-8").splitlines())
    assert not listed & set(foreign)  # the kept files are still not the tool's


def test_a_non_empty_folder_without_the_list_is_refused_and_says_why(example: Path, tmp_path: Path) -> None:
    www = _web_root(tmp_path)
    www.mkdir()
    (www / "portail.html").write_text("portail\n", encoding="utf-8")
    r = run_cli("-C", example, "site", "--out", www)
    assert r.exit_code == 1, r.output
    assert "n'a pas la liste des fichiers qu'ateliers y a écrits" in r.output, r.output
    assert "publiez dans un dossier vide" in r.output
    assert sorted(p.name for p in www.iterdir()) == ["portail.html"]


def test_a_foreign_file_where_a_page_goes_is_not_overwritten(example: Path, tmp_path: Path) -> None:
    www = _web_root(tmp_path)
    assert run_cli("-C", example, "site", "--out", www).exit_code == 0
    before = (www / "index.html").read_bytes()
    # the webmaster's own home page replaced the tool's, and the list no longer names it
    (www / "index.html").write_text("accueil du webmestre\n", encoding="utf-8")
    lines = (www / ".ateliers-site").read_text(encoding="utf-8").splitlines()
    (www / ".ateliers-site").write_text("\n".join(x for x in lines if x != "index.html") + "\n", encoding="utf-8")

    r = run_cli("-C", example, "site", "--out", www)

    assert r.exit_code == 1, r.output
    assert "index.html" in r.output and "rien n'a été remplacé" in r.output, r.output
    assert (www / "index.html").read_text(encoding="utf-8") == "accueil du webmestre\n"
    assert before != (www / "index.html").read_bytes()


def test_a_site_of_the_first_versions_keeps_other_top_level_entries(example: Path, tmp_path: Path) -> None:
    """Its marker held no list: the site's own top-level names are the tool's, the rest is kept."""
    www = _web_root(tmp_path)
    assert run_cli("-C", example, "site", "--out", www).exit_code == 0
    (www / ".ateliers-site").write_text(
        "Site public produit par « ateliers site » : ce dossier est remplacé à chaque publication.\n", encoding="utf-8"
    )
    (www / "contributions" / "C-9999.html").write_text("page retirée\n", encoding="utf-8")
    (www / "portail.html").write_text("portail\n", encoding="utf-8")

    r = run_cli("-C", example, "site", "--out", www)

    assert r.exit_code == 0, r.output
    assert (www / "portail.html").read_text(encoding="utf-8") == "portail\n"
    assert not (www / "contributions" / "C-9999.html").exists()
    assert (www / ".ateliers-site").read_text(encoding="utf-8").startswith("# ")
