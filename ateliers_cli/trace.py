"""The traceability chain: contribution → themes → workshops → propositions → regroupements →
orientations → the council's decision → restitutions.

:class:`Traceability` indexes a consultation once, so that the chain of every
contribution can be asked cheaply (the public site asks it thousands of times).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ateliers_cli.answers import hors_sujet, reponse
from ateliers_cli.errors import AteliersError
from ateliers_cli.hints import did_you_mean
from ateliers_cli.model import (
    Atelier,
    Consultation,
    Contribution,
    Decision,
    Orientation,
    Proposition,
    Regroupement,
    Restitution,
    Retour,
    Theme,
)
from ateliers_cli.render.french import liste

DECISION_LABELS = {"adoptee": "adoptée", "amendee": "adoptée avec amendements", "non_retenue": "non retenue"}

#: What an identifier's prefix names.
KINDS = {"C": "contribution", "P": "proposition", "G": "regroupement", "O": "orientation"}


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """A date as ``AAAA-MM-JJ``, a date and time as ``AAAA-MM-JJTHH:MM``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


@dataclass
class OrientationFate:
    orientation: Orientation
    decision: Decision | None
    retours: list[tuple[Restitution, Retour]] = field(default_factory=list)
    amendements: list[tuple[str, str]] = field(default_factory=list)  # (commission, texte)

    @property
    def retenue(self) -> bool:
        """Adopted, with or without amendments."""
        return self.decision is not None and self.decision.decision in ("adoptee", "amendee")

    @property
    def decision_label(self) -> str:
        if self.decision is None:
            return "pas encore votée"
        return DECISION_LABELS.get(self.decision.decision, self.decision.decision)

    def to_dict(self) -> dict[str, Any]:
        d = self.decision
        return {
            "id": self.orientation.id,
            "titre": self.orientation.titre,
            "decision": d.decision if d else None,
            "decision_libelle": self.decision_label,
            "texte_amende": d.texte_amende if d else "",
            "motif": d.motif if d else "",
            "amendements": [{"commission": cm, "texte": t} for cm, t in self.amendements],
            "retours": [{"restitution": r.id, "territoire": r.territoire, "texte": x.texte} for r, x in self.retours],
        }


@dataclass
class PropositionFate:
    proposition: Proposition
    atelier: Atelier | None
    regroupement: Regroupement | None
    ecartee: str  # the reason, when set aside at the synthesis forum
    orientations: list[OrientationFate]
    regroupement_ecarte: str  # the reason, when its regroupement was not kept in the report

    def to_dict(self) -> dict[str, Any]:
        p = self.proposition
        return {
            "id": p.id,
            "titre": p.titre,
            "atelier": p.atelier,
            "theme": p.theme,
            "contributions": list(p.contributions),
            "regroupement": {"id": self.regroupement.id, "titre": self.regroupement.titre}
            if self.regroupement
            else None,
            "ecartee": self.ecartee or None,
            "regroupement_ecarte": self.regroupement_ecarte or None,
            "orientations": [o.to_dict() for o in self.orientations],
        }


@dataclass
class ContributionFate:
    """What became of one contribution.

    Two kinds of link, never confused: an orientation is *cited* (« a nourri ») when a
    proposition names the contribution and the chain runs on through a regroupement to it;
    it is only *related* when it comes from a theme the contribution shares.
    """

    contribution: Contribution
    themes: list[Theme]
    ateliers: list[Atelier]  # the workshops that worked its themes
    propositions: list[PropositionFate]  # the propositions that cite it
    orientations_par_theme: list[OrientationFate]  # what its themes became, even when not cited
    restitutions: list[Restitution]  # the restitution meetings of its territory
    original: Contribution | None = None  # when it is a duplicate
    original_fate: ContributionFate | None = None  # what became of the original, for a duplicate
    propositions_existent: bool = True  # whether the workshops have made propositions yet
    orientations_existent: bool = True  # whether the report's orientations are written yet
    motif: str = ""  # off-topic: why
    redirection: str = ""  # off-topic: where to turn
    reponse: str = ""  # the team's written answer (Markdown), when there is one

    @property
    def orientations_citees(self) -> list[OrientationFate]:
        """Orientations reached through the propositions that cite it, in the order of the report."""
        seen: dict[str, OrientationFate] = {}
        for p in self.propositions:
            for o in p.orientations:
                seen.setdefault(o.orientation.id, o)
        return sorted(seen.values(), key=lambda f: f.orientation.id)

    @property
    def orientations_liees(self) -> list[OrientationFate]:
        """Orientations only related to it: from its themes, not reached through a citation."""
        cited = {o.orientation.id for o in self.orientations_citees}
        return [o for o in self.orientations_par_theme if o.orientation.id not in cited]

    @property
    def a_nourri_retenue(self) -> bool:
        """Whether it fed an orientation the assembly retained, through a citation (analysed ones only)."""
        return self.contribution.statut == "analysee" and any(o.retenue for o in self.orientations_citees)

    @property
    def summary(self) -> str:
        """One or two French sentences: what became of it, cited and related kept apart."""
        ct = self.contribution
        if ct.statut == "hors_sujet":
            phrase = (
                "Cette contribution a été jugée hors du sujet de la consultation : elle n'a pas été versée aux "
                "ateliers."
            )
            if self.motif:
                phrase += f" Motif : {self.motif.rstrip('.')}."
            if self.redirection:
                phrase += f" Vers qui vous tourner : {self.redirection.rstrip('.')}."
            return phrase
        if ct.statut == "doublon":
            phrase = f"Cette contribution reprend la contribution {ct.doublon_de}, qui a été suivie à sa place."
            if self.original_fate is not None and self.original_fate.contribution.statut == "analysee":
                phrase += " " + self.original_fate.chemin(f"La contribution {ct.doublon_de}")
            return phrase
        if ct.statut == "nouvelle":
            return "Cette contribution est en cours d'analyse."
        return self.chemin("Elle")

    def chemin(self, sujet: str) -> str:
        """The path of an analysed contribution, as a sentence whose subject is ``sujet``."""
        cited = self.orientations_citees
        if self.propositions:
            n = len(self.propositions)
            citee = f"{sujet} est citée par {'une proposition' if n == 1 else f'{n} propositions'} d'atelier"
            if not cited:
                if all(p.ecartee for p in self.propositions):
                    return (
                        f"{citee}, écartée{'s' if n > 1 else ''} au forum de synthèse : elle n'a nourri aucune "
                        "orientation."
                    )
                if not self.orientations_existent:
                    return f"{citee} ; les orientations n'en sont pas encore tirées."
                reprise = "reprise" if n == 1 else "reprises"
                return (
                    f"{citee}, qui n'{'a' if n == 1 else 'ont'} pas été {reprise} dans les orientations : elle n'a "
                    "nourri aucune orientation."
                )
            return f"{citee}. {_nourri(cited)}"
        if not self.propositions_existent:
            if self.ateliers:
                return f"{sujet} a été classée dans ses thèmes, qui sont travaillés en atelier."
            return f"{sujet} a été classée dans ses thèmes."
        cite = "ne la cite" if sujet == "Elle" else f"ne cite {sujet[0].lower()}{sujet[1:]}"
        phrase = f"Aucune proposition d'atelier {cite} : elle n'a nourri directement aucune orientation."
        related = self.orientations_liees
        if related:
            k = len(related)
            phrase += (
                f" {'Une orientation porte' if k == 1 else f'{k} orientations portent'} sur ses thèmes "
                f"({_ids(related)})."
            )
        return phrase

    def to_dict(self) -> dict[str, Any]:
        ct = self.contribution
        return {
            "id": ct.id,
            "type": "contribution",
            "titre": ct.titre,
            "auteur": ct.auteur,
            "date": iso(ct.date),
            "profil": ct.profil,
            "efface": iso(ct.efface),
            "statut": ct.statut,
            "doublon_de": ct.doublon_de or None,
            "resume": self.summary,
            "motif_hors_sujet": self.motif or None,
            "redirection": self.redirection or None,
            "reponse": self.reponse or None,
            "territoire": ct.territoire,
            "themes": [{"id": t.id, "titre": t.titre} for t in self.themes],
            "ateliers": [{"id": a.id, "titre": a.titre, "statut": a.statut} for a in self.ateliers],
            "propositions": [p.to_dict() for p in self.propositions],
            "orientations_par_theme": [o.to_dict() for o in self.orientations_par_theme],
            "orientations_citees": [o.to_dict() for o in self.orientations_citees],
            "orientations_liees_par_theme": [o.to_dict() for o in self.orientations_liees],
            "restitutions": [
                {"id": r.id, "lieu": r.lieu, "date": iso(r.date), "statut": r.statut} for r in self.restitutions
            ],
        }


def _ids(fates: list[OrientationFate]) -> str:
    return liste(f.orientation.id for f in fates)


def _named(fates: list[OrientationFate]) -> str:
    return liste(f"{f.orientation.id} « {f.orientation.titre} »" for f in fates)


def _nourri(cited: list[OrientationFate]) -> str:
    """« Elle a nourri l'orientation O-03 « … », adoptée par l'assemblée. » and the others, each named."""
    retenues = [o for o in cited if o.retenue]
    rejetees = [o for o in cited if o.decision is not None and not o.retenue]
    en_attente = [o for o in cited if o.decision is None]
    parts = []
    if retenues:
        k = len(retenues)
        parts.append(
            f"Elle a nourri l'orientation {_named(retenues)}, adoptée par l'assemblée."
            if k == 1
            else f"Elle a nourri {k} orientations adoptées par l'assemblée : {_named(retenues)}."
        )
    for o in rejetees:
        motif = " ".join((o.decision.motif or "").split()) if o.decision else ""
        debut = "Elle a aussi nourri" if parts else "Elle a nourri"
        parts.append(
            f"{debut} l'orientation {_named([o])}, que l'assemblée n'a pas retenue"
            + (f", pour ce motif : « {motif} »" if motif else " (motif non précisé)")
            + "."
        )
    if en_attente:
        k = len(en_attente)
        debut = "Elle a aussi nourri" if parts else "Elle a nourri"
        parts.append(
            f"{debut} l'orientation {_named(en_attente)}, soumise à l'assemblée."
            if k == 1
            else f"{debut} {k} orientations soumises à l'assemblée : {_named(en_attente)}."
        )
    return " ".join(parts)


class Traceability:
    """Indexes of one consultation, for the chain of any contribution, proposition or orientation."""

    def __init__(self, c: Consultation) -> None:
        self.c = c
        self.propositions = c.propositions
        self.regroupements = c.regroupements
        self.decisions = c.decisions
        self.props_citing: dict[str, list[Proposition]] = defaultdict(list)
        for p in self.propositions.values():
            for cid in p.contributions:
                self.props_citing[cid].append(p)
        self.group_of: dict[str, Regroupement] = {}
        for g in self.regroupements.values():
            for pid in g.propositions:
                self.group_of.setdefault(pid, g)
        self.ecart_prop: dict[str, str] = {}
        if c.synthese is not None:
            self.ecart_prop = {e.ref: e.motif for e in c.synthese.propositions_ecartees}
        self.ecart_group = {e.ref: e.motif for e in c.regroupements_ecartes}
        self.orients_of_group: dict[str, list[Orientation]] = defaultdict(list)
        for o in c.orientations.values():
            for gid in o.regroupements:
                self.orients_of_group[gid].append(o)
        self.ateliers_of_theme: dict[str, list[Atelier]] = defaultdict(list)
        for a in c.ateliers.values():
            if a.statut != "annule":
                for t in a.themes:
                    self.ateliers_of_theme[t].append(a)
        self.orients_of_theme: dict[str, dict[str, Orientation]] = defaultdict(dict)
        for p in self.propositions.values():
            group = self.group_of.get(p.id)
            if group is None or p.id in self.ecart_prop:
                continue
            for o in self.orients_of_group.get(group.id, []):
                self.orients_of_theme[p.theme].setdefault(o.id, o)
        self.retours_of: dict[str, list[tuple[Restitution, Retour]]] = defaultdict(list)
        self.restitutions_of_territory: dict[str, list[Restitution]] = defaultdict(list)
        for r in c.restitutions.values():
            self.restitutions_of_territory[r.territoire].append(r)
            for x in r.retours:
                if x.orientation:
                    self.retours_of[x.orientation].append((r, x))
        self.amendements_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        if c.deliberation is not None:
            for avis in c.deliberation.avis:
                for am in avis.amendements:
                    self.amendements_of[am.orientation].append((avis.commission, am.texte))
        self._orientation_fates: dict[str, OrientationFate] = {}

    # --- forward -------------------------------------------------------------

    def orientation_fate(self, o: Orientation) -> OrientationFate:
        fate = self._orientation_fates.get(o.id)
        if fate is None:
            fate = OrientationFate(
                o,
                self.decisions.get(o.id),
                sorted(self.retours_of.get(o.id, []), key=lambda rx: rx[0].id),
                list(self.amendements_of.get(o.id, [])),
            )
            self._orientation_fates[o.id] = fate
        return fate

    def proposition_fate(self, p: Proposition) -> PropositionFate:
        g = None if p.id in self.ecart_prop else self.group_of.get(p.id)
        orients = [self.orientation_fate(o) for o in self.orients_of_group.get(g.id, [])] if g else []
        return PropositionFate(
            proposition=p,
            atelier=self.c.ateliers.get(p.atelier),
            regroupement=g,
            ecartee=self.ecart_prop.get(p.id, ""),
            orientations=orients,
            regroupement_ecarte=self.ecart_group.get(g.id, "") if g else "",
        )

    def contribution_fate(self, ct: Contribution) -> ContributionFate:
        themes = [self.c.themes[t] for t in ct.themes if t in self.c.themes]
        ateliers: dict[str, Atelier] = {}
        by_theme: dict[str, OrientationFate] = {}
        for t in themes:
            for a in self.ateliers_of_theme.get(t.id, []):
                ateliers.setdefault(a.id, a)
            for o in self.orients_of_theme.get(t.id, {}).values():
                by_theme.setdefault(o.id, self.orientation_fate(o))
        props = [self.proposition_fate(p) for p in sorted(self.props_citing.get(ct.id, []), key=lambda p: p.id)]
        original = self.c.contributions.get(ct.doublon_de) if ct.doublon_de else None
        fate = ContributionFate(
            contribution=ct,
            themes=themes,
            ateliers=sorted(ateliers.values(), key=lambda a: a.id),
            propositions=props,
            orientations_par_theme=sorted(by_theme.values(), key=lambda f: f.orientation.id),
            restitutions=sorted(self.restitutions_of_territory.get(ct.territoire, []), key=lambda r: r.id),
            original=original,
            original_fate=self.contribution_fate(original)
            if original is not None and original.id != ct.id and not original.doublon_de
            else None,
            propositions_existent=bool(self.propositions),
            orientations_existent=bool(self.c.orientations),
        )
        if ct.statut == "hors_sujet":
            why = hors_sujet(self.c, ct)
            fate.motif, fate.redirection = why.motif, why.redirection
        fate.reponse = reponse(self.c, ct, [o.orientation.id for o in fate.orientations_citees])
        return fate

    # --- backward ------------------------------------------------------------

    def sources_of_orientation(self, o: Orientation) -> dict[str, Any]:
        groups = [self.regroupements[g] for g in o.regroupements if g in self.regroupements]
        props = [self.propositions[pid] for g in groups for pid in g.propositions if pid in self.propositions]
        contribs = sorted({cid for p in props for cid in p.contributions})
        ateliers = sorted({p.atelier for p in props})
        return {"regroupements": groups, "propositions": props, "ateliers": ateliers, "contributions": contribs}

    def trace(self, ident: str) -> dict[str, Any]:
        """See :func:`trace`."""
        return _trace(self, ident)


def trace(c: Consultation, ident: str) -> dict[str, Any]:
    """The chain of one contribution (C-…), proposition (P-…), regroupement (G-…) or orientation (O-…).

    Plain data (what ``ateliers trace --json`` prints). An unknown identifier raises an
    :class:`AteliersError` with the closest known one as a hint.
    """
    return Traceability(c).trace(ident.strip())


def _suggest(ident: str, known: list[str]) -> str:
    """The id meant: same letters in another case, the same number written otherwise (C-1 → C-0001), or the closest."""
    upper = ident.upper()
    m = re.fullmatch(r"([A-Z])-0*(\d+)", upper)
    if m:
        for k in known:
            km = re.fullmatch(r"([A-Z])-0*(\d+)", k)
            if km and km.group(1) == m.group(1) and km.group(2) == m.group(2):
                return f"vouliez-vous dire « {k} » ?"
    return did_you_mean(ident, known)


def _trace(t: Traceability, ident: str) -> dict[str, Any]:
    c = t.c
    if ident[:2].islower() and ident[1:2] == "-":
        ident = ident[0].upper() + ident[1:]  # « c-0001 » is « C-0001 »
    if ident in c.contributions:
        ct = c.contributions[ident]
        out = t.contribution_fate(ct).to_dict()
        if ct.doublon_de and ct.doublon_de in c.contributions and ct.doublon_de != ct.id:
            out["original"] = t.contribution_fate(c.contributions[ct.doublon_de]).to_dict()
        return out
    if ident in t.propositions:
        p = t.propositions[ident]
        fate = t.proposition_fate(p).to_dict()
        fate["type"] = "proposition"
        fate["description"] = p.description
        fate["soutiens"] = p.soutiens
        fate["contributions"] = [
            {"id": cid, "auteur": c.contributions[cid].auteur if cid in c.contributions else None}
            for cid in p.contributions
        ]
        return fate
    if ident in t.regroupements:
        g = t.regroupements[ident]
        props = [t.propositions[pid] for pid in g.propositions if pid in t.propositions]
        return {
            "id": g.id,
            "type": "regroupement",
            "titre": g.titre,
            "ecarte": t.ecart_group.get(g.id) or None,
            "propositions": [{"id": p.id, "titre": p.titre, "atelier": p.atelier, "theme": p.theme} for p in props],
            "contributions": sorted({cid for p in props for cid in p.contributions}),
            "orientations": [t.orientation_fate(o).to_dict() for o in t.orients_of_group.get(g.id, [])],
        }
    if ident in c.orientations:
        o = c.orientations[ident]
        fate = t.orientation_fate(o).to_dict()
        src = t.sources_of_orientation(o)
        fate.update(
            type="orientation",
            texte=o.texte,
            commissions=o.commissions,
            regroupements=[{"id": g.id, "titre": g.titre} for g in src["regroupements"]],
            propositions=[{"id": p.id, "titre": p.titre, "atelier": p.atelier} for p in src["propositions"]],
            ateliers=src["ateliers"],
            contributions=src["contributions"],
        )
        return fate
    known = list(c.contributions) + list(t.propositions) + list(t.regroupements) + list(c.orientations)
    kind = KINDS.get(ident[:1].upper()) if ident[1:2] == "-" else None
    raise AteliersError(
        f"{kind or 'identifiant'} « {ident} » introuvable",
        hint=_suggest(ident, known)
        or "donnez l'identifiant d'une contribution (C-…), d'une proposition (P-…), d'un regroupement (G-…) ou d'une "
        "orientation (O-…)",
    )
