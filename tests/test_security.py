"""Security: what whoever edits the folder (or a citizen's text) writes stays data.

- a cache file planted in the folder is never unpickled;
- ids, file names, template names cannot lead a write or a read out of the folder;
- a consultation's templates run sandboxed: Python internals are refused with a French error;
- citizens' text cannot become markup or script in any HTML the tool writes;
- no CSV cell the tool writes can start a spreadsheet formula.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "NO_COLOR": "1", "COLUMNS": "200"}


def ateliers(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process (what a user runs)."""
    return subprocess.run(
        [sys.executable, "-m", "ateliers_cli", *map(str, args)], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=120
    )


# --- the check cache ---------------------------------------------------------------------------


class _Planted:
    """What an attacker would put in .ateliers-cache/: unpickling it runs ``os.mkdir(marker)``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_planted_cache_is_never_unpickled(example: Path, tmp_path: Path) -> None:
    marker = tmp_path / "code-execute"
    cache = example / ".ateliers-cache"
    cache.mkdir()
    planted = pickle.dumps(_Planted(marker))
    # a bare pickle, then one with the format's header: the signature is the user's secret
    for payload in (planted, b"ateliers-cache-1\n" + b"\0" * 32 + planted):
        for name in ("check.pickle", "contributions.pickle"):
            (cache / name).write_bytes(payload)
        r = run_cli("-C", example, "check")
        assert r.exit_code == 0, r.output
        assert not marker.exists(), "un fichier du dossier a exécuté du code en étant lu"
    r = run_cli("-C", example, "check")  # and the cache the tool wrote itself is used again
    assert r.exit_code == 0 and not marker.exists()


# --- the consultation's templates run sandboxed -------------------------------------------------

AT_LANCEMENT = (
    "etape: lancement\nhistorique:\n  - de: appel\n    vers: lancement\n    date: 2026-03-01T09:30:00+01:00\n    par: Marie\n"
)

ESCAPES = {
    "mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "cycler": "{{ cycler.__init__.__globals__.os.system('touch MARQUEUR') }}",
    "self": "{{ self._TemplateReference__context }}",
    "lipsum": "{{ lipsum.__globals__['os'].popen('touch MARQUEUR').read() }}",
    "joiner": "{{ joiner.__init__.__globals__ }}",
    "namespace": "{{ namespace.__init__.__globals__ }}",
    "attr-filter": "{{ ''|attr('__class__') }}",
    "subscript": "{{ ''['__class__'] }}",
    "format": "{{ '{0.__class__.__mro__}'.format('') }}",
    "loop": "{% for x in [1] %}{{ loop.__class__ }}{% endfor %}",
    "dict": "{{ {}.__class__.__base__.__subclasses__() }}",
    "root-path": "{{ consultation.root.read_text() }}",
    "include-out": "{% include '../../../../../../etc/passwd' %}",
    "include-default-out": "{% include 'default:../../../../../etc/passwd' %}",
    "extends-out": "{% extends 'default:../pyproject.toml' %}",
    "recursion": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "self-include": "{% include 'synthese-des-contributions.md.j2' %}",
    "power": "{{ 9 ** 999999999 }}",
    "repeat": "{{ 'x' * 10**10 }}",
    "range": "{{ range(10**9)|list|length }}",
    "syntax": "{% for %}",
}


@pytest.mark.parametrize("payload", list(ESCAPES.values()), ids=list(ESCAPES))
def test_template_escapes_are_refused_in_french(make_tree, tmp_path: Path, payload: str) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import MINIMAL_CONSULTATION

    root = make_tree(
        {
            "consultation.yaml": MINIMAL_CONSULTATION.replace("etape: appel\nhistorique: []\n", AT_LANCEMENT),
            "templates/synthese-des-contributions.md.j2": payload.replace("MARQUEUR", str(tmp_path / "execute")) + "\n",
        }
    )
    r = run_cli("-C", root, "render")
    assert r.exit_code == 1, r.output
    assert r.output.startswith("Erreur : templates/synthese-des-contributions.md.j2"), r.output
    assert "root:" not in r.output and "[project]" not in r.output  # nothing of what was reached is shown
    assert not (tmp_path / "execute").exists()
    assert not (root / "documents").exists()  # all or nothing: not one document written


@pytest.mark.skipif(os.name != "posix", reason="liens symboliques")
def test_template_symlinked_out_of_templates_is_refused(make_tree, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import MINIMAL_CONSULTATION

    secret = tmp_path / "secret.md.j2"
    secret.write_text("SECRET-HORS-DU-DOSSIER\n", encoding="utf-8")
    root = make_tree({"consultation.yaml": MINIMAL_CONSULTATION.replace("etape: appel\nhistorique: []\n", AT_LANCEMENT)})
    (root / "templates").mkdir()
    (root / "templates/synthese-des-contributions.md.j2").symlink_to(secret)
    r = run_cli("-C", root, "render")
    assert r.exit_code == 1 and "sort du dossier templates/" in r.output, r.output
    assert not any("SECRET" in p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*.md"))


# --- ids and file names cannot lead out of the folder ---------------------------------------------


def _outside_files(tmp_path: Path, root: Path) -> set[Path]:
    return {p for p in tmp_path.rglob("*") if root not in p.parents and p != root}


def test_import_ids_and_cells_cannot_name_a_path(make_tree, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_tree({})
    export = tmp_path / "export.csv"
    export.write_text(
        "id;texte;commune;nom\n"
        "../../etc/passwd;Un texte;Lille;../../../x\n"
        "/etc/shadow;Un autre texte;../../../../tmp/evil;Nom\n"
        "C-0001;Un troisième, qui prend l'identifiant d'un fichier existant;Lille;Nom\n",
        encoding="utf-8",
    )
    outside = _outside_files(tmp_path, root)
    original = (root / "contributions/C-0001.md").read_bytes()
    r = run_cli("-C", root, "contributions", "import", export, "--territoire", "lille")
    assert r.exit_code in (0, 1), r.output
    assert _outside_files(tmp_path, root) == outside
    assert (root / "contributions/C-0001.md").read_bytes() == original
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        assert rel.startswith(("contributions", "prive", "themes.yaml", "consultation.yaml", ".ateliers")), rel
        if rel.startswith("contributions/"):
            assert path.name == "C-0001.md" or path.name.startswith("C-0"), rel
    assert run_cli("-C", root, "check").exit_code == 0


def test_atelier_and_restitution_ids_cannot_name_a_path(example: Path, tmp_path: Path) -> None:
    """An id that is not a slug is refused by check; the documents are named after the file instead."""
    for _ in range(2):  # to « ateliers »: render then writes a dossier and a sheet per atelier
        assert run_cli("-C", example, "advance", "--par", "Essai").exit_code == 0
    atelier = example / "ateliers/lille-1.yaml"
    atelier.write_text(atelier.read_text(encoding="utf-8").replace("id: lille-1", "id: ../../../../evil"), encoding="utf-8")
    restitution = next((example / "restitutions").glob("*.yaml"))
    text = restitution.read_text(encoding="utf-8")
    restitution.write_text(text.replace(f"id: {restitution.stem}", "id: /tmp/evil-restitution"), encoding="utf-8")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1
    assert "« ../../../../evil » n'est pas valide" in r.output and "« /tmp/evil-restitution » n'est pas valide" in r.output
    # advance refuses; render and site go on, with the file's own name
    assert run_cli("-C", example, "advance", "--par", "Essai").exit_code == 1
    outside = _outside_files(tmp_path, example)
    for args in (("render",), ("site",), ("export",)):
        r = run_cli("-C", example, *args)
        assert r.exit_code in (0, 1), r.output
        assert "Traceback" not in r.output
    assert _outside_files(tmp_path, example) == outside
    assert not Path("/tmp/evil-restitution").exists() and not Path("/tmp/evil-restitution.html").exists()
    assert (example / "documents/2-lancement/dossier-atelier-lille-1.md").is_file()  # named after the file


@pytest.mark.skipif(os.name != "posix", reason="liens symboliques")
def test_writes_through_a_symlinked_folder_are_refused(example: Path, tmp_path: Path) -> None:
    """documents/ linked elsewhere: advance refuses to write there, and writes nothing at all."""
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    (example / "documents").symlink_to(elsewhere)
    before = (example / "consultation.yaml").read_bytes()
    r = run_cli("-C", example, "advance", "--par", "Essai")
    assert r.exit_code == 1, r.output
    assert "sortirait du dossier de la consultation" in r.output
    assert list(elsewhere.iterdir()) == []
    assert (example / "consultation.yaml").read_bytes() == before
