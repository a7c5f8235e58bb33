"""Security: what whoever edits the folder (or a citizen's text) writes stays data.

- a cache file planted in the folder is never unpickled;
- ids, file names, template names cannot lead a write or a read out of the folder;
- a consultation's templates run sandboxed: Python internals are refused with a French error;
- citizens' text cannot become markup or script in any HTML the tool writes;
- no CSV cell the tool writes can start a spreadsheet formula.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import pickle
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli

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
        for name in ("check.pickle", *(f"contributions-{shard:02d}.pickle" for shard in range(16))):
            (cache / name).write_bytes(payload)
        r = run_cli("-C", example, "check")
        assert r.exit_code == 0, r.output
        assert not marker.exists(), "un fichier du dossier a exécuté du code en étant lu"
    r = run_cli("-C", example, "check")  # and the cache the tool wrote itself is used again
    assert r.exit_code == 0 and not marker.exists()


# --- the consultation's templates run sandboxed -------------------------------------------------

AT_LANCEMENT = (
    "etape: lancement\nhistorique:\n  - de: appel\n    vers: lancement\n    date: 2026-03-01T09:30:00+01:00\n    par: "
    "Marie\n"
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
    root = make_tree(
        {"consultation.yaml": MINIMAL_CONSULTATION.replace("etape: appel\nhistorique: []\n", AT_LANCEMENT)}
    )
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
        "id;texte;commune;nom\n../../etc/passwd;Un texte;Lille;../../../x\n/etc/shadow;Un autre "
        "texte;../../../../tmp/evil;Nom\nC-0001;Un troisième, qui prend l'identifiant d'un fichier "
        "existant;Lille;Nom\n",
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
    atelier.write_text(
        atelier.read_text(encoding="utf-8").replace("id: lille-1", "id: ../../../../evil"), encoding="utf-8"
    )
    restitution = next((example / "restitutions").glob("*.yaml"))
    text = restitution.read_text(encoding="utf-8")
    restitution.write_text(text.replace(f"id: {restitution.stem}", "id: /tmp/evil-restitution"), encoding="utf-8")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 1
    assert (
        "« ../../../../evil » n'est pas valide" in r.output and "« /tmp/evil-restitution » n'est pas valide" in r.output
    )
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


# --- citizens' text stays text, in every HTML output and every CSV --------------------------------

VECTORS = [
    "<script>alert('XSS')</script>",
    "<img src=x onerror=alert('XSS')>",
    '"><svg onload=alert(\'XSS\')>',
    "<a href=\"javascript:alert('XSS')\">lien</a>",
    "[lien](javascript:alert('XSS'))",
    "[lien2](JaVaScRiPt:alert('XSS'))",
    "![image](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src='https://evil.example/'></iframe>",
    "<object data='x'></object><embed src='x'>",
    "<style>body{background:url('javascript:alert(1)')}</style>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    "<form action='javascript:alert(1)'><button>x</button></form>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert('XSS')<</script>/script>",
    "</textarea></title><script>alert('XSS')</script>",
    "<base href='https://evil.example/'><meta http-equiv='refresh' content='0;url=javascript:alert(1)'>",
    "{{ 7*7 }} {% raw %}",
]
#: Cell starts a spreadsheet reads as a formula (OWASP « CSV Injection »).
FORMULAS = ["=HYPERLINK(\"https://evil.example\";\"clic\") ", "+1+1 ", "-1+1 ", "@SUM(1+1) ", "\t=1+1 ", "\r=1+1 "]
TEXT_KEYS = {
    "titre", "description", "question", "lieu", "adresse", "animation", "reflexions", "public", "motif",
    "motif_annulation", "notes", "texte", "observations", "objet", "president", "rapporteur",
    "texte_amende", "nom", "conseil", "auteur", "organisation",
}
LIST_KEYS = {"mots_cles", "porteurs", "indicateurs"}
URL_KEYS = {"site", "url"}


class _Poisoner:
    """Every text value gets a formula in front and every HTML/Markdown attack behind."""

    def __init__(self) -> None:
        self.n = 0

    def text(self, value: str) -> str:
        self.n += 1
        # three vectors a field, in turn: every vector reaches every kind of field, in a
        # volume the PDF of the report still renders quickly
        chosen = [VECTORS[(3 * self.n + k) % len(VECTORS)] for k in range(3)]
        vectors = "\n\n".join(chosen) if "\n" in value else " ".join(chosen)
        return FORMULAS[self.n % len(FORMULAS)] + value + ("\n\n" if "\n" in value else " ") + vectors

    def walk(self, data: object) -> object:
        if isinstance(data, dict):
            for key, value in data.items():
                if key in TEXT_KEYS and isinstance(value, str) and value.strip():
                    data[key] = self.text(value)
                elif key in URL_KEYS and isinstance(value, str):
                    data[key] = "javascript:alert('XSS')"
                elif key in LIST_KEYS and isinstance(value, list):
                    data[key] = [*value, self.text("x")]
                else:
                    self.walk(value)
        elif isinstance(data, list):
            for item in data:
                self.walk(item)
        return data


#: A link of the web, not a script: allowed in Markdown, it must stay text in the names that are
#: plain text everywhere (the assembly, a commission, a workshop's title).
NAME_LINK = "[piège](https://evil.example/nom-simple)"


def poison(root: Path) -> None:
    import yaml

    p = _Poisoner()
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "consultation.yaml":
            data["collectivite"]["site"] = "javascript:alert('XSS')"
            data["collectivite"]["conseil"] += " " + NAME_LINK
            for commission in data["commissions"]:
                commission["nom"] += " " + NAME_LINK
        if path.parent.name == "ateliers":
            data["titre"] += " " + NAME_LINK
        path.write_text(yaml.safe_dump(p.walk(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    for path in sorted((root / "contributions").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, fm, body = text.split("---\n", 2)
        data = p.walk(yaml.safe_load(fm))
        body = p.text(body.rstrip("\n") + "\n")
        path.write_text(
            f"---\n{yaml.safe_dump(data, allow_unicode=True, sort_keys=False)}---\n{body}\n", encoding="utf-8"
        )


def _registrations(path: Path, ateliers: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, delimiter=";")
        w.writerow(["nom", "prenom", "courriel", "atelier", "autre besoin"])
        for i, atelier in enumerate(ateliers):
            f = FORMULAS[i % len(FORMULAS)]
            w.writerow(
                [
                    f"{f}<script>alert('XSS')</script>",
                    f"{f}<img src=x onerror=alert(1)>",
                    f"p{i}@example.org",
                    atelier,
                    f"{f}<b onmouseover=alert(1)>x</b>",
                ]
            )
    return path


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example, every text poisoned, walked through the seven stages; its site, its export."""
    tmp = tmp_path_factory.mktemp("poison")
    root = tmp / "c"
    shutil.copytree(
        Path(__file__).parent.parent / "exemple_consultation",
        root,
        ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"),
    )
    poison(root)
    ateliers_ids = sorted(p.stem for p in (root / "ateliers").glob("*.yaml"))
    with pytest.MonkeyPatch.context() as mp:  # the clock of conftest, for this module-wide setup
        mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
        mp.setenv("NO_COLOR", "1")
        for step in range(7):
            r = run_cli("-C", root, "advance", "--par", "<script>alert('XSS')</script>")
            assert r.exit_code == 0, r.output
            if step == 0:  # at « lancement »: registrations, with hostile names, and their attendance sheets
                imp = run_cli(
                    "-C",
                    root,
                    "inscriptions",
                    "import",
                    _registrations(tmp / "inscriptions.csv", ateliers_ids),
                    "--force",
                )
                assert imp.exit_code in (0, 1) and (root / "prive/inscriptions.csv").is_file(), (
                    imp.output
                )  # 1: a cancelled atelier
        export = tmp / "personnes.csv"
        with export.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(["id", "date", "texte", "commune", "nom", "prenom", "courriel", "adresse"])
            w.writerows(
                [
                    i,
                    "2025-10-01",
                    f"{x}texte {i}",
                    "Lille",
                    f"{x}Nom",
                    f"{x}Prénom",
                    f"{x.strip()}p{i}@example.org",
                    f"{x}rue",
                ]
                for i, x in enumerate(FORMULAS)
            )
        r = run_cli("-C", root, "contributions", "import", export)
        assert r.exit_code == 0, r.output
        for args in (("site",), ("export",)):
            r = run_cli("-C", root, *args)
            assert r.exit_code == 0, r.output
    yield root


class _HtmlAudit(html.parser.HTMLParser):
    FORBIDDEN = frozenset({"iframe", "object", "embed", "base", "frame", "frameset", "applet"})
    URL_ATTRS = frozenset(
        {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.FORBIDDEN:
            self.problems.append(f"élément <{tag}>")
        if tag == "style":
            self.in_style = True
        if tag == "script":
            self.in_script = True
            src = dict(attrs).get("src") or ""
            if not src or ":" in src or not src.endswith("recherche.js"):  # our one script: a file of the site
                self.problems.append(f"<script src={src!r}>")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            value = value or ""
            squeezed = "".join(ch for ch in value if ch > " ").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in self.URL_ATTRS and squeezed.startswith(("javascript:", "vbscript:", "data:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and ("javascript:" in squeezed or "expression(" in squeezed):
                self.problems.append(f"<{tag} style={value!r}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append("script en ligne")
        squeezed = "".join(ch for ch in data if ch > " ").lower()
        if self.in_style and ("javascript:" in squeezed or "expression(" in squeezed):
            self.problems.append("<style> avec javascript:")


def test_no_markup_or_script_from_citizens_in_any_html(poisoned: Path) -> None:
    pages = [p for p in poisoned.rglob("*.html") if ".ateliers-cache" not in p.parts]
    kinds = {p.relative_to(poisoned).parts[0] for p in pages}
    assert {"documents", "prive", "site"} <= kinds, kinds  # documents, attendance sheets, site
    assert any("emargement" in p.parts for p in pages)
    texts = 0
    for page in pages:
        content = page.read_text(encoding="utf-8")
        audit = _HtmlAudit()
        audit.feed(content)
        audit.close()
        assert audit.problems == [], f"{page.relative_to(poisoned)} : {audit.problems[:5]}"
        texts += content.count("alert(")
    assert texts > 100  # the attacks are there, as text


def test_plain_text_names_never_become_links(poisoned: Path) -> None:
    """« [piège](https://…) » in the assembly's name, a commission's, a workshop's title: shown as
    written in every document (Markdown escaped; no link in HTML, ODT, DOCX), on the site too."""
    documents = [p for p in (poisoned / "documents").rglob("*") if p.is_file()]
    kinds = {p.suffix for p in documents}
    assert {".md", ".html", ".odt", ".docx"} <= kinds, kinds
    seen = 0
    for path in documents + [p for p in (poisoned / "site").rglob("*.html")]:
        if path.suffix in (".odt", ".docx"):
            with zipfile.ZipFile(path) as z:
                text = "".join(
                    z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels"))
                )
        elif path.suffix in (".md", ".html"):
            text = path.read_text(encoding="utf-8")
        else:
            continue
        if path.suffix == ".md":
            assert NAME_LINK not in text.replace("\\[piège\\](https://evil.example/nom-simple)", ""), path
        if path.suffix == ".html":
            assert 'href="https://evil.example' not in text, path
        if path.suffix in (".odt", ".docx"):
            assert 'href="https://evil.example' not in text and 'Target="https://evil.example' not in text, path
        seen += "nom-simple" in text
    assert seen > 20  # the names are in the documents, as text


def test_search_index_is_data(poisoned: Path) -> None:
    index = (poisoned / "site/contributions/recherche.js").read_text(encoding="utf-8")
    assert index.startswith("ateliersRecherche(") and index.rstrip().endswith(");")
    entries, numbers = json.loads("[" + index.strip()[len("ateliersRecherche(") : -2] + "]")
    assert all(isinstance(n, str) for n in numbers)  # the numbers of the unpublished ones, nothing else
    assert entries and any("<script>" in (e.get("extrait") or "") + (e.get("titre") or "") for e in entries)


def _csv_cells(path: Path) -> Iterator[tuple[int, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ","), key=first.count)
    for line, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        for cell in row:
            yield line, cell


NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def test_no_csv_cell_starts_a_formula(poisoned: Path) -> None:
    files = sorted(p for p in [*poisoned.glob("export/**/*.csv"), *poisoned.glob("prive/**/*.csv")])
    names = {p.relative_to(poisoned).as_posix() for p in files}
    assert {"prive/contributeurs.csv", "prive/inscriptions.csv"} <= names and any(
        n.startswith("export/") for n in names
    ), names
    defused = 0
    for path in files:
        for line, cell in _csv_cells(path):
            assert not (cell[:1] in "=+-@\t\r\uff1d\uff0b\uff0d\uff20" and cell and not NUMBER.match(cell)), (
                f"{path.relative_to(poisoned)}:{line} : {cell[:40]!r}"
            )
            defused += cell[:2] in ("'=", "'+", "'-", "'@")
    assert defused > 10  # the formulas are there, as text


def test_the_audit_sees_the_attacks() -> None:
    """The HTML audit above is not blind: raw, every vector is caught."""
    for vector in [v for v in VECTORS if "<" in v and "script>/script" not in v and "{{" not in v]:
        audit = _HtmlAudit()
        audit.feed(vector)
        audit.close()
        assert audit.problems, vector


def test_mapping_file_values_and_paths(make_tree, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A mapping's defaults and values are data, checked like any cell; a bad --mapping path is refused."""
    root = make_tree({})
    export = tmp_path / "export.csv"
    export.write_text("texte;commune\nUn texte;Lille\n", encoding="utf-8")
    mapping = tmp_path / "correspondance.yaml"
    mapping.write_text(
        "colonnes:\n  texte: texte\ndefauts:\n  territoire: ../../../etc/passwd\n  canal: ../x\n"
        "valeurs:\n  profil:\n    \"../..\": /etc\n",
        encoding="utf-8",
    )
    outside = _outside_files(tmp_path, root)
    r = run_cli("-C", root, "contributions", "import", export, "--mapping", mapping)
    assert r.exit_code == 1 and "canal « ../x » inconnu" in r.output, r.output
    for bad in ("/dev/zero", str(tmp_path), "/etc/passwd"):  # a device, a folder, not a mapping
        r = run_cli("-C", root, "contributions", "import", export, "--mapping", bad)
        assert r.exit_code == 1 and r.output.startswith("Erreur : "), r.output
    assert _outside_files(tmp_path, root) == outside
    assert sorted(p.name for p in (root / "contributions").iterdir()) == ["C-0001.md"]
