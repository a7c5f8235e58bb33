"""The pages of the public website, one method per kind of page.

:class:`SiteBuilder` holds what every page needs (the public view of the consultation,
its traceability index, the Jinja2 environment) and turns each page into
``(path, bytes)``. Paths are relative to the site's root, with ``/``; every link in the
templates is written ``{{ racine }}chemin``, so that the folder works opened from disk
or served from anywhere.

Templates live in ``templates/site/`` and are found like the documents' templates
(a consultation's own ``templates/site/NAME`` wins by name, sandboxed); autoescape is
on for all of them and every Markdown field goes through the untrusted pipeline
(:func:`~ateliers_cli.render.markup.markdown_to_html`), whoever wrote it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ateliers_cli.clock import now
from ateliers_cli.documents.adoption import resultat_du_vote
from ateliers_cli.documents.context import ORDRE_CANAUX, ORDRE_PROFILS, choose_citations, libelle, ordered
from ateliers_cli.documents.templating import (
    DocumentEnvironment,
    SignedBytecodeCache,
    make_environment,
    render_template,
)
from ateliers_cli.model import Atelier, Consultation, Contribution, Orientation, Territoire
from ateliers_cli.participants import count_participants
from ateliers_cli.render.charts import chart_with_table
from ateliers_cli.render.french import de, nombre, profil_personne, typographie_html
from ateliers_cli.render.markup import html_excerpt, markdown_to_html
from ateliers_cli.site.documents import SiteDocument
from ateliers_cli.site.public import auteur_public, public_view, texte_publiable
from ateliers_cli.stages import Stage
from ateliers_cli.store.paths import CACHE_DIR
from ateliers_cli.trace import DECISION_LABELS, Traceability

Page = tuple[str, bytes]

#: The main navigation: key, label, path.
NAVIGATION = (
    ("accueil", "Accueil", "index.html"),
    ("themes", "Thèmes", "themes/index.html"),
    ("calendrier", "Calendrier et ateliers", "calendrier.html"),
    ("contributions", "Contributions", "contributions/index.html"),
    ("devenir", "Ce que sont devenues les contributions", "devenir/index.html"),
    ("documents", "Documents", "documents/index.html"),
    ("politique", "Politique adoptée", "politique.html"),
    ("statistiques", "Statistiques", "statistiques.html"),
)
DONNEES = ("donnees", "Données ouvertes", "donnees.html")

#: Published contributions per page of the list.
PAR_PAGE = 200


@dataclass(frozen=True)
class Filtre:
    """One way to narrow the list: the contributions of one territory, or of one theme."""

    sorte: str  # "territoire" | "theme"
    id: str
    libelle: str  # « territoire de Lille », « thème « Isolement » »
    nom: str  # « Lille », « Isolement »

    def chemin(self, n: int = 1) -> str:
        """Page ``n`` of the filtered list in the site."""
        dossier = "territoires" if self.sorte == "territoire" else "themes"
        return f"contributions/{dossier}/{self.id}" + (f"-page-{n}" if n > 1 else "") + ".html"


@dataclass(frozen=True)
class Filtres:
    """Every filtered list, with how many published contributions each has."""

    territoires: list[tuple[Filtre, int]]
    themes: list[tuple[Filtre, int]]


def nombre_de_pages(publiees: int) -> int:
    """How many pages the list of ``publiees`` contributions takes (one, even empty)."""
    return max(1, -(-publiees // PAR_PAGE))


def markdown(text: str | None, niveau: int = 3) -> Markup:
    """Markdown from the consultation's files, sanitised (raw HTML shown as text), French typography."""
    if not text or not text.strip():
        return Markup("")
    return typographie_html(markdown_to_html(text, min_heading=niveau))


def taille(n: int) -> str:
    """« 12 ko », « 1,4 Mo »."""
    if n < 1024 * 1024:
        return f"{nombre(max(1, round(n / 1024)))}\u00a0ko"
    return f"{nombre(round(n / (1024 * 1024), 1))}\u00a0Mo"


def site_date(c: Consultation) -> dt.date:
    """The date the site states (accessibility statement): SOURCE_DATE_EPOCH when set, else the last passage.

    Never the wall clock when the history has a date, so that the same consultation gives
    the same site, byte for byte.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return now().date()
    dates = [p.date.date() if isinstance(p.date, dt.datetime) else p.date for p in c.historique if p.date is not None]
    if dates:
        return max(dates)
    starts = [p.debut for p in c.calendrier.values() if p.debut is not None]
    return min(starts) if starts else now().date()


# Values whose formatting may be remembered: immutable, and of an exact type, so that a
# plain string is never confused with the Markup of the same characters (which is not escaped).
_MEMO_TYPES = frozenset({str, int, float, dt.date, dt.datetime, type(None)})


def _memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Remember a pure filter's results: territory names, theme titles, dates recur on thousands of pages."""
    remembered: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        types = tuple(map(type, args))
        if not _MEMO_TYPES.issuperset(types):
            return fn(*args)
        key = (args, types)
        try:
            return remembered[key]
        except KeyError:
            result = remembered[key] = fn(*args)
            return result

    return wrapper


_MEMOISED_FILTERS = (
    "typographie",
    "date_longue",
    "date_courte",
    "date_heure",
    "heure",
    "nombre",
    "pluriel",
    "quand",
    "euros",
)


class _PackagedEnvironment(jinja2.Environment):
    """The site's environment when only our packaged templates are used: nothing to sandbox.

    The sandbox checks every attribute a template reads: a quarter of the time of each
    contribution page. It guards against a consultation's own templates; when the
    consultation has none for the site, it guards nothing.
    """

    consultation_root: Path | None = None
    defaults_dir: Path = Path()
    display_name = DocumentEnvironment.display_name


def site_environment(c: Consultation) -> DocumentEnvironment:
    """The documents' environment (same lookup, same filters) with the site's own filters.

    Sandboxed, as for the documents, when the consultation has its own ``templates/site/``.
    """
    env = make_environment(c.root)
    if not (c.root / "templates" / "site").exists():
        packaged = _PackagedEnvironment(
            loader=env.loader,
            undefined=env.undefined,
            autoescape=env.autoescape,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            bytecode_cache=SignedBytecodeCache(c.root / CACHE_DIR / "gabarits", "site"),
        )
        packaged.consultation_root, packaged.defaults_dir = env.consultation_root, env.defaults_dir
        packaged.filters.update(env.filters)
        packaged.globals.update(env.globals)
        env = packaged  # type: ignore[assignment]
    for name in _MEMOISED_FILTERS:
        env.filters[name] = _memo(env.filters[name])
    env.filters["markdown"] = markdown
    env.filters["taille"] = taille
    env.filters["libelle"] = _memo(lambda value, kind: libelle(kind, value))
    return env


@dataclass
class Etape:
    """One stage of the timeline, as the home page shows it."""

    numero: int
    cle: str
    libelle: str
    resume: str
    etat: str  # "franchie" | "en_cours" | "a_venir"
    debut: dt.date | None
    fin: dt.date | None

    @property
    def etat_libelle(self) -> str:
        return {"franchie": "étape franchie", "en_cours": "étape en cours", "a_venir": "à venir"}[self.etat]


class SiteBuilder:
    """Everything the pages share, and one method per page kind."""

    def __init__(self, c: Consultation, documents: list[SiteDocument], *, donnees_ouvertes: bool) -> None:
        self.c = public_view(c)
        self.trace = Traceability(self.c)
        self.env = site_environment(c)
        self.documents = documents
        self.donnees_ouvertes = donnees_ouvertes
        self.date = site_date(c)
        nav = list(NAVIGATION) + ([DONNEES] if donnees_ouvertes else [])
        self.base: dict[str, Any] = {
            "consultation": self.c,
            "collectivite": self.c.collectivite,
            "conseil": self.c.conseil,
            "site_public": self.c.site_public,
            "licence": licence(self.c),
            "logo": logo_du_site(self.c),
            "etape": self.c.etape,
            "navigation": nav,
            "donnees_ouvertes": donnees_ouvertes,
            "territoires": self.c.territoires,
            "themes": self.c.themes,
            "site_collectivite": _http_url(self.c.collectivite.site),
        }
        self._partials: dict[tuple[str, ...], Markup] = {}
        self.decisions_publiees = self.c.deliberation is not None

    # -- helpers --------------------------------------------------------------

    def render(
        self, template: str, path: str, titre: str, actif: str = "", fil: Sequence[tuple[str, str]] = (), **ctx: Any
    ) -> Page:
        """One page: ``fil`` is the breadcrumb above it, as ``(label, path)`` pairs."""
        racine = "../" * path.count("/")
        courant = (
            "page" if any(cle == actif and chemin == path for cle, _, chemin in self.base["navigation"]) else "true"
        )
        context = {
            **self.base,
            **ctx,
            "titre": titre,
            "chemin": path,
            "racine": racine,
            "actif": actif,
            "fil": list(fil),
            "entete": self.partial("site/_entete.html.j2", racine, actif, courant),
            "pied": self.partial("site/_pied.html.j2", racine),
        }
        html = render_template(self.env, template, context)
        return path, (html.rstrip("\n") + "\n").encode("utf-8")

    def partial(self, template: str, racine: str, actif: str = "", courant: str = "") -> Markup:
        """A piece common to many pages (header, footer), rendered once per depth and menu entry."""
        key = (template, racine, actif, courant)
        if key not in self._partials:
            context = {**self.base, "racine": racine, "actif": actif, "courant": courant}
            self._partials[key] = Markup(render_template(self.env, template, context).strip("\n"))
        return self._partials[key]

    def territoire_nom(self, tid: str) -> str:
        t = self.c.territoires.get(tid)
        return t.nom if t else tid

    def etapes(self) -> list[Etape]:
        current = self.c.etape.number
        out = []
        for s in Stage.process():
            periode = self.c.calendrier.get(s.value)
            etat = "franchie" if s.number < current else ("en_cours" if s.number == current else "a_venir")
            out.append(
                Etape(
                    s.number,
                    s.value,
                    s.label,
                    s.summary,
                    etat,
                    periode.debut if periode else None,
                    periode.fin if periode else None,
                )
            )
        return out

    def ateliers_ordonnes(self) -> list[Atelier]:
        """By date, then id (undated last)."""

        def key(a: Atelier) -> tuple[int, str, str]:
            return (0 if a.date else 1, a.date.isoformat() if a.date else "", a.id)

        return sorted(self.c.ateliers.values(), key=key)

    def contributions_du_theme(self, theme_id: str) -> list[Contribution]:
        return [ct for ct in self.c.contributions.values() if theme_id in ct.themes]

    def decision(self, o: Orientation) -> tuple[str, str]:
        """The council's decision on ``o`` (label, key), once published; else empty strings."""
        fate = self.trace.orientation_fate(o)
        if not self.decisions_publiees:
            return "", ""
        return fate.decision_label, fate.decision.decision if fate.decision else ""

    # -- pages ----------------------------------------------------------------

    def accueil(self) -> Page:
        c = self.c
        decisions = Counter(d.decision for d in c.deliberation.decisions) if c.deliberation else Counter()
        tenus = [a for a in c.ateliers.values() if a.statut == "tenu"]
        # Once the workshops' stage is over (or one was held), the workshops held; before, those planned.
        faits = bool(tenus) or c.reached(Stage.SYNTHESE)
        ateliers = tenus if faits else [a for a in c.ateliers.values() if a.statut != "annule"]
        chiffres = {
            "contributions": len(c.contributions),
            "publiees": sum(1 for ct in c.contributions.values() if texte_publiable(ct)),
            "ateliers": len(ateliers),
            "ateliers_tenus": faits,
            "ateliers_annules": sum(1 for a in c.ateliers.values() if a.statut == "annule"),
            "territoires_ateliers": len({a.territoire for a in ateliers if a.territoire in c.territoires}),
            # each person once; None (not stated) when that cannot be counted: see ateliers_cli.participants
            "participants": count_participants(c).ateliers if tenus else None,
            "propositions": len(c.propositions),
            "orientations": len(c.orientations),
            "adoptees": decisions["adoptee"] + decisions["amendee"],
        }
        decide = []  # what the assembly decided, once it is published: first on the home page
        if self.decisions_publiees:
            for o in c.orientations.values():
                label, key = self.decision(o)
                if key:
                    decide.append({"orientation": o, "libelle": label, "cle": key})
        seance = c.deliberation.seance if c.deliberation else None
        return self.render(
            "site/accueil.html.j2", "index.html", c.titre, "accueil", etapes=self.etapes(), chiffres=chiffres,
            en_cours=c.etape, decide=decide, seance=seance, essentiels=self.documents_essentiels(),
        )

    #: the documents a citizen looks for first, in this order (file stems)
    ESSENTIELS = (
        "politique-adoptee",
        "deliberation",
        "devenir-des-contributions",
        "bilan-de-la-demarche",
        "rapport-orientations",
        "synthese-des-contributions",
        "programme-des-ateliers",
    )

    def documents_essentiels(self) -> list[SiteDocument]:
        """The key documents produced so far, the most decisive first."""
        by_name = {d.nom: d for d in self.documents}
        return [by_name[n] for n in self.ESSENTIELS if n in by_name]

    def themes_index(self) -> Page:
        counts = Counter(t for ct in self.c.contributions.values() for t in ct.themes)
        return self.render(
            "site/themes.html.j2", "themes/index.html", "Les thèmes", "themes", [("Accueil", "index.html")],
            liste=list(self.c.themes.values()), nombres=counts,
        )

    def theme(self, theme_id: str) -> Page:
        t = self.c.themes[theme_id]
        contribs = self.contributions_du_theme(theme_id)
        citations = choose_citations(self.c, contribs, 4, 320)
        ateliers = [a for a in self.ateliers_ordonnes() if theme_id in a.themes]
        props = sorted((p for p in self.c.propositions.values() if p.theme == theme_id), key=lambda p: p.id)
        orientations = sorted(self.trace.orients_of_theme.get(theme_id, {}).values(), key=lambda o: o.id)
        commissions = [self.c.commissions[k] for k in t.commissions if k in self.c.commissions]
        return self.render(
            "site/theme.html.j2", f"themes/{t.id}.html", t.titre, "themes",
            [("Accueil", "index.html"), ("Thèmes", "themes/index.html")],
            theme=t, nombre_contributions=len(contribs), citations=citations, ateliers=ateliers,
            publiees_du_theme=sum(1 for ct in contribs if texte_publiable(ct)),
            propositions=props, orientations=[(o, *self.decision(o)) for o in orientations], commissions=commissions,
        )

    def calendrier(self) -> Page:
        c = self.c
        seance = c.deliberation.seance if c.deliberation else None
        restitutions = sorted(c.restitutions.values(), key=lambda r: (r.date.isoformat() if r.date else "~", r.id))
        return self.render(
            "site/calendrier.html.j2",
            "calendrier.html",
            "Calendrier et ateliers",
            "calendrier",
            [("Accueil", "index.html")],
            etapes=self.etapes(),
            lancement=c.lancement,
            synthese=c.synthese,
            ateliers=self.ateliers_ordonnes(),
            seance=seance,
            restitutions=restitutions,
            themes_de=lambda a: [c.themes[t] for t in a.themes if t in c.themes],
        )

    def atelier(self, atelier_id: str) -> Page:
        a = self.c.ateliers[atelier_id]
        productions = []
        for prod in a.productions:
            props = [(p, self.trace.proposition_fate(p)) for p in prod.propositions]
            productions.append((prod, self.c.themes.get(prod.theme), props))
        return self.render(
            "site/atelier.html.j2", f"ateliers/{a.id}.html", a.titre or f"Atelier {a.id}", "calendrier",
            [("Accueil", "index.html"), ("Calendrier et ateliers", "calendrier.html")],
            atelier=a, productions=productions, territoire=self.territoire_nom(a.territoire),
            themes_atelier=[self.c.themes[t] for t in a.themes if t in self.c.themes],
            publies=self.c.reached(Stage.SYNTHESE), decisions_publiees=self.decisions_publiees,
        )

    def liste_page(
        self, n: int, items: list[dict[str, Any]], total_publiees: int, filtres: Filtres, filtre: Filtre | None = None
    ) -> Page:
        """Page ``n`` of the list: its :data:`PAR_PAGE` entries, out of ``total_publiees`` (of
        the territory or theme of ``filtre``, when given); ``filtres``: every way to filter it."""
        count = nombre_de_pages(total_publiees)
        if filtre is None:
            chemins = ["contributions/index.html"] + [f"contributions/page-{k}.html" for k in range(2, count + 1)]
            titre = "Les contributions publiées"
            fil = [("Accueil", "index.html")]
        else:
            chemins = [filtre.chemin(k) for k in range(1, count + 1)]
            titre = f"Les contributions publiées — {filtre.libelle}"
            fil = [("Accueil", "index.html"), ("Contributions", "contributions/index.html")]
        titre += f" — page {n} sur {count}" if count > 1 else ""
        return self.render(
            "site/contributions.html.j2", chemins[n - 1], titre, "contributions", fil,
            entrees=items, numero=n, pages=[(i + 1, ch.rsplit("/", 1)[1]) for i, ch in enumerate(chemins)],
            total_publiees=total_publiees, total=len(self.c.contributions), premier=(n - 1) * PAR_PAGE + 1,
            recherche=filtre is None, filtre=filtre, filtres=filtres,
        )

    def filtres(self) -> Filtres:
        """The territories and themes of the published contributions, each with their number, in
        the consultation's order: the filtered lists there are (known before any page is made)."""
        publiees = [ct for ct in self.c.contributions.values() if texte_publiable(ct)]
        par_territoire = Counter(ct.territoire for ct in publiees)
        par_theme = Counter(th for ct in publiees for th in dict.fromkeys(ct.themes) if th in self.c.themes)
        return Filtres(
            territoires=[
                (Filtre("territoire", t.id, f"territoire {de(t.nom)}", t.nom), par_territoire[t.id])
                for t in self.c.territoires.values()
                if par_territoire[t.id]
            ],
            themes=[
                (Filtre("theme", t.id, f"thème « {t.titre} »", t.titre), par_theme[t.id])
                for t in self.c.themes.values()
                if par_theme[t.id]
            ],
        )

    def index_recherche(self, entrees: list[dict[str, Any]]) -> Page:
        """The search data for the list's enhancement, as a script (it works from disk, where fetch() does not):
        the published contributions, then the numbers of the others, so that everyone finds their
        own contribution by its number, published or not (its page shows what became of it)."""
        data = [
            {
                **{k: e[k] for k in ("id", "titre", "auteur", "territoire", "themes", "date", "extrait")},
                "t": e["territoire_id"],
                "th": e["themes_ids"],
            }
            for e in entrees
        ]
        listed = {e["id"] for e in entrees}
        autres = sorted(cid for cid in self.c.contributions if cid not in listed)
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        numeros = json.dumps(autres, ensure_ascii=False, separators=(",", ":"))
        # Nothing in a JSON string can end a script; "<" is escaped anyway, should the file ever be inlined.
        payload, numeros = payload.replace("<", "\\u003c"), numeros.replace("<", "\\u003c")
        return "contributions/recherche.js", f"ateliersRecherche({payload}, {numeros});\n".encode()

    def numeros(self) -> Page:
        """Every contribution by its number, published or not: finding one's own without JavaScript."""
        ids = sorted(self.c.contributions)
        groupes = [ids[i : i + 100] for i in range(0, len(ids), 100)]
        return self.render(
            "site/numeros.html.j2",
            "contributions/numeros.html",
            "Retrouver une contribution par son numéro",
            "contributions",
            [("Accueil", "index.html"), ("Contributions", "contributions/index.html")],
            groupes=groupes,
            total=len(ids),
        )

    def territoires_avec_contributions(self) -> list[Territoire]:
        present = {ct.territoire for ct in self.c.contributions.values()}
        return [t for t in self.c.territoires.values() if t.id in present]

    def devenir_index(self) -> Page:
        par_territoire = Counter(ct.territoire for ct in self.c.contributions.values())
        return self.render(
            "site/devenir.html.j2", "devenir/index.html", "Ce que sont devenues les contributions", "devenir",
            [("Accueil", "index.html")], par_territoire=par_territoire,
            liste_territoires=self.territoires_avec_contributions(),
        )

    def communes(self) -> Page:
        """Which territory (arrondissement) each commune belongs to, from consultation.yaml."""
        from ateliers_cli.render.french import cle_de_tri

        lignes = sorted(
            ((commune, t) for t in self.c.territoires.values() for commune in t.communes),
            key=lambda x: (cle_de_tri(x[0]), x[1].nom),
        )
        return self.render(
            "site/communes.html.j2", "devenir/communes.html", "Votre commune, votre territoire", "devenir",
            [("Accueil", "index.html"), ("Ce que sont devenues les contributions", "devenir/index.html")],
            lignes=lignes, avec_contributions={t.id for t in self.territoires_avec_contributions()},
        )

    def devenir_territoire(self, territoire_id: str) -> Page:
        t = self.c.territoires[territoire_id]
        contribs = sorted(
            (ct for ct in self.c.contributions.values() if ct.territoire == territoire_id), key=lambda x: x.id
        )
        fates = [self.trace.contribution_fate(ct) for ct in contribs]
        lignes = [(f.contribution, f.themes, f.summary) for f in fates]
        restitutions = self.trace.restitutions_of_territory.get(territoire_id, [])
        return self.render(
            "site/devenir-territoire.html.j2", f"devenir/{t.id}.html", f"Les contributions du territoire {de(t.nom)}",
            "devenir", [("Accueil", "index.html"), ("Ce que sont devenues les contributions", "devenir/index.html")],
            territoire=t, lignes=lignes, restitutions=sorted(restitutions, key=lambda r: r.id),
        )

    def documents_index(self) -> Page:
        par_etape: dict[Stage, list[SiteDocument]] = {}
        for d in self.documents:
            par_etape.setdefault(d.etape, []).append(d)
        return self.render(
            "site/documents.html.j2", "documents/index.html", "Les documents de la démarche", "documents",
            [("Accueil", "index.html")], par_etape=list(par_etape.items()), essentiels=self.documents_essentiels(),
        )

    def document(self, doc: SiteDocument) -> Page:
        return self.render(
            "site/document.html.j2", doc.chemin, doc.titre, "documents",
            [("Accueil", "index.html"), ("Documents", "documents/index.html")], document=doc,
        )

    def politique(self) -> Page:
        from ateliers_cli.followup import STATUT_LABELS, actions_of, timeline

        c = self.c
        orientations = []
        for o in c.orientations.values():
            fate = self.trace.orientation_fate(o)
            sources = self.trace.sources_of_orientation(o)
            amendements = [
                (c.commissions.get(a.commission), x)
                for a in (c.deliberation.avis if c.deliberation else [])
                for x in a.amendements
                if x.orientation == o.id
            ]
            orientations.append(
                {
                    "o": o,
                    "decision": fate.decision if self.decisions_publiees else None,
                    "libelle": fate.decision_label,
                    "retours": fate.retours,
                    "regroupements": sources["regroupements"],
                    "propositions": sources["propositions"],
                    "nombre_contributions": len(sources["contributions"]),
                    "commissions": [c.commissions[k] for k in o.commissions if k in c.commissions],
                    "amendements": amendements,
                    "actions": [(a, STATUT_LABELS.get(a.statut, a.statut)) for a in actions_of(c, o.id)],
                    "frise": timeline(c, o.id),
                }
            )
        if self.decisions_publiees:
            rang = {"adoptee": 0, "amendee": 0, "non_retenue": 1}
            orientations.sort(key=lambda x: rang.get(x["decision"].decision if x["decision"] else "", 2))
        delib = c.deliberation
        avis = [(c.commissions.get(a.commission), a) for a in delib.avis] if delib else []
        return self.render(
            "site/politique.html.j2",
            "politique.html",
            "La politique adoptée" if delib else "La politique en préparation",
            "politique",
            [("Accueil", "index.html")],
            orientations=orientations,
            deliberation=delib,
            resultat=resultat_du_vote(delib.vote if delib else None),
            avis=avis,
            regroupements_ecartes=[(c.regroupements.get(e.ref), e) for e in c.regroupements_ecartes],
        )

    def statistiques(self) -> Page:
        c = self.c
        contribs = list(c.contributions.values())
        figures: list[tuple[str, Markup]] = []

        def add(
            intro: str, data: Iterable[tuple[str, int | float]], titre: str, ident: str, entete: str, unite: str = ""
        ) -> None:
            rows = [(k, v) for k, v in data]
            if rows:
                figures.append(
                    (
                        intro,
                        chart_with_table(
                            rows, titre, unite, id=ident, headers=(entete, "Nombre", "Part"), percent=not unite
                        ),
                    )
                )

        profils = Counter(ct.profil for ct in contribs)
        add("Qui a contribué", [(libelle("profils", k), profils[k]) for k in ordered(profils, ORDRE_PROFILS)],
            "Contributions par profil", "graphique-profils", "Profil")
        territoires = Counter(ct.territoire for ct in contribs)
        add("D'où viennent les contributions", [(t.nom, territoires[t.id]) for t in c.territoires.values()],
            "Contributions par territoire", "graphique-territoires", "Territoire")
        pour_10000 = [
            (t.nom, round(territoires[t.id] * 10000 / t.population, 2)) for t in c.territoires.values() if t.population
        ]
        if pour_10000:
            figures.append(
                (
                    "Rapportées à la population de chaque territoire",
                    chart_with_table(pour_10000, "Contributions pour 10 000 habitants", id="graphique-taux",
                                     headers=("Territoire", "Pour 10 000 habitants")),
                )
            )
        canaux = Counter(ct.canal for ct in contribs)
        add("Comment elles sont arrivées", [(libelle("canal", k), canaux[k]) for k in ordered(canaux, ORDRE_CANAUX)],
            "Contributions par canal", "graphique-canaux", "Canal")
        themes = Counter(t for ct in contribs for t in ct.themes)
        add(
            "Les thèmes qu'elles abordent (une contribution peut en aborder plusieurs)",
            [(t.titre, themes[t.id]) for t in c.themes.values()],
            "Contributions par thème",
            "graphique-themes",
            "Thème",
        )
        tenus = [a for a in self.ateliers_ordonnes() if a.statut == "tenu" and a.participants is not None]
        if tenus:
            figures.append(
                (
                    "La participation aux ateliers tenus",
                    chart_with_table(
                        [(a.titre or a.id, a.participants or 0) for a in tenus],
                        "Participants par atelier",
                        id="graphique-ateliers",
                        headers=("Atelier", "Participants"),
                    ),
                )
            )
        props = Counter(p.theme for p in c.propositions.values())
        add(
            "Les propositions des ateliers, par thème",
            [(t.titre, props[t.id]) for t in c.themes.values() if props[t.id]],
            "Propositions par thème",
            "graphique-propositions",
            "Thème",
        )
        if c.deliberation:
            decisions = Counter(d.decision for d in c.deliberation.decisions)
            add(
                "Ce que l'assemblée a décidé des orientations",
                [
                    (DECISION_LABELS.get(k, k).capitalize(), decisions[k])
                    for k in ("adoptee", "amendee", "non_retenue")
                    if decisions[k]
                ],
                "Orientations par décision",
                "graphique-decisions",
                "Décision",
            )
        return self.render(
            "site/statistiques.html.j2",
            "statistiques.html",
            "Statistiques",
            "statistiques",
            [("Accueil", "index.html")],
            figures=figures,
        )

    def donnees_page(self, jeux: list[dict[str, Any]]) -> list[Page]:
        """The open data, each set described, with its licence and date; its catalogue in DCAT
        (``donnees/catalogue.jsonld``, linked from the page) for the data portals, and the same
        data sets marked up as schema.org ``Dataset`` in the page (microdata: no script in the
        page), for search engines (:mod:`.catalogue`)."""
        from ateliers_cli.site.catalogue import MEDIA_TYPES, as_json, catalogue_dcat, dates

        lic = licence(self.c)
        publie_le, _modifie_le, periode = dates(self.c, self.date)
        page = self.render(
            "site/donnees.html.j2", "donnees.html", "Données ouvertes", "donnees", [("Accueil", "index.html")],
            jeux=jeux, date_donnees=self.date, catalogue=CATALOGUE, publie_le=publie_le, periode=periode,
            types_media=MEDIA_TYPES,
        )
        dcat = catalogue_dcat(self.c, jeux, lic["url"], lic["nom"], self.date)
        return [page, (CATALOGUE, as_json(dcat).encode())]

    def mentions_legales(self) -> Page:
        return self.render(
            "site/mentions-legales.html.j2", "mentions-legales.html", "Mentions légales et données personnelles", "",
            [("Accueil", "index.html")],
        )

    def accessibilite(self) -> Page:
        return self.render(
            "site/accessibilite.html.j2",
            "accessibilite.html",
            "Déclaration d'accessibilité",
            "",
            [("Accueil", "index.html")],
            date_declaration=self.date,
        )

    def plan(self) -> Page:
        return self.render(
            "site/plan-du-site.html.j2", "plan-du-site.html", "Plan du site", "", [("Accueil", "index.html")],
            liste_themes=list(self.c.themes.values()), ateliers=self.ateliers_ordonnes(),
            liste_territoires=self.territoires_avec_contributions(), documents=self.documents,
        )

    # -- one contribution (run in the workers) --------------------------------

    def contribution(self, ct: Contribution) -> tuple[Page, dict[str, Any] | None]:
        """Its page, and its entry in the published list (if its text is published)."""
        fate = self.trace.contribution_fate(ct)
        publiee = texte_publiable(ct)
        territoire = self.territoire_nom(ct.territoire)
        themes = fate.themes
        # Orientations only related through its themes: no proposition citing it leads there.
        autres = fate.orientations_liees
        titre = f"Contribution {ct.id}" + (f" : {ct.titre}" if publiee and ct.titre.strip() else "")
        # The citizen's text as written: sanitised, but no typographic rewriting.
        corps = markdown_to_html(ct.texte, min_heading=3) if publiee and ct.texte.strip() else Markup("")
        page = self.render(
            "site/contribution.html.j2", f"contributions/{ct.id}.html", titre, "contributions",
            [("Accueil", "index.html"), ("Contributions", "contributions/index.html")],
            ct=ct, fate=fate, publiee=publiee, efface=ct.efface is not None,
            auteur=auteur_public(ct) if publiee or ct.efface is not None else "",
            organisation=ct.organisation if publiee and ct.efface is None and ct.organisation != ct.auteur else "",
            corps=corps, territoire=territoire, themes_ct=themes,
            profil=profil_personne(ct.profil, ct.civilite, self.c.forme_inclusive) if ct.profil else "",
            autres_orientations=autres, decisions_publiees=self.decisions_publiees,
            original=fate.original if fate.original is not None and fate.original.id in self.c.contributions else None,
        )
        entree = None
        if publiee:
            entree = {
                "id": ct.id,
                "titre": ct.titre.strip(),
                "auteur": auteur_public(ct),
                "profil": profil_personne(ct.profil, ct.civilite, self.c.forme_inclusive).capitalize()
                if ct.profil
                else "",
                "territoire": territoire,
                "territoire_id": ct.territoire,
                "themes": " ; ".join(t.titre for t in themes),
                "themes_ids": [t.id for t in themes],
                "date": self.env.filters["date_longue"](ct.date) if ct.date else "",
                "extrait": html_excerpt(corps, 300),
            }
        return page, entree


#: the catalogue of the open data (DCAT, JSON-LD), beside the data
CATALOGUE = "donnees/catalogue.jsonld"
#: the licence of the open data when consultation.yaml names none (the French administration's default)
LICENCE_OUVERTE = ("Licence Ouverte / Open Licence version 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/")


def licence(c: Consultation) -> dict[str, str]:
    """The open-data licence: consultation.yaml's ``site_public.licence``, else Etalab's Licence Ouverte 2.0."""
    name = c.site_public.licence.strip()
    if not name or "licence ouverte" in name.lower():
        return {"nom": LICENCE_OUVERTE[0], "url": LICENCE_OUVERTE[1]}
    return {"nom": name, "url": ""}


def logo_du_site(c: Consultation) -> str:
    """The path of the logo in the site (``assets/logo.svg``…), or "" when there is none."""
    from ateliers_cli.checks.institution import logo_path

    path = logo_path(c)
    return f"assets/logo{path.suffix.lower()}" if path else ""


def _http_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address, else "" (never a ``javascript:`` link)."""
    text = url.strip()
    return text if text.lower().startswith(("https://", "http://")) and not any(ch in text for ch in " <>\"'") else ""
