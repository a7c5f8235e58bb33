"""``ateliers render``: the documents of every stage reached, written only where they changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ateliers_cli.clock import now
from ateliers_cli.documents import OutputFile, build_documents
from ateliers_cli.fsutil import write_all
from ateliers_cli.load import LoadResult
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage
from ateliers_cli.writer import WritePlan, conflict_error, plan_writes


def passage_date(c: Consultation, stage: Stage) -> dt.datetime:
    """When ``stage`` was left, from the history (the documents' date)."""
    for p in c.historique:
        if p.de == stage.value and p.date is not None:
            d = p.date
            return d if isinstance(d, dt.datetime) else dt.datetime.combine(d, dt.time(12, 0))
    return now()


def stages_reached(c: Consultation) -> list[Stage]:
    return [s for s in Stage.process() if s.number < c.etape.number]


def all_documents(c: Consultation) -> list[OutputFile]:
    return build_documents(c, [(stage, passage_date(c, stage)) for stage in stages_reached(c)])


@dataclass
class RenderResult:
    documents: list[OutputFile]
    plan: WritePlan


def plan_render(loaded: LoadResult, *, force: bool = False) -> RenderResult:
    c = loaded.consultation
    files = all_documents(c)
    plan = plan_writes(c.root, files, force=force, owned_prefixes=("documents/", "prive/emargement/"))
    if plan.conflicts:
        raise conflict_error(plan)
    return RenderResult(files, plan)


def apply_render(root: Path, result: RenderResult) -> None:
    if result.plan.changes:
        write_all(root, result.plan.changes)
