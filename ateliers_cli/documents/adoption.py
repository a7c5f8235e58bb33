"""Leaving *adoption*: the deliberation, the adopted policy, and what became of the contributions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ateliers_cli.documents.context import (
    Trace,
    base_context,
    citable,
    libelle,
    lieu_ville,
    ville_collectivite,
)
from ateliers_cli.documents.output import OutputFile, publish, stage_dir
from ateliers_cli.documents.rapport import orientation_view
from ateliers_cli.documents.templating import DocumentEnvironment
from ateliers_cli.model import Consultation, PlainText, Territoire, Vote
from ateliers_cli.stages import Stage

RETENUES = ("adoptee", "amendee")


TITRE_DEVENIR = "Ce que sont devenues vos contributions"


def parties(c: Consultation) -> list[str]:
    """The pieces this stage is built in, on separate cores when there are several: the
    deliberation, the policy and the overview first (``""``), then one per territory."""
    return ["", *devenir_territoires(c)]


def build(c: Consultation, when: dt.datetime, env: DocumentEnvironment, partie: str | None = None) -> list[OutputFile]:
    """The stage's documents; with ``partie`` (one of :func:`parties`), only that piece."""
    folder = stage_dir(Stage.ADOPTION)
    shared = adoption_context(c)
    files: list[OutputFile] = []
    if partie in (None, ""):
        numero = c.deliberation.seance.numero if c.deliberation and c.deliberation.seance else ""
        docs: tuple[tuple[str, str, dict[str, Any], bool, str], ...] = (
            ("deliberation", "Délibération", {}, True, f"Délibération n° {numero}" if numero else "Délibération"),
            ("politique-adoptee", "La politique adoptée", {}, False, ""),
            ("devenir-des-contributions", TITRE_DEVENIR, devenir_context(c), False, ""),
        )
        for name, title, extra, office, sous_titre in docs:
            ctx = {**base_context(c, Stage.ADOPTION, when, titre=title, nom=name), **shared, **extra}
            files += publish(
                env,
                c,
                f"{name}.md.j2",
                ctx,
                f"{folder}/{name}",
                title,
                when,
                office=office,
                sous_titre=sous_titre or c.titre,
            )
    for tid, territoire in devenir_territoires(c).items():
        if partie is not None and partie != tid:
            continue
        # one per territory: handed out at its public restitution, and a manageable size
        name, title = f"devenir-des-contributions-{tid}", f"{TITRE_DEVENIR} — {territoire.nom}"
        extra = devenir_context(c, territoire=tid)
        ctx = {
            **base_context(c, Stage.ADOPTION, when, titre=title, nom=name),
            **shared,
            **extra,
            "bloc": extra["devenirs_par_territoire"][0],
        }
        files += publish(env, c, "devenir-territoire.md.j2", ctx, f"{folder}/{name}", title, when)
    return files


# ---------------------------------------------------------------------------
# Délibération, politique adoptée
# ---------------------------------------------------------------------------


def resultat_du_vote(vote: Vote | None) -> dict[str, Any]:
    """How the vote reads: adopted or not, unanimously or by a majority of votes cast."""
    if vote is None:
        return {"adoptee": False, "formule": "", "exprimes": 0, "majorite": 0}
    exprimes = vote.pour + vote.contre
    majorite = exprimes // 2 + 1
    adoptee = vote.pour >= majorite and vote.pour > 0
    if adoptee and vote.contre == 0 and vote.abstention == 0:
        formule = "Adoptée à l'unanimité"
    elif adoptee and vote.contre == 0:
        formule = "Adoptée à l'unanimité des suffrages exprimés"
    elif adoptee:
        formule = "Adoptée à la majorité des suffrages exprimés"
    else:
        formule = "Rejetée"
    return {"adoptee": adoptee, "formule": formule, "exprimes": exprimes, "majorite": majorite}


_ASSEMBLY_RE = re.compile(
    r"^Conseil\s+(départemental|régional|municipal|métropolitain|communautaire|territorial|exécutif)\b", re.IGNORECASE
)


_FEMININE = ("collectivité ", "commission ", "métropole ", "communauté ")


def qualite_president(conseil: str, signataire: str = "") -> str:
    """Who signs and executes the deliberation.

    ``signataire`` from consultation.yaml when given (« La Présidente du Conseil
    départemental »); otherwise from the assembly's name: « Conseil départemental du
    Nord » → « Le Président du Conseil départemental », « Conseil municipal de Lille » →
    « Le Maire », « Conseil de la Métropole européenne de Lille » → « Le Président du
    Conseil de la Métropole européenne de Lille », « Assemblée de Corse » → « Le Président
    de l'Assemblée de Corse ».
    """
    if signataire.strip():
        return signataire.strip()
    name = " ".join(conseil.split())
    m = _ASSEMBLY_RE.match(name)
    if m:
        kind = m.group(1).lower()
        return "Le Maire" if kind == "municipal" else f"Le Président du Conseil {kind}"
    if name.lower().startswith("conseil "):
        return f"Le Président du {name}"
    if not name:
        return "Le Président de l'assemblée"
    if name[0].lower() in "aeiouyéèêâîôûh":
        return f"Le Président de l'{name}"
    if name.lower().startswith(_FEMININE):
        return f"Le Président de la {name}"
    return f"Le Président de {name}"


def a_la_personne(qualite: str) -> str:
    """« Le Président du Conseil départemental » → « au Président du Conseil départemental »,
    « La Présidente … » → « à la Présidente … », « L'… » → « à l'… »."""
    for article, contracted in (("Le ", "au "), ("Les ", "aux "), ("La ", "à la "), ("L'", "à l'"), ("L’", "à l’")):
        if qualite.startswith(article):
            return contracted + qualite[len(article):]
    return f"à {qualite}"


def passage(c: Consultation, stage: Stage) -> dt.date | None:
    """When ``stage`` was left, from the history."""
    for p in c.historique:
        if p.de == stage.value and p.date is not None:
            return p.date.date() if isinstance(p.date, dt.datetime) else p.date
    return None


def adoption_context(c: Consultation) -> dict[str, Any]:
    trace = Trace.of(c)
    delib = c.deliberation
    seance = delib.seance if delib else None
    decisions = []
    for o in c.orientations.values():
        d = c.decisions.get(o.id)
        view = orientation_view(c, o, trace)
        decisions.append(
            {
                **view,
                "decision": d,
                "libelle": libelle("decision", d.decision) if d else "Non votée",
                "texte_final": (d.texte_amende if d and d.decision == "amendee" and d.texte_amende else o.texte),
                "retenue": bool(d and d.decision in RETENUES),
            }
        )
    avis = []
    for a in delib.avis if delib else []:
        avis.append({"avis": a, "commission": c.commissions.get(a.commission), "libelle": libelle("avis", a.avis)})
    restitutions = sorted(c.restitutions.values(), key=lambda r: (str(r.date) if r.date else "9999", r.id))
    lieu = seance.lieu if seance else ""
    return {
        "deliberation": delib,
        "seance": seance,
        "vote": delib.vote if delib else None,
        "resultat": resultat_du_vote(delib.vote if delib else None),
        "avis": avis,
        "decisions": decisions,
        "adoptees": [x for x in decisions if x["decision"] and x["decision"].decision == "adoptee"],
        "amendees": [x for x in decisions if x["decision"] and x["decision"].decision == "amendee"],
        "non_retenues": [x for x in decisions if x["decision"] and x["decision"].decision == "non_retenue"],
        "retenues": [x for x in decisions if x["retenue"]],
        "fait_a": lieu_ville(lieu, ville_collectivite(c)) or ville_collectivite(c),
        "qualite_president": PlainText(qualite_president(c.conseil, c.collectivite.signataire)),
        "a_qualite_president": PlainText(a_la_personne(qualite_president(c.conseil, c.collectivite.signataire))),
        "date_rapport": passage(c, Stage.RAPPORT),
        "restitutions": [
            {"restitution": r, "territoire": c.territoires.get(r.territoire)} for r in restitutions
        ],
    }


# ---------------------------------------------------------------------------
# Ce que sont devenues vos contributions
# ---------------------------------------------------------------------------


def devenir_territoires(c: Consultation) -> dict[str, Territoire]:
    """The territories with at least one contribution, in the team's order."""
    present = {x.territoire for x in c.contributions.values()}
    return {t.id: t for t in c.territoires.values() if t.id in present}


def devenir_context(c: Consultation, *, territoire: str | None = None) -> dict[str, Any]:
    """What became of each contribution; with ``territoire``, of that territory's only."""
    trace = Trace.of(c)
    decisions = c.decisions
    propositions = c.propositions

    items: dict[tuple[str, bool], dict[str, Any]] = {}  # the same few orientations for every contribution

    def orientation_item(oid: str, via_theme: bool) -> dict[str, Any]:
        item = items.get((oid, via_theme))
        if item is None:
            d = decisions.get(oid)
            item = items[(oid, via_theme)] = {
                "orientation": c.orientations[oid],
                "decision": d,
                "libelle": libelle("decision", d.decision).lower() if d else "non votée",
                "par_theme": via_theme,
            }
        return item

    def fate(cid: str) -> dict[str, Any]:
        x = c.contributions[cid]
        follow = c.contributions.get(x.doublon_de) if x.statut == "doublon" else None
        source = follow or x
        direct = sorted(trace.par_contribution.get(source.id, []))
        direct_oids = trace.orientations_of_propositions(direct)
        theme_oids: list[str] = []
        for tid in source.themes:
            for oid in trace.orientations_par_theme.get(tid, []):
                if oid not in direct_oids and oid not in theme_oids:
                    theme_oids.append(oid)
        theme_oids.sort(key=trace.orientation_order)
        orientations = [orientation_item(o, False) for o in direct_oids] + [
            orientation_item(o, True) for o in theme_oids
        ]
        territoire = c.territoires.get(x.territoire)
        return {
            "contribution": x,
            "nom": x.auteur if citable(x) and x.auteur else "",
            "territoire": territoire,
            "themes": [c.themes[t] for t in source.themes if t in c.themes] if source.statut == "analysee" else [],
            "propositions": [
                {"proposition": propositions[p], "ecartee": trace.ecartee.get(p, "")}
                for p in direct
                if p in propositions
            ],
            "orientations": orientations,
            # fed the policy: an analysed contribution cited on the way to a retained orientation
            # (a duplicate shows its original's path but is not counted twice; a theme is no citation)
            "retenue": x.statut == "analysee"
            and any(o["decision"] and o["decision"].decision in RETENUES for o in orientations if not o["par_theme"]),
            "non_retenues": [
                o
                for o in orientations
                if not o["par_theme"] and o["decision"] and o["decision"].decision == "non_retenue"
            ],
            "doublon_de": follow,
        }

    ids = sorted(k for k, x in c.contributions.items() if territoire is None or x.territoire == territoire)
    fates = [fate(k) for k in ids]
    par_territoire = []
    for t in c.territoires.values():
        if territoire is not None and t.id != territoire:
            continue
        mine = [f for f in fates if f["contribution"].territoire == t.id]
        ateliers = [a for a in c.ateliers.values() if a.territoire == t.id and a.statut == "tenu"]
        props = sorted(
            (p for p in propositions.values() if any(a.id == p.atelier for a in ateliers)), key=lambda p: p.id
        )
        oids = trace.orientations_of_propositions(p.id for p in props)
        par_territoire.append(
            {
                "territoire": t,
                "contributions": mine,
                "retenues": sum(1 for f in mine if f["retenue"]),
                "ateliers": ateliers,
                "propositions": props,
                "orientations": [orientation_item(o, False) for o in oids],
            }
        )
    return {
        "devenirs": fates,
        "devenirs_par_territoire": par_territoire,
        "nombre_retenues": sum(1 for f in fates if f["retenue"]),
        "nombre_citees": sum(1 for f in fates if f["propositions"] and f["contribution"].statut == "analysee"),
        "nombre_analysees": sum(1 for f in fates if f["contribution"].statut == "analysee"),
    }
