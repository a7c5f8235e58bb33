"""Participants counted once: how many people came to the workshops, and to the public meetings.

A workshop's own number is its headcount (``participants:`` of ``ateliers/<id>.yaml``, what
the attendance sheet counted), or else the people of ``prive/inscriptions.csv`` who had a place
there and were not marked absent (``ateliers inscriptions absent``).

A *total* over several workshops is never the sum of their numbers: a person who came to two
workshops is one participant. It is counted from ``prive/inscriptions.csv``, each person once
by their person key (the ``personne`` column; else their e-mail, or name and phone), the people
marked absent left out; to them are added the people present without registration, known only
by number (a workshop's headcount beyond its registered people present), counted workshop by
workshop. A headcount below the registered people present means the absent were not marked:
the total is then not known either. Without that register, a total over two or more workshops cannot be counted once:
it is ``None``, and no document states it. The same holds for the public meetings of the
restitution, which have no register of names: one meeting's headcount is stated, never a sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ateliers_cli.model import Atelier, Consultation


@dataclass(frozen=True)
class Participants:
    """The people who came, each counted once (``None``: cannot be counted once, not to be stated)."""

    ateliers: int | None  # the held workshops, all of them
    par_territoire: dict[str, int | None] = field(default_factory=dict)  # the held workshops of each territory
    restitutions: int | None = None  # the public meetings held
    restitutions_par_territoire: dict[str, int | None] = field(default_factory=dict)
    registre: bool = False  # whether the people present are known from prive/inscriptions.csv


def _present(c: Consultation) -> dict[str, set[str]]:
    """Per workshop, the person keys of the people registered who had a place and came."""
    from ateliers_cli.inscriptions import Statut, read_existing

    out: dict[str, set[str]] = {}
    for r in read_existing(c.root):
        if r.statut == Statut.INSCRIT and r.atelier:
            out.setdefault(r.atelier, set()).add(r.personne or r.person or r.key)
    return out


def _once(held: list[Atelier], present: dict[str, set[str]], registre: bool) -> int | None:
    """The people of ``held`` workshops, each once."""
    if not held:
        return 0
    if len(held) == 1:
        a = held[0]
        return a.participants if a.participants is not None else len(present.get(a.id, ()))
    if not registre:
        return None
    known: set[str] = set()
    walk_ins = 0
    for a in held:
        came = present.get(a.id, set())
        if a.participants is not None and a.participants < len(came):
            return None  # fewer people counted than registered ones present: the absent are not marked
        known |= came
        if a.participants is not None:
            walk_ins += a.participants - len(came)
    return len(known) + walk_ins


def _meetings_once(headcounts: Iterable[int | None]) -> int | None:
    counts = list(headcounts)
    if not counts:
        return 0
    if len(counts) == 1:
        return counts[0] or 0
    return None  # no register of names for the meetings: a sum would count a person twice


def count_participants(c: Consultation) -> Participants:
    """The participants of the held workshops and meetings, overall and per territory, once each."""
    held = [a for a in c.ateliers.values() if a.statut == "tenu"]
    present = _present(c)
    # the register knows who came when it places someone in a held workshop
    registre = any(present.get(a.id) for a in held)
    meetings = [r for r in c.restitutions.values() if r.statut == "tenu"]
    return Participants(
        ateliers=_once(held, present, registre),
        par_territoire={t: _once([a for a in held if a.territoire == t], present, registre) for t in c.territoires},
        restitutions=_meetings_once(r.participants for r in meetings),
        restitutions_par_territoire={
            t: _meetings_once(r.participants for r in meetings if r.territoire == t) for t in c.territoires
        },
        registre=registre,
    )
