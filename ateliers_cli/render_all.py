"""``ateliers render``: the documents of every stage reached, written only where they changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ateliers_cli.clock import now
from ateliers_cli.documents import OutputFile, build_documents
from ateliers_cli.errors import UsageError
from ateliers_cli.fsutil import write_all
from ateliers_cli.hints import did_you_mean
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


ALL_STAGES = "toutes"


def stages_named(names: Iterable[str]) -> list[Stage]:
    """The stages the option ``--etape`` names (``toutes``: every one); an unknown name is a usage error."""
    out: list[Stage] = []
    for raw in names:
        name = raw.strip().lower()
        if name == ALL_STAGES:
            return list(Stage.process())
        stage = next((s for s in Stage.process() if s.value == name), None)
        if stage is None:
            known = [s.value for s in Stage.process()] + [ALL_STAGES]
            raise UsageError(
                f"--etape : « {raw} » n'est pas une étape",
                hint=did_you_mean(name, known) or "étapes : " + ", ".join(known),
            )
        if stage not in out:
            out.append(stage)
    return out


def stage_of(path: str) -> Stage | None:
    """The stage a generated file belongs to: its folder under documents/, or the launch for
    the attendance sheets (prive/emargement/)."""
    if path.startswith("prive/emargement/"):
        return Stage.LANCEMENT
    folder = path.removeprefix("documents/").split("/", 1)[0]
    return next((s for s in Stage.process() if s.folder == folder), None)


@dataclass
class RenderResult:
    documents: list[OutputFile]
    plan: WritePlan
    # documents of passed stages the data would now change, left as they were handed out
    kept: dict[Stage, list[str]] = field(default_factory=dict)


def plan_render(loaded: LoadResult, *, force: bool = False, stages: Iterable[Stage] = ()) -> RenderResult:
    """Plan ``render``: every document of a passed stage is the record of what was handed out.

    Only the documents missing on disk are written, and those of ``stages`` (the explicit
    option naming them) rewritten. The others that the data would now change are listed in
    ``kept``. Nothing under prive/ is ever removed.
    """
    c = loaded.consultation
    files = all_documents(c)
    rewrite = set(stages)
    to_write: list[OutputFile] = []
    kept: dict[Stage, list[str]] = {}
    for f in files:
        stage = stage_of(f.path)
        if stage in rewrite:
            to_write.append(f)
            continue
        try:
            current = (c.root / f.path).read_bytes()
        except FileNotFoundError:
            to_write.append(f)  # never handed out, or deleted: written again
            continue
        except OSError:
            to_write.append(f)  # the writer reports it in French
            continue
        if current != f.content and stage is not None:
            kept.setdefault(stage, []).append(f.path)
    owned = tuple(f"documents/{s.folder}/" for s in Stage.process() if s in rewrite)
    plan = plan_writes(c.root, to_write, force=force, owned_prefixes=owned)
    if plan.conflicts:
        raise conflict_error(plan)
    return RenderResult(files, plan, {s: kept[s] for s in Stage.process() if s in kept})


def apply_render(root: Path, result: RenderResult) -> None:
    if result.plan.changes:
        write_all(root, result.plan.changes)
