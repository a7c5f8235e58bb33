"""Time every command of ateliers at several sizes, beside the floors measured in the same run.

    python bench/run.py --sizes 1000,10000           # the table
    python bench/run.py --sizes 100000 --only check  # one command at one size
    python bench/run.py --mkdocs                     # also time « mkdocs build » (needs mkdocs)

For each size N it builds a consultation of N contributions from the bundled example
(bench/generate.py), then runs each command as a separate process, as a user would,
measuring wall time and peak memory (the child's maxrss). The floors:

- « parse »: read every file and parse its YAML front matter with libyaml (bench/floor_parse.py);
- « build »: parse + Markdown + Jinja2 + write one HTML page per contribution (bench/floor_build.py),
  into an empty folder each time, as « render » from nothing and « site » write theirs;
- « mkdocs »: ``mkdocs build`` of the same pages, when mkdocs is installed.

Targets (issue « At scale »): check ≤ 1.5× parse, repeated check ≤ 0.2× parse,
render and site ≤ 1.5× build, every command < 1.5 GB at 100 000; issue « People and sources »:
« contributions import (colonnes perso.) » — the rows with a form's personal columns, one person
in ten writing twice — ≤ 1.5× build, which it writes as many files as:

    python bench/run.py --sizes 10000,100000 --only import --runs 3 --dossier /dev/shm
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import generate

PY = sys.executable
ATELIERS = [PY, "-m", "ateliers_cli"]


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    ok: bool
    note: str = ""


def measure(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measure:
    """Run ``cmd`` once; wall time and the child's peak resident memory."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("SOURCE_DATE_EPOCH", "1795000000")
    # Output goes to files, not pipes: a child writing more than a pipe holds (64 KB) would
    # block forever while we wait for it to end.
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=out_f, stderr=err_f)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        out_f.seek(0)
        err_f.seek(0)
        out = out_f.read().decode(errors="replace")
        err = err_f.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    note = "" if code == 0 else (err.strip().splitlines() or out.strip().splitlines() or [f"code {code}"])[-1][:80]
    return Measure(elapsed, usage.ru_maxrss / 1024, code == 0, note)


def best_of(runs: int, fn: Callable[[], Measure]) -> Measure:
    results = [fn() for _ in range(runs)]
    return min(results, key=lambda m: m.seconds)


def has_command(*words: str) -> bool:
    r = subprocess.run([*ATELIERS, *words, "--help"], capture_output=True, check=False)
    return r.returncode == 0


PERSONAL_COLUMNS = ["Nom", "Prénom", "Courriel", "Téléphone", "Commune"]


def write_import_csv(consultation: Path, target: Path, *, personal: bool = False) -> None:
    """A French Excel-like CSV of the consultation's contributions (;, UTF-8 BOM).

    With ``personal``, the columns of a form that asks who you are (name, e-mail, phone,
    commune): one person in ten writes twice, with the same e-mail (their person key)."""
    import csv

    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with target.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(
            [
                "Identifiant",
                "Date",
                "Profil",
                "Arrondissement",
                "Pseudonyme",
                "J'accepte d'être cité",
                "Votre contribution",
                *(PERSONAL_COLUMNS if personal else []),
            ]
        )
        for i, path in enumerate(sorted((consultation / "contributions").glob("*.md")), 1):
            _, fm, body = path.read_text(encoding="utf-8").split("---\n", 2)
            data = yaml.load(fm, Loader=loader)
            row = [
                f"F{i}",
                str(data["date"]),
                data["profil"],
                data["territoire"],
                data["auteur"],
                "oui" if data["publication"] else "non",
                body.strip(),
            ]
            if personal:
                who = i - 1 if i % 10 == 0 else i  # every tenth row: the previous row's person again
                row += [
                    f"Nom{who}",
                    f"Prénom{who}",
                    f"personne{who}@exemple.fr",
                    f"06 {who // 1_000_000 % 100:02d} {who // 10_000 % 100:02d} {who // 100 % 100:02d} {who % 100:02d}",
                    "Lille",
                ]
            w.writerow(row)


def run(
    sizes: list[int], only: set[str] | None, runs: int, use_mkdocs: bool, keep: bool, where: str | None = None
) -> list[tuple[str, int, Measure, str, float | None]]:
    rows: list[tuple[str, int, Measure, str, float | None]] = []
    work = Path(tempfile.mkdtemp(prefix="ateliers-bench-", dir=where))

    def want(name: str) -> bool:
        return only is None or name in only

    try:
        for n in sizes:
            base = generate(n, work / f"c{n}")
            print(f"— {n} contributions ({base})", flush=True)
            parse = best_of(runs, lambda base=base: measure([PY, str(BENCH / "floor_parse.py"), str(base)]))
            def build_floor(n: int = n, base: Path = base) -> Measure:
                # into an empty folder, as « render à vide » and « site » (which builds beside, then swaps)
                shutil.rmtree(work / f"floor{n}", ignore_errors=True)
                return measure([PY, str(BENCH / "floor_build.py"), str(base), str(work / f"floor{n}")])

            build = best_of(runs, build_floor)
            rows.append(("plancher : lecture + libyaml", n, parse, "", None))
            rows.append(("plancher : + Markdown + Jinja2 + écriture (dossier vide)", n, build, "", None))
            if use_mkdocs and shutil.which("mkdocs"):
                site = work / f"mk{n}"
                (site / "docs").mkdir(parents=True)
                for p in sorted((base / "contributions").glob("*.md")):
                    (site / "docs" / p.name).write_text(
                        p.read_text(encoding="utf-8").split("---\n", 2)[2], encoding="utf-8"
                    )
                (site / "mkdocs.yml").write_text("site_name: bench\n", encoding="utf-8")
                rows.append(("mkdocs build (mêmes pages)", n, measure(["mkdocs", "build", "-q"], cwd=site), "", None))

            def step(
                name: str,
                cmd: list[str],
                floor: Measure | None,
                floor_name: str,
                cwd: Path | None = None,
                key: str | None = None,
                *,
                remove: tuple[Path, ...] = (),
                before: Callable[[], None] | None = None,
                n: int = n,
            ) -> Measure | None:
                """Measure ``cmd`` (best of ``runs``); ``remove``: folders deleted before each run;
                ``before``: called before each run (to change a file)."""
                if not want(key or name.split()[0]):
                    return None

                def once() -> Measure:
                    for folder in remove:
                        shutil.rmtree(folder, ignore_errors=True)
                    if before is not None:
                        before()
                    return measure(cmd, cwd=cwd)

                m = best_of(runs, once)
                ratio = m.seconds / floor.seconds if floor else None
                rows.append((name, n, m, floor_name, ratio))
                print(
                    f"  {name:<32} {m.seconds:7.2f} s  {m.peak_mb:7.0f} Mo"
                    + (f"  {ratio:4.2f}× {floor_name}" if ratio else "")
                    + ("" if m.ok else f"  ÉCHEC : {m.note}"),
                    flush=True,
                )
                return m

            cache = base / ".ateliers-cache"
            shutil.rmtree(cache, ignore_errors=True)
            step("check (sans cache)", [*ATELIERS, "-C", str(base), "check", "--no-cache"], parse, "parse")
            measure([*ATELIERS, "-C", str(base), "check"])  # fills the cache
            time.sleep(2.1)  # past the « racy » window, as a real second run would be
            measure([*ATELIERS, "-C", str(base), "check"])
            step("check (répété, cache)", [*ATELIERS, "-C", str(base), "check"], parse, "parse")
            step("status", [*ATELIERS, "-C", str(base), "status"], parse, "parse")

            walked = work / f"w{n}"
            shutil.copytree(base, walked)
            shutil.rmtree(walked / ".ateliers-cache", ignore_errors=True)
            if want("advance") or want("render") or want("site") or want("export"):  # these need the seven stages
                m = measure([*ATELIERS, "-C", str(walked), "advance", "--allow-dirty"])
                if want("advance"):
                    rows.append(("advance (appel → lancement)", n, m, "", None))
                    print(
                        f"  {'advance (appel → lancement)':<32} {m.seconds:7.2f} s  {m.peak_mb:7.0f} Mo"
                        + ("" if m.ok else f"  ÉCHEC : {m.note}"),
                        flush=True,
                    )
                for _ in range(6):
                    measure([*ATELIERS, "-C", str(walked), "advance", "--allow-dirty"])
            render = [*ATELIERS, "-C", str(walked), "render"]
            # from nothing: no documents/ and no cache at all (every PDF made again) …
            step(
                "render (à vide, sans cache)",
                render,
                build,
                "build",
                remove=(walked / "documents", walked / ".ateliers-cache"),
            )
            # … documents/ removed, the cache of the previous run kept (what a user's second render finds)
            step("render (à vide, cache gardé)", render, build, "build", remove=(walked / "documents",))
            step("render (rien n'a changé)", render, build, "build")
            if has_command("site"):
                site_cmd = [*ATELIERS, "-C", str(walked), "site", "--out", str(work / f"site{n}")]
                pages = walked / ".ateliers-cache" / "pages"
                full = step("site (à vide)", site_cmd, build, "build", remove=(work / f"site{n}", pages))
                # the previous site kept: unchanged pages are linked from it, not written again
                step("site (site précédent gardé)", site_cmd, build, "build")
                # one contribution changed: only the pages that depend on it are made again
                changed = sorted((walked / "contributions").glob("C-*.md"))[n // 2]
                edits = iter(range(1_000_000))

                def edit_one(changed: Path = changed, edits: Iterator[int] = edits) -> None:
                    with changed.open("a", encoding="utf-8") as f:
                        f.write(f"\nUne phrase ajoutée ({next(edits)}).\n")

                if full is not None:
                    step("site (une contribution modifiée)", site_cmd, full, "site à vide", before=edit_one)
            if has_command("export") and want("export"):
                step(
                    "export",
                    [*ATELIERS, "-C", str(walked), "export", "--out", str(work / f"export{n}")],
                    parse,
                    "parse",
                )
            if has_command("themes", "suggest") and want("themes"):
                step(
                    "themes suggest",
                    [
                        *ATELIERS,
                        "-C",
                        str(base),
                        "themes",
                        "suggest",
                        "--out",
                        str(work / f"themes{n}.yaml"),
                        "--force",
                    ],
                    parse,
                    "parse",
                )
                step(
                    "themes tag --toutes", [*ATELIERS, "-C", str(base), "themes", "tag", "--toutes"], parse, "parse"
                )  # the copies are analysed already: --toutes scores them all
            if has_command("contributions", "doublons") and want("doublons"):
                step(
                    "contributions doublons",
                    [*ATELIERS, "-C", str(base), "contributions", "doublons"],
                    parse,
                    "parse",
                    key="doublons",
                )
            if has_command("contributions", "import") and want("import"):
                csv_path = work / f"import{n}.csv"
                write_import_csv(base, csv_path)
                fresh = work / f"fresh{n}"
                subprocess.run([*ATELIERS, "init", str(fresh)], check=True, capture_output=True)
                shutil.copy(base / "consultation.yaml", fresh / "consultation.yaml")
                maps = [
                    "--map",
                    "cle=Identifiant",
                    "--map",
                    "date=Date",
                    "--map",
                    "profil=Profil",
                    "--map",
                    "territoire=Arrondissement",
                    "--map",
                    "auteur=Pseudonyme",
                    "--map",
                    "publication=J'accepte d'être cité",
                    "--map",
                    "texte=Votre contribution",
                ]
                step(
                    "contributions import",
                    [*ATELIERS, "-C", str(fresh), "contributions", "import", str(csv_path), *maps],
                    parse,
                    "parse",
                    key="import",
                    # a first import: what the previous run left (its contributions, and the cache of
                    # their parsed headers, stale once they are gone) is removed before each run
                    remove=(fresh / "contributions", fresh / "prive", fresh / ".ateliers-cache"),
                )
                # the same rows with the personal columns of a form: written to prive/, one key per person
                personal_csv = work / f"import{n}-perso.csv"
                write_import_csv(base, personal_csv, personal=True)
                step(
                    "contributions import (colonnes perso.)",
                    [*ATELIERS, "-C", str(fresh), "contributions", "import", str(personal_csv), *maps],
                    build,
                    "build",
                    key="import",
                    # a first import: what the previous run left (its contributions, and the cache of
                    # their parsed headers, stale once they are gone) is removed before each run
                    remove=(fresh / "contributions", fresh / "prive", fresh / ".ateliers-cache"),
                )
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def print_table(rows: list[tuple[str, int, Measure, str, float | None]]) -> None:
    print()
    print(f"| {'commande':<42} | {'N':>7} | {'secondes':>8} | {'pic Mo':>7} | {'rapport au plancher':<22} |")
    print(f"|{'-' * 44}|{'-' * 9}|{'-' * 10}|{'-' * 9}|{'-' * 24}|")
    for name, n, m, floor_name, ratio in rows:
        r = f"{ratio:.2f}× {floor_name}" if ratio is not None else ""
        if not m.ok:
            r = f"ÉCHEC {m.note}"[:22]
        print(f"| {name:<42} | {n:>7} | {m.seconds:>8.2f} | {m.peak_mb:>7.0f} | {r:<22} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default="1000,10000", help="tailles, séparées par des virgules (défaut : 1000,10000)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="commandes à mesurer (check,status,advance,render,site,export,themes,doublons,import)",
    )
    parser.add_argument("--runs", type=int, default=1, help="répétitions ; la meilleure est gardée (défaut : 1)")
    parser.add_argument("--mkdocs", action="store_true", help="mesurer aussi « mkdocs build » des mêmes pages")
    parser.add_argument("--keep", action="store_true", help="garder les dossiers de travail")
    parser.add_argument(
        "--dossier",
        default=None,
        help="où créer les dossiers de travail (défaut : le dossier temporaire du système) ; "
        "/dev/shm mesure le calcul sans le bruit du disque, qui peut à lui seul tripler le temps "
        "d'écrire 10 000 fichiers d'une mesure à l'autre",
    )
    args = parser.parse_args()
    # The tool as pip installs it: its modules compiled once (pip byte-compiles at install time). From a
    # source checkout, with PYTHONDONTWRITEBYTECODE set, every command would otherwise compile them again.
    compileall.compile_dir(str(REPO / "ateliers_cli"), quiet=1)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cœurs, dossiers dans "
        f"{args.dossier or tempfile.gettempdir()}",
        flush=True,
    )
    print_table(run(sizes, only, args.runs, args.mkdocs, args.keep, args.dossier))


if __name__ == "__main__":
    main()
