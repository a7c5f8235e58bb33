"""What every document template receives, and the views several documents share.

The names given to templates here are a stable interface, documented in
``docs/templates.md``: a consultation's own templates rely on them.
Everything is ordered deterministically: themes, territories, commissions and
workshops in the order of their files (the team's order), contributions and
propositions by identifier.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ateliers_cli.model import Atelier, Consultation, Contribution, Orientation, Proposition
from ateliers_cli.participants import count_participants
from ateliers_cli.render.french import profil_personne
from ateliers_cli.render.markup import sentence_excerpt
from ateliers_cli.stages import Stage

#: French labels of the enumerated values of the format.
LIBELLES: dict[str, dict[str, str]] = {
    "profil": {"habitant": "Habitant", "citoyen": "Citoyen", "partenaire": "Partenaire"},
    "profils": {"habitant": "Habitants", "citoyen": "Citoyens", "partenaire": "Partenaires"},
    "canal": {
        "formulaire": "Formulaire",
        "courrier": "Courrier",
        "courriel": "Courriel",
        "reunion": "Réunion",
        "plateforme": "Plateforme en ligne",
        "telephone": "Téléphone",
        "autre": "Autre",
    },
    "nature": {"question_de_fond": "Question de fond", "projet_operationnel": "Projet opérationnel"},
    "statut_contribution": {
        "nouvelle": "Nouvelle",
        "analysee": "Analysée",
        "hors_sujet": "Hors sujet",
        "doublon": "Doublon",
    },
    "statut": {"prevu": "Prévu", "tenu": "Tenu", "annule": "Annulé"},
    "avis": {
        "favorable": "Favorable",
        "favorable_avec_reserves": "Favorable avec réserves",
        "defavorable": "Défavorable",
    },
    "decision": {"adoptee": "Adoptée", "amendee": "Adoptée avec amendement", "non_retenue": "Non retenue"},
}

#: What each nature of theme asks of a workshop.
NATURE_EXPLICATION = {
    "question_de_fond": "on débat d'une question de politique publique, dont l'atelier tire des "
    "réflexions et des propositions d'orientation.",
    "projet_operationnel": "on construit un projet concret, et chaque proposition précise ses porteurs, "
    "son public, son échéance et son coût estimé.",
}

ORDRE_PROFILS = ("habitant", "citoyen", "partenaire")
ORDRE_CANAUX = ("formulaire", "plateforme", "courriel", "courrier", "reunion", "telephone", "autre")


def libelle(kind: str, value: str) -> str:
    """The French label of an enumerated value (the value itself when unknown)."""
    return LIBELLES.get(kind, {}).get(value, value.replace("_", " ").capitalize() if value else "—")


def ordered(values: Iterable[str], order: Iterable[str]) -> list[str]:
    """``values`` in the given order first, unknown ones after, alphabetically."""
    present = set(values)
    known = [v for v in order if v in present]
    return known + sorted(present - set(known))


# ---------------------------------------------------------------------------
# Contributions: who may be quoted, and how
# ---------------------------------------------------------------------------


def citable(contribution: Contribution) -> bool:
    """Quoted only with consent, never once erased, never a duplicate or off-topic text."""
    return contribution.publication and contribution.efface is None and contribution.statut == "analysee"


@dataclass(frozen=True)
class Citation:
    """An excerpt of a consented contribution, with its public attribution."""

    id: str
    extrait: str  # plain text; use the ``md`` filter to put it in Markdown
    auteur: str  # the public name or pseudonym (for a partner, the organisation)
    profil: str  # « habitant », « citoyen », « partenaire » (label, lower case)
    territoire: str  # the territory's name
    date: dt.date | None
    titre: str


_SALUTATION_RE = re.compile(
    r"^\s*(?:(?:madame|monsieur|mesdames|messieurs)(?:\s*(?:,|et|ou)\s*(?:madame|monsieur|mesdames|messieurs))*"
    r"(?:\s+(?:le|la)\s+pr[ée]sidente?)?|bonjour(?:\s+à\s+tous)?|bonsoir)\s*[,.!]\s*",
    re.IGNORECASE,
)


def citation(c: Consultation, contribution: Contribution, longueur: int = 320) -> Citation:
    """The excerpt of a contribution, without the letter's salutation, with its attribution."""
    territoire = c.territoires.get(contribution.territoire)
    texte = contribution.texte
    without = _SALUTATION_RE.sub("", texte, count=1).strip()
    if without and without != texte.strip():
        texte = without[0].upper() + without[1:]
    return Citation(
        id=contribution.id,
        extrait=sentence_excerpt(texte, longueur) if texte.strip() else "",
        auteur=contribution.auteur or "Anonyme",
        profil=profil_personne(contribution.profil, contribution.civilite, c.forme_inclusive),
        territoire=territoire.nom if territoire else contribution.territoire,
        date=contribution.date,
        titre=contribution.titre,
    )


def choose_citations(
    c: Consultation,
    contributions: Iterable[Contribution],
    n: int,
    longueur: int = 320,
    *,
    theme: str = "",
    jusquau: dt.date | None = None,
) -> list[Citation]:
    """Up to ``n`` consented excerpts, varied in territory and profile, deterministic.

    Greedy: each time, the candidate whose territory then profile have been quoted
    least so far; ties by identifier. With ``theme``, contributions whose first theme
    it is come first (they speak of it most). The result is shown in identifier order.
    """
    # Within one (first theme or not, territory, profile) group every candidate has the same
    # key but for its identifier: each pick looks at the head of each group, not at them all.
    groups: dict[tuple[bool, str, str], list[Contribution]] = {}
    # a document never quotes a contribution dated after it (``jusquau``: the document's day)
    quotable = (
        x for x in contributions if citable(x) and x.texte.strip() and not (jusquau and x.date and x.date > jusquau)
    )
    for x in sorted(quotable, key=lambda x: x.id, reverse=True):
        groups.setdefault((bool(theme) and x.themes[:1] != [theme], x.territoire, x.profil), []).append(x)
    chosen: list[Contribution] = []
    by_territory: dict[str, int] = {}
    by_profile: dict[str, int] = {}
    while groups and len(chosen) < n:
        group = min(
            groups,
            key=lambda g: (g[0], by_territory.get(g[1], 0), by_profile.get(g[2], 0), groups[g][-1].id),
        )
        best = groups[group].pop()  # the smallest identifier (each group is sorted in reverse)
        if not groups[group]:
            del groups[group]
        chosen.append(best)
        by_territory[best.territoire] = by_territory.get(best.territoire, 0) + 1
        by_profile[best.profil] = by_profile.get(best.profil, 0) + 1
    return [citation(c, x, longueur) for x in sorted(chosen, key=lambda x: x.id)]


# ---------------------------------------------------------------------------
# The traceability chain
# ---------------------------------------------------------------------------


@dataclass
class Trace:
    """contribution → theme → proposition → regroupement → orientation → decision, indexed."""

    c: Consultation
    propositions: dict[str, Proposition] = field(default_factory=dict)
    par_contribution: dict[str, list[str]] = field(default_factory=dict)
    par_theme: dict[str, list[str]] = field(default_factory=dict)
    regroupement_de: dict[str, str] = field(default_factory=dict)
    ecartee: dict[str, str] = field(default_factory=dict)
    orientations_de: dict[str, list[str]] = field(default_factory=dict)
    regroupement_ecarte: dict[str, str] = field(default_factory=dict)
    orientations_par_theme: dict[str, list[str]] = field(default_factory=dict)
    # sort key of an orientation id: the order of orientations.yaml, unknown ones after
    orientation_order: Any = None

    @classmethod
    def of(cls, c: Consultation) -> Trace:
        t = cls(c)
        t.orientation_order = _orientation_order(c)
        t.propositions = dict(sorted(c.propositions.items()))
        for p in t.propositions.values():
            t.par_theme.setdefault(p.theme, []).append(p.id)
            for cid in p.contributions:
                t.par_contribution.setdefault(cid, []).append(p.id)
        for g in c.regroupements.values():
            for pid in g.propositions:
                t.regroupement_de.setdefault(pid, g.id)
        if c.synthese is not None:
            for e in c.synthese.propositions_ecartees:
                t.ecartee.setdefault(e.ref, e.motif)
        for o in c.orientations.values():
            for gid in o.regroupements:
                t.orientations_de.setdefault(gid, []).append(o.id)
        for e in c.regroupements_ecartes:
            t.regroupement_ecarte.setdefault(e.ref, e.motif)
        for theme_id, pids in t.par_theme.items():
            oids: set[str] = set()
            for pid in pids:
                oids.update(t.orientations_de.get(t.regroupement_de.get(pid, ""), []))
            t.orientations_par_theme[theme_id] = sorted(oids, key=t.orientation_order)
        return t

    # -- upwards: where a thing comes from ----------------------------------

    def propositions_of_orientation(self, o: Orientation) -> list[Proposition]:
        out: dict[str, Proposition] = {}
        for gid in o.regroupements:
            g = self.c.regroupements.get(gid)
            for pid in g.propositions if g else []:
                if pid in self.propositions:
                    out.setdefault(pid, self.propositions[pid])
        return [out[k] for k in sorted(out)]

    def contributions_of(self, propositions: Iterable[Proposition]) -> list[str]:
        return sorted({cid for p in propositions for cid in p.contributions if cid in self.c.contributions})

    def ateliers_of(self, propositions: Iterable[Proposition]) -> list[Atelier]:
        ids = {p.atelier for p in propositions}
        return [a for a in self.c.ateliers.values() if a.id in ids]

    def territoires_of(self, propositions: Iterable[Proposition]) -> list[str]:
        """Names of the territories whose workshops made these propositions, in file order."""
        ids = {a.territoire for a in self.ateliers_of(propositions)}
        return [t.nom for t in self.c.territoires.values() if t.id in ids]

    # -- downwards: what became of a thing ----------------------------------

    def orientations_of_propositions(self, pids: Iterable[str]) -> list[str]:
        oids: set[str] = set()
        for pid in pids:
            oids.update(self.orientations_de.get(self.regroupement_de.get(pid, ""), ()))
        return sorted(oids, key=self.orientation_order) if oids else []


def _orientation_order(c: Consultation) -> Any:
    order = {oid: i for i, oid in enumerate(c.orientations)}
    return lambda oid: (order.get(oid, len(order)), oid)


# ---------------------------------------------------------------------------
# Key figures and the common context
# ---------------------------------------------------------------------------


_STATUT = operator.attrgetter("statut")


def chiffres(c: Consultation) -> dict[str, int | None]:
    """The key figures of the consultation, as far as it has gone."""
    contributions = c.contributions.values()
    statuts = Counter(map(_STATUT, contributions))  # counted in C: this runs for every document
    ateliers = list(c.ateliers.values())
    tenus = [a for a in ateliers if a.statut == "tenu"]
    once = count_participants(c)
    return {
        "contributions": len(c.contributions),
        "analysees": statuts["analysee"],
        "hors_sujet": statuts["hors_sujet"],
        "doublons": statuts["doublon"],
        "citables": sum(map(citable, contributions)),
        "themes": len(c.themes),
        "territoires": len(c.territoires),
        "population": sum(t.population for t in c.territoires.values()),
        "ateliers": len(ateliers),
        "ateliers_tenus": len(tenus),
        "ateliers_annules": sum(1 for a in ateliers if a.statut == "annule"),
        # arrondissements where a workshop was actually held (not merely planned)
        "territoires_couverts": len({a.territoire for a in tenus if a.territoire in c.territoires}),
        "territoires_prevus": len(
            {a.territoire for a in ateliers if a.statut != "annule" and a.territoire in c.territoires}
        ),
        # each person once (None: cannot be counted once, so not stated): see ateliers_cli.participants
        "participants_ateliers": once.ateliers,
        "inscrits": sum(a.inscriptions.inscrits for a in ateliers if a.inscriptions),
        "capacite": sum(a.capacite for a in ateliers if a.statut != "annule"),
        "participants_lancement": (c.lancement.participants or 0) if c.lancement else 0,
        "participants_synthese": (c.synthese.participants or 0) if c.synthese else 0,
        "propositions": len(c.propositions),
        "regroupements": len(c.regroupements),
        "orientations": len(c.orientations),
        "restitutions": len(c.restitutions),
        "participants_restitutions": once.restitutions,
    }


def calendrier(c: Consultation) -> list[dict[str, Any]]:
    """The planned calendar, stage by stage (stages without dates left out)."""
    out = []
    for stage in Stage.process():
        periode = c.calendrier.get(stage.value)
        if periode is not None and (periode.debut or periode.fin):
            out.append({"etape": stage, "debut": periode.debut, "fin": periode.fin})
    return out


def passages(c: Consultation) -> dict[str, dt.date]:
    """The day each stage was left, from the history of passages (the first one)."""
    out: dict[str, dt.date] = {}
    for p in c.historique:
        if p.date is not None and p.de not in out:
            out[p.de] = p.date.date() if isinstance(p.date, dt.datetime) else p.date
    return out


def deroulement(
    c: Consultation, stage: Stage | None = None, when: dt.datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Each stage's announced period (the calendar) and its actual end (the passage leaving it).

    The one source of a stage's dates for every document: ``debut`` and ``fin`` as announced,
    ``cloture`` the day it was left (``when`` for the ``stage`` being left now), ``anticipee``
    when it was left before its announced end.
    """
    left = passages(c)
    if stage is not None and when is not None:
        left.setdefault(stage.value, when.date())
    out: dict[str, dict[str, Any]] = {}
    for s in Stage.process():
        periode = c.calendrier.get(s.value)
        debut, fin = (periode.debut, periode.fin) if periode is not None else (None, None)
        cloture = left.get(s.value)
        out[s.value] = {
            "etape": s,
            "debut": debut,
            "fin": fin,
            "cloture": cloture,
            "anticipee": bool(cloture and fin and cloture < fin),
        }
    return out


def lieu_ville(lieu: str, defaut: str = "") -> str:
    """« Lille » from « Hôtel du Département, Lille » (for « Fait à Lille »)."""
    if "," in lieu:
        return lieu.rsplit(",", 1)[1].strip() or defaut
    return defaut or lieu


def ville_collectivite(c: Consultation) -> str:
    """The town of the collectivité's address (« 59047 Lille Cedex » → « Lille »)."""
    adresse = c.collectivite.adresse
    if not adresse:
        return ""
    last = adresse.rsplit(",", 1)[-1].strip()
    words = [w for w in last.split() if not w.isdigit() and w.lower() != "cedex"]
    return " ".join(words)


def base_context(c: Consultation, stage: Stage, when: dt.datetime, *, titre: str, nom: str) -> dict[str, Any]:
    """The names every template receives (see docs/templates.md)."""
    return {
        "consultation": c,
        "collectivite": c.collectivite,
        "conseil": c.conseil,
        "etape": stage,
        "etapes": Stage.process(),
        "date": when,
        "document": {"titre": titre, "nom": nom, "etape": stage},
        "themes": list(c.themes.values()),
        "territoires": list(c.territoires.values()),
        "commissions": list(c.commissions.values()),
        "calendrier": calendrier(c),
        "deroulement": deroulement(c, stage, when),
        "chiffres": chiffres(c),
        "libelles": LIBELLES,
        "natures": NATURE_EXPLICATION,
    }
