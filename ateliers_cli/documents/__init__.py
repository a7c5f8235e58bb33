"""The documents of each transition (PRODUCT.md §4).

    files = build_stage_documents(c, Stage.APPEL, when)   # pure: nothing is written

Each stage has its module (``appel``, ``lancement``, ``ateliers``, ``synthese``, ``rapport``,
``adoption``, ``restitution``) computing its figures and rendering its templates from
``templates/`` (a consultation's own ``templates/`` first). ``when`` is the date of the
passage that leaves the stage: the documents carry no other date, so rendering an
unchanged consultation again gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from ateliers_cli.documents.output import OutputFile, resolve_office
from ateliers_cli.documents.templating import default_templates_dir, make_environment
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage

__all__ = ["OutputFile", "build_stage_documents", "default_templates_dir", "make_environment", "stage_documents_titles"]

_TITLES: dict[Stage, list[str]] = {
    Stage.APPEL: [
        "Synthèse des contributions",
        "Programme des ateliers",
        "Formulaire d'inscription aux ateliers",
    ],
    Stage.LANCEMENT: [
        "Dossier d'atelier (un par atelier maintenu)",
        "Feuille d'émargement (une par atelier maintenu, dans prive/)",
    ],
    Stage.ATELIERS: ["Cahier des productions", "Croisement des productions"],
    Stage.SYNTHESE: ["Synthèse intermédiaire"],
    Stage.RAPPORT: [
        "Rapport d'orientations (aussi en ODT, DOCX et PDF)",
        "Note à chaque commission concernée (aussi en ODT, DOCX et PDF)",
    ],
    Stage.ADOPTION: [
        "Délibération (aussi en ODT, DOCX et PDF)",
        "La politique adoptée",
        "Ce que sont devenues vos contributions",
    ],
    Stage.RESTITUTION: ["Bilan de la démarche"],
    Stage.CLOTUREE: [],
}


def stage_documents_titles(stage: Stage) -> list[str]:
    """The titles of the documents produced when leaving ``stage`` (cheap: nothing is rendered)."""
    return list(_TITLES[stage])


def build_stage_documents(c: Consultation, stage: Stage, when: dt.datetime) -> list[OutputFile]:
    """The documents produced when leaving ``stage``, dated ``when``. Pure: writes nothing.

    Raises :class:`~ateliers_cli.errors.AteliersError` (with the template's path and line)
    when a template is faulty.
    """
    if stage is Stage.CLOTUREE:
        return []
    module = import_module(f"ateliers_cli.documents.{stage.value}")
    env = make_environment(c.root)
    files: list[OutputFile] = module.build(c, when, env)
    return resolve_office(files, c.root / ".ateliers-cache" / "office")
