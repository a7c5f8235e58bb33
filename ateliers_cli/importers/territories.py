"""From a commune, a postcode or a territory's name to one of the consultation's territories.

The consultation lists, per territory, its ``communes`` and ``codes_postaux``
(consultation.yaml); a table can complete them (``--communes FICHIER`` with
columns commune / code_postal / territoire). Nothing is guessed: a value that
matches no territory, or several, is reported with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ateliers_cli.errors import AteliersError, error
from ateliers_cli.hints import closest, did_you_mean
from ateliers_cli.importers.readers import read_table
from ateliers_cli.importers.util import fold, plural
from ateliers_cli.model import Consultation


def commune_key(name: str) -> str:
    """« Saint-Amand-les-Eaux », « ST AMAND LES EAUX » and « saint amand les eaux » are one commune."""
    f = fold(name)
    f = re.sub(r"\bcedex\b.*$", "", f)
    f = re.sub(r"\(.*?\)", " ", f)
    f = re.sub(r"[-'’_./]", " ", f)
    f = re.sub(r"\bste\b", "sainte", f)
    f = re.sub(r"\bst\b", "saint", f)
    return " ".join(f.split())


def postcode_key(value: str) -> str | None:
    """``59000``, ``59 000``, ``8000`` (a lost leading zero): the five digits, or None."""
    digits = re.sub(r"[\s.]", "", value)
    if re.fullmatch(r"\d{4}", digits):
        digits = "0" + digits
    return digits if re.fullmatch(r"\d{5}", digits) else None


@dataclass
class Resolution:
    territoire: str = ""
    problem: str = ""  # why no territory (empty when resolved or nothing was given)
    hint: str = ""
    given: bool = False  # a value was present in the row


class TerritoryIndex:
    """The territories, their names, communes and postcodes, ready for lookups."""

    def __init__(self, c: Consultation) -> None:
        self.ids = list(c.territoires)
        self.by_name: dict[str, set[str]] = {}
        self.by_commune: dict[str, set[str]] = {}
        self.by_postcode: dict[str, set[str]] = {}
        self.commune_names: dict[str, str] = {}
        for t in c.territoires.values():
            self.by_name.setdefault(fold(t.id), set()).add(t.id)
            if t.nom:
                self.by_name.setdefault(fold(t.nom), set()).add(t.id)
            for com in t.communes:
                self.add_commune(com, t.id)
            for cp in t.codes_postaux:
                key = postcode_key(str(cp))
                if key:
                    self.by_postcode.setdefault(key, set()).add(t.id)

    def add_commune(self, name: str, territoire: str) -> None:
        key = commune_key(name)
        if key:
            self.by_commune.setdefault(key, set()).add(territoire)
            self.commune_names.setdefault(key, name)

    @property
    def single(self) -> str | None:
        return self.ids[0] if len(self.ids) == 1 else None

    def load_table(self, path: Path, shown: str | None = None) -> int:
        """Add a commune / postcode → territory table; returns the number of rows read."""
        name = shown or str(path)
        table = read_table(path, name)
        cols = {fold(c): c for c in table.columns}

        def col(*names: str) -> str | None:
            for n in names:
                if n in cols:
                    return cols[n]
            return None

        c_commune = col("commune", "nom commune", "nom_commune", "nom de la commune", "libelle", "ville")
        c_cp = col("code_postal", "code postal", "cp", "code_post")
        c_terr = col("territoire", "arrondissement", "id territoire", "territoire id")
        if c_terr is None or (c_commune is None and c_cp is None):
            raise AteliersError(
                "table des communes : colonnes « commune » et/ou « code_postal », et « territoire » attendues",
                path=name,
                line=table.header_line,
                hint="colonnes du fichier : " + ", ".join(f"« {c} »" for c in table.columns),
            )
        problems = []
        for row in table.rows:
            raw_t = row.get(c_terr)
            terr = self.territory_by_name(raw_t)
            if terr is None:
                problems.append(
                    error(
                        name,
                        row.line,
                        f"territoire « {raw_t} » inconnu de consultation.yaml",
                        did_you_mean(raw_t, self.ids) or "territoires : " + ", ".join(self.ids),
                    )
                )
                continue
            if c_commune and row.get(c_commune):
                self.add_commune(row.get(c_commune), terr)
            if c_cp and row.get(c_cp):
                key = postcode_key(row.get(c_cp))
                if key is None:
                    problems.append(
                        error(name, row.line, f"code postal « {row.get(c_cp)} » invalide (5 chiffres attendus)")
                    )
                else:
                    self.by_postcode.setdefault(key, set()).add(terr)
        if problems:
            raise AteliersError(
                f"table des communes : {plural(len(problems), 'ligne invalide', 'lignes invalides')}",
                path=name,
                details=problems,
            )
        return len(table.rows)

    def _add_commune_hint(self, commune: str) -> str:
        """How to attach an unknown commune; a known one is suggested only for a near-identical spelling."""
        example = self.ids[0] if self.ids else "un-territoire"
        hint = (
            f"ajoutez « {commune} » à la liste « communes » de son territoire dans consultation.yaml "
            f"(ex. sous « - id: {example} » : communes: [{commune}]), ou donnez une table avec --communes FICHIER "
            "(colonnes commune, territoire), puis relancez l'import"
        )
        typo = closest(commune, list(self.commune_names.values()), cutoff=0.85)
        return f"{hint} ; ou est-ce « {typo} » mal orthographiée ?" if typo and typo != commune else hint

    def territory_by_name(self, value: str) -> str | None:
        ids = self.by_name.get(fold(value))
        return next(iter(ids)) if ids and len(ids) == 1 else None

    def resolve(self, territoire: str = "", commune: str = "", code_postal: str = "") -> Resolution:
        """The territory of a row from what it gives, most precise first."""
        given = bool(territoire or commune or code_postal)
        if territoire:
            tid = self.territory_by_name(territoire)
            if tid:
                return Resolution(tid, given=True)
            # a territory column may hold a commune (a Decidim scope often does)
            found = self.by_commune.get(commune_key(territoire), set())
            if len(found) == 1:
                return Resolution(next(iter(found)), given=True)
            if not commune and not code_postal:
                return Resolution(
                    problem=f"territoire « {territoire} » inconnu",
                    hint=did_you_mean(territoire, self.ids) or "territoires : " + ", ".join(self.ids),
                    given=True,
                )
        problems: list[tuple[str, str]] = []
        if commune:
            m = re.match(r"^\s*(\d{4,5})\s+(.+)$", commune)  # « 59000 Lille »
            if m and not code_postal:
                code_postal, commune = m.group(1), m.group(2)
            found = self.by_commune.get(commune_key(commune), set())
            if len(found) == 1:
                return Resolution(next(iter(found)), given=True)
            if len(found) > 1:
                problems.append(
                    (
                        f"commune « {commune} » rattachée à plusieurs territoires ({', '.join(sorted(found))})",
                        "corrigez les listes « communes » de consultation.yaml",
                    )
                )
            else:
                problems.append(
                    (f"commune « {commune} » rattachée à aucun territoire", self._add_commune_hint(commune))
                )
        if code_postal:
            key = postcode_key(code_postal)
            if key is None:
                problems.append((f"code postal « {code_postal} » invalide (5 chiffres attendus)", ""))
            else:
                found = self.by_postcode.get(key, set())
                if len(found) == 1:
                    return Resolution(next(iter(found)), given=True)
                if len(found) > 1:
                    problems.append(
                        (
                            (f"code postal {key} partagé par plusieurs territoires ({', '.join(sorted(found))}) et "
                            "commune absente ou inconnue"),
                            "ajoutez une colonne commune (--map commune=…)",
                        )
                    )
                else:
                    problems.append(
                        (
                            f"code postal {key} rattaché à aucun territoire",
                            ("ajoutez-le aux « codes_postaux » d'un territoire de consultation.yaml, ou donnez une "
                            "table avec --communes"),
                        )
                    )
        if territoire:
            problems.insert(0, (f"territoire « {territoire} » inconnu", ""))
        if not problems:
            return Resolution(given=given)
        return Resolution(
            problem=" ; ".join(p for p, _ in problems), hint=next((h for _, h in problems if h), ""), given=given
        )
