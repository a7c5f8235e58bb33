"""Classifying contributions without editing files: what ``contributions classer`` and the themes
spreadsheet read back both do.

A classification is a set of decisions (contribution → themes, statut, original of a doublon).
:func:`check_decisions` finds every problem at once (unknown contribution or theme, a doublon
without its original…); :func:`classification_files` turns the decisions into new file contents
where only the ``themes``, ``statut`` and ``doublon_de`` lines change — the other keys, their
order, comments and the text stay byte for byte (:func:`~ateliers_cli.store.front_matter.update_front_matter`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ateliers_cli.errors import AteliersError, Diagnostic, error
from ateliers_cli.hints import did_you_mean
from ateliers_cli.model import Consultation
from ateliers_cli.schema import STATUTS_CONTRIBUTION
from ateliers_cli.store.front_matter import update_front_matter

__all__ = ["Decision", "check_decisions", "classification_files", "parse_theme_list"]


@dataclass(frozen=True)
class Decision:
    """What the analyst decided for one contribution."""

    id: str
    themes: tuple[str, ...] = ()
    statut: str = "analysee"
    doublon_de: str = ""
    where: str = ""
    """Where the decision was read (« classer », or « fichier.xlsx:Classement:12 »), for messages."""
    line: int = 0
    add: bool = False
    """Add the themes to those the contribution already has, instead of replacing them."""
    motif: str = ""
    """Why it is off topic (only with the statut hors_sujet): written as « motif »."""
    redirection: str = ""
    """Where its author can turn (only with hors_sujet): written as « redirection »."""


@dataclass
class Change:
    """One contribution whose front matter changes."""

    id: str
    path: str
    before: tuple[tuple[str, ...], str, str]
    after: tuple[tuple[str, ...], str, str]
    texts: tuple[tuple[str, str], ...] = ()
    """The off-topic texts set by the decision (« motif », « redirection »)."""


@dataclass
class ClassificationPlan:
    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse_theme_list(value: str) -> tuple[str, ...]:
    """« a, b ;c » → ("a", "b", "c"): commas or semicolons, spaces ignored, no repeats."""
    seen: list[str] = []
    for part in value.replace(";", ",").split(","):
        theme = part.strip()
        if theme and theme not in seen:
            seen.append(theme)
    return tuple(seen)


def check_decisions(c: Consultation, decisions: Sequence[Decision]) -> list[Diagnostic]:
    """Every problem of the decisions, at once (nothing is written when there is one)."""
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for d in decisions:
        where = d.where or "classer"

        def add(message: str, hint: str = "", where: str = where, line: int = d.line) -> None:
            problems.append(error(where, line, message, hint))

        if d.id not in c.contributions:
            add(
                f"contribution inconnue : « {d.id} »",
                did_you_mean(d.id, c.contributions) or "« ateliers contributions list » donne les identifiants",
            )
            continue
        if d.id in seen:
            add(
                f"« {d.id} » est classée deux fois (déjà en {seen[d.id]})", "gardez une seule décision par contribution"
            )
        seen[d.id] = f"{where}:{d.line}" if d.line else where
        if d.statut not in STATUTS_CONTRIBUTION:
            add(f"statut inconnu : « {d.statut} »", "un de : " + ", ".join(STATUTS_CONTRIBUTION))
        for theme in d.themes:
            if theme not in c.themes:
                hint = did_you_mean(theme, c.themes) or "les thèmes sont ceux de themes.yaml : " + ", ".join(
                    sorted(c.themes)
                )
                add(f"thème inconnu : « {theme} »", hint)
        if d.statut == "analysee" and not d.themes and not d.add:
            add(
                f"« {d.id} » : le statut analysee demande au moins un thème",
                "donnez --themes, ou --statut hors_sujet / nouvelle",
            )
        if d.statut == "doublon":
            if not d.doublon_de:
                add(
                    f"« {d.id} » : un doublon dit de quelle contribution il est la copie",
                    "--doublon-de ID (colonne « doublon_de » du tableur)",
                )
            elif d.doublon_de not in c.contributions:
                add(
                    f"« {d.id} » : doublon_de « {d.doublon_de} » n'est pas une contribution",
                    did_you_mean(d.doublon_de, c.contributions),
                )
            elif d.doublon_de == d.id:
                add(f"« {d.id} » ne peut pas être le doublon d'elle-même")
        elif d.doublon_de:
            add(f"« {d.id} » : doublon_de n'a de sens qu'avec le statut doublon", "--statut doublon")
        if (d.motif.strip() or d.redirection.strip()) and d.statut != "hors_sujet":
            add(f"« {d.id} » : un motif ou une redirection ne vont qu'avec le statut hors_sujet", "--statut hors_sujet")
    return problems


def plan_classification(c: Consultation, decisions: Sequence[Decision]) -> ClassificationPlan:
    """What changes (raises with every problem if one decision is wrong)."""
    problems = check_decisions(c, decisions)
    if problems:
        raise AteliersError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} : rien n'a été modifié",
            hint="corrigez puis relancez",
            details=problems,
        )
    plan = ClassificationPlan()
    for d in decisions:
        ct = c.contributions[d.id]
        before = (tuple(ct.themes), ct.statut, ct.doublon_de)
        themes = tuple(ct.themes) + tuple(t for t in d.themes if t not in ct.themes) if d.add else d.themes
        after = (themes, d.statut, d.doublon_de if d.statut == "doublon" else "")
        texts = tuple(
            (k, v.strip())
            for k, v in (("motif", d.motif), ("redirection", d.redirection))
            if v.strip() and v.strip() != getattr(ct, k, "")
        )
        if after == before and not texts:
            plan.unchanged.append(d.id)
        else:
            plan.changes.append(Change(d.id, ct.path, before, after, texts))
    return plan


def classification_files(c: Consultation, plan: ClassificationPlan) -> dict[str, bytes | str | None]:
    """New contents of the contributions that change: only themes, statut, doublon_de lines."""
    files: dict[str, bytes | str | None] = {}
    for change in plan.changes:
        themes, statut, doublon_de = change.after
        path = c.root / change.path
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AteliersError(
                f"contribution illisible : {exc}",
                path=change.path,
                hint="lancez « ateliers check » : rien n'a été écrit",
            ) from None
        updates: dict[str, object] = {"themes": list(themes), "statut": statut, **dict(change.texts)}
        remove = []
        if doublon_de:
            updates["doublon_de"] = doublon_de
        else:
            remove.append("doublon_de")
        files[change.path] = update_front_matter(text, updates, remove=remove, rel=change.path).encode("utf-8")
    return files
