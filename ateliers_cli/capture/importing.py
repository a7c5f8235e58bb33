"""``ateliers saisie import``: a filled template becomes the YAML file it describes.

Every cell is read with the declaration of its key (:mod:`ateliers_cli.schema`): a wrong value
is reported as ``fichier:feuille:ligne`` with what is expected, all at once, and nothing is
written. An existing file is edited in place (ruamel round trip): its comments, its key order
and the keys the template does not cover are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli import schema as S
from ateliers_cli.capture.layouts import FICHE, KINDS, WITH_ID, Column, Sheet, sheets, target
from ateliers_cli.capture.template import ABOUT, ref_lists
from ateliers_cli.errors import AteliersError, Diagnostic, error
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.readers import Table, read_workbook
from ateliers_cli.importers.util import plural
from ateliers_cli.model import Consultation

OBJECTS = {
    "atelier": S.ATELIER,
    "lancement": S.LANCEMENT,
    "synthese": S.SYNTHESE,
    "orientations": S.ORIENTATIONS,
    "deliberation": S.DELIBERATION,
    "restitution": S.RESTITUTION,
}

#: Table sheets whose first column is prefilled by the template: a row with nothing else is skipped.
_PREFILLED = {
    ("atelier", "Productions"),
    ("synthese", "Propositions"),
    ("deliberation", "Avis"),
    ("deliberation", "Décisions"),
}
#: The keys of the file that the template replaces as a whole (the others are kept as they are).
_LIST_KEYS = {
    "atelier": ("productions",),
    "lancement": (),
    "synthese": ("regroupements", "propositions_ecartees"),
    "orientations": ("orientations", "regroupements_ecartes"),
    "deliberation": ("avis", "seance", "vote", "decisions"),
    "restitution": ("retours",),
}


@dataclass
class CapturePlan:
    kind: str
    ident: str
    rel: str  # the file written, relative to the consultation
    source: str  # the workbook, as the user named it
    data: dict[str, Any]  # the values read, in the schema's key order
    text: str = ""  # the new content of ``rel``
    created: bool = False
    unchanged: bool = False
    problems: list[Diagnostic] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class _Reader:
    """The cells of one workbook, converted, with every problem collected."""

    def __init__(self, c: Consultation, shown: str, kind: str) -> None:
        self.c = c
        self.shown = shown
        self.kind = kind
        self.lists = ref_lists(c)
        self.problems: list[Diagnostic] = []

    def problem(self, sheet: str, line: int, message: str, hint: str = "") -> None:
        self.problems.append(error(f"{self.shown}:{sheet}", line, message, hint, "saisie"))

    def convert(self, col: Column, text: str, sheet: str, line: int) -> Any:
        """The value of one cell, typed as its declaration says; None when empty or wrong."""
        text = text.strip()
        if not text:
            return None
        f = col.field
        if col.multi:
            # identifiers are separated by commas; free texts (indicators, who carries a project) by lines
            separators = r"[,;\n]" if col.ref else r"\n"
            items = [x.strip() for x in re.split(separators, text) if x.strip()]
            assert f.items is not None
            out = []
            for x in items:
                v = self._scalar(col, f.items, x, sheet, line)
                if v is not None:
                    out.append(v)
            return out
        return self._scalar(col, f, text, sheet, line)

    def _scalar(self, col: Column, f: S.F, text: str, sheet: str, line: int) -> Any:
        what = f"« {col.header} »"
        t = f.type
        value: Any = text
        if t == "int" or t == "number":
            number = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
            try:
                value = float(number)
            except ValueError:
                self.problem(
                    sheet, line, f"{what} : « {text} » n'est pas un nombre", "écrivez le nombre seul, sans unité"
                )
                return None
            if t == "number" and value.is_integer():
                value = int(value)
            if t == "int":
                if not value.is_integer():
                    self.problem(sheet, line, f"{what} : « {text} » n'est pas un nombre entier")
                    return None
                value = int(value)
            if f.minimum is not None and value < f.minimum:
                self.problem(sheet, line, f"{what} : {text} est inférieur à {f.minimum:g}")
                return None
            return value
        if t == "bool":
            folded = text.casefold()
            if folded in ("oui", "o", "vrai", "true", "x", "1"):
                return True
            if folded in ("non", "n", "faux", "false", "0"):
                return False
            self.problem(sheet, line, f"{what} : « {text} » n'est ni oui ni non")
            return None
        if t in ("date", "datetime"):
            parsed = _date(text)
            if parsed is None:
                example = "2026-03-14" + (" 09:30" if t == "datetime" else "")
                self.problem(
                    sheet,
                    line,
                    f"{what} : « {text} » n'est pas une date",
                    f"écrivez-la ainsi : {example} (ou 14/03/2026" + (" 09:30)" if t == "datetime" else ")"),
                )
                return None
            if t == "date":
                return parsed.date() if isinstance(parsed, dt.datetime) else parsed
            if isinstance(parsed, dt.datetime):
                return parsed.strftime("%Y-%m-%dT%H:%M")
            return parsed.isoformat()
        if t == "text":
            return text + "\n" if "\n" in text else text
        # a one-line text: an identifier, a name, a value from a list
        if f.enum and text not in f.enum:
            hint = did_you_mean(text, f.enum) or "valeurs possibles : " + ", ".join(f.enum)
            self.problem(sheet, line, f"{what} : valeur « {text} » inconnue", hint)
            return None
        if f.pattern and not re.match(f.pattern, text):
            self.problem(
                sheet,
                line,
                f"{what} : « {text} » n'est pas valide",
                f"attendu : {f.pattern_hint}" if f.pattern_hint else "",
            )
            return None
        if col.ref and col.ref in self.lists:
            known = self.lists[col.ref]
            if text not in known and not (col.ref == "regroupements" and self.kind == "synthese"):
                hint = did_you_mean(text, known) or (
                    f"{col.ref} connus : " + ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
                    if known
                    else f"aucun identifiant dans « {col.ref} » pour l'instant"
                )
                self.problem(sheet, line, f"{what} : « {text} » inconnu de la consultation", hint)
                return None
        return text

    # --- sheets -------------------------------------------------------------------------

    def fiche(self, sheet: Sheet, table: Table) -> dict[str, Any]:
        by_key = {col.key: col for col in sheet.columns}
        seen: set[str] = set()
        out: dict[str, Any] = {}
        key_col, value_col = (table.columns + ["", ""])[:2]
        for row in table.rows:
            key = row.get(key_col).strip()
            if not key:
                continue
            col = by_key.get(key)
            if col is None:
                self.problem(
                    sheet.name,
                    row.line,
                    f"clé « {key} » inconnue",
                    did_you_mean(key, by_key) or "ne changez pas la colonne « clé » du modèle",
                )
                continue
            seen.add(key)
            out[key] = self.convert(col, row.get(value_col), sheet.name, row.line)
            if out[key] is None and col.field.required and not row.get(value_col).strip():
                self.problem(sheet.name, row.line, f"« {key} » est obligatoire", col.field.doc)
        for col in sheet.columns:
            if col.key not in seen and col.field.required:
                self.problem(
                    sheet.name,
                    table.header_line,
                    f"ligne « {col.key} » absente de la feuille",
                    "redemandez le modèle : « ateliers saisie modele »",
                )
        return out

    def table(self, sheet: Sheet, table: Table) -> list[tuple[int, dict[str, Any]]]:
        missing = [col.header for col in sheet.columns if not col.info and col.header not in table.columns]
        if missing:
            self.problem(
                sheet.name,
                table.header_line,
                ("colonne absente : " if len(missing) == 1 else "colonnes absentes : ")
                + ", ".join(f"« {m} »" for m in missing),
                "ne renommez pas la première ligne du modèle",
            )
            return []
        items = []
        prefilled = (self.kind, sheet.name) in _PREFILLED
        for row in table.rows:
            read = [col for col in sheet.columns if not col.info]
            filled = [col for col in read if row.get(col.header).strip()]
            if not filled or (prefilled and filled == [read[0]]):
                continue
            item: dict[str, Any] = {}
            for col in read:
                value = self.convert(col, row.get(col.header), sheet.name, row.line)
                if value is not None and value != []:
                    item[col.key] = value
                elif col.field.required and not row.get(col.header).strip():
                    self.problem(sheet.name, row.line, f"« {col.header} » est obligatoire", col.field.doc)
            items.append((row.line, item))
        return items


def _date(text: str) -> dt.date | dt.datetime | None:
    text = text.strip().replace("h", ":") if re.search(r"\d{1,2}h\d{2}", text) else text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
    if m is None:
        m2 = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
        if m2 is None:
            return None
        d, mo, y, h, mi, s = m2.groups()
    else:
        y, mo, d, h, mi, s = m.groups()
    try:
        if h is None:
            return dt.date(int(y), int(mo), int(d))
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError:
        return None


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"inscriptions.inscrits": 40}`` → ``{"inscriptions": {"inscrits": 40}}``; empty values left out."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None or value == []:
            continue
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def _about(tables: dict[str, Table], shown: str) -> dict[str, str]:
    table = tables.get(ABOUT)
    if table is None or len(table.columns) < 2:
        raise AteliersError(
            "ce classeur n'est pas un modèle de saisie (feuille « À propos » absente)",
            path=shown,
            hint="demandez le modèle avec « ateliers saisie modele SORTE », remplissez-le, puis importez-le",
        )
    first, second = table.columns[0], table.columns[1]
    about = {first: second}
    for row in table.rows:
        about[row.get(first).strip()] = row.get(second).strip()
    return about


def plan_capture(c: Consultation, path: Path, shown: str | None = None) -> CapturePlan:
    """Read a filled template; raise with every problem, or return what to write."""
    shown = shown or str(path)
    tables = read_workbook(path, shown)
    about = _about(tables, shown)
    kind = about.get("sorte", "")
    if kind not in KINDS:
        raise AteliersError(
            f"modèle de sorte « {kind} » inconnue", path=f"{shown}:{ABOUT}", hint="sortes : " + ", ".join(KINDS)
        )
    ident = about.get("identifiant", "") if kind in WITH_ID else ""
    if kind in WITH_ID and not re.match(S.SLUG, ident):  # it names the file written: never a path
        raise AteliersError(
            f"identifiant « {ident} » invalide dans la feuille « {ABOUT} »",
            path=f"{shown}:{ABOUT}",
            hint="minuscules sans accents, chiffres et tirets ; demandez un nouveau modèle : « ateliers saisie modele "
            + kind
            + " ID »",
        )
    if about.get("consultation") and about["consultation"] != c.id:
        raise AteliersError(
            f"ce modèle a été écrit pour la consultation « {about['consultation']} », pas pour « {c.id} »",
            path=f"{shown}:{ABOUT}",
            hint="importez-le dans le bon dossier (-C DOSSIER), ou demandez un modèle à cette consultation",
        )
    reader = _Reader(c, shown, kind)
    values: dict[str, Any] = {}
    tables_read: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for sheet in sheets(kind):
        table = tables.get(sheet.name)
        if table is None:
            reader.problem(
                sheet.name,
                0,
                f"feuille « {sheet.name} » absente du classeur",
                "ne renommez ni ne supprimez les feuilles du modèle",
            )
            continue
        if sheet.form == FICHE:
            values.update(reader.fiche(sheet, table))
        else:
            tables_read[sheet.name] = reader.table(sheet, table)
    if kind in WITH_ID:
        given = values.get("id")
        if given and given != ident:
            reader.problem(
                sheets(kind)[0].name,
                0,
                f"« id » vaut « {given} » alors que le modèle est celui de « {ident} »",
                "l'identifiant nomme le fichier : demandez un modèle pour l'autre identifiant",
            )
        values["id"] = ident
    data = _nest(values)
    counts: dict[str, int] = {}
    _ASSEMBLE[kind](reader, data, tables_read, counts, ident)
    rel = target(kind, ident)
    obj = OBJECTS[kind]
    if not reader.problems:
        _clean, diags = S.validate(data, obj, rel)
        for d in diags:
            if d.is_error:
                reader.problems.append(error(shown, 0, d.message, d.hint, "saisie"))
    plan = CapturePlan(kind, ident, rel, shown, _ordered(data, obj), problems=reader.problems, counts=counts)
    if plan.problems:
        raise AteliersError(
            f"{plural(len(plan.problems), 'problème')} dans le classeur : rien n'est écrit",
            path=shown,
            details=plan.problems,
            hint="corrigez ces cases, enregistrez le classeur, puis relancez « ateliers saisie import »",
        )
    from ateliers_cli.capture.yamlwrite import write_text

    existing = c.root / rel
    plan.created = not existing.exists()
    plan.text = write_text(
        existing if existing.exists() else None, plan.data, obj, _replaced_keys(kind), kind, _covered(kind)
    )
    plan.unchanged = existing.exists() and existing.read_text(encoding="utf-8-sig").replace("\r\n", "\n") == plan.text
    return plan


def _replaced_keys(kind: str) -> tuple[str, ...]:
    """Every key the template covers: set from the workbook, or removed when left empty."""
    keys = {col.key.split(".")[0] for sheet in sheets(kind) if sheet.form == FICHE for col in sheet.columns}
    return tuple(sorted(keys | set(_LIST_KEYS[kind])))


def _covered(kind: str) -> frozenset[str]:
    return frozenset(
        col.key for sheet in sheets(kind) if sheet.form == FICHE for col in sheet.columns if "." in col.key
    )


def _ordered(data: dict[str, Any], obj: S.Obj) -> dict[str, Any]:
    """``data`` with its keys in the order of the declaration, recursively."""
    out: dict[str, Any] = {}
    for f in obj.fields:
        if f.name not in data:
            continue
        value = data[f.name]
        sub = f.obj or (f.items.obj if f.items is not None else None)
        if isinstance(value, dict) and sub is not None:
            value = _ordered(value, sub)
        elif isinstance(value, list) and sub is not None:
            value = [_ordered(v, sub) if isinstance(v, dict) else v for v in value]
        out[f.name] = value
    return out


# --- assembling each kind -------------------------------------------------------------


def _atelier(
    r: _Reader, data: dict[str, Any], t: dict[str, list[tuple[int, dict[str, Any]]]], counts: dict[str, int], ident: str
) -> None:
    productions: dict[str, dict[str, Any]] = {}
    for line, row in t.get("Productions", []):
        theme = row.get("theme")
        if theme is None:
            continue
        if theme in productions:
            r.problem(
                "Productions",
                line,
                f"le thème « {theme} » a déjà une ligne",
                "une ligne par thème ; ses propositions vont dans la feuille « Propositions »",
            )
            continue
        productions[theme] = {"theme": theme, **({"reflexions": row["reflexions"]} if "reflexions" in row else {})}
    others = {pid: p.atelier for pid, p in r.c.propositions.items() if p.atelier != ident}
    code = "P-" + re.sub(r"[^A-Z0-9]", "", ident.upper())
    taken = {row.get("id") for _line, row in t.get("Propositions", []) if row.get("id")}
    seen: dict[str, int] = {}
    number = 0
    for line, row in t.get("Propositions", []):
        theme = row.get("theme")
        if theme is None:
            continue
        pid = row.get("id")
        if pid is None:
            number += 1
            while f"{code}-{number:02d}" in taken or f"{code}-{number:02d}" in others:
                number += 1
            pid = f"{code}-{number:02d}"
            taken.add(pid)
        if pid in others:
            r.problem(
                "Propositions",
                line,
                f"l'identifiant « {pid} » est déjà celui d'une proposition de l'atelier « {others[pid]} »",
                "donnez-lui un identifiant unique, ou laissez la case vide pour qu'il soit numéroté",
            )
            continue
        if pid in seen:
            r.problem(
                "Propositions",
                line,
                f"l'identifiant « {pid} » est déjà utilisé ligne {seen[pid]}",
                "un identifiant par proposition",
            )
            continue
        seen[pid] = line
        prop = {"id": pid, **{k: v for k, v in row.items() if k not in ("id", "theme")}}
        productions.setdefault(theme, {"theme": theme}).setdefault("propositions", []).append(prop)
    themes = data.get("themes") or []
    for theme in productions:
        if theme not in themes:
            r.problem(
                "Propositions",
                0,
                f"le thème « {theme} » a une production mais n'est pas dans « themes » de la fiche",
                "ajoutez-le aux thèmes de l'atelier (feuille « Atelier »)",
            )
    if productions:
        data["productions"] = list(productions.values())
    counts["productions"] = len(productions)
    counts["propositions"] = len(seen)


def _synthese(
    r: _Reader, data: dict[str, Any], t: dict[str, list[tuple[int, dict[str, Any]]]], counts: dict[str, int], ident: str
) -> None:
    groups: dict[str, dict[str, Any]] = {}
    for line, row in t.get("Regroupements", []):
        gid = row.get("id")
        if gid is None:
            continue
        if gid in groups:
            r.problem("Regroupements", line, f"le regroupement « {gid} » a déjà une ligne")
            continue
        groups[gid] = dict(row)
    ecartees = []
    for line, row in t.get("Propositions", []):
        pid, gid, motif = row.get("proposition"), row.get("regroupement"), row.get("motif_ecart")
        if pid is None:
            continue
        if gid and motif:
            r.problem(
                "Propositions",
                line,
                f"la proposition « {pid} » a un regroupement et un motif d'écart",
                "choisissez : regroupée ou écartée",
            )
        elif gid:
            if gid not in groups:
                r.problem(
                    "Propositions",
                    line,
                    f"regroupement « {gid} » absent de la feuille « Regroupements »",
                    did_you_mean(gid, groups) or "ajoutez-le d'abord dans la feuille « Regroupements »",
                )
                continue
            groups[gid].setdefault("propositions", []).append(pid)
        elif motif:
            ecartees.append({"proposition": pid, "motif": motif})
    # the order the file already had is kept (a one-line diff in git), new ones after
    before = {gid: g.propositions for gid, g in r.c.regroupements.items()}
    for gid, g in groups.items():
        rank = {pid: i for i, pid in enumerate(before.get(gid, []))}
        g["propositions"] = sorted(g.get("propositions", []), key=lambda pid: rank.get(pid, len(rank)))
    if r.c.synthese is not None:
        rank = {e.ref: i for i, e in enumerate(r.c.synthese.propositions_ecartees)}
        ecartees.sort(key=lambda e: rank.get(e["proposition"], len(rank)))
    for gid, g in groups.items():
        if not g["propositions"]:
            r.problem(
                "Regroupements",
                0,
                f"le regroupement « {gid} » ne contient aucune proposition",
                "choisissez-le dans la colonne « regroupement » de la feuille « Propositions », ou retirez sa ligne",
            )
    if groups:
        data["regroupements"] = list(groups.values())
    if ecartees:
        data["propositions_ecartees"] = ecartees
    counts["regroupements"] = len(groups)
    counts["propositions regroupées"] = sum(len(g["propositions"]) for g in groups.values())
    counts["propositions écartées"] = len(ecartees)


def _orientations(
    r: _Reader, data: dict[str, Any], t: dict[str, list[tuple[int, dict[str, Any]]]], counts: dict[str, int], ident: str
) -> None:
    orientations = [row for _line, row in t.get("Orientations", [])]
    ecartes = [row for _line, row in t.get("Regroupements écartés", [])]
    if orientations:
        data["orientations"] = orientations
    if ecartes:
        data["regroupements_ecartes"] = ecartes
    counts["orientations"] = len(orientations)
    counts["regroupements écartés"] = len(ecartes)


def _deliberation(
    r: _Reader, data: dict[str, Any], t: dict[str, list[tuple[int, dict[str, Any]]]], counts: dict[str, int], ident: str
) -> None:
    avis: dict[str, dict[str, Any]] = {}
    for line, row in t.get("Avis", []):
        m = row.get("commission")
        if m is None:
            continue
        if m in avis:
            r.problem("Avis", line, f"la commission « {m} » a déjà une ligne")
            continue
        avis[m] = dict(row)
    for line, row in t.get("Amendements", []):
        m = row.pop("commission", None)
        if m is None:
            continue
        if m not in avis:
            r.problem(
                "Amendements",
                line,
                f"amendement de la commission « {m} », qui n'a pas d'avis dans la feuille « Avis »",
                "ajoutez d'abord son avis",
            )
            continue
        avis[m].setdefault("amendements", []).append(row)
    if avis:
        data["avis"] = list(avis.values())
    decisions = [row for _line, row in t.get("Décisions", [])]
    if decisions:
        data["decisions"] = decisions
    counts["avis"] = len(avis)
    counts["décisions"] = len(decisions)


def _only_fiche(
    r: _Reader, data: dict[str, Any], t: dict[str, list[tuple[int, dict[str, Any]]]], counts: dict[str, int], ident: str
) -> None:
    return


def _restitution(
    r: _Reader, data: dict[str, Any], t: dict[str, list[tuple[int, dict[str, Any]]]], counts: dict[str, int], ident: str
) -> None:
    retours = [row for _line, row in t.get("Retours", [])]
    if retours:
        data["retours"] = retours
    counts["retours"] = len(retours)


_ASSEMBLE = {
    "atelier": _atelier,
    "lancement": _only_fiche,
    "synthese": _synthese,
    "orientations": _orientations,
    "deliberation": _deliberation,
    "restitution": _restitution,
}


def apply_capture(root: Path, plan: CapturePlan) -> None:
    from ateliers_cli.fsutil import write_all

    if not plan.unchanged:
        write_all(root, {plan.rel: plan.text})
