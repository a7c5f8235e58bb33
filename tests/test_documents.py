"""The documents of each transition: rendered from the example, compared with golden files.

Golden files live under tests/golden/<stage folder>/; refresh them, after reviewing the
change, with ``pytest tests/test_documents.py --update-golden``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ateliers_cli.documents import OutputFile, build_documents, build_stage_documents, stage_documents_titles
from ateliers_cli.documents.templating import default_templates_dir, make_environment, render_template
from ateliers_cli.errors import AteliersError
from ateliers_cli.load import load
from ateliers_cli.model import Consultation, Passage
from ateliers_cli.stages import Stage

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "exemple_consultation"
GOLDEN = Path(__file__).resolve().parent / "golden"
PARIS = ZoneInfo("Europe/Paris")
NBSP, NNBSP = "\u00a0", "\u202f"

#: When each stage is left, in the walk-through of the example.
WHEN = {
    Stage.APPEL: dt.datetime(2025, 11, 17, 9, 30, tzinfo=PARIS),
    Stage.LANCEMENT: dt.datetime(2025, 12, 8, 10, 0, tzinfo=PARIS),
    Stage.ATELIERS: dt.datetime(2026, 3, 16, 10, 0, tzinfo=PARIS),
    Stage.SYNTHESE: dt.datetime(2026, 4, 13, 9, 0, tzinfo=PARIS),
    Stage.RAPPORT: dt.datetime(2026, 6, 8, 11, 0, tzinfo=PARIS),
    Stage.ADOPTION: dt.datetime(2026, 7, 1, 10, 0, tzinfo=PARIS),
    Stage.RESTITUTION: dt.datetime(2026, 10, 26, 9, 0, tzinfo=PARIS),
}


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    return target


def walked_through(root: Path) -> Consultation:
    """The example as it stands once closed: every passage in its history."""
    result = load(root)
    assert not [d for d in result.diagnostics if d.is_error], result.diagnostics
    c = result.consultation
    c.historique = [
        Passage(de=s.value, vers=s.next.value, date=WHEN[s], par="Équipe participation")
        for s in Stage.process()
        if s.next is not None
    ]
    c.etape = Stage.CLOTUREE
    return c


def build_all(c: Consultation, stages: list[Stage] | None = None) -> dict[str, OutputFile]:
    files: dict[str, OutputFile] = {}
    for stage in stages or Stage.process():
        for f in build_stage_documents(c, stage, WHEN[stage]):
            assert f.path not in files, f"{f.path} produit deux fois"
            files[f.path] = f
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OutputFile]:
    root = copy_example(tmp_path_factory.mktemp("docs") / "exemple")
    return build_all(walked_through(root))


def golden_path(f: OutputFile) -> Path:
    if f.path.startswith("documents/"):
        return GOLDEN / f.path.removeprefix("documents/")
    return GOLDEN / Stage.LANCEMENT.folder / f.path.replace("/", "-", 1)  # prive/emargement/x → prive-emargement/x


def text_files(files: dict[str, OutputFile]) -> list[OutputFile]:
    return [f for f in files.values() if f.kind in ("md", "html")]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: bytes) -> Tags:
    parser = Tags()
    parser.feed(html.decode("utf-8"))
    parser.close()
    return parser


# ---------------------------------------------------------------------------
# What each stage produces
# ---------------------------------------------------------------------------


def test_each_stage_produces_its_documents(built: dict[str, OutputFile]) -> None:
    paths = set(built)
    expected = {
        "documents/1-appel/synthese-des-contributions",
        "documents/1-appel/programme-des-ateliers",
        "documents/1-appel/formulaire-inscription",
        "documents/3-ateliers/cahier-des-productions",
        "documents/3-ateliers/croisement",
        "documents/4-synthese/synthese-intermediaire",
        "documents/5-rapport/rapport-orientations",
        "documents/6-adoption/deliberation",
        "documents/6-adoption/politique-adoptee",
        "documents/6-adoption/devenir-des-contributions",
        "documents/7-restitution/bilan-de-la-demarche",
    }
    for stem in expected:
        assert {f"{stem}.md", f"{stem}.html"} <= paths, stem
    # one workshop file and one attendance sheet per workshop not cancelled
    c = load(EXAMPLE).consultation
    held = sorted(a.id for a in c.ateliers.values() if a.statut != "annule")
    cancelled = sorted(a.id for a in c.ateliers.values() if a.statut == "annule")
    assert cancelled, "l'exemple devrait compter un atelier annulé"
    for a in held:
        assert f"documents/2-lancement/dossier-atelier-{a}.md" in paths
        assert f"prive/emargement/{a}.html" in paths
    for a in cancelled:
        assert f"documents/2-lancement/dossier-atelier-{a}.md" not in paths
    # one briefing per commission concerned by an orientation
    concerned = {m for o in c.orientations.values() for m in o.commissions}
    briefings = {p.split("note-commission-")[1].split(".")[0] for p in paths if "note-commission-" in p}
    assert briefings == concerned
    # what became of the contributions: one document per territory, each contribution in its own
    for t in c.territoires.values():
        mine = sorted(x.id for x in c.contributions.values() if x.territoire == t.id)
        stem = f"documents/6-adoption/devenir-des-contributions-{t.id}"
        assert (f"{stem}.md" in paths) == bool(mine), t.id
        if mine:
            text = built[f"{stem}.md"].content.decode("utf-8")
            rows = re.findall(r"^\| (C-\d+)", text, re.MULTILINE)
            assert rows == mine, t.id


def test_privacy_flag_and_paths(built: dict[str, OutputFile]) -> None:
    for f in built.values():
        assert f.public == (not f.path.startswith("prive/")), f.path
        assert not f.path.startswith("/") and ".." not in f.path and "\\" not in f.path
        assert f.path.endswith("." + f.kind)
        assert f.title


def test_office_formats_of_the_report_and_the_deliberation(built: dict[str, OutputFile]) -> None:
    magic = {"odt": b"PK", "docx": b"PK", "pdf": b"%PDF"}
    stems = ["documents/5-rapport/rapport-orientations", "documents/6-adoption/deliberation"]
    stems += sorted({p.rsplit(".", 1)[0] for p in built if "note-commission-" in p})
    for stem in stems:
        for kind, head in magic.items():
            f = built.get(f"{stem}.{kind}")
            assert f is not None, f"{stem}.{kind} manquant"
            assert f.content.startswith(head) and len(f.content) > 1000
    assert not any(p.endswith(".pdf") for p in built if "synthese-des-contributions" in p)


def test_titles_for_dry_run() -> None:
    for stage in Stage.process():
        assert stage_documents_titles(stage), stage
    assert stage_documents_titles(Stage.CLOTUREE) == []
    assert "Synthèse des contributions" in stage_documents_titles(Stage.APPEL)


# ---------------------------------------------------------------------------
# Golden files, determinism
# ---------------------------------------------------------------------------


def test_golden_files(built: dict[str, OutputFile], update_golden: bool) -> None:
    produced = {golden_path(f): f for f in text_files(built)}
    if update_golden:
        if GOLDEN.exists():
            shutil.rmtree(GOLDEN)
        for path, f in produced.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.content)
    existing = {p for p in GOLDEN.rglob("*") if p.is_file()} if GOLDEN.exists() else set()
    assert existing == set(produced), "fichiers de référence à mettre à jour : pytest --update-golden"
    different = [f.path for path, f in produced.items() if path.read_bytes() != f.content]
    assert not different, f"sorties différentes des références (pytest --update-golden après relecture) : {different}"


def test_rendering_twice_gives_the_same_bytes(built: dict[str, OutputFile], tmp_path: Path) -> None:
    again = build_all(walked_through(copy_example(tmp_path / "bis")))
    assert set(again) == set(built)
    different = [p for p in built if built[p].content != again[p].content]
    assert not different


def test_documents_carry_the_passage_date_not_today(tmp_path: Path) -> None:
    c = walked_through(copy_example(tmp_path / "ex"))
    md = {f.path: f for f in build_stage_documents(c, Stage.APPEL, WHEN[Stage.APPEL])}
    text = md["documents/1-appel/synthese-des-contributions.md"].content.decode()
    assert "lundi 17 novembre 2025" in text
    later = {f.path: f for f in build_stage_documents(c, Stage.APPEL, WHEN[Stage.APPEL] + dt.timedelta(days=1))}
    assert "mardi 18 novembre 2025" in later["documents/1-appel/synthese-des-contributions.md"].content.decode()


# ---------------------------------------------------------------------------
# Consent, personal data, hostile text
# ---------------------------------------------------------------------------


def _fragments(text: str) -> list[str]:
    """A few distinctive stretches of a contribution's text."""
    words = re.sub(r"\s+", " ", text).strip().split(" ")
    return [" ".join(words[i : i + 7]) for i in range(0, max(1, len(words) - 7), 7)][:4]


def test_only_consented_contributions_are_quoted(built: dict[str, OutputFile]) -> None:
    c = load(EXAMPLE).consultation
    refused = [x for x in c.contributions.values() if not x.publication and len(x.texte.split()) > 10]
    assert refused, "l'exemple devrait compter des contributions non publiables"
    public = "\n".join(f.content.decode() for f in text_files(built) if f.public and f.kind == "md")
    public = public.replace("’", "'").replace(NBSP, " ").replace(NNBSP, " ").replace("\\", "")
    consented = "\n".join(re.sub(r"\s+", " ", x.texte) for x in c.contributions.values() if x.publication)
    for x in refused:
        for fragment in _fragments(x.texte):
            if fragment in consented:  # a petition signed by several: quoted from a consented copy
                continue
            assert fragment not in public, f"{x.id} citée sans consentement"
    quoted = [x for x in c.contributions.values() if x.publication and _fragments(x.texte)[0] in public]
    assert quoted, "aucune contribution publiable n'est citée"


def test_an_erased_contribution_is_never_quoted(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    c = walked_through(root)
    files = build_all(c, [Stage.APPEL])
    synthese = files["documents/1-appel/synthese-des-contributions.md"].content.decode()
    quoted = next(x for x in c.contributions.values() if x.publication and f"({x.id})" in synthese)
    quoted.efface = dt.date(2026, 11, 2)
    files = build_all(c, [Stage.APPEL, Stage.LANCEMENT, Stage.RAPPORT])
    for f in text_files(files):
        assert f"({quoted.id})" not in f.content.decode(), f.path


def test_attendance_sheets_are_private_and_match_the_registrations(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "prive").mkdir()
    (root / "prive" / "inscriptions.csv").write_text(
        "atelier;statut;rang;nom;prenom;commune;courriel;date_inscription;source;cle;ligne\n"
        "lille-1;;;Zyxwvutsky;Honorine;Roubaix;h@example.org;2025-11-20;form.csv;1;2\n"
        "lille-1;;;Abracadabrantesque;Léon;Tourcoing;l@example.org;2025-11-21;form.csv;2;3\n",
        encoding="utf-8",
    )
    c = walked_through(root)
    files = build_all(c, [Stage.LANCEMENT])
    sheet = files["prive/emargement/lille-1.html"]
    assert not sheet.public
    assert b"ZYXWVUTSKY" in sheet.content and b"ABRACADABRANTESQUE" in sheet.content
    assert sheet.content.index(b"ABRACADABRANTESQUE") < sheet.content.index(b"ZYXWVUTSKY")  # by name
    for f in files.values():
        if f.public:
            assert b"ZYXWVUTSKY" not in f.content.upper(), f.path
    # the very sheet « ateliers inscriptions import » writes
    from ateliers_cli.inscriptions import assign, read_existing, render_sheet

    regs = read_existing(root)
    assign(c, regs)
    assert (
        sheet.content == render_sheet(c, c.ateliers["lille-1"], [r for r in regs if r.statut == "inscrit"], []).encode()
    )
    # without a registration file, a blank sheet: as many rows as seats
    blank = build_all(walked_through(copy_example(tmp_path / "vierge")), [Stage.LANCEMENT])
    for a in c.ateliers.values():
        if a.statut != "annule":
            page = blank[f"prive/emargement/{a.id}.html"].content.decode()
            assert page.count('<tr class="vide">') == a.capacite, a.id
            assert "Aucune inscription enregistrée" in page


HOSTILE = """\
<script>alert(1)</script> Bonjour [clique](javascript:alert(1)) et <img src=x onerror=alert(2)>
<a href="javascript:alert(3)">lien</a> ![pixel](https://traceur.example/p.gif) | a | b |
# Titre pirate
"""


def test_hostile_text_stays_text_in_html(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    c = walked_through(root)
    target = c.contributions["C-0001"]
    assert target.publication
    target.texte = HOSTILE
    target.auteur = '<b onmouseover="alert(4)">Jeanne</b>'
    files = build_all(c, [Stage.APPEL, Stage.LANCEMENT])
    html = files["documents/1-appel/synthese-des-contributions.html"].content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html, "le texte hostile devrait être cité, comme texte"
    for f in files.values():
        if f.kind != "html":
            continue
        page = parse(f.content)
        for tag, attrs in page.tags:
            assert tag not in ("script", "img", "iframe", "object", "embed", "b"), (f.path, tag)
            for name, value in attrs.items():
                assert not name.startswith("on"), (f.path, tag, name)
                assert "javascript:" not in (value or "").lower(), (f.path, tag, name)
        assert re.search(rb"<h[1-6][^>]*>[^<]*Titre pirate", f.content) is None, f.path
        assert b"traceur.example" not in f.content or b'src="https://traceur' not in f.content


def test_figures_are_svg_with_a_table_in_html_and_a_table_in_markdown(built: dict[str, OutputFile]) -> None:
    html = built["documents/1-appel/synthese-des-contributions.html"].content.decode()
    md = built["documents/1-appel/synthese-des-contributions.md"].content.decode()
    assert html.count("<svg") >= 4
    assert html.count('role="img"') == html.count("<svg")
    assert html.count("<figure") == html.count("<svg") and "<caption>Contributions par profil</caption>" in html
    assert (
        "ateliers-figure:" not in md
        and "ATELIERSFIGURE" not in html
        and "ateliers-figure" not in html.replace('class="ateliers-figure"', "")
    )
    assert "**Contributions par profil**" in md and "| Profil | Contributions | Part |" in md
    assert "<svg" not in md
    page = parse(built["documents/1-appel/synthese-des-contributions.html"].content)
    assert ("html", {"lang": "fr"}) in page.tags
    assert any(t == "main" and a.get("id") == "contenu" for t, a in page.tags)
    assert any(t == "a" and a.get("href") == "#contenu" for t, a in page.tags)


# ---------------------------------------------------------------------------
# French typography and dates
# ---------------------------------------------------------------------------


def test_french_typography(built: dict[str, OutputFile]) -> None:
    deliberation = built["documents/6-adoption/deliberation.md"].content.decode()
    assert "**Article 1er**" in deliberation and "**Article 2**" in deliberation
    assert "Le Conseil départemental du Nord," in deliberation
    assert "Vu le Code général des collectivités territoriales" in deliberation
    assert "Après en avoir délibéré" in deliberation and "DÉCIDE" in deliberation
    assert "Le Président du Conseil départemental," in deliberation
    assert "Séance du lundi 29 juin 2026" in deliberation
    politique = built["documents/6-adoption/politique-adoptee.md"].content.decode()
    assert f"à 18{NBSP}h{NBSP}30" in politique or "à 18 h 30" in politique.replace(NBSP, " ")
    synthese = built["documents/1-appel/synthese-des-contributions.md"].content.decode()
    assert f"1{NNBSP}267{NNBSP}099" in synthese
    assert "L’essentiel" in synthese  # curly apostrophe
    assert f"{NNBSP};" in synthese and f"{NBSP}:" in synthese
    assert f"«{NBSP}" in synthese and f"{NBSP}»" in synthese
    assert " ;" not in synthese and " :" not in synthese.replace("|:", "").replace(" :--", "")
    html = built["documents/1-appel/synthese-des-contributions.html"].content.decode()
    assert f"{NNBSP};" in html or "&#8239;;" in html
    programme = built["documents/1-appel/programme-des-ateliers.md"].content.decode()
    assert re.search(r"samedi 10 janvier 2026, de 9\s?h\s?30 à 12\s?h\s?30", programme.replace(NBSP, " "))


def test_the_council_is_named_as_consultation_yaml_says(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    c = walked_through(root)
    c.collectivite.conseil = "Conseil départemental du Pas-de-Calais"
    files = build_all(c, [Stage.ADOPTION])
    for f in text_files(files):
        assert "Conseil départemental du Nord" not in f.content.decode(), f.path
    text = files["documents/6-adoption/deliberation.md"].content.decode()
    assert "Le Conseil départemental du Pas-de-Calais," in text


# ---------------------------------------------------------------------------
# A consultation's own templates, the sandbox, errors
# ---------------------------------------------------------------------------


def test_a_consultation_template_overrides_a_default(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "templates").mkdir()
    (root / "templates" / "programme-des-ateliers.md.j2").write_text(
        "# Notre programme\n\n{% for a in ateliers_maintenus %}- {{ a.titre|md }} : {{ a.date|date_longue }}\n{% "
        "endfor %}",
        encoding="utf-8",
    )
    (root / "templates" / "synthese-des-contributions.md.j2").write_text(
        '{% extends "default:synthese-des-contributions.md.j2" %}\n'
        "{% block annexes %}\n## Annexe locale\n\nMerci à {{ chiffres.contributions|nombre }} contributeurs !\n{% "
        "endblock %}\n",
        encoding="utf-8",
    )
    c = walked_through(root)
    files = {f.path: f for f in build_stage_documents(c, Stage.APPEL, WHEN[Stage.APPEL])}
    programme = files["documents/1-appel/programme-des-ateliers.md"].content.decode()
    assert programme.startswith("# Notre programme\n")
    assert "samedi 10 janvier 2026" in programme and "Le calendrier" not in programme
    synthese = files["documents/1-appel/synthese-des-contributions.md"].content.decode()
    assert "## Qui a contribué" in synthese  # the default, extended
    assert synthese.rstrip().endswith(f"Merci à 148 contributeurs{NNBSP}!")
    assert "<h2>Annexe locale</h2>" in files["documents/1-appel/synthese-des-contributions.html"].content.decode()
    # the other documents keep their default
    assert "## Vous" in files["documents/1-appel/formulaire-inscription.md"].content.decode()


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ consultation.__class__.__init__.__globals__['os'] }}",
        "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
        "{{ consultation.root.joinpath('prive/inscriptions.csv').read_text() }}",
        "{{ consultation.root }}",
        "{{ themes.append(1) }}{{ consultation.themes.clear() }}",
        "{{ figure.__self__.html }}",
    ],
)
def test_sandbox_refuses_escapes(tmp_path: Path, source: str) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "templates").mkdir()
    (root / "templates" / "programme-des-ateliers.md.j2").write_text(f"# Programme\n\n{source}\n", encoding="utf-8")
    c = walked_through(root)
    with pytest.raises(AteliersError) as info:
        build_stage_documents(c, Stage.APPEL, WHEN[Stage.APPEL])
    err = info.value
    assert err.path == "templates/programme-des-ateliers.md.j2"
    assert err.line == 3
    assert "interdit" in err.message
    assert "bac à sable" in err.message


def test_strict_undefined_names_the_template_and_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "templates").mkdir()
    (root / "templates" / "formulaire-inscription.md.j2").write_text(
        "# Formulaire\n\nBonjour\n{{ consultation.titre_inexistant }}\n", encoding="utf-8"
    )
    c = walked_through(root)
    with pytest.raises(AteliersError) as info:
        build_stage_documents(c, Stage.APPEL, WHEN[Stage.APPEL])
    assert info.value.path == "templates/formulaire-inscription.md.j2"
    assert info.value.line == 4
    assert "titre_inexistant" in info.value.message and "gabarit" in info.value.message


def test_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "templates").mkdir()
    (root / "templates" / "formulaire-inscription.md.j2").write_text("# F\n\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(AteliersError) as info:
        build_stage_documents(walked_through(root), Stage.APPEL, WHEN[Stage.APPEL])
    assert (info.value.path, info.value.line) == ("templates/formulaire-inscription.md.j2", 3)
    assert "syntaxe" in info.value.message


def test_consultation_templates_cannot_leave_their_folder(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "templates").mkdir()
    (root / "secret.txt").write_text("SECRET-123", encoding="utf-8")
    (root / "templates" / "formulaire-inscription.md.j2").write_text(
        '{% include "../secret.txt" %}\n', encoding="utf-8"
    )
    with pytest.raises(AteliersError) as info:
        build_stage_documents(walked_through(root), Stage.APPEL, WHEN[Stage.APPEL])
    assert "introuvable" in info.value.message
    # nor through a symbolic link
    (root / "templates" / "formulaire-inscription.md.j2").unlink()
    (root / "templates" / "formulaire-inscription.md.j2").symlink_to(root / "secret.txt")
    with pytest.raises(AteliersError) as info:
        build_stage_documents(walked_through(root), Stage.APPEL, WHEN[Stage.APPEL])
    assert "lien symbolique" in info.value.message


def test_default_prefix_always_means_the_packaged_template(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "document.html.j2").write_text("local", encoding="utf-8")
    env = make_environment(root)
    assert env.get_template("document.html.j2").render() == "local"
    packaged = (default_templates_dir() / "document.html.j2").read_text(encoding="utf-8")
    assert env.get_template("default:document.html.j2").filename.endswith("document.html.j2")
    assert "<html lang=\"fr\">" in packaged
    assert render_template(env, "document.html.j2", {}) == "local"


def _age(path: Path, seconds: float = 10) -> None:
    """Date ``path`` back, as a template edited a while ago would be."""
    past = path.stat().st_mtime - seconds
    os.utime(path, (past, past), follow_symlinks=False)


def test_environment_kept_while_templates_unchanged_and_renewed_when_they_change(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    page = root / "templates" / "document.html.j2"
    page.write_text("premier", encoding="utf-8")
    _age(page)
    _age(root / "templates")
    env = make_environment(root)
    assert render_template(env, "document.html.j2", {}) == "premier"
    assert make_environment(root) is env  # compiled templates kept
    # edited (same size, another time): read again
    page.write_text("second!", encoding="utf-8")
    _age(page, 5)
    assert render_template(make_environment(root), "document.html.j2", {}) == "second!"
    # a new override appears beside it (the packaged one already compiled): used at once
    packaged = make_environment(root).get_template("programme-des-ateliers.md.j2")
    assert Path(packaged.filename or "").parent == default_templates_dir()
    (root / "templates" / "programme-des-ateliers.md.j2").write_text("à moi", encoding="utf-8")
    _age(root / "templates" / "programme-des-ateliers.md.j2")
    assert make_environment(root).get_template("programme-des-ateliers.md.j2").render() == "à moi"
    # removed: the packaged template again
    (root / "templates" / "programme-des-ateliers.md.j2").unlink()
    packaged = make_environment(root).get_template("programme-des-ateliers.md.j2")
    assert Path(packaged.filename or "").parent == default_templates_dir()


def test_template_rewritten_within_the_same_instant_is_read_again(tmp_path: Path) -> None:
    # Two writes of the same size in the same clock tick leave the same time and size:
    # a template changed in the last two seconds is never taken from a kept environment.
    root = tmp_path / "c"
    (root / "templates").mkdir(parents=True)
    page = root / "templates" / "document.html.j2"
    for text in ("aaa", "bbb", "ccc"):
        page.write_text(text, encoding="utf-8")
        assert render_template(make_environment(root), "document.html.j2", {}) == text


def test_html_templates_autoescape_and_markdown_ones_do_not(tmp_path: Path) -> None:
    env = make_environment(tmp_path)
    assert env.from_string("{{ x }}").render(x="<b>") == "<b>"  # not an .html.j2 name
    assert env.autoescape("emargement.html.j2")  # type: ignore[operator]
    assert not env.autoescape("synthese-des-contributions.md.j2")  # type: ignore[operator]


# ---------------------------------------------------------------------------
# A consultation with little in it still gets its documents
# ---------------------------------------------------------------------------


def test_a_bare_consultation_renders_every_stage(make_tree) -> None:  # type: ignore[no-untyped-def]
    root = make_tree({})
    c = load(root).consultation
    for stage in Stage.process():
        files = build_stage_documents(c, stage, WHEN[stage])
        for f in files:
            assert f.content, f.path


# --------------------------------------------------------------------------- on every core


def test_every_core_gives_the_same_bytes_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``render`` builds the stages in forked workers: same files, same order.

    One core first: Typst has then run in this process, and the two-core run must still end
    (a worker forked after Typst's threads would wait for ever if it called it)."""
    root = copy_example(tmp_path / "ex")
    c = walked_through(root)
    stages = [(s, WHEN[s]) for s in Stage.process()]
    made = {}
    for workers in ("1", "2"):
        shutil.rmtree(root / ".ateliers-cache", ignore_errors=True)  # the office files made again, not read back
        monkeypatch.setenv("ATELIERS_WORKERS", workers)
        made[workers] = [(f.path, f.kind, f.content) for f in build_documents(c, stages)]
    assert made["1"] == made["2"]
    kinds = {kind for _, kind, _ in made["2"]}
    assert {"md", "html", "odt", "docx", "pdf"} <= kinds


def test_every_core_reports_the_first_faulty_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_example(tmp_path / "ex")
    (root / "templates").mkdir()
    (root / "templates" / "bilan.md.j2").write_text("# Bilan\n\n{{ inconnue_du_bilan }}\n", encoding="utf-8")
    (root / "templates" / "croisement.md.j2").write_text(
        "# Croisement\n\n{{ inconnue_du_croisement }}\n", encoding="utf-8"
    )
    c = walked_through(root)
    monkeypatch.setenv("ATELIERS_WORKERS", "2")
    with pytest.raises(AteliersError) as info:
        build_documents(c, [(s, WHEN[s]) for s in Stage.process()])
    assert info.value.path == "templates/croisement.md.j2" and info.value.line == 3
    assert "inconnue_du_croisement" in info.value.message


@pytest.mark.parametrize(
    ("conseil", "expected"),
    [
        ("Conseil départemental du Nord", "Le Président du Conseil départemental"),
        ("Conseil régional des Hauts-de-France", "Le Président du Conseil régional"),
        ("Conseil municipal de Lille", "Le Maire"),
        ("Conseil de la Métropole européenne de Lille", "Le Président du Conseil de la Métropole européenne de Lille"),
        ("Assemblée de Corse", "Le Président de l'Assemblée de Corse"),
        ("Collectivité européenne d'Alsace", "Le Président de la Collectivité européenne d'Alsace"),
        ("", "Le Président de l'assemblée"),
    ],
)
def test_who_signs_the_deliberation(conseil: str, expected: str) -> None:
    from ateliers_cli.documents.adoption import qualite_president

    assert qualite_president(conseil) == expected


def test_signataire_given_in_consultation_yaml(tmp_path: Path) -> None:
    """« La Présidente … est chargée » : the signatory as written, the agreement follows."""
    root = copy_example(tmp_path / "ex")
    c = walked_through(root)
    c.collectivite.signataire = "La Présidente du Conseil départemental"
    files = build_all(c, [Stage.ADOPTION])
    text = files["documents/6-adoption/deliberation.md"].content.decode("utf-8")
    assert "la Présidente du Conseil départemental est chargée de l’exécution" in text
    assert "\nLa Présidente du Conseil départemental,\n" in text
    assert "Le Président" not in text


# --- the report as an administration files it ---------------------------------------------------


def _soffice_pdf_text(path: Path, tmp: Path) -> list[str]:
    """``path`` converted to PDF by LibreOffice as delivered (nobody updates anything), then its
    text, one string per page."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice est absent : apt-get install libreoffice-writer-nogui")
    import subprocess

    profile = tmp / "profil-libreoffice"  # its own profile: never shares a running instance's
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp / (path.stem + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")


@pytest.mark.parametrize("kind", ["odt", "docx"])
def test_report_converted_by_libreoffice_has_a_table_of_contents_with_page_numbers(
    built: dict[str, OutputFile], tmp_path: Path, kind: str
) -> None:
    f = built[f"documents/5-rapport/rapport-orientations.{kind}"]
    path = tmp_path / f"rapport.{kind}"
    path.write_bytes(f.content)
    pages = _soffice_pdf_text(path, tmp_path)
    whole = "\n".join(pages)
    assert "F9" not in whole and "Mettre à jour" not in whole
    assert "Il est proposé au Conseil départemental du Nord" in whole
    # the cover: assembly, sitting, report number, rapporteur
    assert "Séance du" in pages[0] and "DSOL/2026/041" in pages[0] and "Martine Desreumaux" in pages[0]
    toc_page = next(i for i, p in enumerate(pages) if "Table des matières" in p)
    entries = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", pages[toc_page], re.MULTILINE)
    titles = [t for t, _ in entries]
    assert "Synthèse" in titles and "Proposition de décision" in titles and len(entries) >= 12
    assert not any(t == "Sources" for t in titles)  # the sources are in the annex, out of the table
    for title, number in entries:
        # each heading is on the page the table says (a long title wraps: its first words)
        assert title[:25] in pages[int(number) - 1], f"« {title} » n'est pas page {number}"


def test_report_cover_summary_costs_decision_and_annex(built: dict[str, OutputFile]) -> None:
    md = built["documents/5-rapport/rapport-orientations.md"].content.decode()
    summary = md.split("## Synthèse", 1)[1].split("## Introduction", 1)[0]
    assert (
        "| O-03 Redonner du temps et de la stabilité à l’aide à domicile | Solidarités, autonomie et santé\u202f; "
        "Finances"
        in summary
    )
    assert "10\u202f500\u202f000\u00a0€ par an" in summary and "| Adoption |" in summary
    assert (
        "Coût total estimé\u00a0: 20\u202f200\u202f000\u00a0€ par an en fonctionnement et 8\u202f600\u202f000\u00a0€ "
        "d’investissement"
        in summary
    )
    decision = md.split("## Proposition de décision", 1)[1]
    assert decision.lstrip().startswith("Il est proposé au Conseil départemental du Nord de bien vouloir")
    assert "### Sources" not in md  # moved to the annex, under readable names
    annex = md.split("## Annexe — Les sources de chaque orientation", 1)[1]
    assert "Regroupement «\u00a0" in annex and "soutiens" in annex
    finances = built["documents/5-rapport/note-commission-finances.md"].content.decode()
    assert "## Coût et financement de l’ensemble des orientations" in finances
    assert "| **Total** | **20\u202f200\u202f000\u00a0€** | **8\u202f600\u202f000\u00a0€** |" in finances


def test_deliberation_has_its_legal_mentions(built: dict[str, OutputFile]) -> None:
    md = built["documents/6-adoption/deliberation.md"].content.decode()
    tail = md.split("**Annexes\u00a0:**", 1)[1]
    assert "rapport d’orientations n°\u00a0DSOL/2026/041" in tail
    assert "exécutoire de plein droit dès sa publication et sa transmission au représentant de l’État" in tail
    assert "contrôle de légalité" in tail
    assert "devant le tribunal administratif de Lille (5 rue Geoffroy Saint-Hilaire" in tail
    assert "dans un délai de deux mois" in tail and "Télérecours citoyens" in tail
    assert "adressé au Président du Conseil départemental" in tail


def _pdf_page_lines(data: bytes, tmp: Path) -> list[list[str]]:
    """The non-empty lines of each page of a PDF (pdftotext), without its footer's line."""
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext est absent : apt-get install poppler-utils")
    (tmp / "doc.pdf").write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp / "doc.pdf"), "-"], check=True, capture_output=True, text=True
    )
    pages = [[line for line in page.splitlines() if line.strip()] for page in text.stdout.split("\f")]
    return [[line for line in page if not re.search(r"Page \d+ sur \d+\s*$", line)] for page in pages if page]


def test_no_pdf_ends_on_a_near_empty_page(built: dict[str, OutputFile], tmp_path: Path) -> None:
    """The last page of every PDF holds at least a quarter of what a full page holds (the spacing
    is tightened to bring the last lines back, or loosened to send more there); the signature of
    the délibération stays with the article it signs."""
    pdfs = {path: f for path, f in built.items() if f.kind == "pdf"}
    assert "documents/5-rapport/rapport-orientations.pdf" in pdfs and len(pdfs) >= 5
    for path, f in pdfs.items():
        pages = _pdf_page_lines(f.content, tmp_path)
        if len(pages) < 2:
            continue
        full = max(len(page) for page in pages[1:-1] or pages[:1])
        assert len(pages[-1]) >= full / 4, (
            f"{path} : {len(pages[-1])} lignes sur sa dernière page, {full} sur une pleine"
        )
    report = _pdf_page_lines(pdfs["documents/5-rapport/rapport-orientations.pdf"].content, tmp_path)
    rapport = "\n".join(line for page in report for line in page)
    assert "Il est proposé au Conseil départemental du Nord de bien vouloir" in re.sub(r"\s+", " ", rapport)
    last = _pdf_page_lines(pdfs["documents/6-adoption/deliberation.pdf"].content, tmp_path)[-1]
    signature = next(i for i, line in enumerate(last) if "Président" in line and "Conseil départemental" in line)
    assert signature > 0 and not last[0].strip().startswith(("La Présidente", "Le Président"))


def test_the_report_never_splits_a_table_row(built: dict[str, OutputFile], tmp_path: Path) -> None:
    # no table row is ever split across two pages: PDF (Typst), ODT and DOCX say so
    from ateliers_cli.office import DocumentMeta, render_typst

    md = built["documents/5-rapport/rapport-orientations.md"].content.decode()
    assert "#set table.cell(breakable: false)" in render_typst(md, DocumentMeta(titre="R", collectivite="C"))
    import zipfile

    (tmp_path / "r.odt").write_bytes(built["documents/5-rapport/rapport-orientations.odt"].content)
    content = zipfile.ZipFile(tmp_path / "r.odt").read("content.xml").decode()
    assert 'style:name="Tableau.Rangee"' in content and 'fo:keep-together="always"' in content
    assert content.count('table:style-name="Tableau.Rangee"') == content.count("<table:table-row")
    (tmp_path / "r.docx").write_bytes(built["documents/5-rapport/rapport-orientations.docx"].content)
    document = zipfile.ZipFile(tmp_path / "r.docx").read("word/document.xml").decode()
    assert document.count("<w:cantSplit/>") == document.count("<w:tr>") + document.count("<w:tr ")
