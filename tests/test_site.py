"""``ateliers site``: the public website, as a citizen's browser meets it.

The whole process is run on the example (``ateliers demo``), then the site is built and
read back: every page kind is there, every internal link resolves, nothing private or
unconsented is published, hostile text stays text (checked in the HTML, then in a real
headless Chromium), and axe-core finds no WCAG 2.1 A/AA violation on any page kind.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from ateliers_cli.load import load
from ateliers_cli.site import MARKER, build_site, plan_site
from tests.conftest import EXAMPLE, run_cli

EPOCH = "1795000000"  # 2026-11-18, as the autouse clock fixture of conftest.py
PRIVATE_NAME = "Hortense Zyzzyva"
PRIVATE_MAIL = "hortense.zyzzyva@example.org"

# One page of each kind (the contribution pages: one consented, one not).
PAGE_KINDS = {
    "accueil": "index.html",
    "themes": "themes/index.html",
    "theme": "themes/isolement.html",
    "calendrier": "calendrier.html",
    "atelier": "ateliers/lille-1.html",
    "contributions": "contributions/index.html",
    "contribution publiée": "contributions/C-0001.html",
    "contribution non publiée": "contributions/C-0007.html",
    "contributions par numéro": "contributions/numeros.html",
    "contributions d'un territoire": "contributions/territoires/lille.html",
    "contributions d'un thème": "contributions/themes/isolement.html",
    "communes et territoires": "devenir/communes.html",
    "devenir": "devenir/index.html",
    "devenir d'un territoire": "devenir/lille.html",
    "documents": "documents/index.html",
    "document": "documents/5-rapport/rapport-orientations.html",
    "politique adoptée": "politique.html",
    "statistiques": "statistiques.html",
    "données ouvertes": "donnees.html",
    "mentions légales": "mentions-legales.html",
    "accessibilité": "accessibilite.html",
    "plan du site": "plan-du-site.html",
}

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[x](javascript:window.__pwned=1)",
    "<svg onload=window.__pwned=1>",
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    '"><script>window.__pwned=1</script>',
    "<a href=\"data:text/html,<script>window.__pwned=1</script>\">y</a>",
]
HOSTILE_TEXT = "\n\n".join(HOSTILE)
HOSTILE_LINE = " ".join(HOSTILE)


# ---------------------------------------------------------------------------
# Fixtures: the example after the whole process, and a hostile copy
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _clock() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        mp.setenv("NO_COLOR", "1")
        yield


def _set_front_matter(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    lines = [ln for ln in head.split("\n") if not ln.startswith(f"{key}:")]
    lines.append(f"{key}: {value}")
    path.write_text("---\n" + "\n".join(lines) + sep + body, encoding="utf-8")


@pytest.fixture(scope="session")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example walked through the seven stages by ``ateliers demo``, with private files, then its site."""
    from ateliers_cli.demo import run_demo

    root = tmp_path_factory.mktemp("site") / "demo"
    with _clock():
        run_demo(root)
        prive = root / "prive"
        prive.mkdir(exist_ok=True)
        (prive / "contributeurs.csv").write_text(
            f"id;nom;prenom;courriel\nC-0001;Zyzzyva;Hortense;{PRIVATE_MAIL}\n", encoding="utf-8"
        )
        (prive / "note.html").write_text(f"<p>{PRIVATE_NAME}</p>", encoding="utf-8")
        # C-0002 consented, then its author asked for erasure: the identity is gone, the text stays.
        _set_front_matter(root / "contributions" / "C-0002.md", "efface", "2026-11-02")
        build_site(load(root), root / "site")
    return root


@pytest.fixture(scope="session")
def site(closed: Path) -> Path:
    return closed / "site"


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML strings


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed copy of the example whose public texts are hostile; no documents/ (built in memory)."""
    root = tmp_path_factory.mktemp("hostile") / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    cy = root / "consultation.yaml"
    cy.write_text(cy.read_text(encoding="utf-8").replace("etape: appel", "etape: cloturee"), encoding="utf-8")
    ct = root / "contributions" / "C-0001.md"
    _set_front_matter(ct, "auteur", _yaml_str(HOSTILE_LINE))
    _set_front_matter(ct, "titre", _yaml_str(HOSTILE_LINE))
    text = ct.read_text(encoding="utf-8")
    ct.write_text(text + "\n" + HOSTILE_TEXT + "\n", encoding="utf-8")
    themes = root / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace(
            "titre: Rompre l'isolement des personnes âgées", "titre: " + _yaml_str("Isolement " + HOSTILE_LINE), 1
        ),
        encoding="utf-8",
    )
    atelier = root / "ateliers" / "lille-1.yaml"
    atelier.write_text(
        atelier.read_text(encoding="utf-8").replace(
            "        description: |\n          Généraliser",
            "        description: |\n" + "".join(f"          {h}\n\n" for h in HOSTILE) + "          Généraliser",
            1,
        ),
        encoding="utf-8",
    )
    orientations = root / "orientations.yaml"
    orientations.write_text(
        orientations.read_text(encoding="utf-8").replace(
            "    texte: |\n      Le Département soutiendra",
            "    texte: |\n" + "".join(f"      {h}\n\n" for h in HOSTILE) + "      Le Département soutiendra",
            1,
        ),
        encoding="utf-8",
    )
    with _clock():
        loaded = load(root)
        assert not [d for d in loaded.diagnostics if d.is_error], loaded.diagnostics
        build_site(loaded, root / "site")
    return root / "site"


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ---------------------------------------------------------------------------
# What is there
# ---------------------------------------------------------------------------


def test_every_page_kind_exists(site: Path) -> None:
    for kind, rel in PAGE_KINDS.items():
        assert (site / rel).is_file(), f"page « {kind} » absente : {rel}"
    assert (site / "assets" / "site.css").is_file()
    assert (site / "assets" / "recherche.js").is_file()
    assert (site / "contributions" / "recherche.js").is_file()
    assert (site / MARKER).is_file()
    c = load(site.parent).consultation
    for cid in c.contributions:  # a page for every contribution, consented or not
        assert (site / "contributions" / f"{cid}.html").is_file(), cid
    for tid in c.themes:
        assert (site / "themes" / f"{tid}.html").is_file()
    for aid in c.ateliers:
        assert (site / "ateliers" / f"{aid}.html").is_file()
    # Every public document of documents/ is a page; the office versions are copied; nothing of prive/.
    for doc in (site.parent / "documents").rglob("*"):
        if doc.suffix in (".html", ".pdf", ".odt", ".docx"):
            assert (site / doc.relative_to(site.parent)).is_file(), doc
    assert not any("emargement" in p.as_posix() or "prive" in p.parts for p in site.rglob("*"))


def test_pages_say_what_they_must(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home
    assert 'href="#contenu"' in home and 'id="contenu"' in home
    assert home.count('class="frise-franchie"') == 7  # closed: the seven stages are behind it
    politique = (site / "politique.html").read_text(encoding="utf-8")
    assert "La politique adoptée" in politique and 'id="O-01"' in politique
    stats = (site / "statistiques.html").read_text(encoding="utf-8")
    assert stats.count("<svg") == stats.count("<table") > 3  # every chart has its data table
    legal = (site / "mentions-legales.html").read_text(encoding="utf-8")
    assert "Département du Nord" in legal and "effacement" in legal and "CNIL" in legal
    a11y = (site / "accessibilite.html").read_text(encoding="utf-8")
    for heading in ("État de conformité", "Résultats des tests", "Contenus non accessibles",
                    "Établissement de cette déclaration", "Retour d’information et contact", "Voies de recours"):
        assert heading in a11y, heading
    assert "Défenseur des droits" in a11y and "18 novembre 2026" in a11y


def test_every_internal_link_resolves(site: Path) -> None:
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = set(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))
        return ids[path]

    broken = []
    for page in _html_files(site):
        collector = _Links()
        collector.feed(page.read_text(encoding="utf-8"))
        for url in collector.urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto", "tel"):
                continue
            assert not parts.scheme, f"{page.relative_to(site)} : lien « {url} »"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{page.relative_to(site)} → {url}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in anchors(target):
                broken.append(f"{page.relative_to(site)} → {url} (ancre absente)")
    assert not broken, "\n".join(broken[:30])


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)


def _all_text(site: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".js", ".css", ".csv", ".json", ".md", ".txt")
    )


def test_nothing_private_nor_unconsented_is_published(closed: Path, site: Path) -> None:
    everything = _all_text(site)
    assert PRIVATE_NAME not in everything and PRIVATE_MAIL not in everything and "Zyzzyva" not in everything
    c = load(closed).consultation
    refused = [ct for ct in c.contributions.values() if not ct.publication]
    assert refused
    consented_texts = "\n".join(ct.texte for ct in c.contributions.values() if ct.publication)
    checked = 0
    for ct in refused:
        # A sentence of its text (unless a consented one says the same: campaigns copy-paste) appears nowhere.
        sentence = max(re.split(r"(?<=[.!?])\s+", ct.texte.strip()), key=len)[:60]
        if sentence not in consented_texts:
            assert sentence not in everything, (ct.id, sentence)
            checked += 1
        # Its page shows the chain only.
        page = (site / "contributions" / f"{ct.id}.html").read_text(encoding="utf-8")
        assert "n’a pas donné son accord" in page
        assert ct.auteur not in page
    assert checked > 10
    consented = c.contributions["C-0001"]
    assert consented.texte.strip().split(".")[0] in (site / "contributions" / "C-0001.html").read_text(
        encoding="utf-8"
    ).replace("’", "'")


def test_an_erased_identity_is_never_shown(closed: Path, site: Path) -> None:
    """As in the open data: the author reads « Contribution anonymisée », the text is no longer published."""
    ct = load(closed).consultation.contributions["C-0002"]
    assert ct.efface is not None and ct.auteur and ct.publication
    page = (site / "contributions" / "C-0002.html").read_text(encoding="utf-8")
    assert "Contribution anonymisée" in page and "effacement de son identité" in page
    sentence = max(re.split(r"(?<=[.!?])\s+", ct.texte.strip()), key=len)[:60]
    for rel in ("contributions/C-0002.html", "contributions/index.html", "contributions/recherche.js"):
        text = (site / rel).read_text(encoding="utf-8")
        assert ct.auteur not in text and sentence not in text, rel
    # not among the published entries of the search; its number alone finds its page (its outcome)
    script = (site / "contributions" / "recherche.js").read_text(encoding="utf-8")
    entries, numbers = json.loads("[" + script[len("ateliersRecherche(") : -len(");\n")] + "]")
    assert "C-0002" not in {e["id"] for e in entries} and "C-0002" in numbers


def test_the_same_consultation_gives_the_same_site(closed: Path, site: Path) -> None:
    with _clock():
        files = plan_site(load(closed).consultation)
    on_disk = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert files == on_disk


def test_a_stage_publishes_only_what_it_has_produced(example: Path) -> None:
    """At the call for contributions, the workshops' drafts and the orientations stay unpublished."""
    build_site(load(example), example / "site")
    everything = _all_text(example / "site")
    assert "P-LIL1-01" not in everything and "Faire de chaque commune" not in everything
    assert "La politique en préparation" in (example / "site" / "politique.html").read_text(encoding="utf-8")
    assert not (example / "site" / "documents" / "1-appel").exists()


# ---------------------------------------------------------------------------
# Hostile text stays text
# ---------------------------------------------------------------------------


class _Dangers(HTMLParser):
    """Everything that could run: scripts (but ours), frames, handlers, javascript:/data: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.endswith("assets/recherche.js"):
                self.found.append(f"<script {attrs}>")
        if tag in ("iframe", "frame", "object", "embed", "base", "form") and not (
            tag == "form" and ("class", "recherche") in attrs
        ):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            compact = re.sub(r"[\x00-\x20\x7f]+", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and compact.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"<{tag} {name}={value}>")


def test_hostile_markup_never_survives(hostile: Path) -> None:
    pages = _html_files(hostile)
    assert len(pages) > 150
    for page in pages:
        parser = _Dangers()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not parser.found, f"{page.relative_to(hostile)} : {parser.found}"
    # … and it is shown as the text it is, where it was written.
    contribution = (hostile / "contributions" / "C-0001.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in contribution
    assert "javascript:window.__pwned" in contribution  # as text, never as a link
    for rel in ("themes/isolement.html", "ateliers/lille-1.html", "politique.html"):
        assert "&lt;script&gt;" in (hostile / rel).read_text(encoding="utf-8"), rel
    index = (hostile / "contributions" / "recherche.js").read_text(encoding="utf-8")
    assert "<" not in index  # escaped in the search data too


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def test_site_command(example: Path) -> None:
    r = run_cli("-C", example, "site")
    assert r.exit_code == 0, r.output
    assert "Site écrit dans site/" in r.stdout
    assert (example / "site" / "index.html").is_file()
    r = run_cli("-C", example, "site", "--out", "public")
    assert r.exit_code == 0, r.output
    assert (example / "public" / "index.html").is_file()


def test_site_refuses_to_replace_a_foreign_folder(example: Path) -> None:
    foreign = example / "autre"
    foreign.mkdir()
    (foreign / "important.txt").write_text("à garder", encoding="utf-8")
    r = run_cli("-C", example, "site", "--out", "autre")
    assert r.exit_code == 1
    assert "n'a pas la liste des fichiers qu'ateliers y a écrits" in r.stderr
    assert (foreign / "important.txt").read_text(encoding="utf-8") == "à garder"
    r = run_cli("-C", example, "site", "--out", ".")
    assert r.exit_code == 1 and "contient la consultation" in r.stderr
    r = run_cli("-C", example, "site", "--out", "contributions/x")
    assert r.exit_code == 1 and "contributions/" in r.stderr


def test_site_refuses_a_consultation_with_errors(example: Path) -> None:
    ct = example / "contributions" / "C-0003.md"
    ct.write_text(ct.read_text(encoding="utf-8") + "\nÉcrivez-moi : jean.dupont@example.org\n", encoding="utf-8")
    r = run_cli("-C", example, "site")
    assert r.exit_code == 1
    assert "le site n'est pas publié" in r.stderr and "C-0003.md" in r.stderr
    assert not (example / "site").exists()


def test_a_failed_build_leaves_the_previous_site_whole(example: Path) -> None:
    assert run_cli("-C", example, "site").exit_code == 0
    before = {p: p.read_bytes() for p in (example / "site").rglob("*") if p.is_file()}
    broken = example / "templates" / "site" / "accueil.html.j2"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        '{% extends "default:site/accueil.html.j2" %}{% block contenu %}{{ inconnue }}{% endblock %}', encoding="utf-8"
    )
    r = run_cli("-C", example, "site")
    assert r.exit_code == 1
    assert "templates/site/accueil.html.j2" in r.stderr and "inconnue" in r.stderr
    after = {p: p.read_bytes() for p in (example / "site").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in example.iterdir() if p.name.startswith(".site.")] == []


def test_a_consultation_template_overrides_a_site_page(example: Path) -> None:
    override = example / "templates" / "site" / "mentions-legales.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "default:site/mentions-legales.html.j2" %}{% block contenu %}{{ super() }}'
        "<h2>Hébergement, précisément</h2><p>Hébergeur : Exemple SAS, 1 rue de l’Exemple, Lille.</p>{% endblock %}",
        encoding="utf-8",
    )
    assert run_cli("-C", example, "site").exit_code == 0
    assert "Exemple SAS" in (example / "site" / "mentions-legales.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# In a real browser: headless Chromium, axe-core
# ---------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _playwright():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright n'est pas installé (pip install '.[test]')")
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Chromium est absent : apt-get install chromium")
    return sync_playwright


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _browser(profile: Path, *, javascript: bool = True) -> Iterator[object]:
    sync_playwright = _playwright()
    executable = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_ARGS, headless=True, java_script_enabled=javascript
        )
        try:
            yield context
        finally:
            context.close()


def _axe_source() -> str:
    try:
        import axe_playwright_python
    except ImportError:
        pytest.skip("axe-playwright-python n'est pas installé (pip install '.[test]')")
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _axe(page: object, source: str) -> list[dict[str, object]]:
    page.evaluate(source)  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: "
        "['violations']})"
    )
    return list(result["violations"])


def _describe(url: str, violations: list[dict[str, object]]) -> str:
    lines = [url]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']} : {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:  # type: ignore[index]
            lines.append(f"      {node['target']} — {node['html'][:160]}")  # type: ignore[index]
            summary = str(node.get("failureSummary") or "").replace("\n", " ")  # type: ignore[union-attr]
            lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def test_axe_finds_no_violation_on_any_page_kind(site: Path, tmp_path: Path) -> None:
    source = _axe_source()
    # Every page kind, and every document page (their bodies differ: charts, tables, quotations).
    pages = sorted(
        set(PAGE_KINDS.values()) | {p.relative_to(site).as_posix() for p in (site / "documents").rglob("*.html")}
    )
    failures = []
    with _served(site) as base, _browser(tmp_path / "profil") as context:
        page = context.new_page()  # type: ignore[attr-defined]
        for rel in pages:
            page.goto(base + rel)
            violations = _axe(page, source)
            if violations:
                failures.append(_describe(rel, violations))
        # The list with the search enhancement at work.
        page.goto(base + "contributions/index.html")
        page.fill("#recherche-texte", "isolement")
        page.wait_for_selector("#recherche-resultats li")
        violations = _axe(page, source)
        if violations:
            failures.append(_describe("contributions/index.html (recherche)", violations))
    assert not failures, "axe-core :\n" + "\n".join(failures)


_SMALL_CHART_TEXT = """Array.from(document.querySelectorAll('svg text')).filter(t => {
  const scale = t.ownerSVGElement.getScreenCTM().a;
  return parseFloat(getComputedStyle(t).fontSize) * scale < 12;
}).map(t => t.textContent)"""


def test_every_page_kind_reads_on_a_390_px_screen(site: Path, tmp_path: Path) -> None:
    """At 390 px (a phone): no page scrolls sideways as a whole (tables and charts scroll in
    their own area), no chart text under 12 px, and axe finds nothing."""
    source = _axe_source()
    pages = sorted(
        set(PAGE_KINDS.values()) | {p.relative_to(site).as_posix() for p in (site / "documents").rglob("*.html")}
    )
    failures = []
    with _served(site) as base, _browser(tmp_path / "profil") as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.set_viewport_size({"width": 390, "height": 844})
        for rel in pages:
            page.goto(base + rel)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                failures.append(f"{rel} : la page défile sur le côté ({width} px de large)")
            small = page.evaluate(_SMALL_CHART_TEXT)
            if small:
                failures.append(f"{rel} : {len(small)} textes de graphique sous 12 px ({small[0]!r}…)")
            violations = _axe(page, source)
            if violations:
                failures.append(_describe(rel, violations))
        # the menu is one line: the first content comes right after it
        page.goto(base + "index.html")
        menu = page.locator(".navigation ul").bounding_box()
        assert menu is not None and menu["height"] < 60, menu
        # the vote: every figure in view, none hidden in a sideways scroll
        page.goto(base + "politique.html")
        for cell in page.locator("table.vote td").all():
            box = cell.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390, box
    assert not failures, "\n".join(failures)


def test_hostile_text_never_runs_in_the_browser(hostile: Path, tmp_path: Path) -> None:
    dialogs: list[str] = []
    with _served(hostile) as base, _browser(tmp_path / "profil") as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in sorted(set(PAGE_KINDS.values())):
            page.goto(base + rel)
            page.wait_for_load_state("load")
            assert page.evaluate("typeof window.__pwned") == "undefined", rel
        # The search renders the hostile title and author from its data: still text.
        page.goto(base + "contributions/index.html")
        page.fill("#recherche-texte", "pwned")
        page.wait_for_selector("#recherche-resultats li")
        assert "<script>" in page.inner_text("#recherche-resultats")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        # The hostile contribution's page: the text is there, shown as text.
        page.goto(base + "contributions/C-0001.html")
        assert "window.__pwned=1" in page.inner_text("main")
        assert page.evaluate("document.querySelectorAll('main script, main iframe, main img, main svg').length") == 0
    assert dialogs == []


def test_an_unpublished_contribution_is_found_by_its_number(site: Path, tmp_path: Path) -> None:
    """The one person who needs that page: the author of C-0007, whose text is not published."""
    assert "publication: false" in (site.parent / "contributions" / "C-0007.md").read_text(encoding="utf-8")
    with _served(site) as base, _browser(tmp_path / "profil") as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto(base + "contributions/index.html")
        for typed in ("C-0007", "c0007", "C 7"):
            page.fill("#recherche-texte", typed)
            page.wait_for_selector("#recherche-resultats li")
            assert "Aucune contribution" not in page.inner_text("#recherche-etat"), typed
            assert page.locator("#recherche-resultats li").first.inner_text().startswith("Contribution C-0007"), typed
        page.locator("#recherche-resultats li a").first.click()
        page.wait_for_url("**/contributions/C-0007.html")
        main = page.inner_text("main")
        assert "Ce qu’elle est devenue" in main and "n’a pas donné son accord" in main
        texte = (site.parent / "contributions" / "C-0007.md").read_text(encoding="utf-8").split("---", 2)[2].strip()
        assert texte.splitlines()[-1][:40] not in main  # its outcome, not its text
    with _browser(tmp_path / "profil-sans-js", javascript=False) as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto((site / "contributions" / "index.html").as_uri())
        page.get_by_role("link", name="Retrouvez votre contribution par son numéro").click()
        page.get_by_role("link", name="C-0007", exact=True).click()
        assert page.locator("h1").inner_text() == "Contribution C-0007"


def test_a_commune_leads_to_its_territory_and_a_closed_consultation_says_what_was_decided(site: Path) -> None:
    communes = (site / "devenir" / "communes.html").read_text(encoding="utf-8")
    row = re.search(r"<th scope=\"row\">Landrecies</th><td><a href=\"../devenir/([a-z-]+).html\">([^<]+)</a>", communes)
    assert row and row.groups() == ("avesnes-sur-helpe", "Avesnes-sur-Helpe")
    # alphabetical as a reader expects: « Râches » with the R's, before « Roubaix »
    assert communes.index(">Anzin<") < communes.index(">Arleux<") < communes.index(">Armentières<")
    assert communes.index(">Râches<") < communes.index(">Roubaix<")
    home = (site / "index.html").read_text(encoding="utf-8")
    decided = home.split('id="decide"', 1)[1].split("</section>", 1)[0]
    assert (
        "8 orientations adoptées (dont 2 avec des amendements), 1 non retenue, sur 9 orientations proposées" in decided
    )
    assert "Rapprocher les soins des habitants</a>\u00a0: <strong>non retenue</strong>" in decided
    assert home.index('id="decide"') < home.index('id="ou-en-est"')  # first thing after the presentation
    documents = (site / "documents" / "index.html").read_text(encoding="utf-8")
    key = documents.split('id="essentiels"', 1)[1].split("</section>", 1)[0]
    assert key.index("La politique adoptée") < key.index("Délibération") < key.index("Rapport d’orientations")


def test_open_data_legal_notices_and_identity_come_from_the_settings(site: Path) -> None:
    import json as _json

    donnees = (site / "donnees.html").read_text(encoding="utf-8")
    assert "Licence Ouverte / Open Licence version 2.0" in donnees and "Mise à jour\u00a0: " in donnees
    section = donnees.split('id="jeu-contributions"', 1)[1].split("</section>", 1)[0]
    assert "Une ligne par contribution reçue" in section and "contributions.csv" in section
    assert '<link rel="alternate" type="application/ld+json" href="donnees/catalogue.jsonld">' in donnees
    ld = _json.loads((site / "donnees" / "catalogue.jsonld").read_text(encoding="utf-8"))
    assert ld["@type"] == "dcat:Catalog" and ld["dct:publisher"]["foaf:name"] == "Département du Nord"
    assert len(ld["dcat:dataset"]) >= 10
    mentions = (site / "mentions-legales.html").read_text(encoding="utf-8")
    for expected in (
        "Jean-Pierre Vandewalle",
        "Hébergeur\u00a0: Département du Nord",
        "Téléphone\u00a0: 03 59 73 59 59",
        "Délégué à la protection des données",
    ):
        assert expected in mentions, expected
    assert ":root { --bleu: #00205b; }" in (site / "assets" / "identite.css").read_text(encoding="utf-8")
    assert (site / "assets" / "logo.svg").is_file()
    assert '<img src="assets/logo.svg" alt="Département du Nord"' in (site / "index.html").read_text(encoding="utf-8")
    politique = (site / "politique.html").read_text(encoding="utf-8")
    assert "En bref, facile à lire" in politique and "Les aidants pourront prendre des jours de repos." in politique


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser, about its own internals
def test_the_open_data_catalogue_is_dcat_and_the_page_schema_org(site: Path) -> None:
    """Read as a data portal reads them, as RDF: ``donnees/catalogue.jsonld`` is a DCAT catalogue
    (each dcat:Dataset with dct:title, dct:license, dct:issued ≤ dct:modified, its
    dcat:distribution with a dcat:downloadURL that exists, its dcat:mediaType and size); the
    open-data page carries the same data sets as schema.org Dataset, whose files exist."""
    import datetime as _dt

    rdflib = pytest.importorskip("rdflib", reason="rdflib n'est pas installé (pip install '.[test]')")
    from rdflib.namespace import DCAT, DCTERMS, RDF

    path = site / "donnees" / "catalogue.jsonld"
    g = rdflib.Graph().parse(data=path.read_text(encoding="utf-8"), format="json-ld", publicID=path.as_uri())
    catalogues = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    datasets = list(g.objects(catalogues[0], DCAT.dataset))
    assert len(datasets) >= 10 and set(datasets) == set(g.subjects(RDF.type, DCAT.Dataset))
    titles = set()
    for ds in datasets:
        titles.add(str(g.value(ds, DCTERMS.title)))
        assert g.value(ds, DCTERMS.description) is not None
        assert str(g.value(ds, DCTERMS.license)) == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
        issued, modified = g.value(ds, DCTERMS.issued).toPython(), g.value(ds, DCTERMS.modified).toPython()
        assert isinstance(issued, _dt.date) and issued <= modified
        publisher = g.value(ds, DCTERMS.publisher)
        assert str(g.value(publisher, rdflib.URIRef("http://xmlns.com/foaf/0.1/name"))) == "Département du Nord"
        distributions = list(g.objects(ds, DCAT.distribution))
        assert distributions, ds
        for dist in distributions:
            assert (g.value(dist, RDF.type)) == DCAT.Distribution
            url = str(g.value(dist, DCAT.downloadURL))
            assert url.startswith((site / "donnees").as_uri() + "/"), url
            local = site / "donnees" / url.rsplit("/", 1)[1]
            assert local.is_file(), url
            assert int(g.value(dist, DCAT.byteSize)) == local.stat().st_size
            media = str(g.value(dist, DCAT.mediaType))
            expected = {".csv": "text/csv", ".json": "application/json", ".md": "text/markdown"}[local.suffix]
            assert media == "https://www.iana.org/assignments/media-types/" + expected
    assert "Les contributions" in titles
    # the page: schema.org microdata (no script), read as a search engine does
    catalog = _microdata((site / "donnees.html").read_text(encoding="utf-8"))
    assert [item["type"] for item in catalog] == ["https://schema.org/DataCatalog"]
    found = catalog[0]["props"]["dataset"]
    assert len(found) == len(datasets)
    for ds in found:
        props = ds["props"]
        assert ds["type"] == "https://schema.org/Dataset" and props["name"] and props["description"]
        assert props["license"] == ["https://www.etalab.gouv.fr/licence-ouverte-open-licence/"]
        assert props["datePublished"][0] <= props["dateModified"][0]
        assert props["creator"][0]["props"]["name"] == ["Département du Nord"]
        for dist in props["distribution"]:
            assert dist["type"] == "https://schema.org/DataDownload"
            url = dist["props"]["contentUrl"][0]
            assert (site / url).is_file(), url
            assert dist["props"]["encodingFormat"][0] in ("text/csv", "application/json", "text/markdown")


def _microdata(html: str) -> list[dict[str, Any]]:
    """The top-level microdata items of a page: ``{"type", "props": {name: [value or item]}}``;
    a value is the ``content`` of a ``meta``, the ``href`` of an ``a``/``link``, the ``datetime``
    of a ``time``, else the element's text (HTML's microdata rules, for what our pages use)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.top: list[dict[str, Any]] = []
            self.stack: list[tuple[str, dict[str, Any] | None, str | None, list[str] | None]] = []

        def _scope(self) -> dict[str, Any] | None:
            return next((item for _, item, _, _ in reversed(self.stack) if item is not None), None)

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            prop, parent = a.get("itemprop"), self._scope()
            item = {"type": a.get("itemtype"), "props": {}} if "itemscope" in a else None
            if item is not None and prop and parent is not None:
                parent["props"].setdefault(prop, []).append(item)
            elif item is not None:
                self.top.append(item)
            elif prop and parent is not None:
                value = a.get("content") or a.get("href") or a.get("datetime")
                if value is not None or tag in self.VOID:
                    parent["props"].setdefault(prop, []).append(value or "")
                    prop = None
            if tag in self.VOID:
                return
            self.stack.append((tag, item, prop if item is None else None, [] if prop and item is None else None))

        def handle_data(self, data: str) -> None:
            for _, _, _, text in self.stack:
                if text is not None:
                    text.append(data)

        def handle_endtag(self, tag: str) -> None:
            while self.stack:
                name, _item, prop, text = self.stack.pop()
                if prop and text is not None:
                    scope = self._scope()
                    if scope is not None:
                        scope["props"].setdefault(prop, []).append("".join(text).strip())
                if name == tag:
                    break

    reader = Reader()
    reader.feed(html)
    return reader.top


def test_the_site_s_own_words_follow_french_typography(site: Path) -> None:
    """No ordinary space before « : ; ! ? » nor inside « », no straight apostrophe, in the words
    the templates write (citizens' texts are published as written, and are not looked at)."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.chunks: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style") or ("class", "texte-citoyen") in attrs or tag == "blockquote":
                self.skip += 1

        def handle_endtag(self, tag: str) -> None:
            if self.skip and tag in ("script", "style", "div", "blockquote"):
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.chunks.append(data)

    pages = ["index.html", "politique.html", "mentions-legales.html", "accessibilite.html", "donnees.html",
             "devenir/communes.html", "contributions/C-0007.html", "calendrier.html", "documents/index.html"]
    for rel in pages:
        parser = Text()
        parser.feed((site / rel).read_text(encoding="utf-8"))
        text = "".join(parser.chunks)
        assert not re.search(r" [:;!?](\s|$)", text), (rel, re.search(r".{30} [:;!?](\s|$)", text))
        assert "« " not in text and " »" not in text, rel


def test_without_javascript_the_list_is_all_there(site: Path, tmp_path: Path) -> None:
    with _browser(tmp_path / "profil", javascript=False) as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto((site / "contributions" / "index.html").as_uri())  # straight from disk
        items = page.locator("#liste-complete ol.contributions > li")
        assert items.count() > 100
        assert items.first.is_visible()
        assert not page.locator("form.recherche").is_visible()  # the search needs the script
        page.goto((site / "contributions" / "C-0001.html").as_uri())
        assert page.locator("h1").inner_text().startswith("Contribution C-0001")


def test_the_workers_build_the_same_site(closed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On every core (a fork pool writing the contribution pages itself) or in one process: same bytes."""
    from ateliers_cli.site import build, pages

    loaded = load(closed)
    monkeypatch.setattr(build, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(build, "_CHUNK", 7)
    # several pages of the list, each made as its entries come in from the workers
    monkeypatch.setattr(build, "PAR_PAGE", 20)
    monkeypatch.setattr(pages, "PAR_PAGE", 20)
    monkeypatch.delenv("ATELIERS_WORKERS", raising=False)
    assert build._use_pool(len(loaded.consultation.contributions)) or (os.cpu_count() or 1) == 1
    result = build_site(loaded, tmp_path / "parallele")
    monkeypatch.setenv("ATELIERS_WORKERS", "1")
    files = plan_site(loaded.consultation)
    on_disk = {
        p.relative_to(tmp_path / "parallele").as_posix(): p.read_bytes()
        for p in (tmp_path / "parallele").rglob("*")
        if p.is_file()
    }
    assert files == on_disk
    assert result.fichiers == len(files) and result.pages == sum(1 for p in files if p.endswith(".html"))
    listed = sorted(p for p in files if p.startswith("contributions/page-"))
    assert len(listed) >= 2, listed
    last = files[f"contributions/page-{len(listed) + 1}.html"].decode()
    assert f"page {len(listed) + 1} sur {len(listed) + 1}" in last
    # the list of a territory is paginated too, and holds exactly its published contributions
    lille = [p for p in files if re.fullmatch(r"contributions/territoires/lille(-page-\d+)?\.html", p)]
    expected = _published(closed, lambda ct: ct.territoire == "lille")
    assert len(lille) == -(-len(expected) // 20) >= 2, lille
    assert sorted(cid for p in lille for cid in _listed(files[p].decode())) == expected


def _published(root: Path, keep: object) -> list[str]:
    """The numbers of the contributions of ``root`` whose text the site publishes and ``keep`` keeps."""
    from ateliers_cli.site.public import public_view, texte_publiable

    c = public_view(load(root).consultation)
    kept = (cid for cid, ct in c.contributions.items() if texte_publiable(ct) and keep(ct))  # type: ignore[operator]
    return sorted(kept)


def _listed(html: str) -> list[str]:
    """The contributions a page of the list shows, in its order (not the search's results)."""
    liste = html.split('id="liste-complete"', 1)[1]
    return re.findall(r'<h2><a href="[./]*contributions/([^"/]+)\.html">', liste)


def test_the_list_narrows_to_a_territory_or_a_theme_without_javascript(site: Path, tmp_path: Path) -> None:
    """From the list, a link per territory and per theme (with its number) leads to the list of
    its published contributions, and nothing else: no script needed."""
    lille = _published(site.parent, lambda ct: ct.territoire == "lille")
    isolement = _published(site.parent, lambda ct: "isolement" in ct.themes)
    assert lille and isolement and set(lille) != set(isolement)
    with _browser(tmp_path / "profil", javascript=False) as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto((site / "contributions" / "index.html").as_uri())  # straight from disk
        page.get_by_text("Filtrer la liste par territoire ou par thème").click()
        page.get_by_role("link", name="Lille", exact=True).click()
        assert page.locator("h1").inner_text() == "Les contributions publiées — territoire de Lille"
        assert f"{len(lille)} contributions publiées concernent le territoire de Lille" in page.inner_text("main")
        assert _listed(page.content()) == lille
        # from there, the other filter (the current one marked as such)
        assert page.locator("a[aria-current=page]").inner_text() == "Lille"
        page.get_by_role("link", name="Rompre l’isolement des personnes âgées").click()
        titre = "Les contributions publiées — thème «\u00a0Rompre l’isolement des personnes âgées\u00a0»"
        assert page.locator("h1").inner_text() == titre
        assert _listed(page.content()) == isolement
        current = page.locator("li", has=page.locator("a[aria-current=page]"))
        assert f"({len(isolement)})" in current.inner_text()
    # the theme's own page leads there too
    theme = (site / "themes" / "isolement.html").read_text(encoding="utf-8")
    link = f'<a href="../contributions/themes/isolement.html">Les {len(isolement)} contributions publiées sur ce thème'
    assert link in theme


def test_with_javascript_territory_and_theme_filter_together(site: Path, tmp_path: Path) -> None:
    """The script's form adds both at once, with the words typed: each result matches them all;
    axe finds nothing on the list so filtered, at 390 px too."""
    both = _published(site.parent, lambda ct: ct.territoire == "lille" and "isolement" in ct.themes)
    assert 1 < len(both) < len(_published(site.parent, lambda ct: ct.territoire == "lille"))
    source = _axe_source()
    with _served(site) as base, _browser(tmp_path / "profil") as context:
        page = context.new_page()  # type: ignore[attr-defined]
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "contributions/index.html")
        page.select_option("#recherche-territoire", "lille")
        page.select_option("#recherche-theme", "isolement")
        page.wait_for_selector("#recherche-resultats li")
        assert page.inner_text("#recherche-etat") == f"{len(both)} contributions correspondent."
        hrefs = page.eval_on_selector_all("#recherche-resultats li h2 a", "as => as.map(a => a.href)")
        found = [h.split("/")[-1].removesuffix(".html") for h in hrefs]
        assert sorted(found) == both
        assert not page.locator("#liste-complete").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        violations = _axe(page, source)
        assert not violations, _describe("contributions/index.html (filtres)", violations)
        # back to everything: the list again
        page.select_option("#recherche-territoire", "")
        page.select_option("#recherche-theme", "")
        assert page.locator("#liste-complete").is_visible() and not page.locator("#recherche-resultats").is_visible()


def test_a_consultation_without_contributions_has_its_empty_list(tmp_path: Path) -> None:
    root = tmp_path / "vide"
    assert run_cli("init", root).exit_code == 0
    files = plan_site(load(root).consultation)
    page = files["contributions/index.html"].decode()
    assert "Les contributions publiées" in page and "contributions/page-2.html" not in files


def test_publishing_again_reuses_what_did_not_change(example: Path) -> None:
    """An unchanged page is hard-linked to the previous site's file, not written again; a changed one is new."""
    out = example / "site"
    build_site(load(example), out)
    before = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}
    ct = example / "contributions" / "C-0001.md"
    ct.write_text(
        ct.read_text(encoding="utf-8").replace("Juste parler à quelqu'un", "Parler à quelqu'un"), encoding="utf-8"
    )
    build_site(load(example), out)
    after = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}
    assert before.keys() == after.keys()
    assert after["contributions/C-0002.html"] == before["contributions/C-0002.html"]
    assert after["contributions/C-0001.html"] != before["contributions/C-0001.html"]
    assert "Parler à quelqu’un" in (out / "contributions" / "C-0001.html").read_text(encoding="utf-8")
    assert [p.name for p in example.iterdir() if p.name.startswith(".site.")] == []


def test_after_one_contribution_changed_only_its_pages_are_made_again(example: Path) -> None:
    """The second « site » reads back from its cache every page the change does not reach, and
    gives the same bytes as a build from nothing."""
    out = example / "site"
    with _clock():
        build_site(load(example), out)
    pages = example / ".ateliers-cache" / "pages"
    before = {p.name for p in pages.iterdir()}
    assert len(before) > 148  # every contribution page, the list, the territories
    ct = example / "contributions" / "C-0001.md"
    ct.write_text(
        ct.read_text(encoding="utf-8").replace("Juste parler à quelqu'un", "Parler à quelqu'un"), encoding="utf-8"
    )
    with _clock():
        loaded = load(example)
        build_site(loaded, out)
        fresh = plan_site(loaded.consultation)  # from nothing: no cache read
    after = {p.name for p in pages.iterdir()}
    # made again: its page, the page of the list it is on, its territory's page, its theme's
    # page (C-0001 has one), the lists narrowed to its territory and to its theme; nothing else
    assert loaded.consultation.contributions["C-0001"].themes == ["isolement"]
    assert len(after - before) == 6 and len(before - after) == 6
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert built.keys() == fresh.keys()
    assert [k for k in fresh if fresh[k] != built[k]] == []
    assert "Parler à quelqu’un" in built["contributions/C-0001.html"].decode()


def test_a_page_edited_by_hand_in_the_site_is_written_again(example: Path) -> None:
    """An unchanged page is linked from the previous site without being read, but only while
    it is the very file the tool wrote (size, time, inode): one edited by hand is replaced."""
    out = example / "site"
    with _clock():
        build_site(load(example), out)
    page = out / "contributions" / "C-0002.html"
    original = page.read_bytes()
    with page.open("r+b") as f:  # in place (same inode), same size: only its time tells
        f.write(b"X" * 20)
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000))
    with _clock():
        build_site(load(example), out)
    assert page.read_bytes() == original


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        (
            "contribution.html.j2",
            '{% extends "default:site/contribution.html.j2" %}{% block contenu %}{{ inconnue }}{% endblock %}',
            "inconnue",
        ),
        ("theme.html.j2", "{% if %}", "syntaxe"),
    ],
)
def test_a_faulty_site_template_is_named(
    example: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str, expected: str
) -> None:
    """Whether it fails in a worker (contribution pages) or while compiling: file, line, French message."""
    from ateliers_cli.site import build

    monkeypatch.setattr(build, "PARALLEL_THRESHOLD", 1)
    monkeypatch.delenv("ATELIERS_WORKERS", raising=False)
    template = example / "templates" / "site" / name
    template.parent.mkdir(parents=True)
    template.write_text(source, encoding="utf-8")
    r = run_cli("-C", example, "site")
    assert r.exit_code == 1, r.output
    assert f"templates/site/{name}:1" in r.stderr and expected in r.stderr
    assert "Erreur interne" not in r.output
    assert not (example / "site").exists()


def test_a_consultation_may_restyle_its_site(example: Path) -> None:
    css = example / "templates" / "site" / "assets" / "site.css"
    css.parent.mkdir(parents=True)
    css.write_text("body { color: #000; }\n", encoding="utf-8")
    assert run_cli("-C", example, "site").exit_code == 0
    assert (example / "site" / "assets" / "site.css").read_text(encoding="utf-8") == "body { color: #000; }\n"


def test_what_a_killed_run_left_is_cleared(example: Path) -> None:
    (example / ".site.nouveau-abc123" / "contributions").mkdir(parents=True)
    (example / ".site.ancien-def456").mkdir()
    (example / ".site-a-moi").mkdir()  # not ours: kept
    assert run_cli("-C", example, "site").exit_code == 0
    assert sorted(p.name for p in example.iterdir() if p.name.startswith(".site")) == [".site-a-moi"]
