"""« ateliers contributions doublons »: near-duplicates and copy-paste campaigns, marked only when asked."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import GOOD_CONTRIBUTION, run_cli

CAMPAIGN = ["C-0087", "C-0097", "C-0103", "C-0108", "C-0115", "C-0121", "C-0126", "C-0136"]
RESENDS = {"C-0118": "C-0012", "C-0120": "C-0039"}  # near-verbatim resends of the example


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".ateliers-cache" not in p.parts
    }


def _meta(root: Path, cid: str) -> dict[str, object]:
    return yaml.safe_load((root / "contributions" / f"{cid}.md").read_text(encoding="utf-8").split("---\n")[1])


def _unmark(root: Path, ids: list[str]) -> None:
    """Undo the example's own doublon marks, by plain text edits."""
    for cid in ids:
        path = root / "contributions" / f"{cid}.md"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^statut: doublon\ndoublon_de: .*\n", "statut: nouvelle\n", text, count=1, flags=re.MULTILINE)
        path.write_text(text, encoding="utf-8")


def _json(root: Path, *args: str) -> dict[str, object]:
    r = run_cli("-C", root, "contributions", "doublons", "--json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_finds_the_planted_campaign_and_the_resends(example: Path) -> None:
    data = _json(example)
    groups = data["groupes"]
    assert isinstance(groups, list)
    campaigns = [g for g in groups if g["nature"] == "campagne"]
    assert len(campaigns) == 1
    assert campaigns[0]["membres"] == CAMPAIGN
    assert campaigns[0]["original"] == "C-0087"
    assert 0.7 <= campaigns[0]["similarite"] <= 1.0  # each copy has its own title: a little below the text alone
    pairs = {tuple(g["membres"]) for g in groups if g["nature"] == "doublon"}
    for copy, original in RESENDS.items():
        assert (original, copy) in pairs
    assert data["applique"] is False


def test_table_explains_campaigns(example: Path) -> None:
    before = _snapshot(example)
    r = run_cli("-C", example, "contributions", "doublons")
    assert r.exit_code == 0, r.output
    for header in ("nature", "original", "membres", "similarité"):
        assert header in r.stdout
    assert "campagne" in r.stdout and "C-0087" in r.stdout
    assert "signalée, non marquée" in r.stdout
    assert "participation légitime" in r.stdout
    assert "--apply-campagnes" in r.stdout
    assert _snapshot(example) == before


def test_apply_marks_doublons_only(example: Path) -> None:
    _unmark(example, list(RESENDS))
    before = _snapshot(example)
    r = run_cli("-C", example, "contributions", "doublons", "--apply")
    assert r.exit_code == 0, r.output
    for copy, original in RESENDS.items():
        meta = _meta(example, copy)
        assert meta["statut"] == "doublon" and meta["doublon_de"] == original
        assert _meta(example, original)["statut"] == "analysee"  # the original is never marked
    changed = {k for k in before if (example / k).read_bytes() != before[k]}
    assert changed == {f"contributions/{cid}.md" for cid in RESENDS}
    # only « statut » changed and « doublon_de » came right after it
    old = before["contributions/C-0118.md"].decode("utf-8")
    new = (example / "contributions" / "C-0118.md").read_text(encoding="utf-8")
    assert new == old.replace("statut: nouvelle\n", "statut: doublon\ndoublon_de: C-0012\n")
    r = run_cli("-C", example, "check")
    assert r.exit_code == 0, r.output


def test_apply_never_touches_a_contribution_already_marked(example: Path) -> None:
    before = _snapshot(example)  # C-0118 and C-0120 are already doublons in the example
    r = run_cli("-C", example, "contributions", "doublons", "--apply", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["resume"]["a_marquer"] == 0
    laisses = {cid: why for g in data["groupes"] for cid, why in g["laisses"].items()}
    assert laisses == {"C-0118": "déjà doublon de C-0012", "C-0120": "déjà doublon de C-0039"}
    assert _snapshot(example) == before


def test_apply_campagnes_marks_the_campaign_too(example: Path) -> None:
    r = run_cli("-C", example, "contributions", "doublons", "--apply-campagnes")
    assert r.exit_code == 0, r.output
    assert _meta(example, "C-0087")["statut"] == "analysee"
    for cid in CAMPAIGN[1:]:
        meta = _meta(example, cid)
        assert meta["statut"] == "doublon" and meta["doublon_de"] == "C-0087"
        assert meta["themes"] == ["domicile-aidants"]  # kept
    r = run_cli("-C", example, "check")
    assert r.exit_code == 0, r.output


def test_original_that_is_itself_a_doublon_gives_no_chain(make_tree: Callable[[dict[str, str]], Path]) -> None:
    text = (
        "Il faudrait un minibus chaque mardi pour aller au marché de la ville, avec un chauffeur patient et des places "
        "assises."
    )
    other = GOOD_CONTRIBUTION.replace("C-0001", "C-0003")
    first = (
        GOOD_CONTRIBUTION.replace("Je vis seule depuis la mort de mon mari.", text)
        .replace("statut: analysee", "statut: doublon\ndoublon_de: C-0003")
        .replace("id: C-0001", "id: C-0001")
    )
    second = (
        GOOD_CONTRIBUTION.replace("Je vis seule depuis la mort de mon mari.", text)
        .replace("id: C-0001", "id: C-0002")
        .replace("date: 2026-01-12", "date: 2026-01-20")
        .replace("themes: [isolement]\nstatut: analysee", "themes: []\nstatut: nouvelle")
    )
    root = make_tree(
        {"contributions/C-0001.md": first, "contributions/C-0002.md": second, "contributions/C-0003.md": other}
    )
    assert run_cli("-C", root, "check").exit_code == 0
    r = run_cli("-C", root, "contributions", "doublons", "--apply")
    assert r.exit_code == 0, r.output
    assert _meta(root, "C-0002")["doublon_de"] == "C-0003"
    assert run_cli("-C", root, "check").exit_code == 0


def test_threshold(example: Path) -> None:
    strict = _json(example, "--seuil", "0,95")
    loose = _json(example, "--seuil", "0.5")
    assert strict["seuil"] == 0.95

    def copies(data: dict[str, object]) -> list[object]:  # --seuil governs the copies, not the rewritten resends
        return [g for g in data["groupes"] if g["nature"] != "renvoi"]  # type: ignore[attr-defined, index]

    assert len(copies(strict)) < len(copies(loose))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seuil", "0"], "supérieur à 0"),
        (["--seuil", "1,2"], "compris entre 0 et 1"),
        (["--seuil", "haut"], "ce n'est pas un nombre"),
        (["--lignes", "-3"], "un nombre positif"),
        (["--apply-campagne"], "option inconnue"),
    ],
)
def test_bad_input(example: Path, args: list[str], message: str) -> None:
    _unmark(example, list(RESENDS))
    before = _snapshot(example)
    r = run_cli("-C", example, "contributions", "doublons", "--apply", *args)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert _snapshot(example) == before


def test_no_contributions(make_tree: Callable[[dict[str, str]], Path]) -> None:
    root = make_tree({})
    (root / "contributions" / "C-0001.md").unlink()
    r = run_cli("-C", root, "contributions", "doublons")
    assert r.exit_code == 1
    assert "aucune contribution" in r.output
    assert "Traceback" not in r.output


def test_nothing_found(make_tree: Callable[[dict[str, str]], Path]) -> None:
    root = make_tree({})
    r = run_cli("-C", root, "contributions", "doublons")
    assert r.exit_code == 0, r.output
    assert "Aucun doublon, campagne ni renvoi" in r.stdout


# --- resends in other words (analysis/resends.py) -------------------------------------------

REWRITTEN = {"C-0091": "C-0013", "C-0111": "C-0017", "C-0122": "C-0076"}  # the example's resends in other words


def test_finds_the_resends_written_again(example: Path) -> None:
    """The example's five resends: two near-copies (doublon), three rewritten (renvoi)."""
    _unmark(example, [*RESENDS, *REWRITTEN])
    data = _json(example)
    by_kind = {(g["nature"], g["original"], tuple(g["membres"])) for g in data["groupes"]}  # type: ignore[index, union-attr]
    for copy, original in REWRITTEN.items():
        assert ("renvoi", original, (original, copy)) in by_kind
    assert data["resume"]["renvois"] == 3 and data["resume"]["a_marquer"] == 2  # type: ignore[index]
    r = run_cli("-C", example, "contributions", "doublons")
    assert "renvoi" in r.stdout and "signalé, à vérifier" in r.stdout and "--apply-renvois" in r.stdout


def test_apply_renvois_marks_them_and_apply_alone_does_not(example: Path) -> None:
    _unmark(example, [*RESENDS, *REWRITTEN])
    r = run_cli("-C", example, "contributions", "doublons", "--apply")
    assert r.exit_code == 0, r.output
    for copy in REWRITTEN:
        assert _meta(example, copy)["statut"] == "nouvelle"
    r = run_cli("-C", example, "contributions", "doublons", "--apply-renvois")
    assert r.exit_code == 0, r.output
    for copy, original in {**RESENDS, **REWRITTEN}.items():
        meta = _meta(example, copy)
        assert meta["statut"] == "doublon" and meta["doublon_de"] == original, copy
    assert run_cli("-C", example, "check").exit_code == 0


def test_same_author_on_another_subject_is_no_resend(example: Path) -> None:
    """Marcel D. writes again, from Lille, about something else: not a resend."""
    _unmark(example, [*RESENDS, *REWRITTEN])
    text = (example / "contributions" / "C-0013.md").read_text(encoding="utf-8")
    head, _, _ = text.partition("\n---\n")
    new = head.replace("id: C-0013", "id: C-0149").replace("statut: analysee", "statut: nouvelle")
    new = re.sub(r"^date: .*$", "date: 2025-11-05", new, count=1, flags=re.MULTILINE)
    new = re.sub(r"^themes:.*?(?=^\w)", "", new, count=1, flags=re.MULTILINE | re.DOTALL)
    body = (
        "Le club de scrabble de la maison de quartier cherche des joueurs le jeudi après-midi : venez nombreux, on "
        "prête les jeux et le café est offert."
    )
    (example / "contributions" / "C-0149.md").write_text(new + "\n---\n" + body + "\n", encoding="utf-8")
    assert run_cli("-C", example, "check").exit_code == 0  # a valid contribution, so really compared
    data = _json(example)
    assert not [g for g in data["groupes"] if "C-0149" in g["membres"]]  # type: ignore[union-attr, index]
    assert ("renvoi", "C-0013") in {(g["nature"], g["original"]) for g in data["groupes"]}  # type: ignore[index]



def test_resends_beside_a_large_group_of_copies_take_little_memory() -> None:
    # 3,000 copies of one text (a campaign, or the bundled example copied by the benchmark):
    # the resend search must not keep, for each copy, the names of all the others (that was
    # n² names: 4.8 GB at 100,000 contributions).
    import tracemalloc

    from ateliers_cli.analysis.resends import find_resends

    ids = [f"C-{i:05d}" for i in range(3000)]
    text = "Les transports solidaires manquent dans les villages pour les personnes âgées isolées."
    docs = [(cid, text, "Jeanne Martin", f"2025-10-{1 + i % 28:02d}") for i, cid in enumerate(ids)]
    docs.append(
        (
            "C-09999",
            "Je renvoie : les transports solidaires manquent aux personnes âgées des villages.",
            "Jeanne Martin",
            "2025-11-01",
        )
    )
    senders = {cid: "jeanne|lille" for cid in [*ids[:10], "C-09999"]}
    tracemalloc.start()
    try:
        found = find_resends(docs, senders, already=[ids])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"{peak / 1e6:.0f} Mo"
    # the copies are not paired again among themselves; the rewritten resend is found
    assert [g.member_ids for g in found] == [[ids[0], "C-09999"]]
