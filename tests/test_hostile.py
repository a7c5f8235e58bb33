"""Hostile and broken input: every case of ``tests/data/bad/`` gives a French diagnostic, exit 1.

Each folder ``tests/data/bad/<cas>/`` holds only what differs from the minimal valid
consultation of ``conftest.make_tree`` (the files to write over it, and in ``supprimer.txt``
the files to remove), plus ``attendu.txt``:

    # what the case is (a comment)
    contributions/C-0001.md:6:          ← the expected ``path:line:`` prefix (``path:`` for a whole file)
    territoire « lile » inconnu         ← words expected in that diagnostic (with its hint)
    vouliez-vous dire « lille »

or ``accepte`` instead of a prefix for what must pass (BOM, CRLF). What cannot be versioned
(a 50 MB paste, symlinks, a named pipe, a file name that is not UTF-8) is created here, at test
time, by the function of ``GENERATED`` named after the case; its folder holds ``attendu.txt`` only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import GOOD_CONTRIBUTION, MINIMAL_THEMES, run_cli

BAD = Path(__file__).parent / "data" / "bad"
META = {"attendu.txt", "supprimer.txt"}

#: English that would betray an untranslated library message (PyYAML, Python, OS errors).
ENGLISH = re.compile(
    r"\b(could not|expected|found|while (?:parsing|scanning)|Error|Exception|Traceback|object has no|"
    r"not allowed|No such file|Permission denied|Is a directory|invalid|unacceptable)\b"
)


# --- what cannot be versioned: made at test time -------------------------------------------


def _huge(root: Path, tmp: Path) -> None:
    with (root / "contributions/C-0002.md").open("w", encoding="utf-8") as f:
        f.write(GOOD_CONTRIBUTION.replace("C-0001", "C-0002"))
        f.write("Un texte collé par erreur. " * 2_000_000)  # ~54 Mo


def _long_value(root: Path, tmp: Path) -> None:
    text = GOOD_CONTRIBUTION.replace("territoire: lille", "territoire: " + "x" * 2_000_000)
    (root / "contributions/C-0001.md").write_text(text, encoding="utf-8")


def _deep_blocks(root: Path, tmp: Path) -> None:
    depth = 1200
    nested = "".join("      " + "  " * i + f"n{i}:\n" for i in range(depth)) + "      " + "  " * depth + "fin\n"
    (root / "themes.yaml").write_text(
        MINIMAL_THEMES.replace("    mots_cles", "    description:\n" + nested + "    mots_cles"), encoding="utf-8"
    )


def _link_out(root: Path, tmp: Path) -> None:
    outside = tmp / "ailleurs.md"
    outside.write_text(GOOD_CONTRIBUTION.replace("C-0001", "C-0003"), encoding="utf-8")
    (root / "contributions/C-0003.md").symlink_to(outside)


def _link_out_yaml(root: Path, tmp: Path) -> None:
    (root / "themes.yaml").unlink()
    (root / "themes.yaml").symlink_to("/etc/passwd")


def _folder_link_out(root: Path, tmp: Path) -> None:
    elsewhere = tmp / "dossier-exterieur"
    (root / "contributions").rename(elsewhere)
    (root / "contributions").symlink_to(elsewhere)


def _link_loop(root: Path, tmp: Path) -> None:
    (root / "contributions/C-0002.md").symlink_to(root / "contributions/C-0002.md")


def _fifo(root: Path, tmp: Path) -> None:
    (root / "forums").mkdir()
    os.mkfifo(root / "forums/lancement.yaml")


def _undecodable_name(root: Path, tmp: Path) -> None:
    (root / "contributions" / os.fsdecode(b"C-\xe9t\xe9.md")).write_bytes(GOOD_CONTRIBUTION.encode())


def _many_unknown_keys(root: Path, tmp: Path) -> None:
    (root / "themes.yaml").write_text(
        MINIMAL_THEMES + "".join(f"colonne{i}: {i}\n" for i in range(30_000)), encoding="utf-8"
    )


def _many_bad_references(root: Path, tmp: Path) -> None:
    themes = "[" + ", ".join(f"t{i}" for i in range(30_000)) + "]"
    (root / "contributions/C-0001.md").write_text(GOOD_CONTRIBUTION.replace("[isolement]", themes), encoding="utf-8")


def _many_emails(root: Path, tmp: Path) -> None:
    text = GOOD_CONTRIBUTION + "".join(f"personne{i}@example.org\n" for i in range(20_000))
    (root / "contributions/C-0001.md").write_text(text, encoding="utf-8")


GENERATED: dict[str, Callable[[Path, Path], None]] = {
    "cles-inconnues-par-milliers": _many_unknown_keys,
    "references-par-milliers": _many_bad_references,
    "courriels-par-milliers": _many_emails,
    "fichier-enorme": _huge,
    "type-texte-immense": _long_value,
    "imbrication-profonde-blocs": _deep_blocks,
    "lien-hors-dossier": _link_out,
    "lien-hors-dossier-yaml": _link_out_yaml,
    "lien-dossier-hors-dossier": _folder_link_out,
    "lien-en-boucle": _link_loop,
    "tube-nomme": _fifo,
    "nom-de-fichier-illisible": _undecodable_name,
}
POSIX_ONLY = {
    "lien-hors-dossier",
    "lien-hors-dossier-yaml",
    "lien-dossier-hors-dossier",
    "lien-en-boucle",
    "tube-nomme",
}
LINUX_ONLY = {"nom-de-fichier-illisible"}  # macOS and Windows refuse such a name


def _cases() -> list[str]:
    return sorted(p.name for p in BAD.iterdir() if (p / "attendu.txt").is_file())


def _expected(case: str) -> tuple[str, list[str]]:
    lines = [
        line.rstrip("\n")
        for line in (BAD / case / "attendu.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return lines[0], lines[1:]


def overlay(make_tree: Callable[[dict[str, str | bytes]], Path], case: str, tmp: Path) -> Path:
    """The minimal consultation with the case's files written over it (and some removed)."""
    folder = BAD / case
    files: dict[str, str | bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in META:
            files[rel] = path.read_bytes()
    deleted = []
    if (folder / "supprimer.txt").is_file():
        deleted = (folder / "supprimer.txt").read_text(encoding="utf-8").split()
    root = make_tree({k: v for k, v in files.items() if k.split("/", 1)[0] not in deleted})
    for rel in deleted:
        (root / rel).unlink()
    for rel, content in files.items():  # a case may put a folder where the base has a file
        if rel.split("/", 1)[0] in deleted:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content)
    if case in GENERATED:
        GENERATED[case](root, tmp)
    return root


def test_corpus_is_complete() -> None:
    """Every class of hostile input the README lists has its case, every generated case its folder."""
    cases = set(_cases())
    for must in (
        "yaml-deux-points", "type-population-texte", "cle-inconnue", "bom", "crlf", "windows-1252-contribution",
        "fichier-enorme", "lien-hors-dossier", "fichier-vide-contribution", "sans-entete", "binaire",
        "cle-dupliquee", "bombe-yaml", "imbrication-profonde-crochets", "id-contribution-chemin",
        "reference-territoire-inconnu", "vote-incoherent",
    ):
        assert must in cases, must
    assert set(GENERATED) <= cases
    for case in cases:
        prefix, words = _expected(case)
        assert prefix == "accepte" or re.match(r"^[^:]+:(\d+:)?$", prefix), (case, prefix)
        assert prefix == "accepte" or words, f"{case} : attendu.txt ne donne aucun mot attendu"


@pytest.mark.parametrize("case", _cases())
def test_bad_input(make_tree: Callable[[dict[str, str | bytes]], Path], tmp_path: Path, case: str) -> None:
    if case in POSIX_ONLY and os.name != "posix":
        pytest.skip("liens symboliques et tubes nommés : POSIX")
    if case in LINUX_ONLY and not sys.platform.startswith("linux"):
        pytest.skip("un nom de fichier qui n'est pas en UTF-8 : Linux seulement")
    root = overlay(make_tree, case, tmp_path)
    prefix, words = _expected(case)
    r = run_cli("-C", root, "check", "--strict")  # in-process: an exception fails the test
    output = r.output
    assert "Traceback" not in output and "Erreur interne" not in output, output
    again = run_cli("-C", root, "check", "--strict", "--no-cache")  # the cache changes nothing
    assert (again.exit_code, again.output) == (r.exit_code, output)
    for args in (("check", "--format", "json"), ("status",), ("status", "--json")):  # the other readers too
        other = run_cli("-C", root, *args)
        assert other.exit_code in (0, 1) and "Traceback" not in other.output and "Erreur interne" not in other.output, (
            other.output
        )
    if prefix == "accepte":
        assert r.exit_code == 0, output
        return
    assert r.exit_code == 1, output
    lines = [line for line in output.splitlines() if line.startswith(prefix)]
    assert lines, f"aucun diagnostic « {prefix} » dans :\n{output}"
    block = output[output.index(lines[0]) :]
    for w in words:
        assert w in block, f"« {w} » absent de :\n{output}"
    for line in output.splitlines():  # every message French, whatever the library said
        assert not ENGLISH.search(line), f"message non traduit : {line}"


def test_last_resort_handler_never_shows_a_traceback(make_tree: Callable[[dict[str, str | bytes]], Path]) -> None:
    """A defect of the tool (here simulated) is reported in French, exit 3; the handler itself cannot fail."""
    import subprocess

    root = make_tree({})
    boom = (
        "import sys\nimport ateliers_cli.commands.common as common\ndef boom(*a, **k):\n    raise "
        "RuntimeError('[bold]balise[/bold] et nom illisible ' + '\\udce9')\ncommon.open_consultation = boom\nimport "
        "ateliers_cli.commands.project as project\nproject.open_consultation = boom\nfrom ateliers_cli.cli import "
        "main\nsys.argv[0] = 'ateliers'\nmain()\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", boom, "-C", str(root), "status"], capture_output=True, timeout=60, check=False
    )
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 3, err
    assert "Traceback" not in err
    assert err.startswith("Erreur interne : RuntimeError: [bold]balise[/bold] et nom illisible \\udce9"), err
    assert "signalez-le" in err


#: The cases built to cost: their check must stay bounded. Run in a process of its own, with a
#: limit of processor time and of memory (not a clock: the load of the machine does not count):
#: a check that went quadratic or unfolded a bomb is killed, and the test fails.
COSTLY = (
    "bombe-yaml",
    "bombe-yaml-discrete",
    "fichier-enorme",
    "cles-inconnues-par-milliers",
    "courriels-par-milliers",
    "references-par-milliers",
    "imbrication-profonde-blocs",
    "imbrication-profonde-crochets",
    "imbrication-profonde-entete",
    "type-texte-immense",
    "type-nombre-geant",
)
CPU_SECONDS = 60  # each case takes about a second of processor time
MEMORY_BYTES = 2 * 1024**3


def _limited() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


@pytest.mark.skipif(sys.platform != "linux", reason="limites de ressources : Linux")
@pytest.mark.parametrize("case", COSTLY)
def test_costly_input_is_checked_within_bounded_work(
    make_tree: Callable[[dict[str, str | bytes]], Path], tmp_path: Path, case: str
) -> None:
    assert case in _cases()
    root = overlay(make_tree, case, tmp_path)
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    r = subprocess.run(
        [sys.executable, "-m", "ateliers_cli", "-C", str(root), "check", "--no-cache"],
        capture_output=True, text=True, env=env, preexec_fn=_limited, check=False,
    )
    assert r.returncode in (0, 1), f"{case} : code {r.returncode} (tué par la limite ?)\n{r.stderr[-2000:]}"
    assert "Erreur interne" not in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
