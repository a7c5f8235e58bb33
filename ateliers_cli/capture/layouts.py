"""The sheets of each capture template, built on the declarations of :mod:`ateliers_cli.schema`.

A layout says only how a file kind is laid out in a spreadsheet (which keys on the « fiche »,
which lists as tables, which column picks from which list of identifiers); the type, rules and
description of every cell come from the schema, so a template accepts what ``check`` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ateliers_cli import schema as S
from ateliers_cli.schema import F, Obj

#: The kinds a template exists for, with the file each one writes.
KINDS = {
    "atelier": "un atelier : sa fiche, ses productions par thème et ses propositions",
    "lancement": "le forum de lancement",
    "synthese": "le forum de synthèse : les regroupements, et pour chaque proposition son regroupement ou le motif qui "
    "l'écarte",
    "orientations": "le rapport d'orientations : les orientations et leurs sources, les regroupements écartés",
    "deliberation": "les avis des commissions, la séance, le vote, la décision sur chaque orientation",
    "restitution": "une réunion publique de restitution et les retours des participants",
}

#: The kinds that name one item among several (a file per workshop, per restitution).
WITH_ID = ("atelier", "restitution")

FICHE = "fiche"
TABLE = "table"


@dataclass(frozen=True)
class Column:
    """One cell of the fiche, or one column of a table."""

    key: str  # dotted path in the object of its sheet: « inscriptions.inscrits », « seance.date »
    field: F
    ref: str = ""  # a list of identifiers the value is picked from (territoires, themes…)
    multi: bool = False  # several identifiers in one cell, separated by commas
    info: bool = False  # shown to help the person filling it, never read back
    label: str = ""

    @property
    def header(self) -> str:
        return self.label or self.key


@dataclass(frozen=True)
class Sheet:
    name: str
    form: str  # FICHE (one key per row) or TABLE (one item per row)
    columns: tuple[Column, ...]
    doc: str


def _field(obj: Obj, path: str) -> F:
    """The declaration of ``path`` (« seance.date ») in ``obj``."""
    head, _, rest = path.partition(".")
    f = obj.by_name[head]
    if not rest:
        return f
    sub = f.obj or f.map_of
    if sub is None and f.items is not None:
        sub = f.items.obj
    assert sub is not None, path
    return _field(sub, rest)


def _col(obj: Obj, key: str, ref: str = "", multi: bool = False, label: str = "") -> Column:
    return Column(key, _field(obj, key), ref=ref, multi=multi, label=label)


def _info(name: str, doc: str) -> Column:
    return Column(name, F(name, "str", doc), info=True)


def _fiche(obj: Obj, *keys: str | tuple[str, str]) -> tuple[Column, ...]:
    cols = []
    for k in keys:
        key, ref = k if isinstance(k, tuple) else (k, "")
        cols.append(_col(obj, key, ref=ref, multi=_field(obj, key).type == "list"))
    return tuple(cols)


_REUNION = ("date", "lieu", "statut", "participants", "notes")

_PRODUCTION = S.PRODUCTION
_PROPOSITION = S.PROPOSITION


def sheets(kind: str) -> tuple[Sheet, ...]:
    """The sheets of ``kind``'s template, in order."""
    if kind == "atelier":
        return (
            Sheet(
                "Atelier",
                FICHE,
                _fiche(
                    S.ATELIER,
                    "id",
                    "titre",
                    ("territoire", "territoires"),
                    "date",
                    "fin",
                    "lieu",
                    "adresse",
                    "accessible_pmr",
                    "capacite",
                    ("themes", "themes"),
                    "statut",
                    "motif_annulation",
                    "inscriptions.inscrits",
                    "inscriptions.liste_attente",
                    "participants",
                    "animation",
                ),
                "La fiche de l'atelier : une valeur par ligne, dans la colonne « valeur ».",
            ),
            Sheet(
                "Productions",
                TABLE,
                (_col(_PRODUCTION, "theme", ref="themes"), _col(_PRODUCTION, "reflexions")),
                "Une ligne par thème travaillé : ce qui s'est dit.",
            ),
            Sheet(
                "Propositions",
                TABLE,
                (
                    _col(_PRODUCTION, "theme", ref="themes"),
                    Column(
                        "id",
                        replace(
                            _PROPOSITION.by_name["id"],
                            required=False,
                            doc="Identifiant unique ; vide : numéroté à l'import (P-LILLE1-01…).",
                        ),
                    ),
                    _col(_PROPOSITION, "titre"),
                    _col(_PROPOSITION, "description"),
                    _col(_PROPOSITION, "contributions", ref="contributions", multi=True),
                    _col(_PROPOSITION, "soutiens"),
                    _col(_PROPOSITION, "porteurs", multi=True),
                    _col(_PROPOSITION, "public"),
                    _col(_PROPOSITION, "echeance"),
                    _col(_PROPOSITION, "cout_estime"),
                ),
                "Une ligne par proposition, avec le thème de sa production ; « id » vide : numérotée à l'import.",
            ),
        )
    if kind == "lancement":
        return (
            Sheet("Forum", FICHE, _fiche(S.LANCEMENT, *_REUNION, "inscriptions_ouvertes"), "Le forum de lancement."),
        )
    if kind == "synthese":
        return (
            Sheet("Forum", FICHE, _fiche(S.SYNTHESE, *_REUNION), "Le forum de synthèse."),
            Sheet(
                "Regroupements",
                TABLE,
                (_col(S.REGROUPEMENT, "id"), _col(S.REGROUPEMENT, "titre"), _col(S.REGROUPEMENT, "description")),
                "Une ligne par regroupement de propositions (G-01, G-02…).",
            ),
            Sheet(
                "Propositions",
                TABLE,
                (
                    Column("proposition", S.ECARTEE.by_name["proposition"], ref="propositions"),
                    _info("titre", "Titre de la proposition (pour mémoire)."),
                    _info("atelier", "Atelier d'où elle vient (pour mémoire)."),
                    Column(
                        "regroupement",
                        F("regroupement", "str", "Le regroupement où elle entre.", pattern=S.ID_PATTERNS["G"]),
                        ref="regroupements",
                    ),
                    Column(
                        "motif_ecart",
                        F("motif_ecart", "str", "Si elle est écartée : pourquoi (laisser vide si elle est regroupée)."),
                        label="motif si écartée",
                    ),
                ),
                "Une ligne par proposition des ateliers : son regroupement, ou le motif qui l'écarte.",
            ),
        )
    if kind == "orientations":
        return (
            Sheet(
                "Orientations",
                TABLE,
                (
                    _col(S.ORIENTATION, "id"),
                    _col(S.ORIENTATION, "titre"),
                    _col(S.ORIENTATION, "texte"),
                    _col(S.ORIENTATION, "regroupements", ref="regroupements", multi=True),
                    _col(S.ORIENTATION, "commissions", ref="commissions", multi=True),
                    _col(S.ORIENTATION, "indicateurs", multi=True),
                    _col(S.ORIENTATION, "cout_fonctionnement"),
                    _col(S.ORIENTATION, "cout_investissement"),
                    _col(S.ORIENTATION, "financement"),
                ),
                "Une ligne par orientation (O-01, O-02…), avec les regroupements dont elle est tirée.",
            ),
            Sheet(
                "Regroupements écartés",
                TABLE,
                (
                    _col(S.REGROUPEMENT_ECARTE, "regroupement", ref="regroupements"),
                    _col(S.REGROUPEMENT_ECARTE, "motif"),
                ),
                "Les regroupements qu'aucune orientation ne reprend, avec leur motif.",
            ),
        )
    if kind == "deliberation":
        seance = tuple(_col(S.DELIBERATION, f"seance.{f.name}") for f in S.SEANCE.fields)
        vote = tuple(_col(S.DELIBERATION, f"vote.{f.name}") for f in S.VOTE.fields)
        return (
            Sheet(
                "Avis",
                TABLE,
                (
                    _col(S.AVIS_COMMISSION, "commission", ref="commissions"),
                    _col(S.AVIS_COMMISSION, "date"),
                    _col(S.AVIS_COMMISSION, "avis"),
                    _col(S.AVIS_COMMISSION, "observations"),
                ),
                "Une ligne par commission saisie : la date de sa réunion et le sens de son avis.",
            ),
            Sheet(
                "Amendements",
                TABLE,
                (
                    _col(S.AVIS_COMMISSION, "commission", ref="commissions"),
                    _col(S.AMENDEMENT, "orientation", ref="orientations"),
                    _col(S.AMENDEMENT, "texte"),
                ),
                "Les amendements proposés par les commissions.",
            ),
            Sheet("Séance et vote", FICHE, seance + vote, "La séance de l'assemblée et le vote."),
            Sheet(
                "Décisions",
                TABLE,
                (
                    _col(S.DECISION, "orientation", ref="orientations"),
                    _info("titre", "Titre de l'orientation (pour mémoire)."),
                    _col(S.DECISION, "decision"),
                    _col(S.DECISION, "texte_amende"),
                    _col(S.DECISION, "motif"),
                ),
                "Une ligne par orientation : adoptée, amendée ou non retenue.",
            ),
        )
    if kind == "restitution":
        return (
            Sheet(
                "Restitution",
                FICHE,
                _fiche(S.RESTITUTION, "id", ("territoire", "territoires"), "date", "lieu", "statut", "participants"),
                "La réunion : une valeur par ligne, dans la colonne « valeur ».",
            ),
            Sheet(
                "Retours",
                TABLE,
                (_col(S.RETOUR, "orientation", ref="orientations"), _col(S.RETOUR, "texte")),
                "Une ligne par retour des participants ; l'orientation est facultative.",
            ),
        )
    raise KeyError(kind)


def target(kind: str, ident: str = "") -> str:
    """The file a template of ``kind`` writes, relative to the consultation."""
    return {
        "atelier": f"ateliers/{ident}.yaml",
        "lancement": "forums/lancement.yaml",
        "synthese": "forums/synthese.yaml",
        "orientations": "orientations.yaml",
        "deliberation": "deliberation.yaml",
        "restitution": f"restitutions/{ident}.yaml",
    }[kind]
