"""Leaving *appel*: the synthesis of contributions, the workshop programme, the registration form."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from ateliers_cli.answers import hors_sujet
from ateliers_cli.documents.context import (
    ORDRE_CANAUX,
    ORDRE_PROFILS,
    base_context,
    choose_citations,
    citable,
    libelle,
    ordered,
)
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.templating import DocumentEnvironment, par_habitants
from ateliers_cli.model import Atelier, Consultation, Contribution
from ateliers_cli.stages import Stage

#: Excerpts quoted per theme in the synthesis.
CITATIONS_PAR_THEME = 5
#: Frequent words shown per theme, beside the analysts' key words.
MOTS_PAR_THEME = 8


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment) -> list[OutputFile]:
    folder = stage_dir(Stage.APPEL)
    files: list[OutputFile] = []
    docs = (
        ("synthese-des-contributions", "Synthèse des contributions", synthese_context(c, when.date())),
        ("programme-des-ateliers", "Programme des ateliers", programme_context(c)),
        ("formulaire-inscription", "Formulaire d'inscription aux ateliers", programme_context(c)),
    )
    for name, title, extra in docs:
        ctx = {**base_context(c, Stage.APPEL, when, titre=title, nom=name), **extra}
        files += publish(env, c, f"{name}.md.j2", ctx, f"{folder}/{name}", title, when)
    return files


# ---------------------------------------------------------------------------
# Synthèse des contributions
# ---------------------------------------------------------------------------


def _counts(values: list[str], order: tuple[str, ...], kind: str) -> list[tuple[str, int]]:
    counter = Counter(values)
    return [(libelle(kind, v), counter[v]) for v in ordered(counter, order)]


def _frequent_words(c: Consultation, analysed: list[Contribution]) -> dict[str, list[str]]:
    """Per theme, the words that set its contributions apart from all the others."""
    try:
        from ateliers_cli.analysis.text import SurfaceForms
        from ateliers_cli.analysis.tfidf import TfidfModel, distinctive_terms
    except ImportError:  # the analysis package is optional here
        return {}
    forms = SurfaceForms()
    tokens = {x.id: forms.add_text(f"{x.titre}\n{x.texte}") for x in analysed}
    model = TfidfModel.fit(tokens.values(), min_df=2)
    out: dict[str, list[str]] = {}
    for theme in c.themes.values():
        subset = [tokens[x.id] for x in analysed if theme.id in x.themes]
        known = {k.lower() for k in theme.mots_cles}
        words = [forms.readable(term) for term, _ in distinctive_terms(subset, model, MOTS_PAR_THEME * 2)]
        out[theme.id] = [w for w in words if w.lower() not in known][:MOTS_PAR_THEME]
    return out


def synthese_context(c: Consultation, jusquau: dt.date | None = None) -> dict[str, Any]:
    """The synthesis, written on ``jusquau`` (the call's closure): it quotes nothing dated after."""
    contributions = [c.contributions[k] for k in sorted(c.contributions)]
    analysed = [x for x in contributions if x.statut == "analysee"]
    dates = [x.date for x in contributions if x.date is not None]

    par_territoire: list[dict[str, Any]] = []
    counter = Counter(x.territoire for x in contributions)
    for t in c.territoires.values():
        par_territoire.append(
            {"territoire": t, "nombre": counter[t.id], "pour_10000": par_habitants(counter[t.id], t.population)}
        )

    words = _frequent_words(c, analysed)
    par_theme: list[dict[str, Any]] = []
    for theme in c.themes.values():
        of_theme = [x for x in analysed if theme.id in x.themes]
        tcount = Counter(x.territoire for x in of_theme)
        pcount = Counter(x.profil for x in of_theme)
        citables = [x for x in of_theme if citable(x)]
        citations = choose_citations(c, of_theme, CITATIONS_PAR_THEME, theme=theme.id, jusquau=jusquau)
        par_theme.append(
            {
                "theme": theme,
                "nombre": len(of_theme),
                "citables": len(citables),
                "non_citables": len(of_theme) - len(citables),
                "par_territoire": [(t.nom, tcount[t.id]) for t in c.territoires.values() if tcount[t.id]],
                "par_profil": [(libelle("profils", p), pcount[p]) for p in ordered(pcount, ORDRE_PROFILS)],
                "mots_frequents": words.get(theme.id, []),
                "citations": citations,
            }
        )

    doublons: dict[str, list[str]] = {}
    for x in contributions:
        if x.statut == "doublon":
            doublons.setdefault(x.doublon_de, []).append(x.id)
    par_profil = _counts([x.profil for x in contributions], ORDRE_PROFILS, "profils")
    par_canal = _counts([x.canal for x in contributions], ORDRE_CANAUX, "canal")
    return {
        "contributions": contributions,
        "series": {
            "profils": par_profil,
            "canaux": par_canal,
            "territoires": [(x["territoire"].nom, x["nombre"]) for x in par_territoire],
            "territoires_10000": [(x["territoire"].nom, x["pour_10000"]) for x in par_territoire],
            "themes": [(x["theme"].titre, x["nombre"]) for x in par_theme],
        },
        "periode": {"debut": min(dates) if dates else None, "fin": max(dates) if dates else None},
        "par_profil": par_profil,
        "par_canal": par_canal,
        "par_territoire": par_territoire,
        "par_theme": par_theme,
        "plusieurs_themes": sum(1 for x in analysed if len(x.themes) > 1),
        "hors_sujet": [x for x in contributions if x.statut == "hors_sujet"],
        "motifs_hors_sujet": {x.id: hors_sujet(c, x) for x in contributions if x.statut == "hors_sujet"},
        "doublons": [{"original": k, "doublons": v} for k, v in sorted(doublons.items())],
        "non_analysees": [x for x in contributions if x.statut == "nouvelle"],
    }


# ---------------------------------------------------------------------------
# Programme des ateliers, formulaire d'inscription
# ---------------------------------------------------------------------------


def by_date(ateliers: list[Atelier]) -> list[Atelier]:
    return sorted(ateliers, key=lambda a: (str(a.date) if a.date is not None else "9999", a.id))


def programme_context(c: Consultation) -> dict[str, Any]:
    ateliers = by_date(list(c.ateliers.values()))
    maintenus = [a for a in ateliers if a.statut != "annule"]
    par_territoire: list[dict[str, Any]] = []
    for t in c.territoires.values():
        of_t = [a for a in ateliers if a.territoire == t.id]
        par_territoire.append({"territoire": t, "ateliers": of_t})
    themes_ateliers = [
        {"theme": th, "ateliers": [a for a in maintenus if th.id in a.themes]} for th in c.themes.values()
    ]
    return {
        "ateliers": ateliers,
        "ateliers_maintenus": maintenus,
        "ateliers_par_territoire": par_territoire,
        "themes_ateliers": themes_ateliers,
        "lancement": c.lancement,
    }
