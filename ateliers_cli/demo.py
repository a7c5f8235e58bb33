"""``ateliers demo``: the bundled example, walked through all seven stages."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ateliers_cli.advance import Transition, advance
from ateliers_cli.clock import PARIS, now
from ateliers_cli.errors import AteliersError
from ateliers_cli.load import load
from ateliers_cli.stages import Stage


def example_dir() -> Path:
    """The bundled example: installed inside the package, or beside it in a checkout."""
    packaged = resources.files("ateliers_cli") / "_exemple"
    if packaged.is_dir():
        return Path(str(packaged))
    here = Path(__file__).resolve().parent.parent / "exemple_consultation"
    if here.is_dir():
        return here
    raise AteliersError(
        "l'exemple de consultation est introuvable dans cette installation", hint="réinstallez ateliers"
    )


@dataclass
class DemoStep:
    transition: Transition


def _when(c_calendar: Mapping[str, object], stage: Stage) -> dt.datetime:
    """The demo's passage date: the evening of the stage's last calendar day, when past."""
    periode = c_calendar.get(stage.value)
    fin = getattr(periode, "fin", None)
    current = now()
    if isinstance(fin, dt.date):
        when = dt.datetime.combine(fin, dt.time(18, 0), tzinfo=PARIS)
        if when < current:
            return when
    return current


def run_demo(target: Path, on_step: Callable[[Transition], None] | None = None) -> list[Transition]:
    if target.exists():
        raise AteliersError(
            f"le dossier « {target} » existe déjà : la démo ne l'écrase pas",
            hint="supprimez-le, ou choisissez un autre dossier : « ateliers demo autre-dossier »",
        )
    shutil.copytree(example_dir(), target, ignore=shutil.ignore_patterns("documents", "prive", ".ateliers*", "site"))
    steps: list[Transition] = []
    for _ in Stage.process():
        c = load(target).consultation
        t, _commit = advance(target, par="Démonstration", allow_dirty=True, when=_when(c.calendrier, c.etape))
        steps.append(t)
        if on_step is not None:
            on_step(t)
    return steps
