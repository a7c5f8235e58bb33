"""``ateliers render`` after the stages have passed: their documents are the record of what was handed out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def closed_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ateliers_cli.demo import run_demo

    root = tmp_path_factory.mktemp("rendu") / "demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
        run_demo(root)
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_render_after_the_closure_keeps_passed_stages_and_prive(closed_demo: Path, tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(closed_demo, root)
    assert (root / "prive/emargement/douai-1.html").is_file()
    documents, prive = snapshot(root / "documents"), snapshot(root / "prive")
    # after the closure, the Douai workshop is changed: cancelled, another place
    atelier = root / "ateliers/douai-1.yaml"
    text = atelier.read_text(encoding="utf-8")
    text = text.replace("statut: tenu", "statut: annule\nmotif_annulation: Salle indisponible", 1)
    atelier.write_text(text, encoding="utf-8")

    r = run_cli("-C", root, "render")
    assert r.exit_code == 0, r.output
    assert snapshot(root / "documents") == documents  # nothing of a passed stage rewritten
    assert snapshot(root / "prive") == prive  # the attendance sheet of the cancelled workshop is still there
    assert "Programme des ateliers" not in r.output  # paths, not titles: the user sees which files
    assert "documents/1-appel/programme-des-ateliers.md" in r.output
    assert "changeraient avec les données actuelles" in r.output
    assert "« ateliers render --etape appel" in r.output

    r = run_cli("-C", root, "render", "--etape", "appel")
    assert r.exit_code == 0, r.output
    after = snapshot(root / "documents")
    changed = {k for k in after if after.get(k) != documents.get(k)} | (set(documents) - set(after))
    assert changed - {".empreintes.json"} and all(k.startswith("1-appel/") for k in changed - {".empreintes.json"}), (
        changed
    )
    assert "annulé" in (root / "documents/1-appel/programme-des-ateliers.md").read_text(encoding="utf-8")
    assert snapshot(root / "prive") == prive

    r = run_cli("-C", root, "render", "--etape", "toutes")
    assert r.exit_code == 0, r.output
    assert snapshot(root / "prive") == prive  # prive/ is never deleted by render
    r = run_cli("-C", root, "render")
    assert r.exit_code == 0 and "aucun fichier modifié" in r.output and "changeraient" not in r.output, r.output


def test_a_deleted_document_is_written_again_and_an_unknown_stage_is_a_usage_error(
    closed_demo: Path, tmp_path: Path
) -> None:
    root = tmp_path / "c"
    shutil.copytree(closed_demo, root)
    doc = root / "documents/3-ateliers/cahier-des-productions.md"
    content = doc.read_bytes()
    doc.unlink()
    r = run_cli("-C", root, "render")
    assert r.exit_code == 0, r.output
    assert doc.read_bytes() == content
    r = run_cli("-C", root, "render", "--etape", "atelier")
    assert r.exit_code == 2
    assert "« atelier » n'est pas une étape" in r.output and "ateliers" in r.output
