"""The documents of each transition (docs/templates.md, « Ce que produit chaque étape »).

    files = build_stage_documents(c, Stage.APPEL, when)   # pure: nothing is written
    files = build_documents(c, [(Stage.APPEL, when1), (Stage.LANCEMENT, when2)])  # on every core

Each stage has its module (``appel``, ``lancement``, ``ateliers``, ``synthese``, ``rapport``,
``adoption``, ``restitution``) computing its figures and rendering its templates from
``templates/`` (a consultation's own ``templates/`` first). ``when`` is the date of the
passage that leaves the stage: the documents carry no other date, so rendering an
unchanged consultation again gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from ateliers_cli import parallel
from ateliers_cli.documents.output import OfficeBatch, OutputFile, resolve_office
from ateliers_cli.documents.templating import default_templates_dir, make_environment
from ateliers_cli.errors import AteliersError
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage

__all__ = [
    "OutputFile",
    "build_documents",
    "build_stage_documents",
    "default_templates_dir",
    "make_environment",
    "stage_documents_titles",
]

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
        "Ce que sont devenues vos contributions (une vue d'ensemble, puis un document par arrondissement)",
    ],
    Stage.RESTITUTION: ["Bilan de la démarche"],
    Stage.CLOTUREE: [],
}


def stage_documents_titles(stage: Stage) -> list[str]:
    """The titles of the documents produced when leaving ``stage`` (cheap: nothing is rendered)."""
    return list(_TITLES[stage])


def _unresolved(c: Consultation, stage: Stage, when: dt.datetime, partie: str | None = None) -> list[OutputFile]:
    """A stage's documents (or one piece of them), its office files still jobs."""
    module = import_module(f"ateliers_cli.documents.{stage.value}")
    env = make_environment(c.root)
    files: list[OutputFile] = module.build(c, when, env) if partie is None else module.build(c, when, env, partie)
    return files


def _pieces(c: Consultation, stage: Stage) -> list[str | None]:
    """What a stage can be built in on separate cores: its ``parties`` if it has any, else all at once."""
    module = import_module(f"ateliers_cli.documents.{stage.value}")
    parties = getattr(module, "parties", None)
    return list(parties(c)) if parties is not None else [None]


def _office_cache(c: Consultation) -> Path:
    return c.root / ".ateliers-cache" / "office"


def build_stage_documents(c: Consultation, stage: Stage, when: dt.datetime) -> list[OutputFile]:
    """The documents produced when leaving ``stage``, dated ``when``. Pure: writes nothing.

    Raises :class:`~ateliers_cli.errors.AteliersError` (with the template's path and line)
    when a template is faulty.
    """
    if stage is Stage.CLOTUREE:
        return []
    return resolve_office(_unresolved(c, stage, when), _office_cache(c))


# The slowest stage first (its synthesis analyses every text), then the report, whose office
# files this process makes while the workers go on; so that every core stays busy to the end.
_COST_ORDER = (
    Stage.APPEL,
    Stage.RAPPORT,
    Stage.ADOPTION,
    Stage.LANCEMENT,
    Stage.ATELIERS,
    Stage.RESTITUTION,
    Stage.SYNTHESE,
)
# Set in this process just before the workers fork, who find it there.
_WORK: tuple[Consultation, list[tuple[Stage, dt.datetime, str | None]]] | None = None


def _task(i: int) -> tuple[int, list[OutputFile] | AteliersError]:
    assert _WORK is not None
    c, tasks = _WORK
    stage, when, partie = tasks[i]
    try:
        return i, _unresolved(c, stage, when, partie)
    except AteliersError as exc:  # sent back, raised in stage order by the parent
        return i, exc


def build_documents(c: Consultation, stages: Sequence[tuple[Stage, dt.datetime]]) -> list[OutputFile]:
    """The documents of several stages (``(stage, when)``), in that order. Pure: writes nothing.

    On every core: the stages (and the pieces of those that have several, see
    ``adoption.parties``) are built by forked workers; this process makes each piece's office
    files as soon as its documents are ready, while the rest is still being built. Same
    files, same order, same bytes as :func:`build_stage_documents` stage after stage; the
    error of the first faulty stage is the one raised.
    """
    global _WORK
    todo = [(s, w) for s, w in stages if s is not Stage.CLOTUREE]
    n = parallel.workers()
    if n < 2 or len(todo) < 2:
        return [f for stage, when in todo for f in build_stage_documents(c, stage, when)]
    tasks: list[tuple[Stage, dt.datetime, str | None]] = [
        (stage, when, partie) for stage, when in todo for partie in _pieces(c, stage)
    ]
    order = sorted(range(len(tasks)), key=lambda i: _COST_ORDER.index(tasks[i][0]))
    built: dict[int, list[OutputFile] | AteliersError] = {}
    batches: dict[int, OfficeBatch] = {}
    _WORK = (c, tasks)
    try:
        with parallel.fork_pool(min(n, len(tasks))) as pool:
            for i, result in pool.imap_unordered(_task, order):
                built[i] = result
                if not isinstance(result, AteliersError):
                    # made here while the workers go on with the other stages (see OfficeBatch)
                    batches[i] = OfficeBatch(result, _office_cache(c))
                    batches[i].make()
            for i in range(len(tasks)):
                failure = built[i]
                if isinstance(failure, AteliersError):
                    raise failure
            return [f for i in range(len(tasks)) for f in batches[i].files()]
    finally:
        _WORK = None
