"""People and sources: a person is a key, a row is its source record, erasure holds.

Each test is a bar of the issue « People and sources », run as a facilitator would.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from ateliers_cli.store import persons
from ateliers_cli.store.private import ContributorRegister
from tests.importing import TWO_TERRITORIES, cli, contribution_files, new_consultation, write_bytes


def front(path: Path) -> dict[str, object]:
    _, fm, _ = path.read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.safe_load(fm)
    assert isinstance(data, dict)
    return data


def everything(*folders: Path) -> str:
    """Every byte of every file under ``folders``, as text (to search a name in)."""
    parts = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.fixture
def two(tmp_path: Path) -> Path:
    return new_consultation(tmp_path, TWO_TERRITORIES)


ANONYMOUS_ROWS = (
    "texte;commune\nLes bus ne passent plus le dimanche.;Lille\nIl faudrait des bancs près de l'église.;Douai\n"
)
OTHER_ANONYMOUS_ROWS = "texte;commune\nLa piscine ferme trop tôt le soir.;Lille\nLes trottoirs sont encombrés.;Douai\n"


def test_placeholders_are_unique_and_erase_touches_one_person(two: Path, tmp_path: Path) -> None:
    for name, rows in (("a.csv", ANONYMOUS_ROWS), ("b.csv", OTHER_ANONYMOUS_ROWS)):
        r = cli("-C", two, "contributions", "import", write_bytes(tmp_path / name, rows.encode()))
        assert r.exit_code == 0, r.output
    auteurs = [front(f)["auteur"] for f in contribution_files(two)]
    assert len(auteurs) == 4 and len(set(auteurs)) == 4, auteurs
    assert auteurs[2] == "Contributeur·rice formulaire C-0003"
    r = cli("-C", two, "erase", "--auteur", "Contributeur·rice formulaire C-0003")
    assert r.exit_code == 0, r.output
    erased = [f.name for f in contribution_files(two) if front(f).get("efface")]
    assert erased == ["C-0003.md"]


PEOPLE = (
    "id;nom;prenom;courriel;commune;texte\n1;Dupont;Jeanne;jeanne@example.org;Lille;Les bus ne passent plus le "
    "dimanche à Lille, il faudrait rétablir la ligne douze.\n2;Dupont;Jeanne;;Douai;Je voudrais des bancs près de la "
    "mairie.\n3;D.;Jeanne;JEANNE@example.org ;Lille;La ligne douze ne passe plus le dimanche à Lille : il faut "
    "rétablir ces bus du dimanche.\n"
)


def test_one_person_one_key_across_rows_and_files(two: Path, tmp_path: Path) -> None:
    r = cli("-C", two, "contributions", "import", write_bytes(tmp_path / "gens.csv", PEOPLE.encode()))
    assert r.exit_code == 0, r.output
    rows = ContributorRegister(two).rows
    # the same e-mail (case aside) is the same person; the same name elsewhere is not
    assert rows["C-0001"]["personne"] == rows["C-0003"]["personne"]
    assert rows["C-0002"]["personne"] != rows["C-0001"]["personne"]
    assert rows["C-0001"]["personne"].startswith("pers-")
    # no key, no secret, in a file of the consultation
    key_material = os.environ["ATELIERS_CLE_PERSONNES"]
    assert key_material not in everything(two)
    # another file, another channel (by hand): the same e-mail gets the same key
    r = cli(
        "-C",
        two,
        "contributions",
        "add",
        "--texte",
        "Un courrier sur les bus.",
        "--profil",
        "habitant",
        "--canal",
        "courrier",
        "--territoire",
        "lille",
        "--auteur",
        "J. D.",
        "--courriel",
        "jeanne@example.org",
    )
    assert r.exit_code == 0, r.output
    assert ContributorRegister(two).rows["C-0004"]["personne"] == rows["C-0001"]["personne"]


def test_doublons_reports_a_resend_by_the_same_email_under_another_name(two: Path, tmp_path: Path) -> None:
    assert cli("-C", two, "contributions", "import", write_bytes(tmp_path / "gens.csv", PEOPLE.encode())).exit_code == 0
    r = cli("-C", two, "contributions", "doublons")
    assert r.exit_code == 0, r.output
    assert "renvoi" in r.stdout
    assert "C-0001" in r.stdout and "C-0003" in r.stdout
    assert "C-0002" not in r.stdout


def test_the_secret_lives_in_the_users_config_not_in_the_folder(
    two: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATELIERS_CLE_PERSONNES")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    r = cli("-C", two, "contributions", "import", write_bytes(tmp_path / "gens.csv", PEOPLE.encode()))
    assert r.exit_code == 0, r.output
    secret = tmp_path / "config" / "ateliers" / "cle-personnes"
    assert secret.is_file() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text().strip() not in everything(two)
    first = ContributorRegister(two).rows["C-0001"]["personne"]
    # another secret, other keys: a key cannot be recomputed from an e-mail without it
    monkeypatch.setenv("ATELIERS_CLE_PERSONNES", "une-autre-cle-tout-a-fait-autre")
    assert persons.PersonIndex().key({"courriel": "jeanne@example.org"}) != first


def test_same_name_different_files_both_imported_and_copies_add_nothing(two: Path, tmp_path: Path) -> None:
    lille = write_bytes(
        tmp_path / "lille" / "docs.json", b'[{"texte": "Rouvrir le bureau de poste de Fives.", "commune": "Lille"}]'
    )
    douai = write_bytes(
        tmp_path / "douai" / "docs.json", b'[{"texte": "Plus de bus vers la gare.", "commune": "Douai"}]'
    )
    for export in (lille, douai):
        r = cli("-C", two, "contributions", "import", export)
        assert r.exit_code == 0, r.output
        assert "1 importée" in r.stdout
    assert [front(f)["territoire"] for f in contribution_files(two)] == ["lille", "douai"]
    for export in (lille, douai):
        r = cli("-C", two, "contributions", "import", export, "--update")
        assert r.exit_code == 0, r.output
        assert "0 importée, 1 inchangée, 0 modifiée" in r.stdout
    copy = write_bytes(tmp_path / "export-2026-01.json", lille.read_bytes())
    r = cli("-C", two, "contributions", "import", copy)
    assert "0 importée, 1 inchangée" in r.stdout
    assert len(contribution_files(two)) == 2
    # the front matter says where each came from: file name, checksum, row
    source = front(contribution_files(two)[1])["source"]
    assert isinstance(source, dict) and source["fichier"] == "docs.json" and source["ligne"] == 1 and source["somme"]


DECIDIM = (
    "id;title;body;created_at\n"
    '4521;Des bus;"Le dimanche, il n\'y a plus de bus.";2019-01-24 22:29:15 +0100\n'
    "4522;Des pistes;Plus de pistes cyclables.;2019-01-25 08:00:00 +0100\n"
)


def test_update_changes_only_the_same_record_and_says_so(two: Path, tmp_path: Path) -> None:
    first = write_bytes(tmp_path / "decidim.csv", DECIDIM.encode())
    assert cli("-C", two, "contributions", "import", first, "--territoire", "lille").exit_code == 0
    edited = write_bytes(
        tmp_path / "plus-tard" / "export.csv",
        DECIDIM.replace("Plus de pistes cyclables.", "Plus de pistes cyclables, et sûres.").encode(),
    )
    r = cli("-C", two, "contributions", "import", edited, "--territoire", "lille")
    assert r.exit_code == 0, r.output
    assert "ligne modifiée depuis son import (clé « 4522 », C-0002) : non réécrite" in r.stderr
    assert "et sûres" not in (two / "contributions" / "C-0002.md").read_text(encoding="utf-8")
    r = cli("-C", two, "contributions", "import", edited, "--territoire", "lille", "--update")
    assert r.exit_code == 0, r.output
    assert "et sûres" in (two / "contributions" / "C-0002.md").read_text(encoding="utf-8")
    assert "Le dimanche" in (two / "contributions" / "C-0001.md").read_text(encoding="utf-8")
    assert len(contribution_files(two)) == 2


NAMED = (
    "id;auteur;nom;prenom;courriel;commune;texte\n"
    "1;Hortense Zyzzyva;Zyzzyva;Hortense;hortense@example.org;Lille;Je voudrais un marché le samedi à Fives.\n"
    "2;Paul;Martin;Paul;paul@example.org;Douai;Plus de bus vers la gare de Douai.\n"
)


def test_erasure_holds_against_reimports_and_reaches_every_output(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "formulaire.csv", NAMED.encode())
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    for contribution in contribution_files(two):
        contribution.write_text(
            contribution.read_text(encoding="utf-8").replace("publication: false", "publication: true"),
            encoding="utf-8",
        )
    assert cli("-C", two, "site").exit_code == 0
    assert cli("-C", two, "export").exit_code == 0
    assert "Zyzzyva" in everything(two / "site") and "Zyzzyva" in everything(two / "export")
    # a comment naming her, and another contribution that names her (maybe another Hortense)
    c1 = two / "contributions" / "C-0001.md"
    c1.write_text(
        c1.read_text(encoding="utf-8").replace(
            "statut: nouvelle", "statut: nouvelle  # rappelée, Hortense Zyzzyva ravie"
        ),
        encoding="utf-8",
    )
    c2 = two / "contributions" / "C-0002.md"
    c2.write_text(c2.read_text(encoding="utf-8") + "\nComme le dit Hortense.\n", encoding="utf-8")

    dry = cli("-C", two, "erase", "--auteur", "Hortense Zyzzyva", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "contributions/C-0001.md : auteur « Hortense Zyzzyva »" in dry.stdout
    assert "Zyzzyva" in c1.read_text(encoding="utf-8")  # nothing written

    r = cli("-C", two, "erase", "--auteur", "Hortense Zyzzyva")
    assert r.exit_code == 0, r.output
    assert "régénéré : site" in r.stdout and "régénéré : export" in r.stdout
    assert "contributions/C-0002.md" in r.stderr and "à relire" in r.stderr  # listed for review, not edited
    assert "Zyzzyva" not in c1.read_text(encoding="utf-8")  # the comment scrubbed too
    outputs = everything(two / "site", two / "export", two / "prive")
    assert "Zyzzyva" not in outputs and "hortense@example.org" not in outputs
    assert cli("-C", two, "check").exit_code == 0

    # the same export under another name, and with --update: she does not come back
    copy = write_bytes(tmp_path / "autre-nom.csv", export.read_bytes())
    for args in ((copy,), (copy, "--update"), (export, "--update")):
        r = cli("-C", two, "contributions", "import", *args)
        assert r.exit_code == 0, r.output
        assert "0 importée" in r.stdout
    # a changed row of hers (no id this time, so a new record): skipped, with a message
    changed = write_bytes(
        tmp_path / "nouveau.csv", b"auteur;courriel;commune;texte\nH. Z.;Hortense@example.org;Lille;Encore moi.\n"
    )
    r = cli("-C", two, "contributions", "import", changed)
    assert r.exit_code == 0, r.output
    assert "personne effacée le" in r.stderr and "0 importée" in r.stdout
    assert r.stderr.count("ligne ignorée") == 1, r.stderr  # said once, not twice on one line
    # in no file of the consultation: contributions, prive/, documents, site, export, cache
    assert "zyzzyva" not in everything(two).casefold()
    assert "hortense@example.org" not in everything(two).casefold()


def test_check_names_outputs_left_with_an_erased_identity(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "formulaire.csv", NAMED.encode())
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    elsewhere = tmp_path / "web"
    for contribution in contribution_files(two):
        contribution.write_text(
            contribution.read_text(encoding="utf-8").replace("publication: false", "publication: true"),
            encoding="utf-8",
        )
    assert cli("-C", two, "site", "--out", elsewhere).exit_code == 0
    saved = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    r = cli("-C", two, "erase", "C-0001")
    assert r.exit_code == 0, r.output
    assert f"régénéré : site ({elsewhere})" in r.stdout  # where it was built
    assert "Zyzzyva" not in everything(elsewhere)
    assert cli("-C", two, "check").exit_code == 0
    # an old copy of the site put back (a backup restored): check names the files
    for path, data in saved.items():
        path.write_bytes(data)
        os.utime(path, (1_600_000_000, 1_600_000_000))
    r = cli("-C", two, "check")
    assert r.exit_code == 1, r.output
    assert "contient encore l'identité d'une personne effacée" in r.output
    assert "Zyzzyva" not in r.output  # the name itself is never printed


def test_an_ambiguous_name_is_refused(two: Path, tmp_path: Path) -> None:
    rows = (
        "auteur;courriel;commune;texte\nCamille;camille.a@example.org;Lille;Un premier "
        "texte.\nCamille;camille.b@example.org;Douai;Un autre texte.\n"
    )
    assert cli("-C", two, "contributions", "import", write_bytes(tmp_path / "f.csv", rows.encode())).exit_code == 0
    before = {p: p.read_bytes() for p in two.rglob("*") if p.is_file() and ".ateliers-cache" not in p.parts}
    r = cli("-C", two, "erase", "--auteur", "Camille")
    assert r.exit_code == 1
    assert "« Camille » désigne 2 personnes différentes : rien n'a été effacé" in r.stderr
    assert "C-0001" in r.stderr and "C-0002" in r.stderr
    assert {p: p.read_bytes() for p in two.rglob("*") if p.is_file() and ".ateliers-cache" not in p.parts} == before
    key = ContributorRegister(two).rows["C-0002"]["personne"]
    r = cli("-C", two, "erase", "--personne", key)
    assert r.exit_code == 0, r.output
    assert [f.name for f in contribution_files(two) if front(f).get("efface")] == ["C-0002.md"]


# --- issue 11, item 9: a failed import changes nothing, prive/ included -------------------------


def test_a_failed_import_changes_nothing_not_even_prive(two: Path, tmp_path: Path) -> None:
    """The disk refuses a file half-way (here: a size limit, as a full disk would): the
    contributions and their personal details are one change, all or nothing."""
    import resource
    import subprocess
    import sys

    big = "Un très long courrier. " * 4_000  # ~92 KB: over the limit below
    rows = (
        "nom;courriel;commune;texte\nDupont;jeanne@example.org;Lille;Un texte "
        f"court.\nMartin;paul@example.org;Douai;{big}\n"
    )
    export = write_bytes(tmp_path / "gros.csv", rows.encode())
    before = {p: p.read_bytes() for p in two.rglob("*") if p.is_file()}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    r = subprocess.run(
        [sys.executable, "-m", "ateliers_cli", "-C", str(two), "contributions", "import", str(export)],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "rien n'a été modifié" in r.stderr and "Traceback" not in r.stderr
    after = {p: p.read_bytes() for p in two.rglob("*") if p.is_file() and ".ateliers-cache" not in p.parts}
    assert after == {p: d for p, d in before.items() if ".ateliers-cache" not in p.parts}
    assert not (two / "prive" / "contributeurs.csv").exists()
    assert cli("-C", two, "check").exit_code == 0


# --- issue 11, item 11: import with personal columns is linear ----------------------------------


def test_import_work_grows_linearly_with_personal_columns(tmp_path: Path) -> None:
    """The work of planning an import with personal columns, counted as the lines Python
    executes in the importer and in store/ (deterministic, unlike a time), grows as the rows:
    ×4 rows gives ×4 work. The set of new ids once rebuilt for each row of the register
    made it grow as the square (×16 for that part)."""
    import sys

    from ateliers_cli.importers.contributions import ImportOptions, plan_import
    from ateliers_cli.load import load

    package = str(Path(persons.__file__).resolve().parent.parent)
    watched = (os.path.join(package, "importers", "contributions.py"), os.path.join(package, "store") + os.sep)

    def work_for(n: int) -> int:
        root = new_consultation(tmp_path, TWO_TERRITORIES, name=f"c{n}")
        lines = ["nom;courriel;telephone;commune;texte"] + [
            f"Nom{i};p{i}@example.org;06 12 34 {i // 100 % 100:02d} {i % 100:02d};Lille;Texte numéro {i} de cette "
            "personne."
            for i in range(n)
        ]
        export = write_bytes(tmp_path / f"e{n}.csv", ("\n".join(lines) + "\n").encode())
        consultation = load(root).consultation
        executed = 0

        def local(frame: object, event: str, arg: object) -> object:
            nonlocal executed
            if event == "line":
                executed += 1
            return local

        def tracer(frame: object, event: str, arg: object) -> object:
            filename = frame.f_code.co_filename  # type: ignore[attr-defined]
            return local if filename.startswith(watched[1]) or filename == watched[0] else None

        sys.settrace(tracer)
        try:
            plan = plan_import(consultation, export, ImportOptions())
        finally:
            sys.settrace(None)
        assert len(plan.new) == n
        return executed

    small, large = work_for(200), work_for(800)
    assert large <= 4.4 * small, (small, large)


# --- several facilitators, one consultation ---------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    import subprocess

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_two_branches_add_and_import_then_merge_without_conflict(two: Path, tmp_path: Path) -> None:
    for name in ("consultation.yaml", "themes.yaml"):  # the examples of « init » filled in
        path = two / name
        path.write_text(
            path.read_text(encoding="utf-8").replace(" (à remplacer)", "").replace("(à remplacer) ", ""),
            encoding="utf-8",
        )
    _git(two, "init", "-q", "-b", "main")
    _git(two, "add", "-A")
    _git(two, "commit", "-q", "-m", "Consultation")
    exports = {
        "arrondissement-lille": "texte;commune\nRouvrir le bureau de poste de Fives.;Lille\nDes bancs au "
        "parc.;Roubaix\n",
        "arrondissement-douai": "texte;commune\nPlus de bus vers la gare.;Douai\nUne piscine ouverte le "
        "soir.;Sin-le-Noble\n",
    }
    for branch, rows in exports.items():
        _git(two, "checkout", "-q", "-b", branch, "main")
        territoire = "lille" if "lille" in branch else "douai"
        for i in range(3):
            r = cli(
                "-C",
                two,
                "contributions",
                "add",
                "--texte",
                f"Courrier {i} reçu à {branch}.",
                "--profil",
                "habitant",
                "--canal",
                "courrier",
                "--territoire",
                territoire,
                "--auteur",
                f"Habitant {i}",
            )
            assert r.exit_code == 0, r.output
        r = cli("-C", two, "contributions", "import", write_bytes(tmp_path / f"{branch}.csv", rows.encode()))
        assert r.exit_code == 0, r.output
        _git(two, "add", "-A")
        _git(two, "commit", "-q", "-m", f"Saisie {branch}")
    _git(two, "checkout", "-q", "main")
    _git(two, "merge", "-q", "--no-edit", "arrondissement-lille")
    _git(two, "merge", "-q", "--no-edit", "arrondissement-douai")  # fails on a conflict
    ids = [front(f)["id"] for f in contribution_files(two)]
    assert len(ids) == 10 and len(set(ids)) == 10
    # each branch its own block: « arrondissement-lille » and « arrondissement-douai » share no prefix
    blocks = {i.rsplit("-", 1)[0] for i in ids}
    assert len(blocks) == 2 and all(b.startswith("C-ARRONDISSE") for b in blocks), ids
    r = cli("-C", two, "check", "--strict")
    assert r.exit_code == 0, r.output
    # back on main, without a block: numbering goes on as before
    r = cli(
        "-C",
        two,
        "contributions",
        "add",
        "--texte",
        "Un dernier courrier.",
        "--profil",
        "habitant",
        "--canal",
        "courrier",
        "--territoire",
        "lille",
        "--auteur",
        "A.",
    )
    assert r.exit_code == 0, r.output
    assert (two / "contributions" / "C-0001.md").is_file()


def test_the_same_record_imported_on_two_branches_is_reported(two: Path, tmp_path: Path) -> None:
    export = write_bytes(tmp_path / "commun.csv", ANONYMOUS_ROWS.encode())
    assert cli("-C", two, "contributions", "import", export).exit_code == 0
    # what a merge of two branches that both imported it leaves: the same rows under other ids
    for f in contribution_files(two):
        twin = f.with_name(f.name.replace("C-", "C-SUD-"))
        twin.write_text(f.read_text(encoding="utf-8").replace("id: C-", "id: C-SUD-"), encoding="utf-8")
    r = cli("-C", two, "check", "--strict")
    assert r.exit_code == 1
    assert "contributions/C-SUD-0001.md" in r.output and "la même ligne de la source que C-0001" in r.output


def test_two_platforms_of_the_same_kind_do_not_mix_their_ids(two: Path, tmp_path: Path) -> None:
    """Two Decidim sites both have a proposal 1156: different exports, different records."""
    consommer = write_bytes(
        tmp_path / "consommer.csv",
        "id,category,title,body\n1156,Alimentation,Des circuits courts,Plus de marchés de producteurs.\n".encode(),
    )
    feamp = write_bytes(
        tmp_path / "feamp.csv",
        "id,title,body,endorsements/total_count,comments\n1156,Les quotas,Quelle aide pour les petits "
        "pêcheurs ?,3,0\n".encode(),
    )
    for export in (consommer, feamp):
        r = cli("-C", two, "contributions", "import", export, "--territoire", "lille")
        assert r.exit_code == 0, r.output
        assert "1 importée" in r.stdout
    r = cli("-C", two, "contributions", "import", feamp, "--territoire", "lille", "--update")
    assert "0 importée, 1 inchangée, 0 modifiée" in r.stdout
    assert "circuits courts" in (two / "contributions" / "C-0001.md").read_text(encoding="utf-8")


WORKSHOP = """\
id: lille-1
titre: Atelier de Lille — Fives
territoire: lille
date: 2026-04-04T14:00
lieu: Maison Folie Moulins
capacite: 10
themes: [theme-exemple]
statut: prevu
"""

REGISTRATIONS = (
    "Nom;Prénom;E-mail;Téléphone;Atelier choisi\n"
    "Zyzzyva;Hortense;HORTENSE@example.org ;;lille-1\n"
    "Durand;Ali;;06 12 34 56 78;lille-1\n"
)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))


def test_a_registrant_has_the_key_of_the_same_person_as_contributor_and_erase_covers_it(
    two: Path, tmp_path: Path
) -> None:
    (two / "ateliers" / "lille-1.yaml").write_text(WORKSHOP, encoding="utf-8")
    assert (
        cli("-C", two, "contributions", "import", write_bytes(tmp_path / "formulaire.csv", NAMED.encode())).exit_code
        == 0
    )
    form = write_bytes(tmp_path / "inscriptions.csv", REGISTRATIONS.encode())
    r = cli("-C", two, "inscriptions", "import", form)
    assert r.exit_code == 0, r.output
    contributors = {row["nom"]: row["personne"] for row in _csv_rows(two / "prive" / "contributeurs.csv")}
    registrants = {row["nom"]: row["personne"] for row in _csv_rows(two / "prive" / "inscriptions.csv")}
    # the same e-mail (another case, a space) as a contributor: the same person, the same key
    assert registrants["Zyzzyva"] == contributors["Zyzzyva"] and registrants["Zyzzyva"].startswith("pers-")
    # someone who only registered: a key of their own, kept by the next import
    assert registrants["Durand"].startswith("pers-") and registrants["Durand"] not in contributors.values()
    assert cli("-C", two, "inscriptions", "import", form).exit_code == 0
    assert {row["nom"]: row["personne"] for row in _csv_rows(two / "prive" / "inscriptions.csv")} == registrants

    # erasing the contributor erases her registration; importing the form again does not bring it back
    r = cli("-C", two, "erase", "--personne", contributors["Zyzzyva"])
    assert r.exit_code == 0, r.output
    assert "1 inscription supprimée" in r.stdout
    r = cli("-C", two, "inscriptions", "import", form)
    assert r.exit_code == 0, r.output
    assert "personne effacée le" in r.stderr and "inscription ignorée" in r.stderr
    assert [row["nom"] for row in _csv_rows(two / "prive" / "inscriptions.csv")] == ["Durand"]
    assert "Zyzzyva" not in everything(two / "prive", two / "ateliers", two / "contributions")

    # someone who only registered is erased by their key too; importing the form again does not bring them back
    durand = registrants["Durand"]
    r = cli("-C", two, "erase", "--personne", durand, "C-0001")
    assert r.exit_code == 1 and "n'a fait que s'inscrire" in r.stderr, r.output
    r = cli("-C", two, "erase", "--personne", durand, "--dry-run")
    assert r.exit_code == 0 and "1 inscription supprimée" in r.stdout, r.output
    assert [row["nom"] for row in _csv_rows(two / "prive" / "inscriptions.csv")] == ["Durand"]
    r = cli("-C", two, "erase", "--personne", durand)
    assert r.exit_code == 0, r.output
    assert f"Personne {durand} effacée : 1 inscription supprimée, aucune contribution." in r.stdout
    assert _csv_rows(two / "prive" / "inscriptions.csv") == []
    r = cli("-C", two, "inscriptions", "import", form)
    assert r.exit_code == 0, r.output
    assert _csv_rows(two / "prive" / "inscriptions.csv") == []
    assert "Durand" not in everything(two / "prive", two / "ateliers", two / "contributions")
    r = cli("-C", two, "erase", "--personne", "pers-inconnue")
    assert r.exit_code == 1 and "ni contribution ni inscription" in r.stderr, r.output
