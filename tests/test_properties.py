"""Property-based tests: whatever bytes, YAML or front matter a file holds, no traceback, no hang.

The loader, ``check``, ``status``, ``contributions import``, ``inscriptions import``, ``render``,
``site`` and ``export`` are fed random input. The
commands run in-process (``run_cli`` does not catch exceptions: a Python exception fails the
example, and so does the last-resort « Erreur interne », exit 3). Exit codes allowed: 0, 1, 2.

Budgets (the whole file stays under ~60 s on 2 cores; measured ~25 s):

=====================================  ============  ==========  ===================
test                                   max_examples  deadline    typical per example
=====================================  ============  ==========  ===================
loader, random bytes                   300           2 s         < 1 ms
loader, random YAML / front matter     300 / 300     2 s         ~ 1 ms
check, random bytes in one file        60            10 s        ~ 40 ms
check, random YAML in one file         60            10 s        ~ 40 ms
check, random front matter             80            10 s        ~ 40 ms
contributions import, random CSV       40            10 s        ~ 60 ms
contributions import, random bytes     40            10 s        ~ 50 ms
inscriptions import, random CSV/bytes  30            10 s        ~ 60 ms
render + site + export, extreme values 10            30 s        ~ 1.5 s
=====================================  ============  ==========  ===================

Deadlines are generous (a loaded CI machine is slow), but finite: a hang fails.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ateliers_cli.yamlio import parse_front_matter, parse_yaml, read_text
from tests.conftest import EXAMPLE, GOOD_CONTRIBUTION, MINIMAL_CONSULTATION, MINIMAL_THEMES, run_cli

FAST = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
CLI = settings(
    max_examples=60, deadline=10_000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# --- strategies ---------------------------------------------------------------------------------

# Text as it comes from a paste: any character, control ones and lone surrogates excepted
# (those cannot be written in UTF-8 at all; the byte strategies cover undecodable input).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
KEYS = st.sampled_from(
    ["id", "date", "profil", "canal", "territoire", "auteur", "publication", "themes", "statut", "doublon_de",
     "titre", "source", "efface", "organisation", "<<", "themes", "vote", "seance", "decisions", "avis"]
) | TEXT
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
    | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    | st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=25,
)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


YAML_TEXT = VALUES.map(dump) | st.text(st.sampled_from("ab:-[]{}&*!|>'\"#%@` \n\t,?"), max_size=200)

CONTRIB_FIELDS = {
    "id": st.just("C-0001") | TEXT,
    "date": st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)) | VALUES,
    "profil": st.sampled_from(["habitant", "citoyen", "partenaire"]) | VALUES,
    "canal": st.sampled_from(["formulaire", "courrier", "plateforme"]) | VALUES,
    "territoire": st.sampled_from(["lille", "douai", "lile"]) | VALUES,
    "auteur": TEXT | VALUES,
    "publication": st.booleans() | VALUES,
    "themes": st.lists(st.sampled_from(["isolement", "inconnu"]) | TEXT, max_size=4) | VALUES,
    "statut": st.sampled_from(["nouvelle", "analysee", "hors_sujet", "doublon"]) | VALUES,
    "doublon_de": st.sampled_from(["C-0001", "C-0002"]) | VALUES,
    "titre": TEXT,
    "source": VALUES,
    "efface": st.dates() | VALUES,
}
FRONT_MATTER = st.fixed_dictionaries({}, optional=CONTRIB_FIELDS).map(dump)
BODY = st.text(max_size=300).filter(lambda s: "\x00" not in s)


@contextmanager
def tree(files: dict[str, str | bytes]) -> Iterator[Path]:
    """The minimal consultation of conftest.make_tree, in a fresh folder (hypothesis reruns)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "c"
        base: dict[str, str | bytes] = {
            "consultation.yaml": MINIMAL_CONSULTATION,
            "themes.yaml": MINIMAL_THEMES,
            "contributions/C-0001.md": GOOD_CONTRIBUTION,
        }
        base.update(files)
        for rel, content in base.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        yield root


def assert_clean_exit(r: Any, allowed: tuple[int, ...] = (0, 1)) -> None:
    assert r.exit_code in allowed, r.output
    assert "Traceback" not in r.output and "Erreur interne" not in r.output, r.output


# --- the loader ----------------------------------------------------------------------------------


@FAST
@given(raw=st.binary(max_size=400))
def test_read_text_never_raises(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.md"
        path.write_bytes(raw)
        text, diags = read_text(path, "f.md", Path(tmp))
        assert (text is None) == bool(diags)
        if text is not None:
            parse_front_matter(text, "f.md")
            parse_yaml(text, "f.yaml")


@FAST
@given(text=YAML_TEXT)
def test_parse_yaml_never_raises(text: str) -> None:
    loaded = parse_yaml(text, "f.yaml")
    for d in loaded.diagnostics:
        assert d.path == "f.yaml" and d.line >= 0 and d.message


@FAST
@given(fm=FRONT_MATTER | YAML_TEXT, body=BODY)
def test_parse_front_matter_never_raises(fm: str, body: str) -> None:
    text = f"---\n{fm}---\n{body}"
    loaded = parse_front_matter(text, "c.md")
    if loaded.ok:
        assert isinstance(loaded.data, dict)
        assert loaded.body_line >= 2


# --- a contribution written by the import -------------------------------------------------------

# One line of any text, as the import leaves a name, a title or a key (one_line): what the
# header of a written contribution holds. The import validates these values in memory
# (check_header) instead of reading back the file it writes: they must load back unchanged.
ONE_LINE = TEXT.map(lambda s: " ".join(s.split()))


@FAST
@given(
    auteur=ONE_LINE, titre=ONE_LINE, organisation=ONE_LINE, cle=ONE_LINE, fichier=ONE_LINE,
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    publication=st.booleans(), ligne=st.integers(min_value=1, max_value=10**7), texte=BODY,
)
def test_written_header_loads_back_as_written(
    auteur: str,
    titre: str,
    organisation: str,
    cle: str,
    fichier: str,
    date: dt.date,
    publication: bool,
    ligne: int,
    texte: str,
) -> None:
    from ateliers_cli.store.front_matter import header_values, render

    meta = {
        "id": "C-0001", "date": date, "profil": "habitant", "canal": "formulaire", "territoire": "lille",
        "auteur": auteur or "Anonyme", "organisation": organisation, "publication": publication, "themes": [],
        "statut": "nouvelle", "titre": titre,
        "source": {"origine": "formulaire", "fichier": fichier, "ligne": ligne, "cle": cle, "empreinte": "abc"},
    }
    written = render(meta, texte)
    loaded = parse_front_matter(written, "contributions/C-0001.md")
    assert loaded.ok, loaded.diagnostics
    assert loaded.data == header_values(meta)
    # the header made from nodes is byte for byte what PyYAML's own representer writes
    from ateliers_cli.store.front_matter import _Dumper

    dumped = yaml.dump(
        header_values(meta),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,
        default_flow_style=False,
    )
    assert written.startswith(f"---\n{dumped}---\n")


# What the import usually writes takes a short road (no PyYAML emitter): words, names, numbers that
# libyaml writes as they are. Its edges: texts that YAML would read as something else, indicators,
# spaces where libyaml quotes. Both roads must give PyYAML's bytes.
LOOKALIKES = st.sampled_from(
    ["true", "No", "yes", "ON", "null", "Null", "~", "12", "1_000", "0x1F", "0o17", "0b101", "1:20", "1.5",
     "1e5", "2025-01-01", "2025-1-1 10:00", ".inf", "<<", "=", "y", "n", "-", "- a", "a: b", "a #b", "a#b",
     "'a", "a'", "a  b", "a ", " a", "@a", "a@b", "(a)", "a,b", "[a]", "a]", "{a}", "C-0001", "Ève", "l'été",
     "a/b", "+33 6", "N°12", "x²", "ª", "µ", "A.", "St-Omer (59)", "_a", "a_b", "١٢", "Ⅻ", "𝐀", "a😀"]
)
WORDS = LOOKALIKES | st.text(
    st.sampled_from(list("aZé9 _.,'-:#@/()+[]{}!&*?|>%`~\"\u00a0\u2019ª²")), min_size=1, max_size=12
)


@FAST
@given(
    auteur=WORDS, titre=WORDS, territoire=WORDS, cle=WORDS, themes=st.lists(WORDS, max_size=3),
    ligne=st.integers(min_value=-5, max_value=10**12), publication=st.booleans(),
)
def test_the_short_road_writes_what_pyyaml_writes(
    auteur: str, titre: str, territoire: str, cle: str, themes: list[str], ligne: int, publication: bool
) -> None:
    from ateliers_cli.store.front_matter import _Dumper, front_matter, header_values

    meta = {
        "id": "C-0001", "date": dt.date(2025, 10, 4), "profil": "habitant", "canal": "formulaire",
        "territoire": territoire, "auteur": auteur, "publication": publication, "themes": themes,
        "statut": "nouvelle", "titre": titre,
        "source": {"origine": "formulaire", "fichier": "export.csv", "ligne": ligne, "cle": cle},
    }
    dumped = yaml.dump(
        header_values(meta), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
        default_flow_style=False,
    )
    assert front_matter(meta) == dumped


def test_the_short_road_is_taken_for_usual_rows() -> None:
    """The usual header (names with accents, a commune, a list of themes) takes the short road; a
    text YAML would read otherwise takes PyYAML's (both are checked above to write the same)."""
    from ateliers_cli.store import front_matter as fm

    usual = {"id": "C-0042", "date": dt.date(2025, 10, 4), "auteur": "Jeannine B.", "territoire": "douai",
             "themes": ["aide-domicile", "transports"], "publication": False, "source": {"ligne": 149}}
    assert fm._fast_front_matter(fm.header_values(usual)) is not None
    assert fm._fast_front_matter(fm.header_values({**usual, "auteur": "oui: non"})) is None
    assert fm._fast_front_matter(fm.header_values({**usual, "auteur": "2025-01-01"})) is None


# --- check ---------------------------------------------------------------------------------------

TARGETS = st.sampled_from(
    [
        "consultation.yaml",
        "themes.yaml",
        "contributions/C-0001.md",
        "contributions/C-0002.md",
        "ateliers/lille-1.yaml",
        "forums/lancement.yaml",
        "forums/synthese.yaml",
        "orientations.yaml",
        "deliberation.yaml",
        "restitutions/lille.yaml",
    ]
)


@CLI
@given(target=TARGETS, raw=st.binary(max_size=300))
def test_check_random_bytes(target: str, raw: bytes) -> None:
    with tree({target: raw}) as root:
        assert_clean_exit(run_cli("-C", root, "check", "--strict"))


@CLI
@given(target=TARGETS, text=YAML_TEXT)
def test_check_random_yaml(target: str, text: str) -> None:
    content = f"---\n{text}---\nTexte.\n" if target.endswith(".md") else text
    with tree({target: content}) as root:
        r = run_cli("-C", root, "check", "--strict")
        assert_clean_exit(r)
        if target.endswith(".yaml") and target != "consultation.yaml":  # consultation.yaml can end the search
            again = run_cli("-C", root, "check", "--strict", "--format", "json")
            assert_clean_exit(again)


@settings(CLI, max_examples=80)
@given(fm=FRONT_MATTER, body=BODY, etape=st.sampled_from(["appel", "lancement", "cloturee"]))
def test_check_random_front_matter(fm: str, body: str, etape: str) -> None:
    consultation = MINIMAL_CONSULTATION.replace("etape: appel", f"etape: {etape}")
    with tree({"consultation.yaml": consultation, "contributions/C-0002.md": f"---\n{fm}---\n{body}"}) as root:
        assert_clean_exit(run_cli("-C", root, "check"))
        assert_clean_exit(run_cli("-C", root, "status"))


# --- contributions import ---------------------------------------------------------------------

CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40) | st.sampled_from(
    [
        "=1+1",
        "@SUM(A1)",
        "+33 6 12 34 56 78",
        "-2",
        "2026-01-12",
        "12/01/2026",
        "lille",
        "Lille",
        "59000",
        "oui",
        "non",
        "",
    ]
)
HEADER = ["texte", "date", "auteur", "commune", "code_postal", "courriel", "profil", "publication", "cle"]


def _csv(rows: list[list[str]], sep: str) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in f'{sep}"\n\r') else cell

    return "\n".join(sep.join(quote(c) for c in row) for row in [HEADER, *rows]) + "\n"


@settings(CLI, max_examples=40)
@given(
    rows=st.lists(st.lists(CELL, min_size=0, max_size=len(HEADER) + 2), min_size=0, max_size=6),
    sep=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_import_random_csv(rows: list[list[str]], sep: str, encoding: str) -> None:
    data = _csv(rows, sep)
    try:
        raw = data.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    with tree({}) as root:
        export = root.parent / "export.csv"
        export.write_bytes(raw)
        r = run_cli("-C", root, "contributions", "import", export, "--map", "texte=texte", "--territoire", "lille")
        assert_clean_exit(r, (0, 1, 2))
        if r.exit_code == 0:
            assert_clean_exit(run_cli("-C", root, "check"))
            again = run_cli(
                "-C", root, "contributions", "import", export, "--map", "texte=texte", "--territoire", "lille"
            )
            assert_clean_exit(again, (0, 1, 2))


@settings(CLI, max_examples=40)
@given(
    raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".json", ".xlsx", ".xls", ".txt"]), mapping=YAML_TEXT
)
def test_import_random_bytes(raw: bytes, suffix: str, mapping: str) -> None:
    with tree({}) as root:
        export = root.parent / f"export{suffix}"
        export.write_bytes(raw)
        assert_clean_exit(run_cli("-C", root, "contributions", "import", export), (0, 1, 2))
        (root.parent / "correspondance.yaml").write_text(mapping, encoding="utf-8")
        r = run_cli("-C", root, "contributions", "import", export, "--mapping", root.parent / "correspondance.yaml")
        assert_clean_exit(r, (0, 1, 2))


@settings(CLI, max_examples=30)
@given(
    rows=st.lists(st.lists(CELL, min_size=0, max_size=7), min_size=0, max_size=6),
    raw=st.none() | st.binary(max_size=300),
)
def test_inscriptions_import_random(rows: list[list[str]], raw: bytes | None) -> None:
    header = ["nom", "prenom", "courriel", "atelier", "besoins", "date"]
    data = (
        raw
        if raw is not None
        else "\n".join(
            ";".join(c.replace(";", ",").replace("\n", " ").replace('"', "") for c in row) for row in [header, *rows]
        ).encode()
    )
    atelier = (
        "id: lille-1\ntitre: Atelier\nterritoire: lille\ndate: 2026-04-04T14:00\nlieu: Salle\ncapacite: 2\nthemes: "
        "[isolement]\nstatut: prevu\n"
    )
    with tree({"ateliers/lille-1.yaml": atelier}) as root:
        export = root.parent / "inscriptions.csv"
        export.write_bytes(data)
        r = run_cli("-C", root, "inscriptions", "import", export, "--atelier", "lille-1")
        assert_clean_exit(r, (0, 1, 2))
        assert_clean_exit(run_cli("-C", root, "check"))


# --- render ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def at_lancement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, advanced once: render then builds the documents of « appel »."""
    root = tmp_path_factory.mktemp("rendu") / "exemple"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    import os

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795000000")
    r = run_cli("-C", root, "advance", "--par", "Essai")
    assert r.exit_code == 0, r.output
    return root


EXTREME_TEXT = st.text(max_size=200).filter(lambda s: "\x00" not in s) | st.sampled_from(
    [
        "",
        " ",
        "[",
        "{{ 7*7 }}",
        "{% raw %}",
        "<script>alert(1)</script>",
        "*" * 500,
        "\u202e\u200b",
        "# titre\n---\n|a|b|",
    ]
)


@settings(
    max_examples=10, deadline=30_000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    auteur=EXTREME_TEXT,
    titre=EXTREME_TEXT,
    body=EXTREME_TEXT,
    date=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    population=st.integers(min_value=0, max_value=10**20),
    publication=st.booleans(),
)
def test_render_extreme_values(
    at_lancement: Path, auteur: str, titre: str, body: str, date: dt.date, population: int, publication: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "c"
        shutil.copytree(at_lancement, root, ignore=shutil.ignore_patterns(".ateliers-cache"))
        path = root / "contributions/C-0001.md"
        text = path.read_text(encoding="utf-8")
        fm, _, _ = text[4:].partition("\n---\n")
        data = yaml.safe_load(fm)
        data.update(auteur=auteur, titre=titre, date=date, publication=publication)
        path.write_text(f"---\n{dump(data)}---\n{body}\n", encoding="utf-8")
        consultation = (root / "consultation.yaml").read_text(encoding="utf-8")
        first = next(line for line in consultation.splitlines() if line.strip().startswith("population:"))
        (root / "consultation.yaml").write_text(
            consultation.replace(first, first.split(":")[0] + f": {population}", 1), encoding="utf-8"
        )
        for args in (("render", "--force"), ("site",), ("export",)):
            assert_clean_exit(run_cli("-C", root, *args))
