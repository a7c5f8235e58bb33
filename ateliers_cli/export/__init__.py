"""``ateliers export``: the consultation's open data.

    plan = plan_export(c, out_dir)   # pure: computes every file, checks the SCDL row
    apply_export(plan)               # writes what changed, all or nothing

One CSV (UTF-8, ``,``, formula-safe) and one JSON per public table
(:mod:`ateliers_cli.export.opendata`), the deliberation as an SCDL « Délibérations » row
(:mod:`ateliers_cli.export.scdl`), and a README describing every column, with the
Licence Ouverte 2.0 attribution. Generated from the model alone: ``prive/`` is never read,
so an erased identity is gone from the next export.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ateliers_cli.clock import today
from ateliers_cli.errors import AteliersError, Diagnostic
from ateliers_cli.export import scdl
from ateliers_cli.export.csvsafe import LIST_SEPARATOR, csv_line, to_csv
from ateliers_cli.export.opendata import Table, build_tables, contribution_row, ordered_contributions
from ateliers_cli.fsutil import recover, write_all
from ateliers_cli.model import ANONYMOUS_AUTHOR, Consultation, Contribution
from ateliers_cli.trace import Traceability

SCDL_NAME = "deliberations-scdl"
README = "README.md"
MARKER = "<!-- écrit par « ateliers export » -->"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

__all__ = ["ExportPlan", "apply_export", "build_export", "plan_export"]


@dataclass
class ExportPlan:
    out_dir: Path
    files: dict[str, bytes]
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changes(self) -> dict[str, bytes | None]:
        out: dict[str, bytes | None] = {name: self.files[name] for name in (*self.created, *self.updated)}
        out.update(dict.fromkeys(self.removed))
        return out


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(timespec="minutes") if isinstance(value, dt.datetime) else value.isoformat()
    raise TypeError(f"{type(value).__name__} n'est pas sérialisable")


def _json(rows: list[dict[str, Any]]) -> bytes:
    """A JSON array, one object per line: readable, diffable, and written by the C encoder (fast)."""
    if not rows:
        return b"[]\n"
    lines = ",\n".join(json.dumps(r, ensure_ascii=False, default=_json_default) for r in rows)
    return f"[\n{lines}\n]\n".encode()


def _json_line(row: dict[str, Any]) -> bytes:
    """One object of :func:`_json`'s array, as it writes it."""
    return json.dumps(row, ensure_ascii=False, default=_json_default).encode()


class KeptRows(Protocol):
    """The contributions' rows of an earlier run, kept as their CSV and JSON lines.

    Each is valid while what the row is made of has not changed (the contribution, the one it
    repeats, the rest of the consultation): the keeper knows when (the site's page cache)."""

    def get(self, ct: Contribution) -> tuple[bytes, bytes] | None: ...

    def put(self, ct: Contribution, lines: tuple[bytes, bytes]) -> None: ...


def _contribution_files(c: Consultation, table: Table, kept: KeptRows) -> tuple[bytes, bytes]:
    """``contributions.csv`` and ``.json``, byte for byte what :func:`to_csv` and :func:`_json`
    make of the rows, from the lines kept where they are still valid."""
    trace: Traceability | None = None
    csv_lines: list[bytes] = []
    json_lines: list[bytes] = []
    for ct in ordered_contributions(c):
        lines = kept.get(ct)
        if lines is None:
            trace = trace or Traceability(c)
            row = contribution_row(c, trace, ct)
            lines = (csv_line([row.get(k) for k in table.header]), _json_line(row))
            kept.put(ct, lines)
        csv_lines.append(lines[0])
        json_lines.append(lines[1])
    table.count = len(csv_lines)
    data = to_csv(table.header, []) + b"".join(csv_lines)
    return data, (b"[\n" + b",\n".join(json_lines) + b"\n]\n") if json_lines else b"[]\n"


def known_names() -> set[str]:
    """Every file name an export may write (so that a stale one can be removed, and only those)."""
    from ateliers_cli.model import Consultation as _C

    names = {README, f"{SCDL_NAME}.csv", f"{SCDL_NAME}.json"}
    for t in build_tables(_C()):
        names |= {f"{t.name}.csv", f"{t.name}.json"}
    return names


def build_export(
    c: Consultation,
    load_diagnostics: list[Diagnostic] | None = None,
    *,
    tables_out: list[Table] | None = None,
    kept: KeptRows | None = None,
) -> tuple[dict[str, bytes], int, list[str]]:
    """Every file of the export (name → bytes), the number of rows, notes for the user; the
    tables (their titles and descriptions) appended to ``tables_out`` when given. With
    ``kept``, each contribution's row is taken from there when it is kept, and made (then
    kept) otherwise: the same bytes.

    Raises :class:`AteliersError` listing every SCDL rule the deliberation breaks: an invalid
    row is never written.
    """
    notes: list[str] = []
    tables = build_tables(c, contributions=kept is None)
    if tables_out is not None:
        tables_out.extend(tables)
    files: dict[str, bytes] = {}
    rows = 0
    for t in tables:
        if kept is not None and t.name == "contributions":
            files[f"{t.name}.csv"], files[f"{t.name}.json"] = _contribution_files(c, t, kept)
        else:
            files[f"{t.name}.csv"] = to_csv(t.header, ([r.get(k) for k in t.header] for r in t.rows))
            files[f"{t.name}.json"] = _json(t.rows)
        rows += t.lignes
    scdl_row: dict[str, Any] | None = None
    if scdl.published(c):
        found = scdl.problems(c, load_diagnostics)
        if found:
            raise AteliersError(
                f"la délibération ne respecte pas le schéma SCDL « Délibérations » ({len(found)} "
                f"problème{'s' if len(found) > 1 else ''}) : rien n'est écrit",
                details=found,
                hint="corrigez deliberation.yaml (ou consultation.yaml) aux lignes indiquées, puis relancez « ateliers "
                "export »",
            )
        scdl_row = scdl.row(c)
        notes += scdl.notes(c)
        files[f"{SCDL_NAME}.csv"] = to_csv(scdl.COLUMNS, [[scdl_row[k] for k in scdl.COLUMNS]])
        files[f"{SCDL_NAME}.json"] = _json([scdl_row])
        rows += 1
    else:
        notes.append("pas de séance dans deliberation.yaml : pas encore de ligne SCDL « Délibérations »")
    files[README] = readme(c, tables, scdl_row).encode("utf-8")
    return files, rows, notes


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def plan_export(c: Consultation, out_dir: Path, load_diagnostics: list[Diagnostic] | None = None) -> ExportPlan:
    """What ``ateliers export`` would write in ``out_dir``: nothing is written.

    ``load_diagnostics`` (the loader's) let the SCDL check name a value the loader rejected.
    """
    out_dir = out_dir.resolve()
    root = c.root.resolve()
    if out_dir == root or _inside(root, out_dir):
        raise AteliersError(
            f"le dossier d'export « {out_dir} » est celui de la consultation (ou le contient)",
            hint="choisissez un sous-dossier, par exemple --out export",
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise AteliersError(f"« {out_dir} » existe et n'est pas un dossier", hint="choisissez un autre --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not _is_export(out_dir):
        raise AteliersError(
            f"le dossier « {out_dir} » n'est pas vide et ne contient pas un export d'ateliers : rien n'y est écrit",
            hint="choisissez un dossier vide ou nouveau ; un export précédent y est reconnu à son README.md",
        )
    files, rows, notes = build_export(c, load_diagnostics)
    plan = ExportPlan(out_dir, files, rows, notes=notes)
    for name, data in files.items():
        target = out_dir / name
        if not target.exists():
            plan.created.append(name)
        elif target.read_bytes() != data:
            plan.updated.append(name)
    if out_dir.is_dir():
        for name in sorted(known_names() - set(files)):
            if (out_dir / name).exists():
                plan.removed.append(name)
    return plan


def _is_export(out_dir: Path) -> bool:
    try:
        return MARKER in (out_dir / README).read_text(encoding="utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return False


def apply_export(plan: ExportPlan) -> None:
    """Write what changed, all or nothing (an interrupted export is finished by the next one)."""
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    if _is_export(plan.out_dir):
        recover(plan.out_dir)
    if plan.changes:
        write_all(plan.out_dir, plan.changes)


# --- the README ----------------------------------------------------------------------------


def _fr_date(d: dt.date) -> str:
    from ateliers_cli.render.french import date_longue

    return date_longue(d)


def readme(c: Consultation, tables: list[Table], scdl_row: dict[str, Any] | None) -> str:
    col = c.collectivite
    producer = col.nom or "la collectivité"
    day = today()
    when = _fr_date(day)
    titre = c.titre or c.id
    lines = [
        MARKER,
        f"# Données ouvertes — {titre}",
        "",
        (
            f"Les données publiques de la consultation « {titre} » ({producer}), conduite selon la démarche des "
            "*Ateliers Citoyens* : contributions, thèmes, ateliers, propositions, regroupements, orientations, "
            f"décisions de l'assemblée ({c.conseil}), restitutions et étapes de la démarche. "
            f"Export du {when} ({day.isoformat()})."
        ),
        "",
        "## Licence et mention de la source",
        "",
        (
            f"Producteur : {producer}. Ces données sont publiées sous la **Licence Ouverte / Open Licence version "
            f"2.0** d'Etalab ({LICENCE_URL}). Vous pouvez les copier, les modifier, les diffuser et les réutiliser, y "
            "compris à des fins commerciales, à condition d'en mentionner la source et la date de dernière mise à "
            "jour, par exemple :"
        ),
        "",
        f"> {producer} — consultation « {titre} », données mises à jour le {day.isoformat()}. Licence Ouverte 2.0.",
        "",
        "## Les fichiers",
        "",
        "Chaque table est donnée deux fois : en CSV et en JSON (une liste d'objets, mêmes noms de colonnes).",
        "",
        (
            "- Encodage UTF-8 (sans BOM), séparateur « , », guillemets doubles autour des valeurs qui contiennent une "
            "virgule, un guillemet ou un retour à la ligne, fins de ligne CRLF (RFC 4180)."
        ),
        "- Dates au format ISO 8601 : `AAAA-MM-JJ` ; dates et heures `AAAA-MM-JJTHH:MM` (heure de Paris).",
        f"- Listes : valeurs séparées par « {LIST_SEPARATOR.strip()} » dans le CSV, vraies listes dans le JSON.",
        "- Booléens : `true` ou `false` ; une cellule vide veut dire « non renseigné ».",
        (
            "- Sécurité : dans les CSV, une valeur qui commencerait par `=`, `+`, `-`, `@`, une tabulation ou un "
            "retour chariot est précédée d'une apostrophe `'`, pour qu'un tableur l'affiche comme du texte au lieu de "
            "l'exécuter comme une formule (recommandation de l'OWASP sur l'injection de formules). Le JSON donne les "
            "valeurs telles quelles."
        ),
        "- Ouvrir un CSV dans Excel : Données > À partir d'un fichier texte/CSV, origine « 65001 : Unicode (UTF-8) ».",
        "",
        "| fichier | contenu | lignes |",
        "|---|---|---:|",
    ]
    for t in tables:
        lines.append(f"| `{t.name}.csv`, `{t.name}.json` | {t.title} | {t.lignes} |")
    if scdl_row is not None:
        lines.append(
            f"| `{SCDL_NAME}.csv`, `{SCDL_NAME}.json` | La délibération, au format SCDL « Délibérations » | 1 |"
        )
    lines += [
        "",
        "## Données personnelles",
        "",
        (
            "Les noms, courriels, téléphones et adresses des contributeurs et des inscrits ne sont jamais publiés. Le "
            "nom public (ou pseudonyme), l'organisation, le titre et le texte d'une contribution ne figurent que si "
            "son auteur a consenti à être cité (`publication` vaut `true`) ; une adresse électronique ou un numéro de "
            "téléphone resté dans un texte y est remplacé par « [courriel retiré] » ou « [téléphone retiré] ». Quand "
            "une personne a demandé l'effacement de son identité, sa contribution reste comptée mais son auteur "
            f"devient « {ANONYMOUS_AUTHOR} » et son titre et son texte ne sont plus publiés (`anonymisee` vaut "
            "`true`). Les ateliers ne donnent que des nombres d'inscrits et de présents."
        ),
        "",
    ]
    for t in tables:
        lines += [f"## `{t.name}.csv` — {t.title}", "", t.doc, "", "| colonne | type | description |", "|---|---|---|"]
        lines += [f"| `{col_.name}` | {col_.kind} | {col_.doc} |" for col_ in t.columns]
        lines.append("")
    lines += [
        f"## `{SCDL_NAME}.csv` — La délibération (SCDL « Délibérations »)",
        "",
        (
            f"La délibération de l'assemblée ({c.conseil}) qui a adopté la politique, au format national du Socle "
            f"commun des données locales : schéma `{scdl.SCHEMA}` version {scdl.SCHEMA_VERSION} ({scdl.SCHEMA_URL}), "
            "mêmes colonnes dans le même ordre. Avant d'écrire la ligne, `ateliers export` en vérifie les règles "
            "(SIRET à 14 chiffres, code de matière ACTES de niveau 2 et son nom, dates ISO, date de préfecture "
            "postérieure à la séance, budget avec son année, VOTE_REEL = VOTE_POUR + VOTE_CONTRE + VOTE_ABSTENTION ≤ "
            "VOTE_EFFECTIF) et refuse une ligne invalide. Le fichier peut être contrôlé avec le validateur Validata "
            "(https://validata.fr)."
        ),
        "",
    ]
    if scdl_row is None:
        lines += ["*Pas encore de délibération : le fichier sera écrit quand deliberation.yaml aura sa séance.*", ""]
    lines += ["| colonne | type | description |", "|---|---|---|"]
    lines += [f"| `{name}` | {scdl.DOCS[name][0]} | {scdl.DOCS[name][1]} |" for name in scdl.COLUMNS]
    lines += ["", f"Fichiers produits par `ateliers export` à partir du dossier de la consultation « {c.id} »."]
    return "\n".join(lines) + "\n"
