"""Leaving *ateliers*: the book of productions, and the crossing of themes and territories."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ateliers_cli.documents.appel import by_date
from ateliers_cli.documents.context import base_context
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.templating import DocumentEnvironment
from ateliers_cli.model import Atelier, Consultation, Proposition
from ateliers_cli.stages import Stage

#: Two propositions from different territories "look alike" when the Jaccard index of
#: the word stems of their title and description reaches this threshold…
SEUIL_SIMILARITE = 0.22
#: …or this one when they belong to different themes (fewer false friends).
SEUIL_SIMILARITE_AUTRE_THEME = 0.30


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    folder = stage_dir(Stage.ATELIERS)
    files: list[OutputFile] = []
    for name, title, extra in (
        ("cahier-des-productions", "Cahier des productions", cahier_context(c)),
        ("croisement", "Croisement des productions", croisement_context(c)),
    ):
        ctx = {**base_context(c, Stage.ATELIERS, when, titre=title, nom=name), **extra}
        files += publish(env, c, f"{name}.md.j2", ctx, f"{folder}/{name}", title, when)
    return files


# ---------------------------------------------------------------------------
# Cahier des productions
# ---------------------------------------------------------------------------


def ateliers_par_territoire(c: Consultation) -> list[dict[str, Any]]:
    ateliers = by_date(list(c.ateliers.values()))
    return [
        {"territoire": t, "ateliers": [a for a in ateliers if a.territoire == t.id]} for t in c.territoires.values()
    ]


def productions(c: Consultation, atelier: Atelier) -> list[dict[str, Any]]:
    """An atelier's productions in the order of its themes, each with its Theme."""
    out = []
    for prod in atelier.productions:
        out.append({"theme": c.themes.get(prod.theme), "production": prod, "propositions": prod.propositions})
    order = {t: i for i, t in enumerate(atelier.themes)}
    return sorted(out, key=lambda x: order.get(x["production"].theme, len(order)))


def cahier_context(c: Consultation) -> dict[str, Any]:
    ateliers = by_date(list(c.ateliers.values()))
    return {
        "ateliers_par_territoire": [
            {**bloc, "details": [{"atelier": a, "productions": productions(c, a)} for a in bloc["ateliers"]]}
            for bloc in ateliers_par_territoire(c)
        ],
        "ateliers_tenus": [a for a in ateliers if a.statut == "tenu"],
        "ateliers_annules": [a for a in ateliers if a.statut == "annule"],
        "ateliers_prevus": [a for a in ateliers if a.statut == "prevu"],
        "propositions": [c.propositions[k] for k in sorted(c.propositions)],
    }


# ---------------------------------------------------------------------------
# Croisement
# ---------------------------------------------------------------------------


def _stems(text: str) -> list[tuple[str, str]]:
    """(stem, written word) pairs of a text's content words."""
    try:
        from ateliers_cli.analysis.text import tokens_with_surface

        return tokens_with_surface(text)
    except ImportError:  # a plain fallback: lower-cased, accent-free words of 4 letters or more
        words = re.findall(r"\w{4,}", text.lower())
        return [
            ("".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch)), w) for w in words
        ]


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass(frozen=True)
class Rapprochement:
    """Propositions from different territories that look alike."""

    titre: str  # the title of its most supported proposition
    propositions: list[dict[str, Any]]  # {"proposition", "atelier", "territoire"} by territory then id
    mots_communs: list[str]
    similarite: float  # the highest index between two of them
    themes: list[Any]


def similar_groups(c: Consultation) -> list[Rapprochement]:
    """Groups of alike propositions across territories (Jaccard on word stems, see the thresholds)."""
    props = [c.propositions[k] for k in sorted(c.propositions)]
    territory = {a.id: a.territoire for a in c.ateliers.values()}
    stems: dict[str, set[str]] = {}
    surface: dict[str, Counter[str]] = {}
    for p in props:
        pairs = _stems(f"{p.titre}\n{p.description}")
        stems[p.id] = {s for s, _ in pairs}
        for s, w in pairs:
            surface.setdefault(s, Counter())[w.lower()] += 1

    parent = {p.id: p.id for p in props}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best: dict[tuple[str, str], float] = {}
    for i, p in enumerate(props):
        for q in props[i + 1 :]:
            if territory.get(p.atelier) == territory.get(q.atelier):
                continue
            score = jaccard(stems[p.id], stems[q.id])
            threshold = SEUIL_SIMILARITE if p.theme == q.theme else SEUIL_SIMILARITE_AUTRE_THEME
            if score >= threshold:
                a, b = sorted((find(p.id), find(q.id)))
                parent[b] = a
                best[(p.id, q.id)] = score

    groups: dict[str, list[Proposition]] = {}
    for p in props:
        groups.setdefault(find(p.id), []).append(p)
    territory_order = {t: i for i, t in enumerate(c.territoires)}
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        ids = {p.id for p in members}
        counts = Counter(s for p in members for s in stems[p.id])
        shared = sorted((s for s, n in counts.items() if n >= 2), key=lambda s: (-counts[s], s))[:6]
        words = [min(surface[s].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0] for s in shared]
        members.sort(key=lambda p: (territory_order.get(territory.get(p.atelier, ""), 99), p.id))
        theme_ids = sorted({p.theme for p in members}, key=lambda t: list(c.themes).index(t) if t in c.themes else 99)
        out.append(
            Rapprochement(
                titre=min(members, key=lambda p: (-p.soutiens, p.id)).titre,
                propositions=[
                    {
                        "proposition": p,
                        "atelier": c.ateliers.get(p.atelier),
                        "territoire": c.territoires.get(territory.get(p.atelier, "")),
                    }
                    for p in members
                ],
                mots_communs=words,
                similarite=round(max(v for (x, y), v in best.items() if x in ids and y in ids), 2),
                themes=[c.themes[t] for t in theme_ids if t in c.themes],
            )
        )
    theme_order = {t: i for i, t in enumerate(c.themes)}
    out.sort(
        key=lambda g: (theme_order.get(g.themes[0].id, 99) if g.themes else 99, g.propositions[0]["proposition"].id)
    )
    return out


def croisement_context(c: Consultation) -> dict[str, Any]:
    territories = list(c.territoires.values())
    themes = list(c.themes.values())
    territory_of = {a.id: a.territoire for a in c.ateliers.values()}
    props = [c.propositions[k] for k in sorted(c.propositions)]
    cells: dict[tuple[str, str], int] = {}
    workshops: dict[tuple[str, str], int] = {}
    for p in props:
        key = (p.theme, territory_of.get(p.atelier, ""))
        cells[key] = cells.get(key, 0) + 1
    for a in c.ateliers.values():
        if a.statut == "tenu":
            for t in a.themes:
                workshops[(t, a.territoire)] = workshops.get((t, a.territoire), 0) + 1
    grid = [[cells.get((th.id, t.id), 0) for t in territories] for th in themes]
    grid_ateliers = [[workshops.get((th.id, t.id), 0) for t in territories] for th in themes]
    par_theme = []
    for th in themes:
        of_theme = sorted((p for p in props if p.theme == th.id), key=lambda p: (-p.soutiens, p.id))
        par_theme.append(
            {
                "theme": th,
                "propositions": [
                    {
                        "proposition": p,
                        "atelier": c.ateliers.get(p.atelier),
                        "territoire": c.territoires.get(territory_of.get(p.atelier, "")),
                    }
                    for p in of_theme
                ],
                "territoires": [t for t in territories if cells.get((th.id, t.id))],
                "sans_proposition": [t for t in territories if not cells.get((th.id, t.id))],
            }
        )
    return {
        "grille": {
            "lignes": [th.titre for th in themes],
            "colonnes": [t.nom for t in territories],
            "propositions": grid,
            "ateliers": grid_ateliers,
        },
        "rapprochements": similar_groups(c),
        "seuil": SEUIL_SIMILARITE,
        "seuil_autre_theme": SEUIL_SIMILARITE_AUTRE_THEME,
        "par_theme": par_theme,
        "propositions": props,
    }
