"""What the site, the documents and the open data tell about the fate of each contribution.

Cited or related, never confused: a contribution « a nourri » only the orientations that the
propositions citing it lead to; counts of contributions that fed the policy agree everywhere
and never exceed the contributions analysed. The expected values are computed here from the
files' data (propositions, regroupements, orientations, decisions), not from the code under test.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

from ateliers_cli.load import load
from ateliers_cli.model import Consultation
from ateliers_cli.site.build import build_site
from tests.conftest import run_cli

RETENUES = ("adoptee", "amendee")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example walked to its closure, its site and its open data."""
    from ateliers_cli.demo import run_demo

    root = tmp_path_factory.mktemp("devenir") / "demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
        mp.setenv("NO_COLOR", "1")
        run_demo(root)
        build_site(load(root), root / "site")
        r = run_cli("-C", root, "export", "--out", root / "donnees")
        assert r.exit_code == 0, r.output
    return root


@pytest.fixture(scope="module")
def c(demo: Path) -> Consultation:
    return load(demo).consultation


def cited_orientations(c: Consultation, cid: str) -> set[str]:
    """Orientations reached from ``cid`` through the propositions that name it (by hand, from the data)."""
    ecartees = {e.ref for e in c.synthese.propositions_ecartees} if c.synthese else set()
    groups = {
        g.id
        for g in c.regroupements.values()
        for pid in g.propositions
        if pid not in ecartees and cid in c.propositions[pid].contributions
    }
    return {o.id for o in c.orientations.values() if groups & set(o.regroupements)}


def page_text(demo: Path, cid: str) -> str:
    raw = (demo / "site" / "contributions" / f"{cid}.html").read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def resume(demo: Path, cid: str) -> str:
    raw = (demo / "site" / "contributions" / f"{cid}.html").read_text(encoding="utf-8")
    m = re.search(r'<p class="resume">(.*?)</p>', raw, re.DOTALL)
    assert m, cid
    return " ".join(html.unescape(m.group(1)).split())


def test_fed_names_only_orientations_reached_through_a_citation(demo: Path, c: Consultation) -> None:
    decisions = c.decisions
    not_cited = 0
    for cid, ct in c.contributions.items():
        if ct.statut != "analysee":
            continue
        text = resume(demo, cid)
        named = set(re.findall(r"\bO-\d+", text.split("Aucune proposition")[0]))
        expected = cited_orientations(c, cid)
        if "nourri" in text and "n’a nourri directement aucune" not in text:
            assert named == expected, (cid, text)
            adopted = {o for o in expected if decisions[o].decision in RETENUES}
            if len(adopted) == 1:
                assert "l’orientation" in text and "adoptée par l’assemblée" in text, text
            elif adopted:
                assert f"{len(adopted)} orientations adoptées par l’assemblée" in text, text
        if any(cid in p.contributions for p in c.propositions.values()) and not expected:
            assert "elle n’a nourri aucune orientation" in text, text  # cited, but its proposition went no further
        if not any(cid in p.contributions for p in c.propositions.values()):
            not_cited += 1
            assert text.startswith(
                "Aucune proposition d’atelier ne la cite : elle n’a nourri directement aucune orientation"
            ), text
    assert not_cited > 0  # the demo has contributions no proposition cites (C-0029 among them)
    assert "Aucune proposition d’atelier ne la cite" in resume(demo, "C-0029")
    assert "Une orientation porte sur ses thèmes (O-01)" in resume(demo, "C-0029")
    assert resume(demo, "C-0013").startswith(
        "Elle est citée par une proposition d’atelier, qui n’a pas été reprise dans les orientations"
    )


def test_a_non_retained_orientation_shows_the_assemblys_motif(demo: Path, c: Consultation) -> None:
    motif = " ".join(c.decisions["O-09"].motif.split())
    assert cited_orientations(c, "C-0125") == {"O-09"}
    text = page_text(demo, "C-0125")
    assert "adoptée par l’assemblée" not in resume(demo, "C-0125")
    assert "que l’assemblée n’a pas retenue" in resume(demo, "C-0125")
    assert "Motif de l’assemblée" in text and motif.replace("'", "’")[:60] in text


def test_off_topic_and_duplicates(demo: Path, c: Consultation) -> None:
    for cid, ct in c.contributions.items():
        text = page_text(demo, cid)
        if ct.statut == "hors_sujet":
            assert "Restituée" not in text and "nourri" not in text, cid
            assert "hors du sujet" in text
        if ct.statut == "doublon":
            original = resume(demo, ct.doublon_de)
            assert f"reprend la contribution {ct.doublon_de}, qui a été suivie à sa place" in resume(demo, cid)
            # the original's fate, told of the original
            if "nourri l’orientation" in original or "orientations adoptées" in original:
                assert set(re.findall(r"\bO-\d+", resume(demo, cid))) == set(re.findall(r"\bO-\d+", original))


def test_the_count_of_contributions_that_fed_the_policy_agrees_everywhere(demo: Path, c: Consultation) -> None:
    analysed = [cid for cid, ct in c.contributions.items() if ct.statut == "analysee"]
    fed = {cid for cid in analysed if any(c.decisions[o].decision in RETENUES for o in cited_orientations(c, cid))}
    doc = (demo / "documents" / "6-adoption" / "devenir-des-contributions.md").read_text(encoding="utf-8")
    m = re.search(r"Sur (\d+) contributions analysées, (\d+) sont citées .*?, et (\d+) ont nourri ainsi", doc)
    assert m, doc[:1500]
    assert int(m.group(1)) == len(analysed)
    assert int(m.group(3)) == len(fed) <= len(analysed)
    rows = list(csv.DictReader((demo / "donnees" / "contributions.csv").open(encoding="utf-8-sig")))
    assert {r["id"] for r in rows if r["a_nourri_une_orientation_retenue"] == "true"} == fed
    # the per-territory table adds up to the same number
    per_territory = re.findall(r"^\| [^|]+ \| \d+ \| (\d+) \|", doc, re.MULTILINE)
    assert sum(map(int, per_territory)) == len(fed)


def test_no_parenthesised_plural_anywhere(demo: Path) -> None:
    for folder in ("site", "documents"):
        for path in (demo / folder).rglob("*"):
            if path.suffix in (".html", ".md"):
                text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
                assert not re.search(r"\w\(s\)", text), path
