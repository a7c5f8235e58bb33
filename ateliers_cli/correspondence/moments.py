"""The moments the consultation writes to people, and the messages each one makes.

A message is one person, one moment, one subject (``ref``): a registration, a meeting, the
fate of one's contributions. Its id (moment, subject, person key) is what the send log
records, so that the same message is never sent twice, and a new one (a second
registration, another promotion) is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ateliers_cli.correspondence.recipients import Person
from ateliers_cli.errors import AteliersError
from ateliers_cli.inscriptions import Registration, Statut, workshop_when
from ateliers_cli.model import Atelier, Consultation, Restitution


class Moment(StrEnum):
    CONFIRMATION = "confirmation"
    PLACE_LIBEREE = "place-liberee"
    RESTITUTION = "restitution"
    DEVENIR = "devenir"
    AVANCEMENT = "avancement"


MOMENT_LABELS = {
    Moment.CONFIRMATION: "confirmation d'inscription à un atelier (ou de place en liste d'attente)",
    Moment.PLACE_LIBEREE: "une place s'est libérée : inscription depuis la liste d'attente",
    Moment.RESTITUTION: "invitation à la réunion publique de restitution de son territoire",
    Moment.DEVENIR: "« ce qu'est devenue votre contribution », après le vote de l'assemblée",
    Moment.AVANCEMENT: "avancement des actions issues des orientations que la contribution a nourries",
}


@dataclass
class Event:
    """A meeting, for the iCalendar invitation."""

    uid: str
    titre: str
    debut: dt.datetime
    fin: dt.datetime | None
    lieu: str
    description: str = ""


@dataclass
class Message:
    moment: Moment
    person: Person
    ref: str  # what it is about, stable from one run to the next
    context: dict[str, Any] = field(default_factory=dict)
    event: Event | None = None

    @property
    def id(self) -> str:
        return f"{self.moment.value}|{self.ref}|{self.person.key}"

    def sent_in(self, log: set[str]) -> bool:
        """Whether the send log lists this message (under its id, or the one a log written before
        person keys gave it)."""
        former = self.person.former_key
        return self.id in log or bool(former) and f"{self.moment.value}|{self.ref}|{former}" in log


def _consultation_context(c: Consultation) -> dict[str, Any]:
    col = c.collectivite
    return {
        "titre": c.titre,
        "collectivite": col.nom,
        "adresse": col.adresse,
        "site": col.site,
        "signataire": col.signataire,
    }


def _person_context(p: Person) -> dict[str, Any]:
    return {"prenom": p.prenom, "nom": p.nom, "salutation": p.greeting, "commune": p.commune}


def _territory_name(c: Consultation, tid: str) -> str:
    t = c.territoires.get(tid)
    return t.nom if t is not None and t.nom else tid


def _atelier_context(c: Consultation, a: Atelier) -> dict[str, Any]:
    return {
        "id": a.id,
        "titre": a.titre,
        "quand": workshop_when(a),
        "lieu": a.lieu,
        "adresse": a.adresse,
        "territoire": _territory_name(c, a.territoire),
        "accessible_pmr": a.accessible_pmr,
    }


def _as_datetime(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    return None


def _workshop_event(c: Consultation, a: Atelier) -> Event | None:
    start = _as_datetime(a.date)
    if start is None:
        return None
    return Event(
        uid=f"atelier-{a.id}@{c.id or 'consultation'}.ateliers",
        titre=f"{a.titre} — {c.titre}",
        debut=start,
        fin=_as_datetime(a.fin),
        lieu=", ".join(x for x in (a.lieu, a.adresse) if x),
        description=f"Atelier citoyen « {c.titre} », {c.collectivite.nom}.",
    )


def _registration_messages(
    c: Consultation, people: list[Person], wanted: Callable[[Registration], str | None]
) -> list[Message]:
    out: list[Message] = []
    for p in people:
        for r in p.registrations:
            ref = wanted(r)
            a = c.ateliers.get(r.atelier)
            if ref is None or a is None:
                continue
            ctx = {"atelier": _atelier_context(c, a), "statut": r.statut, "rang": r.rang, "besoins": r.needs_label()}
            event = _workshop_event(c, a) if r.statut == Statut.INSCRIT else None
            out.append(Message(Moment.CONFIRMATION, p, ref, ctx, event))
    return out


def confirmations(c: Consultation, people: list[Person]) -> list[Message]:
    """Each registration placed or waiting: its confirmation (a new one when the status changes)."""

    def wanted(r: Registration) -> str | None:
        if r.statut in (Statut.INSCRIT, Statut.ATTENTE) and not r.promu_le:
            return f"{r.key}|{r.atelier}|{r.statut}"
        return None

    return _registration_messages(c, people, wanted)


def places_freed(c: Consultation, people: list[Person]) -> list[Message]:
    """Each person given a place from the waiting list."""

    def wanted(r: Registration) -> str | None:
        if r.statut == Statut.INSCRIT and r.promu_le:
            return f"{r.key}|{r.atelier}|promu-le-{r.promu_le}"
        return None

    out = _registration_messages(c, people, wanted)
    for m in out:
        m.moment = Moment.PLACE_LIBEREE
    return out


def _meeting_event(c: Consultation, r: Restitution) -> Event | None:
    start = _as_datetime(r.date)
    if start is None:
        return None
    return Event(
        uid=f"restitution-{r.id}@{c.id or 'consultation'}.ateliers",
        titre=f"Restitution publique — {c.titre} ({_territory_name(c, r.territoire)})",
        debut=start,
        fin=start + dt.timedelta(hours=2),
        lieu=r.lieu,
        description="Réunion publique : la politique adoptée par l'assemblée, et vos avis sur sa mise en œuvre. "
        f"{c.collectivite.nom}.",
    )


def restitutions(c: Consultation, people: list[Person]) -> list[Message]:
    """Everyone who agreed, invited to the restitution meetings of their territory still to come."""
    from ateliers_cli.clock import now

    out: list[Message] = []
    today = now()
    meetings = [
        r
        for r in c.restitutions.values()
        if r.statut == "prevu"
        and not (isinstance(r.date, dt.datetime) and r.date.replace(tzinfo=r.date.tzinfo or today.tzinfo) < today)
    ]
    for p in people:
        if p.contact is not True:
            continue
        territories = {c.contributions[cid].territoire for cid in p.contributions if cid in c.contributions}
        territories |= {
            c.ateliers[r.atelier].territoire
            for r in p.registrations
            if r.atelier in c.ateliers and r.statut != Statut.ANNULE
        }
        for r in sorted(meetings, key=lambda r: r.id):
            if r.territoire not in territories:
                continue
            ctx = {
                "reunion": {
                    "id": r.id,
                    "quand": _meeting_when(r),
                    "lieu": r.lieu,
                    "territoire": _territory_name(c, r.territoire),
                }
            }
            out.append(Message(Moment.RESTITUTION, p, f"restitution-{r.id}", ctx, _meeting_event(c, r)))
    return out


def _meeting_when(r: Restitution) -> str:
    from ateliers_cli.render import french

    if isinstance(r.date, dt.datetime):
        return french.date_heure(r.date)
    if isinstance(r.date, dt.date):
        return french.date_longue(r.date)
    return ""


def fates(c: Consultation, people: list[Person]) -> list[Message]:
    """After the vote: to everyone who agreed, what became of each of their contributions —
    the orientations it fed through a proposition that cites it, apart from those of its themes."""
    from ateliers_cli.trace import Traceability

    if c.deliberation is None or not c.deliberation.decisions:
        raise AteliersError(
            "l'assemblée n'a pas encore voté : il n'y a pas encore de devenir à annoncer",
            path="deliberation.yaml",
            hint="renseignez les décisions (deliberation.yaml), puis préparez ces courriers",
        )
    t = Traceability(c)
    out: list[Message] = []
    for p in people:
        if p.contact is not True:
            continue
        items = []
        for cid in sorted(p.contributions):
            ct = c.contributions.get(cid)
            if ct is None or ct.efface is not None:
                continue
            fate = t.contribution_fate(ct)
            # a duplicate was followed through its original: the original's chain is its fate
            followed = fate.original_fate if fate.original_fate is not None and not fate.propositions else fate
            cited: dict[str, Any] = {}
            for pf in followed.propositions:
                for of in pf.orientations:
                    cited.setdefault(of.orientation.id, _orientation(of, pf.proposition.titre))
            related = [_orientation(of, "") for of in fate.orientations_par_theme if of.orientation.id not in cited]
            items.append(
                {
                    "id": ct.id,
                    "titre": ct.titre,
                    "date": ct.date,
                    "resume": _flat(fate.summary),
                    "propositions": len(followed.propositions),
                    "statut": ct.statut,
                    "themes": [th.titre for th in fate.themes],
                    "citee": list(cited.values()),
                    "original": followed.contribution.id if followed is not fate else "",
                    "liee": related,
                }
            )
        if items:
            out.append(
                Message(Moment.DEVENIR, p, "devenir|" + ",".join(str(i["id"]) for i in items), {"contributions": items})
            )
    return out


def _flat(text: str) -> str:
    """A text of the folder as one paragraph: the line breaks of a YAML block are not the writer's."""
    return " ".join(text.split())


def _orientation(of: Any, proposition: str) -> dict[str, Any]:
    d = of.decision
    return {
        "id": of.orientation.id,
        "titre": _flat(of.orientation.titre),
        "decision": d.decision if d else "",
        "decision_libelle": of.decision_label,
        "motif": _flat(d.motif) if d else "",
        "proposition": proposition,
    }


BUILDERS: dict[Moment, Callable[[Consultation, list[Person]], list[Message]]] = {
    Moment.CONFIRMATION: confirmations,
    Moment.PLACE_LIBEREE: places_freed,
    Moment.RESTITUTION: restitutions,
    Moment.DEVENIR: fates,
}

#: Every moment ``ateliers courrier`` knows (« avancement » is built by ateliers_cli.followup).
KNOWN = (*BUILDERS, Moment.AVANCEMENT)


def messages(c: Consultation, moment: Moment, people: list[Person]) -> list[Message]:
    """The messages of ``moment``, each with the consultation and the person in its context."""
    builder = BUILDERS.get(moment)
    if builder is None:
        from ateliers_cli.followup import progress_messages

        builder = progress_messages
    out = builder(c, people)
    for m in out:
        m.context.setdefault("consultation", _consultation_context(c))
        m.context.setdefault("personne", _person_context(m.person))
        m.context.setdefault("moment", m.moment.value)
    return out
