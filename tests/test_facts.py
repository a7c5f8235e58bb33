"""Fact sentences of the délibération, the report, the home page and the synthesis, computed from
the data they claim: on a consultation where they differ (a cancelled workshop, an early closure)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import yaml

from ateliers_cli.documents import build_stage_documents
from ateliers_cli.load import load
from ateliers_cli.site.build import build_site
from ateliers_cli.stages import Stage
from tests.conftest import EXAMPLE, run_cli
from tests.test_documents import WHEN, walked_through

NBSP = "\u00a0"


def _cancel(root: Path, atelier: str) -> None:
    """The workshop cancelled: no participants, no productions (as the gate wants it)."""
    path = root / "ateliers" / f"{atelier}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(statut="annule", motif_annulation="Salle indisponible, pas de date de repli")
    data.pop("participants", None)
    data.pop("productions", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_cancelled_workshop_leaves_its_arrondissement_uncovered(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    cambrai = [
        p.stem
        for p in (root / "ateliers").glob("*.yaml")
        if yaml.safe_load(p.read_text(encoding="utf-8"))["territoire"] == "cambrai"
    ]
    assert cambrai == ["cambrai-1"]  # Cambrai's only workshop
    _cancel(root, "cambrai-1")
    c = walked_through_anyway(root)
    held = [a for a in c.ateliers.values() if a.statut == "tenu"]
    covered = {a.territoire for a in held}
    assert len(held) == 8 and len(covered) == 5 and len(c.territoires) == 6  # avesnes-sur-helpe-2 was already cancelled

    docs = {
        f.path: f.content.decode("utf-8")
        for s in (Stage.RAPPORT, Stage.ADOPTION)
        for f in build_stage_documents(c, s, WHEN[s])
        if f.kind == "md"
    }
    delib = docs["documents/6-adoption/deliberation.md"].replace(NBSP, " ")
    assert (
        "Considérant que 8 ateliers citoyens se sont tenus dans 5 des 6 arrondissements du département (2 ateliers "
        "annulés),"
        in delib
    )
    assert "dans les 6 arrondissements" not in delib
    rapport = docs["documents/5-rapport/rapport-orientations.md"].replace(NBSP, " ")
    assert "8 ateliers tenus dans 5 des 6 arrondissements (2 annulés)" in rapport

    build_site(load(root), root / "site")
    home = re.sub(r"<[^>]+>", "", (root / "site" / "index.html").read_text(encoding="utf-8")).replace(NBSP, " ")
    assert "8 ateliers tenus dans 5 territoires sur 6" in " ".join(home.split())
    assert "9 ateliers" not in home


def walked_through_anyway(root: Path):  # type: ignore[no-untyped-def]
    """The example closed, even though its files now name propositions of the cancelled workshop."""
    c = load(root).consultation
    return walked_through_model(c)


def walked_through_model(c):  # type: ignore[no-untyped-def]
    from ateliers_cli.model import Passage

    c.historique = [
        Passage(de=s.value, vers=s.next.value, date=WHEN[s], par="Équipe")
        for s in Stage.process()
        if s.next is not None
    ]
    c.etape = Stage.CLOTUREE
    return c


def test_the_full_example_says_all_six_arrondissements(tmp_path: Path) -> None:
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    c = walked_through(root)
    delib = next(
        f for f in build_stage_documents(c, Stage.ADOPTION, WHEN[Stage.ADOPTION]) if f.path.endswith("deliberation.md")
    )
    assert (
        "9 ateliers citoyens se sont tenus dans les 6 arrondissements du département (1 atelier annulé),"
        in delib.content.decode().replace(NBSP, " ")
    )


def test_closing_the_call_early_is_said_and_warned(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    closing = dt.datetime(2025, 11, 4, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(closing.timestamp())))
    late = sorted(
        cid for cid, ct in load(root).consultation.contributions.items() if ct.date and ct.date > closing.date()
    )
    assert late  # the example has contributions up to 14 November

    r = run_cli("-C", root, "advance", "--par", "Essai")
    assert r.exit_code == 0, r.output
    assert "est close le 2025-11-04, avant la fin annoncée au calendrier (2025-11-14)" in r.output
    assert f"{late[0]}.md" in r.output and "après la clôture de l'appel (2025-11-04)" in r.output
    synthese = (root / "documents/1-appel/synthese-des-contributions.md").read_text(encoding="utf-8").replace(NBSP, " ")
    assert "annoncé jusqu’au 14 novembre 2025, il a été clos plus tôt, le 4 novembre 2025" in synthese
    quoted = set(re.findall(r"\((C-\d{4})\)\s*$", synthese, re.MULTILINE))
    assert quoted and not quoted & set(late)


def test_an_early_closure_is_told_by_the_report_and_the_deliberation(tmp_path: Path) -> None:
    import datetime as dt

    from ateliers_cli.model import Passage

    root = tmp_path / "c"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("documents", "prive", "site", ".ateliers*"))
    c = load(root).consultation
    when = dict(WHEN)
    when[Stage.APPEL] = dt.datetime(2025, 11, 4, 12, 0, tzinfo=dt.UTC)  # announced until 14 November
    c.historique = [
        Passage(de=s.value, vers=s.next.value, date=when[s], par="Équipe")
        for s in Stage.process()
        if s.next is not None
    ]
    c.etape = Stage.CLOTUREE
    docs = {
        f.path: f.content.decode("utf-8").replace(NBSP, " ").replace("\u202f", " ")
        for s in (Stage.RAPPORT, Stage.ADOPTION)
        for f in build_stage_documents(c, s, when[s])
        if f.kind == "md"
    }
    delib = docs["documents/6-adoption/deliberation.md"]
    assert "du 15 septembre 2025 au 4 novembre 2025 (clos avant le 14 novembre 2025 annoncé) ;" in delib
    rapport = docs["documents/5-rapport/rapport-orientations.md"]
    assert "du 15 septembre 2025 au 14 novembre 2025 (annoncé), clos le 4 novembre 2025" in rapport
