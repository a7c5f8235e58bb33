"""Leaving *lancement*: a workshop file per workshop, and its attendance sheet (under prive/)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ateliers_cli.documents.appel import by_date
from ateliers_cli.documents.context import base_context, choose_citations, citable
from ateliers_cli.documents.output import OutputFile, publish, publish_html, stage_dir
from ateliers_cli.documents.templating import DocumentEnvironment
from ateliers_cli.errors import AteliersError
from ateliers_cli.model import Atelier, Consultation
from ateliers_cli.stages import Stage

#: Excerpts from the workshop's own territory, then from elsewhere, per theme.
CITATIONS_TERRITOIRE = 6
CITATIONS_AILLEURS = 3
#: Empty rows left on a sheet with names, for people who come without registering.
LIGNES_LIBRES_MIN = 5
#: Fixed parts of the agenda, in minutes.
ACCUEIL, OUVERTURE, MISE_EN_COMMUN, CLOTURE = 15, 20, 30, 10
DUREE_PAR_DEFAUT = 180


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    folder = stage_dir(Stage.LANCEMENT)
    inscriptions = read_inscriptions(c.root)
    files: list[OutputFile] = []
    for atelier in by_date([a for a in c.ateliers.values() if a.statut != "annule"]):
        title = f"Dossier d'atelier — {atelier.titre or atelier.id}"
        name = f"dossier-atelier-{atelier.id}"
        ctx = {**base_context(c, Stage.LANCEMENT, when, titre=title, nom=name), **dossier_context(c, atelier)}
        files += publish(env, c, "dossier-atelier.md.j2", ctx, f"{folder}/{name}", title, when)

        title = f"Feuille d'émargement — {atelier.titre or atelier.id}"
        sheet = {**base_context(c, Stage.LANCEMENT, when, titre=title, nom=f"emargement-{atelier.id}")}
        sheet.update(emargement_context(c, atelier, inscriptions))
        files.append(publish_html(env, "emargement.html.j2", sheet, f"prive/emargement/{atelier.id}.html", title))
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


def dossier_context(c: Consultation, atelier: Atelier) -> dict[str, Any]:
    analysed = [c.contributions[k] for k in sorted(c.contributions) if c.contributions[k].statut == "analysee"]
    themes = []
    for tid in atelier.themes:
        theme = c.themes.get(tid)
        if theme is None:
            continue
        of_theme = [x for x in analysed if tid in x.themes]
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
        for n, label in ((b.pmr, "mobilité réduite"), (b.lsf, "langue des signes"), (b.garde_enfants, "garde d'enfants"), (b.autre, "autre besoin")):
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


@dataclass(frozen=True)
class Inscrit:
    nom: str
    prenom: str
    commune: str
    attente: bool  # on the waiting list
    besoins: str


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace(" ", "_").replace("-", "_")


_COLUMNS = {
    "atelier": ("atelier", "affectation", "atelier_affecte", "atelier_id", "id_atelier"),
    "nom": ("nom", "nom_de_famille"),
    "prenom": ("prenom",),
    "commune": ("commune", "ville"),
    "statut": ("statut", "etat", "liste"),
    "besoins": ("besoins", "besoin", "accessibilite"),
}


def read_inscriptions(root: Path) -> dict[str, list[Inscrit]] | None:
    """``prive/inscriptions.csv`` by workshop, or None when there is no such file.

    Read leniently (``;`` or ``,``, UTF-8 or Windows-1252): the columns used are
    ``atelier`` (or ``affectation``), ``nom``, ``prenom``, and if present ``commune``,
    ``statut`` (a value containing « attente » puts the person on the waiting list)
    and ``besoins``.
    """
    path = root / "prive" / "inscriptions.csv"
    if not path.is_file():
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ",")
    rows = list(reader)
    if not rows:
        return {}
    header = [_fold(h) for h in rows[0]]
    index: dict[str, int] = {}
    for key, names in _COLUMNS.items():
        for name in names:
            if name in header:
                index[key] = header.index(name)
                break
    if "atelier" not in index or "nom" not in index:
        raise AteliersError(
            "prive/inscriptions.csv : colonnes « atelier » et « nom » introuvables dans la première ligne",
            path="prive/inscriptions.csv",
            line=1,
            hint="la première ligne doit nommer les colonnes, par exemple « atelier;nom;prenom;commune;statut »",
        )

    def cell(row: list[str], key: str) -> str:
        i = index.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    out: dict[str, list[Inscrit]] = {}
    for row in rows[1:]:
        if not any(x.strip() for x in row):
            continue
        atelier = cell(row, "atelier")
        person = Inscrit(
            nom=cell(row, "nom"),
            prenom=cell(row, "prenom"),
            commune=cell(row, "commune"),
            attente="attente" in _fold(cell(row, "statut")),
            besoins=cell(row, "besoins"),
        )
        out.setdefault(atelier, []).append(person)
    for people in out.values():
        people.sort(key=lambda p: (_fold(p.nom), _fold(p.prenom), p.commune))
    return out


def emargement_context(c: Consultation, atelier: Atelier, inscriptions: dict[str, list[Inscrit]] | None) -> dict[str, Any]:
    people = (inscriptions or {}).get(atelier.id, [])
    inscrits = [p for p in people if not p.attente]
    attente = [p for p in people if p.attente]
    if inscriptions is None:
        libres = atelier.capacite or 30
    else:
        libres = max(LIGNES_LIBRES_MIN, (atelier.capacite or 0) - len(inscrits))
    return {
        "atelier": atelier,
        "territoire": c.territoires.get(atelier.territoire),
        "themes_atelier": [c.themes[t] for t in atelier.themes if t in c.themes],
        "inscrits": inscrits,
        "liste_attente": attente,
        "lignes_libres": libres,
        "avec_noms": inscriptions is not None,
    }
