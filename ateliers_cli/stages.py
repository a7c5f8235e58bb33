"""The seven stages of the Ateliers Citoyens, in process order."""

from __future__ import annotations

import enum


class Stage(enum.Enum):
    APPEL = "appel"
    LANCEMENT = "lancement"
    ATELIERS = "ateliers"
    SYNTHESE = "synthese"
    RAPPORT = "rapport"
    ADOPTION = "adoption"
    RESTITUTION = "restitution"
    CLOTUREE = "cloturee"

    @property
    def number(self) -> int:
        """1 to 7 for the stages, 8 once closed."""
        return list(Stage).index(self) + 1

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def summary(self) -> str:
        return _SUMMARIES[self]

    @property
    def next(self) -> Stage | None:
        members = list(Stage)
        i = members.index(self)
        return members[i + 1] if i + 1 < len(members) else None

    @property
    def folder(self) -> str:
        """Where this stage's documents are written under ``documents/``."""
        return f"{self.number}-{self.value}"

    @classmethod
    def process(cls) -> list[Stage]:
        """The seven stages proper, without ``cloturee``."""
        return [s for s in cls if s is not cls.CLOTUREE]

    @classmethod
    def keys(cls) -> list[str]:
        return [s.value for s in cls]


_LABELS = {
    Stage.APPEL: "Appel à contributions",
    Stage.LANCEMENT: "Forum de lancement",
    Stage.ATELIERS: "Ateliers citoyens de coproduction",
    Stage.SYNTHESE: "Forum départemental de synthèse",
    Stage.RAPPORT: "Rapport d'orientations",
    Stage.ADOPTION: "Adoption par l'assemblée départementale",
    Stage.RESTITUTION: "Restitutions publiques",
    Stage.CLOTUREE: "Consultation clôturée",
}

_SUMMARIES = {
    Stage.APPEL: "Habitants, citoyens et partenaires envoient témoignages, expériences et idées ; "
    "les analystes les classent par thème.",
    Stage.LANCEMENT: "Le cadre est posé, la synthèse des contributions présentée avec les thèmes "
    "et le calendrier des ateliers ; on s'inscrit aux ateliers.",
    Stage.ATELIERS: "Dans chaque arrondissement, des ateliers travaillent les thèmes et "
    "produisent réflexions et propositions.",
    Stage.SYNTHESE: "Les productions de tous les ateliers sont restituées, croisées et débattues ; "
    "les propositions sont regroupées.",
    Stage.RAPPORT: "Des orientations sont tirées de la synthèse, chacune reliée à ses sources, "
    "et transmises aux commissions thématiques.",
    Stage.ADOPTION: "Les commissions donnent leur avis, l'assemblée délibère et vote chaque "
    "orientation.",
    Stage.RESTITUTION: "Des réunions publiques présentent dans chaque territoire la politique "
    "adoptée et recueillent les avis sur sa mise en œuvre.",
    Stage.CLOTUREE: "La démarche est terminée ; ses documents restent consultables.",
}
