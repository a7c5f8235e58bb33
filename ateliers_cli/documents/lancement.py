"""Leaving *lancement*: a workshop file per workshop, and its attendance sheet (under prive/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ateliers_cli.documents.appel import by_date
from ateliers_cli.documents.context import base_context, choose_citations, citable
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.templating import DocumentEnvironment, render_template
from ateliers_cli.model import Atelier, Consultation, Contribution
from ateliers_cli.stages import Stage
from ateliers_cli.store import paths

#: Excerpts from the workshop's own territory, then from elsewhere, per theme.
CITATIONS_TERRITOIRE = 6
CITATIONS_AILLEURS = 3
#: Rows of a blank attendance sheet when the workshop has no capacity set.
LIGNES_VIDES_SANS_CAPACITE = 30
#: Fixed parts of the agenda, in minutes.
ACCUEIL, OUVERTURE, MISE_EN_COMMUN, CLOTURE = 15, 20, 30, 10
DUREE_PAR_DEFAUT = 180


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    folder = stage_dir(Stage.LANCEMENT)
    ateliers = by_date([a for a in c.ateliers.values() if a.statut != "annule"])
    by_theme = contributions_by_theme(c)
    sheets = attendance_sheets(c, ateliers, env)
    files: list[OutputFile] = []
    for atelier in ateliers:
        title = f"Dossier d'atelier — {atelier.titre or atelier.id}"
        name = f"dossier-atelier-{atelier.id}"
        ctx = {**base_context(c, Stage.LANCEMENT, when, titre=title, nom=name), **dossier_context(c, atelier, by_theme)}
        files += publish(env, c, "dossier-atelier.md.j2", ctx, f"{folder}/{name}", title, when)
        title = f"Feuille d'émargement — {atelier.titre or atelier.id}"
        content = sheets[atelier.id].rstrip("\n") + "\n"
        files.append(OutputFile(f"{paths.SHEETS_DIR}/{atelier.id}.html", content.encode("utf-8"), title, "html", False))
    return files


# ---------------------------------------------------------------------------
# Dossier d'atelier
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    """One part of a workshop's agenda; ``debut``/``fin`` are None when the time is unknown."""

    libelle: str
    duree: int  # minutes
    debut: dt.datetime | None
    fin: dt.datetime | None
    theme: Any = None  # the Theme worked on, if any


def deroule(c: Consultation, atelier: Atelier) -> list[AgendaItem]:
    """A realistic agenda: welcome, opening, one sequence per theme, pooling, closing."""
    start = atelier.date if isinstance(atelier.date, dt.datetime) else None
    end = atelier.fin if isinstance(atelier.fin, dt.datetime) else None
    total = int((end - start).total_seconds() // 60) if start and end and end > start else DUREE_PAR_DEFAUT
    themes = [c.themes[t] for t in atelier.themes if t in c.themes]
    fixed = [("Accueil des participants, émargement", ACCUEIL)]
    fixed.append(("Ouverture : le cadre de la démarche, la synthèse des contributions, les règles du débat", OUVERTURE))
    tail = [("Mise en commun : chaque groupe présente ses propositions, vote de soutien", MISE_EN_COMMUN)]
    tail.append(("Clôture : la suite de la démarche", CLOTURE))
    fixed_total = sum(d for _, d in fixed + tail)
    work = max(total - fixed_total, 30 * max(1, len(themes)))
    parts: list[tuple[str, int, Any]] = [(label, d, None) for label, d in fixed]
    if themes:
        each = (work // len(themes)) // 5 * 5
        for i, theme in enumerate(themes):
            minutes = each if i < len(themes) - 1 else work - each * (len(themes) - 1)
            kind = "construction du projet" if theme.operationnel else "réflexions et propositions"
            parts.append((f"{theme.titre} : {kind}", minutes, theme))
    else:
        parts.append(("Travail en groupes", work, None))
    parts += [(label, d, None) for label, d in tail]

    out: list[AgendaItem] = []
    clock = start
    for label, minutes, theme in parts:
        fin = clock + dt.timedelta(minutes=minutes) if clock else None
        out.append(AgendaItem(label, minutes, clock, fin, theme))
        clock = fin
    return out


def contributions_by_theme(c: Consultation) -> dict[str, list[Contribution]]:
    """Analysed contributions by theme, each list by identifier (indexed once for all workshops)."""
    out: dict[str, list[Contribution]] = {}
    for k in sorted(c.contributions):
        x = c.contributions[k]
        if x.statut == "analysee":
            for tid in dict.fromkeys(x.themes):
                out.setdefault(tid, []).append(x)
    return out


def dossier_context(
    c: Consultation, atelier: Atelier, by_theme: dict[str, list[Contribution]] | None = None
) -> dict[str, Any]:
    if by_theme is None:
        by_theme = contributions_by_theme(c)
    themes = []
    for tid in atelier.themes:
        theme = c.themes.get(tid)
        if theme is None:
            continue
        of_theme = by_theme.get(tid, [])
        local = [x for x in of_theme if x.territoire == atelier.territoire]
        elsewhere = [x for x in of_theme if x.territoire != atelier.territoire]
        themes.append(
            {
                "theme": theme,
                "nombre": len(of_theme),
                "nombre_territoire": len(local),
                "contributions_territoire": [x.id for x in local],
                "citations_territoire": choose_citations(c, local, CITATIONS_TERRITOIRE, theme=tid),
                "citations_ailleurs": choose_citations(c, elsewhere, CITATIONS_AILLEURS, theme=tid),
                "non_citables": sum(1 for x in of_theme if not citable(x)),
            }
        )
    besoins: list[str] = []
    if atelier.inscriptions is not None:
        b = atelier.inscriptions.besoins
        for n, label in (
            (b.pmr, "mobilité réduite"),
            (b.lsf, "langue des signes"),
            (b.garde_enfants, "garde d'enfants"),
            (b.autre, "autre besoin"),
        ):
            if n:
                besoins.append(f"{n} {label}")
    return {
        "atelier": atelier,
        "territoire": c.territoires.get(atelier.territoire),
        "besoins": besoins,
        "deroule": deroule(c, atelier),
        "themes_atelier": themes,
        "lancement": c.lancement,
    }


# ---------------------------------------------------------------------------
# Feuille d'émargement (prive/)
# ---------------------------------------------------------------------------

SHEET_TEMPLATE = "prive/emargement.html.j2"


def attendance_sheets(c: Consultation, ateliers: list[Atelier], env: DocumentEnvironment) -> dict[str, str]:
    """The attendance sheet of each workshop, by workshop id.

    With ``prive/inscriptions.csv`` (written by ``ateliers inscriptions import``), the sheet
    is exactly the one the import writes: the registered people, the waiting list, a few
    free rows. Without it, a blank sheet with as many rows as seats.
    """
    from ateliers_cli.inscriptions import assign, read_existing, render_sheet
    from ateliers_cli.store.paths import REGISTRATIONS as PRIVATE_PATH

    if (c.root / PRIVATE_PATH).is_file():
        registrations = read_existing(c.root)
        assign(c, registrations)
        out = {}
        for a in ateliers:
            inscrits = [r for r in registrations if r.atelier == a.id and r.statut == "inscrit"]
            attente = [r for r in registrations if r.atelier == a.id and r.statut == "attente"]
            out[a.id] = render_sheet(c, a, inscrits, attente)
        return out
    return {a.id: render_template(env, SHEET_TEMPLATE, blank_sheet_context(c, a)) for a in ateliers}


def blank_sheet_context(c: Consultation, atelier: Atelier) -> dict[str, Any]:
    """The context of ``prive/emargement.html.j2`` (the one the inscriptions import gives it)."""
    from ateliers_cli.inscriptions import workshop_when

    when = workshop_when(atelier)
    territoire = c.territoires.get(atelier.territoire)
    return {
        "consultation": {"titre": c.titre, "collectivite": c.collectivite.nom},
        "atelier": {
            "id": atelier.id,
            "titre": atelier.titre,
            "quand": when,
            "lieu": atelier.lieu,
            "adresse": atelier.adresse,
            "capacite": atelier.capacite,
            "territoire": territoire.nom if territoire else atelier.territoire,
        },
        "inscrits": [],
        "attente": [],
        "lignes_vides": atelier.capacite or LIGNES_VIDES_SANS_CAPACITE,
    }
