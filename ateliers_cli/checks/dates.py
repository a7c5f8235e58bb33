"""Dates coherent with the calendar of consultation.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.model import Consultation, Periode
from ateliers_cli.stages import Stage


def as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _fmt(d: dt.date) -> str:
    return d.isoformat()


def _outside(
    d: list[Diagnostic], item: Any, key: str, value: Any, periode: Periode | None, label: str, stage: Stage
) -> None:
    day = as_date(value)
    if day is None or periode is None or periode.debut is None or periode.fin is None:
        return
    if not (periode.debut <= day <= periode.fin):
        d.append(
            warning(
                item.path,
                item.line_of(key),
                f"{label} du {_fmt(day)}, hors de la période « {stage.value} » du calendrier ({_fmt(periode.debut)} → "
                f"{_fmt(periode.fin)})",
                "corrigez la date, ou le calendrier de consultation.yaml",
                "calendrier",
            )
        )


def check_dates(c: Consultation) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    cal = c.calendrier
    previous: tuple[str, Periode] | None = None
    for stage in Stage.process():
        p = cal.get(stage.value)
        if p is None or p.debut is None or p.fin is None:
            continue
        if p.debut > p.fin:
            d.append(
                error(
                    p.path,
                    p.line_of("fin"),
                    f"calendrier : l'étape « {stage.value} » finit ({_fmt(p.fin)}) avant de commencer "
                    f"({_fmt(p.debut)})",
                    "inversez ou corrigez les dates",
                    "calendrier",
                )
            )
        if previous is not None and previous[1].fin is not None and p.debut < previous[1].fin:
            d.append(
                error(
                    p.path,
                    p.line_of("debut"),
                    f"calendrier : l'étape « {stage.value} » commence ({_fmt(p.debut)}) avant la fin de « "
                    f"{previous[0]} » ({_fmt(previous[1].fin)})",
                    "les étapes se suivent dans l'ordre du processus",
                    "calendrier",
                )
            )
        previous = (stage.value, p)

    for ct in c.contributions.values():
        _outside(d, ct, "date", ct.date, cal.get("appel"), "contribution", Stage.APPEL)
    if c.lancement is not None:
        _outside(d, c.lancement, "date", c.lancement.date, cal.get("lancement"), "forum de lancement", Stage.LANCEMENT)
    for a in c.ateliers.values():
        _outside(d, a, "date", a.date, cal.get("ateliers"), f"atelier « {a.id} »", Stage.ATELIERS)
        if (
            a.fin is not None
            and a.date is not None
            and isinstance(a.fin, dt.datetime)
            and isinstance(a.date, dt.datetime)
            and a.fin < a.date
        ):
            d.append(
                error(
                    a.path,
                    a.line_of("fin"),
                    f"l'atelier « {a.id} » finit avant de commencer",
                    "corrigez « fin »",
                    "date",
                )
            )
    if c.synthese is not None:
        _outside(d, c.synthese, "date", c.synthese.date, cal.get("synthese"), "forum de synthèse", Stage.SYNTHESE)
    if c.deliberation is not None:
        dl = c.deliberation
        if dl.seance is not None:
            _outside(d, dl.seance, "date", dl.seance.date, cal.get("adoption"), "séance", Stage.ADOPTION)
            for avis in dl.avis:
                if avis.date and dl.seance.date and avis.date > dl.seance.date:
                    d.append(
                        error(
                            avis.path,
                            avis.line_of("date"),
                            f"avis de la commission « {avis.commission} » daté du {_fmt(avis.date)}, après la séance "
                            f"du {_fmt(dl.seance.date)}",
                            "une commission rend son avis avant la séance",
                            "date",
                        )
                    )
    for r in c.restitutions.values():
        _outside(d, r, "date", r.date, cal.get("restitution"), f"restitution « {r.id} »", Stage.RESTITUTION)
    return d


def transition_warnings(c: Consultation, stage: Stage, when: dt.datetime) -> list[Diagnostic]:
    """What leaving ``stage`` on ``when`` would make the documents say that deserves a look:
    a stage closed before its announced end, contributions dated after the call's closure
    (the synthesis does not quote them)."""
    d: list[Diagnostic] = []
    day = when.date()
    periode = c.calendrier.get(stage.value)
    if periode is not None and periode.fin is not None and day < periode.fin:
        d.append(
            warning(
                periode.path or "consultation.yaml",
                periode.line_of("fin"),
                f"l'étape « {stage.value} » est close le {_fmt(day)}, avant la fin annoncée au calendrier "
                f"({_fmt(periode.fin)}) : les documents diront la clôture anticipée",
                f"si ce n'est pas voulu, attendez le {_fmt(periode.fin)} ; sinon rien à faire",
                "cloture-anticipee",
            )
        )
    if stage is Stage.APPEL:
        for ct in sorted(c.contributions.values(), key=lambda x: x.id):
            if ct.date is not None and ct.date > day:
                d.append(
                    warning(
                        ct.path,
                        ct.line_of("date"),
                        f"contribution datée du {_fmt(ct.date)}, après la clôture de l'appel ({_fmt(day)}) : la "
                        "synthèse des contributions ne la cite pas",
                        "corrigez sa date si elle est fausse",
                        "date-apres-document",
                    )
                )
    return d
