"""The frequent edits, as commands: a workshop held, a commission's opinion, the vote.

Each is a round-trip edit (:mod:`ateliers_cli.yamledit`): the file keeps its comments, its key
order and everything the edit does not touch; the result is validated with the file's schema
before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ateliers_cli import schema as S
from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.hints import did_you_mean
from ateliers_cli.importers.util import plural
from ateliers_cli.model import Consultation
from ateliers_cli.yamledit import edit_or_create, set_key

_DELIBERATION_HEADER = (
    "# yaml-language-server: $schema=schemas/deliberation.schema.json\n"
    "# Avis des commissions et délibération : « ateliers aide deliberation » décrit chaque clé.\n"
)


@dataclass
class Edit:
    rel: str
    text: str
    summary: str


def _order(obj: S.Obj) -> list[str]:
    return [f.name for f in obj.fields]


def _validated(c: Consultation, rel: str, text: str, obj: S.Obj) -> None:
    from ateliers_cli.yamlio import parse_yaml

    loaded = parse_yaml(text, rel)
    _clean, diags = S.validate(loaded.data, obj, rel)
    errors = [d for d in loaded.diagnostics + diags if d.is_error]
    if errors:
        raise AteliersError(f"la modification rendrait {rel} invalide : rien n'est écrit", path=rel, details=errors)


def atelier_tenu(c: Consultation, ident: str, participants: int, animation: str | None = None) -> Edit:
    """``statut: tenu`` and the attendance of one workshop."""
    atelier = _atelier(c, ident)
    if participants < 1:
        raise UsageError(
            "--participants : au moins une personne",
            hint="le nombre de personnes présentes, compté sur la feuille d'émargement",
        )
    order = _order(S.ATELIER)

    def change(doc: Any) -> None:
        set_key(doc, "statut", "tenu", order)
        if "motif_annulation" in doc:
            del doc["motif_annulation"]
        set_key(doc, "participants", participants, order)
        if animation:
            set_key(doc, "animation", animation, order)

    text = edit_or_create(c.root / atelier.path, change)
    _validated(c, atelier.path, text, S.ATELIER)
    return Edit(
        atelier.path, text, f"atelier « {ident} » tenu, {participants} participant{'s' if participants > 1 else ''}"
    )


def atelier_annule(c: Consultation, ident: str, motif: str) -> Edit:
    atelier = _atelier(c, ident)
    if not motif.strip():
        raise UsageError(
            "--motif : dites pourquoi l'atelier est annulé", hint="il figure dans le programme et le bilan"
        )
    order = _order(S.ATELIER)

    def change(doc: Any) -> None:
        set_key(doc, "statut", "annule", order)
        set_key(doc, "motif_annulation", motif.strip(), order)

    text = edit_or_create(c.root / atelier.path, change)
    _validated(c, atelier.path, text, S.ATELIER)
    return Edit(atelier.path, text, f"atelier « {ident} » annulé")


def _atelier(c: Consultation, ident: str) -> Any:
    atelier = c.ateliers.get(ident)
    if atelier is None:
        raise UsageError(
            f"atelier « {ident} » inconnu",
            hint=did_you_mean(ident, c.ateliers)
            or (
                "ateliers : " + ", ".join(c.ateliers)
                if c.ateliers
                else "créez-le d'abord : « ateliers saisie modele atelier ID »"
            ),
        )
    return atelier


def avis(c: Consultation, commission: str, sens: str, date: dt.date, observations: str | None = None) -> Edit:
    """The opinion of one commission: added, or replacing the one it gave (its amendments kept)."""
    if commission not in c.commissions:
        raise UsageError(
            f"commission « {commission} » inconnue",
            hint=did_you_mean(commission, c.commissions) or "commissions : " + ", ".join(c.commissions),
        )
    if sens not in S.AVIS:
        raise UsageError(
            f"avis « {sens} » inconnu", hint=did_you_mean(sens, S.AVIS) or "avis possibles : " + ", ".join(S.AVIS)
        )
    rel = "deliberation.yaml"
    item_order = _order(S.AVIS_COMMISSION)

    def change(doc: Any) -> None:
        given = doc.get("avis")
        if not isinstance(given, list):
            given = CommentedSeq()
            set_key(doc, "avis", given, _order(S.DELIBERATION))
        entry = next((a for a in given if isinstance(a, dict) and a.get("commission") == commission), None)
        if entry is None:
            entry = CommentedMap()
            entry["commission"] = commission
            given.append(entry)
        set_key(entry, "date", date, item_order)
        set_key(entry, "avis", sens, item_order)
        if observations:
            set_key(entry, "observations", observations, item_order)

    text = edit_or_create(c.root / rel, change, _DELIBERATION_HEADER)
    _validated(c, rel, text, S.DELIBERATION)
    return Edit(rel, text, f"avis « {sens} » de la commission « {commission} » du {date.isoformat()}")


def vote(c: Consultation, counts: dict[str, int]) -> Edit:
    """The vote of the assembly; ``votants`` defaults to for + against + abstentions."""
    counts = dict(counts)
    counts.setdefault("votants", counts["pour"] + counts["contre"] + counts["abstention"])
    total = counts["pour"] + counts["contre"] + counts["abstention"]
    if counts["votants"] != total:
        raise UsageError(
            f"vote incohérent : votants ({counts['votants']}) ≠ pour + contre + abstention ({total})",
            hint="vérifiez les chiffres du procès-verbal de la séance (sans --votants, il vaut leur somme)",
        )
    rel = "deliberation.yaml"

    def change(doc: Any) -> None:
        block = doc.get("vote")
        if not isinstance(block, dict):  # a new block; an existing one is updated in place (its comments kept)
            block = CommentedMap()
            set_key(doc, "vote", block, _order(S.DELIBERATION))
        for f in S.VOTE.fields:
            set_key(block, f.name, counts[f.name], _order(S.VOTE))

    text = edit_or_create(c.root / rel, change, _DELIBERATION_HEADER)
    _validated(c, rel, text, S.DELIBERATION)
    summary = (
        f"vote : {counts['pour']} pour, {counts['contre']} contre, "
        f"{plural(counts['abstention'], 'abstention')}, sur {plural(counts['votants'], 'votant')}"
    )
    return Edit(rel, text, summary)
